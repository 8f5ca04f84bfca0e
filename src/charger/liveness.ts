// When a charger counts as connected: the offline deadline, and how far D1's copy of a connection may be believed.
//
// The charger's object knows its connection exactly (the socket and its lastSeen). D1 holds a
// copy for the fleet list, brought up to date only now and then, so a live connection's
// last_seen there trails the truth. A row whose last_seen is older than that trail allows is
// a connection whose end was never recorded (the object was reset with its socket, or the
// write failed), and must not claim the charger is connected.

import type { Config } from '../config';

/** With nothing else to hand over, D1's lastSeen is brought up to date this often; the exact value lives on the socket. */
export const LAST_SEEN_FLUSH_MS = 15 * 60_000;

/** Slack for alarms that run late and handovers that are retried. */
const COPY_SLACK_MS = 5 * 60_000;

/** A charger silent this long is closed and recorded offline by its object. */
export function offlineAfterMs(config: Config): number {
  return config.heartbeatIntervalSeconds * config.offlineAfterIntervals * 1000;
}

/**
 * How old D1's last_seen can be while the connection is open: a charger may be silent up to the
 * offline deadline after the frame last copied, its next frame is copied LAST_SEEN_FLUSH_MS later,
 * and the FleetWriter copies to D1 every FLEET_FLUSH_SECONDS.
 */
export function lastSeenTrailMs(config: Config): number {
  return offlineAfterMs(config) + LAST_SEEN_FLUSH_MS + config.fleetFlushSeconds * 1000 + COPY_SLACK_MS;
}

/** Whether D1's row may still say the charger is connected, at `now` (epoch ms). */
export function connectedPerD1(row: { connected: boolean; lastSeen: string | null }, config: Config, now: number): boolean {
  if (!row.connected || row.lastSeen === null) return false;
  const lastSeen = Date.parse(row.lastSeen);
  return Number.isFinite(lastSeen) && now - lastSeen <= lastSeenTrailMs(config);
}
