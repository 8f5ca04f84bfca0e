-- Firmware jobs: one row per accepted UpdateFirmware / SignedUpdateFirmware, moved on by the
-- charger's status notifications (src/ocpp/firmware-jobs.ts). The charger's object is the one
-- writer: it sends each job whole, and a row is replaced only by a higher revision.
CREATE TABLE firmware_jobs (
  charger_id      TEXT NOT NULL,
  job_id          INTEGER NOT NULL,
  protocol        TEXT NOT NULL,
  action          TEXT NOT NULL,
  request_id      INTEGER,
  location        TEXT NOT NULL,
  retrieve_at     TEXT NOT NULL,
  install_at      TEXT,
  retries         INTEGER,
  retry_interval  INTEGER,
  status          TEXT NOT NULL,
  -- running, succeeded, failed or superseded
  outcome         TEXT NOT NULL,
  -- The notifications matched to the job, as JSON: [{ status, at, ignored? }]
  history         TEXT NOT NULL,
  booted_at       TEXT,
  booted_version  TEXT,
  confirmed_at    TEXT,
  revision        INTEGER NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (charger_id, job_id)
) WITHOUT ROWID;
