// D1 access for a completed transaction's cost: the transaction_costs table (migrations/0034), written once
// per transaction from the `cost` outbox facts its charger's object appends at the end, and read with the
// transaction.
//
// A cost is written once: INSERT ... ON CONFLICT DO NOTHING keyed by the transaction's row id, found by
// (charger, protocol, the charger's transaction id). A later cost for the same transaction (a replay, or
// one priced at an abandonment and again at a late own end) never replaces it; one with other figures is
// kept as a `conflicting-cost` anomaly. A transaction that ended before its tariff could be resolved is
// flagged `unpriced` (transaction-anomalies.ts). Run after the batch's starts, stops, events and
// abandonments, so the transaction's row exists.
//
// The one other writer is an operator's explicit recomputation (`revise`): it replaces the figures and
// logs the change in transaction_cost_revisions (migrations/0036) in the same batch.

import type { ChargerFact } from '../fleet/outbox';
import type { CostBreakdown } from '../tariffs/cost';
import { columnsOf, jsonChunks } from './json-rows';

const COST_COLUMNS = [
  'charger_id',
  'transaction_id',
  'protocol',
  'tariff_id',
  'tariff_version',
  'currency',
  'excl_vat',
  'incl_vat',
  'ended_at',
  'breakdown',
  'detail',
] as const;

/** A transaction's cost as the API shows it. */
export interface TransactionCost {
  tariff: { id: string; version: number };
  cost: CostBreakdown;
  pricedAt: string;
}

/** The SQL columns a transaction's view selects, given the alias of transaction_costs joined to it. */
export function costColumns(alias: string): string {
  return `${alias}.tariff_id AS cost_tariff_id, ${alias}.tariff_version AS cost_tariff_version, ${alias}.breakdown AS cost_breakdown,
    ${alias}.priced_at AS cost_priced_at`;
}

/** The cost of a row selected with `costColumns`, null when it has none. */
export function costOf(row: {
  cost_tariff_id?: string | null;
  cost_tariff_version?: number | null;
  cost_breakdown?: string | null;
  cost_priced_at?: string | null;
}): TransactionCost | null {
  if (!row.cost_tariff_id || !row.cost_breakdown) return null;
  return {
    tariff: { id: row.cost_tariff_id, version: row.cost_tariff_version ?? 0 },
    cost: JSON.parse(row.cost_breakdown) as CostBreakdown,
    pricedAt: row.cost_priced_at ?? '',
  };
}

export class TransactionCostStore {
  constructor(private readonly db: D1Database) {}

  /** Statements storing the batch's `cost` facts; none when there are none (an unpriced fleet pays nothing). */
  costStatements(costs: readonly ChargerFact<'cost'>[], now: string): D1PreparedStatement[] {
    if (costs.length === 0) return [];
    const rows = costs.map(({ chargerId, fact }) => {
      const b = fact.priced?.breakdown;
      return [
        chargerId,
        fact.transactionId,
        fact.protocol,
        fact.priced?.tariffId ?? null,
        fact.priced?.tariffVersion ?? null,
        b?.currency ?? null,
        b?.total_cost.excl_vat ?? null,
        b?.total_cost.incl_vat ?? null,
        b?.end_date_time ?? fact.at,
        b ? JSON.stringify(b) : null,
        JSON.stringify(fact.priced ? { tariff: { id: fact.priced.tariffId, version: fact.priced.tariffVersion }, total_cost: b?.total_cost } : { at: fact.at }),
      ];
    });
    const costsIn = `(SELECT ${columnsOf(COST_COLUMNS)} FROM json_each(?1) AS j)`;
    const matching = 't.charger_id = c.charger_id AND t.protocol = c.protocol AND t.ocpp_transaction_id = c.transaction_id';
    return jsonChunks(rows).flatMap((json) => [
      this.db
        .prepare(
          `INSERT INTO transaction_costs (transaction_id, charger_id, tariff_id, tariff_version, currency, total_cost_excl_vat,
             total_cost_incl_vat, ended_at, breakdown, priced_at)
           SELECT t.id, c.charger_id, c.tariff_id, c.tariff_version, c.currency, c.excl_vat, c.incl_vat, c.ended_at, c.breakdown, ?2
           FROM ${costsIn} AS c JOIN transactions t ON ${matching}
           WHERE c.tariff_id IS NOT NULL
           ON CONFLICT (transaction_id) DO NOTHING`,
        )
        .bind(json, now),
      // After the insert: a cost that is not the one kept (other tariff or total) is a conflict; an unpriced end is flagged.
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT c.charger_id, c.transaction_id, CASE WHEN c.tariff_id IS NULL THEN 'unpriced' ELSE 'conflicting-cost' END, c.detail, ?2
           FROM ${costsIn} AS c JOIN transactions t ON ${matching} LEFT JOIN transaction_costs k ON k.transaction_id = t.id
           WHERE (c.tariff_id IS NULL AND k.transaction_id IS NULL)
              OR (c.tariff_id IS NOT NULL AND k.transaction_id IS NOT NULL AND NOT (k.tariff_id = c.tariff_id AND k.tariff_version = c.tariff_version
                  AND k.total_cost_excl_vat = c.excl_vat AND k.total_cost_incl_vat IS c.incl_vat))`,
        )
        .bind(json, now),
      ...this.notReboundStatements(costs, now),
    ]);
  }

  /** The `price-not-rebound` flags of the batch's costs that carry one (transaction-anomalies.ts); usually none. */
  private notReboundStatements(costs: readonly ChargerFact<'cost'>[], now: string): D1PreparedStatement[] {
    const flagged = costs.filter(({ fact }) => fact.notRebound !== undefined);
    if (flagged.length === 0) return [];
    return flagged.map(({ chargerId, fact }) =>
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT ?1, ?2, 'price-not-rebound', ?3, ?4 WHERE EXISTS
             (SELECT 1 FROM transactions WHERE charger_id = ?1 AND protocol = ?5 AND ocpp_transaction_id = ?2)`,
        )
        .bind(chargerId, fact.transactionId, JSON.stringify({ tariff: { id: fact.notRebound!.tariffId, version: fact.notRebound!.tariffVersion } }), now, fact.protocol),
    );
  }
}

