-- A 2.0.1 transaction's periodic TransactionEvents packed with their readings. A "plain" Updated
-- event (it carries a reading and no new fact of its transaction: no idToken, stoppedReason,
-- remoteStartId, reservationId or offline flag, and no chargingState, EVSE, connector or trigger
-- reason other than the transaction's) is no longer a row of transaction_events: it is an
-- entry of its first reading's hour row, written by the same statement as the reading. Such an
-- event then costs one D1 row written instead of two, and the archive deletes it with its hour
-- instead of one row per event (D1 bills each row deleted). Every other event stays a row of
-- transaction_events, as before; rows stored before this migration stay where they are (readers
-- take events from both places). See src/store/packed-events.ts.

-- JSON: {"<seqNo>": [digest, timestamp, triggerReason, evseId, connectorId, beginWh, endWh, receivedAt, chargingState], ...};
-- NULL for a row without packed events (every row outside a 2.0.1 transaction).
ALTER TABLE meter_hours ADD COLUMN events TEXT;
-- The highest seqNo packed in the row, the highest whose event has an end register, and the
-- highest whose event has a charging state: what the transaction's derivation and its live energy
-- need of packed events, read without scanning them.
ALTER TABLE meter_hours ADD COLUMN event_seq_max INTEGER;
ALTER TABLE meter_hours ADD COLUMN event_end_seq INTEGER;
ALTER TABLE meter_hours ADD COLUMN event_state_seq INTEGER;
