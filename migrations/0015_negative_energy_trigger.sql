-- One rule for negative energy, whatever the version: a completed transaction whose end register
-- is below its start one (a meter swap, a rollover) is flagged negative-energy, its energy_wh
-- stays null and the raw registers are kept. 0010 had this for 2.0.1 only; 1.6 stops and
-- abandonments flagged it with statements of their own. A trigger on the row is the one place
-- that sees every way a transaction is completed.
DROP TRIGGER IF EXISTS transactions_201_negative_energy_insert;
DROP TRIGGER IF EXISTS transactions_201_negative_energy_update;

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
