// A write-ahead log of facts bound for D1, kept in a Durable Object's own SQLite storage.
//
// Each charger's object keeps one: what its messages produced, durable before the charger is
// answered. A FleetWriter keeps one too: the facts many chargers handed over, waiting to be
// copied to D1 together.

import type {
  ChargerReport,
  ConnectorState,
  MeterReport,
  TransactionEvent201,
  TransactionStart16,
  TransactionStop16,
} from '../ocpp/records';
import type { MeterSample } from '../ocpp/meter-values';
import type { FirmwareJob } from '../ocpp/firmware-jobs';
import type { ProfileChange } from '../ocpp/profile-changes';
import type { CertificateChange } from '../ocpp/certificate-inventory';
import type { ReservationChange } from '../ocpp/reservation-changes';
import type { V2xChange } from '../ocpp/v2x-changes';
import type { Setting } from '../ocpp/settings';
import type { ConnectionEvent } from '../store/chargers';
import type { CostBreakdown } from '../tariffs/cost';
import type { OcppVersion } from '../ocpp/versions';
import type { TariffFact } from '../ocpp/v21/tariff-facts';
import type { EventStreamChange, EventStreamValues } from '../ocpp/v21/event-streams';
import type { DerChange } from '../ocpp/v21/der-control';
import type { GridFact } from '../ocpp/v21/grid-facts';
import { insertRows } from '../durable-sql';
import { rebuildTable, type Migration } from '../durable-schema';

/** Each kind of fact, and what it carries. */
export interface OutboxFacts {
  status: ConnectorState;
  meter: MeterReport;
  /** A 1.6 StartTransaction, with the id the charger's object gave it (see charger/transaction-ids.ts). */
  start16: TransactionStart16 & { transactionId: number };
  stop16: TransactionStop16;
  /**
   * A 2.0.1 TransactionEvent with its meter values: they are stored only if the event is applied
   * (store/transactions.ts). Facts appended before these fields existed lack them (their values
   * came as `meter` facts).
   */
  event201: TransactionEvent201 & {
    samples?: MeterSample[];
    /** SHA-256 (hex) of what the charger sent: the event without the CSMS's answer, and its samples. */
    digest?: string;
    /** The idToken the CSMS sent in RequestStartTransaction with the event's remoteStartId. */
    remoteStartIdToken?: string;
    /** Set for a 2.1 charger's event: the transaction row is stored under it (absent: ocpp2.0.1, as before 2.1). */
    protocol?: 'ocpp2.1';
  };
  /** 2.0.1 TransactionEvents merged into one entry, in the order they came (see Outbox.appendEvent201). */
  event201s: Array<OutboxFacts['event201']>;
  /** Facts of any kinds merged into one entry, in the order they came (see Outbox.appendAll). */
  mixed: MixedFact[];
  /**
   * A 1.6 transaction its charger left open: a newer start on its connector (`byTransactionId`)
   * ended it `at`, and the CSMS closes it; or it was running at a BootNotification `at`, and is
   * only flagged (see charger/transaction-ids.ts, store/transactions.ts abandon16Statements).
   */
  abandon16: { transactionId: number; connectorId: number; at: string; cause: 'StartTransaction' | 'BootNotification'; byTransactionId?: number };
  /**
   * A 2.0.1 transaction its charger left open: the Started event of `byTransactionId` on the
   * same EVSE ended it `at` (the Started's timestamp); see charger/evse-transactions.ts.
   */
  abandon201: { transactionId: string; evseId: number; at: string; cause: 'TransactionEvent'; byTransactionId: string };
  connection: ConnectionEvent;
  /** When a frame last arrived from the charger (ISO 8601). */
  seen: { at: string };
  report: ChargerReport & { digest: string };
  setting: Setting;
  profile: ProfileChange;
  reservation: ReservationChange;
  /** A change to the charger's certificate inventory (ocpp/certificate-inventory.ts). */
  certificate: CertificateChange;
  /** A firmware job as it now stands, whole (see charger/firmware-jobs.ts). */
  firmwareJob: FirmwareJob;
  /**
   * A transaction's price at its end (charger/transaction-prices.ts), appended with the end's own
   * fact: its breakdown under the tariff version it started with, or `priced: null` when it ended
   * before its tariff could be resolved (flagged `unpriced`). See store/transaction-costs.ts.
   */
  cost: TransactionCostFact;
  /** OCPP 2.1 tariffs held, a charger's own cost, a settlement (ocpp/v21/tariff-facts.ts; store/charger-tariffs.ts). */
  tariff21: TariffFact;
  /** 2.1: a change to the charger's periodic event streams, or to the monitors they name (ocpp/v21/event-streams.ts). */
  eventStream: EventStreamChange;
  /** 2.1: points of one periodic event stream, merged across messages while no flush has read them (Outbox.appendStreamValues). */
  streamValues: EventStreamValues;
  /** 2.1: a change to the charger's DER controls or alarms (ocpp/v21/der-control.ts, store/der-controls.ts). */
  der: DerChange;
  /** 2.1 dynamic schedule values, priority charging, battery swaps (ocpp/v21/grid-facts.ts, store/grid.ts). */
  grid: GridFact;
  /** OCPP 2.1 V2X facts of a transaction: the EV's charging needs, the modes the CSMS allowed (store/transaction-v2x.ts). */
  v2x: V2xChange;
}

