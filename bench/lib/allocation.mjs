// The site allocation part (issue 17, `--parts alloc`; alone: `node bench/lib/allocation.mjs`): what
// the site allocator costs, run in Node on the real src/sites code (type stripping: its imports
// carry `.ts`). No server: the allocator is pure, and its site object (src/sites/site-object.ts)
// adds storage and RPC around it, which other parts of the bench measure.
//
// 1. CPU per recomputation: what the site object does on each event (siteInputs, allocate,
//    planSends), for 20, 200 and 2,000 charging sessions on one site with nine circuits, each
//    charger a circuit of its own rating as siteInputs makes it. Timed in batches with
//    process.cpuUsage (its clock is too coarse for one 20-session run): median and p95 of the
//    batches' per-recomputation CPU.
// 2. Messages per session-hour: a simulated site hour (after one hour of warm-up), event by
//    event, mirroring the site object: sessions start and stop at random, each car's meter value
//    comes every minute and sets its draw cap (demand.ts, the object's hysteresis), cars draw less
//    as they fill, and the site recomputes on every event, every answer and a 30 s beat. Each send
//    planSends asks for is one SetChargingProfile; the charger answers Accepted after a round trip
//    and applies it then. The chargers' own fallback profiles (one per charger connection) are not
//    counted. The load the chargers hold is checked against the limit at every step.

import { fileURLToPath } from 'node:url';
import { allocate } from '../../src/sites/allocation.ts';
import { addLoad, buildConstraints } from '../../src/sites/constraints.ts';
import { drawCap } from '../../src/sites/demand.ts';
import { planSends } from '../../src/sites/plan.ts';
import { siteInputs } from '../../src/sites/site-inputs.ts';

export const SECTION_HEADING = '## Site allocation (issue 17)';
const ROTATIONS = ['RST', 'STR', 'TRS'];
const MINUTE = 60_000;
const T0 = Date.parse('2026-12-01T08:00:00Z');

/** A seeded PRNG (mulberry32): the same run each time. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A site of `chargers` 32 A chargers under 3 feeders of 2 boards each, limited to `ampsPerCharger` a charger. */
export function siteConfig(chargers, ampsPerCharger) {
  const siteAmps = chargers * ampsPerCharger;
  const circuits = [];
  for (let f = 0; f < 3; f++) {
    circuits.push({ circuitId: `F${f}`, parentId: null, name: `feeder ${f}`, limit: { amps: Math.round(siteAmps * 0.4), kw: null } });
    for (let b = 0; b < 2; b++) circuits.push({ circuitId: `F${f}B${b}`, parentId: `F${f}`, name: `board ${f}.${b}`, limit: { amps: Math.round(siteAmps * 0.22), kw: null } });
  }
  const boards = circuits.filter((c) => c.parentId !== null);
  return {
    siteId: 'bench', name: 'bench', voltage: 230, limit: { amps: siteAmps, kw: Math.round(siteAmps * 3 * 0.23 * 0.95) }, dailySchedule: [], timeZone: 'UTC',
    externalLimit: null, minAmps: 6, groupPriorities: { fleet: 1 }, circuits, updatedAt: '',
    chargers: Array.from({ length: chargers }, (_, i) => ({
      chargerId: `CP${i}`, evseId: null, circuitId: boards[i % boards.length].circuitId, phaseRotation: ROTATIONS[i % 3], maxAmps: 32, phases: 3, fallbackAmps: 0, priority: 0,
    })),
  };
}

/** Every charger connected and holding the site's fallback (0 A): vouched for, as in steady operation. */
function chargerStates(config) {
  return new Map(config.chargers.map((c) => [c.chargerId, { chargerId: c.chargerId, protocol: 'ocpp1.6', connected: true, fallbackAccepted: c.fallbackAmps, fallbackPending: null, refusedUntil: 0, refusedWhy: null }]));
}

