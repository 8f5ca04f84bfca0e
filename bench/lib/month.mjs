// The charger-month profile and the cold start, measured with the CSMS's own counters
// (GET /api/v1/isolate-stats): what each kind of message costs in billed rows, requests and
// bytes, so that bench/lib/cost.mjs can price an active charger-month.
//
// Profile (issue 12): a Heartbeat every 300 s, MeterValues with 6 samples every 60 s for 4 h a
// day, 2 sessions a day, 30 days. Time is compressed: each kind of message runs in its own
// sub-phase (so the counters' deltas are attributable), and the deltas per message are scaled to
// the month's counts. Meter values are paced so that one flush of the charger's outbox carries as
// many of them as deployed (FLUSH_DELAY_SECONDS 300 s / 60 s = 5): a faster pace would make
// fewer flushes (alarms, RPCs, setAlarm rows) per message than a real charger causes.

import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_ID_TAG, bootNotification } from './mix.mjs';
import { bootChargers, eachLimited } from './load.mjs';
import { cpuSeconds } from './proc.mjs';

/**
 * The versions the profile measures, in this order (the archive sub-phase relies on it: it moves
 * the oldest stops first). OCPP 2.1 keeps 2.0.1's messages (BootNotification, Heartbeat,
 * StatusNotification, TransactionEvent with its meter values): a 2.1 charger sends the 2.0.1 steps,
 * under its own subprotocol, so its row set shows what the CSMS does differently for 2.1.
 */
export const MONTH_PROTOCOLS = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'];
/** Each version's charger ids: `MONTH-<prefix>-<n>` (the archive checks it moved only its own). */
const PREFIXES = { 'ocpp1.6': '16', 'ocpp2.0.1': '201', 'ocpp2.1': '21' };

/** The deployed defaults the profile is scaled against (wrangler.toml). */
export const DEPLOYED = { flushDelaySeconds: 300, heartbeatSeconds: 300, meterSeconds: 60 };
/** One active charger-month, by kind of message (per charger). Sessions: 2 a day. */
export const MONTH = { days: 30, heartbeatsPerDay: 288, meterValuesPerDay: 240, sessionsPerDay: 2 };
/** Counters that must stand still before a sub-phase's work counts as done. */
const SETTLED = ['d1Statements', 'doSqlRowsWritten', 'chargerAlarms', 'fleetWriterAlarms', 'fleetWriterRpcCalls', 'doAlarmsSet'];

const iso = () => new Date().toISOString();

