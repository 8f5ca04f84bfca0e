// D1 access for the audit log (migration 0041): who changed what through the API; all of its SQL lives here.

export interface AuditEntry {
  at: string;
  actor: { kind: 'token' | 'access'; id: string; email?: string };
  method: string;
  route: string | null;
  path: string;
  target: Record<string, string>;
  status: number;
  requestId: string;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

export interface AuditQuery {
  /** An actor's id (a token id, `root`, an Access `sub`) or an Access user's email. */
  actor?: string;
  from?: string;
  to?: string;
  method?: string;
  /** Paths starting with this. */
  pathPrefix?: string;
  limit: number;
  cursor?: string;
}

type Row = {
  id: number;
  at: string;
  actor_kind: 'token' | 'access';
  actor_id: string;
  actor_email: string | null;
  method: string;
  route: string | null;
  path: string;
  target: string;
  status: number;
  request_id: string;
};

export class AuditLogStore {
  constructor(private readonly db: D1Database) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO audit_log (at, actor_kind, actor_id, actor_email, method, route, path, target, status, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        entry.at,
        entry.actor.kind,
        entry.actor.id,
        entry.actor.email ?? null,
        entry.method,
        entry.route,
        entry.path,
        JSON.stringify(entry.target),
        entry.status,
        entry.requestId,
      )
      .run();
  }

  /** A page newest first; null when the cursor is not one this gave. */
  async list(query: AuditQuery): Promise<{ entries: AuditRecord[]; nextCursor: string | null } | null> {
    const before = query.cursor === undefined ? null : Number(query.cursor);
    if (before !== null && (!Number.isInteger(before) || before < 1)) return null;
    const { results } = await this.db
      .prepare(
        `SELECT * FROM audit_log
          WHERE (?1 IS NULL OR actor_id = ?1 OR actor_email = lower(?1))
            AND at >= ?2 AND at < ?3
            AND (?4 IS NULL OR method = ?4)
            AND (?5 IS NULL OR substr(path, 1, length(?5)) = ?5)
            AND (?6 IS NULL OR id < ?6)
          ORDER BY id DESC LIMIT ?7`,
      )
      .bind(query.actor ?? null, query.from ?? '', query.to ?? '9999', query.method ?? null, query.pathPrefix ?? null, before, query.limit + 1)
      .all<Row>();
    const page = results.slice(0, query.limit);
    return {
      entries: page.map(toRecord),
      nextCursor: results.length > query.limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}

function toRecord(row: Row): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, ...(row.actor_email ? { email: row.actor_email } : {}) },
    method: row.method,
    route: row.route,
    path: row.path,
    target: JSON.parse(row.target) as Record<string, string>,
    status: row.status,
    requestId: row.request_id,
  };
}
