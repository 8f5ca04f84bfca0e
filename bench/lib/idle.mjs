// Idle scale: how many connected, idle chargers one machine holds, what each costs in memory,
// and whether their objects sleep between heartbeats (a hibernated object is constructed again
// when a frame wakes it, which the CSMS counts in /api/v1/isolate-stats).

import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootChargers, eachLimited } from './load.mjs';
import { statsDelta } from './month.mjs';
import { cpuSeconds, rssMiB } from './proc.mjs';

/** Chargers asked for a Heartbeat after the idle wait, to see which objects had slept. */
const WAKE_SAMPLE = 500;
/**
 * This machine allows a process 20,000 open files. workerd keeps two per charger connection (the
 * socket and a dup of it), and an object in memory holds its storage files open too. Connecting pauses while
 * the server holds more than OPEN_FILES_HIGH, so that objects that went quiet can hibernate; if
 * that does not bring it down within GIVE_UP_MS, the ramp stops there: that is as many as the
 * machine holds.
 */
const OPEN_FILES_HIGH = 15_500;
const GIVE_UP_MS = 30_000;

/**
 * The deployed heartbeat interval. A window this long or longer is a connected charger's idle
 * time: each charger sends a Heartbeat this often (spread over the interval), as a real one
 * does, or the CSMS would close it as silent after OFFLINE_AFTER_INTERVALS of them.
 */
const KEEPALIVE_SECONDS = 300;

/** Waits `seconds`; in a window of KEEPALIVE_SECONDS or more, the chargers heartbeat. Returns the Heartbeats sent. */
async function idleWindow(chargers, seconds) {
  if (seconds < KEEPALIVE_SECONDS) {
    await sleep(seconds * 1000);
    return 0;
  }
  const started = performance.now();
  const endAt = started + seconds * 1000;
  let sent = 0;
  await Promise.all(
    chargers.map(async (charger, i) => {
      for (let at = started + (i / chargers.length) * KEEPALIVE_SECONDS * 1000; at < endAt; at += KEEPALIVE_SECONDS * 1000) {
        await sleep(Math.max(0, at - performance.now()));
        await charger.call('Heartbeat', {}).then(() => (sent += 1), () => {});
      }
    }),
  );
  await sleep(Math.max(0, endAt - performance.now()));
  return sent;
}

function openFiles(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function roomForMore(pid) {
  let calls = 0;
  let waitedMs = 0;
  let full = false;
  /** One wait at a time: the connections in flight all wait for the same one. */
  let waiting;
  const waitForRoom = async () => {
    const started = Date.now();
    while (openFiles(pid) > OPEN_FILES_HIGH) {
      if (Date.now() - started >= GIVE_UP_MS) {
        full = true;
        break;
      }
      await sleep(500);
    }
    waitedMs += Date.now() - started;
    waiting = undefined;
  };
  const gate = async () => {
    if (waiting) await waiting;
    if (full) return false;
    // Counting open files costs a directory read: look every 20 connections.
    if (calls++ % 20 === 0 && openFiles(pid) > OPEN_FILES_HIGH) {
      waiting ??= waitForRoom();
      await waiting;
    }
    return !full;
  };
  return { gate, waited: () => waitedMs / 1000, full: () => full };
}

/**
 * Connects up to `count` idle chargers to the server `start()` gives, and measures them. The
 * proof of sleep needs the CSMS's counters; for other servers it is left out.
 */
export async function idleScale({ start, count, idleSeconds }) {
  const server = await start();
  try {
    const baseMiB = rssMiB(server.pids);
    const bootStarted = performance.now();
    const room = roomForMore(server.pids[0]);
    let rampError;
    const chargers = await bootChargers({
      url: server.ocppUrl,
      count,
      prefix: 'IDLE',
      concurrency: 100,
      gate: room.gate,
      onError: (error) => (rampError ??= String(error.message ?? error)),
    });
    const bootSeconds = (performance.now() - bootStarted) / 1000;
    const connectedMiB = rssMiB(server.pids);
    const connectedOpenFiles = openFiles(server.pids[0]);

    const counted = server.isolateStats !== undefined;
    // The boots' own deferred work (their flushes) is not the idle chargers' cost: let it finish first.
    if (counted) await sleep(server.drainSeconds * 1000);
    const before = counted ? await server.isolateStats() : undefined;
    const cpuBefore = cpuSeconds(server.pids);
    const heartbeatsSent = await idleWindow(chargers, idleSeconds);
    const idleCpuSeconds = cpuSeconds(server.pids) - cpuBefore;
    /** Everything billed during the window: the time-driven cost of connected, silent chargers. */
    const windowDelta = counted ? statsDelta(await server.isolateStats(), before) : undefined;
    const idleMiB = rssMiB(server.pids);
    const idleOpenFiles = openFiles(server.pids[0]);

    const sample = chargers.slice(0, Math.min(WAKE_SAMPLE, chargers.length));
    const constructedBefore = counted ? (await server.isolateStats()).chargerObjectsConstructed : undefined;
    await eachLimited(sample, 50, (charger) => charger.call('Heartbeat', {}));
    const woke = counted ? (await server.isolateStats()).chargerObjectsConstructed - constructedBefore : undefined;
    const stillOpen = chargers.filter((c) => c.ws.readyState === 1).length;

    for (const charger of chargers) charger.close();
    return {
      target: server.name,
      requested: count,
      chargers: chargers.length,
      /** True when the ramp stopped at the machine's open-file limit before `requested`. */
      stoppedAtFileLimit: room.full(),
      /** The first connection or boot that failed, which stopped the ramp. */
      rampError,
      stillOpen,
      bootSeconds,
      /** Of which spent waiting for objects to hibernate and close their files. */
      bootWaitSeconds: room.waited(),
      baseMiB,
      connectedMiB,
      idleMiB,
      connectedOpenFiles,
      idleOpenFiles,
      perChargerKiB: ((connectedMiB - baseMiB) * 1024) / chargers.length,
      perIdleChargerKiB: ((idleMiB - baseMiB) * 1024) / chargers.length,
      idleSeconds,
      idleCpuSeconds,
      /** Objects woken while nothing was sent (alarms): none is the aim. */
      wokeWhileIdle: counted ? constructedBefore - before.chargerObjectsConstructed : undefined,
      windowDelta,
      /** Heartbeats the chargers sent during a window of KEEPALIVE_SECONDS or more (none in a shorter one). */
      heartbeatsSent,
      /** Wake-ups (alarms run + objects constructed) per idle charger-hour, over the window. */
      alarmsPerChargerHour: counted ? windowDelta.chargerAlarms / ((chargers.length * idleSeconds) / 3600) : undefined,
      constructionsPerChargerHour: counted ? windowDelta.chargerObjectsConstructed / ((chargers.length * idleSeconds) / 3600) : undefined,
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
