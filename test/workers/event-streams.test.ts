// OCPP 2.1 periodic event streams through a real socket, the charger object's outbox and D1: streams
// opened, closed, adjusted and reconciled; NotifyPeriodicEventStream's points batched in the object
// and flushed packed (no D1 statement per message), kept and flagged for a stream the CSMS does not know.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DurableChargerRecords, type RecordsDeps } from '../../src/charger/records';
import { eventStreamHandlers } from '../../src/ocpp/v21/event-stream-handlers';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';
import { meterObject } from './object-meter';

const COMPONENT = { name: 'EVSE', evse: { id: 1 } };
const VARIABLE = { name: 'Power' };
const open = (id: number, variableMonitoringId = 17, params: Record<string, number> = { interval: 10, values: 5 }) => ({
  constantStreamData: { id, variableMonitoringId, params },
});

async function json(res: Response): Promise<any> {
  expect(res.status).toBe(200);
  return res.json();
}

async function connected(): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('STREAM'), 'ocpp2.1');
  expect(cp.protocol).toBe('ocpp2.1');
  expect(await cp.boot()).toEqual([3, expect.any(String), expect.objectContaining({ status: 'Accepted' })]);
  return cp;
}

async function streams(chargerId: string): Promise<any[]> {
  return (await json(await api('GET', `/chargers/${chargerId}/event-streams`))).eventStreams;
}

/**
 * What the SEND path will do with each NotifyPeriodicEventStream (the frame type is wip-frames'):
 * the handler, with the object's own records over its outbox, inside the charger's object.
 */
async function sendStream(chargerId: string, payloads: unknown[]): Promise<void> {
  await runInDurableObject(env.CHARGERS.getByName(chargerId), async (object) => {
    const instance = object as unknown as { outbox: unknown; handover: { schedule(urgency: 'soon' | 'batched'): Promise<void> } };
    for (const payload of payloads) {
      const deps = { outbox: instance.outbox, chargerId, appended: (urgency: 'soon' | 'batched') => instance.handover.schedule(urgency) };
      const records = new DurableChargerRecords(deps as unknown as RecordsDeps);
      const now = new Date();
      await eventStreamHandlers.NotifyPeriodicEventStream!(payload as never, {
        chargerId,
        version: 'ocpp2.1',
        messageId: 'send',
        now,
        connectedAt: now,
        heartbeatIntervalSeconds: 60,
        records,
      });
    }
  });
}

const notify = (id: number, basetime: string, values: Array<[number, string]>) => ({ id, pending: 0, basetime, data: values.map(([t, v]) => ({ t, v })) });

async function valueRows(chargerId: string, streamId: number): Promise<Array<{ hour: string; part: number; unannounced: number; data: string }>> {
  const { results } = await env.DB.prepare('SELECT hour, part, unannounced, data FROM event_stream_values WHERE charger_id = ? AND stream_id = ? ORDER BY hour, part')
    .bind(chargerId, streamId)
    .all<{ hour: string; part: number; unannounced: number; data: string }>();
  return results;
}

