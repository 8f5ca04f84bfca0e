// D1 access for transaction anomalies: input kept but not applied, and energy unfit to bill as it stands.
//
// A completed transaction's energy never changes. What a charger sends that would change it (a
// second stop with another reading, an event after Ended, a seqNo reused with other content) is
// kept here instead, and a transaction whose readings cannot be billed as they are (the register
// went backwards, the session was abandoned) is flagged here too. Each row is identified by its
// content, so a replayed message adds nothing. The rows are written by the transaction store's
// statements and D1 triggers (store/transactions.ts, migrations/0010), in the same D1 batch as
// what they are about; this module only reads them.

/**
 * What an anomaly says. A transaction's `flags` are the distinct kinds it has, except `abandoned`
 * and `open-at-boot` once its own stop applied (see `flagsOf`); its `anomalies` list them all.
 */
export const ANOMALY_KINDS = {
  /** The stop register is below the start register (a meter swap, a rollover, a bad meter): energy_wh stays null, the raw readings are kept. */
  'negative-energy': 'The end register is below the start register; the energy is not billable as it stands',
  /**
   * A new transaction started on its connector (1.6) or EVSE (2.0.1) while this one was still
   * open: proof that it ended. The CSMS closed it (stop reason `Abandoned`, energy up to its last
   * register reading). Should its own StopTransaction / Ended come after all, that stop applies,
   * and the kind leaves the transaction's flags: the anomaly stays in its `anomalies` as history.
   */
  abandoned: 'Closed by the CSMS: a new transaction started on its connector or EVSE before it stopped',
  /**
   * A 1.6 charger sent BootNotification while this transaction was running. Many chargers boot
   * on every reconnection and keep charging, so the transaction stays active: only flagged, once
   * however many boots. Like `abandoned`, it leaves the flags once the transaction's own stop
   * applied (it ended normally after all), and stays in `anomalies` as history.
   */
  'open-at-boot': 'The charger sent BootNotification while this transaction was running; it was left open',
  /**
   * A 1.6 StopTransaction for a transaction already stopped, with other content than the stop
   * that was applied; or a further, different stop for a transaction id the charger never had
   * (the first is kept in unmatched_stops).
   */
  'conflicting-stop': 'A further stop with other content arrived after the transaction was stopped; it was kept, not applied',
  /**
   * A 2.0.1 TransactionEvent that arrived after the transaction's Ended event had been applied,
   * whatever its seqNo: the transaction is closed, so nothing about it changes any more (not
   * who is billed, not when it started, not a register still unknown).
   */
  'late-event': 'An event arrived after the transaction had ended; it was kept, not applied',
  /** A 2.0.1 TransactionEvent that reused a seqNo with other content than the event stored under it. */
  'conflicting-event': 'An event reused a seqNo with other content; it was kept, not applied',
  /**
   * A meter value (same timestamp, measurand, phase, location and context) that says something
   * else than the one stored for it: another number, unit or signed data. The first stays the
   * transaction's value; this one is kept here, with what was kept (store/meter-values.ts).
   * Values outside any transaction are kept the same way under '@<evse>/<connector>'.
   */
  'conflicting-meter-value': 'A meter value arrived again with other content; the first was kept, this one was kept here, not applied',
  /**
   * A transaction that ended without a price although one may apply: its tariff could not be
   * resolved at its start (D1 unreachable) nor at any later message (store/transaction-costs.ts).
   * A charger with no tariff assigned anywhere is not flagged: it is simply not priced.
   */
  unpriced: 'The transaction ended before its tariff could be resolved; it has no cost',
  /**
   * A second cost for a transaction already priced, that differs from the first (say, one priced
   * when a newer start abandoned it and again at its own late end): the first cost is kept.
   */
  'conflicting-cost': 'A further cost with other figures arrived for a transaction already priced; the first was kept',
  /**
   * A 2.0.1 transaction begun without a token (EVConnected) whose token, known later, has another tariff
   * (a fleet contract price), but ran too long without it for its object to keep what re-pricing needs
   * (charger/transaction-prices.ts REBIND_SAMPLES_MAX): it kept the tariff it began with. Detail: the token's tariff.
   */
  'price-not-rebound': "The token became known too long after the start to re-price the session under the token's tariff; it kept the tariff it began with",
  /**
   * OCPP 2.1: the charger priced the transaction itself (its Ended event's costDetails) and its total differs
   * from the CSMS's price by more than one minor unit of the currency, or is in another currency. The CSMS's
   * price stays the transaction's cost; the charger's is kept beside it (store/charger-tariffs.ts). Detail: both totals.
   */
  'charger-cost-differs': "The charger's own cost of the transaction differs from the CSMS's price beyond rounding; the CSMS's price was kept",
} as const;

export type AnomalyKind = keyof typeof ANOMALY_KINDS;

export interface AnomalyRecord {
  kind: AnomalyKind;
  /** The input as received, or what was found. */
  detail: unknown;
  receivedAt: string;
}

/**
 * The stop_reason of a transaction the CSMS closed because the charger left it open (a newer
 * start on its connector or EVSE). Neither version's reason enum has it, so no charger can send it.
 */
export const ABANDONED_REASON = 'Abandoned';

/** Kinds that no longer need a look once the transaction ended by its own stop (1.6 StopTransaction, 2.0.1 Ended). */
const SUPERSEDED_BY_OWN_STOP: readonly AnomalyKind[] = ['abandoned', 'open-at-boot'];

/**
 * SQL for a transactions row's flags, as a JSON array of distinct anomaly kinds ('[]' for none):
 * use as `${flagsOf('t')} AS flags` in a SELECT over `transactions t`. A completed transaction
 * whose stop reason is not the CSMS's `Abandoned` ended by its own stop: `abandoned` and
 * `open-at-boot` are history then, not a reason to hold its bill.
 */
export function flagsOf(alias: string): string {
  const superseded = SUPERSEDED_BY_OWN_STOP.map((k) => `'${k}'`).join(', ');
  return `(SELECT COALESCE(json_group_array(DISTINCT a.kind), '[]') FROM transaction_anomalies a
     WHERE a.charger_id = ${alias}.charger_id AND a.ocpp_transaction_id = ${alias}.ocpp_transaction_id
       AND NOT (a.kind IN (${superseded}) AND ${alias}.status = 'completed' AND ${alias}.stop_reason IS NOT '${ABANDONED_REASON}'))`;
}

export class TransactionAnomalyStore {
  constructor(private readonly db: D1Database) {}

  /** A transaction's anomalies, oldest first. */
  async forTransaction(chargerId: string, transactionId: string): Promise<AnomalyRecord[]> {
    const { results } = await this.db
      .prepare(
        `SELECT kind, detail, received_at FROM transaction_anomalies
         WHERE charger_id = ? AND ocpp_transaction_id = ? ORDER BY received_at, kind`,
      )
      .bind(chargerId, transactionId)
      .all<{ kind: AnomalyKind; detail: string; received_at: string }>();
    return results.map((r) => ({ kind: r.kind, detail: parseDetail(r.detail), receivedAt: r.received_at }));
  }
}

function parseDetail(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
