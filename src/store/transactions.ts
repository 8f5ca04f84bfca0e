// D1 access for transactions of both versions and their 2.0.1 events; all of their SQL lives here.

import type { TransactionStart16, TransactionStop16 } from '../ocpp/records';
import { isOcpp2 } from '../ocpp/versions';
import { EXPORT_REGISTER, eventRegisters } from '../ocpp/meter-values';
import type { ChargerFact } from '../fleet/outbox';
import { columnsOf, jsonChunks, MAX_JSON_BYTES } from './json-rows';
import { costColumns, costOf } from './transaction-costs';
import type { CostBreakdown } from '../tariffs/cost';
import { judgeBatch, mayPack } from './event-batch';
import { lastEnergyRegisterSql } from './meter-values';
import { lastBySeq, lastPackedSeq, packableSql, packedEventExists, packedPart, transactionHours } from './packed-events';
import { ABANDONED_REASON, flagsOf, type AnomalyKind } from './transaction-anomalies';

/**
 * 2.0.1 transactions re-derived per statement: each one re-reads all of its events, so a
 * statement is kept to a bounded amount of work.
 */
const DERIVED_PER_STATEMENT = 500;

export interface TransactionRecord {
  /** The CSMS's own number for the row, unique fleet-wide (the list's cursor); not what the charger calls it. */
  id: number;
  chargerId: string;
  protocol: string;
  /** What the charger calls it: the 1.6 transactionId (unique per charger) as text, or the 2.0.1 transactionId. */
  transactionId: string;
  evseId: number | null;
  connectorId: number | null;
  idTag: string | null;
  idTagStatus: string | null;
  stopIdTag: string | null;
  status: 'active' | 'completed';
  startedAt: string | null;
  stoppedAt: string | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number | null;
  /**
   * OCPP 2.1 V2X: the energy the EV fed back (Energy.Active.Export.Register), apart from energyWh,
   * by the same rules; null where the charger reports no export register (and for 1.6).
   */
  energyExportWh: number | null;
  stopReason: string | null;
  chargingState: string | null;
  lastTriggerReason: string | null;
  remoteStartId: number | null;
  reservationId: number | null;
  offline: boolean;
  /** What makes this transaction need an operator's look: the distinct kinds of its anomalies (store/transaction-anomalies.ts). */
  flags: AnomalyKind[];
  updatedAt: string;
  /** The tariff version the transaction was priced under; null while it runs, and for one not priced. */
  tariff: { id: string; version: number } | null;
  /** A completed, priced transaction's cost (the engine's breakdown, src/tariffs/cost.ts); null otherwise. */
  cost: CostBreakdown | null;
}

type Row = {
  id: number;
  charger_id: string;
  protocol: string;
  ocpp_transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_tag: string | null;
  id_tag_status: string | null;
  stop_id_tag: string | null;
  status: 'active' | 'completed';
  started_at: string | null;
  stopped_at: string | null;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  energy_wh: number | null;
  meter_start_export_wh: number | null;
  meter_stop_export_wh: number | null;
  energy_export_wh: number | null;
  stop_reason: string | null;
  charging_state: string | null;
  last_trigger_reason: string | null;
  remote_start_id: number | null;
  reservation_id: number | null;
  offline: number;
  updated_at: string;
  /** JSON array of anomaly kinds. */
  flags: string;
  /** An active 2.0.1 transaction's live end register, energy, and when that reading arrived (LIVE_201_COLUMNS); else null. */
  live_stop_wh: number | null;
  live_energy_wh: number | null;
  live_energy_export_wh: number | null;
  /** An active 1.6 transaction's latest energy register stored so far (LIVE_16_COLUMNS); else null. */
  live16_stop_wh: number | null;
  live_at: string | null;
} & Parameters<typeof costOf>[0];

export interface TransactionQuery {
  chargerId?: string;
  /** Only transactions started with this id tag, case-insensitive (OCPP id tokens are; migration 0044's index). */
  idTag?: string;
  status?: 'active' | 'completed';
  /** Only transactions that need an operator's look: those with any flag (`flagsOf`). */
  flagged?: boolean;
  /** Transactions that started at or after `from` and before `to`. */
  from?: string;
  to?: string;
  limit: number;
  /** Newest first: pass the last page's `nextCursor` (a transaction's `id`). */
  cursor?: number;
}

const START_COLUMNS = [
  'charger_id',
  'transaction_id',
  'start_key',
  'connector_id',
  'id_tag',
  'id_tag_status',
  'started_at',
  'meter_start_wh',
  'reservation_id',
] as const;
/** `ord` is the stop's place in its batch (the charger's order); `detail` the stop as received, as JSON. */
const STOP_COLUMNS = ['charger_id', 'transaction_id', 'id_tag', 'meter_stop_wh', 'stopped_at', 'reason', 'ord', 'detail'] as const;
/** `detail` is the abandonment (or the boot) as the object decided it, as JSON. */
const ABANDON_16_COLUMNS = ['charger_id', 'transaction_id', 'at', 'cause', 'detail'] as const;
const ABANDON_201_COLUMNS = ['charger_id', 'transaction_id', 'at', 'detail'] as const;

export { ABANDONED_REASON };

/** SQL for the billable energy of a stop and start register: null when either is unknown or the stop is below the start. */
function billableEnergy(stop: string, start: string): string {
  return `(CASE WHEN (${stop}) >= (${start}) THEN (${stop}) - (${start}) END)`;
}

/** A 1.6 StopTransaction as the charger sent it (after timestamp normalisation), for an anomaly's detail. */
function stopAsReceived(s: TransactionStop16): Record<string, unknown> {
  return {
    transactionId: s.transactionId,
    ...(s.idTag === undefined ? {} : { idTag: s.idTag }),
    meterStop: s.meterStopWh,
    timestamp: s.stoppedAt,
    reason: s.reason,
  };
}
const EVENT_COLUMNS = [
  'charger_id',
  'transaction_id',
  'seq_no',
  'event_type',
  'timestamp',
  'trigger_reason',
  'offline',
  'charging_state',
  'stopped_reason',
  'remote_start_id',
  'reservation_id',
  'id_token',
  'id_token_type',
  'id_token_status',
  'remote_start_id_token',
  'evse_id',
  'connector_id',
  'digest',
  'begin_wh',
  'end_wh',
  'begin_export_wh',
  'end_export_wh',
] as const;
/**
 * What an event row carries besides: its samples as [timestamp, measurand, phase, location,
 * context, unit, value, signed data] (for the detail of an event not applied), and what only
 * the batch knows (see `event201Statements`).
 */
const EVENT_EXTRA_COLUMNS = ['samples', 'conflict_in_batch', 'batch_ended_seq', 'may_pack'] as const;

/** What identifies a 1.6 StartTransaction across replays: connectorId|idTag|meterStart|timestamp (the start_key column). */
export function startKey16(start: Pick<TransactionStart16, 'connectorId' | 'idTag' | 'meterStartWh' | 'startedAt'>): string {
  return [start.connectorId, start.idTag, start.meterStartWh, start.startedAt].join('|');
}

export class TransactionStore {
  constructor(private readonly db: D1Database) {}

  /**
   * What D1 knows of this charger's 1.6 transaction ids, for its object to continue the
   * numbering (charger/transaction-ids.ts): the highest id, and its running transactions with
   * their start keys (as `startKey16` gives them: the stored key without its `#<id>` suffix) and
   * connectors. One statement: the first row carries the highest id, the others the running ones.
   */
  async numbering16(
    chargerId: string,
  ): Promise<{ lastId: number; running: Array<{ startKey: string; transactionId: number; connectorId: number }> }> {
    const { results } = await this.db
      .prepare(
        `SELECT NULL AS start_key, MAX(CAST(ocpp_transaction_id AS INTEGER)) AS id, NULL AS connector_id
           FROM transactions WHERE charger_id = ?1 AND protocol = 'ocpp1.6'
         UNION ALL
         SELECT CASE WHEN start_key LIKE '%#' || ocpp_transaction_id
                     THEN substr(start_key, 1, length(start_key) - length(ocpp_transaction_id) - 1) ELSE start_key END,
                CAST(ocpp_transaction_id AS INTEGER), connector_id
           FROM transactions WHERE charger_id = ?1 AND protocol = 'ocpp1.6' AND status = 'active' AND start_key IS NOT NULL`,
      )
      .bind(chargerId)
      .all<{ start_key: string | null; id: number | null; connector_id: number | null }>();
    const running = results.flatMap((r) =>
      r.start_key !== null && r.id !== null ? [{ startKey: r.start_key, transactionId: r.id, connectorId: r.connector_id ?? 0 }] : [],
    );
    return { lastId: results.find((r) => r.start_key === null)?.id ?? 0, running };
  }

