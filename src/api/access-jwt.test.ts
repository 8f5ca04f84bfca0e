// Cloudflare Access assertions: RS256 verification over WebCrypto, the claims checked, the team's key set cached and refetched, scopes mapped, changes kept same-origin.
import { describe, expect, it } from 'vitest';
import { readAccessConfig } from '../config';
import { accessScopes, sameOriginChange } from './access-identity';
import { ACCESS_CLOCK_SKEW_SECONDS, importAccessKeys, verifyAccessJwt, type AccessVerifyOptions } from './access-jwt';
import { AccessKeyCache, AccessKeysUnavailable, KEYS_MAX_AGE_MS, REFETCH_MIN_MS } from './access-keys';

const ISSUER = 'https://team.cloudflareaccess.com';
const AUD = 'aud-tag-1';
const NOW = 1_900_000_000;

function b64url(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return btoa(String.fromCharCode(...data)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

async function rsaKey(bits = 2048): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
}

async function jwk(pair: CryptoKeyPair, kid: string): Promise<Record<string, unknown>> {
  const { n, e } = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  return { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e };
}

async function sign(pair: CryptoKeyPair, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, new TextEncoder().encode(body)));
  return `${body}.${b64url(signature)}`;
}

const CLAIMS = { aud: [AUD], email: 'Alice@Example.com', iss: ISSUER, sub: 'user-1', exp: NOW + 300, iat: NOW, nbf: NOW, type: 'app', custom: { groups: ['Operators'] } };

