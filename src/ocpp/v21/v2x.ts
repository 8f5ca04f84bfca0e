// OCPP 2.1 bidirectional charging (V2X) handlers: the EV's charging needs with their V2X parameters, kept with the transaction and answered with a schedule that respects them.

import type { HandlerTable } from '../handlers';
import { profileForEvNeeds } from '../charging/ev-negotiation';
import { keepAndAnswer } from '../reports';
import { redactSecrets } from '../secrets';
import type * as V21 from './schemas.generated';

/**
 * 2.1 K15/Q: the needs are kept as sent (reports), and with the transaction running on the EVSE
 * (requestedEnergyTransfer, availableEnergyTransfer, controlMode, mobilityNeedsMode,
 * v2xChargingParameters, evEnergyOffer, DER parameters: readable on the transaction), durably
 * before the answer. Then, as in 2.0.1, Accepted with a TxProfile queued right after the answer, or
 * Rejected with the reason: see charging/ev-negotiation.ts for how discharging is offered (only to
 * an EV that offers a bidirectional mode, within what the CSMS allowed for the transaction and
 * where the EVSE's profiles allow it). The needs of an EVSE with no transaction are kept as sent
 * only: they belong to no transaction.
 */
const NotifyEVChargingNeeds = keepAndAnswer<V21.NotifyEVChargingNeedsRequest, V21.NotifyEVChargingNeedsResponse>(
  'NotifyEVChargingNeeds',
  async (req, ctx) => {
    const state = await ctx.records.smartCharging(req.evseId);
    if (!state.transaction) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'NoTransaction', additionalInfo: `No transaction runs on EVSE ${req.evseId}` } };
    }
    await ctx.records.recordV2x({
      transactionId: state.transaction.id,
      evseId: req.evseId,
      at: ctx.now.toISOString(),
      // Nothing in chargingNeeds is a credential, but its customData may hold anything a vendor put there.
      needs: redactSecrets(req.chargingNeeds as unknown as Record<string, unknown>),
    });
    // On a site the site's allocator sends the TxProfile (its share, sent again for these needs).
    if (state.siteManaged) return { status: 'Accepted' };
    const plan = profileForEvNeeds(req, {
      profiles: state.profiles,
      transaction: state.transaction,
      now: ctx.now.toISOString(),
      ...(state.allowedEnergyTransfer ? { allowedEnergyTransfer: state.allowedEnergyTransfer } : {}),
    });
    if (!plan.ok) return { status: 'Rejected', statusInfo: { reasonCode: plan.reasonCode, additionalInfo: plan.additionalInfo } };
    await ctx.records.queueCommand('SetChargingProfile', plan.request as unknown as Record<string, unknown>);
    return { status: 'Accepted' };
  },
);

export const v2xHandlers: HandlerTable = {
  NotifyEVChargingNeeds,
};