  /**
   * The charger's transactions D1 shows running with a tag, for ConcurrentTx (charger/active-tokens.ts
   * seeds itself from them once). Where is -1 when unknown, as the object keeps it.
   */
  async runningTokens(chargerId: string): Promise<Array<{ transactionId: string; idTag: string; evseId: number; connectorId: number }>> {
    const { results } = await this.db
      .prepare(
        `SELECT ocpp_transaction_id AS transaction_id, id_tag,
                CASE WHEN evse_id IS NULL THEN -1 ELSE evse_id END AS evse_id,
                CASE WHEN evse_id IS NULL THEN -1 ELSE COALESCE(connector_id, 0) END AS connector_id
           FROM transactions
          WHERE charger_id = ? AND status = 'active' AND ocpp_transaction_id IS NOT NULL AND id_tag IS NOT NULL AND id_tag <> ''
          ORDER BY id DESC LIMIT 200`,
      )
      .bind(chargerId)
      .all<{ transaction_id: string; id_tag: string; evse_id: number; connector_id: number }>();
    return results.map((r) => ({ transactionId: r.transaction_id, idTag: r.id_tag, evseId: r.evse_id, connectorId: r.connector_id }));
  }

  /**
   * The charger's transactions D1 shows running, with their EVSE (2.0.1) or connector (1.6);
   * -1 where it is not known. For the rules a TxProfile follows (ocpp/outbound-rules.ts), where
   * the object does not know a transaction itself.
   */
  async runningOn(chargerId: string): Promise<Array<{ transactionId: string; evseId: number }>> {
    const { results } = await this.db
      .prepare(
        `SELECT ocpp_transaction_id AS transaction_id,
                CASE WHEN protocol = 'ocpp1.6' THEN COALESCE(connector_id, -1) ELSE COALESCE(evse_id, -1) END AS evse_id
           FROM transactions
          WHERE charger_id = ? AND status = 'active' AND ocpp_transaction_id IS NOT NULL
          ORDER BY id DESC LIMIT 200`,
      )
      .bind(chargerId)
      .all<{ transaction_id: string; evse_id: number }>();
    return results.map((r) => ({ transactionId: r.transaction_id, evseId: r.evse_id }));
  }

