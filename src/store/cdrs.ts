// D1 access for charge detail records: completed transactions with their cost row, by when they
// ended; all of the CDR SQL lives here. The mapping to the OCPI CDR is src/tariffs/cdr.ts.

import type { CostBreakdown } from '../tariffs/cost';
import type { CdrSettlementSource, CdrSource } from '../tariffs/cdr';
import type { TariffBody } from '../tariffs/model';
import { flagsOf } from './transaction-anomalies';

export interface CdrQuery {
  /** CDRs of transactions that ended at or after `from` and before `to` (UTC ISO). */
  from?: string;
  to?: string;
  chargerId?: string;
  /** The id tag that started the transaction, case-insensitively (id tags are CiStrings). */
  idTag?: string;
  /** Continue after this position (a `nextCursor`). */
  after?: CdrCursor;
  limit: number;
}

/** A position in the order of CDRs: (end time, row id). */
export interface CdrCursor {
  stoppedAt: string;
  rowId: number;
}

/** The cursor as the API shows it: `<end time>~<row id>`; the row id breaks ties of the same end time. */
export function formatCdrCursor(cursor: CdrCursor): string {
  return `${cursor.stoppedAt}~${cursor.rowId}`;
}

export function parseCdrCursor(text: string): CdrCursor | null {
  const cut = text.lastIndexOf('~');
  if (cut < 1 || text.length > 100) return null;
  const rowId = Number(text.slice(cut + 1));
  if (!Number.isSafeInteger(rowId) || rowId < 0 || !/^\d+$/.test(text.slice(cut + 1))) return null;
  return { stoppedAt: text.slice(0, cut), rowId };
}

type Row = {
  id: number;
  charger_id: string;
  protocol: string;
  ocpp_transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_tag: string | null;
  id_token_type: string | null;
  remote_start_id: number | null;
  offline: number;
  started_at: string | null;
  stopped_at: string;
  energy_wh: number | null;
  energy_export_wh: number | null;
  stop_reason: string | null;
  updated_at: string;
  unpriced: number;
  flags: string | null;
  tariff_id: string | null;
  tariff_version: number | null;
  currency: string | null;
  breakdown: string | null;
  priced_at: string | null;
  tariff_body: string | null;
  tariff_stored_at: string | null;
  signed_first_at: string | null;
  signed_first_value: string | null;
  signed_last_at: string | null;
  signed_last_value: string | null;
  /** OCPP 2.1: the latest NotifySettlement of the transaction, as JSON; null for other versions or none. */
  settlement: string | null;
};

/**
 * The page's SQL. The range and the cursor are plain comparisons on (stopped_at, id), with bounds
 * that always hold when not given ('' and a character above every timestamp), so SQLite reads the
 * index transactions_completed_by_stop (migration 0035) from the first entry of the page, in
 * order, and stops at the limit: no scan, no sort. `status = 'completed'` is word for word the
 * index's WHERE. INDEXED BY, as store/meter-archive.ts does: without statistics SQLite prefers the
 * equality on transactions_by_status (status, id), which reads every completed transaction of the
 * fleet and sorts them (EXPLAIN QUERY PLAN in test/workers/cdrs.test.ts). `full` adds what only JSON CDRs show: the transaction's flags and the tariff body.
 */
export function cdrPageSql(full: boolean): string {
  return `${cdrSelect(full, 'INDEXED BY transactions_completed_by_stop')}
  WHERE t.status = 'completed' AND t.stopped_at >= ?1 AND t.stopped_at < ?2 AND (t.stopped_at, t.id) > (?3, ?4)
    AND (?5 IS NULL OR t.charger_id = ?5) AND (?6 IS NULL OR t.id_tag = ?6 COLLATE NOCASE)
  ORDER BY t.stopped_at, t.id LIMIT ?7`;
}

/**
 * The columns of a CDR source and where they come from; `indexed` names the index to read transactions by.
 * Signed meter data comes from transaction_signed_values (migrations/0038), one primary-key read per
 * CDR within the page's one query: never the transaction's readings, in D1 or archived in R2.
 */
function cdrSelect(full: boolean, indexed = ''): string {
  return `SELECT t.id, t.charger_id, t.protocol, t.ocpp_transaction_id, t.evse_id, t.connector_id, t.id_tag,
    CASE WHEN t.protocol <> 'ocpp1.6' THEN (SELECT x.id_token_type FROM transaction_events x
      WHERE x.charger_id = t.charger_id AND x.transaction_id = t.ocpp_transaction_id AND x.id_token IS NOT NULL
      ORDER BY x.seq_no LIMIT 1) END AS id_token_type,
    t.remote_start_id, t.offline, t.started_at, t.stopped_at, t.energy_wh, t.energy_export_wh, t.stop_reason, t.updated_at,
    EXISTS (SELECT 1 FROM transaction_anomalies a WHERE a.charger_id = t.charger_id
      AND a.ocpp_transaction_id = t.ocpp_transaction_id AND a.kind = 'unpriced') AS unpriced,
    ${full ? flagsOf('t') : 'NULL'} AS flags,
    c.tariff_id, c.tariff_version, c.currency, c.breakdown, c.priced_at,
    ${full ? 'v.body' : 'NULL'} AS tariff_body, ${full ? 'v.created_at' : 'NULL'} AS tariff_stored_at,
    sv.first_at AS signed_first_at, sv.first_value AS signed_first_value, sv.last_at AS signed_last_at, sv.last_value AS signed_last_value,
    CASE WHEN t.protocol = 'ocpp2.1' THEN (SELECT json_object('psp_ref', s.psp_ref, 'status', s.status, 'amount', s.amount, 'settled_at', s.settled_at,
        'receipt_id', s.receipt_id, 'receipt_url', s.receipt_url, 'vat_number', s.vat_number, 'received_at', s.received_at)
      FROM transaction_settlements s WHERE s.charger_id = t.charger_id AND s.ocpp_transaction_id = t.ocpp_transaction_id
      ORDER BY s.settled_at DESC LIMIT 1) END AS settlement
  FROM transactions t ${indexed}
  LEFT JOIN transaction_costs c ON c.transaction_id = t.id
  LEFT JOIN transaction_signed_values sv ON sv.charger_id = t.charger_id AND sv.transaction_id = t.ocpp_transaction_id
  ${full ? 'LEFT JOIN tariff_versions v ON v.tariff_id = c.tariff_id AND v.version = c.tariff_version' : ''}`;
}

