// Unit tests: a session's record after a reading — draw, phases, energy register, and no draw cap learnt from a car held by watts.
import { describe, expect, it } from 'vitest';
import { maybeApplied, takeReading } from './session-readings';
import type { SessionState } from './site-inputs';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const AT = new Date(NOW).toISOString();

function session(extra: Partial<SessionState> = {}): SessionState {
  return {
    key: 'a/1', chargerId: 'a', evseId: 1, transactionId: 't', group: null, startedAt: NOW, measuredAmps: null, measuredAt: null, phasesInUse: null,
    drawCap: null, acceptedAmps: 32, pendingAmps: null, shareAmps: 32, reason: 'fair-share', limitedBy: null, charging: true, since: NOW, ...extra,
  };
}
const reading = (amps: number, phasesInUse: number | null, energyWh: number | null) => ({ type: 'meter' as const, evseId: 1, transactionId: 't', amps, powerW: null, phasesInUse, energyWh, at: AT });

describe('takeReading', () => {
  it('keeps the draw, the phases in use and the register at the first and the latest reading', () => {
    const s = session();
    takeReading(s, reading(31, 3, 1000), 230, 0, NOW);
    takeReading(s, reading(31, 3, 1800), 230, 0, NOW + 1);
    expect(s).toMatchObject({ measuredAmps: 31, measuredAt: NOW + 1, phasesInUse: 3, energyFirstWh: 1000, energyLatestWh: 1800, drawCap: null });
  });

  it('a car drawing less than offered is capped, unless a W-only charger holds it to fewer phases’ watts than it uses', () => {
    const capped = session();
    takeReading(capped, reading(10.6, 3, null), 230, 0, NOW);
    expect(capped.drawCap).toBe(12.6);
    const heldByWatts = session({ wattPhases: 1 });
    takeReading(heldByWatts, reading(10.6, 3, null), 230, 0, NOW);
    expect(heldByWatts.drawCap).toBeNull();
    expect(heldByWatts.energyFirstWh).toBeUndefined();
  });
});

describe('maybeApplied', () => {
  it('a lost answer counts at the higher of what was held and what was sent', () => {
    const s = session({ acceptedAmps: 10 });
    maybeApplied(s, 0, 16);
    expect(s.acceptedAmps).toBe(16);
  });
});
