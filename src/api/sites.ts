// /api/v1/sites — sites with their limits, circuits and chargers (issue 17, README "Sites and load
// management"); /api/v1/chargers/{id}/site — the site a charger is on. Each change is checked
// against the rules on the whole site as it would be (src/sites/rules.ts), written to D1
// (src/store/sites.ts), then pushed to the site's object and the chargers concerned (site-sync.ts).

import { Hono, type Context } from 'hono';
import type * as v from 'valibot';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { toUtcIso } from '../ocpp/timestamps';
import type { SiteConfig } from '../sites/model';
import { siteIssues, SITE_PART_ID_RULE, type Issue } from '../sites/rules';
import { siteObject } from '../sites/site-object';
import { ChargerStore } from '../store/chargers';
import { SiteStore } from '../store/sites';
import { readJsonBody } from './body';
import { apiError } from './errors';
import { readLimit } from './query';
import {
  ChargerPutBody,
  chargerFrom,
  CircuitPutBody,
  circuitFrom,
  ExternalLimitBody,
  limitFrom,
  parseBody,
  SITE_PART_ID,
  SitePostBody,
  SitePutBody,
  siteFieldsFrom,
} from './site-bodies';
import { pushSite, type PushOutcome } from './site-sync';

type AppContext = Context<{ Bindings: Env }>;

/** Mounted at /api/v1/sites. */
export const siteRoutes = new Hono<{ Bindings: Env }>();
/** Mounted at /api/v1/chargers. */
export const chargerSiteRoutes = new Hono<{ Bindings: Env }>();

siteRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  return c.json(await new SiteStore(c.env.DB).list({ limit, cursor: c.req.query('cursor') }));
});

siteRoutes.post('/', async (c) => {
  const body = await readBody(c, SitePostBody);
  if (body instanceof Response) return body;
  const now = new Date().toISOString();
  const fields = siteFieldsFrom(body.siteId, body);
  const site: SiteConfig = { siteId: body.siteId, ...fields, externalLimit: null, circuits: [], chargers: [], updatedAt: now };
  const invalid = breaksRules(c, site);
  if (invalid) return invalid;
  if (!(await new SiteStore(c.env.DB).create(body.siteId, fields, now))) {
    return apiError(c, 409, 'SiteExists', `Site "${body.siteId}" exists already: change it with PUT /api/v1/sites/${body.siteId}`);
  }
  return answer(c, await pushSite(c.env, body.siteId), 201);
});

siteRoutes.get('/:siteId', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  return c.json({ site });
});

/** Replaces the site's own values; also pushes the whole site again, its chargers included (the repair after a 503). */
siteRoutes.put('/:siteId', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  const body = await readBody(c, SitePutBody);
  if (body instanceof Response) return body;
  const now = new Date().toISOString();
  const fields = siteFieldsFrom(site.siteId, body);
  const invalid = breaksRules(c, { ...site, ...fields });
  if (invalid) return invalid;
  if (!(await new SiteStore(c.env.DB).update(site.siteId, fields, now))) return unknownSite(c, site.siteId);
  return answer(c, await pushSite(c.env, site.siteId, { assign: site.chargers.map((x) => x.chargerId) }));
});

siteRoutes.delete('/:siteId', async (c) => {
  const siteId = validSiteId(c);
  if (siteId instanceof Response) return siteId;
  const chargers = await new SiteStore(c.env.DB).delete(siteId);
  if (chargers === null) {
    // Gone from D1 by a DELETE whose push failed: sending DELETE again finishes it.
    if (!(await siteObject(c.env, siteId).snapshot()).configured) return unknownSite(c, siteId);
  }
  const pushed = await pushSite(c.env, siteId, { unassign: chargers ?? [] });
  return pushed.failed ? pushFailed(c, pushed, 'DELETE the site again to push it') : c.body(null, 204);
});

