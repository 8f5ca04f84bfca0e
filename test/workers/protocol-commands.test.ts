// GET /api/v1/protocols/{version}/commands: what the console builds its command forms from — every
// CSMS-initiated action of the version, each request schema self-contained, from the same conversion
// as the OpenAPI document; behind the read scope; cacheable; an unknown version is a 404.
import { describe, expect, it } from 'vitest';
import * as v16Actions from '../../src/ocpp/v16/actions';
import * as v201Actions from '../../src/ocpp/v201/actions';
import * as v21Actions from '../../src/ocpp/v21/actions';
import { api, worker } from './helpers';

type Schema = Record<string, any>;
type Answer = { version: string; actions: Array<{ action: string; request: Schema }> };

/** Every `$ref` in a schema. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k === '$ref') found.push(String(v)); else refs(v, found);
  }
  return found;
}

describe('GET /protocols/{version}/commands', () => {
  it('lists exactly the CSMS-initiated actions of each version, each request schema resolvable on its own and equal to the OpenAPI component', async () => {
    const doc = (await (await worker('/api/v1/openapi.json')).json()) as { components: { schemas: Record<string, Schema> } };
    for (const [version, actions, prefix] of [['ocpp1.6', v16Actions.CSMS_INITIATED, 'v16'], ['ocpp2.0.1', v201Actions.CSMS_INITIATED, 'v201'], ['ocpp2.1', v21Actions.CSMS_INITIATED, 'v21']] as const) {
      const res = await api('GET', `/protocols/${version}/commands`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Answer;
      expect(body.version).toBe(version);
      expect(body.actions.map((a) => a.action)).toEqual([...actions].sort());
      for (const { action, request } of body.actions) {
        for (const ref of refs(request)) {
          expect(ref, `${version} ${action}`).toMatch(/^#\/\$defs\//);
          expect(request.$defs?.[ref.slice('#/$defs/'.length)], `${version} ${action} ${ref}`).toBeDefined();
        }
        // The same conversion as the document: the root is its component, references aside.
        const { $defs: _defs, ...root } = request;
        expect(JSON.stringify(root).replaceAll('#/$defs/', '#/components/schemas/')).toBe(JSON.stringify(doc.components.schemas[`${prefix}.${action}Request`]));
      }
    }
    const setProfile = ((await (await api('GET', '/protocols/ocpp2.0.1/commands')).json()) as Answer).actions.find((a) => a.action === 'SetChargingProfile')!;
    expect(setProfile.request.required).toEqual(['evseId', 'chargingProfile']);
    expect(setProfile.request.$defs['v201.ChargingSchedulePeriodType'].required).toEqual(expect.arrayContaining(['startPeriod', 'limit']));
  });

  it('needs a token, is cacheable with an ETag, and answers an unknown version with 404 UnknownProtocol', async () => {
    expect((await worker('/api/v1/protocols/ocpp1.6/commands')).status).toBe(401);
    const res = await api('GET', '/protocols/ocpp1.6/commands');
    expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await worker('/api/v1/protocols/ocpp1.6/commands', { headers: { authorization: 'Bearer test-token', 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await api('GET', '/protocols/ocpp2.0.1/commands');
    expect(other.headers.get('etag')).not.toBe(etag);
    const unknown = await api('GET', '/protocols/ocpp2.2/commands');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'UnknownProtocol', message: expect.stringContaining('ocpp2.2') } });
    // Unknown query parameters are refused, as on every GET.
    expect((await api('GET', '/protocols/ocpp1.6/commands?x=1')).status).toBe(400);
  });
});
