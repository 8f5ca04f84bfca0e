import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admitUpgrade } from '../../src/api/charger-auth';
import { api, RawCharger, uniqueChargerId } from './helpers';

const PASSWORD = 'correct-horse-battery-1';

function upgrade(id: string, init: { scheme?: 'http' | 'https'; authorization?: string; cf?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6' };
  if (init.authorization) headers.authorization = init.authorization;
  const request = new Request(`${init.scheme ?? 'http'}://csms.test/ocpp/${encodeURIComponent(id)}`, {
    headers,
    ...(init.cf ? { cf: init.cf as IncomingRequestCfProperties } : {}),
  });
  return exports.default.fetch(request);
}

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

async function expectRefused(res: Promise<Response>) {
  const response = await res;
  expect(response.status).toBe(401);
  // The same answer whatever was wrong.
  expect(await response.json()).toEqual({ error: { code: 'Unauthorized', message: 'The charger could not be authenticated' } });
  expect(response.headers.get('www-authenticate')).toContain('Basic');
}

describe('charger authentication', () => {
  it('Security Profile 1: HTTP Basic with the charger id, checked against a salted hash', async () => {
    const id = uniqueChargerId('SP1');
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD })).status).toBe(201);
    await expectRefused(upgrade(id));
    await expectRefused(upgrade(id, { authorization: basic(id, 'wrong-password-123456') }));
    await expectRefused(upgrade(id, { authorization: basic(`${id}X`, PASSWORD) }));
    await expectRefused(upgrade(id, { authorization: 'Basic !!!' }));

    const ok = await upgrade(id, { authorization: basic(id, PASSWORD) });
    expect(ok.status).toBe(101);
    ok.webSocket!.accept();
    ok.webSocket!.close(1000, 'done');

    // The password is never returned, nor its hash.
    const text = await (await api('GET', `/chargers/${id}`)).text();
    expect(JSON.parse(text).charger).toMatchObject({ securityProfile: 1, hasPassword: true });
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('pbkdf2');
  });

  it('Security Profile 2: Basic auth over TLS only', async () => {
    const id = uniqueChargerId('SP2');
    await api('PUT', `/chargers/${id}`, { securityProfile: 2, password: PASSWORD });
    await expectRefused(upgrade(id, { authorization: basic(id, PASSWORD) }));
    const ok = await upgrade(id, { scheme: 'https', authorization: basic(id, PASSWORD) });
    expect(ok.status).toBe(101);
    ok.webSocket!.accept();
    ok.webSocket!.close(1000, 'done');
  });

  it('Security Profile 3: a verified, unrevoked client certificate whose CN is the charger id', async () => {
    const id = uniqueChargerId('SP3');
    await api('PUT', `/chargers/${id}`, { securityProfile: 3 });
    const cert = (cn: string, verified = 'SUCCESS', revoked = '0') => ({
      tlsClientAuth: { certVerified: verified, certRevoked: revoked, certSubjectDN: `CN=${cn},O=Acme` },
    });
    await expectRefused(upgrade(id, { scheme: 'https' }));
    await expectRefused(upgrade(id, { scheme: 'https', cf: cert('SOMEONE-ELSE') }));
    await expectRefused(upgrade(id, { scheme: 'https', cf: cert(id, 'FAILED:self signed certificate') }));
    // Cloudflare says SUCCESS for a valid certificate it has revoked, and certRevoked "1".
    await expectRefused(upgrade(id, { scheme: 'https', cf: cert(id, 'SUCCESS', '1') }));
    const ok = await upgrade(id, { scheme: 'https', cf: cert(id) });
    expect(ok.status).toBe(101);
    ok.webSocket!.accept();
    ok.webSocket!.close(1000, 'done');
  });

  it('checks what is set: a password for Profiles 1 and 2, of 16 to 40 characters', async () => {
    const id = uniqueChargerId('SPX');
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1 })).status).toBe(400);
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: 'short' })).status).toBe(400);
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 5 })).status).toBe(400);
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD })).status).toBe(201);
    // A later change of profile keeps the password.
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 2 })).status).toBe(200);
  });

  it('a charger without a profile connects as before', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('SP0'), 'ocpp1.6');
    expect((await cp.boot())[0]).toBe(3);
    cp.close();
  });
});

describe('the unknown-charger policy at the upgrade', () => {
  const request = new Request('https://csms.test/ocpp/X', { headers: { upgrade: 'websocket' } });

  it('refuses chargers never registered when the policy is reject, and only then', async () => {
    const why = async (...args: Parameters<typeof admitUpgrade>) => {
      const admission = await admitUpgrade(...args);
      return admission.ok ? undefined : admission.why;
    };
    const open = { securityProfile: 0, passwordHash: null, pendingPasswordHash: null } as const;
    expect(await why(request, 'X', null, 'reject')).toBe('unknown charger');
    // Seen before (it connected under another policy) but never registered: still refused.
    expect(await why(request, 'X', { registered: false, ...open }, 'reject')).toBe('unknown charger');
    expect(await why(request, 'X', { registered: true, ...open }, 'reject')).toBeUndefined();
    expect(await why(request, 'X', null, 'pending')).toBeUndefined();
    expect(await why(request, 'X', null, 'accept')).toBeUndefined();
  });
});

describe('changing a charger\'s password', () => {
  const NEW_PASSWORD = 'brand-new-password-2';

  async function answerNext(cp: RawCharger, result: unknown): Promise<unknown[]> {
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], result]));
    return call;
  }

  it('sets it on a 1.6 charger first (hex-encoded AuthorizationKey), then switches; the old one works until the new is used', async () => {
    const id = uniqueChargerId('ROT');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD.slice(0, 20) });
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, PASSWORD.slice(0, 20)) });
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/password`, { password: NEW_PASSWORD });
    const call = await answerNext(cp, { status: 'Accepted' });
    expect(call.slice(2)).toEqual(['ChangeConfiguration', { key: 'AuthorizationKey', value: [...new TextEncoder().encode(NEW_PASSWORD)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('') }]);
    expect(await (await pending).json()).toMatchObject({ switched: true, rebootRequired: false });
    cp.close();

    // Until the charger connects with the new password, the old one still works…
    const old = await upgrade(id, { authorization: basic(id, PASSWORD.slice(0, 20)) });
    expect(old.status).toBe(101);
    old.webSocket!.accept();
    old.webSocket!.close(1000, 'done');
    const fresh = await upgrade(id, { authorization: basic(id, NEW_PASSWORD) });
    expect(fresh.status).toBe(101);
    fresh.webSocket!.accept();
    fresh.webSocket!.close(1000, 'done');
    // …and not after.
    await expectRefused(upgrade(id, { authorization: basic(id, PASSWORD.slice(0, 20)) }));
  });

  it('leaves the password as it was when a 2.0.1 charger refuses it', async () => {
    const id = uniqueChargerId('ROT2');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD });
    const cp = await RawCharger.connect(id, 'ocpp2.0.1', { authorization: basic(id, PASSWORD) });
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/password`, { password: NEW_PASSWORD });
    const call = await answerNext(cp, {
      setVariableResult: [{ attributeStatus: 'Rejected', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }],
    });
    expect(call[2]).toBe('SetVariables');
    const res = await pending;
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'PasswordRefused' } });
    cp.close();
    await expectRefused(upgrade(id, { authorization: basic(id, NEW_PASSWORD) }));
  });
});