siteRoutes.put('/:siteId/circuits/:circuitId', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  const circuitId = validPart(c, 'circuitId', 'InvalidCircuitId', 'A circuit id');
  if (circuitId instanceof Response) return circuitId;
  const body = await readBody(c, CircuitPutBody);
  if (body instanceof Response) return body;
  const circuit = circuitFrom(circuitId, body);
  const invalid = breaksRules(c, { ...site, circuits: [...site.circuits.filter((x) => x.circuitId !== circuitId), circuit] });
  if (invalid) return invalid;
  const written = await new SiteStore(c.env.DB).putCircuit(site.siteId, circuit, new Date().toISOString());
  if (!written) return changedMeanwhile(c);
  return answer(c, await pushSite(c.env, site.siteId), written.created ? 201 : 200);
});

siteRoutes.delete('/:siteId/circuits/:circuitId', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  const circuitId = validPart(c, 'circuitId', 'InvalidCircuitId', 'A circuit id');
  if (circuitId instanceof Response) return circuitId;
  const outcome = await new SiteStore(c.env.DB).deleteCircuit(site.siteId, circuitId, new Date().toISOString());
  if (!outcome.ok && outcome.reason === 'unknown') return apiError(c, 404, 'UnknownCircuit', `Site "${site.siteId}" has no circuit "${circuitId}"`);
  if (!outcome.ok) {
    const what = [...outcome.chargers.map((x) => `charger ${x}`), ...outcome.circuits.map((x) => `circuit ${x}`)].join(', ');
    return apiError(c, 409, 'CircuitInUse', `Circuit "${circuitId}" still has ${what} on it: move or remove them first`, { chargers: outcome.chargers, circuits: outcome.circuits });
  }
  const pushed = await pushSite(c.env, site.siteId);
  return pushed.failed ? pushFailed(c, pushed) : c.body(null, 204);
});

siteRoutes.put('/:siteId/chargers/:chargerId', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const body = await readBody(c, ChargerPutBody);
  if (body instanceof Response) return body;
  const charger = chargerFrom(chargerId, body);
  const others = site.chargers.filter((x) => !(x.chargerId === chargerId && x.evseId === charger.evseId));
  const invalid = breaksRules(c, { ...site, chargers: [...others, charger] });
  if (invalid) return invalid;
  const outcome = await new SiteStore(c.env.DB).putCharger(site.siteId, charger, new Date().toISOString());
  if (!outcome.ok) {
    switch (outcome.reason) {
      case 'unknownCharger':
        return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
      case 'otherSite':
        return apiError(c, 409, 'ChargerOnAnotherSite', `Charger "${chargerId}" is on site "${outcome.siteId}": take it off there first (a charger is on one site)`, { siteId: outcome.siteId });
      default:
        return changedMeanwhile(c);
    }
  }
  return answer(c, await pushSite(c.env, site.siteId, { assign: [chargerId] }), outcome.created ? 201 : 200);
});

/** Takes the charger off the site: all its rows, or with ?evseId= only that EVSE's. */
siteRoutes.delete('/:siteId/chargers/:chargerId', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const rawEvse = c.req.query('evseId');
  if (rawEvse !== undefined && !/^[1-9]\d{0,8}$/.test(rawEvse)) return apiError(c, 400, 'InvalidParameter', 'evseId must be a whole number from 1');
  const evseId = rawEvse === undefined ? null : Number(rawEvse);
  const outcome = await new SiteStore(c.env.DB).removeCharger(site.siteId, chargerId, evseId, new Date().toISOString());
  if (outcome.removed === 0) {
    const which = evseId === null ? `Charger "${chargerId}" is` : `EVSE ${evseId} of charger "${chargerId}" is not on it by itself, or the charger is`;
    return apiError(c, 404, 'NotOnSite', `${which} not on site "${site.siteId}"`);
  }
  const pushed = await pushSite(c.env, site.siteId, { unassign: outcome.stillOnSite ? [] : [chargerId] });
  return pushed.failed ? pushFailed(c, pushed) : c.body(null, 204);
});

