// Every transaction priced (issue 14, "Cost"): the tariff chosen at the start and kept by the charger's object,
// the cost folded over the transaction's messages, totalCost in the 2.0.1 Ended answer (I03.FR.02), the cost
// stored once in D1 (transaction_costs) and shown with the transaction.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, breakD1, RawCharger, uniqueChargerId } from './helpers';
import { at, ENERGY_AND_PARKING, parkingSession16, peakOffPeak, peakSession, PEAK_SESSION_START, pricingKit, putTariff, sendTransactionEvent, transactionView } from './pricing-helpers';
import { billedRows, meterObject } from './object-meter';

const { uniqueTariffId, pricedCharger, event } = pricingKit('COST', 'COST-TAG');
const send = sendTransactionEvent;
const transaction = transactionView;

async function costRows(chargerId: string) {
  return (await env.DB.prepare('SELECT tariff_id, tariff_version, total_cost_excl_vat, total_cost_incl_vat FROM transaction_costs WHERE charger_id = ?').bind(chargerId).all()).results;
}

const START = PEAK_SESSION_START;

/** Runs the peak/off-peak session `tx` on `cp` (pricing-helpers.ts peakSession); without `token`, no tag is read at all. */
const session = (cp: RawCharger, tx: string, beforeEnd?: () => Promise<void>, token = true) => peakSession(cp, tx, token ? 'COST-TAG' : null, beforeEnd);

describe('2.0.1: a transaction priced under its tariff', () => {
  it('I03.FR.02: the Ended answer holds the hand-computed totalCost across a peak/off-peak boundary; the same cost is in GET /transactions/{id}; a replayed Ended answers the same and changes nothing', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    const ended = await session(cp, 'TX-PEAK', async () => {
      // While it runs, the single-transaction view shows its cost so far: 5 kWh × 0.40 + 0.50 = 2.50, 3.00 incl. VAT.
      const running = await transaction(cp, 'TX-PEAK');
      expect(running).toMatchObject({ status: 'active', tariff: null, cost: null, runningCost: { tariff: { id: tariffId, version: 1 } } });
      expect(running.runningCost.cost.total_cost).toEqual({ excl_vat: 2.5, incl_vat: 3 });
    });
    // Energy: 5 kWh × 0.40 = 2.00 (peak, before 23:00) + 4 kWh × 0.25 = 1.00 (off-peak) = 3.00; flat fee 0.50.
    // Excl. VAT 3.50; incl. 20 % VAT: 2.40 + 1.20 + 0.60 = 4.20. totalCost is incl. VAT.
    expect(ended.totalCost).toBe(4.2);
    const tx = await transaction(cp, 'TX-PEAK');
    expect(tx.tariff).toEqual({ id: tariffId, version: 1 });
    expect(tx.cost).toMatchObject({
      currency: 'EUR',
      total_energy: 9,
      total_energy_cost: { excl_vat: 3, incl_vat: 3.6 },
      total_fixed_cost: { excl_vat: 0.5, incl_vat: 0.6 },
      total_cost: { excl_vat: 3.5, incl_vat: 4.2 },
    });
    expect(tx.cost.charging_periods.map((p: { start_date_time: string }) => p.start_date_time)).toEqual([START, at(START, 30)]);
    // The list shows it too.
    const list = (await (await api('GET', `/transactions?chargerId=${cp.id}`)).json()) as any;
    expect(list.transactions[0]).toMatchObject({ transactionId: 'TX-PEAK', tariff: { id: tariffId, version: 1 }, cost: { total_cost: { incl_vat: 4.2 } } });

    // The Ended again, as the charger would resend it: the same answer, one cost, no anomaly.
    const replay = await send(cp, event('TX-PEAK', 2, 'Ended', at(START, 60), 9_000));
    expect(replay.totalCost).toBe(4.2);
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await costRows(cp.id)).toEqual([{ tariff_id: tariffId, tariff_version: 1, total_cost_excl_vat: 3.5, total_cost_incl_vat: 4.2 }]);
    expect((await transaction(cp, 'TX-PEAK')).flags).toEqual([]);
    cp.close();
  });

  it('I03.FR.02: a changed tariff (a new version) does not change the price of a session started before; a session started after uses the new version', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    // The energy prices double mid-session (version 2).
    const first = await session(cp, 'TX-OLD', async () => expect(await putTariff(tariffId, peakOffPeak(2))).toBe(2));
    expect(first.totalCost).toBe(4.2);
    // Version 2: 5 × 0.80 + 4 × 0.50 = 6.00 + 0.50 flat = 6.50 excl., 7.80 incl. 20 % VAT.
    const second = await session(cp, 'TX-NEW');
    expect(second.totalCost).toBe(7.8);
    expect((await transaction(cp, 'TX-OLD')).tariff).toEqual({ id: tariffId, version: 1 });
    expect((await transaction(cp, 'TX-NEW')).tariff).toEqual({ id: tariffId, version: 2 });
    cp.close();
  });

  it('E07 abandoned: a transaction left open, closed by a newer Started on its EVSE, is priced up to its last reading; its late own Ended keeps that first cost and is answered it', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    await send(cp, event('TX-LEFT', 0, 'Started', START, 0));
    await send(cp, event('TX-LEFT', 1, 'Updated', at(START, 30), 5_000));
    // A new transaction on EVSE 1 at 23:45: TX-LEFT ended; priced to its last reading (23:00, 5 kWh at peak).
    await send(cp, event('TX-NEXT', 0, 'Started', at(START, 75), 9_000));
    // 5 × 0.40 + 0.50 = 2.50 excl., 3.00 incl. VAT.
    const left = await transaction(cp, 'TX-LEFT');
    expect(left).toMatchObject({ status: 'completed', stopReason: 'Abandoned', tariff: { id: tariffId, version: 1 }, cost: { total_cost: { excl_vat: 2.5, incl_vat: 3 } } });
    // Its own Ended comes after all: the transaction takes its stop (as before), its cost stays the first.
    const late = await send(cp, event('TX-LEFT', 2, 'Ended', at(START, 60), 9_000));
    expect(late.totalCost).toBe(3);
    expect((await transaction(cp, 'TX-LEFT')).cost.total_cost).toEqual({ excl_vat: 2.5, incl_vat: 3 });
    cp.close();
  });

  it('I03.FR.02: a charger with no tariff assigned anywhere: no totalCost (not free), no cost, no flag', async () => {
    const chargerId = uniqueChargerId('FREE');
    const cp = await RawCharger.connect(chargerId, 'ocpp2.0.1');
    expect((await cp.boot())[0]).toBe(3);
    const ended = await session(cp, 'TX-NONE');
    expect(ended).not.toHaveProperty('totalCost');
    const tx = await transaction(cp, 'TX-NONE');
    expect(tx).toMatchObject({ status: 'completed', tariff: null, cost: null, flags: [] });
    cp.close();
  });

  it('I03.FR.02: D1 down when the transaction starts: answered all the same, and priced at its next message once D1 is back', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    await breakD1(cp.id);
    // No id token: authorizing one would need D1 (that answer fails with D1 down, as before pricing).
    await send(cp, event('TX-LATER', 0, 'Started', START, 0, false));
    // A new instance, D1 back: the pending transaction is priced from its start.
    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    await send(cp, event('TX-LATER', 1, 'Updated', at(START, 30), 5_000));
    expect((await send(cp, event('TX-LATER', 2, 'Ended', at(START, 60), 9_000))).totalCost).toBe(4.2);
    cp.close();
  });

  it('I03.FR.02: D1 down for the whole transaction: answered all the same, no totalCost, and flagged unpriced once its facts reach D1', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    await breakD1(cp.id);
    const ended = await session(cp, 'TX-UNPRICED', undefined, false);
    expect(ended).not.toHaveProperty('totalCost');
    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    const tx = await transaction(cp, 'TX-UNPRICED');
    expect(tx).toMatchObject({ status: 'completed', tariff: null, cost: null, flags: ['unpriced'] });
    cp.close();
  });
});

