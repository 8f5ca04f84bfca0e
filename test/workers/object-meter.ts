// Counts what a charger's Durable Object writes to its own storage, as Cloudflare bills it: rows
// written by its SQL statements (SqlStorageCursor.rowsWritten), key-value puts and deletes, and
// alarms set or deleted (each billed as a row written).
import { runInDurableObject } from 'cloudflare:test';

export interface ObjectWrites {
  /** Rows written by SQL statements. */
  sqlRows: number;
  /** SQL statements run. */
  statements: number;
  /** Key-value pairs put or deleted. */
  kvRows: number;
  /** setAlarm and deleteAlarm calls. */
  alarms: number;
}

/** Total rows written, as billed. */
export function billedRows(w: ObjectWrites): number {
  return w.sqlRows + w.kvRows + w.alarms;
}

const meters = new WeakMap<DurableObjectStorage, { cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[]; tally: ObjectWrites }>();

/**
 * Starts counting the object's writes (the instance running now; an eviction ends it). Returns
 * a function that reads what was written since.
 */
export async function meterObject(stub: DurableObjectStub): Promise<() => Promise<ObjectWrites>> {
  await runInDurableObject(stub, (_instance, state) => {
    const storage = state.storage;
    if (meters.has(storage)) {
      const m = meters.get(storage)!;
      m.cursors = [];
      m.tally = { sqlRows: 0, statements: 0, kvRows: 0, alarms: 0 };
      return;
    }
    const m = { cursors: [] as SqlStorageCursor<Record<string, SqlStorageValue>>[], tally: { sqlRows: 0, statements: 0, kvRows: 0, alarms: 0 } };
    meters.set(storage, m);
    const sql = storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...(bindings as SqlStorageValue[]));
      m.tally.statements += 1;
      m.cursors.push(cursor as SqlStorageCursor<Record<string, SqlStorageValue>>);
      return cursor;
    }) as typeof sql.exec;
    const put = storage.put.bind(storage) as (...args: unknown[]) => Promise<void>;
    storage.put = ((keyOrEntries: unknown, ...rest: unknown[]) => {
      m.tally.kvRows += typeof keyOrEntries === 'string' ? 1 : Object.keys(keyOrEntries as object).length;
      return put(keyOrEntries, ...rest);
    }) as typeof storage.put;
    const del = storage.delete.bind(storage) as (...args: unknown[]) => Promise<unknown>;
    storage.delete = ((keys: unknown, ...rest: unknown[]) => {
      m.tally.kvRows += Array.isArray(keys) ? keys.length : 1;
      return del(keys, ...rest);
    }) as typeof storage.delete;
    const setAlarm = storage.setAlarm.bind(storage);
    storage.setAlarm = ((...args: Parameters<typeof storage.setAlarm>) => {
      m.tally.alarms += 1;
      return setAlarm(...args);
    }) as typeof storage.setAlarm;
    const deleteAlarm = storage.deleteAlarm.bind(storage);
    storage.deleteAlarm = ((...args: Parameters<typeof storage.deleteAlarm>) => {
      m.tally.alarms += 1;
      return deleteAlarm(...args);
    }) as typeof storage.deleteAlarm;
  });
  return () =>
    runInDurableObject(stub, (_instance, state) => {
      const m = meters.get(state.storage);
      if (!m) throw new Error('the object was evicted since metering started');
      let sqlRows = 0;
      for (const cursor of m.cursors) sqlRows += cursor.rowsWritten;
      return { ...m.tally, sqlRows };
    });
}
