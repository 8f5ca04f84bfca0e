// The price of each transaction a charger runs, kept in the charger object's own storage while it runs.
//
// At a transaction's start the object resolves its tariff once (D1, src/store/tariffs.ts) and keeps the
// tariff version's body here with the cost engine's fold state (src/tariffs/cost.ts), so the transaction
// never reads D1 for its price again and a later change of the tariff does not change its price. Each
// message of the transaction advances the fold in the same synchronous block as its outbox append, so the
// fold state and the facts commit together. At the end, finishCost gives the breakdown that travels to D1
// with the end (the `cost` outbox fact, store/transactions.ts costStatements); the row stays, ended, with
// the totalCost answered, so a replayed end answers the same and prices nothing again.
//
// A start whose tariff could not be resolved (D1 unreachable) keeps a pending row with what the fold needs
// to start: the transaction's next message tries again; one that ends still pending is flagged `unpriced`.
// A transaction with no tariff at all keeps no row. Rows are bounded: ended ones beyond ENDED_KEPT, and
// the oldest beyond KEPT_MAX whatever they are (a transaction its charger never ended), are removed.
//
// A transaction priced before its token was known (2.0.1 TxStartPoint EVConnected: no token at the
// start) is priced by the tariff that applies without one; its row also keeps what re-pricing it needs
// (`rebind`: its start and the samples its fold took, at most REBIND_SAMPLES_MAX), so that when the token
// becomes known and its tariff (resolved as of the start) is another, the fold starts again from the
// start under that tariff (`rebind`). Past the bound the samples are dropped and the bound tariff kept:
// the end's cost fact then says so, and D1 flags the transaction `price-not-rebound`.

import { advanceCost, finishCost, runningCost, startCost, type CostBreakdown, type CostSample, type CostStart, type CostState } from '../tariffs/cost';
import type { Tariff, TariffBody } from '../tariffs/model';
import { totalCostOf } from '../tariffs/samples';
import { InsertionOrder } from './insertion-order';

/** Ended rows kept, for replayed ends to answer the same totalCost: far more than a charger's ends are replayed over. */
const ENDED_KEPT = 50;
/** Rows kept at most: running transactions are a handful per charger. */
const KEPT_MAX = 200;
/**
 * Samples kept to re-price a transaction whose token is not known yet: one a minute is over three hours of
 * plugged-in time before a card is presented (a row of some 20 KB, read with each of its messages).
 */
export const REBIND_SAMPLES_MAX = 200;

/**
 * What re-pricing a transaction started without a token needs: its start and the samples its fold took
 * since, in order. `overflow`: more than REBIND_SAMPLES_MAX came, the samples are gone. `token`: the token
 * became known but its tariff could not be resolved then (D1): the next message tries again.
 * `notRebound`: the token's tariff differed but the samples were gone: the bound tariff was kept.
 */
export interface RebindState {
  start: PendingStart;
  samples: CostSample[];
  overflow?: true;
  token?: { idTag: string; tokenType?: string };
  notRebound?: { tariffId: string; tariffVersion: number };
}

/** What a pending row keeps: how the fold starts once its tariff is known, and the id tag to resolve it for. */
export interface PendingStart extends CostStart {
  idTag: string | null;
  tokenType?: string;
}

/** How a transaction is priced, as the object keeps it. */
export type PriceRow =
  | { kind: 'priced'; tariffId: string; tariffVersion: number; ended: boolean; totalCost: number | null }
  | { kind: 'pending'; start: PendingStart; ended: boolean };

/** A running transaction's cost so far, under the tariff version it started with. */
export interface RunningPrice {
  tariff: { id: string; version: number };
  cost: CostBreakdown;
}

/** What a transaction's end gives the D1 cost fact: its breakdown under its tariff version, or null when it ended unpriced. */
export type FinishedPrice = {
  tariffId: string;
  tariffVersion: number;
  breakdown: CostBreakdown;
  totalCost: number;
  /** The token's tariff, which it was not re-priced under (RebindState.notRebound). */
  notRebound?: { tariffId: string; tariffVersion: number };
} | null;

