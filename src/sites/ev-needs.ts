// What a car's ISO 15118 charging needs (2.x NotifyEVChargingNeeds, K15–K17) change in its session's
// demand on the site (src/sites/site-inputs.ts): the car's own maximum and minimum current, and its
// departure time while it still needs energy. Pure: no Cloudflare types; `.ts` imports so Node runs
// it by type stripping (bench/lib/allocation.mjs drives site-inputs).

import type { EvNeedsSignal } from './signals.ts';

/** A session's needs as the site keeps them (in its session's JSON: every field may be absent in older rows). */
export interface SessionNeeds {
  /** Epoch ms the car said it leaves; null: not said. */
  departureAt: number | null;
  /** Wh it asked for; null: not said. */
  energyWh: number | null;
  /** AC amps per phase. */
  evMaxAmps: number | null;
  evMinAmps: number | null;
  /** A DC car's maximum power (W), turned into AC amps at the site's voltage. */
  evMaxPowerW: number | null;
}

export function sessionNeeds(signal: EvNeedsSignal): SessionNeeds {
  return {
    departureAt: signal.departureTime === null ? null : Date.parse(signal.departureTime),
    energyWh: signal.energyAmount,
    evMaxAmps: signal.evMaxCurrent,
    evMinAmps: signal.evMinCurrent,
    evMaxPowerW: signal.evMaxPowerW,
  };
}

/** What the site knows of a session for its needs: the needs, and its energy register at the first and the latest reading seen. */
export interface NeedsView {
  needs?: SessionNeeds;
  energyFirstWh?: number;
  energyLatestWh?: number;
}

/**
 * The session's minimum and maximum share and its departure for admission, from the site's own
 * (`minAmps`: the site's minimum, `maxAmps`: the charger's rating):
 * - max: the lower of the rating and the car's maximum (AC evMaxCurrent; a DC car's power at
 *   `voltage` over the `phases` it loads);
 * - min: the higher of the site's minimum and the car's evMinCurrent, when that is at most the max
 *   (a car saying it needs more than it can take is not believed);
 * - departureAt: the car's departure while it still needs energy. Delivered is the register's
 *   advance since the first reading the site saw of the transaction (it may have missed the very
 *   start: then it counts less, and the car is preferred a little longer); with no register
 *   readings or no energy asked, it is taken to need it.
 */
export function needsLimits(session: NeedsView, minAmps: number, maxAmps: number, voltage: number, phases: number): { minAmps: number; maxAmps: number; departureAt: number | null } {
  const needs = session.needs;
  if (!needs) return { minAmps, maxAmps, departureAt: null };
  let max = maxAmps;
  if (needs.evMaxAmps !== null && needs.evMaxAmps !== undefined) max = Math.min(max, needs.evMaxAmps);
  if (needs.evMaxPowerW !== null && needs.evMaxPowerW !== undefined && voltage > 0 && phases > 0) max = Math.min(max, needs.evMaxPowerW / (voltage * phases));
  let min = minAmps;
  if (needs.evMinAmps !== null && needs.evMinAmps !== undefined && needs.evMinAmps <= max) min = Math.max(min, needs.evMinAmps);
  const departureAt = needs.departureAt ?? null;
  return { minAmps: min, maxAmps: max, departureAt: departureAt !== null && stillNeedsEnergy(session) ? departureAt : null };
}

function stillNeedsEnergy(session: NeedsView): boolean {
  const asked = session.needs?.energyWh ?? null;
  if (asked === null || session.energyFirstWh === undefined || session.energyLatestWh === undefined) return true;
  return session.energyLatestWh - session.energyFirstWh < asked;
}

/** The site log's line for a car's needs: what it said, or null when it said nothing the site uses. */
export function needsDetail(signal: EvNeedsSignal): string | null {
  const parts = [
    signal.departureTime !== null && `departs ${signal.departureTime}`,
    signal.energyAmount !== null && `${signal.energyAmount} Wh`,
    signal.evMinCurrent !== null && `min ${signal.evMinCurrent} A`,
    signal.evMaxCurrent !== null && `max ${signal.evMaxCurrent} A`,
    signal.evMaxPowerW !== null && `max ${signal.evMaxPowerW} W`,
  ];
  return parts.filter(Boolean).join(', ') || null;
}
