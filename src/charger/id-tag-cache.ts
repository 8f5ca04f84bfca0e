// Id tag records a charger's object read from D1 recently, kept in the object's own storage.
//
// A charger presents the same tag several times in a row: Authorize, then StartTransaction (or
// the 2.0.1 Authorize and TransactionEvent Started). Each decision needs the tag's record, and
// reading D1 for each was most of a session's direct D1 statements. The record is kept, not the
// answer: decisions are still made with the current time, so an expiryDate passing is seen at
// once. Kept in SQLite rather than memory, so a hibernating charger keeps it between messages.
// Only records another decision will likely want soon are kept (records.ts worthKeeping): not
// those read for a 1.6 StartTransaction or a transaction's end.
//
// The trade-off: a tag changed through the API (blocked, deleted, created) reaches a charger that
// read it within the last ID_TAG_CACHE_SECONDS only once that time is up.
//
// Only what D1's id_tags holds is kept here, never a decision: not a tag seen offline (kept in
// D1's seen_offline_tags, which no decision reads), not a token a remote start let through
// (remote-starts.ts), not ConcurrentTx (active-tokens.ts).

import type { IdTagRecord } from '../ocpp/authorization';

export class IdTagCache {
  private readonly ttlMs: number;

  constructor(
    private readonly sql: SqlStorage,
    ttlSeconds: number,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    // Tags compare without regard to case, as D1's id_tags key does. `record` is the JSON array of
    // the tag's entries (one per 2.0.1 type; [] when D1 had none). Rows written before tokens had
    // several types hold one IdTagRecord or NULL: they are not used (read D1 again), as such a
    // record may be a tag the CSMS once enrolled itself from an offline use. The expiry is
    // fetched_at + the TTL configured now, so lowering ID_TAG_CACHE_SECONDS takes effect at once.
    // The table is created by the object's schema (schema.ts).
  }

  /** The entries read at most TTL ago ([] when D1 had none), undefined when there is nothing to use. */
  get(idTag: string, nowMs: number): IdTagRecord[] | undefined {
    if (this.ttlMs <= 0) return undefined;
    const row = this.sql
      .exec<{ record: string | null; fetched_at: number }>('SELECT record, fetched_at FROM id_tag_cache WHERE id_tag = ?', idTag)
      .toArray()[0];
    // Kept until fetched_at + TTL on the clock: a clock that stepped back a little does not make it last longer.
    if (!row || nowMs - row.fetched_at >= this.ttlMs) return undefined;
    const kept = row.record === null ? null : (JSON.parse(row.record) as unknown);
    return Array.isArray(kept) ? (kept as IdTagRecord[]) : undefined;
  }

  /** Keeps what D1 answered for `idTag` (every entry, [] for none), and drops entries past their time. */
  put(idTag: string, records: readonly IdTagRecord[], nowMs: number): void {
    if (this.ttlMs <= 0) return;
    // Only tags this charger saw within the TTL stay: the table stays a handful of rows.
    this.sql.exec('DELETE FROM id_tag_cache WHERE fetched_at <= ?', nowMs - this.ttlMs);
    this.sql.exec(
      'INSERT OR REPLACE INTO id_tag_cache (id_tag, record, fetched_at) VALUES (?, ?, ?)',
      idTag,
      JSON.stringify(records),
      nowMs,
    );
  }

  /** Forgets `idTag`, so the next decision reads D1 again. */
  forget(idTag: string): void {
    this.sql.exec('DELETE FROM id_tag_cache WHERE id_tag = ?', idTag);
  }
}
