// The remote starts the CSMS sent a charger, as sent, kept in the charger's object: what lets their
// token through, and what names the token of a 2.0.1 transaction they started.
//
// After a 1.6 RemoteStartTransaction or 2.0.1 RequestStartTransaction the charger may ask about
// the token (Authorize, when AuthorizeRemoteTxRequests / AuthorizeRemoteStart is true) and
// reports it in the transaction's start. The operator chose to start that token here, so such
// a token is Accepted on this charger even when id_tags does not know it: for
// REMOTE_START_TOKEN_SECONDS after the command was sent, at the connector / EVSE the request
// named (any, when it named none), and for one transaction: the start it let through uses it up
// (a second start with the same token is Invalid again), while that transaction's own later
// messages (a replayed start, its events, its end) stay Accepted. A token id_tags knows keeps its
// own status: a remote start does not lift a Blocked tag. Kept apart from the id tag cache, which
// holds only what D1 says, and never written to D1.
//
// A 2.0.1 station that starts a transaction on request names the request's remoteStartId in its
// TransactionEvents, but may leave the idToken out of them: the transaction is still the token's,
// and its events are linked to it here (charger/records.ts puts it on the event fact). So a
// request is kept after its permission ended, up to KEPT_MAX requests.

/** Requests kept at most, newest first; a transaction follows its request within minutes. */
const KEPT_MAX = 500;

/** A remote start as the CSMS sends it. */
export interface RemoteStartRequest {
  idTag: string;
  /** The 2.0.1 IdTokenEnumType; null for 1.6. */
  type: string | null;
  /** 2.0.1: the id the station names in the transaction it starts. */
  remoteStartId?: number;
  /** 1.6: the connector the request named. */
  connectorId?: number;
  /** 2.0.1: the EVSE the request named. */
  evseId?: number;
}

/** The request a remote start command carries, if `action` is one. */
export function remoteStartRequest(action: string, request: unknown): RemoteStartRequest | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const payload = request as {
    idTag?: unknown;
    connectorId?: unknown;
    idToken?: { idToken?: unknown; type?: unknown };
    remoteStartId?: unknown;
    evseId?: unknown;
  };
  // A connector or EVSE 0 (or none) names no place: the charger chooses.
  const place = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
  if (action === 'RemoteStartTransaction' && typeof payload.idTag === 'string') {
    return { idTag: payload.idTag, type: null, connectorId: place(payload.connectorId) };
  }
  if (action === 'RequestStartTransaction' && typeof payload.idToken?.idToken === 'string' && typeof payload.idToken.type === 'string') {
    return {
      idTag: payload.idToken.idToken,
      type: payload.idToken.type,
      remoteStartId: typeof payload.remoteStartId === 'number' ? payload.remoteStartId : undefined,
      evseId: place(payload.evseId),
    };
  }
  return undefined;
}

/** A token as a charger presents it, and where. */
export interface PresentedRemoteToken {
  idTag: string;
  /** 2.0.1: matched with the type sent, as the station presents what it was sent; 1.6: any. */
  type?: string;
  /** The transaction it starts, runs or ends; undefined for Authorize. */
  transactionId?: string;
  /** Where the transaction runs, when known: a request that named a place matches only there. */
  evseId?: number;
  connectorId?: number;
  /** 2.0.1: the remoteStartId the transaction names; that request is preferred. */
  remoteStartId?: number;
}

/** A request whose permission speaks for a presented token. */
export interface RemoteStartPermission {
  requestId: number;
  /** When the permission ends (ms): the expiry to give the charger's cache. */
  expiresAt: number;
  /** True when the transaction presenting it has already used it up (its own later message). */
  own: boolean;
}

export class RemoteStarts {
  // The table is created by the object's schema (schema.ts): one row per request sent.
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Keeps a remote start about to be sent, its permission lasting until `expiresAt` (ms): before
   * it leaves, as the charger may ask about the token (Authorize) or start, and its answer be lost
   * or late. Returns the request's id, for `refused`.
   */
  remember(request: RemoteStartRequest, nowMs: number, expiresAt: number): number {
    const id = this.sql
      .exec<{ request_id: number }>(
        `INSERT INTO remote_starts (id_tag, token_type, remote_start_id, evse_id, connector_id, sent_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING request_id`,
        request.idTag,
        request.type ?? '',
        request.remoteStartId ?? null,
        request.evseId ?? null,
        request.connectorId ?? null,
        nowMs,
        expiresAt,
      )
      .one().request_id;
    this.sql.exec('DELETE FROM remote_starts WHERE request_id <= ?', id - KEPT_MAX);
    return id;
  }

  /** The charger refused this request: it lets nothing through. Other requests for the token keep theirs. */
  refused(requestId: number): void {
    this.sql.exec('UPDATE remote_starts SET refused = 1 WHERE request_id = ?', requestId);
  }