function newSession(chargerId, transactionId, group, now) {
  return {
    key: `${chargerId}/1`, chargerId, evseId: 1, transactionId, group, startedAt: now, measuredAmps: null, measuredAt: null, phasesInUse: null, drawCap: null,
    acceptedAmps: null, pendingAmps: null, shareAmps: 0, reason: 'waiting', limitedBy: null, charging: false, since: now,
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The site object's allocateAndSend, less storage and RPC: the sends it would make, pending set as
 * it sets them. `stages`, when given, adds each stage's CPU ms (inputs, allocate, plan) to it.
 */
let sendSeq = 0;

export function recompute(config, chargers, sessions, now, stages) {
  const t0 = stages ? cpuMs() : 0;
  const inputs = siteInputs(config, chargers, sessions, now);
  const t1 = stages ? cpuMs() : 0;
  const targets = allocate(inputs.capacity, inputs.demands, inputs.fixed, now);
  const t2 = stages ? cpuMs() : 0;
  for (const s of sessions) {
    const share = targets.get(s.key);
    if (!share) continue;
    const charging = share.amps > 0;
    if (charging !== s.charging) Object.assign(s, { charging, since: now });
    Object.assign(s, { shareAmps: share.amps, reason: share.reason, limitedBy: share.limitedBy });
  }
  const sends = planSends(inputs.capacity, inputs.demands, inputs.fixed, inputs.committed, targets);
  const byKey = new Map(sessions.map((s) => [s.key, s]));
  for (const send of sends) {
    const session = byKey.get(send.key);
    // As the site object does: every send awaiting its answer counts, the session at the highest of them.
    send.replacedPending = session.pendingAmps;
    send.seq = ++sendSeq;
    session.inFlight = [...(session.inFlight ?? []), { seq: send.seq, amps: send.amps }];
    session.pendingAmps = Math.max(...session.inFlight.map((f) => f.amps));
  }
  if (stages) {
    const t3 = cpuMs();
    stages.inputs += t1 - t0;
    stages.allocate += t2 - t1;
    stages.plan += t3 - t2;
  }
  return sends;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** CPU ms per recomputation for `sessions` sessions: median and p95 over batches. */
export function recomputationCpu(sessions, { batches = 30, batchMs = 25 } = {}) {
  const rand = random(sessions);
  const config = siteConfig(sessions, 9);
  const chargers = chargerStates(config);
  const state = config.chargers.map((c, i) => {
    const s = newSession(c.chargerId, `T${i}`, rand() < 0.1 ? 'fleet' : null, T0 - 60 * MINUTE);
    s.phasesInUse = rand() < 0.25 ? 1 : 3;
    s.drawCap = rand() < 0.3 ? Math.round(80 + rand() * 120) / 10 : null;
    s.charging = rand() < 0.9;
    s.since = T0 - Math.floor(rand() * 40) * MINUTE;
    s.acceptedAmps = s.charging ? 6 + Math.floor(rand() * 10) : 0;
    return s;
  });
  const byKey = new Map(state.map((s) => [s.key, s]));
  // Each recomputation follows an event: one car's reading, as in operation.
  let at = T0;
  let k = 0;
  const once = (stages) => {
    const s = state[k++ % state.length];
    s.measuredAmps = 4 + rand() * 20;
    s.drawCap = drawCap(s.acceptedAmps ?? 0, s.measuredAmps, s.drawCap);
    at += 1000;
    const sends = recompute(config, chargers, state, at, stages);
    // Every send answered at once: the next recomputation starts from a settled site.
    for (const send of sends) Object.assign(byKey.get(send.key), { acceptedAmps: send.amps, pendingAmps: null });
    return sends.length;
  };
  // Warm-up (JIT), then the batch size that takes about batchMs.
  const warmStart = cpuMs();
  let warm = 0;
  while (cpuMs() - warmStart < 300 || warm < 5) {
    once();
    warm++;
  }
  const perRun = (cpuMs() - warmStart) / warm;
  const size = Math.max(1, Math.round(batchMs / perRun));
  const perRecompute = [];
  const stages = { inputs: 0, allocate: 0, plan: 0 };
  for (let b = 0; b < batches; b++) {
    const batch = { inputs: 0, allocate: 0, plan: 0 };
    for (let i = 0; i < size; i++) once(batch);
    perRecompute.push((batch.inputs + batch.allocate + batch.plan) / size);
    for (const key of Object.keys(stages)) stages[key] += batch[key];
  }
  perRecompute.sort((a, b) => a - b);
  const runs = batches * size;
  return {
    sessions, circuits: config.circuits.length, batches, batchSize: size, medianMs: quantile(perRecompute, 0.5), p95Ms: quantile(perRecompute, 0.95),
    inputsMs: stages.inputs / runs, allocateMs: stages.allocate / runs, planMs: stages.plan / runs,
  };
}

/** A simple event queue: [at, seq, fn], earliest first. */
class Queue {
  items = [];
  seq = 0;
  push(at, fn) {
    this.items.push([at, this.seq++, fn]);
    for (let i = this.items.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (this.compare(this.items[up], this.items[i]) <= 0) break;
      [this.items[up], this.items[i]] = [this.items[i], this.items[up]];
      i = up;
    }
  }
  pop() {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0) {
      this.items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && this.compare(this.items[l], this.items[m]) < 0) m = l;
        if (r < this.items.length && this.compare(this.items[r], this.items[m]) < 0) m = r;
        if (m === i) break;
        [this.items[m], this.items[i]] = [this.items[i], this.items[m]];
        i = m;
      }
    }
    return top;
  }
  compare(a, b) {
    return a[0] - b[0] || a[1] - b[1];
  }
}

