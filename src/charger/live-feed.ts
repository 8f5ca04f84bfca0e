// What a charger's object tells the live console hub (src/live/hub.ts): its coarse changes always
// (the fleet feed), and, only while a console watches it, its journal frames, meter values and
// command outcomes (the detail feed). See README "Live console feed".
//
// Everything here runs after the charger's answer left, and never waits for the hub: messages
// gather for a moment and go in one fire-and-forget call, at most one per PUBLISH_WINDOW_MS per
// charger, a connector's newer status replacing an older one still waiting. A failed call is logged
// and dropped: consoles re-read the API when they reconnect. The "watched until" mark is kept in
// memory and, by the object, on the charger's socket (its attachment, which survives hibernation):
// an object woken by the charger's next frame restores it (restoreWatch), at no storage cost.

import type { Env } from '../env';
import { isolateStats } from '../isolate-stats';
import { logWarning } from '../log';
import type { Call } from '../ocpp/frames';
import { HUB_NAME } from '../live/hub';
import { coalescingKey, isFleetMessage, messagesForCall, type LiveMessage, type StartRegisters } from '../live/messages';
import type { JournalEntry } from './journal';
import type { CommandOutcome } from './types';

/** At most one call to the hub per charger this often: a burst of changes costs one request. */
const PUBLISH_WINDOW_MS = 1_000;
/** What arrives with a change (the frames of the same CALL, its answer) is gathered this long first. */
const GATHER_MS = 50;
/** Detail messages waiting at most; past it the oldest go, and the console is told how many. */
const MAX_WAITING = 200;
/** The longest a watch may be set for, whatever the hub asks (it renews every 30 s). */
const MAX_WATCH_MS = 120_000;

export interface LiveFeedDeps {
  env: () => Env;
  /** Keeps the object alive until the call to the hub settles (DurableObjectState.waitUntil). */
  waitUntil: (promise: Promise<unknown>) => void;
  /** A 1.6 transaction's total cost once its end was priced (TransactionPrices), or null. */
  endedCost?: (transactionId: string) => number | null;
  /** The hub answered that no console watches any more: the object forgets the mark it kept on the socket. */
  unwatched?: () => void;
}

export class LiveFeed {
  /** Epoch ms until which a console watches this charger (here; the object keeps it on the socket too). */
  private watchedUntil = 0;
  private chargerId: string | undefined;
  /** Messages waiting for the next call, in order; a fleet state's key replaces its older message. */
  private waiting = new Map<string, LiveMessage>();
  private serial = 0;
  private dropped = 0;
  private scheduled = false;
  private lastSentAt = 0;
  /** Where each running transaction's register started, for its end's energy. */
  private readonly registers: StartRegisters = new Map();

  constructor(private readonly deps: LiveFeedDeps) {}

  /** Whether a console watches this charger now: only then is anything beyond the fleet feed made. */
  get watched(): boolean {
    return Date.now() < this.watchedUntil;
  }

  /** The hub's mark: watched until `untilMs` (0: no longer). */
  watch(chargerId: string, untilMs: number): void {
    this.chargerId = chargerId;
    this.watchedUntil = Math.min(untilMs, Date.now() + MAX_WATCH_MS);
  }

  /** The mark kept on the socket, after the object woke from hibernation (memory lost): taken when memory has none. */
  restoreWatch(chargerId: string, untilMs: number): void {
    if (this.watchedUntil === 0 && untilMs > Date.now()) this.watch(chargerId, untilMs);
  }

  connected(chargerId: string, protocol: string): void {
    this.chargerId = chargerId;
    this.add({ type: 'charger.connected', chargerId, at: new Date().toISOString(), protocol });
  }

  disconnected(chargerId: string, reason: string): void {
    this.add({ type: 'charger.disconnected', chargerId, at: new Date().toISOString(), reason });
  }

  /** A CALL the charger sent was answered (`answer` the frame sent): its changes, when it was answered with a result. */
  answered(chargerId: string, protocol: string, frame: Call, answer: string): void {
    this.chargerId = chargerId;
    if (!answer.startsWith('[3,')) return;
    let result: Record<string, unknown>;
    try {
      result = (JSON.parse(answer) as [number, string, Record<string, unknown>])[2];
    } catch {
      return;
    }
    const messages = messagesForCall(chargerId, protocol, frame.action, frame.payload, result, new Date().toISOString(), {
      watched: this.watched,
      registers: this.registers,
      endedCost: this.deps.endedCost,
    });
    for (const message of messages) this.add(message);
  }

  /** A journal frame, as the journal keeps it (redacted): for watching consoles only. */
  journaled(entry: JournalEntry): void {
    if (!this.watched || !this.chargerId) return;
    this.add({ type: 'journal', chargerId: this.chargerId, at: entry.at, entry });
  }

  /** An operator command's outcome (its result as the API returns it): for watching consoles only. */
  commandAnswered(action: string, outcome: CommandOutcome): void {
    if (!this.watched || !this.chargerId) return;
    const fields = outcome.ok ? { ok: true, result: outcome.result } : { ok: false, status: outcome.status, error: outcome.error };
    this.add({ type: 'command', chargerId: this.chargerId, at: new Date().toISOString(), action, ...fields });
  }

  private add(message: LiveMessage): void {
    const fleet = isFleetMessage(message);
    if (fleet) isolateStats.liveFleetMessages += 1;
    else isolateStats.liveDetailMessages += 1;
    const key = (fleet && coalescingKey(message)) || `#${++this.serial}`;
    this.waiting.delete(key);
    this.waiting.set(key, message);
    if (!fleet && this.waiting.size > MAX_WAITING) {
      const oldest = [...this.waiting.keys()].find((k) => k.startsWith('#'));
      if (oldest) {
        this.waiting.delete(oldest);
        this.dropped += 1;
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(GATHER_MS, this.lastSentAt + PUBLISH_WINDOW_MS - Date.now());
    this.deps.waitUntil(new Promise((resolve) => setTimeout(resolve, wait)).then(() => this.send()));
  }

  private async send(): Promise<void> {
    this.scheduled = false;
    const chargerId = this.chargerId;
    const hub = this.deps.env().CONSOLE_HUB;
    const messages = [...this.waiting.values()];
    this.waiting = new Map();
    if (this.dropped > 0 && chargerId) {
      messages.push({ type: 'feed.gap', chargerId, at: new Date().toISOString(), dropped: this.dropped });
      this.dropped = 0;
    }
    if (!hub || !chargerId || messages.length === 0) return;
    this.lastSentAt = Date.now();
    try {
      const { watched } = await hub.getByName(HUB_NAME).publish(chargerId, messages);
      // No console watches any more (it closed, or unwatched): no more detail until a new watch.
      if (!watched && this.watchedUntil !== 0) {
        this.watchedUntil = 0;
        this.deps.unwatched?.();
      }
    } catch (error) {
      isolateStats.livePublishFailures += 1;
      logWarning('live feed', chargerId, `the console hub did not take ${messages.length} message(s): ${String(error)}`);
    }
  }
}
