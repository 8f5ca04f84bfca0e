// Which transactions' ends this charger's object has announced, so that only the first is announced as their end.
//
// A charger may send a transaction's end more than once: a replayed 1.6 StopTransaction, a
// second one with another meterStop, a 2.0.1 Ended sent again with another seqNo. D1 keeps the
// first stop and flags the others (store/transactions.ts); the events queue must not tell a
// consumer otherwise. Only the first end the object sees for a transaction is a plain
// `transaction.ended`; the others carry `duplicate: true` (events.ts). Kept in the object's own
// storage, so hibernation does not forget it.

import { InsertionOrder } from './insertion-order';

/** Ends remembered: a repeated end comes within minutes or days, not a thousand transactions later. */
const KEPT_MAX = 1_000;

export class TransactionEnds {
  /** The order ends were noted in (column n). */
  private readonly order: InsertionOrder;

  // The table is created by the object's schema (schema.ts).
  constructor(private readonly sql: SqlStorage) {
    this.order = new InsertionOrder(sql, 'transaction_ends');
  }

  /** Notes an end of `transactionId`; true when it is the first this object saw. Synchronous. */
  first(transactionId: string): boolean {
    const added = this.sql
      .exec('INSERT OR IGNORE INTO transaction_ends (transaction_id, n) VALUES (?, ?) RETURNING transaction_id', transactionId, this.order.next())
      .toArray().length;
    if (added === 0) return false;
    this.sql.exec(
      'DELETE FROM transaction_ends WHERE transaction_id NOT IN (SELECT transaction_id FROM transaction_ends ORDER BY n DESC LIMIT ?)',
      KEPT_MAX,
    );
    return true;
  }
}
