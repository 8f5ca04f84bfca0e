// The OpenAPI paths of OCPP 2.1 tariffs sent to chargers (src/api/ocpp21-tariffs.ts): SetDefaultTariff and
// ChangeTransactionTariff built from stored tariffs, ClearTariffs, and what a charger holds (GetTariffs).

import { toJsonSchema } from '@valibot/to-json-schema';
import { DefaultTariffBody, TransactionTariffBody } from './ocpp21-tariffs';
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
  UNKNOWN_CHARGER,
} from './openapi-operations';

const bodyOf = (schema: Parameters<typeof toJsonSchema>[0]): Json => {
  const { $schema: _dialect, ...json } = toJsonSchema(schema, { target: 'draft-2020-12', typeMode: 'input', errorMode: 'ignore' });
  return { required: true, content: { 'application/json': { schema: json } } };
};

const BAD_BODY = { InvalidJson: 'the body is not JSON', InvalidPayload: 'the body fails the schema (`issues` lists each field)' };
const TARIFF_ERRORS = {
  '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownTariff: 'no tariff `tariffId` exists', UnknownAction: 'the charger does not speak OCPP 2.1' }),
  '409': errorResponse({ TariffDeleted: 'the tariff is deleted', ChargerOffline: 'the charger is not connected' }),
  '422': errorResponse({
    TariffNotExpressible:
      'OCPP 2.1 cannot say what the tariff says (a step_size, a restricted FLAT, VAT that differs within a dimension, an end_date_time, …): `issues` lists each `path` and `reason`; nothing was sent',
  }),
  '502': errorResponse({ CallError: 'the charger answered with a CALLERROR', InvalidResponse: 'its answer does not match the 2.1 schema' }),
  '504': errorResponse({ Timeout: 'the charger did not answer in time' }),
};

const SENT = objectOf({
  tariff: objectOf({ id: { type: 'string' }, version: { type: 'integer' } }),
  ocppTariffId: { type: 'string', description: '`<tariff id>@<version>`: the TariffType.tariffId the charger holds' },
  omitted: {
    type: 'array',
    description: 'What the OCPP tariff leaves out and why (nothing that changes a price): a step of 1 Wh or 1 s, reservation elements, the OCPI type, the time zone caveat',
    items: objectOf({ path: { type: 'string' }, reason: { type: 'string' } }),
  },
});

const HELD = objectOf({
  ocppTariffId: { type: 'string' },
  tariff: { type: ['object', 'null'], description: 'The project tariff version the id names, when the CSMS built it', properties: { id: { type: 'string' }, version: { type: 'integer' } } },
  kind: { type: 'string', enum: ['DefaultTariff', 'DriverTariff'] },
  evseId: { type: ['integer', 'null'], description: '0: all EVSEs; null for a transaction\u2019s tariff or one held for id tokens' },
  transactionId: { type: ['string', 'null'] },
  idTokens: { type: ['array', 'null'], items: { type: 'string' } },
  validFrom: { type: ['string', 'null'], format: 'date-time' },
  source: { type: 'string', enum: ['SetDefaultTariff', 'ChangeTransactionTariff', 'GetTariffs'] },
  recordedAt: { type: 'string', format: 'date-time' },
});

const EVSE_QUERY = (what: string) => query('evseId', { type: 'integer', minimum: 0 }, what);

/** What both installed-tariffs operations answer. */
const INSTALLED = objectOf({
  chargerId: { type: 'string' },
  tariffs: { type: 'array', items: HELD },
  asked: { type: ['object', 'null'], description: '`{ok: true, result}` (GetTariffsResponse) or `{ok: false, status, error}`; null when the charger was not asked (GET)' },
});

