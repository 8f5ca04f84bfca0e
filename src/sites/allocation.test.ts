// Unit tests: the site allocator's rules, one example each (issue 17) — equal share, minimum or
// nothing, waiting and rotation, priority tiers, nested circuits, phases, kW, fixed loads, draw caps,
// and the limit in force (daily schedule, external limit). Properties over random sites: allocation.property.test.ts.
import { describe, expect, it } from 'vitest';
import { allocate, effectiveLimit, lowerLimit, periodInForce, type Capacity, type Demand, type FixedLoad, type Share } from './allocation';
import type { CircuitConfig, Limit, SiteConfig } from './model';
import { sitePhases } from './site-inputs';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MINUTE = 60_000;

function demand(key: string, extra: Partial<Demand> = {}): Demand {
  return {
    key, chargerId: key, evseId: null, circuitId: null, phases: [1, 2, 3], minAmps: 6, maxAmps: 32, drawCapAmps: null,
    priority: 0, charging: true, since: NOW - MINUTE, ...extra,
  };
}
function capacity(limit: Partial<Limit>, circuits: CircuitConfig[] = [], voltage = 230): Capacity {
  return { limit: { amps: null, kw: null, ...limit }, voltage, circuits };
}
function circuit(circuitId: string, parentId: string | null, amps: number | null, kw: number | null = null): CircuitConfig {
  return { circuitId, parentId, name: circuitId, limit: { amps, kw } };
}
function fixedLoad(key: string, amps: number, extra: Partial<FixedLoad> = {}): FixedLoad {
  return { key, circuitId: null, phases: [1, 2, 3], amps, reason: 'unreachable', ...extra };
}
/** Amps by key, for compact expectations. */
function amps(shares: Map<string, Share>): Record<string, number> {
  return Object.fromEntries([...shares].map(([key, share]) => [key, share.amps]));
}

describe('allocate: equal share', () => {
  it('shares the site limit equally, rounded down to 0.1 A, bound by the site', () => {
    const shares = allocate(capacity({ amps: 100 }), ['a', 'b', 'c', 'd'].map((k) => demand(k)), [], NOW);
    expect(amps(shares)).toEqual({ a: 25, b: 25, c: 25, d: 25 });
    expect(shares.get('a')).toEqual({ amps: 25, reason: 'fair-share', limitedBy: 'site' });
    const seven = allocate(capacity({ amps: 100 }), 'abcdefg'.split('').map((k) => demand(k)), [], NOW);
    expect(new Set(Object.values(amps(seven)))).toEqual(new Set([14.2]));
  });

  it('a share never exceeds the charger’s rating: what one cannot take goes to the others', () => {
    const shares = allocate(capacity({ amps: 100 }), [demand('small', { maxAmps: 16 }), demand('a'), demand('b'), demand('c')], [], NOW);
    expect(amps(shares)).toEqual({ small: 16, a: 28, b: 28, c: 28 });
    expect(shares.get('small')).toEqual({ amps: 16, reason: 'charger-max', limitedBy: null });
  });

  it('no limit at all: every session at its rating', () => {
    expect(amps(allocate(capacity({}), [demand('a'), demand('b', { maxAmps: 16 })], [], NOW))).toEqual({ a: 32, b: 16 });
  });
});

describe('allocate: minimum or nothing', () => {
  it('admits as many minimums as fit; the rest wait at 0 and the admitted share what is left', () => {
    const shares = allocate(capacity({ amps: 20 }), ['a', 'b', 'c', 'd'].map((k) => demand(k)), [], NOW);
    // Equal priority, all charging for the same short while: the key breaks the tie, d gives way.
    expect(amps(shares)).toEqual({ a: 6.6, b: 6.6, c: 6.6, d: 0 });
    expect(shares.get('d')).toEqual({ amps: 0, reason: 'waiting', limitedBy: 'site' });
  });

  it('exactly the minimum when nothing is left over', () => {
    const shares = allocate(capacity({ amps: 18 }), ['a', 'b', 'c'].map((k) => demand(k)), [], NOW);
    expect(shares.get('a')).toEqual({ amps: 6, reason: 'minimum', limitedBy: 'site' });
  });

  it('a charger rated below the minimum gets nothing rather than a rate the car cannot charge at', () => {
    const shares = allocate(capacity({ amps: 100 }), [demand('weak', { maxAmps: 5 }), demand('a')], [], NOW);
    expect(amps(shares)).toEqual({ weak: 0, a: 32 });
    expect(shares.get('weak')!.reason).toBe('waiting');
  });

  it('a minimum that does not fit is not given at all, however close', () => {
    expect(amps(allocate(capacity({ amps: 5.9 }), [demand('a')], [], NOW))).toEqual({ a: 0 });
  });
});

