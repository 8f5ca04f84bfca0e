import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/fleet/outbox';
import { DurableChargerRecords } from '../../src/charger/records';
import type { ActiveTokens } from '../../src/charger/active-tokens';
import type { IdTagCache } from '../../src/charger/id-tag-cache';
import type { RemoteStarts } from '../../src/charger/remote-starts';
import type { TxProfileMarker } from '../../src/charger/tx-profiles';
import type { EvseTransactions } from '../../src/charger/evse-transactions';
import type { TransactionPrices } from '../../src/charger/transaction-prices';
import type { TransactionIds } from '../../src/charger/transaction-ids';
import type { TransactionLocations } from '../../src/charger/transaction-locations';
import { readConfig } from '../../src/config';
import { fleetWriterName } from '../../src/fleet/fleet-writer';
import { ChargerStore } from '../../src/store/chargers';
import { countingD1 } from '../../src/store/counting-d1';
import { api, RawCharger, METER_VALUES, uniqueChargerId } from './helpers';

/**
 * Makes D1 refuse inserts into `table` for one charger (or the rows `when` names): a real
 * failure, scoped so that it touches no other test.
 */
async function breakWrites(table: string, chargerId: string, when = `NEW.charger_id = '${chargerId}'`): Promise<() => Promise<void>> {
  const trigger = `fail_${table}_${chargerId.replace(/[^A-Za-z0-9]/g, '_')}`;
  await env.DB.prepare(
    `CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} WHEN ${when}
     BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
  ).run();
  return async () => {
    await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
  };
}

describe('storage failures', () => {
  it('answer InternalError when D1 must answer, so the charger retries, and the retry is stored once', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    // A tag D1 does not know, used while the charger was offline: the answer waits for its use
    // to be listed in D1 (seen_offline_tags). Make that insert fail, for this tag only.
    const tag = uniqueChargerId('OFF').slice(0, 20);
    const repair = await breakWrites('seen_offline_tags', cp.id, `NEW.id_tag = '${tag}'`);
    const start = { connectorId: 1, idTag: tag, meterStart: 100, timestamp: '2026-02-01T10:00:00Z' };
    const failed = await cp.call('StartTransaction', start);
    expect(failed.slice(0, 3)).toEqual([4, failed[1], 'InternalError']);

    await repair();
    const retried = await cp.call('StartTransaction', start);
    expect(retried[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    const again = await cp.call('StartTransaction', start);
    expect((again[2] as { transactionId: number }).transactionId).toBe((retried[2] as { transactionId: number }).transactionId);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?').bind(cp.id).first();
    expect(rows).toEqual({ n: 1 });
    const listed = await env.DB.prepare('SELECT COUNT(*) AS n FROM seen_offline_tags WHERE charger_id = ?').bind(cp.id).first();
    expect(listed).toEqual({ n: 1 });
    cp.close();
  });

  it('keep acknowledged facts while D1 fails, copy them once it recovers, and hold up no other charger', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    const shards = readConfig(env).fleetWriterShards;
    const direct = shards === 0;
    const writer = env.FLEET_WRITERS.getByName(fleetWriterName(cp.id, Math.max(shards, 1)));
    // The connection's online event went to D1 as it opened, before D1 fails.
    const history = () => env.DB.prepare('SELECT COUNT(*) AS n FROM connection_history WHERE charger_id = ?').bind(cp.id).first();
    expect(await history()).toEqual({ n: 1 });
    const repairMeters = await breakWrites('meter_hours', cp.id);
    const repairStatus = await breakWrites('connector_status', cp.id);
    try {
      const sample = { timestamp: '2026-02-01T10:05:00Z', sampledValue: [{ value: '1234', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
      expect((await cp.call('MeterValues', { connectorId: 1, meterValue: [sample] }))[0]).toBe(3);
      expect((await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }))[0]).toBe(3);

      // The copy to D1 fails: nothing is lost, nothing of this charger is half-written. Written
      // directly (FLEET_WRITER_SHARDS = 0), the facts stay in the charger's outbox; relayed, the
      // outbox is handed to the writer, which keeps them.
      if (direct) {
        expect((await stub.flushNow()).outboxEntries).toBeGreaterThan(0);
      } else {
        expect(await stub.flushNow()).toMatchObject({ outboxEntries: 0 });
        expect((await writer.stats()).pending).toBeGreaterThan(0);
      }
      expect(await history()).toEqual({ n: 1 });

      // Another charger on the same writer is not held up.
      const other = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
      await other.boot();
      await other.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
      await env.CHARGERS.getByName(other.id).flushNow();
      expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ?').bind(other.id).first()).toEqual({ status: 'Available' });
      other.close();
    } finally {
      await repairMeters();
      await repairStatus();
    }
    expect(await stub.flushNow()).toMatchObject({ outboxEntries: 0 });
    expect((await writer.stats()).pending).toBe(0);
    expect(await env.DB.prepare(`SELECT value, unit FROM ${METER_VALUES} WHERE charger_id = ?`).bind(cp.id).all()).toMatchObject({
      results: [{ value: 1234, unit: 'Wh' }],
    });
    expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ?').bind(cp.id).first()).toEqual({ status: 'Charging' });
    cp.close();
  });

  it('survive an eviction between the answer and the flush', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    const sample = { timestamp: '2026-02-01T11:00:00Z', sampledValue: [{ value: '42.5', unit: 'kWh' }] };
    await cp.call('MeterValues', { connectorId: 2, meterValue: [sample] });
    await evictDurableObject(stub);
    expect(await stub.flushNow()).toMatchObject({ outboxEntries: 0 });
    expect(await env.DB.prepare(`SELECT value FROM ${METER_VALUES} WHERE charger_id = ?`).bind(cp.id).first()).toEqual({ value: 42500 });
    cp.close();
  });
});

describe('the unknown-charger policy', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const boot = { vendor: 'Acme', model: 'Volt' };

  function records(chargerId: string, policy: 'accept' | 'pending' | 'reject', remembered: string[], db: D1Database = env.DB) {
    const config = { ...readConfig(env), unknownChargerPolicy: policy };
    return new DurableChargerRecords({
      db,
      // Boot decisions never touch the outbox.
      outbox: undefined as unknown as Outbox,
      locations: undefined as unknown as TransactionLocations,
      tags: undefined as unknown as IdTagCache,
      remoteStarts: undefined as unknown as RemoteStarts,
      // A boot ends the transactions ConcurrentTx knows of; there are none here.
      activeTokens: { endAll: () => {} } as unknown as ActiveTokens,
      transactionIds: undefined as unknown as TransactionIds,
      prices: undefined as unknown as TransactionPrices,
      evseTransactions: undefined as unknown as EvseTransactions,
      txProfiles: undefined as unknown as TxProfileMarker,
      flushToD1: async () => {},
      chargerId,
      protocol: 'ocpp2.0.1',
      config,
      now,
      rememberRegistration: async (status) => {
        remembered.push(status);
      },
      appended: async () => {},
      queueCommand: async () => {},
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

  it('decides and records each boot in one D1 batch (the upsert, and the indexed facts only when they changed), seeing a registration made between boots', async () => {
    const counter = { statements: 0 };
    const db = countingD1(env.DB, counter);
    const store = new ChargerStore(env.DB);
    const id = uniqueChargerId('one-statement');
    const remembered: string[] = [];
    expect(await records(id, 'pending', remembered, db).recordBoot(boot)).toBe('Pending');
    expect(counter.statements).toBe(2);
    expect(await records(id, 'pending', remembered, db).recordBoot({ ...boot, firmwareVersion: '2.0' })).toBe('Pending');
    expect(await store.get(id)).toMatchObject({ registrationStatus: 'Pending', registered: false, boot: { ...boot, firmwareVersion: '2.0' } });
    // The operator registers it: its next boot is Accepted, whatever the policy.
    await store.register(id, now.toISOString());
    expect(await records(id, 'reject', remembered, db).recordBoot(boot)).toBe('Accepted');
    expect(remembered).toEqual(['Pending', 'Pending', 'Accepted']);
    expect(counter.statements).toBe(6);
    // The firmware went back to the first boot's: the changed fact is written again.
    expect(await store.get(id)).toMatchObject({ registrationStatus: 'Accepted', registered: true, boot });

    // A charger the policy accepted stays registered when the policy becomes stricter.
    const accepted = uniqueChargerId('one-statement');
    expect(await records(accepted, 'accept', [], db).recordBoot(boot)).toBe('Accepted');
    expect(await records(accepted, 'reject', [], db).recordBoot(boot)).toBe('Accepted');
    // One refused by the policy is not registered by a later boot under another answer.
    const refused = uniqueChargerId('one-statement');
    expect(await records(refused, 'reject', [], db).recordBoot(boot)).toBe('Rejected');
    expect(await records(refused, 'pending', [], db).recordBoot(boot)).toBe('Pending');
    expect(await store.get(refused)).toMatchObject({ registrationStatus: 'Pending', registered: false });
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
