// /api/v1/cdrs — charge detail records of completed transactions, by end time: JSON pages, or one
// CSV export streamed from D1 page by page.

import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { isValidIdTag, MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { isValidChargerId } from '../ocpp/charger-id';
import { CdrStore, formatCdrCursor, parseCdrCursor, type CdrCursor, type CdrQuery } from '../store/cdrs';
import { CDR_CSV_HEADER, cdrCsvLine, toCdr } from '../tariffs/cdr';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';

type App = Hono<{ Bindings: Env }>;

/** CDRs one D1 read of the CSV export brings: a few hundred keep each read small and the export's memory to about one page. */
export const CSV_PAGE_ROWS = 200;

/** Mounted at /api/v1/cdrs. */
export const cdrRoutes: App = new Hono();

/** CSV when asked for by `?format=csv`, or by an Accept that names text/csv (and no `format`). */
function wantsCsv(c: Context): boolean | string {
  const format = c.req.query('format');
  if (format !== undefined) {
    if (format === 'csv') return true;
    if (format === 'json') return false;
    return 'format must be json or csv';
  }
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(c.req.header('accept') ?? '');
}

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

/**
 * The CSV export: a ReadableStream that reads one page of CDRs from D1 each time the client has
 * taken the previous one (pull, high-water mark 0: nothing is read ahead), so a month of a large
 * fleet never sits in memory; any range is allowed for that reason. The first D1 read happens
 * before the response, so a D1 failure then is a plain 500; a failure later can no longer change
 * the status, so the stream errors and the client sees a broken transfer, not a short file that
 * looks whole.
 */
async function csvExport(store: CdrStore, query: Omit<CdrQuery, 'limit'>, range: { from?: string; to?: string }): Promise<Response> {
  const encoder = new TextEncoder();
  let page = await store.page({ ...query, limit: CSV_PAGE_ROWS }, { full: false });
  let first = true;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!first) {
          if (page.next === null) return controller.close();
          page = await store.page({ ...query, after: page.next, limit: CSV_PAGE_ROWS }, { full: false });
        }
        const text = (first ? CDR_CSV_HEADER : '') + page.sources.map((s) => cdrCsvLine(toCdr(s))).join('');
        first = false;
        controller.enqueue(encoder.encode(text));
        if (page.next === null) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  const day = (iso: string | undefined, fallback: string) => (iso === undefined ? fallback : iso.slice(0, 10).replaceAll('-', ''));
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="cdrs_${day(range.from, 'start')}_${day(range.to, 'now')}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
