-- OCPP 2.1 tariffs, cost and payment (issue 16): what the CSMS keeps of them. Written from the charger
-- objects' outbox facts of kind `tariff21` (src/ocpp/v21/tariff-facts.ts, src/store/charger-tariffs.ts);
-- every statement is idempotent, so a replayed flush changes nothing.

-- The tariffs a charger holds, as its answers said: accepted SetDefaultTariff / ChangeTransactionTariff
-- add a row, an answered ClearTariffs removes rows, a GetTariffs answer replaces what was known there.
CREATE TABLE charger_tariffs (
  charger_id      TEXT NOT NULL,
  -- The charger's tariffId; `<tariff id>@<version>` when the CSMS built it from a stored tariff.
  ocpp_tariff_id  TEXT NOT NULL,
  -- The EVSE it applies to (0: all); -1 for a transaction's tariff or one held for id tokens.
  evse_id         INTEGER NOT NULL,
  -- ChangeTransactionTariff's transaction (the charger's id); '' otherwise.
  transaction_id  TEXT NOT NULL,
  -- DefaultTariff or DriverTariff (OCPP TariffKindEnumType).
  kind            TEXT NOT NULL,
  -- The project tariff version the id names, when it names one.
  tariff_id       TEXT COLLATE NOCASE,
  tariff_version  INTEGER,
  valid_from      TEXT,
  -- GetTariffs' idTokens, as JSON; NULL when none were named.
  id_tokens       TEXT,
  -- What told the CSMS: SetDefaultTariff, ChangeTransactionTariff or GetTariffs.
  source          TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  PRIMARY KEY (charger_id, ocpp_tariff_id, evse_id, transaction_id)
) WITHOUT ROWID;

-- The cost a charger computed itself (TransactionEvent costDetails), per transaction: the latest event's,
-- the Ended event's once it came. The final one is compared with the CSMS's own price (transaction_costs):
-- beyond `tolerance` the transaction is flagged `charger-cost-differs`, never re-priced.
CREATE TABLE transaction_charger_costs (
  charger_id          TEXT NOT NULL,
  protocol            TEXT NOT NULL,
  ocpp_transaction_id TEXT NOT NULL,
  seq_no              INTEGER NOT NULL,
  -- 1: from the Ended event.
  final               INTEGER NOT NULL,
  currency            TEXT,
  total_excl_tax      REAL,
  total_incl_tax      REAL,
  -- One minor unit of the currency: a difference up to it is rounding.
  tolerance           REAL NOT NULL,
  -- CostDetailsType as the charger sent it (JSON).
  cost_details        TEXT NOT NULL,
  received_at         TEXT NOT NULL,
  PRIMARY KEY (charger_id, protocol, ocpp_transaction_id)
) WITHOUT ROWID;

-- Payment settlements (NotifySettlement): each attempt kept, found with its transaction.
CREATE TABLE transaction_settlements (
  charger_id          TEXT NOT NULL,
  -- The charger's transaction id; '' when the payment was canceled before a transaction started.
  ocpp_transaction_id TEXT NOT NULL,
  psp_ref             TEXT NOT NULL,
  -- Settled, Canceled, Rejected or Failed.
  status              TEXT NOT NULL,
  status_info         TEXT,
  amount              REAL NOT NULL,
  settled_at          TEXT NOT NULL,
  receipt_id          TEXT,
  receipt_url         TEXT,
  vat_number          TEXT,
  -- AddressType of the company a receipt is made out to (JSON).
  vat_company         TEXT,
  received_at         TEXT NOT NULL,
  PRIMARY KEY (charger_id, psp_ref, status, settled_at)
) WITHOUT ROWID;
CREATE INDEX transaction_settlements_by_transaction ON transaction_settlements (charger_id, ocpp_transaction_id, settled_at);
