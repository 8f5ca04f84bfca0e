// D1 access for transaction anomalies: input kept but not applied, and energy unfit to bill as it stands.
//
// A completed transaction's energy never changes. What a charger sends that would change it (a
// second stop with another reading, an event after Ended, a seqNo reused with other content) is
// kept here instead, and a transaction whose readings cannot be billed as they are (the register
// went backwards, the session was abandoned) is flagged here too. Each row is identified by its
// content, so a replayed message adds nothing.

import { columnsOf, jsonChunks } from './json-rows';

/** What an anomaly says; a transaction's `flags` are the distinct kinds it has. */
export const ANOMALY_KINDS = {
  /** The stop register is below the start register (a meter swap, a rollover, a bad meter): energy_wh stays null, the raw readings are kept. */
  'negative-energy': 'The end register is below the start register; the energy is not billable as it stands',
  /** A new transaction started (or the charger booted) while this one was still open on its connector. */
  abandoned: 'Closed by the CSMS: a new transaction started on its connector, or the charger booted, before it stopped',
  /** A 1.6 StopTransaction for a transaction already stopped, with other content than the stop that was applied. */
  'conflicting-stop': 'A further stop with other content arrived after the transaction was stopped; it was kept, not applied',
  /** A 2.0.1 TransactionEvent that arrived after the transaction's Ended event. */
  'late-event': 'An event arrived after the transaction had ended; it was kept, not applied',
  /** A 2.0.1 TransactionEvent that reused a seqNo with other content than the event stored under it. */
  'conflicting-event': 'An event reused a seqNo with other content; it was kept, not applied',
} as const;

export type AnomalyKind = keyof typeof ANOMALY_KINDS;

export interface AnomalyRecord {
  kind: AnomalyKind;
  /** The input as received, or what was found. */
  detail: unknown;
  receivedAt: string;
}

const ANOMALY_COLUMNS = ['charger_id', 'ocpp_transaction_id', 'kind', 'detail'] as const;

/**
 * SQL for a transactions row's flags, as a JSON array of distinct anomaly kinds ('[]' for none):
 * use as `${flagsOf('t')} AS flags` in a SELECT over `transactions t`.
 */
export function flagsOf(alias: string): string {
  return `(SELECT COALESCE(json_group_array(DISTINCT a.kind), '[]') FROM transaction_anomalies a
     WHERE a.charger_id = ${alias}.charger_id AND a.ocpp_transaction_id = ${alias}.ocpp_transaction_id)`;
}

export class TransactionAnomalyStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Statements that keep anomalies found on the TypeScript side; `detail` is stored as JSON.
   * A row already there (same charger, transaction, kind and detail) is left as it is.
   */
  insertStatements(
    rows: ReadonlyArray<{ chargerId: string; transactionId: string; kind: AnomalyKind; detail: unknown }>,
    now: string,
  ): D1PreparedStatement[] {
    const values = rows.map((r) => [r.chargerId, r.transactionId, r.kind, r.detail === undefined ? '' : JSON.stringify(r.detail)]);
    return jsonChunks(values).map((json) =>
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT charger_id, ocpp_transaction_id, kind, detail, ?2 FROM (SELECT ${columnsOf(ANOMALY_COLUMNS)} FROM json_each(?1) AS j)`,
        )
        .bind(json, now),
    );
  }

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
