// Sessions the operator starts and stops through the HTTP API: the command reaches a strict
// ocpp-rpc charger, which answers and then (after its answer went out) runs the session.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, bootedCharger, command, uniqueChargerId, waitFor, type Charger } from './helpers.ts';
import {
  at,
  ChargerFlows,
  ENERGY,
  getTransaction,
  listTransactions,
  putTag,
  reading16,
  reading201,
  type ApiTransaction,
} from './session-helpers.ts';

describe('remote start and stop, OCPP 1.6', () => {
  it('RemoteStartTransaction then RemoteStopTransaction through the API: the charger runs the session, the API shows it', async () => {
    const tag = await putTag();
    const id = uniqueChargerId('REM16');
    const client = await bootedCharger('ocpp1.6', id);
    const t0 = Date.now();
    const status = (connectorId: number, s: string, second: number): Promise<unknown> =>
      client.call('StatusNotification', { connectorId, errorCode: 'NoError', status: s, timestamp: at(t0, second) });
    await status(1, 'Available', 0);

    let transactionId: number | undefined;
    const flows = new ChargerFlows(client)
      .on(
        'RemoteStartTransaction',
        () => ({ status: 'Accepted' }),
        async (params: { idTag: string; connectorId?: number }) => {
          const connectorId = params.connectorId ?? 1;
          await status(connectorId, 'Preparing', 1);
          // AuthorizeRemoteTxRequests = true: the charger checks the tag first.
          expect(await client.call('Authorize', { idTag: params.idTag })).toEqual({ idTagInfo: { status: 'Accepted' } });
          const started = (await client.call('StartTransaction', {
            connectorId,
            idTag: params.idTag,
            meterStart: 40_000,
            timestamp: at(t0, 2),
          })) as { transactionId: number; idTagInfo: { status: string } };
          expect(started.idTagInfo.status).toBe('Accepted');
          transactionId = started.transactionId;
          await status(connectorId, 'Charging', 3);
          for (const [second, value, unit] of [[60, '40500', 'Wh'], [120, '41.2', 'kWh']] as const) {
            await client.call('MeterValues', { connectorId, transactionId, meterValue: [reading16(at(t0, second), value, unit)] });
          }
        },
      )
      .on(
        'RemoteStopTransaction',
        (params: { transactionId: number }) => ({ status: params.transactionId === transactionId ? 'Accepted' : 'Rejected' }),
        async (params) => {
          if (params.transactionId !== transactionId) return;
          await client.call('StopTransaction', {
            transactionId: params.transactionId,
            meterStop: 41_750,
            timestamp: at(t0, 180),
            reason: 'Remote',
            transactionData: [reading16(at(t0, 180), '41750', 'Wh', 'Transaction.End')],
          });
          await status(1, 'Finishing', 181);
          await status(1, 'Available', 182);
        },
      );

    const start = await command(id, 'RemoteStartTransaction', { idTag: tag, connectorId: 1 });
    expect(start).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(flows.received.RemoteStartTransaction).toEqual([{ idTag: tag, connectorId: 1 }]);

    // The operator finds the running transaction in the list of active ones.
    const active = await waitFor('the remote-started transaction to be active', async () => {
      flows.check();
      const list = await listTransactions(id, 'active');
      return list.length > 0 ? list : undefined;
    });
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ idTag: tag, connectorId: 1, status: 'active', meterStartWh: 40_000 });
    await flows.settled(); // the meter values went out
    const running = await getTransaction(id, active[0]!.transactionId);
    expect(running).toMatchObject({ status: 'active', stoppedAt: null, energyWh: 1_200 });

    // The 1.6 transactionId is what the charger calls it (unique per charger), not the row's `id`.
    const stop = await command(id, 'RemoteStopTransaction', { transactionId: Number(active[0]!.transactionId) });
    expect(stop).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(flows.received.RemoteStopTransaction).toEqual([{ transactionId: transactionId }]);
    await flows.settled();
    flows.check();

    const done = await getTransaction(id, active[0]!.transactionId);
    expect(done).toMatchObject({
      transactionId: String(transactionId),
      protocol: 'ocpp1.6',
      idTag: tag,
      connectorId: 1,
      status: 'completed',
      startedAt: at(t0, 2),
      stoppedAt: at(t0, 180),
      meterStartWh: 40_000,
      meterStopWh: 41_750,
      energyWh: 1_750,
      stopReason: 'Remote',
    });
    expect(done.meterValues.map((m) => [m.value, m.unit])).toEqual([
      [40_500, 'Wh'],
      [41_200, 'Wh'],
      [41_750, 'Wh'],
    ]);
    expect((await listTransactions(id, 'completed')).map((t) => t.transactionId)).toEqual([String(transactionId)]);
    expect(await listTransactions(id, 'active')).toEqual([]);

    const history = await api<{ statuses: Array<{ connectorId: number; status: string; reportedAt: string }> }>(
      'GET',
      `/chargers/${id}/status-history`,
    );
    expect(history.status).toBe(200);
    const statuses = [...history.body.statuses].sort((a, b) => a.reportedAt.localeCompare(b.reportedAt));
    expect(statuses.map((s) => [s.connectorId, s.status])).toEqual([
      [1, 'Available'],
      [1, 'Preparing'],
      [1, 'Charging'],
      [1, 'Finishing'],
      [1, 'Available'],
    ]);
  });
});

