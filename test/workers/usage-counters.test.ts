// The counters the bench prices a charger-month from (src/isolate-stats.ts): Durable Object
// SQLite and key-value rows, alarms set and deleted, requests by kind, D1 rows and bytes, R2
// operations on the archive bucket.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import { countingD1 } from '../../src/store/counting-d1';
import { countingR2 } from '../../src/store/counting-r2';
import { api, RawCharger, uniqueChargerId } from './helpers';

type Counters = Omit<typeof isolateStats, 'startedAt'>;
const snapshot = (): Counters => ({ ...isolateStats });
function delta(before: Counters): Record<string, number> {
  const now = snapshot();
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, (v as number) - (before[k as keyof Counters] as number)]).filter(([, v]) => v !== 0));
}

describe('Durable Object storage counters', () => {
  it('count the rows a statement writes when exec returns, and the rows a query reads as they are taken', async () => {
    await runInDurableObject(env.FLEET_WRITERS.getByName(`counters-${crypto.randomUUID()}`), (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec('CREATE TABLE counted (id INTEGER PRIMARY KEY, v TEXT)');

      let before = snapshot();
      sql.exec('INSERT INTO counted (v) VALUES (?), (?), (?)', 'a', 'b', 'c');
      expect(delta(before)).toMatchObject({ doSqlRowsWritten: 3 });
      expect(delta(before).doSqlRowsRead ?? 0).toBe(0);

      before = snapshot();
      const rows = sql.exec<{ v: string }>('SELECT v FROM counted ORDER BY id').toArray();
      expect(rows.map((r) => r.v)).toEqual(['a', 'b', 'c']);
      expect(delta(before).doSqlRowsRead).toBe(3);
      expect(delta(before).doSqlRowsWritten ?? 0).toBe(0);

      // Taken one at a time, by iteration: the same count in the end.
      before = snapshot();
      const seen: string[] = [];
      for (const row of sql.exec<{ v: string }>('SELECT v FROM counted ORDER BY id')) seen.push(row.v);
      expect(seen).toEqual(['a', 'b', 'c']);
      expect(delta(before).doSqlRowsRead).toBe(3);

      before = snapshot();
      expect(sql.exec<{ n: number }>('SELECT count(*) AS n FROM counted').one().n).toBe(3);
      expect(delta(before).doSqlRowsRead).toBe(3);

      before = snapshot();
      expect([...sql.exec('SELECT v FROM counted ORDER BY id').raw()]).toEqual([['a'], ['b'], ['c']]);
      expect(delta(before).doSqlRowsRead).toBe(3);

      // An index entry is a row written too, as the runtime reports it.
      sql.exec('CREATE INDEX counted_v ON counted (v)');
      before = snapshot();
      sql.exec('INSERT INTO counted (v) VALUES (?), (?)', 'd', 'e');
      expect(delta(before).doSqlRowsWritten).toBe(4);
      expect(isolateStats.doStorageBytes).toBeGreaterThan(0);
    });
  });

  it("leave out the emulator's own bookkeeping: miniflare records a named object's name at each construction, Cloudflare does not", async () => {
    await runInDurableObject(env.FLEET_WRITERS.getByName(`counters-${crypto.randomUUID()}`), (_instance, state) => {
      const sql = state.storage.sql;
      // What miniflare's Durable Object wrapper runs on every construction (wake) of a named object.
      const before = snapshot();
      sql.exec('CREATE TABLE IF NOT EXISTS __miniflare_do_name (id INTEGER PRIMARY KEY, name TEXT)');
      sql.exec('INSERT OR REPLACE INTO __miniflare_do_name (id, name) VALUES (1, ?)', 'counted');
      expect(sql.exec<{ name: string }>('SELECT name FROM __miniflare_do_name WHERE id = 1').one().name).toBe('counted');
      expect(delta(before).doSqlRowsWritten ?? 0).toBe(0);
      expect(delta(before).doSqlRowsRead ?? 0).toBe(0);
      // The object's own statements still count.
      sql.exec('CREATE TABLE IF NOT EXISTS named (id INTEGER PRIMARY KEY)');
      const afterCreate = snapshot();
      sql.exec('INSERT INTO named (id) VALUES (1)');
      expect(delta(afterCreate).doSqlRowsWritten).toBe(1);
    });
  });

  it('count setAlarm and deleteAlarm, and key-value reads and writes', async () => {
    await runInDurableObject(env.FLEET_WRITERS.getByName(`counters-${crypto.randomUUID()}`), async (_instance, state) => {
      const before = snapshot();
      await state.storage.setAlarm(Date.now() + 3_600_000);
      await state.storage.deleteAlarm();
      await state.storage.put({ a: 1, b: 2 });
      await state.storage.put('c', 3);
      expect(await state.storage.get(['a', 'b', 'c'])).toEqual(new Map([['a', 1], ['b', 2], ['c', 3]]));
      await state.storage.delete('c');
      expect(delta(before)).toMatchObject({ doAlarmsSet: 1, doAlarmsDeleted: 1, doKvRowsWritten: 4, doKvRowsRead: 3 });
    });
  });
});

