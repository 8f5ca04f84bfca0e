// The simulated electricity meter: a charging curve (ramp up, plateau, taper near full) and an
// energy register that integrates it, plus sampled values in each OCPP version's shape.

export const ENERGY = 'Energy.Active.Import.Register';
export const POWER = 'Power.Active.Import';
export const CURRENT = 'Current.Import';

const VOLTS = 230;
const STEP_MS = 100;

/** What kinds of charger the fleet is made of: AC single and three phase, and some DC. */
const KINDS = [
  { model: 'SIM-AC7', maxPowerW: 7_400, phases: 1 },
  { model: 'SIM-AC11', maxPowerW: 11_000, phases: 3 },
  { model: 'SIM-AC22', maxPowerW: 22_000, phases: 3 },
  { model: 'SIM-DC50', maxPowerW: 50_000, phases: 3 },
];

export function chargerKind(index) {
  return KINDS[index % KINDS.length];
}

/**
 * The power a car draws over one session of `durationMs`: a ramp from 10 % to the plateau over
 * the first 15 % (at most a minute), the plateau (the car's or the charger's limit, whichever is
 * lower) with ±2 % ripple, then from 75 % an exponential taper down to about 15 % as the battery
 * fills.
 */
export class ChargingCurve {
  constructor(maxPowerW, durationMs) {
    this.plateauW = maxPowerW * (0.8 + Math.random() * 0.2);
    this.durationMs = Math.max(durationMs, 1);
    this.rampMs = Math.min(0.15 * this.durationMs, 60_000);
  }

  powerAt(elapsedMs) {
    const t = Math.max(0, elapsedMs);
    if (t < this.rampMs) return this.plateauW * (0.1 + 0.9 * (t / this.rampMs));
    const x = t / this.durationMs;
    if (x < 0.75) return this.plateauW * (1 + 0.02 * Math.sin(t / 7_000));
    return this.plateauW * Math.exp(-1.9 * (Math.min(x, 1.2) - 0.75) / 0.25);
  }
}

/** A lifetime energy register (Wh) and the power drawn now (W). */
export class Meter {
  constructor(initialWh, phases) {
    this.registerWh = initialWh;
    this.powerW = 0;
    this.phases = phases;
    this.at = Date.now();
  }

  /** Integrates `powerOf(now)` (W, null when idle) from the last reading up to now. */
  advance(powerOf, now = Date.now()) {
    for (let t = this.at; t < now; t += STEP_MS) {
      const dt = Math.min(STEP_MS, now - t);
      this.registerWh += (powerOf(t + dt / 2) * dt) / 3_600_000;
    }
    this.at = now;
    this.powerW = powerOf(now);
    return this;
  }

  /** The register as the charger reports it: 1.6 meterStart/meterStop are whole Wh. */
  wholeWh() {
    return Math.round(this.registerWh);
  }

  /** The readings of one moment; a begin or end reading carries the energy register only. */
  readings(context) {
    const energy = Math.round(this.registerWh * 10) / 10;
    if (context === 'Transaction.Begin' || context === 'Transaction.End') return [{ measurand: ENERGY, value: energy, unit: 'Wh' }];
    const power = Math.round(this.powerW);
    return [
      { measurand: ENERGY, value: energy, unit: 'Wh' },
      { measurand: POWER, value: power, unit: 'W' },
      { measurand: CURRENT, value: Math.round((power / VOLTS / this.phases) * 10) / 10, unit: 'A' },
    ];
  }

  /** A 1.6 MeterValue: values are text. */
  meterValue16(context, timestamp = new Date().toISOString()) {
    return {
      timestamp,
      sampledValue: this.readings(context).map((r) => ({
        value: String(r.value),
        context,
        format: 'Raw',
        measurand: r.measurand,
        location: 'Outlet',
        unit: r.unit,
      })),
    };
  }

  /** A 2.0.1 MeterValue: values are numbers. */
  meterValue201(context, timestamp = new Date().toISOString()) {
    return {
      timestamp,
      sampledValue: this.readings(context).map((r) => ({
        value: r.value,
        context,
        measurand: r.measurand,
        location: 'Outlet',
        unitOfMeasure: { unit: r.unit },
      })),
    };
  }
}
