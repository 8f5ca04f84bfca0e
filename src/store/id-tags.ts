// D1 access for id tags (1.6) and id tokens (2.0.1); all SQL for the id_tags table lives here.
//
// A row is one token: the pair (id_tag, token_type), token_type '' standing for "any type"
// (null in IdTagRecord and the API). The same text may have one row per 2.0.1 type.

import type { AuthorizationStatus, IdTagRecord } from '../ocpp/authorization';

export type { IdTagRecord };

type IdTagRow = {
  id_tag: string;
  token_type: string;
  status: AuthorizationStatus;
  expiry_date: string | null;
  parent_id_tag: string | null;
  first_seen_offline: number;
  language: string | null;
  created_at: string;
  updated_at: string;
};

/** What an operator sets on a token. PUT semantics: a field left out is cleared. */
export interface IdTagInput {
  idTag: string;
  status: AuthorizationStatus;
  /** UTC ISO 8601. */
  expiryDate?: string | null;
  parentIdTag?: string | null;
  /** Part of the token's identity: null (or left out) is the entry for any type. */
  tokenType?: string | null;
  /** The driver's language (RFC 5646, at most 8 characters). */
  language?: string | null;
}

export interface IdTagPage {
  idTags: IdTagRecord[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * A list cursor: `tag` alone continues after every entry of that tag (what clients passed before
 * tokens had several types); `tag type` (space-separated, type possibly empty for any type)
 * continues after that one entry. Id tags have no spaces, so the split is unambiguous.
 */
function readCursor(cursor: string | undefined): { idTag: string; type: string | null } {
  if (!cursor) return { idTag: '', type: '' };
  const space = cursor.indexOf(' ');
  return space < 0 ? { idTag: cursor, type: null } : { idTag: cursor.slice(0, space), type: cursor.slice(space + 1) };
}

export class IdTagStore {
  constructor(private readonly db: D1Database) {}

  /** Every entry registered under this text, whatever its type (any-type entry first). */
  async find(idTag: string): Promise<IdTagRecord[]> {
    const { results } = await this.db
      .prepare('SELECT * FROM id_tags WHERE id_tag = ? ORDER BY token_type')
      .bind(idTag)
      .all<IdTagRow>();
    return results.map(toRecord);
  }

  /** The one entry for (idTag, type); type null is the entry for any type. */
  async get(idTag: string, tokenType: string | null = null): Promise<IdTagRecord | null> {
    const row = await this.db
      .prepare('SELECT * FROM id_tags WHERE id_tag = ? AND token_type = ?')
      .bind(idTag, tokenType ?? '')
      .first<IdTagRow>();
    return row ? toRecord(row) : null;
  }

  /**
   * Creates or replaces the entry for (idTag, type); an update keeps created_at and
   * first_seen_offline. A new entry for a tag seen offline (seen_offline_tags) is marked
   * first_seen_offline: the operator approved it.
   */
  async put(input: IdTagInput, now: string): Promise<{ record: IdTagRecord; created: boolean }> {
    const type = input.tokenType ?? '';
    // One batch is one transaction, so "did it exist" and the write see the same table.
    const [existing, written] = await this.db.batch([
      this.db.prepare('SELECT 1 AS found FROM id_tags WHERE id_tag = ? AND token_type = ?').bind(input.idTag, type),
      this.db
        .prepare(
          `INSERT INTO id_tags (id_tag, token_type, status, expiry_date, parent_id_tag, first_seen_offline, created_at, updated_at, language)
           VALUES (?1, ?2, ?3, ?4, ?5, EXISTS (SELECT 1 FROM seen_offline_tags WHERE id_tag = ?1), ?6, ?6, ?7)
           ON CONFLICT (id_tag, token_type) DO UPDATE SET
             status = excluded.status, expiry_date = excluded.expiry_date,
             parent_id_tag = excluded.parent_id_tag, updated_at = excluded.updated_at, language = excluded.language
           RETURNING *`,
        )
        .bind(input.idTag, type, input.status, input.expiryDate ?? null, input.parentIdTag ?? null, now, input.language ?? null),
    ]);
    const row = (written?.results as IdTagRow[] | undefined)?.[0];
    if (!row) throw new Error(`id tag ${input.idTag} was not written`);
    return { record: toRecord(row), created: (existing?.results.length ?? 0) === 0 };
  }

  /** True when there was an entry for (idTag, type) to delete. */
  async delete(idTag: string, tokenType: string | null = null): Promise<boolean> {
    const result = await this.db
      .prepare('DELETE FROM id_tags WHERE id_tag = ? AND token_type = ?')
      .bind(idTag, tokenType ?? '')
      .run();
    return result.meta.changes > 0;
  }

  /** Entries in (id_tag, type) order, `limit` at a time, starting after `cursor`, optionally of one status. */
  async list(opts: { limit: number; cursor?: string; status?: AuthorizationStatus }): Promise<IdTagPage> {
    const after = readCursor(opts.cursor);
    const { results } = await this.db
      .prepare(
        `SELECT * FROM id_tags
         WHERE (id_tag > ?1 OR (id_tag = ?1 AND ?2 IS NOT NULL AND token_type > ?2)) AND (?3 IS NULL OR status = ?3)
         ORDER BY id_tag, token_type LIMIT ?4`,
      )
      .bind(after.idTag, after.type, opts.status ?? null, opts.limit + 1)
      .all<IdTagRow>();
    const page = results.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      idTags: page.map(toRecord),
      nextCursor: results.length > opts.limit && last ? `${last.id_tag} ${last.token_type}` : null,
    };
  }
}

function toRecord(row: IdTagRow): IdTagRecord {
  return {
    idTag: row.id_tag,
    tokenType: row.token_type === '' ? null : row.token_type,
    status: row.status,
    expiryDate: row.expiry_date,
    parentIdTag: row.parent_id_tag,
    firstSeenOffline: row.first_seen_offline === 1,
    language: row.language ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
