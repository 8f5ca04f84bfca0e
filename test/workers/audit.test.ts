// Who is calling (GET /whoami) and the audit log of changes (GET /audit), for API tokens; Access users are covered end to end (test/e2e/access.test.ts).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/index';
import { API_TOKEN, api, uniqueChargerId, worker } from './helpers';

async function newToken(scopes: string[]): Promise<{ token: string; id: string }> {
  const res = await api('POST', '/tokens', { name: `audit ${scopes.join('+')}`, scopes });
  expect(res.status).toBe(201);
  const body = (await res.json()) as any;
  return { token: body.token, id: body.apiToken.id };
}

/** The audit entries matching `query`, once `count` of them are there (they are written after the answer). */
async function auditEntries(query: Record<string, string>, count: number): Promise<any[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await api('GET', `/audit?${new URLSearchParams(query)}`);
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as any;
    if (entries.length >= count || Date.now() > deadline) return entries;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /whoami', () => {
  it('names the API token calling and its scopes', async () => {
    const root = await api('GET', '/whoami');
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual({ actor: { kind: 'token', id: 'root', name: 'API_TOKEN' }, scopes: ['admin'] });
    const reader = await newToken(['read']);
    const res = await api('GET', '/whoami', undefined, reader.token);
    expect(await res.json()).toEqual({ actor: { kind: 'token', id: reader.id, name: 'audit read' }, scopes: ['read'] });
    expect((await api('GET', '/whoami', undefined, 'wrong')).status).toBe(401);
  });

  it('ignores a Cf-Access-Jwt-Assertion when Access is not configured: never trusted unverified', async () => {
    // Shaped like an Access token, unsigned: without ACCESS_TEAM_DOMAIN / ACCESS_AUD nothing reads it.
    const fake = `${btoa('{"alg":"none"}')}.${btoa('{"email":"admin@example.com"}')}.`;
    const res = await worker('/api/v1/whoami', { headers: { 'cf-access-jwt-assertion': fake } });
    expect(res.status).toBe(401);
    const put = await worker('/api/v1/id-tags/ACCESS-IGNORED', {
      method: 'PUT',
      headers: { 'cf-access-jwt-assertion': fake, 'content-type': 'application/json' },
      body: '{"status":"Accepted"}',
    });
    expect(put.status).toBe(401);
    expect((await api('GET', '/id-tags/ACCESS-IGNORED')).status).toBe(404);
  });
});

describe('Cloudflare Access configuration', () => {
  const whoami = (vars: Record<string, string | undefined>, headers: Record<string, string> = { authorization: `Bearer ${API_TOKEN}` }) =>
    Promise.resolve(app.request('/api/v1/whoami', { headers }, { ...env, ...vars }));

  it('half set or malformed stops the API with 503 AccessMisconfigured saying what is wrong, tokens or not', async () => {
    for (const [vars, message] of [
      [{ ACCESS_TEAM_DOMAIN: 'team' }, /ACCESS_AUD is not/],
      [{ ACCESS_AUD: 'aud' }, /ACCESS_TEAM_DOMAIN is not/],
      [{ ACCESS_TEAM_DOMAIN: 'team', ACCESS_AUD: 'aud', ACCESS_SCOPES: 'admin=alice' }, /ACCESS_SCOPES is not JSON/],
    ] as const) {
      const res = await whoami(vars);
      expect(res.status).toBe(503);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe('AccessMisconfigured');
      expect(body.error.message).toMatch(message);
    }
  });

  it('configured without API_TOKEN, the API is not 503 but wants an identity: tokens made through the API or Access', async () => {
    const res = await whoami({ ACCESS_TEAM_DOMAIN: 'team', ACCESS_AUD: 'aud', API_TOKEN: undefined }, {});
    expect(res.status).toBe(401);
    // The root token is gone with its secret.
    expect((await whoami({ ACCESS_TEAM_DOMAIN: 'team', ACCESS_AUD: 'aud', API_TOKEN: undefined })).status).toBe(401);
  });
});