type Row = {
  tariff_id: string | null;
  tariff_version: number | null;
  tariff: string | null;
  state: string;
  ended: number;
  total_cost: number | null;
  rebind: string | null;
};

/**
 * What the driver of a running 2.0.1 transaction was last told of its price (I06, driver-price.ts): the
 * event (seqNo) that told it, the price in effect then (priceInEffect's key), whether the token was known,
 * the token's language, and the updatedPersonalMessage that event was answered with, if any (a replay of
 * that event is answered the same).
 */
export interface ToldPrice {
  seqNo: number;
  key: string;
  token: boolean;
  language?: string;
  message?: { format: 'UTF8'; language?: string; content: string };
}

export class TransactionPrices {
  /** Rows not ended, once counted: none lets a message of an unpriced fleet skip every lookup. */
  private open: number | undefined;
  private readonly order: InsertionOrder;

  // The table is created by the object's schema (schema.ts, versions 5 to 7).
  constructor(private readonly sql: SqlStorage) {
    this.order = new InsertionOrder(sql, 'transaction_prices');
  }

  /** The tariff body a running, priced transaction is priced under (what its driver is shown); null otherwise. */
  tariffOf(transactionId: string): TariffBody | null {
    const row = this.read(transactionId);
    return row && row.ended === 0 && row.tariff !== null ? (JSON.parse(row.tariff) as TariffBody) : null;
  }

  /** What the transaction's driver was last told of its price (I06); null when nothing yet. */
  told(transactionId: string): ToldPrice | null {
    const row = this.sql.exec<{ told: string | null }>('SELECT told FROM transaction_prices WHERE transaction_id = ?', transactionId).toArray()[0];
    return row?.told ? (JSON.parse(row.told) as ToldPrice) : null;
  }

  /** Keeps what the driver was told: written in the event's synchronous block, so it commits with the event. */
  tell(transactionId: string, told: ToldPrice): void {
    this.sql.exec('UPDATE transaction_prices SET told = ? WHERE transaction_id = ? AND ended = 0', JSON.stringify(told), transactionId);
  }

  /** Whether any transaction is being priced (or waits for its tariff): false lets messages skip the lookup. */
  get anyOpen(): boolean {
    this.open ??= this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM transaction_prices WHERE ended = 0').one().n;
    return this.open > 0;
  }

  /** How the transaction is priced, undefined when it is not (no row). */
  get(transactionId: string): PriceRow | undefined {
    const row = this.read(transactionId);
    if (!row) return undefined;
    if (row.tariff_id === null) return { kind: 'pending', start: JSON.parse(row.state) as PendingStart, ended: row.ended !== 0 };
    return { kind: 'priced', tariffId: row.tariff_id, tariffVersion: row.tariff_version ?? 0, ended: row.ended !== 0, totalCost: row.total_cost };
  }

  /** Starts pricing under `tariff` (the version the store resolved), or keeps the start pending. A row already there stays. */
  start(transactionId: string, tariff: Tariff | 'pending', start: PendingStart): void {
    if (tariff === 'pending') {
      this.insert(transactionId, null, null, null, JSON.stringify(start));
    } else {
      const body = bodyOf(tariff);
      const { tariff: _kept, ...state } = startCost(body, start);
      this.insert(transactionId, tariff.id, tariff.version, JSON.stringify(body), JSON.stringify(state), rebindFrom(start));
    }
  }

  /** A pending row's tariff is known now: its fold starts (as from the transaction's start), or, with no tariff, the row goes. */
  resolved(transactionId: string, tariff: Tariff | null): void {
    const row = this.get(transactionId);
    if (row?.kind !== 'pending' || row.ended) return;
    if (tariff === null) {
      this.sql.exec('DELETE FROM transaction_prices WHERE transaction_id = ?', transactionId);
      this.open = undefined;
      return;
    }
    const body = bodyOf(tariff);
    const { tariff: _kept, ...state } = startCost(body, row.start);
    // Resolved as of now for the start's token: one begun without a token can still be rebound when it comes.
    this.sql.exec(
      'UPDATE transaction_prices SET tariff_id = ?, tariff_version = ?, tariff = ?, state = ?, rebind = ? WHERE transaction_id = ?',
      tariff.id,
      tariff.version,
      JSON.stringify(body),
      JSON.stringify(state),
      rebindFrom(row.start),
      transactionId,
    );
  }

