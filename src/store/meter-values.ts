// D1 access for meter values; all of their SQL lives here.
//
// One row per hour (meter_hours, migrations/0022): all the readings (a charger's timestamped
// meterValue entries) of one charger, scope and UTC hour, each with its sampled values packed (see
// meter-packing.ts for the format), keyed by (charger, scope, hour, part). A MeterValues message
// writes 1 D1 row (the hour's row, inserted or updated) instead of 19, and the archive deletes a
// transaction's readings one hour at a time, not one reading at a time: D1 bills every row deleted.
// Only rows outside any transaction are indexed once more, by (charger, hour), for the archive's
// per-day reads; the index entry is written when the hour's row is inserted, not per reading.
// The API still lists and pages single values: rows are unpacked here into readings, their values
// sorted as they always were, and a page may end inside a reading (its cursor is the last value's
// key, not a row's).

import { ENERGY_REGISTER, EXPORT_REGISTER, eventRegisters, type MeterSample } from '../ocpp/meter-values';
import type { ChargerFact } from '../fleet/outbox';
import { judgeBatch, mayPack } from './event-batch';
import { jsonChunks } from './json-rows';
import {
  CONTEXT_CODES,
  LOCATION_CODES,
  MEASURAND_CODES,
  PACKED,
  PHASE_CODES,
  UNIT_CODES,
  codeOf,
  compareKeys,
  decodeSql,
  packSample,
  sampleKey,
  scopeOf,
  transactionOfScope,
  transactionScopeSql,
  unpackSample,
  type PackedSample,
  type PackedSegment,
} from './meter-packing';
import { PACKED_EVENT, packedPath } from './packed-events';
import { signedReadingOf } from '../tariffs/signed-data';

export interface StoredMeterValue extends MeterSample {
  transactionId: string | null;
  evseId: number;
  connectorId: number;
}

/** One reading, as the queries below return it: an entry of an hour's row, with its scope (and hour). */
type Row = { scope: string; hour?: string; timestamp: string; data: string };

/**
 * An hour's row takes readings until its data is this long; later readings of the hour start a
 * new part. Each reading appended rewrites the row, and D1 caps a row at 2 MB: a charger reporting
 * every minute fills about an eighth of this in an hour, one reporting many values every second
 * spreads the hour over parts. (Soft: one statement's readings may take a part past it.)
 */
export const HOUR_PART_BYTES = 65_536;

const ENERGY_CODE = codeOf(MEASURAND_CODES, ENERGY_REGISTER);

/** A packed sample's part `i` in SQL, absent parts of its identity read as 0 (as packSample leaves them out). */
const part = (sample: string, i: number) => `json_extract(${sample}.value, '$[${i}]')`;
const idPart = (sample: string, i: number) => `COALESCE(${part(sample, i)}, 0)`;
/** Two packed samples (json_each aliases) are the same value of a reading: same measurand, context, phase, location. */
const sameKey = (a: string, b: string) =>
  [PACKED.measurand, PACKED.context, PACKED.phase, PACKED.location].map((i) => `${idPart(a, i)} IS ${idPart(b, i)}`).join(' AND ');
/** …and say something else: another number, unit or signed data. */
const otherContent = (a: string, b: string) =>
  `NOT (${part(a, PACKED.value)} IS ${part(b, PACKED.value)} AND ${part(a, PACKED.unit)} IS ${part(b, PACKED.unit)}
        AND ${part(a, PACKED.signedData)} IS ${part(b, PACKED.signedData)})`;

/**
 * The rows of an insert statement's JSON parameter: [charger, scope, timestamp, evse, connector,
 * [packed samples…], transaction ('' for none), event seqNo, event digest, packed event, attach]
 * (seqNo and digest only for a 2.0.1 event's values; the packed event, an entry of
 * meter_hours.events as packed-events.ts lays it out, only when the statement packs events, and
 * attach 1 on the row of its first reading, which takes the entry).
 */
const r = (i: number) => `json_extract(r.value, '$[${i}]')`;
/** Only an applied 2.0.1 event's values are stored (see insertStatements), as a packed one's (PACKED_HERE). */
const APPLIED = `(${r(8)} IS NULL OR EXISTS (
  SELECT 1 FROM transaction_events e
  WHERE e.charger_id = ${r(0)} AND e.transaction_id = ${r(6)} AND e.seq_no = ${r(7)}
    AND e.digest = ${r(8)} AND e.disposition = 'applied'))`;

