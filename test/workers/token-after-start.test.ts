// A 2.0.1 session begun without a token (TxStartPoint EVConnected: plugged in, then a card) is priced by the
// tariff that applies without one, and rebound to its token's tariff (a fleet contract price, resolved as of
// the start) when the token becomes known: re-priced from its start, so the Ended's totalCost, the cost row
// and the CDR show the token's tariff (issue 14; charger/transaction-prices.ts `rebind`).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { REBIND_SAMPLES_MAX } from '../../src/charger/transaction-prices';
import { api, RawCharger, uniqueChargerId } from './helpers';
import { at, peakOffPeak, PEAK_SESSION_START, pricedCharger, putTariff, sendTransactionEvent, transactionEvent, transactionView, uniqueTariffId } from './pricing-helpers';

const START = PEAK_SESSION_START;

type Reading = { minutes: number; wh: number };

/** A TransactionEvent of `tx` `minutes` after START with energy register readings; the Started names no token (EVConnected start point). */
function event(tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', minutes: number, readings: Reading[], idToken?: string) {
  return transactionEvent(tx, seqNo, eventType, at(START, minutes), 0, idToken ?? null, {
    lateToken: true,
    readings: readings.map((r) => ({ timestamp: at(START, r.minutes), wh: r.wh })),
  });
}

/** A token registered Accepted, in `group` when given. */
async function token(prefix: string, group?: string): Promise<string> {
  const tag = uniqueChargerId(prefix).slice(0, 20);
  expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted', ...(group ? { parentIdTag: group } : {}) })).status).toBe(201);
  return tag;
}

/** A fleet (id tag group) with `tariffId` assigned to it; its name. */
async function contractGroup(tariffId: string): Promise<string> {
  const group = uniqueChargerId('FLEET').slice(0, 20);
  expect((await api('PUT', `/id-tags/${group}`, { status: 'Accepted' })).status).toBe(201);
  expect((await api('PUT', `/tariff-assignments/id-tag-groups/${group}`, { tariffId })).status).toBe(201);
  return group;
}

async function costRows(chargerId: string) {
  return (await env.DB.prepare('SELECT tariff_id, tariff_version, total_cost_excl_vat, total_cost_incl_vat FROM transaction_costs WHERE charger_id = ?').bind(chargerId).all())
    .results;
}

/**
 * The session: Started 0 Wh at 22:30 without a token (charging), Updated 5000 Wh at 23:00, the token's
 * Authorized event 6000 Wh at 23:10 (`afterToken` runs after it), Ended 9000 Wh at 23:30. Returns the
 * Authorized event's answer and the Ended's.
 */
async function session(cp: RawCharger, tx: string, tag: string, afterToken?: () => Promise<void>) {
  expect(await sendTransactionEvent(cp, event(tx, 0, 'Started', 0, [{ minutes: 0, wh: 0 }]))).toEqual({});
  await sendTransactionEvent(cp, event(tx, 1, 'Updated', 30, [{ minutes: 30, wh: 5_000 }]));
  const authorized = await sendTransactionEvent(cp, event(tx, 2, 'Updated', 40, [{ minutes: 40, wh: 6_000 }], tag));
  await afterToken?.();
  const ended = await sendTransactionEvent(cp, event(tx, 3, 'Ended', 60, [{ minutes: 60, wh: 9_000 }]));
  return { authorized, ended };
}

