// Building blocks of the OpenAPI document's operations (openapi.ts and openapi-paths-*.ts): responses,
// parameters, the error codes several operations share, and `operation`, which adds the common responses.

import { MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { IdTokenEnumType } from '../ocpp/v201/schemas.generated';

export type Json = Record<string, unknown>;

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });

export function jsonResponse(description: string, schema: Json): Json {
  return { description, content: { 'application/json': { schema } } };
}

/** An error response; its description lists the `error.code` values it carries and when. */
export function errorResponse(codes: Record<string, string>): Json {
  const description = Object.entries(codes)
    .map(([code, when]) => `\`${code}\`: ${when}`)
    .join('\n\n');
  return jsonResponse(description, schemaRef('Error'));
}

export function objectOf(properties: Record<string, Json>): Json {
  return { type: 'object', properties, required: Object.keys(properties) };
}

export const page = (key: string, item: string): Json =>
  objectOf({
    [key]: { type: 'array', items: schemaRef(item) },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page' },
  });

export function query(name: string, schema: Json, description: string): Json {
  return { name, in: 'query', required: false, schema, description };
}

export const BAD_CHARGER_ID = { InvalidChargerId: 'the charger id is not 1–48 printable ASCII characters without `:`' };
/** 2.0.1 IdTokenEnumType values, for the `type` query of /id-tags/{idTag}. */
export const ID_TOKEN_TYPES = IdTokenEnumType.options;

export const BAD_PARAMETER = { InvalidParameter: 'a query parameter is out of range or malformed (the message says which)' };
/** Every GET (src/api/query-names.ts). */
export const UNKNOWN_QUERY_PARAMETER = {
  UnknownQueryParameter: 'a query parameter this operation does not declare: `parameter` names it, `accepted` lists the ones it takes',
};
export const REPEATED_PARAMETER = { InvalidParameter: 'also: a query parameter that takes one value is given more than once' };
export const UNKNOWN_CHARGER = { UnknownCharger: 'no charger with this id has connected or been registered' };
export const BAD_ID_TAG = { InvalidIdTag: `the id tag is not 1–${MAX_ID_TOKEN_LENGTH} printable ASCII characters` };

/** Every /api/v1 operation but the documentation and health ones needs the token, and may meet these. */
const AUTH_RESPONSES = {
  '401': { $ref: '#/components/responses/Unauthorized' },
  '403': { $ref: '#/components/responses/InsufficientScope' },
  '503': { $ref: '#/components/responses/ApiTokenNotConfigured' },
};
const INTERNAL_ERROR = { '500': { $ref: '#/components/responses/InternalError' } };
/** Every operation that reads a body may meet this (src/api/body.ts). */
const BODY_RESPONSES = { '413': { $ref: '#/components/responses/PayloadTooLarge' } };

export function operation(op: { responses: Json; public?: boolean } & Json): Json {
  const { public: isPublic, responses, ...rest } = op;
  const body = op.requestBody ? BODY_RESPONSES : {};
  return isPublic
    ? { ...rest, security: [], responses: { ...responses, ...body, ...INTERNAL_ERROR } }
    : {
        ...rest,
        // An operation's own 403 (it refuses something beyond the scope check) lists InsufficientScope itself.
        responses: { ...responses, ...body, ...AUTH_RESPONSES, ...(responses['403'] ? { '403': responses['403'] } : {}), ...INTERNAL_ERROR },
      };
}
