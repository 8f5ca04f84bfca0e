-- Secrets, follow-up to 0012: failed upgrades counted per charger id AND client address, and what
-- older rules left readable in charger_reports and charger_settings redacted, in SQL.

-- Failed WebSocket upgrades per (charger id, client address from CF-Connecting-IP): an attacker
-- spends only their own address's budget, so knowing an id no longer lets anyone keep that
-- charger offline. The rows are a one-minute window of counts: starting again empty loses nothing.
DROP TABLE charger_auth_failures;
CREATE TABLE charger_auth_failures (
  charger_id TEXT NOT NULL,
  client TEXT NOT NULL,
  window_started_at INTEGER NOT NULL, -- epoch ms
  failures INTEGER NOT NULL,
  PRIMARY KEY (charger_id, client)
);
CREATE INDEX charger_auth_failures_by_window ON charger_auth_failures (window_started_at);

-- Configuration values whose name says they hold a credential (WifiPassword, ApnPassword, …), as
-- src/ocpp/secrets.ts now redacts them.
UPDATE charger_settings SET value = '<redacted>'
  WHERE value IS NOT NULL AND value != '<redacted>' AND (
    lower(variable) LIKE '%password%' OR lower(variable) LIKE '%passwd%'
    OR lower(variable) LIKE '%secret%' OR lower(variable) LIKE '%privatekey%'
  );

-- Reports kept before their payloads were redacted, or under older rules: each secret value the
-- rules of src/ocpp/secrets.ts find by shape is replaced where it is, the rest of the payload is
-- kept. secret_paths lists them (json_tree walks every value), scrubbed replaces them one by one.
-- The API redacts reports again when it shows them; this is for a copy of D1 itself. What SQL
-- cannot do like the code: a PEM private key inside a longer string takes the whole string.
WITH RECURSIVE
  candidates AS (
    SELECT r.id, r.charger_id, r.payload FROM charger_reports AS r
    WHERE lower(r.payload) LIKE '%password%' OR lower(r.payload) LIKE '%passwd%' OR lower(r.payload) LIKE '%secret%'
      OR lower(r.payload) LIKE '%privatekey%' OR lower(r.payload) LIKE '%private key%' OR lower(r.payload) LIKE '%authorizationkey%'
      OR lower(r.payload) LIKE '%writeonly%' OR lower(r.payload) LIKE '%simpin%' OR lower(r.payload) LIKE '%"vpn"%'
      OR EXISTS (SELECT 1 FROM charger_settings AS s WHERE s.charger_id = r.charger_id AND lower(s.mutability) = 'writeonly')
  ),
  nodes AS (
    SELECT c.id AS report_id, c.charger_id, t.id AS node, t.key, t.path, t.fullkey, t.atom AS value,
      -- The object a value sits in, and (in a NotifyReport) the report entry its attribute belongs to.
      json_extract(c.payload, t.path || '.key') AS sibling_key,
      json_extract(c.payload, t.path || '.mutability') AS mutability,
      CASE WHEN instr(t.path, '.variableAttribute[') > 0
        THEN substr(t.path, 1, instr(t.path, '.variableAttribute[') - 1) ELSE t.path END AS target_path,
      c.payload
    FROM candidates AS c, json_tree(c.payload) AS t
    WHERE t.type = 'text' AND t.atom != '<redacted>'
  ),
  targets AS (
    SELECT n.*, json_extract(n.payload, n.target_path || '.component.name') AS component,
      json_extract(n.payload, n.target_path || '.variable.name') AS variable
    FROM nodes AS n
  ),
  secret_paths AS (
    SELECT report_id, fullkey AS path, row_number() OVER (PARTITION BY report_id ORDER BY node) AS n
    FROM targets AS t
    WHERE
      -- A property named for a secret, anywhere (any …password, simPin, privateKey).
      (typeof(t.key) = 'text' AND (lower(t.key) LIKE '%password' OR lower(t.key) IN ('simpin', 'privatekey')))
      -- The key of a 2.0.1 VPN.
      OR (t.key = 'key' AND t.path LIKE '%.vpn')
      -- A PEM private key.
      OR t.value LIKE '%PRIVATE KEY-----%'
      -- 1.6 {key, value} of a secret key.
      OR (t.key = 'value' AND typeof(t.sibling_key) = 'text' AND (
        lower(t.sibling_key) = 'authorizationkey' OR lower(t.sibling_key) LIKE '%password%' OR lower(t.sibling_key) LIKE '%passwd%'
        OR lower(t.sibling_key) LIKE '%secret%' OR lower(t.sibling_key) LIKE '%privatekey%'))
      -- A NotifyReport attribute reported WriteOnly.
      OR (t.key = 'value' AND t.path LIKE '%.variableAttribute[%]' AND lower(t.mutability) = 'writeonly')
      -- The value of a secret 2.0.1 variable: a report attribute, a Get/SetVariables value, a NotifyEvent actualValue.
      OR ((t.key IN ('attributeValue', 'actualValue') OR (t.key = 'value' AND t.path LIKE '%.variableAttribute[%]'))
        AND typeof(t.component) = 'text' AND typeof(t.variable) = 'text' AND (
          (lower(t.component) = 'securityctrlr' AND lower(t.variable) = 'basicauthpassword')
          OR lower(t.variable) LIKE '%password%' OR lower(t.variable) LIKE '%passwd%'
          OR lower(t.variable) LIKE '%secret%' OR lower(t.variable) LIKE '%privatekey%'
          OR EXISTS (SELECT 1 FROM charger_settings AS s WHERE s.charger_id = t.charger_id AND lower(s.mutability) = 'writeonly'
                     AND lower(s.component) = lower(t.component) AND lower(s.variable) = lower(t.variable))))
  ),
  scrubbed (report_id, n, payload) AS (
    SELECT r.id, 0, r.payload FROM charger_reports AS r WHERE r.id IN (SELECT report_id FROM secret_paths)
    UNION ALL
    SELECT s.report_id, s.n + 1, json_replace(s.payload, p.path, '<redacted>')
    FROM scrubbed AS s JOIN secret_paths AS p ON p.report_id = s.report_id AND p.n = s.n + 1
  )
UPDATE charger_reports
  SET payload = (SELECT s.payload FROM scrubbed AS s WHERE s.report_id = charger_reports.id ORDER BY s.n DESC LIMIT 1)
  WHERE id IN (SELECT report_id FROM secret_paths);
