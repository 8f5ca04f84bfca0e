// D1 access for OCPP 2.1 V2X facts per transaction (migrations/0047 transaction_v2x); all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import { columnsOf, jsonChunks } from './json-rows';

/** What the API shows of a transaction's V2X facts. */
export interface TransactionV2x {
  /** The EV's latest charging needs (2.1 NotifyEVChargingNeeds chargingNeeds, as sent), or null. */
  chargingNeeds: Record<string, unknown> | null;
  needsReceivedAt: string | null;
  /** The energy transfer modes the CSMS allowed and the charger accepted (NotifyAllowedEnergyTransfer), or null. */
  allowedEnergyTransfer: string[] | null;
  allowedAt: string | null;
}

const COLUMNS = ['charger_id', 'transaction_id', 'evse_id', 'needs', 'needs_at', 'allowed_transfer', 'allowed_at'] as const;

type Row = { needs: string | null; needs_at: string | null; allowed_transfer: string | null; allowed_at: string | null };

export class TransactionV2xStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Upserts each fact into its transaction's row: the needs replace the needs, an allowance the
   * allowance, each only by a fact at least as recent as the stored one, so a replayed batch, or an
   * older fact flushed after a newer one, changes nothing.
   */
  upsertStatements(changes: readonly ChargerFact<'v2x'>[]): D1PreparedStatement[] {
    const rows = changes.map(({ chargerId, fact }) => [
      chargerId,
      fact.transactionId,
      fact.evseId ?? null,
      fact.needs === undefined ? null : JSON.stringify(fact.needs),
      fact.needs === undefined ? null : fact.at,
      fact.allowedEnergyTransfer === undefined ? null : JSON.stringify(fact.allowedEnergyTransfer),
      fact.allowedEnergyTransfer === undefined ? null : fact.at,
    ]);
    const newer = (at: string) => `excluded.${at} IS NOT NULL AND (transaction_v2x.${at} IS NULL OR excluded.${at} >= transaction_v2x.${at})`;
    return jsonChunks(rows).map((json) =>
      this.db
        .prepare(
          `INSERT INTO transaction_v2x (${COLUMNS.join(', ')})
           SELECT * FROM (SELECT ${columnsOf(COLUMNS)} FROM json_each(?1) AS j) WHERE true
           ON CONFLICT (charger_id, transaction_id) DO UPDATE SET
             evse_id = COALESCE(excluded.evse_id, transaction_v2x.evse_id),
             needs = CASE WHEN ${newer('needs_at')} THEN excluded.needs ELSE transaction_v2x.needs END,
             needs_at = CASE WHEN ${newer('needs_at')} THEN excluded.needs_at ELSE transaction_v2x.needs_at END,
             allowed_transfer = CASE WHEN ${newer('allowed_at')} THEN excluded.allowed_transfer ELSE transaction_v2x.allowed_transfer END,
             allowed_at = CASE WHEN ${newer('allowed_at')} THEN excluded.allowed_at ELSE transaction_v2x.allowed_at END
           WHERE ${newer('needs_at')} OR ${newer('allowed_at')}`,
        )
        .bind(json),
    );
  }

  /** The transaction's V2X facts, or null when none was recorded. */
  async get(chargerId: string, transactionId: string): Promise<TransactionV2x | null> {
    const row = await this.db
      .prepare('SELECT needs, needs_at, allowed_transfer, allowed_at FROM transaction_v2x WHERE charger_id = ?1 AND transaction_id = ?2')
      .bind(chargerId, transactionId)
      .first<Row>();
    if (!row) return null;
    return {
      chargingNeeds: row.needs === null ? null : (JSON.parse(row.needs) as Record<string, unknown>),
      needsReceivedAt: row.needs_at,
      allowedEnergyTransfer: row.allowed_transfer === null ? null : (JSON.parse(row.allowed_transfer) as string[]),
      allowedAt: row.allowed_at,
    };
  }

}
