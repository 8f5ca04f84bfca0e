// Every /api/v1 GET takes only the query parameters the OpenAPI document declares for it
// (src/api/query-names.ts): an unknown one is a 400 naming it, not a filter silently ignored.
import { describe, expect, it } from 'vitest';
import { api, uniqueChargerId, worker } from './helpers';

type Doc = { paths: Record<string, Record<string, any>>; components: { parameters: Record<string, { name: string; in: string }> } };

async function document(): Promise<Doc> {
  return (await (await worker('/api/v1/openapi.json')).json()) as Doc;
}

/** The query parameter names a documented GET declares, path-level and operation-level. */
function declaredQuery(doc: Doc, path: string): string[] {
  const item = doc.paths[path]!;
  return [...(item.parameters ?? []), ...(item.get.parameters ?? [])]
    .map((p: { $ref?: string; name?: string; in?: string }) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()!]! : p))
    .filter((p: { in?: string }) => p.in === 'query')
    .map((p: { name?: string }) => p.name!);
}

type ErrorBody = { error: { code: string; message: string; parameter?: string; accepted?: string[] } };

describe('unknown query parameters', () => {
  it('are a 400 UnknownQueryParameter on every documented GET, naming the parameter and listing the accepted ones', async () => {
    const doc = await document();
    const chargerId = uniqueChargerId('QNAMES');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    const values: Record<string, string> = { chargerId, transactionId: '42', requestId: '7', commandId: 'nope', idTag: 'NO-SUCH-TAG', tariffId: 'T', version: '1', id: '1' };
    const gets = Object.keys(doc.paths).filter((path) => doc.paths[path]!.get);
    expect(gets.length).toBeGreaterThan(40);
    for (const path of gets) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
      const res = await api('GET', `${url}?evseId=1&notAParameter=1`);
      const body = (await res.json()) as ErrorBody;
      expect(res.status, `GET ${url}`).toBe(400);
      const accepted = declaredQuery(doc, path);
      // evseId is declared by some GETs: the unknown one is the other.
      expect(body.error, `GET ${url}`).toEqual({
        code: 'UnknownQueryParameter',
        message: expect.stringContaining(accepted.includes('evseId') ? '"notAParameter"' : '"evseId"'),
        parameter: accepted.includes('evseId') ? 'notAParameter' : 'evseId',
        accepted,
      });
      // The documented 400 lists the code.
      expect(doc.paths[path]!.get.responses['400'].description, path).toContain('`UnknownQueryParameter`');
    }
  });

  it('a misspelt filter is refused, not ignored: GET /chargers?stat=faulted', async () => {
    const res = await api('GET', '/chargers?stat=faulted');
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('UnknownQueryParameter');
    expect(body.error.parameter).toBe('stat');
    expect(body.error.accepted).toEqual(['q', 'state', 'protocol', 'firmware', 'registration', 'sort', 'order', 'limit', 'cursor']);
    expect(body.error.message).toBe('GET /chargers has no query parameter "stat": it takes q, state, protocol, firmware, registration, sort, order, limit, cursor');
  });

  it('also on the GETs that need no token, and whatever the token', async () => {
    for (const path of ['/health', '/openapi.json', '/docs']) {
      const res = await worker(`/api/v1${path}?x=1`);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'UnknownQueryParameter', parameter: 'x', accepted: [] });
      expect((await worker(`/api/v1${path}`)).status, path).toBe(200);
    }
  });

  it('declared parameters pass, a one-value parameter given twice is a 400 InvalidParameter, and other methods are not checked', async () => {
    expect((await api('GET', '/transactions?status=active&limit=5')).status).toBe(200);
    const twice = await api('GET', '/transactions?limit=1&limit=2');
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as ErrorBody).error).toEqual({ code: 'InvalidParameter', message: 'limit is given 2 times: it takes one value' });
    // A route that does not exist is still the router's 404.
    const missing = await api('GET', '/no-such-thing?x=1');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).error.code).toBe('NotFound');
    // PUT /chargers/{chargerId} reads no query: the check is for GETs.
    expect((await api('PUT', `/chargers/${uniqueChargerId('QPUT')}?x=1`)).status).toBe(201);
  });

  it('a bad value of a known parameter is a 400 too: GET /chargers/{chargerId}/reservations?status=', async () => {
    const chargerId = uniqueChargerId('QRES');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    expect((await api('GET', `/chargers/${chargerId}/reservations?status=active`)).status).toBe(200);
    const res = await api('GET', `/chargers/${chargerId}/reservations?status=activ`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toEqual({ code: 'InvalidParameter', message: 'status must be active, used, cancelled, expired or removed' });
  });
});
