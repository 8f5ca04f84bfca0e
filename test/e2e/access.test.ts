// Cloudflare Access in front of the console and API, against `wrangler dev`: a stand-in team serves its key set on 127.0.0.1 (access-keys-server.ts); JWTs are signed here with keys made here.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REFETCH_MIN_MS } from '../../src/api/access-keys.ts';
import { ACCESS_AUD } from './access-keys-server.ts';
import { api, baseUrl, sleep } from './helpers.ts';

const teamDomain = (): string => inject('accessTeamDomain');

interface SigningKey {
  kid: string;
  pair: CryptoKeyPair;
}

async function signingKey(kid = `kid-${randomUUID()}`): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  return { kid, pair };
}

async function publish(...keys: SigningKey[]): Promise<void> {
  const jwks = await Promise.all(
    keys.map(async ({ kid, pair }) => {
      const { n, e } = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
      return { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e };
    }),
  );
  const res = await fetch(`${teamDomain()}/keys`, { method: 'PUT', body: JSON.stringify({ keys: jwks }) });
  expect(res.status).toBe(200);
}

const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/** An Access application token as Cloudflare issues one, signed with `key`; `claims` override the defaults. */
async function accessJwt(key: SigningKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    aud: [ACCESS_AUD],
    email: 'admin@e2e.test',
    exp: now + 600,
    iat: now,
    nbf: now,
    iss: teamDomain(),
    type: 'app',
    identity_nonce: 'nonce',
    sub: `sub-${String(claims.email ?? 'admin@e2e.test')}`,
    country: 'NL',
    ...claims,
  };
  const body = `${b64url(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }))}.${b64url(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.pair.privateKey, new TextEncoder().encode(body));
  return `${body}.${b64url(new Uint8Array(signature))}`;
}

/** A request as it reaches the Worker from behind Access: the assertion header, and the browser's Origin for changes (ours unless told). */
async function asUser(method: string, path: string, assertion: string, options: { body?: unknown; headers?: Record<string, string>; origin?: string | null } = {}) {
  const headers: Record<string, string> = { 'cf-access-jwt-assertion': assertion, ...options.headers };
  const origin = options.origin === undefined ? baseUrl() : options.origin;
  if (origin !== null && method !== 'GET') headers.origin = origin;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl()}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (the console page).
  }
  return { status: res.status, body, headers: res.headers };
}

async function keySetFetches(): Promise<number> {
  return ((await (await fetch(`${teamDomain()}/fetches`)).json()) as { fetches: number }).fetches;
}

/** The audit entries for `actor` once `count` are there (they are written after the answer). */
async function auditOf(actor: string, count: number): Promise<any[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await api('GET', `/audit?actor=${encodeURIComponent(actor)}`);
    expect(res.status).toBe(200);
    if (res.body.entries.length >= count || Date.now() > deadline) return res.body.entries;
    await sleep(50);
  }
}

describe('Cloudflare Access in front of the console and the API', () => {
  let team: SigningKey;

  beforeAll(async () => {
    team = await signingKey();
    await publish(team);
  });

  it('a valid assertion signs the user in with the scopes ACCESS_SCOPES gives their email, domain or group', async () => {
    const admin = await asUser('GET', '/api/v1/whoami', await accessJwt(team));
    expect(admin).toMatchObject({ status: 200, body: { actor: { kind: 'access', id: 'sub-admin@e2e.test', email: 'admin@e2e.test' }, scopes: ['admin'] } });
    const reader = await asUser('GET', '/api/v1/whoami', await accessJwt(team, { email: 'rita@readers.e2e.test' }));
    expect(reader.body.scopes).toEqual(['read']);
    const operator = await asUser('GET', '/api/v1/whoami', await accessJwt(team, { email: 'otto@elsewhere.test', custom: { groups: ['e2e-operators'] } }));
    expect(operator.body.scopes).toEqual(['command']);
    expect((await asUser('GET', '/api/v1/chargers', await accessJwt(team, { email: 'rita@readers.e2e.test' }))).status).toBe(200);

    // Scopes hold as for tokens: a reader cannot change an id tag.
    const tag = `ACC-${randomUUID().slice(0, 8)}`;
    const refused = await asUser('PUT', `/api/v1/id-tags/${tag}`, await accessJwt(team, { email: 'rita@readers.e2e.test' }), { body: { status: 'Accepted' } });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'InsufficientScope', needed: 'admin', granted: ['read'] } } });
    // The key set was fetched once for all of these (cached in the isolate).
    expect(await keySetFetches()).toBe(1);
  });

  it('a signed-in user no rule maps gets 403 AccessNotMapped, on the API and on the console page', async () => {
    const nobody = await accessJwt(team, { email: 'nobody@elsewhere.test' });
    const res = await asUser('GET', '/api/v1/whoami', nobody);
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'AccessNotMapped', email: 'nobody@elsewhere.test' } } });
    expect((await asUser('GET', '/dashboard', nobody)).status).toBe(403);
    expect((await asUser('GET', '/dashboard', await accessJwt(team))).status).toBe(200);
  });

  it('wrong audience, wrong issuer, expired, not yet valid, bad signature, unknown kid or alg none: 401, on the API and the console page', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = await signingKey(team.kid);
    const [h, p] = (await accessJwt(team)).split('.');
    const cases: Record<string, string> = {
      'wrong aud': await accessJwt(team, { aud: ['another-application'] }),
      'wrong iss': await accessJwt(team, { iss: 'https://other-team.cloudflareaccess.com' }),
      expired: await accessJwt(team, { exp: now - 3600, iat: now - 7200, nbf: now - 7200 }),
      'not yet valid': await accessJwt(team, { nbf: now + 3600 }),
      'bad signature (same kid, another key)': await accessJwt(stranger),
      'unknown kid': await accessJwt(await signingKey()),
      'alg none': `${b64url(JSON.stringify({ alg: 'none', kid: team.kid }))}.${p}.`,
      'alg HS256': `${b64url(JSON.stringify({ alg: 'HS256', kid: team.kid }))}.${p}.${b64url('x')}`,
      'payload changed': `${h}.${b64url(JSON.stringify({ aud: [ACCESS_AUD], email: 'admin@e2e.test', iss: teamDomain(), exp: now + 600 }))}.${(await accessJwt(team)).split('.')[2]}`,
      'not a JWT': 'garbage',
    };
    for (const [name, assertion] of Object.entries(cases)) {
      const res = await asUser('GET', '/api/v1/whoami', assertion);
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('Unauthorized');
      expect((await asUser('GET', '/dashboard', assertion)).status, `${name} (console)`).toBe(401);
    }
  });

  it('a change from another site (Origin not ours, or no Origin and no Sec-Fetch-Site same-origin) is 403 CrossSiteRequest and changes nothing', async () => {
    const admin = await accessJwt(team);
    const tag = `CSRF-${randomUUID().slice(0, 8)}`;
    const evil = await asUser('PUT', `/api/v1/id-tags/${tag}`, admin, { body: { status: 'Accepted' }, origin: 'https://evil.example' });
    expect(evil).toMatchObject({ status: 403, body: { error: { code: 'CrossSiteRequest' } } });
    const bare = await asUser('PUT', `/api/v1/id-tags/${tag}`, admin, { body: { status: 'Accepted' }, origin: null });
    expect(bare.status).toBe(403);
    const sameSite = await asUser('PUT', `/api/v1/id-tags/${tag}`, admin, { body: { status: 'Accepted' }, origin: null, headers: { 'sec-fetch-site': 'same-site' } });
    expect(sameSite.status).toBe(403);
    expect((await api('GET', `/id-tags/${tag}`)).status).toBe(404);

    // From our own pages it goes through, by Origin or by Sec-Fetch-Site.
    expect((await asUser('PUT', `/api/v1/id-tags/${tag}`, admin, { body: { status: 'Accepted' } })).status).toBeLessThan(300);
    const blocked = await asUser('PUT', `/api/v1/id-tags/${tag}`, admin, { body: { status: 'Blocked' }, origin: null, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(blocked.status).toBeLessThan(300);
    expect((await api('GET', `/id-tags/${tag}`)).body.idTag.status).toBe('Blocked');
  });

  it('a bearer token, when sent, decides over the assertion: its scopes, and a bad one is 401', async () => {
    const made = await api('POST', '/tokens', { name: 'e2e access reader', scopes: ['read'] });
    expect(made.status).toBe(201);
    const admin = await accessJwt(team);
    const tag = `BEARER-${randomUUID().slice(0, 8)}`;
    const res = await asUser('PUT', `/api/v1/id-tags/${tag}`, admin, { body: { status: 'Accepted' }, headers: { authorization: `Bearer ${made.body.token}` } });
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'InsufficientScope', granted: ['read'] } } });
    const who = await asUser('GET', '/api/v1/whoami', admin, { headers: { authorization: `Bearer ${made.body.token}` } });
    expect(who.body.actor).toEqual({ kind: 'token', id: made.body.apiToken.id, name: 'e2e access reader' });
    expect((await asUser('GET', '/api/v1/whoami', admin, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('records changes in the audit log under the Access email, and under the token id for tokens', async () => {
    const email = 'admin@e2e.test';
    const before = (await auditOf(email, 0)).length;
    const tag = `AUD-${randomUUID().slice(0, 8)}`;
    const put = await asUser('PUT', `/api/v1/id-tags/${tag}`, await accessJwt(team), { body: { status: 'Accepted' } });
    expect(put.status).toBeLessThan(300);
    const entries = await auditOf(email, before + 1);
    expect(entries[0]).toMatchObject({
      actor: { kind: 'access', id: 'sub-admin@e2e.test', email },
      method: 'PUT',
      route: '/api/v1/id-tags/:idTag',
      path: `/api/v1/id-tags/${tag}`,
      target: { idTag: tag },
      status: put.status,
      requestId: put.headers.get('x-request-id'),
    });
    // The same user is found by their Access id.
    expect((await auditOf('sub-admin@e2e.test', 1))[0].id).toBe(entries[0].id);

    const made = await api('POST', '/tokens', { name: 'e2e audit admin', scopes: ['admin'] });
    const byToken = await api('DELETE', `/id-tags/${tag}`, undefined, made.body.token);
    expect(byToken.status).toBeLessThan(300);
    const tokenEntries = await auditOf(made.body.apiToken.id, 1);
    expect(tokenEntries[0]).toMatchObject({ actor: { kind: 'token', id: made.body.apiToken.id }, method: 'DELETE', target: { idTag: tag } });
    expect(tokenEntries[0].actor.email).toBeUndefined();
  });

  it('takes a rotated key (a new kid) once the team publishes it', async () => {
    const next = await signingKey();
    // Signed with a key the team has not published: refused.
    expect((await asUser('GET', '/api/v1/whoami', await accessJwt(next))).status).toBe(401);
    // The team rotates: the new key beside the old one.
    await publish(team, next);
    // A made-up kid may make the Worker fetch the set again at most once per REFETCH_MIN_MS.
    await sleep(REFETCH_MIN_MS + 500);
    const fetchesBefore = await keySetFetches();
    expect((await asUser('GET', '/api/v1/whoami', await accessJwt(next))).status).toBe(200);
    expect(await keySetFetches()).toBe(fetchesBefore + 1);
    // Tokens signed with the previous key stay valid while the team still publishes it.
    expect((await asUser('GET', '/api/v1/whoami', await accessJwt(team))).status).toBe(200);
    team = next;
  });
});
