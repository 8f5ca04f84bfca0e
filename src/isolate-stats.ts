// What this isolate has done since it started: D1 statements and rows, Durable Object requests,
// storage rows and alarms, R2 operations on the archive bucket, and charger objects constructed.
//
// Counted per isolate, not per fleet. `wrangler dev` runs the Worker and all its Durable Objects
// in one isolate, so locally these are whole-system figures: the benchmark reads them to count
// D1 statements per 1,000 messages, to price a charger-month from the counts Cloudflare bills
// (bench/lib/cost.mjs), and to see whether idle charger objects sleep (an object that wakes
// from hibernation is constructed again). Deployed, each isolate has its own counts.

/** Each Durable Object's SQLite size (bytes) as last seen by counting-storage.ts, by object id. */
const doStorageBytesByObject = new Map<string, number>();

/**
 * The Worker's own D1 use (the API's requests, the WebSocket upgrade's checks, the archive), apart
 * from the objects': what an open console's reads cost, measured by the bench's console part.
 */
export const workerD1 = { statements: 0, rowsRead: 0, rowsWritten: 0 };

export const isolateStats = {
  /** When this isolate first served something (clocks are frozen while a module loads). */
  startedAt: null as string | null,
  /** Statements run through countingD1 anywhere in this isolate. */
  d1Statements: 0,
  /** D1 rows read and written as D1 reports them (meta.rows_read / rows_written: index entries count). */
  d1RowsRead: 0,
  d1RowsWritten: 0,
  /** The D1 database's size in bytes after the last statement that reported it (meta.size_after). */
  d1DatabaseBytes: 0,
  /** Of those, the Worker's own (workerD1): API requests, not charger objects, the FleetWriter or the hub. */
  get workerD1Statements(): number {
    return workerD1.statements;
  },
  get workerD1RowsRead(): number {
    return workerD1.rowsRead;
  },
  get workerD1RowsWritten(): number {
    return workerD1.rowsWritten;
  },
  /** ChargerSession constructions: first use, and every wake-up from hibernation or eviction. */
  chargerObjectsConstructed: 0,
  /** FleetWriter constructions, the same way. */
  fleetWriterObjectsConstructed: 0,
  /** Billed Durable Object requests, by kind: WebSocket messages received (billed 20:1), alarms run, RPC and fetch calls. */
  chargerWebSocketMessages: 0,
  chargerAlarms: 0,
  /** Calls into a ChargerSession through its stub from the Worker (the WebSocket upgrade's fetch and API RPCs). */
  chargerRpcCalls: 0,
  fleetWriterRpcCalls: 0,
  fleetWriterAlarms: 0,
  /** Durable Object SQLite rows, as the cursors report them (SqlStorageCursor.rowsRead / rowsWritten). */
  doSqlRowsRead: 0,
  doSqlRowsWritten: 0,
  /** Keys read and written (put or deleted) through the key-value API, stored as SQLite rows too. */
  doKvRowsRead: 0,
  doKvRowsWritten: 0,
  /** setAlarm and deleteAlarm calls: each is billed as a row written. */
  doAlarmsSet: 0,
  doAlarmsDeleted: 0,
  /** The live console feed (src/live): ConsoleHub constructions (first use, and every wake from hibernation). */
  consoleHubObjectsConstructed: 0,
  /** Billed requests to the ConsoleHub: socket upgrades and charger objects' publishes. */
  consoleHubRequests: 0,
  /** Messages consoles sent the hub (watch, unwatch) that woke it; pings are answered without waking it and are not counted. */
  consoleWebSocketMessages: 0,
  /** Fleet messages (connections, boots, statuses, transactions) charger objects handed the hub. */
  liveFleetMessages: 0,
  /** Detail messages (journal frames, meter values, command outcomes) charger objects handed the hub: none from an unwatched charger. */
  liveDetailMessages: 0,
  /** Frames the hub sent to console sockets. */
  liveFramesSent: 0,
  /** Watch renewals the hub passed to charger objects (each a billed request to that object). */
  liveWatchCalls: 0,
  /** Publishes to the hub that failed (logged and dropped: a console re-reads on reconnect). */
  livePublishFailures: 0,
  /** Operations on the ARCHIVE R2 bucket (store/counting-r2.ts): put and list are billed Class A, get and head Class B, delete is free. */
  r2Puts: 0,
  r2Gets: 0,
  r2Heads: 0,
  r2Lists: 0,
  /** Keys deleted. */
  r2Deletes: 0,
  /** Sizes of the objects put, summed (bytes). */
  r2BytesPut: 0,
  /** Every Durable Object's SQLite size seen by this isolate, summed (bytes). */
  get doStorageBytes(): number {
    let sum = 0;
    for (const bytes of doStorageBytesByObject.values()) sum += bytes;
    return sum;
  },
  /** Durable Objects whose size is in doStorageBytes. */
  get doObjectsSized(): number {
    return doStorageBytesByObject.size;
  },
  /** PBKDF2 derivations (password hashing and checking): the upgrade's CPU cost, and proof refusals cost the same. */
  pbkdf2Runs: 0,
  /** Schema version checks by Durable Objects (one per construction: see durable-schema.ts). */
  schemaChecks: 0,
  /** Schema migrations Durable Objects ran (DDL and data moves): none once an object's schema is current. */
  schemaMigrations: 0,
  /** New Durable Objects given their current schema in one step instead of the migration history. */
  schemaCreates: 0,
  /** Statements those migrations and creations ran. */
  schemaStatements: 0,
};

/** Notes a Durable Object's current SQLite size. */
export function noteDoStorageBytes(objectId: string, bytes: number): void {
  doStorageBytesByObject.set(objectId, bytes);
}

/** Notes the isolate's start on its first request or object construction. */
export function markIsolateStarted(): void {
  isolateStats.startedAt ??= new Date().toISOString();
}
