// /api/v1/id-tags — the id tags (1.6) and id tokens (2.0.1) the CSMS authorizes: list, read, set, delete.

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
import { apiError } from './errors';
import { readJsonBody } from './body';
import { readLimit } from './query';

type AppContext = Context<{ Bindings: Env }>;

export const idTagRoutes = new Hono<{ Bindings: Env }>();

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
});

idTagRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const status = c.req.query('status');
  if (status !== undefined && !isAuthorizationStatus(status)) {
    return apiError(c, 400, 'InvalidParameter', `status must be one of ${AUTHORIZATION_STATUSES.join(', ')}`);
  }
  const page = await new IdTagStore(c.env.DB).list({ limit, cursor: c.req.query('cursor'), status });
  return c.json({ idTags: page.idTags.map(toApi), nextCursor: page.nextCursor });
});

idTagRoutes.get('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  const record = await new IdTagStore(c.env.DB).get(idTag);
  if (!record) return unknownIdTag(c, idTag);
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

  const { status, expiryDate, parentIdTag, type } = parsed.output;
  const { record, created } = await new IdTagStore(c.env.DB).put(
    { idTag, status, expiryDate, parentIdTag, tokenType: type },
    new Date().toISOString(),
  );
  return c.json({ idTag: toApi(record) }, created ? 201 : 200);
});

idTagRoutes.delete('/:idTag', async (c) => {
  const idTag = validIdTag(c);
  if (idTag instanceof Response) return idTag;
  if (!(await new IdTagStore(c.env.DB).delete(idTag))) return unknownIdTag(c, idTag);
  return c.body(null, 204);
});

/** The API's view of a tag: `type` is the 2.0.1 IdTokenEnumType the tag is bound to, null for any. */
function toApi(record: IdTagRecord) {
  return {
    idTag: record.idTag,
    type: record.tokenType,
    status: record.status,
    expiryDate: record.expiryDate,
    parentIdTag: record.parentIdTag,
    firstSeenOffline: record.firstSeenOffline,
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

function unknownIdTag(c: AppContext, idTag: string): Response {
  return apiError(c, 404, 'UnknownIdTag', `No id tag "${idTag}" is known`);
}
