import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { D1ChargerRecords } from '../../src/charger/records';
import { readConfig } from '../../src/config';
import { ChargerStore } from '../../src/store/chargers';
import { api, RawCharger, uniqueChargerId } from './helpers';

/** Makes D1 refuse writes of one charger's connector status: a real failure, scoped to one id. */
async function breakStatusWrites(chargerId: string): Promise<() => Promise<void>> {
  const trigger = `fail_${chargerId.replace(/[^A-Za-z0-9]/g, '_')}`;
  await env.DB.prepare(
    `CREATE TRIGGER ${trigger} BEFORE INSERT ON connector_status WHEN NEW.charger_id = '${chargerId}'
     BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
  ).run();
  return async () => {
    await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
  };
}

describe('storage failures', () => {
  it('answer InternalError, so the charger retries, and the retry is stored', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const repair = await breakStatusWrites(cp.id);
    const status = { connectorId: 1, errorCode: 'NoError', status: 'Faulted' };
    const failed = await cp.call('StatusNotification', status);
    expect(failed.slice(0, 3)).toEqual([4, failed[1], 'InternalError']);
    expect(await env.DB.prepare('SELECT * FROM connector_status WHERE charger_id = ?').bind(cp.id).first()).toBeNull();

    await repair();
    expect((await cp.call('StatusNotification', status))[0]).toBe(3);
    expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ?').bind(cp.id).first()).toEqual({
      status: 'Faulted',
    });
    cp.close();
  });
});

describe('the unknown-charger policy', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const boot = { vendor: 'Acme', model: 'Volt' };

  function records(chargerId: string, policy: 'accept' | 'pending' | 'reject', remembered: string[]) {
    const config = { ...readConfig(env), unknownChargerPolicy: policy };
    return new D1ChargerRecords(new ChargerStore(env.DB), chargerId, 'ocpp2.0.1', config, now, async (s) => {
      remembered.push(s);
    });
  }

  it('answers unknown chargers per policy, and registered ones Accepted', async () => {
    for (const [policy, expected] of [
      ['accept', 'Accepted'],
      ['pending', 'Pending'],
      ['reject', 'Rejected'],
    ] as const) {
      const id = uniqueChargerId(policy);
      const remembered: string[] = [];
      expect(await records(id, policy, remembered).recordBoot(boot)).toBe(expected);
      expect(remembered).toEqual([expected]);
      const row = await new ChargerStore(env.DB).get(id);
      expect(row).toMatchObject({ registrationStatus: expected, registered: expected === 'Accepted', boot });
    }

    const known = uniqueChargerId('known');
    await new ChargerStore(env.DB).register(known, now.toISOString());
    expect(await records(known, 'reject', []).recordBoot(boot)).toBe('Accepted');
  });
});

describe('a rejected charger', () => {
  it('is not sent commands it may not answer', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await runInDurableObject(env.CHARGERS.getByName(cp.id), async (_instance, state) => {
      await state.storage.put('registrationStatus', 'Rejected');
    });
    // A fresh instance reads the decision from storage.
    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    const res = await api('POST', `/chargers/${cp.id}/commands/Reset`, { type: 'Immediate' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'ChargerRejected' } });
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    cp.close();
  });
});
