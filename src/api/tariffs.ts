// /api/v1/tariffs — OCPI 2.2.1 tariffs with immutable versions; /api/v1/tariff-assignments — which
// tariff applies where (default, charger, id tag group); /api/v1/chargers/{id}/tariff — which
// tariff a session there would get, and why. Storage and precedence: src/store/tariffs.ts.

import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { Env } from '../env';
import { isValidIdTag, MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { isValidChargerId } from '../ocpp/charger-id';
import { toUtcIso } from '../ocpp/timestamps';
import { IdTokenEnumType } from '../ocpp/v201/schemas.generated';
import { ChargerStore } from '../store/chargers';
import { TariffStore, type AssignmentScope, type AssignOutcome } from '../store/tariffs';
import { parseTariffBody, TARIFF_ID } from '../tariffs/model';
import { ASSIGNMENT_SCOPES } from '../tariffs/resolution';
import { readJsonBody } from './body';
import { apiError } from './errors';
import { readLimit } from './query';

type AppContext = Context<{ Bindings: Env }>;

/** Mounted at /api/v1/tariffs. */
export const tariffRoutes = new Hono<{ Bindings: Env }>();
/** Mounted at /api/v1/tariff-assignments. */
export const tariffAssignmentRoutes = new Hono<{ Bindings: Env }>();
/** Mounted at /api/v1/chargers. */
export const chargerTariffRoutes = new Hono<{ Bindings: Env }>();

/** At most this many issues are listed for a bad tariff; the first is in the message. */
const MAX_ISSUES = 20;

/** The body of PUT /tariff-assignments/…. Exported for the OpenAPI document. */
export const AssignmentBody = v.strictObject({
  tariffId: v.pipe(v.string('tariffId must be a string'), v.regex(TARIFF_ID, 'tariffId must be 1-36 of A-Z a-z 0-9 . _ -')),
});

const SCOPES_ASSIGNABLE: readonly AssignmentScope[] = ASSIGNMENT_SCOPES.filter((s) => s !== 'site');

tariffRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const deleted = c.req.query('deleted');
  if (deleted !== undefined && deleted !== 'true' && deleted !== 'false') {
    return apiError(c, 400, 'InvalidParameter', 'deleted must be true or false');
  }
  const page = await new TariffStore(c.env.DB).list({ limit, cursor: c.req.query('cursor'), includeDeleted: deleted === 'true' });
  return c.json({ tariffs: page.tariffs, nextCursor: page.nextCursor });
});

tariffRoutes.get('/:tariffId', async (c) => {
  const id = validTariffId(c);
  if (id instanceof Response) return id;
  const stored = await new TariffStore(c.env.DB).get(id);
  if (!stored) return unknownTariff(c, id);
  return c.json(stored);
});

/** One version, kept for ever: also of a deleted tariff. */
tariffRoutes.get('/:tariffId/versions/:version', async (c) => {
  const id = validTariffId(c);
  if (id instanceof Response) return id;
  const raw = c.req.param('version');
  const version = Number(raw);
  if (!/^[1-9]\d{0,8}$/.test(raw)) return apiError(c, 400, 'InvalidParameter', 'version must be a whole number from 1');
  const store = new TariffStore(c.env.DB);
  const [tariff, current] = await Promise.all([store.getTariffVersion(id, version), store.get(id)]);
  if (!current) return unknownTariff(c, id);
  if (!tariff) {
    return apiError(c, 404, 'UnknownTariffVersion', `Tariff "${current.tariff.id}" has versions 1 to ${current.tariff.version}, not ${version}`);
  }
  return c.json({ tariff, current: tariff.version === current.tariff.version, deletedAt: current.deletedAt });
});

/** Creates the tariff (201), or stores a changed body as its next version (200); an equal body changes nothing (200). */
tariffRoutes.put('/:tariffId', async (c) => {
  const id = validTariffId(c);
  if (id instanceof Response) return id;
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = parseTariffBody(read.body);
  if (!parsed.ok) {
    const issues = parsed.issues.slice(0, MAX_ISSUES);
    const first = issues[0];
    const message = first ? `${first.path === '' ? 'the tariff' : `"${first.path}"`}: ${first.message}` : 'The tariff is invalid';
    return apiError(c, 400, 'InvalidPayload', message, { issues });
  }
  const { tariff, outcome } = await new TariffStore(c.env.DB).put(id, parsed.tariff, new Date().toISOString());
  return c.json({ tariff, outcome }, outcome === 'created' ? 201 : 200);
});

/** Marks the tariff deleted; 409 while it is assigned anywhere (the answer lists where). */
tariffRoutes.delete('/:tariffId', async (c) => {
  const id = validTariffId(c);
  if (id instanceof Response) return id;
  const result = await new TariffStore(c.env.DB).delete(id, new Date().toISOString());
  if (result.deleted) return c.body(null, 204);
  if (result.reason === 'assigned') {
    const where = result.assignments.map((a) => (a.scope === 'default' ? 'the default' : `${a.scope} "${a.key}"`)).join(', ');
    return apiError(c, 409, 'TariffAssigned', `Tariff "${id}" is assigned to ${where}: assign another tariff there (or remove the assignment) first`, {
      assignments: result.assignments,
    });
  }
  if (result.reason === 'alreadyDeleted') return apiError(c, 404, 'UnknownTariff', `Tariff "${id}" is already deleted`);
  return unknownTariff(c, id);
});

tariffAssignmentRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const scope = c.req.query('scope');
  if (scope !== undefined && !(SCOPES_ASSIGNABLE as readonly string[]).includes(scope)) {
    return apiError(c, 400, 'InvalidParameter', `scope must be one of ${SCOPES_ASSIGNABLE.join(', ')}`);
  }
  const tariffId = c.req.query('tariffId');
  if (tariffId !== undefined && !TARIFF_ID.test(tariffId)) return apiError(c, 400, 'InvalidParameter', 'tariffId is not a tariff id');
  const page = await new TariffStore(c.env.DB).assignments({
    limit,
    cursor: c.req.query('cursor'),
    scope: scope as AssignmentScope | undefined,
    tariffId,
  });
  return c.json(page);
});

tariffAssignmentRoutes.put('/default', (c) => assign(c, 'default', ''));
tariffAssignmentRoutes.delete('/default', (c) => unassign(c, 'default', ''));

tariffAssignmentRoutes.put('/chargers/:chargerId', (c) => {
  const chargerId = c.req.param('chargerId');
  return isValidChargerId(chargerId) ? assign(c, 'charger', chargerId) : badChargerId(c);
});
tariffAssignmentRoutes.delete('/chargers/:chargerId', (c) => {
  const chargerId = c.req.param('chargerId');
  return isValidChargerId(chargerId) ? unassign(c, 'charger', chargerId) : badChargerId(c);
});

tariffAssignmentRoutes.put('/id-tag-groups/:group', (c) => {
  const group = c.req.param('group');
  return isValidIdTag(group) ? assign(c, 'id_tag_group', group) : badGroup(c);
});
tariffAssignmentRoutes.delete('/id-tag-groups/:group', (c) => {
  const group = c.req.param('group');
  return isValidIdTag(group) ? unassign(c, 'id_tag_group', group) : badGroup(c);
});

/** Which tariff a session started now (or `at`) at this charger, with this id tag, would be priced with, and why. */
chargerTariffRoutes.get('/:chargerId/tariff', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return badChargerId(c);
  const idTag = c.req.query('idTag') ?? null;
  if (idTag !== null && !isValidIdTag(idTag)) {
    return apiError(c, 400, 'InvalidParameter', `idTag must be 1-${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces`);
  }
  const type = c.req.query('type');
  if (type !== undefined && !v.is(IdTokenEnumType, type)) {
    return apiError(c, 400, 'InvalidParameter', `type must be a 2.0.1 IdTokenEnumType (${IdTokenEnumType.options.join(', ')})`);
  }
  const rawAt = c.req.query('at');
  const at = rawAt === undefined ? new Date().toISOString() : toUtcIso(rawAt);
  if (at === null) return apiError(c, 400, 'InvalidParameter', 'at must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z');
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) return unknownCharger(c, chargerId);
  const resolution = await new TariffStore(c.env.DB).resolveTariff(chargerId, idTag, { tokenType: type, at: new Date(at) });
  return c.json({ chargerId, idTag, type: type ?? null, at, ...resolution });
});

async function assign(c: AppContext, scope: AssignmentScope, key: string): Promise<Response> {
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(AssignmentBody, read.body);
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => ({ path: (issue.path ?? []).map((p) => String(p.key)).join('.'), message: issue.message }));
    const first = issues[0];
    return apiError(c, 400, 'InvalidPayload', first ? `"${first.path || 'body'}": ${first.message}` : 'The body is invalid', { issues });
  }
  const outcome: AssignOutcome = await new TariffStore(c.env.DB).assign(scope, key, parsed.output.tariffId, new Date().toISOString());
  if (outcome.assigned) return c.json({ assignment: outcome.assignment }, outcome.created ? 201 : 200);
  const tariffId = parsed.output.tariffId;
  switch (outcome.reason) {
    case 'unknownTariff':
      return apiError(c, 404, 'UnknownTariff', `No tariff "${tariffId}" exists: PUT /api/v1/tariffs/${tariffId} first`);
    case 'deletedTariff':
      return apiError(c, 409, 'TariffDeleted', `Tariff "${tariffId}" is deleted and cannot be assigned; PUT it again to bring it back`);
    case 'unknownCharger':
      return unknownCharger(c, key);
  }
}

async function unassign(c: AppContext, scope: AssignmentScope, key: string): Promise<Response> {
  if (await new TariffStore(c.env.DB).unassign(scope, key)) return c.body(null, 204);
  const where = scope === 'default' ? 'as the default' : scope === 'charger' ? `to charger "${key}"` : `to group "${key}"`;
  return apiError(c, 404, 'UnknownAssignment', `No tariff is assigned ${where}`);
}

function validTariffId(c: AppContext): string | Response {
  const id = c.req.param('tariffId') ?? '';
  if (!TARIFF_ID.test(id)) return apiError(c, 400, 'InvalidTariffId', 'A tariff id is 1-36 of A-Z a-z 0-9 . _ - (OCPI CiString, case-insensitive)');
  return id;
}

function unknownTariff(c: AppContext, id: string): Response {
  return apiError(c, 404, 'UnknownTariff', `No tariff "${id}" exists`);
}

function unknownCharger(c: AppContext, chargerId: string): Response {
  return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
}

function badChargerId(c: AppContext): Response {
  return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
}

function badGroup(c: AppContext): Response {
  return apiError(c, 400, 'InvalidIdTag', `An id tag group is 1-${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces`);
}
