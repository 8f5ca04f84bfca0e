// Unit tests: what the site's object hands the allocator — who is vouched for, who counts at full rating.
import { describe, expect, it } from 'vitest';
import type { SiteCharger, SiteConfig } from './model';
import type { SessionNeeds } from './ev-needs';
import { sitePhases, siteInputs, type ChargerState, type SessionState } from './site-inputs';

const NOW = Date.parse('2026-12-01T12:00:00Z');

function config(chargers: SiteCharger[]): SiteConfig {
  return { siteId: 's', name: 's', voltage: 230, limit: { amps: 100, kw: null }, dailySchedule: [], timeZone: 'UTC', externalLimit: null, minAmps: 6, groupPriorities: { VIP: 5 }, circuits: [], chargers, updatedAt: '' };
}
function charger(chargerId: string, extra: Partial<SiteCharger> = {}): SiteCharger {
  return { chargerId, evseId: null, circuitId: null, phaseRotation: null, maxAmps: 32, phases: 3, fallbackAmps: 0, priority: 0, ...extra };
}
function state(chargerId: string, extra: Partial<ChargerState> = {}): ChargerState {
  return { chargerId, protocol: 'ocpp1.6', connected: true, fallbackAccepted: 0, fallbackPending: null, refusedUntil: 0, refusedWhy: null, ...extra };
}
function session(chargerId: string, evseId: number, extra: Partial<SessionState> = {}): SessionState {
  return {
    key: `${chargerId}/${evseId}`, chargerId, evseId, transactionId: `${chargerId}-tx`, group: null, startedAt: NOW, measuredAmps: null, measuredAt: null, phasesInUse: null,
    drawCap: null, acceptedAmps: null, pendingAmps: null, shareAmps: 0, reason: 'waiting', limitedBy: null, charging: false, since: NOW, ...extra,
  };
}

describe('siteInputs', () => {
  it('a charger not connected, refusing, or not holding the configured fallback counts at its full rating and its session gets no demand', () => {
    const cfg = config([charger('gone'), charger('refusing'), charger('new'), charger('ok')]);
    const states = new Map([
      ['gone', state('gone', { connected: false })],
      ['refusing', state('refusing', { refusedUntil: NOW + 1 })],
      ['new', state('new', { fallbackAccepted: null })],
      ['ok', state('ok')],
    ]);
    const inputs = siteInputs(cfg, states, ['gone', 'refusing', 'new', 'ok'].map((id) => session(id, 1)), NOW);
    expect(inputs.fixed.map((f) => [f.key, f.amps, f.reason])).toEqual([
      ['fixed:gone/*', 32, 'unreachable'],
      ['fixed:refusing/*', 32, 'refused'],
      ['fixed:new/*', 32, 'unmanaged'],
    ]);
    expect(inputs.demands.map((d) => d.key)).toEqual(['ok/1']);
    expect(inputs.fallbackDue.map((c) => c.chargerId)).toEqual(['new']);
  });

  it('a charger never heard of counts as unreachable', () => {
    expect(siteInputs(config([charger('x')]), new Map(), [], NOW).fixed).toEqual([{ key: 'fixed:x/*', circuitId: 'charger:x', phases: [1, 2, 3], amps: 32, reason: 'unreachable' }]);
  });

  it('a session not yet holding its own share is committed at the charger’s fallback; an idle charger with a fallback above 0 reserves it', () => {
    const cfg = config([charger('a', { fallbackAmps: 6 }), charger('b', { fallbackAmps: 6 })]);
    const states = new Map([['a', state('a', { fallbackAccepted: 6 })], ['b', state('b', { fallbackAccepted: 6 })]]);
    const inputs = siteInputs(cfg, states, [session('a', 1)], NOW);
    expect(inputs.committed.get('a/1')).toEqual({ key: 'a/1', acceptedAmps: 6, pendingAmps: null, lastSentAmps: null });
    expect(inputs.fixed).toEqual([{ key: 'fixed:b/*', circuitId: 'charger:b', phases: [1, 2, 3], amps: 6, reason: 'fallback' }]);
  });

  it('with two sends in flight a session is committed at the higher of them, and the latest is what it was last sent', () => {
    const cfg = config([charger('a')]);
    const states = new Map([['a', state('a', { fallbackAccepted: 0 })]]);
    const inFlight = [{ seq: 1, amps: 20 }, { seq: 2, amps: 8 }];
    const inputs = siteInputs(cfg, states, [{ ...session('a', 1), acceptedAmps: 12, pendingAmps: 20, inFlight }], NOW);
    expect(inputs.committed.get('a/1')).toEqual({ key: 'a/1', acceptedAmps: 12, pendingAmps: 20, lastSentAmps: 8 });
  });

  it('a whole charger is a circuit of its rating under its own circuit; priority is the higher of charger and group', () => {
    const cfg = { ...config([charger('a', { circuitId: 'c1', priority: 1 })]), circuits: [{ circuitId: 'c1', parentId: null, name: 'c1', limit: { amps: 50, kw: null } }] };
    const inputs = siteInputs(cfg, new Map([['a', state('a')]]), [session('a', 1, { group: 'VIP' }), session('a', 2)], NOW);
    expect(inputs.capacity.circuits).toContainEqual({ circuitId: 'charger:a', parentId: 'c1', name: 'a', limit: { amps: 32, kw: null } });
    expect(inputs.demands.map((d) => [d.key, d.circuitId, d.priority])).toEqual([['a/1', 'charger:a', 5], ['a/2', 'charger:a', 1]]);
  });

  it('an EVSE wired on its own is its own assignment; other EVSEs of that charger are not on the site', () => {
    const cfg = config([charger('a', { evseId: 2, circuitId: null, maxAmps: 16 })]);
    const inputs = siteInputs(cfg, new Map([['a', state('a')]]), [session('a', 1), session('a', 2)], NOW);
    expect(inputs.demands.map((d) => [d.key, d.circuitId, d.maxAmps])).toEqual([['a/2', null, 16]]);
  });
});

