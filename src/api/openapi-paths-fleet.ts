// The OpenAPI paths for the whole fleet: isolate stats, API tokens, id tags, tags seen offline.

import { AUTHORIZATION_STATUSES, MAX_ID_TOKEN_LENGTH, MAX_V16_ID_TAG_LENGTH } from '../ocpp/authorization';
import {
  BAD_ID_TAG,
  BAD_PARAMETER,
  errorResponse,
  ID_TOKEN_TYPES,
  type Json,
  jsonResponse,
  objectOf,
  operation,
  page,
  parameterRef,
  query,
  schemaRef,
} from './openapi-operations';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from './imports';

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

/** A trust-store entry (src/api/trust-roots.ts). */
const TRUST_ROOT: Json = {
  type: 'object',
  required: ['id', 'subject', 'fingerprint', 'keyHash', 'notBefore', 'notAfter', 'kind', 'certificate', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    subject: { type: 'string', description: 'The subject name, e.g. `CN=V2G Root CA, O=…`' },
    fingerprint: { type: 'string', description: 'SHA-256 of the DER, hex' },
    keyHash: { type: 'string', description: "SHA-256 of the public key's bits, hex: the issuerKeyHash of what it issues" },
    notBefore: { type: 'string', format: 'date-time' },
    notAfter: { type: 'string', format: 'date-time' },
    kind: { type: 'string', enum: ['root', 'subCA'], description: '`root`: self-signed, an anchor; `subCA`: trusted through a root in the store' },
    certificate: { type: 'string', description: 'PEM' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

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

/** The isolate's counters, operator API tokens, id tags and tags seen offline. */
export function fleetPaths(): Record<string, Json> {
  return {
    '/isolate-stats': {
      get: operation({
        tags: ['Meta'],
        operationId: 'getIsolateStats',
        summary:
          "This isolate's counters since it started: D1 statements and rows, Durable Object requests by kind, storage rows and alarms, R2 operations on the archive bucket, objects constructed (each wake-up from hibernation counts). The benchmark prices a charger-month from them. Under `wrangler dev` one isolate runs everything; deployed, each isolate counts its own.",
        responses: {
          '200': jsonResponse(
            'The counters',
            objectOf({
              startedAt: { type: ['string', 'null'], format: 'date-time' },
              d1Statements: { type: 'integer' },
              d1RowsRead: { type: 'integer', description: 'D1 rows read, as D1 reports them (meta.rows_read)' },
              d1RowsWritten: { type: 'integer', description: 'D1 rows written, as D1 reports them (meta.rows_written; each index entry counts)' },
              d1DatabaseBytes: { type: 'integer', description: "The D1 database's size after the last counted statement (meta.size_after)" },
              workerD1Statements: { type: 'integer', description: "Of d1Statements, the Worker's own (API requests, upgrades' checks, the archive): not charger objects', the FleetWriter's or the console hub's" },
              workerD1RowsRead: { type: 'integer', description: "Of d1RowsRead, the Worker's own" },
              workerD1RowsWritten: { type: 'integer', description: "Of d1RowsWritten, the Worker's own" },
              chargerObjectsConstructed: { type: 'integer' },
              fleetWriterObjectsConstructed: { type: 'integer' },
              chargerWebSocketMessages: { type: 'integer', description: 'WebSocket messages received by charger objects (billed 20:1 as requests)' },
              chargerAlarms: { type: 'integer', description: 'Alarms run by charger objects' },
              chargerRpcCalls: { type: 'integer', description: "Calls into charger objects through their stubs from the Worker (the WebSocket upgrade's fetch, API RPCs)" },
              fleetWriterRpcCalls: { type: 'integer', description: 'RPC calls into FleetWriter objects' },
              fleetWriterAlarms: { type: 'integer' },
              doSqlRowsRead: { type: 'integer', description: "Durable Object SQLite rows read, as the cursors report them" },
              doSqlRowsWritten: { type: 'integer', description: 'Durable Object SQLite rows written (index entries count)' },
              doKvRowsRead: { type: 'integer', description: 'Keys read through the Durable Object key-value API' },
              doKvRowsWritten: { type: 'integer', description: 'Keys put or deleted through the Durable Object key-value API' },
              doAlarmsSet: { type: 'integer', description: 'setAlarm calls (each billed as a row written)' },
              doAlarmsDeleted: { type: 'integer', description: 'deleteAlarm calls' },
              r2Puts: { type: 'integer', description: 'put calls on the ARCHIVE R2 bucket (billed Class A)' },
              r2Gets: { type: 'integer', description: 'get calls on the ARCHIVE bucket (billed Class B)' },
              r2Heads: { type: 'integer', description: 'head calls on the ARCHIVE bucket (billed Class B)' },
              r2Lists: { type: 'integer', description: 'list calls on the ARCHIVE bucket (billed Class A)' },
              r2Deletes: { type: 'integer', description: 'Keys deleted from the ARCHIVE bucket (free)' },
              r2BytesPut: { type: 'integer', description: 'Sizes of the objects put in the ARCHIVE bucket, summed' },
              doStorageBytes: { type: 'integer', description: "The Durable Objects' SQLite sizes as last seen, summed" },
              doObjectsSized: { type: 'integer', description: 'Durable Objects counted in doStorageBytes' },
              pbkdf2Runs: { type: 'integer', description: 'PBKDF2 derivations (password hashing and checks at the charger upgrade)' },
            }),
          ),
        },
      }),
    },
    '/archive/run': {
      post: operation({
        tags: ['Archive'],
        operationId: 'runMeterArchive',
        summary:
          'Move the meter values of transactions stopped more than METER_RETENTION_DAYS ago from D1 to R2 now, as the Cron Trigger does; at most `limit` (METER_ARCHIVE_BATCH by default). Needs `admin`.',
        description:
          'Each transaction: its values (and a completed 2.0.1 transaction\'s events, but its Ended and those not applied) written to R2 as one gzip object, read back and checked, then in one D1 batch the transaction marked archived and what moved deleted from D1. ' +
          'The API serves them as before. A transaction that fails stays in D1 and is listed in `failed`; the next run tries again. ' +
          'Likewise, per UTC day, a charger\u2019s values outside any transaction and each OCPP 2.1 periodic event stream\u2019s values once the whole day is older than the window. ' +
          '`enabled` is false (nothing moved) when no R2 bucket is bound as ARCHIVE or METER_RETENTION_DAYS is 0.',
        parameters: [query('limit', { type: 'integer', minimum: 1, maximum: 1000 }, 'Transactions to move at most in this run')],
        responses: {
          '200': jsonResponse(
            'What the run moved and what is left',
            objectOf({
              enabled: { type: 'boolean' },
              reason: { type: 'string', description: 'Why archiving is off' },
              retentionDays: { type: 'number' },
              cutoff: { type: 'string', format: 'date-time', description: 'Transactions whose stop was recorded before this are due' },
              moved: {
                type: 'array',
                items: objectOf({
                  chargerId: { type: 'string' },
                  transactionId: { type: 'string' },
                  meterValues: { type: 'integer', description: 'Values moved (0: it had none; with events null or 0, no object was written)' },
                  events: {
                    type: ['integer', 'null'],
                    description:
                      "2.0.1 events moved with them, into the same object: all but the applied Ended and those not applied, which stay in D1. Null: none moved (a 1.6 transaction, or one closed as abandoned whose own Ended has not come)",
                  },
                  key: { type: ['string', 'null'], description: 'The R2 object' },
                }),
              },
              failed: { type: 'array', items: objectOf({ chargerId: { type: 'string' }, transactionId: { type: 'string' }, error: { type: 'string' } }) },
              left: { type: 'integer', description: 'Due transactions whose values are still in D1 after this run' },
              movedDays: {
                type: 'array',
                items: objectOf({ chargerId: { type: 'string' }, day: { type: 'string', format: 'date' }, meterValues: { type: 'integer' }, key: { type: 'string' } }),
                description: 'Values outside any transaction moved, per charger and UTC day',
              },
              failedDays: { type: 'array', items: objectOf({ chargerId: { type: 'string' }, day: { type: 'string', format: 'date' }, error: { type: 'string' } }) },
              chargersWithDaysDue: { type: 'integer' },
              movedStreamDays: {
                type: 'array',
                items: objectOf({ chargerId: { type: 'string' }, streamId: { type: 'integer' }, day: { type: 'string', format: 'date' }, values: { type: 'integer' }, key: { type: 'string' } }),
                description: 'OCPP 2.1 periodic event-stream values moved, per charger, stream and UTC day (days wholly before the cutoff\u2019s; one day per stream a run)',
              },
              failedStreamDays: {
                type: 'array',
                items: objectOf({ chargerId: { type: 'string' }, streamId: { type: 'integer' }, day: { type: 'string', format: 'date' }, error: { type: 'string' } }),
              },
              streamsWithDaysDue: { type: 'integer', description: 'Streams that had a day due when the run began' },
            }),
          ),
          '400': errorResponse(BAD_PARAMETER),
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
          query(
            'q',
            { type: 'string', maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]*$' },
            'Only tags starting with this, without regard to case (a range of the key: cheap on any number of tags)',
          ),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse('A page of id tags', page('idTags', 'IdTag')),
          '400': errorResponse(BAD_PARAMETER),
        },
      }),
    },
    '/id-tags/import': {
      post: operation({
        tags: ['Id tags'],
        operationId: 'importIdTags',
        summary: 'Create or replace many id tag entries from a CSV file, with a per-row report',
        description:
          `${IMPORT_TEXT} Columns: \`idTag\` (required) and the PUT body's fields \`status\` (required in each row), \`expiryDate\`, ` +
          '`parentIdTag`, `type`, `language`; each row is one entry, written as PUT writes it (an empty cell clears that field; ' +
          'a file without the `language` column leaves each entry\'s language as it was). ' +
          'Tags compare without regard to case: a second row for the same (idTag, type) is `failed` (`DuplicateRow`). Needs `admin`.',
        parameters: [IMPORT_DRY_RUN],
        requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' }, example: 'idTag,status,expiryDate,parentIdTag,type\r\n04A1B2C3,Accepted,2030-01-01T00:00:00Z,FLEET-A,ISO14443\r\n' } } },
        responses: IMPORT_RESPONSES,
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
          'says which entry: another type is another entry. A new entry for a tag seen offline gets `firstSeenOffline`. ' +
          '`language` (RFC 5646, at most 8 characters, e.g. `nl-BE`) is sent to 2.0.1 chargers as idTokenInfo.language1 and picks ' +
          'the tariff text the driver is shown (personalMessage, updatedPersonalMessage, 1.6 SetUserPrice).',
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
      patch: operation({
        tags: ['Id tags'],
        operationId: 'patchIdTag',
        summary: 'Change some fields of an id tag entry, keeping the others (JSON merge patch)',
        description:
          'Only the fields given change (RFC 7396): `{"status": "Blocked"}` blocks the tag and keeps its expiry and group; ' +
          '`null` clears `expiryDate` or `parentIdTag`; `status` cannot be cleared. The entry is the one `?type=` names (left out: ' +
          'the entry for any type); its type cannot be patched. Nothing is created: 404 for an unknown entry. A charger that ' +
          'read the tag within `ID_TAG_CACHE_SECONDS` may act on its old record until that time is up. Needs `admin`.',
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('IdTagPatch') } } },
        responses: {
          '200': jsonResponse('Changed (or already so)', objectOf({ idTag: schemaRef('IdTag') })),
          '400': errorResponse({
            ...BAD_ID_TAG,
            ...BAD_PARAMETER,
            InvalidJson: 'the body is not JSON',
            InvalidPayload: 'the body fails the schema (`issues` lists the fields), or names `type`',
          }),
          '404': errorResponse({ UnknownIdTag: 'no such entry (nothing is created)' }),
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
    '/trust-roots': {
      get: operation({
        tags: ['Trust roots'],
        operationId: 'listTrustRoots',
        summary: 'The ISO 15118 trust store: V2G / mobility-operator roots and sub-CAs, by id',
        description:
          'Plug & Charge contract certificates (Authorize with `certificate`, C07.FR.06) must chain to a root here, and an OCSP ' +
          'response is believed only when signed by the issuer of the certificate asked about, or by a responder it authorised, ' +
          'whose key is known from here (RFC 6960 §4.2.2.2). Empty, every contract certificate is refused `CertChainError`.',
        responses: { '200': jsonResponse('Every entry (at most 100)', objectOf({ trustRoots: { type: 'array', items: TRUST_ROOT } })) },
      }),
    },
    '/trust-roots/{trustRootId}': {
      parameters: [{ name: 'trustRootId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' }, description: 'The operator\'s name for the entry' }],
      get: operation({
        tags: ['Trust roots'],
        operationId: 'getTrustRoot',
        summary: 'One trust-store entry',
        responses: {
          '200': jsonResponse('The entry', objectOf({ trustRoot: TRUST_ROOT })),
          '400': errorResponse(BAD_PARAMETER),
          '404': errorResponse({ UnknownTrustRoot: 'no entry with this id' }),
        },
      }),
      put: operation({
        tags: ['Trust roots'],
        operationId: 'putTrustRoot',
        summary: 'Add or replace a trust-store entry: one CA certificate, PEM',
        description:
          'A self-signed CA certificate is a root (an anchor); any other CA certificate (an MO sub-CA, so that hash data alone can ' +
          'name its issuer) is trusted only while it verifies up to a root in the store. Certificates are public: a body holding a ' +
          'private key is refused and nothing of it is kept.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['certificate'], additionalProperties: false, properties: { certificate: { type: 'string', description: 'One PEM CERTIFICATE block' } } } } },
        },
        responses: {
          '200': jsonResponse('Replaced', objectOf({ trustRoot: TRUST_ROOT })),
          '201': jsonResponse('Created', objectOf({ trustRoot: TRUST_ROOT })),
          '400': errorResponse({
            ...BAD_PARAMETER,
            InvalidJson: 'the body is not JSON',
            InvalidPayload: 'the body is not `{"certificate": "<PEM>"}`',
            InvalidCertificate: 'not exactly one readable X.509 CA certificate, or expired (the message says which)',
            PrivateKeyRefused: 'the body holds a PEM private key',
          }),
          '409': errorResponse({ TrustStoreFull: 'the store holds 100 entries; delete one first' }),
        },
      }),
      delete: operation({
        tags: ['Trust roots'],
        operationId: 'deleteTrustRoot',
        summary: 'Remove a trust-store entry (sub-CAs it anchored are no longer trusted)',
        responses: {
          '204': { description: 'Deleted' },
          '400': errorResponse(BAD_PARAMETER),
          '404': errorResponse({ UnknownTrustRoot: 'no entry with this id' }),
        },
      }),
    },
    '/firmware': {
      get: operation({
        tags: ['Chargers'],
        operationId: 'listFleetFirmware',
        summary: 'The fleet\'s firmware: each charger with the version its last boot reported and its latest firmware job, by charger id',
        description: 'Read from D1 as the chargers\' objects last flushed it; GET /chargers/{chargerId}/firmware-jobs reads one charger fresh.',
        parameters: [
          query('version', { type: 'string', minLength: 1, maxLength: 50 }, 'Only chargers whose last boot reported this firmware version'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse('A page of chargers', {
            type: 'object',
            required: ['chargers', 'nextCursor'],
            properties: {
              chargers: { type: 'array', items: schemaRef('ChargerFirmware') },
              nextCursor: { type: ['string', 'null'] },
            },
          }),
          '400': errorResponse(BAD_PARAMETER),
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
}

/** What both CSV imports share (POST /id-tags/import, /chargers/import; src/api/imports.ts). */
export const IMPORT_TEXT =
  `The body is \`text/csv\` (RFC 4180: quoted fields, doubled quotes, CRLF or LF; a UTF-8 BOM is dropped), at most ${MAX_IMPORT_ROWS} rows ` +
  `and ${MAX_IMPORT_BYTES} bytes, its first row naming the columns in any order. Each row is checked as PUT checks its body and reported ` +
  '`created`, `updated`, `unchanged` (already so: not written) or `failed` (with `error: {code, message, issues?}`) under the line it starts on; ' +
  'a bad row never stops the others. A row is written whole or not at all, and the good rows are written together in one D1 batch ' +
  '(hundreds of rows a statement): a D1 failure writes none (500; sending the file again is safe). `?dryRun=true` checks and reports, writing nothing.';

export const IMPORT_DRY_RUN: Json = query('dryRun', { type: 'string', enum: ['true', 'false'] }, 'true: check and report, write nothing');

export const IMPORT_REPORT: Json = {
  type: 'object',
  required: ['dryRun', 'created', 'updated', 'unchanged', 'failed', 'rows'],
  properties: {
    dryRun: { type: 'boolean' },
    created: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer' },
    failed: { type: 'integer' },
    closedConnections: { type: 'integer', description: 'Chargers only: connections closed because a changed Security Profile no longer admits them (4003)' },
    rows: {
      type: 'array',
      description: 'One per data row, in file order',
      items: {
        type: 'object',
        required: ['line', 'id', 'outcome'],
        properties: {
          line: { type: 'integer', description: 'The line the row starts on (the header is line 1)' },
          id: { type: ['string', 'null'], description: "The row's key cell (idTag, or charger id) as written; null when empty" },
          outcome: { type: 'string', enum: ['created', 'updated', 'unchanged', 'failed'] },
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string', enum: ['InvalidRow', 'DuplicateRow'] }, message: { type: 'string' }, issues: { type: 'array' } },
          },
        },
      },
    },
  },
};

export const IMPORT_RESPONSES: Json = {
  '200': jsonResponse('The per-row report', IMPORT_REPORT),
  '400': errorResponse({
    ...BAD_PARAMETER,
    InvalidCsv: 'the file cannot be read (`line`), has no header, or the header names an unknown, repeated or missing column (`column`); nothing was imported',
    ColumnRefused: 'chargers: a `password` column (credentials are never imported); nothing was imported',
    InvalidEncoding: 'the body is not UTF-8',
  }),
  '413': errorResponse({ PayloadTooLarge: `over ${MAX_IMPORT_BYTES} bytes`, TooManyRows: `over ${MAX_IMPORT_ROWS} rows; nothing was imported` }),
  '415': errorResponse({ UnsupportedMediaType: 'the body is not `text/csv`' }),
};
