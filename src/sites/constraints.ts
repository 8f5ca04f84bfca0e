// A site's limits as flat linear constraints (issue 17): the site and each circuit, per phase in
// amps and in kW, each counting the loads of everything beneath it. allocation.ts fills them and
// plan.ts checks worst cases against them. Pure: no Cloudflare types.
//
// A load of `a` amps per phase on phases P under circuit X adds `a` to the phase constraints of X
// and of every circuit above it (up to the site) for each phase in P, and a × |P| × voltage / 1000
// to their kW constraints. Imports carry `.ts` so Node runs this file by type stripping (the bench).

import type { Capacity } from './allocation.ts';
import type { Limit, SitePhase } from './model.ts';

/** What `limitedBy` names when the site's own limit binds. */
export const SITE_NODE = 'site';

/** The constraints one load counts against, with how much each of its amps adds to them. */
export interface Terms {
  /** Constraint indices. */
  index: Int32Array;
  /** Per index: 1 for a phase constraint, |phases| × voltage / 1000 for a kW one. */
  coef: Float64Array;
  /** The node (0: the site) the load hangs from. */
  node: number;
  /** Bit p set when the load is on site phase p (bits 1..3). */
  phaseMask: number;
}

export interface Constraints {
  /** Limit per constraint: amps on one phase, or kW. */
  limits: Float64Array;
  /** Per constraint: its node's index. */
  nodeOf: Int32Array;
  /** Per constraint: the phase (1..3) it is for, or 0 for kW. */
  phaseOf: Int8Array;
  /** Per node: 'site' or the circuitId. Node 0 is the site. */
  labels: string[];
  /** Per node: the nodes hanging directly from it. */
  children: number[][];
  /** The terms of a load of `phases` under `circuitId` (null or unknown: on the site directly). */
  terms(circuitId: string | null, phases: readonly SitePhase[]): Terms;
}

const ALL_PHASES: readonly SitePhase[] = [1, 2, 3];

/**
 * The constraint set of `capacity`. A circuit whose parent is unknown, or that sits in a parent
 * cycle (the API refuses both), hangs from the site: its loads still count against the site's limit.
 */
export function buildConstraints(capacity: Capacity): Constraints {
  const labels: string[] = [SITE_NODE];
  const limitsOfNode: Limit[] = [capacity.limit];
  const indexOfCircuit = new Map<string, number>();
  for (const circuit of capacity.circuits) {
    if (indexOfCircuit.has(circuit.circuitId)) continue;
    indexOfCircuit.set(circuit.circuitId, labels.length);
    labels.push(circuit.circuitId);
    limitsOfNode.push(circuit.limit);
  }
  const parent = new Int32Array(labels.length).fill(-1);
  for (const circuit of capacity.circuits) {
    const node = indexOfCircuit.get(circuit.circuitId)!;
    parent[node] = circuit.parentId === null ? 0 : indexOfCircuit.get(circuit.parentId) ?? 0;
  }
  // Break cycles: a node that does not reach the site by its parents hangs from the site.
  for (let node = 1; node < labels.length; node++) {
    const seen = new Set<number>([node]);
    let at = parent[node]!;
    while (at !== 0) {
      if (seen.has(at)) {
        parent[node] = 0;
        break;
      }
      seen.add(at);
      at = parent[at]!;
    }
  }
  const children: number[][] = labels.map(() => []);
  for (let node = 1; node < labels.length; node++) children[parent[node]!]!.push(node);

  // Per node: its constraints by phase (index 1..3) and kW (index 0); -1 where it has no such limit.
  const constraintOf: Int32Array[] = [];
  const limits: number[] = [];
  const nodeOf: number[] = [];
  const phaseOf: number[] = [];
  for (let node = 0; node < labels.length; node++) {
    const limit = limitsOfNode[node]!;
    const own = new Int32Array(4).fill(-1);
    if (limit.amps !== null) {
      for (const phase of ALL_PHASES) {
        own[phase] = limits.length;
        limits.push(limit.amps);
        nodeOf.push(node);
        phaseOf.push(phase);
      }
    }
    if (limit.kw !== null) {
      own[0] = limits.length;
      limits.push(limit.kw);
      nodeOf.push(node);
      phaseOf.push(0);
    }
    constraintOf.push(own);
  }

  const kwPerAmp = capacity.voltage / 1000;
  const cache = new Map<string, Terms>();
  const terms = (circuitId: string | null, phases: readonly SitePhase[]): Terms => {
    const node = circuitId === null ? 0 : indexOfCircuit.get(circuitId) ?? 0;
    let phaseMask = 0;
    for (const phase of phases) if (phase === 1 || phase === 2 || phase === 3) phaseMask |= 1 << phase;
    // A load on no known phase could be on any: counted on all three.
    if (phaseMask === 0) phaseMask = 0b1110;
    const cacheKey = `${node}:${phaseMask}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const phaseCount = ((phaseMask >> 1) & 1) + ((phaseMask >> 2) & 1) + ((phaseMask >> 3) & 1);
    const index: number[] = [];
    const coef: number[] = [];
    for (let at = node; ; at = parent[at]!) {
      const own = constraintOf[at]!;
      for (const phase of ALL_PHASES) {
        if (phaseMask & (1 << phase) && own[phase]! >= 0) {
          index.push(own[phase]!);
          coef.push(1);
        }
      }
      if (own[0]! >= 0) {
        index.push(own[0]!);
        coef.push(phaseCount * kwPerAmp);
      }
      if (at === 0) break;
    }
    const made: Terms = { index: Int32Array.from(index), coef: Float64Array.from(coef), node, phaseMask };
    cache.set(cacheKey, made);
    return made;
  };

  return {
    limits: Float64Array.from(limits),
    nodeOf: Int32Array.from(nodeOf),
    phaseOf: Int8Array.from(phaseOf),
    labels,
    children,
    terms,
  };
}

/** Adds `amps` of a load with `terms` to per-constraint `load`. */
export function addLoad(load: Float64Array, terms: Terms, amps: number): void {
  for (let k = 0; k < terms.index.length; k++) load[terms.index[k]!]! += amps * terms.coef[k]!;
}
