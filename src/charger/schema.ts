// The charger object's own SQLite schema, as numbered migrations checked once per construction.
//
// Every table the object keeps is created here, not by the module that uses it: the object is
// constructed on every wake from hibernation, and one version read (durable-schema.ts) replaces
// the dozen CREATE TABLE IF NOT EXISTS and one-time checks it used to run each time. A migration
// is never edited once released: a change is a new one at the end.

import { migrateSchema, rebuildTable, type Migration } from '../durable-schema';
import { createOutboxTable, rebuildOutboxTable } from '../fleet/outbox';
import { redactFinishedCommands } from './command-queue';
import { redactStoredFrames } from './journal';
import { carryOverRemoteStartTables } from './remote-starts';

/**
 * Version 1: the schema as objects made before versions have it (their tables exist, no version
 * recorded), and what those objects did once on opening: remote starts carried over from their
 * two older tables, journal frames and finished commands redacted unless their markers say done.
 * A new object skips it (createCurrentChargerSchema).
 */
const adoptUnversioned: Migration = (sql) => {
  sql.exec('CREATE TABLE IF NOT EXISTS due_work (task TEXT PRIMARY KEY, due_at INTEGER NOT NULL)');
  sql.exec('CREATE TABLE IF NOT EXISTS transaction_ends (transaction_id TEXT PRIMARY KEY)');
  // One row per remote start sent. Tokens compare without regard to case, as id_tags does; '' is
  // the type of a 1.6 idTag. evse_id / connector_id are NULL when the request named no place;
  // used_by is the transaction that used the permission up; refused = 1 when the charger refused.
  sql.exec(`CREATE TABLE IF NOT EXISTS remote_starts (
      request_id INTEGER PRIMARY KEY AUTOINCREMENT,
      id_tag TEXT NOT NULL COLLATE NOCASE,
      token_type TEXT NOT NULL,
      remote_start_id INTEGER,
      evse_id INTEGER,
      connector_id INTEGER,
      sent_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      refused INTEGER NOT NULL DEFAULT 0,
      used_by TEXT
    )`);
  carryOverRemoteStartTables(sql);
  sql.exec(`CREATE TABLE IF NOT EXISTS transaction_locations (
      transaction_id TEXT PRIMARY KEY,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL
    )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS transaction_ids (
      start_key TEXT PRIMARY KEY,
      transaction_id INTEGER NOT NULL UNIQUE
    )`);
  // One row: the last id handed out. Absent until seeded from D1 (see TransactionIds.seed).
  sql.exec(`CREATE TABLE IF NOT EXISTS transaction_id_counter (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      last_id INTEGER NOT NULL
    )`);
  // The transactions running, by connector. `seeded` is one row once D1's running ones were read
  // in: an object numbering starts before this table existed has its counter but not them.
  sql.exec(`CREATE TABLE IF NOT EXISTS transaction_running (
      transaction_id INTEGER PRIMARY KEY,
      connector_id INTEGER NOT NULL
    )`);
  sql.exec('CREATE TABLE IF NOT EXISTS transaction_running_seeded (one INTEGER PRIMARY KEY CHECK (one = 1))');
  // Tags compare without regard to case, as D1's id_tags key does; see IdTagCache for `record`.
  sql.exec(`CREATE TABLE IF NOT EXISTS id_tag_cache (
      id_tag TEXT PRIMARY KEY COLLATE NOCASE,
      record TEXT,
      fetched_at INTEGER NOT NULL
    )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS queued_commands (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      action TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      sent_at INTEGER,
      finished_at INTEGER,
      result TEXT,
      error TEXT
    )`);
  // The commands the CSMS queued on its own while they are pending, with their slot (CommandQueue.enqueueGenerated).
  sql.exec(`CREATE TABLE IF NOT EXISTS generated_commands (
      command_id TEXT PRIMARY KEY,
      slot TEXT NOT NULL
    )`);
  // A row stays after its transaction ended (ended = 1), so that an event of that transaction
  // replayed later does not make it running again.
  sql.exec(`CREATE TABLE IF NOT EXISTS active_tokens (
      transaction_id TEXT PRIMARY KEY,
      id_tag TEXT NOT NULL COLLATE NOCASE,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      since INTEGER NOT NULL
    )`);
  // One row once the transactions running before active_tokens were read in (or a boot ended them).
  sql.exec('CREATE TABLE IF NOT EXISTS active_tokens_seeded (one INTEGER PRIMARY KEY CHECK (one = 1))');
  sql.exec(`CREATE TABLE IF NOT EXISTS evse_transactions_201 (
      transaction_id TEXT PRIMARY KEY,
      evse_id INTEGER NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0
    )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS journal (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      direction TEXT NOT NULL,
      text TEXT NOT NULL,
      truncated INTEGER NOT NULL
    )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS journal_write_only (
      component TEXT NOT NULL,
      variable TEXT NOT NULL,
      PRIMARY KEY (component, variable)
    )`);
  createOutboxTable(sql, 'legacy');
  // The redactions objects ran once on opening, each remembered by a marker row: run unless done.
  sql.exec('CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY)');
  if (sql.exec(`SELECT 1 FROM journal_meta WHERE name = 'redacted-v2'`).toArray().length === 0) redactStoredFrames(sql);
  sql.exec('CREATE TABLE IF NOT EXISTS queued_commands_meta (name TEXT PRIMARY KEY)');
  if (sql.exec(`SELECT 1 FROM queued_commands_meta WHERE name = 'redacted-v1'`).toArray().length === 0) redactFinishedCommands(sql);
};