/** A limit pushed from outside (a building meter): the site's limit is the lower of it and the others until `until`. */
siteRoutes.put('/:siteId/external-limit', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  const body = await readBody(c, ExternalLimitBody);
  if (body instanceof Response) return body;
  let until: string | null = null;
  if (body.until !== undefined && body.until !== null) {
    until = toUtcIso(body.until);
    if (until === null) return invalidPayload(c, [{ path: 'until', message: 'until must be an RFC 3339 date-time such as 2026-01-01T12:00:00Z' }]);
    if (Date.parse(until) <= Date.now()) return invalidPayload(c, [{ path: 'until', message: 'until is in the past: the limit would never apply' }]);
  }
  const externalLimit = { limit: limitFrom(body), until };
  const invalid = breaksRules(c, { ...site, externalLimit });
  if (invalid) return invalid;
  if (!(await new SiteStore(c.env.DB).setExternalLimit(site.siteId, externalLimit, new Date().toISOString()))) return changedMeanwhile(c);
  return answer(c, await pushSite(c.env, site.siteId));
});

/** Clears the external limit; 204 also when there was none (a meter may clear it twice). */
siteRoutes.delete('/:siteId/external-limit', async (c) => {
  const site = await existingSite(c);
  if (site instanceof Response) return site;
  if (site.externalLimit === null) return c.body(null, 204);
  if (!(await new SiteStore(c.env.DB).setExternalLimit(site.siteId, null, new Date().toISOString()))) return changedMeanwhile(c);
  const pushed = await pushSite(c.env, site.siteId);
  return pushed.failed ? pushFailed(c, pushed) : c.body(null, 204);
});

chargerSiteRoutes.get('/:chargerId/site', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  const on = await new SiteStore(c.env.DB).siteOfCharger(chargerId);
  return c.json({ chargerId, siteId: on?.siteId ?? null, assignments: on?.assignments ?? [] });
});

/** The site pushed (`status`), or 503 when its object or a charger could not be told. */
function answer(c: AppContext, pushed: PushOutcome, status: 200 | 201 = 200): Response {
  if (pushed.failed) return pushFailed(c, pushed);
  if (!pushed.config) return changedMeanwhile(c);
  return c.json({ site: pushed.config }, status);
}

function pushFailed(c: AppContext, pushed: PushOutcome, retry = `send PUT /api/v1/sites/${c.req.param('siteId')} (its values unchanged will do) or any other change to the site to push it`): Response {
  const who = pushed.failed!.siteObject ? "the site's allocator" : `the objects of charger(s) ${pushed.failed!.chargers.join(', ')}`;
  return apiError(c, 503, 'SitePushFailed', `The change is stored (D1 has it), but ${who} could not be told: ${retry}`, {
    stored: true,
    siteObject: pushed.failed!.siteObject ? 'not told' : 'told',
    chargersNotTold: pushed.failed!.chargers,
  });
}

async function existingSite(c: AppContext): Promise<SiteConfig | Response> {
  const siteId = validSiteId(c);
  if (siteId instanceof Response) return siteId;
  return (await new SiteStore(c.env.DB).load(siteId)) ?? unknownSite(c, siteId);
}

function validSiteId(c: AppContext): string | Response {
  return validPart(c, 'siteId', 'InvalidSiteId', 'A site id');
}

function validPart(c: AppContext, name: string, code: string, what: string): string | Response {
  const value = c.req.param(name) ?? '';
  return SITE_PART_ID.test(value) ? value : apiError(c, 400, code, `${what} is ${SITE_PART_ID_RULE}`);
}

async function readBody<S extends v.GenericSchema>(c: AppContext, schema: S): Promise<v.InferOutput<S> | Response> {
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = parseBody(schema, read.body);
  return parsed.ok ? parsed.body : invalidPayload(c, parsed.issues);
}

/** 400 when the site as it would be breaks a rule; null when it keeps them all. */
function breaksRules(c: AppContext, site: SiteConfig): Response | null {
  const issues = siteIssues(site);
  return issues.length > 0 ? invalidPayload(c, issues) : null;
}

function invalidPayload(c: AppContext, issues: Issue[]): Response {
  const first = issues[0]!;
  return apiError(c, 400, 'InvalidPayload', first.path ? `"${first.path}": ${first.message}` : first.message, { issues: issues.slice(0, 20) });
}

function unknownSite(c: AppContext, siteId: string): Response {
  return apiError(c, 404, 'UnknownSite', `No site "${siteId}" exists`);
}

function changedMeanwhile(c: AppContext): Response {
  return apiError(c, 409, 'SiteChanged', 'The site changed while this request was handled (a circuit or the site itself went): read it again and resend');
}
