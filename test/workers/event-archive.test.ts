// A completed 2.0.1 transaction's events move to R2 with its readings (one object, format @2), so
// D1 stops growing with them: D1 keeps the applied Ended event (every later event is judged late
// by it) and the events not applied (they back anomalies). The events read back exactly, the
// transaction and the API's answers do not change, and a failure anywhere deletes nothing.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { runMeterArchive } from '../../src/archive/meter-archiver';
import { flushStatements } from '../../src/fleet/flush';
import { Outbox, type OutboxEntry } from '../../src/fleet/outbox';
import {
  ARCHIVE_FORMAT_WITH_EVENTS,
  archiveKey,
  encodeArchive,
  MeterArchiveStore,
  type StoredTransactionEvent,
} from '../../src/store/meter-archive';
import { MeterValueStore } from '../../src/store/meter-values';
import { allPages, api, RawCharger, uniqueChargerId } from './helpers';

const DAY = 86_400_000;
/** An archive run as if this many days had passed since now (METER_RETENTION_DAYS is 30 in the tests). */
const daysLater = (days: number) => new Date(Date.now() + days * DAY);

const T0 = Date.parse('2026-07-04T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A TransactionEvent of `tx`, stamped `minutes` after T0, with a reading of two values when `wh` is given. */
function event(tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', minutes: number, wh?: number, extra: Record<string, unknown> = {}) {
  const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  return {
    eventType,
    timestamp: at(minutes),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: tx, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : { chargingState: 'Charging' }) },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'EVT-ARCHIVE', type: 'ISO14443' } } : {}),
    ...(wh === undefined
      ? {}
      : {
          meterValue: [
            {
              timestamp: at(minutes),
              sampledValue: [
                { value: wh, context, measurand: 'Energy.Active.Import.Register' },
                { value: 7_000 + seqNo, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
              ],
            },
          ],
        }),
    ...extra,
  };
}

async function charger(prefix: string): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId(prefix), 'ocpp2.0.1');
  expect((await cp.boot())[0]).toBe(3);
  return cp;
}

