// Meter values moved out of D1: one gzip JSON object per transaction in R2, and on the transaction's
// D1 row where it is, how many readings it holds and their SHA-256. All of the archive's SQL and R2 I/O.

import type { StoredMeterValue } from './meter-values';

/** Names the object layout; a reader refuses any other. */
export const ARCHIVE_FORMAT = 'ocpp-csms/meter-archive@1';

/** What the transaction row says of its archived readings. */
export interface ArchivedReadings {
  /** The R2 object; null when the transaction had no readings to move (no object was written). */
  key: string | null;
  count: number;
  sha256: string | null;
  firstAt: string | null;
  lastAt: string | null;
  archivedAt: string;
}

/** An object (an archived transaction's, or a charger-day's) whose values span part of a time range, for time-range reads. */
export interface ArchivedSpan {
  key: string;
  count: number;
  sha256: string;
  firstAt: string;
  lastAt: string;
}

/** What a charger-day's row says of its archived values (values outside any transaction). */
export interface ArchivedDay extends ArchivedSpan {
  archivedAt: string;
}

/** The readings of one transaction, encoded for R2. */
export interface EncodedArchive {
  bytes: Uint8Array;
  count: number;
  /** SHA-256 (hex) of the canonical JSON of the readings (see `canonicalJson`). */
  sha256: string;
  firstAt: string | null;
  lastAt: string | null;
}

/** Archived readings that cannot be served: no bucket bound, the object missing, or not as D1 recorded it. */
export class ArchiveUnreadable extends Error {}

/** Where a transaction's readings go: per charger, then per transaction (ids as URL components, so any id is one path segment). */
export function archiveKey(chargerId: string, transactionId: string): string {
  return `meter/${encodeURIComponent(chargerId)}/${encodeURIComponent(transactionId)}.json.gz`;
}

/**
 * Where a charger-day's values outside any transaction go: named by their SHA-256 too, so values
 * that arrive for the day after it moved are written with it under a new name, never over the
 * object D1 points to.
 */
export function dayArchiveKey(chargerId: string, day: string, sha256: string): string {
  return `meter/${encodeURIComponent(chargerId)}/days/${day}.${sha256.slice(0, 16)}.json.gz`;
}