describe('the audit log', () => {
  it('records each change with the token that asked, the route, its targets and the outcome; never the body', async () => {
    const admin = await newToken(['admin']);
    const chargerId = uniqueChargerId('AUDIT');
    const password = 'Audit-Secret-Password-123';
    const put = await api('PUT', `/chargers/${chargerId}`, { securityProfile: 1, password }, admin.token);
    expect(put.status).toBe(201);
    const requestId = put.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    // Refused (the charger is not connected to be told): an attempt is recorded with its outcome all the same.
    const change = await api('POST', `/chargers/${chargerId}/password`, { password: `${password}-2` }, admin.token);
    // A read is not a change.
    expect((await api('GET', `/chargers/${chargerId}`, undefined, admin.token)).status).toBe(200);

    const entries = await auditEntries({ actor: admin.id }, 2);
    expect(entries).toHaveLength(2);
    const [passwordEntry, putEntry] = entries;
    expect(putEntry).toEqual({
      id: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      actor: { kind: 'token', id: admin.id },
      method: 'PUT',
      route: '/api/v1/chargers/:chargerId',
      path: `/api/v1/chargers/${chargerId}`,
      target: { chargerId },
      status: 201,
      requestId,
    });
    expect(passwordEntry).toMatchObject({ method: 'POST', route: '/api/v1/chargers/:chargerId/password', target: { chargerId }, status: change.status });
    expect(passwordEntry.id).toBeGreaterThan(putEntry.id);
    const everything = await (await api('GET', '/audit?limit=500')).text();
    expect(everything).not.toContain(password);
  });

  it('records a change refused for want of a scope (403), not an unauthenticated one (401)', async () => {
    const reader = await newToken(['read']);
    const tag = `AUDIT-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' }, reader.token)).status).toBe(403);
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' }, 'not-a-token')).status).toBe(401);
    const entries = await auditEntries({ path: `/api/v1/id-tags/${tag}` }, 1);
    // Give a wrongly recorded 401 time to land too.
    await new Promise((r) => setTimeout(r, 200));
    const all = await auditEntries({ path: `/api/v1/id-tags/${tag}` }, 0);
    expect(all).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: { kind: 'token', id: reader.id }, method: 'PUT', route: '/api/v1/id-tags/:idTag', target: { idTag: tag }, status: 403 });
  });

  it('is read by admins only, newest first, filtered by actor, method, path prefix and time, in pages', async () => {
    const reader = await newToken(['read']);
    expect((await api('GET', '/audit', undefined, reader.token)).status).toBe(403);
    const commander = await newToken(['command']);
    expect((await api('GET', '/audit', undefined, commander.token)).status).toBe(403);

    const admin = await newToken(['admin']);
    const prefix = `AUDPG-${crypto.randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 3; i++) expect((await api('PUT', `/id-tags/${prefix}-${i}`, { status: 'Accepted' }, admin.token)).status).toBeLessThan(300);
    expect((await api('DELETE', `/id-tags/${prefix}-0`, undefined, admin.token)).status).toBeLessThan(300);
    const all = await auditEntries({ actor: admin.id }, 4);
    expect(all.map((e) => `${e.method} ${e.target.idTag}`)).toEqual([`DELETE ${prefix}-0`, `PUT ${prefix}-2`, `PUT ${prefix}-1`, `PUT ${prefix}-0`]);

    expect((await auditEntries({ actor: admin.id, method: 'delete' }, 1)).map((e) => e.method)).toEqual(['DELETE']);
    expect(await auditEntries({ path: `/api/v1/id-tags/${prefix}-1` }, 1)).toHaveLength(1);
    expect(await auditEntries({ actor: admin.id, from: '2999-01-01T00:00:00Z' }, 0)).toEqual([]);
    expect(await auditEntries({ actor: admin.id, to: all[0].at, from: all[3].at }, 3)).toHaveLength(all.filter((e) => e.at < all[0].at).length);

    const first = (await (await api('GET', `/audit?actor=${admin.id}&limit=3`)).json()) as any;
    expect(first.entries).toHaveLength(3);
    const second = (await (await api('GET', `/audit?actor=${admin.id}&limit=3&cursor=${first.nextCursor}`)).json()) as any;
    expect(second).toEqual({ entries: [all[3]], nextCursor: null });

    for (const bad of ['cursor=abc', 'method=GET', 'path=api', 'limit=0', 'from=yesterday']) {
      const res = await api('GET', `/audit?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as any).error.code).toBe('InvalidParameter');
    }
  });
});
