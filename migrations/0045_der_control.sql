-- OCPP 2.1 DER control (use cases R04, R05): each charger's DER controls and its DER alarm history,
-- as its answers to SetDERControl / ClearDERControl / GetDERControl and its ReportDERControl,
-- NotifyDERStartStop and NotifyDERAlarm tell them (src/ocpp/v21/der-control.ts, src/store/der-controls.ts).

CREATE TABLE IF NOT EXISTS der_controls (
  charger_id         TEXT NOT NULL,
  control_id         TEXT NOT NULL,
  control_type       TEXT NOT NULL,
  is_default         INTEGER NOT NULL,
  is_superseded      INTEGER NOT NULL,
  priority           INTEGER NOT NULL,
  start_time         TEXT,
  duration           REAL,
  -- The setting as OCPP carried it, under its field: {"curve": {...}}, {"fixedVar": {...}}.
  setting            TEXT NOT NULL,
  -- 'set' (SetDERControl Accepted) or 'reported' (a ReportDERControl listed it).
  source             TEXT NOT NULL,
  -- For 'reported': the requestId of the report and when its part came.
  report_request_id  INTEGER,
  reported_at        TEXT,
  -- NotifyDERStartStop: 'started' or 'stopped', at the charger's timestamp.
  state              TEXT,
  state_at           TEXT,
  updated_at         TEXT NOT NULL,
  PRIMARY KEY (charger_id, control_id)
);

-- A GetDERControl the charger accepted: what the ReportDERControl parts with its requestId are the
-- whole truth about (null criteria: any).
CREATE TABLE IF NOT EXISTS der_control_requests (
  charger_id    TEXT NOT NULL,
  request_id    INTEGER NOT NULL,
  is_default    INTEGER,
  control_type  TEXT,
  control_id    TEXT,
  requested_at  TEXT NOT NULL,
  PRIMARY KEY (charger_id, request_id)
);

-- NotifyDERAlarm: one row per alarm, open until an alarmEnded of its type closes it. A row whose
-- start the CSMS never saw has started_at null.
CREATE TABLE IF NOT EXISTS der_alarms (
  id                INTEGER PRIMARY KEY,
  charger_id        TEXT NOT NULL,
  control_type      TEXT NOT NULL,
  grid_event_fault  TEXT,
  started_at        TEXT,
  ended_at          TEXT,
  extra_info        TEXT,
  end_extra_info    TEXT,
  received_at       TEXT NOT NULL
);
-- The same start, sent again (a replay, a flush repeated), is one alarm.
CREATE UNIQUE INDEX IF NOT EXISTS der_alarms_start ON der_alarms (charger_id, control_type, COALESCE(grid_event_fault, ''), started_at);
-- GET /chargers/{id}/der-alarms walks this, newest first.
CREATE INDEX IF NOT EXISTS der_alarms_by_charger ON der_alarms (charger_id, id);