// In the upsert, `excluded.data` is the incoming reading as an hour's data of its own:
// {"<timestamp>": [[evse, connector, [samples…]]]}. A row's readings are found by their
// timestamp as a JSON path, not by scanning the row: D1 counts every entry json_each visits as
// a row read, and an hour's row holds dozens of readings.
const INCOMING_TIMESTAMP = `(SELECT key FROM json_each(excluded.data))`;
/** The seqNo of the incoming row's packed event (excluded.events holds one entry, or is NULL). */
const INCOMING_SEQ = `(SELECT key FROM json_each(excluded.events))`;
/** The incoming packed event is not in the row yet. */
const NEW_EVENT = `(excluded.events IS NOT NULL AND json_type(meter_hours.events, ${packedPath(INCOMING_SEQ)}) IS NULL)`;
/** The larger of a column and its incoming value, either NULL. */
const larger = (column: string) => `COALESCE(max(${column}, excluded.${column}), ${column}, excluded.${column})`;
/** The incoming row's event as a packed entry, when the batch allows packing it (event-batch.ts `mayPack`). */
const ENTRY = `json_extract(r.value, '$[9]')`;
/**
 * The incoming row belongs to an event that is packed: one the batch allows packing that
 * TransactionStore.event201Statements, run before, did not store as a row (it judged it
 * packable, packed-events.ts `packableSql`, or it is packed already with the same digest: an
 * identical replay). An event it stored (applied, conflicting or late) has a row with its seqNo.
 */
const PACKED_HERE = `(${ENTRY} IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM transaction_events e WHERE e.charger_id = ${r(0)} AND e.transaction_id = ${r(6)} AND e.seq_no = ${r(7)}))`;
/** …and the row is its first reading's, which takes the event. */
const ATTACHED = `${r(10)} = 1 AND ${PACKED_HERE}`;
/** The JSON path of the incoming reading, in the incoming data and in the stored row alike. */
const INCOMING_PATH = `'$."' || ${INCOMING_TIMESTAMP} || '"'`;
const INCOMING = (path: string) => `json_extract(excluded.data, ${INCOMING_PATH} || '[0]${path}')`;
/** The stored reading's segments (json_each alias g) and samples (o); none when the row has no reading of the incoming instant. */
const STORED_SAMPLES = `json_each(meter_hours.data, ${INCOMING_PATH}) AS g, json_each(g.value, '$[2]') AS o`;
const STORED_READING = `json_type(meter_hours.data, ${INCOMING_PATH}) IS NOT NULL`;

/** The incoming reading's samples that its stored reading lacks (all of them when there is none). */
const NEW_SAMPLES = `FROM json_each(excluded.data, ${INCOMING_PATH} || '[0][2]') AS n
  WHERE NOT EXISTS (SELECT 1 FROM ${STORED_SAMPLES} WHERE ${sameKey('o', 'n')})`;

/**
 * The incoming reading's samples that contradict a stored one (same identity, another number,
 * unit or signed data), each as [received at, detail]: the detail is the value as received, and
 * what was kept. One already kept is not kept again.
 */
const NEW_CONFLICTS = `SELECT json_array(?2, json_object('timestamp', ${INCOMING_TIMESTAMP},
      'evseId', ${INCOMING('[0]')}, 'connectorId', ${INCOMING('[1]')},
      'measurand', ${decodeSql(MEASURAND_CODES, part('n', PACKED.measurand), 'NULL')},
      'phase', ${decodeSql(PHASE_CODES, part('n', PACKED.phase), 'NULL')},
      'location', ${decodeSql(LOCATION_CODES, part('n', PACKED.location), 'NULL')},
      'context', ${decodeSql(CONTEXT_CODES, part('n', PACKED.context), 'NULL')},
      'unit', ${decodeSql(UNIT_CODES, part('n', PACKED.unit), "''")},
      'value', ${part('n', PACKED.value)}, 'signedData', ${part('n', PACKED.signedData)},
      'kept', json_object('evseId', json_extract(g.value, '$[0]'), 'connectorId', json_extract(g.value, '$[1]'),
        'unit', ${decodeSql(UNIT_CODES, part('o', PACKED.unit), "''")},
        'value', ${part('o', PACKED.value)}, 'signedData', ${part('o', PACKED.signedData)}))) AS conflict
  FROM json_each(excluded.data, ${INCOMING_PATH} || '[0][2]') AS n, ${STORED_SAMPLES}
  WHERE ${sameKey('o', 'n')} AND ${otherContent('o', 'n')}`;
const UNKEPT_CONFLICTS = `SELECT conflict FROM (${NEW_CONFLICTS}) AS c
  WHERE NOT EXISTS (SELECT 1 FROM json_each(meter_hours.conflicts) AS k WHERE json_extract(k.value, '$[1]') = json_extract(c.conflict, '$[1]'))`;