describe('2.1 periodic event streams: open, close, adjust, reconcile', () => {
  it('keeps a stream per charger from OpenPeriodicEventStream (Accepted once durable) with the monitor it names, until ClosePeriodicEventStream', async () => {
    const cp = await connected();
    // The monitor the stream will name, as the charger accepted it.
    const { res } = await commandAnswered(
      cp,
      'SetVariableMonitoring',
      { setMonitoringData: [{ value: 7000, type: 'UpperThreshold', severity: 5, component: COMPONENT, variable: VARIABLE }] },
      { setMonitoringResult: [{ id: 17, status: 'Accepted', type: 'UpperThreshold', severity: 5, component: COMPONENT, variable: VARIABLE }] },
    );
    expect(res.status).toBe(200);

    expect(await cp.call('OpenPeriodicEventStream', open(3))).toEqual([3, expect.any(String), { status: 'Accepted' }]);
    // Kept in the object's outbox before the answer left: the read below flushes it to D1.
    expect(await streams(cp.id)).toEqual([
      {
        streamId: 3,
        state: 'open',
        announced: true,
        variableMonitoringId: 17,
        monitor: { component: COMPONENT, variable: VARIABLE, type: 'UpperThreshold', value: 7000, source: 'SetVariableMonitoring', at: expect.any(String) },
        params: { interval: 10, values: 5 },
        openedAt: expect.any(String),
        closedAt: null,
        closedBy: null,
        adjustedAt: null,
        firstUnannouncedAt: null,
      },
    ]);

    // Adjusted only when the charger accepts.
    await commandAnswered(cp, 'AdjustPeriodicEventStream', { id: 3, params: { interval: 60 } }, { status: 'Rejected' });
    expect((await streams(cp.id))[0]).toMatchObject({ params: { interval: 10, values: 5 }, adjustedAt: null });
    const adjusted = await commandAnswered(cp, 'AdjustPeriodicEventStream', { id: 3, params: { interval: 60 } }, { status: 'Accepted' });
    expect(adjusted.res.status).toBe(200);
    expect((await streams(cp.id))[0]).toMatchObject({ params: { interval: 60 }, adjustedAt: expect.any(String) });

    expect(await cp.call('ClosePeriodicEventStream', { id: 3 })).toEqual([3, expect.any(String), {}]);
    expect((await streams(cp.id))[0]).toMatchObject({ streamId: 3, state: 'closed', closedBy: 'charger', closedAt: expect.any(String) });
    // A replayed Close changes nothing.
    const closedAt = (await streams(cp.id))[0].closedAt;
    expect(await cp.call('ClosePeriodicEventStream', { id: 3 })).toEqual([3, expect.any(String), {}]);
    expect((await streams(cp.id))[0].closedAt).toBe(closedAt);
    cp.close();
  });

  it('GetPeriodicEventStream: the streams the charger lists are open, the others closed; a monitor known from NotifyMonitoringReport is named', async () => {
    const cp = await connected();
    expect(await cp.call('NotifyMonitoringReport', {
      requestId: 1,
      seqNo: 0,
      generatedAt: new Date().toISOString(),
      monitor: [{ component: { name: 'Connector' }, variable: { name: 'Temperature' }, variableMonitoring: [{ id: 40, transaction: false, value: 80, type: 'UpperThreshold', severity: 3, eventNotificationType: 'CustomMonitor' }] }],
    })).toEqual([3, expect.any(String), {}]);
    for (const id of [4, 5]) expect((await cp.call('OpenPeriodicEventStream', open(id)))[2]).toEqual({ status: 'Accepted' });
    const listed = { constantStreamData: [{ id: 5, variableMonitoringId: 17, params: { interval: 10, values: 5 } }, { id: 6, variableMonitoringId: 40, params: { interval: 1 } }] };
    const { res } = await commandAnswered(cp, 'GetPeriodicEventStream', {}, listed);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries((await streams(cp.id)).map((s) => [s.streamId, s]));
    expect(byId[4]).toMatchObject({ state: 'closed', closedBy: 'reconcile' });
    expect(byId[5]).toMatchObject({ state: 'open', closedAt: null });
    expect(byId[6]).toMatchObject({
      state: 'open',
      announced: true,
      params: { interval: 1 },
      monitor: { component: { name: 'Connector' }, variable: { name: 'Temperature' }, type: 'UpperThreshold', value: 80, source: 'NotifyMonitoringReport' },
    });
    // Filtered by state, and paged by stream id.
    expect((await json(await api('GET', `/chargers/${cp.id}/event-streams?state=closed`))).eventStreams.map((s: any) => s.streamId)).toEqual([4]);
    const first = await json(await api('GET', `/chargers/${cp.id}/event-streams?limit=2`));
    expect(first.eventStreams.map((s: any) => s.streamId)).toEqual([4, 5]);
    const second = await json(await api('GET', `/chargers/${cp.id}/event-streams?limit=2&cursor=${first.nextCursor}`));
    expect({ ids: second.eventStreams.map((s: any) => s.streamId), next: second.nextCursor }).toEqual({ ids: [6], next: null });

    // An answer listing none closes them all.
    await commandAnswered(cp, 'GetPeriodicEventStream', {}, {});
    expect((await streams(cp.id)).map((s) => s.state)).toEqual(['closed', 'closed', 'closed']);
    cp.close();
  });
});

