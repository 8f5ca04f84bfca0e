// The charger's write-ahead log: facts its messages produced, durable in the object's own
// SQLite before the charger is answered, and copied to D1 in batches by the flush alarm.

import type { ConnectorState, MeterReport, TransactionEvent201, TransactionStop16 } from '../ocpp/records';
import type { ConnectionEvent } from '../store/chargers';

/** Each kind of fact, and what it carries. */
export interface OutboxFacts {
  status: ConnectorState;
  meter: MeterReport;
  stop16: TransactionStop16;
  event201: TransactionEvent201;
  connection: ConnectionEvent;
}

export type OutboxKind = keyof OutboxFacts;

export interface OutboxEntry<K extends OutboxKind = OutboxKind> {
  seq: number;
  kind: K;
  fact: OutboxFacts[K];
}

/** The entries of a batch, sorted by kind, in the order they were appended. */
export type OutboxBatch = { [K in OutboxKind]: OutboxFacts[K][] } & { lastSeq: number; size: number };

export class Outbox {
  constructor(private readonly sql: SqlStorage) {
    // Runs on every wake-up; cheap, and makes the table exist for a new or migrated object.
    sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      fact TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  }

  /** Appends a fact. Synchronous: it commits with the rest of the object's writes for this message. */
  append<K extends OutboxKind>(kind: K, fact: OutboxFacts[K]): void {
    this.sql.exec('INSERT INTO outbox (kind, fact, created_at) VALUES (?, ?, ?)', kind, JSON.stringify(fact), Date.now());
  }

  get size(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox').one().n;
  }

  /** The oldest `limit` entries, grouped by kind. */
  peek(limit: number): OutboxBatch {
    const batch: OutboxBatch = { status: [], meter: [], stop16: [], event201: [], connection: [], lastSeq: 0, size: 0 };
    const rows = this.sql.exec<{ seq: number; kind: OutboxKind; fact: string }>(
      'SELECT seq, kind, fact FROM outbox ORDER BY seq LIMIT ?',
      limit,
    );
    for (const row of rows) {
      (batch[row.kind] as unknown[]).push(JSON.parse(row.fact));
      batch.lastSeq = row.seq;
      batch.size += 1;
    }
    return batch;
  }

  /** Forgets entries up to `seq`, once D1 has them. */
  remove(upToSeq: number): void {
    this.sql.exec('DELETE FROM outbox WHERE seq <= ?', upToSeq);
  }
}
