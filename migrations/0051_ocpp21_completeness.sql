-- OCPP 2.1 completeness (issue 16): where periodic event-stream values went once archived to R2, and the
-- charger monitor inventory learnt from NotifyMonitoringReport.

-- A charger's stream's values of one UTC day, moved from event_stream_values (0049) to the ARCHIVE
-- bucket once the day is older than METER_RETENTION_DAYS, as meter values' charger-days are
-- (meter_archive_days, 0017): one row per (charger, stream, day), naming the object that holds all
-- of that day's values and what a read checks them against. A day that gets values after it moved
-- is written anew with them, under a new name, and its row then names the new object.
CREATE TABLE IF NOT EXISTS event_stream_archive_days (
  charger_id  TEXT NOT NULL,
  stream_id   INTEGER NOT NULL,
  -- YYYY-MM-DD (UTC)
  day         TEXT NOT NULL,
  archive_key TEXT NOT NULL,
  value_count INTEGER NOT NULL,
  -- SHA-256 (hex) of the object's values as JSON (src/store/event-stream-archive.ts)
  sha256      TEXT NOT NULL,
  -- the first and last value's instant, milliseconds since the epoch: a range read opens only the objects it needs
  first_ms    INTEGER NOT NULL,
  last_ms     INTEGER NOT NULL,
  archived_at TEXT NOT NULL,
  PRIMARY KEY (charger_id, stream_id, day)
) WITHOUT ROWID;

-- The charger's variable monitors (variable_monitors, 0049) as an inventory of what it has: kept
-- from SetVariableMonitoring answers as before, and now learnt from NotifyMonitoringReport too
-- (2.0.1 and 2.1), so GET /monitors reads this table rather than re-deriving monitors from raw
-- reports (which kept showing cleared monitors).
ALTER TABLE variable_monitors ADD COLUMN severity INTEGER;
-- 1: active only during a transaction
ALTER TABLE variable_monitors ADD COLUMN in_transaction INTEGER;
-- 'SetVariableMonitoring' or 'NotifyMonitoringReport': where the row was last learnt
ALTER TABLE variable_monitors ADD COLUMN source TEXT NOT NULL DEFAULT 'SetVariableMonitoring';
-- the GetMonitoringReport requestId of a reported monitor
ALTER TABLE variable_monitors ADD COLUMN request_id INTEGER;

-- The monitors chargers already reported, learnt once, oldest report first so the latest wins
-- (and never over a newer SetVariableMonitoring answer).
INSERT INTO variable_monitors (charger_id, monitor_id, component, variable, type, value, set_at, severity, in_transaction, source, request_id)
SELECT r.charger_id, json_extract(vm.value, '$.id'), json_extract(m.value, '$.component'), json_extract(m.value, '$.variable'),
  json_extract(vm.value, '$.type'), json_extract(vm.value, '$.value'), r.received_at, json_extract(vm.value, '$.severity'),
  json_extract(vm.value, '$.transaction'), 'NotifyMonitoringReport', r.request_id
FROM charger_reports AS r, json_each(r.payload, '$.monitor') AS m, json_each(m.value, '$.variableMonitoring') AS vm
WHERE r.action = 'NotifyMonitoringReport' AND json_extract(vm.value, '$.id') IS NOT NULL
  AND json_extract(vm.value, '$.type') IS NOT NULL AND json_extract(vm.value, '$.value') IS NOT NULL
ORDER BY r.id
ON CONFLICT (charger_id, monitor_id) DO UPDATE SET
  component = excluded.component, variable = excluded.variable, type = excluded.type, value = excluded.value, set_at = excluded.set_at,
  severity = excluded.severity, in_transaction = excluded.in_transaction, source = excluded.source, request_id = excluded.request_id
WHERE variable_monitors.set_at <= excluded.set_at;
