import { env } from 'cloudflare:workers';
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId, worker } from './helpers';

async function chargerRow(id: string) {
  return env.DB.prepare('SELECT * FROM chargers WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

describe('charger connections', () => {
  it('boots, heartbeats and reports status over OCPP 1.6', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    expect(cp.protocol).toBe('ocpp1.6');
    const boot = await cp.boot();
    expect(boot[0]).toBe(3);
    expect(boot[2]).toMatchObject({ status: 'Accepted', interval: 300 });
    expect((await cp.call('Heartbeat', {}))[2]).toHaveProperty('currentTime');
    expect(await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).toEqual([3, 'c3', {}]);

    expect(await chargerRow(cp.id)).toMatchObject({ vendor: 'Acme', model: 'Volt', protocol: 'ocpp1.6', connected: 1, registration_status: 'Accepted' });
    // Status reaches D1 with the next flush of the charger's outbox.
    expect(await env.CHARGERS.getByName(cp.id).flushNow()).toMatchObject({ outboxEntries: 0 });
    const status = await env.DB.prepare('SELECT * FROM connector_status WHERE charger_id = ?').bind(cp.id).first();
    expect(status).toMatchObject({ evse_id: 0, connector_id: 1, status: 'Available', error_code: 'NoError' });
    cp.close();
  });

  it('boots and reports EVSE status over OCPP 2.0.1, preferred when both are offered', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6, ocpp2.0.1');
    expect(cp.protocol).toBe('ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    await cp.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const res = await api('GET', `/chargers/${cp.id}`);
    const body = (await res.json()) as { charger: Record<string, unknown> };
    expect(body.charger).toMatchObject({
      id: cp.id,
      protocol: 'ocpp2.0.1',
      connected: true,
      registrationStatus: 'Accepted',
      boot: { vendor: 'Acme', model: 'Volt' },
      connectors: [expect.objectContaining({ evseId: 1, connectorId: 1, status: 'Occupied' })],
    });
    cp.close();
  });

  it('speaks OCPP 2.1 when offered, preferred over 2.0.1 and 1.6, and keeps the charger as a 2.1 one', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6, ocpp2.0.1, ocpp2.1');
    expect(cp.protocol).toBe('ocpp2.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    const answer = await cp.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    expect(answer[0]).toBe(3);
    const body = (await (await api('GET', `/chargers/${cp.id}`)).json()) as { charger: Record<string, unknown> };
    expect(body.charger).toMatchObject({ protocol: 'ocpp2.1', connected: true, registrationStatus: 'Accepted' });
    cp.close();
  });

  it('refuses an upgrade with no acceptable subprotocol, a bad id, or no upgrade header', async () => {
    const noProtocol = await worker('/ocpp/CP-x', { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.5' } });
    expect(noProtocol.status).toBe(400);
    expect(await noProtocol.json()).toMatchObject({ error: { code: 'UnsupportedSubprotocol' } });

    for (const bad of ['a%3Ab', 'x'.repeat(49), 'a%20b', '%E0%A4%A']) {
      const res = await worker(`/ocpp/${bad}`, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6' } });
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'InvalidChargerId' } });
    }
    const plain = await worker('/ocpp/CP-x');
    expect(plain.status).toBe(426);
  });

  it('refuses requests before an accepted boot with SecurityError', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    expect((await cp.call('Heartbeat', {})).slice(0, 3)).toEqual([4, 'c1', 'SecurityError']);
    await cp.boot();
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });

  it('replaces an older connection of the same charger', async () => {
    const id = uniqueChargerId();
    const first = await RawCharger.connect(id, 'ocpp1.6');
    await first.boot();
    const second = await RawCharger.connect(id, 'ocpp1.6');
    expect(await first.waitForClose()).toMatchObject({ code: 4000 });
    // The boot decision belongs to the charger, not the socket: no new boot is needed.
    expect((await second.call('Heartbeat', {}))[0]).toBe(3);
    expect(await chargerRow(id)).toMatchObject({ connected: 1 });
    second.close();
  });

  it('keeps everything it acknowledged when the object is evicted mid-session', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Charging' });
    const stub = env.CHARGERS.getByName(cp.id);
    await evictDurableObject(stub);

    // The hibernated socket wakes a fresh instance, which still knows the charger was accepted.
    const heartbeat = await cp.call('Heartbeat', {});
    expect(heartbeat[0]).toBe(3);
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Finishing' });
    await stub.flushNow();
    const status = await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ? AND connector_id = 2').bind(cp.id).first();
    expect(status).toEqual({ status: 'Finishing' });
    expect(await stub.liveStatus()).toMatchObject({ connected: true, registrationStatus: 'Accepted', protocol: 'ocpp1.6' });
    cp.close();
  });

  it('marks a silent charger offline from its alarm', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    // Pretend the last frame arrived long ago.
    await runInDurableObject(stub, (_instance, state) => {
      for (const ws of state.getWebSockets()) {
        const attachment = ws.deserializeAttachment() as { ocpp: { lastSeen: number } };
        attachment.ocpp.lastSeen = Date.now() - 10 * 3600_000;
        ws.serializeAttachment(attachment);
      }
      // ...and that the check is due.
      state.storage.sql.exec("UPDATE due_work SET due_at = 0 WHERE task = 'offline-check'");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await cp.waitForClose()).toMatchObject({ code: 4001 });
    expect(await chargerRow(cp.id)).toMatchObject({ connected: 0 });
    await stub.flushNow();
    const history = await env.DB.prepare('SELECT event FROM connection_history WHERE charger_id = ? ORDER BY at').bind(cp.id).all();
    expect(history.results).toEqual([{ event: 'online' }, { event: 'offline' }]);
  });

  it('re-arms the alarm instead of closing a charger that spoke recently', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const next = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(next).toBeGreaterThan(Date.now());
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });
});
