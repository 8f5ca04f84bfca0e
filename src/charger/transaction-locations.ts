// Where each of a charger's transactions runs (EVSE and connector), remembered in the object's storage.
//
// Later messages do not always say: a 1.6 StopTransaction has no connectorId, and a 2.0.1
// station may leave `evse` out of every TransactionEvent after the first.

const KNOWN_MAX = 1_000;

export interface TransactionLocation {
  evseId: number;
  connectorId: number;
}

export class TransactionLocations {
  /**
   * Locations this instance has read or written: every meter value and transaction event asks,
   * and a storage call costs more than the answer. Locations never change once kept.
   */
  private readonly known = new Map<string, TransactionLocation>();

  // The table is created by the object's schema (schema.ts).
  constructor(private readonly sql: SqlStorage) {}

  /** Keeps the first location reported: a replay that names another one does not move it. */
  remember(transactionId: string, location: TransactionLocation): void {
    if (this.known.has(transactionId)) return;
    this.sql.exec(
      'INSERT OR IGNORE INTO transaction_locations (transaction_id, evse_id, connector_id) VALUES (?, ?, ?)',
      transactionId,
      location.evseId,
      location.connectorId,
    );
    // What the table holds now: this location, or the one a row kept before this instance.
    this.get(transactionId);
  }

  get(transactionId: string): TransactionLocation | undefined {
    const cached = this.known.get(transactionId);
    if (cached) return cached;
    const row = this.sql
      .exec<{ evse_id: number; connector_id: number }>(
        'SELECT evse_id, connector_id FROM transaction_locations WHERE transaction_id = ?',
        transactionId,
      )
      .toArray()[0];
    if (!row) return undefined;
    const location = { evseId: row.evse_id, connectorId: row.connector_id };
    // A map of a charger's transactions, bounded so a long-lived instance does not grow without end.
    if (this.known.size >= KNOWN_MAX) this.known.clear();
    this.known.set(transactionId, location);
    return location;
  }
}
