// GET /api/v1/transactions: the filters the console offers (charger, id tag, state, flagged, start
// range), keyset paging through them, the filtered list as a streamed CSV, and reads bounded by an
// index (migration 0044 for the id tag).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CSV_PAGE_ROWS } from '../../src/api/csv-stream';
import { parseCsv } from '../../src/api/csv';
import { TRANSACTION_CSV_COLUMNS } from '../../src/api/transactions';
import { isolateStats } from '../../src/isolate-stats';
import { countingD1 } from '../../src/store/counting-d1';
import { TransactionStore } from '../../src/store/transactions';
import { api, uniqueChargerId, worker, API_TOKEN } from './helpers';

interface Tx {
  chargerId: string;
  tx: string;
  idTag: string;
  status: 'active' | 'completed';
  startedAt: string;
}

/** Transactions as the flush would leave them (1.6, connector 1, 10 kWh when completed). */
async function seed(rows: Tx[]): Promise<void> {
  const json = JSON.stringify(rows.map((r) => [r.chargerId, r.tx, r.idTag, r.status, r.startedAt]));
  await env.DB.prepare(
    `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, connector_id, id_tag, id_tag_status, status, started_at, stopped_at,
       meter_start_wh, meter_stop_wh, energy_wh, stop_reason, updated_at)
     SELECT json_extract(value, '$[0]'), 'ocpp1.6', json_extract(value, '$[1]'), json_extract(value, '$[1]'), 1, json_extract(value, '$[2]'), 'Accepted',
       json_extract(value, '$[3]'), json_extract(value, '$[4]'),
       CASE WHEN json_extract(value, '$[3]') = 'completed' THEN json_extract(value, '$[4]') END, 0,
       CASE WHEN json_extract(value, '$[3]') = 'completed' THEN 10000 END, CASE WHEN json_extract(value, '$[3]') = 'completed' THEN 10000 END,
       CASE WHEN json_extract(value, '$[3]') = 'completed' THEN 'Local' END, json_extract(value, '$[4]')
     FROM json_each(?1)`,
  )
    .bind(json)
    .run();
}

const ids = (json: { transactions: { transactionId: string }[] }) => json.transactions.map((t) => t.transactionId);
const get = async (query: string) => {
  const res = await api('GET', `/transactions?${query}`);
  expect(res.status).toBe(200);
  return res.json<{ transactions: { transactionId: string; flags: string[] }[]; nextCursor: string | null }>();
};

