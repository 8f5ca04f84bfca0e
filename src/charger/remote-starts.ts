// Tokens an operator sent in a remote start, remembered by the charger's object for a while.
//
// After a 1.6 RemoteStartTransaction or 2.0.1 RequestStartTransaction the charger may ask about
// the token (Authorize, when AuthorizeRemoteTxRequests / AuthorizeRemoteStart is true) and
// reports it in the transaction's start. The operator chose to start that token here, so such
// a token is Accepted on this charger even when id_tags does not know it, for
// REMOTE_START_TOKEN_SECONDS after the command was sent. A token id_tags knows keeps its own
// status: a remote start does not lift a Blocked tag. Kept apart from the id tag cache, which
// holds only what D1 says, and never written to D1.

/** At most this many remembered at once; a charger starts a handful of sessions at a time. */
const KEPT_MAX = 100;

export interface RemoteStartToken {
  idTag: string;
  /** The 2.0.1 IdTokenEnumType; null for 1.6. */
  type: string | null;
}

/** The token a remote start command carries, if `action` is one. */
export function remoteStartToken(action: string, request: unknown): RemoteStartToken | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const payload = request as { idTag?: unknown; idToken?: { idToken?: unknown; type?: unknown } };
  if (action === 'RemoteStartTransaction' && typeof payload.idTag === 'string') return { idTag: payload.idTag, type: null };
  if (action === 'RequestStartTransaction' && typeof payload.idToken?.idToken === 'string' && typeof payload.idToken.type === 'string') {
    return { idTag: payload.idToken.idToken, type: payload.idToken.type };
  }
  return undefined;
}

export class RemoteStarts {
  constructor(private readonly sql: SqlStorage) {
    // Tokens compare without regard to case, as id_tags does; '' is the type of a 1.6 idTag.
    sql.exec(`CREATE TABLE IF NOT EXISTS remote_start_tokens (
      id_tag TEXT NOT NULL COLLATE NOCASE,
      token_type TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (id_tag, token_type)
    )`);
  }

  /** Remembers the token until `expiresAt` (ms), dropping what has expired. */
  remember(token: RemoteStartToken, nowMs: number, expiresAt: number): void {
    this.sql.exec('DELETE FROM remote_start_tokens WHERE expires_at <= ?', nowMs);
    this.sql.exec(
      'INSERT OR REPLACE INTO remote_start_tokens (id_tag, token_type, expires_at) VALUES (?, ?, ?)',
      token.idTag,
      token.type ?? '',
      expiresAt,
    );
    this.sql.exec(
      `DELETE FROM remote_start_tokens WHERE rowid NOT IN
         (SELECT rowid FROM remote_start_tokens ORDER BY expires_at DESC LIMIT ?)`,
      KEPT_MAX,
    );
  }

  /** The charger refused the remote start: the token is not let through. */
  forget(token: RemoteStartToken): void {
    this.sql.exec('DELETE FROM remote_start_tokens WHERE id_tag = ? AND token_type = ?', token.idTag, token.type ?? '');
  }

  /**
   * When the remote start's permission for this presented token ends (ms), if it has not yet.
   * A 2.0.1 token matches on (idToken, type), as the charger presents what it was sent; a 1.6
   * idTag (no type) on its text.
   */
  expiry(idTag: string, type: string | undefined, nowMs: number): number | undefined {
    const row = this.sql
      .exec<{ expires_at: number }>(
        'SELECT MAX(expires_at) AS expires_at FROM remote_start_tokens WHERE id_tag = ? AND (? IS NULL OR token_type = ?) AND expires_at > ?',
        idTag,
        type ?? null,
        type ?? null,
        nowMs,
      )
      .toArray()[0];
    return row?.expires_at ?? undefined;
  }
}
