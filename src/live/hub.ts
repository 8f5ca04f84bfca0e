// ConsoleHub: the Durable Object (one, named "console") that holds every open live console's
// WebSocket and hands each the changes charger objects publish (README "Live console feed").
//
// It accepts sockets through the WebSocket Hibernation API: a console with nothing to receive costs
// no CPU, and its keepalive (`{"type":"ping"}`) is answered by the runtime itself
// (setWebSocketAutoResponse) without waking the object. It reads D1 only to check that a charger a
// console asks to watch exists, once per charger per instance. What a socket must remember across
// hibernation (its holder, scopes, end of life and the chargers it watches) rides on the socket
// itself (its attachment); which chargers were last told "watched until" lives in memory and may be
// lost: the next watch renews it.

import { DurableObject } from 'cloudflare:workers';
import { readConfig, type Config } from '../config';
import type { Env } from '../env';
import { isolateStats, markIsolateStarted } from '../isolate-stats';
import { logError } from '../log';
import { isValidChargerId } from '../ocpp/charger-id';
import { countingD1 } from '../store/counting-d1';
import { ChargerStore } from '../store/chargers';
import { isFleetMessage, type LiveMessage } from './messages';

/** The one hub's name: every console and every charger object meets there. */
export const HUB_NAME = 'console';

/** How long a watch lasts unless renewed; the console renews every WATCH_RENEW_SECONDS. */
export const WATCH_SECONDS = 60;
export const WATCH_RENEW_SECONDS = 30;
/** Chargers one socket may watch at once (the attachment holds them, at most 2 KiB). */
export const MAX_WATCHES_PER_SOCKET = 10;
/** A console's message is a small JSON object; anything longer is refused. */
const MAX_CONSOLE_MESSAGE_CHARS = 512;
/** A renewal reaches the charger's object only when it moves its mark on by this much: two consoles watching one charger cost one call. */
const FORWARD_STEP_MS = 15_000;
/** Chargers known to exist (checked in D1 once) kept at most. */
const KNOWN_CHARGERS_MAX = 10_000;

/** The keepalive a console sends, and the answer the runtime gives it without waking the hub. */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

/** WebSocket close codes of the feed (4000–4999 are for applications). */
export const LIVE_CLOSE_CODES = {
  /** The socket lived LIVE_SOCKET_SECONDS: open a new one with a new ticket. */
  lifetimeOver: 4001,
  /** The console broke the protocol (a message too long). */
  tooBig: 1009,
} as const;

/** What rides on a console's socket through hibernation. */
interface ConsoleAttachment {
  live: {
    /** The token holder the ticket was issued to ('root' or an API token id). */
    holder: string;
    scopes: string[];
    /** Epoch ms at which the CSMS closes the socket. */
    closesAt: number;
    /** Charger id → epoch ms until which this socket watches it. */
    watches: Record<string, number>;
  };
}

