// What the site's object knows of its chargers and sessions, turned into the allocator's inputs
// (src/sites/allocation.ts): demands, loads counted whatever happens, and what each charger
// committed to. Pure: no Cloudflare types.
//
// Safety rests here. A charger the site cannot vouch for — not connected, refusing its profiles, or
// not yet holding the site's fallback — counts at its full rating, and its sessions get no share:
// whatever it draws, it draws within that.
//
// Imports carry `.ts` so Node runs this file by type stripping (bench/lib/allocation.mjs drives it).

import type { Capacity, Demand, FixedLoad } from './allocation.ts';
import type { Committed } from './plan.ts';
import { effectiveLimit } from './allocation.ts';
import type { CircuitConfig, SiteCharger, SiteConfig, SitePhase } from './model.ts';
import { needsLimits, type SessionNeeds } from './ev-needs.ts';
import type { ProfileSupport } from './profiles.ts';

export interface ChargerState {
  chargerId: string;
  /** The subprotocol it last connected with; null before the site heard of it. */
  protocol: string | null;
  connected: boolean;
  /** The fallback (TxDefaultProfile) amps it accepted since it last connected; null: none yet. */
  fallbackAccepted: number | null;
  fallbackPending: number | null;
  /** Epoch ms until which it counts as refusing the site's profiles (0: it does not): it refused one, or did not answer. */
  refusedUntil: number;
  /** Why, as the charger or the CSMS's checks said it. */
  refusedWhy: string | null;
  /** What it declared of the profiles it takes, as read from its object (profiles.ts); absent: not read since it connected. */
  support?: ProfileSupport | null;
}

export interface SessionState {
  /** `${chargerId}/${evseId}` */
  key: string;
  chargerId: string;
  evseId: number;
  transactionId: string;
  group: string | null;
  startedAt: number;
  measuredAmps: number | null;
  measuredAt: number | null;
  phasesInUse: number | null;
  /** From demand.ts: what the car is seen to take, when it takes less than offered. */
  drawCap: number | null;
  /** The TxProfile amps the charger accepted for this transaction; null: none yet. */
  acceptedAmps: number | null;
  /** The highest of the sends awaiting an answer (any of them may still be applied); null: none in flight. */
  pendingAmps: number | null;
  /** New EV needs came: the session's share is sent again (the charger renegotiates with the car on a new TxProfile). */
  resendDue?: boolean;
  /** The sends awaiting an answer, oldest first (seq: this object's number for the send). */
  inFlight?: Array<{ seq: number; amps: number }>;
  /** The allocator's last word, for the operator: its share and why. */
  shareAmps: number;
  reason: string;
  limitedBy: string | null;
  charging: boolean;
  since: number;
  /** When the charger last confirmed the transaction runs (the site's check of quiet sessions). */
  checkedAt?: number;
  /** What its car said it needs (ISO 15118, ev-needs.ts); absent: nothing said. */
  needs?: SessionNeeds;
  /** The energy register (Wh) at the first reading the site saw of this transaction, and at the latest. */
  energyFirstWh?: number;
  energyLatestWh?: number;
  /** A W-only charger's last profile for this session was for this many phases (site-object's resend when the readings show more or fewer). */
  wattPhases?: number;
}

export interface SiteInputs {
  capacity: Capacity;
  demands: Demand[];
  fixed: FixedLoad[];
  committed: Map<string, Committed>;
  /** The chargers whose fallback must be (re)sent: connected, not refusing, not holding it. */
  fallbackDue: SiteCharger[];
}

export function sessionKey(chargerId: string, evseId: number): string {
  return `${chargerId}/${evseId}`;
}

/** The assignment a session on `evseId` of `chargerId` falls under: its EVSE's own, else the whole charger's; null: not on this site. */
export function assignmentFor(config: SiteConfig, chargerId: string, evseId: number): SiteCharger | null {
  return assignmentIn(new Map([[chargerId, config.chargers.filter((c) => c.chargerId === chargerId)]]), chargerId, evseId);
}

function assignmentIn(byCharger: Map<string, SiteCharger[]>, chargerId: string, evseId: number): SiteCharger | null {
  let whole: SiteCharger | null = null;
  for (const charger of byCharger.get(chargerId) ?? []) {
    if (charger.evseId === evseId) return charger;
    if (charger.evseId === null) whole = charger;
  }
  return whole;
}

/** The site phases a charger's phases 1..n load, through its rotation; a single phase of unknown rotation counts on all three. */
export function sitePhases(charger: SiteCharger, phasesUsed: number): SitePhase[] {
  if (phasesUsed >= 3 || !charger.phaseRotation) return [1, 2, 3];
  const first = 'RST'.indexOf(charger.phaseRotation[0] ?? 'R');
  return [(first + 1) as SitePhase];
}

