// When a charger counts as connected: the offline deadline, the hourly liveness check, and what D1's copy of a connection says.
//
// The charger's object knows its connection exactly (the socket and its lastSeen, kept in the
// socket's attachment, which is not storage). It does not copy lastSeen to D1 while the charger
// only sends Heartbeats: D1 hears of a connection when it opens and ends, and its last_seen
// moves only when other facts are handed over. So an idle charger costs D1 nothing, and its
// object wakes once an hour to check it is still there: a charger silent past the offline
// deadline is closed and recorded offline then, and a connection whose socket went with the
// object (a deploy, a crash) is recorded lost. D1's connected flag can therefore trail the truth
// by up to offlineAfterMs + LIVENESS_CHECK_MS (and a D1 outage, retried); the per-charger view
// asks the object and is exact.

import type { Config } from '../config';

/** How often an idle connected charger's object wakes to check it: at most once an hour. */
export const LIVENESS_CHECK_MS = 3600_000;

/** A charger silent this long is closed and recorded offline by its object (at its next liveness check). */
export function offlineAfterMs(config: Config): number {
  return config.heartbeatIntervalSeconds * config.offlineAfterIntervals * 1000;
}

/**
 * Whether D1's row says the charger is connected. The flag is believed: the charger's object
 * corrects it at its next liveness check (see above), retrying while D1 fails; last_seen is not
 * kept fresh while the charger is idle, so its age says nothing about the connection.
 */
export function connectedPerD1(row: { connected: boolean; lastSeen: string | null }): boolean {
  return row.connected;
}