function sampled16(wh) {
  return [
    { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
    { value: '16', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
    { value: '16', measurand: 'Current.Import', unit: 'A', phase: 'L2' },
    { value: '16', measurand: 'Current.Import', unit: 'A', phase: 'L3' },
    { value: '230', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
  ];
}

function sampled201(wh, context) {
  return [
    { value: wh, context, measurand: 'Energy.Active.Import.Register' },
    { value: 11000, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    { value: 16, context, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
    { value: 16, context, measurand: 'Current.Import', phase: 'L2', unitOfMeasure: { unit: 'A' } },
    { value: 16, context, measurand: 'Current.Import', phase: 'L3', unitOfMeasure: { unit: 'A' } },
    { value: 230, context, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
  ];
}

const status = (protocol, state201, state16) =>
  protocol === 'ocpp1.6'
    ? ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: state16 }]
    : ['StatusNotification', { timestamp: iso(), connectorStatus: state201, evseId: 1, connectorId: 1 }];

/** A 2.0.1 (or 2.1) TransactionEvent of the charger's current session (its own seqNo counter). */
function event201(charger, eventType, triggerReason, context, extra = {}) {
  const s = charger.month;
  return {
    eventType,
    timestamp: iso(),
    triggerReason,
    seqNo: s.seqNo++,
    transactionInfo: { transactionId: s.transactionId, ...extra },
    meterValue: [{ timestamp: iso(), sampledValue: sampled201(s.wh, context) }],
  };
}

/**
 * The sub-phases of one session day, as step makers per charger; a step is [action, payload] made
 * when sent. Anything but 1.6 takes the 2.0.1 steps, which 2.1 keeps as they are.
 */
const KINDS = {
  Heartbeat: { perMonth: MONTH.days * MONTH.heartbeatsPerDay, steps: (c, n) => Array.from({ length: n }, () => () => ['Heartbeat', {}]) },
  'session start': {
    perMonth: MONTH.days * MONTH.sessionsPerDay,
    perSession: true,
    steps: (c) =>
      c.protocol === 'ocpp1.6'
        ? [
            () => status(c.protocol, 'Occupied', 'Preparing'),
            () => ['StartTransaction', { connectorId: 1, idTag: BENCH_ID_TAG, meterStart: c.month.wh, timestamp: iso() }],
            () => status(c.protocol, 'Occupied', 'Charging'),
          ]
        : [
            () => status(c.protocol, 'Occupied', 'Preparing'),
            () => {
              c.month.session += 1;
              c.month.seqNo = 0;
              c.month.transactionId = `${c.id}-m${c.month.session}`;
              return [
                'TransactionEvent',
                { ...event201(c, 'Started', 'Authorized', 'Transaction.Begin', { chargingState: 'Charging' }), evse: { id: 1, connectorId: 1 }, idToken: { idToken: BENCH_ID_TAG, type: 'ISO14443' } },
              ];
            },
          ],
  },
  'MeterValues (6 samples)': {
    perMonth: MONTH.days * MONTH.meterValuesPerDay,
    paced: true,
    steps: (c, n) =>
      Array.from({ length: n }, () => () => {
        c.month.wh += 183;
        return c.protocol === 'ocpp1.6'
          ? ['MeterValues', { connectorId: 1, transactionId: c.month.transactionId, meterValue: [{ timestamp: iso(), sampledValue: sampled16(c.month.wh) }] }]
          : ['TransactionEvent', event201(c, 'Updated', 'MeterValuePeriodic', 'Sample.Periodic')];
      }),
  },
  'session end': {
    perMonth: MONTH.days * MONTH.sessionsPerDay,
    perSession: true,
    steps: (c) =>
      c.protocol === 'ocpp1.6'
        ? [
            () => ['StopTransaction', { transactionId: c.month.transactionId, meterStop: c.month.wh, timestamp: iso(), idTag: BENCH_ID_TAG, reason: 'EVDisconnected' }],
            () => status(c.protocol, 'Finishing', 'Finishing'),
            () => status(c.protocol, 'Available', 'Available'),
          ]
        : [
            () => ['TransactionEvent', event201(c, 'Ended', 'EVCommunicationLost', 'Transaction.End', { stoppedReason: 'EVDisconnected' })],
            () => status(c.protocol, 'Available', 'Available'),
          ],
  },
};

/** What changed between two isolate-stats readings, numeric fields only. */
export function statsDelta(after, before) {
  const out = {};
  for (const [key, value] of Object.entries(after)) if (typeof value === 'number') out[key] = value - (before[key] ?? 0);
  return out;
}

/**
 * Waits until the work the last messages caused has reached D1: at least the target's drain
 * time, then until the counters stand still for two readings a second apart.
 */
export async function settle(target) {
  // A charger's outbox waits up to FLUSH_DELAY_SECONDS, then the writer's FLEET_FLUSH_SECONDS.
  const { FLUSH_DELAY_SECONDS, FLEET_FLUSH_SECONDS } = target.vars;
  await sleep((Number(FLUSH_DELAY_SECONDS) + Number(FLEET_FLUSH_SECONDS) + 1) * 1000);
  let last = await target.isolateStats();
  for (let i = 0; i < 60; i++) {
    await sleep(1_000);
    const now = await target.isolateStats();
    if (SETTLED.every((k) => now[k] === last[k])) return now;
    last = now;
  }
  process.stderr.write('warning: the counters were still moving 60 s after a sub-phase\n');
  return last;
}

/** Sends each charger's steps in order (all chargers at once), `paceMs` apart per charger; counts the answers. */
async function drive(chargers, stepsOf, paceMs, errors) {
  let messages = 0;
  await Promise.all(
    chargers.map(async (charger) => {
      for (const make of stepsOf(charger)) {
        const started = performance.now();
        const [action, payload] = make();
        try {
          const answer = await charger.call(action, payload);
          messages += 1;
          if (action === 'StartTransaction') charger.month.transactionId = answer.transactionId;
        } catch (error) {
          errors.push(`${charger.id} ${action}: ${error.message ?? error}`);
        }
        const wait = paceMs - (performance.now() - started);
        if (wait > 0) await sleep(wait);
      }
    }),
  );
  return messages;
}

/**
 * One measured sub-phase: the counters' deltas and the server's CPU for `messages`, deferred work
 * included; with the bytes D1 keeps (pages in use, read from its file) as `delta.d1UsedBytes`.
 */
async function measured(target, run) {
  // A bare object (b′) counts nothing and defers nothing: CPU alone, read after a short wait.
  if (!target.isolateStats) {
    const cpuBefore = cpuSeconds(target.pids);
    const messages = await run();
    await sleep(2_000);
    return { messages, cpuSeconds: cpuSeconds(target.pids) - cpuBefore, delta: {} };
  }
  const before = await target.isolateStats();
  const usedBefore = target.d1UsedBytes?.();
  const cpuBefore = cpuSeconds(target.pids);
  const messages = await run();
  const after = await settle(target);
  const delta = statsDelta(after, before);
  if (usedBefore !== undefined) delta.d1UsedBytes = target.d1UsedBytes() - usedBefore;
  return { messages, cpuSeconds: cpuSeconds(target.pids) - cpuBefore, delta };
}

/**
 * The charger-month profile for one OCPP version on a running CSMS: `chargers` chargers boot,
 * then send `heartbeats` Heartbeats, then one session (start, `meters` meter values, end), each
 * kind in its own sub-phase. Returns each sub-phase's counts, per message; `{ unavailable }` when
 * the CSMS refuses the version's handshake (a baseline from before it spoke 2.1): nothing to
 * measure, not a failure. Any other failed boot ends the run, as it always did.
 */
export async function chargerMonthProfile(target, { protocol, chargers: count, heartbeats, meters, flushDelaySeconds }) {
  const errors = [];
  const prefix = `MONTH-${PREFIXES[protocol]}`;
  let chargers = [];
  let refused;
  const boot = await measured(target, async () => {
    chargers = await bootChargers({ url: target.ocppUrl, count, prefix, concurrency: 20, protocol, onError: (error) => (refused ??= error) });
    return chargers.length;
  });
  if (refused) {
    for (const c of chargers) c.close();
    // The CSMS answers a subprotocol it does not speak with 400 UnsupportedSubprotocol, before any object is reached.
    if (chargers.length === 0 && /Unexpected server response: 400\b/.test(refused.message)) {
      return { protocol, prefix, unavailable: `this CSMS does not speak ${protocol} (its WebSocket handshake answered HTTP 400)` };
    }
    throw refused;
  }
  for (const c of chargers) c.month = { wh: 1_000, session: 0, seqNo: 0, transactionId: undefined };
  // As deployed: a flush per FLUSH_DELAY_SECONDS carries this many meter values.
  const meterPaceMs = (flushDelaySeconds * 1000 * DEPLOYED.meterSeconds) / DEPLOYED.flushDelaySeconds;
  const phases = [];
  for (const [kind, spec] of Object.entries(KINDS)) {
    const n = kind === 'Heartbeat' ? heartbeats : meters;
    const result = await measured(target, () => drive(chargers, (c) => spec.steps(c, n), spec.paced ? meterPaceMs : 0, errors));
    phases.push({ kind, perMonth: spec.perMonth, perSession: Boolean(spec.perSession), paceMs: spec.paced ? meterPaceMs : 0, ...result });
  }
  for (const c of chargers) c.close();
  await sleep(2_000);
  // Each charger ran one session: the transactions the archive sub-phase moves (archiveSubPhase).
  const transactions = chargers.filter((c) => c.month.transactionId !== undefined).length;
  return { protocol, prefix, chargers: chargers.length, boot, phases, errors, meterPaceMs, transactions };
}

/**
 * The profile's CSMS keeps meter values in D1 this long after a transaction's stop (1 s, as
 * METER_RETENTION_DAYS in days), so that its completed transactions are due for the archive by the
 * time it runs. Nothing else reads the setting, and the archive runs only when asked (POST
 * /api/v1/archive/run; wrangler dev fires no Cron Trigger), so the other sub-phases are unchanged.
 */
export const ARCHIVE_RETENTION_SECONDS = 1;
export const ARCHIVE_VARS = { METER_RETENTION_DAYS: String(ARCHIVE_RETENTION_SECONDS / 86_400) };

/**
 * The archive sub-phase for one version's profile, run after every version's profile (so no
 * version's figures are taken on a D1 another's archive had already emptied): POST
 * /api/v1/archive/run until the profile's transactions have moved, measured as the other
 * sub-phases are, plus R2 operations and bytes (isolate-stats r2*, counted on the ARCHIVE binding).
 * The archive moves the oldest stops first, and each profile's sessions all stopped before the
 * next one's began (MONTH_PROTOCOLS' order, archived in the same order): each run asks for no more
 * than this version's transactions left, and any other charger's transaction moved is an error. Per transaction moved: `messages` is the
 * count moved. A CSMS without the archive (a baseline from before it) gives `{ unavailable }`.
 */
export async function archiveSubPhase(target, profile) {
  const errors = [];
  let unavailable;
  let left;
  let meterValues = 0;
  let days = 0;
  const result = await measured(target, async () => {
    let moved = 0;
    for (let run = 0; moved < profile.transactions && run < 100; run++) {
      let report;
      try {
        report = await target.api('POST', `/archive/run?limit=${Math.min(1_000, profile.transactions - moved)}`);
      } catch (error) {
        const message = String(error.message ?? error);
        // An older CSMS has no such route: nothing to measure, not a failure.
        if (/HTTP 404\b/.test(message)) unavailable = 'this CSMS has no POST /api/v1/archive/run';
        else errors.push(message);
        return moved;
      }
      if (!report.enabled) {
        unavailable = `the archive is off: ${report.reason}`;
        return moved;
      }
      for (const f of [...report.failed, ...report.failedDays]) errors.push(`archive ${f.chargerId} ${f.transactionId ?? f.day}: ${f.error}`);
      for (const m of report.moved) if (!m.chargerId.startsWith(`${profile.prefix}-`)) errors.push(`the archive moved another profile's transaction: ${m.chargerId} ${m.transactionId}`);
      moved += report.moved.length;
      meterValues += report.moved.reduce((sum, m) => sum + m.meterValues, 0);
      days += report.movedDays.length;
      left = report.left;
      if (report.moved.length === 0) break;
    }
    if (moved < profile.transactions) errors.push(`the archive moved ${moved} of the profile's ${profile.transactions} transactions`);
    return moved;
  });
  if (unavailable) return { unavailable, errors: [] };
  return {
    ...result,
    transactions: result.messages,
    meterValues,
    days,
    left,
    // A CSMS from before the R2 counters reports none: R2 is then not measured, D1 still is.
    r2Counted: result.delta.r2Puts !== undefined,
    errors,
  };
}

/**
 * Chargers connecting at the same moment in the cold start. All 1,000 at once would only measure
 * wrangler dev's queue: one workerd thread constructs the objects, and a handshake waiting
 * behind hundreds of first constructions times out (30 s) on a small machine.
 */
export const COLD_CONCURRENCY = 100;

/**
 * How long the reconnect part waits, every socket closed, for the runtime to evict the objects
 * (wrangler dev evicts an object about 10 s after its last event).
 */
export const EVICTION_WAIT_MS = 20_000;

/**
 * Cold start: `count` chargers never seen before connect, `COLD_CONCURRENCY` at a time, and each
 * sends BootNotification, StatusNotification and Heartbeat as it connects (every object
 * constructed for the first time);
 * then, steady, the same chargers, their objects woken by a Heartbeat first, send the same three
 * again. The steady part is measured from right after that Heartbeat, so its objects are in memory.
 * Last, reconnect: every socket closed and the objects evicted, the same chargers connect again
 * together and send the same three, as a fleet does after a deploy or a network outage (each
 * object constructed again, over its stored schema).
 */
export async function coldStart(target, count, profiled = (_label, run) => run()) {
  const errors = [];
  const three = (c) => [
    ['BootNotification', bootNotification(c.protocol)],
    status(c.protocol, 'Available', 'Available'),
    ['Heartbeat', {}],
  ];
  /**
   * The `count` COLD chargers connect, `COLD_CONCURRENCY` at a time, each sending its three as it
   * connects (its StatusNotification and Heartbeat right after its boot, as a charger does and as
   * the steady part sends them: sent only once every charger had booted, they found most objects
   * evicted, 10 s without a message, a second construction each). Measured as `label`.
   */
  const connectAll = (label) => {
    let booted = [];
    const part = profiled(label, () => measured(target, async () => {
      let messages = 0;
      booted = await bootChargers({
        url: target.ocppUrl,
        count,
        prefix: 'COLD',
        concurrency: COLD_CONCURRENCY,
        onError: (error) => errors.push(String(error.message ?? error)),
        afterBoot: async (c) => {
          for (const [action, payload] of three(c).slice(1)) {
            await c.call(action, payload).then(() => (messages += 1), (e) => errors.push(String(e.message ?? e)));
          }
        },
      });
      return messages + booted.length;
    }));
    return part.then((measuredPart) => ({ measuredPart, booted }));
  };
  const { measuredPart: cold, booted: chargers } = await connectAll('cold');
  // The wait for the cold part's deferred work let the objects hibernate: wake them, unmeasured.
  await eachLimited(chargers, COLD_CONCURRENCY, (c) => c.call('Heartbeat', {}).catch((e) => errors.push(String(e.message ?? e))));
  const steady = await profiled('steady', () => measured(target, async () => {
    let messages = 0;
    await eachLimited(chargers, COLD_CONCURRENCY, async (c) => {
      for (const [action, payload] of three(c)) {
        await c.call(action, payload).then(() => (messages += 1), (e) => errors.push(String(e.message ?? e)));
      }
    });
    return messages;
  }));
  for (const c of chargers) c.close();
  await sleep(EVICTION_WAIT_MS);
  const { measuredPart: reconnect, booted: again } = await connectAll('reconnect');
  for (const c of again) c.close();
  await sleep(2_000);
  return { requested: count, concurrency: COLD_CONCURRENCY, chargers: chargers.length, cold, steady, reconnect, errors };
}
