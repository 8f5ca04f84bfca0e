// Unit tests of the cost engine against hand-computed sessions (the arithmetic is written out beside each case;
// several cases are OCPI 2.2.1 mod_tariffs' own worked examples).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceCost, computeCost, finishCost, MAX_PERIODS, minorUnitsOf, runningCost, startCost, type CostSample, type CostState, type CostTrace } from './cost';
import { parseTariffBody, type TariffBody } from './model';

function tariff(body: Record<string, unknown>): TariffBody {
  const parsed = parseTariffBody(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.tariff;
}
const energy = (price: number, extra: Record<string, unknown> = {}) => ({ type: 'ENERGY', price, step_size: 1, ...extra });
const time = (price: number, extra: Record<string, unknown> = {}) => ({ type: 'TIME', price, step_size: 1, ...extra });
const parking = (price: number, extra: Record<string, unknown> = {}) => ({ type: 'PARKING_TIME', price, step_size: 1, ...extra });
const flat = (price: number, extra: Record<string, unknown> = {}) => ({ type: 'FLAT', price, step_size: 0, ...extra });

/** The same session as a fold whose state goes through JSON between every step, as a Durable Object stores it. */
function foldThroughJson(t: TariffBody, trace: CostTrace) {
  const roundTrip = (s: CostState): CostState => JSON.parse(JSON.stringify(s));
  let state = roundTrip(startCost(t, trace));
  for (const sample of trace.samples) state = roundTrip(advanceCost(state, sample));
  return finishCost(state, trace);
}

/** computeCost, checked against the JSON fold on every case. */
function cost(t: TariffBody, trace: CostTrace) {
  const batch = computeCost(t, trace);
  expect(foldThroughJson(t, trace)).toEqual(batch);
  return batch;
}

const at = (iso: string, registerWh?: number, extra: Partial<CostSample> = {}): CostSample => ({ at: iso, registerWh, charging: true, ...extra });

describe('cost: energy and VAT', () => {
  it('flat energy price, VAT 21%, half-up rounding once at the end', () => {
    // 1000 → 21500 Wh = 20.5 kWh × 0.25 = 5.125 → 5.13 (half up); incl. 5.125 × 1.21 = 6.20125 → 6.20.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [energy(0.25, { vat: 21 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 1000, samples: [at('2026-06-01T10:30:00Z', 11000)], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 21500 });
    expect(b.total_energy).toBe(20.5);
    expect(b.total_energy_cost).toEqual({ excl_vat: 5.13, incl_vat: 6.2 });
    expect(b.total_cost).toEqual({ excl_vat: 5.13, incl_vat: 6.2 });
    expect(b.total_time).toBe(1);
    expect(b.anomalies).toEqual([]);
  });

  it('VAT 0% gives incl = excl; VAT absent gives no incl_vat (OCPI: "not possible to calculate total costs including VAT")', () => {
    // 10 kWh × 0.30 = 3.00; 21% → 3.63; 0% → 3.00; absent → excl only.
    const trace: CostTrace = { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 10_000 };
    const with_ = (vat?: number) => cost(tariff({ currency: 'EUR', elements: [{ price_components: [energy(0.3, vat === undefined ? {} : { vat })] }] }), trace).total_cost;
    expect(with_(21)).toEqual({ excl_vat: 3, incl_vat: 3.63 });
    expect(with_(0)).toEqual({ excl_vat: 3, incl_vat: 3 });
    expect(with_(undefined)).toEqual({ excl_vat: 3 });
  });

  it('a component without VAT but price 0 does not hide incl_vat', () => {
    // FLAT 0 (no vat) + 10 kWh × 0.30 at 10% = 3.00 / 3.30.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [flat(0), energy(0.3, { vat: 10 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 10_000 });
    expect(b.total_cost).toEqual({ excl_vat: 3, incl_vat: 3.3 });
  });

  it('rounds to the currency minor unit: JPY has none, KWD three', () => {
    // 10.5 kWh × 35 = 367.5 JPY → 368 (half up); 10.5 kWh × 0.1235 KWD = 1.29675 → 1.297.
    expect(minorUnitsOf('JPY')).toBe(0);
    expect(minorUnitsOf('EUR')).toBe(2);
    expect(minorUnitsOf('XYZ')).toBe(2);
    const trace: CostTrace = { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 10_500 };
    expect(cost(tariff({ currency: 'JPY', elements: [{ price_components: [energy(35, { vat: 0 })] }] }), trace).total_cost.excl_vat).toBe(368);
    expect(cost(tariff({ currency: 'KWD', elements: [{ price_components: [energy(0.1235, { vat: 0 })] }] }), trace).total_cost.excl_vat).toBe(1.297);
  });

  it('sums exactly: 1000 intervals of 0.10 each cost 100.00 (a float sum of 0.1 × 1000 is 99.9999999999986)', () => {
    // Each 1-second interval charges 1000 kWh × 0.0001 = 0.10; the engine adds integers, so 1000 × 0.10 = 100.00.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [energy(0.0001, { vat: 0 })] }] });
    const samples = Array.from({ length: 1000 }, (_, i) => at(new Date(Date.UTC(2026, 5, 1, 10) + (i + 1) * 1000).toISOString(), (i + 1) * 1_000_000));
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples, endedAt: '2026-06-01T10:16:40Z' });
    expect(b.total_energy).toBe(1_000_000);
    expect(b.total_cost).toEqual({ excl_vat: 100, incl_vat: 100 });
  });
});

