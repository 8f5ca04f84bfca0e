-- The external charging limits 2.0.1 chargers report (NotifyChargingLimit, K12): one row per
-- charger, EVSE (0: the whole station) and source, replaced by the next report of that source
-- and removed by ClearedChargingLimit (K13). Their schedules enter the composite schedule.

CREATE TABLE charging_limits (
  charger_id        TEXT NOT NULL,
  evse_id           INTEGER NOT NULL,
  -- ChargingLimitSourceEnumType: EMS, Other, SO, CSO.
  source            TEXT NOT NULL,
  is_grid_critical  INTEGER,
  -- The ChargingScheduleType list as the charger sent it (JSON); [] when it gave none.
  schedules         TEXT NOT NULL,
  reported_at       TEXT NOT NULL,
  PRIMARY KEY (charger_id, evse_id, source)
);
