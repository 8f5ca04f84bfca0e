// OCPP 2.1 tariffs, cost and payment as facts the CSMS keeps: which tariffs a charger holds (from the answers
// to SetDefaultTariff, ChangeTransactionTariff, ClearTariffs, GetTariffs), the cost a charger computed itself
// (TransactionEvent costDetails) and a payment's settlement (NotifySettlement). Pure: the store
// (src/store/charger-tariffs.ts) decides how they are kept.

import { minorUnitsOf } from '../../tariffs/cost';
import { parseOcpp21TariffId } from '../../tariffs/ocpp21';
import { normaliseTimestamp } from '../handlers';
import type { OcppVersion } from '../versions';
import type * as V21 from './schemas.generated';

/** A tariff the charger holds, as one row per place it applies. */
export interface HeldTariff {
  ocppTariffId: string;
  /** The project tariff version, when the id is one the CSMS made (`<id>@<version>`). */
  tariff: { id: string; version: number } | null;
  kind: 'DefaultTariff' | 'DriverTariff';
  /** The EVSE it applies to (0: all); null for a transaction's or id tokens' tariff. */
  evseId: number | null;
  /** ChangeTransactionTariff's transaction. */
  transactionId: string | null;
  idTokens: string[] | null;
  validFrom: string | null;
}

export type TariffFact =
  /** An accepted SetDefaultTariff or ChangeTransactionTariff: the charger holds it now. */
  | { op: 'installed'; held: HeldTariff; via: 'SetDefaultTariff' | 'ChangeTransactionTariff'; at: string }
  /** An answered ClearTariffs: these ids (all, when null) are gone, on this EVSE (everywhere, when null). */
  | { op: 'cleared'; ocppTariffIds: string[] | null; evseId: number | null; at: string }
  /** A GetTariffs answer: what the charger holds for `evseId` (0: everything), replacing what was known there. */
  | { op: 'reported'; evseId: number; held: HeldTariff[]; at: string }
  /** A TransactionEvent's costDetails: the charger's own cost of the transaction. */
  | { op: 'chargerCost'; cost: ChargerCost }
  /** A NotifySettlement. */
  | { op: 'settlement'; settlement: Settlement };

export interface ChargerCost {
  transactionId: string;
  protocol: OcppVersion;
  seqNo: number;
  /** From the Ended event: the final cost, compared with the CSMS's price. */
  final: boolean;
  currency: string | null;
  exclTax: number | null;
  inclTax: number | null;
  /** Differences up to this (one minor unit of the currency) are rounding, not a different price. */
  tolerance: number;
  costDetails: V21.CostDetailsType;
  receivedAt: string;
}

export interface Settlement {
  /** '' when the payment was canceled before a transaction started. */
  transactionId: string;
  pspRef: string;
  status: V21.PaymentStatusEnumType;
  statusInfo: string | null;
  amount: number;
  settledAt: string;
  receiptId: string | null;
  receiptUrl: string | null;
  vatNumber: string | null;
  vatCompany: V21.AddressType | null;
  receivedAt: string;
}

function held(ocppTariffId: string, rest: Omit<HeldTariff, 'ocppTariffId' | 'tariff'>): HeldTariff {
  return { ocppTariffId, tariff: parseOcpp21TariffId(ocppTariffId), ...rest };
}

