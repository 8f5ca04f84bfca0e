// The TxProfile offered a 2.1 bidirectional (V2X) EV: discharge limits only for an EV that offers a BPT mode, within the CSMS's allowance and the EVSE's profiles.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { SetChargingProfileRequest, type NotifyEVChargingNeedsRequest } from '../v21/schemas.generated';
import { checkEvSchedule, profileForEvNeeds } from './ev-negotiation';
import type { InstalledProfile, SchedulePeriod } from './profiles';

const NOW = '2025-03-05T12:00:00.000Z';
const TX = { id: 'tx-1', startedAt: '2025-03-05T11:55:00Z' };

/** A TxDefaultProfile on EVSE 1 in W. */
function txDefault(periods: SchedulePeriod[]): InstalledProfile {
  return { id: 1, stackLevel: 0, purpose: 'TxDefaultProfile', kind: 'Absolute', evseId: 1, schedules: [{ startSchedule: '2025-01-01T00:00:00Z', chargingRateUnit: 'W', periods }] };
}
const CONSENT = txDefault([{ startPeriod: 0, limit: 11000, dischargeLimit: -5000, operationMode: 'CentralSetpoint', setpoint: -4000 }]);

function bidi(fields: Partial<NotifyEVChargingNeedsRequest['chargingNeeds']> = {}): NotifyEVChargingNeedsRequest {
  return {
    evseId: 1,
    chargingNeeds: {
      requestedEnergyTransfer: 'DC_BPT',
      availableEnergyTransfer: ['DC_BPT', 'DC'],
      controlMode: 'ScheduledControl',
      v2xChargingParameters: { maxChargePower: 50000, maxDischargePower: 3000 },
      ...fields,
    },
  };
}

function periods(needs: NotifyEVChargingNeedsRequest, profiles: InstalledProfile[], allowedEnergyTransfer?: string[]) {
  const plan = profileForEvNeeds(needs, { profiles, transaction: TX, now: NOW, ...(allowedEnergyTransfer ? { allowedEnergyTransfer } : {}) });
  if (!plan.ok) throw new Error(plan.additionalInfo);
  expect(v.safeParse(SetChargingProfileRequest, plan.request).success, JSON.stringify(plan.request)).toBe(true);
  return plan.request.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod;
}

describe('the TxProfile for a V2X EV', () => {
  it('discharges within the tighter of the EVSE and EV bounds, with the EVSE operation mode and its setpoint kept within them', () => {
    expect(periods(bidi(), [CONSENT])).toEqual([
      { startPeriod: 0, limit: 11000, dischargeLimit: -3000, operationMode: 'CentralSetpoint', setpoint: -3000 },
    ]);
  });

  it('gives charging limits only where the EVSE profiles do not allow discharging', () => {
    expect(periods(bidi(), [txDefault([{ startPeriod: 0, limit: 11000 }])])).toEqual([{ startPeriod: 0, limit: 11000 }]);
    // Discharging allowed for the first hour only.
    const firstHour = txDefault([
      { startPeriod: 0, limit: 11000, dischargeLimit: -5000, operationMode: 'LocalLoadBalancing' },
      { startPeriod: 63 * 86_400 + 13 * 3600, limit: 7000, operationMode: 'ChargingOnly' },
    ]);
    expect(periods(bidi(), [firstHour])).toEqual([
      { startPeriod: 0, limit: 11000, dischargeLimit: -3000, operationMode: 'LocalLoadBalancing' },
      { startPeriod: 3600, limit: 7000 },
    ]);
  });

  it('gives charging limits only to an EV that offers no bidirectional mode, or none the CSMS allowed, or no discharge maximum', () => {
    expect(periods(bidi({ requestedEnergyTransfer: 'DC', availableEnergyTransfer: ['DC'] }), [CONSENT])).toEqual([{ startPeriod: 0, limit: 11000 }]);
    expect(periods(bidi(), [CONSENT], ['DC'])).toEqual([{ startPeriod: 0, limit: 11000 }]);
    expect(periods(bidi(), [CONSENT], ['DC', 'DC_BPT'])[0]).toMatchObject({ dischargeLimit: -3000 });
    expect(periods(bidi({ v2xChargingParameters: { maxChargePower: 50000 } }), [CONSENT])).toEqual([{ startPeriod: 0, limit: 11000 }]);
  });

  it('charges at most the EV maximum from its V2X parameters when it gives no AC or DC parameters', () => {
    expect(periods(bidi({ v2xChargingParameters: { maxChargePower: 7400, maxDischargePower: 7400 } }), [CONSENT])).toEqual([
      { startPeriod: 0, limit: 7400, dischargeLimit: -5000, operationMode: 'CentralSetpoint', setpoint: -4000 },
    ]);
  });

  it('accepts an EV schedule that discharges only where, and as far as, the EVSE allows', () => {
    const schedule = (limit: number) => ({
      evseId: 1,
      timeBase: NOW,
      chargingSchedule: { id: 1, chargingRateUnit: 'W' as const, duration: 600, chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }, { startPeriod: 300, limit }] },
    });
    expect(checkEvSchedule(schedule(-4000), { profiles: [CONSENT], transaction: TX })).toEqual({ ok: true });
    expect(checkEvSchedule(schedule(-6000), { profiles: [CONSENT], transaction: TX })).toMatchObject({ ok: false, reasonCode: 'ExceedsDischarge' });
    const chargingOnly = txDefault([{ startPeriod: 0, limit: 11000 }]);
    expect(checkEvSchedule(schedule(-1000), { profiles: [chargingOnly], transaction: TX })).toMatchObject({
      ok: false,
      reasonCode: 'ExceedsDischarge',
      additionalInfo: expect.stringContaining('allows no discharging'),
    });
    expect(checkEvSchedule(schedule(5000), { profiles: [chargingOnly], transaction: TX })).toEqual({ ok: true });
  });
});
