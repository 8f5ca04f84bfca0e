-- Authorization (issue 11): 2.0.1 tokens are (idToken, type) pairs, and tags seen offline are
-- kept apart from the tags that authorize.

-- 1. id_tags is keyed by (id_tag, token_type): the same idToken may be registered under several
--    2.0.1 types, each with its own status. token_type '' is "any type" (the only kind a 1.6
--    charger, whose idTag has no type, can be matched against without ambiguity).
CREATE TABLE id_tags_by_type (
  id_tag         TEXT NOT NULL COLLATE NOCASE,
  -- 2.0.1 IdTokenEnumType (ISO14443, eMAID, Central, ...); '' matches any type.
  token_type     TEXT NOT NULL DEFAULT '',
  -- Accepted, Blocked, Expired or Invalid: what the operator decided.
  status         TEXT NOT NULL,
  expiry_date    TEXT,
  -- 1.6 parentIdTag, 2.0.1 groupIdToken.
  parent_id_tag  TEXT,
  -- 1 when the tag had been seen offline (seen_offline_tags) before the operator registered it.
  first_seen_offline INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (id_tag, token_type)
);

-- 2. Tags the CSMS did not know, which a charger let charge while it was offline: one row per
--    transaction they were used in. Never consulted for a decision; the operator approves a tag
--    by registering it in id_tags. Billing finds the transactions by (charger_id, transaction_id).
CREATE TABLE seen_offline_tags (
  id_tag          TEXT NOT NULL COLLATE NOCASE,
  -- The 2.0.1 IdTokenEnumType presented; '' for 1.6.
  token_type      TEXT NOT NULL DEFAULT '',
  charger_id      TEXT NOT NULL,
  -- What the charger calls the transaction ('' for a row carried over from before this table).
  transaction_id  TEXT NOT NULL,
  -- The charger's timestamp of the message that used the tag.
  seen_at         TEXT NOT NULL,
  recorded_at     TEXT NOT NULL,
  PRIMARY KEY (id_tag, token_type, charger_id, transaction_id)
);
CREATE INDEX seen_offline_tags_by_charger ON seen_offline_tags (charger_id, transaction_id);

-- 3. Tags the CSMS itself enrolled as Accepted because they were used offline (first_seen_offline
--    = 1, never changed by an operator since: updated_at = created_at) stop authorizing: they move
--    to seen_offline_tags, where the operator can approve them. A tag an operator has written
--    since (updated_at > created_at) is the operator's decision and stays.
INSERT OR IGNORE INTO seen_offline_tags (id_tag, token_type, charger_id, transaction_id, seen_at, recorded_at)
SELECT id_tag, COALESCE(token_type, ''), '', '', created_at, created_at
FROM id_tags
WHERE first_seen_offline = 1 AND status = 'Accepted' AND updated_at = created_at;

INSERT INTO id_tags_by_type (id_tag, token_type, status, expiry_date, parent_id_tag, first_seen_offline, created_at, updated_at)
SELECT id_tag, COALESCE(token_type, ''), status, expiry_date, parent_id_tag, first_seen_offline, created_at, updated_at
FROM id_tags
WHERE NOT (first_seen_offline = 1 AND status = 'Accepted' AND updated_at = created_at);

DROP TABLE id_tags;
ALTER TABLE id_tags_by_type RENAME TO id_tags;
