// A charger's running transactions are found by key (migration 0025), not among the fleet's.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import { countingD1 } from '../../src/store/counting-d1';
import { TransactionStore } from '../../src/store/transactions';
import { uniqueChargerId } from './helpers';

/** `count` running 1.6 transactions, one per charger named `${prefix}-n`, or all of `chargerId`'s when given. */
async function running(prefix: string, count: number, chargerId?: string): Promise<void> {
  const rows = Array.from({ length: count }, (_, n) => [chargerId ?? `${prefix}-${n}`, String(1_000 + n), `1|TAG-${n}|0|2026-11-30T10:00:00Z#${1_000 + n}`]);
  await env.DB.prepare(
    `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
     SELECT json_extract(j.value, '$[0]'), 'ocpp1.6', json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), 1, 'TAG', 'active',
       '2026-11-30T10:00:00Z', 0, '2026-11-30T10:00:00Z'
     FROM json_each(?1) AS j`,
  )
    .bind(JSON.stringify(rows))
    .run();
}

describe("a charger's running transactions (migration 0025)", () => {
  it("are read by key when its object seeds its numbering and ConcurrentTx: the rows read do not grow with the fleet's running transactions", async () => {
    const chargerId = uniqueChargerId('ACTIVE');
    await running('', 1, chargerId);
    const store = new TransactionStore(countingD1(env.DB, { statements: 0 }));
    const rowsRead = async () => {
      const before = isolateStats.d1RowsRead;
      const numbering = await store.numbering16(chargerId);
      const tokens = await store.runningTokens(chargerId);
      expect(numbering).toEqual({ lastId: 1_000, running: [{ startKey: '1|TAG-0|0|2026-11-30T10:00:00Z', transactionId: 1_000, connectorId: 1 }] });
      expect(tokens).toEqual([{ transactionId: '1000', idTag: 'TAG', evseId: -1, connectorId: -1 }]);
      return isolateStats.d1RowsRead - before;
    };
    const alone = await rowsRead();
    // 500 other chargers charging: before the index, each read went through all of them (over
    // 1,000 rows read). Now a seek reads the charger's own entries, and at most the neighbour
    // that ends its range.
    await running(uniqueChargerId('OTHER'), 500);
    const amongMany = await rowsRead();
    console.log(`rows read to seed a charger's numbering and ConcurrentTx: ${alone} alone, ${amongMany} among 500 running elsewhere`);
    expect(alone).toBeLessThan(10);
    expect(amongMany).toBeLessThanOrEqual(alone + 2);
  });
});
