-- 2.0.1 TransactionEvents kept as received, also those not applied: a seqNo reused with other
-- content, and events after the transaction's Ended. A completed transaction's energy, status
-- and stop facts never change. Runs after 0009_transaction_anomalies.sql (its triggers write there).
-- See src/store/transactions.ts for how events are classified and the transaction derived.

CREATE TABLE transaction_events_kept (
  charger_id       TEXT NOT NULL,
  transaction_id   TEXT NOT NULL,
  seq_no           INTEGER NOT NULL,
  -- SHA-256 (hex) of the event as the charger sent it, meter values included; '' for events
  -- stored before this column existed. An identical replay has the same digest and adds nothing.
  digest           TEXT NOT NULL DEFAULT '',
  -- applied: part of the transaction; conflicting: reused a seqNo with other content; late:
  -- arrived after the transaction's Ended (another Ended, or a higher seqNo). Only applied
  -- events count; the others are kept here and as transaction_anomalies.
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
  -- What the CSMS answered in idTokenInfo for id_token.
  id_token_status  TEXT,
  -- The idToken the CSMS sent in the RequestStartTransaction with this remoteStartId.
  remote_start_id_token TEXT,
  evse_id          INTEGER,
  connector_id     INTEGER,
  -- The event's own Energy.Active.Import.Register readings (Wh): its Transaction.Begin reading
  -- (else its earliest, except on Ended) and its Transaction.End reading (else its latest).
  begin_wh         REAL,
  end_wh           REAL,
  -- The event as received, as JSON, for events not applied.
  detail           TEXT,
  received_at      TEXT NOT NULL,
  PRIMARY KEY (charger_id, transaction_id, seq_no, digest)
);

INSERT INTO transaction_events_kept (charger_id, transaction_id, seq_no, event_type, timestamp, trigger_reason, offline,
  charging_state, stopped_reason, remote_start_id, reservation_id, id_token, id_token_type, evse_id, connector_id, received_at)
SELECT charger_id, transaction_id, seq_no, event_type, timestamp, trigger_reason, offline,
  charging_state, stopped_reason, remote_start_id, reservation_id, id_token, id_token_type, evse_id, connector_id, received_at
FROM transaction_events;

DROP TABLE transaction_events;
ALTER TABLE transaction_events_kept RENAME TO transaction_events;

-- Registers now come from the events themselves: events stored before keep the registers their
-- transaction was derived with, on its first and last event.
UPDATE transaction_events SET begin_wh = (
  SELECT t.meter_start_wh FROM transactions t
  WHERE t.charger_id = transaction_events.charger_id AND t.ocpp_transaction_id = transaction_events.transaction_id)
WHERE seq_no = (SELECT MIN(x.seq_no) FROM transaction_events x
                WHERE x.charger_id = transaction_events.charger_id AND x.transaction_id = transaction_events.transaction_id);
UPDATE transaction_events SET end_wh = (
  SELECT t.meter_stop_wh FROM transactions t
  WHERE t.charger_id = transaction_events.charger_id AND t.ocpp_transaction_id = transaction_events.transaction_id)
WHERE seq_no = (SELECT MAX(x.seq_no) FROM transaction_events x
                WHERE x.charger_id = transaction_events.charger_id AND x.transaction_id = transaction_events.transaction_id);

-- An event kept but not applied is an anomaly of its transaction, with the event as detail.
-- A trigger, so that storing events stays one statement per batch (test/workers/d1-cost.test.ts).
CREATE TRIGGER transaction_events_not_applied AFTER INSERT ON transaction_events
WHEN NEW.disposition <> 'applied'
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  VALUES (NEW.charger_id, NEW.transaction_id, CASE NEW.disposition WHEN 'late' THEN 'late-event' ELSE 'conflicting-event' END,
          COALESCE(NEW.detail, ''), NEW.received_at);
END;

-- A completed 2.0.1 transaction whose end register is below its start one (a meter swap, a
-- rollover) is flagged; its energy_wh stays null, the raw registers are kept.
CREATE TRIGGER transactions_201_negative_energy_insert AFTER INSERT ON transactions
WHEN NEW.protocol = 'ocpp2.0.1' AND NEW.status = 'completed' AND NEW.meter_stop_wh < NEW.meter_start_wh
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  VALUES (NEW.charger_id, NEW.ocpp_transaction_id, 'negative-energy',
          json_object('meterStartWh', NEW.meter_start_wh, 'meterStopWh', NEW.meter_stop_wh), NEW.updated_at);
END;
CREATE TRIGGER transactions_201_negative_energy_update AFTER UPDATE ON transactions
WHEN NEW.protocol = 'ocpp2.0.1' AND NEW.status = 'completed' AND NEW.meter_stop_wh < NEW.meter_start_wh
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  VALUES (NEW.charger_id, NEW.ocpp_transaction_id, 'negative-energy',
          json_object('meterStartWh', NEW.meter_start_wh, 'meterStopWh', NEW.meter_stop_wh), NEW.updated_at);
END;
