// fast-check arbitraries and a limits oracle for the site allocator's property tests (issue 17):
// random sites (nested circuits, amps and kW limits, voltages), fixed loads and sessions
// (src/sites/allocation.property.test.ts, plan.test.ts). The oracle walks each load up its circuit
// chain itself, so that a fault in src/sites/constraints.ts cannot hide one in what is checked.
import fc from 'fast-check';
import type { Capacity, Demand, FixedLoad } from '../../src/sites/allocation';
import type { CircuitConfig, SitePhase } from '../../src/sites/model';

export const NOW = Date.parse('2026-12-01T12:00:00Z');

/** A constraint as the oracle sees it: a node (null: the site) and a phase, or 'kw'. */
export interface Check {
  node: string | null;
  kind: SitePhase | 'kw';
  limit: number;
}

/** The nodes a load under `circuitId` counts against: its circuit, that one's parents, the site (null). */
function chain(capacity: Capacity, circuitId: string | null): (string | null)[] {
  const byId = new Map(capacity.circuits.map((c) => [c.circuitId, c]));
  const nodes: (string | null)[] = [];
  for (let at = circuitId === null ? undefined : byId.get(circuitId); at; at = at.parentId === null ? undefined : byId.get(at.parentId)) nodes.push(at.circuitId);
  nodes.push(null);
  return nodes;
}

export function checks(capacity: Capacity): Check[] {
  const out: Check[] = [];
  const add = (node: string | null, limit: { amps: number | null; kw: number | null }): void => {
    if (limit.amps !== null) for (const kind of [1, 2, 3] as const) out.push({ node, kind, limit: limit.amps });
    if (limit.kw !== null) out.push({ node, kind: 'kw', limit: limit.kw });
  };
  add(null, capacity.limit);
  for (const c of capacity.circuits) add(c.circuitId, c.limit);
  return out;
}

/** How much one amp of a load (circuit, phases) adds to `check`: 0 when it does not count against it. */
export function coefficient(capacity: Capacity, check: Check, circuitId: string | null, phases: SitePhase[]): number {
  if (!chain(capacity, circuitId).includes(check.node)) return 0;
  const on: SitePhase[] = phases.length === 0 ? [1, 2, 3] : phases;
  return check.kind === 'kw' ? (on.length * capacity.voltage) / 1000 : on.includes(check.kind) ? 1 : 0;
}

export interface Case {
  capacity: Capacity;
  demands: Demand[];
  fixed: FixedLoad[];
}

const tenths = (max: number) => fc.integer({ min: 0, max: max * 10 }).map((n) => n / 10);
const phasesArb = fc.constantFrom<SitePhase[]>([1], [2], [3], [1, 2, 3], [1, 2, 3]);

export function caseArb(maxSessions: number): fc.Arbitrary<Case> {
  return fc
    .record({
      voltage: fc.constantFrom(230, 120, 240),
      siteAmps: fc.option(tenths(200), { nil: null }),
      siteKw: fc.option(tenths(120), { nil: null }),
      circuits: fc.array(fc.record({ parent: fc.nat(), hasParent: fc.boolean(), amps: fc.option(tenths(80), { nil: null }), kw: fc.option(tenths(60), { nil: null }) }), { maxLength: 4 }),
      demands: fc.array(
        fc.record({
          circuit: fc.nat(),
          phases: phasesArb,
          minAmps: fc.constantFrom(0, 6, 6, 6, 8),
          maxAmps: fc.oneof(fc.constantFrom(16, 32), tenths(40)),
          drawCapAmps: fc.option(tenths(40), { nil: null, freq: 3 }),
          priority: fc.integer({ min: 0, max: 2 }),
          charging: fc.boolean(),
          sinceMinutes: fc.integer({ min: 0, max: 40 }),
        }),
        { maxLength: maxSessions },
      ),
      fixed: fc.array(fc.record({ circuit: fc.nat(), phases: phasesArb, amps: tenths(40) }), { maxLength: 3 }),
    })
    .map(({ voltage, siteAmps, siteKw, circuits, demands, fixed }) => {
      const circuitConfigs: CircuitConfig[] = circuits.map((c, k) => ({
        circuitId: `C${k}`,
        parentId: c.hasParent && k > 0 ? `C${c.parent % k}` : null,
        name: `C${k}`,
        limit: { amps: c.amps, kw: c.kw },
      }));
      // One pick more than there are circuits: the site directly.
      const pick = (n: number): string | null => (n % (circuitConfigs.length + 1) === 0 ? null : `C${(n % (circuitConfigs.length + 1)) - 1}`);
      return {
        capacity: { limit: { amps: siteAmps, kw: siteKw }, voltage, circuits: circuitConfigs },
        demands: demands.map((d, i) => ({
          key: `s${i}`, chargerId: `s${i}`, evseId: null, circuitId: pick(d.circuit), phases: d.phases, minAmps: d.minAmps, maxAmps: d.maxAmps,
          drawCapAmps: d.drawCapAmps, priority: d.priority, charging: d.charging, since: NOW - d.sinceMinutes * 60_000,
        })),
        fixed: fixed.map((f, i) => ({ key: `fixed:${i}`, circuitId: pick(f.circuit), phases: f.phases, amps: f.amps, reason: 'unreachable' as const })),
      };
    });
}

/** The session's cap: its rating, and its draw cap (never below its minimum). */
export function topOf(d: Demand): number {
  return Math.min(d.maxAmps, d.drawCapAmps === null ? Infinity : Math.max(d.drawCapAmps, d.minAmps));
}