describe('allocate: waiting sessions and rotation', () => {
  it('a new arrival does not stop a session that started charging recently', () => {
    const shares = allocate(capacity({ amps: 12 }), [demand('a', { since: NOW - 5 * MINUTE }), demand('b', { since: NOW - 5 * MINUTE }), demand('new', { charging: false, since: NOW })], [], NOW);
    expect(amps(shares)).toEqual({ a: 6, b: 6, new: 0 });
  });

  it('after the rotation time, a waiting one takes the turn of the one that has charged longest', () => {
    const demands = [demand('old', { since: NOW - 40 * MINUTE }), demand('newer', { since: NOW - 20 * MINUTE }), demand('waiting', { charging: false, since: NOW - 30 * MINUTE })];
    expect(amps(allocate(capacity({ amps: 12 }), demands, [], NOW))).toEqual({ old: 0, newer: 6, waiting: 6 });
    // The rotation time is an option: at 60 minutes nobody has charged long enough to give way.
    expect(amps(allocate(capacity({ amps: 12 }), demands, [], NOW, { rotationMinutes: 60 }))).toEqual({ old: 6, newer: 6, waiting: 0 });
  });

  it('a session waiting less than the rotation time does not displace one charging past it', () => {
    const demands = [
      demand('old', { since: NOW - 40 * MINUTE }),
      demand('newer', { since: NOW - 20 * MINUTE }),
      demand('waited-long', { charging: false, since: NOW - 30 * MINUTE }),
      demand('waited-less', { charging: false, since: NOW - 10 * MINUTE }),
    ];
    expect(amps(allocate(capacity({ amps: 12 }), demands, [], NOW))).toEqual({ old: 0, newer: 6, 'waited-long': 6, 'waited-less': 0 });
    expect(amps(allocate(capacity({ amps: 18 }), demands, [], NOW))).toEqual({ old: 6, newer: 6, 'waited-long': 6, 'waited-less': 0 });
  });

  it('one displaced does not displace another at the next recomputation: the turn stays with the one that charged longest', () => {
    // The site object's bookkeeping between recomputations: a change of charging/waiting restarts `since`.
    const settle = (demands: Demand[], shares: Map<string, Share>, at: number): Demand[] =>
      demands.map((d) => {
        const charging = shares.get(d.key)!.amps > 0;
        return charging === d.charging ? d : { ...d, charging, since: at };
      });
    let demands = [demand('a', { since: NOW - 60 * MINUTE }), demand('b', { since: NOW - 40 * MINUTE }), demand('c', { since: NOW - 30 * MINUTE }), demand('new', { charging: false, since: NOW - 20 * MINUTE })];
    const site = capacity({ amps: 18 });
    let shares = allocate(site, demands, [], NOW);
    expect(amps(shares)).toEqual({ a: 0, b: 6, c: 6, new: 6 });
    for (let step = 1; step <= 3; step++) {
      demands = settle(demands, shares, NOW + (step - 1) * 1000);
      shares = allocate(site, demands, [], NOW + step * 1000);
      expect(amps(shares), `recomputation ${step}`).toEqual({ a: 0, b: 6, c: 6, new: 6 });
    }
    // Once a has waited the rotation time, it takes the turn of the one that has now charged longest.
    demands = settle(demands, shares, NOW + 3000);
    expect(amps(allocate(site, demands, [], NOW + 16 * MINUTE))).toEqual({ a: 6, b: 0, c: 6, new: 6 });
  });

  it('with room for one more, the longest waiting is admitted first', () => {
    const demands = [demand('later', { charging: false, since: NOW - MINUTE }), demand('earlier', { charging: false, since: NOW - 2 * MINUTE })];
    expect(amps(allocate(capacity({ amps: 10 }), demands, [], NOW))).toEqual({ later: 0, earlier: 10 });
  });
});

