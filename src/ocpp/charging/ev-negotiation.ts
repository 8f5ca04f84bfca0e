// ISO 15118 schedule negotiation (2.0.1 K15-K17): the TxProfile the CSMS offers an EV, and the check of the schedule the EV chose.
//
// The allocation is deliberately simple: the EV gets, over time, the lowest of (a) what the EVSE is
// already limited to by the profiles the charger has installed other than TxProfiles (its
// ChargingStationMaxProfile, its TxDefaultProfiles) and by the external limits it reported
// (NotifyChargingLimit), as the composite schedule computes them, and (b) the EV's own maximum from
// its charging needs. Nothing is shared between EVSEs or chargers (a site's allocation is later work).
//
// OCPP 2.1 bidirectional charging (V2X): an EV that offers a bidirectional (BPT) energy transfer
// mode and a discharge maximum may be given discharge limits, only where (a) the CSMS did not
// restrict the transaction to other modes (NotifyAllowedEnergyTransfer), and (b) the EVSE's own
// profiles allow discharging there (the composite schedule's dischargeLimit: an operator's
// TxDefaultProfile or station profile in a discharging operationMode). Then the TxProfile's period
// takes the tighter of the EVSE's and the EV's discharge bounds, and the EVSE's operationMode and
// setpoint. Anywhere else the EV is given charging limits only (ChargingOnly).

import type {
  ChargingProfileType,
  NotifyEVChargingNeedsRequest,
  NotifyEVChargingScheduleRequest,
  SetChargingProfileRequest,
} from '../v201/schemas.generated';
import type * as V21 from '../v21/schemas.generated';
import { BIDIRECTIONAL_MODES } from '../v2x-changes';
import { compositeSchedule, type CompositePeriod, type CompositeSchedule } from './composite-schedule';
import { parseTime } from './profile-timeline';
import type { ChargingRateUnit, InstalledProfile, OperationMode } from './profiles';

/**
 * The id of the TxProfile the CSMS sends an EV on `evseId`: one per EVSE, so that a renegotiation's
 * profile replaces the last one (K01.FR.05), in a range operators are asked to leave to the CSMS.
 */
export const EV_PROFILE_ID_BASE = 2_000_000_000;
export function evProfileId(evseId: number): number {
  return EV_PROFILE_ID_BASE + evseId;
}

/** How far a schedule for an EV reaches without a departure time: a day. */
const DEFAULT_HORIZON_SECONDS = 86_400;
/** How far an EV's schedule is checked at most: a week. */
const MAX_CHECK_SECONDS = 7 * 86_400;

export interface NegotiationContext {
  /** What the mirror holds on the EVSE and the whole charger, external limits included. */
  profiles: InstalledProfile[];
  /** The transaction running on the EVSE. */
  transaction: { id: string; startedAt: string };
  /** RFC 3339: when the needs were received. */
  now: string;
  /** 2.1: the energy transfer modes the CSMS allowed for the transaction (NotifyAllowedEnergyTransfer), if it restricted them. */
  allowedEnergyTransfer?: string[];
}

/** 2.0.1 charging needs, or 2.1 ones with their V2X parameters. */
type EvNeeds = NotifyEVChargingNeedsRequest | V21.NotifyEVChargingNeedsRequest;
type ChargingNeeds = NotifyEVChargingNeedsRequest['chargingNeeds'] & Partial<V21.NotifyEVChargingNeedsRequest['chargingNeeds']>;
/** A TxProfile period as the CSMS sends it (2.1 fields only for a discharging EV). */
type OfferedPeriod = {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
  dischargeLimit?: number;
  setpoint?: number;
  operationMode?: OperationMode;
};

export type Refusal = { ok: false; reasonCode: string; additionalInfo: string };

/**
 * The SetChargingProfile that answers an EV's charging needs (K15.FR.03: Accepted; K15.FR.07:
 * then the schedule): a TxProfile for the running transaction, Absolute from now until the departure time
 * (a day without one), whose limit is never above the EVSE's limits or the EV's maximum.
 * Refused when neither gives a number: the CSMS would have to invent one.
 */
