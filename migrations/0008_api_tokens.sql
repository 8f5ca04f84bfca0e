-- Operator API tokens: created and revoked through the API, each with its scopes.
-- Only a SHA-256 of the token's secret is kept (the secret is 32 random bytes, so a fast hash
-- is enough); the token itself is shown once, when it is created.

CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  -- Comma-separated: read, command, admin.
  scopes        TEXT NOT NULL,
  secret_hash   TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  revoked_at    TEXT,
  last_used_at  TEXT
);