describe('allocate: departure time (ISO 15118) as a tie-break inside an admission class', () => {
  const HOUR = 60 * MINUTE;

  it('with room for one more, the earliest departure is admitted first, before the longest waiting; unknown departures last', () => {
    const demands = [
      demand('waited-longest', { charging: false, since: NOW - 3 * MINUTE }),
      demand('leaves-late', { charging: false, since: NOW - 2 * MINUTE, departureAt: NOW + 5 * HOUR }),
      demand('leaves-soon', { charging: false, since: NOW - MINUTE, departureAt: NOW + HOUR }),
    ];
    expect(amps(allocate(capacity({ amps: 10 }), demands, [], NOW))).toEqual({ 'waited-longest': 0, 'leaves-late': 0, 'leaves-soon': 10 });
    expect(amps(allocate(capacity({ amps: 12 }), demands, [], NOW))).toEqual({ 'waited-longest': 0, 'leaves-late': 6, 'leaves-soon': 6 });
  });

  it('when capacity falls, among equally charging sessions the latest departure gives way first', () => {
    const demands = [demand('a', { departureAt: NOW + HOUR }), demand('b', { departureAt: NOW + 3 * HOUR }), demand('c')];
    expect(amps(allocate(capacity({ amps: 12 }), demands, [], NOW))).toEqual({ a: 6, b: 6, c: 0 });
    expect(amps(allocate(capacity({ amps: 6 }), demands, [], NOW))).toEqual({ a: 6, b: 0, c: 0 });
  });

  it('a car leaving soon does not stop one that charges before the rotation time, and priority still comes first', () => {
    const charging = demand('charging', { since: NOW - 5 * MINUTE });
    const soon = demand('soon', { charging: false, since: NOW, departureAt: NOW + 10 * MINUTE });
    expect(amps(allocate(capacity({ amps: 6 }), [charging, soon], [], NOW))).toEqual({ charging: 6, soon: 0 });
    expect(amps(allocate(capacity({ amps: 6 }), [demand('vip', { priority: 1, charging: false, since: NOW }), { ...soon, charging: true }], [], NOW))).toEqual({ vip: 6, soon: 0 });
  });

  it('rotation still turns: no cascade, and the latest departure among those past their time gives way', () => {
    const settle = (demands: Demand[], shares: Map<string, Share>, at: number): Demand[] =>
      demands.map((d) => {
        const charging = shares.get(d.key)!.amps > 0;
        return charging === d.charging ? d : { ...d, charging, since: at };
      });
    const site = capacity({ amps: 12 });
    // b has charged less long than a but leaves later: b gives way to the one that waited its turn.
    let demands = [
      demand('a', { since: NOW - 60 * MINUTE, departureAt: NOW + HOUR }),
      demand('b', { since: NOW - 30 * MINUTE, departureAt: NOW + 4 * HOUR }),
      demand('w', { charging: false, since: NOW - 20 * MINUTE }),
    ];
    let shares = allocate(site, demands, [], NOW);
    expect(amps(shares)).toEqual({ a: 6, b: 0, w: 6 });
    // b, just displaced, does not displace anyone at the next recomputations, however early anyone leaves.
    for (let step = 1; step <= 3; step++) {
      demands = settle(demands, shares, NOW + (step - 1) * 1000);
      shares = allocate(site, demands, [], NOW + step * 1000);
      expect(amps(shares), `recomputation ${step}`).toEqual({ a: 6, b: 0, w: 6 });
    }
    // Once b has waited the rotation time it takes a turn again. a and w have both charged past it:
    // w, whose departure is unknown, gives way rather than a, which leaves in the hour (by 'since' alone a would).
    demands = settle(demands, shares, NOW + 3000);
    expect(amps(allocate(site, demands, [], NOW + 16 * MINUTE))).toEqual({ a: 6, b: 6, w: 0 });
  });
});