/** See OutboxFacts.cost. `transactionId` is the charger's name for it (1.6: its number as text). */
export interface TransactionCostFact {
  transactionId: string;
  protocol: OcppVersion;
  /** When the object priced it. */
  at: string;
  priced: { tariffId: string; tariffVersion: number; breakdown: CostBreakdown } | null;
  /**
   * The tariff of the token that became known after the start, which the transaction was not re-priced
   * under (its samples past the bound the object keeps): flagged `price-not-rebound`.
   */
  notRebound?: { tariffId: string; tariffVersion: number };
}

export type OutboxKind = keyof OutboxFacts;

/** One fact of a `mixed` entry: its kind, never `mixed` itself, and the fact. */
export type MixedFact = { [K in Exclude<OutboxKind, 'mixed'>]: { kind: K; fact: OutboxFacts[K] } }[Exclude<OutboxKind, 'mixed'>];

export interface OutboxEntry<K extends OutboxKind = OutboxKind> {
  /** Position in the outbox it was read from; absent on entries not read from one. */
  seq?: number;
  chargerId: string;
  kind: K;
  fact: OutboxFacts[K];
}

/** An entry as the table keeps it: charger, kind, and the fact as JSON. */
export type StoredEntry = [chargerId: string, kind: OutboxKind, factJson: string];

/** A fact together with the charger it belongs to. */
export interface ChargerFact<K extends OutboxKind> {
  chargerId: string;
  fact: OutboxFacts[K];
}

/** The entries of a batch, sorted by kind, each kind in the order appended. */
export type OutboxBatch = { [K in Exclude<OutboxKind, 'event201s' | 'mixed'>]: ChargerFact<K>[] } & {
  entries: OutboxEntry[];
  lastSeq: number;
  size: number;
};

/** Facts (JSON characters) read into one batch at most. */
const PEEK_MAX_CHARS = 4_000_000;
/**
 * How far into the outbox `peek` looks for other chargers' entries. Bounded, so a backlog of
 * millions (D1 down for hours) costs each batch a bounded scan; a charger's write budget
 * (WRITE_BUDGET_ROWS) keeps one charger's share of a FleetWriter's minute well below it.
 */
const FAIR_SCAN_ENTRIES = 50_000;

const OUTBOX_COLUMNS = `
      charger_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      fact TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`;

/**
 * Creates the outbox table, for an object's schema migrations: `legacy` as objects made before
 * schema versions have it (AUTOINCREMENT, a billed sqlite_sequence row with every insert).
 */
export function createOutboxTable(sql: SqlStorage, form: 'legacy' | 'current'): void {
  const key = form === 'legacy' ? 'seq INTEGER PRIMARY KEY AUTOINCREMENT' : 'seq INTEGER PRIMARY KEY';
  sql.exec(`CREATE TABLE IF NOT EXISTS outbox (\n      ${key},${OUTBOX_COLUMNS}`);
}

