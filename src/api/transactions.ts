// /api/v1/transactions — the fleet's transactions, newest first: JSON pages, or the filtered list
// as one CSV export streamed from D1 page by page.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isValidIdTag, MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { isValidChargerId } from '../ocpp/charger-id';
import { ChargerStore } from '../store/chargers';
import { TransactionStore, type TransactionQuery, type TransactionRecord } from '../store/transactions';
import { csvCell, CSV_EOL, decimal } from '../tariffs/cdr';
import { minorUnitsOf } from '../tariffs/cost';
import { csvResponse, CSV_PAGE_ROWS, type CsvPage } from './csv-stream';
import { apiError } from './errors';
import { readLimit, readTimeRange, wantsCsv } from './query';

type App = Hono<{ Bindings: Env }>;

/** Mounted at /api/v1/transactions: the fleet's transactions, newest first. */
export const transactionRoutes: App = new Hono();

transactionRoutes.get('/', async (c) => {
  const csv = wantsCsv(c);
  if (typeof csv === 'string') return apiError(c, 400, 'InvalidParameter', csv);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const status = c.req.query('status');
  if (status !== undefined && status !== 'active' && status !== 'completed') {
    return apiError(c, 400, 'InvalidParameter', 'status must be active or completed');
  }
  const flagged = c.req.query('flagged');
  if (flagged !== undefined && flagged !== 'true' && flagged !== 'false') {
    return apiError(c, 400, 'InvalidParameter', 'flagged must be true or false');
  }
  const idTag = c.req.query('idTag');
  if (idTag !== undefined && !isValidIdTag(idTag)) {
    return apiError(c, 400, 'InvalidIdTag', `idTag must be 1–${MAX_ID_TOKEN_LENGTH} printable ASCII characters`);
  }
  const cursorText = c.req.query('cursor');
  const cursor = cursorText === undefined ? undefined : Number(cursorText);
  if (cursor !== undefined && !Number.isInteger(cursor)) {
    return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  }
  const chargerId = c.req.query('chargerId');
  if (chargerId !== undefined) {
    if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
    // One charger's list is read like its other views: with its waiting facts copied first.
    if (await new ChargerStore(c.env.DB).exists(chargerId)) await c.env.CHARGERS.getByName(chargerId).flushNow();
  }
  const query = { chargerId, idTag, status: status as TransactionQuery['status'], flagged: flagged === 'true', ...range, cursor };
  const store = new TransactionStore(c.env.DB);
  if (csv) {
    // The export is every transaction the filters match: `limit` sizes JSON pages only.
    if (c.req.query('limit') !== undefined) {
      return apiError(c, 400, 'InvalidParameter', 'limit sizes JSON pages; the CSV export streams every transaction the filters match');
    }
    return csvExport(store, query);
  }
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const page = await store.list({ ...query, limit });
  return c.json({ transactions: page.transactions, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) });
});

/** The columns of the transactions CSV, in order. Money in the currency's minor unit; energy in kWh. */
export const TRANSACTION_CSV_COLUMNS = [
  'id',
  'charger_id',
  'transaction_id',
  'protocol',
  'evse_id',
  'connector_id',
  'id_tag',
  'status',
  'started_at',
  'stopped_at',
  'energy_kwh',
  'energy_export_kwh',
  'stop_reason',
  'tariff_id',
  'tariff_version',
  'currency',
  'total_cost_excl_vat',
  'total_cost_incl_vat',
  'flags',
] as const;

/** One transaction as a CSV line (with its CRLF). A running one has no cost yet: its cost cells are empty. */
export function transactionCsvLine(t: TransactionRecord): string {
  const cost = t.cost;
  const places = cost ? minorUnitsOf(cost.currency) : 2;
  const amount = (x: number | undefined) => (x === undefined ? '' : x.toFixed(places));
  const cells: Record<(typeof TRANSACTION_CSV_COLUMNS)[number], string> = {
    id: String(t.id),
    charger_id: csvCell(t.chargerId),
    transaction_id: csvCell(t.transactionId),
    protocol: csvCell(t.protocol),
    evse_id: csvCell(t.evseId),
    connector_id: csvCell(t.connectorId),
    id_tag: csvCell(t.idTag),
    status: t.status,
    started_at: csvCell(t.startedAt),
    stopped_at: csvCell(t.stoppedAt),
    energy_kwh: t.energyWh === null ? '' : decimal(t.energyWh / 1000, 6),
    energy_export_kwh: t.energyExportWh === null ? '' : decimal(t.energyExportWh / 1000, 6),
    stop_reason: csvCell(t.stopReason),
    tariff_id: csvCell(t.tariff?.id),
    tariff_version: csvCell(t.tariff?.version),
    currency: csvCell(cost?.currency),
    total_cost_excl_vat: amount(cost?.total_cost.excl_vat),
    total_cost_incl_vat: amount(cost?.total_cost.incl_vat),
    flags: csvCell(t.flags.join(' ')),
  };
  return TRANSACTION_CSV_COLUMNS.map((column) => cells[column]).join(',') + CSV_EOL;
}

/** Every transaction the filters match, newest first, read a page at a time as the client takes them (csv-stream.ts). */
function csvExport(store: TransactionStore, query: Omit<TransactionQuery, 'limit'>): Promise<Response> {
  const page = async (cursor: number | undefined): Promise<CsvPage> => {
    const read = await store.list({ ...query, cursor, limit: CSV_PAGE_ROWS });
    const next = read.nextCursor;
    return { text: read.transactions.map(transactionCsvLine).join(''), next: next === null ? null : () => page(next) };
  };
  const name = ['transactions', query.chargerId, query.idTag, query.status, query.flagged ? 'flagged' : undefined]
    .filter((x) => x !== undefined)
    .join('_')
    .replace(/[^A-Za-z0-9._-]/g, '-');
  return csvResponse(TRANSACTION_CSV_COLUMNS.join(',') + CSV_EOL, () => page(query.cursor), `${name}.csv`);
}
