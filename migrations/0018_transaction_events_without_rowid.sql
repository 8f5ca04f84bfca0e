-- 2.0.1 TransactionEvents without a rowid: the table is only ever looked up by its primary key
-- (charger, transaction, seqNo, digest), which a rowid table keeps twice, in the table and in a
-- separate index. Without the rowid the key is the table: one D1 row written per event instead
-- of two, and the 64-character digest stored once. Same columns, same rows, same trigger.

CREATE TABLE transaction_events_by_key (
  charger_id       TEXT NOT NULL,
  transaction_id   TEXT NOT NULL,
  seq_no           INTEGER NOT NULL,
  -- SHA-256 (hex) of the event as the charger sent it, meter values included; '' for events
  -- stored before migration 0010. An identical replay has the same digest and adds nothing.
  digest           TEXT NOT NULL DEFAULT '',
  -- applied: part of the transaction; conflicting: reused a seqNo with other content; late:
  -- arrived after the transaction's Ended. Only applied events count (see 0010).
  disposition      TEXT NOT NULL DEFAULT 'applied',
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
  id_token_status  TEXT,
  remote_start_id_token TEXT,
  evse_id          INTEGER,
  connector_id     INTEGER,
  begin_wh         REAL,
  end_wh           REAL,
  detail           TEXT,
  received_at      TEXT NOT NULL,
  PRIMARY KEY (charger_id, transaction_id, seq_no, digest)
) WITHOUT ROWID;

INSERT INTO transaction_events_by_key (charger_id, transaction_id, seq_no, digest, disposition, event_type, timestamp,
  trigger_reason, offline, charging_state, stopped_reason, remote_start_id, reservation_id, id_token, id_token_type,
  id_token_status, remote_start_id_token, evse_id, connector_id, begin_wh, end_wh, detail, received_at)
SELECT charger_id, transaction_id, seq_no, digest, disposition, event_type, timestamp,
  trigger_reason, offline, charging_state, stopped_reason, remote_start_id, reservation_id, id_token, id_token_type,
  id_token_status, remote_start_id_token, evse_id, connector_id, begin_wh, end_wh, detail, received_at
FROM transaction_events;

-- Dropping the table drops its trigger; it is made again below, as 0010 made it.
DROP TABLE transaction_events;
ALTER TABLE transaction_events_by_key RENAME TO transaction_events;

-- An event kept but not applied is an anomaly of its transaction, with the event as detail.
CREATE TRIGGER transaction_events_not_applied AFTER INSERT ON transaction_events
WHEN NEW.disposition <> 'applied'
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  VALUES (NEW.charger_id, NEW.transaction_id, CASE NEW.disposition WHEN 'late' THEN 'late-event' ELSE 'conflicting-event' END,
          COALESCE(NEW.detail, ''), NEW.received_at);
END;
