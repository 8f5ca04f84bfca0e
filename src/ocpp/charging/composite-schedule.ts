// The composite schedule a charger will apply on one EVSE, computed server-side from its installed profiles.

import { parseTime, profileTimeline, type ProfileLimit, type ProfileTimeline } from './profile-timeline';
import type { ChargingRateUnit, InstalledProfile, OperationMode } from './profiles';

export interface ElectricalContext {
  /** Volts per phase, default 230: 1.6 §7.12 uses "the set voltage for the area (hence, 230 or 110 volt)". */
  voltage: number;
  /** Phases when a period gives no numberPhases, default 3 (1.6 §7.12, §7.14: "3 SHALL be assumed"). */
  phases: number;
}

export interface CompositeRequest {
  /** 1.6 connectorId or 2.0.1 evseId; 0 = the whole charger (only its station-wide limit is reported). */
  evseId: number;
  /** RFC 3339 date-time the composite starts at (GetCompositeSchedule: "from the moment the request is received"). */
  start: string;
  /** Seconds. */
  duration: number;
  unit: ChargingRateUnit;
  /** The running transaction on that EVSE, if any: its id and start time (for Relative profiles and TxProfile). */
  transaction?: { id: string; startedAt: string };
  electrical?: Partial<ElectricalContext>;
}

export interface CompositePeriod {
  /** Seconds from scheduleStart; the period lasts until the next one's startPeriod, the last until duration. */
  startPeriod: number;
  /**
   * In the requested unit; null where no profile limits the EVSE. OCPP has no way to say "no limit"
   * (2.0.1 CompositeScheduleType requires a number in every period): a charger fills such stretches with
   * its own hardware maximum, which the CSMS does not know, so they are marked, not invented. 1.6 §5.16.4:
   * with no profile in force the charger "SHALL allow charging as if no ChargingProfile is installed".
   */
  limit: number | null;
  /** The numberPhases of the period that set the limit, when it gave one. */
  numberPhases?: number;
  /**
   * 2.1 bidirectional charging (see `compositeSchedule`, rule 6): present only where the EV may
   * discharge; then how much, ≤ 0 in the requested unit, or null where it may and no profile bounds it.
   * Absent: no discharging (ChargingOnly, Idle, or no profile allowing it).
   */
  dischargeLimit?: number | null;
  /** 2.1: the setpoint in force (negative: discharge), within [dischargeLimit, limit]; absent where none is given. */
  setpoint?: number;
  /** 2.1: the operation mode in force, where a profile gives one (absent: ChargingOnly). */
  operationMode?: OperationMode;
}

export interface CompositeSchedule {
  evseId: number;
  /** UTC ISO 8601. */
  scheduleStart: string;
  duration: number;
  chargingRateUnit: ChargingRateUnit;
  /** Covers [0, duration) without gaps: the first starts at 0 (none when duration is 0). */
  periods: CompositePeriod[];
}