/** The incoming reading's hour (an expression over the input row r). */
const HOUR = `substr(${r(2)}, 1, 13)`;
/**
 * The part of its hour an incoming reading goes to: the one that has a reading of its instant
 * already (a reading lives in one part), else the hour's last part, or the next one when that is
 * full. SQLite runs the SELECT of an INSERT that reads its own table to the end before it inserts,
 * so every reading of one statement is placed against the rows as they were before it; readings
 * of one instant are placed alike, and the upsert below merges them into one entry.
 */
const PART = `COALESCE(
    (SELECT h.part FROM meter_hours h
     WHERE h.charger_id = ${r(0)} AND h.scope = ${r(1)} AND h.hour = ${HOUR} AND json_type(h.data, '$."' || ${r(2)} || '"') IS NOT NULL LIMIT 1),
    (SELECT h.part + (length(h.data) >= ${HOUR_PART_BYTES}) FROM meter_hours h
     WHERE h.charger_id = ${r(0)} AND h.scope = ${r(1)} AND h.hour = ${HOUR} ORDER BY h.part DESC LIMIT 1),
    0)`;

/**
 * Stores each reading in its hour's row: a new row for the hour's first, else appended to the
 * row's data. A reading whose instant the row has already (a replay, or more values of the same
 * instant from another message) adds only the values the stored reading lacks, as a segment of
 * their own (they may name another EVSE or connector). A value the reading has is not added again,
 * whatever it says. Conflicting input is kept and flagged: one that says something else is kept
 * in the row's `conflicts`, and the meter_hours_conflicts trigger (migrations/0022) makes it a
 * `conflicting-meter-value` anomaly of the transaction (values outside a transaction: under the
 * scope '@<evse>/<connector>'). Values of one batch are judged against each other too (rows are
 * upserted in order), and an identical replay writes nothing: the update's WHERE finds nothing new.
 * A packed event's readings (PACKED_HERE) are stored as any reading is, and the event becomes an
 * entry of its first reading's row, written by the same statement: the event and its reading are
 * one row written (store/packed-events.ts).
 */
const UPSERT_SQL = `INSERT INTO meter_hours (charger_id, scope, hour, part, data, events, event_seq_max, event_end_seq, event_state_seq)
  SELECT ${r(0)}, ${r(1)}, ${HOUR}, ${PART},
    json_object(${r(2)}, json_array(json_array(${r(3)}, ${r(4)}, json(json_extract(r.value, '$[5]'))))),
    CASE WHEN ${ATTACHED} THEN json_object(CAST(${r(7)} AS TEXT), json(${ENTRY})) END,
    CASE WHEN ${ATTACHED} THEN ${r(7)} END,
    CASE WHEN ${ATTACHED} AND json_extract(${ENTRY}, '$[${PACKED_EVENT.endWh}]') IS NOT NULL THEN ${r(7)} END,
    CASE WHEN ${ATTACHED} AND json_extract(${ENTRY}, '$[${PACKED_EVENT.chargingState}]') IS NOT NULL THEN ${r(7)} END
  FROM json_each(?1) AS r
  WHERE ${APPLIED} OR ${PACKED_HERE}
  ON CONFLICT (charger_id, scope, hour, part) DO UPDATE SET
    data = CASE
      WHEN NOT ${STORED_READING} THEN json_insert(data, ${INCOMING_PATH}, json(json_extract(excluded.data, ${INCOMING_PATH})))
      WHEN EXISTS (SELECT 1 ${NEW_SAMPLES})
      THEN json_insert(data, ${INCOMING_PATH} || '[#]', json_array(${INCOMING('[0]')}, ${INCOMING('[1]')},
        (SELECT json_group_array(json(n.value)) ${NEW_SAMPLES})))
      ELSE data END,
    conflicts = CASE WHEN EXISTS (${UNKEPT_CONFLICTS})
      THEN (SELECT json_group_array(json(v)) FROM (
        SELECT value AS v FROM json_each(COALESCE(meter_hours.conflicts, '[]')) UNION ALL ${UNKEPT_CONFLICTS}))
      ELSE conflicts END,
    events = CASE WHEN ${NEW_EVENT}
      THEN json_insert(COALESCE(events, '{}'), ${packedPath(INCOMING_SEQ)}, json(json_extract(excluded.events, ${packedPath(INCOMING_SEQ)})))
      ELSE events END,
    event_seq_max = ${larger('event_seq_max')},
    event_end_seq = ${larger('event_end_seq')},
    event_state_seq = ${larger('event_state_seq')}
  WHERE NOT ${STORED_READING} OR EXISTS (SELECT 1 ${NEW_SAMPLES}) OR EXISTS (${UNKEPT_CONFLICTS}) OR ${NEW_EVENT}`;

