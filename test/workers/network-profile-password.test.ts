// Issue 16: a 2.1 SetNetworkProfile carrying basicAuthPassword keeps the charger able to connect. Sent through
// the admin security-commands route, it follows POST /password's pending-slot protocol (the new hash stored
// before the CALL leaves, dropped on a refusal, kept on Accepted or no answer, one change at a time), and an
// identity other than the charger's id is refused before anything is sent.
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

/** Whether an upgrade with these Basic credentials is let in (the socket is closed again at once). */
async function connects(id: string, password: string): Promise<boolean> {
  const res = await exports.default.fetch(
    new Request(`http://csms.test/ocpp/${encodeURIComponent(id)}`, {
      headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp2.1', authorization: basic(id, password) },
    }),
  );
  if (res.status !== 101) return false;
  res.webSocket!.accept();
  res.webSocket!.close(1000, 'done');
  return true;
}

async function pendingHash(id: string): Promise<string | null> {
  const row = await env.DB.prepare('SELECT pending_password_hash FROM chargers WHERE id = ?').bind(id).first<{ pending_password_hash: string | null }>();
  return row?.pending_password_hash ?? null;
}

/** A network connection profile for slot 2, as an operator would send it before switching the charger to it. */
function profile(id: string, extra: Record<string, unknown>) {
  return {
    action: 'SetNetworkProfile',
    payload: {
      configurationSlot: 2,
      connectionData: { ocppInterface: 'Wired0', ocppTransport: 'JSON', messageTimeout: 30, ocppCsmsUrl: 'wss://csms.example/ocpp', securityProfile: 1, identity: id, ...extra },
    },
  };
}

const OLD = 'old-password-netprof1';
const NEW = 'new-password-netprof2';
const OTHER = 'other-password-netpr3';

/** A registered Profile 1 charger, connected over 2.1 with OLD and booted. */
async function connected(prefix: string, version: 'ocpp2.1' | 'ocpp2.0.1' = 'ocpp2.1') {
  const id = uniqueChargerId(prefix);
  expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: OLD })).status).toBe(201);
  const cp = await RawCharger.connect(id, version, { authorization: basic(id, OLD) });
  expect(cp.protocol).toBe(version);
  expect(((await cp.boot())[2] as { status: string }).status).toBe('Accepted');
  return { id, cp };
}

