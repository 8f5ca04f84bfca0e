// Migration 0024 (issue 12, D1 rows per session): the transactions table without AUTOINCREMENT and
// without UNIQUE (charger_id, start_key). On a database whose table is as migrations 0002–0023
// made it, with transactions of both versions in it: every row keeps its id and columns, the
// API answers as before (pages and cursors included), triggers still fire, and a new start
// writes 4 D1 rows instead of 6.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { flushStatements } from '../../src/fleet/flush';
import { Outbox, type OutboxEntry } from '../../src/fleet/outbox';
import { allPages, api, RawCharger, uniqueChargerId } from './helpers';

/**
 * Migration 0024, and what later migrations add to the table (0025: its running transactions by
 * charger; 0035: its completed transactions by end time, for CDRs).
 */
/** Columns later migrations add to the rebuilt table (0047: V2X exported energy), each an ALTER TABLE transactions ADD COLUMN. */
const addedAfter0024 = () => migration('0047_').queries.filter((q) => /^ALTER TABLE transactions ADD COLUMN/.test(strip(q)));

async function migrateFrom0024(): Promise<void> {
  for (const prefix of ['0024_', '0025_', '0035_', '0044_']) for (const query of migration(prefix).queries) await env.DB.prepare(query).run();
  for (const query of addedAfter0024()) await env.DB.prepare(query).run();
}

const migration = (prefix: string) => {
  const found = env.TEST_MIGRATIONS.find((m) => m.name.startsWith(prefix));
  expect(found).toBeDefined();
  return found!;
};
const strip = (query: string) => query.replace(/^\s*--.*$/gm, '').trim();

/** The statements that made the transactions table before 0024, renamed to `name`, data left out. */
function tableBefore0024(name: string): string[] {
  const create = migration('0002_').queries.find((q) => strip(q).startsWith('CREATE TABLE transactions'))!;
  const columns = ['0017_', '0020_'].flatMap((m) => migration(m).queries.filter((q) => /^ALTER TABLE transactions ADD COLUMN/.test(strip(q))));
  // The columns added after 0024 too, last as they are now: today's code reads them (0024's rebuild drops them, migrateFrom0024 adds them again).
  return [create, ...columns, ...addedAfter0024()].map((q) => strip(q).replace(/^(CREATE TABLE|ALTER TABLE) transactions\b/, `$1 ${name}`));
}

/** Its indexes and triggers, as 0002, 0015 and 0017 made them. */
function indexesAndTriggersBefore0024(): string[] {
  return ['0002_', '0015_', '0017_'].flatMap((m) =>
    migration(m).queries.filter((q) => /^CREATE (INDEX|TRIGGER) \w+ (ON|AFTER (INSERT|UPDATE) ON) transactions\b/.test(strip(q))),
  );
}

const schemaOf = async () =>
  (
    await env.DB.prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'transactions' ORDER BY type, name").all<{
      type: string;
      name: string;
      sql: string | null;
    }>()
  ).results;

/** A 1.6 start as a flush writes it, alone: the D1 rows it costs. */
async function startRows(chargerId: string, transactionId: number): Promise<number> {
  const start: OutboxEntry<'start16'> = {
    chargerId,
    kind: 'start16',
    fact: { transactionId, connectorId: 1, idTag: 'MIG24', idTagStatus: 'Accepted', meterStartWh: 100, startedAt: '2026-05-01T10:00:00.000Z' },
  };
  let rows = 0;
  for (const result of await env.DB.batch(flushStatements(env.DB, Outbox.batchOf([start]), '2026-05-01T10:00:01.000Z'))) rows += result.meta.rows_written;
  return rows;
}

