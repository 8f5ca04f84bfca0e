// Unit tests of the site rules (rules.ts): each rule refuses what it should, names the field, and a
// sound site passes whole.
import { describe, expect, it } from 'vitest';
import type { CircuitConfig, SiteCharger, SiteConfig } from './model';
import { isValidTimeZone, siteIssues, SITE_PART_ID } from './rules';

function site(extra: Partial<SiteConfig> = {}): SiteConfig {
  return {
    siteId: 'depot-1', name: 'Depot', voltage: 230, limit: { amps: 100, kw: null }, dailySchedule: [], timeZone: 'UTC', externalLimit: null,
    minAmps: 6, groupPriorities: {}, circuits: [], chargers: [], updatedAt: '2026-01-01T00:00:00.000Z', ...extra,
  };
}
const circuit = (circuitId: string, parentId: string | null, amps = 63): CircuitConfig => ({ circuitId, parentId, name: circuitId, limit: { amps, kw: null } });
const charger = (extra: Partial<SiteCharger> = {}): SiteCharger => ({
  chargerId: 'CP-1', evseId: null, circuitId: null, phaseRotation: null, maxAmps: 32, phases: 3, fallbackAmps: 0, priority: 0, ...extra,
});
const paths = (s: SiteConfig) => siteIssues(s).map((i) => i.path);

