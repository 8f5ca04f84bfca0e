// Composite schedules from installed profiles: stacking, purposes, kinds, validity, units and merging.

import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { CompositeScheduleType } from '../v201/schemas.generated';
import { compositeSchedule, type CompositeRequest } from './composite-schedule';
import type { ChargingSchedule, InstalledProfile, SchedulePeriod } from './profiles';

const START = '2024-01-05T12:00:00Z';
const at = (offsetSeconds: number) => new Date(Date.parse(START) + offsetSeconds * 1000).toISOString();

let nextId = 1;
/** An Absolute TxDefaultProfile on EVSE 1, in A, starting at START unless told otherwise. */
function profile(
  fields: Partial<Omit<InstalledProfile, 'schedules'>> & { periods: SchedulePeriod[]; schedule?: Partial<ChargingSchedule> },
): InstalledProfile {
  const { periods, schedule, ...rest } = fields;
  return {
    id: nextId++,
    stackLevel: 0,
    purpose: 'TxDefaultProfile',
    kind: 'Absolute',
    evseId: 1,
    ...rest,
    schedules: [{ startSchedule: START, chargingRateUnit: 'A', periods, ...schedule }],
  };
}

const flat = (limit: number): SchedulePeriod[] => [{ startPeriod: 0, limit }];

function composite(profiles: InstalledProfile[], request: Partial<CompositeRequest> = {}) {
  return compositeSchedule(profiles, { evseId: 1, start: START, duration: 3600, unit: 'A', ...request });
}