export function ocpp21TariffPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/tariffs/default': {
      parameters: [parameterRef('chargerId')],
      post: operation({
        tags: ['Tariffs'],
        operationId: 'sendDefaultTariff',
        summary: 'OCPP 2.1: send a stored tariff\u2019s current version to a charger as its default tariff (SetDefaultTariff)',
        description:
          'The stored OCPI tariff is converted to an OCPP 2.1 TariffType (what 2.1 cannot express is refused with 422, nothing sent). ' +
          'Accepted, the charger is recorded holding it (GET …/tariffs/installed) and, with `assign` (default for evseId 0), the tariff is assigned to the charger, ' +
          'so the CSMS prices its sessions with the same tariff. Needs `command`.',
        requestBody: bodyOf(DefaultTariffBody),
        responses: {
          '200': jsonResponse(
            'The charger\u2019s answer',
            objectOf({
              result: { type: 'object', description: 'SetDefaultTariffResponse' },
              sent: SENT,
              assignment: { type: ['object', 'null'], description: 'The charger assignment made (TariffAssignment), null when none was asked or the charger refused' },
            }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_BODY }),
          ...TARIFF_ERRORS,
        },
      }),
    },
    '/chargers/{chargerId}/transactions/{transactionId}/tariff': {
      parameters: [parameterRef('chargerId'), { name: 'transactionId', in: 'path', required: true, schema: { type: 'string' }, description: 'The charger\u2019s transactionId' }],
      post: operation({
        tags: ['Tariffs'],
        operationId: 'changeTransactionTariff',
        summary: 'OCPP 2.1: change a running transaction\u2019s tariff on the charger (ChangeTransactionTariff) to a stored tariff\u2019s current version',
        description:
          'Accepted, the charger is recorded holding it for the transaction. The CSMS\u2019s own price of the transaction stays the tariff it started with: ' +
          'the charger\u2019s final cost will then differ and the transaction be flagged `charger-cost-differs`. Needs `command`.',
        requestBody: bodyOf(TransactionTariffBody),
        responses: {
          '200': jsonResponse('The charger\u2019s answer', objectOf({ result: { type: 'object', description: 'ChangeTransactionTariffResponse' }, sent: SENT })),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_BODY }),
          ...TARIFF_ERRORS,
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownTariff: 'no tariff `tariffId` exists', UnknownTransaction: 'the charger has no such transaction' }),
          '409': errorResponse({ TransactionNotActive: 'the transaction has ended', TariffDeleted: 'the tariff is deleted', ChargerOffline: 'the charger is not connected' }),
        },
      }),
    },
    '/chargers/{chargerId}/tariffs': {
      parameters: [parameterRef('chargerId')],
      delete: operation({
        tags: ['Tariffs'],
        operationId: 'clearTariffs',
        summary: 'OCPP 2.1: clear tariffs on a charger (ClearTariffs); what it cleared leaves the record. Needs `command`.',
        parameters: [
          query('tariffId', { type: 'array', items: { type: 'string', maxLength: 60 } }, 'The charger\u2019s tariff ids to clear (repeatable); none: all'),
          EVSE_QUERY('Only at this EVSE'),
        ],
        responses: {
          '200': jsonResponse('The charger\u2019s answer', objectOf({ result: { type: 'object', description: 'ClearTariffsResponse' } })),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownAction: 'the charger does not speak OCPP 2.1' }),
          '409': errorResponse({ ChargerOffline: 'the charger is not connected' }),
        },
      }),
    },
    '/chargers/{chargerId}/tariffs/installed': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Tariffs'],
        operationId: 'listInstalledTariffs',
        summary: 'OCPP 2.1: which tariffs a charger is recorded holding (nothing is sent to it)',
        description:
          'The record is what the charger\u2019s answers said: accepted SetDefaultTariff / ChangeTransactionTariff, answered ClearTariffs, and GetTariffs answers, ' +
          'which replace what was known for the EVSE asked (0: everything). To ask the charger first, POST to the same path (command scope).',
        responses: {
          '200': jsonResponse('The record', INSTALLED),
          '400': errorResponse({ ...BAD_CHARGER_ID }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
      post: operation({
        tags: ['Tariffs'],
        operationId: 'askInstalledTariffs',
        summary: 'OCPP 2.1: asks a charger which tariffs it holds (GetTariffs), records its answer, and lists the record',
        description:
          'A command (`command` scope). A charger that cannot be asked (offline, an error) still gets the record, with `asked` saying why.',
        parameters: [EVSE_QUERY('The EVSE to ask about (default 0: all)')],
        responses: {
          '200': jsonResponse('The record, after the answer', INSTALLED),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
  };
}
