// 2.0.1 TransactionEvents kept inside their readings' hour row (meter_hours.events, migrations/0023)
// instead of as rows of transaction_events: the SQL every store uses to find, judge and list them.
//
// Why: a charger sends one TransactionEvent Updated a minute while charging, and each was two D1
// rows written (its transaction_events row and its reading's hour row), and one more deleted when
// the archive moved it. Packed, the event and its reading are one row written by one statement,
// and the archive deletes the hour. Only "plain" events are packed (PACKABLE_SQL): those that
// carry a reading and no fact of their transaction, so nothing derived from events needs to read
// them but the four things below, which each hour row keeps ready as columns or finds by JSON path
// (D1 counts every entry json_each visits as a row read, so no query here scans packed events
// except the archive's and the full listing):
// - the highest seqNo applied (event_seq_max), and that event's trigger reason;
// - the latest end register by seqNo (event_end_seq), for the live energy and the stop fallback;
// - the latest charging state by seqNo (event_state_seq): a packed event may repeat the
//   transaction's, and a later-arriving event with a lower seqNo must not win over it.
// A packed event never carries the start register the derivation uses: it is packed only when the
// transaction's Started has one.

import { transactionScopeSql } from './meter-packing';

/**
 * An entry of meter_hours.events: {"<seqNo>": [digest, timestamp, triggerReason, evseId, connectorId, beginWh, endWh, receivedAt,
 * chargingState, beginExportWh?, endExportWh?]}; the export registers (migrations/0047) only in an event that had one.
 */
export const PACKED_EVENT = {
  digest: 0,
  timestamp: 1,
  triggerReason: 2,
  evseId: 3,
  connectorId: 4,
  beginWh: 5,
  endWh: 6,
  receivedAt: 7,
  chargingState: 8,
  beginExportWh: 9,
  endExportWh: 10,
} as const;

/** The JSON path of packed event `seq` (an SQL expression), optionally one of its parts. */
export function packedPath(seq: string, part?: keyof typeof PACKED_EVENT): string {
  return `'$."' || (${seq}) || '"${part === undefined ? '' : `[${PACKED_EVENT[part]}]`}'`;
}

/** Part `part` of packed event `seq` in hour row `h`. */
export function packedPart(h: string, seq: string, part: keyof typeof PACKED_EVENT): string {
  return `json_extract(${h}.events, ${packedPath(seq, part)})`;
}

/** The hour rows `h` of the transaction `transactionId` of charger `chargerId` (SQL expressions), as a WHERE condition. */
export function transactionHours(h: string, chargerId: string, transactionId: string): string {
  return `${h}.charger_id = ${chargerId} AND ${h}.scope = ${transactionScopeSql(transactionId)}`;
}

/** Whether the transaction has packed event `seq` whose digest meets `digestCondition` (over `d`, the stored digest: NULL in an hour row without the event, so the condition must be false for NULL). */
export function packedEventExists(chargerId: string, transactionId: string, seq: string, digestCondition: (d: string) => string): string {
  return `EXISTS (SELECT 1 FROM meter_hours h WHERE ${transactionHours('h', chargerId, transactionId)}
    AND h.events IS NOT NULL AND ${digestCondition(packedPart('h', seq, 'digest'))})`;
}

/**
 * SQL for a value of the transaction's last packed event by seqNo (`[seq, value]` pairs as one
 * row of the union below): a seek over its few hour rows by their max column, then a path.
 */
function lastPacked(chargerId: string, transactionId: string, seqColumn: string, value: (seq: string) => string): string {
  return `SELECT * FROM (SELECT h.${seqColumn} AS seq, ${value(`h.${seqColumn}`)} AS value FROM meter_hours h
    WHERE ${transactionHours('h', chargerId, transactionId)} AND h.${seqColumn} IS NOT NULL ORDER BY h.${seqColumn} DESC LIMIT 1)`;
}

/** Which packed event `lastBySeq` takes: the latest of all, or the latest with an end register, or with a charging state. */
const LATEST = { any: 'event_seq_max', end: 'event_end_seq', state: 'event_state_seq' } as const;

/**
 * SQL for `value` of the last (by seqNo) applied event of a 2.0.1 transaction meeting a
 * condition, wherever the event is kept: `fromRows` selects `seq, value` of the last such
 * transaction_events row; packed events count as `packed` says (`which` of them: see LATEST, and
 * which of their values).
 */
