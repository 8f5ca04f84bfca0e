// The simulated electricity meter: the current a car draws on each phase (held between samples, so
// what a reading shows is what was drawn since), an energy register that integrates it, and sampled
// values in each OCPP version's shape; and the car's acceptance over a session.

import { VOLTS } from './profiles.mjs';

export const ENERGY = 'Energy.Active.Import.Register';
export const POWER = 'Power.Active.Import';
export const CURRENT = 'Current.Import';

/** The fleet's phases: every fourth charger is single-phase AC, the others three-phase. */
export function chargerPhases(index) {
  return index % 4 === 0 ? 1 : 3;
}

/** A model name from the charger's power: 32 A on one phase is SIM-AC7, on three SIM-AC22; 16 A on three SIM-AC11. */
export function modelName(phases, ratingAmps) {
  return `SIM-AC${Math.round((ratingAmps * VOLTS * phases) / 1000)}`;
}

/**
 * The share of its maximum current a car takes over one session of `durationMs`: a ramp from 10 %
 * to the plateau over the first 15 % (at most a minute), the plateau with a little ripple, then from
 * 75 % an exponential taper down to about 15 % as the battery fills. An open-ended session
 * (Infinity) ramps and holds.
 */
export class ChargingCurve {
  constructor(durationMs) {
    this.durationMs = Math.max(durationMs, 1);
    this.rampMs = Math.min(0.15 * this.durationMs, 60_000);
  }

  factorAt(elapsedMs) {
    const t = Math.max(0, elapsedMs);
    if (t < this.rampMs) return 0.1 + 0.9 * (t / this.rampMs);
    const x = t / this.durationMs;
    if (x < 0.75) return 0.98 + 0.02 * Math.sin(t / 7_000);
    return Math.exp((-1.9 * (Math.min(x, 1.2) - 0.75)) / 0.25);
  }
}

/** A lifetime energy register (Wh) and the current drawn now (A per phase, on `phasesInUse` of the charger's phases). */
export class Meter {
  constructor(initialWh, phases, at = Date.now()) {
    this.registerWh = initialWh;
    this.phases = phases;
    this.amps = 0;
    this.phasesInUse = phases;
    this.at = at;
  }

  /** The power drawn now (W). */
  get powerW() {
    return this.amps * VOLTS * this.phasesInUse;
  }

  /** Adds the energy of what was drawn since the last reading, up to `now`. */
  advance(now = Date.now()) {
    if (now > this.at) {
      this.registerWh += (this.powerW * (now - this.at)) / 3_600_000;
      this.at = now;
    }
    return this;
  }

  /** From `now` on the car draws `amps` on `phasesInUse` phases (0: nothing). */
  draw(amps, phasesInUse = this.phases, now = Date.now()) {
    this.advance(now);
    this.amps = amps;
    this.phasesInUse = Math.min(phasesInUse, this.phases);
  }

  /** The register as the charger reports it: 1.6 meterStart/meterStop are whole Wh. */
  wholeWh() {
    return Math.round(this.registerWh);
  }

  /**
   * The readings of one moment; a begin or end reading carries the energy register only. Current
   * is per phase (L1, L2, L3 on a three-phase charger, L1 on a single-phase one), 0 on a phase the car
   * does not use.
   */
  readings(context) {
    const energy = Math.round(this.registerWh * 10) / 10;
    if (context === 'Transaction.Begin' || context === 'Transaction.End') return [{ measurand: ENERGY, value: energy, unit: 'Wh' }];
    const currents = Array.from({ length: this.phases }, (_, i) => ({
      measurand: CURRENT,
      phase: `L${i + 1}`,
      value: i < this.phasesInUse ? this.amps : 0,
      unit: 'A',
    }));
    return [
      { measurand: ENERGY, value: energy, unit: 'Wh' },
      { measurand: POWER, value: Math.round(this.powerW), unit: 'W' },
      ...currents,
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
        ...(r.phase ? { phase: r.phase } : {}),
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
        ...(r.phase ? { phase: r.phase } : {}),
        location: 'Outlet',
        unitOfMeasure: { unit: r.unit },
      })),
    };
  }
}
