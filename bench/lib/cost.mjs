// The cost model: Cloudflare's published marginal prices applied to the counts the CSMS measures
// (GET /api/v1/isolate-stats) in the charger-month profile (month.mjs) and the idle phase (idle.mjs).
//
// Prices (USD, Workers Paid, beyond the included amounts):
//   https://developers.cloudflare.com/durable-objects/platform/pricing/ — requests $0.15/M (HTTP
//   requests, each RPC method call, alarm invocations; incoming WebSocket messages billed 20:1; the
//   live console feed's publishes, one RPC call to the ConsoleHub per charger per second at most
//   in which its status or a transaction changed, are such calls);
//   SQLite storage: rows read $0.001/M, rows written $1.00/M (setAlarm and deletes count as rows
//   written; the key-value API stores its pairs as rows of __cf_kv), stored data $0.20/GB-month.
//   https://developers.cloudflare.com/d1/platform/pricing/ — rows read $0.001/M, rows written
//   $1.00/M (each index entry written is a row, and each row or index entry deleted), storage
//   $0.75/GB-month.
//   https://developers.cloudflare.com/r2/pricing/ — Standard storage: Class A operations (PutObject,
//   ListObjects, …) $4.50/M, Class B (GetObject, HeadObject, …) $0.36/M, DeleteObject free,
//   storage $0.015/GB-month.
//
// The meter archive (src/archive/meter-archiver.ts) moves each completed transaction's readings
// from D1 to R2 once, METER_RETENTION_DAYS after its stop: its D1 deletes, its R2 operations and
// the archived bytes are part of every charger-month (the profile's archive sub-phase, month.mjs).

import { MONTH } from './month.mjs';

export const PRICES = {
  doRequest: 0.15 / 1e6,
  webSocketMessagesPerRequest: 20,
  doRowWritten: 1.0 / 1e6,
  doRowRead: 0.001 / 1e6,
  doStorageGbMonth: 0.2,
  d1RowWritten: 1.0 / 1e6,
  d1RowRead: 0.001 / 1e6,
  d1StorageGbMonth: 0.75,
  r2ClassA: 4.5 / 1e6,
  r2ClassB: 0.36 / 1e6,
  r2StorageGbMonth: 0.015,
};
const GB = 1e9;
export const HOURS_PER_MONTH = MONTH.days * 24;

/** The billed quantities in a counters' delta (isolate-stats field names), per unit of `per`. */
export function billed(delta, per = 1) {
  const d = (key) => (delta[key] ?? 0) / per;
  return {
    webSocketMessages: d('chargerWebSocketMessages'),
    alarms: d('chargerAlarms') + d('fleetWriterAlarms'),
    rpcCalls: d('chargerRpcCalls') + d('fleetWriterRpcCalls'),
    /** The live feed: charger objects' publishes to the ConsoleHub (src/charger/live-feed.ts), open console or not. */
    hubRequests: d('consoleHubRequests'),
    doSqlRowsWritten: d('doSqlRowsWritten'),
    doKvRowsWritten: d('doKvRowsWritten'),
    doAlarmRows: d('doAlarmsSet') + d('doAlarmsDeleted'),
    doRowsRead: d('doSqlRowsRead') + d('doKvRowsRead'),
    d1RowsWritten: d('d1RowsWritten'),
    d1RowsRead: d('d1RowsRead'),
    d1Statements: d('d1Statements'),
    d1Bytes: d('d1DatabaseBytes'),
    /** Pages D1 keeps in use (bench-side, from its file: month.mjs `measured`); negative when a delete freed some. */
    d1UsedBytes: d('d1UsedBytes'),
    r2ClassA: d('r2Puts') + d('r2Lists'),
    r2ClassB: d('r2Gets') + d('r2Heads'),
    r2BytesPut: d('r2BytesPut'),
    constructions: d('chargerObjectsConstructed') + d('fleetWriterObjectsConstructed'),
  };
}

const add = (a, b, factor = 1) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + (b[k] ?? 0) * factor]));
const zero = () => billed({});

/**
 * One active charger-month's billed quantities from a profile run (month.mjs): each sub-phase's
 * delta per charger, scaled from what a charger sent in it to what it sends in a month.
 */
