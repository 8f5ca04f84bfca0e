// Which 2.0.1 transaction runs on each EVSE of a charger, kept in the object's own storage.
//
// An EVSE delivers energy to one EV at a time (OCPP 2.0.1 Part 1, the EVSE), so a Started event
// of a new transaction on an EVSE where another one still runs is proof that the older one ended:
// the charger lost its Ended, or will send it late. The CSMS then closes the older one as
// abandoned (the 'abandon201' outbox fact; store/transactions.ts abandon201Statements), like a
// 1.6 StartTransaction on a busy connector (transaction-ids.ts). The object sees every event of
// its charger in arrival order, so it decides this at once and in that order; D1 only sees batches.
//
// A row stays once its transaction ended or was abandoned, so that a replay of its Started (a
// transaction already known) is never "new" and never closes the one that followed it. Only
// transactions whose events this object saw are known: one D1 holds from before is not closed.
// A BootNotification leaves 2.0.1 transactions as they are: they end by their own Ended event
// (a 2.0.1 charger keeps its transaction events through a reboot), or by a newer Started here.

import { InsertionOrder } from './insertion-order';

/** Rows kept: running and recently ended transactions; a charger has a handful of EVSEs. */
const KEPT_MAX = 1_000;

/** Transactions remembered in memory as having a row: the few a charger's events name at a time. */
const REMEMBERED_MAX = 64;

export class EvseTransactions {
  /**
   * Transactions this instance knows have a row, so that an Updated event (most of a session's
   * messages) costs no read. Forgotten whenever the table is trimmed, which may remove any.
   */
  private readonly known = new Set<string>();

  /** The order rows were added in (column n). */
  private readonly order: InsertionOrder;

  // The table is created by the object's schema (schema.ts).
  constructor(private readonly sql: SqlStorage) {
    this.order = new InsertionOrder(sql, 'evse_transactions_201');
  }

  /**
   * Notes an event of `transactionId` on `evseId` (undefined when neither the event nor an
   * earlier one named it). A Started of a transaction not known before ends the others still
   * running on that EVSE: returns them, oldest first (nothing for any other event, or a
   * transaction already known). Synchronous, so the outbox facts the caller appends next commit
   * with it.
   */
  noted(transactionId: string, eventType: 'Started' | 'Updated' | 'Ended', evseId: number | undefined): string[] {
    const known =
      this.known.has(transactionId) ||
      this.sql.exec('SELECT 1 FROM evse_transactions_201 WHERE transaction_id = ?', transactionId).toArray().length > 0;
    if (eventType === 'Ended') {
      this.sql.exec(
        `INSERT INTO evse_transactions_201 (transaction_id, evse_id, ended, n) VALUES (?, ?, 1, ?)
         ON CONFLICT (transaction_id) DO UPDATE SET ended = 1`,
        transactionId,
        evseId ?? -1,
        this.order.next(),
      );
      this.remember(transactionId);
      return [];
    }
    if (known) this.remember(transactionId);
    if (known || evseId === undefined || evseId <= 0) return [];
    const abandoned =
      eventType === 'Started'
        ? this.sql
            .exec<{ transaction_id: string; n: number }>(
              'UPDATE evse_transactions_201 SET ended = 1 WHERE evse_id = ? AND ended = 0 RETURNING transaction_id, n',
              evseId,
            )
            .toArray()
            .sort((a, b) => a.n - b.n)
            .map((r) => r.transaction_id)
        : [];
    this.sql.exec('INSERT INTO evse_transactions_201 (transaction_id, evse_id, n) VALUES (?, ?, ?)', transactionId, evseId, this.order.next());
    const trimmed = this.sql.exec(
      'DELETE FROM evse_transactions_201 WHERE transaction_id NOT IN (SELECT transaction_id FROM evse_transactions_201 ORDER BY n DESC LIMIT ?)',
      KEPT_MAX,
    ).rowsWritten;
    if (trimmed > 0) this.known.clear();
    this.remember(transactionId);
    return abandoned;
  }

  /**
   * What this object knows of the transactions: those running, with their EVSE, and the ids of
   * those that ended here (which D1, a batch behind, may still show running).
   */
  snapshot(): { running: Array<{ transactionId: string; evseId: number }>; ended: Set<string> } {
    const rows = this.sql
      .exec<{ transaction_id: string; evse_id: number; ended: number }>('SELECT transaction_id, evse_id, ended FROM evse_transactions_201')
      .toArray();
    return {
      running: rows.filter((r) => r.ended === 0).map((r) => ({ transactionId: r.transaction_id, evseId: r.evse_id })),
      ended: new Set(rows.filter((r) => r.ended !== 0).map((r) => r.transaction_id)),
    };
  }

  private remember(transactionId: string): void {
    if (this.known.size >= REMEMBERED_MAX) this.known.clear();
    this.known.add(transactionId);
  }
}