/**
 * Keeps a transaction's first and last signed energy reading for its CDR (migrations/0038 says why
 * as they arrive). Rows of its JSON parameter: [charger, scope, transaction, timestamp, packed
 * sample, kept reading as JSON text] (src/tariffs/signed-data.ts KeptSignedReading). Run after
 * UPSERT_SQL, a reading is taken only if meter_hours now stores exactly that signed sample for the
 * transaction: a value not stored (its 2.0.1 event not applied, or a conflicting replay, which is
 * flagged and not kept) never reaches a CDR. An earlier reading replaces `first`, a later one
 * `last`; one of the same instant never replaces the one kept, and a replay writes nothing.
 */
const candidatePart = (i: number) => `json_extract(r.value, '$[4][${i}]')`;
const SIGNED_SQL = `INSERT INTO transaction_signed_values (charger_id, transaction_id, first_at, first_value, last_at, last_value)
  SELECT ${r(0)}, ${r(2)}, ${r(3)}, ${r(5)}, ${r(3)}, ${r(5)} FROM json_each(?1) AS r
  WHERE EXISTS (
    SELECT 1 FROM meter_hours h, json_each(h.data, '$."' || ${r(3)} || '"') AS g, json_each(g.value, '$[2]') AS o
    WHERE h.charger_id = ${r(0)} AND h.scope = ${r(1)} AND h.hour = substr(${r(3)}, 1, 13)
      AND ${[PACKED.measurand, PACKED.context, PACKED.phase, PACKED.location].map((i) => `${idPart('o', i)} IS COALESCE(${candidatePart(i)}, 0)`).join(' AND ')}
      AND ${part('o', PACKED.signedData)} = ${candidatePart(PACKED.signedData)})
  ON CONFLICT (charger_id, transaction_id) DO UPDATE SET
    first_at = CASE WHEN excluded.first_at < first_at THEN excluded.first_at ELSE first_at END,
    first_value = CASE WHEN excluded.first_at < first_at THEN excluded.first_value ELSE first_value END,
    last_at = CASE WHEN excluded.last_at > last_at THEN excluded.last_at ELSE last_at END,
    last_value = CASE WHEN excluded.last_at > last_at THEN excluded.last_value ELSE last_value END
  WHERE excluded.first_at < first_at OR excluded.last_at > last_at`;

/** The rows of SIGNED_SQL for one report's samples: one per reading that has a signed energy sample. */
function signedRows(chargerId: string, transactionId: string, samples: readonly MeterSample[]): unknown[][] {
  if (transactionId === '') return [];
  const rows: unknown[][] = [];
  for (const [timestamp, group] of readingsOf(samples)) {
    // The first value of each identity is the one stored (readingRows); a later one is judged as a replay.
    const first = new Map<string, MeterSample>();
    for (const s of group) if (!first.has(JSON.stringify(sampleKey(s)))) first.set(JSON.stringify(sampleKey(s)), s);
    const kept = signedReadingOf([...first.values()]);
    if (kept) rows.push([chargerId, scopeOf(transactionId, 0, 0), transactionId, timestamp, kept.sample, JSON.stringify(kept)]);
  }
  return rows;
}

/**
 * The readings (rows of `Row`) of the rows `m` of meter_hours that `where` selects, one per entry
 * of their data, in `order`.
 */
const readingsSql = (where: string, order = 'timestamp') =>
  `SELECT m.scope, m.hour, d.key AS timestamp, d.value AS data
   FROM meter_hours m, json_each(m.data) AS d WHERE ${where} ORDER BY ${order}`;

/**
 * One reading's rows of an insert statement (see `r`), per timestamp of `samples`: the first of
 * each value of the reading is the reading; a later one with the same identity goes in a reading
 * of its own after it, to be judged (kept, or flagged). `event` is what follows the transaction.
 */
function readingRows(
  chargerId: string,
  transactionId: string,
  evseId: number,
  connectorId: number,
  samples: readonly MeterSample[],
  event: unknown[],
): unknown[][] {
  const rows: unknown[][] = [];
  const scope = scopeOf(transactionId, evseId, connectorId);
  for (const [timestamp, group] of readingsOf(samples)) {
    const first = new Map<string, PackedSample>();
    const again: PackedSample[] = [];
    for (const s of group) {
      const key = JSON.stringify(sampleKey(s));
      const packed = packSample(s);
      if (!first.has(key)) first.set(key, packed);
      else if (JSON.stringify(first.get(key)) !== JSON.stringify(packed)) again.push(packed);
    }
    for (const packed of [[...first.values()], again]) {
      if (packed.length > 0) rows.push([chargerId, scope, timestamp, evseId, connectorId, packed, transactionId, ...event]);
    }
  }
  return rows;
}

