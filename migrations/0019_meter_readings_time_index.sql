-- The time index of meter readings covers only what is read by time: values outside any
-- transaction (scope '@<evse>/<connector>'), which the archive finds per charger and UTC day
-- (src/store/meter-values.ts dueChargerDays, readingsForChargerDay and its deletes). A
-- transaction's readings are found by the primary key (charger_id, scope, timestamp) and are
-- most of what chargers send: without an entry here each costs one D1 row written instead of
-- two, and its bytes. A charger's values by time across scopes (GET /chargers/{id}/meter-values)
-- read the charger's rows through the primary key instead.
--
-- The WHERE is word for word what the queries say (OUTSIDE_TRANSACTIONS there, without the
-- table's alias): SQLite uses a partial index only for a query whose WHERE contains its terms.
DROP INDEX IF EXISTS meter_readings_by_time;
CREATE INDEX IF NOT EXISTS meter_readings_outside_by_time ON meter_readings (charger_id, timestamp)
WHERE scope LIKE '@%' AND scope NOT LIKE '@@%';
