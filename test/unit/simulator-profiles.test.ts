// The charger simulator's charging profiles (scripts/simulator/profiles.mjs): which profiles a simulated
// charger takes, what SetChargingProfile and ClearChargingProfile leave installed, the limit in force
// at a moment (stack levels, purposes, kinds, units), what its car draws under it and what its meter
// (scripts/simulator/meter.mjs) then reports.

import { describe, expect, it } from 'vitest';
import {
  carDraw,
  fromV16,
  fromV201,
  limitAt,
  ProfileError,
  ProfileStore,
  refusal,
  type Profile,
} from '../../scripts/simulator/profiles.mjs';
import { Meter } from '../../scripts/simulator/meter.mjs';

const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday
const S = 1000;
const H = 3600 * S;

type Period = { startPeriod: number; limit?: number; numberPhases?: number; [k: string]: unknown };

/** A 1.6 profile on `connectorId` (received at T0 unless said). */
function p16(
  connectorId: number,
  fields: Partial<{ id: number; stackLevel: number; purpose: string; kind: string; recurrencyKind: string; validFrom: string; validTo: string; transactionId: number }>,
  schedule: { unit?: 'A' | 'W'; periods: Period[]; startSchedule?: string; duration?: number },
  receivedAt = T0,
): Profile {
  return fromV16(
    connectorId,
    {
      chargingProfileId: fields.id ?? 1,
      stackLevel: fields.stackLevel ?? 0,
      chargingProfilePurpose: fields.purpose ?? 'TxDefaultProfile',
      chargingProfileKind: fields.kind ?? 'Absolute',
      ...(fields.recurrencyKind ? { recurrencyKind: fields.recurrencyKind } : {}),
      ...(fields.validFrom ? { validFrom: fields.validFrom } : {}),
      ...(fields.validTo ? { validTo: fields.validTo } : {}),
      ...(fields.transactionId !== undefined ? { transactionId: fields.transactionId } : {}),
      chargingSchedule: {
        chargingRateUnit: schedule.unit ?? 'A',
        chargingSchedulePeriod: schedule.periods,
        ...(schedule.startSchedule ? { startSchedule: schedule.startSchedule } : {}),
        ...(schedule.duration !== undefined ? { duration: schedule.duration } : {}),
      },
    },
    receivedAt,
  );
}

/** A 2.0.1 profile on `evseId`. */
function p201(evseId: number, profile: Record<string, unknown>, receivedAt = T0): Profile {
  return fromV201(evseId, { id: 7, stackLevel: 0, chargingProfileKind: 'Absolute', ...profile }, receivedAt);
}

const iso = (ms: number) => new Date(ms).toISOString();
const at = (profiles: Profile[], t: number, transaction: { id: string; startedAt: number } | null = null) =>
  limitAt(profiles, { at: t, evseId: 1, transaction }).amps;