/** A 2.0.1 event as an entry of meter_hours.events (store/packed-events.ts PACKED_EVENT), received `now`. */
function packedEntry(e: ChargerFact<'event201'>['fact'], now: string): unknown[] {
  const { beginWh, endWh } = eventRegisters(e.samples ?? [], e.eventType);
  const entry: unknown[] = [];
  entry[PACKED_EVENT.digest] = e.digest;
  entry[PACKED_EVENT.timestamp] = e.timestamp;
  entry[PACKED_EVENT.triggerReason] = e.triggerReason;
  entry[PACKED_EVENT.evseId] = e.evseId ?? null;
  entry[PACKED_EVENT.connectorId] = e.connectorId ?? null;
  entry[PACKED_EVENT.beginWh] = beginWh;
  entry[PACKED_EVENT.endWh] = endWh;
  entry[PACKED_EVENT.receivedAt] = now;
  entry[PACKED_EVENT.chargingState] = e.chargingState ?? null;
  // Only a bidirectional charger's events carry export registers: the others' entries stay as short as before.
  const exported = eventRegisters(e.samples ?? [], e.eventType, EXPORT_REGISTER);
  if (exported.beginWh !== null || exported.endWh !== null) {
    entry[PACKED_EVENT.beginExportWh] = exported.beginWh;
    entry[PACKED_EVENT.endExportWh] = exported.endWh;
  }
  return entry;
}

