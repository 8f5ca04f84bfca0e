// /api/v1/archive — runs the meter archive (archive/meter-archiver.ts) on demand, as its Cron Trigger does.

import { Hono } from 'hono';
import { runMeterArchive } from '../archive/meter-archiver';
import type { Env } from '../env';
import { apiError } from './errors';

/** Transactions one request may move at most: keeps a request well inside a Worker invocation's limits. */
export const MAX_ARCHIVE_RUN_LIMIT = 1000;

/** Mounted at /api/v1/archive; every route needs the admin scope (scopes.ts: not a GET). */
export const archiveRoutes = new Hono<{ Bindings: Env }>();

archiveRoutes.post('/run', async (c) => {
  const raw = c.req.query('limit');
  const limit = raw === undefined ? undefined : Number(raw);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_ARCHIVE_RUN_LIMIT)) {
    return apiError(c, 400, 'InvalidParameter', `limit must be an integer from 1 to ${MAX_ARCHIVE_RUN_LIMIT}`);
  }
  return c.json(await runMeterArchive(c.env, { limit }));
});
