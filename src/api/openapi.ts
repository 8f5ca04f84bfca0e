// GET /api/v1/openapi.json — the OpenAPI 3.1 document of the HTTP API, built once per isolate.
//
// Schemas come from valibot: the OCPP payloads of every CSMS-initiated action of both versions
// (openapi-commands.ts) and the API's own bodies and records (openapi-shapes.ts). This file assembles
// the document; the operations are laid out by area in openapi-paths-*.ts, from openapi-operations.ts's blocks.

import type { Context } from 'hono';
import packageJson from '../../package.json';
import { MAX_CHARGER_ID_LENGTH } from '../ocpp/charger-id';
import { errorResponse, type Json, jsonResponse, objectOf, operation, query, REPEATED_PARAMETER, UNKNOWN_QUERY_PARAMETER } from './openapi-operations';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './query';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from './body';
import { ocppComponents } from './openapi-commands';
import { chargerPaths } from './openapi-paths-chargers';
import { commandPaths, scheduleAndLocalListPaths } from './openapi-paths-commands';
import { fleetPaths } from './openapi-paths-fleet';
import { historyPaths } from './openapi-paths-history';
import { logAndSecurityPaths } from './openapi-paths-logs';
import { reportViewPaths } from './openapi-paths-report-views';
import { eventStreamPaths } from './openapi-paths-event-streams';
import { tariffPaths, tariffSchemas } from './openapi-paths-tariffs';
import { ocpp21TariffPaths } from './openapi-paths-ocpp21-tariffs';
import { cdrPaths, cdrSchemas } from './openapi-paths-cdrs';
import { transactionCostPaths } from './openapi-paths-transaction-costs';
import { accessPaths } from './openapi-paths-access';
import { livePaths } from './openapi-paths-live';
import { derPaths, derSchemas } from './openapi-paths-der';
import { gridPaths } from './openapi-paths-grid';
import { sitePaths, siteSchemas } from './openapi-paths-sites';
import { apiShapeSchemas } from './openapi-shapes';

/** The longest `ttlSeconds` of a queued command (tests check the document against the API). */
export { MAX_TTL_SECONDS } from './openapi-paths-commands';

// ---- The document ----

