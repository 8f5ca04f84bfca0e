-- An operator may reject a charger (PUT /api/v1/chargers/{id}/registration {"status": "Rejected"}):
-- its boots are answered Rejected until the operator accepts it or holds it Pending (either clears
-- this). A column of its own next to held_pending, so existing rows (0: no rejection) keep their meaning;
-- the one statement that sets a decision never sets both.
ALTER TABLE chargers ADD COLUMN held_rejected INTEGER NOT NULL DEFAULT 0;
