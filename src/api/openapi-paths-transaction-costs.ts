// The OpenAPI paths of a completed transaction's cost recomputation and its log (src/api/transaction-costs.ts).

import { MAX_REASON_LENGTH } from './transaction-costs';
import { BAD_PARAMETER, errorResponse, jsonResponse, type Json, objectOf, operation, query, schemaRef } from './openapi-operations';

const TARIFF_VERSION: Json = objectOf({ id: { type: 'string' }, version: { type: 'integer', minimum: 1 } });

const ID_PARAMETER: Json = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 0 },
  description: "The CSMS's own transaction id: the `id` of a listed transaction (not the charger's transactionId)",
};

const PREVIOUS: Json = {
  oneOf: [objectOf({ tariff: TARIFF_VERSION, cost: schemaRef('TransactionCost') }), { type: 'null' }],
  description: 'The tariff version and cost it had before; null when it had none (it was not priced)',
};

const SOURCE: Json = {
  type: 'string',
  enum: ['readings', 'registers'],
  description: '`readings`: priced from its stored register readings and charging states; `registers`: no readings were kept, priced from its start and stop registers alone',
};

const REVISION: Json = objectOf({
  revision: { type: 'integer', minimum: 1, description: '1 for the first recomputation, then 2, ...' },
  previous: PREVIOUS,
  tariff: TARIFF_VERSION,
  cost: schemaRef('TransactionCost'),
  source: SOURCE,
  reason: { type: 'string' },
  tokenId: { type: 'string', description: 'The API token that asked: `root` (API_TOKEN) or the id of a token made with POST /tokens' },
  at: { type: 'string', format: 'date-time' },
});

const BAD_ID = { InvalidTransactionId: "the id is not the CSMS's transaction number" };
const UNKNOWN = { UnknownTransaction: 'no transaction has this id' };

export function transactionCostPaths(): Record<string, Json> {
  return {
    '/transactions/{id}/cost': {
      parameters: [ID_PARAMETER],
      post: operation({
        tags: ['Transactions'],
        operationId: 'recomputeTransactionCost',
        summary: "Recompute a completed transaction's cost (logged), or see what it would be (`dryRun`)",
        description:
          "A transaction's cost is written once, when it ends, and nothing a charger sends changes it. This is the one way to change it: the cost is " +
          'computed again from what D1 (or the R2 archive) holds of the transaction — its energy register readings, power and current, its charging ' +
          "states (2.0.1 events' chargingState; 1.6 its connector's statuses) — under the tariff version it was priced with, or the one named (e.g. to " +
          'correct a wrong assignment; a `tariffId` without `tariffVersion` is its current version). The new figures replace the stored cost and a ' +
          'revision (previous and new cost, tariff, reason, the token that asked, when) is logged in the same D1 transaction; a ' +
          '`transaction.cost_recomputed` event goes to the EVENTS queue when it is bound. The charger is not told (its totalCost was final). ' +
          'With `dryRun=true` nothing is written. Needs `admin`.',
        parameters: [query('dryRun', { type: 'string', enum: ['true', 'false'] }, 'true: answer the new cost and write nothing')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['reason'],
                properties: {
                  reason: { type: 'string', minLength: 1, maxLength: MAX_REASON_LENGTH, description: 'Why: kept in the revision (not blank)' },
                  tariffId: { type: 'string', description: 'Price under this tariff instead of the one it was priced with' },
                  tariffVersion: { type: 'integer', minimum: 1, description: 'That version (default: the priced version, or the named tariff\'s current one)' },
                },
              },
            },
          },
        },
        responses: {
          '200': jsonResponse(
            'The new cost and the previous one; `revision` is null on a dry run',
            {
              type: 'object',
              required: ['transactionId', 'chargerId', 'ocppTransactionId', 'dryRun', 'revision', 'tariff', 'cost', 'previous', 'source'],
              properties: {
                transactionId: { type: 'integer' },
                chargerId: { type: 'string' },
                ocppTransactionId: { type: 'string', description: 'What the charger calls the transaction' },
                dryRun: { type: 'boolean' },
                revision: { type: ['integer', 'null'] },
                tariff: TARIFF_VERSION,
                cost: schemaRef('TransactionCost'),
                previous: PREVIOUS,
                source: SOURCE,
                note: { type: 'string', description: 'Present when priced from the start and stop registers alone' },
                reason: { type: 'string' },
                tokenId: { type: 'string' },
                at: { type: 'string', format: 'date-time' },
              },
            },
          ),
          '400': errorResponse({
            ...BAD_ID,
            ...BAD_PARAMETER,
            InvalidJson: 'the body is not JSON',
            InvalidPayload: '`reason` missing, blank or too long, or `tariffId`/`tariffVersion` malformed (`issues` names the field)',
          }),
          '404': errorResponse({ ...UNKNOWN, UnknownTariffVersion: 'the tariff version to price with does not exist' }),
          '409': errorResponse({
            TransactionNotCompleted: 'the transaction is still running: only a completed transaction is recomputed',
            TransactionNotPriced: 'it was never priced and no `tariffId` was named',
          }),
          '503': errorResponse({ ArchiveUnavailable: "its readings are archived in R2 and cannot be read now" }),
        },
      }),
    },
    '/transactions/{id}/cost/revisions': {
      parameters: [ID_PARAMETER],
      get: operation({
        tags: ['Transactions'],
        operationId: 'listTransactionCostRevisions',
        summary: "Every recomputation of a transaction's cost, oldest first",
        responses: {
          '200': jsonResponse(
            'The revisions (at most the latest 1000)',
            objectOf({
              transactionId: { type: 'integer' },
              chargerId: { type: 'string' },
              ocppTransactionId: { type: 'string' },
              revisions: { type: 'array', items: REVISION },
            }),
          ),
          '400': errorResponse(BAD_ID),
          '404': errorResponse(UNKNOWN),
        },
      }),
    },
  };
}
