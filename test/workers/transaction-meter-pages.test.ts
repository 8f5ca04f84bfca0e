// GET /chargers/{id}/transactions/{tx} pages its meter values (limit + cursor, default 500) and
// keeps the transaction's own fields, energy included, the same on every page.

import { describe, expect, it } from 'vitest';
import { allPages, api, RawCharger, uniqueChargerId, worker } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

type Value = { timestamp: string; measurand: string; phase: string | null; value: number };

/** Every page of the transaction's values, `limit` at a time (the default page when undefined). */
async function transactionPages(path: string, limit?: number): Promise<{ pages: any[]; values: Value[] }> {
  const pages = await allPages(path, limit);
  return { pages, values: pages.flatMap((p) => p.transaction.meterValues) };
}

const key = (v: Value) => `${v.timestamp}|${v.measurand}|${v.phase}`;

describe("a transaction's meter values", () => {
  it('come 500 a page by default, every value once in order, the energy the same on every page (1.6, running)', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('PAGES'), 'ocpp1.6');
    await cp.boot();
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'PAGER', meterStart: 1_000, timestamp: '2026-03-01T00:00:00Z' }))[2] as {
      transactionId: number;
    };
    // 130 readings of 4 sampled values: 520 values, the energy register ending at 1,000 + 130 × 10.
    const meterValue = Array.from({ length: 130 }, (_, i) => ({
      timestamp: new Date(Date.UTC(2026, 2, 1, 0, 0, 1 + i)).toISOString(),
      sampledValue: [
        { value: String(1_000 + (i + 1) * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: String(7_000 + i), measurand: 'Power.Active.Import', unit: 'W' },
        { value: String(16), measurand: 'Current.Import', phase: 'L1', unit: 'A' },
        { value: String(230), measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
      ],
    }));
    expect((await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue }))[0]).toBe(3);
    const path = `/chargers/${cp.id}/transactions/${transactionId}`;

    const byDefault = await transactionPages(path);
    expect(byDefault.pages.map((p) => p.transaction.meterValues.length)).toEqual([500, 20]);
    expect(byDefault.pages.map((p) => p.nextCursor === null)).toEqual([false, true]);
    expect(byDefault.values).toHaveLength(520);
    expect(new Set(byDefault.values.map(key)).size).toBe(520);
    const sorted = [...byDefault.values].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    expect(byDefault.values.map((v) => v.timestamp)).toEqual(sorted.map((v) => v.timestamp));
    for (const page of byDefault.pages) {
      expect(page.transaction).toMatchObject({ transactionId: String(transactionId), status: 'active', meterStartWh: 1_000, energyWh: 1_300 });
    }

    // Any page size walks the same values in the same order.
    const byOthers = await transactionPages(path, 37);
    expect(byOthers.pages).toHaveLength(Math.ceil(520 / 37));
    expect(byOthers.values.map(key)).toEqual(byDefault.values.map(key));
    expect(new Set(byOthers.pages.map((p) => p.transaction.energyWh))).toEqual(new Set([1_300]));

    for (const query of ['limit=0', 'limit=501', 'limit=x', 'cursor=nonsense', `cursor=${btoa('["a"]')}`]) {
      const res = await api('GET', `${path}?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((await json(res)).error.code).toBe('InvalidParameter');
    }
    cp.close();
  }, 60_000);

  it('keep a 2.0.1 transaction energy from its begin and latest readings on every page', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('PAGES'), 'ocpp2.0.1');
    await cp.boot();
    const base = { triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId: 'PG-1' }, evse: { id: 1, connectorId: 1 } };
    const reading = (second: number, wh: number, context: string) => ({
      timestamp: new Date(Date.UTC(2026, 3, 1, 0, 0, second)).toISOString(),
      sampledValue: [{ value: wh, context, measurand: 'Energy.Active.Import.Register' }],
    });
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', seqNo: 0, timestamp: '2026-04-01T00:00:00Z', meterValue: [reading(0, 5_000, 'Transaction.Begin')] });
    const periodic = Array.from({ length: 12 }, (_, i) => reading(i + 1, 5_000 + (i + 1) * 50, 'Sample.Periodic'));
    await cp.call('TransactionEvent', { ...base, eventType: 'Updated', seqNo: 1, timestamp: '2026-04-01T00:00:12Z', meterValue: periodic });

    const pages = await transactionPages(`/chargers/${cp.id}/transactions/PG-1`, 5);
    expect(pages.pages.map((p) => p.transaction.meterValues.length)).toEqual([5, 5, 3]);
    expect(pages.values.map((v) => v.value)).toEqual([5_000, ...periodic.map((r) => r.sampledValue[0]!.value)]);
    expect(new Set(pages.pages.map((p) => p.transaction.energyWh))).toEqual(new Set([600]));
    cp.close();
  });

  it('are documented as paged', async () => {
    const doc = await json(await worker('/api/v1/openapi.json'));
    const get = doc.paths['/chargers/{chargerId}/transactions/{transactionId}'].get;
    expect(get.parameters.find((p: { name: string }) => p.name === 'limit').schema).toEqual({ type: 'integer', minimum: 1, maximum: 500, default: 500 });
    expect(get.parameters.map((p: { name: string }) => p.name)).toContain('cursor');
    expect(get.responses['200'].content['application/json'].schema.properties.nextCursor).toBeDefined();
    const queue = doc.paths['/chargers/{chargerId}/commands/{action}'].post;
    expect(queue.responses['429'].description).toContain('CommandQueueFull');
  });
});
