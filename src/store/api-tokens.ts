// D1 access for operator API tokens; all of their SQL lives here.

import type { Scope } from '../api/scopes';

export interface ApiTokenRecord {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

type Row = {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
};

export class ApiTokenStore {
  constructor(private readonly db: D1Database) {}

  async create(token: { id: string; name: string; scopes: Scope[]; secretHash: string }, now: string): Promise<ApiTokenRecord> {
    await this.db
      .prepare('INSERT INTO api_tokens (id, name, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(token.id, token.name, token.scopes.join(','), token.secretHash, now)
      .run();
    return { id: token.id, name: token.name, scopes: token.scopes, createdAt: now, revokedAt: null, lastUsedAt: null };
  }

  /** The token and its secret's hash, for checking a request; null when unknown. */
  async forCheck(id: string): Promise<(ApiTokenRecord & { secretHash: string }) | null> {
    const row = await this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').bind(id).first<Row>();
    return row ? { ...toRecord(row), secretHash: row.secret_hash } : null;
  }

  async list(): Promise<ApiTokenRecord[]> {
    const { results } = await this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at DESC').all<Row>();
    return results.map(toRecord);
  }

  /** Revokes a token; false when there is no such token (revoking twice is fine). */
  async revoke(id: string, now: string): Promise<boolean> {
    const result = await this.db
      .prepare('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1')
      .bind(id, now)
      .run();
    return (result.meta.changes ?? 0) > 0;
  }

  /** Notes when a token was last used, at most once a minute per token (a write per request would be waste). */
  async touch(id: string, now: string): Promise<void> {
    await this.db
      .prepare(
        `UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1
         AND (last_used_at IS NULL OR last_used_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '-60 seconds'))`,
      )
      .bind(id, now)
      .run();
  }
}

function toRecord(row: Row): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(',').filter(Boolean) as Scope[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