async function send(cp: RawCharger, payload: unknown): Promise<void> {
  const answer = await cp.call('TransactionEvent', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
}

const flush = (cp: RawCharger) => env.CHARGERS.getByName(cp.id).flushNow();

/** The transaction's event rows in D1, every column, in D1's order. */
async function eventsInD1(chargerId: string, tx: string): Promise<StoredTransactionEvent[]> {
  const { results } = await env.DB.prepare('SELECT * FROM transaction_events WHERE charger_id = ?1 AND transaction_id = ?2 ORDER BY seq_no, digest')
    .bind(chargerId, tx)
    .all<StoredTransactionEvent>();
  return results;
}

/** The transaction's row, but where its readings and events went (which the move sets). */
async function transactionRow(chargerId: string, tx: string): Promise<Record<string, unknown>> {
  const row = await env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ?1 AND ocpp_transaction_id = ?2').bind(chargerId, tx).first<Record<string, unknown>>();
  expect(row).not.toBeNull();
  return Object.fromEntries(Object.entries(row!).filter(([column]) => !column.startsWith('meter_archive') && !column.startsWith('events_archive')));
}

/** What the API answers of a transaction and of the charger: its pages of values, and the transaction in the fleet list. */
async function apiAnswers(cp: RawCharger, tx: string) {
  const list = await api('GET', `/transactions?chargerId=${encodeURIComponent(cp.id)}`);
  expect(list.status).toBe(200);
  return {
    pages: await allPages(`/chargers/${cp.id}/transactions/${tx}`, 3),
    charger: await allPages(`/chargers/${cp.id}/meter-values`, 7),
    listed: ((await list.json()) as { transactions: Array<{ transactionId: string }> }).transactions.find((t) => t.transactionId === tx),
  };
}

/** A completed transaction: Started, 8 Updated, a seqNo reused with other content, Ended, and an event after the Ended. */
async function completed(cp: RawCharger, tx: string): Promise<void> {
  await send(cp, event(tx, 0, 'Started', 0, 10_000));
  for (let seq = 1; seq <= 8; seq++) await send(cp, event(tx, seq, 'Updated', seq, 10_000 + seq * 150));
  await send(cp, event(tx, 3, 'Updated', 3, 99_999));
  await send(cp, event(tx, 9, 'Ended', 10, 11_500));
  await send(cp, event(tx, 10, 'Updated', 11, 12_000));
  await flush(cp);
}

const store = () => new MeterArchiveStore(env.DB, env.ARCHIVE);

async function gunzipJson(bytes: ArrayBuffer): Promise<any> {
  return JSON.parse(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text());
}

describe("a completed 2.0.1 transaction's events", () => {
  it('move to R2 with its readings; D1 keeps the Ended and the events not applied; they read back identical, every column; the transaction and the API answer as before', async () => {
    const cp = await charger('EVARCH');
    await completed(cp, 'EA-1');
    const events = await eventsInD1(cp.id, 'EA-1');
    // Started, Updated 1-8, a reused seqNo 3 (the first stored applied, the other conflicting), the Ended and a late event.
    expect(events.map((e) => e.seq_no)).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events.filter((e) => e.seq_no === 3).map((e) => e.disposition).sort()).toEqual(['applied', 'conflicting']);
    expect(events.filter((e) => e.seq_no !== 3).map((e) => [e.event_type, e.disposition])).toEqual([
      ['Started', 'applied'],
      ...Array(7).fill(['Updated', 'applied']),
      ['Ended', 'applied'],
      ['Updated', 'late'],
    ]);
    const row = await transactionRow(cp.id, 'EA-1');
    expect(row).toMatchObject({ status: 'completed', meter_start_wh: 10_000, meter_stop_wh: 11_500, energy_wh: 1_500 });
    const before = await apiAnswers(cp, 'EA-1');
    expect(before.pages.flatMap((p) => p.transaction.meterValues)).toHaveLength(20);
    expect(before.pages[0].transaction.flags).toEqual(expect.arrayContaining(['conflicting-event', 'late-event']));

    const run = await runMeterArchive(env, { now: daysLater(31) });
    const key = archiveKey(cp.id, 'EA-1');
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId: 'EA-1', meterValues: 20, events: 9, key });
    expect(run.failed).toEqual([]);

    // D1 keeps what it judges by: the applied Ended, the conflicting and the late events.
    const moved = events.filter((e) => e.disposition === 'applied' && e.event_type !== 'Ended');
    expect(await eventsInD1(cp.id, 'EA-1')).toEqual(events.filter((e) => !moved.includes(e)));
    expect((await eventsInD1(cp.id, 'EA-1')).map((e) => [e.seq_no, e.disposition])).toEqual(
      expect.arrayContaining([[3, 'conflicting'], [9, 'applied'], [10, 'late']]),
    );
    expect(await new MeterValueStore(env.DB).readingsForTransaction(cp.id, 'EA-1')).toEqual([]);
    // One object, both in it, as D1 stored them.
    const object = await env.ARCHIVE!.get(key);
    expect(object!.customMetadata).toMatchObject({ format: ARCHIVE_FORMAT_WITH_EVENTS, count: '20', eventCount: '9' });
    const doc = await gunzipJson(await object!.arrayBuffer());
    expect(doc).toMatchObject({ format: 'ocpp-csms/meter-archive@2', chargerId: cp.id, transactionId: 'EA-1', count: 20, eventCount: 9 });
    expect(doc.events).toEqual(moved);
    expect(await store().state(cp.id, 'EA-1')).toMatchObject({ key, count: 20, events: { count: 9, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });

    // All of them read back, every column, in D1's order.
    expect(await store().transactionEvents(cp.id, 'EA-1')).toEqual(events);
    // The transaction and the API answer as before.
    expect(await transactionRow(cp.id, 'EA-1')).toEqual(row);
    expect(await apiAnswers(cp, 'EA-1')).toEqual(before);

    // Again: nothing more moves, the object is left as it is.
    const again = await runMeterArchive(env, { now: daysLater(31) });
    expect(again.moved.find((m) => m.chargerId === cp.id)).toBeUndefined();
    expect((await env.ARCHIVE!.head(key))!.etag).toBe(object!.etag);
    cp.close();
  }, 60_000);

  it('move even without readings: the object then holds the events alone', async () => {
    const cp = await charger('EVNOREAD');
    await send(cp, event('NR', 0, 'Started', 0));
    await send(cp, event('NR', 1, 'Updated', 1));
    await send(cp, event('NR', 2, 'Ended', 2));
    await flush(cp);
    const events = await eventsInD1(cp.id, 'NR');
    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId: 'NR', meterValues: 0, events: 2, key: archiveKey(cp.id, 'NR') });
    expect((await eventsInD1(cp.id, 'NR')).map((e) => e.event_type)).toEqual(['Ended']);
    expect(await store().transactionEvents(cp.id, 'NR')).toEqual(events);
    expect((await allPages(`/chargers/${cp.id}/transactions/NR`))[0].transaction.meterValues).toEqual([]);
    cp.close();
  }, 60_000);

  it('when replayed after the move, are judged late (kept and flagged) and change nothing of the completed transaction', async () => {
    const cp = await charger('EVREPLAY');
    await send(cp, event('RP', 0, 'Started', 0, 2_000));
    await send(cp, event('RP', 1, 'Updated', 1, 2_300));
    await send(cp, event('RP', 2, 'Updated', 2, 2_600));
    await send(cp, event('RP', 3, 'Ended', 3, 2_900));
    await flush(cp);
    // Before the move an identical replay adds nothing.
    await send(cp, event('RP', 1, 'Updated', 1, 2_300));
    await flush(cp);
    expect(await eventsInD1(cp.id, 'RP')).toHaveLength(4);
    await runMeterArchive(env, { now: daysLater(31) });
    expect(await eventsInD1(cp.id, 'RP')).toHaveLength(1);
    const row = await transactionRow(cp.id, 'RP');
    expect(row).toMatchObject({ status: 'completed', meter_start_wh: 2_000, meter_stop_wh: 2_900, energy_wh: 900, stop_reason: 'EVDisconnected' });
    const before = await apiAnswers(cp, 'RP');
    expect(before.pages[0].transaction.flags).toEqual([]);

    // After it: the same replay, and one of the Started, now come after the Ended.
    await send(cp, event('RP', 1, 'Updated', 1, 2_300));
    await send(cp, event('RP', 0, 'Started', 0, 2_000));
    await flush(cp);
    const late = (await eventsInD1(cp.id, 'RP')).filter((e) => e.disposition === 'late');
    expect(late.map((e) => e.seq_no)).toEqual([0, 1]);
    // Nothing of the transaction changed: not its energy, registers, stop, nor when it last changed.
    expect(await transactionRow(cp.id, 'RP')).toEqual(row);
    const after = await apiAnswers(cp, 'RP');
    // Its values are the same (a late event's values are not the transaction's); it is flagged late-event.
    expect(after.pages.map((p) => p.transaction.meterValues)).toEqual(before.pages.map((p) => p.transaction.meterValues));
    expect(after.charger).toEqual(before.charger);
    expect(after.pages[0].transaction).toMatchObject({ energyWh: 900, meterStartWh: 2_000, meterStopWh: 2_900, flags: ['late-event'] });
    expect(after.pages[0].transaction.anomalies.map((a: { kind: string; detail: { seqNo: number } }) => [a.kind, a.detail.seqNo])).toEqual(
      expect.arrayContaining([['late-event', 0], ['late-event', 1]]),
    );
    // Both are listed: each original from R2, then the replay received later.
    const all = await store().transactionEvents(cp.id, 'RP');
    expect(all.map((e) => [e.seq_no, e.disposition])).toEqual([[0, 'applied'], [0, 'late'], [1, 'applied'], [1, 'late'], [2, 'applied'], [3, 'applied']]);
    expect(all[0]!.digest).toBe(all[1]!.digest);
    cp.close();
  }, 60_000);
});

