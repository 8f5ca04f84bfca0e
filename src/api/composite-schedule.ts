// GET /api/v1/chargers/{chargerId}/composite-schedule — the limit a charger will apply, previewed server-side.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { compositeSchedule } from '../ocpp/charging/composite-schedule';
import { fromExternalLimit, fromMirror } from '../ocpp/charging/profiles';
import { toUtcIso } from '../ocpp/timestamps';
import { ChargerStore } from '../store/chargers';
import { ChargingProfileStore } from '../store/charging-profiles';
import { TransactionStore } from '../store/transactions';
import { apiError } from './errors';

export const compositeScheduleRoutes = new Hono<{ Bindings: Env }>();

/** A preview spans at most a week: daily profiles make a period per change, and a week is plenty to plan with. */
const MAX_DURATION_SECONDS = 7 * 24 * 3600;

compositeScheduleRoutes.get('/:chargerId/composite-schedule', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const query = readQuery(c.req.query());
  if (typeof query === 'string') return apiError(c, 400, 'InvalidParameter', query);
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  // Installed profiles come from the charger's answers: copy any still waiting first.
  await c.env.CHARGERS.getByName(chargerId).flushNow();

  const store = new ChargingProfileStore(c.env.DB);
  const stored = await store.list(chargerId, query.evseId);
  // External limits the charger reported (2.0.1 NotifyChargingLimit, K12) cap the EVSE too.
  const limits = await store.limits(chargerId, query.evseId);
  const active = await new TransactionStore(c.env.DB).list({ chargerId, status: 'active', limit: 50 });
  // 1.6 transactions are kept on EVSE 0 with their connector; 2.0.1 ones on their EVSE.
  const running = active.transactions.find((t) =>
    t.protocol === 'ocpp1.6' ? t.connectorId === query.evseId : t.evseId === query.evseId,
  );
  const profiles = [...stored.map(fromMirror), ...limits.flatMap((limit, i) => fromExternalLimit(limit, -(i + 1)) ?? [])];
  const schedule = compositeSchedule(profiles, {
    evseId: query.evseId,
    start: query.start,
    duration: query.duration,
    unit: query.unit,
    ...(running?.startedAt ? { transaction: { id: running.transactionId, startedAt: running.startedAt } } : {}),
    electrical: { ...(query.voltage ? { voltage: query.voltage } : {}), ...(query.phases ? { phases: query.phases } : {}) },
  });
  return c.json({
    compositeSchedule: schedule,
    profiles: stored.map((p) => p.profileId),
    chargingLimits: limits,
    transactionId: running?.transactionId ?? null,
  });
});

interface PreviewQuery {
  evseId: number;
  start: string;
  duration: number;
  unit: 'A' | 'W';
  voltage?: number;
  phases?: number;
}

/** `evseId` (required), `duration` (s, default 86400), `unit` (A or W, default W), `start` (default now), `voltage`, `phases`. */
function readQuery(q: Record<string, string>): PreviewQuery | string {
  const evseId = Number(q.evseId);
  if (q.evseId === undefined || !Number.isInteger(evseId) || evseId < 0) return 'evseId must be a whole number (0: the whole charger)';
  const duration = q.duration === undefined ? 86_400 : Number(q.duration);
  if (!Number.isInteger(duration) || duration <= 0 || duration > MAX_DURATION_SECONDS) {
    return `duration must be a whole number of seconds from 1 to ${MAX_DURATION_SECONDS}`;
  }
  const unit = q.unit ?? 'W';
  if (unit !== 'A' && unit !== 'W') return 'unit must be A or W';
  const start = q.start === undefined ? new Date().toISOString() : toUtcIso(q.start);
  if (!start) return 'start must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z';
  const voltage = q.voltage === undefined ? undefined : Number(q.voltage);
  if (voltage !== undefined && !(voltage > 0)) return 'voltage must be a positive number';
  const phases = q.phases === undefined ? undefined : Number(q.phases);
  if (phases !== undefined && ![1, 2, 3].includes(phases)) return 'phases must be 1, 2 or 3';
  return { evseId, start, duration, unit, voltage, phases };
}
