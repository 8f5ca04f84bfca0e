// Composite schedules of OCPP 2.1 bidirectional profiles: discharge limits, negative limits, setpoints and operation modes.

import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { GetCompositeScheduleResponse } from '../v21/schemas.generated';
import { compositeSchedule, type CompositeRequest } from './composite-schedule';
import { fromV201, type InstalledProfile, type SchedulePeriod } from './profiles';
import type { ChargingProfileType } from '../v201/schemas.generated';

const START = '2025-03-01T12:00:00Z';

let nextId = 1;
/** An Absolute profile in W on EVSE 1 (a station maximum on 0), starting at START. */
function profile(purpose: InstalledProfile['purpose'], periods: SchedulePeriod[], fields: Partial<InstalledProfile> = {}): InstalledProfile {
  return {
    id: nextId++,
    stackLevel: 0,
    purpose,
    kind: 'Absolute',
    evseId: purpose === 'ChargePointMaxProfile' ? 0 : 1,
    ...fields,
    schedules: [{ startSchedule: START, chargingRateUnit: 'W', periods }],
  };
}

function composite(profiles: InstalledProfile[], request: Partial<CompositeRequest> = {}) {
  return compositeSchedule(profiles, { evseId: 1, start: START, duration: 3600, unit: 'W', ...request }).periods;
}

