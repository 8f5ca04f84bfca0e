// The OpenAPI paths of who the caller is (GET /whoami) and the audit log (GET /audit), src/api/whoami.ts and src/api/audit.ts.

import { BAD_PARAMETER, errorResponse, jsonResponse, type Json, objectOf, operation, parameterRef, query } from './openapi-operations';

const SCOPE: Json = { type: 'string', enum: ['read', 'command', 'admin'] };

const ACTOR: Json = {
  type: 'object',
  required: ['kind', 'id'],
  properties: {
    kind: { type: 'string', enum: ['token', 'access'], description: '`token`: an API token; `access`: a person signed in through Cloudflare Access' },
    id: { type: 'string', description: 'The token id (`root` for API_TOKEN), or the Access user id (`sub`)' },
    name: { type: 'string', description: "The token's name; an Access user's name when the identity provider sends one" },
    email: { type: 'string', description: "An Access user's email" },
  },
};

const ENTRY: Json = objectOf({
  id: { type: 'integer', minimum: 1 },
  at: { type: 'string', format: 'date-time', description: 'When the request arrived' },
  actor: {
    type: 'object',
    required: ['kind', 'id'],
    properties: { kind: { type: 'string', enum: ['token', 'access'] }, id: { type: 'string' }, email: { type: 'string' } },
  },
  method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
  route: { type: ['string', 'null'], description: 'The route pattern, e.g. `/api/v1/chargers/:chargerId/commands/:action`; null when no route matched' },
  path: { type: 'string', description: 'The path asked for, without its query string' },
  target: { type: 'object', additionalProperties: { type: 'string' }, description: 'The path parameters (charger id, id tag, token id, …); never a body or a secret' },
  status: { type: 'integer', description: 'The HTTP status of the answer: what happened (403: refused)' },
  requestId: { type: 'string', description: "Cloudflare's Ray ID, or a random id; the answer carried it as `X-Request-Id`" },
});

export function accessPaths(): Record<string, Json> {
  return {
    '/whoami': {
      get: operation({
        tags: ['Tokens'],
        operationId: 'whoAmI',
        summary: 'Who is calling and with which scopes: an API token, or a Cloudflare Access user. Any scope.',
        responses: {
          '200': jsonResponse('The caller', objectOf({ actor: ACTOR, scopes: { type: 'array', items: SCOPE } })),
        },
      }),
    },
    '/audit': {
      get: operation({
        tags: ['Tokens'],
        operationId: 'listAudit',
        summary: 'The audit log: every POST, PUT, PATCH and DELETE by an authenticated caller, newest first. Needs `admin`.',
        description:
          'Recorded after the answer, with who asked, the route and its path parameters and the status; never the body or a secret. ' +
          'Requests refused for lack of a scope or as cross-site are recorded (status 403); unauthenticated ones (401) are not.',
        parameters: [
          query('actor', { type: 'string' }, 'Only this actor: a token id (`root` for API_TOKEN), an Access user id, or an Access email'),
          query('method', { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] }, 'Only this method'),
          query('path', { type: 'string', pattern: '^/' }, 'Only paths starting with this, e.g. `/api/v1/chargers/CP-1`'),
          parameterRef('from'),
          parameterRef('to'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse(
            'A page of entries',
            objectOf({
              entries: { type: 'array', items: ENTRY },
              nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page' },
            }),
          ),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
  };
}
