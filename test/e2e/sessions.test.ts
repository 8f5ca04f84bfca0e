// Charging sessions against the real Worker: strict ocpp-rpc chargers of 1.6 and 2.0.1 run a
// whole session, and the HTTP API shows the transaction, its meter values and its energy.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bootedCharger, connectCharger, uniqueChargerId } from './helpers.ts';
import { at, completed201, ENERGY, getTransaction, listTransactions, putTag, reading16, runSession201, session201 } from './session-helpers.ts';

interface StartTransactionResult {
  transactionId: number;
  idTagInfo: { status: string };
}

describe('OCPP 1.6 session, strict client', () => {
  it('authorize, start, meter values in Wh and kWh, stop with transactionData: the API shows it completed with its energy', async () => {
    const tag = await putTag();
    const id = uniqueChargerId('S16');
    const client = await bootedCharger('ocpp1.6', id);

    // Tags compare case-insensitively.
    expect(await client.call('Authorize', { idTag: tag.toLowerCase() })).toEqual({ idTagInfo: { status: 'Accepted' } });

    const t0 = Date.now();
    const started = (await client.call('StartTransaction', {
      connectorId: 1,
      idTag: tag,
      meterStart: 20_000,
      timestamp: at(t0, 0),
    })) as StartTransactionResult;
    expect(started.idTagInfo).toEqual({ status: 'Accepted' });
    expect(Number.isInteger(started.transactionId)).toBe(true);
    const { transactionId } = started;

    const readings = [
      reading16(at(t0, 60), '20800', 'Wh'),
      reading16(at(t0, 120), '21.5', 'kWh'),
      reading16(at(t0, 180), '22300'), // no unit: an energy measurand defaults to Wh
    ];
    for (const reading of readings) {
      expect(await client.call('MeterValues', { connectorId: 1, transactionId, meterValue: [reading] })).toEqual({});
    }

    const stopped = await client.call('StopTransaction', {
      transactionId,
      idTag: tag,
      meterStop: 23_000,
      timestamp: at(t0, 240),
      reason: 'EVDisconnected',
      transactionData: [reading16(at(t0, 240), '23.0', 'kWh', 'Transaction.End')],
    });
    expect(stopped).toEqual({ idTagInfo: { status: 'Accepted' } });

    const transaction = await getTransaction(id, transactionId);
    expect(transaction).toMatchObject({
      chargerId: id,
      protocol: 'ocpp1.6',
      transactionId: String(transactionId),
      evseId: 0,
      connectorId: 1,
      idTag: tag,
      status: 'completed',
      startedAt: at(t0, 0),
      stoppedAt: at(t0, 240),
      meterStartWh: 20_000,
      meterStopWh: 23_000,
      energyWh: 3_000,
      stopReason: 'EVDisconnected',
      offline: false,
    });
    expect(transaction.energyWh).toBe(transaction.meterStopWh! - transaction.meterStartWh!);
    expect(
      transaction.meterValues.map(({ timestamp, measurand, context, unit, value, transactionId: tx }) => ({
        timestamp,
        measurand,
        context,
        unit,
        value,
        tx,
      })),
    ).toEqual([
      { timestamp: at(t0, 60), measurand: ENERGY, context: 'Sample.Periodic', unit: 'Wh', value: 20_800, tx: String(transactionId) },
      { timestamp: at(t0, 120), measurand: ENERGY, context: 'Sample.Periodic', unit: 'Wh', value: 21_500, tx: String(transactionId) },
      { timestamp: at(t0, 180), measurand: ENERGY, context: 'Sample.Periodic', unit: 'Wh', value: 22_300, tx: String(transactionId) },
      { timestamp: at(t0, 240), measurand: ENERGY, context: 'Transaction.End', unit: 'Wh', value: 23_000, tx: String(transactionId) },
    ]);
    // MeterValues named their connector.
    expect(transaction.meterValues.slice(0, 3).map((m) => m.connectorId)).toEqual([1, 1, 1]);

    // The fleet list reads D1 as it is; the single-charger read above copied this charger's facts there.
    const completed = await listTransactions(id, 'completed');
    expect(completed.map((t) => [t.transactionId, t.status, t.energyWh])).toEqual([[String(transactionId), 'completed', 3_000]]);
    expect(await listTransactions(id, 'active')).toEqual([]);
  });
});

