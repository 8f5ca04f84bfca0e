// The idTokens the CSMS sent in 2.0.1 RequestStartTransaction, by remoteStartId, kept in the object's storage.
//
// A station that starts a transaction on request names the request's remoteStartId in its
// TransactionEvents, but may leave the idToken out of them: the transaction is still the
// token's, and its events are linked to it here (charger/records.ts puts it on the event fact).

/** Remote starts remembered; the oldest are forgotten past this (a transaction follows its request within minutes). */
const KEPT = 500;

export class RemoteStartLinks {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS remote_start_links (
      remote_start_id INTEGER PRIMARY KEY,
      id_token TEXT NOT NULL,
      sent_at INTEGER NOT NULL
    )`);
  }

  /**
   * Keeps the token of a RequestStartTransaction about to be sent: before it leaves, so a start
   * the charger makes after an answer that is lost or late is still linked. A remoteStartId
   * used again names the latest request's token.
   */
  rememberRequest(action: string, request: unknown): void {
    if (action !== 'RequestStartTransaction' || typeof request !== 'object' || request === null) return;
    const { remoteStartId, idToken } = request as { remoteStartId?: unknown; idToken?: { idToken?: unknown } };
    if (typeof remoteStartId !== 'number' || typeof idToken?.idToken !== 'string') return;
    this.sql.exec(
      'INSERT OR REPLACE INTO remote_start_links (remote_start_id, id_token, sent_at) VALUES (?, ?, ?)',
      remoteStartId,
      idToken.idToken,
      Date.now(),
    );
    this.sql.exec(
      'DELETE FROM remote_start_links WHERE remote_start_id NOT IN (SELECT remote_start_id FROM remote_start_links ORDER BY sent_at DESC LIMIT ?)',
      KEPT,
    );
  }

  /** The token sent with this remoteStartId, if the CSMS sent one. */
  token(remoteStartId: number): string | undefined {
    return this.sql
      .exec<{ id_token: string }>('SELECT id_token FROM remote_start_links WHERE remote_start_id = ?', remoteStartId)
      .toArray()[0]?.id_token;
  }
}
