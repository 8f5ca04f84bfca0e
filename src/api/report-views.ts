// /api/v1/chargers/{chargerId}/{monitors,events,display-messages,customer-information} — readable views of what a 2.x charger reported (and, for monitors, was set).

import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { ReportViewStore } from '../store/report-views';
import { VariableMonitorStore } from '../store/variable-monitors';
import { freshCharger } from './charger-views';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';

/** Mounted at /api/v1/chargers. */
export const reportViewRoutes = new Hono<{ Bindings: Env }>();

/** The values a filter may take (the 2.0.1 enumerations), for a 400 on any other. */
export const MONITOR_TYPES = ['UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic', 'PeriodicClockAligned'] as const;
export const EVENT_TRIGGERS = ['Alerting', 'Delta', 'Periodic'] as const;
export const MESSAGE_STATES = ['Charging', 'Faulted', 'Idle', 'Unavailable'] as const;
export const MESSAGE_PRIORITIES = ['AlwaysFront', 'InFront', 'NormalCycle'] as const;

/** Component and variable names are at most 50 characters in 2.0.1 (ComponentType, VariableType). */
const MAX_NAME_LENGTH = 50;

const BAD_CURSOR = 'cursor must be a nextCursor from an earlier page';

reportViewRoutes.get('/:chargerId/monitors', freshCharger, async (c) => {
  const filters = readFilters(c, { component: 'name', variable: 'name', type: MONITOR_TYPES });
  if (typeof filters === 'string') return apiError(c, 400, 'InvalidParameter', filters);
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const page = await new VariableMonitorStore(c.env.DB).list(c.req.param('chargerId'), { ...filters, limit, cursor: c.req.query('cursor') });
  if (!page) return apiError(c, 400, 'InvalidParameter', BAD_CURSOR);
  return c.json(page);
});

reportViewRoutes.get('/:chargerId/events', freshCharger, async (c) => {
  const filters = readFilters(c, { component: 'name', variable: 'name', trigger: EVENT_TRIGGERS });
  if (typeof filters === 'string') return apiError(c, 400, 'InvalidParameter', filters);
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const chargerId = c.req.param('chargerId');
  const store = new ReportViewStore(c.env.DB);
  const page = await store.events(chargerId, { ...filters, ...range, limit, cursor: c.req.query('cursor') }, await store.writeOnly(chargerId));
  if (!page) return apiError(c, 400, 'InvalidParameter', BAD_CURSOR);
  return c.json(page);
});

reportViewRoutes.get('/:chargerId/display-messages', freshCharger, async (c) => {
  const filters = readFilters(c, { state: MESSAGE_STATES, priority: MESSAGE_PRIORITIES });
  if (typeof filters === 'string') return apiError(c, 400, 'InvalidParameter', filters);
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const cursorText = c.req.query('cursor');
  if (cursorText !== undefined && !/^-?\d{1,10}$/.test(cursorText)) return apiError(c, 400, 'InvalidParameter', BAD_CURSOR);
  const after = cursorText === undefined ? undefined : Number(cursorText);
  const view = await new ReportViewStore(c.env.DB).displayMessages(c.req.param('chargerId'));
  // A charger holds a few messages: the whole list is read, and filtered and paged here.
  const matching = view.messages.filter(
    (m) => (filters.state === undefined || m.state === filters.state) && (filters.priority === undefined || m.priority === filters.priority) && (after === undefined || m.id > after),
  );
  const page = matching.slice(0, limit);
  return c.json({
    displayMessages: page,
    report: { requestId: view.requestId, complete: view.complete, reportedAt: view.reportedAt },
    nextCursor: matching.length > limit ? String(page[page.length - 1]!.id) : null,
  });
});

reportViewRoutes.get('/:chargerId/customer-information', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const requestIdText = c.req.query('requestId');
  if (requestIdText !== undefined && !/^-?\d{1,10}$/.test(requestIdText)) return apiError(c, 400, 'InvalidParameter', 'requestId must be an integer');
  const page = await new ReportViewStore(c.env.DB).customerInformation(c.req.param('chargerId'), {
    requestId: requestIdText === undefined ? undefined : Number(requestIdText),
    limit,
    cursor: c.req.query('cursor'),
  });
  if (!page) return apiError(c, 400, 'InvalidParameter', BAD_CURSOR);
  return c.json(page);
});

/**
 * The filters of a view from the query: each a name (1–50 characters) or one of its enumeration's
 * values; a string saying what is wrong otherwise.
 */
function readFilters<K extends string>(
  c: Context,
  spec: Record<K, 'name' | readonly string[]>,
): Partial<Record<K, string>> | string {
  const filters: Partial<Record<K, string>> = {};
  for (const [name, allowed] of Object.entries(spec) as [K, 'name' | readonly string[]][]) {
    const value = c.req.query(name);
    if (value === undefined) continue;
    if (allowed === 'name') {
      if (value.length === 0 || value.length > MAX_NAME_LENGTH) return `${name} must be 1 to ${MAX_NAME_LENGTH} characters`;
    } else if (!allowed.includes(value)) {
      return `${name} must be one of ${allowed.join(', ')}`;
    }
    filters[name] = value;
  }
  return filters;
}
