// The TxProfile offered an ISO 15118 EV and the check of the EV's schedule, on installed profiles alone.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { SetChargingProfileRequest, type NotifyEVChargingNeedsRequest } from '../v201/schemas.generated';
import { checkEvSchedule, evProfileId, profileForEvNeeds } from './ev-negotiation';
import type { InstalledProfile } from './profiles';

const NOW = '2024-01-05T12:00:00.000Z';
const TX = { id: 'tx-1', startedAt: '2024-01-05T11:55:00Z' };

function station(limit: number, unit: 'A' | 'W' = 'A', periods = [{ startPeriod: 0, limit }]): InstalledProfile {
  return { id: 1, stackLevel: 0, purpose: 'ChargePointMaxProfile', kind: 'Absolute', evseId: 0, schedules: [{ startSchedule: '2024-01-01T00:00:00Z', chargingRateUnit: unit, periods }] };
}

const ac = (evMaxCurrent: number, departureTime?: string): NotifyEVChargingNeedsRequest => ({
  evseId: 1,
  chargingNeeds: {
    requestedEnergyTransfer: 'AC_three_phase',
    acChargingParameters: { energyAmount: 10000, evMinCurrent: 6, evMaxCurrent, evMaxVoltage: 400 },
    ...(departureTime ? { departureTime } : {}),
  },
});

describe('the TxProfile for an EV', () => {
  it('K15.FR.07: is a schema-valid TxProfile for the transaction, never above the station limit or the EV maximum', () => {
    const plan = profileForEvNeeds(ac(32), { profiles: [station(16)], transaction: TX, now: NOW });
    if (!plan.ok) throw new Error(plan.additionalInfo);
    expect(v.safeParse(SetChargingProfileRequest, plan.request).success).toBe(true);
    expect(plan.request.chargingProfile).toMatchObject({ id: evProfileId(1), chargingProfilePurpose: 'TxProfile', transactionId: 'tx-1', stackLevel: 0 });
    expect(plan.request.chargingProfile.chargingSchedule[0]!).toMatchObject({ startSchedule: NOW, duration: 86_400, chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] });
    const evBound = profileForEvNeeds(ac(10), { profiles: [station(16)], transaction: TX, now: NOW });
    expect(evBound.ok && evBound.request.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 10 }]);
  });

  it('K15: follows a station limit that changes, converted from W, until the departure time', () => {
    // 11,040 W is 16 A on three phases at 230 V; 4,140 W is 6 A.
    const watts = station(11_040, 'W', [{ startPeriod: 0, limit: 11_040 }, { startPeriod: 4 * 86_400 + 13 * 3600, limit: 4_140 }]);
    const plan = profileForEvNeeds(ac(32, '2024-01-05T15:00:00Z'), { profiles: [watts], transaction: TX, now: NOW });
    if (!plan.ok) throw new Error(plan.additionalInfo);
    expect(plan.request.chargingProfile.chargingSchedule[0]!).toMatchObject({
      duration: 3 * 3600,
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 3600, limit: 6 }],
    });
  });

  it('K01.FR.39: stacks above another TxProfile of the transaction rather than beside it', () => {
    const operator: InstalledProfile = { ...station(20), id: 9, purpose: 'TxProfile', evseId: 1, transactionId: 'tx-1', stackLevel: 3 };
    const plan = profileForEvNeeds(ac(32), { profiles: [station(16), operator], transaction: TX, now: NOW });
    expect(plan.ok && plan.request.chargingProfile.stackLevel).toBe(4);
  });

  it('K15.FR.04: is refused when neither a profile nor the EV gives a limit', () => {
    const plan = profileForEvNeeds({ evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'AC_single_phase' } }, { profiles: [], transaction: TX, now: NOW });
    expect(plan).toMatchObject({ ok: false, reasonCode: 'NoLimitKnown' });
  });
});

describe("the EV's schedule", () => {
  const schedule = (periods: Array<{ startPeriod: number; limit: number }>, unit: 'A' | 'W' = 'A') => ({
    evseId: 1,
    timeBase: NOW,
    chargingSchedule: { id: 1, chargingRateUnit: unit, duration: 7200, chargingSchedulePeriod: periods },
  });

  it('K15.FR.11, K15.FR.12: within the limits is accepted; a period above them is refused, naming it', () => {
    const limited = [station(16, 'A', [{ startPeriod: 0, limit: 32 }, { startPeriod: 4 * 86_400 + 12 * 3600 + 1800, limit: 16 }])];
    expect(checkEvSchedule(schedule([{ startPeriod: 0, limit: 32 }, { startPeriod: 1800, limit: 16 }]), { profiles: limited })).toEqual({ ok: true });
    const over = checkEvSchedule(schedule([{ startPeriod: 0, limit: 32 }, { startPeriod: 1800, limit: 20 }]), { profiles: limited });
    expect(over).toMatchObject({ ok: false, reasonCode: 'ExceedsLimit' });
    expect(!over.ok && over.additionalInfo).toContain('1800 s asks 20 A; the CSMS allows 16 A');
    // 32 A until 2,400 s runs into the 16 A from 1,800 s.
    expect(checkEvSchedule(schedule([{ startPeriod: 0, limit: 32 }, { startPeriod: 2400, limit: 16 }]), { profiles: limited })).toMatchObject({ ok: false });
    // Overlap matters: 32 A until 1,800 s while the limit drops at 1,800 s is within it.
    expect(checkEvSchedule(schedule([{ startPeriod: 0, limit: 32 }, { startPeriod: 1800, limit: 0 }]), { profiles: limited })).toEqual({ ok: true });
  });

  it('K17.FR.12: compares in the unit the EV used; with no limit known there is nothing to exceed', () => {
    expect(checkEvSchedule(schedule([{ startPeriod: 0, limit: 11_100 }], 'W'), { profiles: [station(16)] })).toMatchObject({ ok: false });
    expect(checkEvSchedule(schedule([{ startPeriod: 0, limit: 11_000 }], 'W'), { profiles: [station(16)] })).toEqual({ ok: true });
    expect(checkEvSchedule(schedule([{ startPeriod: 0, limit: 500 }]), { profiles: [] })).toEqual({ ok: true });
  });

  it('K15.FR.12: a duration that is no length is checked as none given, not thrown on', () => {
    const negative = { ...schedule([{ startPeriod: 0, limit: 20 }]), chargingSchedule: { ...schedule([]).chargingSchedule, duration: -1, chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] } };
    expect(checkEvSchedule(negative, { profiles: [station(16)] })).toMatchObject({ ok: false, reasonCode: 'ExceedsLimit' });
  });
});
