// The OpenAPI document and the API reference page: served without a token, true to the routes,
// and complete for the OCPP commands of both versions.
import { toJsonSchema } from '@valibot/to-json-schema';
import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_TIMEOUT_SECONDS } from '../../src/config';
import { app } from '../../src/index';
import { MAX_TTL_SECONDS } from '../../src/api/openapi';
import {
  convertVersionSchemas,
  exportedSchemas,
  ocppConversionConfig,
  OCPP_VERSIONS_DOCUMENTED,
} from '../../src/api/openapi-commands';
import * as v16Actions from '../../src/ocpp/v16/actions';
import * as v201Actions from '../../src/ocpp/v201/actions';
import * as v21Actions from '../../src/ocpp/v21/actions';
import { api, uniqueChargerId, worker } from './helpers';

/** Every operation the API has, as `METHOD /path` under /api/v1. Keep in step with the routes. */
const OPERATIONS = [
  'GET /health',
  'GET /openapi.json',
  'GET /docs',
  'GET /chargers',
  'GET /chargers/summary',
  'GET /chargers/{chargerId}',
  'PUT /chargers/{chargerId}',
  'DELETE /chargers/{chargerId}',
  'POST /chargers/import',
  'PUT /chargers/{chargerId}/registration',
  'POST /chargers/{chargerId}/password',
  'POST /chargers/{chargerId}/disconnect',
  'POST /chargers/{chargerId}/security-commands',
  'POST /chargers/{chargerId}/commands/{action}',
  'GET /chargers/{chargerId}/commands',
  'GET /commands/{commandId}',
  'GET /protocols/{version}/commands',
  'GET /transactions',
  'GET /cdrs',
  'POST /transactions/{id}/cost',
  'GET /transactions/{id}/cost/revisions',
  'GET /chargers/{chargerId}/transactions/{transactionId}',
  'GET /chargers/{chargerId}/meter-values',
  'GET /chargers/{chargerId}/status-history',
  'GET /chargers/{chargerId}/connections',
  'GET /chargers/{chargerId}/reports',
  'GET /chargers/{chargerId}/logs',
  'GET /chargers/{chargerId}/logs/{requestId}/file',
  'GET /security-events',
  'GET /chargers/{chargerId}/reports/requests/{requestId}',
  'GET /chargers/{chargerId}/monitors',
  'GET /chargers/{chargerId}/event-streams',
  'GET /chargers/{chargerId}/event-streams/{streamId}/values',
  'GET /chargers/{chargerId}/events',
  'GET /chargers/{chargerId}/display-messages',
  'GET /chargers/{chargerId}/customer-information',
  'GET /chargers/{chargerId}/messages',
  'GET /chargers/{chargerId}/configuration',
  'GET /chargers/{chargerId}/charging-profiles',
  'GET /chargers/{chargerId}/reservations',
  'GET /chargers/{chargerId}/certificates',
  'GET /chargers/{chargerId}/der-controls',
  'GET /chargers/{chargerId}/der-alarms',
  'GET /chargers/{chargerId}/firmware-jobs',
  'GET /chargers/{chargerId}/charging-profiles/{profileId}/dynamic',
  'PUT /chargers/{chargerId}/charging-profiles/{profileId}/dynamic',
  'GET /chargers/{chargerId}/battery-swaps',
  'GET /firmware',
  'GET /chargers/{chargerId}/composite-schedule',
  'GET /chargers/{chargerId}/local-list',
  'POST /chargers/{chargerId}/local-list',
  'GET /tokens',
  'POST /tokens',
  'DELETE /tokens/{tokenId}',
  'GET /isolate-stats',
  'GET /id-tags',
  'GET /id-tags/{idTag}',
  'PUT /id-tags/{idTag}',
  'DELETE /id-tags/{idTag}',
  'PATCH /id-tags/{idTag}',
  'POST /id-tags/import',
  'GET /seen-offline-tags',
  'GET /seen-offline-tags/{idTag}',
  'DELETE /seen-offline-tags/{idTag}',
  'GET /trust-roots',
  'GET /trust-roots/{trustRootId}',
  'PUT /trust-roots/{trustRootId}',
  'DELETE /trust-roots/{trustRootId}',
  'POST /archive/run',
  'GET /tariffs',
  'GET /tariffs/{tariffId}',
  'PUT /tariffs/{tariffId}',
  'DELETE /tariffs/{tariffId}',
  'GET /tariffs/{tariffId}/versions/{version}',
  'GET /tariff-assignments',
  'PUT /tariff-assignments/default',
  'DELETE /tariff-assignments/default',
  'PUT /tariff-assignments/chargers/{chargerId}',
  'DELETE /tariff-assignments/chargers/{chargerId}',
  'PUT /tariff-assignments/id-tag-groups/{group}',
  'DELETE /tariff-assignments/id-tag-groups/{group}',
  'GET /chargers/{chargerId}/tariff',
  'POST /chargers/{chargerId}/tariffs/default',
  'POST /chargers/{chargerId}/transactions/{transactionId}/tariff',
  'DELETE /chargers/{chargerId}/tariffs',
  'GET /chargers/{chargerId}/tariffs/installed',
  'POST /chargers/{chargerId}/tariffs/installed',
  'GET /whoami',
  'GET /audit',
  'POST /live/tickets',
  'GET /live',
  'GET /sites',
  'POST /sites',
  'GET /sites/{siteId}',
  'PUT /sites/{siteId}',
  'DELETE /sites/{siteId}',
  'PUT /sites/{siteId}/circuits/{circuitId}',
  'DELETE /sites/{siteId}/circuits/{circuitId}',
  'PUT /sites/{siteId}/chargers/{chargerId}',
  'DELETE /sites/{siteId}/chargers/{chargerId}',
  'PUT /sites/{siteId}/external-limit',
  'DELETE /sites/{siteId}/external-limit',
  'GET /sites/{siteId}/allocation',
  'GET /sites/{siteId}/load',
  'GET /sites/{siteId}/log',
  'GET /chargers/{chargerId}/site',
].sort();

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  security: unknown[];
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
};