/**
 * One simulated site: `chargers` chargers at 5 A of site limit each (100 A for 20), an hour of
 * warm-up and `hours` measured. Cars: a quarter single-phase, a rating of 32, 16 or 11 A, an
 * energy need; they draw what they are offered up to their rating (±0.3 A of noise), less as
 * they fill (the last fifth of their need), 0.3 A once full until they leave.
 */
export function simulatedHour(chargers, { hours = 1, meterSeconds = 60, beatSeconds = 30, seed = 1 } = {}) {
  const rand = random(seed + chargers);
  const config = siteConfig(chargers, 5);
  const states = chargerStates(config);
  const sessions = [];
  const cars = new Map();
  const queue = new Queue();
  const answeredAt = new Map();
  const measureFrom = T0 + 60 * MINUTE;
  const end = measureFrom + hours * 60 * MINUTE;
  const counts = { sends: 0, decreases: 0, increases: 0, first: 0, recomputations: 0, sessionMs: 0, started: 0, ended: 0, peakHeldRatio: 0, overLimitSteps: 0, sentInFlight: 0, cpuMs: 0 };
  let now = T0;
  let lastAt = T0;
  let tx = 0;
  const exp = (mean) => -Math.log(1 - rand()) * mean;

  const run = () => {
    const u = process.cpuUsage();
    const sends = recompute(config, states, sessions, now);
    const d = process.cpuUsage(u);
    const measured = now >= measureFrom;
    if (measured) {
      counts.recomputations++;
      counts.cpuMs += (d.user + d.system) / 1000;
    }
    for (const send of sends) {
      const s = sessions.find((x) => x.key === send.key);
      if (measured) {
        counts.sends++;
        if (send.replacedPending !== null) counts.sentInFlight++;
        const before = s.acceptedAmps;
        if (before === null) counts.first++;
        else if (send.amps < before) counts.decreases++;
        else counts.increases++;
      }
      const transactionId = s.transactionId;
      // The charger's answer after a round trip (0.3–1.5 s): Accepted, applied from then. Its
      // object has one CALL outstanding at a time: a charger's answers come in the order sent.
      const answerAt = Math.max(now + 300 + rand() * 1200, (answeredAt.get(s.chargerId) ?? 0) + 300);
      answeredAt.set(s.chargerId, answerAt);
      queue.push(answerAt, () => {
        const current = sessions.find((x) => x.key === s.key && x.transactionId === transactionId);
        if (!current) return;
        // Answered: this send leaves the in-flight list; a later one still out keeps counting.
        const inFlight = (current.inFlight ?? []).filter((f) => f.seq !== send.seq);
        Object.assign(current, { acceptedAmps: send.amps, inFlight, pendingAmps: inFlight.length ? Math.max(...inFlight.map((f) => f.amps)) : null });
        run();
      });
    }
  };
  /** What the cars draw now: at most what their charger holds; the worst phase's sum checked against the limit. */
  const draw = (s) => {
    const car = cars.get(s.key);
    const held = s.acceptedAmps ?? 0;
    const full = car.deliveredAh >= car.needAh;
    const taper = car.deliveredAh > 0.8 * car.needAh ? Math.max(0.2, (car.needAh - car.deliveredAh) / (0.2 * car.needAh)) : 1;
    return full ? Math.min(held, 0.3) : Math.max(0, Math.min(held, car.ratingAmps * taper + (rand() - 0.5) * 0.6));
  };
  // The held load checked on every constraint of the site (its circuits and chargers too), each car on the phases it really uses.
  const constraints = buildConstraints(siteInputs(config, states, [], T0).capacity);
  const advance = (to) => {
    const dtH = (to - lastAt) / 3_600_000;
    const load = new Float64Array(constraints.limits.length);
    for (const s of sessions) {
      const car = cars.get(s.key);
      const amps = draw(s);
      car.deliveredAh += amps * dtH;
      const phases = car.phases === 1 ? [ROTATIONS.indexOf(config.chargers[Number(s.chargerId.slice(2))].phaseRotation) + 1] : [1, 2, 3];
      addLoad(load, constraints.terms(`charger:${s.chargerId}`, phases), s.acceptedAmps ?? 0);
      if (to > measureFrom) counts.sessionMs += Math.min(to - lastAt, to - measureFrom);
    }
    for (let c = 0; c < load.length; c++) {
      counts.peakHeldRatio = Math.max(counts.peakHeldRatio, load[c] / constraints.limits[c]);
      if (load[c] > constraints.limits[c] + 1e-6) counts.overLimitSteps++;
    }
    lastAt = to;
  };
  const arrive = (charger) => {
    const key = `${charger.chargerId}/1`;
    const s = newSession(charger.chargerId, `T${tx++}`, rand() < 0.1 ? 'fleet' : null, now);
    const phases = rand() < 0.25 ? 1 : 3;
    cars.set(key, { phases, ratingAmps: [32, 16, 11][Math.floor(rand() * 3)], needAh: 20 + rand() * 100, deliveredAh: 0 });
    sessions.push(s);
    if (now >= measureFrom) counts.started++;
    run();
    const stayMs = (30 + exp(90)) * MINUTE;
    const offset = rand() * meterSeconds * 1000;
    const meter = () => {
      const current = sessions.find((x) => x.key === key && x.transactionId === s.transactionId);
      if (!current) return;
      // The site object's 'meter' signal: the reading, the phases in use, the draw cap.
      current.measuredAmps = draw(current);
      current.measuredAt = now;
      current.phasesInUse = cars.get(key).phases;
      const offered = current.acceptedAmps ?? states.get(current.chargerId).fallbackAccepted;
      current.drawCap = offered === null ? null : drawCap(offered, current.measuredAmps, current.drawCap);
      run();
      queue.push(now + meterSeconds * 1000, meter);
    };
    queue.push(now + offset, meter);
    queue.push(now + stayMs, () => {
      sessions.splice(sessions.indexOf(s), 1);
      cars.delete(key);
      if (now >= measureFrom) counts.ended++;
      run();
      queue.push(now + exp(20) * MINUTE, () => arrive(charger));
    });
  };
  for (const charger of config.chargers) queue.push(T0 + (rand() < 0.7 ? rand() * 5 : 5 + exp(20)) * MINUTE, () => arrive(charger));
  for (let at = T0; at <= end; at += beatSeconds * 1000) queue.push(at, run);
  while (queue.items.length > 0) {
    const [at, , fn] = queue.pop();
    if (at > end) break;
    advance(at);
    now = at;
    fn();
  }
  const sessionHours = counts.sessionMs / 3_600_000;
  return { chargers, limitAmps: config.limit.amps, hours, meterSeconds, beatSeconds, ...counts, sessionHours, sendsPerSessionHour: counts.sends / sessionHours };
}

