-- Each charger's configuration as last learnt: 1.6 configuration keys (component '') and the
-- 2.0.1 device model, from GetConfiguration / ChangeConfiguration / NotifyReport /
-- GetVariables / SetVariables. Absent instances are '' and absent EVSE/connector -1, so the
-- key has no NULLs.

CREATE TABLE charger_settings (
  charger_id          TEXT NOT NULL,
  component           TEXT NOT NULL,
  component_instance  TEXT NOT NULL,
  evse_id             INTEGER NOT NULL,
  connector_id        INTEGER NOT NULL,
  variable            TEXT NOT NULL,
  variable_instance   TEXT NOT NULL,
  attribute_type      TEXT NOT NULL,
  value               TEXT,
  mutability          TEXT,
  characteristics     TEXT,
  source              TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  PRIMARY KEY (charger_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type)
) WITHOUT ROWID;
