// Reading the query parameters the API shares: page size, time ranges.

import type { Context } from 'hono';
import { toUtcIso } from '../ocpp/timestamps';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `?limit=`, 1–500, default 50 (or `fallback`); a string saying what is wrong otherwise. */
export function readLimit(c: Context, fallback = DEFAULT_PAGE_SIZE): number | string {
  const raw = c.req.query('limit');
  if (raw === undefined) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    return `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`;
  }
  return limit;
}

/** `?from=&to=` as UTC ISO strings; a string saying what is wrong otherwise. */
export function readTimeRange(c: Context): { from?: string; to?: string } | string {
  const range: { from?: string; to?: string } = {};
  for (const name of ['from', 'to'] as const) {
    const raw = c.req.query(name);
    if (raw === undefined) continue;
    const iso = toUtcIso(raw);
    if (!iso) return `${name} must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z`;
    range[name] = iso;
  }
  if (range.from && range.to && range.from > range.to) return 'from must not be after to';
  return range;
}

/** CSV when asked for by `?format=csv`, or by an Accept that names text/csv (and no `format`); a string saying what is wrong otherwise. */
export function wantsCsv(c: Context): boolean | string {
  const format = c.req.query('format');
  if (format !== undefined) {
    if (format === 'csv') return true;
    if (format === 'json') return false;
    return 'format must be json or csv';
  }
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(c.req.header('accept') ?? '');
}
