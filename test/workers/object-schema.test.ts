// The charger object's schema (src/charger/schema.ts): objects made before schema versions are
// carried forward with their data, and a wake-up of a current object runs no DDL.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import { CHARGER_MIGRATIONS } from '../../src/charger/schema';
import { migrateSchema } from '../../src/durable-schema';
import { FLEET_WRITER_MIGRATIONS } from '../../src/fleet/outbox';
import { api, uniqueChargerId } from './helpers';

const SECRET_HEX = '4F4C442D5345435245542D3132333435';

/** The tables the charger object kept before schema versions, as its code created them then. */
const UNVERSIONED_DDL = [
  'CREATE TABLE IF NOT EXISTS due_work (task TEXT PRIMARY KEY, due_at INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS transaction_ends (transaction_id TEXT PRIMARY KEY)',
  `CREATE TABLE IF NOT EXISTS remote_starts (request_id INTEGER PRIMARY KEY AUTOINCREMENT, id_tag TEXT NOT NULL COLLATE NOCASE,
    token_type TEXT NOT NULL, remote_start_id INTEGER, evse_id INTEGER, connector_id INTEGER, sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, refused INTEGER NOT NULL DEFAULT 0, used_by TEXT)`,
  'CREATE TABLE IF NOT EXISTS transaction_locations (transaction_id TEXT PRIMARY KEY, evse_id INTEGER NOT NULL, connector_id INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS transaction_ids (start_key TEXT PRIMARY KEY, transaction_id INTEGER NOT NULL UNIQUE)',
  'CREATE TABLE IF NOT EXISTS transaction_id_counter (one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS transaction_running (transaction_id INTEGER PRIMARY KEY, connector_id INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS transaction_running_seeded (one INTEGER PRIMARY KEY CHECK (one = 1))',
  'CREATE TABLE IF NOT EXISTS id_tag_cache (id_tag TEXT PRIMARY KEY COLLATE NOCASE, record TEXT, fetched_at INTEGER NOT NULL)',
  `CREATE TABLE IF NOT EXISTS queued_commands (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, action TEXT NOT NULL,
    payload TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, sent_at INTEGER,
    finished_at INTEGER, result TEXT, error TEXT)`,
  'CREATE TABLE IF NOT EXISTS generated_commands (command_id TEXT PRIMARY KEY, slot TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS queued_commands_meta (name TEXT PRIMARY KEY)',
  `CREATE TABLE IF NOT EXISTS active_tokens (transaction_id TEXT PRIMARY KEY, id_tag TEXT NOT NULL COLLATE NOCASE, evse_id INTEGER NOT NULL,
    connector_id INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0, since INTEGER NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS active_tokens_seeded (one INTEGER PRIMARY KEY CHECK (one = 1))',
  'CREATE TABLE IF NOT EXISTS evse_transactions_201 (transaction_id TEXT PRIMARY KEY, evse_id INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0)',
  'CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, direction TEXT NOT NULL, text TEXT NOT NULL, truncated INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS journal_write_only (component TEXT NOT NULL, variable TEXT NOT NULL, PRIMARY KEY (component, variable))',
  'CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY)',
  'CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, charger_id TEXT NOT NULL, kind TEXT NOT NULL, fact TEXT NOT NULL, created_at INTEGER NOT NULL)',
];

/** Replaces the object's tables with an unversioned object's, holding some of everything. */
function makeUnversioned(sql: SqlStorage, chargerId: string): void {
  const tables = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
  for (const ddl of UNVERSIONED_DDL) sql.exec(ddl);
  const now = Date.now();
  // Frames from before redaction (no marker in journal_meta), and ordinary ones.
  sql.exec('INSERT INTO journal (at, direction, text, truncated) VALUES (?, ?, ?, 0)', now - 3, 'in', '[2,"old-a","Heartbeat",{}]');
  sql.exec(
    'INSERT INTO journal (at, direction, text, truncated) VALUES (?, ?, ?, 0)',
    now - 2,
    'out',
    JSON.stringify([2, 'old-b', 'ChangeConfiguration', { key: 'AuthorizationKey', value: SECRET_HEX }]),
  );
  sql.exec('INSERT INTO journal (at, direction, text, truncated) VALUES (?, ?, ?, 0)', now - 1, 'in', '[3,"old-b",{"status":"Accepted"}]');
  sql.exec(
    "INSERT INTO outbox (charger_id, kind, fact, created_at) VALUES (?, 'connection', ?, ?)",
    chargerId,
    JSON.stringify({ at: new Date(now).toISOString(), event: 'online' }),
    now,
  );
  sql.exec(
    `INSERT INTO queued_commands (id, action, payload, status, created_at, expires_at, finished_at, result) VALUES (?, 'ChangeConfiguration', ?, 'succeeded', ?, ?, ?, ?)`,
    `${chargerId}~cmd`,
    JSON.stringify({ key: 'AuthorizationKey', value: SECRET_HEX }),
    now,
    now + 3600_000,
    now,
    JSON.stringify({ status: 'Accepted' }),
  );
  // A retry of D1's copy of a disconnection, due in a day (carried into version 4's due_work).
  sql.exec("INSERT INTO due_work (task, due_at) VALUES ('record-offline', ?)", now + 86_400_000);
  sql.exec("INSERT INTO transaction_ids (start_key, transaction_id) VALUES ('k1', 41)");
  sql.exec("INSERT INTO transaction_ids (start_key, transaction_id) VALUES ('k0', 39)");
  sql.exec('INSERT INTO transaction_id_counter (one, last_id) VALUES (1, 41)');
  // 41 runs on connector 2; 39 was abandoned (its key kept, not running); 40 runs with no key kept.
  sql.exec('INSERT INTO transaction_running (transaction_id, connector_id) VALUES (41, 2), (40, 3)');
  sql.exec("INSERT INTO transaction_locations (transaction_id, evse_id, connector_id) VALUES ('41', 0, 2)");
  sql.exec("INSERT INTO id_tag_cache (id_tag, record, fetched_at) VALUES ('OLD-TAG', '[]', ?)", now);
  // Tables ordered by rowid: their order is kept as n (the later row first in key order, so the rowid decides).
  sql.exec("INSERT INTO active_tokens (transaction_id, id_tag, evse_id, connector_id, ended, since) VALUES ('B', 'T1', 0, 1, 1, 5), ('A', 'T2', 0, 2, 0, 6)");
  sql.exec("INSERT INTO evse_transactions_201 (transaction_id, evse_id, ended) VALUES ('Y', 1, 1), ('X', 1, 0)");
  sql.exec("INSERT INTO transaction_ends (transaction_id) VALUES ('E2'), ('E1')");
  // The table remote starts were kept in before remote_starts, carried over once.
  sql.exec('CREATE TABLE remote_start_links (remote_start_id INTEGER PRIMARY KEY, id_token TEXT NOT NULL, sent_at INTEGER NOT NULL)');
  sql.exec('INSERT INTO remote_start_links VALUES (?, ?, ?)', 77, 'OLD-LINKED-TOKEN', now);
}

/** The runtime's own tables (the key-value API's, the local emulator's): not the object's schema. */
const RUNTIME_TABLES = "name NOT LIKE '!_cf!_%' ESCAPE '!' AND name NOT LIKE '!_!_miniflare!_%' ESCAPE '!'";

/**
 * The object's schema as sqlite_master has it: every table and index (SQLite's automatic ones for
 * keys and UNIQUE included) with its CREATE text, spaced and quoted alike (a rebuilt table's text
 * says "journal" where a created one says journal). sqlite_sequence is left out: SQLite's own
 * table for AUTOINCREMENT counters, which stays, empty, in an object that once had one.
 */
function schemaOf(sql: SqlStorage): Array<{ type: string; name: string; table: string; sql: string | null }> {
  return sql
    .exec<{ type: string; name: string; tbl_name: string; sql: string | null }>(
      `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'sqlite_sequence' AND ${RUNTIME_TABLES} ORDER BY type, name`,
    )
    .toArray()
    .map((r) => ({
      type: r.type,
      name: r.name,
      table: r.tbl_name,
      sql: r.sql === null ? null : r.sql.replaceAll('"', '').replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*\)\s*/g, ')').replace(/\s*,\s*/g, ', ').trim(),
    }));
}

/** Drops every table of the object's own: it is then as a new object is, the runtime's tables aside. */
function dropOwnTables(sql: SqlStorage): void {
  const tables = sql
    .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND ${RUNTIME_TABLES}`)
    .toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
}

