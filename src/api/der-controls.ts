// /api/v1/chargers/{chargerId}/der-controls and /der-alarms — a 2.1 charger's DER control inventory and alarm history (R04, R05).

import { Hono } from 'hono';
import type { Env } from '../env';
import { DerControlStore } from '../store/der-controls';
import { freshCharger } from './charger-views';
import { apiError } from './errors';
import { readLimit } from './query';
import { DERControlEnumType } from '../ocpp/v21/schemas.generated';

type App = Hono<{ Bindings: Env }>;

/** Mounted at /api/v1/chargers. */
export const derControlRoutes: App = new Hono();

const CONTROL_TYPES: ReadonlySet<string> = new Set(DERControlEnumType.options);

/** `?name=true|false` as a boolean, undefined when absent, or the error message. */
function readBoolean(value: string | undefined, name: string): boolean | undefined | string {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  return `${name} must be true or false`;
}

function readControlType(value: string | undefined): string | undefined | { error: string } {
  if (value === undefined || CONTROL_TYPES.has(value)) return value;
  return { error: 'controlType must be a DERControlEnumType value, e.g. VoltVar' };
}

/** The charger's DER controls as its answers, reports and notifications tell them, in controlId order, paged. */
derControlRoutes.get('/:chargerId/der-controls', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const controlType = readControlType(c.req.query('controlType'));
  if (typeof controlType === 'object') return apiError(c, 400, 'InvalidParameter', controlType.error);
  const isDefault = readBoolean(c.req.query('isDefault'), 'isDefault');
  if (typeof isDefault === 'string') return apiError(c, 400, 'InvalidParameter', isDefault);
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && (cursor.length === 0 || cursor.length > 36)) {
    return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  }
  return c.json(await new DerControlStore(c.env.DB).listControls(c.req.param('chargerId'), { controlType, isDefault, limit, cursor }));
});

/** The charger's DER alarms, newest first, paged; open ones flagged. */
derControlRoutes.get('/:chargerId/der-alarms', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const controlType = readControlType(c.req.query('controlType'));
  if (typeof controlType === 'object') return apiError(c, 400, 'InvalidParameter', controlType.error);
  const open = readBoolean(c.req.query('open'), 'open');
  if (typeof open === 'string') return apiError(c, 400, 'InvalidParameter', open);
  const cursorText = c.req.query('cursor');
  const cursor = cursorText === undefined ? undefined : /^[1-9][0-9]{0,15}$/.test(cursorText) ? Number(cursorText) : NaN;
  if (Number.isNaN(cursor)) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json(await new DerControlStore(c.env.DB).listAlarms(c.req.param('chargerId'), { controlType, open, limit, cursor }));
});
