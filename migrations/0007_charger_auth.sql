-- How each charger proves who it is (OCPP Security Profiles): 0 none, 1 HTTP Basic,
-- 2 HTTP Basic over TLS, 3 a TLS client certificate whose subject CN is the charger id.
ALTER TABLE chargers ADD COLUMN security_profile INTEGER NOT NULL DEFAULT 0;
-- PBKDF2-SHA256, as 'pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>'; never returned by the API.
ALTER TABLE chargers ADD COLUMN password_hash TEXT;
-- While a password change is under way (the charger accepted the new one, perhaps only after a
-- reboot), the one before it still opens the door, until the charger first connects with the new.
ALTER TABLE chargers ADD COLUMN previous_password_hash TEXT;