describe('2.0.1: a session begun without a token is priced by its token tariff once the token is known (issue 14)', () => {
  it('I03.FR.02 E02 (EVConnected start point): a contract tariff of the token group reprices the session from its start: Ended totalCost, cost row, CDR; a replay of the token event changes nothing', async () => {
    const chargerTariff = uniqueTariffId('REBIND');
    await putTariff(chargerTariff, peakOffPeak());
    const contract = uniqueTariffId('REBIND-FLEET');
    await putTariff(contract, peakOffPeak(0.5));
    const tag = await token('REB', await contractGroup(contract));
    const cp = await pricedCharger('ocpp2.0.1', chargerTariff, 'REBIND');
    let replayed: Record<string, unknown> | undefined;
    const { authorized, ended } = await session(cp, 'TX-REBIND', tag, async () => {
      const running = await transactionView(cp, 'TX-REBIND');
      expect(running.runningCost.tariff).toEqual({ id: contract, version: 1 });
      // The token's event again, as a charger resends it: answered, and the cost so far stays what it was.
      replayed = await sendTransactionEvent(cp, event('TX-REBIND', 2, 'Updated', 40, [{ minutes: 40, wh: 6_000 }], tag));
      const again = (await transactionView(cp, 'TX-REBIND')).runningCost;
      // (Its times run on to now: the cost so far is of an energy-only tariff, so they price nothing.)
      expect({ tariff: again.tariff, total: again.cost.total_cost, energy: again.cost.total_energy }).toEqual({
        tariff: running.runningCost.tariff,
        total: running.runningCost.cost.total_cost,
        energy: 6,
      });
    });
    expect(replayed).toEqual(authorized);
    // Under the contract (peak 0.20, off-peak 0.125 per kWh, 0.50 per session, 20 % VAT), from the start, with the
    // 23:00 reading taken before the token was known: 5 kWh x 0.20 = 1.00 + 4 kWh x 0.125 = 0.50 + 0.50 = 2.00
    // excl. VAT, 2.40 incl. (The charger's tariff would have been 3.50 / 4.20.)
    expect(ended.totalCost).toBe(2.4);
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await costRows(cp.id)).toEqual([{ tariff_id: contract, tariff_version: 1, total_cost_excl_vat: 2, total_cost_incl_vat: 2.4 }]);
    const tx = await transactionView(cp, 'TX-REBIND');
    expect(tx).toMatchObject({ tariff: { id: contract, version: 1 }, cost: { total_energy: 9, total_cost: { excl_vat: 2, incl_vat: 2.4 } }, flags: [] });
    const cdrs = (await (await api('GET', `/cdrs?chargerId=${cp.id}&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`)).json()) as any;
    expect(cdrs.cdrs).toHaveLength(1);
    expect(cdrs.cdrs[0]).toMatchObject({ session_id: 'TX-REBIND', tariffs: [{ id: contract }], total_cost: { excl_vat: 2, incl_vat: 2.4 } });
    // The Ended again: the same answer, one cost.
    expect((await sendTransactionEvent(cp, event('TX-REBIND', 3, 'Ended', 60, [{ minutes: 60, wh: 9_000 }]))).totalCost).toBe(2.4);
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await costRows(cp.id)).toHaveLength(1);
    cp.close();
  });

  it('I03.FR.02: a token whose tariff is the one the session began with (no group) changes nothing', async () => {
    const chargerTariff = uniqueTariffId('REBIND');
    await putTariff(chargerTariff, peakOffPeak());
    const tag = await token('SAME');
    const cp = await pricedCharger('ocpp2.0.1', chargerTariff, 'REBIND');
    const { ended } = await session(cp, 'TX-SAME', tag);
    // 5 kWh x 0.40 + 4 kWh x 0.25 + 0.50 = 3.50, 4.20 incl. VAT.
    expect(ended.totalCost).toBe(4.2);
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await costRows(cp.id)).toEqual([{ tariff_id: chargerTariff, tariff_version: 1, total_cost_excl_vat: 3.5, total_cost_incl_vat: 4.2 }]);
    cp.close();
  });

  it('I03.FR.02: a tariff edited mid-session never changes its price: the version bound at the start (same tariff for the token), the contract version bound at the token', async () => {
    const chargerTariff = uniqueTariffId('REBIND');
    await putTariff(chargerTariff, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', chargerTariff, 'REBIND');
    // The charger's tariff edited before the token (of no group) is known: the session keeps version 1.
    await sendTransactionEvent(cp, event('TX-EDIT', 0, 'Started', 0, [{ minutes: 0, wh: 0 }]));
    expect(await putTariff(chargerTariff, peakOffPeak(2))).toBe(2);
    await sendTransactionEvent(cp, event('TX-EDIT', 1, 'Updated', 40, [{ minutes: 30, wh: 5_000 }, { minutes: 40, wh: 6_000 }], await token('EDIT')));
    expect((await sendTransactionEvent(cp, event('TX-EDIT', 2, 'Ended', 60, [{ minutes: 60, wh: 9_000 }]))).totalCost).toBe(4.2);

    // A contract edited after the session was rebound to it: the version bound then stays.
    const contract = uniqueTariffId('REBIND-FLEET');
    await putTariff(contract, peakOffPeak(0.5));
    const tag = await token('EDIT2', await contractGroup(contract));
    const { ended } = await session(cp, 'TX-EDIT2', tag, async () => {
      expect(await putTariff(contract, peakOffPeak(3))).toBe(2);
    });
    expect(ended.totalCost).toBe(2.4);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const rows = await costRows(cp.id);
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual({ tariff_id: chargerTariff, tariff_version: 1, total_cost_excl_vat: 3.5, total_cost_incl_vat: 4.2 });
    expect(rows).toContainEqual({ tariff_id: contract, tariff_version: 1, total_cost_excl_vat: 2, total_cost_incl_vat: 2.4 });
    cp.close();
  });

  it(`I03.FR.02: past ${REBIND_SAMPLES_MAX} samples without a token the session keeps the tariff it began with and is flagged price-not-rebound`, async () => {
    const chargerTariff = uniqueTariffId('REBIND');
    await putTariff(chargerTariff, peakOffPeak());
    const contract = uniqueTariffId('REBIND-FLEET');
    await putTariff(contract, peakOffPeak(0.5));
    const tag = await token('OVER', await contractGroup(contract));
    const cp = await pricedCharger('ocpp2.0.1', chargerTariff, 'REBIND');
    await sendTransactionEvent(cp, event('TX-OVER', 0, 'Started', 0, [{ minutes: 0, wh: 0 }]));
    // More readings than the object keeps, all before 23:00 (the last one 5000 Wh at 23:00).
    const count = REBIND_SAMPLES_MAX + 10;
    const readings = Array.from({ length: count }, (_, i) => ({ minutes: ((i + 1) * 30) / count, wh: Math.round(((i + 1) * 5_000) / count) }));
    await sendTransactionEvent(cp, event('TX-OVER', 1, 'Updated', 30, readings));
    await sendTransactionEvent(cp, event('TX-OVER', 2, 'Updated', 40, [{ minutes: 40, wh: 6_000 }], tag));
    expect((await sendTransactionEvent(cp, event('TX-OVER', 3, 'Ended', 60, [{ minutes: 60, wh: 9_000 }]))).totalCost).toBe(4.2);
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await costRows(cp.id)).toEqual([{ tariff_id: chargerTariff, tariff_version: 1, total_cost_excl_vat: 3.5, total_cost_incl_vat: 4.2 }]);
    expect((await transactionView(cp, 'TX-OVER')).flags).toEqual(['price-not-rebound']);
    cp.close();
  });
});