describe('a 2.0.1 transaction closed as abandoned whose own Ended has not come', () => {
  it('keeps its events in D1 while its readings move, and its own Ended still re-derives it from them', async () => {
    const cp = await charger('EVABAND');
    await send(cp, event('FIRST', 0, 'Started', 0, 1_000));
    await send(cp, event('FIRST', 1, 'Updated', 5, 1_200));
    await send(cp, event('SECOND', 0, 'Started', 20, 5_000));
    await flush(cp);
    expect(await transactionRow(cp.id, 'FIRST')).toMatchObject({ status: 'completed', stop_reason: 'Abandoned', energy_wh: 200 });
    const events = await eventsInD1(cp.id, 'FIRST');
    expect(events).toHaveLength(2);

    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId: 'FIRST', meterValues: 4, events: null, key: archiveKey(cp.id, 'FIRST') });
    expect(run.moved.find((m) => m.transactionId === 'SECOND' && m.chargerId === cp.id)).toBeUndefined();
    expect(await eventsInD1(cp.id, 'FIRST')).toEqual(events);
    expect(await new MeterValueStore(env.DB).readingsForTransaction(cp.id, 'FIRST')).toEqual([]);
    expect(await store().state(cp.id, 'FIRST')).toMatchObject({ count: 4, events: null });
    expect((await gunzipJson(await (await env.ARCHIVE!.get(archiveKey(cp.id, 'FIRST')))!.arrayBuffer())).format).toBe('ocpp-csms/meter-archive@1');

    // Its own Ended comes: the transaction is derived again from all its events, still in D1.
    await send(cp, event('FIRST', 2, 'Ended', 15, 1_500));
    await flush(cp);
    expect(await transactionRow(cp.id, 'FIRST')).toMatchObject({
      status: 'completed',
      stop_reason: 'EVDisconnected',
      stopped_at: at(15),
      meter_start_wh: 1_000,
      meter_stop_wh: 1_500,
      energy_wh: 500,
      id_tag: 'EVT-ARCHIVE',
    });
    expect((await store().transactionEvents(cp.id, 'FIRST')).map((e) => e.seq_no)).toEqual([0, 1, 2]);
    cp.close();
  }, 60_000);
});

