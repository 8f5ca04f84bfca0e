-- The charging profiles each charger has installed, as its answers to SetChargingProfile /
-- ClearChargingProfile and its ReportChargingProfiles tell it.

CREATE TABLE charging_profiles (
  charger_id      TEXT NOT NULL,
  profile_id      INTEGER NOT NULL,
  protocol        TEXT NOT NULL,
  -- 1.6 connectorId or 2.0.1 evseId; 0 is the whole charger.
  evse_id         INTEGER NOT NULL,
  stack_level     INTEGER NOT NULL,
  purpose         TEXT NOT NULL,
  transaction_id  TEXT,
  -- The profile as OCPP carried it (JSON).
  profile         TEXT NOT NULL,
  installed_at    TEXT NOT NULL,
  PRIMARY KEY (charger_id, profile_id)
);
CREATE INDEX charging_profiles_by_evse ON charging_profiles (charger_id, evse_id, purpose, stack_level);
