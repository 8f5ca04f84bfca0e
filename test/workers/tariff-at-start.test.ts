// Which tariff a session starting now gets, as the charger's object resolves it (issue 14): what a
// resolution costs in D1 at a start, and that an assignment made a moment ago applies at the next start
// (the object used to remember "no tariff anywhere" for 5 minutes and price nothing meanwhile).
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import { api, RawCharger, uniqueChargerId } from './helpers';

const TARIFF = {
  currency: 'EUR',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }] }],
};

/** The isolate's D1 counters, read through an object of its own (so the measured one is not woken by it). */
const probe = () => env.CHARGERS.getByName('TARIFF-AT-START-PROBE');
const d1Counters = () => runInDurableObject(probe(), () => ({ statements: isolateStats.d1Statements, rowsRead: isolateStats.d1RowsRead }));

function event(tx: string, seqNo: number, eventType: 'Started' | 'Ended', wh: number, idToken?: string): Record<string, unknown> {
  const timestamp = new Date(Date.now() + seqNo).toISOString();
  return {
    eventType,
    timestamp,
    triggerReason: eventType === 'Started' ? 'Authorized' : 'EVDeparted',
    seqNo,
    transactionInfo: { transactionId: tx, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : { chargingState: 'Charging' }) },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
    ...(idToken ? { idToken: { idToken, type: 'ISO14443' } } : {}),
    meterValue: [{ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
  };
}

describe('the tariff of a session, resolved at its start', () => {
  it('I03.FR.02: a tariff assigned to a charger that had none (none anywhere) prices its very next session', async () => {
    const chargerId = uniqueChargerId('ASSIGN');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    const cp = await RawCharger.connect(chargerId, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    expect((await cp.call('TransactionEvent', event('TX-NONE', 0, 'Started', 0)))[0]).toBe(3);
    // No tariff applies: the Ended answer has no totalCost.
    expect((await cp.call('TransactionEvent', event('TX-NONE', 1, 'Ended', 1_000)))[2]).toEqual({});

    const tariffId = `AT-START-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/tariffs/${tariffId}`, TARIFF)).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
    expect((await cp.call('TransactionEvent', event('TX-NOW', 0, 'Started', 0)))[0]).toBe(3);
    // 2 kWh x 0.48.
    expect((await cp.call('TransactionEvent', event('TX-NOW', 1, 'Ended', 2_000)))[2]).toEqual({ totalCost: 0.96 });
    cp.close();
  });

  it('I03.FR.02: resolving the tariff of a start costs one D1 statement (the token read for its authorization is reused)', async () => {
    const chargerId = uniqueChargerId('RESOLVE');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    const tag = uniqueChargerId('RT').slice(0, 20);
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBe(201);
    const cp = await RawCharger.connect(chargerId, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    expect((await cp.call('Authorize', { idToken: { idToken: tag, type: 'ISO14443' } }))[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const before = await d1Counters();
    const started = await cp.call('TransactionEvent', event('TX-COUNT', 0, 'Started', 0, tag));
    const after = await d1Counters();
    expect(started[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    // What it measured, for the README: one statement, a handful of rows (the assignments and their tariffs).
    console.log(`tariff resolution at a start: ${after.statements - before.statements} D1 statement(s), ${after.rowsRead - before.rowsRead} rows read`);
    expect(after.statements - before.statements).toBe(1);
    cp.close();
  });
});