/**
 * Version 2: tables that only need their rows in order lose AUTOINCREMENT, which bills a
 * sqlite_sequence row with every insert. A rowid key still grows: a new row takes the largest
 * key + 1, and the newest row of each of these tables is never deleted before the ones it
 * follows are read (journal trims keep the newest; outbox and queue rows go oldest first). The
 * redaction markers are now the version.
 */
const rowidTables: Migration = (sql) => {
  rebuildTable(
    sql,
    'journal',
    `CREATE TABLE journal (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      direction TEXT NOT NULL,
      text TEXT NOT NULL,
      truncated INTEGER NOT NULL
    )`,
    ['seq', 'at', 'direction', 'text', 'truncated'],
  );
  rebuildOutboxTable(sql);
  rebuildTable(
    sql,
    'queued_commands',
    `CREATE TABLE queued_commands (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      action TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      sent_at INTEGER,
      finished_at INTEGER,
      result TEXT,
      error TEXT
    )`,
    ['seq', 'id', 'action', 'payload', 'status', 'created_at', 'expires_at', 'sent_at', 'finished_at', 'result', 'error'],
  );
  rebuildTable(
    sql,
    'remote_starts',
    `CREATE TABLE remote_starts (
      request_id INTEGER PRIMARY KEY,
      id_tag TEXT NOT NULL COLLATE NOCASE,
      token_type TEXT NOT NULL,
      remote_start_id INTEGER,
      evse_id INTEGER,
      connector_id INTEGER,
      sent_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      refused INTEGER NOT NULL DEFAULT 0,
      used_by TEXT
    )`,
    ['request_id', 'id_tag', 'token_type', 'remote_start_id', 'evse_id', 'connector_id', 'sent_at', 'expires_at', 'refused', 'used_by'],
  );
  sql.exec('DROP TABLE IF EXISTS journal_meta');
  sql.exec('DROP TABLE IF EXISTS queued_commands_meta');
};

/** transaction_locations as version 3 has it: see withoutRowidTables. */
const TRANSACTION_LOCATIONS = `CREATE TABLE transaction_locations (
      transaction_id TEXT PRIMARY KEY,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL
    ) WITHOUT ROWID`;
const TRANSACTION_ENDS = `CREATE TABLE transaction_ends (
      transaction_id TEXT PRIMARY KEY,
      n INTEGER NOT NULL
    ) WITHOUT ROWID`;
const ACTIVE_TOKENS = `CREATE TABLE active_tokens (
      transaction_id TEXT PRIMARY KEY,
      id_tag TEXT NOT NULL COLLATE NOCASE,
      evse_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      since INTEGER NOT NULL,
      n INTEGER NOT NULL
    ) WITHOUT ROWID`;
const EVSE_TRANSACTIONS = `CREATE TABLE evse_transactions_201 (
      transaction_id TEXT PRIMARY KEY,
      evse_id INTEGER NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      n INTEGER NOT NULL
    ) WITHOUT ROWID`;
// A 1.6 start's key and id, and whether it runs on connector_id (see transaction-ids.ts).
const TRANSACTION_IDS = `CREATE TABLE transaction_ids (
      start_key TEXT PRIMARY KEY,
      transaction_id INTEGER NOT NULL,
      connector_id INTEGER NOT NULL,
      running INTEGER NOT NULL
    ) WITHOUT ROWID`;
const ID_TAG_CACHE = `CREATE TABLE id_tag_cache (
      id_tag TEXT PRIMARY KEY COLLATE NOCASE,
      record TEXT,
      fetched_at INTEGER NOT NULL
    ) WITHOUT ROWID`;

/**
 * Version 3: tables keyed by text that every charging session writes keep their rows in the key's
 * own b-tree. A rowid table with a TEXT PRIMARY KEY writes each new row twice (the row, and the
 * key's index entry), and each is a billed row written; WITHOUT ROWID writes it once. Those that
 * ordered their rows by rowid keep that order in a column n (the rowid it had). A 1.6 start's
 * key, id and connector become one row: the id's UNIQUE index (a third row per start) guarded
 * nothing the counter does not, and transaction_running (a fourth, and a second removal per
 * stop) held the same transactions.
 */
