-- Meter values of old transactions move to R2 (src/store/meter-archive.ts): the transaction row
-- stays in D1 with what it bills, and says where its readings went.

-- The R2 object holding the transaction's readings (NULL with meter_archived_at set: it had none).
ALTER TABLE transactions ADD COLUMN meter_archive_key TEXT;
-- How many readings the object holds, and the SHA-256 (hex) of their canonical JSON: checked on every read.
ALTER TABLE transactions ADD COLUMN meter_archived_count INTEGER;
ALTER TABLE transactions ADD COLUMN meter_archive_sha256 TEXT;
-- The earliest and latest reading's timestamp, for reads by time range.
ALTER TABLE transactions ADD COLUMN meter_archive_first_at TEXT;
ALTER TABLE transactions ADD COLUMN meter_archive_last_at TEXT;
-- When the readings left D1 (CSMS clock); NULL while they are in D1.
ALTER TABLE transactions ADD COLUMN meter_archived_at TEXT;

-- What the archiver has still to move, oldest change first: only completed transactions not yet
-- archived have an entry, so the index stays the size of the backlog and each run starts where
-- the last one stopped.
CREATE INDEX transactions_to_archive ON transactions (updated_at) WHERE status = 'completed' AND meter_archived_at IS NULL;

-- Archived transactions of a charger by the time their readings span, for time-range reads.
CREATE INDEX transactions_archived_by_time ON transactions (charger_id, meter_archive_last_at) WHERE meter_archived_at IS NOT NULL;

-- Values outside any transaction move per charger and UTC day, once the day is older than the
-- retention window: one R2 object per charger-day, named by its content's SHA-256 (so a day that
-- gets late values is written anew under a new name, and the row moves to it in one batch).
CREATE TABLE meter_archive_days (
  charger_id    TEXT NOT NULL,
  -- UTC date (YYYY-MM-DD) of the values' timestamps.
  day           TEXT NOT NULL,
  archive_key   TEXT NOT NULL,
  value_count   INTEGER NOT NULL,
  -- SHA-256 (hex) of the values' canonical JSON: checked on every read.
  sha256        TEXT NOT NULL,
  first_at      TEXT NOT NULL,
  last_at       TEXT NOT NULL,
  archived_at   TEXT NOT NULL,
  PRIMARY KEY (charger_id, day)
) WITHOUT ROWID;
