// Moves a charger's outbox on: to its FleetWriter, or straight to D1; when the alarm says so, or at once before a read.
//
// D1 bills rows, not statements, so the FleetWriter's one-batch-for-many-chargers saves no money:
// each fact it relays costs two more rows in its own storage (kept, then removed) and the charger
// one more request. With FLEET_WRITER_SHARDS = 0 a charger's object writes its facts to D1 itself,
// in one D1 batch per flush; the relay remains for fleets whose D1 needs fewer, fuller batches.

import type { Config } from '../config';
import type { Env } from '../env';
import { fleetWriterName } from '../fleet/fleet-writer';
import { announceCdrs } from '../fleet/cdr-events';
import { flushStatements } from '../fleet/flush';
import { mixedFacts, type Outbox, type OutboxBatch, type OutboxKind, type StoredEntry } from '../fleet/outbox';
import { logError } from '../log';
import type { DueWork } from './due-work';
import type { CsmsEvent } from './events';

/** Outbox entries handed over at a time. */
const BATCH_SIZE = 500;
/** With this many facts waiting, they are handed over without waiting for FLUSH_DELAY_SECONDS. */
const THRESHOLD = 100;
/** How soon facts that close something are handed over. */
const URGENT_MS = 1_000;
/** How long a failed handover waits before it tries again. */
const RETRY_MS = 30_000;
/**
 * Facts of a transaction under way, handed to a FleetWriter: more come within
 * FLUSH_DELAY_SECONDS (meter values, which then wait in the outbox too), so after flushing them
 * the alarm waits where their flush will be (see flushOnAlarm). Written to D1 directly, see
 * carriedMeterReports.
 */
const METERING_KINDS: ReadonlySet<OutboxKind> = new Set<OutboxKind>(['meter', 'event201', 'event201s', 'start16', 'streamValues']);

/**
 * Whether a flush of `batch` straight to D1 carried meter reports: only then do the next ones
 * come through the outbox (D1 failed, or older facts waited), so that a flush is worth expecting.
 * A start or a Started event alone is not: with the outbox empty after its flush, the meter
 * reports that follow go to D1 at their answer (records.ts writeToD1), and an expected flush
 * would only cost a setAlarm and a wake-up that find nothing.
 */
function carriedMeterReports(batch: OutboxBatch): boolean {
  // A 2.1 periodic event stream's values always come through the outbox, and keep coming.
  return batch.meter.length > 0 || batch.event201.some(({ fact }) => fact.eventType === 'Updated') || batch.streamValues.length > 0;
}

export interface HandoverDeps {
  outbox: Outbox;
  dueWork: DueWork;
  config: Config;
  env: Env;
  /** The D1 the facts end in, written directly when `config.fleetWriterShards` is 0. */
  db: D1Database;
  chargerId: () => Promise<string | undefined>;
  /** When the last frame arrived on the open connection, if there is one. */
  lastSeen: () => number | undefined;
  /** The EVENTS queue as bound now (tests replace the object's bindings); default `env.EVENTS`. */
  events?: () => Queue<CsmsEvent> | undefined;
}

export class OutboxHandover {
  /** The lastSeen the writer has, as far as this instance knows. */
  private lastSeenHandedOver = 0;
  /** Whether the last flush carried facts of a transaction under way (METERING_KINDS). */
  private flushedMetering = false;

  constructor(private readonly deps: HandoverDeps) {}

  /**
   * Facts wait to be handed over together: up to FLUSH_DELAY_SECONDS, or until THRESHOLD
   * wait, or about a second for facts operators wait for (a transaction's end, a disconnection).
   */
  async schedule(urgency: 'soon' | 'batched'): Promise<void> {
    const delay =
      urgency === 'soon' || this.deps.outbox.size >= THRESHOLD ? URGENT_MS : this.deps.config.flushDelaySeconds * 1000;
    await this.deps.dueWork.scheduleFlush(Date.now() + delay);
  }

  /**
   * The alarm's part (after DueWork.takeDue): flushes whatever waits, whichever task the alarm
   * came for, since the object is awake anyway. When that empties the outbox of a metering
   * charger's facts, the next flush is expected a FLUSH_DELAY_SECONDS on (see
   * DueWork.expectFlush): its next facts then find the alarm already where they need it. After
   * other facts (a boot's status, a connection) the alarm goes back to the liveness check: an
   * expected flush that nothing comes for would wake the object (often from hibernation) only to
   * find the outbox empty.
   */
  async flushOnAlarm(): Promise<void> {
    const { outbox, dueWork, config } = this.deps;
    if (outbox.size === 0) return;
    if ((await this.flush()) && outbox.size === 0 && this.flushedMetering) {
      dueWork.expectFlush(Date.now() + config.flushDelaySeconds * 1000);
    }
  }

  /**
   * Hands the oldest outbox entries (and the latest lastSeen) to the FleetWriter, then forgets
   * them. A failure keeps them for the next try: what the charger was told is stored stays
   * stored. Returns false when nothing could be handed over.
   */
  async flush(): Promise<boolean> {
    const chargerId = await this.deps.chargerId();
    if (!chargerId) return false;
    try {
      return await (this.direct ? this.flushToDatabase(chargerId) : this.flushToWriter(chargerId));
    } finally {
      // Entries it read may take in new facts again (Outbox.appendMeter): removed, or still to flush.
      this.deps.outbox.released();
    }
  }

