-- A completed transaction's price (issue 14): one row per priced transaction, written once when
-- it ends and never changed by a later message (a replayed or conflicting end keeps the first
-- cost; only an explicit operator recomputation, logged, may replace it).
--
-- Kept apart from `transactions` so that the rows every list scans stay small: the breakdown
-- (charging periods, per-dimension totals) is read only by a transaction's own view and CDRs.
-- Amounts are the engine's figures (src/tariffs/cost.ts), already rounded to the currency's minor
-- unit, so REAL holds them exactly enough to print with that many decimals.
CREATE TABLE transaction_costs (
  -- The transaction's row id (transactions.id): one cost per transaction.
  transaction_id       INTEGER PRIMARY KEY REFERENCES transactions (id),
  charger_id           TEXT NOT NULL,
  -- The tariff version the session was priced under: the one in force when it started.
  tariff_id            TEXT NOT NULL COLLATE NOCASE,
  tariff_version       INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  total_cost_excl_vat  REAL NOT NULL,
  -- NULL when it cannot be known (a component without `vat` priced something).
  total_cost_incl_vat  REAL,
  -- When the session ended, as the breakdown says (for CDR exports by period).
  ended_at             TEXT NOT NULL,
  -- The CostBreakdown as JSON.
  breakdown            TEXT NOT NULL,
  priced_at            TEXT NOT NULL
);
CREATE INDEX transaction_costs_by_end ON transaction_costs (ended_at, transaction_id);