export function profileForEvNeeds(
  needs: EvNeeds,
  context: NegotiationContext,
): { ok: true; request: SetChargingProfileRequest } | Refusal {
  const chargingNeeds = needs.chargingNeeds as ChargingNeeds;
  const { unit, evMax } = evMaximum(chargingNeeds);
  const evDischarge = evDischargeMaximum(chargingNeeds, unit, context.allowedEnergyTransfer);
  const now = parseTime(context.now, 'now');
  const departure = readableTime(needs.chargingNeeds.departureTime);
  const duration =
    departure !== undefined && departure > now ? Math.min(Math.ceil((departure - now) / 1000), DEFAULT_HORIZON_SECONDS) : DEFAULT_HORIZON_SECONDS;
  let limits: CompositeSchedule;
  try {
    limits = evseLimits(context, needs.evseId, context.now, duration, unit);
  } catch (error) {
    // A profile in the mirror whose date-times are none (the charger reported it so).
    if (!(error instanceof RangeError)) throw error;
    return { ok: false, reasonCode: 'InvalidProfile', additionalInfo: error.message };
  }

  const periods: OfferedPeriod[] = [];
  for (const period of limits.periods) {
    const limit = period.limit === null ? evMax : evMax === undefined ? period.limit : Math.min(period.limit, evMax);
    if (limit === undefined) {
      return {
        ok: false,
        reasonCode: 'NoLimitKnown',
        additionalInfo: 'Neither an installed profile, an external limit nor the EV gives a limit to schedule',
      };
    }
    const offered: OfferedPeriod = {
      startPeriod: period.startPeriod,
      limit,
      ...(period.numberPhases === undefined ? {} : { numberPhases: period.numberPhases }),
      ...discharging(period, limit, evDischarge),
    };
    const last = periods.at(-1);
    if (
      last &&
      last.limit === offered.limit &&
      last.numberPhases === offered.numberPhases &&
      last.dischargeLimit === offered.dischargeLimit &&
      last.setpoint === offered.setpoint &&
      last.operationMode === offered.operationMode
    ) {
      continue;
    }
    periods.push(offered);
  }
  // A TxProfile's stack level is unique within its transaction (K01.FR.39): above any other one's, so this one leads.
  const others = context.profiles.filter(
    (p) => p.purpose === 'TxProfile' && p.transactionId === context.transaction.id && p.id !== evProfileId(needs.evseId),
  );
  const stackLevel = others.length === 0 ? 0 : Math.max(...others.map((p) => p.stackLevel)) + 1;
  const chargingProfile: ChargingProfileType = {
    id: evProfileId(needs.evseId),
    stackLevel,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Absolute',
    transactionId: context.transaction.id,
    chargingSchedule: [
      {
        id: 1,
        startSchedule: limits.scheduleStart,
        duration,
        chargingRateUnit: unit,
        chargingSchedulePeriod: periods,
      },
    ],
  };
  return { ok: true, request: { evseId: needs.evseId, chargingProfile } };
}

/**
 * Whether the schedule an EV chose stays within the CSMS's limits on its EVSE, the CSMS's own
 * TxProfile included (K15.FR.11/K15.FR.12, K16.FR.07, K17.FR.12: Accepted within them, Rejected
 * when not). Periods count from timeBase; the EV's last period runs to its duration, or a day.
 * Where the CSMS knows no limit there is nothing to exceed.
 */
