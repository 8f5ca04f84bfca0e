// D1 rows written per meter message (issue 12): the time index of meter readings covers only
// values outside transactions (migrations/0019), and a 2.0.1 transaction's row is rewritten only
// when one of its facts changes (store/transactions.ts DERIVE_201_SQL). What a message costs,
// measured with D1's own meta.rows_written through the CSMS's counters; that the migration keeps
// every reading and the API's pages by time; and that the queries by time use the partial index.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChargerFact } from '../../src/fleet/outbox';
import { isolateStats } from '../../src/isolate-stats';
import type { MeterSample } from '../../src/ocpp/meter-values';
import { MeterValueStore } from '../../src/store/meter-values';
import { allPages, api, RawCharger, rowsWrittenEach, uniqueChargerId } from './helpers';
import { LegacyMeterReadingStore } from './legacy-meter-readings';
import { billedRows, meterObject } from './object-meter';

/** The issue's profile reading: 6 sampled values, as a 1.6 charger sends them. */
function sampled16(wh: number) {
  return [
    { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: '11012.4', measurand: 'Power.Active.Import', unit: 'W' },
    ...['L1', 'L2', 'L3'].map((phase) => ({ value: '15.92', measurand: 'Current.Import', unit: 'A', phase })),
    { value: '230.1', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
  ];
}

/** …and as a 2.0.1 charger sends them. */
function sampled201(wh: number) {
  return [
    { value: wh, measurand: 'Energy.Active.Import.Register' },
    { value: 11012.4, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    ...['L1', 'L2', 'L3'].map((phase) => ({ value: 15.92, measurand: 'Current.Import', phase, unitOfMeasure: { unit: 'A' } })),
    { value: 230.1, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
  ];
}

/** D1 rows written (as D1 reports them, index entries included) by what `work` makes the CSMS do. */
async function d1RowsWritten(work: () => Promise<void>): Promise<number> {
  const before = isolateStats.d1RowsWritten;
  await work();
  return isolateStats.d1RowsWritten - before;
}

describe('D1 rows written per meter message, deferred work included', () => {
  // A charger's object writes its messages' facts to D1 when it flushes (here: handOver, as the
  // alarm would after FLUSH_DELAY_SECONDS): 5 messages a flush, the profile's minute readings.
  const MESSAGES = 5;

  it('1.6: a MeterValues with 6 samples in a transaction costs 1 row (its reading, written at the answer); before 0019 and direct meter writes, 2.2', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('ROWS16'), 'ocpp1.6');
    expect((await cp.boot())[0]).toBe(3);
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'ROWS-TAG', meterStart: 0, timestamp: new Date().toISOString() });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    const chargerObject = env.CHARGERS.getByName(cp.id);
    await chargerObject.handOver();
    const rows = await d1RowsWritten(async () => {
      for (let i = 1; i <= MESSAGES; i++) {
        const timestamp = new Date(Date.now() + i * 1000).toISOString();
        const answer = await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp, sampledValue: sampled16(i * 183) }] });
        expect(answer[0]).toBe(3);
      }
      expect((await chargerObject.handOver()).outboxEntries).toBe(0);
    });
    cp.close();
    console.log(`D1 rows written per 1.6 MeterValues (6 samples, ${MESSAGES} a flush): ${rows / MESSAGES}`);
    expect(rows / MESSAGES).toBe(1);
    // Every value is there.
    const stored = await new MeterValueStore(env.DB).readingsForTransaction(cp.id, String(transactionId));
    expect(stored).toHaveLength(MESSAGES * 6);
  });

  it('2.0.1: a TransactionEvent Updated with 6 samples costs 1 D1 row written at the answer (its reading, the event packed with it; not the transaction) and no object rows; before, 2 (the event), 3 (the transaction row), and before that 3.8 D1 rows and 1.4 object rows', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('ROWS201'), 'ocpp2.0.1');
    expect((await cp.boot())[0]).toBe(3);
    const transactionId = crypto.randomUUID();
    const event = (seqNo: number, eventType: string, wh: number, extra: object = {}) => {
      const timestamp = new Date(Date.now() + seqNo * 1000).toISOString();
      return {
        eventType,
        timestamp,
        triggerReason: eventType === 'Started' ? 'CablePluggedIn' : 'MeterValuePeriodic',
        seqNo,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        meterValue: [{ timestamp, sampledValue: sampled201(wh) }],
        ...extra,
      };
    };
    expect((await cp.call('TransactionEvent', event(0, 'Started', 0, { evse: { id: 1, connectorId: 1 } })))[0]).toBe(3);
    const chargerObject = env.CHARGERS.getByName(cp.id);
    await chargerObject.handOver();
    const objectRows = await meterObject(chargerObject);
    const rows = await d1RowsWritten(async () => {
      for (let seqNo = 1; seqNo <= MESSAGES; seqNo++) expect((await cp.call('TransactionEvent', event(seqNo, 'Updated', seqNo * 183)))[0]).toBe(3);
      expect((await chargerObject.handOver()).outboxEntries).toBe(0);
    });
    const written = billedRows(await objectRows());
    console.log(`D1 rows written per 2.0.1 TransactionEvent Updated (6 samples): ${rows / MESSAGES}; object rows ${written / MESSAGES}`);
    // The first Updated is three: its trigger reason replaces the Started's on the transaction, so
    // it is a fact, and the event a row of its own. The others bring nothing new but their reading:
    // packed with it, one row (migrations/0023).
    expect(rows).toBe(3 + (MESSAGES - 1));
    expect(written).toBe(0);
    // The row keeps what the Started made of it: the running energy is not stored while active...
    const stored = await env.DB.prepare('SELECT status, meter_stop_wh, energy_wh, last_seq_no FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?')
      .bind(cp.id, transactionId)
      .first();
    expect(stored).toEqual({ status: 'active', meter_stop_wh: null, energy_wh: null, last_seq_no: 1 });
    // ...and the API shows what its events say: the running energy from the latest reading.
    const shown = ((await (await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`)).json()) as { transaction: object }).transaction;
    expect(shown).toMatchObject({ status: 'active', meterStartWh: 0, meterStopWh: MESSAGES * 183, energyWh: MESSAGES * 183 });

    // Ended completes it; an event after it is kept, flagged late, and changes nothing.
    expect((await cp.call('TransactionEvent', { ...event(6, 'Ended', 1_000), triggerReason: 'EVDeparted', transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' } }))[0]).toBe(3);
    await chargerObject.handOver();
    const completed = await env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?').bind(cp.id, transactionId).first();
    expect(completed).toMatchObject({ status: 'completed', meter_stop_wh: 1_000, energy_wh: 1_000, stop_reason: 'EVDisconnected' });
    expect((await cp.call('TransactionEvent', event(7, 'Updated', 5_000)))[0]).toBe(3);
    await chargerObject.handOver();
    expect(await env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?').bind(cp.id, transactionId).first()).toEqual(completed);
    const anomalies = await env.DB.prepare('SELECT kind FROM transaction_anomalies WHERE charger_id = ?').bind(cp.id).all();
    expect(anomalies.results).toEqual([{ kind: 'late-event' }]);
    cp.close();
  });
});

function sample(timestamp: string, measurand: string, value: number, extra: Partial<MeterSample> = {}): MeterSample {
  return { timestamp, measurand, phase: null, location: null, context: 'Sample.Periodic', unit: 'Wh', value, signedData: null, ...extra };
}

/** A 6-sample reading of `transactionId` ('' for none) on EVSE 1 / `connectorId`. */
function reading(chargerId: string, transactionId: string, connectorId: number, timestamp: string, wh: number): ChargerFact<'meter'> {
  return {
    chargerId,
    fact: {
      transactionId,
      evseId: 1,
      connectorId,
      samples: [
        sample(timestamp, 'Energy.Active.Import.Register', wh),
        sample(timestamp, 'Power.Active.Import', 11_012.4, { unit: 'W' }),
        ...['L1', 'L2', 'L3'].map((phase) => sample(timestamp, 'Current.Import', 15.92, { phase, unit: 'A' })),
        sample(timestamp, 'Voltage', 230.1, { phase: 'L1-N', unit: 'V' }),
      ],
    },
  };
}


const migration = (prefix: string) => {
  const found = env.TEST_MIGRATIONS.find((m) => m.name.startsWith(prefix));
  expect(found).toBeDefined();
  return found!;
};
const run = async (queries: string[]) => {
  for (const query of queries) await env.DB.prepare(query).run();
};

const indexes = async (table: string) =>
  (await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").bind(table).all<{ name: string; sql: string }>())
    .results;


describe('migrations 0019 and 0022, on a database of meter_readings rows as 0016 made them', () => {
  it("0019 keeps every reading and the pages of a charger's values by time and makes a transaction reading 1 row, not 2; 0022 packs them per hour, and the API pages as before", async () => {
    const cp = await RawCharger.connect(uniqueChargerId('MIG19'), 'ocpp1.6');
    await cp.boot();
    cp.close();
    const chargerId = cp.id;
    const other = uniqueChargerId('MIG19-OTHER');
    const legacy = new LegacyMeterReadingStore(env.DB);

    // The meter_readings table, its time index and its conflicts trigger as migration 0016 made them.
    await run(migration('0016_').queries.filter((q) => /^CREATE (TABLE|INDEX|TRIGGER)/.test(q.replace(/^\s*--.*$/gm, '').trim())));
    try {
      expect((await indexes('meter_readings')).map((i) => i.name)).toEqual(['meter_readings_by_time']);

      // Readings of two transactions (one id beginning with '@'), interleaved in time with values
      // outside any transaction on two connectors, some at the same instant, over two days and
      // three hours.
      const t = (day: number, minute: number, second = 0) => new Date(Date.UTC(2026, 2, day, 23, 50 + minute, second)).toISOString();
      const facts: ChargerFact<'meter'>[] = [];
      for (let m = 0; m < 20; m++) {
        facts.push(reading(chargerId, '4217', 1, t(1, m), 1_000 + m * 183));
        if (m % 3 === 0) facts.push(reading(chargerId, '', 2, t(1, m), 50_000 + m));
        if (m % 4 === 1) facts.push(reading(chargerId, '@tx', 1, t(1, m), 7 + m));
        if (m % 5 === 2) facts.push(reading(chargerId, '', 1, t(1, m, 30), 60_000 + m));
      }
      facts.push(reading(other, '4217', 1, t(1, 3), 1));
      // Their transactions, for the API's transaction views.
      await env.DB.batch(
        ['4217', '@tx'].map((id) =>
          env.DB.prepare(
            `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
             VALUES (?1, 'ocpp1.6', ?2, 1, 1, 'OLD', 'active', ?3, 0, ?3)`,
          ).bind(chargerId, id, t(1, 0)),
        ),
      );
      // The old index: a row and an index entry for every reading, in a transaction or not.
      expect(new Set(await rowsWrittenEach(legacy, facts))).toEqual(new Set([2]));
      // A reading that contradicts a stored one: kept in the row's conflicts (and flagged).
      const conflicting = reading(chargerId, '4217', 1, t(1, 4), 1);
      await env.DB.batch(legacy.insertStatements([conflicting]));

      // What the API answered before: the legacy store's pages.
      const legacyPages = async (read: (cursor?: string) => Promise<{ meterValues: unknown[]; nextCursor: string | null } | null>) => {
        const pages: Array<{ meterValues: unknown[]; nextCursor: string | null }> = [];
        let cursor: string | undefined;
        do {
          const page = (await read(cursor))!;
          pages.push(page);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return pages;
      };
      const snapshot = async () => ({
        charger: Object.fromEntries(
          await Promise.all([3, 7, 100].map(async (limit) => [String(limit), await legacyPages((cursor) => legacy.forCharger(chargerId, { limit, cursor }))] as const)),
        ),
        range: await legacyPages((cursor) => legacy.forCharger(chargerId, { limit: 4, cursor, from: t(1, 5), to: t(1, 13) })),
        transactions: Object.fromEntries(
          await Promise.all(
            ['4217', '@tx'].flatMap((id) => [1, 7, 500].map(async (limit) => [`${id}/${limit}`, await legacyPages((cursor) => legacy.pageForTransaction(chargerId, id, { limit, cursor }))] as const)),
          ),
        ),
        energy: await legacy.energyReadingsForTransaction(chargerId, '4217'),
      });
      const old = await snapshot();
      const values = old.charger['100']!.flatMap((p) => p.meterValues) as any[];
      expect(values).toHaveLength((facts.length - 1) * 6);
      // By time across scopes, each page at most its limit, every value once.
      const keys = values.map((v) => `${v.timestamp} ${v.transactionId ?? `@${v.evseId}/${v.connectorId}`} ${v.measurand} ${v.phase}`);
      expect(new Set(keys).size).toBe(values.length);
      expect(values.map((v) => v.timestamp)).toEqual(values.map((v) => v.timestamp).sort());
      expect(old.charger['7']!.every((p) => p.meterValues.length <= 7)).toBe(true);
      expect(old.charger['3']!.flatMap((p) => p.meterValues)).toEqual(values);
      expect(old.range.flatMap((p) => p.meterValues)).toEqual(values.filter((v) => v.timestamp >= t(1, 5) && v.timestamp < t(1, 13)));
      expect(values.some((v) => v.transactionId === '4217') && values.some((v) => v.transactionId === '@tx') && values.some((v) => v.transactionId === null)).toBe(true);

      await run(migration('0019_').queries);
      const after = await indexes('meter_readings');
      expect(after.map((i) => i.name)).toEqual(['meter_readings_outside_by_time']);
      expect(after[0]!.sql).toContain("WHERE scope LIKE '@%' AND scope NOT LIKE '@@%'");
      // The same answers; migrating again changes nothing.
      expect(await snapshot()).toEqual(old);
      await run(migration('0019_').queries);
      expect(await indexes('meter_readings')).toEqual(after);
      // New readings: 1 row written in a transaction (also one whose id begins with '@'), 2 outside one.
      const next = [reading(chargerId, '4217', 1, t(2, 0), 9_999), reading(chargerId, '@tx', 1, t(2, 0), 9), reading(chargerId, '', 2, t(2, 0), 9)];
      expect(await rowsWrittenEach(legacy, next)).toEqual([1, 1, 2]);
      // A replay writes nothing.
      expect(await rowsWrittenEach(legacy, next)).toEqual([0, 0, 0]);
      const withNext = await snapshot();
      const readings = await env.DB.prepare('SELECT COUNT(*) AS n FROM meter_readings WHERE charger_id IN (?, ?)').bind(chargerId, other).first<{ n: number }>();

      // 0022: one row per charger, scope and hour, the readings and their conflicts carried over.
      await run(migration('0022_').queries);
      expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE tbl_name = 'meter_readings'").first()).toEqual({ n: 0 });
      expect((await indexes('meter_hours')).map((i) => i.name)).toEqual(['meter_hours_outside_by_hour']);
      const hours = await env.DB.prepare('SELECT scope, hour, part, (SELECT COUNT(*) FROM json_each(data)) AS readings, conflicts FROM meter_hours WHERE charger_id = ? ORDER BY scope, hour')
        .bind(chargerId)
        .all<{ scope: string; hour: string; part: number; readings: number; conflicts: string | null }>();
      expect(hours.results.reduce((n, h) => n + h.readings, 0) + 1).toBe(readings!.n);
      expect(hours.results.map((h) => `${h.scope} ${h.hour}`)).toEqual([
        '4217 2026-03-01T23',
        '4217 2026-03-02T00',
        '4217 2026-03-02T23',
        '@1/1 2026-03-01T23',
        '@1/1 2026-03-02T00',
        '@1/2 2026-03-01T23',
        '@1/2 2026-03-02T00',
        '@1/2 2026-03-02T23',
        '@@tx 2026-03-01T23',
        '@@tx 2026-03-02T00',
        '@@tx 2026-03-02T23',
      ]);
      expect(hours.results.every((h) => h.part === 0)).toBe(true);
      const kept = hours.results.filter((h) => h.conflicts !== null);
      expect(kept.map((h) => `${h.scope} ${h.hour}`)).toEqual(['4217 2026-03-01T23']);
      expect(JSON.parse(kept[0]!.conflicts!)[0][1]).toMatchObject({ timestamp: t(1, 4), measurand: 'Energy.Active.Import.Register', value: 1 });

      // The API answers page for page (cursors included) as the legacy store did.
      for (const [limit, pages] of Object.entries(withNext.charger)) {
        const now = await allPages(`/chargers/${chargerId}/meter-values`, Number(limit));
        expect(now.map((p) => ({ meterValues: p.meterValues, nextCursor: p.nextCursor })), `charger, limit ${limit}`).toEqual(pages);
      }
      const range = await allPages(`/chargers/${chargerId}/meter-values`, 4, { from: t(1, 5), to: t(1, 13) });
      expect(range.map((p) => ({ meterValues: p.meterValues, nextCursor: p.nextCursor }))).toEqual(withNext.range);
      for (const [key, pages] of Object.entries(withNext.transactions)) {
        const [id, limit] = key.split('/');
        const now = (await allPages(`/chargers/${chargerId}/transactions/${encodeURIComponent(id!)}`, Number(limit))).map((p) => ({
          meterValues: p.transaction.meterValues,
          nextCursor: p.nextCursor,
        }));
        expect(now, `transaction ${key}`).toEqual(pages);
      }
      expect(await new MeterValueStore(env.DB).energyReadingsForTransaction(chargerId, '4217')).toEqual(withNext.energy);
      // A replay after the migration writes nothing; a new reading in a migrated hour updates its row.
      expect(await rowsWrittenEach(new MeterValueStore(env.DB), next)).toEqual([0, 0, 0]);
      expect(await rowsWrittenEach(new MeterValueStore(env.DB), [reading(chargerId, '', 2, t(2, 0, 30), 10)])).toEqual([1]);
    } finally {
      // The schema as the other tests of this file expect it, should an assertion above fail.
      await env.DB.batch(['DROP TRIGGER IF EXISTS meter_readings_conflicts', 'DROP TABLE IF EXISTS meter_readings'].map((q) => env.DB.prepare(q)));
    }
  }, 60_000);

  it("is what the queries for values outside transactions use (EXPLAIN QUERY PLAN); a charger's values by time read its rows by the primary key", async () => {
    // The statements the store prepares, with their parameters.
    const prepared: Array<{ sql: string; params: unknown[] }> = [];
    const recording = new Proxy(env.DB, {
      get(target, prop) {
        if (prop !== 'prepare') return Reflect.get(target, prop, target);
        return (sql: string) => {
          const statement = target.prepare(sql);
          return new Proxy(statement, {
            get(s, p) {
              if (p === 'bind') {
                return (...params: unknown[]) => {
                  prepared.push({ sql, params });
                  return s.bind(...params);
                };
              }
              const value = Reflect.get(s, p, s);
              return typeof value === 'function' ? value.bind(s) : value;
            },
          });
        };
      },
    });
    const store = new MeterValueStore(recording);
    const chargerId = uniqueChargerId('PLAN');
    const plan = async (make: () => unknown) => {
      prepared.length = 0;
      await make();
      expect(prepared).toHaveLength(1);
      const { sql, params } = prepared[0]!;
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
      return results.map((r) => r.detail).join('\n');
    };
    const day = '2026-03-01';
    for (const outside of [
      await plan(() => store.dueChargerDays(day, 10)),
      await plan(() => store.readingsForChargerDay(chargerId, day)),
      await plan(() => store.deleteStatementsForChargerDay(chargerId, day)),
      await plan(() => store.unchangedStatementForChargerDay(chargerId, day, 0)),
    ]) {
      expect(outside).toMatch(/SEARCH m USING (COVERING )?INDEX meter_hours_outside_by_hour \(charger_id=\? AND hour[<>]/);
    }
    const byTime = await plan(() => store.forCharger(chargerId, { limit: 10, from: `${day}T00:00:00.000Z` }));
    expect(byTime).toMatch(/SEARCH meter_hours USING PRIMARY KEY \(charger_id=\?\)/);
    expect(byTime).not.toContain('outside_by_hour');
    // A transaction's values: the primary key, as before.
    expect(await plan(() => store.readingsForTransaction(chargerId, '4217'))).toContain('USING PRIMARY KEY (charger_id=? AND scope=?)');
  });
});
