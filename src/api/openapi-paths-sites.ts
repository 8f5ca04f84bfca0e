// The OpenAPI paths and shapes of sites (src/api/sites.ts, site-allocation.ts): sites with their
// circuits and chargers, the external limit, the charger's site, and what the site's allocator does.
// The request bodies are the valibot schemas the API validates with (site-bodies.ts), converted;
// the value rules (src/sites/rules.ts) are in their descriptions.

import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { MAX_CHARGER_AMPS, MAX_MIN_AMPS, PHASE_ROTATIONS, PRIORITY_RANGE, SITE_PART_ID_RULE, VOLTAGE_RANGE } from '../sites/rules';
import {
  BAD_CHARGER_ID,
  BAD_PARAMETER,
  errorResponse,
  type Json,
  jsonResponse,
  objectOf,
  operation,
  parameterRef,
  query,
  schemaRef,
  UNKNOWN_CHARGER,
} from './openapi-operations';
import { ChargerPutBody, CircuitPutBody, ExternalLimitBody, SitePostBody, SitePutBody } from './site-bodies';

const ID_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' };
const SITE_ID: Json = { name: 'siteId', in: 'path', required: true, schema: ID_SCHEMA };
const CIRCUIT_ID: Json = { name: 'circuitId', in: 'path', required: true, schema: ID_SCHEMA };

const BAD_SITE_ID = { InvalidSiteId: `the site id is not ${SITE_PART_ID_RULE}` };
const UNKNOWN_SITE = { UnknownSite: 'no site with this id exists' };
const BAD_BODY = {
  InvalidJson: 'the body is not JSON',
  InvalidPayload: 'the body has the wrong shape, or the site as it would be breaks a rule: `issues` lists each, by its field (e.g. `circuits.row-a.parentId`)',
};
const PUSH_FAILED = {
  SitePushFailed:
    "the change is stored in D1, but the site's object (or a charger's) could not be told after two tries: PUT the site again (unchanged will do), or make any other change to it, to push it. `chargersNotTold` lists the chargers",
};
const CHANGED = { SiteChanged: 'the site changed while the request was handled (a circuit or the site went): read it and resend' };

const AMPS_OR_NULL = { type: ['number', 'null'] };
/** The site object's snapshot (site-object.ts SiteSnapshot). */
const ALLOCATION: Json = objectOf({
  siteId: { type: 'string' },
  configured: { type: 'boolean', description: 'false: the site object has not been told of the site (yet)' },
  limit: { ...objectOf({ amps: AMPS_OR_NULL, kw: AMPS_OR_NULL }), description: 'The limit in force now: the lowest of the grid limit, the daily period and the external limit' },
  chargers: {
    type: 'array',
    items: {
      type: 'object',
      required: ['chargerId', 'protocol', 'connected', 'fallbackAccepted', 'refusedUntil', 'refusedWhy', 'countedAmps', 'countedBecause'],
      properties: {
        chargerId: { type: 'string' },
        protocol: { type: ['string', 'null'] },
        connected: { type: 'boolean' },
        fallbackAccepted: { ...AMPS_OR_NULL, description: 'The fallback (TxDefaultProfile) amps it holds since it connected; null: none yet' },
        fallbackPending: AMPS_OR_NULL,
        refusedUntil: { type: 'number', description: 'Epoch ms until which it counts as refusing the site\'s profiles; 0: it does not' },
        refusedWhy: { type: ['string', 'null'] },
        support: { type: ['object', 'null'], description: 'What it declared of the profiles it takes (rate units, stack level, periods)' },
        countedAmps: { ...AMPS_OR_NULL, description: 'Amps per phase it is counted at whatever it draws (e.g. its full rating); null: its sessions are counted' },
        countedBecause: { type: ['string', 'null'], enum: ['unreachable', 'refused', 'fallback', 'unmanaged', null] },
      },
    },
  },
  sessions: {
    type: 'array',
    items: objectOf({
      chargerId: { type: 'string' },
      evseId: { type: 'integer' },
      transactionId: { type: 'string' },
      startedAt: { type: 'string', format: 'date-time' },
      measuredAmps: { ...AMPS_OR_NULL, description: 'What it draws (busiest phase), from its last reading' },
      acceptedAmps: { ...AMPS_OR_NULL, description: 'The share its charger accepted' },
      pendingAmps: { ...AMPS_OR_NULL, description: 'The highest share sent and not yet answered' },
      shareAmps: { type: 'number', description: 'Its share now, amps per phase: 0 or at least the site\'s minimum' },
      reason: { type: 'string', enum: ['fair-share', 'charger-max', 'car-draws-less', 'priority', 'waiting', 'minimum'] },
      limitedBy: { type: ['string', 'null'], description: 'The limit that binds it: `site`, a circuit id, `charger:{id}`; null: its own maximum' },
      drawCap: { ...AMPS_OR_NULL, description: 'Its car draws less than offered: capped at this, the rest goes to others' },
      needs: {
        type: ['object', 'null'],
        description: 'What its car said it needs (ISO 15118 NotifyEVChargingNeeds); null: nothing said',
        properties: {
          departureAt: { type: ['string', 'null'], format: 'date-time' },
          energyWh: AMPS_OR_NULL,
          evMaxAmps: AMPS_OR_NULL,
          evMinAmps: AMPS_OR_NULL,
          evMaxPowerW: AMPS_OR_NULL,
        },
      },
      energyWh: { ...AMPS_OR_NULL, description: 'Wh drawn since the site first read its energy register' },
    }),
  },
});