export function checkEvSchedule(
  request: NotifyEVChargingScheduleRequest,
  context: Omit<NegotiationContext, 'now' | 'transaction'> & { transaction?: NegotiationContext['transaction'] },
): { ok: true } | Refusal {
  const schedule = request.chargingSchedule;
  const unit = schedule.chargingRateUnit;
  const start = schedule.startSchedule ?? request.timeBase;
  // The schema lets any integer through: a duration that is no length is read as none given, and
  // the check reaches a week at most (the API's preview horizon).
  const duration = schedule.duration !== undefined && schedule.duration > 0 ? Math.min(schedule.duration, MAX_CHECK_SECONDS) : DEFAULT_HORIZON_SECONDS;
  let limits: CompositeSchedule;
  try {
    limits = compositeSchedule(context.profiles, {
      evseId: request.evseId,
      start,
      duration,
      unit,
      ...(context.transaction ? { transaction: context.transaction } : {}),
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { ok: false, reasonCode: 'InvalidSchedule', additionalInfo: error.message };
  }
  const ev = [...schedule.chargingSchedulePeriod].sort((a, b) => a.startPeriod - b.startPeriod);
  for (const [i, period] of ev.entries()) {
    const from = period.startPeriod;
    const to = ev[i + 1]?.startPeriod ?? duration;
    for (const [j, limit] of limits.periods.entries()) {
      const limitTo = limits.periods[j + 1]?.startPeriod ?? duration;
      if (limitTo <= from || limit.startPeriod >= to) continue;
      // 2.1: a negative limit is the EV discharging (a "backwards compatible" discharge limit): only
      // where the EVSE's limits allow discharging (dischargeLimit present), and not beyond them.
      const discharge = limit.dischargeLimit;
      if (period.limit < 0 && (discharge === undefined || (discharge !== null && period.limit < discharge))) {
        return {
          ok: false,
          // statusInfo.reasonCode is at most 20 characters: ExceedsDischargeLimit (21) broke the response schema (found by test/unit/fuzz.test.ts).
          reasonCode: 'ExceedsDischarge',
          additionalInfo:
            discharge === undefined
              ? `The EV's period at ${from} s discharges ${-period.limit} ${unit}; the CSMS allows no discharging from ${Math.max(from, limit.startPeriod)} s`
              : `The EV's period at ${from} s discharges ${-period.limit} ${unit}; the CSMS allows ${-discharge} ${unit} from ${Math.max(from, limit.startPeriod)} s`,
        };
      }
      if (limit.limit === null) continue;
      if (period.limit > limit.limit) {
        return {
          ok: false,
          reasonCode: 'ExceedsLimit',
          additionalInfo: `The EV's period at ${from} s asks ${period.limit} ${unit}; the CSMS allows ${limit.limit} ${unit} from ${Math.max(from, limit.startPeriod)} s`,
        };
      }
    }
  }
  return { ok: true };
}

/**
 * The unit to schedule in and the EV's maximum in it: AC current per phase (A), DC power (W) from
 * evMaxPower, or else its maximum current at its maximum voltage.
 */
function evMaximum(needs: ChargingNeeds): { unit: ChargingRateUnit; evMax?: number } {
  if (needs.dcChargingParameters) {
    const dc = needs.dcChargingParameters;
    return { unit: 'W', evMax: dc.evMaxPower ?? dc.evMaxCurrent * dc.evMaxVoltage };
  }
  if (needs.acChargingParameters) return { unit: 'A', evMax: needs.acChargingParameters.evMaxCurrent };
  // 2.1, ISO 15118-20: only V2X parameters. Power where the EV gives it (DC, and AC BPT), else current.
  const v2x = needs.v2xChargingParameters;
  if (v2x?.maxChargePower !== undefined) return { unit: 'W', evMax: v2x.maxChargePower };
  if (String(needs.requestedEnergyTransfer).startsWith('DC')) return { unit: 'W' };
  return { unit: 'A', ...(v2x?.maxChargeCurrent !== undefined ? { evMax: v2x.maxChargeCurrent } : {}) };
}

/**
 * How much the EV may discharge, as a magnitude in `unit`, when it can and may: it asks for or
 * offers a bidirectional mode (requestedEnergyTransfer, availableEnergyTransfer), the CSMS's
 * allowance (if any) keeps one, and it gives its discharge maximum in that unit
 * (v2xChargingParameters maxDischargePower in W, maxDischargeCurrent in A). Undefined otherwise.
 */
function evDischargeMaximum(needs: ChargingNeeds, unit: ChargingRateUnit, allowed: string[] | undefined): number | undefined {
  const offered = [needs.requestedEnergyTransfer, ...(needs.availableEnergyTransfer ?? [])].filter((m) => BIDIRECTIONAL_MODES.has(m));
  const permitted = allowed === undefined ? offered : offered.filter((m) => allowed.includes(m));
  if (permitted.length === 0) return undefined;
  const v2x = needs.v2xChargingParameters;
  const max = unit === 'W' ? v2x?.maxDischargePower : v2x?.maxDischargeCurrent;
  return max !== undefined && max > 0 ? max : undefined;
}

/**
 * The 2.1 fields of an offered period: where the EVSE's profiles let the EV discharge (its composite
 * period has a dischargeLimit: a number, or null for no bound) and the EV can, the tighter of both
 * bounds, the EVSE's operationMode (LocalLoadBalancing where a legacy negative limit gave none: the
 * station balances within the limits) and its setpoint kept within them. Nothing otherwise.
 */
function discharging(period: CompositePeriod, limit: number, evDischarge: number | undefined): Partial<OfferedPeriod> {
  if (evDischarge === undefined || period.dischargeLimit === undefined) return {};
  const dischargeLimit = period.dischargeLimit === null ? -evDischarge : Math.max(period.dischargeLimit, -evDischarge);
  if (dischargeLimit >= 0) return {};
  const operationMode = period.operationMode ?? 'LocalLoadBalancing';
  return {
    dischargeLimit,
    operationMode,
    ...(period.setpoint === undefined ? {} : { setpoint: Math.min(Math.max(period.setpoint, dischargeLimit), limit) }),
  };
}

/** A departure time as ms, or undefined when absent or not one this CSMS reads (then: no departure time). */
function readableTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTime(text, 'departureTime');
  } catch {
    return undefined;
  }
}

/** The EVSE's limits apart from TxProfiles: those are what the CSMS is deciding now. */
function evseLimits(context: NegotiationContext, evseId: number, start: string, duration: number, unit: ChargingRateUnit): CompositeSchedule {
  return compositeSchedule(
    context.profiles.filter((p) => p.purpose !== 'TxProfile'),
    { evseId, start, duration, unit, transaction: context.transaction },
  );
}