/** The CPU figures for `sizes`, and simulated hours: `seeds` runs of each size in `simulate` (one hour's count varies with its arrivals). */
export function allocationCost({ sizes = [20, 200, 2000], simulate = [20, 200], seeds = [1, 2, 3, 4, 5], seedsLarge = [1] } = {}) {
  const cpu = sizes.map((n) => {
    process.stderr.write(`site allocation: CPU per recomputation, ${n} sessions…\n`);
    return recomputationCpu(n);
  });
  const sims = simulate.flatMap((n) =>
    (n > 50 ? seedsLarge : seeds).map((seed) => {
      process.stderr.write(`site allocation: a simulated hour, ${n} chargers, seed ${seed}…\n`);
      return { seed, ...simulatedHour(n, { seed }) };
    }),
  );
  return { cpu, sims, node: process.version };
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

export function renderAllocation(result, command) {
  const lines = [
    SECTION_HEADING,
    '',
    `Measured with \`${command}\` (Node ${result.node}, on src/sites directly: no server). **CPU per recomputation**: what the site object does on each event ` +
      '(siteInputs, allocate, planSends) for one site of N 32 A chargers each with a running session (a quarter of the cars single-phase, ' +
      'a third drawing less than offered, a tenth of a priority group, a tenth waiting), under a limit of 9 A per charger per phase and a kW limit, ' +
      'three feeders of two boards each (each charger a circuit of its own too, as siteInputs makes it); CPU from process.cpuUsage over batches of recomputations, each after one car\'s reading.',
    '',
    '| Sessions | Circuits (+ one per charger) | Batches × recomputations | CPU ms per recomputation, median | p95 | of which siteInputs / allocate / planSends (mean) |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of result.cpu) {
    lines.push(`| ${c.sessions} | ${c.circuits} + ${c.sessions} | ${c.batches} × ${c.batchSize} | ${fmt(c.medianMs, 3)} | ${fmt(c.p95Ms, 3)} | ${fmt(c.inputsMs, 3)} / ${fmt(c.allocateMs, 3)} / ${fmt(c.planMs, 3)} |`);
  }
  lines.push(
    '',
    '**Messages per session-hour**: a simulated hour after an hour of warm-up, the site object mirrored event by event: sessions start and stop at random ' +
      '(stays of 30 min + an exponential of mean 90, idle gaps of mean 20 min), each car sends a meter value every ' +
      `${result.sims[0]?.meterSeconds ?? 60} s and fills up (drawing less in the last fifth of its need, 0.3 A once full), its draw cap set by demand.ts; ` +
      `a recomputation on each event, each answer and every ${result.sims[0]?.beatSeconds ?? 30} s; each send one SetChargingProfile (a CALL and its CALLRESULT), ` +
      'answered Accepted after 0.3–1.5 s. Chargers\' fallback profiles (one per connection) not counted. Peak held: the highest phase\'s sum of the limits the chargers held, over the site limit.',
    '',
    '| Chargers | Seed | Site limit | Session-hours | Sessions started | Recomputations | SetChargingProfile sent | first / decreases / increases | **per session-hour** | CPU ms per recomputation (mean) | Peak held / limit | Steps over a limit | Sent with one in flight |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const row = (s, seed) =>
    `| ${s.chargers} | ${seed} | ${s.limitAmps} A | ${fmt(s.sessionHours, 1)} | ${s.started} | ${s.recomputations} | ${s.sends} | ${s.first} / ${s.decreases} / ${s.increases} | ` +
    `**${fmt(s.sendsPerSessionHour, 1)}** | ${fmt(s.cpuMs / s.recomputations, 3)} | ${fmt(s.peakHeldRatio, 3)} | ${s.overLimitSteps} | ${s.sentInFlight} |`;
  for (const s of result.sims) lines.push(row(s, s.seed));
  for (const chargers of new Set(result.sims.map((s) => s.chargers))) {
    const runs = result.sims.filter((s) => s.chargers === chargers);
    if (runs.length < 2) continue;
    const sends = runs.reduce((sum, s) => sum + s.sends, 0);
    const hours = runs.reduce((sum, s) => sum + s.sessionHours, 0);
    lines.push(`| ${chargers} | all ${runs.length} | | ${fmt(hours, 1)} | | | ${sends} | | **${fmt(sends / hours, 1)}** | | | | |`);
  }
  lines.push(
    '',
    '"Sent with one in flight": sends made while an earlier one to the same session awaited its answer; the site object counts the session at the ' +
      'highest send still unanswered until each is answered (site-inputs.ts `inFlight`), so such a send never lets the site under-count it. "Steps over a limit": event steps at which the limits the ' +
      'chargers held summed over any limit of the site, its circuits or its chargers (each car on the phases it really uses).',
  );
  return `${lines.join('\n')}\n`;
}

// Alone: `node bench/lib/allocation.mjs` (Node 24: `npx node` or node_modules/.bin/node) prints the section.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(renderAllocation(allocationCost(), 'node bench/lib/allocation.mjs'));
}