let cached: Doc | undefined;
async function openApi(): Promise<Doc> {
  if (!cached) {
    const res = await worker('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    cached = (await res.json()) as Doc;
  }
  return cached;
}

function documentedOperations(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

/** Where `doc` points with a local `$ref`. */
function resolve(doc: Doc, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<any>((node, key) => node?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is served without a token, as OpenAPI 3.1 with a bearer scheme', async () => {
    const res = await worker('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.servers[0]!.url).toBe('/api/v1');
    expect(doc.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    // Either a bearer token or a Cloudflare Access assertion (when Access is configured).
    expect(doc.security).toEqual([{ bearerAuth: [] }, { cloudflareAccess: [] }]);
    expect(doc.components.securitySchemes.cloudflareAccess).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Cf-Access-Jwt-Assertion' }));
    for (const path of ['/health', '/openapi.json', '/docs']) expect(doc.paths[path]!.get.security).toEqual([]);
    expect(doc.paths['/chargers']!.get.security).toBeUndefined();
    // A wrong token does not matter either.
    expect((await worker('/api/v1/openapi.json', { headers: { authorization: 'Bearer wrong' } })).status).toBe(200);
  });

  it('documents exactly the routes the Worker has', async () => {
    const doc = await openApi();
    expect(documentedOperations(doc)).toEqual(OPERATIONS);
    const routes = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/'))
        .map((r) => `${r.method} ${r.path.slice('/api/v1'.length).replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`),
    );
    expect([...routes].sort()).toEqual(OPERATIONS);
  });

  it('names routes that answer: no documented GET is a 404 NotFound', async () => {
    const doc = await openApi();
    const chargerId = uniqueChargerId('DOC');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    const values: Record<string, string> = { chargerId, transactionId: '42', requestId: '7', commandId: 'nope', idTag: 'NO-SUCH-TAG', tariffId: 'NO-SUCH-TARIFF', version: '1', id: '999999999', streamId: '7', profileId: '1', siteId: 'NO-SUCH-SITE' };
    // Required query parameters, with a sample value.
    const required: Record<string, string> = { evseId: '1' };
    // A WebSocket (x-websocket) answers a plain GET with an error by design: test/workers/live.test.ts covers it.
    const gets = Object.keys(doc.paths).filter((path) => doc.paths[path]!.get && !doc.paths[path]!.get['x-websocket']);
    expect(gets.length).toBeGreaterThan(15);
    for (const path of gets) {
      const needed = ((doc.paths[path]!.get.parameters ?? []) as Array<{ name?: string; required?: boolean }>)
        .filter((p) => p.required)
        .map((p) => `${p.name}=${required[p.name!]}`);
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!)) + (needed.length ? `?${needed.join('&')}` : '');
      const res = await api('GET', url);
      const text = await res.text();
      expect(res.status, `GET ${url}: ${text.slice(0, 200)}`).toBeLessThan(500);
      if (res.status === 404) {
        // The route exists: it answers its own 404 (UnknownTransaction, UnknownCommand, ...), not the router's.
        const code = (JSON.parse(text) as { error: { code: string } }).error.code;
        expect(code, `GET ${url}`).not.toBe('NotFound');
        expect(JSON.stringify(doc.paths[path]!.get.responses['404'])).toContain(code);
      } else {
        expect(res.status, `GET ${url}: ${text.slice(0, 200)}`).toBe(200);
      }
    }
  });

  it('has a schema for every CSMS-initiated action of each version, request and response', async () => {
    const doc = await openApi();
    const command = doc.paths['/chargers/{chargerId}/commands/{action}']!.post;
    const byVersion = command['x-ocpp-actions'] as Record<string, Array<{ action: string; request: { $ref: string }; response: { $ref: string } }>>;
    const expected = { 'ocpp1.6': ['v16', v16Actions.CSMS_INITIATED], 'ocpp2.0.1': ['v201', v201Actions.CSMS_INITIATED], 'ocpp2.1': ['v21', v21Actions.CSMS_INITIATED] } as const;
    const actionParameter = doc.paths['/chargers/{chargerId}/commands/{action}']!.parameters.find((p: { name: string }) => p.name === 'action');
    const requestRefs = command.requestBody.content['application/json'].schema.anyOf.map((s: { $ref: string }) => s.$ref);
    for (const [version, [prefix, actions]] of Object.entries(expected)) {
      expect(byVersion[version]!.map((a) => a.action).sort()).toEqual([...actions].sort());
      for (const action of actions) {
        for (const kind of ['Request', 'Response']) {
          const schema = doc.components.schemas[`${prefix}.${action}${kind}`];
          expect(schema, `${prefix}.${action}${kind}`).toMatchObject({ type: 'object' });
        }
        expect(requestRefs).toContain(`#/components/schemas/${prefix}.${action}Request`);
        expect(actionParameter.schema.enum).toContain(action);
      }
    }
    expect(requestRefs).toHaveLength(v16Actions.CSMS_INITIATED.length + v201Actions.CSMS_INITIATED.length + v21Actions.CSMS_INITIATED.length);
    // 1.6 Plug & Charge over DataTransfer: PnC.<action> with the 2.0.1 schemas, already among the request schemas.
    const pnc = command['x-pnc16-actions'] as Array<{ action: string; request: { $ref: string }; response: { $ref: string } }>;
    expect(pnc.map((a) => a.action).sort()).toEqual(['PnC.CertificateSigned', 'PnC.DeleteCertificate', 'PnC.GetInstalledCertificateIds', 'PnC.InstallCertificate', 'PnC.TriggerMessage']);
    for (const entry of pnc) {
      const message = entry.action.slice('PnC.'.length);
      expect(entry.request.$ref).toBe(`#/components/schemas/v201.${message}Request`);
      expect(entry.response.$ref).toBe(`#/components/schemas/v201.${message}Response`);
      expect(actionParameter.schema.enum).toContain(entry.action);
    }
    // Charger-initiated messages are not commands.
    expect(doc.components.schemas['v16.BootNotificationRequest']).toBeUndefined();
  });

  it('converts the OCPP schemas into plain JSON Schema', async () => {
    const { components } = await openApi();
    const s = components.schemas;
    expect(s['v16.ResetRequest']).toMatchObject({
      type: 'object',
      properties: { type: { type: 'string', enum: ['Hard', 'Soft'] } },
      required: ['type'],
      additionalProperties: false,
    });
    expect(s['v201.ResetRequest']).toMatchObject({
      properties: { type: { enum: ['Immediate', 'OnIdle'] }, evseId: { type: 'integer' }, customData: { $ref: '#/components/schemas/v201.CustomDataType' } },
      required: ['type'],
      additionalProperties: false,
    });
    // 2.0.1 CustomDataType is the one open object.
    expect(s['v201.CustomDataType']).toMatchObject({ type: 'object', required: ['vendorId'] });
    expect(s['v201.CustomDataType'].additionalProperties).toBeUndefined();
    expect(s['v16.ChangeConfigurationRequest'].properties.key).toEqual({ type: 'string', maxLength: 50 });
    expect(s['v16.UpdateFirmwareRequest'].properties.retrieveDate).toEqual({ type: 'string', format: 'date-time' });
    const period = s['v16.SetChargingProfileRequest'].properties.csChargingProfiles.properties.chargingSchedule.properties.chargingSchedulePeriod;
    expect(period.items.properties.limit).toEqual({ type: 'number', multipleOf: 0.1 });
    expect(s['v201.GetVariablesRequest'].properties.getVariableData).toMatchObject({ type: 'array', minItems: 1 });

    // Only JSON Schema keywords, every object closed but CustomDataType, every reference resolvable.
    const keywords = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'format', 'maxLength',
      'minLength', 'maximum', 'minimum', 'multipleOf', 'minItems', 'maxItems', '$ref', 'description']);
    const check = (name: string, node: any): void => {
      for (const key of Object.keys(node)) expect(keywords, `${name}: ${key}`).toContain(key);
      if (node.type === 'object' && name !== 'v201.CustomDataType') expect(node.additionalProperties, name).toBe(false);
      for (const child of Object.values(node.properties ?? {})) check(name, child);
      if (node.items) check(name, node.items);
    };
    const ocppNames = Object.keys(s).filter((name) => /^v(16|201)\./.test(name));
    expect(ocppNames.length).toBeGreaterThan(100);
    for (const name of ocppNames) check(name, s[name]);
  });

  it('has every reference resolvable', async () => {
    const doc = await openApi();
    const refs = new Set(refsIn(doc));
    expect(refs.size).toBeGreaterThan(50);
    for (const ref of refs) expect(resolve(doc, ref), ref).toBeDefined();
  });

  it('describes the API’s own bodies and errors', async () => {
    const doc = await openApi();
    const s = doc.components.schemas;
    expect(s['IdTagPut']).toMatchObject({
      type: 'object',
      required: ['status'],
      additionalProperties: false,
      properties: {
        status: { enum: ['Accepted', 'Blocked', 'Expired', 'Invalid'] },
        expiryDate: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
      },
    });
    expect(s['Error']).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message'] } } });
    const put = doc.paths['/id-tags/{idTag}']!.put;
    expect(put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/IdTagPut' });
    expect(put.responses['400'].description).toContain('InvalidPayload');
    // The tariff body is the model's valibot schema (src/tariffs/model.ts), converted.
    expect(s['TariffPut']).toMatchObject({
      type: 'object',
      required: ['currency', 'elements'],
      additionalProperties: false,
      properties: { elements: { type: 'array', minItems: 1 }, time_zone: { type: 'string' } },
    });
    expect(doc.paths['/tariffs/{tariffId}']!.put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TariffPut' });
  });

  it('states the limits the API enforces', async () => {
    const doc = await openApi();
    const params = doc.paths['/chargers/{chargerId}/commands/{action}']!.post.parameters as Array<{ name: string; schema: any }>;
    const ttl = params.find((p) => p.name === 'ttlSeconds')!.schema;
    const timeout = params.find((p) => p.name === 'timeoutSeconds')!.schema;
    expect(ttl.maximum).toBe(MAX_TTL_SECONDS);
    expect(timeout.maximum).toBe(MAX_COMMAND_TIMEOUT_SECONDS);

    const id = uniqueChargerId('DOC');
    await api('PUT', `/chargers/${id}`);
    const queue = (query: string) => api('POST', `/chargers/${id}/commands/ClearCache?queue=true&${query}`, {});
    expect((await queue(`ttlSeconds=${MAX_TTL_SECONDS}`)).status).toBe(202);
    expect((await queue(`ttlSeconds=${MAX_TTL_SECONDS + 1}`)).status).toBe(400);
    expect((await queue(`timeoutSeconds=${MAX_COMMAND_TIMEOUT_SECONDS + 1}`)).status).toBe(400);
  });
});