/**
 * Rebuilds the outbox without AUTOINCREMENT, keeping its entries and their order. Only order
 * matters: a new entry takes the largest seq + 1, and entries are removed only once handed on,
 * so a seq still being handed on is never given again.
 */
export function rebuildOutboxTable(sql: SqlStorage): void {
  rebuildTable(sql, 'outbox', `CREATE TABLE outbox (\n      seq INTEGER PRIMARY KEY,${OUTBOX_COLUMNS}`, ['seq', 'charger_id', 'kind', 'fact', 'created_at']);
}

/** The FleetWriter's own schema (see durable-schema.ts): its outbox, from before versions, then without AUTOINCREMENT. */
export const FLEET_WRITER_MIGRATIONS: readonly Migration[] = [(sql) => createOutboxTable(sql, 'legacy'), rebuildOutboxTable];

/** What FLEET_WRITER_MIGRATIONS end with, for a new writer in one step. */
export const createCurrentFleetWriterSchema: Migration = (sql) => createOutboxTable(sql, 'current');

/**
 * An entry may take in later facts (see Outbox.appendMeter, appendEvent201) until its JSON
 * reaches this many characters: beyond it, the next fact starts a new entry.
 */
const MERGED_MAX_CHARS = 32_768;

export class Outbox {
  /** Entries in the table, once counted; undefined after a removal until counted again. */
  private count: number | undefined;
  /**
   * The highest seq a flush in progress has read: an entry up to it may be removed once D1 has
   * it, so nothing is merged into it any more. In memory only: after an eviction no flush is in
   * progress. Back to 0 once no flush is (see `released`): seqs are reused once the table empties.
   */
  private sealedUpTo = 0;
  /** Flushes that have read entries and not yet said they are done with them. */
  private flushesReading = 0;
  /**
   * The newest entry, as this instance last wrote or read it, when a new fact may merge into it
   * (no flush has read it); null when none may; undefined when unknown (read from the table on
   * the next merge). A metering charger's every message merges into the entry its previous one
   * made: kept here, the merge needs neither the read of that entry nor the parse of its growing
   * JSON. Right because an object's Outbox is the only writer of its table (each object builds
   * one), and a write that throws changes neither the table nor this.
   */
  private tail: TailEntry | null | undefined;

  // The table is created by the owning object's schema migrations (createOutboxTable).
  constructor(private readonly sql: SqlStorage) {}

  /** Appends a fact. Synchronous: it commits with the object's other writes of the same event. */
  append<K extends OutboxKind>(chargerId: string, kind: K, fact: OutboxFacts[K]): void {
    this.appendAll([{ chargerId, kind, fact }]);
  }

  /**
   * Appends facts in order, a few statements for many (a storage call costs more than its rows).
   * Facts of one charger that come while its newest entry waits unread by any flush are merged
   * into that entry (kind `mixed`): a session's start (status, start, status) then writes one
   * row and rewrites it, and its flush removes one row, where an entry per fact cost an insert
   * and a removal each (every one a billed row). The flush groups facts by kind either way
   * (batchOf), so the merged entry is stored exactly as the separate ones would be.
   */
  appendAll(entries: readonly OutboxEntry[]): void {
    const chargerId = entries[0]?.chargerId;
    if (chargerId !== undefined && entries.every((e) => e.chargerId === chargerId)) {
      const newest = this.mergeable(chargerId);
      if (newest) {
        const facts = [...mixedFacts(newest.kind, newest.fact), ...entries.flatMap((e) => mixedFacts(e.kind, e.fact))];
        if (this.replace(newest, 'mixed', facts)) return;
      }
    }
    this.appendStored(entries.map((e) => [e.chargerId, e.kind, JSON.stringify(e.fact)]));
    // The fact as given, so merging into it needs no parse (facts are plain data, never changed once appended).
    const last = entries.at(-1);
    if (last && this.tail) this.tail.fact = last.fact;
  }

