// The OpenAPI paths that list, read, register (one or many from CSV), delete, hold Pending or accept, and disconnect chargers, and set their passwords.

import { DEFAULTS, MAX_COMMAND_TIMEOUT_SECONDS } from '../config';
import {
  BAD_CHARGER_ID,
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
import { IMPORT_DRY_RUN, IMPORT_RESPONSES, IMPORT_TEXT } from './openapi-paths-fleet';
import { MAX_FIRMWARE_LENGTH, MAX_SEARCH_LENGTH } from './charger-list';
import { CHARGER_STATES, FLEET_SORTS, PROTOCOL_FILTERS, REGISTRATION_FILTERS } from '../store/charger-fleet';

/** The answer of PUT /chargers/{chargerId}/registration: the charger, and what was done at once. */
const REGISTRATION_ANSWER: Json = objectOf({
  charger: schemaRef('Charger'),
  registration: {
    type: 'object',
    required: ['decision', 'effect', 'message', 'registrationStatus'],
    properties: {
      decision: { type: 'string', enum: ['Pending', 'Accepted', 'Rejected'] },
      effect: {
        type: 'string',
        enum: ['BootTriggered', 'TriggerRefused', 'AtNextBoot', 'Unchanged', 'RejectedNow'],
        description:
          'BootTriggered: the Pending charger accepted TriggerMessage BootNotification and boots again now; TriggerRefused: it did not (see `trigger`), its next boot is Accepted; AtNextBoot: nothing was sent, its next boot applies the decision; Unchanged: its last boot was answered so already; RejectedNow: the charger was Pending and is rejected at once (sent nothing more, its requests refused with SecurityError), its next boot is answered Rejected',
      },
      message: { type: 'string' },
      registrationStatus: { type: ['string', 'null'], description: "How the charger's last boot was answered, as its object knew it" },
      trigger: { type: 'object', description: 'The outcome of TriggerMessage BootNotification, when sent: `{ok: true, result}` or `{ok: false, status, error}`' },
    },
  },
});

/** /chargers, one charger, its registration decision, its password and its connection. */
export function chargerPaths(): Record<string, Json> {
  return {
    '/chargers': {
      get: operation({
        tags: ['Chargers'],
        operationId: 'listChargers',
        summary: 'Find chargers: search, filter by state, protocol, firmware and registration, sort, page',
        description:
          'Filters combine with AND; the values of one repeatable filter with OR. Each charger carries its `state`, derived from D1 in this order: ' +
          '**offline**: D1 says it is not connected (whatever its last statuses say); ' +
          '**faulted**: connected and any connector reports `Faulted` (1.6 StatusNotification status, connector 0 included; 2.0.1 connectorStatus), even with a session on another connector; ' +
          '**charging**: connected, no fault, and one of its transactions is running (1.6 StartTransaction without StopTransaction, 2.0.1 TransactionEvent Started without Ended; energy flowing or suspended); ' +
          '**unavailable**: connected, no fault, no session, and no connector can be used (the 1.6 charge point, connector 0, reports `Unavailable`, or every connector it reported does); ' +
          '**online**: connected and none of these. ' +
          '`q` is a case-insensitive (ASCII) **prefix** match on the id, vendor, model, serial number or firmware version: a prefix is a seek in an index per field, so it reads only its matches at any fleet size, where a substring match would read the whole fleet on every search. ' +
          'Reads stay bounded at 10,000 chargers (rows read, measured): a rare state starts from its own index, a sort walks its index and stops after the page; `protocol` and `registration` narrow a page but do not shorten the walk. ' +
          'Sorted by anything but `id`, chargers without the value (never booted, never seen) sort as an empty value, first ascending. ' +
          'Pages are keyset pages in the sort\'s order: pass `nextCursor` back as `cursor` with the same `sort` and `order` (sorted by `id` it is the last id, as before). ' +
          'A `site` filter waits for sites (issue 17). ' +
          '`connected` and `lastSeen` come from D1, which an idle charger does not write to. `connected` changes as the charger connects ' +
          'and goes; a charger that fell silent or lost its socket is recorded offline by its object\'s hourly liveness check, so ' +
          '`connected: true` may last up to the offline deadline (HEARTBEAT_INTERVAL_SECONDS × OFFLINE_AFTER_INTERVALS) + 1 hour + ' +
          'FLEET_FLUSH_SECONDS after its last frame. `lastSeen` is when D1 last heard of it (its connection opening or ending, a 1.6 ' +
          'StopTransaction, or other facts handed over through its outbox), not its last Heartbeat: GET /chargers/{chargerId} asks the object and is exact.',
        parameters: [
          query('q', { type: 'string', minLength: 1, maxLength: MAX_SEARCH_LENGTH }, 'Case-insensitive prefix of the id, vendor, model, serial number or firmware version'),
          query(
            'state',
            { type: 'array', items: { type: 'string', enum: [...CHARGER_STATES] } },
            'Only chargers in these states (see above); repeated (`state=faulted&state=offline`) or comma-separated (`state=faulted,offline`)',
          ),
          query(
            'protocol',
            { type: 'array', items: { type: 'string', enum: [...PROTOCOL_FILTERS] } },
            'Only chargers speaking these versions (`none`: never connected); repeated or comma-separated',
          ),
          query('firmware', { type: 'string', minLength: 1, maxLength: MAX_FIRMWARE_LENGTH }, 'Only chargers whose last boot reported this firmware version (ignoring ASCII case)'),
          query(
            'registration',
            { type: 'array', items: { type: 'string', enum: [...REGISTRATION_FILTERS] } },
            'Only chargers whose last boot was answered so (`none`: never booted); repeated or comma-separated',
          ),
          query('sort', { type: 'string', enum: [...FLEET_SORTS], default: 'id' }, 'The order of the list (`firmware`: firmware version); text sorts ignore ASCII case, ties go by id'),
          query('order', { type: 'string', enum: ['asc', 'desc'], default: 'asc' }, 'Ascending or descending'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page, with the same `sort` and `order`'),
        ],
        responses: {
          '200': jsonResponse('A page of chargers, each with its `state`', page('chargers', 'Charger')),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/chargers/import': {
      post: operation({
        tags: ['Chargers'],
        operationId: 'importChargers',
        summary: 'Register many chargers from a CSV file, with a per-row report',
        description:
          `${IMPORT_TEXT} Columns: \`id\` (required) and the PUT body's \`securityProfile\` (0-3; empty keeps the charger's). A \`password\` ` +
          'column is refused (400 `ColumnRefused`): credentials go only through PUT /chargers/{chargerId} and POST /chargers/{chargerId}/password. ' +
          'So a row asking Security Profile 1 or 2 fails unless the charger already has a password. `unchanged`: registered already with that profile. ' +
          'As with PUT, a changed profile closes the live connections that no longer qualify (4003). Needs `admin`.',
        parameters: [IMPORT_DRY_RUN],
        requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' }, example: 'id,securityProfile\r\nCP-001,0\r\nCP-002,3\r\n' } } },
        responses: IMPORT_RESPONSES,
      }),
    },
    '/chargers/summary': {
      get: operation({
        tags: ['Chargers'],
        operationId: 'summarizeChargers',
        summary: 'Counts of the fleet by state, protocol and registration',
        description:
          'The whole fleet in one D1 statement, by the states `GET /chargers` defines: it reads every charger with its state probes (21,016 rows read at 10,000 chargers, measured). ' +
          '`byProtocol.none` counts chargers registered but never connected, `byRegistration.none` those never booted. ' +
          'This path takes the place of a charger named `summary` for GET: read such a charger through the list (`q=summary`).',
        responses: {
          '200': jsonResponse(
            'The counts',
            objectOf({
              summary: objectOf({
                total: { type: 'integer', minimum: 0 },
                byState: objectOf(Object.fromEntries(CHARGER_STATES.map((s) => [s, { type: 'integer', minimum: 0 }]))),
                byProtocol: objectOf(Object.fromEntries(PROTOCOL_FILTERS.map((p) => [p, { type: 'integer', minimum: 0 }]))),
                byRegistration: objectOf(Object.fromEntries(REGISTRATION_FILTERS.map((r) => [r, { type: 'integer', minimum: 0 }]))),
              }),
            }),
          ),
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
      delete: operation({
        tags: ['Chargers'],
        operationId: 'deleteCharger',
        summary: 'Delete a charger: its registration, credentials and live state go; its billing history stays',
        description:
          "Closes its live connection (WebSocket close code 4004, \"The charger was deleted by the operator\") after copying its object's waiting facts to D1, then wipes its object's storage " +
          '(queued commands, message journal, id-tag cache, local list version, remote starts) and forgets in D1 its registration and credentials (so under ' +
          '`UNKNOWN_CHARGER_POLICY=reject` it can no longer connect), boot facts, connector states, reported configuration, charging profiles and reported limits, ' +
          'reservations, certificate inventory, firmware jobs and the tariff assigned to it alone. KEPT: transactions, their events, meter values, anomalies, ' +
          'costs and CDRs (a completed transaction never changes; invoices stay reproducible), tags seen offline, the connector status and connection histories, ' +
          'its reports (security events, notifications) and log uploads. A later PUT registers it afresh; its 1.6 transaction ids continue after the kept ones. ' +
          'While a transaction runs: 409 `TransactionsRunning`, nothing changed, unless `?force=true`: then the running transactions are kept as they are ' +
          '(the CSMS never ends them; a StopTransaction from the charger, registered again, still applies). Needs `admin`.',
        parameters: [query('force', { type: 'string', enum: ['true', 'false'] }, 'true: delete even while transactions run (they are kept, still running)')],
        responses: {
          '200': jsonResponse(
            'Deleted',
            objectOf({
              deleted: objectOf({
                chargerId: { type: 'string' },
                disconnected: { type: 'boolean', description: 'Whether a live connection was closed' },
                queuedCommandsDropped: { type: 'integer', description: 'Commands queued for it, not yet answered, that went with its object' },
                runningTransactions: {
                  type: 'array',
                  description: 'With force: the transactions running, kept as they are',
                  items: objectOf({ transactionId: { type: 'string' }, evseId: { type: 'integer', description: '1.6: the connector' } }),
                },
              }),
            }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
          '409': errorResponse({ TransactionsRunning: 'a transaction runs (`transactions` lists them); nothing changed' }),
          '503': errorResponse({
            FlushFailed: "the charger's facts could not all be copied to D1; nothing was deleted",
            DeletionInterrupted: 'interrupted before it completed (D1 keeps its rows until one completes): send DELETE again',
          }),
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

    '/chargers/{chargerId}/registration': {
      parameters: [parameterRef('chargerId')],
      put: operation({
        tags: ['Chargers'],
        operationId: 'decideChargerRegistration',
        summary: "Hold a charger Pending to provision it, accept it, or reject it",
        description:
          '`Pending` holds the charger, registered or not (holding registers it, so it may connect whatever `UNKNOWN_CHARGER_POLICY` says): its boots are answered Pending (OCPP 2.0.1 B02, 1.6 §4.2.1). ' +
          'While Pending it takes commands, direct or queued (SetVariables, ChangeConfiguration, GetBaseReport, TriggerMessage…), but not RemoteStart/StopTransaction or RequestStart/StopTransaction (409 `ChargerPending`; queued ones wait for Accepted, with what was queued after them). ' +
          'Of its own requests only BootNotification and what the CSMS asked for are answered (a message a TriggerMessage it accepted announced, for the EVSE / connector it named if it named one, a NotifyReport / report part carrying the requestId of a GetReport it accepted, a job status after UpdateFirmware, GetLog, GetDiagnostics); any other gets SecurityError (B02.FR.09), 1.6 chargers too. ' +
          'An Accepted charger set Pending stays Accepted until it boots again (`effect: AtNextBoot`; send Reset to make it boot now: an accepted charger answers a BootNotification trigger Rejected). ' +
          '`Rejected` has its boots answered Rejected (2.0.1 B03, 1.6 §4.2) until it is accepted or held; the CSMS sends it nothing (commands: 409 `ChargerRejected`; the queue waits). A charger whose boot was answered Pending is rejected at once (`effect: RejectedNow`: its requests but BootNotification get SecurityError, B03.FR.07); an Accepted one stays Accepted until it boots again (`AtNextBoot`; send Reset to make it boot now). The connection is not closed. ' +
          '`Accepted` registers the charger and ends a hold or a rejection. A connected charger whose boot was answered Pending is then sent TriggerMessage BootNotification at once (its answer awaited up to `timeoutSeconds`), so it boots again and is Accepted without waiting out its interval (`effect: BootTriggered`, or `TriggerRefused` with its answer). ' +
          'The decision is stored before anything is sent, and answers every later boot. Needs `admin`.',
        parameters: [
          query(
            'timeoutSeconds',
            { type: 'number', exclusiveMinimum: 0, maximum: MAX_COMMAND_TIMEOUT_SECONDS, default: DEFAULTS.commandTimeoutSeconds },
            'With `Accepted`: how long to wait for the answer to TriggerMessage BootNotification. Default `COMMAND_TIMEOUT_SECONDS`.',
          ),
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['Pending', 'Accepted', 'Rejected'] } } },
            },
          },
        },
        responses: {
          '200': jsonResponse('It was known already', REGISTRATION_ANSWER),
          '201': jsonResponse('It was never seen: registered with the decision', REGISTRATION_ANSWER),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER, InvalidJson: 'the body is not JSON', InvalidPayload: 'not {"status": "Pending" | "Accepted" | "Rejected"}' }),
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
          'A 2.1 SetNetworkProfile carrying `basicAuthPassword` (sent with `POST /chargers/{chargerId}/security-commands`) is a change like this one and holds the same pending slot. ' +
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
  };
}
