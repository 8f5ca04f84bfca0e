// D1 access for OCPP 2.1 tariffs, cost and payment (migrations/0046): the statements that store the
// `tariff21` outbox facts (src/ocpp/v21/tariff-facts.ts), and the reads of the API's views.
//
// Facts are few (an operator's command, a transaction's cost, a payment), so each is a statement or two,
// in the order they came: an install then a clear of the same tariff ends with it gone. Every statement is
// idempotent: an install is an upsert, a clear a delete, a report a delete-then-insert of its scope, a cost
// upsert only moves to a later event, a settlement insert skips the attempt already kept.

import type { ChargerFact } from '../fleet/outbox';
import type { ChargerCost, HeldTariff, Settlement, TariffFact } from '../ocpp/v21/tariff-facts';

/** A held tariff as the API shows it. */
export interface HeldTariffView extends HeldTariff {
  source: string;
  recordedAt: string;
}

export interface ChargerCostView {
  seqNo: number;
  final: boolean;
  currency: string | null;
  exclTax: number | null;
  inclTax: number | null;
  costDetails: unknown;
  receivedAt: string;
}

type HeldRow = {
  ocpp_tariff_id: string;
  evse_id: number;
  transaction_id: string;
  kind: 'DefaultTariff' | 'DriverTariff';
  tariff_id: string | null;
  tariff_version: number | null;
  valid_from: string | null;
  id_tokens: string | null;
  source: string;
  recorded_at: string;
};

type SettlementRow = {
  ocpp_transaction_id: string;
  psp_ref: string;
  status: Settlement['status'];
  status_info: string | null;
  amount: number;
  settled_at: string;
  receipt_id: string | null;
  receipt_url: string | null;
  vat_number: string | null;
  vat_company: string | null;
  received_at: string;
};

/** Most held tariffs one answer lists: a charger holds a few per EVSE. */
const MAX_HELD_LISTED = 1000;
/** Most settlement attempts listed for one transaction. */
const MAX_SETTLEMENTS_LISTED = 50;

export class ChargerTariffStore {
  constructor(private readonly db: D1Database) {}

  /** The statements storing a batch's `tariff21` facts, in the order they came. */
  statements(facts: readonly ChargerFact<'tariff21'>[], now: string): D1PreparedStatement[] {
    return facts.flatMap(({ chargerId, fact }) => this.factStatements(chargerId, fact, now));
  }

  private factStatements(chargerId: string, fact: TariffFact, now: string): D1PreparedStatement[] {
    switch (fact.op) {
      case 'installed': {
        const h = fact.held;
        // A default tariff takes the place of the one the EVSE had from the same validFrom (a charger holds a
        // current one and ones to come): read so, the record does not list a replaced tariff until a GetTariffs.
        const replaced =
          fact.via === 'SetDefaultTariff'
            ? [
                this.db
                  .prepare(
                    `DELETE FROM charger_tariffs WHERE charger_id = ?1 AND kind = 'DefaultTariff' AND evse_id = ?2 AND transaction_id = ''
                       AND valid_from IS ?3 AND ocpp_tariff_id <> ?4`,
                  )
                  .bind(chargerId, h.evseId ?? -1, h.validFrom, h.ocppTariffId),
              ]
            : [];
        return [...replaced, this.upsertHeld(chargerId, h, fact.via, fact.at)];
      }
      case 'cleared': {
        const ids = fact.ocppTariffIds === null ? null : JSON.stringify(fact.ocppTariffIds);
        return [
          this.db
            .prepare(
              `DELETE FROM charger_tariffs WHERE charger_id = ?1
                 AND (?2 IS NULL OR ocpp_tariff_id IN (SELECT value FROM json_each(?2)))
                 AND (?3 IS NULL OR evse_id = ?3)`,
            )
            .bind(chargerId, ids, fact.evseId),
        ];
      }
      case 'reported':
        // 0 asks for every EVSE: the answer is all the charger holds. Another EVSE's answer replaces that EVSE's rows.
        return [
          this.db.prepare(`DELETE FROM charger_tariffs WHERE charger_id = ?1 AND (?2 = 0 OR evse_id = ?2)`).bind(chargerId, fact.evseId),
          ...fact.held.map((h) => this.upsertHeld(chargerId, h, 'GetTariffs', fact.at)),
        ];
      case 'chargerCost':
        return this.chargerCostStatements(chargerId, fact.cost, now);
      case 'settlement':
        return [this.insertSettlement(chargerId, fact.settlement)];
    }
  }

