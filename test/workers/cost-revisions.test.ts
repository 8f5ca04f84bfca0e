// A completed transaction's cost recomputed only by an explicit, logged operator action (issue 14, "Cost"):
// POST /api/v1/transactions/{id}/cost rebuilds the cost from what D1 holds of the transaction, writes it with a
// revision row in one batch, and GET .../cost/revisions lists them; ?dryRun=true writes nothing.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, recordEvents, uniqueChargerId } from './helpers';
import { at, ENERGY_AND_PARKING, parkingSession16, PARKING_SESSION_START, peakOffPeak, peakSession, PEAK_SESSION_START, pricingKit, putTariff, sendTransactionEvent, transactionView } from './pricing-helpers';

const { uniqueTariffId, pricedCharger, event } = pricingKit('REV', 'REV-TAG');
const send = sendTransactionEvent;
const transaction = transactionView;

async function costRow(rowId: number) {
  return env.DB.prepare('SELECT tariff_id, tariff_version, total_cost_excl_vat, total_cost_incl_vat FROM transaction_costs WHERE transaction_id = ?')
    .bind(rowId)
    .first();
}

async function revisionCount(rowId: number): Promise<number> {
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM transaction_cost_revisions WHERE transaction_id = ?').bind(rowId).first<{ n: number }>())!.n;
}

const START = PEAK_SESSION_START;

/** The peak/off-peak session (pricing-helpers.ts peakSession), priced as computed by hand. Returns the row id. */
async function pricedSession(cp: RawCharger, tx: string): Promise<number> {
  const ended = await peakSession(cp, tx, 'REV-TAG');
  // 5 kWh × 0.40 + 4 kWh × 0.25 + 0.50 = 3.50 excl., 4.20 incl. 20 % VAT.
  expect(ended.totalCost).toBe(4.2);
  return (await transaction(cp, tx)).id;
}

