-- Meter values packed: one row per reading (a charger's timestamped meterValue entry) instead of
-- one per sampled value. The old table wrote 19 D1 rows (a row and two index entries per value) and
-- ~275 bytes per value for a 6-value MeterValues message; this one writes 2 (the row and one index
-- entry). See src/store/meter-packing.ts for the format of `data` and src/store/meter-values.ts
-- for how it is read and written.
CREATE TABLE IF NOT EXISTS meter_readings (
  charger_id  TEXT NOT NULL,
  -- What the reading belongs to, for its identity: the charger's transaction id ('@' doubled when
  -- it begins with '@'), or '@<evse>/<connector>' for values outside any transaction. A
  -- transaction's values are the same values whichever connector a replay attributes them to.
  scope       TEXT NOT NULL,
  -- UTC ISO 8601 (YYYY-MM-DDTHH:MM:SS.sssZ).
  timestamp   TEXT NOT NULL,
  -- JSON: [[evseId, connectorId, [sample, ...]], ...]; a sample is
  -- [measurand, value, unit, context?, phase?, location?, signedData?], standard texts as codes.
  -- Usually one segment; values of the same instant that arrive later with another EVSE or
  -- connector add one.
  data        TEXT NOT NULL,
  -- NULL but for conflicting input: values that arrived for this reading with the same identity
  -- (measurand, phase, location, context) as a stored one but other content, kept here as
  -- [[receivedAt, detail], ...] (the stored value stays the reading's), and flagged by the trigger below.
  conflicts   TEXT,
  PRIMARY KEY (charger_id, scope, timestamp)
) WITHOUT ROWID;
-- A charger's readings by time (GET /chargers/{id}/meter-values); the primary key serves a transaction's.
CREATE INDEX IF NOT EXISTS meter_readings_by_time ON meter_readings (charger_id, timestamp);

-- Conflicting input is kept and flagged: each conflict the row keeps becomes a conflicting-meter-value
-- anomaly of its transaction (values outside a transaction: under '@<evse>/<connector>'), in the
-- same statement as the write that kept it.
CREATE TRIGGER IF NOT EXISTS meter_readings_conflicts AFTER UPDATE OF conflicts ON meter_readings
WHEN NEW.conflicts IS NOT OLD.conflicts
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  SELECT NEW.charger_id, CASE WHEN NEW.scope LIKE '@@%' THEN substr(NEW.scope, 2) ELSE NEW.scope END,
    'conflicting-meter-value', json_extract(c.value, '$[1]'), json_extract(c.value, '$[0]')
  FROM json_each(NEW.conflicts) AS c
  WHERE NOT EXISTS (SELECT 1 FROM json_each(COALESCE(OLD.conflicts, '[]')) AS k WHERE k.value = c.value);
END;

-- Every stored value carried forward, packed as src/store/meter-packing.ts packs it (the same
-- codes; trailing absent parts left out), grouped by reading and, within it, by the EVSE and
-- connector each value was stored with.
INSERT INTO meter_readings (charger_id, scope, timestamp, data)
SELECT charger_id, scope, timestamp, json_group_array(json(segment))
FROM (
  SELECT charger_id, scope, timestamp, evse_id, connector_id,
    json_array(evse_id, connector_id, json_group_array(json(sample) ORDER BY measurand, phase, location, context)) AS segment
  FROM (
    SELECT charger_id, scope, timestamp, evse_id, connector_id, measurand, phase, location, context,
      CASE WHEN signed_data IS NOT NULL THEN json_array(mc, value, uc, cc, pc, lc, signed_data)
           WHEN lc IS NOT 0 THEN json_array(mc, value, uc, cc, pc, lc)
           WHEN pc IS NOT 0 THEN json_array(mc, value, uc, cc, pc)
           WHEN cc IS NOT 0 THEN json_array(mc, value, uc, cc)
           ELSE json_array(mc, value, uc) END AS sample
    FROM (
      SELECT charger_id,
        CASE WHEN transaction_id = '' THEN scope
             WHEN substr(transaction_id, 1, 1) = '@' THEN '@' || transaction_id
             ELSE transaction_id END AS scope,
        timestamp, evse_id, connector_id, measurand, phase, location, context, value, signed_data,
        CASE measurand WHEN 'Energy.Active.Import.Register' THEN 0 WHEN 'Power.Active.Import' THEN 1 WHEN 'Current.Import' THEN 2 WHEN 'Voltage' THEN 3 WHEN 'SoC' THEN 4 WHEN 'Current.Offered' THEN 5 WHEN 'Power.Offered' THEN 6 WHEN 'Energy.Active.Export.Register' THEN 7 WHEN 'Energy.Reactive.Export.Register' THEN 8 WHEN 'Energy.Reactive.Import.Register' THEN 9 WHEN 'Energy.Active.Export.Interval' THEN 10 WHEN 'Energy.Active.Import.Interval' THEN 11 WHEN 'Energy.Reactive.Export.Interval' THEN 12 WHEN 'Energy.Reactive.Import.Interval' THEN 13 WHEN 'Power.Active.Export' THEN 14 WHEN 'Power.Reactive.Export' THEN 15 WHEN 'Power.Reactive.Import' THEN 16 WHEN 'Power.Factor' THEN 17 WHEN 'Current.Export' THEN 18 WHEN 'Frequency' THEN 19 WHEN 'Temperature' THEN 20 WHEN 'RPM' THEN 21 WHEN 'Energy.Active.Net' THEN 22 WHEN 'Energy.Reactive.Net' THEN 23 WHEN 'Energy.Apparent.Net' THEN 24 WHEN 'Energy.Apparent.Import' THEN 25 WHEN 'Energy.Apparent.Export' THEN 26 ELSE measurand END AS mc,
        CASE unit WHEN 'Wh' THEN 0 WHEN 'W' THEN 1 WHEN 'A' THEN 2 WHEN 'V' THEN 3 WHEN 'Percent' THEN 4 WHEN 'var' THEN 5 WHEN 'varh' THEN 6 WHEN 'VA' THEN 7 WHEN 'VAh' THEN 8 WHEN 'Celsius' THEN 9 WHEN 'Hz' THEN 10 WHEN 'K' THEN 11 WHEN 'Fahrenheit' THEN 12 WHEN 'RPM' THEN 13 WHEN '' THEN 14 ELSE unit END AS uc,
        CASE context WHEN '' THEN 0 WHEN 'Sample.Periodic' THEN 1 WHEN 'Transaction.Begin' THEN 2 WHEN 'Transaction.End' THEN 3 WHEN 'Sample.Clock' THEN 4 WHEN 'Trigger' THEN 5 WHEN 'Interruption.Begin' THEN 6 WHEN 'Interruption.End' THEN 7 WHEN 'Other' THEN 8 ELSE context END AS cc,
        CASE phase WHEN '' THEN 0 WHEN 'L1' THEN 1 WHEN 'L2' THEN 2 WHEN 'L3' THEN 3 WHEN 'N' THEN 4 WHEN 'L1-N' THEN 5 WHEN 'L2-N' THEN 6 WHEN 'L3-N' THEN 7 WHEN 'L1-L2' THEN 8 WHEN 'L2-L3' THEN 9 WHEN 'L3-L1' THEN 10 ELSE phase END AS pc,
        CASE location WHEN '' THEN 0 WHEN 'Outlet' THEN 1 WHEN 'Inlet' THEN 2 WHEN 'Cable' THEN 3 WHEN 'EV' THEN 4 WHEN 'Body' THEN 5 ELSE location END AS lc
      FROM meter_values
    )
  )
  GROUP BY charger_id, scope, timestamp, evse_id, connector_id
)
GROUP BY charger_id, scope, timestamp;

DROP INDEX IF EXISTS meter_values_by_time;
DROP INDEX IF EXISTS meter_values_by_transaction;
DROP TABLE IF EXISTS meter_values;