describe('the OCPP schema conversion', () => {
  it('converts every exported schema of both versions without an error', () => {
    let converted = 0;
    for (const entry of OCPP_VERSIONS_DOCUMENTED) {
      const config = ocppConversionConfig(entry.prefix);
      for (const [name, schema] of exportedSchemas(entry.module)) {
        expect(() => toJsonSchema(schema, config), `${entry.prefix}.${name}`).not.toThrow();
        converted += 1;
      }
      // As definitions of each other: every request and response schema among them, by its export name.
      const definitions = convertVersionSchemas(entry);
      const names = new Map([...exportedSchemas(entry.module)].map(([name, schema]) => [schema, name]));
      for (const table of [entry.module.requestSchemas, entry.module.responseSchemas]) {
        for (const [action, schema] of Object.entries(table)) {
          expect(definitions[names.get(schema)!], `${entry.prefix} ${action}`).toMatchObject({ type: 'object' });
        }
      }
    }
    expect(converted).toBeGreaterThanOrEqual(256);
  });
});

describe('the API reference page', () => {
  it('is self-contained HTML, served without a token', async () => {
    const res = await worker('/api/v1/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*stylesheet/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain("fetch('./openapi.json'");
    expect(html).not.toContain('innerHTML');
  });

  it('carries a Content-Security-Policy that allows exactly its inline script and style', async () => {
    const res = await worker('/api/v1/docs');
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const digest = async (text: string) =>
      btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`script-src 'sha256-${await digest(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${await digest(style)}'`);
  });
});