function buildDocument(): Json {
  const ocpp = ocppComponents();

  // In this order: the document's path order is the order of the reference page.
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
    ...chargerPaths(),
    ...commandPaths(ocpp),
    ...historyPaths(),
    ...logAndSecurityPaths(),
    ...reportViewPaths(),
    ...eventStreamPaths(),
    ...scheduleAndLocalListPaths(),
    ...fleetPaths(),
    ...tariffPaths(),
    ...ocpp21TariffPaths(),
    ...cdrPaths(),
    ...transactionCostPaths(),
    ...accessPaths(),
    ...livePaths(),
    ...derPaths(),
    ...gridPaths(),
    ...sitePaths(),
  };

  for (const item of Object.values(paths)) {
    const get = item.get as Json | undefined;
    if (get) get.responses = withQueryChecks(get.responses as Record<string, Json>);
  }

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
        'without a configured `API_TOKEN` (nor Cloudflare Access) the API answers 503. Behind Cloudflare Access, a request without ' +
        '`Authorization` is authenticated by its `Cf-Access-Jwt-Assertion` (scopes by `ACCESS_SCOPES`); a bearer token, when sent, decides. Charger ids are 1–' +
        `${MAX_CHARGER_ID_LENGTH} printable ASCII characters without \`:\`, URL-encoded in the path.`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api/v1', description: 'This deployment' }],
    security: [{ bearerAuth: [] }, { cloudflareAccess: [] }],
    tags: [
      { name: 'Meta', description: 'Health and documentation; no token needed' },
      { name: 'Chargers', description: 'List, read and register chargers' },
      { name: 'Commands', description: 'Send OCPP commands to chargers, now or queued' },
      { name: 'Transactions', description: 'Charging sessions, recorded once with their energy' },
      { name: 'Charger history', description: 'What one charger reported or was told: meter values, statuses, connections, reports, configuration, charging profiles, reservations' },
      { name: 'Id tags', description: 'The tags and tokens the CSMS authorizes' },
      { name: 'Tariffs', description: 'OCPI 2.2.1 tariffs, their versions, and where they apply' },
      { name: 'Sites', description: 'Sites and load management: grid connections with limits, their circuits and chargers, and what their allocators do' },
      { name: 'Trust roots', description: 'The ISO 15118 (Plug & Charge) trust store: V2G and mobility-operator roots' },
      { name: 'Tokens', description: 'Operator API tokens and their scopes, who is calling, and the audit log' },
      { name: 'Archive', description: 'Moving old meter values from D1 to R2' },
      { name: 'Live', description: 'The live console feed: changes pushed over a WebSocket' },
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
        cloudflareAccess: {
          type: 'apiKey',
          in: 'header',
          name: 'Cf-Access-Jwt-Assertion',
          description:
            'Set by Cloudflare Access in front of the deployment (ACCESS_TEAM_DOMAIN, ACCESS_AUD): the signed-in user, with the scopes ACCESS_SCOPES maps their email or groups to. ' +
            'Used only when no `Authorization` header is sent; changes (POST, PUT, PATCH, DELETE) must come from this origin (`Origin`, or `Sec-Fetch-Site: same-origin`)',
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
        Unauthorized: errorResponse({
          Unauthorized: 'no `Authorization: Bearer` header, or the wrong token; or (Access) an assertion that is not valid: bad signature, unknown key, wrong audience or issuer, expired',
        }),
        InsufficientScope: errorResponse({
          InsufficientScope: 'the token lacks the scope this needs: `read` for GETs, `command` for commands, local lists and a site\'s external limit, `admin` for the rest (and for tokens and the audit log)',
          AccessNotMapped: 'a Cloudflare Access user whom `ACCESS_SCOPES` gives no scope',
          CrossSiteRequest: "a change by an Access user whose `Origin` is not this site's (or, without Origin, `Sec-Fetch-Site` is not `same-origin`)",
        }),
        ApiTokenNotConfigured: errorResponse({
          ApiTokenNotConfigured: 'the deployment has no `API_TOKEN` secret and no Cloudflare Access: the API fails closed',
          AccessMisconfigured: 'ACCESS_TEAM_DOMAIN, ACCESS_AUD or ACCESS_SCOPES is set wrongly (the message says how)',
          AccessKeysUnavailable: "the Access team's signing keys could not be fetched; try again shortly",
        }),
        InternalError: errorResponse({ InternalError: 'something failed on the server; the request may be retried' }),
        PayloadTooLarge: errorResponse({
          PayloadTooLarge:
            `the body is over ${MAX_BODY_BYTES} bytes: refused from its Content-Length, or once that many bytes have arrived, before it is parsed. ` +
            `A body must also be a JSON object nested at most ${MAX_BODY_DEPTH} levels deep (else 400 \`InvalidPayload\`); an empty body reads as \`{}\``,
        }),
      },
      schemas: { ...apiShapeSchemas(), ...tariffSchemas(), ...cdrSchemas(), ...derSchemas(), ...siteSchemas(), ...ocpp.schemas },
    },
  };
}

/**
 * Every GET refuses a query parameter it does not declare, and a one-value parameter given twice
 * (query-names.ts, which reads this document's declarations): its 400 says so, added to the codes it lists.
 */
function withQueryChecks(responses: Record<string, Json>): Record<string, Json> {
  const listed = String(responses['400']?.description ?? '');
  const added = errorResponse({ ...UNKNOWN_QUERY_PARAMETER, ...REPEATED_PARAMETER });
  const merged = listed ? { ...added, description: `${listed}\n\n${String(added.description)}` } : added;
  return { ...responses, '400': merged };
}

let document: Json | undefined;
let documentText: string | undefined;

/** The document, built on first use and kept for the isolate's life (query-names.ts reads its parameters). */
export function openApiDocument(): Json {
  document ??= buildDocument();
  return document;
}

/** The document as JSON text, built on first use and kept for the isolate's life. */
export function openApiText(): string {
  documentText ??= JSON.stringify(openApiDocument());
  return documentText;
}

/** GET /api/v1/openapi.json: documentation, served without a token. */
export function serveOpenApi(c: Context): Response {
  return c.body(openApiText(), 200, { 'content-type': 'application/json; charset=UTF-8' });
}