/** One logged recomputation of a transaction's cost (transaction_cost_revisions). */
export interface CostRevision {
  revision: number;
  /** What it had before: null when the transaction had no cost (it was not priced). */
  previous: { tariff: { id: string; version: number }; cost: CostBreakdown } | null;
  tariff: { id: string; version: number };
  cost: CostBreakdown;
  /** `readings`: priced from the stored readings; `registers`: from the start/stop registers alone. */
  source: 'readings' | 'registers';
  reason: string;
  /** The API token that asked: `root` or a token id. */
  tokenId: string;
  at: string;
}

export interface NewCostRevision {
  tariffId: string;
  tariffVersion: number;
  breakdown: CostBreakdown;
  source: 'readings' | 'registers';
  reason: string;
  tokenId: string;
  at: string;
}

type RevisionRow = {
  revision: number;
  previous_tariff_id: string | null;
  previous_tariff_version: number | null;
  previous_breakdown: string | null;
  tariff_id: string;
  tariff_version: number;
  breakdown: string;
  source: 'readings' | 'registers';
  reason: string;
  token_id: string;
  at: string;
};

const REVISION_COLUMNS = `revision, previous_tariff_id, previous_tariff_version, previous_breakdown, tariff_id, tariff_version, breakdown,
  source, reason, token_id, at`;

function toRevision(row: RevisionRow): CostRevision {
  return {
    revision: row.revision,
    previous:
      row.previous_tariff_id === null || row.previous_breakdown === null
        ? null
        : { tariff: { id: row.previous_tariff_id, version: row.previous_tariff_version ?? 0 }, cost: JSON.parse(row.previous_breakdown) as CostBreakdown },
    tariff: { id: row.tariff_id, version: row.tariff_version },
    cost: JSON.parse(row.breakdown) as CostBreakdown,
    source: row.source,
    reason: row.reason,
    tokenId: row.token_id,
    at: row.at,
  };
}

/** Most revisions one list answer holds; a transaction recomputed more often than this is listed from its latest. */
export const MAX_REVISIONS_LISTED = 1000;

export class CostRevisionStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Replaces a completed transaction's cost with `next` and logs the change, in one batch (one D1
   * transaction): the revision row takes the cost it replaces from transaction_costs as it is at that
   * moment, so two recomputations at once each log what they really replaced. Null (nothing written)
   * when the transaction is not (or no longer) completed.
   */
  async revise(transactionRowId: number, next: NewCostRevision): Promise<CostRevision | null> {
    const completed = `EXISTS (SELECT 1 FROM transactions WHERE id = ?1 AND status = 'completed')`;
    const b = next.breakdown;
    const [logged] = await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO transaction_cost_revisions (transaction_id, ${REVISION_COLUMNS})
           SELECT ?1, COALESCE((SELECT MAX(revision) FROM transaction_cost_revisions WHERE transaction_id = ?1), 0) + 1,
             c.tariff_id, c.tariff_version, c.breakdown, ?2, ?3, ?4, ?5, ?6, ?7, ?8
           FROM (SELECT 1) LEFT JOIN transaction_costs c ON c.transaction_id = ?1
           WHERE ${completed}
           RETURNING ${REVISION_COLUMNS}`,
        )
        .bind(transactionRowId, next.tariffId, next.tariffVersion, JSON.stringify(b), next.source, next.reason, next.tokenId, next.at),
      this.db
        .prepare(
          `INSERT INTO transaction_costs (transaction_id, charger_id, tariff_id, tariff_version, currency, total_cost_excl_vat,
             total_cost_incl_vat, ended_at, breakdown, priced_at)
           SELECT id, charger_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM transactions WHERE id = ?1 AND status = 'completed'
           ON CONFLICT (transaction_id) DO UPDATE SET tariff_id = excluded.tariff_id, tariff_version = excluded.tariff_version,
             currency = excluded.currency, total_cost_excl_vat = excluded.total_cost_excl_vat,
             total_cost_incl_vat = excluded.total_cost_incl_vat, ended_at = excluded.ended_at, breakdown = excluded.breakdown,
             priced_at = excluded.priced_at`,
        )
        .bind(
          transactionRowId,
          next.tariffId,
          next.tariffVersion,
          b.currency,
          b.total_cost.excl_vat,
          b.total_cost.incl_vat ?? null,
          b.end_date_time,
          JSON.stringify(b),
          next.at,
        ),
    ]);
    const row = (logged?.results as RevisionRow[] | undefined)?.[0];
    return row ? toRevision(row) : null;
  }

  /** A transaction's recomputations, oldest first. */
  async list(transactionRowId: number): Promise<CostRevision[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM (SELECT ${REVISION_COLUMNS} FROM transaction_cost_revisions WHERE transaction_id = ?1
           ORDER BY revision DESC LIMIT ?2) ORDER BY revision`,
      )
      .bind(transactionRowId, MAX_REVISIONS_LISTED)
      .all<RevisionRow>();
    return results.map(toRevision);
  }
}
