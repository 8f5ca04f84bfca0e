// Meter readings packed per hour (migrations/0022, store/meter-values.ts): one D1 row per charger,
// scope and hour holds its readings, so a message still writes one row and the archive deletes one
// row per hour rather than one per reading. What a row holds, how an hour too big for one row is
// split into parts, and that identity (replays, conflicts, values joining a reading) holds across
// parts and across arrival order.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChargerFact } from '../../src/fleet/outbox';
import type { MeterSample } from '../../src/ocpp/meter-values';
import { HOUR_PART_BYTES, MeterValueStore, type StoredMeterValue } from '../../src/store/meter-values';
import { rowsWrittenEach, uniqueChargerId } from './helpers';

function sample(timestamp: string, measurand: string, value: number | null, extra: Partial<MeterSample> = {}): MeterSample {
  return { timestamp, measurand, phase: null, location: null, context: 'Sample.Periodic', unit: 'Wh', value, signedData: null, ...extra };
}

function meter(chargerId: string, transactionId: string, samples: MeterSample[]): ChargerFact<'meter'> {
  return { chargerId, fact: { transactionId, evseId: 1, connectorId: 1, samples } };
}

async function hourRows(chargerId: string) {
  return (
    await env.DB.prepare(
      'SELECT scope, hour, part, (SELECT COUNT(*) FROM json_each(data)) AS readings, length(data) AS bytes, conflicts FROM meter_hours WHERE charger_id = ? ORDER BY scope, hour, part',
    )
      .bind(chargerId)
      .all<{ scope: string; hour: string; part: number; readings: number; bytes: number; conflicts: string | null }>()
  ).results;
}

