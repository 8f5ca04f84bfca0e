// The order of sending a new allocation (issue 17): profiles are in flight for a while, and a
// charger may apply an increase before another accepts its decrease. So decreases go at once, and
// an increase goes only when, counting every session at its worst case, it keeps every limit. The
// site's object calls planSends again after each answer, and the increases follow the accepted
// decreases. Pure: no Cloudflare types; `.ts` imports so Node runs it by type stripping.

import type { Capacity, Demand, FixedLoad, Share } from './allocation.ts';
import { addLoad, buildConstraints } from './constraints.ts';

/** What a session's charger holds and what is on its way to it. */
export interface Committed {
  key: string;
  /** The amps the charger last accepted for it; null: none known (it counts at its maxAmps). */
  acceptedAmps: number | null;
  /**
   * Sent and not answered yet; null: nothing in flight. With more than one send in flight this must
   * be the highest of them (any may still be applied), not the latest.
   */
  pendingAmps: number | null;
  /** The latest of the sends in flight, when it differs from pendingAmps; default pendingAmps. */
  lastSentAmps?: number | null;
}

export interface PlanOptions {
  /** An increase smaller than this is not sent (default 1 A); a decrease always is. */
  minChangeAmps?: number;
}

/** Slack tolerated on a limit: float dust, far below the 0.1 A shares are rounded to. */
const EPSILON = 1e-9;

/**
 * The profiles to send now, decreases first, as { key, amps }. A session's worst case is
 * max(accepted ?? its maxAmps, pending ?? 0): whatever it may be drawing while answers are due.
 * Increases are taken by priority (then the largest first); each is sent only if, with the worst
 * cases of all sessions and the fixed loads, no limit is exceeded. An increase never adds to a
 * limit that is already exceeded.
 */
export function planSends(
  capacity: Capacity,
  demands: Demand[],
  fixed: FixedLoad[],
  committed: Map<string, Committed>,
  targets: Map<string, Share>,
  options: PlanOptions = {},
): { key: string; amps: number }[] {
  const minChange = options.minChangeAmps ?? 1;
  const constraints = buildConstraints(capacity);
  const load = new Float64Array(constraints.limits.length);
  for (const f of fixed) if (f.amps > 0) addLoad(load, constraints.terms(f.circuitId, f.phases), f.amps);

  const worst = new Float64Array(demands.length);
  for (let i = 0; i < demands.length; i++) {
    const demand = demands[i]!;
    const held = committed.get(demand.key);
    worst[i] = Math.max(held?.acceptedAmps ?? demand.maxAmps, held?.pendingAmps ?? 0);
    addLoad(load, constraints.terms(demand.circuitId, demand.phases), worst[i]!);
  }

  const decreases: { key: string; amps: number }[] = [];
  const increases: { i: number; amps: number; by: number }[] = [];
  for (let i = 0; i < demands.length; i++) {
    const demand = demands[i]!;
    const target = targets.get(demand.key)?.amps ?? 0;
    const held = committed.get(demand.key);
    const latest = held?.pendingAmps != null ? (held.lastSentAmps ?? held.pendingAmps) : (held?.acceptedAmps ?? null);
    // Nothing known held: its first profile can only lower its worst case (its maxAmps).
    if (latest === null || target < latest) decreases.push({ key: demand.key, amps: target });
    else if (target > latest && target - latest >= minChange) increases.push({ i, amps: target, by: target - latest });
  }
  // The worst cases stay as they are for the decreases just planned: until answered, the old value may hold.

  increases.sort((a, b) => demands[b.i]!.priority - demands[a.i]!.priority || b.by - a.by || (demands[a.i]!.key < demands[b.i]!.key ? -1 : 1));
  const sends = decreases;
  for (const { i, amps } of increases) {
    const demand = demands[i]!;
    const rise = Math.max(0, amps - worst[i]!);
    const terms = constraints.terms(demand.circuitId, demand.phases);
    let fits = true;
    for (let k = 0; k < terms.index.length && rise > 0; k++) {
      const c = terms.index[k]!;
      if (load[c]! + rise * terms.coef[k]! > constraints.limits[c]! + EPSILON) {
        fits = false;
        break;
      }
    }
    if (!fits) continue;
    addLoad(load, terms, rise);
    worst[i] = worst[i]! + rise;
    sends.push({ key: demand.key, amps });
  }
  return sends;
}