  /**
   * A running transaction that began without a token, and whose token is not known yet: its start, and the
   * token noted when its tariff could not be resolved; null otherwise (priced with a token, rebound already,
   * ended, not priced). A pending one too (its start's idTag null): `pending` says so.
   */
  awaitingToken(
    transactionId: string,
  ): { start: PendingStart; token?: { idTag: string; tokenType?: string }; pending: boolean; overflow: boolean } | null {
    if (!this.anyOpen) return null;
    const row = this.read(transactionId);
    if (!row || row.ended !== 0) return null;
    if (row.tariff_id === null) {
      const start = JSON.parse(row.state) as PendingStart;
      return start.idTag === null ? { start, pending: true, overflow: false } : null;
    }
    const rebind = row.rebind === null ? null : (JSON.parse(row.rebind) as RebindState);
    if (rebind === null || rebind.notRebound) return null;
    return { start: rebind.start, ...(rebind.token ? { token: rebind.token } : {}), pending: false, overflow: rebind.overflow ?? false };
  }

  /**
   * The token of a transaction that began without one is known. `tariff`: the tariff resolved for it as of
   * the start ('pending': D1 did not answer, the token is noted and the next message tries again). Another
   * tariff than the bound one: the fold starts again from the start under it and takes the samples kept,
   * and the row keeps no samples any more; the same tariff (by id: the version bound at the start stays,
   * an edit since does not apply) or none: the bound one stays. Past the samples' bound, another tariff is
   * only noted (notRebound). A transaction still pending resolves for the token instead. Synchronous: it
   * commits with the event. Returns true when the transaction's tariff changed.
   */
  tokenKnown(transactionId: string, token: { idTag: string; tokenType?: string }, tariff: Tariff | null | 'pending' | undefined): boolean {
    const row = this.read(transactionId);
    if (!row || row.ended !== 0) return false;
    if (row.tariff_id === null) {
      const start = JSON.parse(row.state) as PendingStart;
      if (start.idTag !== null) return false;
      const { tokenType } = token;
      const withToken: PendingStart = { ...start, idTag: token.idTag, ...(tokenType === undefined ? {} : { tokenType }) };
      this.sql.exec('UPDATE transaction_prices SET state = ? WHERE transaction_id = ?', JSON.stringify(withToken), transactionId);
      return false;
    }
    const rebind = row.rebind === null ? null : (JSON.parse(row.rebind) as RebindState);
    if (rebind === null || rebind.notRebound || tariff === undefined) return false;
    if (tariff === 'pending') {
      this.sql.exec('UPDATE transaction_prices SET rebind = ? WHERE transaction_id = ?', JSON.stringify({ ...rebind, token }), transactionId);
      return false;
    }
    if (tariff === null || tariff.id === row.tariff_id) {
      this.sql.exec('UPDATE transaction_prices SET rebind = NULL WHERE transaction_id = ?', transactionId);
      return false;
    }
    if (rebind.overflow) {
      const notRebound = { tariffId: tariff.id, tariffVersion: tariff.version };
      this.sql.exec('UPDATE transaction_prices SET rebind = ? WHERE transaction_id = ?', JSON.stringify({ start: rebind.start, samples: [], overflow: true, notRebound }), transactionId);
      return false;
    }
    const body = bodyOf(tariff);
    let state = startCost(body, rebind.start);
    // The samples are the ones the fold took, as it took them: the charging state they carry does not depend on the tariff.
    for (const sample of rebind.samples) state = advanceCost(state, sample);
    const { tariff: _kept, ...rest } = state;
    this.sql.exec(
      'UPDATE transaction_prices SET tariff_id = ?, tariff_version = ?, tariff = ?, state = ?, rebind = NULL WHERE transaction_id = ?',
      tariff.id,
      tariff.version,
      JSON.stringify(body),
      JSON.stringify(rest),
      transactionId,
    );
    return true;
  }

