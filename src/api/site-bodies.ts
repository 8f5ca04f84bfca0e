// The request bodies of /api/v1/sites (src/api/sites.ts) as valibot schemas — their shape and types
// only: the values' rules (ranges, the circuit tree, time zones) are src/sites/rules.ts's, checked on
// the whole site after the change — and how each becomes part of the model with its defaults.
// The OpenAPI document converts these same schemas (openapi-paths-sites.ts).

import * as v from 'valibot';
import type { CircuitConfig, Limit, SiteCharger } from '../sites/model';
import { DEFAULT_MIN_AMPS, DEFAULT_VOLTAGE, SITE_PART_ID } from '../sites/rules';
import type { SiteFields } from '../store/sites';

export { SITE_PART_ID };

const amount = (what: string) => v.optional(v.nullable(v.number(`${what} must be a number or null`)));

const LimitBody = v.strictObject({
  amps: v.pipe(amount('amps'), v.description('Amps per phase')),
  kw: v.pipe(amount('kw'), v.description('kW in total, at the site\'s voltage')),
});

const siteFieldEntries = {
  name: v.optional(v.string('name must be a string')),
  voltage: v.optional(v.number('voltage must be a number')),
  limit: LimitBody,
  dailySchedule: v.optional(v.array(v.strictObject({ start: v.string('start must be a string (HH:MM)'), limit: LimitBody }), 'dailySchedule must be an array')),
  timeZone: v.optional(v.string('timeZone must be a string')),
  minAmps: v.optional(v.number('minAmps must be a number')),
  groupPriorities: v.optional(v.record(v.string(), v.number('a group priority must be a number'), 'groupPriorities must be an object of group → priority')),
};

/** POST /sites. */
export const SitePostBody = v.strictObject({ siteId: v.string('siteId must be a string'), ...siteFieldEntries });
/** PUT /sites/{siteId}: the site's own values, replaced whole (circuits, chargers and the external limit stay). */
export const SitePutBody = v.strictObject(siteFieldEntries);

/** PUT /sites/{siteId}/circuits/{circuitId}. */
export const CircuitPutBody = v.strictObject({
  parentId: v.optional(v.nullable(v.string('parentId must be a string or null'))),
  name: v.optional(v.string('name must be a string')),
  limit: LimitBody,
});

/** PUT /sites/{siteId}/chargers/{chargerId}. */
export const ChargerPutBody = v.strictObject({
  evseId: v.optional(v.nullable(v.number('evseId must be a number or null'))),
  circuitId: v.optional(v.nullable(v.string('circuitId must be a string or null'))),
  phaseRotation: v.optional(v.nullable(v.string('phaseRotation must be a string or null'))),
  maxAmps: v.number('maxAmps must be a number'),
  phases: v.number('phases must be 1 or 3'),
  fallbackAmps: v.optional(v.number('fallbackAmps must be a number')),
  priority: v.optional(v.number('priority must be a number')),
});

/** PUT /sites/{siteId}/external-limit. */
export const ExternalLimitBody = v.strictObject({
  amps: amount('amps'),
  kw: amount('kw'),
  until: v.optional(v.nullable(v.string('until must be an RFC 3339 date-time or null'))),
});

export type Parsed<T> = { ok: true; body: T } | { ok: false; issues: Array<{ path: string; message: string }> };

/** The body checked against `schema`; its issues, each with its field's path, otherwise. */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): Parsed<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, body);
  if (parsed.success) return { ok: true, body: parsed.output };
  return {
    ok: false,
    issues: parsed.issues.map((issue) => {
      const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
      // valibot says "Invalid key" for a key a strict object does not take: name it.
      const unknownKey = issue.type === 'strict_object' && issue.path?.length;
      return { path, message: unknownKey ? `"${path}" is not a field of this body` : issue.message };
    }),
  };
}

export function limitFrom(body: v.InferOutput<typeof LimitBody>): Limit {
  return { amps: body.amps ?? null, kw: body.kw ?? null };
}

export function siteFieldsFrom(siteId: string, body: v.InferOutput<typeof SitePutBody>): SiteFields {
  return {
    name: body.name ?? siteId,
    voltage: body.voltage ?? DEFAULT_VOLTAGE,
    limit: limitFrom(body.limit),
    dailySchedule: (body.dailySchedule ?? []).map((p) => ({ start: p.start, limit: limitFrom(p.limit) })),
    timeZone: body.timeZone ?? 'UTC',
    minAmps: body.minAmps ?? DEFAULT_MIN_AMPS,
    groupPriorities: body.groupPriorities ?? {},
  };
}

export function circuitFrom(circuitId: string, body: v.InferOutput<typeof CircuitPutBody>): CircuitConfig {
  return { circuitId, parentId: body.parentId ?? null, name: body.name ?? circuitId, limit: limitFrom(body.limit) };
}

export function chargerFrom(chargerId: string, body: v.InferOutput<typeof ChargerPutBody>): SiteCharger {
  return {
    chargerId,
    evseId: body.evseId ?? null,
    circuitId: body.circuitId ?? null,
    phaseRotation: body.phaseRotation ?? null,
    maxAmps: body.maxAmps,
    phases: body.phases as 1 | 3, // the rules refuse anything else
    fallbackAmps: body.fallbackAmps ?? 0,
    priority: body.priority ?? 0,
  };
}
