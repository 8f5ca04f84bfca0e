// /api/v1/id-tags — the id tags (1.6) and id tokens (2.0.1) the CSMS authorizes: list, read, set, delete;
// /api/v1/seen-offline-tags — unknown tags chargers let charge while offline, for the operator to approve.
//
// A 2.0.1 token is the pair (idToken, type): /id-tags/{idTag}?type=T addresses the entry of type T,
// and without `type` the entry for any type. PUT takes the type from the query or the body's `type`.

import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { Env } from '../env';
import {
  AUTHORIZATION_STATUSES,
  isAuthorizationStatus,
  isValidIdTag,
  MAX_ID_TOKEN_LENGTH,
  MAX_V16_ID_TAG_LENGTH,
  type IdTagRecord,
} from '../ocpp/authorization';
import { isPlainObject } from '../ocpp/frames';
import { toUtcIso } from '../ocpp/timestamps';
import { IdTokenEnumType } from '../ocpp/v201/schemas.generated';
import { formatIssue, summarizeIssues } from '../ocpp/validation';
import { IdTagStore } from '../store/id-tags';
import { SeenOfflineTagStore } from '../store/seen-offline-tags';
import { apiError } from './errors';
import { readJsonBody } from './body';
import { readLimit } from './query';

type AppContext = Context<{ Bindings: Env }>;

export const idTagRoutes = new Hono<{ Bindings: Env }>();
export const seenOfflineTagRoutes = new Hono<{ Bindings: Env }>();

const DATE_TIME_MESSAGE = 'must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z';

/** The PUT body. null is taken as "none", like a field left out. Exported for the OpenAPI document. */
export const IdTagBody = v.strictObject({
  status: v.picklist(AUTHORIZATION_STATUSES),
  expiryDate: v.nullish(
    v.pipe(
      v.string(),
      v.check((text) => toUtcIso(text) !== null, DATE_TIME_MESSAGE),
      v.transform((text) => toUtcIso(text)!),
    ),
  ),
  parentIdTag: v.nullish(
    v.pipe(
      v.string(),
      v.check(isValidIdTag, `must be 1-${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces`),
    ),
  ),
  type: v.nullish(IdTokenEnumType),
  // RFC 5646 as 2.0.1 IdTokenInfo.language1 carries it (at most 8 characters): a language, optionally a
  // region or script (en, nl-BE, de-CH, sr-Latn). The driver's tariff texts are picked in it.
  language: v.nullish(
    v.pipe(
      v.string(),
      v.maxLength(8, 'must be at most 8 characters (2.0.1 language1)'),
      v.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$/, 'must be an RFC 5646 language tag such as en or nl-BE'),
    ),
  ),
});

idTagRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const status = c.req.query('status');
  if (status !== undefined && !isAuthorizationStatus(status)) {
    return apiError(c, 400, 'InvalidParameter', `status must be one of ${AUTHORIZATION_STATUSES.join(', ')}`);
  }
  const q = c.req.query('q');
  if (q !== undefined && q !== '' && !isValidIdTag(q)) {
    return apiError(c, 400, 'InvalidParameter', `q is the start of an id tag: at most ${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces`);
  }
  const page = await new IdTagStore(c.env.DB).list({ limit, cursor: c.req.query('cursor'), status, prefix: q });
  return c.json({ idTags: page.idTags.map(toApi), nextCursor: page.nextCursor });
});

idTagRoutes.get('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  const type = queryType(c);
  if (type instanceof Response) return type;
  const record = await new IdTagStore(c.env.DB).get(idTag, type);
  if (!record) return unknownIdTag(c, idTag, type);
  return c.json({ idTag: toApi(record) });
});

/** Creates or replaces a tag (fields left out are cleared); 201 when it is new, 200 when it existed. */
idTagRoutes.put('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;

  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const body = read.body;
  if (!isPlainObject(body)) {
    return apiError(c, 400, 'InvalidPayload', 'The request body must be a JSON object', {
      issues: [{ path: '', message: 'expected an object' }],
    });
  }
  const parsed = v.safeParse(IdTagBody, body, { abortEarly: false });
  if (!parsed.success) {
    const issues = summarizeIssues(parsed.issues);
    const message = issues[0] ? formatIssue(issues[0]) : 'The request body is invalid';
    return apiError(c, 400, 'InvalidPayload', message, { issues });
  }

  const { status, expiryDate, parentIdTag, type: bodyType, language } = parsed.output;
  const queried = queryType(c);
  if (queried instanceof Response) return queried;
  if (c.req.query('type') !== undefined && bodyType != null && bodyType !== queried) {
    return apiError(c, 400, 'InvalidPayload', 'The body names another type than the query', {
      issues: [{ path: 'type', message: `does not match the query's type ${queried}` }],
    });
  }
  const { record, created } = await new IdTagStore(c.env.DB).put(
    { idTag, status, expiryDate, parentIdTag, tokenType: bodyType ?? queried, language },
    new Date().toISOString(),
  );
  return c.json({ idTag: toApi(record) }, created ? 201 : 200);
});