async function allTransactionValues(store: MeterValueStore, chargerId: string, transactionId: string, limit: number): Promise<StoredMeterValue[]> {
  const values: StoredMeterValue[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = (await store.pageForTransaction(chargerId, transactionId, { limit, cursor }))!;
    expect(page.meterValues.length).toBeLessThanOrEqual(limit);
    values.push(...page.meterValues);
    if (!page.nextCursor) return values;
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

describe('meter readings packed per hour', () => {
  it("hold a transaction's hour of one-minute readings in one row: each message writes 1 row, and deleting the transaction's readings deletes one row per hour", async () => {
    const chargerId = uniqueChargerId('HOURS');
    const store = new MeterValueStore(env.DB);
    // 90 one-minute readings of 6 values from 09:30: the hours 09 and 10.
    const facts = Array.from({ length: 90 }, (_, i) => {
      const timestamp = new Date(Date.UTC(2026, 4, 4, 9, 30 + i)).toISOString();
      return meter(chargerId, 'T-1', [
        sample(timestamp, 'Energy.Active.Import.Register', 1_000 + i * 183.5),
        sample(timestamp, 'Power.Active.Import', 11_012.4, { unit: 'W' }),
        ...['L1', 'L2', 'L3'].map((phase) => sample(timestamp, 'Current.Import', 15.92, { phase, unit: 'A' })),
        sample(timestamp, 'Voltage', 230.1, { phase: 'L1-N', unit: 'V' }),
      ]);
    });
    const rowsRead: number[] = [];
    for (const fact of facts) {
      const results = await env.DB.batch(store.insertStatements([fact]));
      expect(results.reduce((n, r) => n + r.meta.rows_written, 0)).toBe(1);
      rowsRead.push(results.reduce((n, r) => n + r.meta.rows_read, 0));
    }
    // The write finds a reading by its timestamp's path in the row, not by reading the hour's
    // readings (D1 counts each entry json_each visits as a row read): the 30th reading of 10:00
    // reads what its 2nd did.
    expect(rowsRead[60]).toBe(rowsRead[32]);
    expect((await hourRows(chargerId)).map((h) => [h.hour, h.part, h.readings])).toEqual([
      ['2026-05-04T09', 0, 30],
      ['2026-05-04T10', 0, 60],
    ]);
    // A replay of any of them writes nothing.
    expect(new Set(await rowsWrittenEach(store, facts.slice(0, 5)))).toEqual(new Set([0]));
    const values = await store.readingsForTransaction(chargerId, 'T-1');
    expect(values).toHaveLength(90 * 6);
    expect(values.filter((v) => v.measurand === 'Energy.Active.Import.Register').map((v) => v.value)).toEqual(facts.map((_, i) => 1_000 + i * 183.5));

    // What D1 bills the archive's delete: one row per hour's row, not one per reading (90).
    let deleted = 0;
    for (const result of await env.DB.batch(store.deleteStatementsForTransaction(chargerId, 'T-1'))) deleted += result.meta.rows_written;
    expect(deleted).toBe(2);
    expect(await store.readingsForTransaction(chargerId, 'T-1')).toEqual([]);
  });

  it('spread an hour too big for one row over parts; replays, conflicts and values joining a reading find it in its part, whatever the order readings came in', async () => {
    const chargerId = uniqueChargerId('PARTS');
    const store = new MeterValueStore(env.DB);
    // Readings that carry 4 KB of signed data each: an hour's row takes about 16 of them.
    const signed = (n: number) => `OCMF|{"RD":[{"RV":${n}}]}|${'S'.repeat(4_000)}`;
    const at = (minute: number) => new Date(Date.UTC(2026, 4, 5, 14, minute, 7)).toISOString();
    const big = (minute: number) => meter(chargerId, 'T-2', [sample(at(minute), 'Energy.Active.Import.Register', minute * 10, { signedData: signed(minute) })]);
    // Arrival order: the even minutes first, then the odd ones (a charger catching up after being offline).
    const order = [...Array.from({ length: 30 }, (_, i) => i * 2), ...Array.from({ length: 30 }, (_, i) => i * 2 + 1)];
    // One row each (the hour's part), and one more when the reading is the transaction's first or
    // latest signed energy reading so far: the CDR's copy of it (migrations/0038).
    const extendsRange = order.map((minute, i) => (i === 0 || minute > Math.max(...order.slice(0, i)) || minute < Math.min(...order.slice(0, i)) ? 1 : 0));
    expect(await rowsWrittenEach(store, order.map(big))).toEqual(extendsRange.map((n) => 1 + n));

    const rows = await hourRows(chargerId);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.map((r) => r.part)).toEqual(rows.map((_, i) => i));
    expect(rows.reduce((n, r) => n + r.readings, 0)).toBe(60);
    // A part takes readings until it passes the limit, and not much further (one reading).
    for (const row of rows) expect(row.bytes).toBeLessThan(HOUR_PART_BYTES + 4_200);
    for (const row of rows.slice(0, -1)) expect(row.bytes).toBeGreaterThanOrEqual(HOUR_PART_BYTES);

    // Pages in time order across parts, every value once, whatever the page size.
    for (const limit of [1, 7, 100]) {
      const values = await allTransactionValues(store, chargerId, 'T-2', limit);
      expect(values.map((v) => v.timestamp)).toEqual(Array.from({ length: 60 }, (_, m) => at(m)));
      expect(values.map((v) => v.signedData)).toEqual(Array.from({ length: 60 }, (_, m) => signed(m)));
    }

    // Minute 0 is in part 0. Its replay writes nothing, although later parts exist.
    expect(await rowsWrittenEach(store, [big(0)]), 'replay').toEqual([0]);
    // Another value of the same instant joins its reading in part 0; it does not start a reading elsewhere.
    expect(await rowsWrittenEach(store, [meter(chargerId, 'T-2', [sample(at(0), 'SoC', 40, { unit: 'Percent' })])]), 'joining').toEqual([1]);
    const after = await hourRows(chargerId);
    expect(after.map((r) => r.readings)).toEqual(rows.map((r) => r.readings));
    const part0 = await env.DB.prepare("SELECT data FROM meter_hours WHERE charger_id = ? AND part = 0").bind(chargerId).first<{ data: string }>();
    // Minute 0's reading: its first segment, and the one the SoC value joined it with.
    expect((JSON.parse(part0!.data) as Record<string, unknown[]>)[at(0)]).toHaveLength(2);

    // A value that contradicts minute 0's energy: kept in part 0's conflicts and flagged; the reading stays.
    const contradicting = meter(chargerId, 'T-2', [sample(at(0), 'Energy.Active.Import.Register', 999, { signedData: signed(0) })]);
    // Two rows written: part 0, and the anomaly its trigger inserts.
    expect(await rowsWrittenEach(store, [contradicting]), 'contradicting').toEqual([2]);
    expect(await rowsWrittenEach(store, [contradicting])).toEqual([0]);
    const flagged = await hourRows(chargerId);
    expect(flagged.map((r) => r.conflicts !== null)).toEqual(flagged.map((r) => r.part === 0));
    const anomalies = await env.DB.prepare("SELECT kind, json_extract(detail, '$.value') AS value FROM transaction_anomalies WHERE charger_id = ?")
      .bind(chargerId)
      .all();
    expect(anomalies.results).toEqual([{ kind: 'conflicting-meter-value', value: 999 }]);
    const energy = (await store.readingsForTransaction(chargerId, 'T-2')).filter((v) => v.timestamp === at(0) && v.measurand === 'Energy.Active.Import.Register');
    expect(energy.map((v) => v.value)).toEqual([0]);
  });

  it("page a charger's values by time across hours the range starts or ends inside of, an hour with none in the range included", async () => {
    const chargerId = uniqueChargerId('RANGE');
    const store = new MeterValueStore(env.DB);
    const at = (hour: number, minute: number) => new Date(Date.UTC(2026, 4, 8, hour, minute)).toISOString();
    // Readings at 10:05, 10:10, then none until 12:00-12:04, one at 13:00, two at 15:00.
    const minutes: Array<[number, number]> = [[10, 5], [10, 10], ...[0, 1, 2, 3, 4].map((m): [number, number] => [12, m]), [13, 0], [15, 0], [15, 30]];
    await env.DB.batch(store.insertStatements(minutes.map(([h, m]) => meter(chargerId, '', [sample(at(h, m), 'Energy.Active.Import.Register', h * 100 + m)]))));
    const page = async (from: string, to: string | undefined, limit: number) => {
      const values: StoredMeterValue[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const result = (await store.forCharger(chargerId, { from, to, limit, cursor }))!;
        values.push(...result.meterValues);
        if (!result.nextCursor) return values.map((v) => v.value);
        cursor = result.nextCursor;
      }
      throw new Error('too many pages');
    };
    // From 10:30: the hour 10 has nothing left in the range, and the pages go on to 12, 13 and 15.
    for (const limit of [1, 2, 3, 100]) {
      expect(await page(at(10, 30), undefined, limit), `limit ${limit}`).toEqual([1200, 1201, 1202, 1203, 1204, 1300, 1500, 1530]);
      expect(await page(at(10, 7), at(15, 10), limit), `limit ${limit}`).toEqual([1010, 1200, 1201, 1202, 1203, 1204, 1300, 1500]);
      expect(await page(at(12, 5), at(15, 0), limit), `limit ${limit}`).toEqual([1300]);
    }
  });

  it('store readings of one statement that share an hour, or an instant, as one statement stored them one by one', async () => {
    const chargerId = uniqueChargerId('BATCH');
    const store = new MeterValueStore(env.DB);
    const at = (second: number) => new Date(Date.UTC(2026, 4, 6, 23, 59, second)).toISOString();
    // One message: readings of two hours (23:59 and 00:00 the next day), one instant twice with
    // another value the second time (kept and flagged), and a value of the same instant that is new.
    const fact = meter(chargerId, 'T-3', [
      sample(at(10), 'Energy.Active.Import.Register', 5),
      sample(at(20), 'Energy.Active.Import.Register', 6),
      sample(at(20), 'Energy.Active.Import.Register', 7),
      sample(at(20), 'Voltage', 230, { unit: 'V' }),
      sample(new Date(Date.UTC(2026, 4, 7, 0, 0, 10)).toISOString(), 'Energy.Active.Import.Register', 8),
    ]);
    await env.DB.batch(store.insertStatements([fact]));
    expect((await hourRows(chargerId)).map((h) => [h.hour, h.readings, h.conflicts !== null])).toEqual([
      ['2026-05-06T23', 2, true],
      ['2026-05-07T00', 1, false],
    ]);
    const values = await store.readingsForTransaction(chargerId, 'T-3');
    expect(values.map((v) => `${v.timestamp.slice(11, 19)} ${v.measurand} ${v.value}`)).toEqual([
      '23:59:10 Energy.Active.Import.Register 5',
      '23:59:20 Energy.Active.Import.Register 6',
      '23:59:20 Voltage 230',
      '00:00:10 Energy.Active.Import.Register 8',
    ]);
    // The same message again writes nothing.
    expect(await rowsWrittenEach(store, [fact])).toEqual([0]);
  });
});