describe('compositeSchedule', () => {
  it('reports no limit when no profile applies, over the whole duration', () => {
    expect(composite([])).toEqual({
      evseId: 1,
      scheduleStart: '2024-01-05T12:00:00.000Z',
      duration: 3600,
      chargingRateUnit: 'A',
      periods: [{ startPeriod: 0, limit: null }],
    });
    expect(composite([], { duration: 0 }).periods).toEqual([]);
  });

  it('lets the highest stack level with a limit lead, falling back when its duration ends', () => {
    // OCTT TC_072 shape: a short stack-level-1 profile over a longer stack-level-0 one.
    const low = profile({
      stackLevel: 0,
      periods: [
        { startPeriod: 0, limit: 6 },
        { startPeriod: 100, limit: 8 },
        { startPeriod: 200, limit: 10 },
      ],
      schedule: { duration: 400 },
    });
    const high = profile({ stackLevel: 1, periods: flat(12), schedule: { duration: 150 } });
    expect(composite([low, high], { duration: 500 }).periods).toEqual([
      { startPeriod: 0, limit: 12 }, // higher stack level wins even with a higher limit
      { startPeriod: 150, limit: 8 },
      { startPeriod: 200, limit: 10 },
      { startPeriod: 400, limit: null },
    ]);
  });

  it('ignores a higher stack level outside its validity window', () => {
    const base = profile({ stackLevel: 0, periods: flat(16) });
    const window = profile({ stackLevel: 5, periods: flat(6), validFrom: at(600), validTo: at(1200) });
    const expired = profile({ stackLevel: 9, periods: flat(1), validTo: START });
    const future = profile({ stackLevel: 9, periods: flat(2), validFrom: at(3600) });
    expect(composite([base, window, expired, future]).periods).toEqual([
      { startPeriod: 0, limit: 16 },
      { startPeriod: 600, limit: 6 },
      { startPeriod: 1200, limit: 16 },
    ]);
  });

  it('takes the minimum of ChargePointMax, external constraints and the transaction limit', () => {
    const max = profile({ purpose: 'ChargePointMaxProfile', evseId: 0, stackLevel: 3, periods: [{ startPeriod: 0, limit: 32 }, { startPeriod: 1800, limit: 10 }] });
    const external = profile({ purpose: 'ChargePointMaxProfile', external: true, evseId: 0, stackLevel: 0, periods: [{ startPeriod: 0, limit: 40 }, { startPeriod: 2700, limit: 8 }] });
    const txDefault = profile({ periods: flat(16) });
    expect(composite([max]).periods).toEqual([{ startPeriod: 0, limit: 32 }, { startPeriod: 1800, limit: 10 }]);
    expect(composite([txDefault]).periods).toEqual([{ startPeriod: 0, limit: 16 }]);
    // External constraints are a purpose of their own: stack level 3 of the max profile does not hide them.
    expect(composite([max, external, txDefault]).periods).toEqual([
      { startPeriod: 0, limit: 16 },
      { startPeriod: 1800, limit: 10 },
      { startPeriod: 2700, limit: 8 },
    ]);
  });

  it('applies charger-wide profiles to every EVSE, EVSE profiles only to theirs; EVSE 0 gets the station limit only', () => {
    const max = profile({ purpose: 'ChargePointMaxProfile', evseId: 0, periods: flat(32) });
    const wide = profile({ evseId: 0, stackLevel: 0, periods: flat(20) });
    const other = profile({ evseId: 2, stackLevel: 1, periods: flat(6) });
    expect(composite([max, wide, other]).periods).toEqual([{ startPeriod: 0, limit: 20 }]);
    expect(composite([max, wide, other], { evseId: 2 }).periods).toEqual([{ startPeriod: 0, limit: 6 }]);
    expect(composite([max, wide, other], { evseId: 0 })).toMatchObject({ evseId: 0, periods: [{ startPeriod: 0, limit: 32 }] });
  });

  it("prefers the EVSE's own TxDefaultProfile to the charger-wide one at the same stack level", () => {
    const wide = profile({ evseId: 0, stackLevel: 1, periods: flat(10) });
    const own = profile({ evseId: 1, stackLevel: 1, periods: flat(20) });
    expect(composite([wide, own]).periods).toEqual([{ startPeriod: 0, limit: 20 }]);
    expect(composite([own, wide]).periods).toEqual([{ startPeriod: 0, limit: 20 }]);
  });

  it('lets the TxProfile of the running transaction overrule TxDefaultProfile, whatever their stack levels', () => {
    const transaction = { id: '42', startedAt: at(-600) };
    const txDefault = profile({ stackLevel: 5, periods: flat(10) });
    const tx = profile({ purpose: 'TxProfile', transactionId: '42', stackLevel: 0, periods: flat(25), schedule: { duration: 1800 } });
    const anyTx = profile({ purpose: 'TxProfile', stackLevel: 0, periods: flat(12) }); // 1.6: transactionId is optional
    const otherTx = profile({ purpose: 'TxProfile', transactionId: '41', stackLevel: 9, periods: flat(1) });
    // Where the TxProfile's duration is over, the charger falls back to the default.
    expect(composite([txDefault, tx, otherTx], { transaction }).periods).toEqual([
      { startPeriod: 0, limit: 25 },
      { startPeriod: 1800, limit: 10 },
    ]);
    expect(composite([txDefault, anyTx, otherTx], { transaction }).periods).toEqual([{ startPeriod: 0, limit: 12 }]);
    // No transaction: no TxProfile counts.
    expect(composite([txDefault, tx, anyTx]).periods).toEqual([{ startPeriod: 0, limit: 10 }]);
  });

  it('starts Absolute profiles at startSchedule and clips what lies before start or after the duration', () => {
    const earlier = profile({ periods: [{ startPeriod: 0, limit: 6 }, { startPeriod: 7200, limit: 7 }], schedule: { startSchedule: at(-7000) } });
    expect(composite([earlier], { duration: 600 }).periods).toEqual([{ startPeriod: 0, limit: 6 }, { startPeriod: 200, limit: 7 }]);
    const later = profile({ periods: flat(9), schedule: { startSchedule: at(900), duration: 600 } });
    expect(composite([later]).periods).toEqual([
      { startPeriod: 0, limit: null },
      { startPeriod: 900, limit: 9 },
      { startPeriod: 1500, limit: null },
    ]);
  });

  it('starts Relative profiles at the transaction start, or at start without a transaction', () => {
    const relative = profile({ kind: 'Relative', periods: [{ startPeriod: 0, limit: 6 }, { startPeriod: 900, limit: 16 }], schedule: { startSchedule: undefined } });
    expect(composite([relative], { transaction: { id: '7', startedAt: at(-600) } }).periods).toEqual([
      { startPeriod: 0, limit: 6 },
      { startPeriod: 300, limit: 16 },
    ]);
    expect(composite([relative]).periods).toEqual([{ startPeriod: 0, limit: 6 }, { startPeriod: 900, limit: 16 }]);
  });

  it('repeats a Daily Recurring profile, across midnight', () => {
    // 22:00 to 06:00 every night at 10 A, since New Year.
    const night = profile({ kind: 'Recurring', recurrencyKind: 'Daily', periods: flat(10), schedule: { startSchedule: '2024-01-01T22:00:00Z', duration: 8 * 3600 } });
    const evening = compositeSchedule([night], { evseId: 1, start: '2024-01-05T20:00:00Z', duration: 86_400, unit: 'A' });
    expect(evening.periods).toEqual([
      { startPeriod: 0, limit: null },
      { startPeriod: 2 * 3600, limit: 10 }, // 22:00
      { startPeriod: 10 * 3600, limit: null }, // 06:00 the next day
    ]);
    // Starting after midnight, inside the occurrence that began the evening before.
    const small = compositeSchedule([night], { evseId: 1, start: '2024-01-06T01:00:00+00:00', duration: 86_400, unit: 'A' });
    expect(small.periods).toEqual([
      { startPeriod: 0, limit: 10 },
      { startPeriod: 5 * 3600, limit: null }, // 06:00
      { startPeriod: 21 * 3600, limit: 10 }, // 22:00
    ]);
    // Nothing before the first occurrence, not even the night before New Year.
    const before = compositeSchedule([night], { evseId: 1, start: '2023-12-31T23:00:00Z', duration: 30 * 3600, unit: 'A' });
    expect(before.periods).toEqual([{ startPeriod: 0, limit: null }, { startPeriod: 23 * 3600, limit: 10 }]);
  });

  it('repeats a Weekly Recurring profile and cuts periods beyond the recurrence', () => {
    // Mondays 08:00, with a period that would start after a week: never executed.
    const weekly = profile({
      kind: 'Recurring',
      recurrencyKind: 'Weekly',
      periods: [{ startPeriod: 0, limit: 8 }, { startPeriod: 3600, limit: 16 }, { startPeriod: 8 * 86_400, limit: 1 }],
      schedule: { startSchedule: '2024-01-01T08:00:00Z' },
    });
    const week = compositeSchedule([weekly], { evseId: 1, start: '2024-01-08T07:00:00Z', duration: 7 * 86_400, unit: 'A' });
    expect(week.periods).toEqual([
      { startPeriod: 0, limit: 16 }, // the previous week's occurrence, in its second period
      { startPeriod: 3600, limit: 8 }, // Monday 08:00 again
      { startPeriod: 7200, limit: 16 },
    ]);
  });

  it('converts A and W with the period numberPhases, else the context phases', () => {
    const threePhase = profile({ periods: flat(16) });
    const onePhase = profile({ periods: [{ startPeriod: 0, limit: 16, numberPhases: 1 }] });
    const watts = profile({ purpose: 'ChargePointMaxProfile', evseId: 0, periods: flat(11000), schedule: { chargingRateUnit: 'W' } });
    expect(composite([threePhase], { unit: 'W' }).periods).toEqual([{ startPeriod: 0, limit: 11040 }]);
    expect(composite([onePhase], { unit: 'W' }).periods).toEqual([{ startPeriod: 0, limit: 3680, numberPhases: 1 }]);
    expect(composite([threePhase], { unit: 'W', electrical: { phases: 1, voltage: 120 } }).periods).toEqual([{ startPeriod: 0, limit: 1920 }]);
    // 11000 W / (230 V × 3) = 15.94 A, rounded down to 15.9; the minimum is taken in the requested unit.
    expect(composite([watts], { unit: 'A' }).periods).toEqual([{ startPeriod: 0, limit: 15.9 }]);
    expect(composite([watts, threePhase], { unit: 'A' }).periods).toEqual([{ startPeriod: 0, limit: 15.9 }]);
    expect(composite([watts, threePhase], { unit: 'W' }).periods).toEqual([{ startPeriod: 0, limit: 11000 }]);
    expect(composite([watts, onePhase], { unit: 'W' }).periods).toEqual([{ startPeriod: 0, limit: 3680, numberPhases: 1 }]);
  });

  it('merges consecutive equal periods, within and across profiles', () => {
    const steps = profile({ periods: [{ startPeriod: 0, limit: 10 }, { startPeriod: 600, limit: 10 }, { startPeriod: 1200, limit: 12 }], schedule: { duration: 1800 } });
    const next = profile({ stackLevel: 0, periods: flat(12), schedule: { startSchedule: at(1800) } });
    expect(composite([steps, next]).periods).toEqual([{ startPeriod: 0, limit: 10 }, { startPeriod: 1200, limit: 12 }]);
  });

  it('is a valid 2.0.1 CompositeScheduleType wherever every period has a limit', () => {
    const max = profile({ purpose: 'ChargePointMaxProfile', evseId: 0, periods: [{ startPeriod: 0, limit: 32 }, { startPeriod: 600, limit: 20, numberPhases: 1 }] });
    const { periods, ...schedule } = composite([max]);
    expect(v.safeParse(CompositeScheduleType, { ...schedule, chargingSchedulePeriod: periods }).success).toBe(true);
  });

  it('refuses a date-time that is not one, a negative duration and no voltage', () => {
    expect(() => composite([], { start: '2024-02-30T00:00:00Z' })).toThrow(RangeError);
    expect(() => composite([], { duration: -1 })).toThrow(RangeError);
    expect(() => composite([], { electrical: { voltage: 0 } })).toThrow(RangeError);
    expect(() => composite([profile({ periods: flat(6), validFrom: 'soon' })])).toThrow(/validFrom/);
  });
});
