// Idle scale: how many connected, idle chargers one machine holds, what each costs in memory,
// and whether their objects sleep between heartbeats (a hibernated object is constructed again
// when a frame wakes it, which the CSMS counts in /api/v1/isolate-stats).

import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootChargers, eachLimited } from './load.mjs';
import { cpuSeconds, rssMiB } from './proc.mjs';
import { startCsms } from './targets.mjs';

/** Chargers asked for a Heartbeat after the idle wait, to see which objects had slept. */
const WAKE_SAMPLE = 500;
/**
 * An object stays in memory a while after its last event with its storage files open (about
 * four open files; a hibernated one keeps only its socket), and this machine allows a process
 * 20,000 open files. Connecting pauses while the server holds more than this many, so objects
 * that went quiet can hibernate first.
 */
const OPEN_FILES_HIGH = 16_000;

function openFiles(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resolves at once while the server has room, else when objects have hibernated and made some. */
function roomForMore(pid) {
  let calls = 0;
  let waitedMs = 0;
  const gate = async () => {
    // Counting open files costs a directory read: look every 50 connections.
    if (calls++ % 50 !== 0) return;
    while (openFiles(pid) > OPEN_FILES_HIGH) {
      await sleep(500);
      waitedMs += 500;
    }
  };
  return { gate, waited: () => waitedMs / 1000 };
}

export async function idleScale({ count, idleSeconds, csmsVars }) {
  const server = await startCsms(csmsVars);
  try {
    const baseMiB = rssMiB(server.pids);
    const bootStarted = performance.now();
    const room = roomForMore(server.pids[0]);
    const chargers = await bootChargers({ url: server.ocppUrl, count, prefix: 'IDLE', concurrency: 100, gate: room.gate });
    const bootSeconds = (performance.now() - bootStarted) / 1000;
    const connectedMiB = rssMiB(server.pids);
    const connectedOpenFiles = openFiles(server.pids[0]);

    const before = await server.isolateStats();
    const cpuBefore = cpuSeconds(server.pids);
    await sleep(idleSeconds * 1000);
    const idleCpuSeconds = cpuSeconds(server.pids) - cpuBefore;
    const idleMiB = rssMiB(server.pids);
    const idleOpenFiles = openFiles(server.pids[0]);

    const sample = chargers.slice(0, Math.min(WAKE_SAMPLE, chargers.length));
    const constructedBefore = (await server.isolateStats()).chargerObjectsConstructed;
    await eachLimited(sample, 50, (charger) => charger.call('Heartbeat', {}));
    const woke = (await server.isolateStats()).chargerObjectsConstructed - constructedBefore;
    const stillOpen = chargers.filter((c) => c.ws.readyState === 1).length;

    for (const charger of chargers) charger.close();
    return {
      chargers: count,
      stillOpen,
      bootSeconds,
      /** Of which spent waiting for objects to hibernate and close their files. */
      bootWaitSeconds: room.waited(),
      baseMiB,
      connectedMiB,
      idleMiB,
      connectedOpenFiles,
      idleOpenFiles,
      perChargerKiB: ((connectedMiB - baseMiB) * 1024) / count,
      perIdleChargerKiB: ((idleMiB - baseMiB) * 1024) / count,
      idleSeconds,
      idleCpuSeconds,
      /** Objects woken while nothing was sent (alarms): none is the aim. */
      wokeWhileIdle: constructedBefore - before.chargerObjectsConstructed,
      wakeSample: sample.length,
      woke,
    };
  } catch (error) {
    const lines = server.logTail(5_000).split('\n');
    const errors = lines.filter((line) => /error/i.test(line)).slice(-15);
    process.stderr.write(`idle scale failed; the server's last errors:\n${errors.join('\n') || lines.slice(-20).join('\n')}\n`);
    throw error;
  } finally {
    await server.stop();
  }
}