/** Above every timestamp the CSMS stores (they start with a digit). */
const END_OF_TIME = '\u{10FFFF}';

export function cdrPageBindings(query: CdrQuery): unknown[] {
  return [
    query.from ?? '',
    query.to ?? END_OF_TIME,
    query.after?.stoppedAt ?? '',
    query.after?.rowId ?? -1,
    query.chargerId ?? null,
    query.idTag ?? null,
    query.limit + 1,
  ];
}

export class CdrStore {
  constructor(private readonly db: D1Database) {}

  /** One page of CDR sources in (end time, row id) order, and the cursor after it (null: the last page). */
  async page(query: CdrQuery, { full }: { full: boolean }): Promise<{ sources: CdrSource[]; next: CdrCursor | null }> {
    const { results } = await this.db
      .prepare(cdrPageSql(full))
      .bind(...cdrPageBindings(query))
      .all<Row>();
    const rows = results.slice(0, query.limit);
    const last = rows[rows.length - 1];
    return {
      sources: rows.map(toSource),
      next: results.length > query.limit && last ? { stoppedAt: last.stopped_at, rowId: last.id } : null,
    };
  }

  /**
   * One completed transaction's CDR source, by the charger's id for it (null while it runs or when
   * unknown): what a `cdr.created` event (src/tariffs/cdr.ts cdrEvent) is built from once the
   * flush that completed it, and wrote its cost, has committed.
   */
  async forTransaction(chargerId: string, transactionId: string): Promise<CdrSource | null> {
    const row = await this.db
      .prepare(`${cdrSelect(true)} WHERE t.charger_id = ?1 AND t.ocpp_transaction_id = ?2 AND t.status = 'completed' AND t.stopped_at IS NOT NULL`)
      .bind(chargerId, transactionId)
      .first<Row>();
    return row ? toSource(row) : null;
  }

  /** `forTransaction` for several transactions in one D1 round trip (a batch of reads), in the order given. */
  async forTransactions(which: ReadonlyArray<{ chargerId: string; transactionId: string }>): Promise<Array<CdrSource | null>> {
    if (which.length === 0) return [];
    const sql = `${cdrSelect(true)} WHERE t.charger_id = ?1 AND t.ocpp_transaction_id = ?2 AND t.status = 'completed' AND t.stopped_at IS NOT NULL`;
    const results = await this.db.batch(which.map(({ chargerId, transactionId }) => this.db.prepare(sql).bind(chargerId, transactionId)));
    return results.map((result) => {
      const row = (result.results as Row[])[0];
      return row ? toSource(row) : null;
    });
  }
}

function toSource(row: Row): CdrSource {
  return {
    rowId: row.id,
    chargerId: row.charger_id,
    protocol: row.protocol,
    transactionId: row.ocpp_transaction_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    idTag: row.id_tag,
    idTokenType: row.id_token_type,
    remoteStartId: row.remote_start_id,
    offline: row.offline === 1,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    energyWh: row.energy_wh,
    energyExportWh: row.energy_export_wh,
    stopReason: row.stop_reason,
    updatedAt: row.updated_at,
    unpricedFlag: row.unpriced === 1,
    signed:
      row.signed_first_at === null || row.signed_first_value === null || row.signed_last_at === null || row.signed_last_value === null
        ? null
        : { firstAt: row.signed_first_at, firstValue: row.signed_first_value, lastAt: row.signed_last_at, lastValue: row.signed_last_value },
    ...(row.flags === null ? {} : { flags: JSON.parse(row.flags) as string[] }),
    ...(row.settlement ? { settlement: JSON.parse(row.settlement) as CdrSettlementSource } : {}),
    cost:
      row.tariff_id === null || row.tariff_version === null || row.currency === null || row.breakdown === null || row.priced_at === null
        ? null
        : {
            tariffId: row.tariff_id,
            tariffVersion: row.tariff_version,
            currency: row.currency,
            breakdown: JSON.parse(row.breakdown) as CostBreakdown,
            pricedAt: row.priced_at,
            ...(row.tariff_body === null || row.tariff_stored_at === null
              ? {}
              : { tariff: { body: JSON.parse(row.tariff_body) as TariffBody, lastUpdated: row.tariff_stored_at } }),
          },
  };
}