describe('allocate: priority tiers', () => {
  it('a higher tier is filled before a lower one gets more than its minimum', () => {
    const shares = allocate(capacity({ amps: 40 }), [demand('hi', { priority: 1 }), demand('lo1'), demand('lo2')], [], NOW);
    expect(amps(shares)).toEqual({ hi: 28, lo1: 6, lo2: 6 });
    expect(shares.get('hi')).toEqual({ amps: 28, reason: 'fair-share', limitedBy: 'site' });
    expect(shares.get('lo1')).toEqual({ amps: 6, reason: 'priority', limitedBy: 'site' });
  });

  it('what the higher tier cannot take goes to the lower one', () => {
    expect(amps(allocate(capacity({ amps: 60 }), [demand('hi', { priority: 1, maxAmps: 16 }), demand('lo1'), demand('lo2')], [], NOW))).toEqual({ hi: 16, lo1: 22, lo2: 22 });
  });

  it('a waiting higher-priority session is admitted before charging lower ones, however recent', () => {
    const shares = allocate(capacity({ amps: 12 }), [demand('lo1'), demand('lo2', { since: NOW - 2 * MINUTE }), demand('vip', { priority: 2, charging: false, since: NOW })], [], NOW);
    // lo2 has charged longer than lo1: it gives way.
    expect(amps(shares)).toEqual({ lo1: 6, lo2: 0, vip: 6 });
  });
});

describe('allocate: circuits', () => {
  it('nested circuits bind each their own sessions; the site binds what is left', () => {
    const circuits = [circuit('A', null, 40), circuit('A1', 'A', 20)];
    const demands = [demand('x1', { circuitId: 'A1' }), demand('x2', { circuitId: 'A1' }), demand('y', { circuitId: 'A' }), demand('z')];
    const shares = allocate(capacity({ amps: 100 }, circuits), demands, [], NOW);
    expect(amps(shares)).toEqual({ x1: 10, x2: 10, y: 20, z: 32 });
    expect(shares.get('x1')!.limitedBy).toBe('A1');
    expect(shares.get('y')!.limitedBy).toBe('A');
    expect(shares.get('z')).toEqual({ amps: 32, reason: 'charger-max', limitedBy: null });
  });

  it('a circuit’s limit above the site’s does not lift the site’s', () => {
    const shares = allocate(capacity({ amps: 30 }, [circuit('A', null, 40)]), [demand('a', { circuitId: 'A' }), demand('b', { circuitId: 'A' })], [], NOW);
    expect(amps(shares)).toEqual({ a: 15, b: 15 });
    expect(shares.get('a')!.limitedBy).toBe('site');
  });

  it('a minimum that does not fit in its circuit waits, naming the circuit', () => {
    const shares = allocate(capacity({ amps: 100 }, [circuit('A', null, 10)]), [demand('a', { circuitId: 'A' }), demand('b', { circuitId: 'A' }), demand('c')], [], NOW);
    expect(amps(shares)).toEqual({ a: 10, b: 0, c: 32 });
    expect(shares.get('b')).toEqual({ amps: 0, reason: 'waiting', limitedBy: 'A' });
  });
});

describe('allocate: phases', () => {
  it('single-phase sessions count on their site phase after rotation; the less loaded phase gives more', () => {
    const rotated = (rotation: string): Demand['phases'] =>
      sitePhases({ chargerId: 'x', evseId: null, circuitId: null, phaseRotation: rotation, maxAmps: 32, phases: 1, fallbackAmps: 0, priority: 0 }, 1);
    expect(rotated('RST')).toEqual([1]);
    expect(rotated('STR')).toEqual([2]);
    expect(rotated('TSR')).toEqual([3]);
    const demands = [demand('a', { phases: rotated('RST') }), demand('b', { phases: rotated('RTS') }), demand('c', { phases: rotated('STR') }), demand('d')];
    const shares = allocate(capacity({ amps: 32 }), demands, [], NOW);
    // L1 carries a, b and d: 32 / 3 each; L2 carries c and d: c gets the rest of L2.
    expect(amps(shares)).toEqual({ a: 10.6, b: 10.6, c: 21.3, d: 10.6 });
  });

  it('a load on unknown phases (none given) counts on all three', () => {
    expect(amps(allocate(capacity({ amps: 32 }), [demand('a', { phases: [] }), demand('b', { phases: [2] })], [], NOW))).toEqual({ a: 16, b: 16 });
  });
});

