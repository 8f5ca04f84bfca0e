-- The fleet list's filters and sorts (GET /api/v1/chargers, src/store/charger-fleet.ts) read a
-- bounded number of rows at 10,000 chargers: each sort key has an index that is also its keyset,
-- the `q` prefix search seeks a range of each searched column, and the rare states (faulted,
-- unavailable, offline) are found through small partial indexes instead of by reading the fleet.
-- Measured in test/workers/fleet-query.test.ts (rows read) and test/workers/session-rows.test.ts
-- (rows written).
--
-- The sort keys are expressions: NULL (a charger registered but never booted) sorts as '' so a
-- keyset cursor compares plainly, and text sorts and prefix searches ignore ASCII case. The
-- queries say the expressions word for word: SQLite uses an index on an expression only for a
-- query that names the same expression.
--
-- What they cost in rows written: vendor, model, serial number and firmware are written at a boot
-- (an index entry each, rewritten even when the value is the same); the id index once, when the row
-- is made. last_seen has no index on purpose: it moves with every outbox hand-over that carries
-- facts (during a session, every FLUSH_DELAY_SECONDS), and an index entry each time would cost a
-- D1 row written per hand-over — about 1,500 a charger-month, more than the rest of a session —
-- to save reads that cost a thousandth as much. A page sorted by lastSeen reads the fleet instead
-- (about 20,000 rows read at 10,000 chargers, measured in test/workers/fleet-query.test.ts).
CREATE INDEX IF NOT EXISTS chargers_by_vendor ON chargers (ifnull(vendor, '') COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS chargers_by_model ON chargers (ifnull(model, '') COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS chargers_by_firmware ON chargers (ifnull(firmware_version, '') COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS chargers_by_serial ON chargers (serial_number COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS chargers_by_id_nocase ON chargers (id COLLATE NOCASE);

-- Offline chargers: an entry is written when a charger goes offline (or is registered before it
-- ever connects), none while it is connected. The WHERE is word for word what the query says.
CREATE INDEX IF NOT EXISTS chargers_offline ON chargers (id) WHERE connected = 0;

-- Connectors in the two states that make a charger faulted or unavailable: written only when a
-- connector enters or leaves one of them, so a charging session (Available, Preparing, Charging,
-- Finishing...) writes nothing more.
CREATE INDEX IF NOT EXISTS connector_status_faulted ON connector_status (charger_id) WHERE status = 'Faulted';
CREATE INDEX IF NOT EXISTS connector_status_unavailable ON connector_status (charger_id) WHERE status = 'Unavailable';
