// 1.6 transactionIds numbered by each charger's object: the same id for a replay, also after an
// eviction; ids that continue D1's; no clash between chargers; starts reaching D1 with the flush.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import { fleetWriterName } from '../../src/fleet/fleet-writer';
import { api, breakD1, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function start(cp: RawCharger, payload: Record<string, unknown>): Promise<number> {
  const answer = await cp.call('StartTransaction', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
  return (answer[2] as { transactionId: number }).transactionId;
}

/**
 * A known tag. Its record read for a StartTransaction is not kept (see records.ts worthKeeping):
 * tests that count the numbering's D1 use have it read once by an Authorize, which keeps it.
 */
const TAG = 'TXIDS-TAG';

function startOf(connectorId: number, minute: number, idTag = TAG) {
  return { connectorId, idTag, meterStart: 1_000 * minute, timestamp: `2026-05-02T10:${String(minute).padStart(2, '0')}:00Z` };
}

async function transaction(chargerId: string, transactionId: number) {
  return (await json(await api('GET', `/chargers/${chargerId}/transactions/${transactionId}`))).transaction;
}

describe('1.6 transaction ids from the charger object', () => {
  beforeAll(async () => {
    expect((await api('PUT', `/id-tags/${TAG}`, { status: 'Accepted' })).status).toBeLessThan(300);
  });

  it('number a new charger 1, 2, … and give a replay the same id, before and after an eviction', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const first = await start(cp, startOf(1, 0));
    const second = await start(cp, startOf(2, 1));
    expect([first, second]).toEqual([1, 2]);
    expect(await start(cp, startOf(1, 0))).toBe(first);

    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    expect((await cp.call('Authorize', { idTag: TAG }))[0]).toBe(3);
    expect(await start(cp, startOf(1, 0))).toBe(first);
    expect(await start(cp, startOf(2, 1))).toBe(second);
    expect(await start(cp, startOf(1, 2))).toBe(3);
    // A fresh instance needed no D1 for any of it but the Authorize's tag and the new start's tariff (issue 14,
    // one statement at every start): the numbering lives in the object's storage.
    expect((await env.CHARGERS.getByName(cp.id).stats()).d1Statements).toBe(2);

    await env.CHARGERS.getByName(cp.id).flushNow();
    const rows = await env.DB.prepare('SELECT ocpp_transaction_id FROM transactions WHERE charger_id = ? ORDER BY id').bind(cp.id).all();
    expect(rows.results).toEqual([{ ocpp_transaction_id: '1' }, { ocpp_transaction_id: '2' }, { ocpp_transaction_id: '3' }]);
    cp.close();
  });

  it('keep two chargers with the same ids apart in D1', async () => {
    const [a, b] = [await RawCharger.connect(uniqueChargerId('A'), 'ocpp1.6'), await RawCharger.connect(uniqueChargerId('B'), 'ocpp1.6')];
    await a.boot();
    await b.boot();
    const idA = await start(a, { ...startOf(1, 0), meterStart: 100 });
    const idB = await start(b, { ...startOf(1, 0), meterStart: 200 });
    expect(idA).toBe(idB);
    await a.call('StopTransaction', { transactionId: idA, meterStop: 1_100, timestamp: '2026-05-02T11:00:00Z' });
    // Both chargers' facts reach D1 in one writer batch.
    await env.CHARGERS.getByName(a.id).handOver();
    await env.CHARGERS.getByName(b.id).flushNow();

    expect(await transaction(a.id, idA)).toMatchObject({ chargerId: a.id, status: 'completed', meterStartWh: 100, energyWh: 1_000 });
    expect(await transaction(b.id, idB)).toMatchObject({ chargerId: b.id, status: 'active', meterStartWh: 200, meterStopWh: null });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM unmatched_stops WHERE charger_id IN (?, ?)').bind(a.id, b.id).first()).toEqual({ n: 0 });
    a.close();
    b.close();
  });

  it('complete a transaction whose start and stop reach D1 in the same batch, meter values linked', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    const id = await start(cp, startOf(1, 0));
    const sample = { timestamp: '2026-05-02T10:30:00Z', sampledValue: [{ value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
    await cp.call('MeterValues', { connectorId: 1, transactionId: id, meterValue: [sample] });
    await cp.call('StopTransaction', { transactionId: id, meterStop: 2_000, timestamp: '2026-05-02T11:00:00Z', reason: 'Local' });
    // The start and the reading waited in the outbox (merged into one row); the stop took them
    // along to D1 at its answer, in one batch, in their order.
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?').bind(cp.id).first()).toEqual({ n: 1 });
    expect((await stub.stats()).outboxEntries).toBe(0);
    await stub.flushNow();

    const tx = await transaction(cp.id, id);
    expect(tx).toMatchObject({ transactionId: String(id), status: 'completed', meterStartWh: 0, meterStopWh: 2_000, energyWh: 2_000, connectorId: 1 });
    expect(tx.meterValues.map((m: { value: number }) => m.value)).toEqual([1_500]);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM unmatched_stops WHERE charger_id = ?').bind(cp.id).first()).toEqual({ n: 0 });

    // A later stop changes nothing (it is kept as a conflicting-stop anomaly); a start identical to
    // the stopped one is a new session (issue 11), not a replay.
    await cp.call('StopTransaction', { transactionId: id, meterStop: 9_999, timestamp: '2026-05-02T12:00:00Z' });
    expect(await start(cp, startOf(1, 0))).toBe(id + 1);
    await stub.flushNow();
    expect(await transaction(cp.id, id)).toMatchObject({ status: 'completed', meterStopWh: 2_000, flags: ['conflicting-stop'] });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?').bind(cp.id).first()).toEqual({ n: 2 });
    cp.close();
  });

  it('keep a stop naming an id this charger never gave as unmatched, even when another charger has it', async () => {
    const owner = await RawCharger.connect(uniqueChargerId('OWN'), 'ocpp1.6');
    await owner.boot();
    const id = await start(owner, startOf(1, 0));
    await env.CHARGERS.getByName(owner.id).flushNow();
    const other = await RawCharger.connect(uniqueChargerId('OTH'), 'ocpp1.6');
    await other.boot();
    expect((await other.call('StopTransaction', { transactionId: id, meterStop: 5, timestamp: '2026-05-02T11:00:00Z' }))[0]).toBe(3);
    await env.CHARGERS.getByName(other.id).flushNow();
    expect(await env.DB.prepare('SELECT transaction_id, meter_stop_wh FROM unmatched_stops WHERE charger_id = ?').bind(other.id).first()).toEqual({
      transaction_id: id,
      meter_stop_wh: 5,
    });
    expect(await transaction(owner.id, id)).toMatchObject({ status: 'active' });
    owner.close();
    other.close();
  });

  it('continue the ids D1 gave a charger before, and a running transaction keeps its id on a replay', async () => {
    const id = uniqueChargerId('OLD');
    // Rows as D1 numbered them before: ocpp_transaction_id is a fleet-wide row id.
    const legacyKey = '1|LEGACY|0|2026-05-01T08:00:00.000Z';
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
         VALUES (?1, 'ocpp1.6', '5000', 'old-done', 0, 1, 'LEGACY', 'completed', '2026-04-01T00:00:00Z', 0, '2026-04-01T00:00:00Z'),
                (?1, 'ocpp1.6', '7000', ?2, 0, 1, 'LEGACY', 'active', '2026-05-01T08:00:00Z', 0, '2026-05-01T08:00:00Z')`,
      ).bind(id, legacyKey),
    ]);
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    expect(await start(cp, { connectorId: 1, idTag: 'LEGACY', meterStart: 0, timestamp: '2026-05-01T08:00:00.000Z' })).toBe(7000);
    expect(await start(cp, startOf(2, 5))).toBe(7001);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const rows = await env.DB.prepare('SELECT ocpp_transaction_id AS t FROM transactions WHERE charger_id = ? ORDER BY id').bind(id).all();
    expect(rows.results).toEqual([{ t: '5000' }, { t: '7000' }, { t: '7001' }]);
    cp.close();
  });

  it('answer InternalError when D1 cannot be read for the numbering, then carry on once it can', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    // The tag's record is cached first, so only the numbering needs D1. The boot read the
    // numbering already; an object from before it kept running transactions has not.
    await cp.call('Authorize', { idTag: TAG });
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('DELETE FROM transaction_running_seeded');
    });
    await breakD1(cp.id);
    const failed = await cp.call('StartTransaction', startOf(1, 0));
    expect(failed.slice(0, 3)).toEqual([4, failed[1], 'InternalError']);
    // A fresh instance has D1 again; the retry is numbered, and stored once.
    await evictDurableObject(stub);
    const id = await start(cp, startOf(1, 0));
    expect(id).toBe(1);

    // Once numbered, a D1 outage no longer reaches StartTransaction: the answer waits only for
    // the object's storage, the start waits in the outbox.
    await breakD1(cp.id);
    expect(await start(cp, startOf(1, 1))).toBe(2);
    expect(await start(cp, startOf(1, 0))).toBe(1);
    await evictDurableObject(stub);
    await stub.flushNow();
    const writer = env.FLEET_WRITERS.getByName(fleetWriterName(cp.id, readConfig(env).fleetWriterShards));
    expect((await writer.stats()).pending).toBe(0);
    const rows = await env.DB.prepare('SELECT ocpp_transaction_id AS t FROM transactions WHERE charger_id = ? ORDER BY id').bind(cp.id).all();
    expect(rows.results).toEqual([{ t: '1' }, { t: '2' }]);
    cp.close();
  });
});

