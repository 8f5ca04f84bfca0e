// OCPP 2.1 event-stream values moved out of D1: one gzip JSON object per charger, stream and UTC day in R2, and in D1 (event_stream_archive_days) where it is and what it holds; all of that archive's SQL and R2 I/O.
//
// The same path as meter values' charger-days (meter-archive.ts): written, read back and checked,
// then recorded and deleted from D1 in one batch; every read checks the count and SHA-256 D1 recorded.

import type { StoredStreamPoint } from './event-streams';
import { ArchiveUnreadable, gunzip, gzip, sha256Hex } from './meter-archive';

/** Names the object layout; a reader refuses any other. */
export const STREAM_ARCHIVE_FORMAT = 'ocpp-csms/event-stream-archive@1';

/** What D1 records of a stream-day's object. */
export interface ArchivedStreamDay {
  day: string;
  key: string;
  count: number;
  sha256: string;
  firstMs: number;
  lastMs: number;
}

export interface EncodedStreamDay {
  bytes: Uint8Array;
  count: number;
  sha256: string;
  firstMs: number;
  lastMs: number;
}

/** A point as the object holds it: as the API serves it, the value as the charger sent it (the API redacts when it shows). */
interface ArchivedPoint {
  timestamp: string;
  value: string;
  unannounced: boolean;
}

/**
 * Where a stream-day's values go: named by their SHA-256 too, so a day written again (values that
 * came after it moved) never overwrites the object D1 points to.
 */
export function streamDayKey(chargerId: string, streamId: number, day: string, sha256: string): string {
  return `event-streams/${encodeURIComponent(chargerId)}/${streamId}/${day}.${sha256.slice(0, 16)}.json.gz`;
}

function canonical(points: readonly StoredStreamPoint[]): string {
  return JSON.stringify(points.map((p): ArchivedPoint => ({ timestamp: new Date(p.atMs).toISOString(), value: p.value, unannounced: p.unannounced })));
}

/** The object: a header (format, charger, stream, day, count, SHA-256 of `values`) and the points oldest first, gzip-compressed. */
export async function encodeStreamDay(chargerId: string, streamId: number, day: string, points: readonly StoredStreamPoint[]): Promise<EncodedStreamDay> {
  if (points.length === 0) throw new Error('a stream-day object holds at least one value');
  const values = canonical(points);
  const sha256 = await sha256Hex(values);
  const header = JSON.stringify({ format: STREAM_ARCHIVE_FORMAT, chargerId, streamId, day, count: points.length, sha256 });
  return {
    bytes: await gzip(`${header.slice(0, -1)},"values":${values}}`),
    count: points.length,
    sha256,
    firstMs: points[0]!.atMs,
    lastMs: points.at(-1)!.atMs,
  };
}

/** The points of an object, checked against what D1 recorded of it. */
export async function decodeStreamDay(bytes: Uint8Array | ArrayBuffer, expected: Pick<ArchivedStreamDay, 'count' | 'sha256'>): Promise<StoredStreamPoint[]> {
  let doc: { format?: unknown; count?: unknown; sha256?: unknown; values?: unknown };
  try {
    doc = JSON.parse(await gunzip(bytes)) as typeof doc;
  } catch (error) {
    throw new ArchiveUnreadable(`not a gzip JSON archive: ${String(error)}`);
  }
  if (doc.format !== STREAM_ARCHIVE_FORMAT || !Array.isArray(doc.values)) throw new ArchiveUnreadable('not an event-stream archive of a known format');
  const values = doc.values as ArchivedPoint[];
  if (values.length !== expected.count || doc.count !== expected.count) throw new ArchiveUnreadable(`holds ${values.length} values, D1 recorded ${expected.count}`);
  const points = values.map((v) => ({ atMs: Date.parse(v.timestamp), value: v.value, unannounced: v.unannounced === true }));
  const sha256 = await sha256Hex(canonical(points));
  if (sha256 !== expected.sha256 || doc.sha256 !== expected.sha256) throw new ArchiveUnreadable('SHA-256 differs from the one D1 recorded');
  return points;
}

type DayRow = { day: string; archive_key: string; value_count: number; sha256: string; first_ms: number; last_ms: number };

const toDay = (r: DayRow): ArchivedStreamDay => ({ day: r.day, key: r.archive_key, count: r.value_count, sha256: r.sha256, firstMs: r.first_ms, lastMs: r.last_ms });

export class EventStreamArchiveStore {
  constructor(
    private readonly db: D1Database,
    private readonly bucket: R2Bucket | undefined,
  ) {}

  /** Where a stream-day's values went; null while none moved. */
  async dayState(chargerId: string, streamId: number, day: string): Promise<ArchivedStreamDay | null> {
    const row = await this.db
      .prepare('SELECT day, archive_key, value_count, sha256, first_ms, last_ms FROM event_stream_archive_days WHERE charger_id = ?1 AND stream_id = ?2 AND day = ?3')
      .bind(chargerId, streamId, day)
      .first<DayRow>();
    return row ? toDay(row) : null;
  }

