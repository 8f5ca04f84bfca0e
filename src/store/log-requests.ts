// D1 access for the log and diagnostics uploads the CSMS offers (log_requests); all of its SQL lives here.

export interface NewLogRequest {
  chargerId: string;
  requestId: number;
  action: 'GetLog' | 'GetDiagnostics';
  logType: string | null;
  requestedAt: string;
  expiresAt: string;
}

export interface UploadedFile {
  key: string;
  name: string;
  size: number;
  contentType: string;
  uploadedAt: string;
}

/** One request as the API shows it: what was asked, the charger's answer, its progress and its file. */
export interface LogRequestView {
  requestId: number;
  action: string;
  logType: string | null;
  requestedAt: string;
  expiresAt: string;
  answer: Record<string, unknown> | null;
  /** The latest LogStatusNotification / DiagnosticsStatusNotification status for it, and when it came. */
  status: string | null;
  statusAt: string | null;
  file: { name: string; size: number; contentType: string; uploadedAt: string } | null;
}

type Row = {
  request_id: number;
  action: string;
  log_type: string | null;
  requested_at: string;
  expires_at: string;
  answer: string | null;
  file_key: string | null;
  file_name: string | null;
  file_size: number | null;
  content_type: string | null;
  uploaded_at: string | null;
  status_payload: string | null;
};

/**
 * The latest status notification for a request. GetLog's LogStatusNotification carries the
 * requestId; 1.6 DiagnosticsStatusNotification carries none, so it belongs to the charger's
 * latest GetDiagnostics request made before it arrived (a charger runs one upload at a time).
 */
const LATEST_STATUS = `
  SELECT json_array(json_extract(r.payload, '$.status'), r.received_at) FROM charger_reports r
  WHERE r.charger_id = l.charger_id AND (
    (l.action = 'GetLog' AND r.action = 'LogStatusNotification' AND r.request_id = l.request_id)
    OR (l.action = 'GetDiagnostics' AND r.action = 'DiagnosticsStatusNotification' AND r.received_at >= l.requested_at
        AND r.received_at < COALESCE((SELECT MIN(n.requested_at) FROM log_requests n
                                      WHERE n.charger_id = l.charger_id AND n.action = 'GetDiagnostics' AND n.requested_at > l.requested_at), '9999')))
  ORDER BY r.id DESC LIMIT 1`;

export class LogRequestStore {
  constructor(private readonly db: D1Database) {}

  /** Records a request before it is sent; false when the charger already has one with this requestId. */
  async insert(request: NewLogRequest): Promise<boolean> {
    const result = await this.db
      .prepare(
        `INSERT OR IGNORE INTO log_requests (charger_id, request_id, action, log_type, requested_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
      )
      .bind(request.chargerId, request.requestId, request.action, request.logType, request.requestedAt, request.expiresAt)
      .run();
    return result.meta.changes > 0;
  }

  /** The charger's answer to the request (its status and file name), redacted as command answers are. */
  async recordAnswer(chargerId: string, requestId: number, answer: unknown): Promise<void> {
    await this.db
      .prepare('UPDATE log_requests SET answer = ?3 WHERE charger_id = ?1 AND request_id = ?2')
      .bind(chargerId, requestId, JSON.stringify(answer))
      .run();
  }

  /** A request that was never sent (refused before it left) leaves no row behind. */
  async remove(chargerId: string, requestId: number): Promise<void> {
    await this.db.prepare('DELETE FROM log_requests WHERE charger_id = ?1 AND request_id = ?2 AND file_key IS NULL').bind(chargerId, requestId).run();
  }

  /** Whether the request exists, and until when it takes uploads. */
  async expiry(chargerId: string, requestId: number): Promise<string | null> {
    const row = await this.db
      .prepare('SELECT expires_at FROM log_requests WHERE charger_id = ?1 AND request_id = ?2')
      .bind(chargerId, requestId)
      .first<{ expires_at: string }>();
    return row?.expires_at ?? null;
  }

  /** Links the uploaded file to its request (a later upload to the same URL replaces the link). */
  async recordUpload(chargerId: string, requestId: number, file: UploadedFile): Promise<void> {
    await this.db
      .prepare(
        `UPDATE log_requests SET file_key = ?3, file_name = ?4, file_size = ?5, content_type = ?6, uploaded_at = ?7
         WHERE charger_id = ?1 AND request_id = ?2`,
      )
      .bind(chargerId, requestId, file.key, file.name, file.size, file.contentType, file.uploadedAt)
      .run();
  }

  /** The uploaded file of a request: undefined when there is no such request, null when nothing arrived yet. */
  async file(chargerId: string, requestId: number): Promise<UploadedFile | null | undefined> {
    const row = await this.db
      .prepare('SELECT * FROM log_requests WHERE charger_id = ?1 AND request_id = ?2')
      .bind(chargerId, requestId)
      .first<Row>();
    if (!row) return undefined;
    if (row.file_key === null) return null;
    return { key: row.file_key, name: row.file_name ?? '', size: row.file_size ?? 0, contentType: row.content_type ?? '', uploadedAt: row.uploaded_at ?? '' };
  }

  /** A charger's requests, newest first, `limit` at a time; null when `cursor` is not one of ours. */
  async list(chargerId: string, limit: number, cursor?: string): Promise<{ logs: LogRequestView[]; nextCursor: string | null } | null> {
    // The cursor is the last row's requested_at and requestId.
    let after: { at: string; id: number } | null = null;
    if (cursor !== undefined) {
      const match = /^(.+)~(-?\d+)$/.exec(cursor);
      if (!match) return null;
      after = { at: match[1]!, id: Number(match[2]) };
    }
    const { results } = await this.db
      .prepare(
        `SELECT l.*, (${LATEST_STATUS}) AS status_payload FROM log_requests l
         WHERE l.charger_id = ?1 AND (?2 IS NULL OR l.requested_at < ?2 OR (l.requested_at = ?2 AND l.request_id < ?3))
         ORDER BY l.requested_at DESC, l.request_id DESC LIMIT ?4`,
      )
      .bind(chargerId, after?.at ?? null, after?.id ?? 0, limit + 1)
      .all<Row>();
    const page = results.slice(0, limit);
    const last = page[page.length - 1];
    return {
      logs: page.map(toView),
      nextCursor: results.length > limit && last ? `${last.requested_at}~${last.request_id}` : null,
    };
  }
}

function toView(row: Row): LogRequestView {
  let status: string | null = null;
  let statusAt: string | null = null;
  if (row.status_payload !== null) {
    [status, statusAt] = JSON.parse(row.status_payload) as [string | null, string];
  }
  return {
    requestId: row.request_id,
    action: row.action,
    logType: row.log_type,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    answer: row.answer === null ? null : (JSON.parse(row.answer) as Record<string, unknown>),
    status,
    statusAt,
    file:
      row.file_key === null
        ? null
        : { name: row.file_name ?? '', size: row.file_size ?? 0, contentType: row.content_type ?? '', uploadedAt: row.uploaded_at ?? '' },
  };
}
