// Unit tests: the order of sending a new allocation (issue 17) — decreases at once, an increase only
// when every session's worst case (what it holds or may be about to apply) leaves room for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb, checks, coefficient, type Case } from '../../test/support/site-arbitraries';
import { allocate, type Capacity, type Demand, type FixedLoad, type Share } from './allocation';
import { planSends, type Committed } from './plan';

const NOW = Date.parse('2026-12-01T12:00:00Z');

function demand(key: string, extra: Partial<Demand> = {}): Demand {
  return { key, chargerId: key, evseId: null, circuitId: null, phases: [1, 2, 3], minAmps: 6, maxAmps: 32, drawCapAmps: null, priority: 0, charging: true, since: NOW, ...extra };
}
const site = (amps: number): Capacity => ({ limit: { amps, kw: null }, voltage: 230, circuits: [] });
const held = (key: string, acceptedAmps: number | null, pendingAmps: number | null = null, lastSentAmps?: number | null): [string, Committed] => [
  key,
  { key, acceptedAmps, pendingAmps, ...(lastSentAmps === undefined ? {} : { lastSentAmps }) },
];
const targets = (amps: Record<string, number>): Map<string, Share> =>
  new Map(Object.entries(amps).map(([key, a]) => [key, { amps: a, reason: 'fair-share', limitedBy: null }]));

describe('planSends', () => {
  it('a session whose charger holds nothing known gets its first profile at once: it can only lower its worst case, its rating', () => {
    expect(planSends(site(32), [demand('a')], [], new Map(), targets({ a: 32 }))).toEqual([{ key: 'a', amps: 32 }]);
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', null)]), targets({ a: 10 }))).toEqual([{ key: 'a', amps: 10 }]);
  });

  it('decreases go at once; an increase waits while the old share of a decrease not yet accepted may still hold', () => {
    const demands = [demand('a'), demand('b')];
    const want = targets({ a: 10, b: 22 });
    expect(planSends(site(32), demands, [], new Map([held('a', 20), held('b', 10)]), want)).toEqual([{ key: 'a', amps: 10 }]);
    // While a's decrease is in flight (pending 10, below what it holds): still not.
    expect(planSends(site(32), demands, [], new Map([held('a', 20, 10), held('b', 10)]), want)).toEqual([]);
    // a accepted it: b's increase goes.
    expect(planSends(site(32), demands, [], new Map([held('a', 10), held('b', 10)]), want)).toEqual([{ key: 'b', amps: 22 }]);
  });

  it('a pending send counts at the higher of it and what is held', () => {
    const demands = [demand('a'), demand('b')];
    // a holds 10 but 20 is on its way: b may not go to 22.
    expect(planSends(site(32), demands, [], new Map([held('a', 10, 20, 10), held('b', 10)]), targets({ a: 10, b: 22 }))).toEqual([]);
  });

  it('what is already sent (the latest in flight) is not sent again', () => {
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10, 16)]), targets({ a: 16 }))).toEqual([]);
    // Two in flight, the highest 20, the latest 16: the target 16 is on its way.
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10, 20, 16)]), targets({ a: 16 }))).toEqual([]);
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10, 20, 16)]), targets({ a: 12 }))).toEqual([{ key: 'a', amps: 12 }]);
  });

  it('an increase under 1 A is not sent; a decrease of any size is', () => {
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10)]), targets({ a: 10.9 }))).toEqual([]);
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10)]), targets({ a: 11 }))).toEqual([{ key: 'a', amps: 11 }]);
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10)]), targets({ a: 9.9 }))).toEqual([{ key: 'a', amps: 9.9 }]);
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10)]), targets({ a: 10.5 }), { minChangeAmps: 0.5 })).toEqual([{ key: 'a', amps: 10.5 }]);
  });

  it('when not every increase fits, the higher priority goes first, then the larger rise', () => {
    const demands = [demand('lo'), demand('hi', { priority: 1 }), demand('big'), demand('small')];
    const want = targets({ lo: 20, hi: 20 });
    expect(planSends(site(30), demands.slice(0, 2), [], new Map([held('lo', 6), held('hi', 6)]), want)).toEqual([{ key: 'hi', amps: 20 }]);
    const rises = targets({ big: 20, small: 12 });
    expect(planSends(site(30), demands.slice(2), [], new Map([held('big', 6), held('small', 6)]), rises)).toEqual([{ key: 'big', amps: 20 }]);
  });

  it('fixed loads count; an increase never adds to a limit already exceeded, a decrease still goes', () => {
    const fixed: FixedLoad[] = [{ key: 'fixed:x/*', circuitId: null, phases: [1, 2, 3], amps: 32, reason: 'unreachable' }];
    expect(planSends(site(40), [demand('a')], fixed, new Map([held('a', 6)]), targets({ a: 8 }))).toEqual([{ key: 'a', amps: 8 }]);
    expect(planSends(site(40), [demand('a')], fixed, new Map([held('a', 6)]), targets({ a: 9 }))).toEqual([]);
    const over = planSends(site(20), [demand('a'), demand('b')], fixed, new Map([held('a', 6), held('b', 10)]), targets({ a: 7, b: 0 }));
    expect(over).toEqual([{ key: 'b', amps: 0 }]);
  });

  it('a session with no target is sent 0', () => {
    expect(planSends(site(32), [demand('a')], [], new Map([held('a', 10)]), new Map())).toEqual([{ key: 'a', amps: 0 }]);
  });
});

