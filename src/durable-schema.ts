// Versioned schemas for Durable Objects' own SQLite: ordered migrations, and one version check per construction.
//
// An object is constructed on first use and again on every wake from hibernation or eviction.
// Running its DDL each time (even `CREATE TABLE IF NOT EXISTS`) costs statements and CPU on the
// path of the frame that woke it, so the schema version is kept in a one-row table and read once;
// migrations run only when it is older than the code's. PRAGMA user_version would be cheaper
// still, but a Durable Object's SQLite refuses it (SQLITE_AUTH).

import { isolateStats } from './isolate-stats';

/** One step from version `index` to `index + 1`. Runs inside the object's implicit transaction: all or nothing. */
export type Migration = (sql: SqlStorage) => void;

/** The stored schema version: 0 for an object that never recorded one (new, or made by code before versions). */
export function schemaVersion(sql: SqlStorage): number {
  isolateStats.schemaChecks += 1;
  try {
    return sql.exec<{ version: number }>('SELECT version FROM schema_version').one().version;
  } catch {
    // No such table (or no row): version 0. A new object and one from before versions both start here.
    return 0;
  }
}

/**
 * Brings the object's schema to `migrations.length`: one read when it is current; otherwise the
 * missing steps in order, and the new version, written together (the object's storage commits
 * synchronous writes as one transaction). A new object (no tables at all) is given the current
 * schema by `createCurrent` in one step when there is one: replaying the history would create
 * tables only to rebuild them, each step billed in rows. Returns the version found.
 */
export function migrateSchema(sql: SqlStorage, migrations: readonly Migration[], createCurrent?: Migration): number {
  const found = schemaVersion(sql);
  if (found >= migrations.length) return found;
  const counted = countingSql(sql);
  if (found === 0 && createCurrent && !hasOwnTables(sql)) {
    createCurrent(counted);
    isolateStats.schemaCreates += 1;
  } else {
    for (let version = found; version < migrations.length; version++) {
      migrations[version]!(counted);
      isolateStats.schemaMigrations += 1;
    }
  }
  counted.exec('CREATE TABLE IF NOT EXISTS schema_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)');
  counted.exec(
    'INSERT INTO schema_version (one, version) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET version = excluded.version',
    migrations.length,
  );
  return found;
}

/**
 * Whether the object has any table of its own: version 0 is both a new object and one made
 * before versions, and only the first may skip the history. The runtime's own tables do not
 * count: SQLite's (sqlite_*), the key-value API's (_cf_*), and the table the local emulator
 * keeps a named object's name in (__miniflare_*), which deployed objects do not have. A table
 * of any other name, even one no migration knows, sends the object through the history.
 */
function hasOwnTables(sql: SqlStorage): boolean {
  return (
    sql
      .exec(
        `SELECT 1 FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name NOT LIKE '!_cf!_%' ESCAPE '!'
           AND name NOT LIKE '!_!_miniflare!_%' ESCAPE '!' LIMIT 1`,
      )
      .toArray().length > 0
  );
}

/** The same storage, each statement counted in isolateStats.schemaStatements. */
function countingSql(sql: SqlStorage): SqlStorage {
  return new Proxy(sql, {
    get(target, key) {
      if (key === 'exec') {
        return (query: string, ...bindings: SqlStorageValue[]) => {
          isolateStats.schemaStatements += 1;
          return target.exec(query, ...bindings);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Rebuilds `table` with `create` (a CREATE TABLE for `<table>_rebuilt` … as `table`'s new form),
 * keeping its rows: SQLite cannot drop AUTOINCREMENT or change a key in place. `columns` are
 * copied by name, each from the expression at its place in `from` (by default the same name).
 */
export function rebuildTable(sql: SqlStorage, table: string, create: string, columns: readonly string[], from = columns): void {
  sql.exec(create.replace(`CREATE TABLE ${table} `, `CREATE TABLE ${table}_rebuilt `));
  sql.exec(`INSERT INTO ${table}_rebuilt (${columns.join(', ')}) SELECT ${from.join(', ')} FROM ${table}`);
  sql.exec(`DROP TABLE ${table}`);
  sql.exec(`ALTER TABLE ${table}_rebuilt RENAME TO ${table}`);
}
