import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

function energySample(timestamp: string, wh: number, context = 'Sample.Periodic') {
  return { timestamp, sampledValue: [{ value: String(wh), context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
}

describe('OCPP 1.6 transactions', () => {
  it('run a full session: authorize, start, meter values, stop, with the right energy', async () => {
    const tag = uniqueChargerId('TAG').slice(0, 20);
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect((await cp.call('Authorize', { idTag: tag.toLowerCase() }))[2]).toEqual({ idTagInfo: { status: 'Accepted' } });

    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 10_000, timestamp: new Date().toISOString() });
    const { transactionId, idTagInfo } = started[2] as { transactionId: number; idTagInfo: { status: string } };
    expect(idTagInfo.status).toBe('Accepted');
    for (const [i, wh] of [11_000, 12_500, 14_000].entries()) {
      const ts = new Date(Date.now() + (i + 1) * 1000).toISOString();
      expect((await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [energySample(ts, wh)] }))[0]).toBe(3);
    }
    const stopped = await cp.call('StopTransaction', { transactionId, meterStop: 15_250, timestamp: new Date(Date.now() + 5000).toISOString(), idTag: tag, reason: 'EVDisconnected' });
    expect(stopped[2]).toEqual({ idTagInfo: { status: 'Accepted' } });

    const res = await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`);
    expect(res.status).toBe(200);
    const { transaction } = await json(res);
    expect(transaction).toMatchObject({
      transactionId: String(transactionId),
      status: 'completed',
      idTag: tag,
      meterStartWh: 10_000,
      meterStopWh: 15_250,
      energyWh: 5_250,
      stopReason: 'EVDisconnected',
    });
    expect(transaction.meterValues.map((m: { value: number }) => m.value)).toEqual([11_000, 12_500, 14_000]);

    const list = await json(await api('GET', `/transactions?chargerId=${cp.id}&status=completed`));
    expect(list.transactions.map((t: { transactionId: string }) => t.transactionId)).toEqual([String(transactionId)]);
    cp.close();
  });

  it('give a replayed StartTransaction the same id, and ignore a repeated StopTransaction', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const start = { connectorId: 2, idTag: 'WHOEVER', meterStart: 500, timestamp: '2026-03-01T08:00:00Z' };
    const first = (await cp.call('StartTransaction', start))[2] as { transactionId: number };
    const replay = (await cp.call('StartTransaction', start))[2] as { transactionId: number };
    expect(replay.transactionId).toBe(first.transactionId);

    const stop = { transactionId: first.transactionId, meterStop: 2500, timestamp: '2026-03-01T09:00:00Z' };
    await cp.call('StopTransaction', stop);
    await env.CHARGERS.getByName(cp.id).flushNow();
    await cp.call('StopTransaction', { ...stop, meterStop: 9999, timestamp: '2026-03-01T10:00:00Z' });
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/${first.transactionId}`));
    expect(transaction).toMatchObject({ energyWh: 2000, meterStopWh: 2500, stopReason: 'Local', stoppedAt: '2026-03-01T09:00:00.000Z' });
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?').bind(cp.id).first();
    expect(count).toEqual({ n: 1 });
    cp.close();
  });

  it('acknowledge a StopTransaction for an unknown transaction and keep it', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const reply = await cp.call('StopTransaction', { transactionId: 987_654_321, meterStop: 100, timestamp: '2026-03-01T09:00:00Z' });
    expect(reply[0]).toBe(3);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const row = await env.DB.prepare('SELECT * FROM unmatched_stops WHERE charger_id = ?').bind(cp.id).first();
    expect(row).toMatchObject({ transaction_id: 987_654_321, meter_stop_wh: 100 });
    cp.close();
  });

  it("never let one charger stop another charger's transaction", async () => {
    const owner = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await owner.boot();
    const { transactionId } = (await owner.call('StartTransaction', { connectorId: 1, idTag: 'X', meterStart: 0, timestamp: new Date().toISOString() }))[2] as { transactionId: number };
    const intruder = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await intruder.boot();
    await intruder.call('StopTransaction', { transactionId, meterStop: 1, timestamp: new Date().toISOString() });
    await env.CHARGERS.getByName(intruder.id).flushNow();
    const { transaction } = await json(await api('GET', `/chargers/${owner.id}/transactions/${transactionId}`));
    expect(transaction.status).toBe('active');
    owner.close();
    intruder.close();
  });

  it('answer tags per their record: unknown Invalid, blocked Blocked, expired Expired', async () => {
    const blocked = uniqueChargerId('B').slice(0, 20);
    const expired = uniqueChargerId('E').slice(0, 20);
    await api('PUT', `/id-tags/${blocked}`, { status: 'Blocked' });
    await api('PUT', `/id-tags/${expired}`, { status: 'Accepted', expiryDate: '2020-01-01T00:00:00Z' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect((await cp.call('Authorize', { idTag: 'NOBODY-KNOWS' }))[2]).toEqual({ idTagInfo: { status: 'Invalid' } });
    expect((await cp.call('Authorize', { idTag: blocked }))[2]).toMatchObject({ idTagInfo: { status: 'Blocked' } });
    expect((await cp.call('Authorize', { idTag: expired }))[2]).toMatchObject({ idTagInfo: { status: 'Expired' } });
    cp.close();
  });
});