describe('2.1 NotifyPeriodicEventStream: points batched in the object, flushed packed', () => {
  it('costs no D1 statement per message: a flush writes one row per stream and hour, however many messages it carries', async () => {
    const cp = await connected();
    expect((await cp.call('OpenPeriodicEventStream', open(3)))[2]).toEqual({ status: 'Accepted' });
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();

    const flushCost = async (messages: number, hour: string) => {
      const before = (await stub.stats()).d1Statements;
      await sendStream(
        cp.id,
        Array.from({ length: messages }, (_, i) => notify(3, `${hour}:${String(i % 60).padStart(2, '0')}:00Z`, [[0, `${i}.0`], [0.5, `${i}.5`]])),
      );
      const sent = (await stub.stats()).d1Statements - before;
      const flushed = (await stub.flushNow()).d1Statements - before - sent;
      return { sent, flushed };
    };
    const few = await flushCost(3, '2026-06-01T10');
    const many = await flushCost(60, '2026-06-01T11');
    // Nothing reaches D1 at the message; the flush's statements do not grow with the messages.
    expect({ sent: few.sent, many: many.sent }).toEqual({ sent: 0, many: 0 });
    expect(many.flushed).toBe(few.flushed);
    // The packed values, one statement for every row of the flush.
    expect(few.flushed).toBe(1);
    const rows = await valueRows(cp.id, 3);
    expect(rows.map((r) => [r.hour, r.part, r.unannounced])).toEqual([
      ['2026-06-01T10', 0, 0],
      ['2026-06-01T11', 0, 0],
    ]);
    expect(Object.keys(JSON.parse(rows[1]!.data))).toHaveLength(120);

    // The values, oldest first, with basetime + t, a page at a time.
    const page = await json(await api('GET', `/chargers/${cp.id}/event-streams/3/values?limit=4`));
    expect(page.eventStream).toMatchObject({ streamId: 3, state: 'open' });
    expect(page.values).toEqual([
      { timestamp: '2026-06-01T10:00:00.000Z', value: '0.0', unannounced: false },
      { timestamp: '2026-06-01T10:00:00.500Z', value: '0.5', unannounced: false },
      { timestamp: '2026-06-01T10:01:00.000Z', value: '1.0', unannounced: false },
      { timestamp: '2026-06-01T10:01:00.500Z', value: '1.5', unannounced: false },
    ]);
    const next = await json(await api('GET', `/chargers/${cp.id}/event-streams/3/values?limit=4&cursor=${page.nextCursor}`));
    expect(next.values.map((v: any) => v.value)).toEqual(['2.0', '2.5', '0.0', '0.5']);
    expect(next.values[2].timestamp).toBe('2026-06-01T11:00:00.000Z');
    const ranged = await json(await api('GET', `/chargers/${cp.id}/event-streams/3/values?from=2026-06-01T11:59:00Z&to=2026-06-01T11:59:00.5Z`));
    expect(ranged).toMatchObject({ values: [{ timestamp: '2026-06-01T11:59:00.000Z', value: '59.0' }], nextCursor: null });
    const all = (await json(await api('GET', `/chargers/${cp.id}/event-streams/3/values`))).values;
    expect(all).toHaveLength(126);
    cp.close();
  });

  it('over a raw socket: SEND frames are never answered, cost no D1 statement, and their points are stored at the flush', async () => {
    const cp = await connected();
    expect((await cp.call('OpenPeriodicEventStream', open(8)))[2]).toEqual({ status: 'Accepted' });
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    const before = (await stub.stats()).d1Statements;
    for (let i = 0; i < 20; i++) {
      cp.sendRaw(JSON.stringify([6, `s${i}`, 'NotifyPeriodicEventStream', notify(8, '2026-06-05T09:00:00Z', [[i, String(i)]])]));
    }
    // Frames are taken in order: the Heartbeat's answer comes after every SEND was handled, and is the only frame back.
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    expect((await stub.stats()).d1Statements - before).toBe(0);
    // The flush: the packed values, and the charger's last-seen time, which a flush carries after frames came.
    const flushed = (await stub.flushNow()).d1Statements - before;
    expect(flushed).toBe(2);
    expect(await valueRows(cp.id, 8)).toHaveLength(1);
    const values = (await json(await api('GET', `/chargers/${cp.id}/event-streams/8/values`))).values;
    expect(values.map((v: any) => v.value)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(values[19]).toEqual({ timestamp: '2026-06-05T09:00:19.000Z', value: '19', unannounced: false });
    cp.close();
  });

  it('a replayed message adds nothing; a point of an instant kept already keeps its first value', async () => {
    const cp = await connected();
    expect((await cp.call('OpenPeriodicEventStream', open(2)))[2]).toEqual({ status: 'Accepted' });
    const message = notify(2, '2026-06-02T08:00:00Z', [[1, 'a'], [2, 'b']]);
    await sendStream(cp.id, [message]);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const before = await valueRows(cp.id, 2);
    await sendStream(cp.id, [message, notify(2, '2026-06-02T08:00:00Z', [[2, 'other'], [3, 'c']])]);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const after = (await json(await api('GET', `/chargers/${cp.id}/event-streams/2/values`))).values;
    expect(after.map((v: any) => v.value)).toEqual(['a', 'b', 'c']);
    expect(before).toHaveLength(1);
    expect(await valueRows(cp.id, 2)).toHaveLength(1);
    cp.close();
  });

  it('stores a flush holding more of one hour than a statement takes: the pieces merge into the hour\'s row', async () => {
    const cp = await connected();
    expect((await cp.call('OpenPeriodicEventStream', open(4)))[2]).toEqual({ status: 'Accepted' });
    const big = (from: number) => notify(4, '2026-06-06T12:00:00Z', Array.from({ length: 40 }, (_, i): [number, string] => [from + i, `${from + i}:${'v'.repeat(2490)}`]));
    await sendStream(cp.id, [big(0), big(40)]);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const rows = await valueRows(cp.id, 4);
    expect(rows.map((r) => [r.hour, r.part])).toEqual([['2026-06-06T12', 0]]);
    expect(Object.keys(JSON.parse(rows[0]!.data))).toHaveLength(80);
    const values = (await json(await api('GET', `/chargers/${cp.id}/event-streams/4/values`))).values;
    expect(values.map((v: any) => v.value.split(':')[0])).toEqual(Array.from({ length: 80 }, (_, i) => String(i)));
    cp.close();
  });

  it('keeps the points in the object while D1 fails, and stores them once it recovers', async () => {
    const cp = await connected();
    expect((await cp.call('OpenPeriodicEventStream', open(6)))[2]).toEqual({ status: 'Accepted' });
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    const trigger = `fail_stream_values_${cp.id.replace(/[^A-Za-z0-9]/g, '_')}`;
    await env.DB.prepare(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON event_stream_values WHEN NEW.charger_id = '${cp.id}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    ).run();
    try {
      cp.sendRaw(JSON.stringify([6, 's1', 'NotifyPeriodicEventStream', notify(6, '2026-06-07T10:00:00Z', [[0, 'kept'], [1, 'too']])]));
      expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
      expect((await stub.flushNow()).outboxEntries).toBeGreaterThan(0);
      expect(await valueRows(cp.id, 6)).toEqual([]);
    } finally {
      await env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
    }
    expect(await stub.flushNow()).toMatchObject({ outboxEntries: 0 });
    const values = (await json(await api('GET', `/chargers/${cp.id}/event-streams/6/values`))).values;
    expect(values.map((v: any) => v.value)).toEqual(['kept', 'too']);
    cp.close();
  });

  it('keeps and flags the points of a stream the CSMS does not know, and lists the stream as unannounced', async () => {
    const cp = await connected();
    await sendStream(cp.id, [notify(9, '2026-06-03T07:30:00Z', [[0, '1'], [10, '2']])]);
    const [stream] = await streams(cp.id);
    expect(stream).toMatchObject({ streamId: 9, state: 'unannounced', announced: false, variableMonitoringId: null, monitor: null, firstUnannouncedAt: '2026-06-03T07:30:00.000Z' });
    const values = (await json(await api('GET', `/chargers/${cp.id}/event-streams/9/values`))).values;
    expect(values).toEqual([
      { timestamp: '2026-06-03T07:30:00.000Z', value: '1', unannounced: true },
      { timestamp: '2026-06-03T07:30:10.000Z', value: '2', unannounced: true },
    ]);
    // Opened after all: known from then on; what came before stays flagged.
    expect((await cp.call('OpenPeriodicEventStream', open(9)))[2]).toEqual({ status: 'Accepted' });
    await sendStream(cp.id, [notify(9, '2026-06-03T08:00:00Z', [[0, '3']])]);
    expect((await streams(cp.id))[0]).toMatchObject({ streamId: 9, state: 'open', announced: true, firstUnannouncedAt: '2026-06-03T07:30:00.000Z' });
    const later = (await json(await api('GET', `/chargers/${cp.id}/event-streams/9/values`))).values;
    expect(later.map((v: any) => [v.value, v.unannounced])).toEqual([['1', true], ['2', true], ['3', false]]);
    cp.close();
  });

  it('shows none of the values of a monitor on a secret variable', async () => {
    const cp = await connected();
    const component = { name: 'SecurityCtrlr' };
    const variable = { name: 'BasicAuthPassword' };
    await commandAnswered(
      cp,
      'SetVariableMonitoring',
      { setMonitoringData: [{ value: 0, type: 'Delta', severity: 5, component, variable }] },
      { setMonitoringResult: [{ id: 5, status: 'Accepted', type: 'Delta', severity: 5, component, variable }] },
    );
    expect((await cp.call('OpenPeriodicEventStream', open(1, 5)))[2]).toEqual({ status: 'Accepted' });
    await sendStream(cp.id, [notify(1, '2026-06-04T00:00:00Z', [[0, 'hunter2-secret']])]);
    const res = await api('GET', `/chargers/${cp.id}/event-streams/1/values`);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).values).toEqual([{ timestamp: '2026-06-04T00:00:00.000Z', value: '<redacted>', unannounced: false }]);
    cp.close();
  });

  it('answers 404 for a stream the charger never sent, 400 for a bad id or cursor', async () => {
    const cp = await connected();
    expect((await api('GET', `/chargers/${cp.id}/event-streams/77/values`)).status).toBe(404);
    expect((await api('GET', `/chargers/${cp.id}/event-streams/-1/values`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/event-streams?cursor=abc`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/event-streams?state=gone`)).status).toBe(400);
    cp.close();
  });
});