/**
 * The limit over time on `request.evseId`, as the charger will compute it for GetCompositeSchedule
 * (1.6 §5.7, 2.0.1 K08), from the profiles installed on it:
 * 1. A profile counts on the EVSE it was set on and, set on 0, on every EVSE (1.6 §3.13.1: "If
 *    TxDefaultProfile is set to ConnectorId 0, the TxDefaultProfile is applicable to all Connectors";
 *    ChargePointMaxProfile "can only be set at Charge Point ConnectorId 0" and limits the whole charger).
 *    For evseId 0 only that station-wide limit is reported: 1.6 §5.7 asks then for the charger's
 *    total draw from the grid, the sum over EVSEs, which needs EVSEs and sessions this function is not
 *    given; the station limit is the bound on that sum (1.6 §3.13.3).
 * 2. A TxProfile counts only while its transaction runs (1.6 §7.10: it "SHALL cease to be valid when
 *    the transaction terminates"): with `request.transaction`, and naming it or no transaction (1.6
 *    §7.8: transactionId "MAY be used to match the profile to a specific transaction").
 * 3. Within one purpose the profile with the highest stackLevel that gives a limit at that moment leads
 *    (1.6 §3.13.2, §5.16.4 fall-back; 2.0.1 K "the charging schedule that has a schedule period defined
 *    for that time ... with the highest stack level that is valid at that time"). Stack levels are unique
 *    per purpose and EVSE (1.6 §3.13.2); should two profiles tie, the one set on this EVSE beats one set
 *    on 0 (1.6 §3.13.1: a connector's TxDefaultProfile replaces connector 0's "only for that specific
 *    connector"), then the lower limit.
 * 4. TxProfile overrules TxDefaultProfile (1.6 §3.13.1) wherever it gives a limit; where it gives
 *    none (its duration over) the charger falls back to its default behaviour (1.6 §5.16.4), the
 *    TxDefaultProfile.
 * 5. The result is the minimum of the leading limits of the purposes (1.6 §3.13.3 "taking the minimum
 *    value for each time interval"; 2.0.1 K: ChargingStationExternalConstraints is one more purpose).
 * 6. OCPP 2.1 bidirectional charging (Part 2 K and Q; the rules as implemented, where the spec leaves
 *    the combination to the station, are the conservative reading):
 *    - Discharging is allowed only when the session's leading period (TxProfile, else TxDefaultProfile)
 *      allows it: an operationMode other than ChargingOnly and Idle, a dischargeLimit, or a negative
 *      limit. A 2.1 limit "SHOULD be a non-negative value; a negative value is only supported for
 *      backwards compatibility with older systems that use a negative value to specify a discharging
 *      limit": a negative limit is read as limit 0 and that dischargeLimit.
 *    - dischargeLimit (≤ 0) is the highest, i.e. closest to zero, of the leading periods' discharge
 *      limits of every purpose: as the charge limit is the lowest, the tightest bound wins both ways.
 *      A station-wide period in mode ChargingOnly (stated, not defaulted) forbids discharging; a
 *      period without the 2.1 fields says nothing about it (2.0.1 profiles only bound charging).
 *    - A leading period of any purpose in mode Idle stops the energy transfer: limit 0, no discharge.
 *    - The setpoint is the session's (else the external constraints', else the station maximum's),
 *      kept within [dischargeLimit, limit] ("the overshoot when following setpoint must remain within
 *      these values"); the operationMode is taken in the same order.
 *    - A period's limit may be absent in 2.1 (its mode needs none): the period still leads its
 *      purpose, and bounds charging by nothing.
 *    Profiles without 2.1 fields give periods without them: 1.6 and 2.0.1 composites are unchanged.
 * Limits are converted to `request.unit` before comparing (see `convert`), consecutive equal periods are
 * merged, and everything is clipped to [start, start + duration).
 * @throws RangeError on a negative duration, a date-time that is not one, or no positive voltage or phases.
 */