const withoutRowidTables: Migration = (sql) => {
  // A table already in its new form is left as it is: an object whose version record was lost
  // (made before versions, as far as the check can tell) runs every migration again.
  const current = (table: string) =>
    /WITHOUT ROWID/i.test(sql.exec<{ sql: string }>('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?', 'table', table).toArray()[0]?.sql ?? '');
  if (!current('transaction_locations')) rebuildTable(sql, 'transaction_locations', TRANSACTION_LOCATIONS, ['transaction_id', 'evse_id', 'connector_id']);
  if (!current('id_tag_cache')) rebuildTable(sql, 'id_tag_cache', ID_TAG_CACHE, ['id_tag', 'record', 'fetched_at']);
  // The order their rowids gave, kept as n.
  const ordered = (table: string, create: string, columns: readonly string[]) => {
    if (!current(table)) rebuildTable(sql, table, create, [...columns, 'n'], [...columns, 'rowid']);
  };
  ordered('transaction_ends', TRANSACTION_ENDS, ['transaction_id']);
  ordered('active_tokens', ACTIVE_TOKENS, ['transaction_id', 'id_tag', 'evse_id', 'connector_id', 'ended', 'since']);
  ordered('evse_transactions_201', EVSE_TRANSACTIONS, ['transaction_id', 'evse_id', 'ended']);
  if (current('transaction_ids')) {
    sql.exec('DROP TABLE IF EXISTS transaction_running');
    return;
  }
  sql.exec(TRANSACTION_IDS.replace('CREATE TABLE transaction_ids ', 'CREATE TABLE transaction_ids_rebuilt '));
  // Every key, running where transaction_running says; a running transaction whose key is gone
  // (none is, but nothing forbade it) keeps running under a key no start has.
  sql.exec(
    `INSERT INTO transaction_ids_rebuilt (start_key, transaction_id, connector_id, running)
     SELECT k.start_key, k.transaction_id, COALESCE(r.connector_id, 0), r.transaction_id IS NOT NULL
     FROM transaction_ids AS k LEFT JOIN transaction_running AS r ON r.transaction_id = k.transaction_id`,
  );
  sql.exec(
    `INSERT OR IGNORE INTO transaction_ids_rebuilt (start_key, transaction_id, connector_id, running)
     SELECT '#' || r.transaction_id, r.transaction_id, r.connector_id, 1 FROM transaction_running AS r
     WHERE r.transaction_id NOT IN (SELECT transaction_id FROM transaction_ids)`,
  );
  sql.exec('DROP TABLE transaction_ids');
  sql.exec('ALTER TABLE transaction_ids_rebuilt RENAME TO transaction_ids');
  sql.exec('DROP TABLE transaction_running');
};

const DUE_WORK = 'CREATE TABLE due_work (task TEXT PRIMARY KEY, due_at INTEGER NOT NULL) WITHOUT ROWID';

/**
 * Version 4: due_work keeps its rows in the task's own b-tree, as version 3 did for the session
 * tables: every connection schedules its liveness check and every disconnection cancels it, and a
 * rowid table wrote each such row twice (the row and its key's index entry).
 */
const withoutRowidDueWork: Migration = (sql) => {
  const current = /WITHOUT ROWID/i.test(
    sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'due_work'").toArray()[0]?.sql ?? '',
  );
  if (!current) rebuildTable(sql, 'due_work', DUE_WORK, ['task', 'due_at']);
};

/**
 * Each transaction's price while it runs (transaction-prices.ts): the tariff version it started under
 * (NULL while its resolution waits for D1, `state` then holding the start), the tariff's body, the cost
 * fold's state, and once ended the totalCost answered. `n`: insertion order, for trimming.
 */
const TRANSACTION_PRICES = `CREATE TABLE transaction_prices (
      transaction_id TEXT PRIMARY KEY,
      tariff_id TEXT,
      tariff_version INTEGER,
      tariff TEXT,
      state TEXT NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      total_cost REAL,
      n INTEGER NOT NULL
    ) WITHOUT ROWID`;

