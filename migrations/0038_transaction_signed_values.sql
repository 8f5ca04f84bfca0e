-- Signed meter data for charge detail records (issue 14, OCPI CDR `signed_data`): per transaction,
-- its first and its last signed Energy.Active.Import.Register reading, kept as the readings arrive
-- (src/store/meter-values.ts signedStatements), so a CDR export reads one row per CDR by primary
-- key instead of every reading of every session, and the values stay here once the archive
-- (src/archive/meter-archiver.ts) has moved the transaction's readings to R2: the archive never
-- deletes from this table.
--
-- Why as the readings arrive rather than when the transaction completes or is archived: a 1.6
-- MeterValues can still come after its StopTransaction, and the archive runs only after
-- METER_RETENTION_DAYS; written with each signed reading, the row is right at every moment, costs
-- one row write per message that carries a signed energy reading (none for unsigned chargers),
-- and needs no R2 read. The earliest reading wins `first`, the latest `last`; a reading of the
-- same instant as the one kept never replaces it (the first stored wins, as in meter_hours).
--
-- No backfill: signed readings stored before this migration get no row, so CDRs of earlier
-- transactions carry no signed_data (as before). Filling it from meter_hours would read every value
-- of every transaction D1 holds in one migration, and archived ones are in R2 only. Every reading
-- still shows its own signed data.
CREATE TABLE transaction_signed_values (
  charger_id     TEXT NOT NULL,
  -- What the charger calls the transaction (transactions.ocpp_transaction_id).
  transaction_id TEXT NOT NULL,
  -- The readings' timestamps (UTC ISO, as meter_hours keys them) and values: JSON
  -- {"sample": <packed sample, store/meter-packing.ts>, "encodingMethod"?, "publicKey"?}
  -- (2.0.1 signedMeterValue fields; sizes capped: see src/tariffs/signed-data.ts).
  first_at       TEXT NOT NULL,
  first_value    TEXT NOT NULL,
  last_at        TEXT NOT NULL,
  last_value     TEXT NOT NULL,
  PRIMARY KEY (charger_id, transaction_id)
) WITHOUT ROWID;
