// A connection's end is recorded whatever way it ends: a crash that takes the socket along, a D1 outage, a replacement.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, breakD1, RawCharger, uniqueChargerId } from './helpers';

/** The charger as `GET /chargers` lists it (D1's view of the fleet). */
async function listed(chargerId: string): Promise<Record<string, unknown> | undefined> {
  const res = await api('GET', `/chargers?limit=500&cursor=${encodeURIComponent(chargerId.slice(0, -1))}`);
  expect(res.status).toBe(200);
  const { chargers } = (await res.json()) as { chargers: Array<Record<string, unknown>> };
  return chargers.find((c) => c.id === chargerId);
}

async function connections(chargerId: string): Promise<Array<{ event: string; reason?: string }>> {
  const res = await api('GET', `/chargers/${chargerId}/connections`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { connections: Array<{ event: string; reason?: string }> }).connections;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a connection lost with its object', () => {
  it('is recorded offline by the offline check, which needs no socket, once', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('LOST'), 'ocpp1.6');
    await cp.boot();
    expect(await listed(cp.id)).toMatchObject({ connected: true });

    // As a deploy or a crash would: the object is reset and its socket goes with it, without a close event.
    await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => state.abort('reset for the test')).catch(() => undefined);
    // A stub that saw the reset stays broken; a new one reaches the object's next instance.
    const stub = env.CHARGERS.getByName(cp.id);
    // The offline deadline passes.
    await runInDurableObject(stub, (_instance, state) => {
      expect(state.getWebSockets()).toHaveLength(0);
      state.storage.sql.exec("UPDATE due_work SET due_at = 0 WHERE task = 'offline-check'");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await listed(cp.id)).toMatchObject({ connected: false });
    expect(await stub.liveStatus()).toMatchObject({ connected: false });
    const history = await connections(cp.id);
    expect(history.map((c) => c.event)).toEqual(['offline', 'online']);
    expect(history[0]!.reason).toMatch(/lost/);

    // Nothing is left to check: a second alarm records nothing more.
    await runDurableObjectAlarm(stub);
    expect((await connections(cp.id)).map((c) => c.event)).toEqual(['offline', 'online']);
  });
});

describe('a stale D1 row', () => {
  it('is believed by the list, and a disconnection D1 did not take is retried by the object until it lands', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('STALE'), 'ocpp1.6');
    await cp.boot();
    expect(await listed(cp.id)).toMatchObject({ connected: true });
    const stub = env.CHARGERS.getByName(cp.id);
    await breakD1(cp.id);
    cp.close();
    // The close is handled; D1's copy of it fails.
    const pending = () =>
      runInDurableObject(stub, async (_instance, state) => ({
        at: await state.storage.get<string>('pendingOfflineAt'),
        tasks: state.storage.sql.exec<{ task: string }>('SELECT task FROM due_work').toArray().map((r) => r.task),
      }));
    await vi.waitFor(async () => expect((await pending()).tasks).toContain('record-offline'));
    expect((await pending()).at).toEqual(expect.any(String));
    // D1's flag is what the list shows (last_seen is not kept fresh while a charger is idle): still connected.
    expect(await listed(cp.id)).toMatchObject({ connected: true });

    // A fresh instance has D1 again; the retry comes.
    await evictDurableObject(stub);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE due_work SET due_at = 0 WHERE task = 'record-offline'");
      return state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await listed(cp.id)).toMatchObject({ connected: false });
    const after = await pending();
    expect(after.at).toBeUndefined();
    expect(after.tasks).not.toContain('record-offline');
    // The history has its one offline event.
    expect((await connections(cp.id)).map((c) => c.event)).toEqual(['offline', 'online']);
  });
});

describe('a replaced connection', () => {
  it('is recorded offline before the new one, and answers it could not send are not errors', async () => {
    const errors: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args);
    });
    const id = uniqueChargerId('REPLACED');
    const first = await RawCharger.connect(id, 'ocpp1.6');
    await first.boot();
    // Frames still being answered when the charger reconnects: their answers have nowhere to go.
    for (let i = 0; i < 5; i++) {
      first.sendRaw(JSON.stringify([2, `s${i}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }]));
    }
    const second = await RawCharger.connect(id, 'ocpp1.6');
    expect(await first.waitForClose()).toMatchObject({ code: 4000 });
    // Calls are answered in arrival order, so the first connection's frames are all handled by now.
    expect((await second.call('Heartbeat', {}))[0]).toBe(3);

    const history = await connections(id);
    expect(history.map((c) => [c.event, c.reason ?? null])).toEqual([
      ['online', null],
      ['offline', 'Replaced by a new connection from the same charger'],
      ['online', null],
    ]);
    expect(errors).toEqual([]);

    // The old socket's close event, when it comes, records nothing more; the new connection's end is recorded as usual.
    second.close();
    await second.waitForClose();
    await vi.waitFor(async () => expect((await connections(id)).map((c) => c.event)).toEqual(['offline', 'online', 'offline', 'online']));
    expect(errors).toEqual([]);
  });
});