describe('cost: time of day (OCPI TariffRestrictions start_time/end_time/day_of_week)', () => {
  const peak = tariff({
    currency: 'EUR',
    elements: [
      { price_components: [energy(0.3, { vat: 0 })], restrictions: { start_time: '07:00', end_time: '22:00' } },
      { price_components: [energy(0.2, { vat: 0 })] },
    ],
  });

  it('splits energy linearly at a 22:00 boundary inside one sample interval', () => {
    // 21:30–22:30, 11000 Wh in one interval: 5500 Wh before 22:00 at 0.30 = 1.65, 5500 after at 0.20 = 1.10 → 2.75.
    const b = cost(peak, { startedAt: '2026-06-01T21:30:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T22:30:00Z', endRegisterWh: 11_000 });
    expect(b.total_cost.excl_vat).toBe(2.75);
    expect(b.charging_periods).toEqual([
      { start_date_time: '2026-06-01T21:30:00.000Z', dimensions: [{ type: 'ENERGY', volume: 5.5 }, { type: 'TIME', volume: 0.5 }], tariff_elements: { ENERGY: 0 } },
      { start_date_time: '2026-06-01T22:00:00.000Z', dimensions: [{ type: 'ENERGY', volume: 5.5 }, { type: 'TIME', volume: 0.5 }], tariff_elements: { ENERGY: 1 } },
    ]);
  });

  it('splits only the interval that crosses the boundary, in proportion to its time', () => {
    // 21:30–21:45: 2000 Wh (peak). 21:45–22:30: 9000 Wh over 45 min, 15 min before 22:00 → 3000 Wh peak, 6000 off.
    // Peak 5000 Wh × 0.30 = 1.50; off-peak 6000 Wh × 0.20 = 1.20 → 2.70.
    const b = cost(peak, { startedAt: '2026-06-01T21:30:00Z', startRegisterWh: 0, samples: [at('2026-06-01T21:45:00Z', 2000)], endedAt: '2026-06-01T22:30:00Z', endRegisterWh: 11_000 });
    expect(b.total_cost.excl_vat).toBe(2.7);
    expect(b.charging_periods.map((p) => p.dimensions[0]!.volume)).toEqual([5, 6]);
  });

  it('prices a session across midnight: a 22:00–06:00 element and a day_of_week change', () => {
    // Friday 2026-11-27 21:00 → Saturday 07:00 UTC, charging, TIME only:
    //   Fri 21:00–22:00 fallback 3.00/h = 3.00; Fri 22:00–Sat 06:00 night 8 h × 1.00 = 8.00 (one period across
    //   midnight); Sat 06:00–07:00 weekend 2.00/h = 2.00. Total 13.00.
    const t = tariff({
      currency: 'EUR',
      elements: [
        { price_components: [time(1, { vat: 0 })], restrictions: { start_time: '22:00', end_time: '06:00' } },
        { price_components: [time(2, { vat: 0 })], restrictions: { day_of_week: ['SATURDAY', 'SUNDAY'] } },
        { price_components: [time(3, { vat: 0 })] },
      ],
    });
    const b = cost(t, { startedAt: '2026-11-27T21:00:00Z', startRegisterWh: 0, samples: [at('2026-11-28T00:30:00Z', 0)], endedAt: '2026-11-28T07:00:00Z', endRegisterWh: 0 });
    expect(b.total_time_cost.excl_vat).toBe(13);
    expect(b.charging_periods.map((p) => [p.start_date_time, p.tariff_elements.TIME, p.dimensions[0]!.volume])).toEqual([
      ['2026-11-27T21:00:00.000Z', 2, 1],
      ['2026-11-27T22:00:00.000Z', 0, 8],
      ['2026-11-28T06:00:00.000Z', 1, 1],
    ]);
  });

  it('reads day_of_week on the local day of each instant (a FRIDAY 22:00–06:00 element stops at midnight)', () => {
    // Fri 23:00 → Sat 01:00: Fri 23:00–24:00 matches (1 h × 1.00); Sat 00:00–01:00 is Saturday → fallback 3.00. 4.00.
    const t = tariff({
      currency: 'EUR',
      elements: [{ price_components: [time(1, { vat: 0 })], restrictions: { start_time: '22:00', end_time: '06:00', day_of_week: ['FRIDAY'] } }, { price_components: [time(3, { vat: 0 })] }],
    });
    const b = cost(t, { startedAt: '2026-11-27T23:00:00Z', samples: [], endedAt: '2026-11-28T01:00:00Z' });
    expect(b.total_cost.excl_vat).toBe(4);
  });

  it('start_date is inclusive and end_date exclusive', () => {
    // Promotion 2026-12-24 (inclusive) to 2026-12-26 (exclusive) at 0.00; otherwise 1.00/h.
    // 2026-12-23 23:00 → 2026-12-26 01:00 = 50 h: 1 h before + 1 h after at 1.00 = 2.00, 48 h free.
    const t = tariff({
      currency: 'EUR',
      elements: [{ price_components: [time(0, { vat: 0 })], restrictions: { start_date: '2026-12-24', end_date: '2026-12-26' } }, { price_components: [time(1, { vat: 0 })] }],
    });
    expect(cost(t, { startedAt: '2026-12-23T23:00:00Z', samples: [], endedAt: '2026-12-26T01:00:00Z' }).total_cost.excl_vat).toBe(2);
  });

  it('reads restrictions in the tariff time_zone, across the Europe/Amsterdam autumn DST change', () => {
    // Day 1.00/h 07:00–23:00 local, night 0.50/h otherwise. Session 2026-10-24 20:00 UTC (22:00 CEST) →
    // 2026-10-25 07:00 UTC (08:00 CET; clocks went 03:00 CEST → 02:00 CET at 01:00 UTC).
    //   22:00–23:00 CEST day 1 h; 23:00 CEST (21:00 UTC) – 07:00 CET (06:00 UTC) night 9 h; 07:00–08:00 CET day 1 h.
    //   2 × 1.00 + 9 × 0.50 = 6.50. (Read in UTC it would be 3 h day + 8 h night = 7.00.)
    const body = {
      currency: 'EUR',
      elements: [{ price_components: [time(1, { vat: 0 })], restrictions: { start_time: '07:00', end_time: '23:00' } }, { price_components: [time(0.5, { vat: 0 })] }],
    };
    const trace: CostTrace = { startedAt: '2026-10-24T20:00:00Z', samples: [at('2026-10-25T00:30:00Z'), at('2026-10-25T01:30:00Z')], endedAt: '2026-10-25T07:00:00Z' };
    const b = cost(tariff({ ...body, time_zone: 'Europe/Amsterdam' }), trace);
    expect(b.total_cost.excl_vat).toBe(6.5);
    expect(b.charging_periods.map((p) => p.start_date_time)).toEqual(['2026-10-24T20:00:00.000Z', '2026-10-24T21:00:00.000Z', '2026-10-25T06:00:00.000Z']);
    expect(cost(tariff(body), trace).total_cost.excl_vat).toBe(7);
  });

  it('handles a start_time that does not exist on the spring DST day (02:30 Europe/Amsterdam, 2026-03-29)', () => {
    // 02:30–04:00 local at 1.00/h, else free. Clocks jump 02:00 CET → 03:00 CEST at 01:00 UTC, so the element
    // holds from 03:00 CEST (01:00 UTC) to 04:00 CEST (02:00 UTC): 1 h → 1.00.
    const t = tariff({
      currency: 'EUR',
      time_zone: 'Europe/Amsterdam',
      elements: [{ price_components: [time(1, { vat: 0 })], restrictions: { start_time: '02:30', end_time: '04:00' } }, { price_components: [time(0, { vat: 0 })] }],
    });
    expect(cost(t, { startedAt: '2026-03-29T00:00:00Z', samples: [], endedAt: '2026-03-29T03:00:00Z' }).total_cost.excl_vat).toBe(1);
  });
});