  /**
   * The request whose permission speaks for this presented token, if one does: one its
   * transaction already used up, else one still unused, not refused, not past its time, for
   * this place (`anywhere`: Authorize, or an end, which name no place to start). A 2.0.1 token
   * matches on (idToken, type), as the charger presents what it was sent; a 1.6 idTag (no type)
   * on its text.
   */
  permission(token: PresentedRemoteToken, nowMs: number, anywhere: boolean): RemoteStartPermission | undefined {
    const type = token.type ?? null;
    if (token.transactionId !== undefined) {
      const own = this.sql
        .exec<{ request_id: number; expires_at: number }>(
          `SELECT request_id, expires_at FROM remote_starts
           WHERE used_by = ? AND id_tag = ? AND (?3 IS NULL OR token_type = ?3) ORDER BY request_id LIMIT 1`,
          token.transactionId,
          token.idTag,
          type,
        )
        .toArray()[0];
      if (own) return { requestId: own.request_id, expiresAt: own.expires_at, own: true };
    }
    // A request for this place comes before one for anywhere, then the one the transaction names, then the oldest.
    const row = this.sql
      .exec<{ request_id: number; expires_at: number }>(
        `SELECT request_id, expires_at FROM remote_starts
         WHERE id_tag = ?1 AND (?2 IS NULL OR token_type = ?2) AND used_by IS NULL AND refused = 0 AND expires_at > ?3
           AND (?4 OR ((evse_id IS NULL OR evse_id = ?5) AND (connector_id IS NULL OR connector_id = ?6)))
         ORDER BY (evse_id IS NULL AND connector_id IS NULL), CASE WHEN remote_start_id = ?7 THEN 0 ELSE 1 END, request_id
         LIMIT 1`,
        token.idTag,
        type,
        nowMs,
        anywhere ? 1 : 0,
        token.evseId ?? null,
        token.connectorId ?? null,
        token.remoteStartId ?? null,
      )
      .toArray()[0];
    return row && { requestId: row.request_id, expiresAt: row.expires_at, own: false };
  }

  /** The transaction this request let start has used its permission up. */
  use(requestId: number, transactionId: string): void {
    this.sql.exec('UPDATE remote_starts SET used_by = ? WHERE request_id = ? AND used_by IS NULL', transactionId, requestId);
  }

  /**
   * The token sent with this remoteStartId, if the CSMS sent one: a request the charger did not
   * refuse before one it did, the latest first (a remoteStartId used again names the latest
   * request's token). The transaction naming it has used that request's permission up.
   */
  /** The token `startedBy` would give, without using the request up (read only). */
  tokenOf(remoteStartId: number): string | undefined {
    return this.sql
      .exec<{ id_tag: string }>('SELECT id_tag FROM remote_starts WHERE remote_start_id = ? ORDER BY refused, request_id DESC LIMIT 1', remoteStartId)
      .toArray()[0]?.id_tag;
  }

  startedBy(remoteStartId: number, transactionId: string): string | undefined {
    const row = this.sql
      .exec<{ request_id: number; id_tag: string }>(
        'SELECT request_id, id_tag FROM remote_starts WHERE remote_start_id = ? ORDER BY refused, request_id DESC LIMIT 1',
        remoteStartId,
      )
      .toArray()[0];
    if (!row) return undefined;
    this.use(row.request_id, transactionId);
    return row.id_tag;
  }
}

/**
 * Objects from before remote_starts kept permissions (remote_start_tokens) and remoteStartId links
 * (remote_start_links) apart: both are carried over once, as they were (a permission tied to no
 * place; a link whose permission has ended), and the old tables dropped. Run by the schema's
 * first migration (schema.ts), after remote_starts exists.
 */
export function carryOverRemoteStartTables(sql: SqlStorage): void {
  const old = new Set(
    sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('remote_start_links', 'remote_start_tokens')`)
      .toArray()
      .map((r) => r.name),
  );
  if (old.has('remote_start_links')) {
    sql.exec(
      `INSERT INTO remote_starts (id_tag, token_type, remote_start_id, sent_at, expires_at)
       SELECT id_token, '', remote_start_id, sent_at, 0 FROM remote_start_links ORDER BY sent_at`,
    );
    sql.exec('DROP TABLE remote_start_links');
  }
  if (old.has('remote_start_tokens')) {
    sql.exec(
      `INSERT INTO remote_starts (id_tag, token_type, sent_at, expires_at)
       SELECT id_tag, token_type, expires_at, expires_at FROM remote_start_tokens ORDER BY expires_at`,
    );
    sql.exec('DROP TABLE remote_start_tokens');
  }
}