export function monthQuantities(profile) {
  let total = zero();
  for (const phase of profile.phases) {
    const perCharger = billed(phase.delta, profile.chargers);
    const unitsPerCharger = phase.perSession ? 1 : phase.messages / profile.chargers;
    total = add(total, perCharger, phase.perMonth / unitsPerCharger);
  }
  return total;
}

/** Transactions a charger completes in a month: each one's readings move to R2 once. */
export const TRANSACTIONS_PER_MONTH = MONTH.days * MONTH.sessionsPerDay;
/** SQLite's page (D1's): its sizes and pages in use move by whole pages. */
const D1_PAGE_BYTES = 4096;
/** Meter values (MeterValues or TransactionEvent Updated) a charger sends in a month. */
export const METER_VALUES_PER_MONTH = MONTH.days * MONTH.meterValuesPerDay;
/** The archive's quantities that come per object moved (per transaction), not per reading. */
const PER_TRANSACTION = ['r2ClassA', 'r2ClassB', 'd1Statements', 'webSocketMessages', 'alarms', 'rpcCalls', 'hubRequests', 'doSqlRowsWritten', 'doKvRowsWritten', 'doAlarmRows', 'doRowsRead', 'constructions'];

/**
 * The meter archive's billed quantities per active charger-month, from the profile's archive
 * sub-phase. Its operations come per transaction moved (an object put and read back, a few
 * statements): scaled to the month's 60 transactions. Its rows and bytes come per reading
 * (each meter row deleted, each reading in the object): scaled by meter values, the month's 7,200
 * over those the moved transactions held in the profile, because a month's transaction holds
 * 120 of them and the profile's as many as --month-meters (the 2.0.1 and 2.1 Started and Ended events'
 * own readings are scaled with them: slightly over). The profile's readings are all in
 * transactions (no charger-day outside one is moved). `null` when the CSMS has no archive to
 * measure (a baseline from before it); R2 quantities are NaN when its CSMS does not count them.
 */
export function archiveQuantities(profile) {
  const archive = profile.archive;
  if (!archive || archive.unavailable || !(archive.transactions > 0)) return null;
  const perTransaction = billed(archive.delta, archive.transactions / TRANSACTIONS_PER_MONTH);
  const meters = profile.phases.find((phase) => phase.kind.startsWith('MeterValues'));
  const metersMoved = meters ? (meters.messages * archive.transactions) / Math.max(archive.transactions, profile.transactions ?? 0) : 0;
  // Without meter values in the profile there is nothing per reading to scale: per transaction then.
  const perReading = metersMoved > 0 ? billed(archive.delta, metersMoved / METER_VALUES_PER_MONTH) : perTransaction;
  const q = { ...perReading, ...Object.fromEntries(PER_TRANSACTION.map((k) => [k, perTransaction[k]])) };
  // D1's sizes move in whole pages: one page of the profile, scaled as its bytes are, is as fine as the kept figure gets.
  q.d1PageResolutionBytes = (D1_PAGE_BYTES * perReading.d1UsedBytes) / (archive.delta.d1UsedBytes || NaN);
  if (!archive.r2Counted) Object.assign(q, { r2ClassA: NaN, r2ClassB: NaN, r2BytesPut: NaN });
  return q;
}

/** An idle (connected, no sessions) charger's time-driven billed quantities per hour, from the idle phase's window. */
export function idleQuantitiesPerHour(idle, perHeartbeat) {
  if (!idle?.windowDelta || idle.chargers === 0) return undefined;
  let window = billed(idle.windowDelta);
  // Heartbeats sent in a long window are priced as messages (the profile); only what time causes stays.
  if (idle.heartbeatsSent > 0 && perHeartbeat) window = add(window, perHeartbeat, -idle.heartbeatsSent);
  const hours = (idle.chargers * idle.idleSeconds) / 3600;
  return Object.fromEntries(Object.entries(window).map(([k, v]) => [k, Math.max(0, v) / hours]));
}

/** The archive's quantities priced on the main lines (none of them is caused by the archive today). */
const ARCHIVE_TO_MAIN = ['webSocketMessages', 'alarms', 'rpcCalls', 'hubRequests', 'doSqlRowsWritten', 'doKvRowsWritten', 'doAlarmRows', 'doRowsRead'];