export function compositeSchedule(profiles: InstalledProfile[], request: CompositeRequest): CompositeSchedule {
  if (!Number.isFinite(request.duration) || request.duration < 0) {
    throw new RangeError(`duration must be a number of seconds ≥ 0, not ${request.duration}`);
  }
  const start = parseTime(request.start, 'start');
  const end = start + request.duration * 1000;
  const electrical: ElectricalContext = {
    voltage: request.electrical?.voltage ?? 230,
    phases: request.electrical?.phases ?? 3,
  };
  if (!(electrical.voltage > 0) || !(electrical.phases > 0)) {
    throw new RangeError(`voltage and phases must be positive, not ${electrical.voltage} V × ${electrical.phases}`);
  }
  // Relative profiles count from the transaction's start or, with none, as if one began at `start`.
  const relativeStart = request.transaction ? parseTime(request.transaction.startedAt, 'transaction.startedAt') : start;

  const applicable = profiles.filter((p) => applies(p, request)).map((p) => profileTimeline(p, relativeStart));
  const stacks = {
    max: applicable.filter(({ profile: p }) => p.purpose === 'ChargePointMaxProfile' && !p.external),
    external: applicable.filter(({ profile: p }) => p.purpose === 'ChargePointMaxProfile' && p.external === true),
    tx: applicable.filter(({ profile: p }) => p.purpose === 'TxProfile'),
    txDefault: applicable.filter(({ profile: p }) => p.purpose === 'TxDefaultProfile'),
  };

  const leading = (stack: ProfileTimeline[], t: number): Limit | undefined => {
    let best: { profile: InstalledProfile; limit: Limit } | undefined;
    for (const { profile, limitAt } of stack) {
      const own = limitAt(t);
      if (!own) continue;
      const limit = convert(own, request.unit, electrical);
      if (!best || outranks(profile, limit, best.profile, best.limit, request.evseId)) best = { profile, limit };
    }
    return best?.limit;
  };

  const changes = new Set<number>([start]);
  for (const timeline of applicable) for (const t of timeline.changesIn(start, end)) changes.add(t);
  const times = [...changes].filter((t) => t < end).sort((a, b) => a - b);

  const periods: CompositePeriod[] = [];
  for (const t of times) {
    append(periods, combine({
      max: leading(stacks.max, t),
      external: leading(stacks.external, t),
      session: leading(stacks.tx, t) ?? leading(stacks.txDefault, t),
      startPeriod: Math.round((t - start) / 1000),
    }));
  }

  return {
    evseId: request.evseId,
    scheduleStart: new Date(start).toISOString(),
    duration: request.duration,
    chargingRateUnit: request.unit,
    periods,
  };
}

/** A leading period in the requested unit (ProfileLimit without its unit). */
interface Limit {
  limit?: number;
  numberPhases?: number;
  dischargeLimit?: number;
  setpoint?: number;
  operationMode?: OperationMode;
}

const DISCHARGING_MODES: ReadonlySet<OperationMode> = new Set<OperationMode>([
  'CentralSetpoint', 'ExternalSetpoint', 'ExternalLimits', 'CentralFrequency', 'LocalFrequency', 'LocalLoadBalancing',
]);

/** A period's discharge bound (≤ 0) as rule 6 reads it: its dischargeLimit, a legacy negative limit, the tighter of both. */
function ownDischarge(p: Limit): number | undefined {
  const legacy = p.limit !== undefined && p.limit < 0 ? p.limit : undefined;
  if (legacy === undefined) return p.dischargeLimit;
  return p.dischargeLimit === undefined ? legacy : Math.max(legacy, p.dischargeLimit);
}

/** Whether the session's period lets the EV discharge (rule 6). */
function sessionDischarges(p: Limit): boolean {
  if (p.operationMode === 'Idle' || p.operationMode === 'ChargingOnly') return false;
  if (p.operationMode !== undefined && DISCHARGING_MODES.has(p.operationMode)) return true;
  return ownDischarge(p) !== undefined || (p.setpoint !== undefined && p.setpoint < 0);
}

/** The composite period at one instant from the leading period of each purpose (rules 4-6). */
function combine(leading: { max?: Limit; external?: Limit; session?: Limit; startPeriod: number }): CompositePeriod {
  const { max, external, session } = leading;
  const present = [max, external, session].filter((l) => l !== undefined);
  // Rule 5: the lowest charge limit; a negative one counts as 0 (rule 6).
  let lowest: Limit | undefined;
  for (const l of present) {
    if (l.limit === undefined) continue;
    if (lowest === undefined || Math.max(l.limit, 0) < Math.max(lowest.limit!, 0)) lowest = l;
  }
  const idle = present.some((l) => l.operationMode === 'Idle');
  const period: CompositePeriod = {
    startPeriod: leading.startPeriod,
    limit: idle ? 0 : lowest === undefined ? null : Math.max(lowest.limit!, 0),
  };
  if (lowest?.numberPhases !== undefined) period.numberPhases = lowest.numberPhases;
  const mode = session?.operationMode ?? external?.operationMode ?? max?.operationMode;
  if (mode !== undefined) period.operationMode = mode;
  if (idle) return period;

  // Rule 6: discharging, bounded by the tightest discharge limit of any purpose.
  if (session !== undefined && sessionDischarges(session)) {
    let bound: number | null = null;
    let forbidden = false;
    for (const l of present) {
      if (l !== session && l.operationMode === 'ChargingOnly') forbidden = true;
      const own = ownDischarge(l);
      if (own !== undefined) bound = bound === null ? own : Math.max(bound, own);
    }
    if (!forbidden) period.dischargeLimit = bound;
  }
  const setpoint = session?.setpoint ?? external?.setpoint ?? max?.setpoint;
  if (setpoint !== undefined) {
    const floor = period.dischargeLimit === undefined ? 0 : (period.dischargeLimit ?? -Infinity);
    const ceiling = period.limit ?? Infinity;
    period.setpoint = Math.min(Math.max(setpoint, floor), ceiling);
  }
  return period;
}

