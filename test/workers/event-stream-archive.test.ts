// OCPP 2.1 periodic event-stream values past the retention window move from D1 to R2 (a real local
// bucket) by the meter archive's run, per stream and UTC day, and the API serves them as before:
// the same pages, the same cursors; late values for a moved day are merged, and the day written anew.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { runMeterArchive } from '../../src/archive/meter-archiver';
import { allPages, api, RawCharger, uniqueChargerId } from './helpers';

/** METER_RETENTION_DAYS is 30 in the tests: a run on this day moves the days before 2026-03-21. */
const RUN_AT = new Date('2026-04-20T00:00:00Z');

const notify = (id: number, basetime: string, values: Array<[number, string]>) => ({ id, pending: 0, basetime, data: values.map(([t, v]) => ({ t, v })) });

/** NotifyPeriodicEventStream frames over the socket (SEND, never answered), then the object's flush to D1. */
async function send(cp: RawCharger, messages: Array<ReturnType<typeof notify>>): Promise<void> {
  messages.forEach((m, i) => cp.sendRaw(JSON.stringify([6, `s${Date.now()}-${i}`, 'NotifyPeriodicEventStream', m])));
  // Frames are handled in order: once the Heartbeat is answered, every SEND before it was taken.
  expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
  await env.CHARGERS.getByName(cp.id).flushNow();
}

async function hoursInD1(chargerId: string, streamId: number): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT hour FROM event_stream_values WHERE charger_id = ? AND stream_id = ? ORDER BY hour, part')
    .bind(chargerId, streamId)
    .all<{ hour: string }>();
  return results.map((r) => r.hour);
}

const values = (pages: any[]) => pages.flatMap((p) => p.values);
const mine = (run: Awaited<ReturnType<typeof runMeterArchive>>, chargerId: string) => run.movedStreamDays.filter((m) => m.chargerId === chargerId);

