-- Sites and load management (issue 17, README "Sites and load management"): what the operator
-- declares through /api/v1/sites — a grid connection with its limit, circuits nested inside it, and
-- the chargers (or separately wired EVSEs) on them. Written only by the API (src/store/sites.ts);
-- the site's Durable Object gets the whole of it after each change and keeps its own state.

CREATE TABLE IF NOT EXISTS sites (
  site_id               TEXT PRIMARY KEY,
  name                  TEXT NOT NULL,
  -- Nominal phase-to-neutral voltage, to turn kW into amps.
  voltage               REAL NOT NULL DEFAULT 230,
  -- The grid connection's limit: amps per phase and/or kW in total (at least one is set).
  limit_amps            REAL,
  limit_kw              REAL,
  -- Lower limits by time of day: JSON [{"start": "HH:MM", "limit": {"amps", "kw"}}], ascending.
  daily_schedule        TEXT NOT NULL DEFAULT '[]',
  -- IANA time zone the daily schedule is read in.
  time_zone             TEXT NOT NULL DEFAULT 'UTC',
  -- A limit pushed from outside (a building meter): none when both are NULL; until NULL: until replaced.
  external_limit_amps   REAL,
  external_limit_kw     REAL,
  external_limit_until  TEXT,
  -- Below this a car does not charge: a share is 0 or at least this (A per phase).
  min_amps              REAL NOT NULL DEFAULT 6,
  -- JSON {"<id tag group>": priority}.
  group_priorities      TEXT NOT NULL DEFAULT '{}',
  created_at            TEXT NOT NULL,
  -- When the operator last changed any of it (circuits, chargers and the external limit included).
  updated_at            TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS site_circuits (
  site_id     TEXT NOT NULL REFERENCES sites (site_id),
  circuit_id  TEXT NOT NULL,
  -- The circuit it hangs from (same site); NULL: directly on the grid connection.
  parent_id   TEXT,
  name        TEXT NOT NULL,
  limit_amps  REAL,
  limit_kw    REAL,
  PRIMARY KEY (site_id, circuit_id)
);

-- A charger is on at most one site: every row of a charger names the same site (the API refuses a
-- second with 409). evse_id 0 is the whole charger; another number, one EVSE wired on its own.
CREATE TABLE IF NOT EXISTS site_chargers (
  charger_id      TEXT NOT NULL,
  evse_id         INTEGER NOT NULL DEFAULT 0,
  site_id         TEXT NOT NULL REFERENCES sites (site_id),
  -- The circuit it is wired to (same site); NULL: directly on the grid connection.
  circuit_id      TEXT,
  -- 1.6 ConnectorPhaseRotation (RST, RTS, SRT, STR, TRS, TSR); NULL: unknown.
  phase_rotation  TEXT,
  max_amps        REAL NOT NULL,
  phases          INTEGER NOT NULL,
  fallback_amps   REAL NOT NULL DEFAULT 0,
  priority        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (charger_id, evse_id)
);

CREATE INDEX IF NOT EXISTS site_chargers_by_site ON site_chargers (site_id, charger_id, evse_id);
