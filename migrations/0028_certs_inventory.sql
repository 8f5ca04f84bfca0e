-- A charger's installed certificates (2.0.1 M03–M05, 1.6 security extension), as its answers
-- to InstallCertificate, GetInstalledCertificateIds and DeleteCertificate tell them
-- (src/ocpp/certificate-inventory.ts). Certificates are public: no private key is ever here.

CREATE TABLE IF NOT EXISTS charger_certificates (
  charger_id          TEXT NOT NULL,
  -- The normalised hash data (algorithm:issuerNameHash:issuerKeyHash:serial), or, for one the
  -- CSMS installed whose hash data the charger has not reported yet, 'installed:' + a digest of its PEM.
  certificate_key     TEXT NOT NULL,
  certificate_type    TEXT NOT NULL,
  hash_algorithm      TEXT,
  issuer_name_hash    TEXT,
  issuer_key_hash     TEXT,
  serial_number       TEXT,
  -- 2.0.1 V2GCertificateChain: the sub-CA certificates' hash data, a JSON array.
  child_certificates  TEXT,
  -- The PEM as the CSMS installed it (InstallCertificate); null for what the charger reported.
  certificate         TEXT,
  -- 'reported' (GetInstalledCertificateIds) or 'installed' (InstallCertificate Accepted).
  source              TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  PRIMARY KEY (charger_id, certificate_key)
);
