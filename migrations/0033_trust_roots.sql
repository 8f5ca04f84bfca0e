-- The operator's ISO 15118 trust store (PUT /api/v1/trust-roots/{id}): V2G and mobility-operator root
-- certificates, and MO sub-CAs under them, against which contract-certificate chains (C07.FR.06) and
-- OCSP response signatures (C07.FR.05, RFC 6960 §4.2.2.2) are checked (src/ocpp/trust-chain.ts).
-- Certificates are public: no private key is ever here (the API refuses a body holding one).

CREATE TABLE IF NOT EXISTS trust_roots (
  id           TEXT PRIMARY KEY,
  -- The certificate alone, PEM, as the CSMS re-encoded it.
  certificate  TEXT NOT NULL,
  subject      TEXT NOT NULL,
  -- SHA-256 of the DER, hex.
  fingerprint  TEXT NOT NULL,
  -- SHA-256 of the subject public key's bits, hex (OCSP's issuerKeyHash for what it issues).
  key_hash     TEXT NOT NULL,
  not_before   TEXT NOT NULL,
  not_after    TEXT NOT NULL,
  -- 1 for a self-signed root (an anchor), 0 for a sub-CA trusted through one.
  self_signed  INTEGER NOT NULL,
  updated_at   TEXT NOT NULL
);
