// Meter values past the retention window move from D1 to R2 (a real local bucket) and the API
// serves them as before: the same JSON on every page, the same cursors, the same energy.

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { runMeterArchive } from '../../src/archive/meter-archiver';
import worker from '../../src/index';
import { archiveKey, encodeArchive, MeterArchiveStore } from '../../src/store/meter-archive';
import { MeterValueStore } from '../../src/store/meter-values';
import { allPages, api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

const DAY = 86_400_000;
/** An archive run as if this many days had passed since now (METER_RETENTION_DAYS is 30 in the tests). */
const daysLater = (days: number) => new Date(Date.now() + days * DAY);

/** A completed 1.6 transaction with 520 values (130 readings of 4), and 3 values outside any transaction. */
async function completed16(prefix: string): Promise<{ cp: RawCharger; transactionId: string }> {
  const cp = await RawCharger.connect(uniqueChargerId(prefix), 'ocpp1.6');
  await cp.boot();
  const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'ARCHIVED', meterStart: 1_000, timestamp: '2026-03-01T00:00:00Z' });
  const transactionId = (start[2] as { transactionId: number }).transactionId;
  const meterValue = Array.from({ length: 130 }, (_, i) => ({
    timestamp: new Date(Date.UTC(2026, 2, 1, 0, 0, 1 + i)).toISOString(),
    sampledValue: [
      { value: String(1_000 + (i + 1) * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
      { value: String(7_000 + i / 4), measurand: 'Power.Active.Import', unit: 'W' },
      { value: '16.5', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
      { value: '230', measurand: 'Voltage', phase: 'L1-N', unit: 'V', context: 'Sample.Clock', location: 'Outlet' },
    ],
  }));
  expect((await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue }))[0]).toBe(3);
  const idle = [{ timestamp: '2026-03-01T05:00:00Z', sampledValue: [{ value: '231', measurand: 'Voltage', unit: 'V' }, { value: '0', measurand: 'Power.Active.Import', unit: 'W' }, { value: '2301', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }];
  expect((await cp.call('MeterValues', { connectorId: 1, meterValue: idle }))[0]).toBe(3);
  await cp.call('StopTransaction', { transactionId, meterStop: 2_300, timestamp: '2026-03-01T03:00:00Z', reason: 'EVDisconnected' });
  await env.CHARGERS.getByName(cp.id).flushNow();
  return { cp, transactionId: String(transactionId) };
}

const inD1 = (chargerId: string, transactionId: string) => new MeterValueStore(env.DB).readingsForTransaction(chargerId, transactionId);

describe('the meter archive', () => {
  it("moves a transaction's readings to R2 and serves them back identically, every page, D1 no longer holding them (1.6)", async () => {
    const { cp, transactionId } = await completed16('ARCH');
    const path = `/chargers/${cp.id}/transactions/${transactionId}`;
    const before = { byDefault: await allPages(path), by37: await allPages(path, 37), charger: await allPages(`/chargers/${cp.id}/meter-values`, 100) };
    expect(before.byDefault.map((p) => p.transaction.meterValues.length)).toEqual([500, 20]);
    expect(before.byDefault[0].transaction).toMatchObject({ status: 'completed', energyWh: 1_300 });
    expect(await inD1(cp.id, transactionId)).toHaveLength(520);

    // Not yet due: recorded stopped today, retention 30 days. Its charger's values outside the
    // transaction go by their own timestamps (March): their day moves already.
    const early = await runMeterArchive(env, { now: daysLater(29) });
    expect(early.moved.find((m) => m.chargerId === cp.id)).toBeUndefined();
    expect(await inD1(cp.id, transactionId)).toHaveLength(520);
    expect(early.movedDays).toContainEqual({ chargerId: cp.id, day: '2026-03-01', meterValues: 3, key: expect.stringMatching(/^meter\/ARCH-[^/]+\/days\/2026-03-01\.[0-9a-f]{16}\.json\.gz$/) });
    expect(await new MeterValueStore(env.DB).readingsForChargerDay(cp.id, '2026-03-01')).toEqual([]);
    expect(await allPages(`/chargers/${cp.id}/meter-values`, 100)).toEqual(before.charger);

    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(run).toMatchObject({ enabled: true, retentionDays: 30, failed: [] });
    const key = archiveKey(cp.id, transactionId);
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId, meterValues: 520, events: null, key });
    // D1 no longer holds them; R2 does, as one gzip object.
    expect(await inD1(cp.id, transactionId)).toEqual([]);
    const object = await env.ARCHIVE!.get(key);
    expect(object).not.toBeNull();
    const bytes = new Uint8Array(await object!.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(object!.customMetadata).toMatchObject({ count: '520' });

    // The same responses, page by page, whatever the page size, the energy included.
    expect(await allPages(path)).toEqual(before.byDefault);
    expect(await allPages(path, 37)).toEqual(before.by37);
    // A cursor handed out before the move goes on after it.
    const second = await json(await api('GET', `${path}?limit=37&cursor=${encodeURIComponent(before.by37[0].nextCursor)}`));
    expect(second).toEqual(before.by37[1]);
    for (const query of ['limit=0', 'cursor=nonsense', `cursor=${btoa('["a"]')}`]) {
      const res = await api('GET', `${path}?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    // The charger's own range read includes them (see the range test below).
    expect(await allPages(`/chargers/${cp.id}/meter-values`, 100)).toEqual(before.charger);

    // Again: nothing more moves, the object is left as it is.
    const again = await runMeterArchive(env, { now: daysLater(31) });
    expect(again.moved.find((m) => m.chargerId === cp.id)).toBeUndefined();
    expect((await env.ARCHIVE!.head(key))!.etag).toBe(object!.etag);
    cp.close();
  }, 60_000);

  it("moves a 2.0.1 transaction's readings and serves the same pages and energy", async () => {
    const cp = await RawCharger.connect(uniqueChargerId('ARCH'), 'ocpp2.0.1');
    await cp.boot();
    const base = { transactionInfo: { transactionId: 'AR-1' }, evse: { id: 1, connectorId: 1 } };
    const reading = (second: number, wh: number, context: string) => ({
      timestamp: new Date(Date.UTC(2026, 3, 1, 0, 0, second)).toISOString(),
      sampledValue: [
        { value: wh, context, measurand: 'Energy.Active.Import.Register' },
        { value: 11_000 + second, context, measurand: 'Power.Active.Import', phase: 'L1' },
      ],
    });
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', triggerReason: 'Authorized', seqNo: 0, timestamp: '2026-04-01T00:00:00Z', meterValue: [reading(0, 5_000, 'Transaction.Begin')] });
    const periodic = Array.from({ length: 12 }, (_, i) => reading(i + 1, 5_000 + (i + 1) * 50, 'Sample.Periodic'));
    await cp.call('TransactionEvent', { ...base, eventType: 'Updated', triggerReason: 'MeterValuePeriodic', seqNo: 1, timestamp: '2026-04-01T00:00:12Z', meterValue: periodic });
    await cp.call('TransactionEvent', {
      ...base,
      eventType: 'Ended',
      triggerReason: 'EVDeparted',
      seqNo: 2,
      timestamp: '2026-04-01T00:00:20Z',
      transactionInfo: { transactionId: 'AR-1', stoppedReason: 'EVDisconnected' },
      meterValue: [reading(20, 5_700, 'Transaction.End')],
    });
    const path = `/chargers/${cp.id}/transactions/AR-1`;
    const before = await allPages(path, 5);
    expect(before[0].transaction).toMatchObject({ status: 'completed', energyWh: 700 });
    expect(before.flatMap((p) => p.transaction.meterValues)).toHaveLength(28);

    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId: 'AR-1', meterValues: 28, events: 2, key: archiveKey(cp.id, 'AR-1') });
    expect(await inD1(cp.id, 'AR-1')).toEqual([]);
    expect(await allPages(path, 5)).toEqual(before);
    cp.close();
  }, 60_000);

  it('never moves a running transaction, nor a completed one inside the retention window', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('KEEP'), 'ocpp1.6');
    await cp.boot();
    const start = await cp.call('StartTransaction', { connectorId: 2, idTag: 'RUNNING', meterStart: 0, timestamp: '2025-01-01T00:00:00Z' });
    const running = String((start[2] as { transactionId: number }).transactionId);
    await cp.call('MeterValues', { connectorId: 2, transactionId: Number(running), meterValue: [{ timestamp: '2025-01-01T00:01:00Z', sampledValue: [{ value: '10' }] }] });
    await env.CHARGERS.getByName(cp.id).flushNow();

    // Running for a year and two: still running, so it stays however late the run.
    const run = await runMeterArchive(env, { now: daysLater(800) });
    expect(run.moved.find((m) => m.chargerId === cp.id)).toBeUndefined();
    expect(await inD1(cp.id, running)).toHaveLength(1);
    expect(await new MeterArchiveStore(env.DB, env.ARCHIVE).state(cp.id, running)).toBeNull();

    // Stopped now (the CSMS's clock, whatever the charger's says): due only after 30 days.
    await cp.call('StopTransaction', { transactionId: Number(running), meterStop: 10, timestamp: '2025-01-01T00:02:00Z' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    const soon = await runMeterArchive(env, { now: daysLater(1) });
    expect(soon.moved.find((m) => m.chargerId === cp.id)).toBeUndefined();
    expect(await inD1(cp.id, running)).toHaveLength(1);
    expect(soon.left).toBe(0);
    const later = await runMeterArchive(env, { now: daysLater(31) });
    expect(later.moved).toContainEqual({ chargerId: cp.id, transactionId: running, meterValues: 1, events: null, key: archiveKey(cp.id, running) });
    cp.close();
  }, 60_000);

  it('moves nothing when no bucket is bound or METER_RETENTION_DAYS is 0', async () => {
    const { cp, transactionId } = await completed16('OFF');
    const unbound = await runMeterArchive({ ...env, ARCHIVE: undefined }, { now: daysLater(400) });
    expect(unbound).toEqual({
      enabled: false,
      reason: 'no R2 bucket is bound as ARCHIVE',
      retentionDays: 30,
      moved: [],
      failed: [],
      left: 0,
      movedDays: [],
      failedDays: [],
      chargersWithDaysDue: 0,
      movedStreamDays: [],
      failedStreamDays: [],
      streamsWithDaysDue: 0,
    });
    const zero = await runMeterArchive({ ...env, METER_RETENTION_DAYS: '0' }, { now: daysLater(400) });
    expect(zero).toMatchObject({ enabled: false, reason: 'METER_RETENTION_DAYS is 0', moved: [] });
    expect(await inD1(cp.id, transactionId)).toHaveLength(520);
    cp.close();
  }, 60_000);

  it('keeps the readings in D1 when stopped between the R2 write and the D1 batch, and finishes on the next run', async () => {
    const { cp, transactionId } = await completed16('CRASH');
    const path = `/chargers/${cp.id}/transactions/${transactionId}`;
    const before = await allPages(path, 200);
    // What a run stopped after its R2 write leaves: the object, and D1 untouched.
    const readings = await inD1(cp.id, transactionId);
    const store = new MeterArchiveStore(env.DB, env.ARCHIVE);
    await store.put(archiveKey(cp.id, transactionId), await encodeArchive(cp.id, transactionId, readings.slice(0, 100)));
    expect(await allPages(path, 200)).toEqual(before);
    expect(await store.state(cp.id, transactionId)).toBeNull();

    const run = await runMeterArchive(env, { now: daysLater(31) });
    expect(run.moved).toContainEqual({ chargerId: cp.id, transactionId, meterValues: 520, events: null, key: archiveKey(cp.id, transactionId) });
    expect(await allPages(path, 200)).toEqual(before);
    cp.close();
  }, 60_000);

  it('deletes nothing when a value arrived after the readings were read: the batch rolls back', async () => {
    const { cp, transactionId } = await completed16('RACE');
    const values = new MeterValueStore(env.DB);
    const archive = new MeterArchiveStore(env.DB, env.ARCHIVE);
    const encoded = await encodeArchive(cp.id, transactionId, (await inD1(cp.id, transactionId)).slice(0, 519));
    // The batch a run would send had it read 519 values while D1 holds 520.
    await expect(
      env.DB.batch([
        archive.transactionUnchangedStatement(cp.id, transactionId),
        values.unchangedStatementForTransaction(cp.id, transactionId, 519),
        archive.markStatement(cp.id, transactionId, archiveKey(cp.id, transactionId), encoded, new Date().toISOString()),
        ...values.deleteStatementsForTransaction(cp.id, transactionId),
      ]),
    ).rejects.toThrow();
    expect(await inD1(cp.id, transactionId)).toHaveLength(520);
    expect(await archive.state(cp.id, transactionId)).toBeNull();
    cp.close();
  }, 60_000);

  it('serves values that arrive after the move together with the archived ones, in order', async () => {
    const { cp, transactionId } = await completed16('LATE');
    await runMeterArchive(env, { now: daysLater(31) });
    expect(await inD1(cp.id, transactionId)).toEqual([]);
    // A charger back after a long time offline sends what it queued for the transaction.
    const late = [
      { timestamp: '2026-03-01T00:00:00.500Z', sampledValue: [{ value: '999', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] },
      // Already archived under this key: the archived value wins, as in D1.
      { timestamp: '2026-03-01T00:00:01.000Z', sampledValue: [{ value: '1', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] },
    ];
    await cp.call('MeterValues', { connectorId: 1, transactionId: Number(transactionId), meterValue: late });
    const pages = await allPages(`/chargers/${cp.id}/transactions/${transactionId}`);
    const values = pages.flatMap((p) => p.transaction.meterValues);
    expect(values).toHaveLength(521);
    expect(values[0]).toMatchObject({ timestamp: '2026-03-01T00:00:00.500Z', value: 999 });
    expect(values[1]).toMatchObject({ timestamp: '2026-03-01T00:00:01.000Z', measurand: 'Current.Import', value: 16.5 });
    expect(values.find((v) => v.timestamp === '2026-03-01T00:00:01.000Z' && v.measurand === 'Energy.Active.Import.Register').value).toBe(1_010);
    cp.close();
  }, 60_000);

  it('answers 503 ArchiveUnavailable, not a partial list, when the object does not read back as recorded', async () => {
    const { cp, transactionId } = await completed16('BAD');
    await runMeterArchive(env, { now: daysLater(31) });
    const path = `/chargers/${cp.id}/transactions/${transactionId}`;
    expect((await api('GET', path)).status).toBe(200);
    const readings = await new MeterArchiveStore(env.DB, env.ARCHIVE).read((await new MeterArchiveStore(env.DB, env.ARCHIVE).state(cp.id, transactionId))!);
    await env.ARCHIVE!.put(archiveKey(cp.id, transactionId), (await encodeArchive(cp.id, transactionId, readings.slice(1))).bytes);
    const res = await api('GET', path);
    expect(res.status).toBe(503);
    expect((await json(res)).error.code).toBe('ArchiveUnavailable');
    await env.ARCHIVE!.delete(archiveKey(cp.id, transactionId));
    expect((await api('GET', path)).status).toBe(503);
    cp.close();
  }, 60_000);
});

describe("a charger's meter values by time range", () => {
  it('include archived transactions in the same order, pages and cursors as before they moved', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('RANGE'), 'ocpp1.6');
    await cp.boot();
    const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 4, 1, 0, minute, second)).toISOString();
    const readings = (from: number, to: number, wh: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        timestamp: at(from + i),
        sampledValue: [
          { value: String(wh + i * 100), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: String(3_000 + i), measurand: 'Power.Active.Import', unit: 'W' },
        ],
      }));
    const start = async (connectorId: number, minute: number) =>
      ((await cp.call('StartTransaction', { connectorId, idTag: 'RANGER', meterStart: 0, timestamp: at(minute) }))[2] as { transactionId: number }).transactionId;
    // Two transactions overlapping on two connectors, a third later, values outside any between and after.
    const t1 = await start(1, 0);
    const t2 = await start(2, 5);
    await cp.call('MeterValues', { connectorId: 1, transactionId: t1, meterValue: readings(1, 20, 100) });
    await cp.call('MeterValues', { connectorId: 2, transactionId: t2, meterValue: readings(5, 12, 5_000) });
    await cp.call('MeterValues', { connectorId: 2, meterValue: readings(13, 18, 9_000) });
    const t3 = await start(2, 30);
    await cp.call('MeterValues', { connectorId: 2, transactionId: t3, meterValue: readings(30, 45, 20_000) });
    await cp.call('MeterValues', { connectorId: 1, meterValue: readings(50, 55, 40_000) });
    for (const [transactionId, minute, wh] of [[t1, 21, 3_000], [t2, 12, 6_000], [t3, 46, 22_000]] as const) {
      await cp.call('StopTransaction', { transactionId, meterStop: wh, timestamp: at(minute) });
    }
    // The same instant on both connectors: scope decides the order, as in D1.
    await cp.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: at(7), sampledValue: [{ value: '1', measurand: 'Voltage', unit: 'V' }] }] });
    const path = `/chargers/${cp.id}/meter-values`;
    const ranges = ['', `from=${at(6)}&to=${at(40)}`, `from=${at(14)}`, `to=${at(5, 30)}`];
    const walk = async (limit: number, range: string) => {
      const pages: any[] = [];
      let cursor: string | null = null;
      do {
        const res = await api('GET', `${path}?limit=${limit}${range ? `&${range}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        pages.push(await json(res));
        cursor = pages[pages.length - 1].nextCursor;
      } while (cursor && pages.length < 100);
      return pages;
    };
    const before = new Map<string, any[]>();
    for (const limit of [3, 40, 500]) for (const range of ranges) before.set(`${limit} ${range}`, await walk(limit, range));
    expect(before.get('500 ')![0].meterValues).toHaveLength(19 * 2 + 7 * 2 + 5 * 2 + 15 * 2 + 5 * 2 + 1);

    const run = await runMeterArchive(env, { now: daysLater(31) });
    for (const transactionId of [t1, t2, t3]) {
      expect(run.moved.map((m) => [m.chargerId, m.transactionId])).toContainEqual([cp.id, String(transactionId)]);
      expect(await inD1(cp.id, String(transactionId))).toEqual([]);
    }
    for (const limit of [3, 40, 500]) {
      for (const range of ranges) {
        expect({ limit, range, pages: await walk(limit, range) }).toEqual({ limit, range, pages: before.get(`${limit} ${range}`) });
      }
    }
    cp.close();
  }, 120_000);
});

describe('values outside any transaction', () => {
  it('move per charger and UTC day, one day per charger a run, and a day that gets late values is written anew', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('DAYS'), 'ocpp1.6');
    await cp.boot();
    const idle = (timestamp: string, v: number) => ({ timestamp, sampledValue: [{ value: String(v), measurand: 'Voltage', unit: 'V' }, { value: String(v * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });
    await cp.call('MeterValues', { connectorId: 1, meterValue: [idle('2026-06-01T23:59:59.999Z', 230), idle('2026-06-01T00:00:00Z', 229)] });
    await cp.call('MeterValues', { connectorId: 2, meterValue: [idle('2026-06-01T12:00:00Z', 231), idle('2026-06-02T00:00:00Z', 232)] });
    await env.CHARGERS.getByName(cp.id).flushNow();
    const path = `/chargers/${cp.id}/meter-values`;
    const before = { all: await allPages(path, 3) };
    expect(before.all.flatMap((p) => p.meterValues)).toHaveLength(8);
    const mine = (run: Awaited<ReturnType<typeof runMeterArchive>>) => run.movedDays.filter((d) => d.chargerId === cp.id);

    const first = await runMeterArchive(env, { now: daysLater(31) });
    expect(mine(first)).toEqual([{ chargerId: cp.id, day: '2026-06-01', meterValues: 6, key: expect.stringContaining('/days/2026-06-01.') }]);
    expect(first.chargersWithDaysDue).toBeGreaterThanOrEqual(1);
    const second = await runMeterArchive(env, { now: daysLater(31) });
    expect(mine(second)).toEqual([{ chargerId: cp.id, day: '2026-06-02', meterValues: 2, key: expect.stringContaining('/days/2026-06-02.') }]);
    const store = new MeterValueStore(env.DB);
    expect([...(await store.readingsForChargerDay(cp.id, '2026-06-01')), ...(await store.readingsForChargerDay(cp.id, '2026-06-02'))]).toEqual([]);
    expect(await allPages(path, 3)).toEqual(before.all);
    expect((await runMeterArchive(env, { now: daysLater(31) })).movedDays.filter((d) => d.chargerId === cp.id)).toEqual([]);

    // A value for June 1st arrives late, and a replay of one already moved: the day is written
    // anew with both objects' worth, the replay kept once (the first value stored wins).
    await cp.call('MeterValues', { connectorId: 1, meterValue: [idle('2026-06-01T06:00:00Z', 228), { timestamp: '2026-06-01T00:00:00Z', sampledValue: [{ value: '1', measurand: 'Voltage', unit: 'V' }] }] });
    await env.CHARGERS.getByName(cp.id).flushNow();
    const oldKey = mine(first)[0]!.key;
    const third = await runMeterArchive(env, { now: daysLater(31) });
    expect(mine(third)).toEqual([{ chargerId: cp.id, day: '2026-06-01', meterValues: 3, key: expect.stringContaining('/days/2026-06-01.') }]);
    expect(mine(third)[0]!.key).not.toBe(oldKey);
    expect(await env.ARCHIVE!.head(oldKey)).toBeNull();
    expect(await new MeterArchiveStore(env.DB, env.ARCHIVE).dayState(cp.id, '2026-06-01')).toMatchObject({ count: 8, key: mine(third)[0]!.key });
    const after = (await allPages(path, 500))[0].meterValues;
    expect(after).toHaveLength(10);
    expect(after.filter((v: { timestamp: string }) => v.timestamp === '2026-06-01T00:00:00.000Z').map((v: { value: number }) => v.value)).toEqual([2_290, 229]);
    expect(after.map((v: { timestamp: string }) => v.timestamp)).toEqual([...after.map((v: { timestamp: string }) => v.timestamp)].sort());
    cp.close();
  }, 60_000);
});

describe('POST /api/v1/archive/run', () => {
  async function tokenWith(scopes: string[]): Promise<string> {
    const res = await api('POST', '/tokens', { name: `archive ${scopes.join('+')}`, scopes });
    expect(res.status).toBe(201);
    return (await json(res)).token;
  }

  it('needs the admin scope, and answers what it moved and what is left', async () => {
    for (const scopes of [['read'], ['command']]) {
      const res = await api('POST', '/archive/run', undefined, await tokenWith(scopes));
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ error: { code: 'InsufficientScope', needed: 'admin' } });
    }
    expect((await api('POST', '/archive/run?limit=0')).status).toBe(400);
    expect((await api('POST', '/archive/run?limit=1001')).status).toBe(400);

    // Two transactions whose stop was recorded 40 days ago; a run of one moves one and leaves one.
    const a = await completed16('ROUTE');
    const b = await completed16('ROUTE');
    const longAgo = new Date(Date.now() - 40 * DAY).toISOString();
    for (const { cp, transactionId } of [a, b]) {
      await env.DB.prepare('UPDATE transactions SET updated_at = ?3 WHERE charger_id = ?1 AND ocpp_transaction_id = ?2').bind(cp.id, transactionId, longAgo).run();
    }
    const first = await json(await api('POST', '/archive/run?limit=1', undefined, await tokenWith(['admin'])));
    expect(first).toMatchObject({ enabled: true, retentionDays: 30, failed: [] });
    expect(first.moved).toHaveLength(1);
    expect(first.left).toBeGreaterThanOrEqual(1);
    const rest = await json(await api('POST', '/archive/run'));
    expect([...first.moved, ...rest.moved].map((m: { chargerId: string }) => m.chargerId)).toEqual(expect.arrayContaining([a.cp.id, b.cp.id]));
    expect(rest.left).toBe(0);
    a.cp.close();
    b.cp.close();
  }, 60_000);

  it('runs from the Cron Trigger too', async () => {
    const { cp, transactionId } = await completed16('CRON');
    await env.DB.prepare('UPDATE transactions SET updated_at = ?3 WHERE charger_id = ?1 AND ocpp_transaction_id = ?2')
      .bind(cp.id, transactionId, new Date(Date.now() - 40 * DAY).toISOString())
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/10 * * * *', scheduledTime: new Date() }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await inD1(cp.id, transactionId)).toEqual([]);
    expect(await new MeterArchiveStore(env.DB, env.ARCHIVE).state(cp.id, transactionId)).toMatchObject({ count: 520, key: archiveKey(cp.id, transactionId) });
    cp.close();
  }, 60_000);

  it('is documented', async () => {
    const doc = await json(await exports.default.fetch(new Request('http://csms.test/api/v1/openapi.json')));
    const post = doc.paths['/archive/run'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '403']));
  });
});