/** The readings as JSON with one fixed key order, whatever object they came from: what the SHA-256 covers. */
export function canonicalJson(values: readonly StoredMeterValue[]): string {
  return JSON.stringify(
    values.map((v) => ({
      transactionId: v.transactionId,
      evseId: v.evseId,
      connectorId: v.connectorId,
      timestamp: v.timestamp,
      measurand: v.measurand,
      phase: v.phase,
      location: v.location,
      context: v.context,
      unit: v.unit,
      value: v.value,
      signedData: v.signedData,
    })),
  );
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * The object's content: a header (format, charger, transaction, count, SHA-256) and the readings
 * as the API serves them, oldest first, gzip-compressed.
 */
export async function encodeArchive(
  chargerId: string,
  subject: string | { day: string },
  values: readonly StoredMeterValue[],
): Promise<EncodedArchive> {
  const canonical = canonicalJson(values);
  const sha256 = await sha256Hex(canonical);
  const of = typeof subject === 'string' ? { transactionId: subject } : subject;
  const header = JSON.stringify({ format: ARCHIVE_FORMAT, chargerId, ...of, count: values.length, sha256 });
  const text = `${header.slice(0, -1)},"meterValues":${canonical}}`;
  return {
    bytes: await gzip(text),
    count: values.length,
    sha256,
    firstAt: values[0]?.timestamp ?? null,
    lastAt: values.reduce<string | null>((last, v) => (last === null || v.timestamp > last ? v.timestamp : last), null),
  };
}

/** The readings of an object, after checking its format, its count and its SHA-256 against what D1 recorded. */
export async function decodeArchive(bytes: Uint8Array | ArrayBuffer, expected: { count: number; sha256: string | null }): Promise<StoredMeterValue[]> {
  let doc: { format?: unknown; count?: unknown; sha256?: unknown; meterValues?: unknown };
  try {
    doc = JSON.parse(await gunzip(bytes)) as typeof doc;
  } catch (error) {
    throw new ArchiveUnreadable(`not a gzip JSON archive: ${String(error)}`);
  }
  if (doc.format !== ARCHIVE_FORMAT || !Array.isArray(doc.meterValues)) throw new ArchiveUnreadable('not a meter archive of a known format');
  const values = doc.meterValues as StoredMeterValue[];
  if (values.length !== expected.count || doc.count !== expected.count) {
    throw new ArchiveUnreadable(`holds ${values.length} readings, D1 recorded ${expected.count}`);
  }
  const sha256 = await sha256Hex(canonicalJson(values));
  if (sha256 !== expected.sha256 || doc.sha256 !== expected.sha256) throw new ArchiveUnreadable('SHA-256 differs from the one D1 recorded');
  return values;
}

type StateRow = {
  meter_archive_key: string | null;
  meter_archived_count: number | null;
  meter_archive_sha256: string | null;
  meter_archive_first_at: string | null;
  meter_archive_last_at: string | null;
  meter_archived_at: string | null;
};

function toArchived(row: StateRow): ArchivedReadings | null {
  if (row.meter_archived_at === null) return null;
  return {
    key: row.meter_archive_key,
    count: row.meter_archived_count ?? 0,
    sha256: row.meter_archive_sha256,
    firstAt: row.meter_archive_first_at,
    lastAt: row.meter_archive_last_at,
    archivedAt: row.meter_archived_at,
  };
}

export class MeterArchiveStore {
  /** `bucket` undefined: no R2 bound (archiving off); reads of an archived transaction then fail. */
  constructor(
    private readonly db: D1Database,
    private readonly bucket: R2Bucket | undefined,
  ) {}

  get enabled(): boolean {
    return this.bucket !== undefined;
  }

  /**
   * Completed transactions still holding their readings in D1 whose row last changed before
   * `cutoff` (CSMS clock: the stop as recorded, not the charger's clock), oldest first. The
   * partial index holds only these, so a run reads no more than it moves.
   */
  async candidates(cutoff: string, limit: number): Promise<Array<{ chargerId: string; transactionId: string }>> {
    const { results } = await this.db
      .prepare(
        `SELECT charger_id, ocpp_transaction_id FROM transactions INDEXED BY transactions_to_archive
         WHERE status = 'completed' AND meter_archived_at IS NULL AND updated_at < ?1
         ORDER BY updated_at LIMIT ?2`,
      )
      .bind(cutoff, limit)
      .all<{ charger_id: string; ocpp_transaction_id: string }>();
    return results.map((r) => ({ chargerId: r.charger_id, transactionId: r.ocpp_transaction_id }));
  }

  /** How many transactions past `cutoff` still hold their readings in D1. */
  async backlog(cutoff: string): Promise<number> {
    const row = await this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM transactions INDEXED BY transactions_to_archive
         WHERE status = 'completed' AND meter_archived_at IS NULL AND updated_at < ?1`,
      )
      .bind(cutoff)
      .first<{ n: number }>();
    return row?.n ?? 0;
  }

  /** Where the transaction's readings went; null while they are in D1 (or no such transaction). */
  async state(chargerId: string, transactionId: string): Promise<ArchivedReadings | null> {
    const row = await this.db
      .prepare(
        `SELECT meter_archive_key, meter_archived_count, meter_archive_sha256, meter_archive_first_at, meter_archive_last_at, meter_archived_at
         FROM transactions WHERE charger_id = ?1 AND ocpp_transaction_id = ?2`,
      )
      .bind(chargerId, transactionId)
      .first<StateRow>();
    return row ? toArchived(row) : null;
  }

  /**
   * The charger's archive objects (transactions' and charger-days') whose values span some of
   * [from, to], earliest first value first.
   */
  async spans(chargerId: string, from: string, to: string): Promise<ArchivedSpan[]> {
    const { results } = await this.db
      .prepare(
        `SELECT meter_archive_key AS key, meter_archived_count AS count, meter_archive_sha256 AS sha256,
                meter_archive_first_at AS first_at, meter_archive_last_at AS last_at
         FROM transactions INDEXED BY transactions_archived_by_time
         WHERE charger_id = ?1 AND meter_archived_at IS NOT NULL AND meter_archive_last_at >= ?2
           AND meter_archive_first_at <= ?3 AND meter_archive_key IS NOT NULL
         UNION ALL
         SELECT archive_key, value_count, sha256, first_at, last_at FROM meter_archive_days
         WHERE charger_id = ?1 AND day >= substr(?2, 1, 10) AND day <= substr(?3, 1, 10) AND last_at >= ?2 AND first_at <= ?3
         ORDER BY first_at, key`,
      )
      .bind(chargerId, from, to)
      .all<{ key: string; count: number; sha256: string; first_at: string; last_at: string }>();
    return results.map((r) => ({ key: r.key, count: r.count, sha256: r.sha256, firstAt: r.first_at, lastAt: r.last_at }));
  }

  /** Where a charger-day's values outside any transaction went; null while none moved. */
  async dayState(chargerId: string, day: string): Promise<ArchivedDay | null> {
    const row = await this.db
      .prepare(`SELECT archive_key, value_count, sha256, first_at, last_at, archived_at FROM meter_archive_days WHERE charger_id = ?1 AND day = ?2`)
      .bind(chargerId, day)
      .first<{ archive_key: string; value_count: number; sha256: string; first_at: string; last_at: string; archived_at: string }>();
    return row
      ? { key: row.archive_key, count: row.value_count, sha256: row.sha256, firstAt: row.first_at, lastAt: row.last_at, archivedAt: row.archived_at }
      : null;
  }

  /**
   * Records the charger-day's object (all its values, the earlier object's included). Put after
   * `dayUnchangedStatement` in the batch that deletes the day's values from D1.
   */
  dayMarkStatement(chargerId: string, day: string, key: string, archive: Omit<EncodedArchive, 'bytes'>, now: string): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO meter_archive_days (charger_id, day, archive_key, value_count, sha256, first_at, last_at, archived_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (charger_id, day) DO UPDATE SET archive_key = excluded.archive_key, value_count = excluded.value_count,
           sha256 = excluded.sha256, first_at = excluded.first_at, last_at = excluded.last_at, archived_at = excluded.archived_at`,
      )
      .bind(chargerId, day, key, archive.count, archive.sha256, archive.firstAt, archive.lastAt, now);
  }

  /** A statement that fails, rolling back its batch, unless the charger-day's row still has the SHA-256 read (null: no row). */
  dayUnchangedStatement(chargerId: string, day: string, sha256: string | null): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN (SELECT sha256 FROM meter_archive_days WHERE charger_id = ?1 AND day = ?2) IS ?3
                          THEN '0' ELSE 'archived day changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, day, sha256);
  }

  /** Removes an object no row points to any more (a charger-day's earlier one). */
  async remove(key: string): Promise<void> {
    await this.requireBucket().delete(key);
  }

  /** Writes the object (R2 checks the bytes arrived intact); rewriting the same key is harmless. */
  async put(key: string, archive: EncodedArchive): Promise<void> {
    await this.requireBucket().put(key, archive.bytes, {
      httpMetadata: { contentType: 'application/gzip' },
      customMetadata: { format: ARCHIVE_FORMAT, count: String(archive.count), sha256: archive.sha256 },
      sha256: await sha256Hex(archive.bytes),
    });
  }

  /** The readings of an archived transaction, checked against D1's count and SHA-256. */
  async read(archived: Pick<ArchivedReadings, 'key' | 'count' | 'sha256'>): Promise<StoredMeterValue[]> {
    if (archived.key === null) return [];
    const object = await this.requireBucket().get(archived.key);
    if (!object) throw new ArchiveUnreadable(`object ${archived.key} is missing from R2`);
    return decodeArchive(await object.arrayBuffer(), archived);
  }

  /**
   * Marks the transaction archived. Put after `transactionUnchangedStatement` (and the meter
   * store's own check) in the batch that deletes its readings from D1.
   */
  markStatement(chargerId: string, transactionId: string, key: string | null, archive: Omit<EncodedArchive, 'bytes'>, now: string): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE transactions SET meter_archive_key = ?3, meter_archived_count = ?4, meter_archive_sha256 = ?5,
           meter_archive_first_at = ?6, meter_archive_last_at = ?7, meter_archived_at = ?8
         WHERE charger_id = ?1 AND ocpp_transaction_id = ?2 AND status = 'completed' AND meter_archived_at IS NULL`,
      )
      .bind(chargerId, transactionId, key, archive.count, archive.sha256, archive.firstAt, archive.lastAt, now);
  }

  /**
   * A statement that fails, rolling back its batch, unless the transaction is still completed and
   * not archived: the deletion that follows it then only ever runs for a transaction this run
   * archived. (json() of a text that is not JSON is SQLite's way to raise an error outside a trigger.)
   */
  transactionUnchangedStatement(chargerId: string, transactionId: string): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN EXISTS (SELECT 1 FROM transactions WHERE charger_id = ?1 AND ocpp_transaction_id = ?2
                                         AND status = 'completed' AND meter_archived_at IS NULL)
                          THEN '0' ELSE 'transaction changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, transactionId);
  }

  private requireBucket(): R2Bucket {
    if (!this.bucket) throw new ArchiveUnreadable('no R2 bucket is bound (ARCHIVE): archived meter values cannot be read');
    return this.bucket;
  }
}

// Paging archived readings exactly as MeterValueStore pages D1's: the same order (SQLite's
// BINARY collation, i.e. UTF-8 bytes) and the same cursors, so a cursor taken before a
// transaction was archived goes on after it.

/** Text order as SQLite's BINARY collation: by UTF-8 bytes, which is by code point (not by UTF-16 unit). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate is part of a code point above U+FFFF: after every unit that is not one.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Keys (as `transactionKey` or `chargerKey` give them) in the order D1 sorts them. */
export function compareKeyArrays(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareText(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** A value's place within its transaction: (timestamp, measurand, phase, location, context), '' for none. */
export function transactionKey(v: StoredMeterValue): string[] {
  return [v.timestamp, v.measurand, v.phase ?? '', v.location ?? '', v.context ?? ''];
}

/** A value's place among a charger's: (timestamp, scope, measurand, phase, location, context), as meter_values' key. */
export function chargerKey(v: StoredMeterValue): string[] {
  return [v.timestamp, v.transactionId ?? `@${v.evseId}/${v.connectorId}`, v.measurand, v.phase ?? '', v.location ?? '', v.context ?? ''];
}

/** The cursor MeterValueStore gives for a key. */
export function encodeCursor(key: readonly string[]): string {
  return btoa(JSON.stringify(key));
}

export function decodeCursor(cursor: string, length: number): string[] | null {
  try {
    const key = JSON.parse(atob(cursor)) as unknown;
    return Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string') ? key : null;
  } catch {
    return null;
  }
}

/**
 * One sorted list of values from several sources, each value once by `keyOf`: the first source
 * that has a key wins, as D1's INSERT OR IGNORE keeps the first value stored under a key.
 */
export function mergeReadings(
  sources: ReadonlyArray<readonly StoredMeterValue[]>,
  keyOf: (v: StoredMeterValue) => string[] = transactionKey,
): StoredMeterValue[] {
  const seen = new Set<string>();
  const all: Array<{ key: string[]; value: StoredMeterValue }> = [];
  for (const source of sources) {
    for (const value of source) {
      const key = keyOf(value);
      const id = JSON.stringify(key);
      if (seen.has(id)) continue;
      seen.add(id);
      all.push({ key, value });
    }
  }
  return all.sort((a, b) => compareKeyArrays(a.key, b.key)).map((e) => e.value);
}

/**
 * A page of sorted values after `cursor`, `limit` at a time, as MeterValueStore.pageForTransaction
 * pages: null when the cursor is not one.
 */
export function pageReadings(
  sorted: readonly StoredMeterValue[],
  page: { limit: number; cursor?: string },
  keyOf: (v: StoredMeterValue) => string[] = transactionKey,
  keyLength = 5,
): { meterValues: StoredMeterValue[]; nextCursor: string | null } | null {
  const after = page.cursor ? decodeCursor(page.cursor, keyLength) : null;
  if (page.cursor && !after) return null;
  const rest = after ? sorted.filter((v) => compareKeyArrays(keyOf(v), after) > 0) : sorted;
  const meterValues = rest.slice(0, page.limit);
  const last = meterValues[meterValues.length - 1];
  return { meterValues, nextCursor: rest.length > page.limit && last ? encodeCursor(keyOf(last)) : null };
}