  private upsertHeld(chargerId: string, h: HeldTariff, source: string, at: string): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO charger_tariffs (charger_id, ocpp_tariff_id, evse_id, transaction_id, kind, tariff_id, tariff_version, valid_from,
           id_tokens, source, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (charger_id, ocpp_tariff_id, evse_id, transaction_id) DO UPDATE SET kind = excluded.kind, valid_from = excluded.valid_from,
           id_tokens = excluded.id_tokens, source = excluded.source, recorded_at = excluded.recorded_at`,
      )
      .bind(
        chargerId,
        h.ocppTariffId,
        h.evseId ?? -1,
        h.transactionId ?? '',
        h.kind,
        h.tariff?.id ?? null,
        h.tariff?.version ?? null,
        h.validFrom,
        h.idTokens ? JSON.stringify(h.idTokens) : null,
        source,
        at,
      );
  }

  /**
   * Keeps the charger's cost (a later event's replaces an earlier one's; nothing replaces the Ended's), then,
   * for a final cost, flags the transaction when the CSMS priced it otherwise beyond rounding. The CSMS's cost
   * is written by the same flush, before this (flush.ts), so an Ended with its own price compares at once.
   */
  private chargerCostStatements(chargerId: string, c: ChargerCost, now: string): D1PreparedStatement[] {
    return [
      this.db
        .prepare(
          `INSERT INTO transaction_charger_costs (charger_id, protocol, ocpp_transaction_id, seq_no, final, currency, total_excl_tax,
             total_incl_tax, tolerance, cost_details, received_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
           ON CONFLICT (charger_id, protocol, ocpp_transaction_id) DO UPDATE SET seq_no = excluded.seq_no, final = excluded.final,
             currency = excluded.currency, total_excl_tax = excluded.total_excl_tax, total_incl_tax = excluded.total_incl_tax,
             tolerance = excluded.tolerance, cost_details = excluded.cost_details, received_at = excluded.received_at
           WHERE transaction_charger_costs.final = 0 AND (excluded.final = 1 OR excluded.seq_no > transaction_charger_costs.seq_no)`,
        )
        .bind(chargerId, c.protocol, c.transactionId, c.seqNo, c.final ? 1 : 0, c.currency, c.exclTax, c.inclTax, c.tolerance, JSON.stringify(c.costDetails), c.receivedAt),
      this.db
        .prepare(
          `INSERT OR IGNORE INTO transaction_anomalies (charger_id, ocpp_transaction_id, kind, detail, received_at)
           SELECT k.charger_id, k.ocpp_transaction_id, 'charger-cost-differs',
             json_object('charger', json_object('currency', k.currency, 'exclTax', k.total_excl_tax, 'inclTax', k.total_incl_tax),
               'csms', json_object('currency', c.currency, 'excl_vat', c.total_cost_excl_vat, 'incl_vat', c.total_cost_incl_vat,
                 'tariff', json_object('id', c.tariff_id, 'version', c.tariff_version))),
             ?4
           FROM transaction_charger_costs k
             JOIN transactions t ON t.charger_id = k.charger_id AND t.protocol = k.protocol AND t.ocpp_transaction_id = k.ocpp_transaction_id
             JOIN transaction_costs c ON c.transaction_id = t.id
           WHERE k.charger_id = ?1 AND k.protocol = ?2 AND k.ocpp_transaction_id = ?3 AND k.final = 1
             AND (k.currency IS NOT c.currency
               OR (k.total_excl_tax IS NOT NULL AND abs(k.total_excl_tax - c.total_cost_excl_vat) > k.tolerance + 1e-9)
               OR (k.total_incl_tax IS NOT NULL AND c.total_cost_incl_vat IS NOT NULL AND abs(k.total_incl_tax - c.total_cost_incl_vat) > k.tolerance + 1e-9))`,
        )
        .bind(chargerId, c.protocol, c.transactionId, now),
    ];
  }

  private insertSettlement(chargerId: string, s: Settlement): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT OR IGNORE INTO transaction_settlements (charger_id, ocpp_transaction_id, psp_ref, status, status_info, amount, settled_at,
           receipt_id, receipt_url, vat_number, vat_company, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`,
      )
      .bind(
        chargerId,
        s.transactionId,
        s.pspRef,
        s.status,
        s.statusInfo,
        s.amount,
        s.settledAt,
        s.receiptId,
        s.receiptUrl,
        s.vatNumber,
        s.vatCompany ? JSON.stringify(s.vatCompany) : null,
        s.receivedAt,
      );
  }