describe('the archive of 2.1 event-stream values', () => {
  it('moves each stream-day past the window to R2 and serves every page as before; late values are merged and the day written anew', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('SARCH'), 'ocpp2.1');
    expect(cp.protocol).toBe('ocpp2.1');
    await cp.boot();
    expect((await cp.call('OpenPeriodicEventStream', { constantStreamData: { id: 5, variableMonitoringId: 17, params: { interval: 1 } } }))[2]).toEqual({ status: 'Accepted' });
    await send(cp, [
      notify(5, '2026-03-10T10:00:00Z', [[0, 'a0'], [1, 'a1'], [2, 'a2'], [3.5, 'a3'], [4, 'a4']]),
      notify(5, '2026-03-10T23:59:59Z', [[0.5, 'a5']]),
      notify(5, '2026-03-11T00:00:00Z', [[0, 'b0'], [30, 'b1']]),
      // Inside the window: stays in D1.
      notify(5, '2026-04-19T12:00:00Z', [[0, 'c0'], [1, 'c1']]),
      // A stream the CSMS never saw opened: its values move too, still flagged.
      notify(9, '2026-03-12T08:00:00Z', [[0, 'u0']]),
    ]);
    const path = `/chargers/${cp.id}/event-streams/5/values`;
    const before = { all: await allPages(path), by3: await allPages(path, 3), ranged: await allPages(path, 2, { from: '2026-03-10T10:00:02Z', to: '2026-03-11T00:00:30Z' }) };
    expect(values(before.all).map((v) => v.value)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0', 'b1', 'c0', 'c1']);
    expect(values(before.ranged).map((v) => v.value)).toEqual(['a2', 'a3', 'a4', 'a5', 'b0']);
    expect(before.by3.map((p) => p.values.length)).toEqual([3, 3, 3, 1]);

    // One day per stream a run: the earliest.
    const first = await runMeterArchive(env, { now: RUN_AT });
    expect(first.failedStreamDays.filter((f) => f.chargerId === cp.id)).toEqual([]);
    expect(mine(first, cp.id)).toEqual(
      expect.arrayContaining([
        { chargerId: cp.id, streamId: 5, day: '2026-03-10', values: 6, key: expect.stringMatching(/^event-streams\/SARCH-[^/]+\/5\/2026-03-10\.[0-9a-f]{16}\.json\.gz$/) },
        { chargerId: cp.id, streamId: 9, day: '2026-03-12', values: 1, key: expect.any(String) },
      ]),
    );
    expect(mine(first, cp.id)).toHaveLength(2);
    expect(await hoursInD1(cp.id, 5)).toEqual(['2026-03-11T00', '2026-04-19T12']);
    const firstKey = mine(first, cp.id).find((m) => m.streamId === 5)!.key;
    const object = await env.ARCHIVE!.get(firstKey);
    expect(object).not.toBeNull();
    const bytes = new Uint8Array(await object!.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(object!.customMetadata).toMatchObject({ format: 'ocpp-csms/event-stream-archive@1', count: '6' });
    // Every page the same, whatever its size; a cursor handed out before the move goes on after it.
    expect(await allPages(path)).toEqual(before.all);
    expect(await allPages(path, 3)).toEqual(before.by3);
    expect(await allPages(path, 2, { from: '2026-03-10T10:00:02Z', to: '2026-03-11T00:00:30Z' })).toEqual(before.ranged);
    const second = await api('GET', `${path}?limit=3&cursor=${before.by3[0].nextCursor}`);
    expect(await second.json()).toEqual(before.by3[1]);

    const next = await runMeterArchive(env, { now: RUN_AT });
    expect(mine(next, cp.id)).toEqual([{ chargerId: cp.id, streamId: 5, day: '2026-03-11', values: 2, key: expect.any(String) }]);
    expect(await hoursInD1(cp.id, 5)).toEqual(['2026-04-19T12']);
    expect(await allPages(path, 3)).toEqual(before.by3);
    // Nothing more is due for it; the unannounced stream's value kept its flag.
    expect(mine(await runMeterArchive(env, { now: RUN_AT }), cp.id)).toEqual([]);
    expect(values(await allPages(`/chargers/${cp.id}/event-streams/9/values`))).toEqual([{ timestamp: '2026-03-12T08:00:00.000Z', value: 'u0', unannounced: true }]);

    // Late values for a moved day: kept in D1 and served merged, the archived point of an instant winning.
    await send(cp, [notify(5, '2026-03-10T10:00:00Z', [[0, 'late-other'], [10, 'late']])]);
    const merged = values(await allPages(path, 4)).map((v) => v.value);
    expect(merged).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'late', 'a5', 'b0', 'b1', 'c0', 'c1']);
    const again = await runMeterArchive(env, { now: RUN_AT });
    const rewritten = mine(again, cp.id);
    expect(rewritten).toEqual([{ chargerId: cp.id, streamId: 5, day: '2026-03-10', values: 2, key: expect.any(String) }]);
    expect(rewritten[0]!.key).not.toBe(firstKey);
    expect(await env.ARCHIVE!.head(firstKey)).toBeNull();
    expect(await hoursInD1(cp.id, 5)).toEqual(['2026-04-19T12']);
    expect(values(await allPages(path, 4)).map((v) => v.value)).toEqual(merged);

    // An object D1 names but R2 cannot give: 503, never a partial list.
    await env.ARCHIVE!.delete(rewritten[0]!.key);
    const broken = await api('GET', path);
    expect(broken.status).toBe(503);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('ArchiveUnavailable');
    // A range that needs no archived day is still served.
    const recent = await api('GET', `${path}?from=2026-04-01T00:00:00Z`);
    expect(recent.status).toBe(200);
    expect(((await recent.json()) as any).values.map((v: any) => v.value)).toEqual(['c0', 'c1']);
    cp.close();
  }, 60_000);

  it('moves nothing while the retention window holds the day', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('SKEEP'), 'ocpp2.1');
    await cp.boot();
    expect((await cp.call('OpenPeriodicEventStream', { constantStreamData: { id: 1, variableMonitoringId: 2, params: {} } }))[2]).toEqual({ status: 'Accepted' });
    await send(cp, [notify(1, '2026-03-25T00:00:00Z', [[0, 'x']])]);
    expect(mine(await runMeterArchive(env, { now: RUN_AT }), cp.id)).toEqual([]);
    expect(await hoursInD1(cp.id, 1)).toEqual(['2026-03-25T00']);
    cp.close();
  });
});
