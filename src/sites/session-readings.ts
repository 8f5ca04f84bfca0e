// How the site object's record of a session moves with what its charger says and answers: a
// reading (draw, phases in use, energy register, what the car is seen to take), and a profile
// whose answer was lost. Pure: no Cloudflare types.

import type { SiteSignal } from './signals';
import { drawCap } from './demand';
import type { SessionState } from './site-inputs';

type Reading = Extract<SiteSignal, { type: 'meter' }>;

/**
 * A reading of `session`: its draw (amps, else power at `voltage` over its phases), the phases it
 * uses, its energy register, and its draw cap against what it is offered (its accepted share, else
 * the charger's fallback `fallbackAccepted`).
 */
export function takeReading(session: SessionState, signal: Reading, voltage: number, fallbackAccepted: number | null, now: number): void {
  const amps = signal.amps ?? (signal.powerW === null ? null : signal.powerW / voltage / (signal.phasesInUse ?? 3));
  const offered = session.acceptedAmps ?? fallbackAccepted;
  session.measuredAmps = amps;
  session.measuredAt = now;
  if (signal.phasesInUse !== null && signal.phasesInUse > 0) session.phasesInUse = signal.phasesInUse;
  // Held to fewer phases' watts than it uses (a W-only charger, profiles.ts wattPhases), a car draws less for that, not by choice: no cap learnt.
  const heldByWatts = session.wattPhases !== undefined && session.phasesInUse !== null && session.wattPhases < session.phasesInUse;
  if (!heldByWatts) session.drawCap = offered === null ? null : drawCap(offered, amps, session.drawCap);
  if (signal.energyWh !== null) {
    session.energyFirstWh ??= signal.energyWh;
    session.energyLatestWh = signal.energyWh;
  }
}

/**
 * A profile whose answer was lost may have been applied: the session counts at the higher of what
 * it held (its own accepted share, else the charger's fallback) and what was sent.
 */
export function maybeApplied(session: SessionState, fallbackAccepted: number | null, sentAmps: number | null): void {
  if (sentAmps === null) return;
  const held = session.acceptedAmps ?? fallbackAccepted;
  session.acceptedAmps = held === null ? null : Math.max(held, sentAmps);
}