function applies(p: InstalledProfile, request: CompositeRequest): boolean {
  if (request.evseId === 0) return p.evseId === 0 && p.purpose === 'ChargePointMaxProfile';
  if (p.evseId !== 0 && p.evseId !== request.evseId) return false;
  if (p.purpose !== 'TxProfile') return true;
  return request.transaction !== undefined && (p.transactionId === undefined || p.transactionId === request.transaction.id);
}

function outranks(a: InstalledProfile, aLimit: Limit, b: InstalledProfile, bLimit: Limit, evseId: number): boolean {
  if (a.stackLevel !== b.stackLevel) return a.stackLevel > b.stackLevel;
  const aHere = a.evseId === evseId;
  if (aHere !== (b.evseId === evseId)) return aHere;
  return (aLimit.limit ?? Infinity) < (bLimit.limit ?? Infinity);
}

/**
 * `own` in `unit`. 1.6 §7.12: W is the total power, A the current per phase, and "Current per phase =
 * Power / (Line Voltage * Number of Phases)", the number of phases being the period's numberPhases, else 3
 * (here: the electrical context's phases, 3 by default). A converted value is rounded down to 0.1, the
 * precision OCPP limits have (1.6 "at most one digit fraction"), so that rounding never raises a limit.
 * Discharge limits and setpoints are rounded toward zero, so that rounding never loosens a discharge bound.
 */
function convert(own: ProfileLimit, unit: ChargingRateUnit, electrical: ElectricalContext): Limit {
  const phases = own.numberPhases ?? electrical.phases;
  const factor = electrical.voltage * phases;
  const inUnit = (value: number | undefined): number | undefined =>
    value === undefined || own.unit === unit ? value : towardZero(own.unit === 'A' ? value * factor : value / factor);
  const { unit: _unit, ...fields } = own;
  const converted: Limit = { ...fields };
  for (const key of ['limit', 'dischargeLimit', 'setpoint'] as const) {
    const value = inUnit(own[key]);
    if (value !== undefined) converted[key] = value;
  }
  return converted;
}

// The epsilon absorbs binary floating-point error (6.1 × 690 is 4208.999…), which is far below 0.1.
function towardZero(value: number): number {
  return value < 0 ? -Math.floor(-value * 10 + 1e-6) / 10 : Math.floor(value * 10 + 1e-6) / 10;
}

/** Adds `next`, merging it into the last period when nothing changes, replacing it when it lasted under a second. */
function append(periods: CompositePeriod[], next: CompositePeriod): void {
  const last = periods.at(-1);
  if (last && last.startPeriod === next.startPeriod) {
    periods.pop();
    append(periods, next);
    return;
  }
  if (
    last &&
    last.limit === next.limit &&
    last.numberPhases === next.numberPhases &&
    last.dischargeLimit === next.dischargeLimit &&
    last.setpoint === next.setpoint &&
    last.operationMode === next.operationMode
  ) {
    return;
  }
  periods.push(next);
}