/** What an answered tariff command tells of the tariffs the charger holds (commandEffects); nothing for a refusal. */
export function tariffFactsFromCommand(protocol: OcppVersion, action: string, request: unknown, result: unknown, now: string): TariffFact[] {
  if (protocol !== 'ocpp2.1') return [];
  const status = (result as { status?: unknown } | null)?.status;
  switch (action) {
    case 'SetDefaultTariff': {
      if (status !== 'Accepted') return [];
      const req = request as V21.SetDefaultTariffRequest;
      const h = held(req.tariff.tariffId, { kind: 'DefaultTariff', evseId: req.evseId, transactionId: null, idTokens: null, validFrom: req.tariff.validFrom ?? null });
      return [{ op: 'installed', held: h, via: 'SetDefaultTariff', at: now }];
    }
    case 'ChangeTransactionTariff': {
      if (status !== 'Accepted') return [];
      const req = request as V21.ChangeTransactionTariffRequest;
      const h = held(req.tariff.tariffId, { kind: 'DriverTariff', evseId: null, transactionId: req.transactionId, idTokens: null, validFrom: req.tariff.validFrom ?? null });
      return [{ op: 'installed', held: h, via: 'ChangeTransactionTariff', at: now }];
    }
    case 'ClearTariffs': {
      const req = request as V21.ClearTariffsRequest;
      const results = (result as V21.ClearTariffsResponse).clearTariffsResult ?? [];
      const evseId = req.evseId ?? null;
      if (req.tariffIds === undefined) {
        // All tariffs (at the EVSE): gone when the charger cleared any, or had none.
        return results.some((r) => r.status === 'Accepted' || r.status === 'NoTariff') ? [{ op: 'cleared', ocppTariffIds: null, evseId, at: now }] : [];
      }
      // Each named id the charger cleared, or says it does not have.
      const gone = req.tariffIds.filter((id) => results.some((r) => r.tariffId === id && (r.status === 'Accepted' || r.status === 'NoTariff')));
      const noneAtAll = results.some((r) => r.tariffId === undefined && r.status === 'NoTariff');
      const ids = noneAtAll ? req.tariffIds : gone;
      return ids.length > 0 ? [{ op: 'cleared', ocppTariffIds: ids, evseId, at: now }] : [];
    }
    case 'GetTariffs': {
      const req = request as V21.GetTariffsRequest;
      const res = result as V21.GetTariffsResponse;
      if (res.status === 'NoTariff') return [{ op: 'reported', evseId: req.evseId, held: [], at: now }];
      if (res.status !== 'Accepted') return [];
      const list = (res.tariffAssignments ?? []).flatMap((a) => {
        const common = { kind: a.tariffKind, transactionId: null, idTokens: a.idTokens ?? null, validFrom: a.validFrom ?? null };
        // One row per EVSE named; an assignment naming none applies where it was asked (or to its id tokens).
        if (a.evseIds !== undefined) return a.evseIds.map((evseId) => held(a.tariffId, { ...common, evseId }));
        return [held(a.tariffId, { ...common, evseId: a.idTokens !== undefined ? null : req.evseId })];
      });
      return [{ op: 'reported', evseId: req.evseId, held: list, at: now }];
    }
    default:
      return [];
  }
}

/** A 2.1 TransactionEvent's costDetails as a fact; undefined when the event has none (or the charger is not 2.1). */
export function chargerCostOf(protocol: OcppVersion, sent: unknown, receivedAt: string): ChargerCost | undefined {
  if (protocol !== 'ocpp2.1') return undefined;
  const event = sent as V21.TransactionEventRequest;
  const details = event.costDetails;
  if (!details) return undefined;
  const total = details.totalCost;
  const currency = total.currency ?? null;
  return {
    transactionId: event.transactionInfo.transactionId,
    protocol,
    seqNo: event.seqNo,
    final: event.eventType === 'Ended',
    currency,
    exclTax: details.failureToCalculate ? null : (total.total.exclTax ?? null),
    inclTax: details.failureToCalculate ? null : (total.total.inclTax ?? null),
    tolerance: 10 ** -minorUnitsOf(currency ?? ''),
    costDetails: details,
    receivedAt,
  };
}

/** A NotifySettlement as kept. */
export function settlementOf(req: V21.NotifySettlementRequest, receivedAt: string): Settlement {
  return {
    transactionId: req.transactionId ?? '',
    pspRef: req.pspRef,
    status: req.status,
    statusInfo: req.statusInfo ?? null,
    amount: req.settlementAmount,
    // UTC, as every stored time, so settlements sort as strings.
    settledAt: normaliseTimestamp(req.settlementTime) ?? req.settlementTime,
    receiptId: req.receiptId ?? null,
    receiptUrl: req.receiptUrl ?? null,
    vatNumber: req.vatNumber ?? null,
    vatCompany: req.vatCompany ?? null,
    receivedAt,
  };
}