  /**
   * Inserts 1.6 transaction starts, each under the id its charger's object gave it. A start
   * already stored (same charger and id) is skipped, so a replayed batch changes nothing.
   * The stored start_key is the start key followed by `#<id>`: the replay rule is the object's
   * (charger/transaction-ids.ts), and a start identical to one already stopped is a new session
   * whose row had to keep apart from the old one under UNIQUE (charger_id, start_key), which
   * migration 0024 dropped (an index entry per insert; the key with its id is unique anyway).
   * Rows stored before carry the bare key. Run before the stops and meter values of the same batch.
   */
  start16Statements(starts: readonly ChargerFact<'start16'>[], now: string): D1PreparedStatement[] {
    return jsonChunks(starts.map(startRow)).map((json) =>
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id,
             id_tag, id_tag_status, status, started_at, meter_start_wh, reservation_id, updated_at)
           SELECT s.charger_id, 'ocpp1.6', CAST(s.transaction_id AS TEXT), s.start_key, 0, s.connector_id,
             s.id_tag, s.id_tag_status, 'active', s.started_at, s.meter_start_wh, s.reservation_id, ?2
           FROM (SELECT ${columnsOf(START_COLUMNS)} FROM json_each(?1) AS j) AS s`,
        )
        .bind(json, now),
    );
  }

  /**
   * Closes 1.6 transactions, found by charger and the id it knows (ids are per charger). The
   * first stop wins: of several stops for one transaction in the batch, the first in the
   * charger's order (facts keep the outbox's order), and across batches the one stored first,
   * since only an active transaction changes. The exception is a transaction the CSMS closed as
   * abandoned (`abandon16Statements`): it stays open to its own stop, which then wins.
   * A later stop with other content is kept as a `conflicting-stop` anomaly (as received); an
   * identical replay adds nothing. A meterStop below the meterStart (a meter swap, a rollover)
   * keeps both readings, leaves energy_wh null (never negative kWh to bill) and is flagged
   * `negative-energy` (by the trigger of migrations/0015_negative_energy_trigger.sql). A stop naming a transaction this charger never had is kept in
   * unmatched_stops, so it is acknowledged without being lost; a further stop for that id with
   * other content is kept as a `conflicting-stop` anomaly under the id (unmatched_stops keeps one
   * row per id). Run after the batch's starts and abandonments: a stop may follow them.
   */
  stop16Statements(stops: readonly ChargerFact<'stop16'>[], now: string): D1PreparedStatement[] {
    const rows = stops.map(({ chargerId, fact: s }, order) => [
      chargerId,
      s.transactionId,
      s.idTag ?? null,
      s.meterStopWh,
      s.stoppedAt,
      s.reason,
      order,
      JSON.stringify(stopAsReceived(s)),
    ]);
    const stopsIn = `(SELECT ${columnsOf(STOP_COLUMNS)} FROM json_each(?1) AS j)`;
    const matching = `t.charger_id = s.charger_id AND t.protocol = 'ocpp1.6' AND t.ocpp_transaction_id = CAST(s.transaction_id AS TEXT)`;
    // Chunks split a batch in order, so "first in the chunk" is first among the stops not yet applied.
    return jsonChunks(rows).flatMap((json) => [
      this.db
        .prepare(
          `UPDATE transactions SET status = 'completed', stop_id_tag = s.id_tag, meter_stop_wh = s.meter_stop_wh,
             energy_wh = ${billableEnergy('s.meter_stop_wh', 'transactions.meter_start_wh')}, stopped_at = s.stopped_at,
             stop_reason = s.reason, updated_at = ?2
           FROM (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY charger_id, transaction_id ORDER BY ord) AS n FROM ${stopsIn})
                 WHERE n = 1) AS s
           WHERE transactions.charger_id = s.charger_id AND transactions.protocol = 'ocpp1.6'
             AND transactions.ocpp_transaction_id = CAST(s.transaction_id AS TEXT)
             AND (transactions.status = 'active' OR transactions.stop_reason = '${ABANDONED_REASON}')`,
        )
        .bind(json, now),
      this.db
        .prepare(
          `INSERT OR IGNORE INTO unmatched_stops (charger_id, transaction_id, id_tag, meter_stop_wh, stopped_at, reason, received_at)
           SELECT s.charger_id, s.transaction_id, s.id_tag, s.meter_stop_wh, s.stopped_at, s.reason, ?2
           FROM ${stopsIn} AS s
           WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE ${matching})`,
        )
        .bind(json, now),
      // Whatever stop of the chunk was not the one applied (or kept as unmatched), and differs
      // from it, is kept. One statement for both, after the unmatched ones are in.
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT s.charger_id, t.ocpp_transaction_id, 'conflicting-stop', s.detail, ?2
           FROM ${stopsIn} AS s JOIN transactions t ON ${matching}
           WHERE t.status = 'completed' AND NOT (t.meter_stop_wh IS s.meter_stop_wh AND t.stopped_at IS s.stopped_at
             AND t.stop_reason IS s.reason AND t.stop_id_tag IS s.id_tag)
           UNION ALL
           SELECT s.charger_id, CAST(s.transaction_id AS TEXT), 'conflicting-stop', s.detail, ?2
           FROM ${stopsIn} AS s JOIN unmatched_stops u ON u.charger_id = s.charger_id AND u.transaction_id = s.transaction_id
           WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE ${matching})
             AND NOT (u.meter_stop_wh IS s.meter_stop_wh AND u.stopped_at IS s.stopped_at AND u.reason IS s.reason AND u.id_tag IS s.id_tag)`,
        )
        .bind(json, now),
    ]);
  }

  /**
   * Closes 1.6 transactions the charger left open, and flags those running at a boot (see
   * charger/transaction-ids.ts). A newer start on the same connector (cause StartTransaction) is
   * proof the older transaction ended: it becomes completed with stop_reason 'Abandoned' (a
   * value no 1.6 or 2.0.1 charger sends, so it marks the CSMS's closure), stopped at the new
   * start's timestamp, its meterStop the last energy register reading stored for it (none:
   * meterStop and energy stay null), and flagged `abandoned`. A BootNotification proves nothing
   * (many chargers boot on every reconnection and charge on): the transactions running then stay
   * active and are flagged `open-at-boot`, once however many boots (the detail leaves the boot's
   * time out; received_at keeps the first). Only an active transaction changes or is flagged: one
   * already stopped keeps its stop and gets no flag. Its own StopTransaction, if it comes later,
   * still applies (`stop16Statements`), and its flags then drop both kinds (transaction-anomalies.ts).
   * Facts appended before boots only flagged carry cause BootNotification too, and only flag.
   * Run after the batch's starts and meter values, before its stops.
   */
  abandon16Statements(abandons: readonly ChargerFact<'abandon16'>[], now: string): D1PreparedStatement[] {
    const rows = abandons.map(({ chargerId, fact: a }) => {
      const { at: _at, ...sinceWhen } = a;
      return [chargerId, a.transactionId, a.at, a.cause, JSON.stringify(a.cause === 'BootNotification' ? sinceWhen : a)];
    });
    const abandonsIn = `(SELECT ${columnsOf(ABANDON_16_COLUMNS)} FROM json_each(?1) AS j)`;
    const lastRegister = (t: string) => lastEnergyRegisterSql(`${t}.charger_id`, `${t}.ocpp_transaction_id`);
    const matching = `t.charger_id = a.charger_id AND t.protocol = 'ocpp1.6' AND t.ocpp_transaction_id = CAST(a.transaction_id AS TEXT)`;
    return jsonChunks(rows).flatMap((json) => [
      // Flagged before the batch's closures: a boot and then a newer start flag, then close.
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT t.charger_id, t.ocpp_transaction_id, 'open-at-boot', a.detail, a.at
           FROM ${abandonsIn} AS a JOIN transactions t ON ${matching}
           WHERE a.cause = 'BootNotification' AND t.status = 'active'`,
        )
        .bind(json),
      this.db
        .prepare(
          `UPDATE transactions SET status = 'completed', stop_reason = '${ABANDONED_REASON}', stopped_at = a.at,
             meter_stop_wh = ${lastRegister('transactions')},
             energy_wh = ${billableEnergy(lastRegister('transactions'), 'transactions.meter_start_wh')}, updated_at = ?2
           FROM (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY charger_id, transaction_id ORDER BY at) AS n
                                FROM ${abandonsIn} WHERE cause <> 'BootNotification')
                 WHERE n = 1) AS a
           WHERE transactions.charger_id = a.charger_id AND transactions.protocol = 'ocpp1.6'
             AND transactions.ocpp_transaction_id = CAST(a.transaction_id AS TEXT) AND transactions.status = 'active'`,
        )
        .bind(json, now),
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT t.charger_id, t.ocpp_transaction_id, 'abandoned', a.detail, ?2
           FROM ${abandonsIn} AS a JOIN transactions t ON ${matching}
           WHERE a.cause <> 'BootNotification' AND t.stop_reason = '${ABANDONED_REASON}' AND t.stopped_at = a.at`,
        )
        .bind(json, now),
    ]);
  }

  /**
   * Closes 2.0.1 transactions the charger left open: a Started event of a new transaction on
   * the same EVSE (which charges one EV at a time) ended them (see charger/evse-transactions.ts).
   * Like 1.6 (`abandon16Statements`): completed with stop_reason 'Abandoned', stopped at the new
   * Started's timestamp, and flagged `abandoned`; the start register stays the one derived from
   * its applied events, the end register is set here (an active row does not carry it,
   * DERIVE_201_SQL) to the last applied event's reading by seqNo, as the derivation gives it,
   * and the energy from both.
   * Only an active transaction changes. Its own Ended, if it comes later, is applied and its
   * facts replace the closure's (DERIVE_201_SQL); events between change nothing. Run after
   * `derive201Statements`: the older transaction's events of the same batch come first.
   */
  abandon201Statements(abandons: readonly ChargerFact<'abandon201'>[], now: string): D1PreparedStatement[] {
    const rows = abandons.map(({ chargerId, fact: a }) => [chargerId, a.transactionId, a.at, JSON.stringify(a)]);
    const abandonsIn = `(SELECT ${columnsOf(ABANDON_201_COLUMNS)} FROM json_each(?1) AS j)`;
    return jsonChunks(rows).flatMap((json) => [
      this.db
        .prepare(
          `UPDATE transactions SET status = 'completed', stop_reason = '${ABANDONED_REASON}', stopped_at = a.at,
             meter_stop_wh = ${lastEnd201('transactions')},
             energy_wh = ${energyOf('transactions.meter_start_wh', lastEnd201('transactions'))},
             meter_stop_export_wh = ${lastEndExport201('transactions')},
             energy_export_wh = ${energyOf('transactions.meter_start_export_wh', lastEndExport201('transactions'))}, updated_at = ?2
           FROM (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY charger_id, transaction_id ORDER BY at) AS n FROM ${abandonsIn})
                 WHERE n = 1) AS a
           WHERE transactions.charger_id = a.charger_id AND transactions.protocol <> 'ocpp1.6'
             AND transactions.ocpp_transaction_id = a.transaction_id AND transactions.status = 'active'`,
        )
        .bind(json, now),
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT t.charger_id, t.ocpp_transaction_id, 'abandoned', a.detail, ?2
           FROM ${abandonsIn} AS a JOIN transactions t
             ON t.charger_id = a.charger_id AND t.protocol <> 'ocpp1.6' AND t.ocpp_transaction_id = a.transaction_id
           WHERE t.stop_reason = '${ABANDONED_REASON}' AND t.stopped_at = a.at`,
        )
        .bind(json, now),
    ]);
  }

  /**
   * Stores 2.0.1 TransactionEvents as received, each with its disposition: `applied` (part of
   * the transaction), `conflicting` (it reuses a seqNo with other content than the event first
   * stored under it) or `late` (it arrived after the transaction's Ended was applied, in D1 or
   * earlier in the batch, whatever its type and seqNo). An identical replay (same seqNo and
   * digest) adds nothing. Events not applied become anomalies of their transaction (a trigger,
   * migrations/0010_transaction_events_integrity.sql) and their meter values are not stored as
   * the transaction's. "After the Ended" is by arrival, not timestamp or seqNo: a charger sends
   * its events in seqNo order, so one that comes after the Ended (even with a lower seqNo) was
   * lost and resent, replayed with other content, or forged; either way the bill is closed, and
   * such an event must change nothing of it: not who is billed, not the start, not a register
   * still unknown. A transaction the CSMS closed as abandoned has no Ended: its own Ended applies.
   *
   * A plain Updated event is not stored here (packed-events.ts `packableSql`, judged against D1
   * as it was before the statement): MeterValueStore.insertStatements, run after, packs it with
   * its readings. An event packed already, with the same digest, adds nothing here either, and
   * one packed with another digest makes an event reusing its seqNo conflicting, as a row would.
   *
   * What depends on order within the batch is worked out in event-batch.ts (statements only see
   * what earlier statements stored), what depends on D1 in SQL. Run before the batch's other
   * meter values (MeterValueStore checks the events were applied) and `derive201Statements`.
   */
  event201Statements(events: readonly ChargerFact<'event201'>[], now: string): D1PreparedStatement[] {
    const rows = judgeBatch(events).map((judged) => [
      ...eventRow(judged.event, judged.digest),
      judged.conflictInBatch ? 1 : 0,
      judged.batchEndedSeq,
      mayPack(judged) ? 1 : 0,
    ]);
    return jsonChunks(rows).map((json) => this.db.prepare(INSERT_EVENTS_201_SQL).bind(json, now));
  }

  /**
   * Re-derives each 2.0.1 transaction the events touch from its applied events (DERIVE_201_SQL;
   * for a stored one whose events here are all Updated, from what they carry). Run after
   * `event201Statements`.
   */
  derive201Statements(events: readonly ChargerFact<'event201'>[], now: string): D1PreparedStatement[] {
    if (events.length === 0) return [];
    const byTransaction = new Map<string, { chargerId: string; transactionId: string; updatedOnly: boolean; seqNos: number[]; protocol?: string }>();
    for (const { chargerId, fact } of events) {
      const key = JSON.stringify([chargerId, fact.transactionId]);
      const entry = byTransaction.get(key) ?? { chargerId, transactionId: fact.transactionId, updatedOnly: true, seqNos: [] };
      entry.updatedOnly &&= fact.eventType === 'Updated';
      if (fact.protocol) entry.protocol = fact.protocol;
      entry.seqNos.push(fact.seqNo);
      byTransaction.set(key, entry);
    }
    const entries = [...byTransaction.values()];
    // Transactions whose events here are all Updated, with their seqNos: once stored, derived
    // from what those events carry (CHEAP_201_CTES), not from all of their events.
    // A 2.1 charger's transactions say so ($[4]); a 2.0.1 one's entry stays as short as before 2.1.
    const touched = entries.map((t) => [
      ...(t.updatedOnly ? [t.chargerId, t.transactionId, 1, t.seqNos] : [t.chargerId, t.transactionId, 0, null]),
      ...(t.protocol ? [t.protocol] : []),
    ]);
    const ended = events.some(({ fact }) => fact.eventType === 'Ended');
    return jsonChunks(touched, MAX_JSON_BYTES, DERIVED_PER_STATEMENT).flatMap((json) => [
      this.db.prepare(DERIVE_201_SQL).bind(json, now),
      // Only a batch with an Ended event can complete a transaction.
      ...(ended ? [this.db.prepare(COMPLETE_201_SQL).bind(json, now)] : []),
    ]);
  }

  async get(chargerId: string, transactionId: string): Promise<TransactionRecord | null> {
    const row = await this.db
      .prepare(
        `SELECT t.*, ${flagsOf('t')} AS flags, ${LIVE_201_COLUMNS}, ${LIVE_16_COLUMNS}, ${costColumns('tc')}
         FROM transactions t ${LIVE_201_JOIN} LEFT JOIN transaction_costs tc ON tc.transaction_id = t.id
         WHERE t.charger_id = ? AND t.ocpp_transaction_id = ?`,
      )
      .bind(chargerId, transactionId)
      .first<Row>();
    return row ? toRecord(row) : null;
  }

  /** A transaction by the CSMS's own row id (TransactionRecord.id), with its cost; null when there is none. */
  async getById(id: number): Promise<TransactionRecord | null> {
    const row = await this.db
      .prepare(
        `SELECT t.*, ${flagsOf('t')} AS flags, ${LIVE_201_COLUMNS}, ${LIVE_16_COLUMNS}, ${costColumns('tc')}
         FROM transactions t ${LIVE_201_JOIN} LEFT JOIN transaction_costs tc ON tc.transaction_id = t.id
         WHERE t.id = ?`,
      )
      .bind(id)
      .first<Row>();
    return row ? toRecord(row) : null;
  }

  /**
   * A page of transactions, newest first (keyset: `cursor` is the last row's `id`). Only the filters
   * given are in the SQL, so SQLite can walk an index in id order: (charger_id, id), (id_tag, id)
   * (migration 0044) or (status, id); `flagged` reads the anomalies (rare rows) and looks each one's
   * transaction up by key. `from`/`to` (the start) filter what those walks meet.
   */
  async list(query: TransactionQuery): Promise<{ transactions: TransactionRecord[]; nextCursor: number | null }> {
    const where: string[] = [];
    const binds: (string | number)[] = [];
    const term = (sql: string, value: string | number | undefined) => {
      if (value === undefined) return;
      binds.push(value);
      where.push(sql.replace('?', `?${binds.length}`));
    };
    term('t.charger_id = ?', query.chargerId);
    term('t.id_tag = ? COLLATE NOCASE', query.idTag);
    term('t.status = ?', query.status);
    term('t.started_at >= ?', query.from);
    term('t.started_at < ?', query.to);
    term('t.id < ?', query.cursor);
    if (query.flagged) where.push(`t.id IN (SELECT f.id FROM transaction_anomalies a JOIN transactions f
      ON f.charger_id = a.charger_id AND f.ocpp_transaction_id = a.ocpp_transaction_id) AND ${flagsOf('t')} <> '[]'`);
    binds.push(query.limit + 1);
    const { results } = await this.db
      .prepare(
        `SELECT t.*, ${flagsOf('t')} AS flags, ${LIVE_201_COLUMNS}, ${LIVE_16_COLUMNS}, ${costColumns('tc')} FROM transactions t ${LIVE_201_JOIN}
           LEFT JOIN transaction_costs tc ON tc.transaction_id = t.id
         ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
         ORDER BY t.id DESC LIMIT ?${binds.length}`,
      )
      .bind(...binds)
      .all<Row>();
    const page = results.slice(0, query.limit);
    return {
      transactions: page.map(toRecord),
      nextCursor: results.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }
}

/** A start16 fact as a row of START_COLUMNS. */
function startRow({ chargerId, fact: s }: ChargerFact<'start16'>): unknown[] {
  return [chargerId, s.transactionId, `${startKey16(s)}#${s.transactionId}`, s.connectorId, s.idTag, s.idTagStatus, s.startedAt, s.meterStartWh, s.reservationId ?? null];
}

/** An event201 fact as a row of EVENT_COLUMNS. */
function eventRow({ chargerId, fact: e }: ChargerFact<'event201'>, digest: string): unknown[] {
  const { beginWh, endWh } = eventRegisters(e.samples ?? [], e.eventType);
  const exported = eventRegisters(e.samples ?? [], e.eventType, EXPORT_REGISTER);
  return [
    chargerId,
    e.transactionId,
    e.seqNo,
    e.eventType,
    e.timestamp,
    e.triggerReason,
    e.offline ? 1 : 0,
    e.chargingState ?? null,
    e.stoppedReason ?? null,
    e.remoteStartId ?? null,
    e.reservationId ?? null,
    e.idToken ?? null,
    e.idTokenType ?? null,
    e.idTokenStatus ?? null,
    e.remoteStartIdToken ?? null,
    e.evseId ?? null,
    e.connectorId ?? null,
    digest,
    beginWh,
    endWh,
    exported.beginWh,
    exported.endWh,
    // Compact, as meter rows travel: the detail of an event not applied is built from them in SQL.
    (e.samples ?? []).map((m) => [m.timestamp, m.measurand, m.phase, m.location, m.context, m.unit, m.value, m.signedData]),
  ];
}

/** A stored event `x` (stored before digests existed) with the same content as the incoming `f`. */
const SAME_LEGACY_EVENT = `x.digest = '' AND x.event_type = f.event_type AND x.timestamp = f.timestamp
  AND x.trigger_reason = f.trigger_reason AND x.offline = f.offline AND x.charging_state IS f.charging_state
  AND x.stopped_reason IS f.stopped_reason AND x.id_token IS f.id_token AND x.remote_start_id IS f.remote_start_id`;

/** An event row as received, as the JSON an anomaly shows: its fields as the charger sent them, and its meter values. */
const EVENT_DETAIL = `json_object('transactionId', transaction_id, 'seqNo', seq_no, 'eventType', event_type, 'timestamp', timestamp,
    'triggerReason', trigger_reason, 'offline', json(CASE offline WHEN 1 THEN 'true' ELSE 'false' END),
    'chargingState', charging_state, 'stoppedReason', stopped_reason, 'remoteStartId', remote_start_id,
    'reservationId', reservation_id, 'idToken', id_token, 'idTokenType', id_token_type, 'evseId', evse_id,
    'connectorId', connector_id, 'samples', (
      SELECT json_group_array(json_object('timestamp', json_extract(s.value, '$[0]'), 'measurand', json_extract(s.value, '$[1]'),
        'phase', json_extract(s.value, '$[2]'), 'location', json_extract(s.value, '$[3]'), 'context', json_extract(s.value, '$[4]'),
        'unit', json_extract(s.value, '$[5]'), 'value', json_extract(s.value, '$[6]'), 'signedData', json_extract(s.value, '$[7]')))
      FROM json_each(samples) AS s))`;

/**
 * Inserts a batch's 2.0.1 events with their disposition (see TransactionStore.event201Statements),
 * judged against the events D1 held before the statement.
 * ?1 JSON array of EVENT_COLUMNS + EVENT_BATCH_COLUMNS rows, ?2 now.
 */
const INSERT_EVENTS_201_SQL = `
INSERT OR IGNORE INTO transaction_events (${EVENT_COLUMNS.join(', ')}, detail, disposition, received_at)
SELECT ${EVENT_COLUMNS.join(', ')},
  CASE WHEN disposition = 'applied' THEN NULL ELSE ${EVENT_DETAIL} END, disposition, ?2
FROM (
  SELECT f.*, CASE
    WHEN f.conflict_in_batch = 1 OR EXISTS (
      SELECT 1 FROM transaction_events x
      WHERE x.charger_id = f.charger_id AND x.transaction_id = f.transaction_id AND x.seq_no = f.seq_no
        AND x.digest <> f.digest AND NOT (${SAME_LEGACY_EVENT}))
      OR ${packedEventExists('f.charger_id', 'f.transaction_id', 'f.seq_no', (d) => `${d} <> f.digest`)} THEN 'conflicting'
    WHEN EXISTS (
      SELECT 1 FROM transaction_events x
      WHERE x.charger_id = f.charger_id AND x.transaction_id = f.transaction_id AND x.event_type = 'Ended'
        AND x.disposition = 'applied') THEN 'late'
    WHEN f.batch_ended_seq IS NOT NULL THEN 'late'
    ELSE 'applied' END AS disposition
  FROM (SELECT ${columnsOf([...EVENT_COLUMNS, ...EVENT_EXTRA_COLUMNS])} FROM json_each(?1) AS j) AS f
  -- A replay of an event stored before digests existed adds nothing either, nor one packed
  -- (by this batch's packing statement, or before).
  WHERE NOT EXISTS (SELECT 1 FROM transaction_events x
                    WHERE x.charger_id = f.charger_id AND x.transaction_id = f.transaction_id AND x.seq_no = f.seq_no
                      AND ${SAME_LEGACY_EVENT})
    AND NOT ${packedEventExists('f.charger_id', 'f.transaction_id', 'f.seq_no', (d) => `${d} = f.digest`)}
    -- Packed instead, by MeterValueStore.insertStatements.
    AND NOT (f.may_pack = 1 AND ${packableSql({
      chargerId: 'f.charger_id',
      transactionId: 'f.transaction_id',
      seq: 'f.seq_no',
      digest: 'f.digest',
      trigger: 'f.trigger_reason',
      chargingState: 'f.charging_state',
      evseId: 'f.evse_id',
      connectorId: 'f.connector_id',
    })})
)`;

/**
 * SQL for the end register a 2.0.1 transaction row `t` shows while active: its last applied
 * event's (by seqNo) that has one, the rule DERIVE_201_SQL applies once it completes. An index
 * seek from the end of the transaction's range of the events' primary key (charger, transaction,
 * seqNo), not a scan of its events (the latest event usually carries a reading), and the packed
 * events' latest (store/packed-events.ts).
 */
function lastEndSeq201(t: string): string {
  return `(SELECT x.seq_no FROM transaction_events x
    WHERE x.charger_id = ${t}.charger_id AND x.transaction_id = ${t}.ocpp_transaction_id AND x.disposition = 'applied' AND x.end_wh IS NOT NULL
    ORDER BY x.seq_no DESC LIMIT 1)`;
}
function lastEnd201(t: string): string {
  return lastBySeq(
    `SELECT x.seq_no AS seq, x.end_wh AS value FROM transaction_events x
     WHERE x.charger_id = ${t}.charger_id AND x.transaction_id = ${t}.ocpp_transaction_id AND x.disposition = 'applied' AND x.end_wh IS NOT NULL
     ORDER BY x.seq_no DESC LIMIT 1`,
    `${t}.charger_id`,
    `${t}.ocpp_transaction_id`,
    { which: 'end', value: (h, seq) => packedPart(h, seq, 'endWh') },
  );
}

/**
 * SQL for the export end register (V2X) of a 2.0.1/2.1 transaction row `t` by lastEnd201's rule: the
 * last applied event by seqNo that has one. Packed events are found by the seek lastEnd201 uses
 * (meter_hours.event_end_seq, the latest packed event with an import register), so an export
 * reading counts there when it comes with an import reading, as a meter reports both registers.
 */
function lastEndExport201(t: string): string {
  return lastBySeq(
    `SELECT x.seq_no AS seq, x.end_export_wh AS value FROM transaction_events x
     WHERE x.charger_id = ${t}.charger_id AND x.transaction_id = ${t}.ocpp_transaction_id AND x.disposition = 'applied' AND x.end_export_wh IS NOT NULL
     ORDER BY x.seq_no DESC LIMIT 1`,
    `${t}.charger_id`,
    `${t}.ocpp_transaction_id`,
    { which: 'end', value: (h, seq) => packedPart(h, seq, 'endExportWh') },
  );
}

/**
 * What a SELECT of `transactions t` adds for the live figures of an active 2.0.1 transaction,
 * whose row does not carry its running end register and energy (DERIVE_201_SQL): the event
 * holding its latest end register, joined as `live` when it is a row of transaction_events and
 * as the hour row `live_h` holding it when it is packed and later (no row for any other
 * transaction), and the columns live_stop_wh, live_energy_wh and live_at (when that reading
 * arrived) from it. `toRecord` shows them instead of the stored ones.
 */
const ACTIVE_201 = `t.protocol <> 'ocpp1.6' AND t.status = 'active'`;
const LIVE_201_JOIN = `LEFT JOIN transaction_events live
  ON ${ACTIVE_201}
  AND live.charger_id = t.charger_id AND live.transaction_id = t.ocpp_transaction_id AND live.seq_no = ${lastEndSeq201('t')}
  AND live.disposition = 'applied'
LEFT JOIN meter_hours live_h
  ON ${ACTIVE_201} AND ${transactionHours('live_h', 't.charger_id', 't.ocpp_transaction_id')}
  AND live_h.event_end_seq = (SELECT MAX(h.event_end_seq) FROM meter_hours h WHERE ${transactionHours('h', 't.charger_id', 't.ocpp_transaction_id')})
  AND live_h.event_end_seq > COALESCE(live.seq_no, -1)`;
const LIVE_END_WH = `COALESCE(${packedPart('live_h', 'live_h.event_end_seq', 'endWh')}, live.end_wh)`;
/** The export register of the reading LIVE_END_WH comes from (V2X: a meter reports both registers together). */
const LIVE_END_EXPORT_WH = `CASE WHEN live_h.event_end_seq IS NOT NULL THEN ${packedPart('live_h', 'live_h.event_end_seq', 'endExportWh')} ELSE live.end_export_wh END`;
const LIVE_201_COLUMNS = `${LIVE_END_WH} AS live_stop_wh, ${energyOf('t.meter_start_wh', LIVE_END_WH)} AS live_energy_wh,
  ${energyOf('t.meter_start_export_wh', LIVE_END_EXPORT_WH)} AS live_energy_export_wh,
  COALESCE(${packedPart('live_h', 'live_h.event_end_seq', 'receivedAt')}, live.received_at) AS live_at`;

/**
 * What a SELECT of `transactions t` adds for an active 1.6 transaction, whose row gets its stop
 * register and energy only at StopTransaction: its latest energy register among the meter values
 * stored so far (the rule a closure by the CSMS applies), so that a running session shows the
 * energy it has drawn, as a 2.0.1 one does. Only evaluated for active 1.6 rows (CASE), reading
 * that transaction's meter rows alone.
 */
const LIVE_16_COLUMNS = `CASE WHEN t.protocol = 'ocpp1.6' AND t.status = 'active'
  THEN ${lastEnergyRegisterSql('t.charger_id', 't.ocpp_transaction_id')} END AS live16_stop_wh`;

/** The applied events of the transaction `e` belongs to, as a WHERE condition on `x`. */
const SAME_TX = `x.charger_id = e.charger_id AND x.transaction_id = e.transaction_id AND x.disposition = 'applied'`;

/**
 * A transaction the CSMS closed as abandoned whose own Ended has not been applied: its stop
 * facts stay the closure's until that Ended comes (DERIVE_201_SQL's upsert only reaches a
 * completed row when it was abandoned).
 */
const ABANDONED_WITHOUT_OWN_END = `transactions.status = 'completed' AND excluded.status = 'active'`;

/** A stop column's new value: the closure's while an abandoned transaction awaits its own Ended, else what the applied events give. */
function stopFact(column: string): string {
  return `CASE WHEN ${ABANDONED_WITHOUT_OWN_END} THEN transactions.${column} ELSE excluded.${column} END`;
}

/** Energy from a start and a stop register: null when either is unknown or the register went backwards. */
function energyOf(start: string, stop: string): string {
  return `CASE WHEN (${stop}) < (${start}) THEN NULL ELSE ROUND((${stop}) - (${start}), 3) END`;
}

/**
 * What DERIVE_201_SQL's upsert sets on a stored row, each column with its new value: every fact
 * the API shows but the status (COMPLETE_201_SQL sets it). The row is rewritten only when one of
 * them changes: an Updated event that brings nothing new (the same state and trigger; a reading
 * alone is nothing new, as an active row carries no end register or energy) writes no D1 row for
 * its transaction, and last_seq_no and updated_at move only with a fact. So for an active row
 * last_seq_no is the highest applied seqNo when a stored fact last changed, updated_at when that
 * was; both are set again when the transaction completes (updated_at also by its closure).
 */
const DERIVED_FACTS: ReadonlyArray<[column: string, value: string]> = [
  ...(['evse_id', 'connector_id', 'id_tag', 'id_tag_status', 'started_at', 'meter_start_wh', 'charging_state',
    'last_trigger_reason', 'remote_start_id', 'reservation_id', 'offline'] as const).map((c): [string, string] => [c, `excluded.${c}`]),
  ...(['stop_id_tag', 'stopped_at', 'stop_reason', 'meter_stop_wh'] as const).map((c): [string, string] => [c, stopFact(c)]),
  ['energy_wh', `CASE WHEN ${ABANDONED_WITHOUT_OWN_END}
    THEN ${energyOf('excluded.meter_start_wh', 'transactions.meter_stop_wh')} ELSE excluded.energy_wh END`],
  // V2X: the exported energy, by the same rules as the imported (migrations/0047).
  ['meter_start_export_wh', 'excluded.meter_start_export_wh'],
  ['meter_stop_export_wh', stopFact('meter_stop_export_wh')],
  ['energy_export_wh', `CASE WHEN ${ABANDONED_WITHOUT_OWN_END}
    THEN ${energyOf('excluded.meter_start_export_wh', 'transactions.meter_stop_export_wh')} ELSE excluded.energy_export_wh END`],
];

/** The applied events of the stored transaction row `s`, as a WHERE condition on `x`. */
const SAME_ROW_TX = `x.charger_id = s.charger_id AND x.transaction_id = s.ocpp_transaction_id AND x.disposition = 'applied'`;

/** SQL for `column` of the first (by seqNo) applied event of row `s`'s transaction meeting `condition`. */
function firstOf(column: string, condition: string): string {
  return `(SELECT x.${column} FROM transaction_events x WHERE ${SAME_ROW_TX} AND ${condition} ORDER BY x.seq_no LIMIT 1)`;
}
/** The EVSE's only connector, if the charger reported exactly one (DERIVE_201_SQL's rule). */
function onlyConnector(chargerId: string, evseId: string): string {
  return `(SELECT CASE WHEN COUNT(*) = 1 THEN MIN(c.connector_id) END FROM connector_status c
    WHERE c.charger_id = ${chargerId} AND c.evse_id = ${evseId} AND c.connector_id > 0)`;
}
const UPDATED_EVSE = `CASE WHEN b.evse_id THEN ${firstOf('evse_id', 'x.evse_id IS NOT NULL')} ELSE s.evse_id END`;
const UPDATED_START_WH = `CASE WHEN b.first_begin_seq IS NULL
    OR EXISTS (SELECT 1 FROM transaction_events x WHERE ${SAME_ROW_TX} AND x.begin_wh IS NOT NULL AND x.seq_no < b.first_begin_seq)
  THEN s.meter_start_wh
  ELSE COALESCE(${firstOf('begin_wh', "x.event_type = 'Started' AND x.begin_wh IS NOT NULL")}, ${firstOf('begin_wh', 'x.begin_wh IS NOT NULL')}) END`;
/** The export start register (V2X) by UPDATED_START_WH's rule. */
const UPDATED_START_EXPORT_WH = `CASE WHEN b.first_begin_export_seq IS NULL
    OR EXISTS (SELECT 1 FROM transaction_events x WHERE ${SAME_ROW_TX} AND x.begin_export_wh IS NOT NULL AND x.seq_no < b.first_begin_export_seq)
  THEN s.meter_start_export_wh
  ELSE COALESCE(${firstOf('begin_export_wh', "x.event_type = 'Started' AND x.begin_export_wh IS NOT NULL")}, ${firstOf('begin_export_wh', 'x.begin_export_wh IS NOT NULL')}) END`;

/**
 * DERIVE_201_SQL's derivation of a stored transaction whose events in the batch are all
 * Updated, as CTEs of it (`cheap`: one row per such transaction, columns as the upsert's):
 * without reading all of its events, the same row, reading only what can have changed. The stored row is what the derivation gave from the events applied before
 * (every batch that applies events derives their transactions), so a fact changes only if an
 * event applied now carries it. Per fact:
 * - first by seqNo (evse, connector, idToken and its status, remoteStartId, reservationId):
 *   looked up again only when an event of the batch carries one; the lookup stops at the first
 *   event that has it, which is the batch's at the latest. The connector also takes the EVSE's
 *   only connector when the events name none, which can change with connector_status: kept
 *   only while the stored one is what that rule gives now and no event of the batch names one.
 * - last by seqNo (chargingState, triggerReason): looked up from the highest seqNo down, only
 *   when the batch carries one; a late-arriving lower seqNo does not win over a newer one.
 * - started_at: the Started's timestamp, else the earliest; an Updated moves it only if earlier.
 * - start register: the Started's reading, else the first event's that has one; kept when an
 *   event with a reading and a lower seqNo than the batch's readings is stored already.
 * - offline: set once an event was sent offline. last_seq_no: the highest applied seqNo, a seek
 *   (packed events' too).
 * Events packed with their readings (store/packed-events.ts) are not among those read by key:
 * such an event carries no fact but the trigger reason and charging state it repeats, so it
 * changes none, and the last-by-seqNo lookups above take it into account (`lastBySeq`).
 * - stop facts: an Updated brings none; an active row has none (its end register and energy
 *   are computed at read), an abandoned one keeps its closure's (the energy from the start
 *   register, which may change).
 * A row completed by its own Ended is never touched (no event is applied after it anyway), as
 * in DERIVE_201_SQL (its upsert's WHERE), and the row is written only when a fact changes.
 * Needs DERIVE_201_SQL's `touched` (updated_only, seqs: the seqNos of the batch's events).
 */
const CHEAP_201_CTES = `
carried AS MATERIALIZED (
  SELECT t.charger_id, t.tx,
    MAX(x.evse_id IS NOT NULL) AS evse_id, MAX(x.connector_id > 0) AS connector_id, MAX(x.id_token IS NOT NULL) AS id_token,
    MAX(x.remote_start_id_token IS NOT NULL) AS remote_start_id_token, MAX(x.remote_start_id IS NOT NULL) AS remote_start_id,
    MAX(x.reservation_id IS NOT NULL) AS reservation_id, MAX(x.charging_state IS NOT NULL) AS charging_state,
    MAX(x.offline) AS offline, MIN(x.timestamp) AS earliest, MIN(CASE WHEN x.begin_wh IS NOT NULL THEN x.seq_no END) AS first_begin_seq,
    MIN(CASE WHEN x.begin_export_wh IS NOT NULL THEN x.seq_no END) AS first_begin_export_seq
  -- CROSS JOIN keeps this order: each of the batch's seqNos looked up by the key, not the transaction's events scanned.
  FROM touched t CROSS JOIN json_each(t.seqs) AS q
  CROSS JOIN transaction_events x ON x.charger_id = t.charger_id AND x.transaction_id = t.tx AND x.seq_no = q.value
  WHERE t.updated_only = 1 AND x.disposition = 'applied'
  GROUP BY t.charger_id, t.tx
),
cheap AS MATERIALIZED (
  SELECT s.id, s.charger_id, s.ocpp_transaction_id AS tx, s.protocol,
    ${UPDATED_EVSE} AS evse_id,
    CASE WHEN NOT COALESCE(b.connector_id, 0) AND s.connector_id IS ${onlyConnector('s.charger_id', `(${UPDATED_EVSE})`)} THEN s.connector_id
      ELSE COALESCE(${firstOf('connector_id', 'x.connector_id > 0')}, ${onlyConnector('s.charger_id', `(${UPDATED_EVSE})`)}) END AS connector_id,
    CASE WHEN b.id_token OR b.remote_start_id_token
      THEN COALESCE(${firstOf('id_token', 'x.id_token IS NOT NULL')}, ${firstOf('remote_start_id_token', 'x.remote_start_id_token IS NOT NULL')})
      ELSE s.id_tag END AS id_tag,
    CASE WHEN b.id_token THEN ${firstOf('id_token_status', 'x.id_token IS NOT NULL')} ELSE s.id_tag_status END AS id_tag_status,
    CASE WHEN s.started_at IS NOT NULL AND (b.earliest IS NULL OR b.earliest >= s.started_at) THEN s.started_at
      ELSE COALESCE(${firstOf('timestamp', "x.event_type = 'Started'")}, (SELECT MIN(x.timestamp) FROM transaction_events x WHERE ${SAME_ROW_TX})) END
      AS started_at,
    ${UPDATED_START_WH} AS meter_start_wh,
    ${UPDATED_START_EXPORT_WH} AS meter_start_export_wh,
    CASE WHEN b.charging_state THEN ${lastBySeq(`SELECT x.seq_no AS seq, x.charging_state AS value FROM transaction_events x WHERE ${SAME_ROW_TX} AND x.charging_state IS NOT NULL ORDER BY x.seq_no DESC LIMIT 1`,
      's.charger_id', 's.ocpp_transaction_id', { which: 'state', value: (h, seq) => packedPart(h, seq, 'chargingState') })}
      ELSE s.charging_state END AS charging_state,
    CASE WHEN b.tx IS NULL THEN s.last_trigger_reason ELSE ${lastBySeq(`SELECT x.seq_no AS seq, x.trigger_reason AS value FROM transaction_events x WHERE ${SAME_ROW_TX} ORDER BY x.seq_no DESC LIMIT 1`,
      's.charger_id', 's.ocpp_transaction_id', { which: 'any', value: (h, seq) => packedPart(h, seq, 'triggerReason') })} END AS last_trigger_reason,
    CASE WHEN b.remote_start_id THEN ${firstOf('remote_start_id', 'x.remote_start_id IS NOT NULL')} ELSE s.remote_start_id END AS remote_start_id,
    CASE WHEN b.reservation_id THEN ${firstOf('reservation_id', 'x.reservation_id IS NOT NULL')} ELSE s.reservation_id END AS reservation_id,
    CASE WHEN b.offline = 1 THEN 1 ELSE s.offline END AS offline,
    (SELECT MAX(seq) FROM (SELECT * FROM (SELECT x.seq_no AS seq FROM transaction_events x WHERE ${SAME_ROW_TX} ORDER BY x.seq_no DESC LIMIT 1)
      UNION ALL SELECT ${lastPackedSeq('s.charger_id', 's.ocpp_transaction_id')})) AS last_seq_no
  FROM touched t JOIN transactions s ON s.charger_id = t.charger_id AND s.ocpp_transaction_id = t.tx
  LEFT JOIN carried b ON b.charger_id = t.charger_id AND b.tx = t.tx
  WHERE t.updated_only = 1 AND (s.status = 'active' OR s.stop_reason = '${ABANDONED_REASON}')
)`;

/**
 * One row per touched 2.0.1 transaction, derived from its applied events, by seqNo: started
 * at the Started event (else the earliest event), completed once an Ended event is applied,
 * the latest chargingState and triggerReason, the first idToken (with the status the CSMS
 * answered for it; else the token the CSMS sent in RequestStartTransaction), evse, connector
 * (else the EVSE's only connector, if the charger reported exactly one) and remoteStartId
 * reported. The start register is the Started event's reading (Transaction.Begin, else its
 * earliest), else the first event's that has one; the end register the Ended event's
 * (Transaction.End, else its latest), else the last event's that has one. Timestamps of
 * readings never decide: a replay stamped later cannot move them.
 *
 * Once completed by its Ended, a transaction's row never changes again, not one column (the
 * upsert's WHERE; COMPLETE_201_SQL completes only active rows): no event is applied after the
 * Ended anyway (`event201Statements`), this makes sure of it. A register unknown then stays
 * unknown, and so does the energy: the Ended event's reading (or an earlier applied one)
 * decides, never a late one. A transaction the CSMS closed as abandoned (`abandon201Statements`)
 * keeps its closure's stop facts until its own Ended is applied; those then replace them. Energy
 * is null while a register is unknown or when the register went backwards (then flagged
 * negative-energy by a trigger once completed). While active, the row's end register and energy
 * stay null: they move with every reading, so reads compute them (LIVE_201_JOIN) and the row is
 * not rewritten for a reading; the completion (this upsert with the Ended, or
 * abandon201Statements) stores them as this derivation gives them then.
 *
 * A transaction's events are its transaction_events rows and its events packed with their
 * readings (store/packed-events.ts). A packed event carries no fact but a trigger reason, a
 * charging state and an end register, each the latest by seqNo possibly: `lastBySeq` looks at
 * both places for those, and for the last seqNo. Every other fact comes from rows alone.
 *
 * A transaction whose events in the batch are all Updated is derived by CHEAP_201_CTES once it
 * has a row, which gives the same row reading only what those events can change.
 *
 * D1 rows: a stored row is named by its id, not left to meet its (charger, transaction) in a
 * conflict. An INSERT whose row gets a new id takes the id before it finds the conflict (with
 * AUTOINCREMENT, before migration 0024, that also wrote sqlite_sequence: one D1 row more for every
 * flush of every transaction). With the stored id, an update writes the row alone, and only when
 * a fact changed (DERIVED_FACTS); the status, which is indexed, is COMPLETE_201_SQL's. The
 * conflict has no target: the id and (charger, transaction) are the same row's, whichever SQLite
 * checks first.
 * ?1 JSON array of [charger id, transaction id] pairs, ?2 now.
 */
const DERIVE_201_SQL = `
WITH touched AS (
  SELECT json_extract(j.value, '$[0]') AS charger_id, json_extract(j.value, '$[1]') AS tx,
    json_extract(j.value, '$[2]') AS updated_only, json_extract(j.value, '$[3]') AS seqs,
    COALESCE(json_extract(j.value, '$[4]'), 'ocpp2.0.1') AS protocol
  FROM json_each(?1) AS j
),
-- Derived from all of their events: those with other events than Updated, and those not stored yet.
everything AS (
  SELECT charger_id, tx, protocol FROM touched t
  WHERE t.updated_only IS NOT 1 OR NOT EXISTS (SELECT 1 FROM transactions s WHERE s.charger_id = t.charger_id AND s.ocpp_transaction_id = t.tx)
),${CHEAP_201_CTES}
INSERT INTO transactions (id, charger_id, protocol, ocpp_transaction_id, evse_id, connector_id, id_tag, id_tag_status, stop_id_tag,
  status, started_at, stopped_at, meter_start_wh, meter_stop_wh, energy_wh, stop_reason, charging_state,
  last_trigger_reason, remote_start_id, reservation_id, offline, last_seq_no, updated_at,
  meter_start_export_wh, meter_stop_export_wh, energy_export_wh)
SELECT * FROM (
SELECT (SELECT s.id FROM transactions s WHERE s.charger_id = d.charger_id AND s.ocpp_transaction_id = d.tx),
  d.charger_id, d.protocol, d.tx, d.evse_id,
  COALESCE(d.connector_id, (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(c.connector_id) END FROM connector_status c
                            WHERE c.charger_id = d.charger_id AND c.evse_id = d.evse_id AND c.connector_id > 0)),
  COALESCE(d.id_tag, d.remote_start_id_token), d.id_tag_status, d.stop_id_tag,
  CASE WHEN d.ended_at IS NULL THEN 'active' ELSE 'completed' END,
  -- The running end register and energy are not stored while the transaction is active (reads
  -- compute them: LIVE_END_201): an Updated that only brings a reading writes no row here.
  d.started_at, d.ended_at, d.meter_start_wh,
  CASE WHEN d.ended_at IS NULL THEN NULL ELSE d.meter_stop_wh END,
  CASE WHEN d.ended_at IS NULL THEN NULL ELSE ${energyOf('d.meter_start_wh', 'd.meter_stop_wh')} END,
  d.stop_reason, d.charging_state, d.last_trigger_reason, d.remote_start_id, d.reservation_id, d.offline,
  d.last_seq_no, ?2,
  d.meter_start_export_wh,
  CASE WHEN d.ended_at IS NULL THEN NULL ELSE d.meter_stop_export_wh END,
  CASE WHEN d.ended_at IS NULL THEN NULL ELSE ${energyOf('d.meter_start_export_wh', 'd.meter_stop_export_wh')} END
FROM (
  SELECT e.charger_id, e.transaction_id AS tx, MAX(t.protocol) AS protocol,
    (SELECT evse_id FROM transaction_events x WHERE ${SAME_TX} AND evse_id IS NOT NULL ORDER BY seq_no LIMIT 1) AS evse_id,
    (SELECT connector_id FROM transaction_events x WHERE ${SAME_TX} AND connector_id > 0 ORDER BY seq_no LIMIT 1) AS connector_id,
    (SELECT id_token FROM transaction_events x WHERE ${SAME_TX} AND id_token IS NOT NULL ORDER BY seq_no LIMIT 1) AS id_tag,
    (SELECT id_token_status FROM transaction_events x WHERE ${SAME_TX} AND id_token IS NOT NULL ORDER BY seq_no LIMIT 1) AS id_tag_status,
    (SELECT remote_start_id_token FROM transaction_events x WHERE ${SAME_TX} AND remote_start_id_token IS NOT NULL ORDER BY seq_no LIMIT 1) AS remote_start_id_token,
    (SELECT id_token FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Ended' AND id_token IS NOT NULL ORDER BY seq_no LIMIT 1) AS stop_id_tag,
    COALESCE(
      (SELECT timestamp FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Started' ORDER BY seq_no LIMIT 1),
      MIN(e.timestamp)) AS started_at,
    (SELECT timestamp FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Ended' ORDER BY seq_no LIMIT 1) AS ended_at,
    (SELECT COALESCE(stopped_reason, 'Local') FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Ended' ORDER BY seq_no LIMIT 1) AS stop_reason,
    ${lastBySeq(`SELECT x.seq_no AS seq, x.charging_state AS value FROM transaction_events x WHERE ${SAME_TX} AND x.charging_state IS NOT NULL ORDER BY x.seq_no DESC LIMIT 1`,
      'e.charger_id', 'e.transaction_id', { which: 'state', value: (h, seq) => packedPart(h, seq, 'chargingState') })} AS charging_state,
    ${lastBySeq(`SELECT x.seq_no AS seq, x.trigger_reason AS value FROM transaction_events x WHERE ${SAME_TX} ORDER BY x.seq_no DESC LIMIT 1`,
      'e.charger_id', 'e.transaction_id', { which: 'any', value: (h, seq) => packedPart(h, seq, 'triggerReason') })} AS last_trigger_reason,
    (SELECT remote_start_id FROM transaction_events x WHERE ${SAME_TX} AND remote_start_id IS NOT NULL ORDER BY seq_no LIMIT 1) AS remote_start_id,
    (SELECT reservation_id FROM transaction_events x WHERE ${SAME_TX} AND reservation_id IS NOT NULL ORDER BY seq_no LIMIT 1) AS reservation_id,
    MAX(e.offline) AS offline,
    COALESCE(max(MAX(e.seq_no), ${lastPackedSeq('e.charger_id', 'e.transaction_id')}), MAX(e.seq_no)) AS last_seq_no,
    COALESCE(
      (SELECT begin_wh FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Started' AND begin_wh IS NOT NULL ORDER BY seq_no LIMIT 1),
      (SELECT begin_wh FROM transaction_events x WHERE ${SAME_TX} AND begin_wh IS NOT NULL ORDER BY seq_no LIMIT 1)) AS meter_start_wh,
    COALESCE(
      (SELECT end_wh FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Ended' AND end_wh IS NOT NULL ORDER BY seq_no LIMIT 1),
      ${lastBySeq(`SELECT x.seq_no AS seq, x.end_wh AS value FROM transaction_events x WHERE ${SAME_TX} AND x.end_wh IS NOT NULL ORDER BY x.seq_no DESC LIMIT 1`,
        'e.charger_id', 'e.transaction_id', { which: 'end', value: (h, seq) => packedPart(h, seq, 'endWh') })}) AS meter_stop_wh,
    -- V2X: the export registers by the import registers' rules (lastEndExport201 for packed events).
    COALESCE(
      (SELECT begin_export_wh FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Started' AND begin_export_wh IS NOT NULL ORDER BY seq_no LIMIT 1),
      (SELECT begin_export_wh FROM transaction_events x WHERE ${SAME_TX} AND begin_export_wh IS NOT NULL ORDER BY seq_no LIMIT 1)) AS meter_start_export_wh,
    COALESCE(
      (SELECT end_export_wh FROM transaction_events x WHERE ${SAME_TX} AND event_type = 'Ended' AND end_export_wh IS NOT NULL ORDER BY seq_no LIMIT 1),
      ${lastBySeq(`SELECT x.seq_no AS seq, x.end_export_wh AS value FROM transaction_events x WHERE ${SAME_TX} AND x.end_export_wh IS NOT NULL ORDER BY x.seq_no DESC LIMIT 1`,
        'e.charger_id', 'e.transaction_id', { which: 'end', value: (h, seq) => packedPart(h, seq, 'endExportWh') })}) AS meter_stop_export_wh
  FROM transaction_events e
  JOIN everything t ON t.charger_id = e.charger_id AND t.tx = e.transaction_id
  WHERE e.disposition = 'applied'
  GROUP BY e.charger_id, e.transaction_id
) AS d
UNION ALL
-- No Ended among the events: active, without stop facts (the upsert keeps an abandoned row's).
SELECT c.id, c.charger_id, c.protocol, c.tx, c.evse_id, c.connector_id, c.id_tag, c.id_tag_status, NULL,
  'active', c.started_at, NULL, c.meter_start_wh, NULL, NULL, NULL, c.charging_state,
  c.last_trigger_reason, c.remote_start_id, c.reservation_id, c.offline, c.last_seq_no, ?2,
  c.meter_start_export_wh, NULL, NULL
FROM cheap c
)
WHERE true
ON CONFLICT DO UPDATE SET
  ${DERIVED_FACTS.map(([column, value]) => `${column} = ${value}`).join(',\n  ')},
  last_seq_no = excluded.last_seq_no, updated_at = excluded.updated_at
WHERE (transactions.status = 'active' OR transactions.stop_reason = '${ABANDONED_REASON}')
  AND (${DERIVED_FACTS.map(([column, value]) => `transactions.${column} IS NOT (${value})`).join('\n    OR ')})`;

/**
 * Completes each touched 2.0.1 transaction still active whose Ended event is applied: its stop
 * facts are on the row already (DERIVE_201_SQL, run before). Apart from that upsert because
 * status is indexed (transactions_by_status): SQLite rewrites the index entry of every column an
 * UPDATE sets, changed or not, so the upsert that runs for every flushed event leaves it alone.
 * The negative-energy trigger sees the completed row here, with the registers that completed it.
 * ?1 JSON array of [charger id, transaction id] pairs, ?2 now.
 */
const COMPLETE_201_SQL = `
UPDATE transactions SET status = 'completed', updated_at = ?2
FROM (SELECT json_extract(j.value, '$[0]') AS charger_id, json_extract(j.value, '$[1]') AS tx FROM json_each(?1) AS j) AS t
WHERE transactions.charger_id = t.charger_id AND transactions.ocpp_transaction_id = t.tx AND transactions.status = 'active'
  AND EXISTS (SELECT 1 FROM transaction_events x
              WHERE x.charger_id = t.charger_id AND x.transaction_id = t.tx AND x.event_type = 'Ended' AND x.disposition = 'applied')`;

/** A running 1.6 session's energy so far: null when its start is unknown or the register went backwards (as energyOf). */
function liveEnergy16(startWh: number | null, stopWh: number | null): number | null {
  if (startWh === null || stopWh === null || stopWh < startWh) return null;
  return Math.round((stopWh - startWh) * 1000) / 1000;
}

function toRecord(row: Row): TransactionRecord {
  // An active 2.0.1 row does not carry its running end register and energy: they come from its
  // latest reading, and it was updated when that reading arrived, if that is later.
  const live = isOcpp2(row.protocol) && row.status === 'active';
  // An active 1.6 row likewise: its latest stored energy register, the energy from its start's.
  const live16 = row.protocol === 'ocpp1.6' && row.status === 'active' && row.live16_stop_wh !== null;
  const cost = costOf(row);
  return {
    id: row.id,
    chargerId: row.charger_id,
    protocol: row.protocol,
    transactionId: row.ocpp_transaction_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    idTag: row.id_tag,
    idTagStatus: row.id_tag_status,
    stopIdTag: row.stop_id_tag,
    status: row.status,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    meterStartWh: row.meter_start_wh,
    meterStopWh: live ? row.live_stop_wh : live16 ? row.live16_stop_wh : row.meter_stop_wh,
    energyWh: live ? row.live_energy_wh : live16 ? liveEnergy16(row.meter_start_wh, row.live16_stop_wh) : row.energy_wh,
    energyExportWh: live ? row.live_energy_export_wh : row.energy_export_wh,
    stopReason: row.stop_reason,
    chargingState: row.charging_state,
    lastTriggerReason: row.last_trigger_reason,
    remoteStartId: row.remote_start_id,
    reservationId: row.reservation_id,
    offline: row.offline === 1,
    flags: JSON.parse(row.flags ?? '[]') as AnomalyKind[],
    updatedAt: live && row.live_at !== null && row.live_at > row.updated_at ? row.live_at : row.updated_at,
    tariff: cost?.tariff ?? null,
    cost: cost?.cost ?? null,
  };
}
