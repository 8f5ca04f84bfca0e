-- Meter readings packed per hour: one row per (charger, scope, UTC hour) holds all the readings
-- of that hour, instead of one row per reading (0016). A MeterValues message still costs one D1
-- row written (an UPDATE of its hour's row once the hour has one), but the archive, which moves
-- a completed transaction's readings to R2 and deletes them from D1, deletes one row per hour
-- instead of one per reading, and D1 bills every row deleted as a row written: for a charger
-- reporting every minute, 60 times fewer. See src/store/meter-values.ts for how rows are read and
-- written and src/store/meter-packing.ts for the samples' format.
CREATE TABLE IF NOT EXISTS meter_hours (
  charger_id  TEXT NOT NULL,
  -- As meter_readings.scope (0016): the charger's transaction id ('@' doubled when it begins with
  -- '@'), or '@<evse>/<connector>' for values outside any transaction.
  scope       TEXT NOT NULL,
  -- The UTC hour of the readings, the first 13 characters of their timestamps (YYYY-MM-DDTHH).
  hour        TEXT NOT NULL,
  -- 0, or more when an hour's row has grown past the store's size limit (a charger reporting many
  -- values often): later readings of the hour go to the next part. A reading lives in one part.
  part        INTEGER NOT NULL DEFAULT 0,
  -- JSON: {"<timestamp>": [[evseId, connectorId, [sample, ...]], ...], ...}, one entry per reading
  -- keyed by its timestamp (so a reading is found by path, not by scanning the row), in the order
  -- they arrived; the segments and samples as in meter_readings.data (0016).
  data        TEXT NOT NULL,
  -- NULL but for conflicting input, as meter_readings.conflicts: [[receivedAt, detail], ...], the
  -- detail naming the reading's timestamp.
  conflicts   TEXT,
  PRIMARY KEY (charger_id, scope, hour, part)
) WITHOUT ROWID;
-- Values outside any transaction by time, for the archive's per-day reads (as 0019's index, per
-- hour). Written once per hour's row: an UPDATE that appends a reading changes no indexed column.
CREATE INDEX IF NOT EXISTS meter_hours_outside_by_hour ON meter_hours (charger_id, hour)
WHERE scope LIKE '@%' AND scope NOT LIKE '@@%';

-- Conflicting input is kept and flagged, as 0016's trigger did for meter_readings.
CREATE TRIGGER IF NOT EXISTS meter_hours_conflicts AFTER UPDATE OF conflicts ON meter_hours
WHEN NEW.conflicts IS NOT OLD.conflicts
BEGIN
  INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
  SELECT NEW.charger_id, CASE WHEN NEW.scope LIKE '@@%' THEN substr(NEW.scope, 2) ELSE NEW.scope END,
    'conflicting-meter-value', json_extract(c.value, '$[1]'), json_extract(c.value, '$[0]')
  FROM json_each(NEW.conflicts) AS c
  WHERE NOT EXISTS (SELECT 1 FROM json_each(COALESCE(OLD.conflicts, '[]')) AS k WHERE k.value = c.value);
END;

-- Every reading carried forward, in timestamp order, 200 readings to a part (so no row grows past
-- D1's row size limit whatever the history held). Their conflicts go with them; the anomalies
-- they raised exist already (an INSERT does not fire the trigger).
INSERT INTO meter_hours (charger_id, scope, hour, part, data, conflicts)
SELECT charger_id, scope, hour, part,
  json_group_object(timestamp, json(data) ORDER BY timestamp),
  json('[' || group_concat(NULLIF(substr(conflicts, 2, length(conflicts) - 2), ''), ',') || ']')
FROM (
  SELECT charger_id, scope, substr(timestamp, 1, 13) AS hour, timestamp, data, conflicts,
    (ROW_NUMBER() OVER (PARTITION BY charger_id, scope, substr(timestamp, 1, 13) ORDER BY timestamp) - 1) / 200 AS part
  FROM meter_readings
)
GROUP BY charger_id, scope, hour, part;

DROP TRIGGER IF EXISTS meter_readings_conflicts;
DROP INDEX IF EXISTS meter_readings_outside_by_time;
DROP TABLE IF EXISTS meter_readings;
