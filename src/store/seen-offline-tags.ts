// D1 access for tags seen offline: tokens the CSMS did not know, which a charger let charge while
// it was offline. Kept apart from id_tags so that they never authorize; all their SQL lives here.

/** One use of an unknown tag in a transaction a charger ran offline. */
export interface SeenOfflineUse {
  idTag: string;
  /** The 2.0.1 IdTokenEnumType presented; null for 1.6. */
  tokenType: string | null;
  chargerId: string;
  /** What the charger calls the transaction ('' for a tag carried over from before uses were kept). */
  transactionId: string;
  /** The charger's timestamp of the message that used the tag. */
  seenAt: string;
  recordedAt: string;
}

/** A tag seen offline, over all its uses: what the operator decides on. */
export interface SeenOfflineTag {
  idTag: string;
  /** The 2.0.1 types it was presented as (empty for 1.6 only). */
  types: string[];
  uses: number;
  firstSeenAt: string;
  lastSeenAt: string;
  /** An entry for this text exists in id_tags now (the operator registered it, with whatever status). */
  registered: boolean;
}

type UseRow = {
  id_tag: string;
  token_type: string;
  charger_id: string;
  transaction_id: string;
  seen_at: string;
  recorded_at: string;
};

type TagRow = { id_tag: string; types: string | null; uses: number; first_seen_at: string; last_seen_at: string; registered: number };

/** Uses shown for one tag: an operator decides on a tag, not on its thousandth use. */
const MAX_USES_SHOWN = 500;

export class SeenOfflineTagStore {
  constructor(private readonly db: D1Database) {}

  /** Keeps one use; the same use again (a replayed message) changes nothing. */
  async record(use: SeenOfflineUse): Promise<void> {
    await this.db
      .prepare(
        `INSERT OR IGNORE INTO seen_offline_tags (id_tag, token_type, charger_id, transaction_id, seen_at, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .bind(use.idTag, use.tokenType ?? '', use.chargerId, use.transactionId, use.seenAt, use.recordedAt)
      .run();
  }

  /** Tags in id_tag order, `limit` at a time after `cursor`; `unregistered` leaves out those the operator has registered since. */
  async list(opts: { limit: number; cursor?: string; unregistered?: boolean }): Promise<{ tags: SeenOfflineTag[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(
        `SELECT s.id_tag, group_concat(DISTINCT NULLIF(s.token_type, '')) AS types, COUNT(*) AS uses,
           MIN(s.seen_at) AS first_seen_at, MAX(s.seen_at) AS last_seen_at,
           EXISTS (SELECT 1 FROM id_tags t WHERE t.id_tag = s.id_tag) AS registered
         FROM seen_offline_tags s
         WHERE s.id_tag > ?1
         GROUP BY s.id_tag
         HAVING ?2 = 0 OR registered = 0
         ORDER BY s.id_tag LIMIT ?3`,
      )
      .bind(opts.cursor ?? '', opts.unregistered ? 1 : 0, opts.limit + 1)
      .all<TagRow>();
    const page = results.slice(0, opts.limit);
    return {
      tags: page.map(toTag),
      nextCursor: results.length > opts.limit ? (page[page.length - 1]?.id_tag ?? null) : null,
    };
  }

  /** The tag's uses, newest first (at most MAX_USES_SHOWN); empty when it was never seen offline. */
  async uses(idTag: string): Promise<SeenOfflineUse[]> {
    const { results } = await this.db
      .prepare('SELECT * FROM seen_offline_tags WHERE id_tag = ? ORDER BY seen_at DESC, charger_id, transaction_id LIMIT ?')
      .bind(idTag, MAX_USES_SHOWN)
      .all<UseRow>();
    return results.map((r) => ({
      idTag: r.id_tag,
      tokenType: r.token_type === '' ? null : r.token_type,
      chargerId: r.charger_id,
      transactionId: r.transaction_id,
      seenAt: r.seen_at,
      recordedAt: r.recorded_at,
    }));
  }

  /** Forgets every use of the tag (the operator dismissed it); true when there was one. */
  async delete(idTag: string): Promise<boolean> {
    const result = await this.db.prepare('DELETE FROM seen_offline_tags WHERE id_tag = ?').bind(idTag).run();
    return result.meta.changes > 0;
  }
}

function toTag(row: TagRow): SeenOfflineTag {
  return {
    idTag: row.id_tag,
    types: row.types ? row.types.split(',').sort() : [],
    uses: row.uses,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    registered: row.registered === 1,
  };
}
