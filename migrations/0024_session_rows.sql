-- Fewer D1 rows per charging session (issue 12): the transactions table rebuilt without
-- AUTOINCREMENT and without UNIQUE (charger_id, start_key), every row (its id included), index
-- and trigger carried over.
--
-- AUTOINCREMENT wrote sqlite_sequence with every insert: one billed row per transaction. It only
-- keeps an id from being used again after the largest row is deleted, and transaction rows are
-- never deleted, so a plain rowid hands out the same ids (the largest + 1). No id a charger or an
-- API cursor knows is changed: the rows keep theirs. 1.6 transactionIds are numbered by each
-- charger's object (charger/transaction-ids.ts), not by this id.
--
-- UNIQUE (charger_id, start_key) wrote an index entry for every transaction, 2.0.1 ones too
-- (their start_key is NULL, and NULLs are indexed). It guards nothing any more: the charger's
-- object decides which StartTransaction is a replay, and a stored start_key carries its
-- transaction's id (`<key>#<id>`, store/transactions.ts start16Statements), so it is unique
-- wherever (charger_id, ocpp_transaction_id) is. That constraint stays: it is what makes a
-- replayed start's INSERT OR IGNORE add nothing, and every lookup by the charger's id uses it.

CREATE TABLE transactions_rebuilt (
  -- An internal number: the API's cursor order. The 1.6 transactionId of rows D1 numbered before
  -- the charger's object did.
  id                   INTEGER PRIMARY KEY,
  charger_id           TEXT NOT NULL,
  protocol             TEXT NOT NULL,
  -- What the charger calls it: the 1.6 id as text, or the 2.0.1 station's transactionId.
  ocpp_transaction_id  TEXT,
  -- 1.6 replay key: connectorId|idTag|meterStart|timestamp of the StartTransaction, then #<id>.
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
  -- Where the meter values went (0017) and the events' archive (0020).
  meter_archive_key      TEXT,
  meter_archived_count   INTEGER,
  meter_archive_sha256   TEXT,
  meter_archive_first_at TEXT,
  meter_archive_last_at  TEXT,
  meter_archived_at      TEXT,
  events_archived_count  INTEGER,
  events_archive_sha256  TEXT,
  UNIQUE (charger_id, ocpp_transaction_id)
);

INSERT INTO transactions_rebuilt (id, charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag,
  id_tag_status, stop_id_tag, status, started_at, stopped_at, meter_start_wh, meter_stop_wh, energy_wh, stop_reason,
  charging_state, last_trigger_reason, remote_start_id, reservation_id, offline, last_seq_no, updated_at,
  meter_archive_key, meter_archived_count, meter_archive_sha256, meter_archive_first_at, meter_archive_last_at,
  meter_archived_at, events_archived_count, events_archive_sha256)
SELECT id, charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag,
  id_tag_status, stop_id_tag, status, started_at, stopped_at, meter_start_wh, meter_stop_wh, energy_wh, stop_reason,
  charging_state, last_trigger_reason, remote_start_id, reservation_id, offline, last_seq_no, updated_at,
  meter_archive_key, meter_archived_count, meter_archive_sha256, meter_archive_first_at, meter_archive_last_at,
  meter_archived_at, events_archived_count, events_archive_sha256
FROM transactions;

-- Dropping the table drops its indexes and triggers; they are made again below as 0002, 0015
-- and 0017 made them. Its sqlite_sequence row goes with it.
DROP TABLE transactions;
ALTER TABLE transactions_rebuilt RENAME TO transactions;

CREATE INDEX transactions_by_charger ON transactions (charger_id, id);
CREATE INDEX transactions_by_status ON transactions (status, id);
CREATE INDEX transactions_to_archive ON transactions (updated_at) WHERE status = 'completed' AND meter_archived_at IS NULL;
CREATE INDEX transactions_archived_by_time ON transactions (charger_id, meter_archive_last_at) WHERE meter_archived_at IS NOT NULL;

-- A transaction without the charger's id is named by its row id.
CREATE TRIGGER transactions_ocpp_id AFTER INSERT ON transactions
WHEN NEW.ocpp_transaction_id IS NULL
BEGIN
  UPDATE transactions SET ocpp_transaction_id = CAST(NEW.id AS TEXT) WHERE id = NEW.id;
END;

CREATE TRIGGER transactions_negative_energy_insert AFTER INSERT ON transactions
WHEN NEW.status = 'completed' AND NEW.meter_stop_wh < NEW.meter_start_wh
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  VALUES (NEW.charger_id, NEW.ocpp_transaction_id, 'negative-energy',
          json_object('meterStartWh', NEW.meter_start_wh, 'meterStopWh', NEW.meter_stop_wh), NEW.updated_at);
END;
CREATE TRIGGER transactions_negative_energy_update AFTER UPDATE ON transactions
WHEN NEW.status = 'completed' AND NEW.meter_stop_wh < NEW.meter_start_wh
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  VALUES (NEW.charger_id, NEW.ocpp_transaction_id, 'negative-energy',
          json_object('meterStartWh', NEW.meter_start_wh, 'meterStopWh', NEW.meter_stop_wh), NEW.updated_at);
END;