  /**
   * Advances a running transaction's fold with the samples `samplesFor` gives (it is told the charging
   * state the fold is in), and with `end` ends it: the breakdown at `end` ('last reading': a transaction
   * abandoned by a newer start, priced up to its last reading), or null when it ends still pending
   * (unpriced). One row read, and at most one row write (none when nothing changed). A sample older than
   * the last one the fold took is left out (a replayed message adds nothing), so is one at that same
   * time that says nothing new. Returns the end's price; undefined without `end`, or when there is
   * nothing to end here (not priced, or ended already: a replay).
   */
  update(
    transactionId: string,
    samplesFor: (charging: boolean) => readonly CostSample[],
    end?: { endedAt: string; endRegisterWh?: number } | 'last reading',
  ): FinishedPrice | undefined {
    const row = this.read(transactionId);
    if (!row || row.ended !== 0) return undefined;
    if (row.tariff_id === null || row.tariff === null) {
      if (!end) return undefined;
      this.markEnded(transactionId, null);
      return null;
    }
    const before = { ...(JSON.parse(row.state) as Omit<CostState, 'tariff'>), tariff: JSON.parse(row.tariff) as TariffBody } as CostState;
    let state = before;
    const taken: CostSample[] = [];
    for (const sample of samplesFor(state.open.charging)) {
      const atMs = Date.parse(sample.at);
      if (!Number.isFinite(atMs) || atMs < state.lastAtMs) continue;
      if (atMs === state.lastAtMs && sample.registerWh === undefined && sample.charging === state.open.charging) continue;
      state = advanceCost(state, sample);
      taken.push(sample);
    }
    const rebind = row.rebind === null ? null : (JSON.parse(row.rebind) as RebindState);
    if (end) {
      const breakdown = finishCost(state, end === 'last reading' ? { endedAt: new Date(state.lastAtMs).toISOString() } : end);
      const finished = {
        tariffId: row.tariff_id,
        tariffVersion: row.tariff_version ?? 0,
        breakdown,
        totalCost: totalCostOf(breakdown.total_cost),
        ...(rebind?.notRebound ? { notRebound: rebind.notRebound } : {}),
      };
      this.markEnded(transactionId, finished.totalCost);
      return finished;
    }
    if (state !== before) {
      const { tariff: _kept, ...rest } = state;
      // While its token is not known, the samples taken are kept too (bounded), to price it again under the token's tariff.
      const kept = rebind === null || rebind.notRebound ? undefined : keepSamples(rebind, taken);
      if (kept === undefined) this.sql.exec('UPDATE transaction_prices SET state = ? WHERE transaction_id = ?', JSON.stringify(rest), transactionId);
      else this.sql.exec('UPDATE transaction_prices SET state = ?, rebind = ? WHERE transaction_id = ?', JSON.stringify(rest), JSON.stringify(kept), transactionId);
    }
    return undefined;
  }

  /** The end's row: the fold state is of no more use (the breakdown went with the end's fact), the totalCost answers replays. */
  private markEnded(transactionId: string, totalCost: number | null): void {
    this.sql.exec("UPDATE transaction_prices SET ended = 1, total_cost = ?, tariff = NULL, state = '{}', told = NULL, rebind = NULL WHERE transaction_id = ?", totalCost, transactionId);
    if (this.open !== undefined) this.open = Math.max(0, this.open - 1);
    this.trim();
  }

  /** The cost so far of a running, priced transaction, as if it ended at `at`; null otherwise. Reads only. */
  running(transactionId: string, at: string): RunningPrice | null {
    const row = this.read(transactionId);
    if (!row || row.ended !== 0 || row.tariff_id === null || row.tariff === null) return null;
    const state = { ...(JSON.parse(row.state) as Omit<CostState, 'tariff'>), tariff: JSON.parse(row.tariff) as TariffBody } as CostState;
    // Never before the last reading the fold took (a charger's clock may run ahead of the CSMS's).
    const until = Math.max(Date.parse(at), state.lastAtMs);
    return { tariff: { id: row.tariff_id, version: row.tariff_version ?? 0 }, cost: runningCost(state, new Date(until).toISOString()) };
  }