/**
 * Line items (USD) for billed quantities; `doBytes` is a charger's Durable Object storage;
 * `archive` the meter archive's quantities (archiveQuantities), undefined for none (the
 * time-driven part moves nothing), null when not measured: those items are then null ("n/a").
 * Anything else the archive causes (DO requests or rows: none today) goes to the lines above.
 */
export function lineItems(q, doBytes = 0, archive = undefined) {
  const a = archive === undefined ? zero() : archive;
  const main = archive ? add(q, Object.fromEntries(ARCHIVE_TO_MAIN.map((k) => [k, archive[k]]))) : q;
  const archived = (usd) => (a === null ? null : usd(a));
  return [
    ...mainItems(main, doBytes),
    ['archive: D1 rows written (deletes)', archived((x) => x.d1RowsWritten * PRICES.d1RowWritten)],
    ['archive: D1 rows read', archived((x) => x.d1RowsRead * PRICES.d1RowRead)],
    ['archive: R2 operations (Class A put/list, Class B get/head)', archived((x) => x.r2ClassA * PRICES.r2ClassA + x.r2ClassB * PRICES.r2ClassB)],
    ['R2 storage of the archived readings (per month kept)', archived((x) => (Math.max(0, x.r2BytesPut) / GB) * PRICES.r2StorageGbMonth)],
  ];
}

/** What a line item list adds up to: items not measured (null, NaN) count as nothing. */
export function itemsTotal(items) {
  return items.reduce((sum, [, usd]) => (Number.isFinite(usd) ? sum + usd : sum), 0);
}

function mainItems(q, doBytes) {
  return [
    ['DO requests: WebSocket messages (20:1)', (q.webSocketMessages / PRICES.webSocketMessagesPerRequest) * PRICES.doRequest],
    ['DO requests: alarms', q.alarms * PRICES.doRequest],
    ['DO requests: RPC and fetch calls', q.rpcCalls * PRICES.doRequest],
    ['DO requests: live feed (ConsoleHub publishes)', q.hubRequests * PRICES.doRequest],
    ['DO rows written: SQL', q.doSqlRowsWritten * PRICES.doRowWritten],
    ['DO rows written: key-value API', q.doKvRowsWritten * PRICES.doRowWritten],
    ['DO rows written: setAlarm/deleteAlarm', q.doAlarmRows * PRICES.doRowWritten],
    ['DO rows read', q.doRowsRead * PRICES.doRowRead],
    ['D1 rows written', q.d1RowsWritten * PRICES.d1RowWritten],
    ['D1 rows read', q.d1RowsRead * PRICES.d1RowRead],
    ['D1 storage of the month’s data (a month, as written: before the archive)', (Math.max(0, q.d1Bytes) / GB) * PRICES.d1StorageGbMonth],
    ['DO storage (the object’s size, a month)', (doBytes / GB) * PRICES.doStorageGbMonth],
  ];
}

/**
 * What the month's data keeps once archived, and what each further month of keeping it costs:
 * D1's pages in use after the archive (the profile's growth in pages in use, less what the
 * archive freed) and the archived bytes in R2. Undefined without the archive or without the
 * bench's page counts.
 */
export function keptStorage(q, archive) {
  if (!archive || !Number.isFinite(q.d1UsedBytes) || !Number.isFinite(archive.d1UsedBytes)) return undefined;
  const d1Bytes = Math.max(0, q.d1UsedBytes + archive.d1UsedBytes);
  const r2Bytes = archive.r2BytesPut;
  const r2Usd = Number.isFinite(r2Bytes) ? (r2Bytes / GB) * PRICES.r2StorageGbMonth : NaN;
  return { d1WrittenBytes: q.d1UsedBytes, d1FreedBytes: -archive.d1UsedBytes, d1Bytes, d1ResolutionBytes: archive.d1PageResolutionBytes, r2Bytes, usdPerMonth: (d1Bytes / GB) * PRICES.d1StorageGbMonth + (Number.isFinite(r2Usd) ? r2Usd : 0) };
}
