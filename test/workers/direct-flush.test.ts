// Facts written to D1 by the charger's own object (FLEET_WRITER_SHARDS = 0, the default): no relay, nothing twice.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import { fleetWriterName } from '../../src/fleet/fleet-writer';
import { Outbox, type StoredEntry } from '../../src/fleet/outbox';
import { RawCharger, uniqueChargerId } from './helpers';

const count = async (sql: string, ...params: unknown[]) =>
  ((await env.DB.prepare(sql).bind(...params).first<{ n: number }>())?.n ?? -1);

describe('direct flush', () => {
  it('is the default: a charger writes its facts to D1 itself and no FleetWriter stores or copies them', async () => {
    expect(readConfig(env).fleetWriterShards).toBe(0);
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const writer = env.FLEET_WRITERS.getByName(fleetWriterName(cp.id, 1));
    const writerBefore = await writer.stats();
    const sample = { timestamp: '2026-03-01T10:05:00Z', sampledValue: [{ value: '4321', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
    expect((await cp.call('MeterValues', { connectorId: 1, meterValue: [sample] }))[0]).toBe(3);
    expect((await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }))[0]).toBe(3);

    const stub = env.CHARGERS.getByName(cp.id);
    const before = (await stub.stats()).d1Statements;
    const after = await stub.flushNow();
    expect(after.outboxEntries).toBe(0);
    expect(after.d1Statements).toBeGreaterThan(before);
    expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ?').bind(cp.id).first()).toEqual({ status: 'Charging' });
    expect(await env.DB.prepare('SELECT last_seen FROM chargers WHERE id = ?').bind(cp.id).first<{ last_seen: string | null }>()).toMatchObject({
      last_seen: expect.any(String),
    });
    // The writer neither kept nor copied anything of it.
    expect(await writer.stats()).toEqual(writerBefore);
    cp.close();
  });

  it('stores a batch whose removal from the outbox was lost only once when it is written again', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'DIRECT-TAG', meterStart: 100, timestamp: '2026-03-01T10:00:00Z' });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    const sample = { timestamp: '2026-03-01T10:05:00Z', sampledValue: [{ value: '900', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [sample] });
    await cp.call('StopTransaction', { transactionId, meterStop: 1500, timestamp: '2026-03-01T10:30:00Z' });

    const stub = env.CHARGERS.getByName(cp.id);
    // What D1 will be given, kept aside as the outbox holds it.
    const kept = await runInDurableObject(stub, (_instance, state) => new Outbox(state.storage.sql).peekStored(500).entries);
    expect(kept.length).toBeGreaterThan(0);
    await stub.flushNow();
    const stored = {
      transactions: await count('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?', cp.id),
      energy: await env.DB.prepare('SELECT energy_wh, status FROM transactions WHERE charger_id = ?').bind(cp.id).first(),
      history: await count('SELECT COUNT(*) AS n FROM connection_history WHERE charger_id = ?', cp.id),
    };
    expect(stored.transactions).toBe(1);
    expect(stored.energy).toEqual({ energy_wh: 1400, status: 'completed' });

    // As if D1 had stored the batch but the object lost its removal: the same entries again.
    await runInDurableObject(stub, (_instance, state) => new Outbox(state.storage.sql).appendStored(kept as StoredEntry[]));
    expect((await stub.flushNow()).outboxEntries).toBe(0);
    expect({
      transactions: await count('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?', cp.id),
      energy: await env.DB.prepare('SELECT energy_wh, status FROM transactions WHERE charger_id = ?').bind(cp.id).first(),
      history: await count('SELECT COUNT(*) AS n FROM connection_history WHERE charger_id = ?', cp.id),
    }).toEqual(stored);
    cp.close();
  });
});
