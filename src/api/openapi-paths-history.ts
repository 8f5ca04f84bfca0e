// The OpenAPI paths of transactions and of one charger's history: meter values, statuses, connections, reports, messages.

import {
  BAD_CHARGER_ID,
  BAD_ID_TAG,
  BAD_PARAMETER,
  errorResponse,
  type Json,
  jsonResponse,
  objectOf,
  operation,
  page,
  parameterRef,
  query,
  schemaRef,
  UNKNOWN_CHARGER,
} from './openapi-operations';
import { MAX_PAGE_SIZE } from './query';
import { TRANSACTION_METER_VALUES_PAGE } from './charger-views';
import { MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import { TRANSACTION_CSV_COLUMNS } from './transactions';

/** Transactions, and what one charger reported or was told (its history). */
export function historyPaths(): Record<string, Json> {
  return {
    '/transactions': {
      get: operation({
        tags: ['Transactions'],
        operationId: 'listTransactions',
        summary: "The fleet's transactions, newest first; JSON pages or the filtered list as a streamed CSV export",
        description:
          'Read from D1 as it is, except with `chargerId`, whose waiting facts are copied first. The filters combine (AND); the cursor is keyset ' +
          '(a transaction `id`), stable while transactions are added. `chargerId`, `idTag` and `status` each walk an index in id order; ' +
          '`flagged=true` reads the transactions that have anomalies (rare) by key. ' +
          'CSV (`?format=csv` or `Accept: text/csv`): one header line, then one line per transaction with the columns `' +
          TRANSACTION_CSV_COLUMNS.join(', ') +
          '` (energy in kWh; a running transaction has no cost yet; `flags` space-separated); CRLF, RFC 4180 quoting, a cell starting with = + - @ ' +
          '(tab, CR) prefixed with `\'`. It streams every transaction the filters match, read from D1 a page at a time; a cursor resumes it; ' +
          '`limit` (JSON page size) is refused with it. A failure after the first page breaks the transfer (no short file that looks whole).',
        parameters: [
          query('chargerId', { type: 'string' }, "Only this charger's transactions"),
          query('idTag', { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH }, 'Only transactions started by this id tag (case-insensitive)'),
          query('status', { type: 'string', enum: ['active', 'completed'] }, 'Only running or only finished ones'),
          query('flagged', { type: 'string', enum: ['true', 'false'] }, 'true: only transactions with a flag (`flags` not empty): those that need a look'),
          query('from', { type: 'string', format: 'date-time' }, 'Started at or after'),
          query('to', { type: 'string', format: 'date-time' }, 'Started before'),
          query('format', { type: 'string', enum: ['json', 'csv'] }, 'csv: the CSV export; default json, or csv when `Accept` names text/csv'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page (a transaction `id`)'),
        ],
        responses: {
          '200': {
            description: 'A page of transactions, or the CSV export (`Content-Disposition: attachment`)',
            content: {
              'application/json': { schema: page('transactions', 'Transaction') },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '400': errorResponse({ ...BAD_PARAMETER, ...BAD_CHARGER_ID, ...BAD_ID_TAG }),
        },
      }),
    },
    '/chargers/{chargerId}/transactions/{transactionId}': {
      parameters: [
        parameterRef('chargerId'),
        {
          name: 'transactionId',
          in: 'path',
          required: true,
          schema: { type: 'string' },
          description: '1.6: the transactionId the CSMS assigned; 2.0.1: the station’s transactionId',
        },
      ],
      get: operation({
        tags: ['Transactions'],
        operationId: 'getTransaction',
        summary: 'One transaction, with a page of its meter values',
        description:
          'The transaction\u2019s own fields (energy included) are the same on every page; `meterValues` holds one page of its values, ' +
          'oldest first, and `nextCursor` leads to the next. ' +
          'With its anomalies: input kept but not applied (a conflicting 1.6 stop, a late or conflicting 2.0.1 event) and what makes its energy unfit to bill. ' +
          'This view, not the EVENTS queue, is authoritative for billing. ' +
          'A completed transaction shows its stored, billable `energyWh`, never one re-derived from readings; a running 1.6 one shows the energy so far. ' +
          'An OCPP 2.1 transaction also has `v2x` (bidirectional charging): null, or `{chargingNeeds, needsReceivedAt, allowedEnergyTransfer, allowedAt}`: ' +
          'the EV\u2019s latest NotifyEVChargingNeeds `chargingNeeds` as sent (V2X parameters, availableEnergyTransfer, controlMode, mobilityNeedsMode\u2026) ' +
          'and the energy transfer modes of the last NotifyAllowedEnergyTransfer the charger accepted. ' +
          'Once its stop is older than METER_RETENTION_DAYS its meter values are read from the R2 archive: the same values, pages and cursors; ' +
          'an archive that cannot be read answers 503 `ArchiveUnavailable`, never a partial list. ' +
          'An OCPP 2.1 transaction also shows `chargerCost` (the costDetails the charger last sent, `final` once from its Ended event; null when none), ' +
          '`settlement` (its latest NotifySettlement: pspRef, status, amount, settledAt, receiptId, receiptUrl, vatNumber, vatCompany; null when none) and `settlements` (every attempt, oldest first).',
        parameters: [
          query(
            'limit',
            { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: TRANSACTION_METER_VALUES_PAGE },
            'Meter values per page',
          ),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse(
            'The transaction',
            objectOf({
              transaction: schemaRef('Transaction'),
              nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page of meter values; null on the last page' },
            }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownTransaction: 'the charger has no such transaction' }),
        },
      }),
    },
    ...chargerHistory('meter-values', {
      operationId: 'listMeterValues',
      summary:
        "A charger's meter values, one per sampled value, unit-normalised, oldest first; archived transactions' values (R2) included, in the same order (503 `ArchiveUnavailable` if their archive cannot be read)",
      parameters: [parameterRef('from'), parameterRef('to'), parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page')],
      body: page('meterValues', 'MeterValue'),
    }),
    ...chargerHistory('status-history', {
      operationId: 'listStatusHistory',
      summary: 'Every connector status report, newest first',
      parameters: [parameterRef('from'), parameterRef('to'), parameterRef('limit')],
      body: objectOf({ statuses: { type: 'array', items: schemaRef('Connector') } }),
    }),
    ...chargerHistory('connections', {
      operationId: 'listConnections',
      summary: 'Online and offline events, newest first',
      parameters: [parameterRef('limit')],
      body: objectOf({ connections: { type: 'array', items: schemaRef('ConnectionEvent') } }),
    }),
    ...chargerHistory('reports', {
      operationId: 'listReports',
      summary: 'Charger-initiated messages kept as sent (firmware, security events, NotifyReport, ...), newest first',
      parameters: [
        query('action', { type: 'string' }, 'Only this OCPP action, e.g. SecurityEventNotification'),
        query('requestId', { type: 'integer' }, 'Only reports answering this requestId'),
        parameterRef('from'),
        parameterRef('to'),
        parameterRef('limit'),
        query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
      ],
      body: page('reports', 'Report'),
    }),
    '/chargers/{chargerId}/reports/requests/{requestId}': {
      parameters: [
        parameterRef('chargerId'),
        { name: 'requestId', in: 'path', required: true, schema: { type: 'integer' }, description: 'The requestId the report answers' },
      ],
      get: operation({
        tags: ['Charger history'],
        operationId: 'getAssembledReport',
        summary: 'All parts of one multi-part report, in seqNo order, with whether it is complete',
        parameters: [query('action', { type: 'string' }, 'The report action (default NotifyReport)')],
        responses: {
          '200': jsonResponse(
            'The report',
            objectOf({
              report: {
                type: 'object',
                required: ['requestId', 'action', 'complete', 'missingSeqNos', 'parts'],
                properties: {
                  requestId: { type: 'integer' },
                  action: { type: 'string' },
                  complete: { type: 'boolean', description: 'The last part (tbc false) and every part before it have arrived' },
                  missingSeqNos: { type: 'array', items: { type: 'integer' } },
                  parts: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        seqNo: { type: ['integer', 'null'] },
                        tbc: { type: 'boolean' },
                        receivedAt: { type: 'string', format: 'date-time' },
                        payload: { type: 'object' },
                      },
                    },
                  },
                },
              },
            }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownReport: 'no such report has arrived from this charger' }),
        },
      }),
    },
    ...chargerHistory('messages', {
      operationId: 'listMessages',
      summary: "The charger's message journal: its last frames in both directions (JOURNAL_SIZE, default 200), newest first",
      description:
        'With JOURNAL_MODE=memory (the default) the frames are kept in the object\'s memory and lost when it hibernates or is evicted ' +
        '(0 storage rows written per frame); CALLERRORs and CALLRESULTERRORs in either direction, refused frames and the frames held with them (the CALL a ' +
        'CALLERROR answers) are also kept in its storage and listed after the frames in memory. JOURNAL_MODE=durable keeps every ' +
        'frame in storage (2 rows written per frame).',
      parameters: [parameterRef('limit')],
      body: objectOf({
        messages: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              at: { type: 'string', format: 'date-time' },
              direction: { type: 'string', enum: ['in', 'out'], description: 'in: from the charger; out: from the CSMS' },
              messageType: { type: ['integer', 'null'], enum: [2, 3, 4, 5, 6, null], description: '2 CALL, 3 CALLRESULT, 4 CALLERROR; on OCPP 2.1 also 5 CALLRESULTERROR and 6 SEND' },
              messageId: { type: ['string', 'null'] },
              action: { type: ['string', 'null'], description: "For replies, the action of the CALL they answer (the latest earlier one with their id; for a CALLRESULTERROR, the CALL whose answer it is about), when it is in the journal, on this page or not" },
              errorCode: { type: ['string', 'null'] },
              text: { type: 'string', description: 'The frame as sent, cut at 4,096 characters' },
              truncated: { type: 'boolean' },
            },
          },
        },
      }),
    }),
    ...chargerHistory('configuration', {
      operationId: 'getConfiguration',
      summary: '1.6 configuration keys and the 2.0.1 device model, as last learnt',
      parameters: [
        query('component', { type: 'string' }, "Only this 2.0.1 component ('' for 1.6 keys)"),
        query('variable', { type: 'string' }, 'Only this variable or 1.6 key'),
      ],
      body: objectOf({ settings: { type: 'array', items: schemaRef('Setting') } }),
    }),
    ...chargerHistory('charging-profiles', {
      operationId: 'listChargingProfiles',
      summary: 'The charging profiles the charger has installed, as its answers and reports tell',
      parameters: [query('evseId', { type: 'integer' }, 'Only profiles of this EVSE (0: the whole charger)')],
      body: objectOf({ chargingProfiles: { type: 'array', items: schemaRef('ChargingProfile') } }),
    }),
    ...chargerHistory('firmware-jobs', {
      operationId: 'listFirmwareJobs',
      summary: 'Firmware jobs: each UpdateFirmware / SignedUpdateFirmware the charger accepted, newest first, moved on by its status notifications',
      description:
        '2.0.1 notifications (and 1.6 SignedFirmwareStatusNotification) are matched to a job by requestId, 1.6 FirmwareStatusNotification to the newest job. ' +
        'A job only moves forward: a status of an earlier phase, a repeated one, one after the job ended and Idle are kept in its history as ignored. ' +
        'Installed ends it succeeded; DownloadFailed, InstallationFailed, InstallVerificationFailed and InvalidSignature failed; a newer accepted update supersedes it. ' +
        'The first boot after the install began records the version it reported and confirms a succeeded job. Retries are the charger\'s own: the CSMS never resends.',
      parameters: [
        query('outcome', { type: 'string', enum: ['running', 'succeeded', 'failed', 'superseded'] }, 'Only jobs with this outcome'),
        parameterRef('limit'),
        query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
      ],
      body: objectOf({ firmwareJobs: { type: 'array', items: schemaRef('FirmwareJob') }, nextCursor: { type: ['string', 'null'] } }),
    }),
    ...chargerHistory('reservations', {
      operationId: 'listReservations',
      summary: 'Reservations made with ReserveNow, newest first',
      parameters: [
        query('status', { type: 'string', enum: ['active', 'used', 'cancelled', 'expired', 'removed'] }, 'Only reservations in this state'),
        parameterRef('limit'),
      ],
      body: objectOf({ reservations: { type: 'array', items: schemaRef('Reservation') } }),
    }),
    ...chargerHistory('certificates', {
      operationId: 'listCertificates',
      summary: 'The certificates the charger has installed (M03–M05), as its answers tell',
      description:
        'Kept from the answers to InstallCertificate (Accepted: listed by its PEM until the charger reports its hash data), ' +
        'GetInstalledCertificateIds (Accepted or NotFound: replaces what was known of the types asked about, of every type when none was named) ' +
        'and DeleteCertificate (Accepted: removed; hash data matched ignoring hex case and leading zeros of the serial number). ' +
        'In key order, `limit` a page. Certificates are public; a private key block pasted with one is cut out.',
      parameters: [
        query('certificateType', { type: 'string' }, 'Only certificates of this type'),
        parameterRef('limit'),
        query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
      ],
      body: page('certificates', 'InstalledCertificate'),
    }),
  };
}

/** GET /chargers/{chargerId}/<what>: reads of one charger, which copy its waiting facts to D1 first. */
function chargerHistory(
  what: string,
  op: { operationId: string; summary: string; description?: string; parameters: Json[]; body: Json },
): Record<string, Json> {
  return {
    [`/chargers/{chargerId}/${what}`]: {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: op.operationId,
        summary: op.summary,
        ...(op.description === undefined ? {} : { description: op.description }),
        parameters: op.parameters,
        responses: {
          '200': jsonResponse('The records', op.body),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
  };
}
