// The OpenAPI paths of the readable views of what 2.0.1 chargers report: monitors (N02–N08), events, display messages (O01–O06), customer information (N09/N10).

import { CUSTOMER_INFORMATION_PARTS, DISPLAY_MESSAGE_WINDOW, EVENT_REPORT_WINDOW } from '../store/report-views';
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
import { EVENT_TRIGGERS, MESSAGE_PRIORITIES, MESSAGE_STATES, MONITOR_TYPES } from './report-views';

const NULLABLE_STRING = { type: ['string', 'null'] };
const NEXT_CURSOR = { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last' };
const CURSOR = query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page');
const ERRORS = { '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }), '404': errorResponse(UNKNOWN_CHARGER) };

const MONITOR: Json = {
  type: 'object',
  required: ['id', 'component', 'variable', 'type', 'value', 'severity', 'transaction', 'source', 'requestId', 'reportedAt'],
  properties: {
    id: { type: 'integer', description: 'The monitor id the charger gave it' },
    component: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        instance: NULLABLE_STRING,
        evse: { type: ['object', 'null'], properties: { id: { type: 'integer' }, connectorId: { type: 'integer' } } },
      },
    },
    variable: { type: 'object', properties: { name: { type: 'string' }, instance: NULLABLE_STRING } },
    type: { type: 'string', enum: [...MONITOR_TYPES] },
    value: { type: 'number' },
    severity: { type: ['integer', 'null'], description: '0 (Danger) to 9 (Debug); null for a monitor set before severities were kept and not reported since' },
    transaction: { type: 'boolean', description: 'Only active while a transaction runs' },
    source: { type: 'string', enum: ['SetVariableMonitoring', 'NotifyMonitoringReport'], description: 'Whether the CSMS last learnt it from the charger accepting it, or reporting it' },
    requestId: { type: ['integer', 'null'], description: 'The GetMonitoringReport it was last reported in; null when last set' },
    reportedAt: { type: 'string', format: 'date-time', description: 'When the CSMS learnt it so: the answer, or the report part, arrived' },
  },
};

const EVENT: Json = {
  type: 'object',
  required: [
    'eventId',
    'timestamp',
    'trigger',
    'cause',
    'actualValue',
    'cleared',
    'techCode',
    'techInfo',
    'transactionId',
    'variableMonitoringId',
    'eventNotificationType',
    'component',
    'variable',
    'receivedAt',
    'messageId',
  ],
  properties: {
    eventId: { type: 'integer' },
    timestamp: { type: 'string', description: 'When the charger says it happened, as it sent it' },
    trigger: { type: 'string', enum: [...EVENT_TRIGGERS] },
    cause: { type: ['integer', 'null'], description: 'The eventId of the event that caused it' },
    actualValue: { type: 'string', description: '`<redacted>` for a secret variable (a credential, or one the charger reported WriteOnly)' },
    cleared: { type: 'boolean' },
    techCode: NULLABLE_STRING,
    techInfo: NULLABLE_STRING,
    transactionId: NULLABLE_STRING,
    variableMonitoringId: { type: ['integer', 'null'] },
    eventNotificationType: { type: 'string' },
    component: { type: 'object', description: 'ComponentType as sent' },
    variable: { type: 'object', description: 'VariableType as sent' },
    receivedAt: { type: 'string', format: 'date-time' },
    messageId: { type: 'string', description: 'The NotifyEvent it came in' },
  },
};

const DISPLAY_MESSAGE: Json = {
  type: 'object',
  required: ['id', 'priority', 'state', 'startDateTime', 'endDateTime', 'transactionId', 'message', 'display', 'source', 'since'],
  properties: {
    id: { type: 'integer' },
    priority: { type: ['string', 'null'], enum: [...MESSAGE_PRIORITIES, null] },
    state: { type: ['string', 'null'], enum: [...MESSAGE_STATES, null] },
    startDateTime: NULLABLE_STRING,
    endDateTime: NULLABLE_STRING,
    transactionId: NULLABLE_STRING,
    message: { type: ['object', 'null'], description: 'MessageContentType: format, language, content' },
    display: { type: ['object', 'null'], description: 'The display component, if one was named' },
    source: { type: 'string', enum: ['NotifyDisplayMessages', 'SetDisplayMessage'], description: 'The charger reported it, or accepted it from the CSMS' },
    since: { type: 'string', format: 'date-time' },
  },
};

const CUSTOMER_INFORMATION: Json = {
  type: 'object',
  required: ['requestId', 'data', 'complete', 'missingSeqNos', 'parts', 'generatedAt', 'receivedAt'],
  properties: {
    requestId: { type: 'integer', description: 'The CustomerInformation request it answers' },
    data: { type: 'string', description: 'Every part\u2019s data, in seqNo order (a part received twice counts once)' },
    complete: { type: 'boolean', description: 'The last part (tbc false) and every part before it arrived' },
    missingSeqNos: { type: 'array', items: { type: 'integer' } },
    parts: { type: 'integer' },
    generatedAt: NULLABLE_STRING,
    receivedAt: { type: 'string', format: 'date-time', description: 'When its latest part arrived' },
  },
};