export class MeterValueStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Statements that store every sample of the reports, and of the 2.0.1 events whose event
   * was applied (run after TransactionStore.event201Statements: a seqNo reused with other
   * content, or an event after Ended, adds no readings to the transaction; its values are kept
   * in its anomaly). A sample already stored is skipped; one that contradicts a stored one is
   * kept and flagged instead (UPSERT_SQL). An event that event201Statements packs rather than
   * stores is packed here, with its readings (PACKED_HERE).
   * Meter values are most of what chargers send, so each statement carries as many readings as
   * fit in its JSON parameter (MAX_JSON_BYTES), already packed.
   */
  insertStatements(
    reports: readonly ChargerFact<'meter'>[],
    events: readonly ChargerFact<'event201'>[] = [],
    now: string = new Date().toISOString(),
  ): D1PreparedStatement[] {
    const rows: unknown[][] = [];
    for (const { chargerId, fact } of reports) {
      rows.push(...readingRows(chargerId, fact.transactionId ?? '', fact.evseId, fact.connectorId, fact.samples, []));
    }
    for (const judged of judgeBatch(events)) {
      const { chargerId, fact: e } = judged.event;
      if (e.samples === undefined || e.digest === undefined) continue;
      const entry = mayPack(judged) ? packedEntry(e, now) : null;
      const readings = readingRows(chargerId, e.transactionId, e.evseId ?? 0, e.connectorId ?? 0, e.samples, [e.seqNo, e.digest, entry, 0]);
      if (readings[0]) readings[0][10] = 1;
      rows.push(...readings);
    }
    // Signed readings only: a charger that signs nothing costs no statement more.
    const signed: unknown[][] = [];
    for (const { chargerId, fact } of reports) signed.push(...signedRows(chargerId, fact.transactionId ?? '', fact.samples));
    for (const { chargerId, fact: e } of events) if (e.samples !== undefined && e.digest !== undefined) signed.push(...signedRows(chargerId, e.transactionId, e.samples));
    return [
      ...jsonChunks(rows).map((json) => this.db.prepare(UPSERT_SQL).bind(json, now)),
      ...jsonChunks(signed).map((json) => this.db.prepare(SIGNED_SQL).bind(json)),
    ];
  }

  /**
   * One transaction's values, oldest first, `limit` at a time after `cursor` (an opaque string
   * from an earlier page). Null when the cursor is not one. Within a transaction a value is one
   * (timestamp, measurand, phase, location, context): the key the pages follow.
   */
  async pageForTransaction(
    chargerId: string,
    transactionId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ meterValues: StoredMeterValue[]; nextCursor: string | null } | null> {
    const after = page.cursor ? decodeCursor(page.cursor, 5) : null;
    if (page.cursor && !after) return null;
    const scope = scopeOf(transactionId, 0, 0);
    const values = await this.collect(
      page.limit + 1,
      after ? hourOf(after[0]!) : null,
      after ? (v) => compareKeys([v.timestamp, ...sampleKey(v)], after) > 0 : () => true,
      (from, inclusive, hours) =>
        this.db
          .prepare(
            readingsSql(`m.charger_id = ?1 AND m.scope = ?2 AND m.hour IN (
              SELECT DISTINCT hour FROM meter_hours WHERE charger_id = ?1 AND scope = ?2
                AND (?3 IS NULL OR hour > ?3 OR (?4 AND hour = ?3)) ORDER BY hour LIMIT ?5)`),
          )
          .bind(chargerId, scope, from, inclusive ? 1 : 0, hours),
    );
    const served = values.slice(0, page.limit);
    const last = served[served.length - 1];
    const nextCursor = values.length > page.limit && last ? encodeCursor([last.timestamp, ...sampleKey(last)]) : null;
    return { meterValues: served.map(withoutScope), nextCursor };
  }

  /** Every value of one transaction, in the order of `pageForTransaction` (for moving them elsewhere). */
  async readingsForTransaction(chargerId: string, transactionId: string): Promise<StoredMeterValue[]> {
    const { results } = await this.db
      .prepare(readingsSql('m.charger_id = ?1 AND m.scope = ?2'))
      .bind(chargerId, scopeOf(transactionId, 0, 0))
      .all<Row>();
    return results.flatMap(unpackRow);
  }

  /** Statements that delete every value of one transaction (once they are kept elsewhere). */
  deleteStatementsForTransaction(chargerId: string, transactionId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM meter_hours WHERE charger_id = ?1 AND scope = ?2').bind(chargerId, scopeOf(transactionId, 0, 0))];
  }

  /**
   * What a transaction's energy is computed from, without reading all its values: of its
   * Energy.Active.Import.Register readings, the earliest and the latest of each (unit, phase,
   * location, context), in the order of `pageForTransaction`. Every reading that is the earliest
   * or latest of any union of those series is among them, so energyFromSamples (earliest begin,
   * latest end, per phase and location) gives the same answer over these as over all readings.
   */
  async energyReadingsForTransaction(chargerId: string, transactionId: string): Promise<StoredMeterValue[]> {
    const series = [PACKED.unit, PACKED.phase, PACKED.location, PACKED.context].map((i) => idPart('s', i)).join(', ');
    const { results } = await this.db
      .prepare(
        `SELECT scope, timestamp, json_array(json_array(evse, connector, json_array(json(sample)))) AS data FROM (
           SELECT m.scope, d.key AS timestamp, json_extract(g.value, '$[0]') AS evse,
             json_extract(g.value, '$[1]') AS connector, s.value AS sample,
             ROW_NUMBER() OVER (PARTITION BY ${series} ORDER BY d.key) AS nth_first,
             ROW_NUMBER() OVER (PARTITION BY ${series} ORDER BY d.key DESC) AS nth_last
           FROM ${SAMPLES_OF_ROWS}
           WHERE m.charger_id = ?1 AND m.scope = ?2 AND ${part('s', PACKED.measurand)} = ${ENERGY_CODE}
             AND ${part('s', PACKED.value)} IS NOT NULL
         ) WHERE nth_first = 1 OR nth_last = 1`,
      )
      .bind(chargerId, scopeOf(transactionId, 0, 0))
      .all<Row>();
    return results.flatMap(unpackRow).sort((a, b) => compareKeys([a.timestamp, ...sampleKey(a)], [b.timestamp, ...sampleKey(b)]));
  }

  /**
   * A charger's values in [from, to), oldest first, `limit` at a time after `cursor` (an opaque
   * string from an earlier page). Null when the cursor is not one.
   * Read through the primary key: the charger's rows are scanned for the hours of the range, and
   * the readings of a few hours at a time unpacked and sorted. No index orders a charger's rows
   * by hour across scopes: one would cost every row a second row written, for an API read that
   * the retention window bounds to the charger's last days (older values are in R2, see
   * meter-archive.ts).
   */
  async forCharger(
    chargerId: string,
    range: { from?: string; to?: string; limit: number; cursor?: string },
  ): Promise<{ meterValues: StoredMeterValue[]; nextCursor: string | null } | null> {
    const after = range.cursor ? decodeCursor(range.cursor, 6) : null;
    if (range.cursor && !after) return null;
    const [start, end] = [range.from ?? '', range.to ?? '9999'];
    const values = await this.collect(
      range.limit + 1,
      after ? hourOf(after[0]!) : null,
      // The range is applied here, not in SQL: collect counts the hours the query returns to know
      // when there are no more, and an hour the range starts inside of may have none in it.
      (v) => v.timestamp >= start && v.timestamp < end && (!after || compareKeys([v.timestamp, v.scope, ...sampleKey(v)], after) > 0),
      (from, inclusive, hours) =>
        this.db
          .prepare(
            readingsSql(
              `m.charger_id = ?1 AND m.hour IN (
                SELECT DISTINCT hour FROM meter_hours WHERE charger_id = ?1 AND hour >= substr(?2, 1, 13) AND hour <= substr(?3, 1, 13)
                  AND (?4 IS NULL OR hour > ?4 OR (?5 AND hour = ?4)) ORDER BY hour LIMIT ?6)`,
              'timestamp, m.scope',
            ),
          )
          .bind(chargerId, start, end, from, inclusive ? 1 : 0, hours),
    );
    const page = values.slice(0, range.limit);
    const last = page[page.length - 1];
    const nextCursor = values.length > range.limit && last ? encodeCursor([last.timestamp, last.scope, ...sampleKey(last)]) : null;
    return { meterValues: page.map(withoutScope), nextCursor };
  }

  /**
   * Up to `wanted` values, in order, from the hour `start` on (null: from the first), keeping those
   * `keep` accepts (the values after a cursor, which may be inside the first hour). `query` gives
   * all the readings of `hours` hours after (or from) an hour, in order (fewer hours: there are
   * no more); hours are fetched a couple at a time, and twice as many each time they did not
   * fill the page.
   */
  private async collect(
    wanted: number,
    start: string | null,
    keep: (v: StoredMeterValue & { scope: string }) => boolean,
    query: (from: string | null, inclusive: boolean, hours: number) => D1PreparedStatement,
  ): Promise<Array<StoredMeterValue & { scope: string }>> {
    const values: Array<StoredMeterValue & { scope: string }> = [];
    let from = start;
    let inclusive = true;
    let hours = 2;
    for (;;) {
      const { results } = await query(from, inclusive, hours).all<Row>();
      for (const row of results) {
        for (const value of unpackRow(row)) {
          const withScope = { ...value, scope: row.scope };
          if (keep(withScope)) values.push(withScope);
        }
      }
      const fetched = [...new Set(results.map((row) => row.hour!))].sort();
      const last = fetched[fetched.length - 1];
      if (values.length >= wanted || fetched.length < hours || !last) return values;
      from = last;
      inclusive = false;
      hours *= 2;
    }
  }

  // What the archive (store/meter-archive.ts) needs beyond the reads above: kept to these methods
  // so it does not depend on how values are laid out in D1.

  /**
   * A statement that fails, and so rolls back the batch it is in, unless D1 holds exactly `count`
   * values of the transaction: put before `deleteStatementsForTransaction`, it keeps a value that
   * arrived after the archive read the others from being deleted unarchived. Values are only
   * ever added to a reading (UPSERT_SQL appends, never replaces), so an unchanged count is an
   * unchanged set. (json() of a text that is not JSON is SQLite's one way to raise an error
   * outside a trigger.)
   */
  unchangedStatementForTransaction(chargerId: string, transactionId: string, count: number): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN (${VALUE_COUNT_SQL} WHERE m.charger_id = ?1 AND m.scope = ?2) = ?3
                          THEN '0' ELSE 'meter values changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, scopeOf(transactionId, 0, 0), count);
  }

  /**
   * Values outside any transaction, per charger and UTC day, for the archive: each charger's
   * earliest day before `beforeDay` (YYYY-MM-DD) that has such values, earliest first, `limit`
   * of them; and how many chargers have one. One index seek per charger (the partial index of
   * readings outside transactions by time, migrations/0019: the WHERE must keep OUTSIDE_TRANSACTIONS
   * for SQLite to use it, and INDEXED BY makes a query that could not use it fail, not scan).
   */
  async dueChargerDays(beforeDay: string, limit: number): Promise<{ due: Array<{ chargerId: string; day: string }>; chargers: number }> {
    const { results } = await this.db
      .prepare(
        `SELECT charger_id, day, COUNT(*) OVER () AS chargers FROM (
           SELECT c.id AS charger_id,
             substr((SELECT m.hour FROM meter_hours m INDEXED BY meter_hours_outside_by_hour
                     WHERE m.charger_id = c.id AND m.hour < ?1 AND ${OUTSIDE_TRANSACTIONS}
                     ORDER BY m.hour LIMIT 1), 1, 10) AS day
           FROM chargers c)
         WHERE day IS NOT NULL ORDER BY day, charger_id LIMIT ?2`,
      )
      .bind(beforeDay, limit)
      .all<{ charger_id: string; day: string; chargers: number }>();
    return { due: results.map((r) => ({ chargerId: r.charger_id, day: r.day })), chargers: results[0]?.chargers ?? 0 };
  }

  /** The charger's values outside any transaction on one UTC day (YYYY-MM-DD), in `forCharger`'s order. */
  async readingsForChargerDay(chargerId: string, day: string): Promise<StoredMeterValue[]> {
    const { results } = await this.db
      .prepare(readingsSql(`m.charger_id = ?1 AND m.hour >= ?2 AND m.hour < ?3 AND ${OUTSIDE_TRANSACTIONS}`, 'timestamp, m.scope'))
      .bind(chargerId, ...dayBounds(day))
      .all<Row>();
    return results.flatMap(unpackRow);
  }

  /** Statements that delete the charger's values outside any transaction on one UTC day. */
  deleteStatementsForChargerDay(chargerId: string, day: string): D1PreparedStatement[] {
    return [
      this.db
        .prepare(`DELETE FROM meter_hours AS m WHERE m.charger_id = ?1 AND m.hour >= ?2 AND m.hour < ?3 AND ${OUTSIDE_TRANSACTIONS}`)
        .bind(chargerId, ...dayBounds(day)),
    ];
  }

  /** As `unchangedStatementForTransaction`, for the charger's values outside any transaction on one UTC day. */
  unchangedStatementForChargerDay(chargerId: string, day: string, count: number): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN (${VALUE_COUNT_SQL}
                                WHERE m.charger_id = ?1 AND m.hour >= ?2 AND m.hour < ?3 AND ${OUTSIDE_TRANSACTIONS}) = ?4
                          THEN '0' ELSE 'meter values changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, ...dayBounds(day), count);
  }
}