  /**
   * Appends a charger's meter report, merged into the newest entry when that is a report of the
   * same transaction and connector no flush has read yet: its readings are stored exactly as if
   * they had come as two entries (store/meter-values.ts keys each sample on its own), and the
   * outbox writes one row instead of adding one and removing it later (each billed as a row).
   */
  appendMeter(chargerId: string, report: MeterReport): void {
    const newest = this.mergeable(chargerId);
    if (newest?.kind === 'meter') {
      const merged = newest.fact as MeterReport;
      const sameScope =
        merged.transactionId === report.transactionId && merged.evseId === report.evseId && merged.connectorId === report.connectorId;
      if (sameScope && this.replace(newest, 'meter', { ...merged, samples: [...merged.samples, ...report.samples] })) return;
    }
    this.append(chargerId, 'meter', report);
  }

  /**
   * Appends a 2.0.1 TransactionEvent, merged into the newest entry when that holds events no
   * flush has read yet (the flush takes the events of an entry in order, as if appended one by
   * one): one row written per event instead of two.
   */
  appendEvent201(chargerId: string, event: OutboxFacts['event201']): void {
    const newest = this.mergeable(chargerId);
    if (newest?.kind === 'event201' || newest?.kind === 'event201s') {
      const earlier = newest.fact as OutboxFacts['event201'] | OutboxFacts['event201s'];
      const events = Array.isArray(earlier) ? [...earlier, event] : [earlier, event];
      if (this.replace(newest, 'event201s', events)) return;
    }
    this.append(chargerId, 'event201', event);
  }

  /**
   * Appends a periodic event stream's points (2.1 NotifyPeriodicEventStream), merged into the
   * newest entry when that holds points of the same stream no flush has read yet: a stream
   * sending every few seconds rewrites one row until its flush, and that flush stores the points
   * packed (store/event-streams.ts), so its messages cost no D1 statement of their own.
   */
  appendStreamValues(chargerId: string, values: EventStreamValues): void {
    const newest = this.mergeable(chargerId);
    if (newest?.kind === 'streamValues') {
      const merged = newest.fact as EventStreamValues;
      if (merged.streamId === values.streamId && this.replace(newest, 'streamValues', { streamId: values.streamId, points: [...merged.points, ...values.points] })) {
        return;
      }
    }
    this.append(chargerId, 'streamValues', values);
  }

  /** The newest entry, when it is `chargerId`'s and no flush has read it: what a new fact may merge into. */
  private mergeable(chargerId: string): TailEntry | undefined {
    if (this.tail === undefined) {
      const newest = this.sql
        .exec<{ seq: number; charger_id: string; kind: OutboxKind; fact: string }>(
          'SELECT seq, charger_id, kind, fact FROM outbox ORDER BY seq DESC LIMIT 1',
        )
        .toArray()[0];
      this.tail =
        newest && newest.seq > this.sealedUpTo ? { seq: newest.seq, chargerId: newest.charger_id, kind: newest.kind, json: newest.fact } : null;
    }
    if (this.tail?.chargerId !== chargerId) return undefined;
    this.tail.fact ??= JSON.parse(this.tail.json);
    return this.tail;
  }

  /** Replaces the newest entry's fact, unless that makes it longer than MERGED_MAX_CHARS; whether it did. */
  private replace<K extends OutboxKind>(newest: TailEntry, kind: K, fact: OutboxFacts[K]): boolean {
    const json = JSON.stringify(fact);
    if (json.length > MERGED_MAX_CHARS) return false;
    // An entry this instance appended is the newest: its seq (SQLite's) is the largest.
    if (newest.seq === undefined) this.sql.exec('UPDATE outbox SET kind = ?, fact = ? WHERE seq = (SELECT MAX(seq) FROM outbox)', kind, json);
    else this.sql.exec('UPDATE outbox SET kind = ?, fact = ? WHERE seq = ?', kind, json, newest.seq);
    this.tail = { seq: newest.seq, chargerId: newest.chargerId, kind, json, fact };
    return true;
  }

