-- Whether a 2.0.1 transaction's Ended was applied, found by key. Every stored event asks it
-- (store/transactions.ts INSERT_EVENTS_201_SQL judges an event after the Ended 'late', and
-- COMPLETE_201_SQL completes the transaction by it), and without this index each asking scanned
-- all the transaction's events: D1 rows read per TransactionEvent grew with the session (about
-- 2n for the n-th event, 29,000 rows over a 240-event session). One entry per transaction, written
-- with its Ended: one D1 row written per session for reads that no longer grow.
--
-- The WHERE is word for word what the queries say: SQLite uses a partial index only for a query
-- whose WHERE contains its terms.
CREATE INDEX IF NOT EXISTS transaction_events_applied_ended ON transaction_events (charger_id, transaction_id)
WHERE event_type = 'Ended' AND disposition = 'applied';
