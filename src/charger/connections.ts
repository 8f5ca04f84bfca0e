// A charger's connections: accepting one (it replaces the last), ending one from either side, the budget of refused frames, and the hourly liveness check.
//
// The socket itself is the runtime's (Hibernation API); what a connection must remember across
// an eviction lives in its attachment (socket.ts). D1's copy of each connection's start and end
// is connection-history.ts; this module decides when those happen.

import type { Config } from '../config';
import { logWarning } from '../log';
import type { OutboundCalls } from '../ocpp/outbound-calls';
import type { OcppVersion } from '../ocpp/versions';
import type { ConnectionHistory } from './connection-history';
import { ADMISSION_HEADER, readAdmissionHeader, stillQualifies, type CredentialPolicy } from './credential-policy';
import type { DueWork } from './due-work';
import { chargeBadFrame } from './frame-limits';
import type { ChargerIdentity } from './identity';
import type { LiveFeed } from './live-feed';
import { SITE_KEY, type SiteFeed } from './site-feed';
import { LIVENESS_CHECK_MS, offlineAfterMs } from './liveness';
import { takesCommands, type OperatorCommands } from './operator-commands';
import { closeQuietly, markEnded, readAttachment, updateAttachment, type SocketAttachment } from './socket';
import { CLOSE_CODES } from './types';

/** How long a failed D1 copy of a disconnection waits before it is tried again. */
const D1_RETRY_MS = 30_000;

/** The close reason of a connection a newer one replaced, and its entry in the connection history. */
const REPLACED_REASON = 'Replaced by a new connection from the same charger';

/** How long a charger that reconnects is given to send what it sends first, before queued commands go out. */
const DELIVERY_DELAY_MS = 1_000;

export interface ConnectionsDeps {
  ctx: DurableObjectState;
  config: Config;
  identity: ChargerIdentity;
  outbound: OutboundCalls;
  dueWork: DueWork;
  history: ConnectionHistory;
  operatorCommands: OperatorCommands;
  /** Open live consoles hear of connections and their ends (live-feed.ts). */
  live?: LiveFeed;
  /** The charger's site allocator hears of connections and their ends (site-feed.ts). */
  site?: SiteFeed;
}

export class ChargerConnections {
  constructor(private readonly deps: ConnectionsDeps) {}

  /** The open connection that still takes frames: one the CSMS refused (a frame limit, changed credentials) takes no more commands. */
  current(): WebSocket | undefined {
    return this.deps.ctx.getWebSockets().find((s) => s.readyState === WebSocket.OPEN && !readAttachment(s)?.refused);
  }

  /** Accepts a charger's WebSocket upgrade. The Worker has already checked the id and chosen the subprotocol. */
  async accept(request: Request): Promise<Response> {
    const { ctx, identity, dueWork, history, operatorCommands } = this.deps;
    const chargerId = request.headers.get('x-charger-id');
    const protocol = request.headers.get('x-ocpp-protocol') as OcppVersion | null;
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !chargerId || !protocol) {
      return new Response('Expected a WebSocket upgrade from the Worker', { status: 400 });
    }

    // A new connection replaces the old one: no half-open sessions.
    let replaced = false;
    for (const old of ctx.getWebSockets()) {
      // Its end is recorded here, once: its close event comes while the new connection is open, which then says nothing.
      const ending = readAttachment(old);
      if (ending && !ending.ended) {
        markEnded(old, ending);
        replaced = true;
      }
      closeQuietly(old, CLOSE_CODES.replaced, REPLACED_REASON);
    }
    this.deps.outbound.failAll('The charger reconnected before answering');

    const now = Date.now();
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    ctx.acceptWebSocket(server);
    const admission = readAdmissionHeader(request.headers.get(ADMISSION_HEADER));
    const attachment: SocketAttachment = { ocpp: { chargerId, protocol, connectedAt: now, lastSeen: now, admission } };
    server.serializeAttachment(attachment);

    const stored = await identity.connected(chargerId, protocol, this.deps.site ? [SITE_KEY] : []);
    this.deps.site?.primeSite(stored.get(SITE_KEY));
    if (dueWork.isScheduled('record-offline')) {
      await dueWork.cancel('record-offline');
      await history.forgetPendingDisconnection();
    }
    // Before the connection's facts: should D1 not take them, they wait in the outbox, and their
    // flush (which comes first) points the alarm, so the hourly check below needs no setAlarm of its own.
    await dueWork.learnFlush();
    await history.opened(chargerId, protocol, now, replaced ? REPLACED_REASON : undefined);
    // The liveness check: hourly, so an idle charger's object sleeps (see liveness.ts).
    await dueWork.schedule('offline-check', now + LIVENESS_CHECK_MS);
    this.deps.live?.connected(chargerId, protocol);
    this.deps.site?.connected(chargerId, protocol);