describe('reading profiles', () => {
  it('reads a 1.6 profile and a 2.0.1 one into the same shape, 2.0.1 purposes under their 1.6 names', () => {
    const a = p16(0, { id: 3, stackLevel: 2, purpose: 'ChargePointMaxProfile' }, { periods: [{ startPeriod: 0, limit: 20 }], startSchedule: iso(T0) });
    expect(a).toMatchObject({ id: 3, stackLevel: 2, purpose: 'ChargePointMaxProfile', evseId: 0, unit: 'A', startSchedule: T0, periods: [{ startPeriod: 0, limit: 20 }] });
    const b = p201(0, {
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', startSchedule: iso(T0), chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000, numberPhases: 3 }] }],
    });
    expect(b).toMatchObject({ id: 7, purpose: 'ChargePointMaxProfile', evseId: 0, unit: 'W', periods: [{ startPeriod: 0, limit: 11000, numberPhases: 3 }] });
  });

  it('takes the first of several 2.0.1 schedules, and the lowest of 2.1 per-phase limits; Idle is 0', () => {
    const profile = p201(1, {
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingSchedule: [
        { id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, limit_L2: 12, limit_L3: 14 }, { startPeriod: 60, limit: 20, operationMode: 'Idle' }] },
        { id: 2, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }] },
      ],
    });
    expect(profile.periods).toEqual([{ startPeriod: 0, limit: 12 }, { startPeriod: 60, limit: 0 }]);
  });

  it.each([
    ['a purpose the CSMS may not set', { chargingProfilePurpose: 'ChargingStationExternalConstraints' }, /not taken/],
    ['a 2.1 PriorityCharging profile', { chargingProfilePurpose: 'PriorityCharging' }, /not taken/],
    ['a 2.1 Dynamic profile', { chargingProfileKind: 'Dynamic' }, /not taken/],
    ['a Relative station maximum (K01.FR.38)', { chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Relative' }, /K01\.FR\.38/],
    ['periods that do not increase', { chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 1 }, { startPeriod: 0, limit: 2 }] }] }, /increase/],
    ['no periods', { chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [] }] }, /at least one period/],
    ['validTo before validFrom', { validFrom: '2026-03-02T10:00:00Z', validTo: '2026-03-02T09:00:00Z' }, /validTo/],
    ['a date-time that is none', { validFrom: 'tomorrow' }, /validFrom is not a date-time/],
  ])('refuses %s', (_, fields, message) => {
    const base = { chargingProfilePurpose: 'TxDefaultProfile', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] };
    expect(() => p201(0, { ...base, ...fields })).toThrow(ProfileError);
    expect(() => p201(0, { ...base, ...fields })).toThrow(message);
  });
});

describe('whether the charger takes a profile', () => {
  const running = [{ id: '42', evseId: 1 }];
  const tx = (connectorId: number, transactionId?: number) =>
    p16(connectorId, { purpose: 'TxProfile', kind: 'Relative', ...(transactionId === undefined ? {} : { transactionId }) }, { periods: [{ startPeriod: 0, limit: 10 }] });

  it('takes a TxProfile only on the connector of a running transaction, the one it names if it names one', () => {
    expect(refusal(tx(1, 42), { transactions: running })).toBeUndefined();
    expect(refusal(tx(1), { transactions: running })).toBeUndefined();
    expect(refusal(tx(1, 43), { transactions: running })).toMatch(/transaction 43 is not the one running/);
    expect(refusal(tx(1, 42), { transactions: [] })).toMatch(/no transaction runs on EVSE 1/);
    expect(refusal(tx(0, 42), { transactions: running })).toMatch(/not on 0/);
  });

  it('takes a station maximum on 0 only, and nothing on an EVSE it does not have', () => {
    const max = (connectorId: number) => p16(connectorId, { purpose: 'ChargePointMaxProfile' }, { periods: [{ startPeriod: 0, limit: 10 }] });
    expect(refusal(max(0))).toBeUndefined();
    expect(refusal(max(1))).toMatch(/EVSE 0/);
    expect(refusal(p16(2, {}, { periods: [{ startPeriod: 0, limit: 10 }] }))).toMatch(/no EVSE 2/);
    expect(refusal(p16(2, {}, { periods: [{ startPeriod: 0, limit: 10 }] }), { connectors: 2 })).toBeUndefined();
  });

  it('refuses a transaction on a profile that is not a TxProfile', () => {
    expect(refusal(p16(1, { transactionId: 42 }, { periods: [{ startPeriod: 0, limit: 10 }] }), { transactions: running })).toMatch(/only a TxProfile/);
  });
});

