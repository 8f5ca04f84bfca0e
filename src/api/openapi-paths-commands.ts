// The OpenAPI paths that send commands to chargers: any OCPP action, the security ones, queued commands, the local list.

import { DEFAULTS, MAX_COMMAND_TIMEOUT_SECONDS } from '../config';
import { MAX_ID_TOKEN_LENGTH, MAX_V16_ID_TAG_LENGTH } from '../ocpp/authorization';
import { PNC_CSMS_MESSAGES, pncCommandAction } from '../ocpp/pnc16';
import type { OcppComponents } from './openapi-commands';
import {
  BAD_CHARGER_ID,
  BAD_PARAMETER,
  errorResponse,
  ID_TOKEN_TYPES,
  type Json,
  jsonResponse,
  objectOf,
  operation,
  parameterRef,
  query,
  schemaRef,
  UNKNOWN_CHARGER,
} from './openapi-operations';

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

/** With `upload=csms`: the log request the CSMS recorded and until when its upload URL is valid. */
const UPLOAD_OFFERED: Json = {
  type: 'object',
  description: 'Only with `upload=csms`: the request the upload is linked to (`GET /chargers/{chargerId}/logs`)',
  properties: { requestId: { type: 'integer' }, expiresAt: { type: 'string', format: 'date-time' } },
};

