// Which tag each of a charger's running transactions was started with, in the object's storage:
// what CONCURRENT_TX=reject answers ConcurrentTx from.
//
// The scope is this charger: its object sees every start and end of its own transactions at
// once, in order. Another charger's transactions reach D1 only with that charger's next flush
// (seconds to FLUSH_DELAY_SECONDS later), so a fleet-wide check on D1 would be neither
// immediate nor reliable; it is not attempted.

/** Rows kept at most (running and recently ended); a charger has a handful of connectors. */
const KEPT_MAX = 200;

export class ActiveTokens {
  constructor(private readonly sql: SqlStorage) {
    // A row stays after its transaction ended (ended = 1), so that an event of that transaction
    // replayed later does not make it running again.
    sql.exec(`CREATE TABLE IF NOT EXISTS active_tokens (
      transaction_id TEXT PRIMARY KEY,
      id_tag TEXT NOT NULL COLLATE NOCASE,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      since INTEGER NOT NULL
    )`);
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
        'UPDATE active_tokens SET ended = 1 WHERE evse_id = ? AND connector_id = ? AND transaction_id <> ?',
        evseId,
        connectorId,
        transactionId,
      );
    }
    this.sql.exec(
      'INSERT OR IGNORE INTO active_tokens (transaction_id, id_tag, evse_id, connector_id, since) VALUES (?, ?, ?, ?, ?)',
      transactionId,
      idTag,
      evseId,
      connectorId,
      nowMs,
    );
    this.sql.exec(
      'DELETE FROM active_tokens WHERE rowid NOT IN (SELECT rowid FROM active_tokens ORDER BY since DESC LIMIT ?)',
      KEPT_MAX,
    );
  }

  ended(transactionId: string, nowMs: number): void {
    // An end before any start (events out of order) is kept too, so the late start stays ended.
    this.sql.exec(
      `INSERT INTO active_tokens (transaction_id, id_tag, evse_id, connector_id, ended, since) VALUES (?, '', -1, -1, 1, ?)
       ON CONFLICT (transaction_id) DO UPDATE SET ended = 1`,
      transactionId,
      nowMs,
    );
  }

  /** A boot ends every transaction the charger was running. */
  endAll(): void {
    this.sql.exec('UPDATE active_tokens SET ended = 1');
  }

  /**
   * A running transaction of this tag other than `own`, if there is one. When `own` is already
   * known (a replay, or a later event of it), only transactions noted before it count: its
   * answer stays what it was, and the later one is the concurrent one.
   */
  runningWith(idTag: string, own: string | undefined): string | undefined {
    return this.sql
      .exec<{ transaction_id: string }>(
        `SELECT transaction_id FROM active_tokens WHERE id_tag = ?1 AND ended = 0 AND (?2 IS NULL OR (transaction_id <> ?2
           AND rowid < COALESCE((SELECT rowid FROM active_tokens WHERE transaction_id = ?2), 9223372036854775807)))
         LIMIT 1`,
        idTag,
        own ?? null,
      )
      .toArray()[0]?.transaction_id;
  }
}
