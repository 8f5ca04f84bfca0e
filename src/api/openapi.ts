// GET /api/v1/openapi.json — the OpenAPI 3.1 document of the HTTP API, built once per isolate.
//
// Schemas come from valibot: the OCPP payloads of every CSMS-initiated action of both versions
// (openapi-commands.ts) and the API's own bodies and records (openapi-shapes.ts). This file lays
// out the operations.

import type { Context } from 'hono';
import packageJson from '../../package.json';
import { DEFAULTS, MAX_COMMAND_TIMEOUT_SECONDS } from '../config';
import { AUTHORIZATION_STATUSES, MAX_ID_TOKEN_LENGTH, MAX_V16_ID_TAG_LENGTH } from '../ocpp/authorization';
import { MAX_CHARGER_ID_LENGTH } from '../ocpp/charger-id';
import { IdTokenEnumType } from '../ocpp/v201/schemas.generated';
import { ocppComponents } from './openapi-commands';
import { apiShapeSchemas } from './openapi-shapes';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './query';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from './body';
import { TRANSACTION_METER_VALUES_PAGE } from './charger-views';

// ---- Building blocks of operations ----

type Json = Record<string, unknown>;

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });

function jsonResponse(description: string, schema: Json): Json {
  return { description, content: { 'application/json': { schema } } };
}

/** An error response; its description lists the `error.code` values it carries and when. */
function errorResponse(codes: Record<string, string>): Json {
  const description = Object.entries(codes)
    .map(([code, when]) => `\`${code}\`: ${when}`)
    .join('\n\n');
  return jsonResponse(description, schemaRef('Error'));
}

function objectOf(properties: Record<string, Json>): Json {
  return { type: 'object', properties, required: Object.keys(properties) };
}

const page = (key: string, item: string): Json =>
  objectOf({
    [key]: { type: 'array', items: schemaRef(item) },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page' },
  });

function query(name: string, schema: Json, description: string): Json {
  return { name, in: 'query', required: false, schema, description };
}

const BAD_CHARGER_ID = { InvalidChargerId: 'the charger id is not 1–48 printable ASCII characters without `:`' };
/** 2.0.1 IdTokenEnumType values, for the `type` query of /id-tags/{idTag}. */
const ID_TOKEN_TYPES = IdTokenEnumType.options;

/** A tag seen offline, over all its uses (src/store/seen-offline-tags.ts, SeenOfflineTag). */
const SEEN_OFFLINE_TAG: Json = {
  type: 'object',
  required: ['idTag', 'types', 'uses', 'firstSeenAt', 'lastSeenAt', 'registered'],
  properties: {
    idTag: { type: 'string' },
    types: { type: 'array', items: { type: 'string' }, description: 'The 2.0.1 types it was presented as' },
    uses: { type: 'integer', description: 'Transactions it was used in' },
    firstSeenAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    registered: { type: 'boolean', description: 'An id tag entry exists for it now' },
  },
};

const BAD_PARAMETER = { InvalidParameter: 'a query parameter is out of range or malformed (the message says which)' };
const UNKNOWN_CHARGER = { UnknownCharger: 'no charger with this id has connected or been registered' };
const BAD_ID_TAG = { InvalidIdTag: `the id tag is not 1–${MAX_ID_TOKEN_LENGTH} printable ASCII characters` };

/** Queued commands live 1 hour unless `?ttlSeconds=` says otherwise, at most a week (as in chargers.ts). */
const DEFAULT_TTL_SECONDS = 3600;
export const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** The local-list POST body, as src/api/local-list.ts checks it. */
const LOCAL_LIST_BODY = {
  type: 'object',
  properties: {
    updateType: { enum: ['Full', 'Differential'], type: 'string', default: 'Full' },
    idTags: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]+$', description: 'A tag: all its entries' },
          {
            type: 'object',
            required: ['idTag', 'type'],
            properties: {
              idTag: { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]+$' },
              type: { type: 'string', enum: [...ID_TOKEN_TYPES] },
            },
            additionalProperties: false,
            description: 'A tag and one 2.0.1 type: that entry, or its removal from a 2.0.1 charger once it is deleted',
          },
        ],
      },
      minItems: 1,
      maxItems: 1000,
      description: 'Differential only: the tags to add, update or remove',
    },
  },
  additionalProperties: false,
};

/** Every /api/v1 operation but the documentation and health ones needs the token, and may meet these. */
const AUTH_RESPONSES = {
  '401': { $ref: '#/components/responses/Unauthorized' },
  '403': { $ref: '#/components/responses/InsufficientScope' },
  '503': { $ref: '#/components/responses/ApiTokenNotConfigured' },
};
const INTERNAL_ERROR = { '500': { $ref: '#/components/responses/InternalError' } };
/** Every operation that reads a body may meet this (src/api/body.ts). */
const BODY_RESPONSES = { '413': { $ref: '#/components/responses/PayloadTooLarge' } };