/** Per check (oracle): fixed loads + every session's worst case. */
function worstLoads({ capacity, demands, fixed }: Case, committed: Map<string, Committed>): number[] {
  return checks(capacity).map((c) => {
    let load = fixed.reduce((sum, f) => sum + f.amps * coefficient(capacity, c, f.circuitId, f.phases), 0);
    for (const d of demands) {
      const h = committed.get(d.key);
      load += Math.max(h?.acceptedAmps ?? d.maxAmps, h?.pendingAmps ?? 0) * coefficient(capacity, c, d.circuitId, d.phases);
    }
    return load;
  });
}

const committedArb = (c: Case): fc.Arbitrary<Map<string, Committed>> =>
  fc
    .tuple(...c.demands.map(() => fc.record({ accepted: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }), pending: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null, freq: 3 }) })))
    .map((held) => new Map(c.demands.map((d, i) => [d.key, { key: d.key, acceptedAmps: held[i]!.accepted === null ? null : held[i]!.accepted! / 10, pendingAmps: held[i]!.pending === null ? null : held[i]!.pending! / 10 }])));

const withCommitted = caseArb(12).chain((c) => fc.tuple(fc.constant(c), committedArb(c)));

describe('planSends: properties', () => {
  it('sending never raises a worst case over a limit it was under, nor at all on one already over', () => {
    fc.assert(
      fc.property(withCommitted, ([c, committed]) => {
        const wanted = allocate(c.capacity, c.demands, c.fixed, NOW);
        const sends = planSends(c.capacity, c.demands, c.fixed, committed, wanted);
        const before = worstLoads(c, committed);
        const after = new Map(committed);
        for (const send of sends) {
          const h = after.get(send.key)!;
          // Any send in flight may be applied: the highest of them counts.
          after.set(send.key, { ...h, pendingAmps: Math.max(h.pendingAmps ?? 0, send.amps) });
          expect(send.amps).toBe(wanted.get(send.key)!.amps);
        }
        const limits = checks(c.capacity).map((check) => check.limit);
        worstLoads(c, after).forEach((load, k) => expect(load).toBeLessThanOrEqual(Math.max(before[k]!, limits[k]!) + 1e-6));
      }),
      { numRuns: 300 },
    );
  });

  it('with every send accepted, three rounds bring each session to its target (an increase under 1 A aside)', () => {
    fc.assert(
      fc.property(withCommitted, ([c, initial]) => {
        const wanted = allocate(c.capacity, c.demands, c.fixed, NOW);
        let committed = initial;
        for (let round = 0; round < 3; round++) {
          const sent = new Map(planSends(c.capacity, c.demands, c.fixed, committed, wanted).map((s) => [s.key, s.amps]));
          // Every answer comes back Accepted: what was sent last is held; an earlier send in flight too.
          committed = new Map([...committed].map(([key, h]) => [key, { key, acceptedAmps: sent.get(key) ?? h.pendingAmps ?? h.acceptedAmps, pendingAmps: null }]));
        }
        for (const d of c.demands) {
          const target = wanted.get(d.key)!.amps;
          const accepted = committed.get(d.key)!.acceptedAmps;
          expect(accepted).not.toBeNull();
          expect(accepted! <= target && target - accepted! < 1 + 1e-9, `${d.key} holds ${accepted}, target ${target}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
