// /api/v1/transactions — the fleet's transactions, newest first.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { ChargerStore } from '../store/chargers';
import { TransactionStore } from '../store/transactions';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';

type App = Hono<{ Bindings: Env }>;

/** Mounted at /api/v1/transactions: the fleet's transactions, newest first. */
export const transactionRoutes: App = new Hono();

transactionRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const status = c.req.query('status');
  if (status !== undefined && status !== 'active' && status !== 'completed') {
    return apiError(c, 400, 'InvalidParameter', 'status must be active or completed');
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
  const page = await new TransactionStore(c.env.DB).list({
    chargerId,
    status,
    ...range,
    limit,
    cursor,
  });
  return c.json({ transactions: page.transactions, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) });
});