describe('the profile store', () => {
  const txDefault = (id: number, stackLevel: number, limit: number, connectorId = 1) =>
    p16(connectorId, { id, stackLevel }, { periods: [{ startPeriod: 0, limit }] });

  it('replaces a profile with the same id, and (1.6) one of the same purpose and stackLevel on the same connector', () => {
    const store = new ProfileStore();
    store.install(txDefault(1, 0, 10), { version: 'ocpp1.6' });
    store.install(txDefault(1, 3, 12), { version: 'ocpp1.6' });
    expect(store.profiles.map((p) => [p.id, p.stackLevel])).toEqual([[1, 3]]);
    store.install(txDefault(2, 3, 14), { version: 'ocpp1.6' });
    expect(store.profiles.map((p) => [p.id, p.periods[0]!.limit])).toEqual([[2, 14]]);
    store.install(txDefault(3, 3, 16, 0), { version: 'ocpp1.6' });
    store.install(txDefault(4, 4, 16), { version: 'ocpp1.6' });
    expect(store.profiles.map((p) => p.id).sort()).toEqual([2, 3, 4]);
  });

  it('2.0.1: keeps two profiles of one purpose and stackLevel valid at different times', () => {
    const store = new ProfileStore();
    const window = (id: number, from: string, to: string) =>
      p201(1, { id, chargingProfilePurpose: 'TxDefaultProfile', validFrom: from, validTo: to, chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: id }] }] });
    store.install(window(1, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z'));
    store.install(window(2, '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'));
    expect(store.size).toBe(2);
    store.install(window(3, '2026-03-02T12:00:00Z', '2026-03-05T00:00:00Z'));
    expect(store.profiles.map((p) => p.id)).toEqual([3]);
  });

  it('binds a TxProfile that names no transaction to the running one, and drops it when that transaction ends', () => {
    const store = new ProfileStore();
    store.install(p16(1, { id: 5, purpose: 'TxProfile', kind: 'Relative' }, { periods: [{ startPeriod: 0, limit: 8 }] }), { transactionId: 42 });
    store.install(txDefault(6, 0, 10));
    expect(store.profiles[0]!.transactionId).toBe('42');
    store.endTransaction(41);
    expect(store.size).toBe(2);
    store.endTransaction(42);
    expect(store.profiles.map((p) => p.id)).toEqual([6]);
  });

  it('clears by id alone when an id is given, else by every criterion given (2.0.1 purpose names too); none clears all', () => {
    const fill = () => {
      const store = new ProfileStore();
      store.install(p16(0, { id: 1, purpose: 'ChargePointMaxProfile', stackLevel: 1 }, { periods: [{ startPeriod: 0, limit: 30 }] }));
      store.install(txDefault(2, 1, 10, 0));
      store.install(txDefault(3, 2, 10, 1));
      return store;
    };
    let store = fill();
    expect(store.clear({ id: 3, evseId: 0 })).toBe(1);
    expect(store.profiles.map((p) => p.id)).toEqual([1, 2]);
    expect(store.clear({ id: 99 })).toBe(0);
    store = fill();
    expect(store.clear({ purpose: 'ChargingStationMaxProfile' })).toBe(1);
    expect(store.clear({ evseId: 0, stackLevel: 2 })).toBe(0);
    expect(store.clear({ stackLevel: 1, purpose: 'TxDefaultProfile' })).toBe(1);
    expect(store.profiles.map((p) => p.id)).toEqual([3]);
    store = fill();
    expect(store.clear({})).toBe(3);
  });
});

