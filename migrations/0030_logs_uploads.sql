-- Log and diagnostics uploads the CSMS offers (GetLog / GetDiagnostics with ?upload=csms): one row
-- per request, linking it to the file the charger uploaded (kept in R2 under logs/...). The
-- request's progress is read from the charger's LogStatusNotification / DiagnosticsStatusNotification
-- reports (charger_reports); nothing of the signed URL is kept.
CREATE TABLE log_requests (
  charger_id    TEXT NOT NULL,
  -- 2.0.1 (and 1.6 security extension) GetLog: the operator's requestId; 1.6 GetDiagnostics has
  -- none, so the CSMS assigns one.
  request_id    INTEGER NOT NULL,
  -- GetLog or GetDiagnostics: which status notification tells its progress.
  action        TEXT NOT NULL,
  log_type      TEXT,
  requested_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  -- The charger's answer (status, 2.0.1 filename, 1.6 fileName), once it answered.
  answer        TEXT,
  -- The uploaded file: its R2 key, name, size, content type and when it arrived.
  file_key      TEXT,
  file_name     TEXT,
  file_size     INTEGER,
  content_type  TEXT,
  uploaded_at   TEXT,
  PRIMARY KEY (charger_id, request_id)
);
CREATE INDEX log_requests_by_time ON log_requests (charger_id, requested_at);

-- The fleet's security events (GET /api/v1/security-events) across chargers, newest first.
CREATE INDEX charger_reports_by_action_fleet ON charger_reports (action, id);