export class ConsoleHub extends DurableObject<Env> {
  private readonly config: Config;
  private readonly db: D1Database;
  /** The "watched until" each charger object was last told, by charger id (memory only). */
  private readonly told = new Map<string, number>();
  /** Chargers found in D1: a renewed watch asks D1 nothing. */
  private readonly known = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    markIsolateStarted();
    isolateStats.consoleHubObjectsConstructed += 1;
    this.config = readConfig(env);
    this.db = countingD1(env.DB, { statements: 0 });
    // Keepalives never wake the object: an open, idle console costs nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Accepts a console's WebSocket. The Worker has checked its ticket and passes who holds it. */
  override async fetch(request: Request): Promise<Response> {
    isolateStats.consoleHubRequests += 1;
    const holder = request.headers.get('x-live-holder');
    const scopes = (request.headers.get('x-live-scopes') ?? '').split(',').filter(Boolean);
    const nonce = request.headers.get('x-live-nonce');
    const expires = Number(request.headers.get('x-live-ticket-expires'));
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !holder || !nonce || !Number.isFinite(expires)) {
      return Response.json({ error: { code: 'BadRequest', message: 'Expected a WebSocket upgrade from the Worker' } }, { status: 400 });
    }
    const now = Date.now();
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
    if (open >= this.config.liveMaxConsoles) {
      return Response.json(
        {
          error: {
            code: 'TooManyConsoles',
            message: `${open} live consoles are open, the most LIVE_MAX_CONSOLES allows: close one, or try again later`,
            limit: this.config.liveMaxConsoles,
          },
        },
        { status: 503, headers: { 'retry-after': '60' } },
      );
    }
    // A ticket opens one socket: its nonce is kept until the ticket expires anyway.
    if (!(await this.takeNonce(nonce, expires, now))) {
      return Response.json({ error: { code: 'TicketUsed', message: 'This ticket already opened a socket: ask POST /api/v1/live/tickets for a new one' } }, { status: 401 });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    const closesAt = now + this.config.liveSocketSeconds * 1000;
    server.serializeAttachment({ live: { holder, scopes, closesAt, watches: {} } } satisfies ConsoleAttachment);
    this.sendTo(server, {
      type: 'hello',
      holder,
      scopes,
      closesAt: new Date(closesAt).toISOString(),
      watchSeconds: WATCH_SECONDS,
      renewWatchSeconds: WATCH_RENEW_SECONDS,
      maxWatches: MAX_WATCHES_PER_SOCKET,
    });
    // The socket's end of life: one alarm, at the earliest one due.
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > closesAt) await this.ctx.storage.setAlarm(closesAt);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * A charger object's changes, after the charger's CALL was answered. Fleet messages go to every
   * console, detail ones to those watching `chargerId`. `watched` tells the object whether anyone
   * still watches it, so an object no console watches any more stops sending detail at once.
   */
  async publish(chargerId: string, messages: LiveMessage[]): Promise<{ watched: boolean; consoles: number }> {
    isolateStats.consoleHubRequests += 1;
    const now = Date.now();
    const fleet = messages.filter(isFleetMessage).map((m) => JSON.stringify(m));
    const detail = messages.filter((m) => !isFleetMessage(m)).map((m) => JSON.stringify(m));
    let watched = false;
    let consoles = 0;
    for (const ws of this.openSockets(now)) {
      consoles += 1;
      const watches = readLive(ws)?.watches ?? {};
      const watching = (watches[chargerId] ?? 0) > now;
      watched ||= watching;
      for (const text of watching ? interleave(messages, fleet, detail) : fleet) this.sendText(ws, text);
    }
    if (!watched) this.told.delete(chargerId);
    return { watched, consoles };
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    isolateStats.consoleWebSocketMessages += 1;
    const live = readLive(ws);
    const now = Date.now();
    if (!live || now >= live.closesAt) return this.closeExpired(ws);
    if (typeof message !== 'string' || message.length > MAX_CONSOLE_MESSAGE_CHARS) {
      return closeQuietly(ws, LIVE_CLOSE_CODES.tooBig, `Console messages are JSON text of at most ${MAX_CONSOLE_MESSAGE_CHARS} characters`);
    }
    let parsed: { type?: unknown; chargerId?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return this.sendTo(ws, { type: 'error', code: 'InvalidMessage', message: 'Not JSON: send {"type":"watch","chargerId":"…"}' });
    }
    const chargerId = typeof parsed?.chargerId === 'string' ? parsed.chargerId : '';
    if (parsed?.type !== 'watch' && parsed?.type !== 'unwatch') {
      return this.sendTo(ws, { type: 'error', code: 'InvalidMessage', message: 'type must be "watch", "unwatch" or "ping"' });
    }
    if (!isValidChargerId(chargerId)) {
      return this.sendTo(ws, { type: 'error', code: 'InvalidChargerId', message: 'chargerId is not a valid charger id', chargerId });
    }
    if (parsed.type === 'unwatch') return this.unwatch(ws, live, chargerId, now);
    return this.watch(ws, live, chargerId, now);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Each charger it watched learns at its next publish whether anyone still does.
    closeQuietly(ws, 1000, reason || `Closed (${code})`);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    logError('console socket', undefined, error);
    closeQuietly(ws, 1011, 'The connection failed');
  }