describe('the limit in force', () => {
  it('is null with no profile, and the only profile’s limit otherwise', () => {
    expect(at([], T0)).toBeNull();
    expect(at([p16(0, {}, { periods: [{ startPeriod: 0, limit: 13 }], startSchedule: iso(T0) })], T0 + S)).toBe(13);
  });

  it('follows an Absolute schedule’s periods from startSchedule, none before it or after its duration', () => {
    const profile = p16(1, {}, { periods: [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit: 8 }, { startPeriod: 1200, limit: 0 }], startSchedule: iso(T0), duration: 1800 });
    expect(at([profile], T0 - S)).toBeNull();
    expect(at([profile], T0)).toBe(16);
    expect(at([profile], T0 + 599 * S)).toBe(16);
    expect(at([profile], T0 + 600 * S)).toBe(8);
    expect(at([profile], T0 + 1200 * S)).toBe(0);
    expect(at([profile], T0 + 1800 * S)).toBeNull();
  });

  it('honours validFrom and validTo', () => {
    const profile = p16(1, { validFrom: iso(T0 + H), validTo: iso(T0 + 2 * H) }, { periods: [{ startPeriod: 0, limit: 10 }], startSchedule: iso(T0) });
    expect(at([profile], T0 + H - 1)).toBeNull();
    expect(at([profile], T0 + H)).toBe(10);
    expect(at([profile], T0 + 2 * H)).toBeNull();
  });

  it('starts a Relative schedule at the transaction’s start, or at receipt when none runs', () => {
    const received = T0 + 10 * S;
    const profile = p16(1, { kind: 'Relative' }, { periods: [{ startPeriod: 0, limit: 6 }, { startPeriod: 60, limit: 20 }] }, received);
    expect(at([profile], received + 59 * S)).toBe(6);
    expect(at([profile], received + 60 * S)).toBe(20);
    const transaction = { id: '9', startedAt: T0 + 100 * S };
    expect(at([profile], T0 + 150 * S, transaction)).toBe(6);
    expect(at([profile], T0 + 160 * S, transaction)).toBe(20);
    // A 1.6 Absolute schedule without startSchedule is "relative to start of charging" (1.6 §7.13).
    const unanchored = p16(1, { id: 2 }, { periods: [{ startPeriod: 0, limit: 6 }, { startPeriod: 60, limit: 20 }] });
    expect(at([unanchored], T0 + 150 * S, transaction)).toBe(6);
  });

  it('repeats a Recurring Daily schedule every day and a Weekly one every week', () => {
    // 18:00-22:00 UTC: 6 A, else 32 A, from a Monday.
    const daily = p16(1, { kind: 'Recurring', recurrencyKind: 'Daily' }, {
      periods: [{ startPeriod: 0, limit: 32 }, { startPeriod: 8 * 3600, limit: 6 }, { startPeriod: 12 * 3600, limit: 32 }],
      startSchedule: '2026-03-02T10:00:00Z',
    });
    expect(at([daily], Date.parse('2026-03-09T19:00:00Z'))).toBe(6);
    expect(at([daily], Date.parse('2026-03-09T23:00:00Z'))).toBe(32);
    expect(at([daily], Date.parse('2026-03-10T09:59:59Z'))).toBe(32); // still the day before's occurrence
    expect(at([daily], Date.parse('2026-03-02T09:00:00Z'))).toBeNull(); // before the first occurrence
    const weekly = p16(1, { id: 2, kind: 'Recurring', recurrencyKind: 'Weekly' }, {
      periods: [{ startPeriod: 0, limit: 10 }, { startPeriod: 24 * 3600, limit: 16 }],
      startSchedule: '2026-03-02T00:00:00Z',
    });
    expect(at([weekly], Date.parse('2026-03-16T12:00:00Z'))).toBe(10); // a Monday, two weeks on
    expect(at([weekly], Date.parse('2026-03-18T12:00:00Z'))).toBe(16); // that Wednesday
  });

  it('ends each occurrence of a Recurring schedule after its duration, and the next starts anew', () => {
    const daily = p16(1, { kind: 'Recurring', recurrencyKind: 'Daily' }, { periods: [{ startPeriod: 0, limit: 5 }], startSchedule: iso(T0), duration: 3600 });
    expect(at([daily], T0 + 86_400 * S + 1_800 * S)).toBe(5);
    expect(at([daily], T0 + 86_400 * S + 3_600 * S)).toBeNull();
    expect(at([daily], T0 + 2 * 86_400 * S)).toBe(5);
  });

  it('lets the highest stackLevel that covers the moment lead its purpose, falling back when its schedule ends', () => {
    const low = p16(1, { id: 1, stackLevel: 0 }, { periods: [{ startPeriod: 0, limit: 20 }], startSchedule: iso(T0) });
    const high = p16(1, { id: 2, stackLevel: 5 }, { periods: [{ startPeriod: 0, limit: 24 }], startSchedule: iso(T0), duration: 600 });
    expect(at([low, high], T0 + S)).toBe(24); // higher, even though higher in amps
    expect(at([low, high], T0 + 601 * S)).toBe(20);
  });

  it('prefers the connector’s own TxDefaultProfile over connector 0’s at the same stackLevel, and a higher one on 0 over it', () => {
    const onZero = p16(0, { id: 1, stackLevel: 1 }, { periods: [{ startPeriod: 0, limit: 10 }], startSchedule: iso(T0) });
    const onOne = p16(1, { id: 2, stackLevel: 1 }, { periods: [{ startPeriod: 0, limit: 14 }], startSchedule: iso(T0) });
    expect(at([onZero, onOne], T0)).toBe(14);
    const higherOnZero = p16(0, { id: 3, stackLevel: 2 }, { periods: [{ startPeriod: 0, limit: 18 }], startSchedule: iso(T0) });
    expect(at([onZero, onOne, higherOnZero], T0)).toBe(18);
    // A profile on another EVSE is not this one's.
    expect(limitAt([p16(2, {}, { periods: [{ startPeriod: 0, limit: 3 }] })], { at: T0, evseId: 1 }).amps).toBeNull();
  });

  it('lets a TxProfile override the TxDefaultProfile, higher or lower, only while its transaction runs', () => {
    const transaction = { id: '42', startedAt: T0 };
    const txDefault = p16(0, { id: 1, stackLevel: 9 }, { periods: [{ startPeriod: 0, limit: 10 }], startSchedule: iso(T0) });
    const tx = p16(1, { id: 2, stackLevel: 0, purpose: 'TxProfile', kind: 'Relative', transactionId: 42 }, { periods: [{ startPeriod: 0, limit: 25 }] });
    expect(at([txDefault, tx], T0 + S, transaction)).toBe(25);
    expect(at([txDefault, tx], T0 + S, null)).toBe(10);
    expect(at([txDefault, tx], T0 + S, { id: '43', startedAt: T0 })).toBe(10);
    // A TxProfile whose schedule has ended falls back to the default.
    const short = p16(1, { id: 3, purpose: 'TxProfile', kind: 'Relative', transactionId: 42 }, { periods: [{ startPeriod: 0, limit: 4 }], duration: 60 });
    expect(at([txDefault, short], T0 + 61 * S, transaction)).toBe(10);
  });

  it('caps the session by the station maximum, the lower of both leading', () => {
    const transaction = { id: '42', startedAt: T0 };
    const max = p16(0, { id: 1, purpose: 'ChargePointMaxProfile' }, { periods: [{ startPeriod: 0, limit: 16 }], startSchedule: iso(T0) });
    const tx = (limit: number) => p16(1, { id: 2, purpose: 'TxProfile', kind: 'Relative', transactionId: 42 }, { periods: [{ startPeriod: 0, limit }] });
    expect(limitAt([max, tx(25)], { at: T0, transaction })).toEqual({ amps: 16, numberPhases: null, session: 25, station: 16 });
    expect(limitAt([max, tx(6)], { at: T0, transaction })).toEqual({ amps: 6, numberPhases: null, session: 6, station: 16 });
    expect(limitAt([max], { at: T0 })).toEqual({ amps: 16, numberPhases: null, session: null, station: 16 });
  });

  it('converts W to amps per phase at 230 V over numberPhases, 3 when the period gives none', () => {
    const w = (limit: number, numberPhases?: number) =>
      p16(1, {}, { unit: 'W', periods: [{ startPeriod: 0, limit, ...(numberPhases ? { numberPhases } : {}) }], startSchedule: iso(T0) });
    expect(at([w(6900)], T0)).toBeCloseTo(10, 9);
    expect(at([w(6900, 1)], T0)).toBeCloseTo(30, 9);
    expect(limitAt([w(4600, 2)], { at: T0 })).toMatchObject({ numberPhases: 2 });
    expect(limitAt([w(4600, 2)], { at: T0 }).amps).toBeCloseTo(10, 9);
    expect(limitAt([w(6900)], { at: T0, voltage: 115 }).amps).toBeCloseTo(20, 9);
    // Mixed units compare in amps: 6900 W (10 A) beats a 12 A station maximum.
    const max = p16(0, { id: 2, purpose: 'ChargePointMaxProfile' }, { periods: [{ startPeriod: 0, limit: 12 }], startSchedule: iso(T0) });
    expect(at([w(6900), max], T0)).toBeCloseTo(10, 9);
  });
});

