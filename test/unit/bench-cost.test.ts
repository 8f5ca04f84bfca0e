// The bench's cost arithmetic (bench/lib/cost.mjs) for the meter archive: its operations scaled
// per transaction moved to a charger-month's transactions, its rows and bytes per meter value to
// the month's meter values, priced on its own lines and in the total, "n/a" for a CSMS without
// the archive, and what D1 keeps once the readings have moved.

import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module of the bench, without type declarations
import { archiveQuantities, billed, itemsTotal, keptStorage, lineItems, METER_VALUES_PER_MONTH, PRICES, TRANSACTIONS_PER_MONTH } from '../../bench/lib/cost.mjs';

type Item = [string, number | null];
const item = (items: Item[], label: string) => items.find(([l]) => l.startsWith(label))?.[1];

/**
 * A profile of 4 chargers, one session each with 60 meter values (240 in all), whose archive
 * moved the 4 transactions: 80 D1 rows written (deleted), 4 puts, 4 gets, 8,000 bytes.
 */
const profile = (archive: object) => ({ protocol: 'ocpp1.6', chargers: 4, transactions: 4, phases: [{ kind: 'MeterValues (6 samples)', messages: 240, delta: {} }], archive });
const measured = {
  transactions: 4,
  meterValues: 240,
  r2Counted: true,
  cpuSeconds: 0.1,
  delta: { d1RowsWritten: 80, d1RowsRead: 40, d1Statements: 40, r2Puts: 4, r2Gets: 4, r2Heads: 0, r2Lists: 0, r2BytesPut: 8_000, d1UsedBytes: -40_960 },
};

describe('the bench prices the meter archive', () => {
  it('scales its operations per transaction and its rows and bytes per meter value to the month, and prices them on their own lines, in the total', () => {
    expect(TRANSACTIONS_PER_MONTH).toBe(60);
    expect(METER_VALUES_PER_MONTH).toBe(7_200);
    const q = archiveQuantities(profile(measured));
    // A month's 60 transactions hold 7,200 meter values: 120 each, twice the profile's 60.
    expect(q).toMatchObject({ r2ClassA: 60, r2ClassB: 60, d1Statements: 10 * 60, d1RowsWritten: 2_400, d1RowsRead: 1_200, r2BytesPut: 240_000, d1UsedBytes: -40_960 * 30 });

    const main = { webSocketMessages: 0, alarms: 0, rpcCalls: 0, doSqlRowsWritten: 0, doKvRowsWritten: 0, doAlarmRows: 0, doRowsRead: 0, d1RowsWritten: 7_200, d1RowsRead: 0, d1Bytes: 0 };
    const items: Item[] = lineItems(main, 0, q);
    expect(item(items, 'D1 rows written')).toBeCloseTo(7_200 * PRICES.d1RowWritten, 12);
    expect(item(items, 'archive: D1 rows written')).toBeCloseTo(2_400 * 1e-6, 12);
    expect(item(items, 'archive: D1 rows read')).toBeCloseTo(1_200 * 0.001e-6, 15);
    expect(item(items, 'archive: R2 operations')).toBeCloseTo(60 * 4.5e-6 + 60 * 0.36e-6, 12);
    expect(item(items, 'R2 storage')).toBeCloseTo((240_000 / 1e9) * 0.015, 15);
    expect(itemsTotal(items)).toBeCloseTo(7_200e-6 + 2_400e-6 + 1_200 * 0.001e-6 + 60 * 4.86e-6 + (240_000 / 1e9) * 0.015, 12);
  });

  it('shows n/a for a CSMS without the archive, and nothing for the time-driven part, the totals unaffected', () => {
    const main = { webSocketMessages: 20, alarms: 0, rpcCalls: 0, doSqlRowsWritten: 0, doKvRowsWritten: 0, doAlarmRows: 0, doRowsRead: 0, d1RowsWritten: 0, d1RowsRead: 0, d1Bytes: 0 };
    const none = archiveQuantities(profile({ unavailable: 'this CSMS has no POST /api/v1/archive/run', errors: [] }));
    expect(none).toBeNull();
    const baseline: Item[] = lineItems(main, 0, none);
    expect(item(baseline, 'archive: D1 rows written')).toBeNull();
    expect(item(baseline, 'R2 storage')).toBeNull();
    expect(itemsTotal(baseline)).toBeCloseTo(PRICES.doRequest, 15);
    const time: Item[] = lineItems(main, 0);
    expect(item(time, 'archive: D1 rows written')).toBe(0);
    expect(itemsTotal(time)).toBeCloseTo(PRICES.doRequest, 15);
    // An archive without R2 counters: D1 measured, R2 not (NaN, shown as –, not in the total).
    const noR2 = archiveQuantities(profile({ ...measured, r2Counted: false }));
    const items: Item[] = lineItems(main, 0, noR2);
    expect(item(items, 'archive: D1 rows written')).toBeCloseTo(2_400e-6, 12);
    expect(item(items, 'archive: R2 operations')).toBeNaN();
    expect(itemsTotal(items)).toBeCloseTo(PRICES.doRequest + 2_400e-6 + 1_200 * 0.001e-6, 12);
  });

  it('keeps in D1 what the profile took less what the archive freed, and prices a further month of it with R2', () => {
    const q = archiveQuantities(profile(measured));
    const kept = keptStorage({ d1UsedBytes: 2_000_000 }, q);
    expect(kept).toMatchObject({ d1WrittenBytes: 2_000_000, d1FreedBytes: 1_228_800, d1Bytes: 771_200, r2Bytes: 240_000 });
    expect(kept.usdPerMonth).toBeCloseTo((771_200 / 1e9) * 0.75 + (240_000 / 1e9) * 0.015, 15);
    // Sizes move in 4 KiB pages: one page of the profile scales to 30 of them a month here.
    expect(kept.d1ResolutionBytes).toBeCloseTo(4_096 * 30, 6);
    expect(keptStorage({ d1UsedBytes: 1_000_000 }, null)).toBeUndefined();
  });

  it('issue 15: prices the live feed\'s publishes to the ConsoleHub as Durable Object requests, on a line of their own and in the total', () => {
    // A month of 360 fleet changes a charger published (the isolate-stats counter), beside one WebSocket message.
    const q = billed({ consoleHubRequests: 360, chargerWebSocketMessages: 20 });
    expect(q.hubRequests).toBe(360);
    const items: Item[] = lineItems(q, 0);
    expect(item(items, 'DO requests: live feed')).toBeCloseTo(360 * PRICES.doRequest, 15);
    expect(itemsTotal(items)).toBeCloseTo(361 * PRICES.doRequest, 15);
    // A CSMS from before the feed counts none: nothing, not NaN.
    expect(item(lineItems(billed({}), 0), 'DO requests: live feed')).toBe(0);
  });
});
