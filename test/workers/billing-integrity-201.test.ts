// No 2.0.1 or 2.1 charger can rewrite billing (2.1 keeps 2.0.1's TransactionEvent, so each test runs for both): completed transactions stay as they were, reused seqNos and late events are kept and flagged, replays change nothing.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Ocpp2Version } from '../../src/ocpp/versions';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

const T0 = Date.parse('2026-05-04T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A TransactionEvent of `tx`, stamped `minutes` after T0, with an energy register reading when `wh` is given. */
function event(tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', minutes: number, wh?: number, extra: Record<string, unknown> = {}) {
  const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  return {
    eventType,
    timestamp: at(minutes),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: tx, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
    ...(wh === undefined ? {} : { meterValue: [{ timestamp: at(minutes), sampledValue: [{ value: wh, context, measurand: 'Energy.Active.Import.Register' }] }] }),
    ...extra,
  };
}

async function charger(protocol: Ocpp2Version): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('BILL'), protocol);
  expect((await cp.boot())[0]).toBe(3);
  return cp;
}

async function send(cp: RawCharger, payload: unknown): Promise<void> {
  const answer = await cp.call('TransactionEvent', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
}

async function transaction(cp: RawCharger, tx: string): Promise<any> {
  const res = await api('GET', `/chargers/${cp.id}/transactions/${tx}`);
  expect(res.status).toBe(200);
  return (await json(res)).transaction;
}

const flush = (cp: RawCharger) => env.CHARGERS.getByName(cp.id).flushNow();

describe.each(['ocpp2.0.1', 'ocpp2.1'] as const)('%s', (protocol) => {
  describe('a completed 2.0.1 transaction', () => {
    it('keeps its energy, status and stop facts when events arrive after its Ended, and flags them late-event', async () => {
      // Whether the Ended reached D1 before the late events or travels in the same batch.
      for (const flushBetween of [true, false]) {
        const cp = await charger(protocol);
        await send(cp, event('LATE', 0, 'Started', 0, 10_000));
        await send(cp, event('LATE', 1, 'Ended', 30, 11_000));
        if (flushBetween) {
          // The row is stored under the charger's own version: a 2.1 charger's transaction says ocpp2.1.
          expect(await transaction(cp, 'LATE')).toMatchObject({ protocol, status: 'completed', energyWh: 1_000, flags: [] });
        }
        // Another Ended, an Updated and a Started, each with a new seqNo: all answered, none applied.
        await send(cp, event('LATE', 2, 'Ended', 40, 9_000));
        await send(cp, event('LATE', 3, 'Updated', 35, 12_000, { transactionInfo: { transactionId: 'LATE', chargingState: 'Charging' } }));
        await send(cp, event('LATE', 4, 'Started', 50, 20_000));
        const tx = await transaction(cp, 'LATE');
        expect(tx, `flush between: ${flushBetween}`).toMatchObject({
          status: 'completed',
          meterStartWh: 10_000,
          meterStopWh: 11_000,
          energyWh: 1_000,
          stoppedAt: at(30),
          stopReason: 'EVDisconnected',
          flags: ['late-event'],
        });
        // Each late event is kept, as received, with its meter values; none is the transaction's reading.
        const late = tx.anomalies.filter((a: { kind: string }) => a.kind === 'late-event');
        expect(late.map((a: { detail: { seqNo: number } }) => a.detail.seqNo).sort()).toEqual([2, 3, 4]);
        expect(late.find((a: { detail: { seqNo: number } }) => a.detail.seqNo === 2).detail).toMatchObject({
          eventType: 'Ended',
          samples: [expect.objectContaining({ value: 9_000, context: 'Transaction.End' })],
        });
        expect(tx.meterValues.map((m: { value: number }) => m.value)).toEqual([10_000, 11_000]);
        // The fleet list shows the same.
        const list = await json(await api('GET', `/transactions?chargerId=${cp.id}`));
        expect(list.transactions).toEqual([expect.objectContaining({ energyWh: 1_000, status: 'completed', flags: ['late-event'] })]);
        // A late event replayed adds nothing.
        await send(cp, event('LATE', 2, 'Ended', 40, 9_000));
        expect((await transaction(cp, 'LATE')).anomalies).toHaveLength(3);
        cp.close();
      }
    });

    it('never fills in a register after its Ended: a start register arriving late is kept as a late-event, the energy stays unknown', async () => {
      for (const flushBetween of [true, false]) {
        const cp = await charger(protocol);
        // The Ended comes first: the start is unknown, so is the energy.
        await send(cp, event('OOO', 1, 'Ended', 30, 11_000));
        if (flushBetween) expect(await transaction(cp, 'OOO')).toMatchObject({ status: 'completed', meterStartWh: null, energyWh: null });
        // The Started (a lower seqNo) arrives after the Ended: kept, not applied; the bill is closed.
        await send(cp, event('OOO', 0, 'Started', 0, 10_000));
        const tx = await transaction(cp, 'OOO');
        expect(tx, `flush between: ${flushBetween}`).toMatchObject({
          status: 'completed',
          meterStartWh: null,
          meterStopWh: 11_000,
          energyWh: null,
          flags: ['late-event'],
        });
        expect(tx.anomalies).toEqual([
          expect.objectContaining({ kind: 'late-event', detail: expect.objectContaining({ seqNo: 0, eventType: 'Started' }) }),
        ]);
        cp.close();
      }
    });

    it('never changes who is billed or when it started: a late event with a lower seqNo and another idToken is kept as a late-event', async () => {
      for (const flushBetween of [true, false]) {
        const cp = await charger(protocol);
        await send(cp, event('IDENT', 1, 'Started', 0, 10_000, { idToken: { idToken: 'REAL-TOKEN', type: 'ISO14443' } }));
        await send(cp, event('IDENT', 2, 'Ended', 30, 11_000));
        if (flushBetween) await flush(cp);
        // A Started with a lower seqNo (forged, or resent from another session) naming someone else.
        await send(cp, {
          ...event('IDENT', 0, 'Started', -60, 0, { idToken: { idToken: 'OTHER-TOKEN', type: 'ISO14443' }, evse: { id: 2, connectorId: 2 } }),
          transactionInfo: { transactionId: 'IDENT', remoteStartId: 77 },
          reservationId: 5,
        });
        const tx = await transaction(cp, 'IDENT');
        expect(tx, `flush between: ${flushBetween}`).toMatchObject({
          status: 'completed',
          idTag: 'REAL-TOKEN',
          idTagStatus: 'Invalid',
          startedAt: at(0),
          evseId: 1,
          connectorId: 1,
          remoteStartId: null,
          reservationId: null,
          meterStartWh: 10_000,
          meterStopWh: 11_000,
          energyWh: 1_000,
          flags: ['late-event'],
        });
        expect(tx.anomalies).toEqual([
          expect.objectContaining({ kind: 'late-event', detail: expect.objectContaining({ seqNo: 0, idToken: 'OTHER-TOKEN', remoteStartId: 77 }) }),
        ]);
        cp.close();
      }
    });
  });

  describe('2.0.1 transactions left open', () => {
    it('close an older transaction as abandoned when a new one starts on its EVSE, from its last register reading', async () => {
      const cp = await charger(protocol);
      await send(cp, event('OLD', 0, 'Started', 0, 1_000));
      await send(cp, event('OLD', 1, 'Updated', 10, 1_400));
      // Another EVSE is not touched.
      await send(cp, event('ELSEWHERE', 0, 'Started', 12, 0, { evse: { id: 2, connectorId: 1 } }));
      await send(cp, event('NEW', 0, 'Started', 20, 5_000, { evse: { id: 1 } }));
      const old = await transaction(cp, 'OLD');
      expect(old).toMatchObject({
        status: 'completed',
        stopReason: 'Abandoned',
        stoppedAt: at(20),
        meterStartWh: 1_000,
        meterStopWh: 1_400,
        energyWh: 400,
        flags: ['abandoned'],
      });
      expect(old.anomalies).toEqual([
        expect.objectContaining({
          kind: 'abandoned',
          detail: { transactionId: 'OLD', evseId: 1, at: at(20), cause: 'TransactionEvent', byTransactionId: 'NEW' },
        }),
      ]);
      expect(await transaction(cp, 'NEW')).toMatchObject({ status: 'active', flags: [] });
      expect(await transaction(cp, 'ELSEWHERE')).toMatchObject({ status: 'active', flags: [] });
      // A replay of the older Started (a transaction already known) does not close the newer one.
      await send(cp, event('OLD', 0, 'Started', 0, 1_000));
      expect(await transaction(cp, 'NEW')).toMatchObject({ status: 'active', flags: [] });
      // Nor does an event of the older one on the way: it stays closed until its own Ended.
      await send(cp, event('OLD', 2, 'Updated', 22, 1_450));
      expect(await transaction(cp, 'OLD')).toMatchObject({ status: 'completed', stopReason: 'Abandoned', meterStopWh: 1_400, energyWh: 400 });
      cp.close();
    });

    it("let an abandoned transaction's own Ended still apply: its flags drop abandoned, which stays in its anomalies", async () => {
      for (const flushBetween of [true, false]) {
        const cp = await charger(protocol);
        await send(cp, event('FIRST', 0, 'Started', 0, 1_000));
        await send(cp, event('SECOND', 0, 'Started', 20, 5_000));
        if (flushBetween) expect(await transaction(cp, 'FIRST')).toMatchObject({ status: 'completed', stopReason: 'Abandoned', flags: ['abandoned'] });
        await send(cp, event('FIRST', 1, 'Ended', 15, 1_500));
        const tx = await transaction(cp, 'FIRST');
        expect(tx, `flush between: ${flushBetween}`).toMatchObject({
          status: 'completed',
          stopReason: 'EVDisconnected',
          stoppedAt: at(15),
          meterStopWh: 1_500,
          energyWh: 500,
          flags: [],
        });
        expect(tx.anomalies.map((a: { kind: string }) => a.kind)).toEqual(flushBetween ? ['abandoned'] : []);
        // From then on it is closed like any other: a further Ended is late.
        await send(cp, event('FIRST', 2, 'Ended', 40, 9_000));
        expect(await transaction(cp, 'FIRST')).toMatchObject({ meterStopWh: 1_500, energyWh: 500, flags: ['late-event'] });
        expect(await transaction(cp, 'SECOND')).toMatchObject({ status: 'active' });
        cp.close();
      }
    });
  });

  describe('a 2.0.1 event that reuses a seqNo with other content', () => {
    it('is kept, flagged conflicting-event, with its content retrievable, and changes nothing', async () => {
      const cp = await charger(protocol);
      await send(cp, event('REUSE', 0, 'Started', 0, 10_000));
      await send(cp, event('REUSE', 1, 'Updated', 10, 11_000));
      await flush(cp);
      // seqNo 1 again with other content, and a Started with seqNo 0 and another start reading.
      await send(cp, event('REUSE', 1, 'Updated', 12, 50_000));
      await send(cp, event('REUSE', 0, 'Started', 0, 2_000));
      await send(cp, event('REUSE', 2, 'Ended', 30, 13_000));
      const tx = await transaction(cp, 'REUSE');
      expect(tx).toMatchObject({ status: 'completed', meterStartWh: 10_000, meterStopWh: 13_000, energyWh: 3_000, flags: ['conflicting-event'] });
      const details = tx.anomalies.map((a: { kind: string; detail: any }) => [a.kind, a.detail.seqNo, a.detail.samples[0].value]);
      expect(details.sort()).toEqual([
        ['conflicting-event', 0, 2_000],
        ['conflicting-event', 1, 50_000],
      ]);
      // Its meter values are not the transaction's readings.
      expect(tx.meterValues.map((m: { value: number }) => m.value)).toEqual([10_000, 11_000, 13_000]);
      // An identical replay stays a no-op.
      await send(cp, event('REUSE', 1, 'Updated', 10, 11_000));
      await send(cp, event('REUSE', 1, 'Updated', 12, 50_000));
      expect((await transaction(cp, 'REUSE')).anomalies).toHaveLength(2);
      cp.close();
    });

    it('is kept even when it is an Ended: the transaction does not end on it, and the Ended is retrievable', async () => {
      const cp = await charger(protocol);
      await send(cp, event('REUSE-END', 0, 'Started', 0, 10_000));
      await send(cp, event('REUSE-END', 1, 'Updated', 10, 11_000));
      // Both in one batch: the first arrival of seqNo 1 is applied, the second kept.
      await send(cp, event('REUSE-END', 1, 'Ended', 20, 12_000));
      const tx = await transaction(cp, 'REUSE-END');
      expect(tx).toMatchObject({ status: 'active', stoppedAt: null, flags: ['conflicting-event'] });
      expect(tx.anomalies).toEqual([
        expect.objectContaining({
          kind: 'conflicting-event',
          detail: expect.objectContaining({ seqNo: 1, eventType: 'Ended', stoppedReason: 'EVDisconnected', timestamp: at(20) }),
        }),
      ]);
      cp.close();
    });
  });

  describe('a replayed 2.0.1 event', () => {
    it('never changes the energy: the Ended event decides the end register, not the latest timestamp', async () => {
      const cp = await charger(protocol);
      await send(cp, event('REPLAY', 0, 'Started', 0, 10_000));
      await send(cp, event('REPLAY', 1, 'Updated', 10, 11_000));
      await send(cp, event('REPLAY', 2, 'Ended', 30, 12_500));
      expect(await transaction(cp, 'REPLAY')).toMatchObject({ energyWh: 2_500 });
      // The Updated replayed an hour later, restamped: same seqNo, new timestamps.
      await send(cp, event('REPLAY', 1, 'Updated', 90, 11_000));
      const tx = await transaction(cp, 'REPLAY');
      expect(tx).toMatchObject({ status: 'completed', meterStartWh: 10_000, meterStopWh: 12_500, energyWh: 2_500 });
      expect(tx.meterValues.map((m: { timestamp: string }) => m.timestamp)).toEqual([at(0), at(10), at(30)]);
      cp.close();
    });

    it('of an Ended without a Transaction.End reading: the Ended reading still decides, whatever its timestamp', async () => {
      const cp = await charger(protocol);
      await send(cp, event('CLOCK', 0, 'Started', 0, 10_000));
      // The station's clock jumped back before the Ended: its reading is stamped before the Updated's.
      await send(cp, event('CLOCK', 1, 'Updated', 20, 11_000));
      const ended = event('CLOCK', 2, 'Ended', 5, 12_500);
      ended.meterValue![0]!.sampledValue[0]!.context = 'Sample.Periodic';
      await send(cp, ended);
      expect(await transaction(cp, 'CLOCK')).toMatchObject({ meterStopWh: 12_500, energyWh: 2_500 });
      cp.close();
    });
  });

  describe('negative 2.0.1 energy', () => {
    it('is flagged and not billable; the raw registers are kept', async () => {
      const cp = await charger(protocol);
      await send(cp, event('NEG', 0, 'Started', 0, 10_000));
      await send(cp, event('NEG', 1, 'Ended', 30, 9_000));
      const tx = await transaction(cp, 'NEG');
      expect(tx).toMatchObject({ status: 'completed', meterStartWh: 10_000, meterStopWh: 9_000, energyWh: null, flags: ['negative-energy'] });
      expect(tx.anomalies).toEqual([expect.objectContaining({ kind: 'negative-energy', detail: { meterStartWh: 10_000, meterStopWh: 9_000 } })]);
      const list = await json(await api('GET', `/transactions?chargerId=${cp.id}`));
      expect(list.transactions).toEqual([expect.objectContaining({ energyWh: null, flags: ['negative-energy'] })]);
      cp.close();
    });
  });

  describe('2.0.1 transaction fields', () => {
    it('fill idTagStatus with the status the CSMS answered for the starting token', async () => {
      const known = uniqueChargerId('T201').slice(0, 20);
      expect((await api('PUT', `/id-tags/${known}`, { status: 'Blocked' })).status).toBeLessThan(300);
      const cp = await charger(protocol);
      const started = await cp.call('TransactionEvent', event('TOK-1', 0, 'Started', 0, 0, { idToken: { idToken: known, type: 'ISO14443' } }));
      expect(started[2]).toMatchObject({ idTokenInfo: { status: 'Blocked' } });
      await send(cp, event('TOK-2', 1, 'Started', 0, 0, { idToken: { idToken: 'NEVER-SEEN-201', type: 'ISO14443' } }));
      expect(await transaction(cp, 'TOK-1')).toMatchObject({ idTag: known, idTagStatus: 'Blocked' });
      expect(await transaction(cp, 'TOK-2')).toMatchObject({ idTag: 'NEVER-SEEN-201', idTagStatus: 'Invalid' });
      cp.close();
    });

    it('show the token the CSMS sent in RequestStartTransaction on a remote-started transaction whose events omit it', async () => {
      const cp = await charger(protocol);
      const pending = api('POST', `/chargers/${cp.id}/commands/RequestStartTransaction`, {
        idToken: { idToken: 'REMOTE-TOKEN', type: 'Central' },
        remoteStartId: 4242,
        evseId: 1,
      });
      const call = await cp.next();
      expect(call[2]).toBe('RequestStartTransaction');
      cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
      expect((await pending).status).toBe(200);
      await send(cp, {
        ...event('REMOTE', 0, 'Started', 0, 0),
        triggerReason: 'RemoteStart',
        transactionInfo: { transactionId: 'REMOTE', remoteStartId: 4242 },
      });
      expect(await transaction(cp, 'REMOTE')).toMatchObject({ idTag: 'REMOTE-TOKEN', remoteStartId: 4242 });
      cp.close();
    });

    it('derive connectorId consistently when the events name only the EVSE: never 0 from a missing value', async () => {
      const cp = await charger(protocol);
      const onlyEvse = (tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', minutes: number, wh: number) => {
        const e: Record<string, unknown> = event(tx, seqNo, eventType, minutes, wh);
        if (eventType === 'Started') e.evse = { id: 1 };
        return e;
      };
      await send(cp, onlyEvse('EVSE-ONLY', 0, 'Started', 0, 0));
      await send(cp, onlyEvse('EVSE-ONLY', 1, 'Updated', 10, 500));
      expect(await transaction(cp, 'EVSE-ONLY')).toMatchObject({ status: 'active', evseId: 1, connectorId: null });
      await send(cp, onlyEvse('EVSE-ONLY', 2, 'Ended', 20, 1_000));
      expect(await transaction(cp, 'EVSE-ONLY')).toMatchObject({ status: 'completed', evseId: 1, connectorId: null });

      // Once the charger has reported the EVSE's connectors and it has only one, that is the one.
      await cp.call('StatusNotification', { timestamp: at(30), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      await send(cp, onlyEvse('EVSE-ONE', 3, 'Started', 40, 0));
      expect(await transaction(cp, 'EVSE-ONE')).toMatchObject({ evseId: 1, connectorId: 1 });
      await send(cp, onlyEvse('EVSE-ONE', 4, 'Ended', 50, 1_000));
      expect(await transaction(cp, 'EVSE-ONE')).toMatchObject({ status: 'completed', evseId: 1, connectorId: 1 });
      cp.close();
    });
  });

  describe('transaction.ended on the events queue, 2.0.1', () => {
    it('is plain only for the first Ended of a transaction; a late Ended with another seqNo and reading is marked duplicate', async () => {
      const cp = await charger(protocol);
      const sent: Array<{ type: string; data: Record<string, unknown> }> = [];
      await runInDurableObject(env.CHARGERS.getByName(cp.id), (instance) => {
        const target = instance as unknown as { env: Record<string, unknown> };
        target.env = { ...target.env, EVENTS: { sendBatch: async (batch: Array<{ body: any }>) => void sent.push(...batch.map((m) => m.body)) } };
      });
      await send(cp, event('EV', 0, 'Started', 0, 10_000));
      await send(cp, event('EV', 1, 'Ended', 30, 11_000));
      await send(cp, event('EV', 1, 'Ended', 30, 11_000));
      await send(cp, event('EV', 2, 'Ended', 40, 50_000));
      expect(sent.filter((e) => e.type === 'transaction.ended').map((e) => [e.data.seqNo, e.data.duplicate])).toEqual([
        [1, undefined],
        [1, true],
        [2, true],
      ]);
      expect(await transaction(cp, 'EV')).toMatchObject({ energyWh: 1_000, flags: ['late-event'] });
      cp.close();
    });
  });
});