  /** The tariffs a charger holds, as far as its answers told: EVSE 0 first, then by EVSE and id. */
  async held(chargerId: string): Promise<HeldTariffView[]> {
    const { results } = await this.db
      .prepare(`SELECT * FROM charger_tariffs WHERE charger_id = ?1 ORDER BY evse_id, transaction_id, ocpp_tariff_id LIMIT ?2`)
      .bind(chargerId, MAX_HELD_LISTED)
      .all<HeldRow>();
    return results.map((r) => ({
      ocppTariffId: r.ocpp_tariff_id,
      tariff: r.tariff_id === null ? null : { id: r.tariff_id, version: r.tariff_version ?? 0 },
      kind: r.kind,
      evseId: r.evse_id < 0 ? null : r.evse_id,
      transactionId: r.transaction_id === '' ? null : r.transaction_id,
      idTokens: r.id_tokens === null ? null : (JSON.parse(r.id_tokens) as string[]),
      validFrom: r.valid_from,
      source: r.source,
      recordedAt: r.recorded_at,
    }));
  }

  /** The charger's own cost of a transaction, if it sent one. */
  async chargerCost(chargerId: string, protocol: string, transactionId: string): Promise<ChargerCostView | null> {
    const row = await this.db
      .prepare(`SELECT * FROM transaction_charger_costs WHERE charger_id = ?1 AND protocol = ?2 AND ocpp_transaction_id = ?3`)
      .bind(chargerId, protocol, transactionId)
      .first<{ seq_no: number; final: number; currency: string | null; total_excl_tax: number | null; total_incl_tax: number | null; cost_details: string; received_at: string }>();
    if (!row) return null;
    return {
      seqNo: row.seq_no,
      final: row.final === 1,
      currency: row.currency,
      exclTax: row.total_excl_tax,
      inclTax: row.total_incl_tax,
      costDetails: JSON.parse(row.cost_details),
      receivedAt: row.received_at,
    };
  }

  /** A transaction's settlement attempts, oldest first. */
  async settlements(chargerId: string, transactionId: string): Promise<Settlement[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM (SELECT * FROM transaction_settlements WHERE charger_id = ?1 AND ocpp_transaction_id = ?2
           ORDER BY settled_at DESC, received_at DESC LIMIT ?3) ORDER BY settled_at, received_at`,
      )
      .bind(chargerId, transactionId, MAX_SETTLEMENTS_LISTED)
      .all<SettlementRow>();
    return results.map(settlementOfRow);
  }

  /** The settlements of many transactions of one charger at once (CDR exports), latest attempt per transaction. */
  async latestSettlements(chargerId: string, transactionIds: readonly string[]): Promise<Map<string, Settlement>> {
    if (transactionIds.length === 0) return new Map();
    const { results } = await this.db
      .prepare(
        `SELECT * FROM transaction_settlements WHERE charger_id = ?1 AND ocpp_transaction_id IN (SELECT value FROM json_each(?2))
         ORDER BY settled_at, received_at`,
      )
      .bind(chargerId, JSON.stringify(transactionIds))
      .all<SettlementRow>();
    const latest = new Map<string, Settlement>();
    for (const row of results) latest.set(row.ocpp_transaction_id, settlementOfRow(row));
    return latest;
  }
}

function settlementOfRow(r: SettlementRow): Settlement {
  return {
    transactionId: r.ocpp_transaction_id,
    pspRef: r.psp_ref,
    status: r.status,
    statusInfo: r.status_info,
    amount: r.amount,
    settledAt: r.settled_at,
    receiptId: r.receipt_id,
    receiptUrl: r.receipt_url,
    vatNumber: r.vat_number,
    vatCompany: r.vat_company === null ? null : (JSON.parse(r.vat_company) as Settlement['vatCompany']),
    receivedAt: r.received_at,
  };
}