describe('POST /api/v1/transactions/{id}/cost: an explicit, logged recomputation (issue 14 Cost; I03)', () => {
  it('I03.FR.02: recomputed under another tariff version: the hand-computed cost, the revision holds the previous and the new, the views show the new', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    const id = await pricedSession(cp, 'TX-REV');
    expect(await putTariff(tariffId, peakOffPeak(2))).toBe(2);

    // The same version again gives the cost the charger's object computed: the stored trace is the one it folded.
    const same = await api('POST', `/transactions/${id}/cost?dryRun=true`, { reason: 'check' });
    expect(same.status).toBe(200);
    expect(((await same.json()) as any).cost.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.2 });

    const res = await api('POST', `/transactions/${id}/cost`, { reason: 'Charger was assigned the launch price by mistake', tariffVersion: 2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    // 5 kWh × 0.80 = 4.00 + 4 kWh × 0.50 = 2.00 + 0.50 fee = 6.50 excl.; incl. 20 %: 4.80 + 2.40 + 0.60 = 7.80.
    expect(body).toMatchObject({
      transactionId: id,
      chargerId: cp.id,
      ocppTransactionId: 'TX-REV',
      dryRun: false,
      revision: 1,
      tariff: { id: tariffId, version: 2 },
      source: 'readings',
      tokenId: 'root',
      previous: { tariff: { id: tariffId, version: 1 }, cost: { total_cost: { excl_vat: 3.5, incl_vat: 4.2 } } },
    });
    expect(body.cost).toMatchObject({
      total_energy: 9,
      total_energy_cost: { excl_vat: 6, incl_vat: 7.2 },
      total_cost: { excl_vat: 6.5, incl_vat: 7.8 },
    });
    expect(await costRow(id)).toEqual({ tariff_id: tariffId, tariff_version: 2, total_cost_excl_vat: 6.5, total_cost_incl_vat: 7.8 });

    const tx = await transaction(cp, 'TX-REV');
    expect(tx.tariff).toEqual({ id: tariffId, version: 2 });
    expect(tx.cost.total_cost).toEqual({ excl_vat: 6.5, incl_vat: 7.8 });

    const list = await api('GET', `/transactions/${id}/cost/revisions`);
    expect(list.status).toBe(200);
    const revisions = ((await list.json()) as any).revisions;
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      revision: 1,
      reason: 'Charger was assigned the launch price by mistake',
      tokenId: 'root',
      source: 'readings',
      previous: { tariff: { id: tariffId, version: 1 }, cost: { total_cost: { excl_vat: 3.5, incl_vat: 4.2 } } },
      tariff: { id: tariffId, version: 2 },
      cost: { total_cost: { excl_vat: 6.5, incl_vat: 7.8 } },
    });

    // A second recomputation back to version 1 logs revision 2, whose previous is revision 1's figures.
    const back = (await (await api('POST', `/transactions/${id}/cost`, { reason: 'undo', tariffVersion: 1 })).json()) as any;
    expect(back).toMatchObject({ revision: 2, previous: { tariff: { version: 2 } }, cost: { total_cost: { excl_vat: 3.5, incl_vat: 4.2 } } });
    expect(await revisionCount(id)).toBe(2);
    cp.close();
  });

  it('I03.FR.02: ?dryRun=true answers the new cost and writes nothing', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    const id = await pricedSession(cp, 'TX-DRY');
    await putTariff(tariffId, peakOffPeak(2));
    const res = await api('POST', `/transactions/${id}/cost?dryRun=true`, { reason: 'what if', tariffVersion: 2 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ dryRun: true, revision: null, tariff: { version: 2 }, cost: { total_cost: { excl_vat: 6.5, incl_vat: 7.8 } } });
    expect(body.previous.cost.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.2 });
    expect(await costRow(id)).toEqual({ tariff_id: tariffId, tariff_version: 1, total_cost_excl_vat: 3.5, total_cost_incl_vat: 4.2 });
    expect(await revisionCount(id)).toBe(0);
    expect(((await (await api('GET', `/transactions/${id}/cost/revisions`)).json()) as any).revisions).toEqual([]);
    cp.close();
  });

  it('I03.FR.02: refused without writing: a running transaction (409), no reason (400 naming reason), a read token (403), an unknown tariff version (404), an unknown transaction (404)', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    await send(cp, event('TX-RUN', 0, 'Started', START, 0));
    const running = (await transaction(cp, 'TX-RUN')).id;
    const res409 = await api('POST', `/transactions/${running}/cost`, { reason: 'too early' });
    expect(res409.status).toBe(409);
    expect(((await res409.json()) as any).error.code).toBe('TransactionNotCompleted');

    await send(cp, event('TX-RUN', 1, 'Ended', at(START, 60), 9_000));
    const noReason = await api('POST', `/transactions/${running}/cost`, { tariffVersion: 1 });
    expect(noReason.status).toBe(400);
    const error = ((await noReason.json()) as any).error;
    expect(error.code).toBe('InvalidPayload');
    expect(error.message).toContain('reason');
    expect(error.issues[0].path).toBe('reason');
    expect((await api('POST', `/transactions/${running}/cost`, { reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await api('POST', `/transactions/${running}/cost`, { reason: '   ' })).status).toBe(400);

    const token = (await (await api('POST', '/tokens', { name: 'reader', scopes: ['read'] })).json()) as any;
    const forbidden = await api('POST', `/transactions/${running}/cost`, { reason: 'not mine to do' }, token.token);
    expect(forbidden.status).toBe(403);
    // ...but it may read the log.
    expect((await api('GET', `/transactions/${running}/cost/revisions`, undefined, token.token)).status).toBe(200);

    const unknownVersion = await api('POST', `/transactions/${running}/cost`, { reason: 'typo', tariffVersion: 99 });
    expect(unknownVersion.status).toBe(404);
    expect(((await unknownVersion.json()) as any).error.code).toBe('UnknownTariffVersion');
    expect((await api('POST', `/transactions/${running}/cost`, { reason: 'typo', tariffId: 'NO-SUCH-TARIFF' })).status).toBe(404);
    expect((await api('POST', '/transactions/999999999/cost', { reason: 'nothing' })).status).toBe(404);
    expect((await api('POST', '/transactions/abc/cost', { reason: 'nothing' })).status).toBe(400);

    expect(await revisionCount(running)).toBe(0);
    // No reading between 22:30 and 23:30: 9 kWh spread evenly, 4.5 kWh × 0.40 + 4.5 kWh × 0.25 + 0.50 = 3.425 → 3.43, as stored at the end.
    expect(await costRow(running)).toMatchObject({ tariff_version: 1, total_cost_excl_vat: 3.43 });
    cp.close();
  });

  it('I03.FR.02: the charger object can never overwrite a recomputed cost: a replayed Ended keeps it', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const cp = await pricedCharger('ocpp2.0.1', tariffId);
    const id = await pricedSession(cp, 'TX-KEEP');
    await putTariff(tariffId, peakOffPeak(2));
    expect((await api('POST', `/transactions/${id}/cost`, { reason: 'correction', tariffVersion: 2 })).status).toBe(200);
    // The charger resends its Ended: it is answered as before (the object remembers what it told the charger)...
    const replay = await send(cp, event('TX-KEEP', 2, 'Ended', at(START, 60), 9_000));
    expect(replay.totalCost).toBe(4.2);
    await env.CHARGERS.getByName(cp.id).flushNow();
    // ...and the recomputed cost stays.
    expect(await costRow(id)).toEqual({ tariff_id: tariffId, tariff_version: 2, total_cost_excl_vat: 6.5, total_cost_incl_vat: 7.8 });
    expect((await transaction(cp, 'TX-KEEP')).cost.total_cost).toEqual({ excl_vat: 6.5, incl_vat: 7.8 });
    cp.close();
  });

  it('1.6 §5.16 / §4.9: recomputed from the stored readings and the connector statuses (parking time); without readings, from the start/stop registers alone', async () => {
    const priced = uniqueTariffId();
    const energyAndParking = ENERGY_AND_PARKING;
    await putTariff(priced, energyAndParking);
    const cp = await pricedCharger('ocpp1.6', priced);
    const t0 = PARKING_SESSION_START;
    const transactionId = await parkingSession16(cp, 'REV16');
    const id = (await transaction(cp, String(transactionId))).id;
    // Energy 10 kWh × 0.30 = 3.00; parking 0.5 h × 2.00 = 1.00; the same version recomputed gives what the object stored.
    const same = (await (await api('POST', `/transactions/${id}/cost?dryRun=true`, { reason: 'check' })).json()) as any;
    expect(same).toMatchObject({ source: 'readings', cost: { total_parking_time: 0.5, total_cost: { excl_vat: 4, incl_vat: 4.8 } } });
    // Parking now 4.00/h: 3.00 + 2.00 = 5.00, 6.00 incl.
    await putTariff(priced, {
      ...energyAndParking,
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 20, step_size: 0 }, { type: 'PARKING_TIME', price: 4, vat: 20, step_size: 0 }] }],
    });
    const res = (await (await api('POST', `/transactions/${id}/cost`, { reason: 'parking price', tariffVersion: 2 })).json()) as any;
    expect(res).toMatchObject({ revision: 1, cost: { total_cost: { excl_vat: 5, incl_vat: 6 } }, previous: { cost: { total_cost: { excl_vat: 4 } } } });

    // A session with no MeterValues at all: its start and stop registers alone price it, and the answer says so.
    const bare = await cp.call('StartTransaction', { connectorId: 1, idTag: 'REV16', meterStart: 20_000, timestamp: at(t0, 120) });
    const bareId = (bare[2] as { transactionId: number }).transactionId;
    expect((await cp.call('StopTransaction', { transactionId: bareId, meterStop: 24_000, timestamp: at(t0, 180), reason: 'Local' }))[0]).toBe(3);
    const bareRow = (await transaction(cp, String(bareId))).id;
    const registers = (await (await api('POST', `/transactions/${bareRow}/cost?dryRun=true`, { reason: 'check' })).json()) as any;
    // 4 kWh × 0.30 = 1.20, 1.44 incl.; it started under version 2 (parking 4.00/h) and never parked.
    expect(registers).toMatchObject({ source: 'registers', tariff: { version: 2 }, cost: { total_energy: 4, total_cost: { excl_vat: 1.2, incl_vat: 1.44 } } });
    expect(registers.note).toMatch(/start and stop registers/);
    cp.close();
  });
});

