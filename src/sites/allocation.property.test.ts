// Property tests of the site allocator (issue 17) over random sites, circuits, fixed loads and
// sessions (test/support/site-arbitraries.ts). The limits are checked by an oracle of that file's own
// (each load walked up its circuit chain), not by constraints.ts, so a fault there cannot hide one here.
//
// What allocate promises, stated for the rounded shares it returns (each rounded down to 0.1 A,
// never below the minimum, so a constraint may keep up to 0.1 A × the coefficients of the sessions
// on it unused):
//   limits — fixed loads + shares keep every limit (per phase in A, in kW); where the fixed loads
//     alone break one, every session counting against it gets 0;
//   range — a share is 0 or at least the session's minimum, and at most its rating and its draw cap
//     (or the minimum when the cap is below it);
//   admission — a session with a minimum left at 0 is kept out by sessions of its own priority or
//     higher: some constraint it counts against has less room than its minimum once the fixed loads
//     and those sessions' minimums are counted;
//   filling — a session below its cap has a bottleneck: a constraint it counts against that is full
//     (room under the rounding dust), on which no session of its priority has more than it (other
//     than one held at its own minimum) and no session of a lower priority has more than its minimum;
//   order — shares do not depend on the order the demands come in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb, checks, coefficient, NOW, topOf, type Case, type Check } from '../../test/support/site-arbitraries';
import { allocate, type Demand, type Share } from './allocation';
const TOLERANCE = 1e-6;

/** Asserts every promise of the header for one case. */
function assertPromises({ capacity, demands, fixed }: Case, shares: Map<string, Share>): void {
  const amps = (d: Demand): number => shares.get(d.key)!.amps;
  expect(shares.size).toBe(demands.length);

  for (const d of demands) {
    const a = amps(d);
    if (a !== 0) {
      expect(a).toBeGreaterThanOrEqual(d.minAmps);
      expect(a).toBeLessThanOrEqual(topOf(d) + TOLERANCE);
    }
  }

  const all = checks(capacity);
  const fixedOn = (c: Check): number => fixed.reduce((sum, f) => sum + f.amps * coefficient(capacity, c, f.circuitId, f.phases), 0);
  const coef = (c: Check, d: Demand): number => coefficient(capacity, c, d.circuitId, d.phases);
  const room = (c: Check): number => c.limit - fixedOn(c) - demands.reduce((sum, d) => sum + amps(d) * coef(c, d), 0);

  for (const c of all) {
    if (fixedOn(c) > c.limit + 1e-9) {
      for (const d of demands) if (coef(c, d) > 0) expect(amps(d), `${d.key} counts against a limit the fixed loads break`).toBe(0);
    } else {
      expect(room(c), `room on ${c.node ?? 'site'} ${c.kind}`).toBeGreaterThanOrEqual(-TOLERANCE);
    }
  }

  for (const d of demands) {
    const a = amps(d);
    const wants = topOf(d) >= d.minAmps && topOf(d) > 0;
    if (a === 0 && d.minAmps > 0 && wants) {
      // Admission: kept out by its own priority or higher.
      const keptOut = all.some((c) => {
        const k = coef(c, d);
        if (k === 0) return false;
        const used = demands.reduce((sum, o) => sum + (o.priority >= d.priority && amps(o) > 0 ? o.minAmps * coef(c, o) : 0), 0);
        return c.limit - fixedOn(c) - used < d.minAmps * k - TOLERANCE;
      });
      expect(keptOut, `${d.key} waits though its minimum fits among its priority and higher`).toBe(true);
    }
    const admitted = a > 0 || d.minAmps === 0;
    if (admitted && wants && a < topOf(d) - 0.1 - TOLERANCE) {
      const bottleneck = all.some((c) => {
        if (coef(c, d) === 0) return false;
        const dust = 0.1 * demands.reduce((sum, o) => sum + coef(c, o), 0);
        if (room(c) >= dust + TOLERANCE) return false;
        return demands.every((o) => {
          if (coef(c, o) === 0 || o === d) return true;
          if (o.priority === d.priority) return amps(o) <= a + 0.1 + TOLERANCE || amps(o) === o.minAmps;
          if (o.priority < d.priority) return amps(o) <= o.minAmps;
          return true;
        });
      });
      expect(bottleneck, `${d.key} at ${a} below its cap ${topOf(d)} without a bottleneck`).toBe(true);
    }
  }
}

describe('allocate: properties', () => {
  it('small sites: limits, range, admission, filling', () => {
    fc.assert(
      fc.property(caseArb(12), (c) => {
        assertPromises(c, allocate(c.capacity, c.demands, c.fixed, NOW));
      }),
      { numRuns: 400 },
    );
  });

  it('shares do not depend on the order the demands come in', () => {
    fc.assert(
      fc.property(
        caseArb(12).chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(c.demands, { minLength: c.demands.length, maxLength: c.demands.length }))),
        ([c, shuffled]) => {
          const a = allocate(c.capacity, c.demands, c.fixed, NOW);
          const b = allocate(c.capacity, shuffled, c.fixed, NOW);
          for (const d of c.demands) expect(b.get(d.key)).toEqual(a.get(d.key));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('larger sites (up to 150 sessions): the same promises', () => {
    fc.assert(
      fc.property(caseArb(150), (c) => {
        assertPromises(c, allocate(c.capacity, c.demands, c.fixed, NOW));
      }),
      { numRuns: 25 },
    );
  });
});