/** Sending OCPP commands to a charger, now or queued, and reading queued ones. */
export function commandPaths(ocpp: OcppComponents): Record<string, Json> {
  // 1.6 Plug & Charge (ocpp/pnc16.ts): PnC.<action> sends the 2.0.1 action's request in a DataTransfer, and answers its 2.0.1 response.
  const pncActions = PNC_CSMS_MESSAGES.map((message) => {
    const v201 = ocpp.actions['ocpp2.0.1'].find((a) => a.action === message);
    if (!v201) throw new Error(`no 2.0.1 schema for ${message}`);
    return { ...v201, action: pncCommandAction(message) };
  });
  const allActions = [...new Set([...Object.values(ocpp.actions), pncActions].flatMap((list) => list.map((a) => a.action)))].sort();
  const anyOfVersions = (kind: 'request' | 'response') =>
    Object.values(ocpp.actions).flatMap((list) => list.map((a) => a[kind]));

  return {
    '/protocols/{version}/commands': {
      parameters: [
        {
          name: 'version',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: Object.keys(ocpp.actions) },
          description: 'The OCPP version, as a charger\'s `protocol` names it',
        },
      ],
      get: operation({
        tags: ['Commands'],
        operationId: 'listProtocolCommands',
        summary: 'The CSMS-initiated actions of one OCPP version, each with its request schema',
        description:
          'What `POST /chargers/{chargerId}/commands/{action}` takes for a charger of this version (the console builds its command forms from it): ' +
          'each action with its request as a self-contained JSON Schema (the definitions it references under `$defs`), ' +
          'converted from the same valibot schemas the API validates with, as in `x-ocpp-actions`. ' +
          'The same for the life of a deployment: `Cache-Control: private, max-age=3600` and an `ETag` (`If-None-Match` answers 304).',
        responses: {
          '200': jsonResponse(
            'The actions, sorted by name',
            objectOf({
              version: { type: 'string' },
              actions: {
                type: 'array',
                items: objectOf({
                  action: { type: 'string' },
                  request: { type: 'object', description: 'A JSON Schema (draft 2020-12) with its own `$defs`' },
                }),
              },
            }),
          ),
          '304': { description: 'Not modified (`If-None-Match` named the current ETag)' },
          '404': errorResponse({ UnknownProtocol: 'not an OCPP version this CSMS speaks (`ocpp1.6`, `ocpp2.0.1`, `ocpp2.1`)' }),
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
          'The same goes for the 1.6 Plug & Charge commands (`PnC.DeleteCertificate`, `PnC.CertificateSigned`, `PnC.InstallCertificate` of a trust root; their payload the 2.0.1 request). ' +
          'The Basic-auth password is refused here (403 `CredentialChangeRefused`): only `POST /chargers/{chargerId}/password` keeps the CSMS in step with it. ' +
          'Except in a **2.1 SetNetworkProfile**, whose `connectionData.basicAuthPassword` is the password the charger will use on that profile: it is sent under `POST /chargers/{chargerId}/password`\'s protocol, so the charger is let in when it switches to the profile (NetworkConfigurationPriority and a reset). ' +
          'The new hash is stored as *pending* before the call leaves (both passwords work until the charger first connects with the new one, which then is the only one); Rejected, Failed or a CALLERROR drops it; Accepted or no usable answer keeps it (`passwordPending` in the answer or the error). ' +
          'It shares the one pending slot with `POST /password`: while another password is pending, a different one is refused with 409 `PasswordChangePending` and nothing is sent (the pending one again is a retry). ' +
          'The password must be 16–40 printable ASCII characters (400 `InvalidPayload`). `connectionData.identity` (the Basic-auth user name, 2.1) may only be the charger id itself, exactly: the CSMS admits no other user name for it, so another is refused with 400 `IdentityMismatch` and nothing is sent. ' +
          '`identity` and `basicAuthPassword` to a 1.6 or 2.0.1 charger are 400 `InvalidPayload`. ' +
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
              passwordPending: {
                type: 'boolean',
                description:
                  'Only for a 2.1 SetNetworkProfile carrying `basicAuthPassword`: whether that password is now pending (Accepted, or a retry of the pending one); false when the charger refused it and it was dropped',
              },
            }),
          ),
          '400': errorResponse({
            ...BAD_CHARGER_ID,
            InvalidJson: 'the body is not JSON',
            InvalidPayload:
              "not `{action, payload}`, or the payload fails the action's request schema, or a SetNetworkProfile's `basicAuthPassword` is not 16–40 printable ASCII characters, or carries `identity`/`basicAuthPassword` to a charger not on 2.1; nothing was sent",
            IdentityMismatch: "a SetNetworkProfile's `connectionData.identity` is not the charger id (compared exactly); nothing was sent",
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
            PasswordChangePending:
              'a SetNetworkProfile `basicAuthPassword` while another password change is pending (this route or `POST /password`); nothing was sent',
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
          'With `queue=true` the command is kept until the charger is connected and its boot Accepted or Pending (RemoteStart/StopTransaction and RequestStart/StopTransaction wait for Accepted), and the answer is 202 ' +
          'at once: follow it with `GET /commands/{commandId}`. ' +
          "Commands that change how the charger authenticates, where it connects or whom it trusts are refused (403 `CredentialChangeRefused`), queued or not: 1.6 ChangeConfiguration " +
          'of AuthorizationKey, SecurityProfile, a key whose name holds "url" (CentralSystemURL…) or names a credential (password, passwd, secret, privatekey); 2.0.1 SetVariables of SecurityCtrlr.BasicAuthPassword, SecurityProfile or Identity, of ' +
          'OCPPCommCtrlr.NetworkConfigurationPriority or NetworkConfiguration, or of a variable named for a credential; SetNetworkProfile; InstallCertificate of a CentralSystemRootCertificate, CSMSRootCertificate or ManufacturerRootCertificate; ' +
          'DeleteCertificate; CertificateSigned (names matched case-insensitively). An admin sends them with `POST /chargers/{chargerId}/security-commands`; the password only with `POST /chargers/{chargerId}/password`. ' +
          'A command longer than the charger takes in one message, as it reported (2.0.1 `DeviceDataCtrlr.ItemsPerMessage` / `BytesPerMessage` of GetVariables and SetVariables, ' +
          '1.6 `GetConfigurationMaxKeys`, learnt from its NotifyReport, GetVariables and GetConfiguration answers), goes as several CALLs in order, each within the limits; ' +
          'the answer merges their results in the order asked and lists the `parts`. The first part that fails stops the rest: the error then carries `parts` (what each part sent was answered) and `partsNotSent`. ' +
          'A limit the charger never reported is not applied (the command goes whole). ' +
          'Secret values in the answer (an AuthorizationKey, a BasicAuthPassword, a key or variable named for a credential, a WriteOnly variable, a PEM private key), and any secret value the request carried wherever the answer or a CALLERROR echoes it, are shown as `<redacted>`. ' +
          'With `upload=csms` (GetLog, GetDiagnostics) leave the location out (GetLog `log.remoteLocation`, GetDiagnostics `location`): the CSMS records the request and fills in a signed HTTP(S) upload URL of its own ' +
          '(valid `LOG_UPLOAD_TTL_SECONDS`); the answer adds `upload: {requestId, expiresAt}` (1.6 GetDiagnostics has no requestId: the CSMS assigns one), and `GET /chargers/{chargerId}/logs` follows it. ' +
          'The URL\u2019s signature is shown as `<redacted>` in the journal and queued commands. ' +
          'ISO 15118 Plug & Charge for **1.6** chargers (the OCA application note: DataTransfer, vendorId `org.openchargealliance.iso15118pnc`): `PnC.<2.0.1 action>` ' +
          '(`x-pnc16-actions`) takes the 2.0.1 request as the body, sends it as the JSON text of a DataTransfer\u2019s `data`, and answers the 2.0.1 response its `data` carries; ' +
          '`PnC.TriggerMessage` asks only for `SignV2GCertificate`; `PnC.DeleteCertificate`, `PnC.CertificateSigned` and `PnC.InstallCertificate` of a CSMS or manufacturer root go through `security-commands` like their 2.0.1 namesakes. ' +
          'A DataTransfer the charger does not accept is `502 DataTransferNotAccepted`; `PnC.*` to a 2.0.1 charger is `404 UnknownAction`.',
        parameters: [
          query(
            'timeoutSeconds',
            { type: 'number', exclusiveMinimum: 0, maximum: MAX_COMMAND_TIMEOUT_SECONDS, default: DEFAULTS.commandTimeoutSeconds },
            'How long to wait for the answer, including the wait behind earlier commands to this charger. ' +
              `Default \`COMMAND_TIMEOUT_SECONDS\` (${DEFAULTS.commandTimeoutSeconds} unless configured).`,
          ),
          query('queue', { type: 'boolean', default: false }, '`true`: queue the command for when the charger can take it'),
          query('upload', { type: 'string', enum: ['csms'] }, 'GetLog and GetDiagnostics only: the CSMS provides the upload location (see the description)'),
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
        'x-pnc16-actions': pncActions,
        responses: {
          '200': jsonResponse(
            "The charger's CALLRESULT payload, checked against the action's response schema",
            objectOf({
              result: { anyOf: anyOfVersions('response') },
              parts: {
                type: 'array',
                description: 'Only when the command went in several CALLs to fit the charger’s limits: each part and how many items it carried',
                items: objectOf({ part: { type: 'integer' }, items: { type: 'integer' } }),
              },
              upload: UPLOAD_OFFERED,
            }),
          ),
          '202': jsonResponse('Queued (`queue=true`)', objectOf({ command: schemaRef('Command'), upload: UPLOAD_OFFERED })),
          '400': errorResponse({
            InvalidPayload: "the body fails the action's request schema (`issues` lists the fields); nothing was sent",
            ChargerLimitExceeded: "the command exceeds a limit the charger reported and cannot be split (a GetReport over `DeviceDataCtrlr.ItemsPerMessage/BytesPerMessage[GetReport]`, a charging profile over `SmartChargingCtrlr.PeriodsPerSchedule` / `ProfileStackLevel` or 1.6 `ChargingScheduleMaxPeriods` / `ChargeProfileMaxStackLevel`, a profile that would take the charger past the number of profiles it holds (`SmartChargingCtrlr.Entries` maxLimit, 1.6 `MaxChargingProfilesInstalled`; one replacing an installed profile does not add), one item bigger than a whole message may be): `limit` is `{name, value}`; nothing was sent",
            SpecViolation:
              "the body matches the schema but breaks one of the spec's rules for what the CSMS sends (`requirement` names it: " +
              'a TxProfile for a transaction not running, a first schedule period not at 0, a ClearChargingProfile naming no profile, ' +
              'a stack level already taken; the full list is in README, *Outbound rules*); nothing was sent. ' +
              'A queued command that breaks a rule needing the charger\'s state when it is due fails with this error instead of being sent',
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
            LogRequestExists: 'with `upload=csms`: the charger already has a log request with this requestId; nothing was sent',
            ChargerOffline: 'no connection, or the charger disconnected before answering (reported at once)',
            ChargerRejected: 'its last boot was answered Rejected, so OCPP forbids it to answer',
          }),
          '429': errorResponse({
            CommandQueueFull: `with \`queue=true\`: the charger already has \`MAX_QUEUED_COMMANDS\` (default ${DEFAULTS.maxQueuedCommands}) commands queued or sent and unanswered (those the CSMS queued itself, CertificateSigned, do not count); nothing was queued`,
          }),
          '502': errorResponse({
            CallError: 'the charger answered CALLERROR: `ocpp` has its code, description and details',
            InvalidResponse: "the charger's answer fails the action's response schema (`issues`, `result`)",
            DataTransferNotAccepted: 'a `PnC.*` command: the charger answered the DataTransfer other than Accepted (`UnknownVendorId`: no Plug & Charge), or without JSON data; `dataTransfer` is its answer',
          }),
          '503': errorResponse({
            LogUploadUnavailable: 'with `upload=csms`: no R2 bucket is bound as ARCHIVE, or neither LOG_UPLOAD_SECRET nor API_TOKEN is set; nothing was sent',
            ChargerSessionRestarted: "the charger's object was reset (a deploy, a crash) while the call was pending; it may or may not have reached the charger",
            StateUnavailable: 'the transactions or charging profiles a SetChargingProfile is checked against could not be read; nothing was sent',
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
  };
}

/** A charger's composite schedule and its local authorization list (commands with an answer of their own). */
export function scheduleAndLocalListPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/composite-schedule': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'previewCompositeSchedule',
        summary: 'The limit the charger will apply on one EVSE, computed here from its installed profiles',
        description:
          'What GetCompositeSchedule would answer, without asking the charger: from the charging profiles it has ' +
          'installed (TxProfiles sent in a remote start included, bound to the transaction that started, and gone ' +
          'once it ended), the external limits it reported (2.0.1 NotifyChargingLimit, until ClearedChargingLimit), ' +
          'and the transaction running on that EVSE.',
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
              chargingLimits: {
                type: 'array',
                description: 'The external limits the charger reported on this EVSE and on the whole charger (evseId 0), considered too',
                items: objectOf({
                  evseId: { type: 'integer' },
                  source: { type: 'string', description: 'ChargingLimitSourceEnumType: EMS, Other, SO, CSO' },
                  isGridCritical: { type: ['boolean', 'null'] },
                  schedules: { type: 'array', items: { type: 'object' }, description: 'ChargingScheduleType as sent; empty: nothing to enforce' },
                  reportedAt: { type: 'string', format: 'date-time' },
                }),
              },
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
              parts: {
                type: 'array',
                description:
                  'Only when the list went in parts (more entries than the charger takes in one SendLocalList): each part, Full first then Differential, with its version, ' +
                  'how many entries it carried and, when one was not accepted, each answer',
                items: objectOf({
                  part: { type: 'integer' },
                  items: { type: 'integer' },
                  updateType: { type: 'string' },
                  version: { type: 'integer' },
                  result: { type: 'object' },
                }),
              },
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
            ChargerLimitExceeded:
              'a Full list over the list size the charger reported (2.0.1 `LocalAuthListCtrlr.Entries` maxLimit, 1.6 `LocalAuthListMaxLength`), or one entry bigger than `LocalAuthListCtrlr.BytesPerMessage`: `limit` is `{name, value}`; nothing was sent',
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
  };
}