describe("the charger object's schema", () => {
  it('gives a new object the schema its migrations end with, in one step that writes a fraction of the rows', async () => {
    // An object made before schema versions, migrated through every step on its next construction.
    const migratedStub = env.CHARGERS.getByName(uniqueChargerId('SCHEMA'));
    await runInDurableObject(migratedStub, (_instance, state) => makeUnversioned(state.storage.sql, 'SCHEMA-OLD'));
    await evictDurableObject(migratedStub);
    const migrationsBefore = isolateStats.schemaMigrations;
    const migrated = await runInDurableObject(migratedStub, (_instance, state) => schemaOf(state.storage.sql));
    expect(isolateStats.schemaMigrations - migrationsBefore).toBe(CHARGER_MIGRATIONS.length);

    // The whole history run on an empty object: what every new object paid before.
    const historyStub = env.CHARGERS.getByName(uniqueChargerId('SCHEMA'));
    const history = await runInDurableObject(historyStub, (_instance, state) => {
      const sql = state.storage.sql;
      dropOwnTables(sql);
      const before = isolateStats.doSqlRowsWritten;
      migrateSchema(sql, CHARGER_MIGRATIONS);
      return { rows: isolateStats.doSqlRowsWritten - before, schema: schemaOf(sql) };
    });

    // A new object: its construction creates the current schema at once.
    const before = { ...isolateStats };
    const fresh = await runInDurableObject(env.CHARGERS.getByName(uniqueChargerId('SCHEMA')), (_instance, state) => ({
      schema: schemaOf(state.storage.sql),
      version: state.storage.sql.exec<{ version: number }>('SELECT version FROM schema_version').one().version,
    }));
    const freshRows = isolateStats.doSqlRowsWritten - before.doSqlRowsWritten;
    expect(isolateStats.chargerObjectsConstructed - before.chargerObjectsConstructed).toBe(1);
    expect(isolateStats.schemaCreates - before.schemaCreates).toBe(1);
    expect(isolateStats.schemaMigrations - before.schemaMigrations).toBe(0);
    expect(fresh.version).toBe(CHARGER_MIGRATIONS.length);

    expect(fresh.schema.filter((t) => t.type === 'table').length).toBeGreaterThan(10);
    expect(fresh.schema).toEqual(migrated);
    expect(fresh.schema).toEqual(history.schema);
    // The whole construction, not only its DDL, against the history's DDL alone.
    expect(freshRows).toBeGreaterThan(0);
    expect(freshRows * 2).toBeLessThan(history.rows);
  });

  it("gives a new FleetWriter its migrations' schema in one step", async () => {
    const before = isolateStats.schemaCreates;
    const fresh = await runInDurableObject(env.FLEET_WRITERS.getByName(uniqueChargerId('WRITER-SCHEMA')), (_instance, state) =>
      schemaOf(state.storage.sql),
    );
    expect(isolateStats.schemaCreates - before).toBe(1);
    const history = await runInDurableObject(env.FLEET_WRITERS.getByName(uniqueChargerId('WRITER-SCHEMA')), (_instance, state) => {
      dropOwnTables(state.storage.sql);
      migrateSchema(state.storage.sql, FLEET_WRITER_MIGRATIONS);
      return schemaOf(state.storage.sql);
    });
    expect(fresh.map((t) => t.name)).toContain('outbox');
    expect(fresh).toEqual(history);
  });

  it('carries an object made before schema versions forward: its data kept, its one-time redactions run, AUTOINCREMENT gone', async () => {
    const id = uniqueChargerId('SCHEMA');
    const stub = env.CHARGERS.getByName(id);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.put('chargerId', id);
      makeUnversioned(state.storage.sql, id);
    });
    await evictDurableObject(stub);

    // The next construction migrates it.
    const migrationsBefore = isolateStats.schemaMigrations;
    const stored = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      return {
        version: sql.exec<{ version: number }>('SELECT version FROM schema_version').one().version,
        tables: sql
          .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
          .toArray(),
        journal: sql.exec<{ seq: number; text: string }>('SELECT seq, text FROM journal ORDER BY seq').toArray(),
        commands: sql.exec<{ payload: string }>('SELECT payload FROM queued_commands').toArray(),
        remoteStarts: sql.exec<{ id_tag: string; remote_start_id: number }>('SELECT id_tag, remote_start_id FROM remote_starts').toArray(),
        counter: sql.exec<{ last_id: number }>('SELECT last_id FROM transaction_id_counter').one().last_id,
        ids: sql.exec('SELECT start_key, transaction_id, connector_id, running FROM transaction_ids ORDER BY transaction_id').toArray(),
        locations: sql.exec('SELECT transaction_id, evse_id, connector_id FROM transaction_locations').toArray(),
        tags: sql.exec('SELECT id_tag, record FROM id_tag_cache').toArray(),
        tokens: sql.exec('SELECT transaction_id, id_tag, evse_id, connector_id, ended, since, n FROM active_tokens ORDER BY n').toArray(),
        evses: sql.exec('SELECT transaction_id, evse_id, ended, n FROM evse_transactions_201 ORDER BY n').toArray(),
        ends: sql.exec('SELECT transaction_id, n FROM transaction_ends ORDER BY n').toArray(),
        due: sql.exec('SELECT task FROM due_work').toArray(),
      };
    });
    expect(isolateStats.schemaMigrations - migrationsBefore).toBe(CHARGER_MIGRATIONS.length);
    expect(stored.version).toBe(CHARGER_MIGRATIONS.length);
    const names = stored.tables.map((t) => t.name);
    expect(names).not.toContain('journal_meta');
    expect(names).not.toContain('queued_commands_meta');
    expect(names).not.toContain('remote_start_links');
    expect(stored.tables.filter((t) => /AUTOINCREMENT/i.test(t.sql)).map((t) => t.name)).toEqual([]);
    // The frames, in order, the secret redacted.
    expect(stored.journal.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(stored.journal[1]!.text).toContain('old-b');
    expect(JSON.stringify(stored)).not.toContain(SECRET_HEX);
    expect(stored.commands).toHaveLength(1);
    expect(stored.remoteStarts).toEqual([{ id_tag: 'OLD-LINKED-TOKEN', remote_start_id: 77 }]);
    expect(stored.counter).toBe(41);
    // Keys and running transactions in one table (version 3), each as it was.
    expect(stored.ids).toEqual([
      { start_key: 'k0', transaction_id: 39, connector_id: 0, running: 0 },
      { start_key: '#40', transaction_id: 40, connector_id: 3, running: 1 },
      { start_key: 'k1', transaction_id: 41, connector_id: 2, running: 1 },
    ]);
    expect(names).not.toContain('transaction_running');
    expect(stored.locations).toEqual([{ transaction_id: '41', evse_id: 0, connector_id: 2 }]);
    expect(stored.tags).toEqual([{ id_tag: 'OLD-TAG', record: '[]' }]);
    expect(stored.tokens).toEqual([
      { transaction_id: 'B', id_tag: 'T1', evse_id: 0, connector_id: 1, ended: 1, since: 5, n: 1 },
      { transaction_id: 'A', id_tag: 'T2', evse_id: 0, connector_id: 2, ended: 0, since: 6, n: 2 },
    ]);
    expect(stored.evses).toEqual([
      { transaction_id: 'Y', evse_id: 1, ended: 1, n: 1 },
      { transaction_id: 'X', evse_id: 1, ended: 0, n: 2 },
    ]);
    expect(stored.ends).toEqual([
      { transaction_id: 'E2', n: 1 },
      { transaction_id: 'E1', n: 2 },
    ]);
    expect(stored.tables.filter((t) => ['active_tokens', 'evse_transactions_201', 'transaction_ends', 'transaction_ids', 'transaction_locations', 'id_tag_cache', 'due_work'].includes(t.name) && !/WITHOUT ROWID/i.test(t.sql))).toEqual([]);
    // due_work (version 4) keeps its rows.
    expect(stored.due).toEqual([{ task: 'record-offline' }]);

    // The outbox entry is still handed over, and the journal still read through the API.
    expect(await stub.stats()).toMatchObject({ outboxEntries: 1 });
    expect(await stub.handOver()).toMatchObject({ outboxEntries: 0 });
    const now = new Date().toISOString();
    await env.DB.prepare("INSERT INTO chargers (id, protocol, connected, created_at, updated_at) VALUES (?, 'ocpp1.6', 0, ?, ?)").bind(id, now, now).run();
    const res = await api('GET', `/chargers/${id}/messages?limit=1`);
    expect(res.status).toBe(200);
    const { messages } = (await res.json()) as { messages: Array<{ messageId: string; action: string }> };
    expect(messages).toEqual([expect.objectContaining({ messageId: 'old-b', action: 'ChangeConfiguration' })]);
  });

  it('runs no DDL when a current object wakes: one version read', async () => {
    const stub = env.CHARGERS.getByName(uniqueChargerId('SCHEMA'));
    // First use: the object is made and its schema created.
    await runInDurableObject(stub, () => undefined);
    await evictDurableObject(stub);
    const before = { ...isolateStats };
    await runInDurableObject(stub, (instance) => expect(instance).toBeDefined());
    expect(isolateStats.chargerObjectsConstructed - before.chargerObjectsConstructed).toBe(1);
    expect(isolateStats.schemaChecks - before.schemaChecks).toBe(1);
    expect(isolateStats.schemaMigrations - before.schemaMigrations).toBe(0);
    expect(isolateStats.schemaStatements - before.schemaStatements).toBe(0);
  });
});
