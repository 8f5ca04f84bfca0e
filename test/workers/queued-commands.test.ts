import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function waitForStatus(commandId: string, status: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const { command } = await json(await api('GET', `/commands/${commandId}`));
    if (command.status === status) return command;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`command ${commandId} never reached ${status}`);
}

describe('queued commands', () => {
  it('wait for an offline charger, then go out in order once it is connected and accepted', async () => {
    const id = uniqueChargerId();
    expect((await api('PUT', `/chargers/${id}`)).status).toBe(201);
    const first = await api('POST', `/chargers/${id}/commands/ClearCache?queue=true`, {});
    expect(first.status).toBe(202);
    const { command: queued } = await json(first);
    expect(queued).toMatchObject({ chargerId: id, action: 'ClearCache', status: 'queued', result: null });
    const second = await json(await api('POST', `/chargers/${id}/commands/Reset?queue=true&ttlSeconds=600`, { type: 'Soft' }));

    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const call1 = await cp.next();
    expect(call1[2]).toBe('ClearCache');
    cp.sendRaw(JSON.stringify([3, call1[1], { status: 'Accepted' }]));
    const call2 = await cp.next();
    expect(call2.slice(2)).toEqual(['Reset', { type: 'Soft' }]);
    cp.sendRaw(JSON.stringify([4, call2[1], 'NotSupported', 'not today', {}]));

    expect(await waitForStatus(queued.id, 'succeeded')).toMatchObject({ result: { status: 'Accepted' } });
    expect(await waitForStatus(second.command.id, 'failed')).toMatchObject({
      error: { code: 'CallError', ocpp: { code: 'NotSupported' } },
    });
    const { commands } = await json(await api('GET', `/chargers/${id}/commands`));
    expect(commands.map((c: { action: string }) => c.action)).toEqual(['Reset', 'ClearCache']);
    cp.close();
  });

  it('sent by an instance since evicted are queued again, and a wake-up that does not use the queue leaves it alone', async () => {
    const id = uniqueChargerId();
    expect((await api('PUT', `/chargers/${id}`)).status).toBe(201);
    const { command } = await json(await api('POST', `/chargers/${id}/commands/ClearCache?queue=true`, {}));
    const stub = env.CHARGERS.getByName(id);
    // As an instance leaves it that sent the command and was evicted before the answer came.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE queued_commands SET status = 'sent', sent_at = ? WHERE id = ?", Date.now(), command.id);
    });
    await evictDurableObject(stub);

    // A call wakes the object and is answered without a look at the queue: the row is as the evicted instance left it.
    expect(await stub.liveStatus()).toMatchObject({ connected: false });
    const stored = () =>
      runInDurableObject(stub, (_instance, state) =>
        state.storage.sql.exec<{ status: string }>('SELECT status FROM queued_commands WHERE id = ?', command.id).one().status,
      );
    expect(await stored()).toBe('sent');
    // The first look at the queue finds the command waiting to be sent again.
    expect((await json(await api('GET', `/commands/${command.id}`))).command).toMatchObject({ status: 'queued', sentAt: null });
    expect(await stored()).toBe('queued');
  });

  it('are sent again on the next connection when the charger leaves before answering', async () => {
    const id = uniqueChargerId();
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const { command } = await json(await api('POST', `/chargers/${id}/commands/ClearCache?queue=true`, {}));
    await cp.next(); // sent, never answered
    cp.close();
    await cp.waitForClose().catch(() => undefined);
    await waitForStatus(command.id, 'queued');

    const again = await RawCharger.connect(id, 'ocpp2.0.1');
    const call = await again.next(); // accepted before: no new boot needed
    expect(call[2]).toBe('ClearCache');
    again.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    await waitForStatus(command.id, 'succeeded');
    again.close();
  });

  it('expire, and are checked before they are queued', async () => {
    const id = uniqueChargerId();
    await api('PUT', `/chargers/${id}`);
    const { command } = await json(await api('POST', `/chargers/${id}/commands/ClearCache?queue=true&ttlSeconds=1`, {}));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await waitForStatus(command.id, 'expired')).toMatchObject({ error: { code: 'Expired' } });

    // Never connected: the command must suit some version.
    expect((await api('POST', `/chargers/${id}/commands/Heartbeat?queue=true`, {})).status).toBe(404);
    expect((await api('POST', `/chargers/${id}/commands/Reset?queue=true`, { type: 'Sometime' })).status).toBe(400);
    expect((await api('POST', `/chargers/${id}/commands/Reset?queue=true&ttlSeconds=0`, { type: 'Soft' })).status).toBe(400);
    expect((await api('GET', '/commands/not-a-command')).status).toBe(404);
    const unknownOfSameCharger = `${command.id.split('.')[0]}.00000000-0000-4000-8000-000000000000`;
    expect((await api('GET', `/commands/${unknownOfSameCharger}`)).status).toBe(404);
  });

  it(`are capped at MAX_QUEUED_COMMANDS waiting per charger: past it, 429 and nothing queued`, async () => {
    const id = uniqueChargerId();
    await api('PUT', `/chargers/${id}`);
    for (let i = 0; i < DEFAULTS.maxQueuedCommands; i++) {
      expect((await api('POST', `/chargers/${id}/commands/ClearCache?queue=true`, {})).status).toBe(202);
    }
    const full = await api('POST', `/chargers/${id}/commands/ClearCache?queue=true`, {});
    expect(full.status).toBe(429);
    expect(await json(full)).toEqual({
      error: {
        code: 'CommandQueueFull',
        message: `This charger already has ${DEFAULTS.maxQueuedCommands} queued commands waiting (MAX_QUEUED_COMMANDS); wait for them to be sent or to expire`,
        limit: DEFAULTS.maxQueuedCommands,
      },
    });
    const { commands } = await json(await api('GET', `/chargers/${id}/commands?limit=500`));
    expect(commands).toHaveLength(DEFAULTS.maxQueuedCommands);
    // Another charger's queue is its own.
    const other = uniqueChargerId();
    await api('PUT', `/chargers/${other}`);
    expect((await api('POST', `/chargers/${other}/commands/ClearCache?queue=true`, {})).status).toBe(202);
  }, 60_000);
});
