// Pricing against the real Worker, with strict clients (issue 14): a session under a time-of-day tariff gets
// the hand-computed totalCost in its Ended answer (2.0.1, I03.FR.02) and its cost in D1 (1.6).

import { describe, expect, it } from 'vitest';
import { api, bootedCharger, uniqueChargerId } from './helpers.ts';
import { getTransaction, reading16, reading201 } from './session-helpers.ts';

/** Peak 07:00–23:00 UTC at 0.40/kWh, off-peak 0.25/kWh, a 0.50 session fee; 20 % VAT. */
const PEAK_OFF_PEAK = {
  currency: 'EUR',
  time_zone: 'UTC',
  elements: [
    { price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00' } },
    { price_components: [{ type: 'ENERGY', price: 0.25, vat: 20, step_size: 1 }] },
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 20, step_size: 1 }] },
  ],
};

/** A charger registered with the peak/off-peak tariff assigned to it. */
async function pricedChargerId(prefix: string): Promise<string> {
  const chargerId = uniqueChargerId(prefix);
  const tariffId = `E2E-${crypto.randomUUID().slice(0, 12)}`;
  expect((await api('PUT', `/tariffs/${tariffId}`, PEAK_OFF_PEAK)).status).toBe(201);
  expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
  expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
  return chargerId;
}

// 22:30–23:30 UTC: 5 kWh before 23:00 (peak), 4 kWh after (off-peak).
const START = Date.parse('2026-01-15T22:30:00.000Z');
const iso = (minutes: number) => new Date(START + minutes * 60_000).toISOString();

describe('pricing with strict clients', () => {
  it('I03.FR.02: 2.0.1 Ended answer holds the hand-computed totalCost across a peak/off-peak boundary', async () => {
    const chargerId = await pricedChargerId('COST201');
    const client = await bootedCharger('ocpp2.0.1', chargerId);
    const base = { transactionInfo: { transactionId: 'E2E-TX' } };
    await client.call('TransactionEvent', {
      ...base,
      eventType: 'Started',
      timestamp: iso(0),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      evse: { id: 1, connectorId: 1 },
      transactionInfo: { transactionId: 'E2E-TX', chargingState: 'Charging' },
      meterValue: [reading201(iso(0), 0, 'Wh', 'Transaction.Begin')],
    });
    await client.call('TransactionEvent', {
      ...base,
      eventType: 'Updated',
      timestamp: iso(30),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      meterValue: [reading201(iso(30), 5_000, 'Wh')],
    });
    const ended = (await client.call('TransactionEvent', {
      eventType: 'Ended',
      timestamp: iso(60),
      triggerReason: 'EVDeparted',
      seqNo: 2,
      transactionInfo: { transactionId: 'E2E-TX', stoppedReason: 'EVDisconnected' },
      meterValue: [reading201(iso(60), 9_000, 'Wh', 'Transaction.End')],
    })) as { totalCost?: number };
    // 5 × 0.40 + 4 × 0.25 + 0.50 = 3.50 excl.; × 1.20 = 4.20 incl. VAT.
    expect(ended.totalCost).toBe(4.2);
    const tx = await getTransaction(chargerId, 'E2E-TX');
    expect((tx as any).cost.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.2 });
    await client.close();
  });

  it('1.6 cost in D1: StartTransaction → MeterValues → StopTransaction stores the hand-computed cost', async () => {
    const chargerId = await pricedChargerId('COST16');
    const client = await bootedCharger('ocpp1.6', chargerId);
    const started = (await client.call('StartTransaction', { connectorId: 1, idTag: 'E2E-COST', meterStart: 0, timestamp: iso(0) })) as {
      transactionId: number;
    };
    await client.call('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue: [reading16(iso(30), '5000', 'Wh')] });
    await client.call('StopTransaction', { transactionId: started.transactionId, meterStop: 9_000, timestamp: iso(60), reason: 'EVDisconnected' });
    const tx = await getTransaction(chargerId, started.transactionId);
    expect((tx as any).tariff).toMatchObject({ version: 1 });
    expect((tx as any).cost.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.2 });
    await client.close();
  });
});
