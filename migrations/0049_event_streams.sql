-- OCPP 2.1 periodic event streams (src/store/event-streams.ts, src/ocpp/v21/event-streams.ts).

-- Each charger's streams, one row per stream id: opened (OpenPeriodicEventStream, or listed in a
-- GetPeriodicEventStream answer), closed (ClosePeriodicEventStream, or missing from such an
-- answer), or unannounced: values came for an id the CSMS never saw opened. A stream id opened
-- again reuses its row (its values stay where they are, under the same id).
CREATE TABLE IF NOT EXISTS event_streams (
  charger_id             TEXT NOT NULL,
  stream_id              INTEGER NOT NULL,
  -- 'open', 'closed' or 'unannounced'
  state                  TEXT NOT NULL,
  -- 1 once the CSMS saw the stream opened or listed by the charger; values stored while it was 0 are flagged
  announced              INTEGER NOT NULL DEFAULT 0,
  variable_monitoring_id INTEGER,
  -- JSON {"interval": seconds, "values": count}, either absent
  params                 TEXT NOT NULL DEFAULT '{}',
  opened_at              TEXT,
  closed_at              TEXT,
  -- 'charger' (ClosePeriodicEventStream) or 'reconcile' (not in a GetPeriodicEventStream answer)
  closed_by              TEXT,
  adjusted_at            TEXT,
  -- the first value's time, for a stream whose values came unannounced
  first_unannounced_at   TEXT,
  -- the CSMS's time of the last change applied: an older change replayed later changes nothing
  updated_at             TEXT NOT NULL,
  PRIMARY KEY (charger_id, stream_id)
) WITHOUT ROWID;

-- A stream's values packed per UTC hour, like meter_hours (0022): one row per (charger, stream,
-- hour, part), written at most once per flush, however many NotifyPeriodicEventStream messages
-- the flush carries. `data` is {"<milliseconds after the hour>": "<value as sent>", ...}: a point
-- is found by its instant as a JSON path, and a replayed point adds nothing (the first kept wins).
CREATE TABLE IF NOT EXISTS event_stream_values (
  charger_id  TEXT NOT NULL,
  stream_id   INTEGER NOT NULL,
  -- the first 13 characters of the points' UTC timestamps (YYYY-MM-DDTHH)
  hour        TEXT NOT NULL,
  -- 0, or more when an hour's row has grown past the store's size limit
  part        INTEGER NOT NULL DEFAULT 0,
  data        TEXT NOT NULL,
  -- 1 when some of these points were stored while the CSMS knew no such stream of the charger
  unannounced INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (charger_id, stream_id, hour, part)
) WITHOUT ROWID;

-- Values of a stream the CSMS does not know are kept and flagged, and the stream is listed (as
-- unannounced), so an operator finds them.
CREATE TRIGGER IF NOT EXISTS event_stream_values_unannounced AFTER INSERT ON event_stream_values
WHEN NEW.unannounced = 1
BEGIN
  INSERT OR IGNORE INTO event_streams (charger_id, stream_id, state, announced, first_unannounced_at, updated_at)
  VALUES (NEW.charger_id, NEW.stream_id, 'unannounced', 0,
          strftime('%Y-%m-%dT%H:%M:%fZ', NEW.hour || ':00:00', '+' || ((SELECT min(CAST(key AS INTEGER)) FROM json_each(NEW.data)) / 1000.0) || ' seconds'),
          '');
END;

-- What the monitors a stream names watch, as the charger accepted them in SetVariableMonitoring
-- (NotifyMonitoringReport's are read from charger_reports).
CREATE TABLE IF NOT EXISTS variable_monitors (
  charger_id TEXT NOT NULL,
  monitor_id INTEGER NOT NULL,
  -- JSON: ComponentType and VariableType as sent
  component  TEXT NOT NULL,
  variable   TEXT NOT NULL,
  type       TEXT NOT NULL,
  value      REAL NOT NULL,
  set_at     TEXT NOT NULL,
  PRIMARY KEY (charger_id, monitor_id)
) WITHOUT ROWID;