describe('OCPP 2.0.1 session, strict client', () => {
  it('authorize, Started, three Updated, Ended: the API shows it completed with its energy in Wh', async () => {
    const id = uniqueChargerId('S201');
    const client = await bootedCharger('ocpp2.0.1', id);
    await runSession201(client, id, 'ocpp2.0.1');
  });
});

describe('replays through a real client', () => {
  it('1.6: a StartTransaction sent again (same connection, then after a reconnect) gets the same transactionId; one row', async () => {
    const tag = await putTag();
    const id = uniqueChargerId('RPL16');
    const first = await bootedCharger('ocpp1.6', id);
    const start = { connectorId: 2, idTag: tag, meterStart: 1_000, timestamp: new Date().toISOString() };

    const original = (await first.call('StartTransaction', start)) as StartTransactionResult;
    // The CALLRESULT "was lost": the charger sends the same request again.
    const again = (await first.call('StartTransaction', start)) as StartTransactionResult;
    expect(again).toEqual(original);

    // ... or it reconnects first (no new boot needed) and then sends it again.
    await first.close({ force: true });
    const second = await connectCharger('ocpp1.6', id);
    const afterReconnect = (await second.call('StartTransaction', start)) as StartTransactionResult;
    expect(afterReconnect.transactionId).toBe(original.transactionId);
    expect(afterReconnect.idTagInfo.status).toBe('Accepted');

    const rows = await listTransactions(id);
    expect(rows.map((t) => [t.transactionId, t.status, t.connectorId, t.meterStartWh])).toEqual([
      [String(original.transactionId), 'active', 2, 1_000],
    ]);

    await second.call('StopTransaction', {
      transactionId: original.transactionId,
      meterStop: 1_800,
      timestamp: new Date().toISOString(),
    });
    const transaction = await getTransaction(id, original.transactionId);
    expect(transaction).toMatchObject({ status: 'completed', energyWh: 800, stopReason: 'Local' });
    expect((await listTransactions(id)).map((t) => t.transactionId)).toEqual([String(original.transactionId)]);
  });

  it('2.0.1: events out of order and repeated (Ended before the Updated ones) give one completed transaction with the right energy; what came after the Ended is kept as late-event', async () => {
    const tag = await putTag();
    const id = uniqueChargerId('RPL201');
    const client = await bootedCharger('ocpp2.0.1', id);
    const txId = randomUUID();
    const t0 = Date.now();
    const events = session201(txId, tag, t0);

    // Started, then Ended (the charger was offline and replays its queue in the wrong order).
    for (const seqNo of [0, 4]) await client.call('TransactionEvent', events[seqNo]);
    const early = await getTransaction(id, txId);
    expect(early).toMatchObject({ status: 'completed', energyWh: 2_500, stoppedAt: at(t0, 240), chargingState: 'Idle' });

    // The Updated ones arrive after the Ended, one twice, and the Ended and Started again.
    for (const seqNo of [2, 1, 3, 2, 4, 0]) {
      expect(await client.call('TransactionEvent', events[seqNo])).toEqual(seqNo === 0 ? { idTokenInfo: { status: 'Accepted' } } : {});
    }

    // The bill closed with the Ended: the Updated ones change nothing, and are kept (with their
    // readings) as late-event anomalies, once each; the replays of the Started and Ended add nothing.
    const transaction = await getTransaction(id, txId);
    expect(transaction).toMatchObject({ ...completed201(id, txId, tag, t0), flags: ['late-event'] });
    expect((transaction.anomalies ?? []).map((a) => [a.kind, a.detail.seqNo]).sort()).toEqual([
      ['late-event', 1],
      ['late-event', 2],
      ['late-event', 3],
    ]);
    // The transaction's own readings: the Started's and the Ended's.
    expect(transaction.meterValues).toHaveLength(2);
    const rows = await listTransactions(id);
    expect(rows.map((t) => [t.transactionId, t.status, t.energyWh])).toEqual([[txId, 'completed', 2_500]]);
  });
});