/** Every sample `s` of the rows `m` of meter_hours, with its reading `d` and segment `g`. */
const SAMPLES_OF_ROWS = `meter_hours m, json_each(m.data) AS d, json_each(d.value) AS g, json_each(g.value, '$[2]') AS s`;
/** How many values the rows `m` that a WHERE clause appended to it selects hold. */
const VALUE_COUNT_SQL = `SELECT COUNT(*) FROM ${SAMPLES_OF_ROWS}`;
/**
 * Readings `m` outside any transaction: scope '@<evse>/<connector>' ('@@…' is a transaction id
 * beginning with '@'). Word for word the WHERE of the partial index meter_hours_outside_by_hour
 * (migrations/0022), so that queries with it can use the index.
 */
const OUTSIDE_TRANSACTIONS = `m.scope LIKE '@%' AND m.scope NOT LIKE '@@%'`;

/** [start, end) of a UTC day as hour (or timestamp) text: every hour of day D starts `DT`. */
function dayBounds(day: string): [string, string] {
  return [`${day}T`, `${day}U`];
}

/**
 * SQL for the last Energy.Active.Import.Register phase-total reading in Wh at the outlet (location
 * unset or Outlet) stored for the transaction `transactionId` (an SQL expression) of charger
 * `chargerId`: the latest timestamp, a Transaction.End reading before any other of that instant.
 * Null when there is none. (For TransactionStore: a 1.6 transaction the CSMS closes for its charger.)
 */
