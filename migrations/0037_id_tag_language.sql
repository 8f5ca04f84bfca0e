-- Issue 14 (I01, I06): a token's language, RFC 5646 (at most 8 characters, as 2.0.1 IdTokenInfo.language1).
-- The tariff text a driver is shown (personalMessage, updatedPersonalMessage, 1.6 SetUserPrice) is picked
-- in it, and 2.0.1 chargers are told it as language1. NULL: not set (the tariff's first text is shown).
ALTER TABLE id_tags ADD COLUMN language TEXT;
