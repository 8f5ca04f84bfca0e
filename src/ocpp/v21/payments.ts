// OCPP 2.1 payment messages from the charger: NotifySettlement (a payment terminal's settlement, kept with
// its transaction) and VatNumberValidation (a driver's VAT number for a company receipt).

import type { Handler, HandlerTable } from '../handlers';
import { keepAndAnswer } from '../reports';
import type * as V21 from './schemas.generated';
import { settlementOf } from './tariff-facts';

/** What a VAT validation service says of a number: valid, with the company it belongs to, or not. */
export type VatNumberVerdict = { valid: true; company?: V21.AddressType } | { valid: false; reason?: string };

/** Checks VAT numbers (for example against the EU's VIES); throws when the service cannot answer. */
export type VatNumberValidator = (vatNumber: string, context: { chargerId: string; evseId?: number }) => Promise<VatNumberVerdict>;

let validator: VatNumberValidator | undefined;

/** Plugs in a VAT validation service (none by default); undefined unplugs it. */
export function registerVatNumberValidator(next: VatNumberValidator | undefined): void {
  validator = next;
}

/** Why a number is Rejected while no VAT service is configured (statusInfo.reasonCode is at most 20 characters). */
export const NO_VAT_SERVICE_STATUS_INFO = {
  reasonCode: 'NoVatService',
  additionalInfo: 'No VAT number validation service is configured on this CSMS: the number could not be validated',
} as const;

/**
 * Kept as sent (GET /chargers/{id}/reports?action=NotifySettlement) and stored with its transaction
 * (GET /chargers/{id}/transactions/{tx} shows `settlement`), both durable before the answer. The CSMS makes
 * no receipt of its own, so it answers without receiptUrl / receiptId: the charger's own receipt stands.
 */
const notifySettlement: Handler<V21.NotifySettlementRequest, V21.NotifySettlementResponse> = keepAndAnswer(
  'NotifySettlement',
  async (req: V21.NotifySettlementRequest, ctx) => {
    await ctx.records.recordTariffFacts([{ op: 'settlement', settlement: settlementOf(req, ctx.now.toISOString()) }]);
    return {};
  },
);

/**
 * Accepted only when a registered validator says the number is valid (with the company it names);
 * Rejected when it says it is not, and Rejected with a reason when no service is configured or it could not
 * answer: a number the CSMS did not validate is not one it vouches for. Kept as sent, for the operator.
 */
const vatNumberValidation: Handler<V21.VatNumberValidationRequest, V21.VatNumberValidationResponse> = keepAndAnswer(
  'VatNumberValidation',
  async (req: V21.VatNumberValidationRequest, ctx) => {
    const base = { vatNumber: req.vatNumber, ...(req.evseId !== undefined ? { evseId: req.evseId } : {}) };
    if (!validator) return { ...base, status: 'Rejected', statusInfo: NO_VAT_SERVICE_STATUS_INFO };
    let verdict: VatNumberVerdict;
    try {
      verdict = await validator(req.vatNumber, { chargerId: ctx.chargerId, ...(req.evseId !== undefined ? { evseId: req.evseId } : {}) });
    } catch {
      return { ...base, status: 'Rejected', statusInfo: { reasonCode: 'VatServiceError', additionalInfo: 'The VAT number validation service could not answer' } };
    }
    if (verdict.valid) return { ...base, status: 'Accepted', ...(verdict.company ? { company: verdict.company } : {}) };
    return { ...base, status: 'Rejected', statusInfo: { reasonCode: 'InvalidVatNumber', ...(verdict.reason ? { additionalInfo: verdict.reason.slice(0, 1024) } : {}) } };
  },
);

export const paymentHandlers: HandlerTable = {
  NotifySettlement: notifySettlement,
  VatNumberValidation: vatNumberValidation,
};
