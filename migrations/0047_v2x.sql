-- Bidirectional charging (OCPP 2.1 V2X, issue 16): energy exported per transaction, and what the EV
-- and the CSMS said about energy transfer in a transaction.
--
-- Energy exported (Energy.Active.Export.Register, the energy fed back from the EV) is derived the way
-- the imported energy is (src/store/transactions.ts DERIVE_201_SQL): each 2.0.1/2.1 event keeps its
-- export registers next to its import ones, a transaction row its start register while active and its
-- end register and energy once completed (its own Ended, or the CSMS's closure as abandoned), and a
-- completed row never changes again. Packed events (meter_hours.events) keep theirs at positions 9
-- and 10 of their entry (src/store/packed-events.ts), absent where an event had none.
-- No backfill: events and transactions stored before carry NULL (no export known), as 1.6 ones do.
ALTER TABLE transaction_events ADD COLUMN begin_export_wh REAL;
ALTER TABLE transaction_events ADD COLUMN end_export_wh REAL;
ALTER TABLE transactions ADD COLUMN meter_start_export_wh REAL;
ALTER TABLE transactions ADD COLUMN meter_stop_export_wh REAL;
ALTER TABLE transactions ADD COLUMN energy_export_wh REAL;

-- Per transaction: the EV's latest charging needs with their V2X parameters (2.1
-- NotifyEVChargingNeeds: requestedEnergyTransfer, availableEnergyTransfer, controlMode,
-- mobilityNeedsMode, v2xChargingParameters, evEnergyOffer, departureTime…), and the energy transfer
-- modes the CSMS allowed (NotifyAllowedEnergyTransfer the charger accepted). One row per
-- transaction, upserted: a needs message replaces the needs, an accepted allowance the allowance.
-- Read with the transaction (GET /api/v1/transactions/{id} and the charger's transaction).
CREATE TABLE transaction_v2x (
  charger_id       TEXT NOT NULL,
  -- What the charger calls the transaction (transactions.ocpp_transaction_id).
  transaction_id   TEXT NOT NULL,
  evse_id          INTEGER,
  -- JSON: the chargingNeeds object as the charger sent it (schema-valid), and when it came.
  needs            TEXT,
  needs_at         TEXT,
  -- JSON array of EnergyTransferModeEnumType the CSMS allowed, and when the charger accepted it.
  allowed_transfer TEXT,
  allowed_at       TEXT,
  PRIMARY KEY (charger_id, transaction_id)
) WITHOUT ROWID;
