-- Charge detail records (issue 14, src/store/cdrs.ts): GET /api/v1/cdrs lists completed transactions
-- by when they ended, oldest first, in a range (`from`/`to`) and pages by (stopped_at, id). Without
-- an index that is a scan of every transaction and a sort. This one holds only completed
-- transactions: the entry is written once, when a transaction completes (one D1 row more per
-- session, at its end: test/workers/session-rows.test.ts), and an export of a month reads only that
-- month's entries, already in order.
--
-- The WHERE is word for word what the query says: SQLite uses a partial index only for a query
-- whose WHERE contains its terms.
CREATE INDEX IF NOT EXISTS transactions_completed_by_stop ON transactions (stopped_at, id) WHERE status = 'completed';