describe('GET /api/v1/transactions filters', () => {
  it('filter by charger, id tag (case-insensitive), state, start range and flagged, combined, newest first, paged by keyset', async () => {
    const a = uniqueChargerId('TXF');
    const b = uniqueChargerId('TXF');
    const tag = uniqueChargerId('DRV').slice(0, 20);
    await seed([
      { chargerId: a, tx: '1', idTag: tag, status: 'completed', startedAt: '2026-02-01T10:00:00Z' },
      { chargerId: a, tx: '2', idTag: 'OTHER', status: 'completed', startedAt: '2026-02-02T10:00:00Z' },
      { chargerId: a, tx: '3', idTag: tag, status: 'active', startedAt: '2026-02-03T10:00:00Z' },
      { chargerId: b, tx: '4', idTag: tag, status: 'completed', startedAt: '2026-02-04T10:00:00Z' },
    ]);
    await env.DB.prepare(`INSERT INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at) VALUES (?, '2', 'negative-energy', '', ?)`)
      .bind(a, '2026-02-02T11:00:00Z')
      .run();

    expect(ids(await get(`chargerId=${a}`))).toEqual(['3', '2', '1']);
    expect(ids(await get(`idTag=${tag.toLowerCase()}`))).toEqual(['4', '3', '1']);
    expect(ids(await get(`idTag=${tag}&chargerId=${a}&status=completed`))).toEqual(['1']);
    expect(ids(await get(`chargerId=${a}&status=active`))).toEqual(['3']);
    expect(ids(await get(`idTag=${tag}&from=2026-02-02T00:00:00Z&to=2026-02-04T00:00:00Z`))).toEqual(['3']);
    const flagged = await get(`chargerId=${a}&flagged=true`);
    expect(ids(flagged)).toEqual(['2']);
    expect(flagged.transactions[0]!.flags).toEqual(['negative-energy']);
    expect(ids(await get(`chargerId=${a}&flagged=false`))).toEqual(['3', '2', '1']);

    // Keyset pages: each page's cursor leads to the next, none repeated, none skipped.
    const first = await get(`idTag=${tag}&limit=2`);
    expect(ids(first)).toEqual(['4', '3']);
    expect(first.nextCursor).not.toBeNull();
    const second = await get(`idTag=${tag}&limit=2&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual(['1']);
    expect(second.nextCursor).toBeNull();

    for (const bad of ['flagged=yes', 'idTag=', `idTag=${'x'.repeat(37)}`, 'format=xml', 'format=csv&limit=5', 'status=running']) {
      const res = await api('GET', `/transactions?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(await res.json(), bad).toMatchObject({ error: { code: expect.stringMatching(/^Invalid/) } });
    }
  });

  it('export the filtered list as CSV (?format=csv or Accept: text/csv): one header, one line per transaction, every page, formula cells prefixed', async () => {
    const cp = uniqueChargerId('TXCSV');
    const count = CSV_PAGE_ROWS * 2 + 7; // three D1 pages
    const rows: Tx[] = Array.from({ length: count }, (_, i) => ({
      chargerId: cp,
      tx: String(i),
      idTag: i === 0 ? '=HYPERLINK' : 'T',
      status: i % 3 === 0 ? 'active' : 'completed',
      startedAt: new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000).toISOString(),
    }));
    await seed(rows);
    await seed([{ chargerId: uniqueChargerId('TXCSV'), tx: 'elsewhere', idTag: 'T', status: 'completed', startedAt: '2026-03-01T00:00:00Z' }]);
    for (const res of [
      await api('GET', `/transactions?chargerId=${cp}&status=completed&format=csv`),
      await worker(`/api/v1/transactions?chargerId=${cp}&status=completed`, { headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/csv' } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="transactions_${cp}_completed.csv"`);
      const parsed = parseCsv(await res.text());
      if (!parsed.ok) throw new Error(parsed.message);
      const [header, ...records] = parsed.records.map((r) => r.fields);
      expect(header).toEqual([...TRANSACTION_CSV_COLUMNS]);
      const completed = rows.filter((r) => r.status === 'completed').map((r) => r.tx).reverse();
      expect(records.map((r) => r[2])).toEqual(completed);
      const line = Object.fromEntries(TRANSACTION_CSV_COLUMNS.map((c, i) => [c, records[0]![i]]));
      expect(line).toMatchObject({ charger_id: cp, status: 'completed', energy_kwh: '10', id_tag: 'T', stop_reason: 'Local', flags: '' });
    }
    const active = parseCsv(await (await api('GET', `/transactions?chargerId=${cp}&status=active&idTag=%3DHYPERLINK&format=csv`)).text());
    if (!active.ok) throw new Error(active.message);
    expect(active.records.map((r) => r.fields[6])).toEqual(['id_tag', "'=HYPERLINK"]);
  });

  it('read a driver\'s transactions by key (migration 0044): the rows read do not grow with the fleet\'s other transactions', async () => {
    const tag = uniqueChargerId('IDX').slice(0, 20);
    const cp = uniqueChargerId('IDX');
    await seed([{ chargerId: cp, tx: '1', idTag: tag, status: 'completed', startedAt: '2026-04-01T00:00:00Z' }]);
    const store = new TransactionStore(countingD1(env.DB, { statements: 0 }));
    const rowsRead = async () => {
      const before = isolateStats.d1RowsRead;
      const page = await store.list({ idTag: tag, limit: 50 });
      expect(page.transactions.map((t) => t.transactionId)).toEqual(['1']);
      return isolateStats.d1RowsRead - before;
    };
    const alone = await rowsRead();
    // 1,000 newer transactions of other drivers: without the index, the newest-first walk read them all.
    const others = uniqueChargerId('IDX-OTHER');
    await seed(Array.from({ length: 1_000 }, (_, i) => ({ chargerId: others, tx: String(i), idTag: `OTHER-${i}`, status: 'completed' as const, startedAt: '2026-04-02T00:00:00Z' })));
    const amongMany = await rowsRead();
    console.log(`rows read to list one id tag's transactions: ${alone} alone, ${amongMany} among 1,000 others`);
    expect(amongMany).toBeLessThanOrEqual(alone + 2);
  });

  it('read the flagged transactions by their anomalies: the rows read do not grow with the fleet\'s unflagged transactions', async () => {
    const cp = uniqueChargerId('FLAG');
    await seed([{ chargerId: cp, tx: 'F', idTag: 'T', status: 'completed', startedAt: '2026-05-01T00:00:00Z' }]);
    await env.DB.prepare(`INSERT INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at) VALUES (?, 'F', 'conflicting-stop', '', ?)`)
      .bind(cp, '2026-05-01T01:00:00Z')
      .run();
    const store = new TransactionStore(countingD1(env.DB, { statements: 0 }));
    const rowsRead = async () => {
      const before = isolateStats.d1RowsRead;
      const page = await store.list({ chargerId: cp, flagged: true, limit: 50 });
      expect(page.transactions.map((t) => t.transactionId)).toEqual(['F']);
      const fleet = await store.list({ flagged: true, limit: 500 });
      expect(fleet.transactions.some((t) => t.chargerId === cp)).toBe(true);
      return isolateStats.d1RowsRead - before;
    };
    const alone = await rowsRead();
    const others = uniqueChargerId('FLAG-OTHER');
    await seed(Array.from({ length: 1_000 }, (_, i) => ({ chargerId: others, tx: String(i), idTag: 'T', status: 'completed' as const, startedAt: '2026-05-02T00:00:00Z' })));
    const amongMany = await rowsRead();
    console.log(`rows read to list flagged transactions: ${alone} alone, ${amongMany} among 1,000 unflagged`);
    expect(amongMany).toBeLessThan(alone + 50);
  });
});
