// Idle scale: how many connected, idle chargers one machine holds, what each costs in memory,
// and whether their objects sleep between heartbeats (a hibernated object is constructed again
// when a frame wakes it, which the CSMS counts in /api/v1/isolate-stats).

import { setTimeout as sleep } from 'node:timers/promises';
import { bootChargers, eachLimited } from './load.mjs';
import { cpuSeconds, rssMiB } from './proc.mjs';
import { startCsms } from './targets.mjs';

/** Chargers asked for a Heartbeat after the idle wait, to see which objects had slept. */
const WAKE_SAMPLE = 500;

export async function idleScale({ count, idleSeconds, csmsVars }) {
  const server = await startCsms(csmsVars);
  try {
    const baseMiB = rssMiB(server.pids);
    const bootStarted = performance.now();
    const chargers = await bootChargers({ url: server.ocppUrl, count, prefix: 'IDLE', concurrency: 100 });
    const bootSeconds = (performance.now() - bootStarted) / 1000;
    const connectedMiB = rssMiB(server.pids);

    const before = await server.isolateStats();
    const cpuBefore = cpuSeconds(server.pids);
    await sleep(idleSeconds * 1000);
    const idleCpuSeconds = cpuSeconds(server.pids) - cpuBefore;
    const idleMiB = rssMiB(server.pids);

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
      baseMiB,
      connectedMiB,
      idleMiB,
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
    process.stderr.write(`idle scale failed; the server's last lines:\n${server.logTail(40)}\n`);
    throw error;
  } finally {
    await server.stop();
  }
}