describe('cost: step_size (OCPI PriceComponent step_size)', () => {
  it('TIME step 300 s: 6 minutes used → 10 minutes billed', () => {
    // 1.20/h × 10/60 h = 0.20.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [time(1.2, { vat: 0, step_size: 300 })] }] });
    expect(cost(t, { startedAt: '2026-06-01T10:00:00Z', samples: [], endedAt: '2026-06-01T10:06:00Z' }).total_time_cost.excl_vat).toBe(0.2);
  });

  it('ENERGY step: 115.2 Wh billed as 116 Wh (step 1), 125 Wh (step 25), 500 Wh (step 500) — OCPI example', () => {
    // At 1000 per kWh so the Wh show in the cost: 116 Wh → 116.00, 125 Wh → 125.00, 500 Wh → 500.00.
    const trace: CostTrace = { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T10:10:00Z', endRegisterWh: 115.2 };
    const billed = (step_size: number) => cost(tariff({ currency: 'EUR', elements: [{ price_components: [energy(1000, { vat: 0, step_size })] }] }), trace).total_energy_cost.excl_vat;
    expect(billed(1)).toBe(116);
    expect(billed(25)).toBe(125);
    expect(billed(500)).toBe(500);
    expect(billed(0)).toBe(115.2); // no step: exact mWh
  });

  // OCPI's step_size example tariff: charging 1.20/h before 17:00 (step 1800 s), 2.40/h after 17:00 (step 900 s),
  // parking 1.00/h before 20:00 (step 900 s).
  const stepTariff = tariff({
    currency: 'EUR',
    elements: [
      { price_components: [time(1.2, { vat: 0, step_size: 1800 })], restrictions: { end_time: '17:00' } },
      { price_components: [time(2.4, { vat: 0, step_size: 900 })], restrictions: { start_time: '17:00' } },
      { price_components: [parking(1, { vat: 0, step_size: 900 })], restrictions: { end_time: '20:00' } },
    ],
  });

  it('OCPI example #1: 16:55 charge 10 min, park 2 min → 0.50 (the parking lies inside the TIME round-up)', () => {
    // 5 min before 17:00 at 1.20/h = 0.10 (no step: not the last element). After 17:00: total charging 10 min
    // rounds to 15 min with the last element's 900 s step, so 10 min at 2.40/h = 0.40. Parking 2 min is covered
    // by the 5 extra charging minutes → 0. Total 0.50.
    const b = cost(stepTariff, { startedAt: '2026-06-01T16:55:00Z', samples: [at('2026-06-01T17:05:00Z', undefined, { charging: false })], endedAt: '2026-06-01T17:07:00Z' });
    expect(b.total_time_cost.excl_vat).toBe(0.5);
    expect(b.total_parking_cost.excl_vat).toBe(0);
    expect(b.total_cost.excl_vat).toBe(0.5);
    expect(b.total_parking_time).toBeCloseTo(2 / 60, 12);
  });

  it('OCPI example #2: 16:35 charge 35 min → 1.30', () => {
    // 25 min at 1.20/h = 0.50; total 35 min → 45 min, 45 − 25 = 20 min at 2.40/h = 0.80. Total 1.30.
    const b = cost(stepTariff, { startedAt: '2026-06-01T16:35:00Z', samples: [], endedAt: '2026-06-01T17:10:00Z' });
    expect(b.total_cost.excl_vat).toBe(1.3);
  });

  it('parking longer than the TIME round-up is billed from where the round-up ends, with its own step', () => {
    // 16:55 charge 10 min (0.50 as above, 5 min round-up), then park 17:05–17:30 = 25 min: 5 min covered,
    // 20 min left → 30 min (step 900 s) at 1.00/h = 0.50. Total 1.00.
    const b = cost(stepTariff, { startedAt: '2026-06-01T16:55:00Z', samples: [at('2026-06-01T17:05:00Z', undefined, { charging: false })], endedAt: '2026-06-01T17:30:00Z' });
    expect(b.total_parking_cost.excl_vat).toBe(0.5);
    expect(b.total_cost.excl_vat).toBe(1);
  });

  it('rounds up a dimension when it stops being priced mid-session (OCPI "switching to Free-of-Charge")', () => {
    // Parking 1.00/h before 20:00 (step 900 s), free after. Parked 19:50–20:10: 10 min priced → 15 min = 0.25.
    const b = cost(stepTariff, { startedAt: '2026-06-01T19:50:00Z', charging: false, samples: [], endedAt: '2026-06-01T20:10:00Z' });
    expect(b.total_parking_cost.excl_vat).toBe(0.25);
  });
});

describe('cost: FLAT, PARKING_TIME, min_price and max_price (OCPI tariff examples)', () => {
  it('FLAT once per session: 0.50 start fee (20% VAT) + 20 kWh × 0.25 (10%) → 5.50 / 6.10', () => {
    // 0.50 + 5.00 = 5.50; 0.60 + 5.50 = 6.10. Charged once however many samples and periods.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [flat(0.5, { vat: 20 }), energy(0.25, { vat: 10 })] }] });
    const samples = Array.from({ length: 20 }, (_, i) => at(new Date(Date.UTC(2026, 5, 1, 10, i * 3)).toISOString(), i * 1000));
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples, endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 20_000 });
    expect(b.total_fixed_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.6 });
    expect(b.total_cost).toEqual({ excl_vat: 5.5, incl_vat: 6.1 });
    expect(b.flat_element).toBe(0);
  });

  it('FLAT is charged for a session with no samples and no energy', () => {
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [flat(0.5, { vat: 20 }), energy(0.25, { vat: 10 })] }] });
    expect(cost(t, { startedAt: '2026-06-01T10:00:00Z', samples: [], endedAt: '2026-06-01T10:00:00Z' }).total_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.6 });
  });

  it('PARKING_TIME when not charging: 150 min charging at 3.00/h + 42 min parking at 5.00/h (step 300 s) → 11.25 / 12.75', () => {
    // TIME 2.5 h × 3.00 = 7.50 (10% → 8.25); parking 42 → 45 min × 5.00/h = 3.75 (20% → 4.50). 11.25 / 12.75.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [time(3, { vat: 10, step_size: 60 }), parking(5, { vat: 20, step_size: 300 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', samples: [at('2026-06-01T12:30:00Z', undefined, { charging: false })], endedAt: '2026-06-01T13:12:00Z' });
    expect(b.total_time_cost).toEqual({ excl_vat: 7.5, incl_vat: 8.25 });
    expect(b.total_parking_cost).toEqual({ excl_vat: 3.75, incl_vat: 4.5 });
    expect(b.total_cost).toEqual({ excl_vat: 11.25, incl_vat: 12.75 });
    expect(b.total_charging_time).toBe(2.5);
    expect(b.total_parking_time).toBe(0.7);
  });

  it('start fee + energy + parking per 15 min: 20 kWh then 40 min parked → 7.00 / 7.90', () => {
    // 0.50 (0.60) + 20 × 0.25 = 5.00 (5.50) + 45 min × 2.00/h = 1.50 (1.80) = 7.00 / 7.90.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [flat(0.5, { vat: 20 }), energy(0.25, { vat: 10 }), parking(2, { vat: 20, step_size: 900 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T12:00:00Z', 20_000, { charging: false })], endedAt: '2026-06-01T12:40:00Z', endRegisterWh: 20_000 });
    expect(b.total_cost).toEqual({ excl_vat: 7, incl_vat: 7.9 });
  });

  it('min_price: 1 kWh × 0.25 → 0.50 / 0.55; 20 kWh → 5.00 / 5.50', () => {
    const t = tariff({ currency: 'EUR', min_price: { excl_vat: 0.5, incl_vat: 0.55 }, elements: [{ price_components: [energy(0.25, { vat: 10 })] }] });
    const run = (wh: number) => cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: wh });
    expect(run(1000).total_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.55 });
    expect(run(1000).total_energy_cost).toEqual({ excl_vat: 0.25, incl_vat: 0.28 }); // 0.275 → 0.28, parts unclamped
    expect(run(20_000).total_cost).toEqual({ excl_vat: 5, incl_vat: 5.5 });
  });

  it('max_price: start fee + 50 kWh → 10.00 / 11.00; 30 kWh → 8.00 / 8.85', () => {
    // 50 kWh: 0.50 + 12.50 = 13.00 > 10 → 10.00; incl 0.60 + 13.75 = 14.35 > 11 → 11.00.
    // 30 kWh: 0.50 + 7.50 = 8.00; incl 0.60 + 8.25 = 8.85.
    const t = tariff({ currency: 'EUR', max_price: { excl_vat: 10, incl_vat: 11 }, elements: [{ price_components: [flat(0.5, { vat: 20 }), energy(0.25, { vat: 10 })] }] });
    const run = (wh: number) => cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T12:00:00Z', endRegisterWh: wh });
    expect(run(50_000).total_cost).toEqual({ excl_vat: 10, incl_vat: 11 });
    expect(run(30_000).total_cost).toEqual({ excl_vat: 8, incl_vat: 8.85 });
  });
});