describe('moving events deletes nothing when anything fails', () => {
  /** The real bucket, but for what `override` changes. */
  const bucketWith = (override: Partial<R2Bucket>): R2Bucket =>
    new Proxy(env.ARCHIVE!, {
      get: (target, prop) => {
        if (prop in override) return override[prop as keyof R2Bucket];
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as R2Bucket;

  it('leaves D1 whole when the object is missing on read-back, or reads back with other events', async () => {
    const cp = await charger('EVFAIL');
    await completed(cp, 'EF-1');
    const events = await eventsInD1(cp.id, 'EF-1');
    const readings = await new MeterValueStore(env.DB).readingsForTransaction(cp.id, 'EF-1');
    const row = await transactionRow(cp.id, 'EF-1');
    const before = await apiAnswers(cp, 'EF-1');
    const intact = async () => {
      expect(await eventsInD1(cp.id, 'EF-1')).toEqual(events);
      expect(await new MeterValueStore(env.DB).readingsForTransaction(cp.id, 'EF-1')).toEqual(readings);
      expect(await store().state(cp.id, 'EF-1')).toBeNull();
      expect(await transactionRow(cp.id, 'EF-1')).toEqual(row);
    };
    const mine = (run: Awaited<ReturnType<typeof runMeterArchive>>) => [run.moved.filter((m) => m.chargerId === cp.id), run.failed.filter((f) => f.chargerId === cp.id)];

    // The object missing on read-back.
    const missing = await runMeterArchive({ ...env, ARCHIVE: bucketWith({ get: async () => null }) }, { now: daysLater(31) });
    expect(mine(missing)).toEqual([[], [{ chargerId: cp.id, transactionId: 'EF-1', error: expect.stringContaining('missing from R2') }]]);
    await intact();

    // An object that lost an event on the way: the read-back finds it.
    const lossy = bucketWith({
      put: async (key: string) => {
        const toMove = (await store().eventsToMove(cp.id, 'EF-1'))!;
        return env.ARCHIVE!.put(key, (await encodeArchive(cp.id, 'EF-1', readings, toMove.slice(1))).bytes);
      },
    } as Partial<R2Bucket>);
    const short = await runMeterArchive({ ...env, ARCHIVE: lossy }, { now: daysLater(31) });
    expect(mine(short)).toEqual([[], [{ chargerId: cp.id, transactionId: 'EF-1', error: expect.stringContaining('holds 8 events, D1 recorded 9') }]]);
    await intact();
    // What D1 serves meanwhile is D1's: the object D1 does not point to is never read.
    expect(await store().transactionEvents(cp.id, 'EF-1')).toEqual(events);
    expect(await apiAnswers(cp, 'EF-1')).toEqual(before);

    // With R2 back, the next run moves them.
    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(mine(run)).toEqual([[{ chargerId: cp.id, transactionId: 'EF-1', meterValues: 20, events: 9, key: archiveKey(cp.id, 'EF-1') }], []]);
    expect(await store().transactionEvents(cp.id, 'EF-1')).toEqual(events);
    expect(await apiAnswers(cp, 'EF-1')).toEqual(before);
    cp.close();
  }, 60_000);

  it('rolls the D1 batch back when the events to move changed after they were read', async () => {
    const cp = await charger('EVRACE');
    await completed(cp, 'ER-1');
    const events = await eventsInD1(cp.id, 'ER-1');
    const archive = store();
    const values = new MeterValueStore(env.DB);
    const readings = await values.readingsForTransaction(cp.id, 'ER-1');
    const toMove = (await archive.eventsToMove(cp.id, 'ER-1'))!;
    expect(toMove).toHaveLength(9);
    const encoded = await encodeArchive(cp.id, 'ER-1', readings, toMove.slice(1));
    // The batch a run would send had it read 8 events to move while D1 holds 9.
    await expect(
      env.DB.batch([
        archive.transactionUnchangedStatement(cp.id, 'ER-1'),
        values.unchangedStatementForTransaction(cp.id, 'ER-1', readings.length),
        archive.eventsUnchangedStatement(cp.id, 'ER-1', 8),
        archive.markStatement(cp.id, 'ER-1', archiveKey(cp.id, 'ER-1'), encoded, new Date().toISOString()),
        ...values.deleteStatementsForTransaction(cp.id, 'ER-1'),
        archive.deleteMovedEventsStatement(cp.id, 'ER-1'),
      ]),
    ).rejects.toThrow();
    expect(await eventsInD1(cp.id, 'ER-1')).toEqual(events);
    expect(await values.readingsForTransaction(cp.id, 'ER-1')).toEqual(readings);
    expect(await archive.state(cp.id, 'ER-1')).toBeNull();
    cp.close();
  }, 60_000);

  it('keeps them in D1 when stopped between the R2 write and the D1 batch, and finishes on the next run', async () => {
    const cp = await charger('EVCRASH');
    await completed(cp, 'EC-1');
    const events = await eventsInD1(cp.id, 'EC-1');
    const before = await apiAnswers(cp, 'EC-1');
    // What a run stopped after its R2 write leaves: the object (here with fewer events), and D1 untouched.
    const toMove = (await store().eventsToMove(cp.id, 'EC-1'))!;
    await store().put(archiveKey(cp.id, 'EC-1'), await encodeArchive(cp.id, 'EC-1', [], toMove.slice(0, 3)));
    expect(await store().transactionEvents(cp.id, 'EC-1')).toEqual(events);
    expect(await apiAnswers(cp, 'EC-1')).toEqual(before);

    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId: 'EC-1', meterValues: 20, events: 9, key: archiveKey(cp.id, 'EC-1') });
    expect(await store().transactionEvents(cp.id, 'EC-1')).toEqual(events);
    expect(await apiAnswers(cp, 'EC-1')).toEqual(before);
    cp.close();
  }, 60_000);
});
