// Where each of a charger's transactions runs (EVSE and connector), remembered in the object's storage.
//
// Later messages do not always say: a 1.6 StopTransaction has no connectorId, and a 2.0.1
// station may leave `evse` out of every TransactionEvent after the first.

export interface TransactionLocation {
  evseId: number;
  connectorId: number;
}

export class TransactionLocations {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS transaction_locations (
      transaction_id TEXT PRIMARY KEY,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL
    )`);
  }

  /** Keeps the first location reported: a replay that names another one does not move it. */
  remember(transactionId: string, location: TransactionLocation): void {
    this.sql.exec(
      'INSERT OR IGNORE INTO transaction_locations (transaction_id, evse_id, connector_id) VALUES (?, ?, ?)',
      transactionId,
      location.evseId,
      location.connectorId,
    );
  }

  get(transactionId: string): TransactionLocation | undefined {
    const row = this.sql
      .exec<{ evse_id: number; connector_id: number }>(
        'SELECT evse_id, connector_id FROM transaction_locations WHERE transaction_id = ?',
        transactionId,
      )
      .toArray()[0];
    return row ? { evseId: row.evse_id, connectorId: row.connector_id } : undefined;
  }
}
