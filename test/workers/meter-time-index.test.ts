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
import { allPages, api, RawCharger, uniqueChargerId } from './helpers';
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

  it('2.0.1: a TransactionEvent Updated with 6 samples costs 2 D1 rows written at the answer (its event, its reading; not the transaction) and no object rows; before, 3 (the transaction row), and before that 3.8 D1 rows and 1.4 object rows', async () => {
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
    // One row more, once: the first Updated's trigger reason replaces the Started's on the transaction.
    expect(rows).toBe(2 * MESSAGES + 1);
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

/** Rows written storing each fact on its own. */
async function rowsPerReading(store: MeterValueStore, facts: ChargerFact<'meter'>[]): Promise<number[]> {
  const rows: number[] = [];
  for (const fact of facts) {
    let n = 0;
    for (const result of await env.DB.batch(store.insertStatements([fact]))) n += result.meta.rows_written;
    rows.push(n);
  }
  return rows;
}

const migration0019 = () => {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0019_'));
  expect(migration?.name).toBe('0019_meter_readings_time_index.sql');
  return migration!;
};

const indexes = async () =>
  (await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'meter_readings' AND sql IS NOT NULL ORDER BY name").all<{ name: string; sql: string }>())
    .results;

describe('migration 0019: the time index of meter readings, for values outside transactions only', () => {
  it('keeps every reading and the pages of a charger\'s values by time, across transactions and outside them; a new transaction reading then writes 1 row, not 2', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('MIG19'), 'ocpp1.6');
    await cp.boot();
    cp.close();
    const chargerId = cp.id;
    const other = uniqueChargerId('MIG19-OTHER');
    const store = new MeterValueStore(env.DB);

    // The index as migration 0016 made it: every reading by (charger, timestamp).
    const create0016 = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0016_'))!.queries.find((q) => q.includes('INDEX IF NOT EXISTS meter_readings_by_time'))!;
    await env.DB.batch([env.DB.prepare('DROP INDEX meter_readings_outside_by_time'), env.DB.prepare(create0016)]);
    try {
      expect((await indexes()).map((i) => i.name)).toEqual(['meter_readings_by_time']);

      // Readings of two transactions (one id beginning with '@'), interleaved in time with values
      // outside any transaction on two connectors, some at the same instant, over two days.
      const t = (day: number, minute: number, second = 0) => new Date(Date.UTC(2026, 2, day, 23, 50 + minute, second)).toISOString();
      const facts: ChargerFact<'meter'>[] = [];
      for (let m = 0; m < 20; m++) {
        facts.push(reading(chargerId, '4217', 1, t(1, m), 1_000 + m * 183));
        if (m % 3 === 0) facts.push(reading(chargerId, '', 2, t(1, m), 50_000 + m));
        if (m % 4 === 1) facts.push(reading(chargerId, '@tx', 1, t(1, m), 7 + m));
        if (m % 5 === 2) facts.push(reading(chargerId, '', 1, t(1, m, 30), 60_000 + m));
      }
      facts.push(reading(other, '4217', 1, t(1, 3), 1));
      const before = await rowsPerReading(store, facts);
      // The old index: a row and an index entry for every reading, in a transaction or not.
      expect(new Set(before)).toEqual(new Set([2]));

      const snapshot = async () => ({
        rows: (await env.DB.prepare('SELECT * FROM meter_readings WHERE charger_id IN (?, ?) ORDER BY charger_id, scope, timestamp').bind(chargerId, other).all()).results,
        pages: Object.fromEntries(
          await Promise.all([3, 7, 100, undefined].map(async (limit) => [String(limit), await allPages(`/chargers/${chargerId}/meter-values`, limit)] as const)),
        ),
        range: await allPages(`/chargers/${chargerId}/meter-values`, 4, { from: t(1, 5), to: t(1, 13) }),
      });
      const old = await snapshot();
      const values = old.pages['100']!.flatMap((p: any) => p.meterValues);
      expect(values).toHaveLength((facts.length - 1) * 6);
      // By time across scopes, each page at most its limit, every value once.
      const keys = values.map((v: any) => `${v.timestamp} ${v.transactionId ?? `@${v.evseId}/${v.connectorId}`} ${v.measurand} ${v.phase}`);
      expect(new Set(keys).size).toBe(values.length);
      expect(values.map((v: any) => v.timestamp)).toEqual(values.map((v: any) => v.timestamp).sort());
      expect(old.pages['7']!.every((p: any) => p.meterValues.length <= 7)).toBe(true);
      expect(old.pages['7']!.flatMap((p: any) => p.meterValues)).toEqual(values);
      expect(old.pages['3']!.flatMap((p: any) => p.meterValues)).toEqual(values);
      expect(old.range.flatMap((p: any) => p.meterValues)).toEqual(values.filter((v: any) => v.timestamp >= t(1, 5) && v.timestamp < t(1, 13)));
      expect(values.some((v: any) => v.transactionId === '4217') && values.some((v: any) => v.transactionId === '@tx') && values.some((v: any) => v.transactionId === null)).toBe(true);

      for (const query of migration0019().queries) await env.DB.prepare(query).run();
      const after = await indexes();
      expect(after.map((i) => i.name)).toEqual(['meter_readings_outside_by_time']);
      expect(after[0]!.sql).toContain("WHERE scope LIKE '@%' AND scope NOT LIKE '@@%'");
      // The same rows, and the API answers page for page as before.
      expect(await snapshot()).toEqual(old);

      // New readings: 1 row written in a transaction (also one whose id begins with '@'), 2 outside one.
      const next = [reading(chargerId, '4217', 1, t(2, 0), 9_999), reading(chargerId, '@tx', 1, t(2, 0), 9), reading(chargerId, '', 2, t(2, 0), 1)];
      expect(await rowsPerReading(store, next)).toEqual([1, 1, 2]);
      // A replay writes nothing.
      expect(await rowsPerReading(store, next)).toEqual([0, 0, 0]);
      const all = (await allPages(`/chargers/${chargerId}/meter-values`, 5)).flatMap((p: any) => p.meterValues);
      expect(all).toHaveLength(values.length + 18);
      expect(all.slice(0, values.length)).toEqual(values);
      expect(all.slice(values.length).map((v: any) => v.transactionId)).toEqual([...Array(6).fill('4217'), ...Array(6).fill(null), ...Array(6).fill('@tx')]);

      // Migrating again changes nothing.
      for (const query of migration0019().queries) await env.DB.prepare(query).run();
      expect(await indexes()).toEqual(after);
    } finally {
      // The schema as the other tests of this file expect it, should an assertion above fail.
      for (const query of migration0019().queries) await env.DB.prepare(query).run();
    }
  }, 60_000);

  it('is what the queries for values outside transactions use (EXPLAIN QUERY PLAN); a charger\'s values by time read its rows by the primary key', async () => {
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
      expect(outside).toMatch(/SEARCH m USING (COVERING )?INDEX meter_readings_outside_by_time \(charger_id=\? AND timestamp[<>]/);
    }
    const byTime = await plan(() => store.forCharger(chargerId, { limit: 10, from: `${day}T00:00:00.000Z` }));
    expect(byTime).toContain('SEARCH meter_readings USING PRIMARY KEY (charger_id=?)');
    expect(byTime).not.toContain('outside_by_time');
    // A transaction's values: the primary key, as before.
    expect(await plan(() => store.readingsForTransaction(chargerId, '4217'))).toContain('USING PRIMARY KEY (charger_id=? AND scope=?)');
  });
});