describe('OCPP 2.0.1 transactions', () => {
  function event(seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', minute: number, extra: Record<string, unknown> = {}, wh?: number, context = 'Sample.Periodic') {
    const timestamp = `2026-03-02T10:${String(minute).padStart(2, '0')}:00Z`;
    return {
      eventType,
      timestamp,
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId: 'TX-1', ...(extra.transactionInfo as object) },
      ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'TOKEN-201', type: 'ISO14443' } } : {}),
      ...(wh === undefined
        ? {}
        : { meterValue: [{ timestamp, sampledValue: [{ value: wh / 1000, context, unitOfMeasure: { unit: 'kWh' } }] }] }),
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'transactionInfo')),
    };
  }

  const EVENTS = [
    event(0, 'Started', 0, { transactionInfo: { chargingState: 'Charging', remoteStartId: 77 } }, 1_000_000, 'Transaction.Begin'),
    event(1, 'Updated', 10, {}, 1_004_000),
    event(2, 'Updated', 20, { transactionInfo: { chargingState: 'SuspendedEV' } }, 1_007_500),
    event(3, 'Ended', 30, { transactionInfo: { stoppedReason: 'EVDisconnected', chargingState: 'Idle' } }, 1_009_000, 'Transaction.End'),
  ];

  it('derive the same transaction whatever the order before its Ended and however often events arrive', async () => {
    const expected = {
      transactionId: 'TX-1',
      status: 'completed',
      evseId: 1,
      connectorId: 1,
      idTag: 'TOKEN-201',
      remoteStartId: 77,
      startedAt: '2026-03-02T10:00:00.000Z',
      stoppedAt: '2026-03-02T10:30:00.000Z',
      stopReason: 'EVDisconnected',
      chargingState: 'Idle',
      meterStartWh: 1_000_000,
      meterStopWh: 1_009_000,
      energyWh: 9_000,
    };
    // Once the Ended is applied the bill is closed: an event arriving after it with other
    // content is a late-event (billing-integrity-201.test.ts); an identical replay adds nothing.
    const orders = [
      [0, 1, 2, 3],
      [1, 0, 2, 2, 1, 3, 3, 0, 2],
    ];
    for (const order of orders) {
      const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
      await cp.boot();
      for (const i of order) {
        // Flush between some events so the derivation also runs on partial histories.
        expect((await cp.call('TransactionEvent', EVENTS[i]))[0]).toBe(3);
        if (i % 2 === 0) await env.CHARGERS.getByName(cp.id).flushNow();
      }
      const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/TX-1`));
      expect(transaction, order.join(',')).toMatchObject(expected);
      expect(transaction.meterValues).toHaveLength(4);
      const events = await env.DB.prepare('SELECT COUNT(*) AS n FROM transaction_events WHERE charger_id = ?').bind(cp.id).first();
      expect(events).toEqual({ n: 4 });
      cp.close();
    }
  });

  it('show a transaction as active until its Ended event arrives', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await cp.call('TransactionEvent', EVENTS[0]);
    await cp.call('TransactionEvent', EVENTS[1]);
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/TX-1`));
    expect(transaction).toMatchObject({ status: 'active', energyWh: 4_000, stoppedAt: null });
    cp.close();
  });
});

