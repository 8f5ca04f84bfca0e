// GET /api/v1/security-events — the security events chargers reported (A04), across the fleet, newest first.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { ChargerStore } from '../store/chargers';
import { ReportStore } from '../store/reports';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';

export const securityEventRoutes = new Hono<{ Bindings: Env }>();

/**
 * Read from D1 as it is (events wait up to FLUSH_DELAY_SECONDS + FLEET_FLUSH_SECONDS before they
 * reach it, critical ones about a second + FLEET_FLUSH_SECONDS with a FleetWriter; the EVENTS
 * queue's security.alert is the prompt channel), except with `chargerId`,
 * whose waiting facts are copied first.
 */
securityEventRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const criticalText = c.req.query('critical');
  if (criticalText !== undefined && criticalText !== 'true' && criticalText !== 'false') {
    return apiError(c, 400, 'InvalidParameter', 'critical must be true or false');
  }
  const chargerId = c.req.query('chargerId');
  if (chargerId !== undefined) {
    if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
    if (await new ChargerStore(c.env.DB).exists(chargerId)) await c.env.CHARGERS.getByName(chargerId).flushNow();
  }
  const page = await new ReportStore(c.env.DB).securityEvents({ chargerId, critical: criticalText === 'true', ...range, limit, cursor: c.req.query('cursor') });
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json(page);
});