describe('1.6: a transaction priced under its tariff', () => {
  it('1.6 cost in D1: StartTransaction → StatusNotification → MeterValues → StopTransaction stores the hand-computed cost', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, ENERGY_AND_PARKING);
    const cp = await pricedCharger('ocpp1.6', tariffId);
    // The EV stops drawing at 11:00 and stays connected until 11:30; a replayed MeterValues adds nothing.
    const transactionId = await parkingSession16(cp, 'COST16', async (meter) => expect((await meter(6_000, 30))[0]).toBe(3));
    // Energy 10 kWh × 0.30 = 3.00; parking 0.5 h × 2.00 = 1.00; excl. VAT 4.00, incl. 20 % VAT 4.80.
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await costRows(cp.id)).toEqual([{ tariff_id: tariffId, tariff_version: 1, total_cost_excl_vat: 4, total_cost_incl_vat: 4.8 }]);
    const tx = await transaction(cp, String(transactionId));
    expect(tx.cost).toMatchObject({ total_energy: 10, total_parking_time: 0.5, total_energy_cost: { excl_vat: 3 }, total_parking_cost: { excl_vat: 1 } });
    // The object's storage stays bounded: the ended row holds no fold state any more.
    const rows = await runInDurableObject(env.CHARGERS.getByName(cp.id), (_i, state) =>
      state.storage.sql.exec<{ ended: number; tariff: string | null }>('SELECT ended, tariff FROM transaction_prices').toArray(),
    );
    expect(rows).toEqual([{ ended: 1, tariff: null }]);
    cp.close();
  });

  it('1.6 cost in D1: a priced transaction costs its object one row per MeterValues (the fold state), and D1 nothing more per message', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp1.6', tariffId);
    const stub = env.CHARGERS.getByName(cp.id);
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'COST16', meterStart: 0, timestamp: new Date().toISOString() });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    await stub.flushNow();
    const d1Before = (await stub.stats()).d1Statements;
    const read = await meterObject(stub);
    const N = 16;
    for (let i = 1; i <= N; i++) {
      const meterValue = [{ timestamp: new Date(Date.now() + i * 1000).toISOString(), sampledValue: [{ value: String(i * 100), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }];
      expect((await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue }))[0]).toBe(3);
    }
    // Unpriced, a MeterValues costs the object no row (object-costs.test.ts); priced, the fold state's one.
    expect(billedRows(await read())).toBe(N);
    // D1: the one statement a MeterValues costs, as unpriced (no tariff read per message).
    expect((await stub.stats()).d1Statements - d1Before).toBe(N);
    cp.close();
  });
});
