// The charger's WebSocket: what rides on it through hibernation, and sending or closing without throwing.

import { logDebug, logError } from '../log';
import type { OcppVersion } from '../ocpp/versions';
import type { SocketAdmission } from './credential-policy';
import type { BadFrameTally } from './frame-limits';

/** Facts about one connection, kept on the socket so they survive hibernation. */
export interface OcppAttachment {
  chargerId: string;
  protocol: OcppVersion;
  connectedAt: number;
  /** Epoch ms of the last frame received; drives the offline alarm. */
  lastSeen: number;
  /** Set once the end of this connection has been recorded. */
  ended?: boolean;
  /** How much of the bad-frame budget this connection has spent (see frame-limits.ts). */
  badFrames?: BadFrameTally;
  /** Set when the CSMS closed this connection (a frame limit, changed credentials, the operator): frames still queued are dropped. */
  refused?: boolean;
  /** How the Worker admitted it (see credential-policy.ts); absent on connections opened before this was kept. */
  admission?: SocketAdmission;
  /** Epoch ms until which a live console watches this charger (live-feed.ts): kept here so the mark outlives hibernation. */
  watchedUntil?: number;
}

/** Attachments are namespaced, so other features can keep their own facts on the socket. */
export interface SocketAttachment {
  ocpp: OcppAttachment;
}

export function readAttachment(ws: WebSocket): OcppAttachment | undefined {
  const value = ws.deserializeAttachment() as SocketAttachment | null;
  return value?.ocpp;
}

/** Merges `change` into the socket's attachment as it is now; returns the result (undefined when there is none). */
export function updateAttachment(ws: WebSocket, change: Partial<OcppAttachment>): OcppAttachment | undefined {
  const current = readAttachment(ws);
  if (!current) return undefined;
  const updated = { ...current, ...change };
  try {
    ws.serializeAttachment({ ocpp: updated } satisfies SocketAttachment);
  } catch {
    // The socket is gone; nothing more will arrive on it.
  }
  return updated;
}

export function markEnded(ws: WebSocket, attachment: OcppAttachment): void {
  try {
    ws.serializeAttachment({ ocpp: { ...attachment, ended: true } } satisfies SocketAttachment);
  } catch {
    // The socket is gone; its close event will not come again.
  }
}

/** Sends `text` if the socket is still open; returns whether it was sent. */
export function sendQuietly(ws: WebSocket, text: string): boolean {
  if (ws.readyState !== WebSocket.OPEN) {
    // The socket closed while we worked (a newer connection replaced it, or the charger left):
    // normal, and the charger will resend on its next connection what it has not had answered.
    logDebug('answer not sent', readAttachment(ws)?.chargerId, 'the connection had closed');
    return false;
  }
  try {
    ws.send(text);
    return true;
  } catch (error) {
    logError('send', readAttachment(ws)?.chargerId, error);
    return false;
  }
}

export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
