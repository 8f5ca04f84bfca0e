// Reading GET /api/v1/chargers's query: search, state and other filters, sort, order, page. Each
// bad value is a message saying what is wrong (a 400 InvalidParameter), never ignored.

import type { Context } from 'hono';
import {
  CHARGER_STATES,
  FLEET_SORTS,
  parseFleetCursor,
  PROTOCOL_FILTERS,
  REGISTRATION_FILTERS,
  type FleetQuery,
} from '../store/charger-fleet';
import { readLimit } from './query';

/** The longest `q`: a charger id is at most 48 characters, vendors, models and firmware versions 50. */
export const MAX_SEARCH_LENGTH = 50;
/** The longest `firmware`: OCPP's firmwareVersion is at most 50 characters (1.6 and 2.0.1). */
export const MAX_FIRMWARE_LENGTH = 50;

/** The fleet list's query, or a message saying which parameter is wrong and why. */
export function readFleetQuery(c: Context): FleetQuery | string {
  const limit = readLimit(c);
  if (typeof limit === 'string') return limit;

  const sort = c.req.query('sort') ?? 'id';
  if (!isOneOf(FLEET_SORTS, sort)) return `sort must be one of ${FLEET_SORTS.join(', ')}`;
  const order = c.req.query('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') return 'order must be asc or desc';

  const q = c.req.query('q');
  if (q !== undefined && (q.length === 0 || q.length > MAX_SEARCH_LENGTH)) return `q must be 1 to ${MAX_SEARCH_LENGTH} characters`;
  const firmware = c.req.query('firmware');
  if (firmware !== undefined && (firmware.length === 0 || firmware.length > MAX_FIRMWARE_LENGTH)) {
    return `firmware must be 1 to ${MAX_FIRMWARE_LENGTH} characters`;
  }

  const states = readList(c, 'state', CHARGER_STATES);
  if (typeof states === 'string') return states;
  const protocols = readList(c, 'protocol', PROTOCOL_FILTERS);
  if (typeof protocols === 'string') return protocols;
  const registrations = readList(c, 'registration', REGISTRATION_FILTERS);
  if (typeof registrations === 'string') return registrations;

  const cursorText = c.req.query('cursor');
  const after = cursorText === undefined ? undefined : parseFleetCursor(cursorText, sort, order);
  if (after === null) return 'cursor must be a nextCursor from an earlier page with the same sort and order';

  return { q, states, protocols, registrations, firmware, sort, order, limit, after };
}

/**
 * A parameter that takes several values, repeated (`state=faulted&state=offline`) or
 * comma-separated (`state=faulted,offline`); undefined when absent.
 */
function readList<T extends string>(c: Context, name: string, allowed: readonly T[]): T[] | undefined | string {
  const given = c.req.queries(name);
  if (given === undefined) return undefined;
  const values = given.flatMap((v) => v.split(','));
  const wrong = values.find((v) => !isOneOf(allowed, v));
  if (wrong !== undefined) return `${name} must be one or more of ${allowed.join(', ')} (repeated or comma-separated), not "${wrong}"`;
  return [...new Set(values as T[])];
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}