/** Version 5: transaction_prices, for pricing each transaction (issue 14). */
const transactionPrices: Migration = (sql) => {
  sql.exec(TRANSACTION_PRICES.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'));
};

/**
 * transaction_prices as version 6 has it: `told`, what the driver of the running transaction was last told
 * of its price (I06, transaction-prices.ts ToldPrice), NULL before anything was.
 */
const TRANSACTION_PRICES_TOLD = `CREATE TABLE transaction_prices (
      transaction_id TEXT PRIMARY KEY,
      tariff_id TEXT,
      tariff_version INTEGER,
      tariff TEXT,
      state TEXT NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      total_cost REAL,
      n INTEGER NOT NULL,
      told TEXT
    ) WITHOUT ROWID`;

/**
 * Version 6: transaction_prices gains `told` (I06). Rebuilt rather than altered, so its stored definition is
 * the one a new object creates (object-schema.test.ts compares them); a handful of rows per charger.
 */
const transactionPricesTold: Migration = (sql) => {
  rebuildTable(sql, 'transaction_prices', TRANSACTION_PRICES_TOLD, ['transaction_id', 'tariff_id', 'tariff_version', 'tariff', 'state', 'ended', 'total_cost', 'n']);
};

/**
 * transaction_prices as version 7 has it: `rebind`, for a transaction priced before its token was known
 * (2.0.1 EVConnected start), what re-pricing it from its start under the token's tariff needs (its start
 * and the samples its fold took, bounded: transaction-prices.ts RebindState); NULL otherwise.
 */
const TRANSACTION_PRICES_REBIND = `CREATE TABLE transaction_prices (
      transaction_id TEXT PRIMARY KEY,
      tariff_id TEXT,
      tariff_version INTEGER,
      tariff TEXT,
      state TEXT NOT NULL,
      ended INTEGER NOT NULL DEFAULT 0,
      total_cost REAL,
      n INTEGER NOT NULL,
      told TEXT,
      rebind TEXT
    ) WITHOUT ROWID`;

/** Version 7: transaction_prices gains `rebind` (issue 14: a fleet contract price for a token known after the start). Rebuilt as version 6 was. */
const transactionPricesRebind: Migration = (sql) => {
  rebuildTable(sql, 'transaction_prices', TRANSACTION_PRICES_REBIND, ['transaction_id', 'tariff_id', 'tariff_version', 'tariff', 'state', 'ended', 'total_cost', 'n', 'told']);
};

/** The charger object's migrations, oldest first: version n is the first n applied. */
export const CHARGER_MIGRATIONS: readonly Migration[] = [
  adoptUnversioned,
  rowidTables,
  withoutRowidTables,
  withoutRowidDueWork,
  transactionPrices,
  transactionPricesTold,
  transactionPricesRebind,
];

/**
 * The schema CHARGER_MIGRATIONS end with, created in one step for a new object (no tables at
 * all): a charger's first connection then pays one CREATE per table, not the history's creates,
 * carry-overs and rebuilds. Kept equal to the migrated schema by test/workers/object-schema.test.ts:
 * a new migration changes this too.
 */
export const createCurrentChargerSchema: Migration = (sql) => {
  sql.exec(DUE_WORK);
  sql.exec(TRANSACTION_ENDS);
  // What each column means: see adoptUnversioned and rowidTables, where each table began.
  sql.exec(`CREATE TABLE remote_starts (
      request_id INTEGER PRIMARY KEY,
      id_tag TEXT NOT NULL COLLATE NOCASE,
      token_type TEXT NOT NULL,
      remote_start_id INTEGER,
      evse_id INTEGER,
      connector_id INTEGER,
      sent_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      refused INTEGER NOT NULL DEFAULT 0,
      used_by TEXT
    )`);
  sql.exec(TRANSACTION_LOCATIONS);
  sql.exec(TRANSACTION_IDS);
  sql.exec(`CREATE TABLE transaction_id_counter (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      last_id INTEGER NOT NULL
    )`);
  sql.exec('CREATE TABLE transaction_running_seeded (one INTEGER PRIMARY KEY CHECK (one = 1))');
  sql.exec(ID_TAG_CACHE);
  sql.exec(`CREATE TABLE queued_commands (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      action TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      sent_at INTEGER,
      finished_at INTEGER,
      result TEXT,
      error TEXT
    )`);
  sql.exec(`CREATE TABLE generated_commands (
      command_id TEXT PRIMARY KEY,
      slot TEXT NOT NULL
    )`);
  sql.exec(ACTIVE_TOKENS);
  sql.exec('CREATE TABLE active_tokens_seeded (one INTEGER PRIMARY KEY CHECK (one = 1))');
  sql.exec(EVSE_TRANSACTIONS);
  sql.exec(`CREATE TABLE journal (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      direction TEXT NOT NULL,
      text TEXT NOT NULL,
      truncated INTEGER NOT NULL
    )`);
  sql.exec(`CREATE TABLE journal_write_only (
      component TEXT NOT NULL,
      variable TEXT NOT NULL,
      PRIMARY KEY (component, variable)
    )`);
  createOutboxTable(sql, 'current');
  sql.exec(TRANSACTION_PRICES_REBIND);
};

/**
 * Brings the charger object's schema up to date: one read when it already is, one step for a
 * new object. Call first in the constructor.
 */
export function migrateChargerSchema(sql: SqlStorage): number {
  return migrateSchema(sql, CHARGER_MIGRATIONS, createCurrentChargerSchema);
}