describe('where values belong', () => {
  it('puts a 1.6 stop\'s transaction data on the connector the transaction started on', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 3, idTag: 'X', meterStart: 0, timestamp: '2026-06-01T10:00:00Z' }))[2] as { transactionId: number };
    await cp.call('StopTransaction', {
      transactionId,
      meterStop: 200,
      timestamp: '2026-06-01T11:00:00Z',
      transactionData: [energySample('2026-06-01T11:00:00Z', 200, 'Transaction.End')],
    });
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`));
    expect(transaction.meterValues).toEqual([expect.objectContaining({ connectorId: 3, value: 200, context: 'Transaction.End' })]);
    cp.close();
  });

  it("finds a 1.6 stop's connector with the transaction's id (no location row per start): an abandoned one's too, and a replayed stop changes nothing", async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    const start = async (meterStart: number) =>
      ((await cp.call('StartTransaction', { connectorId: 2, idTag: 'X', meterStart, timestamp: `2026-06-03T1${meterStart}:00:00Z` }))[2] as { transactionId: number }).transactionId;
    const first = await start(0);
    // A newer start on the same connector abandons the first; its own stop comes later.
    const second = await start(1);
    const stop = (transactionId: number, wh: number) => ({
      transactionId,
      meterStop: wh,
      timestamp: `2026-06-03T1${wh / 100}:30:00Z`,
      transactionData: [energySample(`2026-06-03T1${wh / 100}:30:00Z`, wh, 'Transaction.End')],
    });
    expect((await cp.call('StopTransaction', stop(first, 300)))[0]).toBe(3);
    expect((await cp.call('StopTransaction', stop(second, 400)))[0]).toBe(3);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.sql.exec('SELECT COUNT(*) AS n FROM transaction_locations').one().n)).toBe(0);
    await stub.flushNow();
    const shown = async () =>
      Promise.all([first, second].map(async (id) => (await json(await api('GET', `/chargers/${cp.id}/transactions/${id}`))).transaction));
    const before = await shown();
    expect(before.map((t) => t.meterValues)).toEqual([
      [expect.objectContaining({ connectorId: 2, value: 300, context: 'Transaction.End' })],
      [expect.objectContaining({ connectorId: 2, value: 400, context: 'Transaction.End' })],
    ]);
    // The stop again (its answer was lost): the transaction's id no longer names a connector, and
    // its values are those the first sending stored.
    expect((await cp.call('StopTransaction', stop(second, 400)))[0]).toBe(3);
    await stub.flushNow();
    expect(await shown()).toEqual(before);
    cp.close();
  });

  it('puts 2.0.1 values of events without evse on the transaction\'s EVSE, and sums per-phase energy', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const phases = (wh: number, context: string) =>
      ['L1', 'L2', 'L3'].map((phase) => ({ value: wh, phase, context, measurand: 'Energy.Active.Import.Register' }));
    const base = { triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId: 'PH-1' } };
    await cp.call('TransactionEvent', {
      ...base,
      eventType: 'Started',
      seqNo: 0,
      timestamp: '2026-06-02T10:00:00Z',
      evse: { id: 2, connectorId: 1 },
      meterValue: [{ timestamp: '2026-06-02T10:00:00Z', sampledValue: phases(1000, 'Transaction.Begin') }],
    });
    await cp.call('TransactionEvent', {
      ...base,
      eventType: 'Ended',
      seqNo: 1,
      timestamp: '2026-06-02T11:00:00Z',
      meterValue: [{ timestamp: '2026-06-02T11:00:00Z', sampledValue: phases(2000, 'Transaction.End') }],
    });
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/PH-1`));
    expect(transaction).toMatchObject({ evseId: 2, connectorId: 1, energyWh: 3000, status: 'completed' });
    expect(new Set(transaction.meterValues.map((m: { evseId: number }) => m.evseId))).toEqual(new Set([2]));
    // The fleet list shows the same energy.
    const list = await json(await api('GET', `/transactions?chargerId=${cp.id}`));
    expect(list.transactions).toEqual([expect.objectContaining({ transactionId: 'PH-1', energyWh: 3000 })]);
    cp.close();
  });
});

