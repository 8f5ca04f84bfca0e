// The site allocator object's own storage (SQLite in its Durable Object): its config, what it knows of its
// chargers and sessions, the log of profiles sent and answered, and the load sampled each minute.
// All of the site object's SQL is here. Nothing of it is in D1: no D1 write per charger message.

import { migrateSchema, type Migration } from '../durable-schema';
import type { SiteConfig } from './model';
import type { ChargerState, SessionState } from './site-inputs';

/** Log rows kept per site (the oldest go first), and minutes of load kept (a week). */
const LOG_KEPT = 20_000;
const SAMPLES_KEPT_MINUTES = 7 * 24 * 60;

const MIGRATIONS: Migration[] = [
  (sql) => {
    sql.exec('CREATE TABLE config (one INTEGER PRIMARY KEY CHECK (one = 1), json TEXT NOT NULL)');
    sql.exec('CREATE TABLE chargers (charger_id TEXT PRIMARY KEY, json TEXT NOT NULL)');
    sql.exec('CREATE TABLE sessions (key TEXT PRIMARY KEY, json TEXT NOT NULL)');
    sql.exec(`CREATE TABLE log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      charger_id TEXT,
      evse_id INTEGER,
      transaction_id TEXT,
      kind TEXT NOT NULL,
      amps REAL,
      detail TEXT
    )`);
    sql.exec(`CREATE TABLE samples (
      minute INTEGER PRIMARY KEY,
      limit_amps REAL,
      allocated_amps REAL NOT NULL,
      measured_amps REAL NOT NULL,
      sessions INTEGER NOT NULL
    )`);
  },
];

export interface LogEntry {
  id: number;
  at: string;
  chargerId: string | null;
  evseId: number | null;
  transactionId: string | null;
  /** sent, accepted, rejected, failed, fallback-sent, fallback-accepted, ..., started, ended, needs, configured */
  kind: string;
  amps: number | null;
  detail: string | null;
}

export interface LoadSample {
  at: string;
  /** The site's effective limit then (A per phase; null when it has only a kW limit). */
  limitAmps: number | null;
  /** The busiest phase's sum of what was allocated and counted (fixed loads included). */
  allocatedAmps: number;
  /** The busiest phase's sum of what the sessions were measured drawing. */
  measuredAmps: number;
  sessions: number;
}

export class AllocatorStore {
  constructor(private readonly sql: SqlStorage) {
    migrateSchema(sql, MIGRATIONS);
  }

  config(): SiteConfig | null {
    const row = this.sql.exec<{ json: string }>('SELECT json FROM config').toArray()[0];
    return row ? (JSON.parse(row.json) as SiteConfig) : null;
  }

  setConfig(config: SiteConfig | null): void {
    if (config === null) this.sql.exec('DELETE FROM config');
    else this.sql.exec('INSERT INTO config (one, json) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET json = excluded.json', JSON.stringify(config));
  }

  chargers(): Map<string, ChargerState> {
    const map = new Map<string, ChargerState>();
    for (const row of this.sql.exec<{ json: string }>('SELECT json FROM chargers')) {
      const state = JSON.parse(row.json) as ChargerState;
      map.set(state.chargerId, state);
    }
    return map;
  }

  putCharger(state: ChargerState): void {
    this.sql.exec('INSERT INTO chargers (charger_id, json) VALUES (?, ?) ON CONFLICT (charger_id) DO UPDATE SET json = excluded.json', state.chargerId, JSON.stringify(state));
  }

  deleteCharger(chargerId: string): void {
    this.sql.exec('DELETE FROM chargers WHERE charger_id = ?', chargerId);
    this.sql.exec("DELETE FROM sessions WHERE key LIKE ? ESCAPE '\\'", `${chargerId.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`);
  }

  sessions(): SessionState[] {
    return this.sql.exec<{ json: string }>('SELECT json FROM sessions ORDER BY key').toArray().map((row) => JSON.parse(row.json) as SessionState);
  }

  putSession(session: SessionState): void {
    this.sql.exec('INSERT INTO sessions (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json', session.key, JSON.stringify(session));
  }

  deleteSession(key: string): void {
    this.sql.exec('DELETE FROM sessions WHERE key = ?', key);
  }

  log(entry: Omit<LogEntry, 'id' | 'at'>, at: number): void {
    this.sql.exec(
      'INSERT INTO log (at, charger_id, evse_id, transaction_id, kind, amps, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      at,
      entry.chargerId,
      entry.evseId,
      entry.transactionId,
      entry.kind,
      entry.amps,
      entry.detail,
    );
    // Trimmed now and then rather than each time: one DELETE per hundred rows logged.
    const id = this.sql.exec<{ id: number }>('SELECT last_insert_rowid() AS id').one().id;
    if (id % 100 === 0) this.sql.exec('DELETE FROM log WHERE id <= ?', id - LOG_KEPT);
  }

  /** Log rows newest first, before `beforeId` (a cursor) when given. */
  logPage(limit: number, beforeId: number | null): LogEntry[] {
    const rows = this.sql
      .exec<{ id: number; at: number; charger_id: string | null; evse_id: number | null; transaction_id: string | null; kind: string; amps: number | null; detail: string | null }>(
        'SELECT * FROM log WHERE id < ? ORDER BY id DESC LIMIT ?',
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      )
      .toArray();
    return rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), chargerId: r.charger_id, evseId: r.evse_id, transactionId: r.transaction_id, kind: r.kind, amps: r.amps, detail: r.detail }));
  }

  sample(minute: number, sample: Omit<LoadSample, 'at'>): void {
    this.sql.exec(
      `INSERT INTO samples (minute, limit_amps, allocated_amps, measured_amps, sessions) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (minute) DO UPDATE SET limit_amps = excluded.limit_amps,
         allocated_amps = MAX(samples.allocated_amps, excluded.allocated_amps),
         measured_amps = MAX(samples.measured_amps, excluded.measured_amps),
         sessions = MAX(samples.sessions, excluded.sessions)`,
      minute,
      sample.limitAmps,
      sample.allocatedAmps,
      sample.measuredAmps,
      sample.sessions,
    );
    this.sql.exec('DELETE FROM samples WHERE minute < ?', minute - SAMPLES_KEPT_MINUTES);
  }

  samples(fromMinute: number, toMinute: number): LoadSample[] {
    return this.sql
      .exec<{ minute: number; limit_amps: number | null; allocated_amps: number; measured_amps: number; sessions: number }>(
        'SELECT * FROM samples WHERE minute >= ? AND minute < ? ORDER BY minute',
        fromMinute,
        toMinute,
      )
      .toArray()
      .map((r) => ({ at: new Date(r.minute * 60_000).toISOString(), limitAmps: r.limit_amps, allocatedAmps: r.allocated_amps, measuredAmps: r.measured_amps, sessions: r.sessions }));
  }
}