describe('siteInputs: ISO 15118 charging needs', () => {
  const needs = (extra: Partial<SessionNeeds> = {}): SessionNeeds => ({ departureAt: null, energyWh: null, evMaxAmps: null, evMinAmps: null, evMaxPowerW: null, ...extra });
  const demandOf = (s: SessionState, c: SiteCharger = charger('a')) => siteInputs(config([c]), new Map([['a', state('a')]]), [s], NOW).demands[0]!;

  it('the car’s maximum lowers the charger’s rating, never raises it; its minimum raises the site’s when it fits under the maximum', () => {
    expect(demandOf(session('a', 1, { needs: needs({ evMaxAmps: 16, evMinAmps: 8 }) }))).toMatchObject({ maxAmps: 16, minAmps: 8 });
    expect(demandOf(session('a', 1, { needs: needs({ evMaxAmps: 40 }) }))).toMatchObject({ maxAmps: 32, minAmps: 6 });
    // A minimum below the site's leaves the site's; one above the car's own maximum is not believed.
    expect(demandOf(session('a', 1, { needs: needs({ evMinAmps: 2 }) }))).toMatchObject({ minAmps: 6 });
    expect(demandOf(session('a', 1, { needs: needs({ evMaxAmps: 10, evMinAmps: 12 }) }))).toMatchObject({ maxAmps: 10, minAmps: 6 });
    // No needs: the site's values, and no departure.
    expect(demandOf(session('a', 1))).toMatchObject({ maxAmps: 32, minAmps: 6, departureAt: null });
  });

  it('a DC car’s maximum power is amps at the site’s voltage over the phases it loads', () => {
    // 11 040 W / (230 V × 3) = 16 A; on a single-phase charger 11 040 / 230 = 48 A, above its rating.
    expect(demandOf(session('a', 1, { needs: needs({ evMaxPowerW: 11_040 }) })).maxAmps).toBe(16);
    expect(demandOf(session('a', 1, { needs: needs({ evMaxPowerW: 11_040 }) }), charger('a', { phases: 1 })).maxAmps).toBe(32);
  });

  it('the departure counts while the car still needs energy: delivered from the register since the first reading seen', () => {
    const leaves = NOW + 3_600_000;
    expect(demandOf(session('a', 1, { needs: needs({ departureAt: leaves, energyWh: 10_000 }) })).departureAt).toBe(leaves);
    expect(demandOf(session('a', 1, { needs: needs({ departureAt: leaves, energyWh: 10_000 }), energyFirstWh: 50_000, energyLatestWh: 59_999 })).departureAt).toBe(leaves);
    expect(demandOf(session('a', 1, { needs: needs({ departureAt: leaves, energyWh: 10_000 }), energyFirstWh: 50_000, energyLatestWh: 60_000 })).departureAt).toBeNull();
    // Energy not asked: the departure stands whatever was delivered.
    expect(demandOf(session('a', 1, { needs: needs({ departureAt: leaves }), energyFirstWh: 0, energyLatestWh: 90_000 })).departureAt).toBe(leaves);
  });
});

describe('sitePhases', () => {
  it('a single-phase session loads the site phase its rotation puts its L1 on; unknown rotation counts on all three', () => {
    expect(sitePhases(charger('a', { phaseRotation: 'RST' }), 1)).toEqual([1]);
    expect(sitePhases(charger('a', { phaseRotation: 'STR' }), 1)).toEqual([2]);
    expect(sitePhases(charger('a', { phaseRotation: 'TRS' }), 1)).toEqual([3]);
    expect(sitePhases(charger('a', { phaseRotation: null }), 1)).toEqual([1, 2, 3]);
    expect(sitePhases(charger('a', { phaseRotation: 'STR' }), 3)).toEqual([1, 2, 3]);
  });
});