  /** The stream's archived days whose values span some of [fromMs, toMs] (both inclusive), earliest first. */
  async spans(chargerId: string, streamId: number, fromMs: number, toMs: number): Promise<ArchivedStreamDay[]> {
    const { results } = await this.db
      .prepare(
        `SELECT day, archive_key, value_count, sha256, first_ms, last_ms FROM event_stream_archive_days
         WHERE charger_id = ?1 AND stream_id = ?2 AND last_ms >= ?3 AND first_ms <= ?4 ORDER BY day`,
      )
      .bind(chargerId, streamId, fromMs, toMs)
      .all<DayRow>();
    return results.map(toDay);
  }

  /** Records the stream-day's object (all its values, an earlier object's included). Put after `dayUnchangedStatement` in the batch that deletes the day from D1. */
  dayMarkStatement(chargerId: string, streamId: number, day: string, key: string, encoded: Omit<EncodedStreamDay, 'bytes'>, now: string): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO event_stream_archive_days (charger_id, stream_id, day, archive_key, value_count, sha256, first_ms, last_ms, archived_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (charger_id, stream_id, day) DO UPDATE SET archive_key = excluded.archive_key, value_count = excluded.value_count,
           sha256 = excluded.sha256, first_ms = excluded.first_ms, last_ms = excluded.last_ms, archived_at = excluded.archived_at`,
      )
      .bind(chargerId, streamId, day, key, encoded.count, encoded.sha256, encoded.firstMs, encoded.lastMs, now);
  }

  /** A statement that fails, rolling back its batch, unless the stream-day's row still has the SHA-256 read (null: no row). */
  dayUnchangedStatement(chargerId: string, streamId: number, day: string, sha256: string | null): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN (SELECT sha256 FROM event_stream_archive_days WHERE charger_id = ?1 AND stream_id = ?2 AND day = ?3) IS ?4
                          THEN '0' ELSE 'archived stream day changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, streamId, day, sha256);
  }

  /** Writes the object (R2 checks the bytes arrived intact); rewriting the same key is harmless. */
  async put(key: string, encoded: EncodedStreamDay): Promise<void> {
    await this.requireBucket().put(key, encoded.bytes, {
      httpMetadata: { contentType: 'application/gzip' },
      customMetadata: { format: STREAM_ARCHIVE_FORMAT, count: String(encoded.count), sha256: encoded.sha256 },
      sha256: await sha256Hex(encoded.bytes),
    });
  }

  /** The points of an archived stream-day, checked against D1's count and SHA-256. */
  async read(archived: Pick<ArchivedStreamDay, 'key' | 'count' | 'sha256'>): Promise<StoredStreamPoint[]> {
    const object = await this.requireBucket().get(archived.key);
    if (!object) throw new ArchiveUnreadable(`object ${archived.key} is missing from R2`);
    return decodeStreamDay(await object.arrayBuffer(), archived);
  }

  /** Removes an object no row points to any more (a stream-day's earlier one). */
  async remove(key: string): Promise<void> {
    await this.requireBucket().delete(key);
  }

  private requireBucket(): R2Bucket {
    if (!this.bucket) throw new ArchiveUnreadable('no R2 bucket is bound (ARCHIVE): archived event-stream values cannot be read');
    return this.bucket;
  }
}

/**
 * One sorted list of points, each instant once: the first source that has it wins (archived
 * first: it was stored first, as D1 keeps the first point of an instant).
 */
export function mergePoints(sources: ReadonlyArray<readonly StoredStreamPoint[]>): StoredStreamPoint[] {
  const byInstant = new Map<number, StoredStreamPoint>();
  for (const source of sources) for (const point of source) if (!byInstant.has(point.atMs)) byInstant.set(point.atMs, point);
  return [...byInstant.values()].sort((a, b) => a.atMs - b.atMs);
}

/**
 * A page of a stream's points in D1 with the archived days' points it should hold put in, in the
 * same order and with the same cursors as D1's own pages (a cursor given before a day moved goes
 * on after it). Only archived days that span the part of the range this page can reach are read:
 * up to the last D1 point of a full D1 page, and, once `limit` points are in hand, none whose first
 * point comes after the page's last.
 */
export async function withArchivedPoints(
  archive: EventStreamArchiveStore,
  chargerId: string,
  streamId: number,
  range: { fromMs: number; toMs: number; limit: number; afterMs?: number },
  fromD1: { points: StoredStreamPoint[]; more: boolean },
): Promise<{ points: StoredStreamPoint[]; more: boolean }> {
  const startMs = Math.max(range.fromMs, range.afterMs === undefined ? -Infinity : range.afterMs + 1);
  const highMs = fromD1.more ? fromD1.points.at(-1)!.atMs : range.toMs - 1;
  if (highMs < startMs) return fromD1;
  const spans = await archive.spans(chargerId, streamId, startMs, highMs);
  if (spans.length === 0) return fromD1;
  let archived: StoredStreamPoint[] = [];
  let more = fromD1.more;
  for (const span of spans) {
    const sorted = mergePoints([archived, fromD1.points]);
    if (sorted.length > range.limit && span.firstMs > sorted[range.limit - 1]!.atMs) {
      more = true;
      break;
    }
    const read = (await archive.read(span)).filter((p) => p.atMs >= startMs && p.atMs < range.toMs);
    archived = archived.concat(read);
  }
  const merged = mergePoints([archived, fromD1.points]);
  return { points: merged.slice(0, range.limit), more: more || merged.length > range.limit };
}
