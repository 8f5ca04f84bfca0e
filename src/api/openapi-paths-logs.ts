// The OpenAPI paths of log and diagnostics uploads (N01, 1.6 GetDiagnostics) and of the fleet's security events (A04).

import { DEFAULTS } from '../config';
import { CRITICAL_SECURITY_EVENTS } from '../ocpp/security-events';
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

const NULLABLE_STRING = { type: ['string', 'null'] };

const LOG_REQUEST: Json = {
  type: 'object',
  required: ['requestId', 'action', 'logType', 'requestedAt', 'expiresAt', 'answer', 'status', 'statusAt', 'file'],
  properties: {
    requestId: { type: 'integer', description: 'GetLog: the operator\u2019s requestId; GetDiagnostics: the one the CSMS assigned' },
    action: { type: 'string', enum: ['GetLog', 'GetDiagnostics'] },
    logType: NULLABLE_STRING,
    requestedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time', description: 'Until when the upload URL is taken' },
    answer: { type: ['object', 'null'], description: "The charger's answer (status, filename / fileName), once it answered a command sent at once" },
    status: {
      ...NULLABLE_STRING,
      description:
        'The latest LogStatusNotification status with this requestId (GetLog), or the latest DiagnosticsStatusNotification after this request and before the next (GetDiagnostics, which carries no id)',
    },
    statusAt: { type: ['string', 'null'], format: 'date-time' },
    file: {
      type: ['object', 'null'],
      description: 'The file the charger uploaded (the latest, if it uploaded more than once); null until one arrives',
      properties: {
        name: { type: 'string' },
        size: { type: 'integer', description: 'Bytes, as stored' },
        contentType: { type: 'string' },
        uploadedAt: { type: 'string', format: 'date-time' },
      },
    },
  },
};

const SECURITY_EVENT: Json = {
  type: 'object',
  required: ['chargerId', 'type', 'critical', 'timestamp', 'techInfo', 'receivedAt', 'messageId'],
  properties: {
    chargerId: { type: 'string' },
    type: { type: 'string', description: 'The event type as the charger sent it' },
    critical: { type: 'boolean', description: `One of the critical events: ${[...CRITICAL_SECURITY_EVENTS].join(', ')}` },
    timestamp: { ...NULLABLE_STRING, description: 'When the charger says it happened' },
    techInfo: { ...NULLABLE_STRING, description: 'Secrets (PEM private keys, signed URLs) redacted' },
    receivedAt: { type: 'string', format: 'date-time' },
    messageId: { type: 'string' },
  },
};

export function logAndSecurityPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/logs': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listLogRequests',
        summary: 'Log and diagnostics uploads to the CSMS (GetLog / GetDiagnostics sent with `upload=csms`), newest first, with their status and file',
        description:
          'The charger uploads by HTTP PUT or POST (a raw body, or multipart/form-data whose first file is kept) to the signed URL the CSMS put in the command: ' +
          '`/uploads/logs/{chargerId}/{requestId}/{expires}/{signature}/[fileName]` on the Worker, no token needed. ' +
          `At most \`LOG_UPLOAD_MAX_BYTES\` (default ${DEFAULTS.logUploadMaxBytes}) bytes (413 \`UploadTooLarge\`); a wrong signature, another charger\u2019s or request\u2019s URL is refused 403 \`InvalidUploadUrl\`, an expired one 403 \`UploadUrlExpired\`, and nothing is stored. ` +
          'The file is kept as sent in R2 (the ARCHIVE bucket, under `logs/`). Only HTTP(S) is offered: a charger that only uploads by FTP needs a location of the operator\u2019s own.',
        parameters: [parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page')],
        responses: {
          '200': jsonResponse(
            'A page of requests',
            objectOf({ logs: { type: 'array', items: LOG_REQUEST }, nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last' } }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
    '/chargers/{chargerId}/logs/{requestId}/file': {
      parameters: [parameterRef('chargerId'), { name: 'requestId', in: 'path', required: true, schema: { type: 'integer' }, description: 'The log request' }],
      get: operation({
        tags: ['Charger history'],
        operationId: 'getLogFile',
        summary: 'The file the charger uploaded for a log request, byte for byte',
        description: 'Always `application/octet-stream`, as an attachment, with `X-Content-Type-Options: nosniff`: the charger\u2019s bytes are never rendered on the API\u2019s origin.',
        responses: {
          '200': { description: 'The file (Content-Disposition: attachment)', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownLogRequest: 'no such log request for this charger', NoLogFile: 'nothing was uploaded for it yet' }),
          '503': errorResponse({ ArchiveUnavailable: 'the file cannot be read from R2 now' }),
        },
      }),
    },
    '/security-events': {
      get: operation({
        tags: ['Fleet'],
        operationId: 'listSecurityEvents',
        summary: "The security events chargers reported (SecurityEventNotification), newest first; critical ones marked",
        description:
          'Critical events (the OCPP 2.0.1 appendix list, held for 1.6 chargers too) also go out at once as `security.alert` on the EVENTS queue. ' +
          'Read from D1 as it is (events reach it within FLUSH_DELAY_SECONDS + FLEET_FLUSH_SECONDS, critical ones within about a second + FLEET_FLUSH_SECONDS with a FleetWriter), except with `chargerId`, whose waiting facts are copied first.',
        parameters: [
          query('chargerId', { type: 'string' }, "Only this charger's events"),
          query('critical', { type: 'boolean', default: false }, '`true`: only critical events'),
          parameterRef('from'),
          parameterRef('to'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse(
            'A page of security events',
            objectOf({ securityEvents: { type: 'array', items: SECURITY_EVENT }, nextCursor: { type: ['string', 'null'] } }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
        },
      }),
    },
  };
}