describe('remote start and stop, OCPP 2.0.1', () => {
  /** A 2.0.1 station that starts on RequestStartTransaction and stops on RequestStopTransaction. */
  function remoteStation(client: Charger, t0: number): { flows: ChargerFlows; txId: string } {
    const txId = randomUUID();
    let seqNo = 0;
    const event = (eventType: string, second: number, triggerReason: string, extra: Record<string, unknown>) =>
      client.call('TransactionEvent', { eventType, timestamp: at(t0, second), triggerReason, seqNo: seqNo++, ...extra });

    const flows = new ChargerFlows(client)
      .on(
        'RequestStartTransaction',
        () => ({ status: 'Accepted', transactionId: txId }),
        async (params: { idToken: { idToken: string; type: string }; remoteStartId: number; evseId?: number }) => {
          const evse = { id: params.evseId ?? 1, connectorId: 1 };
          const answer = await event('Started', 1, 'RemoteStart', {
            transactionInfo: { transactionId: txId, remoteStartId: params.remoteStartId, chargingState: 'Charging' },
            idToken: params.idToken,
            evse,
            meterValue: [reading201(at(t0, 1), 12.25, 'kWh', 'Transaction.Begin')],
          });
          expect(answer).toEqual({ idTokenInfo: { status: 'Accepted' } });
          await event('Updated', 60, 'MeterValuePeriodic', {
            transactionInfo: { transactionId: txId },
            meterValue: [reading201(at(t0, 60), 12_900, 'Wh')],
          });
        },
      )
      .on(
        'RequestStopTransaction',
        (params: { transactionId: string }) => ({ status: params.transactionId === txId ? 'Accepted' : 'Rejected' }),
        async (params) => {
          if (params.transactionId !== txId) return;
          await event('Ended', 120, 'RemoteStop', {
            transactionInfo: { transactionId: txId, stoppedReason: 'Remote', chargingState: 'EVConnected' },
            meterValue: [reading201(at(t0, 120), 13.5, 'kWh', 'Transaction.End')],
          });
        },
      );
    return { flows, txId };
  }

  it('RequestStartTransaction then RequestStopTransaction through the API: completed, remoteStartId kept, energy right', async () => {
    const tag = await putTag();
    const id = uniqueChargerId('REM201');
    const client = await bootedCharger('ocpp2.0.1', id);
    const t0 = Date.now();
    const { flows, txId } = remoteStation(client, t0);

    const request = { idToken: { idToken: tag, type: 'ISO14443' }, remoteStartId: 4711, evseId: 1 };
    const start = await command(id, 'RequestStartTransaction', request);
    expect(start).toEqual({ status: 200, body: { result: { status: 'Accepted', transactionId: txId } } });
    expect(flows.received.RequestStartTransaction).toEqual([request]);

    const running = await waitFor('the remote-started transaction with its periodic reading', async () => {
      flows.check();
      const res = await api<{ transaction: ApiTransaction }>('GET', `/chargers/${id}/transactions/${txId}`);
      return res.status === 200 && res.body.transaction.meterValues.length === 2 ? res.body.transaction : undefined;
    });
    expect(running).toMatchObject({ status: 'active', remoteStartId: 4711, idTag: tag, energyWh: 650 });

    const stop = await command(id, 'RequestStopTransaction', { transactionId: txId });
    expect(stop).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(flows.received.RequestStopTransaction).toEqual([{ transactionId: txId }]);
    await flows.settled();
    flows.check();

    const done = await getTransaction(id, txId);
    expect(done).toMatchObject({
      protocol: 'ocpp2.0.1',
      transactionId: txId,
      evseId: 1,
      connectorId: 1,
      idTag: tag,
      status: 'completed',
      startedAt: at(t0, 1),
      stoppedAt: at(t0, 120),
      remoteStartId: 4711,
      meterStartWh: 12_250,
      meterStopWh: 13_500,
      energyWh: 1_250,
      stopReason: 'Remote',
      chargingState: 'EVConnected',
    });
    expect(done.meterValues.filter((m) => m.measurand === ENERGY).map((m) => m.value)).toEqual([12_250, 12_900, 13_500]);
    expect((await listTransactions(id, 'completed')).map((t) => [t.transactionId, t.remoteStartId])).toEqual([[txId, 4711]]);
  });
});
