// The OpenAPI paths and shapes of tariffs (src/api/tariffs.ts): the tariffs, their versions, their
// assignments, and which tariff applies at a charger. The tariff body is the valibot schema the
// API validates with (src/tariffs/model.ts), converted.

import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import { MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { TariffBodySchema } from '../tariffs/model';
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

const TARIFF_ID_PARAMETER: Json = {
  name: 'tariffId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,36}$' },
  description: 'OCPI CiString: case-insensitive, so `PEAK` and `peak` are one tariff',
};
const BAD_TARIFF_ID = { InvalidTariffId: 'the tariff id is not 1–36 of `A-Z a-z 0-9 . _ -`' };
const UNKNOWN_TARIFF = { UnknownTariff: 'no tariff with this id was ever PUT' };
const BAD_BODY = {
  InvalidJson: 'the body is not JSON',
  InvalidPayload: 'the body fails the schema (`issues` lists each field by its path, e.g. `elements.1.price_components.0.price`)',
};
const SCOPES = ['default', 'charger', 'id_tag_group'];

/**
 * The PUT body as accepted (before defaults). Checks JSON Schema cannot say (at most 4 decimals,
 * min ≤ max, an IANA time zone, distinct days) stay in the descriptions and the 400's `issues`.
 */
function tariffPutSchema(): JsonSchema {
  const { $schema: _dialect, ...schema } = toJsonSchema(TariffBodySchema, {
    target: 'draft-2020-12',
    typeMode: 'input',
    errorMode: 'throw',
    // JSON numbers are always finite; `check`s are the rules JSON Schema cannot state (above).
    overrideAction: ({ valibotAction, jsonSchema }) => (valibotAction.type === 'check' || valibotAction.type === 'finite' ? jsonSchema : undefined),
  });
  return {
    ...schema,
    description:
      'An OCPI 2.2.1 Tariff without `id` (the path), `version` and `last_updated` (set by the CSMS), plus `time_zone` (IANA, default UTC): ' +
      'the clock its time-of-day and day-of-week restrictions are read in. Prices exclude VAT, at most 4 decimals.',
  };
}

const TARIFF: Json = {
  allOf: [
    schemaRef('TariffPut'),
    objectOf({
      id: { type: 'string' },
      version: { type: 'integer', minimum: 1, description: '1 for the first PUT, +1 for each PUT that changes the tariff' },
      last_updated: { type: 'string', format: 'date-time', description: 'When this version was stored' },
    }),
  ],
  description: 'One version of a tariff: the OCPI object with its id, version and when it was stored',
};

const STORED_TARIFF = objectOf({
  tariff: schemaRef('Tariff'),
  deletedAt: { type: ['string', 'null'], format: 'date-time', description: 'Set when the tariff was deleted; its versions stay readable' },
});

const ASSIGNMENT = objectOf({
  scope: { type: 'string', enum: SCOPES, description: '`site` will join when sites exist' },
  key: { type: 'string', description: "The charger id, the id tag group, or '' for the default" },
  tariffId: { type: 'string' },
  assignedAt: { type: 'string', format: 'date-time' },
});

const RESOLUTION = objectOf({
  chargerId: { type: 'string' },
  idTag: { type: ['string', 'null'] },
  type: { type: ['string', 'null'], description: 'The 2.0.1 token type asked about' },
  at: { type: 'string', format: 'date-time' },
  tariff: { oneOf: [schemaRef('Tariff'), { type: 'null' }], description: 'The current version of the tariff that applies' },
  rule: { type: ['string', 'null'], enum: [...SCOPES, null], description: 'The assignment that matched' },
  key: { type: ['string', 'null'], description: "The matched assignment's key" },
  group: { type: ['string', 'null'], description: "The id tag's group (1.6 parentIdTag / 2.0.1 groupIdToken), from the id tags" },
  reason: { type: 'string', description: 'What matched, and what was passed over and why' },
  skipped: {
    type: 'array',
    description: 'Assignments that matched but whose tariff is outside its start_date_time/end_date_time',
    items: objectOf({
      scope: { type: 'string', enum: SCOPES },
      key: { type: 'string' },
      tariffId: { type: 'string' },
      version: { type: 'integer' },
      why: { type: 'string', enum: ['not yet valid', 'no longer valid'] },
    }),
  },
});