/** A whole charger is a circuit of its own rating: sessions on its EVSEs share it. */
function chargerCircuitId(chargerId: string): string {
  return `charger:${chargerId}`;
}

export function siteInputs(config: SiteConfig, chargers: Map<string, ChargerState>, sessions: SessionState[], now: number): SiteInputs {
  const circuits: CircuitConfig[] = [...config.circuits];
  for (const c of config.chargers) {
    if (c.evseId === null) circuits.push({ circuitId: chargerCircuitId(c.chargerId), parentId: c.circuitId, name: c.chargerId, limit: { amps: c.maxAmps, kw: null } });
  }
  const capacity: Capacity = { limit: effectiveLimit(config, now), voltage: config.voltage, circuits };
  const demands: Demand[] = [];
  const fixed: FixedLoad[] = [];
  const committed = new Map<string, Committed>();
  const fallbackDue: SiteCharger[] = [];
  const vouched = new Set<SiteCharger>();

  for (const assignment of config.chargers) {
    const state = chargers.get(assignment.chargerId);
    const fixedKey = `fixed:${assignment.chargerId}/${assignment.evseId ?? '*'}`;
    const circuitId = assignment.evseId === null ? chargerCircuitId(assignment.chargerId) : assignment.circuitId;
    const full = (reason: FixedLoad['reason']): void => {
      fixed.push({ key: fixedKey, circuitId, phases: sitePhases(assignment, assignment.phases), amps: assignment.maxAmps, reason });
    };
    if (!state || !state.connected) full('unreachable');
    else if (state.refusedUntil > now) full('refused');
    else if (state.fallbackAccepted === null || state.fallbackAccepted !== assignment.fallbackAmps) {
      // Until it holds the site's fallback a new session may draw anything: its full rating. An
      // accepted fallback higher than the one now configured counts as it stands.
      full('unmanaged');
      if (state.fallbackPending === null) fallbackDue.push(assignment);
    } else {
      vouched.add(assignment);
    }
  }

  // The assignments by charger: a lookup per session, not a scan of the site's chargers (2,000 sessions: 4 M steps).
  const byCharger = new Map<string, SiteCharger[]>();
  for (const c of config.chargers) byCharger.set(c.chargerId, [...(byCharger.get(c.chargerId) ?? []), c]);
  const busy = new Set<SiteCharger>();
  for (const session of sessions) {
    const assignment = assignmentIn(byCharger, session.chargerId, session.evseId);
    if (!assignment || !vouched.has(assignment)) continue;
    busy.add(assignment);
    const state = chargers.get(session.chargerId)!;
    const phasesUsed = session.phasesInUse === 1 || assignment.phases === 1 ? 1 : 3;
    const groupPriority = session.group === null ? undefined : config.groupPriorities[session.group];
    const limits = needsLimits(session, config.minAmps, assignment.maxAmps, config.voltage, phasesUsed);
    demands.push({
      key: session.key,
      chargerId: session.chargerId,
      evseId: session.evseId,
      circuitId: assignment.evseId === null ? chargerCircuitId(assignment.chargerId) : assignment.circuitId,
      phases: sitePhases(assignment, phasesUsed),
      minAmps: limits.minAmps,
      maxAmps: limits.maxAmps,
      drawCapAmps: session.drawCap,
      priority: Math.max(assignment.priority, groupPriority ?? assignment.priority),
      charging: session.charging,
      since: session.since,
      departureAt: limits.departureAt,
    });
    // Before its own profile is accepted, a session draws at most the charger's fallback.
    committed.set(session.key, {
      key: session.key,
      acceptedAmps: session.acceptedAmps ?? state.fallbackAccepted,
      pendingAmps: session.pendingAmps,
      lastSentAmps: session.inFlight?.at(-1)?.amps ?? session.pendingAmps,
    });
  }

  // An idle charger holding a fallback above 0 may start a session at it any moment: reserved.
  for (const assignment of vouched) {
    if (busy.has(assignment) || assignment.fallbackAmps <= 0) continue;
    const circuitId = assignment.evseId === null ? chargerCircuitId(assignment.chargerId) : assignment.circuitId;
    fixed.push({ key: `fixed:${assignment.chargerId}/${assignment.evseId ?? '*'}`, circuitId, phases: sitePhases(assignment, assignment.phases), amps: assignment.fallbackAmps, reason: 'fallback' });
  }
  return { capacity, demands, fixed, committed, fallbackDue };
}
