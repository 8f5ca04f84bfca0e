// Which transactions' ends this charger's object has announced, so that only the first is announced as their end.
//
// A charger may send a transaction's end more than once: a replayed 1.6 StopTransaction, a
// second one with another meterStop, a 2.0.1 Ended sent again with another seqNo. D1 keeps the
// first stop and flags the others (store/transactions.ts); the events queue must not tell a
// consumer otherwise. Only the first end the object sees for a transaction is a plain
// `transaction.ended`; the others carry `duplicate: true` (events.ts). Kept in the object's own
// storage, so hibernation does not forget it.

/** Ends remembered: a repeated end comes within minutes or days, not a thousand transactions later. */
const KEPT_MAX = 1_000;

export class TransactionEnds {
  /**
   * The order ends were noted in (column n), as this instance last gave it: read once, then
   * counted here (only this object writes its table). The table has no rowid to keep that order:
   * keyed by transaction id WITHOUT ROWID, a new row is one row written, not two (row and key).
   */
  private lastNoted: number | undefined;

  // The table is created by the object's schema (schema.ts).
  constructor(private readonly sql: SqlStorage) {}

  /** Notes an end of `transactionId`; true when it is the first this object saw. Synchronous. */
  first(transactionId: string): boolean {
    this.lastNoted ??= this.sql.exec<{ n: number }>('SELECT COALESCE(MAX(n), 0) AS n FROM transaction_ends').one().n;
    const added = this.sql
      .exec('INSERT OR IGNORE INTO transaction_ends (transaction_id, n) VALUES (?, ?) RETURNING transaction_id', transactionId, this.lastNoted + 1)
      .toArray().length;
    if (added === 0) return false;
    this.lastNoted += 1;
    this.sql.exec(
      'DELETE FROM transaction_ends WHERE transaction_id NOT IN (SELECT transaction_id FROM transaction_ends ORDER BY n DESC LIMIT ?)',
      KEPT_MAX,
    );
    return true;
  }
}
