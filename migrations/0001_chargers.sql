-- Chargers and the last known state of their connectors (1.6) or EVSE connectors (2.0.1).

CREATE TABLE chargers (
  id                        TEXT PRIMARY KEY,
  -- 1 when an operator registered the charger, or the unknown-charger policy accepted it.
  registered                INTEGER NOT NULL DEFAULT 0,
  protocol                  TEXT,
  -- The last answer to BootNotification: Accepted, Pending or Rejected.
  registration_status       TEXT,
  vendor                    TEXT,
  model                     TEXT,
  serial_number             TEXT,
  charge_box_serial_number  TEXT,
  firmware_version          TEXT,
  iccid                     TEXT,
  imsi                      TEXT,
  meter_type                TEXT,
  meter_serial_number       TEXT,
  connected                 INTEGER NOT NULL DEFAULT 0,
  last_seen                 TEXT,
  last_boot_at              TEXT,
  created_at                TEXT NOT NULL,
  updated_at                TEXT NOT NULL
);

-- 1.6 rows use evse_id 0 and the 1.6 connectorId (0 = the whole charge point);
-- 2.0.1 rows use the evseId and connectorId the station reports.
CREATE TABLE connector_status (
  charger_id         TEXT NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
  evse_id            INTEGER NOT NULL,
  connector_id       INTEGER NOT NULL,
  status             TEXT NOT NULL,
  error_code         TEXT,
  info               TEXT,
  vendor_id          TEXT,
  vendor_error_code  TEXT,
  reported_at        TEXT,
  updated_at         TEXT NOT NULL,
  PRIMARY KEY (charger_id, evse_id, connector_id)
);