/** The cdr.created events among `sent`, once the object has flushed and any announcement after its answer has run. */
async function cdrEvents(cp: RawCharger, sent: Array<{ type: string; data: any }>, expected: number) {
  await env.CHARGERS.getByName(cp.id).flushNow();
  const cdrs = () => sent.filter((e) => e.type === 'cdr.created');
  for (let i = 0; i < 50 && cdrs().length < expected; i++) await new Promise((r) => setTimeout(r, 20));
  // A little longer, to see that no more come.
  await new Promise((r) => setTimeout(r, 100));
  return cdrs();
}

describe('cdr.created on the EVENTS queue (issue 14 CDRs: optional push)', () => {
  it('I03.FR.02 (2.0.1): one cdr.created with the priced CDR once the Ended and its cost are in D1; a replayed Ended sends none', async () => {
    const tariffId = uniqueTariffId();
    await putTariff(tariffId, peakOffPeak());
    const chargerId = uniqueChargerId('REV');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
    const cp = await RawCharger.connect(chargerId, 'ocpp2.0.1');
    const sent = await recordEvents(chargerId);
    expect((await cp.boot())[0]).toBe(3);
    const id = await pricedSession(cp, 'TX-CDR');
    const first = await cdrEvents(cp, sent, 1);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      type: 'cdr.created',
      chargerId,
      protocol: 'ocpp2.0.1',
      data: { cdr: { id: String(id), session_id: 'TX-CDR', priced: true, total_cost: { excl_vat: 3.5, incl_vat: 4.2 }, end_date_time: at(START, 60) } },
    });
    // Exactly what GET /cdrs serves for it.
    const listed = ((await (await api('GET', `/cdrs?chargerId=${chargerId}`)).json()) as any).cdrs;
    expect(listed).toEqual([first[0]!.data.cdr]);

    await send(cp, event('TX-CDR', 2, 'Ended', at(START, 60), 9_000));
    expect(await cdrEvents(cp, sent, 2)).toHaveLength(1);
    cp.close();
  });

  it('1.6 §5.16: a StopTransaction sends one cdr.created; a charger with no tariff anywhere gets an unpriced CDR', async () => {
    const chargerId = uniqueChargerId('REV');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    const cp = await RawCharger.connect(chargerId, 'ocpp1.6');
    const sent = await recordEvents(chargerId);
    expect((await cp.boot())[0]).toBe(3);
    const t0 = '2026-03-01T10:00:00.000Z';
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CDR16', meterStart: 0, timestamp: t0 });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    const stop = { transactionId, meterStop: 5_000, timestamp: at(t0, 60), reason: 'Local' };
    expect((await cp.call('StopTransaction', stop))[0]).toBe(3);
    const events = await cdrEvents(cp, sent, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.cdr).toMatchObject({ session_id: String(transactionId), priced: false, total_energy: 5, cdr_token: { uid: 'CDR16' } });
    expect((await cp.call('StopTransaction', stop))[0]).toBe(3);
    expect(await cdrEvents(cp, sent, 2)).toHaveLength(1);
    cp.close();
  });
});

