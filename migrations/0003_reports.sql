-- What chargers report beyond sessions: firmware, diagnostics and log upload status, security
-- events, certificate requests, 2.0.1 device-model reports and notifications, vendor data.
-- One row per message, its payload kept as sent (JSON).

CREATE TABLE charger_reports (
  -- Rows are inserted in the order each charger sent them, so a charger's rows in id order are
  -- its messages in order, even where two share a received_at millisecond.
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  charger_id   TEXT NOT NULL,
  action       TEXT NOT NULL,
  -- The OCPP message id and a SHA-256 of the payload: a replayed message is kept once, while a
  -- charger that reuses message ids after a reboot still gets its new messages kept.
  message_id   TEXT NOT NULL,
  digest       TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  -- The payload's requestId, where the action has one (2.0.1 reports, firmware and log requests).
  request_id   INTEGER,
  payload      TEXT NOT NULL,
  UNIQUE (charger_id, action, message_id, digest)
);
CREATE INDEX charger_reports_by_charger ON charger_reports (charger_id, id);
CREATE INDEX charger_reports_by_action ON charger_reports (charger_id, action, id);
