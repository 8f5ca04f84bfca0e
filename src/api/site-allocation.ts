// /api/v1/sites/{siteId}/allocation, /load and /log: what a site's allocator does now, the load
// over time, and the profiles it sent with the chargers' answers — read from the site's object
// (src/sites/site-object.ts), which keeps them; D1 only says whether the site exists.

import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { siteObject } from '../sites/site-object';
import { SiteStore } from '../store/sites';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';
import { SITE_PART_ID } from './site-bodies';

type AppContext = Context<{ Bindings: Env }>;

/** Mounted at /api/v1/sites. */
export const siteAllocationRoutes = new Hono<{ Bindings: Env }>();

/** The load is kept a week; one read spans at most that. */
const LOAD_SPAN_MS = 7 * 24 * 3_600_000;
const DEFAULT_LOAD_MS = 24 * 3_600_000;

siteAllocationRoutes.get('/:siteId/allocation', async (c) => {
  const siteId = await existingSite(c);
  if (siteId instanceof Response) return siteId;
  return c.json({ allocation: await siteObject(c.env, siteId).snapshot() });
});

siteAllocationRoutes.get('/:siteId/load', async (c) => {
  const siteId = await existingSite(c);
  if (siteId instanceof Response) return siteId;
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const to = range.to ? Date.parse(range.to) : Date.now();
  const from = range.from ? Date.parse(range.from) : to - DEFAULT_LOAD_MS;
  if (to - from > LOAD_SPAN_MS) return apiError(c, 400, 'InvalidParameter', 'from and to may be at most 7 days apart (the load is kept a week)');
  return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), samples: await siteObject(c.env, siteId).load(from, to) });
});

siteAllocationRoutes.get('/:siteId/log', async (c) => {
  const siteId = await existingSite(c);
  if (siteId instanceof Response) return siteId;
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const rawCursor = c.req.query('cursor');
  const cursor = rawCursor === undefined ? null : Number(rawCursor);
  if (cursor !== null && (!Number.isSafeInteger(cursor) || cursor < 1)) return apiError(c, 400, 'InvalidParameter', 'cursor must be the nextCursor of an earlier page');
  const entries = await siteObject(c.env, siteId).logPage(limit, cursor);
  return c.json({ entries, nextCursor: entries.length === limit ? String(entries.at(-1)!.id) : null });
});

/** The site id of the path when the site exists; the error answer otherwise. */
async function existingSite(c: AppContext): Promise<string | Response> {
  const siteId = c.req.param('siteId') ?? '';
  if (!SITE_PART_ID.test(siteId)) return apiError(c, 400, 'InvalidSiteId', 'A site id is 1-64 of A-Z a-z 0-9 . _ -');
  if (!(await new SiteStore(c.env.DB).load(siteId))) return apiError(c, 404, 'UnknownSite', `No site "${siteId}" exists`);
  return siteId;
}