describe('cdr.created from a FleetWriter (FLEET_WRITER_SHARDS > 0)', () => {
  it('1.6 §5.16: the writer sends one cdr.created after the batch with the start and stop commits, none when the same facts come again', async () => {
    const chargerId = uniqueChargerId('REV');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    const writer = env.FLEET_WRITERS.getByName(`cdr-${chargerId}`);
    const sent: Array<{ type: string; data: any }> = [];
    await runInDurableObject(writer, (instance) => {
      const target = instance as unknown as { env: Record<string, unknown> };
      target.env = { ...target.env, EVENTS: { sendBatch: async (batch: Array<{ body: any }>) => void sent.push(...batch.map((m) => m.body)) } };
    });
    const facts: Array<[string, 'start16' | 'stop16', string]> = [
      [chargerId, 'start16', JSON.stringify({ transactionId: 77, connectorId: 1, idTag: 'FW', idTagStatus: 'Accepted', meterStartWh: 0, startedAt: '2026-03-02T10:00:00.000Z' })],
      [chargerId, 'stop16', JSON.stringify({ transactionId: 77, meterStopWh: 2_000, stoppedAt: '2026-03-02T11:00:00.000Z', reason: 'Local' })],
    ];
    await writer.appendStored(facts);
    await writer.flushNow();
    expect(sent.map((e) => e.type)).toEqual(['cdr.created']);
    expect(sent[0]!.data.cdr).toMatchObject({ session_id: '77', charger_id: chargerId, total_energy: 2, priced: false });
    await writer.appendStored(facts);
    await writer.flushNow();
    expect(sent).toHaveLength(1);
  });
});
