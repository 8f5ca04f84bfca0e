// OCPP 2.1 handlers for grid-facing messages from the charger: PullDynamicScheduleUpdate, NotifyPriorityCharging, BatterySwap.

import type { Handler } from '../handlers';
import { redactSecrets } from '../secrets';
import { idTokenInfo } from '../v201/handlers';
import { pullAnswer } from './grid-facts';
import type * as V21 from './schemas.generated';

/**
 * K28: a charger with a Dynamic profile whose dynUpdateInterval passed asks for its current values.
 * Answered from what the CSMS holds (an operator's PUT …/dynamic, or an UpdateDynamicSchedule the
 * charger accepted): Accepted with them, or Rejected saying why (grid-facts.ts pullAnswer).
 */
const PullDynamicScheduleUpdate: Handler<V21.PullDynamicScheduleUpdateRequest, V21.PullDynamicScheduleUpdateResponse> = async (req, ctx) =>
  pullAnswer(req.chargingProfileId, await ctx.records.dynamicSchedule(req.chargingProfileId));

/** Priority charging went on or off on a transaction (after UsePriorityCharging, or the driver's own choice): kept with it. */
const NotifyPriorityCharging: Handler<V21.NotifyPriorityChargingRequest, V21.NotifyPriorityChargingResponse> = async (req, ctx) => {
  await ctx.records.recordPriorityCharging({ transactionId: req.transactionId, activated: req.activated }, ctx.messageId);
  return {};
};

/**
 * A battery was taken out or put in (or not taken in time). Its token is decided on as any token is
 * (id tags, group, expiry, blocked: the 2.0.1 idTokenInfo logic) and the decision kept with the event;
 * the answer carries none (BatterySwapResponse is empty). The requestId links it to the
 * RequestBatterySwap that asked for it, if the CSMS sent one.
 */
const BatterySwap: Handler<V21.BatterySwapRequest, V21.BatterySwapResponse> = async (req, ctx) => {
  // 2.1 widened IdTokenType.type to any string (up to 20 characters); the decision does not depend on it being a 2.0.1 one.
  const info = await idTokenInfo(req.idToken as Parameters<typeof idTokenInfo>[0], { offline: false }, ctx);
  await ctx.records.recordBatterySwap({
    requestId: req.requestId,
    eventType: req.eventType,
    idToken: req.idToken.idToken,
    idTokenType: req.idToken.type,
    status: info.status,
    // Vendor fields (vendorInfo, customData) are the charger's free text: kept with the spec's secrets redacted.
    batteryData: redactSecrets(req.batteryData) as Record<string, unknown>[],
  }, ctx.messageId);
  return {};
};

export const gridHandlers = { PullDynamicScheduleUpdate, NotifyPriorityCharging, BatterySwap };
