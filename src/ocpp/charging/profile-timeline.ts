// When one installed profile gives a limit: its validity window, its schedule's start by kind, its periods and duration.

import { toUtcIso } from '../timestamps';
import type { ChargingRateUnit, ChargingSchedule, InstalledProfile, OperationMode } from './profiles';

/**
 * A profile's own period in force at some moment, in the unit of its schedule. `limit` is absent
 * where a 2.1 period gives none (its operationMode needs none); the bidirectional fields only
 * where the period gives them.
 */
export interface ProfileLimit {
  limit?: number;
  unit: ChargingRateUnit;
  numberPhases?: number;
  dischargeLimit?: number;
  setpoint?: number;
  operationMode?: OperationMode;
}

// 1.6 §7.37 / 2.0.1 RecurrencyKindEnumType: Daily restarts "every 24 hours, at the same time as in the
// startSchedule", Weekly "every 7 days". OCPP times are instants (UTC), so these are fixed lengths: a
// daylight-saving change does not move the restart.
const RECURRENCE_MS = { Daily: 86_400_000, Weekly: 604_800_000 } as const;

/** Milliseconds since the epoch of an OCPP date-time; a RangeError names `what` when it is no real date-time. */
export function parseTime(text: string, what: string): number {
  const iso = toUtcIso(text);
  if (iso === null) throw new RangeError(`${what} is not a date-time: ${JSON.stringify(text)}`);
  return Date.parse(iso);
}

/**
 * The schedule in force. A 2.0.1 profile may carry up to three, an offer to an ISO 15118 EV, which picks
 * one by its id (2.0.1 ChargingProfileType.chargingSchedule, "only allowed for TxProfile in an ISO 15118
 * session"). Which one the EV picked is not known here; the first is what a station runs until then.
 */
export function scheduleOf(profile: InstalledProfile): ChargingSchedule | undefined {
  return profile.schedules[0];
}

/** When a schedule's occurrences start and how long each lasts, in ms. */
interface Anchoring {
  base: number;
  /** Recurrence length, for Recurring profiles. */
  every?: number;
  /** How long each occurrence lasts; undefined = indefinitely. */
  lasts?: number;
}

/**
 * Where a profile's schedule is anchored, given `relativeStart`: the transaction's start, or the preview's
 * start when none runs.
 * - Absolute: startSchedule (1.6 §7.9 "relative to a fixed point in time defined in the schedule").
 * - Relative: relativeStart (1.6 §7.9 "a situation-specific start point (such as the start of a
 *   Transaction)"); a startSchedule is ignored, 2.0.1 forbids one there.
 * - Recurring: startSchedule, repeated every day or week (1.6 §7.9, §7.37), without a recurrencyKind
 *   taken as Daily.
 * A 1.6 Absolute or Recurring schedule without startSchedule is "relative to start of charging"
 * (1.6 §7.13 startSchedule), so it takes relativeStart too.
 */
function anchoring(profile: InstalledProfile, schedule: ChargingSchedule, relativeStart: number): Anchoring {
  const fixed = profile.kind !== 'Relative' && schedule.startSchedule !== undefined;
  const base = fixed ? parseTime(schedule.startSchedule!, `profile ${profile.id} startSchedule`) : relativeStart;
  const lasts = schedule.duration === undefined ? undefined : schedule.duration * 1000;
  if (profile.kind !== 'Recurring') return { base, lasts };
  const every = RECURRENCE_MS[profile.recurrencyKind ?? 'Daily'];
  // 1.6 §5.16.4: periods or a duration longer than the recurrence "SHALL not be executed": an
  // occurrence ends where the next begins, at the latest.
  return { base, every, lasts: Math.min(lasts ?? every, every) };
}

/** The start of the occurrence of the schedule running at `t`, if one has begun. */
function occurrenceAt(a: Anchoring, t: number): number | undefined {
  if (t < a.base) return undefined; // a recurrence starts at its startSchedule, not before
  if (a.every === undefined) return a.base;
  return a.base + Math.floor((t - a.base) / a.every) * a.every;
}

function window(profile: InstalledProfile): { from: number; to: number } {
  // 1.6 §7.8 / 2.0.1 ChargingProfileType: validFrom absent = valid since the charger received it (so,
  // for a preview of installed profiles, always); validTo absent = until replaced.
  return {
    from: profile.validFrom === undefined ? -Infinity : parseTime(profile.validFrom, `profile ${profile.id} validFrom`),
    to: profile.validTo === undefined ? Infinity : parseTime(profile.validTo, `profile ${profile.id} validTo`),
  };
}

/** One profile's limits over time, its date-times read once. */
export interface ProfileTimeline {
  profile: InstalledProfile;
  /**
   * The limit at `t`, or undefined when the profile has none then: outside [validFrom, validTo), before its
   * schedule starts, or once its duration is over (1.6 §7.13: the last period lasts until duration ends, or
   * on indefinitely without one; §5.16.4: after it, fall back to a lower stack level or to no limit).
   */
  limitAt(t: number): ProfileLimit | undefined;
  /** Every instant strictly inside (from, to) at which the limit may change. */
  changesIn(from: number, to: number): number[];
}

/**
 * The timeline of `profile`, whose Relative schedule (and 1.6 schedule without startSchedule) starts at
 * `relativeStart`. @throws RangeError when one of its date-times is not one.
 */
export function profileTimeline(profile: InstalledProfile, relativeStart: number): ProfileTimeline {
  const schedule = scheduleOf(profile);
  const valid = window(profile);
  const a = schedule && anchoring(profile, schedule, relativeStart);
  // 1.6 §7.14: "The value of StartPeriod also defines the stop time of the previous period."
  const periods = [...(schedule?.periods ?? [])].sort((x, y) => x.startPeriod - y.startPeriod);

  const limitAt = (t: number): ProfileLimit | undefined => {
    if (!schedule || !a || t < valid.from || t >= valid.to) return undefined;
    const start = occurrenceAt(a, t);
    if (start === undefined) return undefined;
    const offset = t - start;
    if (a.lasts !== undefined && offset >= a.lasts) return undefined;
    const current = periods.findLast((p) => p.startPeriod * 1000 <= offset);
    if (!current) return undefined;
    const { startPeriod: _start, ...fields } = current;
    return { ...fields, unit: schedule.chargingRateUnit };
  };

  const changesIn = (from: number, to: number): number[] => {
    if (!a) return [];
    const times = [valid.from, valid.to];
    const starts: number[] = [];
    if (a.every === undefined) {
      starts.push(a.base);
    } else {
      const first = Math.max(0, Math.floor((from - a.base) / a.every));
      for (let k = first; a.base + k * a.every < to; k++) starts.push(a.base + k * a.every);
    }
    for (const start of starts) {
      for (const p of periods) times.push(start + p.startPeriod * 1000);
      if (a.lasts !== undefined) times.push(start + a.lasts);
    }
    return times.filter((t) => t > from && t < to);
  };

  return { profile, limitAt, changesIn };
}