describe('migration 0024, on a transactions table as migrations 0002–0023 made it', () => {
  it('keeps every row, id and API answer; drops sqlite_sequence and the start_key index from each insert (6 D1 rows a 1.6 start, then 4; 6 with the running index of 0025 and the id tag index of 0044)', async () => {
    // Transactions of both versions, active and completed, through chargers.
    const cp16 = await RawCharger.connect(uniqueChargerId('MIG24-16'), 'ocpp1.6');
    await cp16.boot();
    const ids16: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await cp16.call('StartTransaction', { connectorId: 1 + (i % 2), idTag: `MIG24-${i}`, meterStart: 1_000 * i, timestamp: new Date(Date.UTC(2026, 3, 1, i)).toISOString() });
      ids16.push((answer[2] as { transactionId: number }).transactionId);
    }
    // One stopped, one stopped below its start (negative energy: flagged by the trigger).
    expect((await cp16.call('StopTransaction', { transactionId: ids16[0], meterStop: 4_500, timestamp: new Date(Date.UTC(2026, 3, 1, 0, 30)).toISOString(), reason: 'EVDisconnected' }))[0]).toBe(3);
    expect((await cp16.call('StopTransaction', { transactionId: ids16[1], meterStop: 10, timestamp: new Date(Date.UTC(2026, 3, 1, 1, 30)).toISOString() }))[0]).toBe(3);
    await env.CHARGERS.getByName(cp16.id).handOver();
    const cp201 = await RawCharger.connect(uniqueChargerId('MIG24-201'), 'ocpp2.0.1');
    await cp201.boot();
    const tx201 = `MIG24-${crypto.randomUUID().slice(0, 8)}`;
    const event = (seqNo: number, eventType: string, extra: object = {}) =>
      cp201.call('TransactionEvent', {
        eventType,
        timestamp: new Date(Date.UTC(2026, 3, 2, 0, seqNo)).toISOString(),
        triggerReason: eventType === 'Ended' ? 'EVCommunicationLost' : 'Authorized',
        seqNo,
        transactionInfo: { transactionId: tx201, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : { chargingState: 'Charging' }) },
        ...extra,
      });
    expect((await event(0, 'Started', { evse: { id: 1, connectorId: 1 } }))[0]).toBe(3);
    expect((await event(1, 'Ended'))[0]).toBe(3);
    await env.CHARGERS.getByName(cp201.id).handOver();
    cp16.close();
    cp201.close();
    // A row as D1 numbered 1.6 starts before the objects did: a bare start key, and the id the trigger gave it.
    const legacy = uniqueChargerId('MIG24-OLD');
    await env.DB.prepare(
      `INSERT INTO transactions (charger_id, protocol, start_key, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
       VALUES (?1, 'ocpp1.6', '1|OLD|0|2026-03-01T00:00:00.000Z', 0, 1, 'OLD', 'active', '2026-03-01T00:00:00.000Z', 0, '2026-03-01T00:00:00.000Z')`,
    )
      .bind(legacy)
      .run();

    const chargers = [cp16.id, cp201.id, legacy];
    const rows = async () =>
      (await env.DB.prepare('SELECT * FROM transactions WHERE charger_id IN (?, ?, ?) ORDER BY id').bind(...chargers).all()).results;
    const snapshot = async () => ({
      rows: await rows(),
      anomalies: (await env.DB.prepare('SELECT charger_id, ocpp_transaction_id, kind, detail FROM transaction_anomalies WHERE charger_id IN (?, ?, ?) ORDER BY 1, 2, 3').bind(...chargers).all()).results,
      pages: await Promise.all(chargers.map((chargerId) => allPages('/transactions', 1, { chargerId }))),
      one: await Promise.all(
        [...ids16.map((id) => [cp16.id, String(id)]), [cp201.id, tx201]].map(async ([c, t]) => (await api('GET', `/chargers/${c}/transactions/${t}`)).json()),
      ),
    });
    const migrated = await snapshot();
    expect(migrated.rows).toHaveLength(5);
    expect(migrated.anomalies.map((a: any) => a.kind)).toContain('negative-energy');
    const legacyRow = migrated.rows.find((r: any) => r.charger_id === legacy) as { id: number; ocpp_transaction_id: string };
    expect(legacyRow.ocpp_transaction_id).toBe(String(legacyRow.id));

    // Back to the table as it was before 0024 (the test database has every migration applied):
    // same rows and ids, AUTOINCREMENT, both UNIQUE constraints, the old indexes and triggers.
    const afterSchema = await schemaOf();
    await env.DB.batch([
      ...tableBefore0024('transactions_before').map((q) => env.DB.prepare(q)),
      env.DB.prepare('INSERT INTO transactions_before SELECT * FROM transactions'),
      env.DB.prepare('DROP TABLE transactions'),
      env.DB.prepare('ALTER TABLE transactions_before RENAME TO transactions'),
      ...indexesAndTriggersBefore0024().map((q) => env.DB.prepare(q)),
    ]);
    const beforeSchema = await schemaOf();
    expect(beforeSchema.find((s) => s.type === 'table')!.sql).toContain('AUTOINCREMENT');
    expect(beforeSchema.filter((s) => s.name.startsWith('sqlite_autoindex_'))).toHaveLength(2);
    expect(beforeSchema.filter((s) => s.type === 'trigger').map((s) => s.name)).toEqual(afterSchema.filter((s) => s.type === 'trigger').map((s) => s.name));
    expect(await snapshot()).toEqual(migrated);
    // What a new 1.6 start cost then: the row, sqlite_sequence, and 4 index entries.
    expect(await startRows(uniqueChargerId('MIG24-COST'), 1)).toBe(6);

    await migrateFrom0024();
    expect(await schemaOf()).toEqual(afterSchema);
    expect(await snapshot()).toEqual(migrated);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sqlite_sequence WHERE name = 'transactions'").first()).toEqual({ n: 0 });

    // Now: the row and 3 index entries (charger and id, charger, status), since migration 0025 a
    // fourth while it runs (its charger's running transactions), and since 0044 a fifth for its id
    // tag (the transactions filter by driver); a replay nothing.
    const fresh = uniqueChargerId('MIG24-COST');
    expect(await startRows(fresh, 1)).toBe(6);
    expect(await startRows(fresh, 1)).toBe(0);
    // New rows take ids after every kept one; a row without the charger's id is still named by it.
    const maxBefore = (await env.DB.prepare('SELECT MAX(id) AS id FROM transactions').first<{ id: number }>())!.id;
    const named = await env.DB.prepare(
      `INSERT INTO transactions (charger_id, protocol, status, updated_at) VALUES (?1, 'ocpp1.6', 'active', '2026-05-01T00:00:00.000Z')
       RETURNING id`,
    )
      .bind(uniqueChargerId('MIG24-ID'))
      .first<{ id: number }>();
    expect(named!.id).toBe(maxBefore + 1);
    expect(await env.DB.prepare('SELECT ocpp_transaction_id FROM transactions WHERE id = ?').bind(named!.id).first()).toEqual({ ocpp_transaction_id: String(named!.id) });
    // Running it again on the migrated table changes nothing.
    await migrateFrom0024();
    expect(await schemaOf()).toEqual(afterSchema);
    expect(await snapshot()).toEqual(migrated);
  });
});