/** `components.schemas` entries the tariff paths refer to. */
export function tariffSchemas(): Record<string, Json> {
  return { TariffPut: tariffPutSchema() as Json, Tariff: TARIFF, TariffAssignment: ASSIGNMENT };
}

const ASSIGNMENT_BODY = {
  required: true,
  content: {
    'application/json': {
      schema: { type: 'object', additionalProperties: false, required: ['tariffId'], properties: { tariffId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,36}$' } } },
    },
  },
};

function assignmentOperations(where: string, operationSuffix: string, extraErrors: Record<string, string>): Json {
  return {
    put: operation({
      tags: ['Tariffs'],
      operationId: `assignTariff${operationSuffix}`,
      summary: `Assign a tariff ${where}, replacing the one assigned there`,
      requestBody: ASSIGNMENT_BODY,
      responses: {
        '200': jsonResponse('Replaced', objectOf({ assignment: schemaRef('TariffAssignment') })),
        '201': jsonResponse('Assigned', objectOf({ assignment: schemaRef('TariffAssignment') })),
        '400': errorResponse({ ...BAD_BODY, ...extraErrors }),
        '404': errorResponse({ UnknownTariff: 'no tariff `tariffId` exists', ...(operationSuffix === 'ToCharger' ? UNKNOWN_CHARGER : {}) }),
        '409': errorResponse({ TariffDeleted: 'the tariff is deleted: PUT it again to bring it back' }),
      },
    }),
    delete: operation({
      tags: ['Tariffs'],
      operationId: `unassignTariff${operationSuffix}`,
      summary: `Remove the tariff assigned ${where}`,
      responses: {
        '204': { description: 'Removed' },
        ...(Object.keys(extraErrors).length > 0 ? { '400': errorResponse(extraErrors) } : {}),
        '404': errorResponse({ UnknownAssignment: 'no tariff is assigned there' }),
      },
    }),
  };
}

/** Tariffs, their versions and assignments, and the tariff that applies at a charger. */
export function tariffPaths(): Record<string, Json> {
  return {
    '/tariffs': {
      get: operation({
        tags: ['Tariffs'],
        operationId: 'listTariffs',
        summary: 'Tariffs by id, each at its current version',
        parameters: [
          query('deleted', { type: 'string', enum: ['true', 'false'] }, 'true: deleted tariffs too'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse(
            'A page of tariffs',
            objectOf({ tariffs: { type: 'array', items: STORED_TARIFF }, nextCursor: { type: ['string', 'null'] } }),
          ),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/tariffs/{tariffId}': {
      parameters: [TARIFF_ID_PARAMETER],
      get: operation({
        tags: ['Tariffs'],
        operationId: 'getTariff',
        summary: "A tariff's current version; a deleted tariff too, with `deletedAt`",
        responses: { '200': jsonResponse('The tariff', STORED_TARIFF), '400': errorResponse(BAD_TARIFF_ID), '404': errorResponse(UNKNOWN_TARIFF) },
      }),
      put: operation({
        tags: ['Tariffs'],
        operationId: 'putTariff',
        summary: 'Create a tariff, or store a changed one as its next version',
        description:
          'A body equal to the current version (after defaults, whatever the key order) changes nothing: `outcome` `unchanged`, same version. ' +
          'Any other body is stored as version N+1 (`updated`); earlier versions are kept for ever, so a session keeps the version it began under. ' +
          'A deleted tariff is brought back (`restored`): as its last version when the body equals it, else as the next. Needs `admin`.',
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('TariffPut') } } },
        responses: {
          '200': jsonResponse(
            'Updated, unchanged or restored',
            objectOf({ tariff: schemaRef('Tariff'), outcome: { type: 'string', enum: ['updated', 'unchanged', 'restored'] } }),
          ),
          '201': jsonResponse('Created', objectOf({ tariff: schemaRef('Tariff'), outcome: { const: 'created' } })),
          '400': errorResponse({ ...BAD_TARIFF_ID, ...BAD_BODY }),
        },
      }),
      delete: operation({
        tags: ['Tariffs'],
        operationId: 'deleteTariff',
        summary: 'Delete a tariff: it applies nowhere any more, its versions stay readable. Needs `admin`.',
        description: 'Refused while the tariff is assigned anywhere: assign another tariff there, or remove the assignment, first.',
        responses: {
          '204': { description: 'Deleted' },
          '400': errorResponse(BAD_TARIFF_ID),
          '404': errorResponse({ UnknownTariff: 'no such tariff, or it is already deleted' }),
          '409': errorResponse({ TariffAssigned: 'the tariff is assigned; `assignments` lists where (TariffAssignment items)' }),
        },
      }),
    },
    '/tariffs/{tariffId}/versions/{version}': {
      parameters: [TARIFF_ID_PARAMETER, { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      get: operation({
        tags: ['Tariffs'],
        operationId: 'getTariffVersion',
        summary: 'One version of a tariff exactly as stored, also after it changed or was deleted',
        responses: {
          '200': jsonResponse(
            'The version',
            objectOf({
              tariff: schemaRef('Tariff'),
              current: { type: 'boolean', description: 'It is the current version' },
              deletedAt: { type: ['string', 'null'], format: 'date-time' },
            }),
          ),
          '400': errorResponse({ ...BAD_TARIFF_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_TARIFF, UnknownTariffVersion: 'the tariff has no such version' }),
        },
      }),
    },
    '/tariff-assignments': {
      get: operation({
        tags: ['Tariffs'],
        operationId: 'listTariffAssignments',
        summary: 'Which tariff is assigned where, by scope then key',
        description: 'A cursor is `scope:key`.',
        parameters: [
          query('scope', { type: 'string', enum: SCOPES }, 'Only this scope'),
          query('tariffId', { type: 'string' }, 'Only assignments of this tariff'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse(
            'A page of assignments',
            objectOf({ assignments: { type: 'array', items: schemaRef('TariffAssignment') }, nextCursor: { type: ['string', 'null'] } }),
          ),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/tariff-assignments/default': assignmentOperations('as the default (applies where nothing more specific does)', 'AsDefault', {}),
    '/tariff-assignments/chargers/{chargerId}': {
      parameters: [parameterRef('chargerId')],
      ...assignmentOperations('to a charger', 'ToCharger', BAD_CHARGER_ID),
    },
    '/tariff-assignments/id-tag-groups/{group}': {
      parameters: [
        {
          name: 'group',
          in: 'path',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]+$' },
          description: "An id tag group: the 1.6 parentIdTag / 2.0.1 groupIdToken an id tag carries (its `parentIdTag`); case-insensitive. URL-encoded",
        },
      ],
      ...assignmentOperations('to an id tag group (a fleet contract price)', 'ToIdTagGroup', { InvalidIdTag: 'the group is not 1–36 printable ASCII characters' }),
    },
    '/chargers/{chargerId}/tariff': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Tariffs'],
        operationId: 'getChargerTariff',
        summary: 'Which tariff a session at this charger would be priced with, and why',
        description:
          "Precedence: the id tag's group (from its id tag entry: the 2.0.1 entry of `type`, else the one for any type; 1.6 as authorization reads it) > " +
          'the charger > the default. A tariff outside its `start_date_time`/`end_date_time` at `at` is skipped for the next rule (listed in `skipped`).',
        parameters: [
          query('idTag', { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH }, 'The id tag presented; left out, groups are not consulted'),
          query('type', { type: 'string' }, 'The 2.0.1 IdTokenEnumType it was presented as; left out for 1.6'),
          query('at', { type: 'string', format: 'date-time' }, 'The time asked about (RFC 3339); default now'),
        ],
        responses: {
          '200': jsonResponse('The tariff that applies (or none) and why', RESOLUTION),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
  };
}