describe('compositeSchedule with 2.1 discharging', () => {
  it('takes the discharge limit closest to zero across purposes, as the charge limit is the lowest', () => {
    const max = profile('ChargePointMaxProfile', [{ startPeriod: 0, limit: 11000, dischargeLimit: -4000 }]);
    const tx = profile('TxDefaultProfile', [
      { startPeriod: 0, limit: 7000, dischargeLimit: -7000, operationMode: 'LocalLoadBalancing' },
      { startPeriod: 1800, limit: 7000, dischargeLimit: -2000, operationMode: 'LocalLoadBalancing' },
    ]);
    expect(composite([max, tx])).toEqual([
      { startPeriod: 0, limit: 7000, dischargeLimit: -4000, operationMode: 'LocalLoadBalancing' },
      { startPeriod: 1800, limit: 7000, dischargeLimit: -2000, operationMode: 'LocalLoadBalancing' },
    ]);
    // Without the station's bound, the session's own.
    expect(composite([tx])[0]).toEqual({ startPeriod: 0, limit: 7000, dischargeLimit: -7000, operationMode: 'LocalLoadBalancing' });
  });

  it('lets the EV discharge only when the session allows it: ChargingOnly and plain profiles do not', () => {
    const max = profile('ChargePointMaxProfile', [{ startPeriod: 0, limit: 11000, dischargeLimit: -11000 }]);
    const plain = profile('TxDefaultProfile', [{ startPeriod: 0, limit: 16000 }]);
    expect(composite([max, plain])).toEqual([{ startPeriod: 0, limit: 11000 }]);
    const chargingOnly = profile('TxDefaultProfile', [{ startPeriod: 0, limit: 16000, dischargeLimit: -3000, operationMode: 'ChargingOnly' }]);
    expect(composite([max, chargingOnly])).toEqual([{ startPeriod: 0, limit: 11000, operationMode: 'ChargingOnly' }]);
    // A station maximum in mode ChargingOnly, stated, forbids it whatever the session says.
    const stationChargingOnly = profile('ChargePointMaxProfile', [{ startPeriod: 0, limit: 11000, operationMode: 'ChargingOnly' }]);
    const v2x = profile('TxDefaultProfile', [{ startPeriod: 0, limit: 7000, dischargeLimit: -7000, operationMode: 'ExternalLimits' }]);
    expect(composite([stationChargingOnly, v2x])).toEqual([{ startPeriod: 0, limit: 7000, operationMode: 'ExternalLimits' }]);
    // A 2.0.1-style station maximum (no 2.1 fields) bounds charging only.
    const plainMax = profile('ChargePointMaxProfile', [{ startPeriod: 0, limit: 5000 }]);
    expect(composite([plainMax, v2x])).toEqual([{ startPeriod: 0, limit: 5000, dischargeLimit: -7000, operationMode: 'ExternalLimits' }]);
  });

  it('reads a negative limit as a discharge limit with no charging (2.1 backwards compatibility)', () => {
    const legacy = profile('TxDefaultProfile', [{ startPeriod: 0, limit: -6000 }, { startPeriod: 600, limit: 8000 }]);
    const max = profile('ChargePointMaxProfile', [{ startPeriod: 0, limit: 11000, dischargeLimit: -5000 }]);
    expect(composite([legacy, max])).toEqual([
      { startPeriod: 0, limit: 0, dischargeLimit: -5000 },
      { startPeriod: 600, limit: 8000 },
    ]);
    expect(composite([legacy])[0]).toEqual({ startPeriod: 0, limit: 0, dischargeLimit: -6000 });
  });

  it('keeps a setpoint within [dischargeLimit, limit], and a discharge setpoint at 0 where discharging is not allowed', () => {
    const max = profile('ChargePointMaxProfile', [{ startPeriod: 0, limit: 11000, dischargeLimit: -3000 }]);
    const central = profile('TxProfile', [
      { startPeriod: 0, setpoint: -5000, dischargeLimit: -9000, operationMode: 'CentralSetpoint' },
      { startPeriod: 900, setpoint: 15000, operationMode: 'CentralSetpoint' },
    ]);
    const transaction = { id: 'tx-1', startedAt: START };
    expect(composite([max, central], { transaction })).toEqual([
      { startPeriod: 0, limit: 11000, dischargeLimit: -3000, setpoint: -3000, operationMode: 'CentralSetpoint' },
      { startPeriod: 900, limit: 11000, dischargeLimit: -3000, setpoint: 11000, operationMode: 'CentralSetpoint' },
    ]);
    const chargingOnly = profile('TxProfile', [{ startPeriod: 0, limit: 6000, setpoint: -2000, operationMode: 'ChargingOnly' }], { stackLevel: 1 });
    expect(composite([max, central, chargingOnly], { transaction })).toEqual([
      { startPeriod: 0, limit: 6000, setpoint: 0, operationMode: 'ChargingOnly' },
    ]);
  });

  it('stops all transfer in mode Idle, in any purpose', () => {
    const idle = profile('ChargePointMaxProfile', [{ startPeriod: 0, operationMode: 'Idle' }, { startPeriod: 600, limit: 11000, dischargeLimit: -11000 }]);
    const v2x = profile('TxDefaultProfile', [{ startPeriod: 0, limit: 7000, dischargeLimit: -7000, operationMode: 'LocalFrequency' }]);
    expect(composite([idle, v2x])).toEqual([
      { startPeriod: 0, limit: 0, operationMode: 'LocalFrequency' },
      { startPeriod: 600, limit: 7000, dischargeLimit: -7000, operationMode: 'LocalFrequency' },
    ]);
  });

  it('lets a period without a limit lead its purpose, bounding charging by nothing', () => {
    const low = profile('TxDefaultProfile', [{ startPeriod: 0, limit: 4000 }]);
    const setpointOnly = profile('TxDefaultProfile', [{ startPeriod: 0, setpoint: 2000, operationMode: 'CentralSetpoint' }], { stackLevel: 1 });
    expect(composite([low, setpointOnly])).toEqual([{ startPeriod: 0, limit: null, dischargeLimit: null, setpoint: 2000, operationMode: 'CentralSetpoint' }]);
  });

  it('converts discharge limits toward zero, never loosening them', () => {
    const amps = { ...profile('TxDefaultProfile', [{ startPeriod: 0, limit: 16, dischargeLimit: -10, operationMode: 'ExternalLimits' }]) };
    amps.schedules = [{ ...amps.schedules[0]!, chargingRateUnit: 'A' }];
    // 10 A × 230 V × 3 = 6900 W; and back: 5000 W / 690 = 7.246… A → -7.2, not -7.3.
    expect(composite([amps])).toEqual([{ startPeriod: 0, limit: 11040, dischargeLimit: -6900, operationMode: 'ExternalLimits' }]);
    const watts = profile('TxDefaultProfile', [{ startPeriod: 0, limit: 5000, dischargeLimit: -5000, operationMode: 'ExternalLimits' }]);
    expect(composite([watts], { unit: 'A' })).toEqual([{ startPeriod: 0, limit: 7.2, dischargeLimit: -7.2, operationMode: 'ExternalLimits' }]);
  });

  it('reads the 2.1 fields from a SetChargingProfile payload, and the result is a valid 2.1 composite schedule', () => {
    const payload = {
      id: 7,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [
        {
          id: 1,
          startSchedule: START,
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400, dischargeLimit: -3700, setpoint: -1000, operationMode: 'CentralSetpoint' }],
        },
      ],
    } as unknown as ChargingProfileType;
    const periods = composite([fromV201(1, payload)]);
    expect(periods).toEqual([{ startPeriod: 0, limit: 7400, dischargeLimit: -3700, setpoint: -1000, operationMode: 'CentralSetpoint' }]);
    const answer = {
      status: 'Accepted',
      schedule: { evseId: 1, duration: 3600, scheduleStart: START, chargingRateUnit: 'W', chargingSchedulePeriod: periods },
    };
    expect(v.safeParse(GetCompositeScheduleResponse, answer).success).toBe(true);
  });
});
