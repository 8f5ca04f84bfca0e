// Counts what a Durable Object's storage bills (SQLite rows read and written, key-value rows,
// setAlarm/deleteAlarm) into isolateStats, by patching the object's `ctx.storage` in place once
// at construction, so that every helper handed `ctx.storage` or `ctx.storage.sql` is counted
// without changing how it is written.

import { isolateStats, markIsolateStarted, noteDoStorageBytes } from './isolate-stats';

/** The object's SQLite size is read again at most this often (it costs a storage call). */
const SIZE_REFRESH_MS = 1_000;

const patched = new WeakSet<object>();

/**
 * Makes `ctx.storage` count its billed operations (see isolateStats), and counts the object's
 * construction under `kind`. Behaves exactly like the original storage otherwise.
 */
export function countStorage(ctx: DurableObjectState, kind: 'charger' | 'fleetWriter'): void {
  markIsolateStarted();
  if (kind === 'fleetWriter') isolateStats.fleetWriterObjectsConstructed += 1;
  const storage = ctx.storage;
  if (patched.has(storage)) return;
  patched.add(storage);
  const objectId = ctx.id.toString();
  const sql = storage.sql;
  let sizeReadAt = -Infinity;
  const wrote = () => {
    const now = Date.now();
    if (now - sizeReadAt < SIZE_REFRESH_MS) return;
    sizeReadAt = now;
    noteDoStorageBytes(objectId, sql.databaseSize);
  };
  const countedSql = countingSql(sql, wrote);
  const define = (name: string, value: unknown) => Object.defineProperty(storage, name, { value, configurable: true, writable: true });
  define('sql', countedSql);

  const setAlarm = storage.setAlarm.bind(storage);
  define('setAlarm', (...args: Parameters<DurableObjectStorage['setAlarm']>) => {
    isolateStats.doAlarmsSet += 1;
    return setAlarm(...args);
  });
  const deleteAlarm = storage.deleteAlarm.bind(storage);
  define('deleteAlarm', (...args: Parameters<DurableObjectStorage['deleteAlarm']>) => {
    isolateStats.doAlarmsDeleted += 1;
    return deleteAlarm(...args);
  });

  // The key-value API keeps its pairs in a SQLite table (__cf_kv): a key read or written is a row.
  const keys = (first: unknown) => (Array.isArray(first) ? first.length : 1);
  const get = storage.get.bind(storage) as (...args: unknown[]) => Promise<unknown>;
  define('get', (...args: unknown[]) => {
    isolateStats.doKvRowsRead += keys(args[0]);
    return get(...args);
  });
  const put = storage.put.bind(storage) as (...args: unknown[]) => Promise<void>;
  define('put', (...args: unknown[]) => {
    isolateStats.doKvRowsWritten += typeof args[0] === 'string' ? 1 : Object.keys(args[0] as object).length;
    wrote();
    return put(...args);
  });
  const del = storage.delete.bind(storage) as (...args: unknown[]) => Promise<unknown>;
  define('delete', (...args: unknown[]) => {
    isolateStats.doKvRowsWritten += keys(args[0]);
    return del(...args);
  });
  const list = storage.list.bind(storage) as (...args: unknown[]) => Promise<Map<string, unknown>>;
  define('list', async (...args: unknown[]) => {
    const found = await list(...args);
    isolateStats.doKvRowsRead += found.size;
    return found;
  });
}

/**
 * `sql` whose cursors add the rows they read and write to isolateStats as they go: a write
 * without RETURNING has its count when exec returns, a query's grows as its rows are taken
 * (toArray, one, next, iteration, raw), so each step adds what it added.
 */
export function countingSql(sql: SqlStorage, wrote: () => void = () => {}): SqlStorage {
  const exec = sql.exec.bind(sql);
  // Made once: every statement of the object goes through it.
  const countedExec = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
    const cursor = exec<T>(query, ...bindings);
    return isEmulatorBookkeeping(query) ? cursor : new CountingCursor(cursor, wrote);
  };
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === 'exec') return countedExec;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Statements the local emulator runs through the object's own storage, which Cloudflare does not:
 * miniflare's Durable Object wrapper (wrangler dev, the vitest pool) records a named object's
 * name in `__miniflare_do_name` at every construction, a row written per wake from hibernation.
 * Counting it would bill every wake a row that deployed objects never write.
 */
export function isEmulatorBookkeeping(query: string): boolean {
  return query.includes('__miniflare_');
}

/**
 * A cursor that adds what it read and wrote to isolateStats after each step. A plain class
 * rather than a Proxy: it wraps every statement the objects run, and a Proxy's traps (and a bound
 * function per property read) cost more than the statement's own bookkeeping should.
 */
class CountingCursor<T extends Record<string, SqlStorageValue>> implements SqlStorageCursor<T> {
  private read = 0;
  private written = 0;

  constructor(
    private readonly cursor: SqlStorageCursor<T>,
    private readonly wrote: () => void,
  ) {
    this.sync();
  }

  get columnNames(): string[] {
    return this.cursor.columnNames;
  }

  get rowsRead(): number {
    return this.cursor.rowsRead;
  }

  get rowsWritten(): number {
    return this.cursor.rowsWritten;
  }

  next(): IteratorResult<T, undefined> {
    try {
      return this.cursor.next();
    } finally {
      this.sync();
    }
  }

  toArray(): T[] {
    try {
      return this.cursor.toArray();
    } finally {
      this.sync();
    }
  }

  one(): T {
    try {
      return this.cursor.one();
    } finally {
      this.sync();
    }
  }

  raw<U extends SqlStorageValue[]>(): IterableIterator<U> {
    const iterator = this.cursor.raw<U>();
    const next = (): IteratorResult<U> => {
      try {
        return iterator.next();
      } finally {
        this.sync();
      }
    };
    const counted = { next, [Symbol.iterator]: () => counted, toArray: () => Array.from(counted) };
    return counted;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }

  /** Adds the rows read and written since the last step. */
  private sync(): void {
    const r = this.cursor.rowsRead;
    const w = this.cursor.rowsWritten;
    isolateStats.doSqlRowsRead += r - this.read;
    if (w !== this.written) {
      isolateStats.doSqlRowsWritten += w - this.written;
      this.wrote();
    }
    this.read = r;
    this.written = w;
  }
}
