-- Secrets (issue 11): crash-safe password rotation, a failed-login budget per charger id, and
-- stored configuration values that were secrets redacted.

-- A password change stores the new hash here BEFORE it is sent to the charger: until the charger
-- first connects with it, both it and password_hash open the door; a Rejected answer drops it.
ALTER TABLE chargers ADD COLUMN pending_password_hash TEXT;
-- previous_password_hash (0007) held the old password after the charger accepted a new one; the
-- same state is now "old in password_hash, new pending".
UPDATE chargers SET pending_password_hash = password_hash, password_hash = previous_password_hash
  WHERE previous_password_hash IS NOT NULL;
ALTER TABLE chargers DROP COLUMN previous_password_hash;

-- Failed WebSocket upgrades per charger id (known or not, so the budget tells nothing about which
-- ids exist), counted in fixed windows; past AUTH_FAILURE_BUDGET the upgrade is answered 429.
CREATE TABLE charger_auth_failures (
  charger_id TEXT PRIMARY KEY,
  window_started_at INTEGER NOT NULL, -- epoch ms
  failures INTEGER NOT NULL
);
CREATE INDEX charger_auth_failures_by_window ON charger_auth_failures (window_started_at);

-- Values kept before secrets were redacted (see src/ocpp/secrets.ts): the same rules, in SQL.
UPDATE charger_settings SET value = '<redacted>'
  WHERE value IS NOT NULL AND value != '<redacted>' AND (
    (component = '' AND lower(variable) = 'authorizationkey')
    OR (lower(component) = 'securityctrlr' AND lower(variable) = 'basicauthpassword')
    OR lower(mutability) = 'writeonly'
    OR value LIKE '%PRIVATE KEY-----%'
  );
