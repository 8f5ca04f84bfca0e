-- Tariffs (issue 14): OCPI 2.2.1 tariffs kept as immutable versions, and which tariff applies
-- where. All SQL for these tables is in src/store/tariffs.ts.

-- 1. One row per tariff id: which version is current, and whether it was deleted. Ids are OCPI
--    CiStrings, so case-insensitive: "PEAK" and "peak" are one tariff.
CREATE TABLE tariffs (
  id               TEXT PRIMARY KEY COLLATE NOCASE,
  current_version  INTEGER NOT NULL,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  -- Set by DELETE: the tariff no longer applies anywhere, but its versions stay readable for the
  -- sessions and CDRs priced with them. A later PUT brings it back (as its next version).
  deleted_at       TEXT
);

-- 2. Every version ever stored, never changed or removed: a session keeps (tariff_id, version)
--    and is priced with that body whatever happens to the tariff afterwards.
CREATE TABLE tariff_versions (
  tariff_id   TEXT NOT NULL COLLATE NOCASE REFERENCES tariffs (id),
  version     INTEGER NOT NULL,
  -- The OCPI Tariff as parsed (src/tariffs/model.ts, TariffBody) as JSON, without id, version
  -- and last_updated, which come from this row.
  body        TEXT NOT NULL,
  -- OCPI's last_updated of this version.
  created_at  TEXT NOT NULL,
  PRIMARY KEY (tariff_id, version)
) WITHOUT ROWID;

-- 3. Which tariff applies where. One table for every scope, so sites (issue 17) slot in as a
--    scope of their own: 'default' (scope_key ''), 'charger' (the charger id), 'id_tag_group'
--    (a 1.6 parentIdTag / 2.0.1 groupIdToken, a fleet contract price; matched case-insensitively
--    like id tags, see src/store/tariffs.ts), 'site' reserved. One tariff per (scope, scope_key).
--    No foreign key to chargers: an assignment outlives nothing it names, and the API checks the
--    charger exists when it is assigned.
CREATE TABLE tariff_assignments (
  scope        TEXT NOT NULL CHECK (scope IN ('default', 'charger', 'id_tag_group', 'site')),
  scope_key    TEXT NOT NULL,
  tariff_id    TEXT NOT NULL COLLATE NOCASE REFERENCES tariffs (id),
  assigned_at  TEXT NOT NULL,
  PRIMARY KEY (scope, scope_key),
  CHECK ((scope = 'default') = (scope_key = ''))
) WITHOUT ROWID;
-- Groups compare case-insensitively (id tags are NOCASE): one assignment per group however spelt.
CREATE UNIQUE INDEX tariff_assignments_by_group ON tariff_assignments (lower(scope_key)) WHERE scope = 'id_tag_group';
-- DELETE /tariffs/{id} asks where a tariff is assigned.
CREATE INDEX tariff_assignments_by_tariff ON tariff_assignments (tariff_id);
