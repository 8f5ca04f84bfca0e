-- A completed transaction's cost recomputed by an operator (issue 14, POST /api/v1/transactions/{id}/cost):
-- transaction_costs (0034) is written once by the charger's object, and this log is the only way it
-- changes afterwards. Each recomputation is one row, written in the same D1 batch as the new
-- transaction_costs figures, so the log and the cost never disagree. Rows are never changed or removed.
CREATE TABLE transaction_cost_revisions (
  -- The transaction's row id (transactions.id).
  transaction_id     INTEGER NOT NULL REFERENCES transactions (id),
  -- 1 for the first recomputation of the transaction, then 2, ...
  revision           INTEGER NOT NULL,
  -- The tariff version and CostBreakdown (JSON) it had before; NULL when it had no cost row (unpriced).
  previous_tariff_id      TEXT,
  previous_tariff_version INTEGER,
  previous_breakdown      TEXT,
  -- What it has now.
  tariff_id          TEXT NOT NULL COLLATE NOCASE,
  tariff_version     INTEGER NOT NULL,
  breakdown          TEXT NOT NULL,
  -- `readings` or `registers` (priced from the start/stop registers alone: no readings were kept).
  source             TEXT NOT NULL,
  -- The operator's reason, as given (1–500 characters).
  reason             TEXT NOT NULL,
  -- The API token that asked: `root` (API_TOKEN) or the id of a token made through /api/v1/tokens.
  token_id           TEXT NOT NULL,
  at                 TEXT NOT NULL,
  PRIMARY KEY (transaction_id, revision)
) WITHOUT ROWID;
