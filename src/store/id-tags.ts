// D1 access for id tags (1.6) and id tokens (2.0.1); all SQL for the id_tags table lives here.

import type { AuthorizationStatus, IdTagRecord } from '../ocpp/authorization';

export type { IdTagRecord };

type IdTagRow = {
  id_tag: string;
  token_type: string | null;
  status: AuthorizationStatus;
  expiry_date: string | null;
  parent_id_tag: string | null;
  first_seen_offline: number;
  created_at: string;
  updated_at: string;
};

/** What an operator sets on a tag. PUT semantics: a field left out is cleared. */
export interface IdTagInput {
  idTag: string;
  status: AuthorizationStatus;
  /** UTC ISO 8601. */
  expiryDate?: string | null;
  parentIdTag?: string | null;
  tokenType?: string | null;
}

export interface IdTagPage {
  idTags: IdTagRecord[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export class IdTagStore {
  constructor(private readonly db: D1Database) {}

  async get(idTag: string): Promise<IdTagRecord | null> {
    const row = await this.db.prepare('SELECT * FROM id_tags WHERE id_tag = ?').bind(idTag).first<IdTagRow>();
    return row ? toRecord(row) : null;
  }

  /** Creates or replaces a tag; an update keeps created_at and first_seen_offline. */
  async put(input: IdTagInput, now: string): Promise<{ record: IdTagRecord; created: boolean }> {
    // One batch is one transaction, so "did it exist" and the write see the same table.
    const [existing, written] = await this.db.batch([
      this.db.prepare('SELECT 1 AS found FROM id_tags WHERE id_tag = ?').bind(input.idTag),
      this.db
        .prepare(
          `INSERT INTO id_tags (id_tag, token_type, status, expiry_date, parent_id_tag, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
           ON CONFLICT (id_tag) DO UPDATE SET
             token_type = excluded.token_type, status = excluded.status, expiry_date = excluded.expiry_date,
             parent_id_tag = excluded.parent_id_tag, updated_at = excluded.updated_at
           RETURNING *`,
        )
        .bind(input.idTag, input.tokenType ?? null, input.status, input.expiryDate ?? null, input.parentIdTag ?? null, now),
    ]);
    const row = (written?.results as IdTagRow[] | undefined)?.[0];
    if (!row) throw new Error(`id tag ${input.idTag} was not written`);
    return { record: toRecord(row), created: (existing?.results.length ?? 0) === 0 };
  }

  /** True when there was a tag to delete. */
  async delete(idTag: string): Promise<boolean> {
    const result = await this.db.prepare('DELETE FROM id_tags WHERE id_tag = ?').bind(idTag).run();
    return result.meta.changes > 0;
  }

  /** Tags in id_tag order, `limit` at a time, starting after `cursor` (an id tag), optionally of one status. */
  async list(opts: { limit: number; cursor?: string; status?: AuthorizationStatus }): Promise<IdTagPage> {
    const { results } = await this.db
      .prepare('SELECT * FROM id_tags WHERE id_tag > ?1 AND (?2 IS NULL OR status = ?2) ORDER BY id_tag LIMIT ?3')
      .bind(opts.cursor ?? '', opts.status ?? null, opts.limit + 1)
      .all<IdTagRow>();
    const page = results.slice(0, opts.limit);
    return {
      idTags: page.map(toRecord),
      nextCursor: results.length > opts.limit ? (page[page.length - 1]?.id_tag ?? null) : null,
    };
  }

  /**
   * Notes a tag the CSMS first hears of in a transaction a charger ran offline. The charger has
   * already let it charge, so it is recorded as Accepted; a tag already known is left as it is.
   */
  async recordFirstSeenOffline(idTag: string, tokenType: string | null, now: string): Promise<void> {
    await this.db
      .prepare(
        `INSERT OR IGNORE INTO id_tags (id_tag, token_type, status, first_seen_offline, created_at, updated_at)
         VALUES (?1, ?2, 'Accepted', 1, ?3, ?3)`,
      )
      .bind(idTag, tokenType, now)
      .run();
  }
}

function toRecord(row: IdTagRow): IdTagRecord {
  return {
    idTag: row.id_tag,
    tokenType: row.token_type,
    status: row.status,
    expiryDate: row.expiry_date,
    parentIdTag: row.parent_id_tag,
    firstSeenOffline: row.first_seen_offline === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
