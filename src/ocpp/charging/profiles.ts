// A version-neutral model of a charging profile installed on a charger, read from 1.6 or 2.0.1 payloads.

import type { SetChargingProfileRequest as V16SetChargingProfile } from '../v16/schemas.generated';
import type { ChargingProfileType, ChargingScheduleType } from '../v201/schemas.generated';

export type ChargingRateUnit = 'A' | 'W';

/**
 * The three 1.6 purposes (1.6 §3.13.1, §7.10). 2.0.1 renames and adds (2.0.1 Part 2 §K, ChargingProfilePurposeEnumType):
 * - `ChargingStationMaxProfile` is 1.6's `ChargePointMaxProfile` under a new name: the limit of the whole station.
 * - `ChargingStationExternalConstraints` is a station limit imposed by a system other than the CSMS (an EMS, a
 *   DSO signal). It is mapped onto `ChargePointMaxProfile` too, as it caps the station the same way, but with
 *   `external: true`, because it is a purpose of its own: it stacks apart from the station max profile and
 *   the two are combined by their minimum, not by stack level.
 */
export type ProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
export type ProfileKind = 'Absolute' | 'Recurring' | 'Relative';

/**
 * 2.1 OperationModeEnumType (Part 2, Q "Bidirectional Power Transfer"): what the EV does in a period.
 * Absent means ChargingOnly, the only mode before 2.1.
 */
export type OperationMode =
  | 'Idle'
  | 'ChargingOnly'
  | 'CentralSetpoint'
  | 'ExternalSetpoint'
  | 'ExternalLimits'
  | 'CentralFrequency'
  | 'LocalFrequency'
  | 'LocalLoadBalancing';

export interface SchedulePeriod {
  /** Seconds from the start of the schedule. */
  startPeriod: number;
  /**
   * The charging limit. 2.1 lets a period leave it out where its operationMode does not need one
   * (CentralSetpoint, ExternalSetpoint, ExternalLimits, LocalFrequency, LocalLoadBalancing): such a
   * period still leads its purpose, and limits charging by nothing.
   */
  limit?: number;
  numberPhases?: number;
  /** 2.1: how much the EV may discharge, ≤ 0 ("negative values in order to be consistent with setpoint"). */
  dischargeLimit?: number;
  /** 2.1: the power or current the EV should follow, negative to discharge. */
  setpoint?: number;
  /** 2.1; absent = ChargingOnly. */
  operationMode?: OperationMode;
}

export interface ChargingSchedule {
  /** Seconds; absent, the last period runs on indefinitely. */
  duration?: number;
  /** RFC 3339 date-time, as the charger was given it. */
  startSchedule?: string;
  chargingRateUnit: ChargingRateUnit;
  periods: SchedulePeriod[];
  minChargingRate?: number;
}

export interface InstalledProfile {
  id: number;
  stackLevel: number;
  purpose: ProfilePurpose;
  /** 2.0.1 ChargingStationExternalConstraints (purpose is then ChargePointMaxProfile); see ProfilePurpose. */
  external?: boolean;
  kind: ProfileKind;
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  /** The transaction a TxProfile belongs to; a 1.6 integer id is kept as its decimal string. */
  transactionId?: string;
  /** 1.6 connectorId or 2.0.1 evseId; 0 = the whole charger. */
  evseId: number;
  /** 1.6 has one schedule; 2.0.1 up to three, offered to an ISO 15118 EV to choose from. */
  schedules: ChargingSchedule[];
}

/** A 1.6 SetChargingProfile.req csChargingProfiles (also RemoteStartTransaction.req chargingProfile). */
export type V16ChargingProfile = V16SetChargingProfile['csChargingProfiles'];

/** The profile a 1.6 charger installed on `connectorId` (0 = the charge point as a whole). */
export function fromV16(connectorId: number, profile: V16ChargingProfile): InstalledProfile {
  const s = profile.chargingSchedule;
  return {
    id: profile.chargingProfileId,
    stackLevel: profile.stackLevel,
    purpose: profile.chargingProfilePurpose,
    kind: profile.chargingProfileKind,
    ...defined({
      recurrencyKind: profile.recurrencyKind,
      validFrom: profile.validFrom,
      validTo: profile.validTo,
      transactionId: profile.transactionId === undefined ? undefined : String(profile.transactionId),
    }),
    evseId: connectorId,
    schedules: [
      {
        chargingRateUnit: s.chargingRateUnit,
        periods: s.chargingSchedulePeriod.map(period),
        ...defined({ duration: s.duration, startSchedule: s.startSchedule, minChargingRate: s.minChargingRate }),
      },
    ],
  };
}

