-- Authorization, transactions, meter values, and history of statuses and connections.

-- 1.6 idTags and 2.0.1 idTokens, keyed by the token text. OCPP compares them without regard
-- to case (chargers send the same RFID card as upper- or lower-case hex), and so does this key.
CREATE TABLE id_tags (
  id_tag         TEXT PRIMARY KEY COLLATE NOCASE,
  -- 2.0.1 IdTokenEnumType (ISO14443, eMAID, Central, ...); NULL matches any type.
  token_type     TEXT,
  -- Accepted, Blocked, Expired or Invalid.
  status         TEXT NOT NULL,
  expiry_date    TEXT,
  -- 1.6 parentIdTag, 2.0.1 groupIdToken.
  parent_id_tag  TEXT,
  -- 1 when the CSMS first saw the tag in a transaction a charger ran offline.
  first_seen_offline INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);

-- One row per charging session, both versions.
CREATE TABLE transactions (
  -- The CSMS-assigned 1.6 transactionId; an internal number for 2.0.1.
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  charger_id           TEXT NOT NULL,
  protocol             TEXT NOT NULL,
  -- What the charger calls it: the 1.6 id as text, or the 2.0.1 station's transactionId.
  ocpp_transaction_id  TEXT,
  -- 1.6 replay key: connectorId|idTag|meterStart|timestamp of the StartTransaction.
  start_key            TEXT,
  evse_id              INTEGER,
  connector_id         INTEGER,
  id_tag               TEXT,
  id_tag_status        TEXT,
  stop_id_tag          TEXT,
  -- active or completed.
  status               TEXT NOT NULL,
  started_at           TEXT,
  stopped_at           TEXT,
  meter_start_wh       REAL,
  meter_stop_wh        REAL,
  energy_wh            REAL,
  stop_reason          TEXT,
  charging_state       TEXT,
  last_trigger_reason  TEXT,
  remote_start_id      INTEGER,
  reservation_id       INTEGER,
  offline              INTEGER NOT NULL DEFAULT 0,
  last_seq_no          INTEGER,
  updated_at           TEXT NOT NULL,
  UNIQUE (charger_id, ocpp_transaction_id),
  UNIQUE (charger_id, start_key)
);
CREATE INDEX transactions_by_charger ON transactions (charger_id, id);
CREATE INDEX transactions_by_status ON transactions (status, id);

-- A 1.6 transactionId is the row id; name it as the charger knows it.
CREATE TRIGGER transactions_ocpp_id AFTER INSERT ON transactions
WHEN NEW.ocpp_transaction_id IS NULL
BEGIN
  UPDATE transactions SET ocpp_transaction_id = CAST(NEW.id AS TEXT) WHERE id = NEW.id;
END;

-- 2.0.1 TransactionEvent messages, each kept once whatever order or how often they arrive.
CREATE TABLE transaction_events (
  charger_id       TEXT NOT NULL,
  transaction_id   TEXT NOT NULL,
  seq_no           INTEGER NOT NULL,
  event_type       TEXT NOT NULL,
  timestamp        TEXT NOT NULL,
  trigger_reason   TEXT NOT NULL,
  offline          INTEGER NOT NULL DEFAULT 0,
  charging_state   TEXT,
  stopped_reason   TEXT,
  remote_start_id  INTEGER,
  reservation_id   INTEGER,
  id_token         TEXT,
  id_token_type    TEXT,
  evse_id          INTEGER,
  connector_id     INTEGER,
  received_at      TEXT NOT NULL,
  PRIMARY KEY (charger_id, transaction_id, seq_no)
);

-- Every sampled value, unit-normalised (Wh, W, var, varh, VA, ...).
CREATE TABLE meter_values (
  charger_id      TEXT NOT NULL,
  -- What the value belongs to, for its identity: the transaction id, or '@<evse>/<connector>'
  -- for values outside any transaction. A transaction's values are the same values whichever
  -- connector a replay attributes them to.
  scope           TEXT NOT NULL,
  -- The charger's name for the transaction ('' when the value belongs to none).
  transaction_id  TEXT NOT NULL DEFAULT '',
  evse_id         INTEGER NOT NULL DEFAULT 0,
  connector_id    INTEGER NOT NULL DEFAULT 0,
  timestamp       TEXT NOT NULL,
  measurand       TEXT NOT NULL,
  phase           TEXT NOT NULL DEFAULT '',
  location        TEXT NOT NULL DEFAULT '',
  context         TEXT NOT NULL DEFAULT '',
  unit            TEXT NOT NULL,
  value           REAL,
  -- Signed meter data, kept as sent.
  signed_data     TEXT,
  PRIMARY KEY (charger_id, scope, timestamp, measurand, phase, location, context)
) WITHOUT ROWID;
CREATE INDEX meter_values_by_time ON meter_values (charger_id, timestamp);
CREATE INDEX meter_values_by_transaction ON meter_values (charger_id, transaction_id, measurand);

-- 1.6 StopTransactions naming a transactionId this CSMS never assigned: acknowledged and kept here.
CREATE TABLE unmatched_stops (
  charger_id      TEXT NOT NULL,
  transaction_id  INTEGER NOT NULL,
  id_tag          TEXT,
  meter_stop_wh   REAL NOT NULL,
  stopped_at      TEXT NOT NULL,
  reason          TEXT,
  received_at     TEXT NOT NULL,
  PRIMARY KEY (charger_id, transaction_id)
);

CREATE TABLE connector_status_history (
  charger_id    TEXT NOT NULL,
  evse_id       INTEGER NOT NULL,
  connector_id  INTEGER NOT NULL,
  reported_at   TEXT NOT NULL,
  status        TEXT NOT NULL,
  error_code    TEXT,
  info          TEXT,
  PRIMARY KEY (charger_id, evse_id, connector_id, reported_at, status)
) WITHOUT ROWID;

CREATE TABLE connection_history (
  charger_id  TEXT NOT NULL,
  at          TEXT NOT NULL,
  -- online or offline.
  event       TEXT NOT NULL,
  reason      TEXT,
  PRIMARY KEY (charger_id, at, event)
) WITHOUT ROWID;
