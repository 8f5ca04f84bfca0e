-- Reservations made through ReserveNow, and what became of them.

CREATE TABLE reservations (
  charger_id      TEXT NOT NULL,
  reservation_id  INTEGER NOT NULL,
  protocol        TEXT NOT NULL,
  evse_id         INTEGER,
  connector_id    INTEGER,
  id_tag          TEXT NOT NULL,
  parent_id_tag   TEXT,
  expires_at      TEXT NOT NULL,
  -- active, used, cancelled, expired (by the charger's report or past expires_at) or removed.
  status          TEXT NOT NULL,
  transaction_id  TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (charger_id, reservation_id)
);
CREATE INDEX reservations_by_status ON reservations (status, expires_at);