  /** Entries waiting. Counted once per instance, then kept up to date in memory. */
  get size(): number {
    this.count ??= this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox').one().n;
    return this.count;
  }

  /**
   * The oldest `limit` entries as stored (facts still JSON), at most `maxChars` of facts: what a
   * charger hands to its FleetWriter, which stores them as they are.
   */
  peekStored(limit: number, maxChars = PEEK_MAX_CHARS): { entries: StoredEntry[]; lastSeq: number } {
    const rows = this.oldest(limit, maxChars);
    return { entries: rows.map((row) => [row.charger_id, row.kind, row.fact]), lastSeq: rows.at(-1)?.seq ?? 0 };
  }

  /** Appends entries as `peekStored` gave them, in order: no JSON is parsed or made again. */
  appendStored(entries: readonly StoredEntry[]): void {
    const now = Date.now();
    insertRows(
      this.sql,
      'INSERT INTO outbox (charger_id, kind, fact, created_at)',
      entries.map(([chargerId, kind, fact]) => [chargerId, kind, fact, now]),
    );
    if (this.count !== undefined) this.count += entries.length;
    const last = entries.at(-1);
    // Its seq is SQLite's to choose (the largest + 1); a merge finds it as the largest.
    if (last) this.tail = { chargerId: last[0], kind: last[1], json: last[2] };
  }

  /**
   * Up to `limit` entries, grouped by kind, taken fairly across chargers: each charger's oldest
   * entry first, then each one's second, and so on, among the oldest FAIR_SCAN_ENTRIES. So a
   * charger with a huge backlog gets one turn like the others, and another charger's start or
   * stop that arrived behind it still goes in the next batch. Each charger's entries taken are
   * its oldest, in order (what the flush's ordering within a charger relies on). Stops early once
   * the facts add up to `maxChars`: entries are mostly small, but a report may hold a 64 KiB
   * frame, and a batch must fit in memory and in one RPC. The first entry is always taken,
   * whatever its size. Entries come back in outbox order.
   */
  peek(limit: number, maxChars = PEEK_MAX_CHARS): OutboxBatch {
    const rows = this.sql.exec<{ seq: number; charger_id: string; kind: OutboxKind; fact: string }>(
      // Turns are numbered over (seq, charger) only; facts are read row by row, only as far as taken.
      `SELECT o.seq, o.charger_id, o.kind, o.fact FROM (
         SELECT seq, ROW_NUMBER() OVER (PARTITION BY charger_id ORDER BY seq) AS turn
         FROM (SELECT seq, charger_id FROM outbox ORDER BY seq LIMIT ?1)
       ) AS t JOIN outbox AS o ON o.seq = t.seq
       ORDER BY t.turn, t.seq LIMIT ?2`,
      FAIR_SCAN_ENTRIES,
      limit,
    );
    const taken = takeUpTo(rows, maxChars).sort((a, b) => a.seq - b.seq);
    return Outbox.batchOf(
      taken.map((row) => ({ seq: row.seq, chargerId: row.charger_id, kind: row.kind, fact: JSON.parse(row.fact) }) as OutboxEntry),
    );
  }

  /**
   * The oldest `limit` entries, at most `maxChars` of facts, grouped by kind: one charger's own
   * outbox, written to D1 by its object (no turns to take, unlike `peek`).
   */
  peekOldest(limit: number, maxChars = PEEK_MAX_CHARS): OutboxBatch {
    return Outbox.batchOf(
      this.oldest(limit, maxChars).map(
        (row) => ({ seq: row.seq, chargerId: row.charger_id, kind: row.kind, fact: JSON.parse(row.fact) }) as OutboxEntry,
      ),
    );
  }

  /** The oldest `limit` rows, stopping once their facts add up to `maxChars`; the first is always taken. */
  private oldest(limit: number, maxChars: number): Array<{ seq: number; charger_id: string; kind: OutboxKind; fact: string }> {
    const rows = this.sql.exec<{ seq: number; charger_id: string; kind: OutboxKind; fact: string }>(
      'SELECT seq, charger_id, kind, fact FROM outbox ORDER BY seq LIMIT ?',
      limit,
    );
    const taken = takeUpTo(rows, maxChars);
    this.seal(taken);
    return taken;
  }

