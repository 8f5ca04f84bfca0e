// What a charger's object tells its site's allocator (src/sites/site-object.ts), when the charger is
// on a site: its connection's changes, sessions starting and ending, what they draw, and what
// their cars need (ISO 15118).
//
// It runs after the charger's answer left and never delays it. Calls to the site go one after the
// other (a start must not overtake the end before it) and a failed one is logged and dropped: the
// site is safe without it (a session it never heard of draws at most the charger's fallback, and
// it learns of it from the next reading). Readings are forwarded only when the draw moved, or every
// READING_REFRESH_MS: a charger sending values every few seconds costs its site little.

import type { Env } from '../env';
import { logWarning } from '../log';
import type { Call } from '../ocpp/frames';
import { signalsForCall, type SiteSignal } from '../sites/signals';
import type { ChargerSignal } from '../sites/site-object';

/** Where the object keeps the site it is on (read with the identity at each connection: no read of its own). */
export const SITE_KEY = 'siteId';
/** A reading is forwarded when the draw moved by this much (A)… */
const READING_STEP_AMPS = 0.5;
/** …or when the last one forwarded for its EVSE is this old. */
const READING_REFRESH_MS = 60_000;

export interface SiteFeedDeps {
  env: () => Env;
  storage: DurableObjectStorage;
  waitUntil: (promise: Promise<unknown>) => void;
}

export class SiteFeed {
  /** The site this charger is on: undefined until read from storage, null when on none. */
  private siteId: string | null | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Per EVSE: the amps last forwarded and when. */
  private readonly forwarded = new Map<number, { amps: number | null; at: number }>();

  constructor(private readonly deps: SiteFeedDeps) {}

  /** The API put the charger on `siteId` (null: took it off). Stored before this returns. */
  async assign(chargerId: string, protocol: string | undefined, connected: boolean, siteId: string | null): Promise<void> {
    if (siteId === null) await this.deps.storage.delete(SITE_KEY);
    else await this.deps.storage.put(SITE_KEY, siteId);
    this.siteId = siteId;
    this.forwarded.clear();
    // The site vouches for nothing until it hears the charger is there: tell it now.
    if (siteId !== null && connected && protocol) this.send(chargerId, protocol, [{ type: 'connected', at: new Date().toISOString() }]);
  }

  /** The stored site, as the connection's one storage read found it. */
  primeSite(stored: unknown): void {
    if (this.siteId === undefined) this.siteId = typeof stored === 'string' ? stored : null;
  }

  async site(): Promise<string | null> {
    if (this.siteId === undefined) this.siteId = (await this.deps.storage.get<string>(SITE_KEY)) ?? null;
    return this.siteId;
  }

  connected(chargerId: string, protocol: string): void {
    this.forwarded.clear();
    this.whenOnSite(chargerId, protocol, () => [{ type: 'connected', at: new Date().toISOString() }]);
  }

  disconnected(chargerId: string, protocol: string): void {
    this.whenOnSite(chargerId, protocol, () => [{ type: 'disconnected', at: new Date().toISOString() }]);
  }

  /** A CALL the charger sent was answered with `answer` (the frame sent). */
  answered(chargerId: string, protocol: string, frame: Call, answer: string): void {
    if (!answer.startsWith('[3,')) return;
    this.whenOnSite(chargerId, protocol, () => {
      const result = (JSON.parse(answer) as [number, string, Record<string, unknown>])[2];
      return signalsForCall(protocol, frame.action, frame.payload as Record<string, unknown>, result, new Date().toISOString()).filter((s) => this.worthForwarding(s));
    });
  }

  private whenOnSite(chargerId: string, protocol: string, make: () => ChargerSignal[]): void {
    if (this.siteId === null) return;
    const work = this.site().then((siteId) => {
      if (siteId === null) return;
      const signals = make();
      if (signals.length > 0) this.send(chargerId, protocol, signals);
    });
    this.deps.waitUntil(work.catch((error) => logWarning('site feed', chargerId, String(error))));
  }

  private worthForwarding(signal: SiteSignal): boolean {
    // A car's needs come once per negotiation: each one counts.
    if (signal.type === 'booted' || signal.type === 'needs') return true;
    if (signal.type === 'ended' || signal.type === 'started') {
      if (signal.evseId !== null) this.forwarded.delete(signal.evseId);
      return true;
    }
    const last = this.forwarded.get(signal.evseId);
    const now = Date.now();
    const moved = last === undefined || last.amps === null || signal.amps === null || Math.abs(last.amps - signal.amps) >= READING_STEP_AMPS;
    if (!moved && now - last!.at < READING_REFRESH_MS) return false;
    this.forwarded.set(signal.evseId, { amps: signal.amps, at: now });
    return true;
  }

  private send(chargerId: string, protocol: string, signals: ChargerSignal[]): void {
    const siteId = this.siteId;
    if (!siteId) return;
    const call = this.queue.then(() => this.deps.env().SITES.getByName(siteId).signal(chargerId, protocol, signals));
    this.queue = call.catch((error) => logWarning('site feed', chargerId, String(error)));
    this.deps.waitUntil(this.queue);
  }
}
