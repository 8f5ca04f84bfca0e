// Meter values moved out of D1: one gzip JSON object per transaction in R2, and on the transaction's
// D1 row where it is, how many readings it holds and their SHA-256. A completed 2.0.1 transaction's
// events go in the same object, but those D1 still judges by. All of the archive's SQL and R2 I/O.

import type { StoredMeterValue } from './meter-values';
import { packedEventRowsSql } from './packed-events';
import { ABANDONED_REASON } from './transaction-anomalies';

/** Names the object layout of readings alone (charger-days, 1.6 transactions, objects written before events moved). */
export const ARCHIVE_FORMAT = 'ocpp-csms/meter-archive@1';
/** …and of a 2.0.1 transaction's readings with the events that moved with them (`events`, `eventCount`, `eventsSha256`). A reader refuses any other. */
export const ARCHIVE_FORMAT_WITH_EVENTS = 'ocpp-csms/meter-archive@2';

/** Every column of transaction_events (migrations/0018), in the order the archive writes them and its SHA-256 covers them. */
export const TRANSACTION_EVENT_COLUMNS = [
  'charger_id',
  'transaction_id',
  'seq_no',
  'digest',
  'disposition',
  'event_type',
  'timestamp',
  'trigger_reason',
  'offline',
  'charging_state',
  'stopped_reason',
  'remote_start_id',
  'reservation_id',
  'id_token',
  'id_token_type',
  'id_token_status',
  'remote_start_id_token',
  'evse_id',
  'connector_id',
  'begin_wh',
  'end_wh',
  'detail',
  'received_at',
  // Added later (migrations/0047, V2X export registers): see OPTIONAL_EVENT_COLUMNS.
  'begin_export_wh',
  'end_export_wh',
] as const;

/**
 * Columns added after archives were first written: the canonical JSON of an event (what its SHA-256
 * covers) leaves them out while they are null, so every object written before them still verifies.
 */
const OPTIONAL_EVENT_COLUMNS: ReadonlySet<string> = new Set(['begin_export_wh', 'end_export_wh']);

/** A 2.0.1 TransactionEvent as D1 stores it (a transaction_events row, every column as D1 returns it). */
export type StoredTransactionEvent = Record<(typeof TRANSACTION_EVENT_COLUMNS)[number], string | number | null>;