/** Sends a ClearCache and answers it: the next frame the charger gets, so nothing else was sent before it. */
async function nothingSentBefore(id: string, cp: RawCharger): Promise<void> {
  const next = api('POST', `/chargers/${id}/commands/ClearCache`, {});
  const frame = await cp.next();
  expect(frame[2]).toBe('ClearCache');
  cp.sendRaw(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
  expect((await next).status).toBe(200);
}

// These tests open several sockets: generous timeouts for a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

describe('a 2.1 SetNetworkProfile with basicAuthPassword', () => {
  it('Accepted: the new password is pending from before the CALL leaves; both open the door until the charger first uses the new one', async () => {
    const { id, cp } = await connected('NPACC');
    const sent = api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: NEW }));
    const call = await cp.next();
    expect(call[2]).toBe('SetNetworkProfile');
    expect((call[3] as { connectionData: { basicAuthPassword: string } }).connectionData.basicAuthPassword).toBe(NEW);
    // While the charger holds the CALL, the new hash is already stored.
    expect(await pendingHash(id)).toMatch(/^pbkdf2-sha256\$/);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    const res = await sent;
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ result: { status: 'Accepted' }, securityProfileChanged: false, passwordPending: true });
    expect(body).not.toContain(NEW);
    expect(((await (await api('GET', `/chargers/${id}`)).json()) as { charger: { passwordPending: boolean } }).charger.passwordPending).toBe(true);
    cp.close();

    // The charger still on its old profile gets in with the old password, and that ends nothing.
    expect(await connects(id, OLD)).toBe(true);
    expect(await pendingHash(id)).not.toBeNull();
    // Switched to the new profile, it gets in with the new one, which from then on is the only one.
    expect(await connects(id, NEW)).toBe(true);
    expect(await pendingHash(id)).toBeNull();
    expect(await connects(id, OLD)).toBe(false);
    expect(await connects(id, NEW)).toBe(true);
  });

  it('no answer (the charger goes away holding the CALL): the new password stays pending and opens the door', async () => {
    const { id, cp } = await connected('NPLOST');
    const sent = api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: NEW }));
    expect((await cp.next())[2]).toBe('SetNetworkProfile');
    cp.ws.close(1000, 'rebooting');
    const res = await sent;
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'ChargerOffline', passwordPending: true } });
    expect(await connects(id, OLD)).toBe(true);
    expect(await connects(id, NEW)).toBe(true);
    expect(await connects(id, OLD)).toBe(false);
  });

  it('Rejected, or a CALLERROR: the pending password is dropped and only the old one opens the door', async () => {
    const { id, cp } = await connected('NPREJ');
    const rejected = api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: NEW }));
    const call = await cp.next();
    expect(await pendingHash(id)).not.toBeNull();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Rejected' }]));
    const res = await rejected;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: { status: 'Rejected' }, securityProfileChanged: false, passwordPending: false });
    expect(await pendingHash(id)).toBeNull();

    // The slot is free again: another password goes out, and a CALLERROR drops it too.
    const failed = api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: OTHER }));
    const call2 = await cp.next();
    cp.sendRaw(JSON.stringify([4, call2[1], 'InternalError', 'cannot store the profile', {}]));
    const res2 = await failed;
    expect(res2.status).toBe(502);
    expect(await res2.json()).toMatchObject({ error: { code: 'CallError' } });
    expect(await pendingHash(id)).toBeNull();
    cp.close();

    expect(await connects(id, NEW)).toBe(false);
    expect(await connects(id, OTHER)).toBe(false);
    expect(await connects(id, OLD)).toBe(true);
  });

  it('an identity other than the charger id (even in another case) is 400 IdentityMismatch: nothing stored, nothing sent', async () => {
    const { id, cp } = await connected('NPID');
    for (const identity of [`${id}-B`, id.toLowerCase()]) {
      for (const extra of [{ identity, basicAuthPassword: NEW }, { identity }]) {
        const res = await api('POST', `/chargers/${id}/security-commands`, profile(id, extra));
        expect(res.status).toBe(400);
        const body = (await res.json()) as { error: { code: string; message: string; issues: Array<{ path: string }> } };
        expect(body.error.code).toBe('IdentityMismatch');
        expect(body.error.message).toContain(id);
        expect(body.error.issues[0]!.path).toBe('payload.connectionData.identity');
        expect(JSON.stringify(body)).not.toContain(NEW);
      }
    }
    expect(await pendingHash(id)).toBeNull();
    await nothingSentBefore(id, cp);
    cp.close();
    expect(await connects(id, NEW)).toBe(false);
    expect(await connects(id, OLD)).toBe(true);
  });

  it('a password outside 16-40 printable ASCII is 400 InvalidPayload, naming the field but not the value; nothing sent', async () => {
    const { id, cp } = await connected('NPBAD');
    for (const bad of ['short-pass', 'with space in-the password', 'x'.repeat(41)]) {
      const res = await api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: bad }));
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'InvalidPayload', issues: [{ path: 'payload.connectionData.basicAuthPassword' }] } });
      expect(text).not.toContain(bad);
    }
    expect(await pendingHash(id)).toBeNull();
    await nothingSentBefore(id, cp);
    cp.close();
  });

  it('while another change is pending, a different password is 409 PasswordChangePending and nothing is sent; the same one is a retry', async () => {
    const { id, cp } = await connected('NPBUSY');
    // POST /password's change, taken and not yet used, holds the slot.
    const first = api('POST', `/chargers/${id}/password`, { password: NEW });
    const call = await cp.next();
    expect(call[2]).toBe('SetVariables');
    cp.sendRaw(JSON.stringify([3, call[1], { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] }]));
    expect((await first).status).toBe(200);

    const busy = await api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: OTHER }));
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ error: { code: 'PasswordChangePending', passwordPending: true } });
    await nothingSentBefore(id, cp);

    // The pending password itself may go in a profile: a retry, whose refusal keeps it pending.
    const retry = api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: NEW }));
    const call2 = await cp.next();
    expect(call2[2]).toBe('SetNetworkProfile');
    cp.sendRaw(JSON.stringify([3, call2[1], { status: 'Rejected' }]));
    const refused = await retry;
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ result: { status: 'Rejected' }, passwordPending: true });
    cp.close();

    // And the other way round: a profile's pending password blocks POST /password's different one.
    expect(await connects(id, NEW)).toBe(true);
    const cp2 = await RawCharger.connect(id, 'ocpp2.1', { authorization: basic(id, NEW) });
    await cp2.boot();
    const viaProfile = api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: OTHER }));
    const call3 = await cp2.next();
    cp2.sendRaw(JSON.stringify([3, call3[1], { status: 'Accepted' }]));
    expect((await viaProfile).status).toBe(200);
    const blocked = await api('POST', `/chargers/${id}/password`, { password: OLD });
    expect(blocked.status).toBe(409);
    expect(await blocked.json()).toMatchObject({ error: { code: 'PasswordChangePending' } });
    await nothingSentBefore(id, cp2);
    cp2.close();
    expect(await connects(id, OTHER)).toBe(true);
    expect(await connects(id, NEW)).toBe(false);
    expect(await connects(id, OLD)).toBe(false);
  });

  it('identity or basicAuthPassword to a 2.0.1 charger is 400 (2.1 fields): nothing stored, nothing sent', async () => {
    const { id, cp } = await connected('NP201', 'ocpp2.0.1');
    const res = await api('POST', `/chargers/${id}/security-commands`, profile(id, { basicAuthPassword: NEW }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'InvalidPayload', issues: [{ path: 'payload.connectionData.identity' }] } });
    expect(await pendingHash(id)).toBeNull();
    await nothingSentBefore(id, cp);
    cp.close();
  });
});