// D1 first: the charger test's deferred D1 writes (its connection's end) would run into these counts.
describe('D1 row counters', () => {
  it("count the rows D1 reports for each statement, in batches and through first(), and keep the database's size", async () => {
    const table = `counted_${crypto.randomUUID().replace(/-/g, '')}`;
    await env.DB.prepare(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v TEXT)`).run();
    const counter = { statements: 0 };
    const db = countingD1(env.DB, counter);

    let before = snapshot();
    await db.prepare(`INSERT INTO ${table} (v) VALUES (?), (?), (?)`).bind('a', 'b', 'c').run();
    expect(delta(before)).toMatchObject({ d1Statements: 1, d1RowsWritten: 3 });

    before = snapshot();
    const [inserted, counted] = await db.batch([
      db.prepare(`INSERT INTO ${table} (v) VALUES (?)`).bind('d'),
      db.prepare(`SELECT count(*) AS n FROM ${table}`),
    ]);
    expect(inserted?.meta.changes).toBe(1);
    expect(counted?.results).toEqual([{ n: 4 }]);
    expect(delta(before)).toMatchObject({ d1Statements: 2, d1RowsWritten: 1, d1RowsRead: 4 });

    // first() answers as D1's own does, and its rows are counted as D1 reports them for the query.
    const query = `SELECT v FROM ${table} WHERE id = ?`;
    const expectedReads = (await env.DB.prepare(query).bind(2).all()).meta.rows_read + (await env.DB.prepare(query).bind(99).all()).meta.rows_read;
    expect(expectedReads).toBeGreaterThan(0);
    before = snapshot();
    expect(await db.prepare(query).bind(2).first()).toEqual(await env.DB.prepare(query).bind(2).first());
    expect(await db.prepare(query).bind(99).first()).toBeNull();
    expect(delta(before)).toMatchObject({ d1Statements: 2, d1RowsRead: expectedReads });
    expect(isolateStats.d1DatabaseBytes).toBeGreaterThan(0);
  });

  it('are served by GET /api/v1/isolate-stats', async () => {
    const res = await api('GET', '/isolate-stats');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    for (const key of ['d1RowsRead', 'd1RowsWritten', 'd1DatabaseBytes', 'doSqlRowsWritten', 'doAlarmsSet', 'chargerWebSocketMessages', 'chargerAlarms', 'chargerRpcCalls', 'fleetWriterRpcCalls', 'doStorageBytes']) {
      expect(typeof body[key], key).toBe('number');
    }
  });
});

describe('Durable Object request counters', () => {
  it('count the WebSocket messages a charger object receives, and the calls into it from the API', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const before = snapshot();
    await cp.call('Heartbeat', {});
    await cp.call('Heartbeat', {});
    expect((await api('GET', `/chargers/${cp.id}/messages?limit=2`)).status).toBe(200);
    const d = delta(before);
    expect(d.chargerWebSocketMessages).toBe(2);
    expect(d.chargerRpcCalls).toBe(1);
    cp.close();
  });
});

describe('R2 operation counters', () => {
  it('count put, get, head, list and each key deleted on a bucket, and the bytes stored', async () => {
    const bucket = countingR2(env.ARCHIVE!);
    const prefix = `counted/${crypto.randomUUID()}/`;
    const before = snapshot();
    const stored = await bucket.put(`${prefix}a`, new Uint8Array(100));
    await bucket.put(`${prefix}b`, 'hello');
    expect(stored!.size).toBe(100);
    expect(await (await bucket.get(`${prefix}b`))!.text()).toBe('hello');
    // Billed whether or not the object is there.
    expect(await bucket.get(`${prefix}missing`)).toBeNull();
    expect((await bucket.head(`${prefix}a`))!.size).toBe(100);
    expect((await bucket.list({ prefix })).objects.map((o) => o.key)).toEqual([`${prefix}a`, `${prefix}b`]);
    await bucket.delete([`${prefix}a`, `${prefix}b`]);
    await bucket.delete(`${prefix}missing`);
    // Only the R2 counters: an earlier test's charger may still be writing its end to D1.
    const r2 = Object.fromEntries(Object.entries(delta(before)).filter(([k]) => k.startsWith('r2')));
    expect(r2).toEqual({ r2Puts: 2, r2BytesPut: 105, r2Gets: 2, r2Heads: 1, r2Lists: 1, r2Deletes: 3 });
    expect((await env.ARCHIVE!.list({ prefix })).objects).toEqual([]);
  });

  it("count the archive's operations on the ARCHIVE binding through the API, as GET /api/v1/isolate-stats serves them", async () => {
    const cp = await RawCharger.connect(uniqueChargerId('R2COUNT'), 'ocpp1.6');
    await cp.boot();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'R2COUNT', meterStart: 0, timestamp: new Date().toISOString() });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    const meterValue = [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '100', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }];
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue });
    await cp.call('StopTransaction', { transactionId, meterStop: 100, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    // Due now: its stop recorded 40 days ago (METER_RETENTION_DAYS is 30).
    await env.DB.prepare('UPDATE transactions SET updated_at = ?3 WHERE charger_id = ?1 AND ocpp_transaction_id = ?2')
      .bind(cp.id, String(transactionId), new Date(Date.now() - 40 * 86_400_000).toISOString())
      .run();
    const stats = async () => (await (await api('GET', '/isolate-stats')).json()) as Counters;
    const before = await stats();
    const run = (await (await api('POST', '/archive/run?limit=1000')).json()) as { moved: Array<{ chargerId: string; key: string | null }>; movedDays: unknown[] };
    expect(run.moved.map((m) => m.chargerId)).toContain(cp.id);
    const after = await stats();
    const objects = run.moved.filter((m) => m.key !== null).length + run.movedDays.length;
    expect(after.r2Puts - before.r2Puts).toBe(objects);
    expect(after.r2BytesPut - before.r2BytesPut).toBeGreaterThan(0);
    // The archive reads each object back before it deletes the readings from D1.
    expect(after.r2Gets + after.r2Heads - before.r2Gets - before.r2Heads).toBeGreaterThanOrEqual(objects);
    // Serving the archived transaction reads R2 through the same counted binding.
    const getsBefore = after.r2Gets;
    expect((await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`)).status).toBe(200);
    expect((await stats()).r2Gets).toBeGreaterThan(getsBefore);
    cp.close();
  }, 60_000);
});