describe('cost: kWh, duration, power and current restrictions', () => {
  it('max_kwh: the first 10 kWh at 0.30, the rest at 0.20, split at the computed crossing instant', () => {
    // 25 kWh linearly over 10:00–11:15 (75 min): 10 kWh reached at 10/25 × 75 = 30 min → 10:30.
    // 10 × 0.30 + 15 × 0.20 = 3.00 + 3.00 = 6.00.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [energy(0.3, { vat: 0 })], restrictions: { max_kwh: 10 } }, { price_components: [energy(0.2, { vat: 0 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:15:00Z', endRegisterWh: 25_000 });
    expect(b.total_cost.excl_vat).toBe(6);
    expect(b.charging_periods.map((p) => [p.start_date_time, p.tariff_elements.ENERGY, p.dimensions[0]!.volume])).toEqual([
      ['2026-06-01T10:00:00.000Z', 0, 10],
      ['2026-06-01T10:30:00.000Z', 1, 15],
    ]);
  });

  it('min_kwh is inclusive: the first kWh free, then 0.20 (a sample exactly at 1 kWh)', () => {
    // 0–1 kWh free, 1–21 kWh × 0.20 = 4.00.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [energy(0.2, { vat: 0 })], restrictions: { min_kwh: 1 } }, { price_components: [energy(0, { vat: 0 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T10:03:00Z', 1000)], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 21_000 });
    expect(b.total_cost.excl_vat).toBe(4);
  });

  it('min/max_duration: OCPI supermarket example, 5 kWh in the first 30 min free then 1.2 kWh at 0.25 → 0.30', () => {
    const t = tariff({
      currency: 'EUR',
      elements: [
        { price_components: [energy(0, { vat: 0 })], restrictions: { max_duration: 1800 } },
        { price_components: [energy(0.25, { vat: 0 })], restrictions: { max_duration: 3600 } },
        { price_components: [energy(0.4, { vat: 0 })] },
      ],
    });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T10:30:00Z', 5000)], endedAt: '2026-06-01T10:40:00Z', endRegisterWh: 6200 });
    expect(b.total_cost.excl_vat).toBe(0.3);
    // One 40-minute interval instead: 6200 Wh linear, 30/40 → 4650 Wh free, 1550 Wh × 0.25 = 0.3875 → 0.39.
    const one = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T10:40:00Z', endRegisterWh: 6200 });
    expect(one.total_cost.excl_vat).toBe(0.39);
    // Past 60 min: 0.40. 10:00–11:20, 8000 Wh linear: 0–30 free 3000, 30–60 at 0.25 3000 = 0.75, 60–80 at 0.40 2000 = 0.80.
    const long = cost(t, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:20:00Z', endRegisterWh: 8000 });
    expect(long.total_cost.excl_vat).toBe(1.55);
  });

  const powerTariff = tariff({
    currency: 'EUR',
    elements: [
      { price_components: [energy(0.2, { vat: 0 })], restrictions: { max_power: 16 } },
      { price_components: [energy(0.35, { vat: 0 })], restrictions: { min_power: 16, max_power: 32 } },
      { price_components: [energy(0.5, { vat: 0 })] },
    ],
  });

  it('max_power: OCPI example, 1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW → 20.30', () => {
    // 1 × 0.20 + 40 × 0.50 + 0.5 × 0.20 = 0.20 + 20.00 + 0.10 = 20.30.
    const b = cost(powerTariff, {
      startedAt: '2026-06-01T10:00:00Z',
      startRegisterWh: 0,
      samples: [at('2026-06-01T10:00:00Z', 0, { powerW: 6000 }), at('2026-06-01T10:10:00Z', 1000, { powerW: 48_000 }), at('2026-06-01T11:00:00Z', 41_000, { powerW: 4000 })],
      endedAt: '2026-06-01T11:07:30Z',
      endRegisterWh: 41_500,
    });
    expect(b.total_cost.excl_vat).toBe(20.3);
    expect(b.charging_periods.map((p) => p.tariff_elements.ENERGY)).toEqual([0, 2, 0]);
  });

  it('max_power without powerW: the interval average power decides (same session → 20.30); 16 kW exactly is the middle band', () => {
    const b = cost(powerTariff, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T10:10:00Z', 1000), at('2026-06-01T11:00:00Z', 41_000)], endedAt: '2026-06-01T11:07:30Z', endRegisterWh: 41_500 });
    expect(b.total_cost.excl_vat).toBe(20.3);
    // 16 kWh in one hour = 16 kW: min_power 16 inclusive, max_power 16 exclusive → 0.35 × 16 = 5.60.
    const edge = cost(powerTariff, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 16_000 });
    expect(edge.total_cost.excl_vat).toBe(5.6);
  });

  it('current restrictions use the sample currentA; unknown current never matches a current restriction', () => {
    // TIME 1.00/h below 32 A, 2.00/h fallback. 1 h at 16 A → 1.00; 1 h with no current → 2.00.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [time(1, { vat: 0 })], restrictions: { max_current: 32 } }, { price_components: [time(2, { vat: 0 })] }] });
    const b = cost(t, { startedAt: '2026-06-01T10:00:00Z', samples: [at('2026-06-01T10:00:00Z', undefined, { currentA: 16 }), at('2026-06-01T11:00:00Z')], endedAt: '2026-06-01T12:00:00Z' });
    expect(b.total_cost.excl_vat).toBe(3);
  });

  it('ignores reservation elements (reservations are not priced yet)', () => {
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [time(5, { vat: 0 })], restrictions: { reservation: 'RESERVATION' } }, { price_components: [time(1, { vat: 0 })] }] });
    expect(cost(t, { startedAt: '2026-06-01T10:00:00Z', samples: [], endedAt: '2026-06-01T11:00:00Z' }).total_cost.excl_vat).toBe(1);
  });
});