describe('an Access assertion (Cf-Access-Jwt-Assertion) is verified', async () => {
  const pair = await rsaKey();
  const other = await rsaKey();
  const keys = await importAccessKeys({ keys: [await jwk(pair, 'k1')] });
  const options: AccessVerifyOptions = { key: async (kid) => keys.get(kid), issuer: ISSUER, audiences: [AUD], now: NOW };
  const verdict = async (header: Record<string, unknown>, payload: Record<string, unknown>, key = pair) =>
    verifyAccessJwt(await sign(key, header, payload), options);

  it('a token signed by the team key, for our AUD, current: its email, sub and groups', async () => {
    expect(await verdict({ alg: 'RS256', kid: 'k1', typ: 'JWT' }, CLAIMS)).toEqual({
      ok: true,
      claims: { sub: 'user-1', email: 'Alice@Example.com', groups: ['Operators'] },
    });
    // aud as a single string, iss with a trailing slash, top-level groups: still Access's.
    expect(await verdict({ alg: 'RS256', kid: 'k1' }, { ...CLAIMS, aud: AUD, iss: `${ISSUER}/`, custom: undefined, groups: 'Admins' })).toMatchObject({
      ok: true,
      claims: { groups: ['Admins'] },
    });
  });

  it('refuses alg none, HS256 and anything but RS256, before any key is used', async () => {
    const payload = b64url(JSON.stringify(CLAIMS));
    const none = `${b64url(JSON.stringify({ alg: 'none', kid: 'k1' }))}.${payload}.`;
    expect(await verifyAccessJwt(none, options)).toEqual({ ok: false, reason: 'malformed' });
    const noneSigned = `${b64url(JSON.stringify({ alg: 'none', kid: 'k1' }))}.${payload}.${b64url('x')}`;
    expect(await verifyAccessJwt(noneSigned, options)).toEqual({ ok: false, reason: 'algorithm' });
    expect(await verdict({ alg: 'HS256', kid: 'k1' }, CLAIMS)).toEqual({ ok: false, reason: 'algorithm' });
    expect(await verdict({ alg: 'RS512', kid: 'k1' }, CLAIMS)).toEqual({ ok: false, reason: 'algorithm' });
  });

  it('refuses an unknown kid, a signature by another key, and a payload changed after signing', async () => {
    expect(await verdict({ alg: 'RS256', kid: 'k9' }, CLAIMS)).toEqual({ ok: false, reason: 'unknown-kid' });
    expect(await verdict({ alg: 'RS256', kid: 'k1' }, CLAIMS, other)).toEqual({ ok: false, reason: 'signature' });
    const [h, , s] = (await sign(pair, { alg: 'RS256', kid: 'k1' }, CLAIMS)).split('.');
    const forged = `${h}.${b64url(JSON.stringify({ ...CLAIMS, email: 'mallory@example.com' }))}.${s}`;
    expect(await verifyAccessJwt(forged, options)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses the wrong issuer or audience, and a token expired or not yet valid (beyond the skew)', async () => {
    const h = { alg: 'RS256', kid: 'k1' };
    expect(await verdict(h, { ...CLAIMS, iss: 'https://other.cloudflareaccess.com' })).toEqual({ ok: false, reason: 'issuer' });
    expect(await verdict(h, { ...CLAIMS, aud: ['another-app'] })).toEqual({ ok: false, reason: 'audience' });
    expect(await verdict(h, { ...CLAIMS, aud: undefined })).toEqual({ ok: false, reason: 'audience' });
    expect(await verdict(h, { ...CLAIMS, exp: NOW - ACCESS_CLOCK_SKEW_SECONDS - 1 })).toEqual({ ok: false, reason: 'expired' });
    expect(await verdict(h, { ...CLAIMS, exp: undefined })).toEqual({ ok: false, reason: 'expired' });
    expect(await verdict(h, { ...CLAIMS, exp: NOW - ACCESS_CLOCK_SKEW_SECONDS + 1 })).toMatchObject({ ok: true });
    expect(await verdict(h, { ...CLAIMS, nbf: NOW + ACCESS_CLOCK_SKEW_SECONDS + 1 })).toEqual({ ok: false, reason: 'not-yet-valid' });
    expect(await verdict(h, { ...CLAIMS, nbf: NOW + ACCESS_CLOCK_SKEW_SECONDS - 1 })).toMatchObject({ ok: true });
  });

  it('refuses what is not a JWT', async () => {
    for (const text of ['', 'a.b', 'a.b.c.d', '!!.??.**', `${b64url('[1]')}.${b64url('{}')}.${b64url('x')}`]) {
      expect(await verifyAccessJwt(text, options), text).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('imports only RS256 signing keys of 2048 bits or more from the key set', async () => {
    const small = await rsaKey(1024);
    const imported = await importAccessKeys({
      keys: [await jwk(pair, 'good'), await jwk(small, 'small'), { ...(await jwk(other, 'enc')), use: 'enc' }, { kid: 'ec', kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }],
    });
    expect([...imported.keys()]).toEqual(['good']);
    await expect(importAccessKeys({ nokeys: [] })).rejects.toThrow(/no "keys"/);
  });
});

describe("the team's key set is cached per isolate and refetched on an unknown kid (key rotation)", async () => {
  const first = await rsaKey();
  const second = await rsaKey();
  const set1 = { keys: [await jwk(first, 'k1')] };
  const set2 = { keys: [await jwk(first, 'k1'), await jwk(second, 'k2')] };

  function server(initial: unknown) {
    const state = { document: initial, fetches: 0, fail: false };
    const fetcher = async (url: string) => {
      state.fetches += 1;
      expect(url).toBe(`${ISSUER}/cdn-cgi/access/certs`);
      return state.fail ? new Response('down', { status: 502 }) : Response.json(state.document);
    };
    return { state, fetcher };
  }

  it('fetches once for many lookups, again for a new kid, at most once per interval for made-up kids, and after the maximum age', async () => {
    const { state, fetcher } = server(set1);
    let now = 1_000_000;
    const cache = new AccessKeyCache(`${ISSUER}/cdn-cgi/access/certs`, fetcher, () => now);
    expect(await cache.key('k1')).toBeDefined();
    expect(await cache.key('k1')).toBeDefined();
    expect(state.fetches).toBe(1);

    // Rotation: the team signs with k2 before our copy knows it.
    state.document = set2;
    now += REFETCH_MIN_MS;
    expect(await cache.key('k2')).toBeDefined();
    expect(state.fetches).toBe(2);
    // Made-up kids: no more than one fetch per REFETCH_MIN_MS, whatever arrives.
    for (let i = 0; i < 20; i++) expect(await cache.key(`forged-${i}`)).toBeUndefined();
    expect(state.fetches).toBe(2);
    now += REFETCH_MIN_MS;
    expect(await cache.key('forged-x')).toBeUndefined();
    expect(state.fetches).toBe(3);

    // A key the team withdrew stops working once the set is older than the maximum age.
    state.document = { keys: [await jwk(second, 'k2')] };
    expect(await cache.key('k1')).toBeDefined();
    now += KEYS_MAX_AGE_MS + 1;
    expect(await cache.key('k1')).toBeUndefined();
  });

  it('shares one fetch between concurrent lookups, and says when the keys cannot be had', async () => {
    const { state, fetcher } = server(set1);
    const cache = new AccessKeyCache(`${ISSUER}/cdn-cgi/access/certs`, fetcher);
    await Promise.all([cache.key('k1'), cache.key('k1'), cache.key('k1')]);
    expect(state.fetches).toBe(1);

    const down = server(set1);
    down.state.fail = true;
    await expect(new AccessKeyCache(`${ISSUER}/cdn-cgi/access/certs`, down.fetcher).key('k1')).rejects.toBeInstanceOf(AccessKeysUnavailable);
  });
});

describe('Access users get the scopes ACCESS_SCOPES maps their email, email domain or groups to', () => {
  const access = readAccessConfig({
    ACCESS_TEAM_DOMAIN: 'team',
    ACCESS_AUD: 'a1, a2',
    ACCESS_SCOPES: '{"admin": ["Alice@Example.com"], "command": ["group:Operators"], "read": ["@example.com"]}',
  })!;

  it('reads the configuration: team name or domain to its https origin and certs URL, AUD tags, rules', () => {
    expect(access.teamDomain).toBe('https://team.cloudflareaccess.com');
    expect(access.certsUrl).toBe('https://team.cloudflareaccess.com/cdn-cgi/access/certs');
    expect(access.audiences).toEqual(['a1', 'a2']);
    expect(readAccessConfig({ ACCESS_TEAM_DOMAIN: 'https://team.cloudflareaccess.com', ACCESS_AUD: 'a' })!.teamDomain).toBe('https://team.cloudflareaccess.com');
    expect(readAccessConfig({ ACCESS_TEAM_DOMAIN: 'http://127.0.0.1:9999', ACCESS_AUD: 'a' })!.certsUrl).toBe('http://127.0.0.1:9999/cdn-cgi/access/certs');
    expect(readAccessConfig({})).toBeUndefined();
  });

  it('refuses a configuration that is half set or malformed, with a clear error', () => {
    expect(() => readAccessConfig({ ACCESS_TEAM_DOMAIN: 'team' })).toThrow(/ACCESS_AUD is not/);
    expect(() => readAccessConfig({ ACCESS_AUD: 'a' })).toThrow(/ACCESS_TEAM_DOMAIN is not/);
    expect(() => readAccessConfig({ ACCESS_SCOPES: '{}' })).toThrow(/ACCESS_SCOPES is set but/);
    expect(() => readAccessConfig({ ACCESS_TEAM_DOMAIN: 'http://team.example.com', ACCESS_AUD: 'a' })).toThrow(/ACCESS_TEAM_DOMAIN must be/);
    expect(() => readAccessConfig({ ACCESS_TEAM_DOMAIN: 'https://team.example.com/x', ACCESS_AUD: 'a' })).toThrow(/ACCESS_TEAM_DOMAIN must be/);
    const scopes = (text: string) => () => readAccessConfig({ ACCESS_TEAM_DOMAIN: 'team', ACCESS_AUD: 'a', ACCESS_SCOPES: text });
    expect(scopes('admin:alice@example.com')).toThrow(/ACCESS_SCOPES is not JSON/);
    expect(scopes('["a"]')).toThrow(/must be a JSON object/);
    expect(scopes('{"superuser": ["a@b.c"]}')).toThrow(/"superuser", which is not a scope/);
    expect(scopes('{"read": "a@b.c"}')).toThrow(/other than a list/);
    expect(scopes('{"read": ["alice"]}')).toThrow(/"alice" under "read", which is not an email/);
  });

  it('maps by email (any case), by domain, by group, adding up; nobody else gets anything', () => {
    expect(accessScopes({ sub: '1', email: 'alice@example.COM', groups: [] }, access.scopes)).toEqual(['read', 'admin']);
    expect(accessScopes({ sub: '2', email: 'bob@elsewhere.org', groups: ['Operators'] }, access.scopes)).toEqual(['command']);
    expect(accessScopes({ sub: '3', email: 'carol@example.com', groups: ['operators'] }, access.scopes)).toEqual(['read']);
    expect(accessScopes({ sub: '4', email: 'dave@example.com.evil.org', groups: [] }, access.scopes)).toEqual([]);
    expect(accessScopes({ sub: '5', groups: [], commonName: 'svc.access' }, access.scopes)).toEqual([]);
  });
});

describe('an Access user changes things only from this origin (cross-site request forgery)', () => {
  const url = 'https://csms.example.com/api/v1/id-tags/T1';
  const headers = (h: Record<string, string>) => new Headers(h);

  it('lets reads through, a change with our Origin or Sec-Fetch-Site same-origin, and nothing else', () => {
    expect(sameOriginChange('GET', url, headers({ origin: 'https://evil.example' }))).toBe(true);
    expect(sameOriginChange('PUT', url, headers({ origin: 'https://csms.example.com' }))).toBe(true);
    expect(sameOriginChange('DELETE', url, headers({ 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(sameOriginChange('POST', url, headers({ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(sameOriginChange('POST', url, headers({ origin: 'null' }))).toBe(false);
    expect(sameOriginChange('PATCH', url, headers({ 'sec-fetch-site': 'same-site' }))).toBe(false);
    expect(sameOriginChange('POST', url, headers({}))).toBe(false);
  });
});
