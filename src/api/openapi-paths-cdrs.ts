// The OpenAPI path and shapes of charge detail records (src/api/cdrs.ts, mapping in src/tariffs/cdr.ts):
// JSON pages of OCPI 2.2.1 CDRs, and the same as a streamed CSV export.

import { MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { CDR_CSV_COLUMNS } from '../tariffs/cdr';
import { OCPP_VERSIONS } from '../ocpp/versions';
import { BAD_CHARGER_ID, BAD_ID_TAG, BAD_PARAMETER, errorResponse, type Json, objectOf, operation, parameterRef, query, schemaRef } from './openapi-operations';

const PRICE: Json = {
  type: 'object',
  required: ['excl_vat'],
  properties: {
    excl_vat: { type: 'number', minimum: 0 },
    incl_vat: { type: 'number', minimum: 0, description: 'Absent when it cannot be known: a component without `vat` priced something' },
  },
  description: 'OCPI Price, rounded half up to the currency minor unit',
};

const optional = (schema: Json, why: string): Json => ({ ...schema, description: `${why}. Only when \`priced\`` });

const CDR: Json = {
  type: 'object',
  required: [
    'id',
    'start_date_time',
    'end_date_time',
    'session_id',
    'cdr_token',
    'auth_method',
    'cdr_location',
    'charger_id',
    'protocol',
    'stop_reason',
    'priced',
    'charging_periods',
    'total_energy',
    'total_time',
    'total_parking_time',
    'last_updated',
  ],
  description:
    'The OCPI 2.2.1 CDR fields the CSMS can know about a completed transaction, plus `priced`, `unpriced_reason`, `charger_id`, `protocol`, ' +
    '`stop_reason` and `flags`. `signed_data` holds the first and last signed energy readings when the charger signed any ' +
    '(every reading keeps its own in GET /chargers/{chargerId}/transactions/{transactionId}).',
  properties: {
    id: { type: 'string', description: "The transaction's row id: stable, unique fleet-wide" },
    start_date_time: { type: ['string', 'null'], format: 'date-time' },
    end_date_time: { type: 'string', format: 'date-time' },
    session_id: { type: 'string', description: 'What the charger calls the transaction (1.6 / 2.0.1 transactionId)' },
    cdr_token: objectOf({
      uid: { type: ['string', 'null'], description: 'The id tag that started the transaction' },
      type: {
        type: 'string',
        enum: ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'],
        description: '1.6: RFID. 2.0.1 idToken type: ISO14443/ISO15693 → RFID, Central → APP_USER, any other or not known → OTHER',
      },
      contract_id: { type: ['string', 'null'], description: 'The uid of an eMAID token; null (not known) otherwise' },
    }),
    auth_method: {
      type: 'string',
      enum: ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'],
      description:
        'COMMAND: started by the CSMS (2.0.1 remoteStartId; a 1.6 row does not record a remote start). WHITELIST: the charger let the token ' +
        'through itself (2.0.1 offline, or a Local / NoAuthorization token). Else AUTH_REQUEST',
    },
    cdr_location: objectOf({
      evse_uid: { type: 'string', description: 'The charger id' },
      evse_id: { type: ['string', 'null'], description: 'The 2.0.1 EVSE number; null for 1.6' },
      connector_id: { type: ['string', 'null'] },
      not_known: { type: 'array', items: { type: 'string' }, description: 'OCPI CdrLocation fields the CSMS does not know (it keeps no locations)' },
    }),
    charger_id: { type: 'string' },
    protocol: { type: 'string', enum: [...OCPP_VERSIONS] },
    stop_reason: { type: ['string', 'null'] },
    priced: { type: 'boolean', description: 'A cost was computed for the transaction: the cost fields are present' },
    unpriced_reason: {
      type: 'string',
      enum: ['no_tariff', 'unpriced'],
      description: 'Only when not `priced`. `unpriced`: flagged, its tariff could not be found while it ran. `no_tariff`: no tariff applied',
    },
    currency: optional({ type: 'string' }, 'ISO 4217'),
    tariffs: optional(
      {
        type: 'array',
        items: {
          allOf: [
            objectOf({
              id: { type: 'string' },
              version: { type: 'integer', minimum: 1 },
              currency: { type: 'string' },
              last_updated: { type: ['string', 'null'], format: 'date-time' },
            }),
            { type: 'object', properties: { elements: { type: 'array' }, min_price: PRICE, max_price: PRICE, time_zone: { type: 'string' }, type: { type: 'string' } } },
          ],
        },
      },
      'The tariff version the session was priced under, as stored (see GET /tariffs/{tariffId}/versions/{version})',
    ),
    charging_periods: {
      type: 'array',
      description: 'OCPI ChargingPeriods of the cost engine; empty when not priced',
      items: objectOf({
        start_date_time: { type: 'string', format: 'date-time' },
        dimensions: {
          type: 'array',
          items: objectOf({ type: { type: 'string', enum: ['ENERGY', 'TIME', 'PARKING_TIME'] }, volume: { type: 'number', description: 'kWh or hours' } }),
        },
        tariff_id: { type: 'string' },
      }),
    },
    total_cost: optional(PRICE, 'After min_price/max_price'),
    total_fixed_cost: optional(PRICE, 'FLAT'),
    total_energy: { type: ['number', 'null'], description: 'kWh; null when not billable as it stands (see `flags`)' },
    total_energy_cost: optional(PRICE, 'ENERGY'),
    total_energy_exported: {
      type: 'number',
      description:
        'kWh the EV fed back (OCPP 2.1 bidirectional charging, Energy.Active.Export.Register), by the same rules as total_energy; ' +
        'present only when the charger reported an export register. Not an OCPI 2.2.1 field',
    },
    total_time: { type: ['number', 'null'], description: 'Hours of the whole session' },
    total_time_cost: optional(PRICE, 'TIME'),
    total_parking_time: { type: ['number', 'null'], description: 'Hours connected without charging; null when not priced' },
    total_parking_cost: optional(PRICE, 'PARKING_TIME'),
    flags: { type: 'array', items: { type: 'string' }, description: "The transaction's anomaly kinds (see GET /transactions): look before billing" },
    signed_data: {
      type: 'object',
      required: ['encoding_method', 'signed_values'],
      description:
        "OCPI SignedData: the transaction's first (Start) and last (End) signed Energy.Active.Import.Register readings (one value when it has one " +
        'signed reading; no Intermediate). Absent when the charger signed none. Never cut short: a signed value over 5000 characters is not ' +
        'carried, a public key over 512 is left out. In the CSV, the column `signed_data` holds this object as JSON',
      properties: {
        encoding_method: { type: 'string', description: "2.0.1 signedMeterValue.encodingMethod; 1.6 names none: `OCMF` for OCMF text, else `unknown`" },
        public_key: { type: 'string', maxLength: 512, description: '2.0.1 signedMeterValue.publicKey, when sent' },
        signed_values: {
          type: 'array',
          minItems: 1,
          maxItems: 2,
          items: {
            type: 'object',
            required: ['nature', 'plain_data', 'signed_data'],
            properties: {
              nature: { type: 'string', enum: ['Start', 'End'] },
              plain_data: { type: 'string', description: 'The reading as the CSMS read it, e.g. `12345.6 Wh`; empty when the charger sent no plain number' },
              signed_data: { type: 'string', maxLength: 5000, description: 'As the charger sent it' },
            },
          },
        },
      },
    },
    payment: {
      type: 'object',
      required: ['psp_ref', 'status', 'amount', 'settled_at', 'receipt_id', 'receipt_url', 'vat_number'],
      description:
        'Not an OCPI field (OCPI CDRs have none for payment): an OCPP 2.1 charger\u2019s payment terminal settled the session (NotifySettlement), ' +
        'its latest attempt. Absent otherwise. In the CSV: `payment_status`, `payment_amount`, `payment_psp_ref`, `payment_receipt_id`',
      properties: {
        psp_ref: { type: 'string' },
        status: { type: 'string', enum: ['Settled', 'Canceled', 'Rejected', 'Failed'] },
        amount: { type: 'number' },
        settled_at: { type: 'string', format: 'date-time' },
        receipt_id: { type: ['string', 'null'] },
        receipt_url: { type: ['string', 'null'] },
        vat_number: { type: ['string', 'null'] },
      },
    },
    last_updated: { type: 'string', format: 'date-time' },
  },
};

/** `components.schemas` entries the CDR path refers to. */
export function cdrSchemas(): Record<string, Json> {
  return { Cdr: CDR };
}

export function cdrPaths(): Record<string, Json> {
  return {
    '/cdrs': {
      get: operation({
        tags: ['Transactions'],
        operationId: 'listCdrs',
        summary: 'Charge detail records of completed transactions, oldest end first; JSON pages or a streamed CSV export',
        description:
          'One CDR per completed transaction, priced or not, ordered by end time then id. `from`/`to` select by end time. The cursor is keyset: ' +
          'stable while CDRs are added (a CDR that ends before the cursor, e.g. a late offline session, shows in a later export, not this one). ' +
          'CSV (`?format=csv` or `Accept: text/csv`): one header line, then one line per CDR with the columns `' +
          CDR_CSV_COLUMNS.join(', ') +
          '`; CRLF, RFC 4180 quoting, and a cell starting with = + - @ (tab, CR) prefixed with `\'`. It streams every CDR in range, read from D1 a ' +
          'page at a time, so no range is required; a cursor resumes it; `limit` (JSON page size) is refused with it. A failure after the first page breaks the transfer (no short file that looks whole).',
        parameters: [
          query('from', { type: 'string', format: 'date-time' }, 'Ended at or after'),
          query('to', { type: 'string', format: 'date-time' }, 'Ended before'),
          query('chargerId', { type: 'string' }, 'Only this charger'),
          query('idTag', { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH }, 'Only transactions started by this id tag (case-insensitive)'),
          query('format', { type: 'string', enum: ['json', 'csv'] }, 'csv: the CSV export; default json, or csv when `Accept` names text/csv'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': {
            description: 'A page of CDRs, or the CSV export (`Content-Disposition: attachment`)',
            content: {
              'application/json': {
                schema: objectOf({
                  cdrs: { type: 'array', items: schemaRef('Cdr') },
                  nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page' },
                }),
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '400': errorResponse({ ...BAD_PARAMETER, ...BAD_CHARGER_ID, ...BAD_ID_TAG }),
        },
      }),
    },
  };
}
