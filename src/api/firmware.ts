// GET /api/v1/firmware — the fleet's firmware: which charger runs which version, with its latest firmware job.

import { Hono } from 'hono';
import type { Env } from '../env';
import { FirmwareJobStore } from '../store/firmware-jobs';
import { apiError } from './errors';
import { readLimit } from './query';

export const firmwareRoutes = new Hono<{ Bindings: Env }>();

/**
 * Read from D1 as the chargers' objects last flushed it (within FLUSH_DELAY_SECONDS of a
 * notification): the per-charger /firmware-jobs route flushes its charger first.
 */
firmwareRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const version = c.req.query('version');
  if (version !== undefined && (version.length === 0 || version.length > 50)) {
    return apiError(c, 400, 'InvalidParameter', 'version must be 1 to 50 characters');
  }
  const page = await new FirmwareJobStore(c.env.DB).fleet({ limit, cursor: c.req.query('cursor'), version });
  return c.json(page);
});