describe('what the car draws', () => {
  it('is the lowest of its own maximum, the rating and the limit, rounded down to 0.1 A', () => {
    expect(carDraw({ carAmps: 16, ratingAmps: 32, limit: null, phases: 3 })).toEqual({ amps: 16, phases: 3 });
    expect(carDraw({ carAmps: 32, ratingAmps: 20, limit: null, phases: 1 })).toEqual({ amps: 20, phases: 1 });
    expect(carDraw({ carAmps: 32, ratingAmps: 32, limit: { amps: 6900 / 690, numberPhases: null }, phases: 3 })).toEqual({ amps: 10, phases: 3 });
    expect(carDraw({ carAmps: 32, ratingAmps: 32, limit: { amps: 11000 / 690, numberPhases: null }, phases: 3 }).amps).toBe(15.9);
    expect(carDraw({ carAmps: 32, ratingAmps: 32, limit: { amps: 0, numberPhases: null }, phases: 3 })).toEqual({ amps: 0, phases: 3 });
  });

  it('uses fewer phases when the limiting period says so, never more than the charger has', () => {
    expect(carDraw({ carAmps: 32, ratingAmps: 32, limit: { amps: 16, numberPhases: 1 }, phases: 3 })).toEqual({ amps: 16, phases: 1 });
    expect(carDraw({ carAmps: 32, ratingAmps: 32, limit: { amps: 16, numberPhases: 3 }, phases: 1 })).toEqual({ amps: 16, phases: 1 });
  });
});

