-- An operator may hold a charger Pending (PUT /api/v1/chargers/{id}/registration): its boots are
-- answered Pending, registered or not, until the operator accepts it (which clears the hold).
ALTER TABLE chargers ADD COLUMN held_pending INTEGER NOT NULL DEFAULT 0;
