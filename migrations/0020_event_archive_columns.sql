-- A completed 2.0.1 transaction's events move to R2 with its readings (src/store/meter-archive.ts),
-- in the same object: the transaction row says how many moved and their SHA-256, checked on every
-- read. D1 keeps the events it still judges by: the applied Ended event (every event after it is
-- late) and every event not applied (they back anomalies).
--
-- Rows archived before this migration keep NULL in both: their events are all still in D1, and
-- their objects (format @1) read as before.

-- How many event rows moved to the transaction's object (meter_archive_key); NULL: none moved
-- (a 1.6 transaction, one closed as abandoned without its own Ended, or archived before this).
ALTER TABLE transactions ADD COLUMN events_archived_count INTEGER;
-- SHA-256 (hex) of the moved events' canonical JSON.
ALTER TABLE transactions ADD COLUMN events_archive_sha256 TEXT;
