-- The audit log: every change asked through the API (POST, PUT, PATCH, DELETE under /api/v1, commands
-- included), by whom, and how it ended. Never a request body, never a secret: the route's pattern and
-- its path parameters (charger ids, id tags, token ids) say what it was aimed at.

CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  -- When the request arrived (UTC ISO).
  at           TEXT NOT NULL,
  -- 'token': an API token (actor_id its id, 'root' for API_TOKEN); 'access': a Cloudflare Access user (actor_id their Access `sub`).
  actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('token', 'access')),
  actor_id     TEXT NOT NULL,
  actor_email  TEXT,
  method       TEXT NOT NULL,
  -- The route's pattern, e.g. /api/v1/chargers/:chargerId/commands/:action; NULL when no route matched.
  route        TEXT,
  -- The path asked for, without its query string.
  path         TEXT NOT NULL,
  -- The route's path parameters as a JSON object, e.g. {"chargerId":"CP-1","action":"Reset"}.
  target       TEXT NOT NULL DEFAULT '{}',
  -- The answer's HTTP status: what happened (a 403 is a refused attempt).
  status       INTEGER NOT NULL,
  -- Cloudflare's Ray ID when there is one, else a random id; also sent as X-Request-Id.
  request_id   TEXT NOT NULL
);

-- Filters by actor (id or email) page newest first.
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_email ON audit_log (actor_email, id) WHERE actor_email IS NOT NULL;
