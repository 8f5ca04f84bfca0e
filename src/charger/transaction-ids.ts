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

/** Start keys remembered: a replay comes within minutes or days, not a thousand transactions later. */
const KEYS_KEPT = 1_000;

export class TransactionIds {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS transaction_ids (
      start_key TEXT PRIMARY KEY,
      transaction_id INTEGER NOT NULL UNIQUE
    )`);
    // One row: the last id handed out. Absent until seeded from D1 (see `seed`).
    sql.exec(`CREATE TABLE IF NOT EXISTS transaction_id_counter (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      last_id INTEGER NOT NULL
    )`);
  }

  /** The id a start with this key was given, if it was. */
  find(startKey: string): number | undefined {
    return this.sql
      .exec<{ transaction_id: number }>('SELECT transaction_id FROM transaction_ids WHERE start_key = ?', startKey)
      .toArray()[0]?.transaction_id;
  }

  /** False until `seed` ran once in this object's life: ids must then continue D1's. */
  get seeded(): boolean {
    return this.sql.exec('SELECT 1 FROM transaction_id_counter').toArray().length > 0;
  }

  /**
   * Continues the numbering D1 knows for this charger: ids handed out before this object
   * numbered them (D1 row ids, so they only grew), and the start keys of running transactions,
   * so that a replay of one of their starts still gets its id. Never moves the counter back.
   */
  seed(lastId: number, running: ReadonlyArray<{ startKey: string; transactionId: number }>): void {
    this.sql.exec(
      `INSERT INTO transaction_id_counter (one, last_id) VALUES (1, ?)
       ON CONFLICT (one) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)`,
      lastId,
    );
    for (const { startKey, transactionId } of running) {
      this.sql.exec('INSERT OR IGNORE INTO transaction_ids (start_key, transaction_id) VALUES (?, ?)', startKey, transactionId);
    }
  }

  /**
   * Gives the start with this key the next id, and keeps both. Synchronous, so the id, the
   * key and the outbox fact the caller appends next commit together.
   */
  assign(startKey: string): number {
    const known = this.find(startKey);
    if (known !== undefined) return known;
    const id = this.sql
      .exec<{ last_id: number }>('UPDATE transaction_id_counter SET last_id = last_id + 1 RETURNING last_id')
      .toArray()[0]?.last_id;
    if (id === undefined) throw new Error('transaction ids were not seeded');
    this.sql.exec('INSERT INTO transaction_ids (start_key, transaction_id) VALUES (?, ?)', startKey, id);
    this.sql.exec('DELETE FROM transaction_ids WHERE transaction_id <= ?', id - KEYS_KEPT);
    return id;
  }
}