  /**
   * Nothing more is merged into entries a flush has read (see appendMeter), until it calls
   * `released`. (A FleetWriter's `peek` needs none of this: nothing is merged there.)
   */
  private seal(rows: ReadonlyArray<{ seq: number }>): void {
    this.flushesReading += 1;
    for (const row of rows) this.sealedUpTo = Math.max(this.sealedUpTo, row.seq);
    // Whether the newest entry was among those read is learnt again from the table, when needed.
    if (rows.length > 0) this.tail = undefined;
  }

  /** A flush that read entries with `peekOldest` or `peekStored` is done with them, removed or not. */
  released(): void {
    this.flushesReading = Math.max(0, this.flushesReading - 1);
    if (this.flushesReading === 0) {
      this.sealedUpTo = 0;
      // The newest entry may be one a flush read and did not remove: it takes facts again.
      if (this.tail === null) this.tail = undefined;
    }
  }

  /** Forgets entries up to `seq`, once they are safe elsewhere. */
  remove(upToSeq: number): void {
    this.sql.exec('DELETE FROM outbox WHERE seq <= ?', upToSeq);
    this.count = undefined;
    this.tail = undefined;
  }

  /** Forgets the given entries, once they are safe elsewhere. */
  removeEntries(entries: readonly OutboxEntry[]): void {
    const seqs = entries.flatMap((entry) => (entry.seq === undefined ? [] : [entry.seq]));
    if (seqs.length > 0) this.sql.exec('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))', JSON.stringify(seqs));
    this.count = undefined;
    this.tail = undefined;
  }

  /** Groups entries into a batch, as `peek` does. */
  static batchOf(entries: readonly OutboxEntry[]): OutboxBatch {
    const batch: OutboxBatch = {
      status: [],
      meter: [],
      start16: [],
      stop16: [],
      abandon16: [],
      abandon201: [],
      event201: [],
      connection: [],
      seen: [],
      report: [],
      setting: [],
      profile: [],
      reservation: [],
      certificate: [],
      firmwareJob: [],
      cost: [],
      tariff21: [],
      eventStream: [],
      streamValues: [],
      der: [],
      grid: [],
      v2x: [],
      entries: [],
      lastSeq: 0,
      size: 0,
    };
    for (const entry of entries) {
      for (const { kind, fact } of mixedFacts(entry.kind, entry.fact)) {
        if (kind === 'event201s') {
          for (const event of fact) batch.event201.push({ chargerId: entry.chargerId, fact: event });
        } else {
          (batch[kind] as ChargerFact<OutboxKind>[]).push({ chargerId: entry.chargerId, fact });
        }
      }
      batch.entries.push(entry);
      batch.lastSeq = Math.max(batch.lastSeq, entry.seq ?? 0);
      batch.size += 1;
    }
    return batch;
  }
}

/** The facts an entry holds, as `mixed` lists them: a `mixed` entry's own, or the entry's one fact. */
export function mixedFacts(kind: OutboxKind, fact: unknown): MixedFact[] {
  return kind === 'mixed' ? (fact as MixedFact[]) : [{ kind, fact } as MixedFact];
}

/**
 * The newest outbox entry as an Outbox keeps it in memory: its seq when it was read from the
 * table (undefined when this instance appended it), its fact as stored and, once needed, parsed.
 */
interface TailEntry {
  seq?: number;
  chargerId: string;
  kind: OutboxKind;
  json: string;
  fact?: unknown;
}

/** Rows in the order given until their facts add up to `maxChars`; the first is always taken, so a batch is never empty. */
function takeUpTo<T extends { fact: string }>(rows: Iterable<T>, maxChars: number): T[] {
  const taken: T[] = [];
  let chars = 0;
  for (const row of rows) {
    chars += row.fact.length;
    if (taken.length > 0 && chars > maxChars) break;
    taken.push(row);
  }
  return taken;
}