const RULES =
  `Rules (400 InvalidPayload, naming the field): a limit needs \`amps\` (per phase) and/or \`kw\` (total), positive; voltage ${VOLTAGE_RANGE[0]}-${VOLTAGE_RANGE[1]} (default 230); ` +
  `minAmps 0-${MAX_MIN_AMPS} (default 6); timeZone an IANA zone (default UTC); dailySchedule starts \`HH:MM\`, strictly ascending, each with a limit; ` +
  `groupPriorities: id tag group → ${PRIORITY_RANGE[0]}..${PRIORITY_RANGE[1]}.`;

function bodySchema(schema: v.GenericSchema, description: string): Json {
  const { $schema: _dialect, ...json } = toJsonSchema(schema, { target: 'draft-2020-12', typeMode: 'input', errorMode: 'ignore' });
  return { ...json, description } as Json;
}

const LIMIT: Json = {
  type: 'object',
  required: ['amps', 'kw'],
  properties: { amps: { type: ['number', 'null'], description: 'Amps per phase' }, kw: { type: ['number', 'null'], description: 'kW in total' } },
};
const CIRCUIT = objectOf({ circuitId: { type: 'string' }, parentId: { type: ['string', 'null'] }, name: { type: 'string' }, limit: LIMIT });
const SITE_CHARGER = objectOf({
  chargerId: { type: 'string' },
  evseId: { type: ['integer', 'null'], description: 'null: the whole charger' },
  circuitId: { type: ['string', 'null'] },
  phaseRotation: { type: ['string', 'null'], enum: [...PHASE_ROTATIONS, null] },
  maxAmps: { type: 'number' },
  phases: { type: 'integer', enum: [1, 3] },
  fallbackAmps: { type: 'number' },
  priority: { type: 'integer' },
});
const SITE_OWN: Record<string, Json> = {
  siteId: { type: 'string' },
  name: { type: 'string' },
  voltage: { type: 'number' },
  limit: LIMIT,
  dailySchedule: { type: 'array', items: objectOf({ start: { type: 'string', description: 'HH:MM in the site\'s time zone' }, limit: LIMIT }) },
  timeZone: { type: 'string' },
  externalLimit: {
    type: ['object', 'null'],
    required: ['limit', 'until'],
    properties: { limit: LIMIT, until: { type: ['string', 'null'], format: 'date-time' } },
  },
  minAmps: { type: 'number' },
  groupPriorities: { type: 'object', additionalProperties: { type: 'integer' } },
  updatedAt: { type: 'string', format: 'date-time', description: 'When the operator last changed any of it' },
};
const SITE = objectOf({ ...SITE_OWN, circuits: { type: 'array', items: schemaRef('SiteCircuit') }, chargers: { type: 'array', items: schemaRef('SiteCharger') } });
const SITE_SUMMARY = objectOf({ ...SITE_OWN, circuitCount: { type: 'integer' }, chargerCount: { type: 'integer' }, createdAt: { type: 'string', format: 'date-time' } });