export function reportViewPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/monitors': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listMonitors',
        summary: 'The variable monitors the charger has, as the CSMS knows them: set (SetVariableMonitoring, N04) or reported (NotifyMonitoringReport, N02), one per monitor id',
        description:
          'The charger\u2019s monitor inventory (2.0.1 and 2.1): every monitor it accepted in a SetVariableMonitoring answer or reported in a NotifyMonitoringReport part, ' +
          'each id as the latest of those gave it, less those it accepted to clear (ClearVariableMonitoring). `source`, `requestId` and `reportedAt` say where and when it was learnt. ' +
          'Ordered by component (name, instance, EVSE, connector), variable (name, instance) and id.',
        parameters: [
          query('component', { type: 'string', maxLength: 50 }, 'Only this component name'),
          query('variable', { type: 'string', maxLength: 50 }, 'Only this variable name'),
          query('type', { type: 'string', enum: [...MONITOR_TYPES] }, 'Only monitors of this type'),
          parameterRef('limit'),
          CURSOR,
        ],
        responses: { '200': jsonResponse('A page of monitors', objectOf({ monitors: { type: 'array', items: MONITOR }, nextCursor: NEXT_CURSOR })), ...ERRORS },
      }),
    },
    '/chargers/{chargerId}/events': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listEvents',
        summary: 'The events the charger notified (NotifyEvent, N07 alert and N08 periodic events), one per eventData entry, newest message first',
        description:
          'Secret actual values (a credential variable, or one the charger reported WriteOnly) are `<redacted>`, as in every other view. ' +
          '`from`/`to` apply to the event\u2019s own timestamp, compared in UTC. ' +
          `A page reads at most ${EVENT_REPORT_WINDOW} NotifyEvent messages: with filters it may hold fewer than \`limit\` events, or none, and still have a \`nextCursor\`; follow it until null.`,
        parameters: [
          query('component', { type: 'string', maxLength: 50 }, 'Only this component name'),
          query('variable', { type: 'string', maxLength: 50 }, 'Only this variable name'),
          query('trigger', { type: 'string', enum: [...EVENT_TRIGGERS] }, 'Only events of this trigger'),
          parameterRef('from'),
          parameterRef('to'),
          parameterRef('limit'),
          CURSOR,
        ],
        responses: { '200': jsonResponse('A page of events', objectOf({ events: { type: 'array', items: EVENT }, nextCursor: NEXT_CURSOR })), ...ERRORS },
      }),
    },
    '/chargers/{chargerId}/display-messages': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listDisplayMessages',
        summary: 'The display messages the charger holds, as the CSMS knows them (O01–O06), by id',
        description:
          'The messages of the latest GetDisplayMessages report (its NotifyDisplayMessages parts; a GetDisplayMessages without filters answered `Unknown` is an empty report), ' +
          'then every SetDisplayMessage the charger accepted after it (adding the message, or replacing the one with its id, O06) and every ClearDisplayMessage it accepted (removing it, O05). ' +
          'A refused command changes nothing. `report` says which report the list starts from and whether all its parts arrived; a report asked for with filters shows only what it matched. ' +
          `At most ${DISPLAY_MESSAGE_WINDOW} report parts and as many later changes are read.`,
        parameters: [
          query('state', { type: 'string', enum: [...MESSAGE_STATES] }, 'Only messages shown in this state'),
          query('priority', { type: 'string', enum: [...MESSAGE_PRIORITIES] }, 'Only messages of this priority'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page (a message id)'),
        ],
        responses: {
          '200': jsonResponse(
            'A page of display messages',
            objectOf({
              displayMessages: { type: 'array', items: DISPLAY_MESSAGE },
              report: objectOf({
                requestId: { type: ['integer', 'null'], description: 'The GetDisplayMessages request the list starts from; null when none was answered' },
                complete: { type: 'boolean' },
                reportedAt: { type: ['string', 'null'], format: 'date-time' },
              }),
              nextCursor: NEXT_CURSOR,
            }),
          ),
          ...ERRORS,
        },
      }),
    },
    '/chargers/{chargerId}/customer-information': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listCustomerInformation',
        summary: 'What the charger reported about a customer (NotifyCustomerInformation, N09/N10), one entry per request, newest first',
        description:
          'The parts of each CustomerInformation request (its requestId), their data joined in seqNo order, with whether every part arrived. ' +
          `A page reads at most ${CUSTOMER_INFORMATION_PARTS} parts. The data is the customer\u2019s: any token with read scope sees it.`,
        parameters: [query('requestId', { type: 'integer' }, 'Only this request'), parameterRef('limit'), CURSOR],
        responses: {
          '200': jsonResponse('A page of customer information', objectOf({ customerInformation: { type: 'array', items: CUSTOMER_INFORMATION }, nextCursor: NEXT_CURSOR })),
          ...ERRORS,
        },
      }),
    },
  };
}