    // A charger accepted (or held Pending) before needs no new boot to take queued commands; give
    // it a moment to send what it sends on connecting first. Its boot, if it sends one, starts a
    // delivery itself: a second one after it would only read the queue again.
    if (takesCommands(await identity.getRegistration())) {
      const deliveries = operatorCommands.deliveriesStarted;
      setTimeout(() => {
        if (operatorCommands.deliveriesStarted === deliveries) operatorCommands.startDelivery();
      }, DELIVERY_DELAY_MS);
    }
    return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': protocol } });
  }

  /** Closes a connection from our side: what it still sends is not read, and its end is recorded now. */
  async close(ws: WebSocket, code: number, reason: string): Promise<void> {
    const attachment = updateAttachment(ws, { refused: true });
    logWarning('connection closed', attachment?.chargerId, reason);
    closeQuietly(ws, code, reason);
    await this.ended(ws, `The CSMS closed the connection: ${reason}`);
  }

  /** Counts a frame the CSMS had to refuse against the connection's budget, and closes the connection once it is spent. */
  async countBadFrame(ws: WebSocket): Promise<void> {
    const current = readAttachment(ws);
    if (!current || current.refused) return;
    const { tally, close } = chargeBadFrame(current.badFrames, Date.now(), this.deps.config.badFrameBudget);
    updateAttachment(ws, { badFrames: tally });
    if (close) await this.close(ws, close.code, close.reason);
  }

  /**
   * The charger's credentials changed: closes each connection that would not be admitted under
   * `policy` (see credential-policy.ts), so nothing more is answered or sent on it.
   */
  async enforceCredentials(policy: CredentialPolicy): Promise<{ closed: number }> {
    let closed = 0;
    for (const ws of this.deps.ctx.getWebSockets()) {
      const attachment = readAttachment(ws);
      if (!attachment || attachment.refused || stillQualifies(attachment.admission, policy)) continue;
      await this.close(ws, CLOSE_CODES.credentialsChanged, 'The charger credentials changed: connect again with the new ones');
      closed += 1;
    }
    return { closed };
  }

  /** Records that `ws` ended, for `reason`: once, and only when no newer connection replaced it. */
  async ended(ws: WebSocket, reason: string): Promise<void> {
    const { ctx, outbound, dueWork, history } = this.deps;
    // A socket closed because a newer one replaced it says nothing about the charger.
    const others = ctx.getWebSockets().filter((s) => s !== ws && s.readyState === WebSocket.OPEN);
    if (others.length > 0) return;
    outbound.failAll(reason);
    const attachment = readAttachment(ws);
    // Both our own close (silent charger) and the close event that follows it end up here; count it once.
    if (!attachment || attachment.ended) return;
    markEnded(ws, attachment);
    await dueWork.cancel('offline-check');
    // D1's flag is what the fleet list shows: a failed copy is retried until it lands.
    if (!(await history.ended(attachment, reason))) await dueWork.schedule('record-offline', Date.now() + D1_RETRY_MS);
    this.deps.live?.disconnected(attachment.chargerId, reason);
    this.deps.site?.disconnected(attachment.chargerId, attachment.protocol);
  }

  /** Retries D1's copy of a disconnection (the 'record-offline' task). */
  async retryDisconnectionCopy(): Promise<void> {
    if (!(await this.deps.history.copyDisconnection())) await this.deps.dueWork.schedule('record-offline', Date.now() + D1_RETRY_MS);
  }

  /** The liveness check (the 'offline-check' task): a charger silent for `offlineAfterIntervals` heartbeats is disconnected. */
  async checkLiveness(): Promise<void> {
    const { dueWork, history, config } = this.deps;
    const socket = this.current();
    const attachment = socket && readAttachment(socket);
    if (!socket || !attachment) {
      // The check is cancelled when a connection's end is recorded, so this one's end was not:
      // the socket went with the object (a deploy, a crash) and no close event came. Record it
      // now, once (the check is not scheduled again until a new connection).
      if (!(await history.lost())) await dueWork.schedule('record-offline', Date.now() + D1_RETRY_MS);
      return;
    }
    const now = Date.now();
    if (now < attachment.lastSeen + offlineAfterMs(config)) {
      // Alive: checked again in an hour, whatever it sends meanwhile (Heartbeats write nothing).
      await dueWork.schedule('offline-check', now + LIVENESS_CHECK_MS);
      return;
    }
    closeQuietly(socket, CLOSE_CODES.silent, 'No message within the heartbeat timeout');
    await this.ended(socket, 'The charger stopped responding');
  }
}
