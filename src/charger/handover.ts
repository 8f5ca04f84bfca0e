// Moves a charger's outbox to its FleetWriter: when the alarm says so, or at once before a read.

import type { Config } from '../config';
import type { Env } from '../env';
import { fleetWriterName } from '../fleet/fleet-writer';
import type { Outbox, StoredEntry } from '../fleet/outbox';
import { logError } from '../log';
import type { DueWork } from './due-work';

/** Outbox entries handed over at a time. */
const BATCH_SIZE = 500;
/** With this many facts waiting, they are handed over without waiting for FLUSH_DELAY_SECONDS. */
const THRESHOLD = 100;
/** How soon facts that close something are handed over. */
const URGENT_MS = 1_000;
/** How long a failed handover waits before it tries again. */
const RETRY_MS = 30_000;

export interface HandoverDeps {
  outbox: Outbox;
  dueWork: DueWork;
  config: Config;
  env: Env;
  chargerId: () => Promise<string | undefined>;
  /** When the last frame arrived on the open connection, if there is one. */
  lastSeen: () => number | undefined;
}

export class OutboxHandover {
  /** The lastSeen the writer has, as far as this instance knows. */
  private lastSeenHandedOver = 0;

  constructor(private readonly deps: HandoverDeps) {}

  /**
   * Facts wait to be handed over together: up to FLUSH_DELAY_SECONDS, or until THRESHOLD
   * wait, or about a second for facts operators wait for (a transaction's end, a disconnection).
   */
  async schedule(urgency: 'soon' | 'batched'): Promise<void> {
    const delay =
      urgency === 'soon' || this.deps.outbox.size >= THRESHOLD ? URGENT_MS : this.deps.config.flushDelaySeconds * 1000;
    await this.deps.dueWork.schedule('flush', Date.now() + delay, 'earliest');
  }

  /**
   * Hands the oldest outbox entries (and the latest lastSeen) to the FleetWriter, then forgets
   * them. A failure keeps them for the next try: what the charger was told is stored stays
   * stored. Returns false when nothing could be handed over.
   */
  async flush(): Promise<boolean> {
    const { outbox, dueWork } = this.deps;
    const chargerId = await this.deps.chargerId();
    if (!chargerId) return false;
    // Facts travel as stored (JSON text): the writer stores them as they are, nothing is re-parsed.
    const batch = outbox.peekStored(BATCH_SIZE);
    const entries: StoredEntry[] = batch.entries;
    const lastSeen = this.deps.lastSeen();
    // lastSeen travels with other facts only: alone it is not worth a hand-over (see liveness.ts).
    if (entries.length > 0 && lastSeen !== undefined && lastSeen > this.lastSeenHandedOver) {
      entries.push([chargerId, 'seen', JSON.stringify({ at: new Date(lastSeen).toISOString() })]);
    }
    if (entries.length === 0) return false;
    try {
      await this.writer(chargerId).appendStored(entries);
    } catch (error) {
      logError('flush', chargerId, error);
      await dueWork.schedule('flush', Date.now() + RETRY_MS, 'earliest');
      return false;
    }
    if (batch.lastSeq > 0) outbox.remove(batch.lastSeq);
    if (lastSeen !== undefined) this.lastSeenHandedOver = Math.max(this.lastSeenHandedOver, lastSeen);
    if (outbox.size > 0) await dueWork.schedule('flush', Date.now(), 'earliest');
    return true;
  }

  /** Hands over everything waiting now, without waiting for the alarm. */
  async handOver(): Promise<void> {
    await this.deps.dueWork.cancel('flush');
    while (this.deps.outbox.size > 0) {
      if (!(await this.flush())) break;
    }
  }

  /** Hands over everything, then has the writer copy it to D1: before a read that must see it. */
  async flushToD1(): Promise<void> {
    await this.handOver();
    if (this.deps.outbox.size > 0) return;
    const chargerId = await this.deps.chargerId();
    if (chargerId) await this.writer(chargerId).flushNow();
  }

  private writer(chargerId: string) {
    return this.deps.env.FLEET_WRITERS.getByName(fleetWriterName(chargerId, this.deps.config.fleetWriterShards));
  }
}