  /** The running transactions priced under a tariff (not those waiting for theirs): the ones whose driver can be shown a cost. */
  runningPriced(): string[] {
    if (!this.anyOpen) return [];
    return this.sql
      .exec<{ transaction_id: string }>('SELECT transaction_id FROM transaction_prices WHERE ended = 0 AND tariff_id IS NOT NULL ORDER BY n')
      .toArray()
      .map((row) => row.transaction_id);
  }

  /**
   * What the driver is shown of a running transaction (driver-price.ts): its cost so far as `running` gives it,
   * with the tariff body it is priced under, the last register reading (Wh) and whether it charges now.
   */
  shown(transactionId: string, at: string): { running: RunningPrice; tariff: TariffBody; registerWh: number | null; charging: boolean } | null {
    const running = this.running(transactionId, at);
    const row = running && this.read(transactionId);
    if (!running || !row?.tariff) return null;
    const state = JSON.parse(row.state) as Omit<CostState, 'tariff'>;
    return {
      running,
      tariff: JSON.parse(row.tariff) as TariffBody,
      registerWh: state.registerMilliWh === null ? null : state.registerMilliWh / 1000,
      charging: state.open.charging,
    };
  }

  private read(transactionId: string): Row | undefined {
    return this.sql
      .exec<Row>('SELECT tariff_id, tariff_version, tariff, state, ended, total_cost, rebind FROM transaction_prices WHERE transaction_id = ?', transactionId)
      .toArray()[0];
  }

  private insert(transactionId: string, tariffId: string | null, version: number | null, tariff: string | null, state: string, rebind: string | null = null): void {
    const added = this.sql.exec(
      `INSERT INTO transaction_prices (transaction_id, tariff_id, tariff_version, tariff, state, ended, n, rebind) VALUES (?, ?, ?, ?, ?, 0, ?, ?)
       ON CONFLICT (transaction_id) DO NOTHING`,
      transactionId,
      tariffId,
      version,
      tariff,
      state,
      this.order.next(),
      rebind,
    ).rowsWritten;
    if (added > 0 && this.open !== undefined) this.open += 1;
  }

  /** Keeps the table bounded: the newest ENDED_KEPT ended rows, and KEPT_MAX rows in all. */
  private trim(): void {
    const removed =
      this.sql.exec(
        `DELETE FROM transaction_prices WHERE ended = 1 AND transaction_id NOT IN
           (SELECT transaction_id FROM transaction_prices WHERE ended = 1 ORDER BY n DESC LIMIT ?)`,
        ENDED_KEPT,
      ).rowsWritten +
      this.sql.exec(
        'DELETE FROM transaction_prices WHERE transaction_id NOT IN (SELECT transaction_id FROM transaction_prices ORDER BY n DESC LIMIT ?)',
        KEPT_MAX,
      ).rowsWritten;
    if (removed > 0) this.open = undefined;
  }
}

/** The OCPI body of a stored version: what the fold prices with (id, version and last_updated are kept in their columns). */
function bodyOf(tariff: Tariff): TariffBody {
  const { id: _id, version: _version, last_updated: _updated, ...body } = tariff;
  return body as TariffBody;
}

/** The `rebind` column of a transaction priced from `start`: kept only when it began without a token. */
function rebindFrom(start: PendingStart): string | null {
  return start.idTag === null ? JSON.stringify({ start, samples: [] } satisfies RebindState) : null;
}

/** The rebind state with `taken` added; past REBIND_SAMPLES_MAX, without samples (overflow). */
function keepSamples(rebind: RebindState, taken: readonly CostSample[]): RebindState {
  if (rebind.overflow) return rebind;
  const samples = [...rebind.samples, ...taken];
  if (samples.length > REBIND_SAMPLES_MAX) return { start: rebind.start, samples: [], overflow: true, ...(rebind.token ? { token: rebind.token } : {}) };
  return { ...rebind, samples };
}