/**
 * The PATCH body (JSON merge patch, RFC 7396): only the fields given change; null clears
 * expiryDate or parentIdTag. `status` cannot be cleared. The type is the entry's identity: it is
 * chosen with ?type=, never changed. Exported for the OpenAPI document.
 */
export const IdTagPatchBody = v.strictObject({
  status: v.optional(v.picklist(AUTHORIZATION_STATUSES)),
  expiryDate: IdTagBody.entries.expiryDate,
  parentIdTag: IdTagBody.entries.parentIdTag,
});

/**
 * Changes some fields of an existing entry and keeps the others: `{"status": "Blocked"}` blocks a
 * tag and keeps its expiry and group. 404 for an unknown entry; nothing is created.
 */
idTagRoutes.patch('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  const type = queryType(c);
  if (type instanceof Response) return type;
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  if ('type' in read.body) {
    return apiError(c, 400, 'InvalidPayload', "The type is part of the entry's identity: address the entry with ?type=, it cannot be changed", {
      issues: [{ path: 'type', message: 'cannot be patched' }],
    });
  }
  const parsed = v.safeParse(IdTagPatchBody, read.body, { abortEarly: false });
  if (!parsed.success) {
    const issues = summarizeIssues(parsed.issues);
    const message = issues[0] ? formatIssue(issues[0]) : 'The request body is invalid';
    return apiError(c, 400, 'InvalidPayload', message, { issues });
  }
  const record = await new IdTagStore(c.env.DB).patch(idTag, type, parsed.output, new Date().toISOString());
  if (!record) return unknownIdTag(c, idTag, type);
  return c.json({ idTag: toApi(record) });
});

idTagRoutes.delete('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  const type = queryType(c);
  if (type instanceof Response) return type;
  if (!(await new IdTagStore(c.env.DB).delete(idTag, type))) return unknownIdTag(c, idTag, type);
  return c.body(null, 204);
});

/** Tags seen offline (never authorizing), by tag; `unregistered=true` only those with no id_tags entry. */
seenOfflineTagRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const unregistered = c.req.query('unregistered');
  if (unregistered !== undefined && unregistered !== 'true' && unregistered !== 'false') {
    return apiError(c, 400, 'InvalidParameter', 'unregistered must be true or false');
  }
  const page = await new SeenOfflineTagStore(c.env.DB).list({ limit, cursor: c.req.query('cursor'), unregistered: unregistered === 'true' });
  return c.json({ tags: page.tags, nextCursor: page.nextCursor });
});

/** One tag seen offline: every transaction it was used in (newest first), for the operator and billing. */
seenOfflineTagRoutes.get('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  const uses = await new SeenOfflineTagStore(c.env.DB).uses(idTag);
  if (uses.length === 0) return notSeenOffline(c, idTag);
  return c.json({
    idTag: uses[0]!.idTag,
    uses: uses.map((u) => ({ type: u.tokenType, chargerId: u.chargerId, transactionId: u.transactionId, seenAt: u.seenAt, recordedAt: u.recordedAt })),
  });
});

/** Dismisses a tag seen offline (its uses are forgotten); registering it is PUT /id-tags/{idTag}. */
seenOfflineTagRoutes.delete('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  if (!(await new SeenOfflineTagStore(c.env.DB).delete(idTag))) return notSeenOffline(c, idTag);
  return c.body(null, 204);
});

/** The API's view of a token: `type` is the 2.0.1 IdTokenEnumType of this entry, null for any. */
function toApi(record: IdTagRecord) {
  return {
    idTag: record.idTag,
    type: record.tokenType,
    status: record.status,
    expiryDate: record.expiryDate,
    parentIdTag: record.parentIdTag,
    firstSeenOffline: record.firstSeenOffline,
    language: record.language ?? null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function validIdTag(c: AppContext): string | Response {
  const idTag = c.req.param('idTag') ?? '';
  if (!isValidIdTag(idTag)) {
    return apiError(
      c,
      400,
      'InvalidIdTag',
      `An id tag is 1-${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces ` +
        `(a 1.6 charger takes at most ${MAX_V16_ID_TAG_LENGTH})`,
    );
  }
  return idTag;
}

/** The `type` query: a 2.0.1 IdTokenEnumType, or null (the entry for any type) when left out. */
function queryType(c: AppContext): string | null | Response {
  const type = c.req.query('type');
  if (type === undefined) return null;
  if (!v.is(IdTokenEnumType, type)) {
    return apiError(c, 400, 'InvalidParameter', `type must be a 2.0.1 IdTokenEnumType (${IdTokenEnumType.options.join(', ')})`);
  }
  return type;
}

function unknownIdTag(c: AppContext, idTag: string, type: string | null = null): Response {
  const which = type === null ? 'for any type' : `of type ${type}`;
  return apiError(c, 404, 'UnknownIdTag', `No id tag "${idTag}" ${which} is known`);
}

function notSeenOffline(c: AppContext, idTag: string): Response {
  return apiError(c, 404, 'UnknownIdTag', `No tag "${idTag}" was seen offline`);
}