/** What the transaction row says of its archived readings. */
export interface ArchivedReadings {
  /** The R2 object; null when the transaction had no readings to move (no object was written). */
  key: string | null;
  count: number;
  sha256: string | null;
  firstAt: string | null;
  lastAt: string | null;
  archivedAt: string;
  /** The 2.0.1 events that moved into the same object; null when none did (see `eventsToMove`). */
  events: { count: number; sha256: string } | null;
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

/** The readings of one transaction (and the events that move with them), encoded for R2. */
export interface EncodedArchive {
  bytes: Uint8Array;
  format: typeof ARCHIVE_FORMAT | typeof ARCHIVE_FORMAT_WITH_EVENTS;
  count: number;
  /** SHA-256 (hex) of the canonical JSON of the readings (see `canonicalJson`). */
  sha256: string;
  firstAt: string | null;
  lastAt: string | null;
  /** The events the object holds (format @2), and the SHA-256 of their canonical JSON (`canonicalEventsJson`); null for @1. */
  eventCount: number | null;
  eventsSha256: string | null;
}

/** What D1 recorded of an object, checked on reading it: its readings, and its events when some moved into it. */
export interface ArchiveExpectation {
  count: number;
  sha256: string | null;
  events?: { count: number; sha256: string } | null;
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

/** The events as JSON with one fixed key order (TRANSACTION_EVENT_COLUMNS): what their SHA-256 covers. */
export function canonicalEventsJson(events: readonly StoredTransactionEvent[]): string {
  return JSON.stringify(
    events.map((e) =>
      Object.fromEntries(
        TRANSACTION_EVENT_COLUMNS.filter((c) => !OPTIONAL_EVENT_COLUMNS.has(c) || (e[c] ?? null) !== null).map((c) => [c, e[c] ?? null]),
      ),
    ),
  );
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function gunzip(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * The object's content: a header (format, charger, transaction, count, SHA-256) and the readings
 * as the API serves them, oldest first, gzip-compressed. With `events` (a 2.0.1 transaction's that
 * move with its readings), format @2: their count and SHA-256 in the header, and the rows as D1
 * stored them after the readings.
 */
export async function encodeArchive(
  chargerId: string,
  subject: string | { day: string },
  values: readonly StoredMeterValue[],
  events?: readonly StoredTransactionEvent[],
): Promise<EncodedArchive> {
  const canonical = canonicalJson(values);
  const sha256 = await sha256Hex(canonical);
  const of = typeof subject === 'string' ? { transactionId: subject } : subject;
  const canonicalEvents = events ? canonicalEventsJson(events) : null;
  const eventsSha256 = canonicalEvents === null ? null : await sha256Hex(canonicalEvents);
  const format = events ? ARCHIVE_FORMAT_WITH_EVENTS : ARCHIVE_FORMAT;
  const header = JSON.stringify({
    format,
    chargerId,
    ...of,
    count: values.length,
    sha256,
    ...(events ? { eventCount: events.length, eventsSha256 } : {}),
  });
  // The events as D1 holds them, every column (the SHA-256 covers their canonical form: OPTIONAL_EVENT_COLUMNS).
  const eventsJson = events ? JSON.stringify(events.map((e) => Object.fromEntries(TRANSACTION_EVENT_COLUMNS.map((c) => [c, e[c] ?? null])))) : null;
  const text = `${header.slice(0, -1)},"meterValues":${canonical}${eventsJson === null ? '' : `,"events":${eventsJson}`}}`;
  return {
    bytes: await gzip(text),
    format,
    count: values.length,
    sha256,
    firstAt: values[0]?.timestamp ?? null,
    lastAt: values.reduce<string | null>((last, v) => (last === null || v.timestamp > last ? v.timestamp : last), null),
    eventCount: events ? events.length : null,
    eventsSha256,
  };
}

/**
 * The readings and events of an object, after checking its format, and its readings' (and, when D1
 * recorded events moved into it, its events') count and SHA-256 against what D1 recorded.
 */
export async function decodeArchiveContent(
  bytes: Uint8Array | ArrayBuffer,
  expected: ArchiveExpectation,
): Promise<{ meterValues: StoredMeterValue[]; events: StoredTransactionEvent[] }> {
  let doc: { format?: unknown; count?: unknown; sha256?: unknown; meterValues?: unknown; eventCount?: unknown; eventsSha256?: unknown; events?: unknown };
  try {
    doc = JSON.parse(await gunzip(bytes)) as typeof doc;
  } catch (error) {
    throw new ArchiveUnreadable(`not a gzip JSON archive: ${String(error)}`);
  }
  const known = doc.format === ARCHIVE_FORMAT || (doc.format === ARCHIVE_FORMAT_WITH_EVENTS && Array.isArray(doc.events));
  if (!known || !Array.isArray(doc.meterValues)) throw new ArchiveUnreadable('not a meter archive of a known format');
  const values = doc.meterValues as StoredMeterValue[];
  if (values.length !== expected.count || doc.count !== expected.count) {
    throw new ArchiveUnreadable(`holds ${values.length} readings, D1 recorded ${expected.count}`);
  }
  const sha256 = await sha256Hex(canonicalJson(values));
  if (sha256 !== expected.sha256 || doc.sha256 !== expected.sha256) throw new ArchiveUnreadable('SHA-256 differs from the one D1 recorded');
  if (!expected.events) return { meterValues: values, events: [] };
  const events = (Array.isArray(doc.events) ? doc.events : []) as StoredTransactionEvent[];
  if (events.length !== expected.events.count || doc.eventCount !== expected.events.count) {
    throw new ArchiveUnreadable(`holds ${events.length} events, D1 recorded ${expected.events.count}`);
  }
  const eventsSha256 = await sha256Hex(canonicalEventsJson(events));
  if (eventsSha256 !== expected.events.sha256 || doc.eventsSha256 !== expected.events.sha256) {
    throw new ArchiveUnreadable("events' SHA-256 differs from the one D1 recorded");
  }
  // Every column, as D1 holds it: an optional column left out while null reads back as null.
  const whole = events.map((e) => Object.fromEntries(TRANSACTION_EVENT_COLUMNS.map((c) => [c, e[c] ?? null])) as StoredTransactionEvent);
  return { meterValues: values, events: whole };
}

/** The readings of an object, after checking its format, its count and its SHA-256 against what D1 recorded. */
export async function decodeArchive(bytes: Uint8Array | ArrayBuffer, expected: { count: number; sha256: string | null }): Promise<StoredMeterValue[]> {
  return (await decodeArchiveContent(bytes, { count: expected.count, sha256: expected.sha256 })).meterValues;
}

type StateRow = {
  meter_archive_key: string | null;
  meter_archived_count: number | null;
  meter_archive_sha256: string | null;
  meter_archive_first_at: string | null;
  meter_archive_last_at: string | null;
  meter_archived_at: string | null;
  events_archived_count: number | null;
  events_archive_sha256: string | null;
};

const STATE_COLUMNS = `meter_archive_key, meter_archived_count, meter_archive_sha256, meter_archive_first_at, meter_archive_last_at,
  meter_archived_at, events_archived_count, events_archive_sha256`;

function toArchived(row: StateRow): ArchivedReadings | null {
  if (row.meter_archived_at === null) return null;
  return {
    key: row.meter_archive_key,
    count: row.meter_archived_count ?? 0,
    sha256: row.meter_archive_sha256,
    firstAt: row.meter_archive_first_at,
    lastAt: row.meter_archive_last_at,
    archivedAt: row.meter_archived_at,
    events:
      row.events_archived_count === null || row.events_archive_sha256 === null
        ? null
        : { count: row.events_archived_count, sha256: row.events_archive_sha256 },
  };
}

/**
 * The 2.0.1 transaction ?1/?2 was completed by its own applied Ended event: nothing re-derives it
 * from its events any more (DERIVE_201_SQL's upsert leaves a completed row alone unless it was
 * closed as abandoned, and every later event is judged against that Ended row). One the CSMS
 * closed as abandoned whose own Ended has not come is re-derived from them when it comes.
 */
const COMPLETED_BY_OWN_END = `EXISTS (SELECT 1 FROM transactions t WHERE t.charger_id = ?1 AND t.ocpp_transaction_id = ?2
    AND t.protocol <> 'ocpp1.6' AND t.status = 'completed' AND t.stop_reason IS NOT '${ABANDONED_REASON}')
  AND EXISTS (SELECT 1 FROM transaction_events x WHERE x.charger_id = ?1 AND x.transaction_id = ?2
    AND x.event_type = 'Ended' AND x.disposition = 'applied')`;

/**
 * The events of transaction ?1/?2 that move to R2: the applied ones but the Ended. D1 keeps the
 * applied Ended (INSERT_EVENTS_201_SQL judges every later event late by it) and the events not
 * applied (each backs an anomaly; they are few).
 */
const MOVABLE_EVENTS = `transaction_events WHERE charger_id = ?1 AND transaction_id = ?2 AND disposition = 'applied' AND event_type <> 'Ended'`;

/**
 * The same transaction's packed events (store/packed-events.ts) as transaction_events rows: they
 * move too, and go from D1 with their hour rows (MeterValueStore.deleteStatementsForTransaction).
 */
const PACKED_EVENTS = packedEventRowsSql(TRANSACTION_EVENT_COLUMNS);
/** Every event of the transaction that moves, wherever D1 keeps it. */
const EVENTS_TO_MOVE = `SELECT ${TRANSACTION_EVENT_COLUMNS.join(', ')} FROM ${MOVABLE_EVENTS} UNION ALL ${PACKED_EVENTS}`;

/** A transaction's events in D1's order: by seqNo, then digest (as SQLite's BINARY collation sorts it). */
function compareEvents(a: StoredTransactionEvent, b: StoredTransactionEvent): number {
  return Number(a.seq_no) - Number(b.seq_no) || compareText(String(a.digest), String(b.digest));
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
      .prepare(`SELECT ${STATE_COLUMNS} FROM transactions WHERE charger_id = ?1 AND ocpp_transaction_id = ?2`)
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
    const events: Record<string, string> = archive.eventCount === null ? {} : { eventCount: String(archive.eventCount), eventsSha256: archive.eventsSha256 ?? '' };
    await this.requireBucket().put(key, archive.bytes, {
      httpMetadata: { contentType: 'application/gzip' },
      customMetadata: { format: archive.format, count: String(archive.count), sha256: archive.sha256, ...events },
      sha256: await sha256Hex(archive.bytes),
    });
  }

  /** The readings of an archived transaction, checked against D1's count and SHA-256. */
  async read(archived: Pick<ArchivedReadings, 'key' | 'count' | 'sha256'>): Promise<StoredMeterValue[]> {
    // No readings in it (an object holding a 2.0.1 transaction's events alone): nothing to fetch.
    if (archived.key === null || archived.count === 0) return [];
    // The readings alone: events that moved into the object are checked when they are read.
    return (await this.readContent(archived.key, { count: archived.count, sha256: archived.sha256 })).meterValues;
  }

  /** An object's readings and events, checked against what D1 recorded of both (`expected.events` null: no events are checked or returned). */
  async readContent(key: string, expected: ArchiveExpectation): Promise<{ meterValues: StoredMeterValue[]; events: StoredTransactionEvent[] }> {
    const object = await this.requireBucket().get(key);
    if (!object) throw new ArchiveUnreadable(`object ${key} is missing from R2`);
    return decodeArchiveContent(await object.arrayBuffer(), expected);
  }

  /**
   * The events of a completed 2.0.1 transaction that move to R2 with its readings (every column,
   * in D1's order), or null when its events stay in D1: a 1.6 transaction, one still running, or
   * one closed as abandoned whose own Ended has not come (re-derived from its events when it
   * comes). Read in one batch: whether they move and which, as of one moment.
   */
  async eventsToMove(chargerId: string, transactionId: string): Promise<StoredTransactionEvent[] | null> {
    const [eligible, events] = await this.db.batch([
      this.db.prepare(`SELECT (${COMPLETED_BY_OWN_END}) AS eligible`).bind(chargerId, transactionId),
      this.db.prepare(`${EVENTS_TO_MOVE} ORDER BY seq_no, digest`).bind(chargerId, transactionId),
    ]);
    if ((eligible!.results[0] as { eligible: number } | undefined)?.eligible !== 1) return null;
    return events!.results as StoredTransactionEvent[];
  }

  /**
   * A statement that fails, rolling back its batch, unless the transaction is still completed by
   * its own Ended and D1 still holds exactly `count` events to move (none applied can be added
   * after the Ended; this makes sure the deletion removes only what the object holds).
   */
  eventsUnchangedStatement(chargerId: string, transactionId: string, count: number): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN (${COMPLETED_BY_OWN_END}) AND (SELECT COUNT(*) FROM (${EVENTS_TO_MOVE})) = ?3
                          THEN '0' ELSE 'events changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, transactionId, count);
  }

  /** Deletes the events that moved (see `eventsToMove`); put after `eventsUnchangedStatement` and `markStatement`. */
  deleteMovedEventsStatement(chargerId: string, transactionId: string): D1PreparedStatement {
    return this.db.prepare(`DELETE FROM ${MOVABLE_EVENTS}`).bind(chargerId, transactionId);
  }

  /**
   * Every stored 2.0.1 event of a transaction, every column as D1 stored it, in D1's order (seqNo,
   * digest): those still in D1 and those moved to R2, as one list. An event received again after
   * its original moved (a replay, judged late then) is listed after the original.
   */
  async transactionEvents(chargerId: string, transactionId: string): Promise<StoredTransactionEvent[]> {
    // One batch: D1's events and where the others went, as of one moment (a move commits in one batch too).
    const [state, inD1] = await this.db.batch([
      this.db.prepare(`SELECT ${STATE_COLUMNS} FROM transactions WHERE charger_id = ?1 AND ocpp_transaction_id = ?2`).bind(chargerId, transactionId),
      this.db
        .prepare(
          `SELECT ${TRANSACTION_EVENT_COLUMNS.join(', ')} FROM transaction_events WHERE charger_id = ?1 AND transaction_id = ?2
           UNION ALL ${PACKED_EVENTS} ORDER BY seq_no, digest`,
        )
        .bind(chargerId, transactionId),
    ]);
    const row = state!.results[0] as StateRow | undefined;
    const archived = row ? toArchived(row) : null;
    const fromD1 = inD1!.results as StoredTransactionEvent[];
    if (!archived?.events || archived.events.count === 0) return fromD1;
    if (archived.key === null) throw new ArchiveUnreadable('D1 records events moved but no object');
    const { events } = await this.readContent(archived.key, archived);
    // Archived first: a stable sort keeps an original before a replay of it stored later.
    return [...events, ...fromD1].sort(compareEvents);
  }

  /**
   * Marks the transaction archived, and records the events that moved with its readings (none:
   * `archive.eventCount` null). Put after `transactionUnchangedStatement` (and the meter store's
   * own check, and `eventsUnchangedStatement`) in the batch that deletes them from D1.
   */
  markStatement(chargerId: string, transactionId: string, key: string | null, archive: Omit<EncodedArchive, 'bytes'>, now: string): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE transactions SET meter_archive_key = ?3, meter_archived_count = ?4, meter_archive_sha256 = ?5,
           meter_archive_first_at = ?6, meter_archive_last_at = ?7, meter_archived_at = ?8,
           events_archived_count = ?9, events_archive_sha256 = ?10
         WHERE charger_id = ?1 AND ocpp_transaction_id = ?2 AND status = 'completed' AND meter_archived_at IS NULL`,
      )
      .bind(chargerId, transactionId, key, archive.count, archive.sha256, archive.firstAt, archive.lastAt, now, archive.eventCount, archive.eventsSha256);
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