  private async flushToWriter(chargerId: string): Promise<boolean> {
    const { outbox, dueWork } = this.deps;
    // Facts travel as stored (JSON text): the writer stores them as they are, nothing is re-parsed.
    const batch = outbox.peekStored(BATCH_SIZE);
    const entries: StoredEntry[] = batch.entries;
    if (entries.length === 0) return false;
    this.flushedMetering = entries.some(([, kind, fact]) =>
      kind === 'mixed' ? mixedFacts(kind, JSON.parse(fact)).some((f) => METERING_KINDS.has(f.kind)) : METERING_KINDS.has(kind),
    );
    const lastSeen = this.seenNews();
    // lastSeen travels with other facts only: alone it is not worth a hand-over (see liveness.ts).
    if (lastSeen !== undefined) entries.push([chargerId, 'seen', JSON.stringify({ at: new Date(lastSeen).toISOString() })]);
    try {
      await this.writer(chargerId).appendStored(entries);
    } catch (error) {
      logError('flush', chargerId, error);
      await dueWork.scheduleFlush(Date.now() + RETRY_MS);
      return false;
    }
    return this.forget(batch.lastSeq, lastSeen);
  }

  /**
   * Writes the oldest outbox entries (and the latest lastSeen) to D1 in one batch, then forgets
   * them. The batch's statements are idempotent (fleet/flush.ts), so a batch D1 stored whose
   * removal here was lost is simply written again.
   */
  private async flushToDatabase(chargerId: string): Promise<boolean> {
    const { outbox, dueWork, db } = this.deps;
    const batch = outbox.peekOldest(BATCH_SIZE);
    if (batch.size === 0) return false;
    this.flushedMetering = carriedMeterReports(batch);
    const lastSeen = this.seenNews();
    if (lastSeen !== undefined) batch.seen.push({ chargerId, fact: { at: new Date(lastSeen).toISOString() } });
    const now = new Date().toISOString();
    try {
      await db.batch(flushStatements(db, batch, now));
    } catch (error) {
      logError('flush', chargerId, error);
      await dueWork.scheduleFlush(Date.now() + RETRY_MS);
      return false;
    }
    const more = await this.forget(batch.lastSeq, lastSeen);
    await this.announceCdrs(batch, now);
    return more;
  }

  /** `cdr.created` for the transactions a batch written to D1 at `now` completed (fleet/cdr-events.ts); never throws. */
  announceCdrs(batch: OutboxBatch, now: string): Promise<void> {
    return announceCdrs(this.deps.db, this.deps.events ? this.deps.events() : this.deps.env.EVENTS, batch, now);
  }

  /**
   * The last frame's time for facts written to D1 outside a flush (records.ts writeToD1), if D1
   * has not been told yet; `stored` once D1 took it with them.
   */
  lastSeenToWrite(): { at: number; stored: () => void } | undefined {
    const at = this.seenNews();
    if (at === undefined) return undefined;
    return { at, stored: () => (this.lastSeenHandedOver = Math.max(this.lastSeenHandedOver, at)) };
  }

  /** When the last frame arrived, if D1 has not been told yet. */
  private seenNews(): number | undefined {
    const lastSeen = this.deps.lastSeen();
    return lastSeen !== undefined && lastSeen > this.lastSeenHandedOver ? lastSeen : undefined;
  }

  /** After a successful flush: its entries are safe elsewhere; flush again at once if more wait. */
  private async forget(lastSeq: number, lastSeen: number | undefined): Promise<boolean> {
    const { outbox, dueWork } = this.deps;
    if (lastSeq > 0) outbox.remove(lastSeq);
    if (lastSeen !== undefined) this.lastSeenHandedOver = Math.max(this.lastSeenHandedOver, lastSeen);
    if (outbox.size > 0) await dueWork.scheduleFlush(Date.now());
    return true;
  }

  /** Whether facts go straight to D1 rather than through a FleetWriter. */
  private get direct(): boolean {
    return this.deps.config.fleetWriterShards === 0;
  }

  /**
   * Hands over everything waiting now, without waiting for the alarm. The alarm stays: it finds
   * nothing to flush and points itself at the liveness check (a wake-up is billed less than a
   * setAlarm).
   */
  async handOver(): Promise<void> {
    while (this.deps.outbox.size > 0) {
      if (!(await this.flush())) break;
    }
  }

  /** Hands over everything, then has the writer copy it to D1: before a read that must see it. */
  async flushToD1(): Promise<void> {
    await this.handOver();
    if (this.deps.outbox.size > 0 || this.direct) return;
    const chargerId = await this.deps.chargerId();
    if (chargerId) await this.writer(chargerId).flushNow();
  }

  private writer(chargerId: string) {
    return this.deps.env.FLEET_WRITERS.getByName(fleetWriterName(chargerId, this.deps.config.fleetWriterShards));
  }
}