function operation(op: { responses: Json; public?: boolean } & Json): Json {
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

const TOKEN_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: ['read', 'command', 'admin'] } },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'Updated at most once a minute' },
  },
};

// ---- The document ----

function buildDocument(): Json {
  const ocpp = ocppComponents();
  const allActions = [...new Set(Object.values(ocpp.actions).flatMap((list) => list.map((a) => a.action)))].sort();
  const anyOfVersions = (kind: 'request' | 'response') =>
    Object.values(ocpp.actions).flatMap((list) => list.map((a) => a[kind]));

  const paths: Record<string, Json> = {
    '/health': {
      get: operation({
        tags: ['Meta'],
        operationId: 'getHealth',
        summary: 'Liveness check',
        description: 'Needs no token.',
        public: true,
        responses: { '200': jsonResponse('The Worker is up', objectOf({ status: { const: 'ok' } })) },
      }),
    },
    '/openapi.json': {
      get: operation({
        tags: ['Meta'],
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI 3.1 document',
        description: 'Documentation: needs no token. Generated from the schemas the API validates with.',
        public: true,
        responses: { '200': jsonResponse('The OpenAPI document', { type: 'object' }) },
      }),
    },
    '/docs': {
      get: operation({
        tags: ['Meta'],
        operationId: 'getApiReference',
        summary: 'The API reference page',
        description: 'A self-contained HTML page (no external resources) rendering this document. Needs no token.',
        public: true,
        responses: { '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
      }),
    },

    '/chargers': {
      get: operation({
        tags: ['Chargers'],
        operationId: 'listChargers',
        summary: 'List chargers, by id',
        description:
          '`connected` and `lastSeen` come from D1; `lastSeen` there trails by up to 15 minutes. A row whose `lastSeen` is ' +
          'older than D1 can trail (offline deadline + 15 minutes + FLEET_FLUSH_SECONDS + 5 minutes) is listed `connected: false`.',
        parameters: [parameterRef('limit'), query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page')],
        responses: {
          '200': jsonResponse('A page of chargers', page('chargers', 'Charger')),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/chargers/{chargerId}': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Chargers'],
        operationId: 'getCharger',
        summary: 'One charger, with its live connection state',
        description: "Asks the charger's object, so `connected` and `lastSeen` are exact; copies its waiting facts to D1 first.",
        responses: {
          '200': jsonResponse('The charger', objectOf({ charger: schemaRef('Charger') })),
          '400': errorResponse(BAD_CHARGER_ID),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
      put: operation({
        tags: ['Chargers'],
        operationId: 'registerCharger',
        summary: 'Register a charger ahead of its first boot, and set how it authenticates',
        description:
          'A registered charger may connect and is Accepted at boot whatever `UNKNOWN_CHARGER_POLICY` says. The optional body sets its Security Profile (1 and 2 need a password, 16–40 printable ASCII characters; 3 needs a client certificate whose CN is the charger id); what it leaves out stays as it was. ' +
          'A new password, or a changed profile, closes (WebSocket close code 4003) every live connection that did not authenticate the way now required; `closedConnections` counts them. ' +
          'A password set here replaces any change under way through `POST /chargers/{chargerId}/password`.',
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  securityProfile: { type: 'integer', enum: [0, 1, 2, 3] },
                  password: { type: 'string', pattern: '^[\\x21-\\x7e]{16,40}$', writeOnly: true },
                },
              },
            },
          },
        },
        responses: {
          '200': jsonResponse(
            'It was known already',
            objectOf({ charger: schemaRef('Charger'), closedConnections: { type: 'integer', minimum: 0, description: 'Live connections closed because they no longer qualify' } }),
          ),
          '201': jsonResponse('Registered', objectOf({ charger: schemaRef('Charger'), closedConnections: { type: 'integer', const: 0 } })),
          '400': errorResponse({ ...BAD_CHARGER_ID, InvalidJson: 'the body is not JSON', InvalidPayload: 'a bad profile or password' }),
        },
      }),
    },

    '/chargers/{chargerId}/password': {
      parameters: [parameterRef('chargerId')],
      post: operation({
        tags: ['Chargers'],
        operationId: 'changeChargerPassword',
        summary: "Change a charger's Basic-auth password: on the charger first, then here",
        description:
          'Sends 1.6 ChangeConfiguration AuthorizationKey (hex-encoded) or 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword. ' +
          "The new password's hash is stored as *pending* before the command leaves: from then on both the old and the new password work, until the charger first connects with the new one (then only it works). " +
          'An answer that says the charger did not take it (Rejected: 409 `PasswordRefused`; a CALLERROR: 502 `CallError`) drops the pending password; with no usable answer (timeout, disconnection, a restart) it stays pending (`passwordPending: true` in the error), so a charger that took it is never locked out. ' +
          'One change at a time per charger: while a change is pending (in flight, or taken and not yet used to connect; the charger shows `passwordPending: true`), another password is refused with 409 `PasswordChangePending` and nothing is sent, so a second change can never drop the password the charger holds; concurrent requests are serialised the same way. ' +
          'Sending the pending password again retries it (its refusal keeps the pending one). The change ends when the charger connects with the new password or refuses it; `PUT /chargers/{chargerId}` with a password abandons it. ' +
          'The password never appears in the journal, the stored configuration or any other read. Needs `admin`.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['password'],
                properties: { password: { type: 'string', pattern: '^[\\x21-\\x7e]{16,40}$', writeOnly: true, description: '16–20 characters for a 1.6 charger' } },
              },
            },
          },
        },
        responses: {
          '200': jsonResponse(
            'The charger took it',
            objectOf({ result: { type: 'object' }, switched: { type: 'boolean' }, rebootRequired: { type: 'boolean' } }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, InvalidJson: 'the body is not JSON', InvalidPayload: 'a bad password' }),
          '404': errorResponse(UNKNOWN_CHARGER),
          '409': errorResponse({
            ChargerOffline: 'no connection (nothing changed), or the charger disconnected before answering (`passwordPending: true`)',
            PasswordRefused: 'the charger answered Rejected: nothing changed (`passwordPending: true` when this was a retry of the pending password, which stays)',
            PasswordChangePending: 'another password change is pending (`passwordPending: true`): nothing was sent',
          }),
          '502': errorResponse({ CallError: 'the charger answered CALLERROR: nothing changed', InvalidResponse: 'an unreadable answer (`passwordPending: true`)' }),
          '503': errorResponse({ ChargerSessionRestarted: "the charger's object restarted while waiting (`passwordPending: true`)" }),
          '504': errorResponse({ Timeout: 'no answer in time (`passwordPending: true`)' }),
        },
      }),
    },

    '/chargers/{chargerId}/disconnect': {
      parameters: [parameterRef('chargerId')],
      post: operation({
        tags: ['Chargers'],
        operationId: 'disconnectCharger',
        summary: "Close a charger's live WebSocket connection",
        description:
          'Closes the connection with WebSocket close code 4002 ("Disconnected by the operator") and records it in the connection history; the charger may connect again as its credentials allow. Needs `admin`.',
        responses: {
          '200': jsonResponse('Done', objectOf({ disconnected: { type: 'boolean', description: 'Whether a live connection was closed' } })),
          '400': errorResponse(BAD_CHARGER_ID),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },

    '/chargers/{chargerId}/security-commands': {
      parameters: [parameterRef('chargerId')],
      post: operation({
        tags: ['Commands'],
        operationId: 'sendSecurityCommand',
        summary: "Send a call that changes a charger's credentials, where it connects or whom it trusts",
        description:
          'The calls the command route refuses with 403 `CredentialChangeRefused` (see `POST /chargers/{chargerId}/commands/{action}`), and only those, sent at once and answered like a command ' +
          '(the payload is checked against the action\'s schema in the charger\'s version; secrets are redacted in the answer, the journal, the stored configuration, as everywhere). Not queued. ' +
          'The Basic-auth password is refused here (403 `CredentialChangeRefused`): only `POST /chargers/{chargerId}/password` keeps the CSMS in step with it. ' +
          'A 1.6 ChangeConfiguration SecurityProfile the charger answers Accepted becomes the profile the CSMS expects (as `PUT /chargers/{chargerId}` sets it), and connections that no longer qualify are closed (4003); Profiles 1 and 2 need a password the CSMS knows first (409 `PasswordRequired`). ' +
          'Anything else that changes how the charger connects (a RebootRequired answer, 2.0.1 network profiles, certificates) leaves the CSMS\'s side as it was: set it with `PUT /chargers/{chargerId}` when the charger is to switch. Needs `admin`.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['action', 'payload'],
                properties: {
                  action: { type: 'string', description: 'The OCPP action, e.g. `InstallCertificate`' },
                  payload: { type: 'object', description: "The OCPP request payload, in the charger's version" },
                },
              },
            },
          },
        },
        responses: {
          '200': jsonResponse(
            "The charger's CALLRESULT payload",
            objectOf({
              result: { anyOf: anyOfVersions('response') },
              securityProfileChanged: { type: 'boolean', description: 'The CSMS now expects the Security Profile the charger accepted (1.6 SecurityProfile only)' },
              securityProfile: { type: 'integer', enum: [0, 1, 2, 3] },
              closedConnections: { type: 'integer' },
            }),
          ),
          '400': errorResponse({
            ...BAD_CHARGER_ID,
            InvalidJson: 'the body is not JSON',
            InvalidPayload: "not `{action, payload}`, or the payload fails the action's request schema; nothing was sent",
            NotSecurityCommand: 'the call changes no credential and no trust: send it with the command route',
          }),
          '403': errorResponse({
            InsufficientScope: 'the token lacks the `admin` scope',
            CredentialChangeRefused: 'the call sets the Basic-auth password: use `POST /chargers/{chargerId}/password`',
          }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownAction: "the action is not CSMS-initiated in the charger's version" }),
          '409': errorResponse({
            ChargerOffline: 'no connection, or the charger disconnected before answering',
            ChargerRejected: 'its last boot was answered Rejected',
            PasswordRequired: 'Security Profile 1 or 2 without a password the CSMS knows',
          }),
          '502': errorResponse({ CallError: 'the charger answered CALLERROR', InvalidResponse: "the answer fails the action's response schema" }),
          '503': errorResponse({ ChargerSessionRestarted: "the charger's object restarted while waiting: the call may or may not have reached the charger" }),
          '504': errorResponse({ Timeout: 'no answer in time' }),
        },
      }),
    },

    '/chargers/{chargerId}/commands/{action}': {
      parameters: [
        parameterRef('chargerId'),
        {
          name: 'action',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: allActions },
          description: "A CSMS-initiated action of the charger's OCPP version (see `x-ocpp-actions`)",
        },
      ],
      post: operation({
        tags: ['Commands'],
        operationId: 'sendCommand',
        summary: 'Send an OCPP command and get the charger’s answer',
        description:
          "The body is the OCPP request payload of `{action}` **in the charger's negotiated version**: the schema is " +
          'the union of every action of both versions; `x-ocpp-actions` pairs each action of each version with its ' +
          'request and response schema. Commands to one charger go out one at a time, in order. ' +
          'With `queue=true` the command is kept until the charger is connected and accepted, and the answer is 202 ' +
          'at once: follow it with `GET /commands/{commandId}`. ' +
          "Commands that change how the charger authenticates, where it connects or whom it trusts are refused (403 `CredentialChangeRefused`), queued or not: 1.6 ChangeConfiguration " +
          'of AuthorizationKey, SecurityProfile, a key whose name holds "url" (CentralSystemURL…) or names a credential (password, passwd, secret, privatekey); 2.0.1 SetVariables of SecurityCtrlr.BasicAuthPassword, SecurityProfile or Identity, of ' +
          'OCPPCommCtrlr.NetworkConfigurationPriority or NetworkConfiguration, or of a variable named for a credential; SetNetworkProfile; InstallCertificate of a CentralSystemRootCertificate, CSMSRootCertificate or ManufacturerRootCertificate; ' +
          'DeleteCertificate; CertificateSigned (names matched case-insensitively). An admin sends them with `POST /chargers/{chargerId}/security-commands`; the password only with `POST /chargers/{chargerId}/password`. ' +
          'Secret values in the answer (an AuthorizationKey, a BasicAuthPassword, a key or variable named for a credential, a WriteOnly variable, a PEM private key), and any secret value the request carried wherever the answer or a CALLERROR echoes it, are shown as `<redacted>`.',
        parameters: [
          query(
            'timeoutSeconds',
            { type: 'number', exclusiveMinimum: 0, maximum: MAX_COMMAND_TIMEOUT_SECONDS, default: DEFAULTS.commandTimeoutSeconds },
            'How long to wait for the answer, including the wait behind earlier commands to this charger. ' +
              `Default \`COMMAND_TIMEOUT_SECONDS\` (${DEFAULTS.commandTimeoutSeconds} unless configured).`,
          ),
          query('queue', { type: 'boolean', default: false }, '`true`: queue the command for when the charger can take it'),
          query(
            'ttlSeconds',
            { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS, default: DEFAULT_TTL_SECONDS },
            'With `queue=true`: how long the command may wait before it expires',
          ),
        ],
        requestBody: {
          required: false,
          description: 'The OCPP request payload; an empty body is `{}`. The charger’s negotiated version decides which schema applies.',
          content: { 'application/json': { schema: { anyOf: anyOfVersions('request') } } },
        },
        'x-ocpp-actions': ocpp.actions,
        responses: {
          '200': jsonResponse(
            "The charger's CALLRESULT payload, checked against the action's response schema",
            objectOf({ result: { anyOf: anyOfVersions('response') } }),
          ),
          '202': jsonResponse('Queued (`queue=true`)', objectOf({ command: schemaRef('Command') })),
          '400': errorResponse({
            InvalidPayload: "the body fails the action's request schema (`issues` lists the fields); nothing was sent",
            InvalidJson: 'the body is not JSON',
            ...BAD_PARAMETER,
            ...BAD_CHARGER_ID,
          }),
          '403': errorResponse({
            InsufficientScope: 'the token lacks the `command` scope',
            CredentialChangeRefused: "the command would change the charger's credentials, where it connects or whom it trusts: the message names the admin route to use",
          }),
          '404': errorResponse({
            ...UNKNOWN_CHARGER,
            UnknownAction: "the action is not CSMS-initiated in the charger's version",
          }),
          '409': errorResponse({
            ChargerOffline: 'no connection, or the charger disconnected before answering (reported at once)',
            ChargerRejected: 'its last boot was answered Rejected, so OCPP forbids it to answer',
          }),
          '429': errorResponse({
            CommandQueueFull: `with \`queue=true\`: the charger already has \`MAX_QUEUED_COMMANDS\` (default ${DEFAULTS.maxQueuedCommands}) commands queued or sent and unanswered (those the CSMS queued itself, CertificateSigned, do not count); nothing was queued`,
          }),
          '502': errorResponse({
            CallError: 'the charger answered CALLERROR: `ocpp` has its code, description and details',
            InvalidResponse: "the charger's answer fails the action's response schema (`issues`, `result`)",
          }),
          '503': errorResponse({
            ChargerSessionRestarted: "the charger's object was reset (a deploy, a crash) while the call was pending; it may or may not have reached the charger",
          }),
          '504': errorResponse({ Timeout: 'no answer in time' }),
        },
      }),
    },
    '/chargers/{chargerId}/commands': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Commands'],
        operationId: 'listQueuedCommands',
        summary: "A charger's queued commands, newest first",
        parameters: [parameterRef('limit')],
        responses: {
          '200': jsonResponse('Its queued commands, finished ones included', objectOf({ commands: { type: 'array', items: schemaRef('Command') } })),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
    '/commands/{commandId}': {
      parameters: [{ name: 'commandId', in: 'path', required: true, schema: { type: 'string' }, description: 'The `id` of a queued command' }],
      get: operation({
        tags: ['Commands'],
        operationId: 'getQueuedCommand',
        summary: 'A queued command: its status and the charger’s answer',
        responses: {
          '200': jsonResponse('The command', objectOf({ command: schemaRef('Command') })),
          '404': errorResponse({ UnknownCommand: 'no queued command has this id (finished ones are kept a week)' }),
        },
      }),
    },

    '/transactions': {
      get: operation({
        tags: ['Transactions'],
        operationId: 'listTransactions',
        summary: "The fleet's transactions, newest first",
        description: 'Read from D1 as it is, except with `chargerId`, whose waiting facts are copied first.',
        parameters: [
          query('chargerId', { type: 'string' }, "Only this charger's transactions"),
          query('status', { type: 'string', enum: ['active', 'completed'] }, 'Only running or only finished ones'),
          parameterRef('from'),
          parameterRef('to'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page (a transaction `id`)'),
        ],
        responses: {
          '200': jsonResponse('A page of transactions', page('transactions', 'Transaction')),
          '400': errorResponse({ ...BAD_PARAMETER, ...BAD_CHARGER_ID }),
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
          'A completed transaction shows its stored, billable `energyWh`, never one re-derived from readings; a running 1.6 one shows the energy so far.',
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
      summary: "A charger's meter values, one per sampled value, unit-normalised",
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
      parameters: [parameterRef('limit')],
      body: objectOf({
        messages: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              at: { type: 'string', format: 'date-time' },
              direction: { type: 'string', enum: ['in', 'out'], description: 'in: from the charger; out: from the CSMS' },
              messageType: { type: ['integer', 'null'], enum: [2, 3, 4, null] },
              messageId: { type: ['string', 'null'] },
              action: { type: ['string', 'null'], description: "For replies, the action of the CALL they answer (the latest earlier one with their id), when it is in the journal, on this page or not" },
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
    ...chargerHistory('reservations', {
      operationId: 'listReservations',
      summary: 'Reservations made with ReserveNow, newest first',
      parameters: [
        query('status', { type: 'string', enum: ['active', 'used', 'cancelled', 'expired', 'removed'] }, 'Only reservations in this state'),
        parameterRef('limit'),
      ],
      body: objectOf({ reservations: { type: 'array', items: schemaRef('Reservation') } }),
    }),
    '/chargers/{chargerId}/composite-schedule': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'previewCompositeSchedule',
        summary: 'The limit the charger will apply on one EVSE, computed here from its installed profiles',
        description:
          'What GetCompositeSchedule would answer, without asking the charger: from the charging profiles it has ' +
          'installed and the transaction running on that EVSE.',
        parameters: [
          { ...query('evseId', { type: 'integer', minimum: 0 }, '1.6 connectorId or 2.0.1 evseId; 0: the whole charger'), required: true },
          query('start', { type: 'string', format: 'date-time' }, 'Default: now'),
          query('duration', { type: 'integer', minimum: 1, maximum: 7 * 24 * 3600, default: 86400 }, 'Seconds'),
          query('unit', { type: 'string', enum: ['A', 'W'], default: 'W' }, 'The unit of the limits'),
          query('voltage', { type: 'number', exclusiveMinimum: 0, default: 230 }, 'Volts per phase, to convert between A and W'),
          query('phases', { type: 'integer', enum: [1, 2, 3], default: 3 }, 'Phases when a period names none'),
        ],
        responses: {
          '200': jsonResponse(
            'The composite schedule',
            objectOf({
              compositeSchedule: schemaRef('CompositeSchedule'),
              profiles: { type: 'array', items: { type: 'integer' }, description: 'The ids of the installed profiles considered' },
              transactionId: { type: ['string', 'null'], description: 'The transaction running on the EVSE' },
            }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
    '/chargers/{chargerId}/local-list': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Id tags'],
        operationId: 'getLocalListState',
        summary: "The local authorization list version the charger last accepted from the CSMS",
        responses: {
          '200': jsonResponse(
            'Its list version (0: never synced) and when it was accepted',
            objectOf({ listVersion: { type: 'integer' }, syncedAt: { type: ['string', 'null'], format: 'date-time' } }),
          ),
          '400': errorResponse(BAD_CHARGER_ID),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
      post: operation({
        tags: ['Id tags'],
        operationId: 'syncLocalList',
        summary: "Send the id tags to the charger's local authorization list (SendLocalList)",
        description:
          'Full: every id tag. Differential: the named tags, added or updated when they exist, removed when they ' +
          'no longer do. The list version goes up by one each time. A 1.6 charger gets one entry per tag (the entry ' +
          'for any type, else the typed entry that refuses most). What cannot be sent is left out and listed in ' +
          `\`skipped\` with its reason: tags over ${MAX_V16_ID_TAG_LENGTH} characters for 1.6; for 2.0.1, entries ` +
          'registered for any type (a 2.0.1 list entry names one type, and the CSMS does not invent one) and removals ' +
          'of tags named without a type that have no entry left (the type to remove is unknown). A 2.0.1 charger ' +
          'removes a token by (idToken, type): to remove one type\'s entry, deleted from the id tags, name it as ' +
          '`{"idTag", "type"}` (that entry is sent if it exists, its removal if not), or send a Full list; a tag named ' +
          'without a type sends the entries it has, and cannot tell the charger to drop a type deleted since.',
        requestBody: {
          required: false,
          description: 'An empty body is a Full update.',
          content: { 'application/json': { schema: LOCAL_LIST_BODY } },
        },
        responses: {
          '200': jsonResponse(
            "The charger's SendLocalList answer",
            objectOf({
              result: { type: 'object', description: 'The SendLocalList response of the charger’s version' },
              listVersion: { type: 'integer' },
              entries: { type: 'integer', description: 'How many tags were sent' },
              skipped: {
                type: 'array',
                items: objectOf({
                  idTag: { type: 'string' },
                  type: { type: ['string', 'null'], description: 'The 2.0.1 type of the entry left out; null for any type or 1.6' },
                  reason: { type: 'string' },
                }),
              },
            }),
          ),
          '400': errorResponse({
            ...BAD_CHARGER_ID,
            InvalidJson: 'the body is not JSON',
            InvalidPayload: 'the body is not a Full or Differential update (`issues` lists the fields)',
            ListTooLong: 'a Full list would hold more than 10,000 tags',
          }),
          '404': errorResponse(UNKNOWN_CHARGER),
          '409': errorResponse({
            ChargerOffline: 'the charger is not connected, or never was',
            ChargerRejected: 'its last boot was answered Rejected',
          }),
          '502': errorResponse({ CallError: 'the charger answered CALLERROR', InvalidResponse: 'its answer fails the schema' }),
          '504': errorResponse({ Timeout: 'no answer within `COMMAND_TIMEOUT_SECONDS`' }),
        },
      }),
    },

    '/isolate-stats': {
      get: operation({
        tags: ['Meta'],
        operationId: 'getIsolateStats',
        summary:
          "This isolate's counters since it started: D1 statements run and charger objects constructed (each wake-up from hibernation counts). Under `wrangler dev` one isolate runs everything; deployed, each isolate counts its own.",
        responses: {
          '200': jsonResponse(
            'The counters',
            objectOf({
              startedAt: { type: ['string', 'null'], format: 'date-time' },
              d1Statements: { type: 'integer' },
              chargerObjectsConstructed: { type: 'integer' },
              pbkdf2Runs: { type: 'integer', description: 'PBKDF2 derivations (password hashing and checks at the charger upgrade)' },
            }),
          ),
        },
      }),
    },
    '/tokens': {
      get: operation({
        tags: ['Tokens'],
        operationId: 'listTokens',
        summary: 'Operator API tokens, newest first (never their secrets). Needs `admin`.',
        responses: { '200': jsonResponse('The tokens', objectOf({ apiTokens: { type: 'array', items: TOKEN_SCHEMA } })) },
      }),
      post: operation({
        tags: ['Tokens'],
        operationId: 'createToken',
        summary: 'Make a token with scopes; the token is in this answer only. Needs `admin`.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'scopes'],
                properties: {
                  name: { type: 'string', minLength: 1, maxLength: 100 },
                  scopes: { type: 'array', minItems: 1, items: { type: 'string', enum: ['read', 'command', 'admin'] } },
                },
              },
            },
          },
        },
        responses: {
          '201': jsonResponse('Made', objectOf({ token: { type: 'string', description: 'csms_<id>_<secret>: keep it, it is not shown again' }, apiToken: TOKEN_SCHEMA })),
          '400': errorResponse({ InvalidJson: 'the body is not JSON', InvalidPayload: 'a missing name or an unknown scope' }),
        },
      }),
    },
    '/tokens/{tokenId}': {
      parameters: [{ name: 'tokenId', in: 'path', required: true, schema: { type: 'string' } }],
      delete: operation({
        tags: ['Tokens'],
        operationId: 'revokeToken',
        summary: 'Revoke a token: it stops working at once. Needs `admin`.',
        responses: { '204': { description: 'Revoked (or already revoked)' }, '404': errorResponse({ UnknownToken: 'no such token' }) },
      }),
    },
    '/id-tags': {
      get: operation({
        tags: ['Id tags'],
        operationId: 'listIdTags',
        summary: 'The id tags (1.6) and id tokens (2.0.1) the CSMS authorizes, by tag then type',
        description:
          'A 2.0.1 token is the pair (idToken, type): one entry per type, and one (type null) for any type. ' +
          'A cursor is `tag type` (the type empty for any type); a bare tag continues after every entry of that tag.',
        parameters: [
          query('status', { type: 'string', enum: [...AUTHORIZATION_STATUSES] }, 'Only tags with this status'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse('A page of id tags', page('idTags', 'IdTag')),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/id-tags/{idTag}': {
      parameters: [
        {
          name: 'idTag',
          in: 'path',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]+$' },
          description: `URL-encoded; a 1.6 charger takes at most ${MAX_V16_ID_TAG_LENGTH} characters`,
        },
        query(
          'type',
          { type: 'string', enum: [...ID_TOKEN_TYPES] },
          'The 2.0.1 type of the entry meant; left out, the entry for any type. PUT may give it in the body instead.',
        ),
      ],
      get: operation({
        tags: ['Id tags'],
        operationId: 'getIdTag',
        summary: 'One id tag entry: (idTag, type)',
        responses: {
          '200': jsonResponse('The tag', objectOf({ idTag: schemaRef('IdTag') })),
          '400': errorResponse(BAD_ID_TAG),
          '404': errorResponse({ UnknownIdTag: 'no such tag' }),
        },
      }),
      put: operation({
        tags: ['Id tags'],
        operationId: 'putIdTag',
        summary: 'Create or replace an id tag entry: (idTag, type)',
        description:
          'Replaces the whole entry: a field left out (or null) is cleared. `type` (query or body; they must agree) ' +
          'says which entry: another type is another entry. A new entry for a tag seen offline gets `firstSeenOffline`.',
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('IdTagPut') } } },
        responses: {
          '200': jsonResponse('Replaced', objectOf({ idTag: schemaRef('IdTag') })),
          '201': jsonResponse('Created', objectOf({ idTag: schemaRef('IdTag') })),
          '400': errorResponse({
            ...BAD_ID_TAG,
            ...BAD_PARAMETER,
            InvalidJson: 'the body is not JSON',
            InvalidPayload: 'the body fails the schema, or names another type than the query (`issues` lists the fields)',
          }),
        },
      }),
      delete: operation({
        tags: ['Id tags'],
        operationId: 'deleteIdTag',
        summary: 'Delete an id tag entry: (idTag, type)',
        responses: {
          '204': { description: 'Deleted' },
          '400': errorResponse({ ...BAD_ID_TAG, ...BAD_PARAMETER }),
          '404': errorResponse({ UnknownIdTag: 'no such tag' }),
        },
      }),
    },
    '/seen-offline-tags': {
      get: operation({
        tags: ['Id tags'],
        operationId: 'listSeenOfflineTags',
        summary: 'Tags the CSMS did not know, which chargers let charge while offline',
        description:
          'They were answered Invalid and never authorize because of it; their transactions are recorded. ' +
          'Approve one by registering it (PUT /id-tags/{idTag}). Kept when UNKNOWN_OFFLINE_TAG_POLICY is `list`.',
        parameters: [
          query('unregistered', { type: 'string', enum: ['true', 'false'] }, 'true: only tags with no id tag entry'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse('A page of tags seen offline', {
            type: 'object',
            required: ['tags', 'nextCursor'],
            properties: {
              tags: { type: 'array', items: SEEN_OFFLINE_TAG },
              nextCursor: { type: ['string', 'null'] },
            },
          }),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/seen-offline-tags/{idTag}': {
      parameters: [
        {
          name: 'idTag',
          in: 'path',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]+$' },
          description: 'URL-encoded',
        },
      ],
      get: operation({
        tags: ['Id tags'],
        operationId: 'getSeenOfflineTag',
        summary: 'The transactions a tag seen offline was used in, newest first (at most 500)',
        responses: {
          '200': jsonResponse(
            'Its uses',
            objectOf({
              idTag: { type: 'string' },
              uses: {
                type: 'array',
                items: objectOf({
                  type: { type: ['string', 'null'], description: 'The 2.0.1 type presented; null for 1.6' },
                  chargerId: { type: 'string', description: "'' for a tag carried over by the migration" },
                  transactionId: { type: 'string', description: "What the charger calls the transaction; '' when carried over" },
                  seenAt: { type: 'string', format: 'date-time' },
                  recordedAt: { type: 'string', format: 'date-time' },
                }),
              },
            }),
          ),
          '400': errorResponse(BAD_ID_TAG),
          '404': errorResponse({ UnknownIdTag: 'the tag was not seen offline' }),
        },
      }),
      delete: operation({
        tags: ['Id tags'],
        operationId: 'deleteSeenOfflineTag',
        summary: 'Dismiss a tag seen offline: its uses are forgotten',
        responses: {
          '204': { description: 'Dismissed' },
          '400': errorResponse(BAD_ID_TAG),
          '404': errorResponse({ UnknownIdTag: 'the tag was not seen offline' }),
        },
      }),
    },
  };

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'OCPP CSMS API',
      version: packageJson.version,
      summary: 'Operate OCPP 1.6-J and 2.0.1 chargers: send commands, read their sessions, history and reports.',
      description:
        'Every error has the shape `{"error": {"code", "message", ...details}}` (schema `Error`). ' +
        'Everything needs `Authorization: Bearer <API_TOKEN>` except `/health`, `/openapi.json` and `/docs`; ' +
        'without a configured `API_TOKEN` the API answers 503. Charger ids are 1–' +
        `${MAX_CHARGER_ID_LENGTH} printable ASCII characters without \`:\`, URL-encoded in the path.`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api/v1', description: 'This deployment' }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'Meta', description: 'Health and documentation; no token needed' },
      { name: 'Chargers', description: 'List, read and register chargers' },
      { name: 'Commands', description: 'Send OCPP commands to chargers, now or queued' },
      { name: 'Transactions', description: 'Charging sessions, recorded once with their energy' },
      { name: 'Charger history', description: 'What one charger reported or was told: meter values, statuses, connections, reports, configuration, charging profiles, reservations' },
      { name: 'Id tags', description: 'The tags and tokens the CSMS authorizes' },
      { name: 'Tokens', description: 'Operator API tokens and their scopes' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The `API_TOKEN` secret of the deployment (every scope), or a token made with `POST /tokens` (`csms_<id>_<secret>`, with its scopes)',
        },
      },
      parameters: {
        chargerId: {
          name: 'chargerId',
          in: 'path',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: MAX_CHARGER_ID_LENGTH, pattern: '^[!-9;-~]+$' },
          description: 'URL-encoded',
        },
        limit: query('limit', { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }, 'Page size'),
        from: query('from', { type: 'string', format: 'date-time' }, 'At or after this time (RFC 3339)'),
        to: query('to', { type: 'string', format: 'date-time' }, 'Before this time (RFC 3339)'),
      },
      responses: {
        Unauthorized: errorResponse({ Unauthorized: 'no `Authorization: Bearer` header, or the wrong token' }),
        InsufficientScope: errorResponse({
          InsufficientScope: 'the token lacks the scope this needs: `read` for GETs, `command` for commands and local lists, `admin` for the rest',
        }),
        ApiTokenNotConfigured: errorResponse({ ApiTokenNotConfigured: 'the deployment has no `API_TOKEN` secret: the API fails closed' }),
        InternalError: errorResponse({ InternalError: 'something failed on the server; the request may be retried' }),
        PayloadTooLarge: errorResponse({
          PayloadTooLarge:
            `the body is over ${MAX_BODY_BYTES} bytes: refused from its Content-Length, or once that many bytes have arrived, before it is parsed. ` +
            `A body must also be a JSON object nested at most ${MAX_BODY_DEPTH} levels deep (else 400 \`InvalidPayload\`); an empty body reads as \`{}\``,
        }),
      },
      schemas: { ...apiShapeSchemas(), ...ocpp.schemas },
    },
  };
}

/** GET /chargers/{chargerId}/<what>: reads of one charger, which copy its waiting facts to D1 first. */
function chargerHistory(
  what: string,
  op: { operationId: string; summary: string; parameters: Json[]; body: Json },
): Record<string, Json> {
  return {
    [`/chargers/{chargerId}/${what}`]: {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: op.operationId,
        summary: op.summary,
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

let documentText: string | undefined;

/** The document as JSON text, built on first use and kept for the isolate's life. */
export function openApiText(): string {
  documentText ??= JSON.stringify(buildDocument());
  return documentText;
}

/** GET /api/v1/openapi.json: documentation, served without a token. */
export function serveOpenApi(c: Context): Response {
  return c.body(openApiText(), 200, { 'content-type': 'application/json; charset=UTF-8' });
}
