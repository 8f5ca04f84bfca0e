// /api/v1/cdrs — charge detail records of completed transactions, by end time: JSON pages, or one
// CSV export streamed from D1 page by page.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isValidIdTag, MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { isValidChargerId } from '../ocpp/charger-id';
import { CdrStore, formatCdrCursor, parseCdrCursor, type CdrCursor, type CdrQuery } from '../store/cdrs';
import { CDR_CSV_HEADER, cdrCsvLine, toCdr } from '../tariffs/cdr';
import { csvResponse, CSV_PAGE_ROWS, type CsvPage } from './csv-stream';
import { apiError } from './errors';
import { readLimit, readTimeRange, wantsCsv } from './query';

type App = Hono<{ Bindings: Env }>;

export { CSV_PAGE_ROWS };

/** Mounted at /api/v1/cdrs. */
export const cdrRoutes: App = new Hono();

cdrRoutes.get('/', async (c) => {
  const csv = wantsCsv(c);
  if (typeof csv === 'string') return apiError(c, 400, 'InvalidParameter', csv);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const chargerId = c.req.query('chargerId');
  if (chargerId !== undefined && !isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const idTag = c.req.query('idTag');
  if (idTag !== undefined && !isValidIdTag(idTag)) {
    return apiError(c, 400, 'InvalidIdTag', `idTag must be 1–${MAX_ID_TOKEN_LENGTH} printable ASCII characters`);
  }
  const cursorText = c.req.query('cursor');
  let after: CdrCursor | undefined;
  if (cursorText !== undefined) {
    const parsed = parseCdrCursor(cursorText);
    if (!parsed) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
    after = parsed;
  }
  const query = { ...range, chargerId, idTag, after };
  const store = new CdrStore(c.env.DB);
  if (csv) {
    // The export is every CDR in range: `limit` sizes JSON pages only, and saying so beats ignoring it.
    if (c.req.query('limit') !== undefined) {
      return apiError(c, 400, 'InvalidParameter', 'limit sizes JSON pages; the CSV export streams every CDR in range');
    }
    return csvExport(store, query, range);
  }
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const page = await store.page({ ...query, limit }, { full: true });
  return c.json({ cdrs: page.sources.map(toCdr), nextCursor: page.next === null ? null : formatCdrCursor(page.next) });
});

/** The CSV export: every CDR in range, read from D1 a page at a time as the client takes them (csv-stream.ts). */
function csvExport(store: CdrStore, query: Omit<CdrQuery, 'limit'>, range: { from?: string; to?: string }): Promise<Response> {
  const page = async (after: CdrCursor | undefined): Promise<CsvPage> => {
    const read = await store.page({ ...query, after, limit: CSV_PAGE_ROWS }, { full: false });
    const next = read.next;
    return { text: read.sources.map((s) => cdrCsvLine(toCdr(s))).join(''), next: next === null ? null : () => page(next) };
  };
  const day = (iso: string | undefined, fallback: string) => (iso === undefined ? fallback : iso.slice(0, 10).replaceAll('-', ''));
  return csvResponse(CDR_CSV_HEADER, () => page(query.after), `cdrs_${day(range.from, 'start')}_${day(range.to, 'now')}.csv`);
}
