// FleetWriter: the Durable Object that copies many chargers' facts to D1 together.
//
// D1 is one database for the whole fleet, and a statement costs the same whether it stores
// one row or hundreds. So chargers do not write their meter values, statuses and transaction
// events to D1 themselves: each charger's object hands its outbox to a FleetWriter, which
// keeps the facts durable in its own storage and copies all of them to D1 every few seconds
// in one batch of a few statements. Chargers are spread over FLEET_WRITER_SHARDS writers.

import { DurableObject } from 'cloudflare:workers';
import { readConfig, type Config } from '../config';
import type { Env } from '../env';
import { countStorage } from '../counting-storage';
import { isolateStats } from '../isolate-stats';
import { countingD1 } from '../store/counting-d1';
import { announceCdrs } from './cdr-events';
import { flushStatements } from './flush';
import { migrateSchema } from '../durable-schema';
import { createCurrentFleetWriterSchema, FLEET_WRITER_MIGRATIONS, Outbox, type OutboxBatch, type OutboxEntry, type StoredEntry } from './outbox';

/**
 * Entries copied to D1 per batch (also capped in bytes, and taken in turns across chargers so
 * one charger's backlog does not fill every batch: see Outbox.peek). Each statement's
 * JSON stays under MAX_JSON_BYTES whatever the batch size (store/json-rows.ts), so a bigger
 * batch only means more rows per statement and fewer statements per entry.
 */
const BATCH_SIZE = 5_000;
/**
 * With this many entries waiting, they are copied without waiting for FLEET_FLUSH_SECONDS.
 * Only a fleet that fills it within FLEET_FLUSH_SECONDS reaches it, so it never delays a copy;
 * each batch pays a few statements per kind of fact, so the fuller the batch the fewer
 * statements per message (about 12 per 1,000 messages at 1,000 entries, 8 at 4,000: see the
 * sustained-load case of test/workers/d1-cost.test.ts).
 */
export const THRESHOLD = 4_000;
/** How long a failed copy waits before it tries again. */
const RETRY_MS = 30_000;

export interface WriterStats {
  /** D1 statements this writer instance has run (it starts again from 0 after an eviction). */
  d1Statements: number;
  /** Entries waiting to be copied to D1. */
  pending: number;
}

export class FleetWriter extends DurableObject<Env> {
  private readonly config: Config;
  private readonly outbox: Outbox;
  private readonly counter = { statements: 0 };
  private readonly db: D1Database;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    countStorage(ctx, 'fleetWriter');
    this.config = readConfig(env);
    migrateSchema(ctx.storage.sql, FLEET_WRITER_MIGRATIONS, createCurrentFleetWriterSchema);
    this.outbox = new Outbox(ctx.storage.sql);
    this.db = countingD1(env.DB, this.counter);
  }

  /** Takes over facts from a charger's outbox, as stored there; resolves once they are durable here. */
  async appendStored(entries: StoredEntry[]): Promise<void> {
    isolateStats.fleetWriterRpcCalls += 1;
    this.outbox.appendStored(entries);
    const due = Date.now() + (this.outbox.size >= THRESHOLD ? 0 : this.config.fleetFlushSeconds * 1000);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  override async alarm(): Promise<void> {
    isolateStats.fleetWriterAlarms += 1;
    if (!(await this.copyAll())) await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
  }

  /** Copies everything waiting to D1 now; used before reads that must see the latest facts. */
  async flushNow(): Promise<WriterStats> {
    isolateStats.fleetWriterRpcCalls += 1;
    if (!(await this.copyAll())) await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    return this.stats();
  }

  async stats(): Promise<WriterStats> {
    return { d1Statements: this.counter.statements, pending: this.outbox.size };
  }

  /** Copies batches until nothing waits; false when some could not be copied (they stay for the retry). */
  private async copyAll(): Promise<boolean> {
    for (;;) {
      const batch = this.outbox.peek(BATCH_SIZE);
      if (batch.size === 0) return true;
      if (await this.copy(batch)) {
        // Not `remove(lastSeq)`: a batch takes turns across chargers, so older entries of a
        // charger with a backlog may still wait behind the last one taken.
        this.outbox.removeEntries(batch.entries);
        continue;
      }
      // One charger's facts must not hold up the fleet's: copy each charger's part on its
      // own, keep only the parts that still fail.
      let failed = false;
      const byCharger = Map.groupBy(batch.entries, (entry) => entry.chargerId);
      for (const entries of byCharger.values()) {
        if (await this.copy(Outbox.batchOf(entries))) this.outbox.removeEntries(entries);
        else failed = true;
      }
      if (failed) return false;
    }
  }

  private async copy(batch: OutboxBatch): Promise<boolean> {
    try {
      const now = new Date().toISOString();
      await this.db.batch(flushStatements(this.db, batch, now));
      await announceCdrs(this.db, this.env.EVENTS, batch, now);
      return true;
    } catch (error) {
      const chargers = [...new Set(batch.entries.map((e) => e.chargerId))].slice(0, 10);
      console.error(JSON.stringify({ level: 'error', what: 'fleet flush', entries: batch.size, chargers, error: String(error) }));
      return false;
    }
  }
}

/** The writer a charger hands its facts to: chargers are spread over the shards by a hash of their id. */
export function fleetWriterName(chargerId: string, shards: number): string {
  // FNV-1a: cheap, stable, and spreads similar ids (CP-001, CP-002, …) well.
  let hash = 0x811c9dc5;
  for (let i = 0; i < chargerId.length; i++) {
    hash ^= chargerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `fleet-writer-${hash % Math.max(shards, 1)}`;
}
