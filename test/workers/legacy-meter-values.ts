// The meter value store as it was before migrations/0016 (one meter_values row per value), kept verbatim for
// test/workers/meter-compact.test.ts: it writes a database shaped like the old schema, and its reads are what the API answered then.

import { ENERGY_REGISTER, type MeterSample } from '../../src/ocpp/meter-values';
import type { ChargerFact } from '../../src/fleet/outbox';
import { jsonChunks } from '../../src/store/json-rows';

export interface StoredMeterValue extends MeterSample {
  transactionId: string | null;
  evseId: number;
  connectorId: number;
}

const COLUMNS = [
  'charger_id',
  'scope',
  'transaction_id',
  'evse_id',
  'connector_id',
  'timestamp',
  'measurand',
  'phase',
  'location',
  'context',
  'unit',
  'value',
  'signed_data',
] as const;

type Row = {
  scope: string;
  transaction_id: string;
  evse_id: number;
  connector_id: number;
  timestamp: string;
  measurand: string;
  phase: string;
  location: string;
  context: string;
  unit: string;
  value: number | null;
  signed_data: string | null;
};

export class LegacyMeterValueStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Statements that insert every sample of the reports, and of the 2.0.1 events whose event
   * was applied (run after TransactionStore.event201Statements: a seqNo reused with other
   * content, or an event after Ended, adds no readings to the transaction; its values are kept
   * in its anomaly). A sample already stored is skipped.
   * Meter values are most of what chargers send, so each statement carries as many as fit in
   * its JSON parameter (MAX_JSON_BYTES), and a report's columns travel once, not per sample:
   * [charger, scope, transaction, evse, connector, [[timestamp, measurand, phase, location,
   * context, unit, value, signed data], …], event seqNo, event digest] (the last two only for
   * an event's values).
   */
  insertStatements(reports: readonly ChargerFact<'meter'>[], events: readonly ChargerFact<'event201'>[] = []): D1PreparedStatement[] {
    const sampleRow = (s: MeterSample) => [s.timestamp, s.measurand, s.phase ?? '', s.location ?? '', s.context ?? '', s.unit, s.value, s.signedData];
    const rows = [
      ...reports
        .filter(({ fact }) => fact.samples.length > 0)
        .map(({ chargerId, fact: report }) => [
          chargerId,
          report.transactionId || `@${report.evseId}/${report.connectorId}`,
          report.transactionId,
          report.evseId,
          report.connectorId,
          report.samples.map(sampleRow),
        ]),
      ...events
        .filter(({ fact }) => fact.samples !== undefined && fact.samples.length > 0 && fact.digest !== undefined)
        .map(({ chargerId, fact: e }) => [
          chargerId,
          e.transactionId,
          e.transactionId,
          e.evseId ?? 0,
          e.connectorId ?? 0,
          e.samples!.map(sampleRow),
          e.seqNo,
          e.digest,
        ]),
    ];
    const report = (i: number) => `json_extract(r.value, '$[${i}]')`;
    const sample = (i: number) => `json_extract(s.value, '$[${i}]')`;
    return jsonChunks(rows).map((json) =>
      this.db
        .prepare(
          `INSERT OR IGNORE INTO meter_values (${COLUMNS.join(', ')})
           SELECT ${[0, 1, 2, 3, 4].map(report).join(', ')}, ${[0, 1, 2, 3, 4, 5, 6, 7].map(sample).join(', ')}
           FROM json_each(?1) AS r, json_each(r.value, '$[5]') AS s
           WHERE ${report(7)} IS NULL OR EXISTS (
             SELECT 1 FROM transaction_events e
             WHERE e.charger_id = ${report(0)} AND e.transaction_id = ${report(2)} AND e.seq_no = ${report(6)}
               AND e.digest = ${report(7)} AND e.disposition = 'applied')`,
        )
        .bind(json),
    );
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
    const { results } = await this.db
      .prepare(
        `SELECT * FROM meter_values
         WHERE charger_id = ?1 AND transaction_id = ?2
           AND (?3 IS NULL OR (timestamp, measurand, phase, location, context) > (?3, ?4, ?5, ?6, ?7))
         ORDER BY timestamp, measurand, phase, location, context
         LIMIT ?8`,
      )
      .bind(chargerId, transactionId, ...(after ?? [null, null, null, null, null]), page.limit + 1)
      .all<Row>();
    const rows = results.slice(0, page.limit);
    const last = rows[rows.length - 1];
    const nextCursor =
      results.length > page.limit && last ? encodeCursor([last.timestamp, last.measurand, last.phase, last.location, last.context]) : null;
    return { meterValues: rows.map(toStored), nextCursor };
  }

  /**
   * What a transaction's energy is computed from, without reading all its values: of its
   * Energy.Active.Import.Register readings, the earliest and the latest of each (unit, phase,
   * location, context), in the order of `pageForTransaction`. Every reading that is the earliest
   * or latest of any union of those series is among them, so energyFromSamples (earliest begin,
   * latest end, per phase and location) gives the same answer over these as over all readings.
   */
  async energyReadingsForTransaction(chargerId: string, transactionId: string): Promise<StoredMeterValue[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM (
           SELECT *,
             ROW_NUMBER() OVER (PARTITION BY unit, phase, location, context ORDER BY timestamp) AS nth_first,
             ROW_NUMBER() OVER (PARTITION BY unit, phase, location, context ORDER BY timestamp DESC) AS nth_last
           FROM meter_values
           WHERE charger_id = ?1 AND transaction_id = ?2 AND measurand = ?3 AND value IS NOT NULL
         ) WHERE nth_first = 1 OR nth_last = 1
         ORDER BY timestamp, measurand, phase, location, context`,
      )
      .bind(chargerId, transactionId, ENERGY_REGISTER)
      .all<Row>();
    return results.map(toStored);
  }

  /**
   * A charger's values in [from, to), oldest first, `limit` at a time after `cursor` (an opaque
   * string from an earlier page). Null when the cursor is not one.
   */
  async forCharger(
    chargerId: string,
    range: { from?: string; to?: string; limit: number; cursor?: string },
  ): Promise<{ meterValues: StoredMeterValue[]; nextCursor: string | null } | null> {
    const after = range.cursor ? decodeCursor(range.cursor, 6) : null;
    if (range.cursor && !after) return null;
    const { results } = await this.db
      .prepare(
        `SELECT * FROM meter_values
         WHERE charger_id = ?1 AND timestamp >= ?2 AND timestamp < ?3
           AND (?4 IS NULL OR (timestamp, scope, measurand, phase, location, context) > (?4, ?5, ?6, ?7, ?8, ?9))
         ORDER BY timestamp, scope, measurand, phase, location, context
         LIMIT ?10`,
      )
      .bind(chargerId, range.from ?? '', range.to ?? '9999', ...(after ?? [null, null, null, null, null, null]), range.limit + 1)
      .all<Row>();
    const page = results.slice(0, range.limit);
    const last = page[page.length - 1];
    const nextCursor =
      results.length > range.limit && last
        ? encodeCursor([last.timestamp, last.scope, last.measurand, last.phase, last.location, last.context])
        : null;
    return { meterValues: page.map(toStored), nextCursor };
  }
}

/** A page position: the sort key of the last row served, base64 so it travels as one query parameter. */
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

function toStored(row: Row): StoredMeterValue {
  return {
    transactionId: row.transaction_id === '' ? null : row.transaction_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    timestamp: row.timestamp,
    measurand: row.measurand,
    phase: row.phase || null,
    location: row.location || null,
    context: row.context || null,
    unit: row.unit,
    value: row.value,
    signedData: row.signed_data,
  };
}
