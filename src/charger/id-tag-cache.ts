// Id tag records a charger's object read from D1 recently, kept in the object's own storage.
//
// A charger presents the same tag several times in a row: Authorize, then StartTransaction (or
// the 2.0.1 Authorize and TransactionEvent Started). Each decision needs the tag's record, and
// reading D1 for each was most of a session's direct D1 statements. The record is kept, not the
// answer: decisions are still made with the current time, so an expiryDate passing is seen at
// once. Kept in SQLite rather than memory, so a hibernating charger keeps it between messages.
//
// The trade-off: a tag changed through the API (blocked, deleted, created) reaches a charger that
// read it within the last ID_TAG_CACHE_SECONDS only once that time is up.

import type { IdTagRecord } from '../ocpp/authorization';

export class IdTagCache {
  private readonly ttlMs: number;

  constructor(
    private readonly sql: SqlStorage,
    ttlSeconds: number,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    // Tags compare without regard to case, as D1's id_tags key does. `record` is the tag's
    // IdTagRecord as JSON, or NULL when D1 had no such tag. The expiry is fetched_at + the TTL
    // configured now, so lowering ID_TAG_CACHE_SECONDS takes effect at once.
    sql.exec(`CREATE TABLE IF NOT EXISTS id_tag_cache (
      id_tag TEXT PRIMARY KEY COLLATE NOCASE,
      record TEXT,
      fetched_at INTEGER NOT NULL
    )`);
  }

  /** The record read at most TTL ago: null when D1 had no such tag, undefined when there is none to use. */
  get(idTag: string, nowMs: number): IdTagRecord | null | undefined {
    if (this.ttlMs <= 0) return undefined;
    const row = this.sql
      .exec<{ record: string | null; fetched_at: number }>('SELECT record, fetched_at FROM id_tag_cache WHERE id_tag = ?', idTag)
      .toArray()[0];
    // Kept until fetched_at + TTL on the clock: a clock that stepped back a little does not make it last longer.
    if (!row || nowMs - row.fetched_at >= this.ttlMs) return undefined;
    return row.record === null ? null : (JSON.parse(row.record) as IdTagRecord);
  }

  /** Keeps what D1 answered for `idTag` (null: no such tag), and drops entries past their time. */
  put(idTag: string, record: IdTagRecord | null, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    // Only tags this charger saw within the TTL stay: the table stays a handful of rows.
    this.sql.exec('DELETE FROM id_tag_cache WHERE fetched_at <= ?', nowMs - this.ttlMs);
    this.sql.exec(
      'INSERT OR REPLACE INTO id_tag_cache (id_tag, record, fetched_at) VALUES (?, ?, ?)',
      idTag,
      record === null ? null : JSON.stringify(record),
      nowMs,
    );
  }

  /** Forgets `idTag`, so the next decision reads D1 again. */
  forget(idTag: string): void {
    this.sql.exec('DELETE FROM id_tag_cache WHERE id_tag = ?', idTag);
  }
}