  /** Closes the sockets whose life is over, and points the alarm at the next one's end. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    let next: number | undefined;
    for (const ws of this.ctx.getWebSockets()) {
      const live = readLive(ws);
      if (!live || now >= live.closesAt) this.closeExpired(ws);
      else if (ws.readyState === WebSocket.OPEN) next = Math.min(next ?? Infinity, live.closesAt);
    }
    await this.pruneNonces(now);
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  private async watch(ws: WebSocket, live: ConsoleAttachment['live'], chargerId: string, now: number): Promise<void> {
    const watches = Object.fromEntries(Object.entries(live.watches).filter(([, until]) => until > now));
    if (!(chargerId in watches) && Object.keys(watches).length >= MAX_WATCHES_PER_SOCKET) {
      return this.sendTo(ws, { type: 'error', code: 'TooManyWatches', message: `A console watches at most ${MAX_WATCHES_PER_SOCKET} chargers: unwatch one first`, chargerId });
    }
    if (!(await this.exists(chargerId))) {
      return this.sendTo(ws, { type: 'error', code: 'UnknownCharger', message: `No charger "${chargerId}" has connected or been registered`, chargerId });
    }
    const until = now + WATCH_SECONDS * 1000;
    watches[chargerId] = until;
    ws.serializeAttachment({ live: { ...live, watches } } satisfies ConsoleAttachment);
    if ((this.told.get(chargerId) ?? 0) < until - FORWARD_STEP_MS) {
      try {
        isolateStats.liveWatchCalls += 1;
        await this.env.CHARGERS.getByName(chargerId).watch(chargerId, until);
        this.told.set(chargerId, until);
      } catch (error) {
        logError('live watch', chargerId, error);
        return this.sendTo(ws, { type: 'error', code: 'WatchFailed', message: 'The charger could not be told it is watched; send watch again', chargerId });
      }
    }
    this.sendTo(ws, { type: 'watching', chargerId, until: new Date(until).toISOString() });
  }

  private async unwatch(ws: WebSocket, live: ConsoleAttachment['live'], chargerId: string, now: number): Promise<void> {
    const { [chargerId]: _dropped, ...watches } = live.watches;
    ws.serializeAttachment({ live: { ...live, watches } } satisfies ConsoleAttachment);
    const stillWatched = this.openSockets(now).some((other) => other !== ws && (readLive(other)?.watches[chargerId] ?? 0) > now);
    if (!stillWatched && this.told.has(chargerId)) {
      this.told.delete(chargerId);
      try {
        isolateStats.liveWatchCalls += 1;
        await this.env.CHARGERS.getByName(chargerId).watch(chargerId, 0);
      } catch (error) {
        // Its next publish is answered "not watched" anyway.
        logError('live unwatch', chargerId, error);
      }
    }
    this.sendTo(ws, { type: 'unwatched', chargerId });
  }

  /** Whether D1 knows the charger: no object is woken (or made) for an id nobody registered. */
  private async exists(chargerId: string): Promise<boolean> {
    if (this.known.has(chargerId)) return true;
    if (!(await new ChargerStore(this.db).exists(chargerId))) return false;
    if (this.known.size >= KNOWN_CHARGERS_MAX) this.known.clear();
    this.known.add(chargerId);
    return true;
  }

  /** Open sockets whose life is not over; those past it are closed on the way. */
  private openSockets(now: number): WebSocket[] {
    const open: WebSocket[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const live = readLive(ws);
      if (!live || now >= live.closesAt) this.closeExpired(ws);
      else open.push(ws);
    }
    return open;
  }

  private closeExpired(ws: WebSocket): void {
    closeQuietly(ws, LIVE_CLOSE_CODES.lifetimeOver, 'The socket lived its time: open a new one with a new ticket');
  }

  /** Takes a ticket's nonce once (kept in the object's storage until the ticket expires). */
  private async takeNonce(nonce: string, expiresSeconds: number, now: number): Promise<boolean> {
    const key = `ticket:${nonce}`;
    if ((await this.ctx.storage.get(key)) !== undefined) return false;
    await this.ctx.storage.put(key, expiresSeconds);
    await this.pruneNonces(now);
    return true;
  }

  private async pruneNonces(now: number): Promise<void> {
    const used = await this.ctx.storage.list<number>({ prefix: 'ticket:' });
    const expired = [...used].filter(([, expires]) => expires * 1000 <= now).map(([key]) => key);
    if (expired.length > 0) await this.ctx.storage.delete(expired);
  }

  private sendTo(ws: WebSocket, message: Record<string, unknown>): void {
    this.sendText(ws, JSON.stringify(message));
  }

  private sendText(ws: WebSocket, text: string): void {
    try {
      ws.send(text);
      isolateStats.liveFramesSent += 1;
    } catch {
      // Closed meanwhile: its close event ends it.
    }
  }
}

function readLive(ws: WebSocket): ConsoleAttachment['live'] | undefined {
  return (ws.deserializeAttachment() as ConsoleAttachment | null)?.live;
}

/** Every message's text in the order the charger published them (a watching console gets both kinds). */
function interleave(messages: LiveMessage[], fleet: string[], detail: string[]): string[] {
  let f = 0;
  let d = 0;
  return messages.map((m) => (isFleetMessage(m) ? fleet[f++]! : detail[d++]!));
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
