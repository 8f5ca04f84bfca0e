-- OCPP 2.1 dynamic schedules, priority charging and battery swaps (issue 16): what the CSMS keeps of
-- them per charger. Written by the charger's flush (outbox kind `grid`, store/grid.ts) and, for
-- dynamic schedule values an operator sets, by the API route itself.

-- The current values of each dynamic charging profile (chargingProfileKind Dynamic, K28): what a
-- PullDynamicScheduleUpdate is answered with. One row per profile: a newer update replaces it.
CREATE TABLE IF NOT EXISTS dynamic_schedules (
  charger_id          TEXT NOT NULL,
  profile_id          INTEGER NOT NULL,
  -- ChargingScheduleUpdateType as JSON (limit, setpoint, dischargeLimit, … per phase).
  schedule_update     TEXT NOT NULL,
  -- When the CSMS took these values (an operator's PUT, or the charger's Accepted answer to an
  -- UpdateDynamicSchedule sent another way). Values older than the profile's installation are stale.
  set_at              TEXT NOT NULL,
  -- The charger's answer to the UpdateDynamicSchedule that carried these values: Accepted, Rejected,
  -- or NULL while none came (not sent: offline; or no usable answer).
  charger_status      TEXT,
  -- StatusInfoType of that answer, as JSON, or why there was none.
  charger_status_info TEXT,
  answered_at         TEXT,
  PRIMARY KEY (charger_id, profile_id)
);

-- Battery swaps: a charger's BatterySwap events (BatteryIn, BatteryOut, BatteryOutTimeout) with the
-- token's authorization, and the CSMS's RequestBatterySwap answers (event_type Requested), linked by
-- request_id. Newest first by id.
CREATE TABLE IF NOT EXISTS battery_swaps (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  charger_id    TEXT NOT NULL,
  -- The CALL's message id (a RequestBatterySwap's answer: "request:<requestId>") and the fact's
  -- digest: a replayed message is stored once.
  message_id    TEXT NOT NULL,
  digest        TEXT NOT NULL,
  request_id    INTEGER NOT NULL,
  event_type    TEXT NOT NULL,
  id_token      TEXT NOT NULL,
  id_token_type TEXT NOT NULL,
  -- A charger's event: the token's authorization status; Requested: the charger's answer status.
  status        TEXT,
  -- BatteryDataType list as JSON (empty for Requested).
  battery_data  TEXT NOT NULL,
  received_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS battery_swaps_once ON battery_swaps (charger_id, message_id, digest);
CREATE INDEX IF NOT EXISTS battery_swaps_by_charger ON battery_swaps (charger_id, id);
CREATE INDEX IF NOT EXISTS battery_swaps_by_request ON battery_swaps (charger_id, request_id, id);

-- NotifyPriorityCharging: priority charging activated or deactivated on a transaction, as the
-- charger told it (2.1 K-section); shown with the transaction.
CREATE TABLE IF NOT EXISTS transaction_priority_charging (
  charger_id     TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  activated      INTEGER NOT NULL,
  -- When the CSMS received it (the message carries no time of its own).
  at             TEXT NOT NULL,
  message_id     TEXT NOT NULL,
  digest         TEXT NOT NULL,
  UNIQUE (charger_id, message_id, digest)
);
CREATE INDEX IF NOT EXISTS transaction_priority_charging_by_tx ON transaction_priority_charging (charger_id, transaction_id, at);
