// The OpenAPI paths of a 2.1 charger's periodic event streams (Open/Close/Adjust/GetPeriodicEventStream) and their values (NotifyPeriodicEventStream).

import { STREAM_STATES, STREAM_VALUES_PAGE } from './event-streams';
import { BAD_CHARGER_ID, BAD_PARAMETER, errorResponse, type Json, jsonResponse, objectOf, operation, parameterRef, query, UNKNOWN_CHARGER } from './openapi-operations';

const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' };
const NEXT_CURSOR = { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last' };
const ERRORS = { '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }), '404': errorResponse(UNKNOWN_CHARGER) };

const EVENT_STREAM: Json = {
  type: 'object',
  required: ['streamId', 'state', 'announced', 'variableMonitoringId', 'monitor', 'params', 'openedAt', 'closedAt', 'closedBy', 'adjustedAt', 'firstUnannouncedAt'],
  properties: {
    streamId: { type: 'integer', description: 'The id the charger gave the stream (ConstantStreamDataType.id)' },
    state: {
      type: 'string',
      enum: [...STREAM_STATES],
      description:
        '`open`: opened (OpenPeriodicEventStream) or listed open by the charger (GetPeriodicEventStream); `closed`: closed by the charger, or missing from its ' +
        'GetPeriodicEventStream answer; `unannounced`: values came for a stream id the CSMS never saw opened (kept, and flagged)',
    },
    announced: { type: 'boolean', description: 'The CSMS saw the stream opened or listed; false while only its values came' },
    variableMonitoringId: { type: ['integer', 'null'], description: 'The monitor whose events it streams' },
    monitor: {
      type: ['object', 'null'],
      description:
        'What that monitor watches, when the CSMS knows it: from a SetVariableMonitoring the charger accepted, or its latest NotifyMonitoringReport (the newer of the two)',
      properties: {
        component: { type: 'object', description: 'ComponentType as OCPP sent it' },
        variable: { type: 'object', description: 'VariableType as OCPP sent it' },
        type: { type: ['string', 'null'] },
        value: { type: ['number', 'null'] },
        source: { type: 'string', enum: ['SetVariableMonitoring', 'NotifyMonitoringReport'] },
        at: { type: 'string', format: 'date-time', description: 'When that was learnt' },
      },
    },
    params: {
      type: 'object',
      description: 'PeriodicEventStreamParamsType as last opened, listed or adjusted (AdjustPeriodicEventStream, Accepted)',
      properties: { interval: { type: 'integer', description: 'Seconds between sends' }, values: { type: 'integer', description: 'Values sent together' } },
    },
    openedAt: NULLABLE_TIME,
    closedAt: NULLABLE_TIME,
    closedBy: { type: ['string', 'null'], enum: ['charger', 'reconcile', null] },
    adjustedAt: NULLABLE_TIME,
    firstUnannouncedAt: { ...NULLABLE_TIME, description: 'For a stream whose values came unannounced: its first value\u2019s time' },
  },
};

const STREAM_VALUE: Json = objectOf({
  timestamp: { type: 'string', format: 'date-time', description: 'The message\u2019s basetime plus the point\u2019s t (seconds)' },
  value: {
    type: 'string',
    description: 'As sent (`<redacted>` for a monitor on a secret variable: a credential, or one the charger reported WriteOnly)',
  },
  unannounced: { type: 'boolean', description: 'Stored while the CSMS knew no such stream of the charger' },
});

export function eventStreamPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/event-streams': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listEventStreams',
        summary: 'The charger\u2019s periodic event streams (OCPP 2.1), open and closed, by stream id',
        description:
          'Opened by the charger (OpenPeriodicEventStream, answered Accepted once kept) and closed by it (ClosePeriodicEventStream); adjusted by an ' +
          'AdjustPeriodicEventStream it accepted; a GetPeriodicEventStream answer marks exactly the streams it lists open. A stream id opened again reuses its entry.',
        parameters: [query('state', { type: 'string', enum: [...STREAM_STATES] }, 'Only streams in this state'), parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page (a stream id)')],
        responses: { '200': jsonResponse('A page of streams', objectOf({ eventStreams: { type: 'array', items: EVENT_STREAM }, nextCursor: NEXT_CURSOR })), ...ERRORS },
      }),
    },
    '/chargers/{chargerId}/event-streams/{streamId}/values': {
      parameters: [parameterRef('chargerId'), { name: 'streamId', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listEventStreamValues',
        summary: 'The values a periodic event stream sent (NotifyPeriodicEventStream), oldest first',
        description:
          `Each data point as basetime + t with its value, \`limit\` at a time (default ${STREAM_VALUES_PAGE}). \`from\` (inclusive) and \`to\` (exclusive) apply to that time. ` +
          'Points of one instant are kept once (the first that came). Values are stored packed per stream and hour, written with the charger\u2019s next flush (this read flushes first). ' +
          'Days older than METER_RETENTION_DAYS move to R2 (the archive run) and are served from there merged in, in the same order and with the same cursors.',
        parameters: [parameterRef('from'), parameterRef('to'), parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page')],
        responses: {
          '200': jsonResponse('A page of values', objectOf({ eventStream: EVENT_STREAM, values: { type: 'array', items: STREAM_VALUE }, nextCursor: NEXT_CURSOR })),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownEventStream: 'the charger has sent no stream with this id (neither opened it nor sent its values)' }),
          '503': errorResponse({ ArchiveUnavailable: 'some of the values asked for are archived in R2 and cannot be read now (never a partial list)' }),
        },
      }),
    },
  };
}