describe('siteIssues', () => {
  it('passes a sound site with circuits, chargers, a schedule and group priorities', () => {
    const sound = site({
      limit: { amps: 100, kw: 60 },
      dailySchedule: [{ start: '07:00', limit: { amps: 80, kw: null } }, { start: '18:30', limit: { amps: null, kw: 40 } }],
      timeZone: 'Europe/Berlin',
      externalLimit: { limit: { amps: 50, kw: null }, until: '2026-01-01T12:00:00Z' },
      groupPriorities: { FLEET: 10, VISITORS: -5 },
      // A child may exceed its parent: the parent still binds.
      circuits: [circuit('main', null, 80), circuit('row-a', 'main', 100), circuit('row-a.1', 'row-a', 32)],
      chargers: [charger({ circuitId: 'row-a.1', phaseRotation: 'RST' }), charger({ chargerId: 'CP-2', evseId: 1, phases: 1, fallbackAmps: 6, priority: 100 }), charger({ chargerId: 'CP-2', evseId: 2 })],
    });
    expect(siteIssues(sound)).toEqual([]);
  });

  it('ids: 1-64 of A-Z a-z 0-9 . _ -', () => {
    expect(SITE_PART_ID.test('a'.repeat(64))).toBe(true);
    expect(SITE_PART_ID.test('a'.repeat(65))).toBe(false);
    for (const bad of ['', 'a b', 'a/b', 'é', 'a:b']) expect(SITE_PART_ID.test(bad), bad).toBe(false);
    expect(paths(site({ siteId: 'no spaces' }))).toEqual(['siteId']);
    expect(paths(site({ circuits: [circuit('bad id', null)] }))).toEqual(['circuits.bad id']);
  });

  it('a limit needs amps and/or kW, each positive and finite', () => {
    expect(siteIssues(site({ limit: { amps: null, kw: null } }))).toEqual([{ path: 'limit', message: 'limit needs amps (per phase) and/or kw (in total)' }]);
    expect(paths(site({ limit: { amps: 0, kw: null } }))).toEqual(['limit.amps']);
    expect(paths(site({ limit: { amps: -1, kw: null } }))).toEqual(['limit.amps']);
    expect(paths(site({ limit: { amps: 10, kw: Number.POSITIVE_INFINITY } }))).toEqual(['limit.kw']);
    expect(paths(site({ limit: { amps: Number.NaN, kw: null } }))).toEqual(['limit.amps']);
    expect(paths(site({ circuits: [circuit('c', null, 0)] }))).toEqual(['circuits.c.limit.amps']);
    expect(paths(site({ externalLimit: { limit: { amps: null, kw: null }, until: null } }))).toEqual(['externalLimit']);
  });

  it('circuits form a tree: the parent exists on the site, no circuit hangs from itself', () => {
    expect(siteIssues(site({ circuits: [circuit('a', 'nowhere')] }))).toEqual([
      { path: 'circuits.a.parentId', message: 'parent circuit "nowhere" does not exist on this site' },
    ]);
    expect(paths(site({ circuits: [circuit('a', 'a')] }))).toEqual(['circuits.a.parentId']);
    const cycle = siteIssues(site({ circuits: [circuit('a', 'c'), circuit('b', 'a'), circuit('c', 'b'), circuit('d', 'a')] }));
    expect(cycle.map((i) => i.path)).toEqual(expect.arrayContaining(['circuits.a.parentId', 'circuits.b.parentId', 'circuits.c.parentId']));
    expect(cycle[0]!.message).toContain('cycle');
    expect(paths(site({ circuits: [circuit('a', null), circuit('a', null)] }))).toEqual(['circuits.a']);
  });

  it('a daily schedule: HH:MM starts strictly ascending, each with a limit', () => {
    const period = (start: string, amps: number | null = 50) => ({ start, limit: { amps, kw: null } });
    expect(paths(site({ dailySchedule: [period('7:00')] }))).toEqual(['dailySchedule.0.start']);
    expect(paths(site({ dailySchedule: [period('24:00')] }))).toEqual(['dailySchedule.0.start']);
    expect(paths(site({ dailySchedule: [period('08:00'), period('08:00')] }))).toEqual(['dailySchedule.1.start']);
    expect(siteIssues(site({ dailySchedule: [period('18:00'), period('06:00')] }))[0]!.message).toContain('strictly ascending');
    expect(paths(site({ dailySchedule: [period('08:00', null)] }))).toEqual(['dailySchedule.0.limit']);
  });

  it('timeZone must be an IANA zone', () => {
    expect(isValidTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(siteIssues(site({ timeZone: 'Mars/Olympus' }))[0]).toEqual({ path: 'timeZone', message: expect.stringContaining('IANA') });
  });

  it('voltage 100-480, minAmps 0-32', () => {
    expect(paths(site({ voltage: 99 }))).toEqual(['voltage']);
    expect(paths(site({ voltage: 481 }))).toEqual(['voltage']);
    expect(paths(site({ voltage: 120 }))).toEqual([]);
    expect(paths(site({ minAmps: -1 }))).toEqual(['minAmps']);
    expect(paths(site({ minAmps: 33 }))).toEqual(['minAmps']);
    expect(paths(site({ minAmps: 0 }))).toEqual([]);
  });

  it('chargers: phase rotation, phases, ratings, fallback within the rating, priority, circuit on the site', () => {
    expect(paths(site({ chargers: [charger({ phaseRotation: 'RRS' })] }))).toEqual(['chargers.CP-1.phaseRotation']);
    expect(paths(site({ chargers: [charger({ phases: 2 as 3 })] }))).toEqual(['chargers.CP-1.phases']);
    expect(paths(site({ chargers: [charger({ maxAmps: 0 })] }))).toEqual(['chargers.CP-1.maxAmps']);
    expect(paths(site({ chargers: [charger({ maxAmps: 1001 })] }))).toEqual(['chargers.CP-1.maxAmps']);
    expect(paths(site({ chargers: [charger({ maxAmps: 1000, fallbackAmps: 1000 })] }))).toEqual([]);
    expect(paths(site({ chargers: [charger({ fallbackAmps: 33 })] }))).toEqual(['chargers.CP-1.fallbackAmps']);
    expect(paths(site({ chargers: [charger({ fallbackAmps: -1 })] }))).toEqual(['chargers.CP-1.fallbackAmps']);
    expect(paths(site({ chargers: [charger({ priority: 101 })] }))).toEqual(['chargers.CP-1.priority']);
    expect(paths(site({ chargers: [charger({ priority: 1.5 })] }))).toEqual(['chargers.CP-1.priority']);
    expect(paths(site({ chargers: [charger({ evseId: 0 })] }))).toEqual(['chargers.CP-1/0.evseId']);
    expect(siteIssues(site({ chargers: [charger({ circuitId: 'gone' })] }))).toEqual([
      { path: 'chargers.CP-1.circuitId', message: 'circuit "gone" does not exist on this site' },
    ]);
    expect(paths(site({ chargers: [charger(), charger()] }))).toEqual(['chargers.CP-1']);
  });

  it('group priorities: id tag groups, priorities -100..100', () => {
    expect(paths(site({ groupPriorities: { 'has space': 1 } }))).toEqual(['groupPriorities.has space']);
    expect(paths(site({ groupPriorities: { FLEET: -101 } }))).toEqual(['groupPriorities.FLEET']);
  });
});
