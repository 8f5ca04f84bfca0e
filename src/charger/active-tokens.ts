// Which tag each of a charger's running transactions was started with, in the object's storage:
// what CONCURRENT_TX=reject answers ConcurrentTx from.
//
// The scope is this charger: its object sees every start and end of its own transactions at
// once, in order. Another charger's transactions reach D1 only with that charger's next flush
// (seconds to FLUSH_DELAY_SECONDS later), so a fleet-wide check on D1 would be neither
// immediate nor reliable; it is not attempted.
//
// Transactions that were running before this table existed (the code was deployed while they
// ran) are read from D1 once, when CONCURRENT_TX=reject first needs them (`seed`); a boot ends
// them all, so an object that saw a boot needs no read.
//
// Why not one table with transaction_running (transaction-ids.ts) and transaction_locations
// (transaction-locations.ts), which also say what runs where: each keeps a different set for a
// different rule. transaction_running holds only 1.6 transactions, by their integer id, exactly
// those still open, and a row leaves it when the charger abandons it, so that the abandon
// fact is emitted once. transaction_locations keeps every transaction's first location, ended or
// not, for as long as later messages may ask (a late StopTransaction or MeterValues), and never
// changes a row. This table needs the tag, both versions, and ended 2.0.1 rows kept (so a replayed
// event does not make its transaction run again; a 1.6 stop removes its row, see stopped16); its rows end on rules of its own (a 2.0.1 Started
// event on an EVSE ends the EVSE's older transaction, which billing does not do). Merging them
// would couple billing's abandonment to authorization's bookkeeping for no saving.

import { InsertionOrder } from './insertion-order';

/** Rows kept at most (running and recently ended); a charger has a handful of connectors. */
const KEPT_MAX = 200;

/** A transaction D1 shows running on this charger, with the tag it started with. */
export interface RunningToken {
  transactionId: string;
  idTag: string;
  /** -1 when unknown, as `started` keeps it. */
  evseId: number;
  connectorId: number;
}

export class ActiveTokens {
  /** The order rows were noted in (column n). */
  private readonly order: InsertionOrder;

  // The tables are created by the object's schema (schema.ts).
  constructor(private readonly sql: SqlStorage) {
    this.order = new InsertionOrder(sql, 'active_tokens');
  }

  /** False until D1's running transactions were read in, or a boot made that needless. */
  get seeded(): boolean {
    return this.sql.exec('SELECT 1 FROM active_tokens_seeded').toArray().length > 0;
  }

  /**
   * Notes the transactions D1 shows running that this table does not know: a row already here,
   * running or ended, is what this object saw and stays. They count as older than any noted
   * here (since 0), and one on a place where a transaction was noted since is over.
   */
  seed(running: readonly RunningToken[]): void {
    for (const t of running) {
      this.sql.exec(
        'INSERT OR IGNORE INTO active_tokens (transaction_id, id_tag, evse_id, connector_id, since, n) VALUES (?, ?, ?, ?, 0, ?)',
        t.transactionId,
        t.idTag,
        t.evseId,
        t.connectorId,
        this.order.next(),
      );
    }
    this.sql.exec(
      `UPDATE active_tokens AS a SET ended = 1 WHERE a.since = 0 AND a.ended = 0 AND (a.evse_id > 0 OR a.connector_id > 0)
         AND EXISTS (SELECT 1 FROM active_tokens b WHERE b.since > 0 AND b.evse_id = a.evse_id AND b.connector_id = a.connector_id)`,
    );
    this.sql.exec('INSERT OR IGNORE INTO active_tokens_seeded (one) VALUES (1)');
  }

  /**
   * Notes that `transactionId` runs with `idTag` where it says. A transaction still marked
   * running on the same connector is over (the charger could not start another there otherwise:
   * its end was lost).
   */
  started(transactionId: string, idTag: string, where: { evseId: number; connectorId: number } | undefined, nowMs: number): void {
    const evseId = where?.evseId ?? -1;
    const connectorId = where?.connectorId ?? -1;
    if (where && (where.evseId > 0 || where.connectorId > 0)) {
      this.sql.exec(
        // Only rows still running: every row an UPDATE matches is written (and billed), changed or
        // not, and a connector keeps up to KEPT_MAX ended ones.
        'UPDATE active_tokens SET ended = 1 WHERE evse_id = ? AND connector_id = ? AND transaction_id <> ? AND ended = 0',
        evseId,
        connectorId,
        transactionId,
      );
    }
    this.sql.exec(
      'INSERT OR IGNORE INTO active_tokens (transaction_id, id_tag, evse_id, connector_id, since, n) VALUES (?, ?, ?, ?, ?, ?)',
      transactionId,
      idTag,
      evseId,
      connectorId,
      nowMs,
      this.order.next(),
    );
    this.sql.exec(
      'DELETE FROM active_tokens WHERE transaction_id NOT IN (SELECT transaction_id FROM active_tokens ORDER BY since DESC, n DESC LIMIT ?)',
      KEPT_MAX,
    );
  }

  ended(transactionId: string, nowMs: number): void {
    // An end before any start (events out of order) is kept too, so the late start stays ended.
    this.sql.exec(
      `INSERT INTO active_tokens (transaction_id, id_tag, evse_id, connector_id, ended, since, n) VALUES (?, '', -1, -1, 1, ?, ?)
       ON CONFLICT (transaction_id) DO UPDATE SET ended = 1 WHERE ended = 0`,
      transactionId,
      nowMs,
      this.order.next(),
    );
  }

  /**
   * A 1.6 StopTransaction: the row goes, where `ended` would keep it ended (and a start
   * KEPT_MAX sessions later would remove it: a second row written per session, from then on). A
   * 1.6 transaction's id is this object's (transaction-ids.ts): its stop forgets its start key
   * too, so no later message can make it run again and nothing needs to remember it ended. Until
   * D1's running transactions were read in (`seed`), the row is kept ended as before: D1 may not
   * have the stop yet, and must not make it run again.
   */
  stopped16(transactionId: string, nowMs: number): void {
    if (!this.seeded) {
      this.ended(transactionId, nowMs);
      return;
    }
    this.sql.exec('DELETE FROM active_tokens WHERE transaction_id = ?', transactionId);
  }

  /** A boot ends every transaction the charger was running, those D1 knows of included: nothing is left to read in. */
  endAll(): void {
    this.sql.exec('UPDATE active_tokens SET ended = 1 WHERE ended = 0');
    this.sql.exec('INSERT OR IGNORE INTO active_tokens_seeded (one) VALUES (1)');
  }

  /**
   * A running transaction of this tag other than `own`, if there is one. When `own` is already
   * known (a replay, or a later event of it), only transactions noted before it count: its
   * answer stays what it was, and the later one is the concurrent one. Seeded rows (since 0)
   * were running before any noted here.
   */
  runningWith(idTag: string, own: string | undefined): string | undefined {
    return this.sql
      .exec<{ transaction_id: string }>(
        `SELECT transaction_id FROM active_tokens AS a WHERE id_tag = ?1 AND ended = 0 AND (?2 IS NULL OR (transaction_id <> ?2
           AND NOT EXISTS (SELECT 1 FROM active_tokens AS o WHERE o.transaction_id = ?2
             AND (o.since > 0, o.n) <= (a.since > 0, a.n))))
         LIMIT 1`,
        idTag,
        own ?? null,
      )
      .toArray()[0]?.transaction_id;
  }
}