describe('the history API', () => {
  it('returns meter values over a time range, a page at a time', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const values = [1, 2, 3, 4, 5].map((i) => energySample(`2026-04-01T00:0${i}:00Z`, i * 100));
    await cp.call('MeterValues', { connectorId: 1, meterValue: values });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(
        await api('GET', `/chargers/${cp.id}/meter-values?from=2026-04-01T00:02:00Z&to=2026-04-01T00:05:00Z&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      seen.push(...page.meterValues.map((m: { value: number }) => m.value));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([200, 300, 400]);
    expect((await api('GET', `/chargers/${cp.id}/meter-values?from=yesterday`)).status).toBe(400);
    cp.close();
  });

  it('keeps connector status history', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    for (const [minute, status] of [[1, 'Available'], [2, 'Occupied'], [3, 'Available']] as const) {
      await cp.call('StatusNotification', { timestamp: `2026-04-02T00:0${minute}:00Z`, connectorStatus: status, evseId: 1, connectorId: 1 });
    }
    // An old report replayed late changes the history, not the current state.
    await cp.call('StatusNotification', { timestamp: '2026-04-01T23:59:00Z', connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    const { statuses } = await json(await api('GET', `/chargers/${cp.id}/status-history`));
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['Available', 'Occupied', 'Available', 'Faulted']);
    const { charger } = await json(await api('GET', `/chargers/${cp.id}`));
    expect(charger.connectors).toEqual([expect.objectContaining({ status: 'Available', reportedAt: '2026-04-02T00:03:00.000Z' })]);
    cp.close();
  });
});

describe('energy figures', () => {
  it('carry no floating-point noise from large register readings', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const reading = (timestamp: string, value: number, context: string) => [
      { timestamp, sampledValue: [{ value, context, measurand: 'Energy.Active.Import.Register' }] },
    ];
    const base = { triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId: 'NOISE' } };
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', seqNo: 0, timestamp: '2026-06-03T10:00:00Z', meterValue: reading('2026-06-03T10:00:00Z', 4166008.4, 'Transaction.Begin') });
    await cp.call('TransactionEvent', { ...base, eventType: 'Ended', seqNo: 1, timestamp: '2026-06-03T10:05:00Z', meterValue: reading('2026-06-03T10:05:00Z', 4166011.5, 'Transaction.End') });
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/NOISE`));
    expect(transaction.energyWh).toBe(3.1);
    cp.close();
  });
});

describe('a running 1.6 transaction in the list', () => {
  // The console's transactions table read `energyWh: null` for every running 1.6 session (only the
  // single-transaction view computed it), beside a chart of the same readings showing 2.6 kWh.
  it('1.6 §5.10 / §6.7: shows the energy so far from its latest energy register, in the list as in its own view', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'LIVE16', meterStart: 10_000, timestamp: new Date().toISOString() });
    const { transactionId } = started[2] as { transactionId: number };
    for (const [i, wh] of [11_000, 12_600].entries()) {
      const ts = new Date(Date.now() + (i + 1) * 1000).toISOString();
      await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [energySample(ts, wh)] });
    }
    const list = await json(await api('GET', `/transactions?chargerId=${cp.id}&status=active`));
    expect(list.transactions).toEqual([expect.objectContaining({ transactionId: String(transactionId), status: 'active', meterStartWh: 10_000, meterStopWh: 12_600, energyWh: 2_600 })]);
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`));
    expect(transaction).toMatchObject({ status: 'active', energyWh: 2_600 });

    // Its stop's register is what counts once it ends.
    await cp.call('StopTransaction', { transactionId, meterStop: 13_000, timestamp: new Date(Date.now() + 5000).toISOString(), reason: 'Local' });
    const after = await json(await api('GET', `/transactions?chargerId=${cp.id}`));
    expect(after.transactions).toEqual([expect.objectContaining({ status: 'completed', meterStopWh: 13_000, energyWh: 3_000 })]);
    cp.close();
  });
});