describe('allocate: kW limits', () => {
  it('turns kW into amps at the site voltage, by the number of phases a session uses', () => {
    // 22 kW at 230 V: two three-phase sessions at 0.69 kW per amp each.
    expect(amps(allocate(capacity({ kw: 22 }), [demand('a'), demand('b')], [], NOW))).toEqual({ a: 15.9, b: 15.9 });
    // One single-phase (0.23 kW/A) and one three-phase (0.69 kW/A) at the same level: 22 / 0.92.
    expect(amps(allocate(capacity({ kw: 22 }), [demand('a', { phases: [1] }), demand('b')], [], NOW))).toEqual({ a: 23.9, b: 23.9 });
    // At 120 V the same 22 kW is more amps.
    expect(amps(allocate(capacity({ kw: 22 }, [], 120), [demand('a'), demand('b')], [], NOW))).toEqual({ a: 30.5, b: 30.5 });
  });

  it('the lower of the amps and kW limits binds', () => {
    expect(amps(allocate(capacity({ amps: 20, kw: 22 }), [demand('a'), demand('b')], [], NOW))).toEqual({ a: 10, b: 10 });
    expect(amps(allocate(capacity({ amps: 40, kw: 11 }), [demand('a'), demand('b')], [], NOW))).toEqual({ a: 7.9, b: 7.9 });
  });

  it('a circuit’s kW limit binds its own sessions only', () => {
    const shares = allocate(capacity({ amps: 100 }, [circuit('A', null, null, 11)]), [demand('a', { circuitId: 'A' }), demand('b')], [], NOW);
    expect(amps(shares)).toEqual({ a: 15.9, b: 32 });
    expect(shares.get('a')!.limitedBy).toBe('A');
  });
});

describe('allocate: fixed loads', () => {
  it('a charger counted at its full rating (unreachable, refused) leaves the rest to share', () => {
    expect(amps(allocate(capacity({ amps: 64 }), [demand('a'), demand('b')], [fixedLoad('fixed:gone/*', 32)], NOW))).toEqual({ a: 16, b: 16 });
  });

  it('a fixed load on one phase takes from that phase only', () => {
    const shares = allocate(capacity({ amps: 32 }), [demand('p1', { phases: [1] }), demand('p2', { phases: [2] })], [fixedLoad('fixed:x/*', 20, { phases: [1], reason: 'refused' })], NOW);
    expect(amps(shares)).toEqual({ p1: 12, p2: 32 });
  });

  it('a fixed load that fills its circuit leaves its sessions waiting and the others untouched', () => {
    const shares = allocate(capacity({ amps: 100 }, [circuit('A', null, 32)]), [demand('a', { circuitId: 'A' }), demand('b')], [fixedLoad('fixed:x/*', 32, { circuitId: 'A' })], NOW);
    expect(amps(shares)).toEqual({ a: 0, b: 32 });
    expect(shares.get('a')).toEqual({ amps: 0, reason: 'waiting', limitedBy: 'A' });
  });

  it('fixed loads alone over the limit: nothing that counts against it gets a share, even with a minimum of 0', () => {
    const shares = allocate(capacity({ amps: 20 }), [demand('a'), demand('zero-min', { minAmps: 0 })], [fixedLoad('fixed:x/*', 32)], NOW);
    expect(amps(shares)).toEqual({ a: 0, 'zero-min': 0 });
  });
});

describe('allocate: what a car does not draw', () => {
  it('a car drawing less is capped near its draw, and the rest goes to the others', () => {
    const shares = allocate(capacity({ amps: 40 }), [demand('slow', { drawCapAmps: 10 }), demand('b')], [], NOW);
    expect(amps(shares)).toEqual({ slow: 10, b: 30 });
    expect(shares.get('slow')).toEqual({ amps: 10, reason: 'car-draws-less', limitedBy: null });
  });

  it('a cap below the minimum still offers the minimum', () => {
    expect(amps(allocate(capacity({ amps: 40 }), [demand('trickle', { drawCapAmps: 3 }), demand('b')], [], NOW))).toEqual({ trickle: 6, b: 32 });
  });

  it('a cap above the charger’s rating changes nothing', () => {
    const shares = allocate(capacity({ amps: 100 }), [demand('a', { drawCapAmps: 40 })], [], NOW);
    expect(shares.get('a')).toEqual({ amps: 32, reason: 'charger-max', limitedBy: null });
  });
});