describe('2.1 NotifyPeriodicEventStream: what a streaming charger costs its object', () => {
  it('one outbox row rewritten per message, and one setAlarm per flush: the alarm stays where the next flush will be', async () => {
    const cp = await connected();
    expect((await cp.call('OpenPeriodicEventStream', open(1)))[2]).toEqual({ status: 'Accepted' });
    const stub = env.CHARGERS.getByName(cp.id);
    const five = (cycle: number) =>
      sendStream(cp.id, Array.from({ length: 5 }, (_, i) => notify(1, new Date(Date.UTC(2026, 5, 8, 10, cycle, i)).toISOString(), [[0, `${cycle}.${i}`]])));
    // The open's flush, then one cycle to reach the steady state.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await five(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const CYCLES = 3;
    const read = await meterObject(stub);
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await five(cycle);
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      expect((await stub.stats()).outboxEntries).toBe(0);
    }
    const writes = await read();
    // Per flush: the outbox row inserted, merged into 4 times, deleted; one setAlarm (to the next flush).
    expect({ sqlRows: writes.sqlRows, alarmsSet: writes.alarmsSet }).toEqual({ sqlRows: CYCLES * 6, alarmsSet: CYCLES });
    expect(await valueRows(cp.id, 1)).toHaveLength(1);
    expect((await json(await api('GET', `/chargers/${cp.id}/event-streams/1/values`))).values).toHaveLength(20);
    cp.close();
  });
});
