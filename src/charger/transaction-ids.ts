// The 1.6 transactionIds a charger's object hands out, kept in the object's own storage.
//
// OCPP 1.6 lets the CSMS choose a StartTransaction's transactionId, and it only has to be unique
// for that charger. So the charger's object numbers its own transactions instead of asking D1
// for a row id before answering: the answer waits only for the object's storage, and the start
// reaches D1 with the charger's other facts (the 'start16' outbox fact). The API shows this
// number as the transaction's `transactionId`; two chargers may both have a transaction 7.
//
// A replayed StartTransaction (same connector, idTag, meterStart and timestamp: its start key,
// see startKey16 in store/transactions.ts) must get the id the first one got, so keys are kept too.
// Once the transaction's StopTransaction was seen, its key is forgotten: an identical start after
// that is a new session (two real sessions can start in the same second at the same meter
// reading), and gets a new id.
//
// The object also knows which transactions run on which connector (the same row as the key: one
// row written per start, one removed per stop), which is where a StopTransaction's meter values
// (it names no connector) find theirs. A charger that starts a new
// transaction on a connector that has one running left the older one open (it lost it, or its
// StopTransaction never came): the CSMS closes it as abandoned (the 'abandon16' outbox fact;
// store/transactions.ts abandon16Statements). An abandoned transaction is no longer running
// here (running = 0), but keeps its start key: a late StopTransaction for it still applies in D1. A boot is no
// such proof (many chargers send BootNotification on every reconnection and charge on): the
// transactions running then stay running, and are only flagged (the same fact, cause
// BootNotification).

/** Start keys remembered: a replay comes within minutes or days, not a thousand transactions later. */
const KEYS_KEPT = 1_000;

/** A running transaction as seeded from D1. */
export interface RunningTransaction {
  startKey: string;
  transactionId: number;
  connectorId: number;
}

export class TransactionIds {
  // The tables are created by the object's schema (schema.ts).
  constructor(private readonly sql: SqlStorage) {}

  /** The id a start with this key was given, if it was and its transaction was not stopped since. */
  find(startKey: string): number | undefined {
    return this.sql
      .exec<{ transaction_id: number }>('SELECT transaction_id FROM transaction_ids WHERE start_key = ?', startKey)
      .toArray()[0]?.transaction_id;
  }

  /** False until `seed` ran once since this object kept running transactions: ids must continue D1's, and D1's running ones be known. */
  get seeded(): boolean {
    return (
      this.sql.exec('SELECT 1 FROM transaction_id_counter').toArray().length > 0 &&
      this.sql.exec('SELECT 1 FROM transaction_running_seeded').toArray().length > 0
    );
  }

  /**
   * Continues the numbering D1 knows for this charger: ids handed out before this object
   * numbered them (D1 row ids, so they only grew), and its running transactions, so that a
   * replay of one of their starts still gets its id and a newer start closes them.
   * Never moves the counter back.
   */
  seed(lastId: number, running: readonly RunningTransaction[]): void {
    this.sql.exec(
      `INSERT INTO transaction_id_counter (one, last_id) VALUES (1, ?)
       ON CONFLICT (one) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)`,
      lastId,
    );
    for (const { startKey, transactionId, connectorId } of running) {
      // Running, as D1 says: a row this object keeps for the id already (its key, or one kept
      // before running was) stays as it is but runs; otherwise its key is kept, or, should
      // another id hold that key, a key no start has (start keys are never empty).
      const known = this.sql.exec('UPDATE transaction_ids SET running = 1, connector_id = ?2 WHERE transaction_id = ?1 AND running = 0', transactionId, connectorId);
      if (known.rowsWritten > 0 || this.sql.exec('SELECT 1 FROM transaction_ids WHERE transaction_id = ?', transactionId).toArray().length > 0) continue;
      const taken = this.find(startKey) !== undefined;
      this.sql.exec(
        'INSERT INTO transaction_ids (start_key, transaction_id, connector_id, running) VALUES (?, ?, ?, 1)',
        taken ? `#${transactionId}` : startKey,
        transactionId,
        connectorId,
      );
    }
    this.sql.exec('INSERT OR IGNORE INTO transaction_running_seeded (one) VALUES (1)');
  }

  /**
   * Gives the start with this key the next id, keeps both, and notes it running on its
   * connector. Returns the id, and the transactions that were running on that connector: they
   * are abandoned, and no longer running. Synchronous, so the id, the key and the outbox facts
   * the caller appends next commit together.
   */
  assign(startKey: string, connectorId: number): { transactionId: number; abandoned: number[] } {
    const known = this.find(startKey);
    if (known !== undefined) return { transactionId: known, abandoned: [] };
    const id = this.sql
      .exec<{ last_id: number }>('UPDATE transaction_id_counter SET last_id = last_id + 1 RETURNING last_id')
      .toArray()[0]?.last_id;
    if (id === undefined) throw new Error('transaction ids were not seeded');
    const abandoned = this.sql
      .exec<{ transaction_id: number }>(
        'UPDATE transaction_ids SET running = 0 WHERE connector_id = ? AND running = 1 RETURNING transaction_id',
        connectorId,
      )
      .toArray()
      .map((r) => r.transaction_id)
      .sort((a, b) => a - b);
    this.sql.exec('INSERT INTO transaction_ids (start_key, transaction_id, connector_id, running) VALUES (?, ?, ?, 1)', startKey, id, connectorId);
    // Bounded: a charger cannot grow the table by starting on ever new connector ids.
    this.sql.exec('DELETE FROM transaction_ids WHERE transaction_id <= ?', id - KEYS_KEPT);
    return { transactionId: id, abandoned };
  }

  /**
   * The charger stopped this transaction: it no longer runs, and its start key is forgotten,
   * so an identical start from now on is a new session.
   */
  stopped(transactionId: number): void {
    this.sql.exec('DELETE FROM transaction_ids WHERE transaction_id = ?', transactionId);
  }

  /**
   * The connector a transaction this object numbered runs on (or ran on, if abandoned), until its
   * stop: where a 1.6 transaction's location is kept, so a start writes no transaction_locations
   * row (see records.ts transactionLocation).
   */
  connectorOf(transactionId: number): number | undefined {
    return this.sql
      .exec<{ connector_id: number }>('SELECT connector_id FROM transaction_ids WHERE transaction_id = ? LIMIT 1', transactionId)
      .toArray()[0]?.connector_id;
  }

  /** The transactions running, oldest first; they stay running (a boot only flags them). */
  running(): Array<{ transactionId: number; connectorId: number }> {
    return this.sql
      .exec<{ transaction_id: number; connector_id: number }>(
        'SELECT transaction_id, connector_id FROM transaction_ids WHERE running = 1 ORDER BY transaction_id',
      )
      .toArray()
      .map((r) => ({ transactionId: r.transaction_id, connectorId: r.connector_id }));
  }
}
