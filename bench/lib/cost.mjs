// The cost model: Cloudflare's published marginal prices applied to the counts the CSMS measures
// (GET /api/v1/isolate-stats) in the charger-month profile (month.mjs) and the idle phase (idle.mjs).
//
// Prices (USD, Workers Paid, beyond the included amounts):
//   https://developers.cloudflare.com/durable-objects/platform/pricing/ — requests $0.15/M (HTTP
//   requests, each RPC method call, alarm invocations; incoming WebSocket messages billed 20:1);
//   SQLite storage: rows read $0.001/M, rows written $1.00/M (setAlarm and deletes count as rows
//   written; the key-value API stores its pairs as rows of __cf_kv), stored data $0.20/GB-month.
//   https://developers.cloudflare.com/d1/platform/pricing/ — rows read $0.001/M, rows written
//   $1.00/M (each index entry written is a row), storage $0.75/GB-month.

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
    doSqlRowsWritten: d('doSqlRowsWritten'),
    doKvRowsWritten: d('doKvRowsWritten'),
    doAlarmRows: d('doAlarmsSet') + d('doAlarmsDeleted'),
    doRowsRead: d('doSqlRowsRead') + d('doKvRowsRead'),
    d1RowsWritten: d('d1RowsWritten'),
    d1RowsRead: d('d1RowsRead'),
    d1Statements: d('d1Statements'),
    d1Bytes: d('d1DatabaseBytes'),
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

/** An idle (connected, no sessions) charger's time-driven billed quantities per hour, from the idle phase's window. */
export function idleQuantitiesPerHour(idle, perHeartbeat) {
  if (!idle?.windowDelta || idle.chargers === 0) return undefined;
  let window = billed(idle.windowDelta);
  // Heartbeats sent in a long window are priced as messages (the profile); only what time causes stays.
  if (idle.heartbeatsSent > 0 && perHeartbeat) window = add(window, perHeartbeat, -idle.heartbeatsSent);
  const hours = (idle.chargers * idle.idleSeconds) / 3600;
  return Object.fromEntries(Object.entries(window).map(([k, v]) => [k, Math.max(0, v) / hours]));
}

/** Line items (USD) for billed quantities; `doBytes` is a charger's Durable Object storage. */
export function lineItems(q, doBytes = 0) {
  return [
    ['DO requests: WebSocket messages (20:1)', (q.webSocketMessages / PRICES.webSocketMessagesPerRequest) * PRICES.doRequest],
    ['DO requests: alarms', q.alarms * PRICES.doRequest],
    ['DO requests: RPC and fetch calls', q.rpcCalls * PRICES.doRequest],
    ['DO rows written: SQL', q.doSqlRowsWritten * PRICES.doRowWritten],
    ['DO rows written: key-value API', q.doKvRowsWritten * PRICES.doRowWritten],
    ['DO rows written: setAlarm/deleteAlarm', q.doAlarmRows * PRICES.doRowWritten],
    ['DO rows read', q.doRowsRead * PRICES.doRowRead],
    ['D1 rows written', q.d1RowsWritten * PRICES.d1RowWritten],
    ['D1 rows read', q.d1RowsRead * PRICES.d1RowRead],
    ['D1 storage of the month’s data (per month kept)', (Math.max(0, q.d1Bytes) / GB) * PRICES.d1StorageGbMonth],
    ['DO storage (the object’s size, a month)', (doBytes / GB) * PRICES.doStorageGbMonth],
  ];
}
