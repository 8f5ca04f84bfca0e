// OCPP 2.1 grid facts the CSMS keeps: dynamic schedule values, priority charging on a transaction, battery swaps.
//
// One fact type for the three (outbox kind `grid`, store/grid.ts), so that they travel and flush
// like the other facts of a charger; and the commandEffects that turn answers to
// UpdateDynamicSchedule and RequestBatterySwap into such facts.

import type * as V21 from './schemas.generated';

/** A 2.1 ChargingScheduleUpdateType, as JSON. */
export type ScheduleUpdate = Record<string, unknown>;

export type GridFact =
  /** The charger Accepted an UpdateDynamicSchedule: these are its profile's current values from `at`. */
  | { op: 'dynamicSchedule'; profileId: number; scheduleUpdate: ScheduleUpdate; at: string }
  /** NotifyPriorityCharging: priority charging on `transactionId` went on or off (received `at`). */
  | { op: 'priorityCharging'; transactionId: string; activated: boolean; at: string; messageId: string; digest: string }
  /** A BatterySwap event, or the charger's answer to a RequestBatterySwap (`Requested`). */
  | { op: 'batterySwap'; swap: BatterySwapFact; messageId: string; digest: string };

export interface BatterySwapFact {
  requestId: number;
  eventType: 'BatteryIn' | 'BatteryOut' | 'BatteryOutTimeout' | 'Requested';
  idToken: string;
  idTokenType: string;
  /** A charger's event: what the CSMS decided of the token; Requested: the charger's answer. */
  status: string | null;
  batteryData: Record<string, unknown>[];
  receivedAt: string;
}

/** What the CSMS knows for a PullDynamicScheduleUpdate of one profile. */
export interface DynamicScheduleLookup {
  /** The profile as the CSMS knows it installed; absent when it knows no such profile. */
  profile?: { kind: string | undefined; installedAt: string };
  /** The values kept for it, and when they were set. */
  update?: { scheduleUpdate: ScheduleUpdate; setAt: string };
}

/**
 * The answer to a PullDynamicScheduleUpdate (K28): the profile's current values when the CSMS knows
 * the profile as a Dynamic one and holds values set since it was installed; otherwise Rejected,
 * saying why (a value kept from before the profile was installed again belongs to the old one).
 */
export function pullAnswer(profileId: number, known: DynamicScheduleLookup): V21.PullDynamicScheduleUpdateResponse {
  const rejected = (reasonCode: string, additionalInfo: string): V21.PullDynamicScheduleUpdateResponse => ({
    status: 'Rejected',
    statusInfo: { reasonCode, additionalInfo },
  });
  if (!known.profile) return rejected('UnknownProfile', `The CSMS knows no charging profile ${profileId} installed on this charging station`);
  if (known.profile.kind !== 'Dynamic') {
    return rejected('NotDynamic', `Charging profile ${profileId} is ${known.profile.kind ?? 'of no'} kind, not Dynamic`);
  }
  if (!known.update || known.update.setAt < known.profile.installedAt) {
    return rejected('NoUpdate', `The CSMS holds no dynamic values for charging profile ${profileId}`);
  }
  return { status: 'Accepted', scheduleUpdate: known.update.scheduleUpdate as V21.PullDynamicScheduleUpdateResponse['scheduleUpdate'] };
}

/**
 * What an answer to a 2.1 command tells of the grid state: an Accepted UpdateDynamicSchedule makes
 * its values the profile's current ones; a RequestBatterySwap's answer opens the swap its requestId
 * names (the later BatterySwap events carry the same requestId).
 */
export function gridFactsFromCommand(action: string, request: unknown, result: unknown, at: string): GridFact[] {
  const status = (result as { status?: string }).status;
  if (action === 'UpdateDynamicSchedule') {
    if (status !== 'Accepted') return [];
    const req = request as V21.UpdateDynamicScheduleRequest;
    return [{ op: 'dynamicSchedule', profileId: req.chargingProfileId, scheduleUpdate: req.scheduleUpdate as ScheduleUpdate, at }];
  }
  if (action === 'RequestBatterySwap') {
    const req = request as V21.RequestBatterySwapRequest;
    const swap: BatterySwapFact = {
      requestId: req.requestId,
      eventType: 'Requested',
      idToken: req.idToken.idToken,
      idTokenType: req.idToken.type,
      status: status ?? null,
      batteryData: [],
      receivedAt: at,
    };
    // One answer per request: a request id sent again with another answer is kept too.
    return [{ op: 'batterySwap', swap, messageId: `request:${req.requestId}`, digest: `${status}:${req.idToken.type}:${req.idToken.idToken}` }];
  }
  return [];
}