function siteConfig(extra: Partial<SiteConfig>): SiteConfig {
  return {
    siteId: 's', name: 's', voltage: 230, limit: { amps: 100, kw: null }, dailySchedule: [], timeZone: 'UTC', externalLimit: null, minAmps: 6,
    groupPriorities: {}, circuits: [], chargers: [], updatedAt: '', ...extra,
  };
}

describe('effectiveLimit', () => {
  // Paris is UTC+1 in December, UTC+2 in July.
  const schedule = [
    { start: '07:00', limit: { amps: 60, kw: null } },
    { start: '22:00', limit: { amps: 80, kw: null } },
  ];
  const paris = siteConfig({ dailySchedule: schedule, timeZone: 'Europe/Paris' });

  it('the daily period in force in the site’s time zone; before the first, the last one from the day before', () => {
    expect(effectiveLimit(paris, Date.parse('2026-12-01T05:30:00Z'))).toEqual({ amps: 80, kw: null }); // 06:30 local
    expect(effectiveLimit(paris, Date.parse('2026-12-01T06:00:00Z'))).toEqual({ amps: 60, kw: null }); // 07:00
    expect(effectiveLimit(paris, Date.parse('2026-12-01T20:59:00Z'))).toEqual({ amps: 60, kw: null }); // 21:59
    expect(effectiveLimit(paris, Date.parse('2026-12-01T21:00:00Z'))).toEqual({ amps: 80, kw: null }); // 22:00
    expect(effectiveLimit(paris, Date.parse('2026-12-01T23:30:00Z'))).toEqual({ amps: 80, kw: null }); // 00:30 the next day
    expect(effectiveLimit(paris, Date.parse('2026-07-01T05:30:00Z'))).toEqual({ amps: 60, kw: null }); // 07:30 summer time
  });

  it('a period is a lower limit: one above the grid limit, or of another kind, lowers only what it names', () => {
    const config = siteConfig({ dailySchedule: [{ start: '00:00', limit: { amps: 200, kw: 50 } }] });
    expect(effectiveLimit(config, NOW)).toEqual({ amps: 100, kw: 50 });
  });

  it('an unknown time zone is read as UTC; a period whose start does not parse is skipped', () => {
    const config = siteConfig({ timeZone: 'Nowhere/Atlantis', dailySchedule: [...schedule, { start: '25:00', limit: { amps: 1, kw: null } }, { start: 'noon', limit: { amps: 1, kw: null } }] });
    expect(effectiveLimit(config, Date.parse('2026-12-01T06:30:00Z'))).toEqual({ amps: 80, kw: null });
    expect(effectiveLimit(config, Date.parse('2026-12-01T07:30:00Z'))).toEqual({ amps: 60, kw: null });
    expect(periodInForce([{ start: '7:00', limit: { amps: 1, kw: null } }], 'UTC', Date.parse('2026-12-01T06:59:00Z'))?.start).toBe('7:00');
    expect(periodInForce([], 'UTC', NOW)).toBeNull();
  });

  it('an external limit is the lower of it and the rest until its `until` passes; one that does not parse is kept', () => {
    const external = (until: string | null, limit: Limit = { amps: 40, kw: null }) => siteConfig({ dailySchedule: schedule, timeZone: 'Europe/Paris', externalLimit: { limit, until } });
    expect(effectiveLimit(external(null), NOW)).toEqual({ amps: 40, kw: null });
    expect(effectiveLimit(external('2026-12-01T12:00:01Z'), NOW)).toEqual({ amps: 40, kw: null });
    expect(effectiveLimit(external('2026-12-01T12:00:00Z'), NOW)).toEqual({ amps: 60, kw: null }); // passed: the daily period again
    expect(effectiveLimit(external('soon'), NOW)).toEqual({ amps: 40, kw: null });
    // Higher than the daily period: the period still holds.
    expect(effectiveLimit(external(null, { amps: 90, kw: 30 }), NOW)).toEqual({ amps: 60, kw: 30 });
  });
});

describe('lowerLimit', () => {
  it('kind by kind, null meaning none', () => {
    expect(lowerLimit({ amps: 10, kw: null }, { amps: 20, kw: 5 })).toEqual({ amps: 10, kw: 5 });
    expect(lowerLimit({ amps: null, kw: null }, { amps: null, kw: null })).toEqual({ amps: null, kw: null });
  });
});
