-- Carries completed transactions stored before issue 11's billing fixes forward: a transaction of
-- either version whose end register is below its start one (a meter swap, a rollover, a bad
-- meter) was stored with a negative, billable energy_wh and no flag. It gets the
-- `negative-energy` anomaly new transactions get (same detail: the raw registers, which stay),
-- and its energy_wh becomes NULL: never negative kWh to bill. Rows already flagged add nothing
-- (the anomaly's detail is its identity). Runs after 0009/0010 (anomalies table and triggers).

INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
SELECT charger_id, ocpp_transaction_id, 'negative-energy',
       json_object('meterStartWh', meter_start_wh, 'meterStopWh', meter_stop_wh), updated_at
FROM transactions
WHERE status = 'completed' AND meter_stop_wh < meter_start_wh;

UPDATE transactions SET energy_wh = NULL
WHERE status = 'completed' AND meter_stop_wh < meter_start_wh AND energy_wh IS NOT NULL;
