// The cost trace of a completed transaction rebuilt from its stored readings and charging states.
import { describe, expect, it } from 'vitest';
import type { MeterSample } from '../ocpp/meter-values';
import { computeCost } from './cost';
import type { TariffBody } from './model';
import { chargingChanges16, chargingChanges201, rebuildTrace } from './recompute';

const register = (timestamp: string, wh: number): MeterSample => ({
  timestamp,
  measurand: 'Energy.Active.Import.Register',
  unit: 'Wh',
  value: wh,
  phase: null,
  location: null,
  context: null,
  signedData: null,
});

const T0 = '2026-02-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** 0.30/kWh and 2.00/h parked, no VAT. */
const TARIFF = {
  currency: 'EUR',
  time_zone: 'UTC',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 0 }, { type: 'PARKING_TIME', price: 2, step_size: 0 }] }],
} as unknown as TariffBody;

describe('a stored session rebuilt as a cost trace (issue 14 cost recomputation)', () => {
  it('1.6 §4.9: readings charge, a SuspendedEV status parks until the stop; readings before the start and statuses that say nothing are left out', () => {
    const changes = chargingChanges16([
      { reportedAt: at(0), status: 'Charging' },
      { reportedAt: at(20), status: 'Faulted' },
      { reportedAt: at(60), status: 'SuspendedEV' },
    ]);
    expect(changes).toEqual([
      { at: at(0), charging: true },
      { at: at(60), charging: false },
    ]);
    const { trace, source } = rebuildTrace({
      startedAt: T0,
      stoppedAt: at(90),
      meterStartWh: 1_000,
      meterStopWh: 11_000,
      readings: [register(at(-5), 900), register(at(30), 6_000), register(at(60), 11_000)],
      changes,
    });
    expect(source).toBe('readings');
    expect(trace.samples.map((s) => [s.at, s.charging, s.registerWh])).toEqual([
      [at(30), true, 6_000],
      [at(60), false, 11_000],
    ]);
    const cost = computeCost(TARIFF, trace);
    // 10 kWh × 0.30 + 0.5 h × 2.00.
    expect(cost.total_cost.excl_vat).toBe(4);
    expect(cost.total_parking_time).toBe(0.5);
  });

  it('2.0.1 E02: applied events only give charging states; a change between readings is a sample of its own; no readings: the registers alone', () => {
    const changes = chargingChanges201([
      { disposition: 'applied', timestamp: T0, charging_state: 'Charging' },
      { disposition: 'applied', timestamp: at(45), charging_state: 'SuspendedEV' },
      { disposition: 'late', timestamp: at(50), charging_state: 'Charging' },
      { disposition: 'applied', timestamp: at(55), charging_state: null },
    ]);
    expect(changes).toEqual([
      { at: T0, charging: true },
      { at: at(45), charging: false },
    ]);
    const { trace, source } = rebuildTrace({ startedAt: T0, stoppedAt: at(60), meterStartWh: 0, meterStopWh: 4_000, readings: [], changes });
    expect(source).toBe('registers');
    expect(trace).toMatchObject({ startedAt: T0, charging: true, startRegisterWh: 0, endRegisterWh: 4_000, endedAt: at(60) });
    expect(trace.samples).toEqual([{ at: at(45), charging: false }]);
  });

  it('starts not charging when the state in force at the start says so', () => {
    const { trace } = rebuildTrace({
      startedAt: T0,
      stoppedAt: at(10),
      meterStartWh: null,
      meterStopWh: null,
      readings: [],
      changes: [{ at: at(-1), charging: false }],
    });
    expect(trace.charging).toBe(false);
    expect(trace).not.toHaveProperty('startRegisterWh');
  });
});