export function lastEnergyRegisterSql(chargerId: string, transactionId: string): string {
  return `(SELECT ${part('s', PACKED.value)} FROM ${SAMPLES_OF_ROWS}
     WHERE m.charger_id = ${chargerId} AND m.scope = ${transactionScopeSql(transactionId)}
       AND ${part('s', PACKED.measurand)} = ${ENERGY_CODE} AND ${idPart('s', PACKED.phase)} = 0
       AND ${idPart('s', PACKED.location)} IN (0, ${codeOf(LOCATION_CODES, 'Outlet')}) AND ${part('s', PACKED.unit)} = ${codeOf(UNIT_CODES, 'Wh')}
       AND ${part('s', PACKED.value)} IS NOT NULL
     ORDER BY d.key DESC, ${idPart('s', PACKED.context)} = ${codeOf(CONTEXT_CODES, 'Transaction.End')} DESC, ${idPart('s', PACKED.location)} LIMIT 1)`;
}

/** The hour a timestamp's reading is stored in (meter_hours.hour). */
function hourOf(timestamp: string): string {
  return timestamp.slice(0, 13);
}

/** A report's samples by reading: its timestamps in the order they come, each with its samples. */
function readingsOf(samples: readonly MeterSample[]): Map<string, MeterSample[]> {
  const readings = new Map<string, MeterSample[]>();
  for (const s of samples) {
    const reading = readings.get(s.timestamp);
    if (reading) reading.push(s);
    else readings.set(s.timestamp, [s]);
  }
  return readings;
}

/** A row's values, in the API's order within a reading: measurand, phase, location, context. */
function unpackRow(row: Row): StoredMeterValue[] {
  const transactionId = transactionOfScope(row.scope);
  const values: StoredMeterValue[] = [];
  for (const [evseId, connectorId, samples] of JSON.parse(row.data) as PackedSegment[]) {
    for (const packed of samples) values.push({ transactionId, evseId, connectorId, ...unpackSample(packed, row.timestamp) });
  }
  return values.sort((a, b) => compareKeys(sampleKey(a), sampleKey(b)));
}

function withoutScope({ scope: _scope, ...value }: StoredMeterValue & { scope: string }): StoredMeterValue {
  return value;
}

/** A page position: the sort key of the last value served, base64 so it travels as one query parameter. */
function encodeCursor(key: string[]): string {
  return btoa(JSON.stringify(key));
}

function decodeCursor(cursor: string, length: number): string[] | null {
  try {
    const key = JSON.parse(atob(cursor)) as unknown;
    return Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string') ? key : null;
  } catch {
    return null;
  }
}
