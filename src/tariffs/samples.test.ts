// What a transaction's meter values and charging states tell the cost engine.
import { describe, expect, it } from 'vitest';
import type { MeterSample } from '../ocpp/meter-values';
import { chargingOf16, chargingOf201, costSamplesOf, totalCostOf } from './samples';

const sample = (timestamp: string, measurand: string, unit: string, value: number, phase: string | null = null, location: string | null = null): MeterSample => ({
  timestamp,
  measurand,
  unit,
  value,
  phase,
  location,
  context: null,
  signedData: null,
});

describe('cost samples from meter values', () => {
  it('takes the phaseless energy register, the phaseless power (else L1–L3 summed), the largest current phase; leaves out EV-side values; oldest first', () => {
    const samples = [
      sample('2026-01-01T10:05:00.000Z', 'Energy.Active.Import.Register', 'Wh', 2_000),
      sample('2026-01-01T10:05:00.000Z', 'Energy.Active.Import.Register', 'Wh', 700, 'L1'),
      sample('2026-01-01T10:05:00.000Z', 'Power.Active.Import', 'W', 3_000, 'L1'),
      sample('2026-01-01T10:05:00.000Z', 'Power.Active.Import', 'W', 3_500, 'L2'),
      sample('2026-01-01T10:05:00.000Z', 'Current.Import', 'A', 14, 'L1'),
      sample('2026-01-01T10:05:00.000Z', 'Current.Import', 'A', 16, 'L2'),
      sample('2026-01-01T10:00:00.000Z', 'Energy.Active.Import.Register', 'Wh', 1_000),
      sample('2026-01-01T10:00:00.000Z', 'Power.Active.Import', 'W', 7_000),
      sample('2026-01-01T10:00:00.000Z', 'Energy.Active.Import.Register', 'Wh', 99, null, 'EV'),
    ];
    expect(costSamplesOf(samples, (at) => at < '2026-01-01T10:05:00.000Z')).toEqual([
      { at: '2026-01-01T10:00:00.000Z', charging: true, registerWh: 1_000, powerW: 7_000 },
      { at: '2026-01-01T10:05:00.000Z', charging: false, registerWh: 2_000, powerW: 6_500, currentA: 16 },
    ]);
  });

  it('2.0.1 ChargingStateEnumType and 1.6 ChargePointStatus: only Charging charges; 1.6 statuses that say nothing of charging are undefined', () => {
    expect(['Charging', 'EVConnected', 'SuspendedEV', 'SuspendedEVSE', 'Idle'].map(chargingOf201)).toEqual([true, false, false, false, false]);
    expect(['Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Preparing', 'Available', 'Faulted'].map(chargingOf16)).toEqual([
      true,
      false,
      false,
      false,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('I03.FR.02 totalCost: incl. VAT, else excl. VAT when incl. VAT cannot be known; 0 for a free session', () => {
    expect(totalCostOf({ excl_vat: 3.5, incl_vat: 4.2 })).toBe(4.2);
    expect(totalCostOf({ excl_vat: 3.5 })).toBe(3.5);
    expect(totalCostOf({ excl_vat: 0, incl_vat: 0 })).toBe(0);
  });
});