export function lastBySeq(fromRows: string, chargerId: string, transactionId: string, packed: { which: keyof typeof LATEST; value: (h: string, seq: string) => string }): string {
  const column = LATEST[packed.which];
  return `(SELECT value FROM (SELECT * FROM (${fromRows})
    UNION ALL ${lastPacked(chargerId, transactionId, column, (seq) => packed.value('h', seq))}) ORDER BY seq DESC LIMIT 1)`;
}

/** The highest packed seqNo of a transaction, or NULL when it has none packed. */
export function lastPackedSeq(chargerId: string, transactionId: string): string {
  return `(SELECT MAX(h.event_seq_max) FROM meter_hours h WHERE ${transactionHours('h', chargerId, transactionId)})`;
}

/**
 * The packed events of charger ?1's transaction ?2 as transaction_events rows: every column as
 * that table would hold the event (an applied Updated with no fact, its detail NULL), in
 * `columns`' order.
 */
export function packedEventRowsSql(columns: readonly string[]): string {
  const part = (p: keyof typeof PACKED_EVENT) => `json_extract(e.value, '$[${PACKED_EVENT[p]}]')`;
  const value: Record<string, string> = {
    charger_id: 'h.charger_id',
    transaction_id: '?2',
    seq_no: 'CAST(e.key AS INTEGER)',
    digest: part('digest'),
    disposition: "'applied'",
    event_type: "'Updated'",
    timestamp: part('timestamp'),
    trigger_reason: part('triggerReason'),
    offline: '0',
    evse_id: part('evseId'),
    connector_id: part('connectorId'),
    begin_wh: part('beginWh'),
    end_wh: part('endWh'),
    begin_export_wh: part('beginExportWh'),
    end_export_wh: part('endExportWh'),
    received_at: part('receivedAt'),
    charging_state: part('chargingState'),
  };
  return `SELECT ${columns.map((c) => `${value[c] ?? 'NULL'} AS ${c}`).join(', ')}
    FROM meter_hours h, json_each(h.events) AS e WHERE ${transactionHours('h', '?1', '?2')} AND h.events IS NOT NULL`;
}

/**
 * Whether an incoming event, which the batch allows packing (event-batch.ts `mayPack`), is packed
 * (SQL expressions for its charger, transaction, seqNo, digest, trigger reason, and EVSE and
 * connector as sent): judged against D1 as it was before the statement, for every reading of the
 * event alike. Its transaction is stored, active and 2.0.1, its Started is applied with a start
 * register (so no start fact can come from a packed event); the event's trigger reason is the
 * transaction's last one, and the EVSE and connector it names (if any) the stored ones (so it
 * changes no fact); no event with its seqNo is stored in either place, but itself packed before
 * (an identical replay, which then adds nothing); no Ended is applied. A charging state it
 * repeats is the stored one.
 * A packed event can still be the latest by seqNo for the trigger reason, the charging state and
 * the end register: the derivation asks `lastBySeq` for those.
 */
export function packableSql(e: {
  chargerId: string;
  transactionId: string;
  seq: string;
  digest: string;
  trigger: string;
  chargingState: string;
  evseId: string;
  connectorId: string;
}): string {
  const events = `x.charger_id = ${e.chargerId} AND x.transaction_id = ${e.transactionId}`;
  return `(EXISTS (SELECT 1 FROM transactions s
      WHERE s.charger_id = ${e.chargerId} AND s.ocpp_transaction_id = ${e.transactionId} AND s.protocol <> 'ocpp1.6'
        AND s.status = 'active' AND s.last_trigger_reason IS ${e.trigger}
        AND (${e.chargingState} IS NULL OR ${e.chargingState} IS s.charging_state)
        AND (${e.evseId} IS NULL OR ${e.evseId} IS s.evse_id) AND (${e.connectorId} IS NULL OR ${e.connectorId} IS s.connector_id))
    AND EXISTS (SELECT 1 FROM transaction_events x WHERE ${events} AND x.event_type = 'Started' AND x.disposition = 'applied' AND x.begin_wh IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM transaction_events x WHERE ${events} AND x.seq_no = ${e.seq})
    AND NOT EXISTS (SELECT 1 FROM transaction_events x WHERE ${events} AND x.event_type = 'Ended' AND x.disposition = 'applied')
    AND NOT ${packedEventExists(e.chargerId, e.transactionId, e.seq, (d) => `${d} <> ${e.digest}`)})`;
}