export function siteSchemas(): Record<string, Json> {
  return {
    SitePost: bodySchema(SitePostBody, `A new site. ${RULES}`),
    SitePut: bodySchema(SitePutBody, `The site's own values, replaced whole (left out: the default). ${RULES}`),
    SiteCircuitPut: bodySchema(CircuitPutBody, 'A circuit: its parent (same site; null: the grid connection), name (default: its id), limit. Circuits form a tree; a child may have a higher limit than its parent, which still binds.'),
    SiteChargerPut: bodySchema(
      ChargerPutBody,
      `A charger (evseId left out or null) or one separately wired EVSE on the site. phaseRotation: ${PHASE_ROTATIONS.join(', ')} or null (unknown); ` +
        `phases 1 or 3; maxAmps (0, ${MAX_CHARGER_AMPS}]; fallbackAmps 0..maxAmps (default 0: a session waits for its share); priority ${PRIORITY_RANGE[0]}..${PRIORITY_RANGE[1]} (default 0, higher first).`,
    ),
    SiteExternalLimitPut: bodySchema(ExternalLimitBody, 'amps and/or kw, positive; until (RFC 3339, in the future) or null/left out: until replaced or deleted.'),
    Site: SITE,
    SiteSummary: SITE_SUMMARY,
    SiteCircuit: CIRCUIT,
    SiteCharger: SITE_CHARGER,
  };
}

const siteAnswer = (description: string) => jsonResponse(description, objectOf({ site: schemaRef('Site') }));
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: schemaRef(name) } } });
const NO_CONTENT = { description: 'Done' };

