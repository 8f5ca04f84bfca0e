// Counts what a charger's Durable Object writes to its own storage, as Cloudflare bills it: rows
// written by its SQL statements (SqlStorageCursor.rowsWritten), key-value puts and deletes, and
// alarms set or deleted (each billed as a row written).
import { runInDurableObject } from 'cloudflare:test';
import { isolateStats } from '../../src/isolate-stats';

export interface ObjectWrites {
  /** Rows written by SQL statements. */
  sqlRows: number;
  /** SQL statements run (not counted: 0). */
  statements: number;
  /** Key-value pairs put or deleted. */
  kvRows: number;
  /** setAlarm and deleteAlarm calls. */
  alarms: number;
  /** setAlarm calls alone (the test harness deletes an alarm before running it; the runtime bills no such call). */
  alarmsSet: number;
}

/** Total rows written, as billed. */
export function billedRows(w: ObjectWrites): number {
  return w.sqlRows + w.kvRows + w.alarms;
}

/**
 * Starts counting what objects write, through the CSMS's own counters (src/counting-storage.ts
 * patches every object's storage at construction; see isolateStats). Returns a function that
 * reads what was written since. The counters are the isolate's: measure while only the object
 * under test works (tests in a file run one at a time; other objects' alarms are minutes away).
 */
export async function meterObject(stub: DurableObjectStub): Promise<() => Promise<ObjectWrites>> {
  const snapshot = () =>
    runInDurableObject(stub, () => ({
      sqlRows: isolateStats.doSqlRowsWritten,
      statements: 0,
      kvRows: isolateStats.doKvRowsWritten,
      alarms: isolateStats.doAlarmsSet + isolateStats.doAlarmsDeleted,
      alarmsSet: isolateStats.doAlarmsSet,
    }));
  const base = await snapshot();
  return async () => {
    const now = await snapshot();
    return {
      sqlRows: now.sqlRows - base.sqlRows,
      statements: 0,
      kvRows: now.kvRows - base.kvRows,
      alarms: now.alarms - base.alarms,
      alarmsSet: now.alarmsSet - base.alarmsSet,
    };
  };
}
