// D1 access for id tags (1.6) and id tokens (2.0.1); all SQL for the id_tags table lives here.
//
// A row is one token: the pair (id_tag, token_type), token_type '' standing for "any type"
// (null in IdTagRecord and the API). The same text may have one row per 2.0.1 type.

import type { AuthorizationStatus, IdTagRecord } from '../ocpp/authorization';
import { chunk } from './json-rows';

/** Rows an import reads or writes per statement: small rows, so many fit a JSON parameter. */
const IMPORT_ROWS_PER_STATEMENT = 500;

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

  /**
   * Changes only the fields `patch` names (JSON merge patch: a field given as null is cleared) on
   * the entry for (idTag, type), in one statement, so a concurrent change of another field is kept.
   * updated_at moves only when a value changed. Null when there is no such entry.
   */
  async patch(
    idTag: string,
    tokenType: string | null,
    patch: { status?: AuthorizationStatus; expiryDate?: string | null; parentIdTag?: string | null },
    now: string,
  ): Promise<IdTagRecord | null> {
    const has = (key: keyof typeof patch) => (key in patch && patch[key] !== undefined ? 1 : 0);
    const row = await this.db
      .prepare(
        `UPDATE id_tags SET
           status = CASE WHEN ?3 THEN ?4 ELSE status END,
           expiry_date = CASE WHEN ?5 THEN ?6 ELSE expiry_date END,
           parent_id_tag = CASE WHEN ?7 THEN ?8 ELSE parent_id_tag END,
           updated_at = CASE WHEN (?3 AND status IS NOT ?4) OR (?5 AND expiry_date IS NOT ?6) OR (?7 AND parent_id_tag IS NOT ?8)
             THEN ?9 ELSE updated_at END
         WHERE id_tag = ?1 AND token_type = ?2
         RETURNING *`,
      )
      .bind(
        idTag,
        tokenType ?? '',
        has('status'),
        patch.status ?? null,
        has('expiryDate'),
        patch.expiryDate ?? null,
        has('parentIdTag'),
        patch.parentIdTag ?? null,
        now,
      )
      .first<IdTagRow>();
    return row ? toRecord(row) : null;
  }

  /**
   * The entries for these (idTag, type) keys that exist, in one statement (a bulk import compares
   * each row with them). Keys match as the table's do: the tag without regard to case.
   */
  async findMany(keys: ReadonlyArray<{ idTag: string; tokenType?: string | null }>): Promise<IdTagRecord[]> {
    const found: IdTagRecord[] = [];
    for (const part of chunk(keys, IMPORT_ROWS_PER_STATEMENT)) {
      const { results } = await this.db
        .prepare(
          `SELECT t.* FROM id_tags AS t
           JOIN (SELECT json_extract(j.value, '$[0]') AS id_tag, json_extract(j.value, '$[1]') AS token_type FROM json_each(?1) AS j) AS k
             ON t.id_tag = k.id_tag AND t.token_type = k.token_type`,
        )
        .bind(JSON.stringify(part.map((k) => [k.idTag, k.tokenType ?? ''])))
        .all<IdTagRow>();
      found.push(...results.map(toRecord));
    }
    return found;
  }

  /**
   * Creates or replaces many entries as `put` does (PUT semantics per row), a few hundred rows a
   * statement, all in one D1 batch: every row is written or, should D1 fail, none is. The language
   * is written only `withLanguage` (an import whose file has that column); otherwise an entry keeps its own.
   */
  async putMany(inputs: readonly IdTagInput[], now: string, opts: { withLanguage?: boolean } = {}): Promise<void> {
    if (inputs.length === 0) return;
    const language = opts.withLanguage ? ', language = excluded.language' : '';
    const statements = chunk(inputs, IMPORT_ROWS_PER_STATEMENT).map((part) =>
      this.db
        .prepare(
          `INSERT INTO id_tags (id_tag, token_type, status, expiry_date, parent_id_tag, first_seen_offline, created_at, updated_at, language)
           SELECT k.id_tag, k.token_type, k.status, k.expiry_date, k.parent_id_tag,
                  EXISTS (SELECT 1 FROM seen_offline_tags AS s WHERE s.id_tag = k.id_tag), ?2, ?2, k.language
           FROM (SELECT json_extract(j.value, '$[0]') AS id_tag, json_extract(j.value, '$[1]') AS token_type,
                        json_extract(j.value, '$[2]') AS status, json_extract(j.value, '$[3]') AS expiry_date,
                        json_extract(j.value, '$[4]') AS parent_id_tag, json_extract(j.value, '$[5]') AS language
                 FROM json_each(?1) AS j) AS k WHERE true
           ON CONFLICT (id_tag, token_type) DO UPDATE SET
             status = excluded.status, expiry_date = excluded.expiry_date,
             parent_id_tag = excluded.parent_id_tag, updated_at = excluded.updated_at${language}`,
        )
        .bind(
          JSON.stringify(
            part.map((i) => [i.idTag, i.tokenType ?? '', i.status, i.expiryDate ?? null, i.parentIdTag ?? null, opts.withLanguage ? (i.language ?? null) : null]),
          ),
          now,
        ),
    );
    await this.db.batch(statements);
  }

  /** True when there was an entry for (idTag, type) to delete. */
  async delete(idTag: string, tokenType: string | null = null): Promise<boolean> {
    const result = await this.db
      .prepare('DELETE FROM id_tags WHERE id_tag = ? AND token_type = ?')
      .bind(idTag, tokenType ?? '')
      .run();
    return result.meta.changes > 0;
  }

  /**
   * Entries in (id_tag, type) order, `limit` at a time, starting after `cursor`, optionally of one
   * status, optionally only tags starting with `prefix` (without regard to case, as the key compares).
   * A prefix is a range of the primary key, [prefix, prefix + DEL) — tags are printable ASCII, below
   * DEL — written so SQLite bounds its index search on both sides (an `?5 IS NULL OR …` form would
   * read every tag after the prefix); the search starts at the prefix or the cursor, whichever is later.
   */
  async list(opts: { limit: number; cursor?: string; status?: AuthorizationStatus; prefix?: string }): Promise<IdTagPage> {
    const after = readCursor(opts.cursor);
    const prefix = opts.prefix || null;
    const cursorFirst = prefix === null || foldCase(after.idTag) >= foldCase(prefix);
    const { results } = await this.db
      .prepare(
        `SELECT * FROM id_tags
         WHERE (?3 IS NULL OR status = ?3)
           ${cursorFirst ? 'AND (id_tag > ?1 OR (id_tag = ?1 AND ?2 IS NOT NULL AND token_type > ?2))' : 'AND id_tag >= ?5'}
           ${prefix === null ? 'AND ?5 IS NULL' : 'AND id_tag < ?5 || char(127)'}
         ORDER BY id_tag, token_type LIMIT ?4`,
      )
      .bind(after.idTag, after.type, opts.status ?? null, opts.limit + 1, prefix)
      .all<IdTagRow>();
    const page = results.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      idTags: page.map(toRecord),
      nextCursor: results.length > opts.limit && last ? `${last.id_tag} ${last.token_type}` : null,
    };
  }
}

/** Text as SQLite's NOCASE compares it: ASCII capitals folded, nothing else. */
function foldCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
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