export function sitePaths(): Record<string, Json> {
  return {
    '/sites': {
      get: operation({
        tags: ['Sites'],
        operationId: 'listSites',
        summary: 'Sites by id, with how many circuits and chargers each has',
        parameters: [parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page')],
        responses: {
          '200': jsonResponse('A page of sites', objectOf({ sites: { type: 'array', items: schemaRef('SiteSummary') }, nextCursor: { type: ['string', 'null'] } })),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
      post: operation({
        tags: ['Sites'],
        operationId: 'createSite',
        summary: 'Create a site: a grid connection with its limit',
        description: 'Admin scope. Circuits and chargers are added with their own PUTs.',
        requestBody: body('SitePost'),
        responses: {
          '201': siteAnswer('Created, and pushed to its allocator'),
          '400': errorResponse(BAD_BODY),
          '409': errorResponse({ SiteExists: 'a site with this id exists' }),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
    },
    '/sites/{siteId}': {
      parameters: [SITE_ID],
      get: operation({
        tags: ['Sites'],
        operationId: 'getSite',
        summary: 'A site whole: its values, circuits and chargers',
        responses: { '200': siteAnswer('The site'), '400': errorResponse(BAD_SITE_ID), '404': errorResponse(UNKNOWN_SITE) },
      }),
      put: operation({
        tags: ['Sites'],
        operationId: 'updateSite',
        summary: "Replace the site's own values; pushes the whole site again, its chargers included",
        description: 'Admin scope. Circuits, chargers and the external limit stay. Sent unchanged, it is the way to push the site again after a 503 SitePushFailed.',
        requestBody: body('SitePut'),
        responses: {
          '200': siteAnswer('Changed, and pushed'),
          '400': errorResponse({ ...BAD_SITE_ID, ...BAD_BODY }),
          '404': errorResponse(UNKNOWN_SITE),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
      delete: operation({
        tags: ['Sites'],
        operationId: 'deleteSite',
        summary: 'Delete a site with its circuits; its chargers leave it (the site\'s profiles on them are cleared)',
        description: 'Admin scope. After a 503, DELETE again finishes the push (204) although D1 no longer has the site.',
        responses: { '204': NO_CONTENT, '400': errorResponse(BAD_SITE_ID), '404': errorResponse(UNKNOWN_SITE), '503': errorResponse(PUSH_FAILED) },
      }),
    },
    '/sites/{siteId}/circuits/{circuitId}': {
      parameters: [SITE_ID, CIRCUIT_ID],
      put: operation({
        tags: ['Sites'],
        operationId: 'putSiteCircuit',
        summary: 'Create or replace a circuit of the site',
        requestBody: body('SiteCircuitPut'),
        responses: {
          '200': siteAnswer('Replaced; the site as pushed'),
          '201': siteAnswer('Created; the site as pushed'),
          '400': errorResponse({ ...BAD_SITE_ID, InvalidCircuitId: `the circuit id is not ${SITE_PART_ID_RULE}`, ...BAD_BODY }),
          '404': errorResponse(UNKNOWN_SITE),
          '409': errorResponse(CHANGED),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
      delete: operation({
        tags: ['Sites'],
        operationId: 'deleteSiteCircuit',
        summary: 'Delete a circuit no charger and no circuit hangs from',
        responses: {
          '204': NO_CONTENT,
          '400': errorResponse({ ...BAD_SITE_ID, InvalidCircuitId: `the circuit id is not ${SITE_PART_ID_RULE}` }),
          '404': errorResponse({ ...UNKNOWN_SITE, UnknownCircuit: 'the site has no such circuit' }),
          '409': errorResponse({ CircuitInUse: 'chargers or circuits hang from it: `chargers` and `circuits` list them' }),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
    },
    '/sites/{siteId}/chargers/{chargerId}': {
      parameters: [SITE_ID, parameterRef('chargerId')],
      put: operation({
        tags: ['Sites'],
        operationId: 'putSiteCharger',
        summary: 'Put a charger (or one of its EVSEs) on the site, or change its values there',
        description: 'Admin scope. A charger is on one site at most; its EVSEs may each have a row of their own (evseId), on that same site. The charger\'s object is told, and feeds the site from then on.',
        requestBody: body('SiteChargerPut'),
        responses: {
          '200': siteAnswer('Changed; the site as pushed'),
          '201': siteAnswer('Put on the site; the site as pushed'),
          '400': errorResponse({ ...BAD_SITE_ID, ...BAD_CHARGER_ID, ...BAD_BODY }),
          '404': errorResponse({ ...UNKNOWN_SITE, ...UNKNOWN_CHARGER }),
          '409': errorResponse({ ChargerOnAnotherSite: 'the charger is on another site (`siteId` names it): take it off there first', ...CHANGED }),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
      delete: operation({
        tags: ['Sites'],
        operationId: 'deleteSiteCharger',
        summary: 'Take a charger off the site (all its rows, or with evseId only that EVSE\'s); the site\'s profiles on it are cleared',
        parameters: [query('evseId', { type: 'integer', minimum: 1 }, "Only this EVSE's own row")],
        responses: {
          '204': NO_CONTENT,
          '400': errorResponse({ ...BAD_SITE_ID, ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_SITE, NotOnSite: 'the charger (or that EVSE) is not on this site' }),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
    },
    '/sites/{siteId}/external-limit': {
      parameters: [SITE_ID],
      put: operation({
        tags: ['Sites'],
        operationId: 'setSiteExternalLimit',
        summary: 'Set a limit from outside (a building meter): the site keeps under the lowest of its limits',
        description: 'Command scope: a meter\'s token need not administer. Replaces the previous external limit.',
        requestBody: body('SiteExternalLimitPut'),
        responses: {
          '200': siteAnswer('Set, and pushed'),
          '400': errorResponse({ ...BAD_SITE_ID, ...BAD_BODY }),
          '404': errorResponse(UNKNOWN_SITE),
          '409': errorResponse(CHANGED),
          '503': errorResponse(PUSH_FAILED),
        },
      }),
      delete: operation({
        tags: ['Sites'],
        operationId: 'clearSiteExternalLimit',
        summary: 'Clear the external limit (204 also when there was none)',
        description: 'Command scope.',
        responses: { '204': NO_CONTENT, '400': errorResponse(BAD_SITE_ID), '404': errorResponse(UNKNOWN_SITE), '409': errorResponse(CHANGED), '503': errorResponse(PUSH_FAILED) },
      }),
    },
    '/sites/{siteId}/allocation': {
      parameters: [SITE_ID],
      get: operation({
        tags: ['Sites'],
        operationId: 'getSiteAllocation',
        summary: "What the site's allocator does now: its limit, each charger as counted, each session's share and why",
        responses: {
          '200': jsonResponse('The allocator\'s snapshot', objectOf({ allocation: ALLOCATION })),
          '400': errorResponse(BAD_SITE_ID),
          '404': errorResponse(UNKNOWN_SITE),
        },
      }),
    },
    '/sites/{siteId}/load': {
      parameters: [SITE_ID],
      get: operation({
        tags: ['Sites'],
        operationId: 'getSiteLoad',
        summary: 'The site\'s load by minute: its limit, what was allocated and what was measured (busiest phase), kept a week',
        parameters: [parameterRef('from'), parameterRef('to')],
        responses: {
          '200': jsonResponse(
            'The samples (default: the last 24 hours; at most 7 days)',
            objectOf({
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              samples: {
                type: 'array',
                items: objectOf({ at: { type: 'string', format: 'date-time' }, limitAmps: { type: ['number', 'null'] }, allocatedAmps: { type: 'number' }, measuredAmps: { type: 'number' }, sessions: { type: 'integer' } }),
              },
            }),
          ),
          '400': errorResponse({ ...BAD_SITE_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_SITE),
        },
      }),
    },
    '/sites/{siteId}/log': {
      parameters: [SITE_ID],
      get: operation({
        tags: ['Sites'],
        operationId: 'getSiteLog',
        summary: 'What the site\'s allocator did, newest first: profiles sent and the chargers\' answers, sessions started and ended, configuration',
        parameters: [parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page')],
        responses: {
          '200': jsonResponse(
            'A page of log entries',
            objectOf({
              entries: {
                type: 'array',
                items: objectOf({
                  id: { type: 'integer' },
                  at: { type: 'string', format: 'date-time' },
                  chargerId: { type: ['string', 'null'] },
                  evseId: { type: ['integer', 'null'] },
                  transactionId: { type: ['string', 'null'] },
                  kind: { type: 'string', description: 'sent, accepted, rejected, failed, fallback-sent, fallback-accepted, fallback-rejected, fallback-failed, started, ended, needs (an ISO 15118 car’s departure, energy and currents in detail), released, configured, deleted' },
                  amps: { type: ['number', 'null'] },
                  detail: { type: ['string', 'null'] },
                }),
              },
              nextCursor: { type: ['string', 'null'] },
            }),
          ),
          '400': errorResponse({ ...BAD_SITE_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_SITE),
        },
      }),
    },
    '/chargers/{chargerId}/site': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Sites'],
        operationId: 'getChargerSite',
        summary: 'The site a charger is on (null: none) and its rows there',
        responses: {
          '200': jsonResponse('Its site', objectOf({ chargerId: { type: 'string' }, siteId: { type: ['string', 'null'] }, assignments: { type: 'array', items: schemaRef('SiteCharger') } })),
          '400': errorResponse(BAD_CHARGER_ID),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
  };
}