describe('cost: samples as chargers send them', () => {
  const simple = tariff({ currency: 'EUR', elements: [{ price_components: [energy(0.25, { vat: 0 }), parking(1, { vat: 0 })] }] });

  it('flags a register that goes backwards and an out-of-order sample, ignoring both, without throwing', () => {
    // 0 → 5000 → 4000 (ignored) → 6000: 6 kWh × 0.25 = 1.50. The 10:20 sample after 10:30 is ignored.
    const b = cost(simple, {
      startedAt: '2026-06-01T10:00:00Z',
      startRegisterWh: 0,
      samples: [at('2026-06-01T10:10:00Z', 5000), at('2026-06-01T10:30:00Z', 4000), at('2026-06-01T10:20:00Z', 9000), at('2026-06-01T10:40:00Z', 6000), at('not a time', 7000)],
      endedAt: '2026-06-01T11:00:00Z',
      endRegisterWh: 6000,
    });
    expect(b.total_energy).toBe(6);
    expect(b.total_cost.excl_vat).toBe(1.5);
    expect(b.anomalies.map((a) => [a.kind, a.count, a.first_at])).toEqual([
      ['register_backwards', 1, '2026-06-01T10:30:00Z'],
      ['sample_out_of_order', 1, '2026-06-01T10:20:00Z'],
      ['invalid_time', 1, 'not a time'],
    ]);
  });

  it('spreads a register difference over the samples without a register since the last reading', () => {
    // 10:00 reg 0; 10:30 charging stops (no register); 11:00 reg 6000: 6 kWh over 60 min → 3 kWh in each half.
    const b = cost(simple, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T10:30:00Z', undefined, { charging: false })], endedAt: '2026-06-01T11:00:00Z', endRegisterWh: 6000 });
    expect(b.charging_periods.map((p) => p.dimensions)).toEqual([
      [{ type: 'ENERGY', volume: 3 }, { type: 'TIME', volume: 0.5 }],
      [{ type: 'ENERGY', volume: 3 }, { type: 'PARKING_TIME', volume: 0.5 }],
    ]);
    // 6 × 0.25 + 0.5 h × 1.00 = 2.00
    expect(b.total_cost.excl_vat).toBe(2);
  });

  it('an end before the last sample is flagged and the session ends at the last sample', () => {
    const b = cost(simple, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T11:00:00Z', 4000)], endedAt: '2026-06-01T10:30:00Z' });
    expect(b.end_date_time).toBe('2026-06-01T11:00:00.000Z');
    expect(b.anomalies.map((a) => a.kind)).toEqual(['end_before_last_sample']);
    expect(b.total_cost.excl_vat).toBe(1);
  });

  it('flags an invalid register and a long run without registers, still pricing all energy exactly', () => {
    // 20 samples without a register (more than MAX_PENDING), one with a NaN register, then 6000 Wh at 11:00:
    // the oldest intervals are priced without energy, the rest share the 6 kWh; all 6 kWh × 0.25 = 1.50.
    const samples = Array.from({ length: 20 }, (_, i) => at(new Date(Date.UTC(2026, 5, 1, 10, i * 2 + 1)).toISOString()));
    samples.push(at('2026-06-01T10:50:00Z', Number.NaN));
    const b = cost(simple, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [...samples, at('2026-06-01T11:00:00Z', 6000)], endedAt: '2026-06-01T11:00:00Z' });
    expect(b.total_energy).toBe(6);
    expect(b.total_cost.excl_vat).toBe(1.5);
    expect(b.anomalies.map((a) => a.kind).sort()).toEqual(['invalid_register', 'register_gap_overflow']);
  });

  it('takes a sample at the same instant as the previous one (its state applies from there)', () => {
    // 10:00 start charging, 10:00 again not charging: the whole hour is parking, 1.00.
    const b = cost(simple, { startedAt: '2026-06-01T10:00:00Z', startRegisterWh: 0, samples: [at('2026-06-01T10:00:00Z', 0, { charging: false })], endedAt: '2026-06-01T11:00:00Z' });
    expect(b.total_cost.excl_vat).toBe(1);
    expect(b.total_charging_time).toBe(0);
    expect(b.anomalies).toEqual([]);
  });

  it('runningCost prices the session so far and leaves the state unchanged', () => {
    // TIME 1.20/h step 300 s: 16 min so far → 20 min = 0.40; the session then goes on to 30 min = 0.60.
    const t = tariff({ currency: 'EUR', elements: [{ price_components: [time(1.2, { vat: 0, step_size: 300 })] }] });
    const state = advanceCost(startCost(t, { startedAt: '2026-06-01T10:00:00Z' }), at('2026-06-01T10:10:00Z'));
    const before = JSON.stringify(state);
    expect(runningCost(state, '2026-06-01T10:16:00Z').total_cost.excl_vat).toBe(0.4);
    expect(JSON.stringify(state)).toBe(before);
    expect(finishCost(state, { endedAt: '2026-06-01T10:30:00Z' }).total_cost.excl_vat).toBe(0.6);
  });
});

describe('cost: the fold', () => {
  const rich = tariff({
    currency: 'EUR',
    time_zone: 'Europe/Amsterdam',
    min_price: { excl_vat: 0.5 },
    elements: [
      { price_components: [flat(0.35, { vat: 21 })] },
      { price_components: [energy(0.3, { vat: 21, step_size: 10 }), time(0.6, { vat: 21, step_size: 60 })], restrictions: { start_time: '07:00', end_time: '22:00', max_kwh: 30 } },
      { price_components: [energy(0.45, { vat: 21 })], restrictions: { min_power: 22 } },
      { price_components: [parking(2, { vat: 21, step_size: 300 })], restrictions: { min_duration: 3600, day_of_week: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'] } },
      { price_components: [energy(0.22, { vat: 21 }), time(0.3, { vat: 21, step_size: 300 })] },
    ],
  });

  it('equals the batch computation with the state JSON round-tripped between every step (property)', () => {
    const sampleArb = fc.record({
      gapS: fc.integer({ min: 0, max: 3 * 3600 }),
      whDelta: fc.integer({ min: -500, max: 40_000 }),
      hasRegister: fc.boolean(),
      powerW: fc.option(fc.integer({ min: 0, max: 150_000 }), { nil: undefined }),
      charging: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), fc.array(sampleArb, { maxLength: 40 }), (startS, raw) => {
        const start = Date.UTC(2026, 0, 1) + startS * 1000;
        let t = start;
        let wh = 1000;
        const samples: CostSample[] = raw.map((r) => {
          t += r.gapS * 1000;
          wh += r.whDelta;
          return { at: new Date(t).toISOString(), registerWh: r.hasRegister ? wh : undefined, powerW: r.powerW, charging: r.charging };
        });
        const trace: CostTrace = { startedAt: new Date(start).toISOString(), startRegisterWh: 1000, samples, endedAt: new Date(t + 60_000).toISOString(), endRegisterWh: wh };
        const batch = computeCost(rich, trace);
        expect(foldThroughJson(rich, trace)).toEqual(batch);
        // Energy is conserved exactly: every accepted register rise is in some period.
        const periodMilliWh = batch.charging_periods.reduce((sum, p) => sum + Math.round((p.dimensions.find((d) => d.type === 'ENERGY')?.volume ?? 0) * 1e6), 0);
        expect(periodMilliWh).toBe(Math.round(batch.total_energy * 1e6));
        expect(batch.total_cost.excl_vat).toBeGreaterThanOrEqual(0.5);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the state bounded after 100,000 samples, and the cost exact', () => {
    // One sample every 10 s for ~11.6 days, power flapping across 22 kW, charging toggling, no register gaps:
    // 100,000 × 10 Wh = 1,000,000 Wh. Energy rises 10 Wh per sample.
    let state = startCost(rich, { startedAt: '2026-06-01T00:00:00Z', startRegisterWh: 0 });
    const start = Date.parse('2026-06-01T00:00:00Z');
    let sizeAt1000 = 0;
    for (let i = 1; i <= 100_000; i++) {
      state = advanceCost(state, { at: new Date(start + i * 10_000).toISOString(), registerWh: i * 10, powerW: i % 2 ? 30_000 : 11_000, charging: i % 7 !== 0 });
      if (i === 1000) sizeAt1000 = JSON.stringify(state).length;
    }
    const size = JSON.stringify(state).length;
    expect(state.periods.length).toBeLessThanOrEqual(MAX_PERIODS);
    expect(size).toBeLessThan(20_000);
    expect(size).toBeLessThan(sizeAt1000 * 1.5);
    const b = finishCost(state, { endedAt: new Date(start + 100_000 * 10_000).toISOString() });
    expect(b.total_energy).toBe(1000);
    expect(b.anomalies.map((a) => a.kind)).toContain('periods_merged');
  }, 60_000);
});
