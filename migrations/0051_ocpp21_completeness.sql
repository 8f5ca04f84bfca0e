-- OCPP 2.1 completeness (issue 16): where periodic event-stream values went once archived to R2.

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