describe('what the meter reports of the draw', () => {
  it('integrates the current held between changes into the energy register, and reports power and each phase', () => {
    const meter = new Meter(1000, 3, T0);
    meter.draw(16, 3, T0); // 16 A × 230 V × 3 = 11 040 W
    meter.draw(10, 1, T0 + H / 2); // half an hour later: 10 A on one phase, 2 300 W
    meter.advance(T0 + H);
    expect(meter.registerWh).toBeCloseTo(1000 + 11_040 / 2 + 2_300 / 2, 6);
    const values = meter.readings('Sample.Periodic');
    expect(values).toEqual([
      { measurand: 'Energy.Active.Import.Register', value: 7670, unit: 'Wh' },
      { measurand: 'Power.Active.Import', value: 2300, unit: 'W' },
      { measurand: 'Current.Import', phase: 'L1', value: 10, unit: 'A' },
      { measurand: 'Current.Import', phase: 'L2', value: 0, unit: 'A' },
      { measurand: 'Current.Import', phase: 'L3', value: 0, unit: 'A' },
    ]);
    expect(meter.readings('Transaction.End')).toEqual([{ measurand: 'Energy.Active.Import.Register', value: 7670, unit: 'Wh' }]);
  });

  it('reports L1 alone on a single-phase charger, with the phase in both versions’ shapes', () => {
    const meter = new Meter(0, 1, T0);
    meter.draw(32, 3, T0);
    expect(meter.powerW).toBe(32 * 230);
    const v16 = meter.meterValue16('Sample.Periodic', iso(T0)).sampledValue.filter((v) => v.measurand === 'Current.Import');
    expect(v16).toEqual([{ value: '32', context: 'Sample.Periodic', format: 'Raw', measurand: 'Current.Import', phase: 'L1', location: 'Outlet', unit: 'A' }]);
    const v201 = meter.meterValue201('Sample.Periodic', iso(T0)).sampledValue.filter((v) => v.measurand === 'Current.Import');
    expect(v201).toEqual([{ value: 32, context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L1', location: 'Outlet', unitOfMeasure: { unit: 'A' } }]);
  });
});
