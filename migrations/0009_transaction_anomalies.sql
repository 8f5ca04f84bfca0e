-- What a charger sent about a transaction that the CSMS kept but did not apply to it, and what
-- makes a transaction's energy unfit to bill as it stands. A completed transaction's energy never
-- changes: conflicting or late input lands here instead, flagged for the operator.
CREATE TABLE transaction_anomalies (
  charger_id          TEXT NOT NULL,
  -- What the charger calls the transaction (transactions.ocpp_transaction_id).
  ocpp_transaction_id TEXT NOT NULL,
  -- See src/store/transaction-anomalies.ts for the kinds.
  kind                TEXT NOT NULL,
  -- The input as received, or what was found, as JSON; part of the identity so a replay adds nothing.
  detail              TEXT NOT NULL DEFAULT '',
  received_at         TEXT NOT NULL,
  PRIMARY KEY (charger_id, ocpp_transaction_id, kind, detail)
) WITHOUT ROWID;
