// What a transaction's messages tell the cost engine (src/tariffs/cost.ts): meter values as cost samples,
// charging states as charging or not. Pure: no storage, no Cloudflare types.
//
// Of a reading's sampled values: the energy register is Energy.Active.Import.Register without a phase (the
// meter's total; a per-phase register is part of it), power is Power.Active.Import without a phase (else the
// sum of the phases L1..L3), current is Current.Import's largest phase (what a current restriction limits); values
// measured at the EV (location EV) are left out, as the bill is the charger's meter. Units are already base
// units (Wh, W, A: src/ocpp/meter-values.ts normalises them).

import { ENERGY_REGISTER, type MeterSample } from '../ocpp/meter-values';
import type { CostSample } from './cost';

/** 2.0.1 ChargingStateEnumType: only `Charging` delivers energy; EVConnected, SuspendedEV, SuspendedEVSE, Idle do not. */
export function chargingOf201(chargingState: string): boolean {
  return chargingState === 'Charging';
}

/**
 * 1.6 connector status while a transaction runs: `Charging` is charging; SuspendedEV, SuspendedEVSE and
 * Finishing are connected without charging; any other status (Preparing, Available, Faulted, ...) says
 * nothing about this transaction's charging (undefined).
 */
export function chargingOf16(status: string): boolean | undefined {
  if (status === 'Charging') return true;
  if (status === 'SuspendedEV' || status === 'SuspendedEVSE' || status === 'Finishing') return false;
  return undefined;
}

/**
 * One cost sample per distinct timestamp of `samples`, oldest first, each charging as `chargingAt` says for
 * its time. A timestamp with nothing the engine uses (no register, power or current) still marks time.
 */
export function costSamplesOf(samples: readonly MeterSample[], chargingAt: (at: string) => boolean): CostSample[] {
  const byTime = new Map<string, { register?: number; power?: number; phasePower?: number; current?: number }>();
  for (const s of samples) {
    if (s.location === 'EV' || s.value === null) continue;
    const entry = byTime.get(s.timestamp) ?? {};
    byTime.set(s.timestamp, entry);
    if (s.measurand === ENERGY_REGISTER && s.unit === 'Wh' && s.phase === null) entry.register = s.value;
    else if (s.measurand === 'Power.Active.Import' && s.unit === 'W') {
      if (s.phase === null) entry.power = s.value;
      else if (/^L[123](-N)?$/.test(s.phase)) entry.phasePower = (entry.phasePower ?? 0) + s.value;
    } else if (s.measurand === 'Current.Import' && s.unit === 'A' && s.phase !== 'N') {
      entry.current = Math.max(entry.current ?? 0, s.value);
    }
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b))
    .map(([at, e]) => {
      const powerW = e.power ?? e.phasePower;
      return {
        at,
        charging: chargingAt(at),
        ...(e.register !== undefined ? { registerWh: e.register } : {}),
        ...(powerW !== undefined ? { powerW } : {}),
        ...(e.current !== undefined ? { currentA: e.current } : {}),
      };
    });
}

/**
 * The amount a 2.0.1 TransactionEventResponse's totalCost holds (I03): "Final total cost of this
 * transaction, including taxes". When the total incl. VAT cannot be known (a component priced something
 * without `vat`, which OCPI reads as "no VAT applicable"), the total excl. VAT is what the driver pays and is
 * sent. A free session gives 0.
 */
export function totalCostOf(total: { excl_vat: number; incl_vat?: number }): number {
  return total.incl_vat ?? total.excl_vat;
}