/** The profile a 2.0.1 station installed on `evseId` (0 = the station as a whole). */
export function fromV201(evseId: number, profile: ChargingProfileType): InstalledProfile {
  const v201Purpose = profile.chargingProfilePurpose;
  const external = v201Purpose === 'ChargingStationExternalConstraints';
  const purpose: ProfilePurpose =
    v201Purpose === 'ChargingStationMaxProfile' || v201Purpose === 'ChargingStationExternalConstraints'
      ? 'ChargePointMaxProfile'
      : v201Purpose;
  return {
    id: profile.id,
    stackLevel: profile.stackLevel,
    purpose,
    ...(external ? { external: true } : {}),
    kind: profile.chargingProfileKind,
    ...defined({
      recurrencyKind: profile.recurrencyKind,
      validFrom: profile.validFrom,
      validTo: profile.validTo,
      transactionId: profile.transactionId,
    }),
    evseId,
    // The schedule's id, ISO 15118 salesTariff and customData say nothing about the limit.
    schedules: profile.chargingSchedule.map(
      (s: ChargingScheduleType): ChargingSchedule => ({
        chargingRateUnit: s.chargingRateUnit,
        periods: (s.chargingSchedulePeriod as PayloadPeriod[]).map(period),
        ...defined({ duration: s.duration, startSchedule: s.startSchedule, minChargingRate: s.minChargingRate }),
      }),
    ),
  };
}

/** A period as 2.0.1 and 2.1 payloads give it (2.1 added the bidirectional fields and made limit optional). */
interface PayloadPeriod {
  startPeriod: number;
  limit?: number;
  numberPhases?: number;
  dischargeLimit?: number;
  setpoint?: number;
  operationMode?: OperationMode;
}

// phaseToUse (2.0.1) picks which phase a single-phase EV uses; it does not change the limit. The
// per-phase fields of 2.1 (limit_L2, setpoint_L3…) are not modelled: the L1 value stands for all.
function period(p: PayloadPeriod): SchedulePeriod {
  return {
    startPeriod: p.startPeriod,
    ...defined({
      limit: p.limit,
      numberPhases: p.numberPhases,
      dischargeLimit: p.dischargeLimit,
      setpoint: p.setpoint,
      operationMode: p.operationMode,
    }),
  };
}

/** `fields` without its undefined entries, so that absent stays absent (toEqual and JSON alike). */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A profile as the mirror keeps it: the payload as sent, where it is installed, and the transaction it is bound to. */
export interface MirroredProfile {
  protocol: string;
  evseId: number;
  transactionId: string | null;
  profile: Record<string, unknown>;
}

/**
 * The profile the mirror holds. A remote start's TxProfile names no transaction (1.6 §5.11, 2.0.1
 * F01.FR.11); the mirror binds it to the one that started, and that binding counts here.
 */
export function fromMirror(p: MirroredProfile): InstalledProfile {
  const installed =
    p.protocol === 'ocpp1.6'
      ? fromV16(p.evseId, p.profile as unknown as V16ChargingProfile)
      : fromV201(p.evseId, p.profile as unknown as ChargingProfileType);
  if (installed.transactionId === undefined && p.transactionId !== null) installed.transactionId = p.transactionId;
  return installed;
}

/** An external limit a 2.0.1 station reported (NotifyChargingLimit, K12), as the mirror keeps it. */
export interface ExternalLimit {
  evseId: number;
  source: string;
  schedules: Record<string, unknown>[];
  reportedAt: string;
}

/**
 * An external limit as a profile of the ChargingStationExternalConstraints kind (see ProfilePurpose):
 * it caps its EVSE (0: every EVSE) by the minimum with the other purposes. A schedule without
 * startSchedule starts when it was reported. Only the first schedule counts, as for any profile;
 * a report without a schedule limits nothing the CSMS can compute, and gives no profile.
 */
export function fromExternalLimit(limit: ExternalLimit, id: number): InstalledProfile | undefined {
  const schedules = limit.schedules as unknown as ChargingScheduleType[];
  if (schedules.length === 0) return undefined;
  const installed = fromV201(limit.evseId, {
    id,
    stackLevel: 0,
    chargingProfilePurpose: 'ChargingStationExternalConstraints',
    chargingProfileKind: 'Absolute',
    chargingSchedule: schedules.map((s) => ({ ...s, startSchedule: s.startSchedule ?? limit.reportedAt })),
  } as ChargingProfileType);
  return installed;
}
