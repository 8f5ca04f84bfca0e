// The meter value store as it was from migrations/0016 to 0022 (one meter_readings row per reading), kept
// verbatim but for the archive's methods, for the migration tests (meter-time-index.test.ts): it writes a
// database shaped like that schema, and its reads are what the API answered then.

import { ENERGY_REGISTER, type MeterSample } from '../../src/ocpp/meter-values';
import type { ChargerFact } from '../../src/fleet/outbox';
import { jsonChunks } from '../../src/store/json-rows';
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
} from '../../src/store/meter-packing';

export interface StoredMeterValue extends MeterSample {
  transactionId: string | null;
  evseId: number;
  connectorId: number;
}

type Row = { scope: string; timestamp: string; data: string };

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
 * [packed samples…], transaction ('' for none), event seqNo, event digest] (the last two only for
 * a 2.0.1 event's values).
 */
const r = (i: number) => `json_extract(r.value, '$[${i}]')`;
/** Only an applied 2.0.1 event's values are stored (see insertStatements). */
const APPLIED = `(${r(8)} IS NULL OR EXISTS (
  SELECT 1 FROM transaction_events e
  WHERE e.charger_id = ${r(0)} AND e.transaction_id = ${r(6)} AND e.seq_no = ${r(7)}
    AND e.digest = ${r(8)} AND e.disposition = 'applied'))`;

/** The incoming reading's samples (excluded.data holds one segment) that its stored row lacks. */
const NEW_SAMPLES = `FROM json_each(excluded.data, '$[0][2]') AS n
  WHERE NOT EXISTS (SELECT 1 FROM json_each(meter_readings.data) AS g, json_each(g.value, '$[2]') AS o WHERE ${sameKey('o', 'n')})`;

/**
 * The incoming reading's samples that contradict a stored one (same identity, another number,
 * unit or signed data), each as [received at, detail]: the detail is the value as received, and
 * what was kept. One already kept is not kept again.
 */
const NEW_CONFLICTS = `SELECT json_array(?2, json_object('timestamp', excluded.timestamp,
      'evseId', json_extract(excluded.data, '$[0][0]'), 'connectorId', json_extract(excluded.data, '$[0][1]'),
      'measurand', ${decodeSql(MEASURAND_CODES, part('n', PACKED.measurand), 'NULL')},
      'phase', ${decodeSql(PHASE_CODES, part('n', PACKED.phase), 'NULL')},
      'location', ${decodeSql(LOCATION_CODES, part('n', PACKED.location), 'NULL')},
      'context', ${decodeSql(CONTEXT_CODES, part('n', PACKED.context), 'NULL')},
      'unit', ${decodeSql(UNIT_CODES, part('n', PACKED.unit), "''")},
      'value', ${part('n', PACKED.value)}, 'signedData', ${part('n', PACKED.signedData)},
      'kept', json_object('evseId', json_extract(g.value, '$[0]'), 'connectorId', json_extract(g.value, '$[1]'),
        'unit', ${decodeSql(UNIT_CODES, part('o', PACKED.unit), "''")},
        'value', ${part('o', PACKED.value)}, 'signedData', ${part('o', PACKED.signedData)}))) AS conflict
  FROM json_each(excluded.data, '$[0][2]') AS n, json_each(meter_readings.data) AS g, json_each(g.value, '$[2]') AS o
  WHERE ${sameKey('o', 'n')} AND ${otherContent('o', 'n')}`;
const UNKEPT_CONFLICTS = `SELECT conflict FROM (${NEW_CONFLICTS}) AS c
  WHERE NOT EXISTS (SELECT 1 FROM json_each(meter_readings.conflicts) AS k WHERE json_extract(k.value, '$[1]') = json_extract(c.conflict, '$[1]'))`;

/**
 * Stores each reading as a row; a reading whose row exists already (a replay, or more values of
 * the same instant from another message) adds only the values the row lacks, as a segment of
 * their own (they may name another EVSE or connector). A value the row has is not added again,
 * whatever it says. Conflicting input is kept and flagged: one that says something else is kept
 * in the row's `conflicts`, and the meter_readings_conflicts trigger (migrations/0016) makes it a
 * `conflicting-meter-value` anomaly of the transaction (values outside a transaction: under the
 * scope '@<evse>/<connector>'). Values of one batch are judged against each other too (rows are
 * inserted in order), and an identical replay writes nothing: the update's WHERE finds nothing new.
 */
const UPSERT_SQL = `INSERT INTO meter_readings (charger_id, scope, timestamp, data)
  SELECT ${r(0)}, ${r(1)}, ${r(2)}, json_array(json_array(${r(3)}, ${r(4)}, json(json_extract(r.value, '$[5]'))))
  FROM json_each(?1) AS r
  WHERE ${APPLIED}
  ON CONFLICT (charger_id, scope, timestamp) DO UPDATE SET
    data = CASE WHEN EXISTS (SELECT 1 ${NEW_SAMPLES})
      THEN json_insert(data, '$[#]', json_array(json_extract(excluded.data, '$[0][0]'), json_extract(excluded.data, '$[0][1]'),
        (SELECT json_group_array(json(n.value)) ${NEW_SAMPLES})))
      ELSE data END,
    conflicts = CASE WHEN EXISTS (${UNKEPT_CONFLICTS})
      THEN (SELECT json_group_array(json(v)) FROM (
        SELECT value AS v FROM json_each(COALESCE(meter_readings.conflicts, '[]')) UNION ALL ${UNKEPT_CONFLICTS}))
      ELSE conflicts END
  WHERE EXISTS (SELECT 1 ${NEW_SAMPLES}) OR EXISTS (${UNKEPT_CONFLICTS})`;

export class LegacyMeterReadingStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Statements that store every sample of the reports, and of the 2.0.1 events whose event
   * was applied (run after TransactionStore.event201Statements: a seqNo reused with other
   * content, or an event after Ended, adds no readings to the transaction; its values are kept
   * in its anomaly). A sample already stored is skipped; one that contradicts a stored one is
   * kept and flagged instead (UPSERT_SQL).
   * Meter values are most of what chargers send, so each statement carries as many readings as
   * fit in its JSON parameter (MAX_JSON_BYTES), already packed.
   */
  insertStatements(
    reports: readonly ChargerFact<'meter'>[],
    events: readonly ChargerFact<'event201'>[] = [],
    now: string = new Date().toISOString(),
  ): D1PreparedStatement[] {
    const rows: unknown[][] = [];
    const add = (chargerId: string, transactionId: string, evseId: number, connectorId: number, samples: readonly MeterSample[], event: unknown[]) => {
      const scope = scopeOf(transactionId, evseId, connectorId);
      for (const [timestamp, group] of readingsOf(samples)) {
        // The first of each value of the reading is the reading; a later one with the same
        // identity goes in a reading of its own after it, to be judged (kept, or flagged).
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
    };
    for (const { chargerId, fact } of reports) add(chargerId, fact.transactionId ?? '', fact.evseId, fact.connectorId, fact.samples, []);
    for (const { chargerId, fact: e } of events) {
      if (e.samples === undefined || e.digest === undefined) continue;
      add(chargerId, e.transactionId, e.evseId ?? 0, e.connectorId ?? 0, e.samples, [e.seqNo, e.digest]);
    }
    return jsonChunks(rows).map((json) => this.db.prepare(UPSERT_SQL).bind(json, now));
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
      after ? [after[0]!, scope] : null,
      after ? (v) => compareKeys([v.timestamp, ...sampleKey(v)], after) > 0 : () => true,
      (from, inclusive, limit) =>
        this.db
          .prepare(
            `SELECT scope, timestamp, data FROM meter_readings
             WHERE charger_id = ?1 AND scope = ?2 AND (?3 IS NULL OR timestamp > ?3 OR (?4 AND timestamp = ?3))
             ORDER BY timestamp LIMIT ?5`,
          )
          .bind(chargerId, scope, from?.[0] ?? null, inclusive ? 1 : 0, limit),
    );
    const served = values.slice(0, page.limit);
    const last = served[served.length - 1];
    const nextCursor = values.length > page.limit && last ? encodeCursor([last.timestamp, ...sampleKey(last)]) : null;
    return { meterValues: served.map(withoutScope), nextCursor };
  }

  /** Every value of one transaction, in the order of `pageForTransaction` (for moving them elsewhere). */
  async readingsForTransaction(chargerId: string, transactionId: string): Promise<StoredMeterValue[]> {
    const { results } = await this.db
      .prepare('SELECT scope, timestamp, data FROM meter_readings WHERE charger_id = ?1 AND scope = ?2 ORDER BY timestamp')
      .bind(chargerId, scopeOf(transactionId, 0, 0))
      .all<Row>();
    return results.flatMap(unpackRow);
  }

  /** Statements that delete every value of one transaction (once they are kept elsewhere). */
  deleteStatementsForTransaction(chargerId: string, transactionId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM meter_readings WHERE charger_id = ?1 AND scope = ?2').bind(chargerId, scopeOf(transactionId, 0, 0))];
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
           SELECT m.scope, m.timestamp, json_extract(g.value, '$[0]') AS evse, json_extract(g.value, '$[1]') AS connector, s.value AS sample,
             ROW_NUMBER() OVER (PARTITION BY ${series} ORDER BY m.timestamp) AS nth_first,
             ROW_NUMBER() OVER (PARTITION BY ${series} ORDER BY m.timestamp DESC) AS nth_last
           FROM meter_readings m, json_each(m.data) AS g, json_each(g.value, '$[2]') AS s
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
   * Read through the primary key: the charger's rows are scanned and the first `limit` in time
   * order kept (SQLite keeps no more than the LIMIT while it sorts). No index orders a charger's
   * readings by time across scopes: one would cost every reading a second row written, for an
   * API read that the retention window bounds to the charger's last days (older values are in
   * R2, see meter-archive.ts).
   */
  async forCharger(
    chargerId: string,
    range: { from?: string; to?: string; limit: number; cursor?: string },
  ): Promise<{ meterValues: StoredMeterValue[]; nextCursor: string | null } | null> {
    const after = range.cursor ? decodeCursor(range.cursor, 6) : null;
    if (range.cursor && !after) return null;
    const values = await this.collect(
      range.limit + 1,
      after ? [after[0]!, after[1]!] : null,
      after ? (v) => compareKeys([v.timestamp, v.scope, ...sampleKey(v)], after) > 0 : () => true,
      (from, inclusive, limit) =>
        this.db
          .prepare(
            `SELECT scope, timestamp, data FROM meter_readings
             WHERE charger_id = ?1 AND timestamp >= ?2 AND timestamp < ?3
               AND (?4 IS NULL OR (timestamp, scope) > (?4, ?5) OR (?6 AND (timestamp, scope) = (?4, ?5)))
             ORDER BY timestamp, scope LIMIT ?7`,
          )
          .bind(chargerId, range.from ?? '', range.to ?? '9999', from?.[0] ?? null, from?.[1] ?? null, inclusive ? 1 : 0, limit),
    );
    const page = values.slice(0, range.limit);
    const last = page[page.length - 1];
    const nextCursor = values.length > range.limit && last ? encodeCursor([last.timestamp, last.scope, ...sampleKey(last)]) : null;
    return { meterValues: page.map(withoutScope), nextCursor };
  }

  /**
   * Up to `wanted` values, in order, from readings at or after the reading `start` (timestamp and
   * scope; null: from the first), keeping those `keep` accepts (the values after a cursor, which
   * may be inside the first reading). Readings are fetched a few at a time, as many as the values
   * wanted would fill at 4 values a reading, and more only if they did not.
   */
  private async collect(
    wanted: number,
    start: [string, string] | null,
    keep: (v: StoredMeterValue & { scope: string }) => boolean,
    query: (from: [string, string] | null, inclusive: boolean, limit: number) => D1PreparedStatement,
  ): Promise<Array<StoredMeterValue & { scope: string }>> {
    const values: Array<StoredMeterValue & { scope: string }> = [];
    let from = start;
    let inclusive = true;
    let batch = Math.max(8, Math.ceil(wanted / 4) + 1);
    for (;;) {
      const { results } = await query(from, inclusive, batch).all<Row>();
      for (const row of results) {
        for (const value of unpackRow(row)) {
          const withScope = { ...value, scope: row.scope };
          if (keep(withScope)) values.push(withScope);
        }
      }
      const last = results[results.length - 1];
      if (values.length >= wanted || results.length < batch || !last) return values;
      from = [last.timestamp, last.scope];
      inclusive = false;
      batch *= 2;
    }
  }
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
