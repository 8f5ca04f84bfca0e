// SiteAllocator: the Durable Object (one per site, named by its id) that keeps a site under its
// limit. Charger objects tell it of sessions starting and ending and what they draw (signals.ts);
// it allocates (allocation.ts) and sends each session its share as a TxProfile, through the charger
// object's command path, in an order that is safe while answers are outstanding (plan.ts).
//
// Why one object per site: the allocation needs every session of the site at once, and a single
// writer keeps it consistent without D1 — nothing here writes D1, whatever the chargers send.
// What must survive eviction (config, chargers, sessions, what each accepted) is in its storage
// (allocator-store.ts); recomputations are serialized so two never interleave their sends.

import { DurableObject } from 'cloudflare:workers';
import type { CommandOutcome } from '../charger/types';
import type { Env } from '../env';
import { logError } from '../log';
import { allocate, type Share } from './allocation';
import { planSends } from './plan';
import type { SiteConfig } from './model';
import { SITE_FALLBACK_PROFILE_ID, SITE_TX_PROFILE_BASE, fitToCharger, setChargingProfileRequest, wattPhases, type ProfileSupport } from './profiles';
import { needsDetail, sessionNeeds, type SessionNeeds } from './ev-needs';
import { maybeApplied, takeReading } from './session-readings';
import type { SiteSignal } from './signals';
import { assignmentFor, sessionKey, siteInputs, type ChargerState, type SessionState } from './site-inputs';
import { AllocatorStore, type LoadSample, type LogEntry } from './allocator-store';

/** What a charger object sends: its connection's changes and the signals of its answered CALLs. */
export type ChargerSignal = SiteSignal | { type: 'connected'; at: string } | { type: 'disconnected'; at: string };

/** How long a charger that refused a profile counts at its full rating before it is asked again. */
const REFUSED_RETRY_MS = 5 * 60_000;
/** …and one whose answer did not come (or the CSMS's own checks refused the profile): asked again sooner. */
const FAILED_RETRY_MS = 60_000;
/** The alarm's beat while sessions run: rotation, time-of-day limits, retries, the minute's sample. */
const BEAT_MS = 30_000;
/** A session the site heard nothing of for this long is checked with its charger at the next beat. */
const RECONCILE_MS = 10 * 60_000;
/** A profile sent gets this long (seconds) for its answer through the charger's object. */
const SEND_TIMEOUT_SECONDS = 30;

/** The site object for `siteId`. */
export function siteObject(env: Env, siteId: string): DurableObjectStub<SiteAllocator> {
  return env.SITES.getByName(siteId);
}

export interface SiteSnapshot {
  siteId: string;
  configured: boolean;
  limit: { amps: number | null; kw: number | null };
  chargers: Array<ChargerState & { countedAmps: number | null; countedBecause: string | null }>;
  sessions: Array<
    Pick<SessionState, 'chargerId' | 'evseId' | 'transactionId' | 'measuredAmps' | 'acceptedAmps' | 'pendingAmps' | 'shareAmps' | 'reason' | 'limitedBy' | 'drawCap'> & {
      startedAt: string;
      /** What its car said it needs (ISO 15118), departure as ISO 8601; null: nothing said. */
      needs: (Omit<SessionNeeds, 'departureAt'> & { departureAt: string | null }) | null;
      /** Wh drawn since the site first read its register; null: no register read yet. */
      energyWh: number | null;
    }
  >;
}

export class SiteAllocator extends DurableObject<Env> {
  private readonly store: AllocatorStore;
  /** Recomputations in order: the next waits for the one before. */
  private work: Promise<void> = Promise.resolve();
  private recomputeQueued = false;
  /** Numbers this instance's sends, to match each answer to its send. */
  private sendSeq = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new AllocatorStore(ctx.storage.sql);
    // Answers awaited by an instance that is gone will never come: what was sent may have been applied.
    const chargers = this.store.chargers();
    for (const session of this.store.sessions()) {
      if (session.pendingAmps === null && !session.inFlight?.length) continue;
      maybeApplied(session, chargers.get(session.chargerId)?.fallbackAccepted ?? null, session.pendingAmps);
      Object.assign(session, { pendingAmps: null, inFlight: [] });
      this.store.putSession(session);
    }
    for (const charger of chargers.values()) {
      if (charger.fallbackPending === null) continue;
      charger.fallbackPending = null; // fallbackAccepted stays null: counted at full rating until asked again
      this.store.putCharger(charger);
    }
  }

  /** The operator changed the site (the API, after D1 committed): the whole config, or null when the site is gone. */
  async configure(config: SiteConfig | null): Promise<{ applied: true }> {
    const before = this.store.config();
    this.store.setConfig(config);
    const now = Date.now();
    this.store.log({ chargerId: null, evseId: null, transactionId: null, kind: config ? 'configured' : 'deleted', amps: null, detail: config?.updatedAt ?? null }, now);
    // A charger no longer on the site keeps nothing of it: its fallback and session profiles are cleared.
    const kept = new Set(config?.chargers.map((c) => c.chargerId) ?? []);
    for (const chargerId of new Set(before?.chargers.map((c) => c.chargerId) ?? [])) {
      if (!kept.has(chargerId)) await this.release(chargerId);
    }
    await this.recompute();
    return { applied: true };
  }

  /** A charger object's news. Never throws back at it: the charger's answer has already left. */
  async signal(chargerId: string, protocol: string, signals: ChargerSignal[]): Promise<void> {
    const config = this.store.config();
    if (!config || !config.chargers.some((c) => c.chargerId === chargerId)) return;
    const now = Date.now();
    const chargers = this.store.chargers();
    const charger = chargers.get(chargerId) ?? { chargerId, protocol, connected: true, fallbackAccepted: null, fallbackPending: null, refusedUntil: 0, refusedWhy: null };
    charger.protocol = protocol;
    const sessions = new Map(this.store.sessions().filter((s) => s.chargerId === chargerId).map((s) => [s.key, s]));
    for (const signal of signals) {
      switch (signal.type) {
        case 'connected':
        case 'booted':
          // What it held before may be gone (a reboot): nothing is vouched for until it accepts again.
          // What it declares of profiles is read again at the next send (its configuration may have changed).
          Object.assign(charger, { connected: true, fallbackAccepted: null, fallbackPending: null, refusedUntil: 0, refusedWhy: null, support: undefined });
          for (const s of sessions.values()) Object.assign(s, { acceptedAmps: null, pendingAmps: null, inFlight: [] });
          break;
        case 'disconnected':
          charger.connected = false;
          break;
        case 'started':
          this.started(sessions, chargerId, signal.evseId, signal.transactionId, signal.group, now);
          break;
        case 'ended':
          for (const s of sessions.values()) {
            if (s.transactionId !== signal.transactionId) continue;
            sessions.delete(s.key);
            this.store.deleteSession(s.key);
            this.store.log({ chargerId, evseId: s.evseId, transactionId: s.transactionId, kind: 'ended', amps: null, detail: null }, now);
          }
          break;
        case 'meter': {
          if (!assignmentFor(config, chargerId, signal.evseId)) break;
          let session = sessions.get(sessionKey(chargerId, signal.evseId));
          // A reading of a transaction the site never heard start (assigned mid-session, a lost signal) starts it.
          if ((!session || session.transactionId !== signal.transactionId) && signal.transactionId !== null) {
            session = this.started(sessions, chargerId, signal.evseId, signal.transactionId, null, now);
          }
          if (!session) break;
          takeReading(session, signal, config.voltage, charger.fallbackAccepted, now);
          break;
        }
        case 'needs': {
          // Needs come while a transaction runs on the EVSE (the CSMS refuses them otherwise); before the site heard of it, they are dropped.
          const session = sessions.get(sessionKey(chargerId, signal.evseId));
          if (!session) break;
          session.needs = sessionNeeds(signal);
          session.resendDue = true;
          this.store.log({ chargerId, evseId: session.evseId, transactionId: session.transactionId, kind: 'needs', amps: null, detail: needsDetail(signal) }, now);
          break;
        }
      }
    }
    this.store.putCharger(charger);
    for (const s of sessions.values()) this.store.putSession(s);
    await this.recompute();
  }

  /** What the site does now: its limit, each charger as counted, each session's share and why. */
  async snapshot(): Promise<SiteSnapshot> {
    const config = this.store.config();
    const now = Date.now();
    const chargers = this.store.chargers();
    const sessions = this.store.sessions();
    const inputs = config ? siteInputs(config, chargers, sessions, now) : null;
    return {
      siteId: config?.siteId ?? '',
      configured: config !== null,
      limit: inputs?.capacity.limit ?? { amps: null, kw: null },
      chargers: [...chargers.values()].map((c) => {
        const fixed = inputs?.fixed.find((f) => f.key.startsWith(`fixed:${c.chargerId}/`));
        return { ...c, countedAmps: fixed?.amps ?? null, countedBecause: fixed?.reason ?? null };
      }),
      sessions: sessions.map((s) => ({
        chargerId: s.chargerId,
        evseId: s.evseId,
        transactionId: s.transactionId,
        startedAt: new Date(s.startedAt).toISOString(),
        measuredAmps: s.measuredAmps,
        acceptedAmps: s.acceptedAmps,
        pendingAmps: s.pendingAmps,
        shareAmps: s.shareAmps,
        reason: s.reason,
        limitedBy: s.limitedBy,
        drawCap: s.drawCap,
        needs: s.needs
          ? { ...s.needs, departureAt: s.needs.departureAt === null ? null : new Date(s.needs.departureAt).toISOString() }
          : null,
        energyWh: s.energyFirstWh !== undefined && s.energyLatestWh !== undefined ? Math.max(0, s.energyLatestWh - s.energyFirstWh) : null,
      })),
    };
  }

  async logPage(limit: number, beforeId: number | null): Promise<LogEntry[]> {
    return this.store.logPage(Math.min(Math.max(limit, 1), 500), beforeId);
  }

  async load(fromMs: number, toMs: number): Promise<LoadSample[]> {
    return this.store.samples(Math.floor(fromMs / 60_000), Math.ceil(toMs / 60_000));
  }

  override async alarm(): Promise<void> {
    await this.reconcile();
    await this.recompute();
  }

  /**
   * Sessions the site has heard nothing of for a while are checked against the charger's own
   * record: an end whose signal was lost must not keep its share reserved for ever.
   */
  private async reconcile(): Promise<void> {
    const now = Date.now();
    const chargers = this.store.chargers();
    const quiet = this.store.sessions().filter((s) => chargers.get(s.chargerId)?.connected && now - Math.max(s.startedAt, s.measuredAt ?? 0, s.checkedAt ?? 0) > RECONCILE_MS);
    for (const chargerId of new Set(quiet.map((s) => s.chargerId))) {
      let running: Array<{ transactionId: string; evseId: number }>;
      try {
        running = await this.env.CHARGERS.getByName(chargerId).runningSessions();
      } catch (error) {
        logError('site reconcile', chargerId, error);
        continue;
      }
      const live = new Set(running.map((t) => t.transactionId));
      for (const session of quiet.filter((s) => s.chargerId === chargerId)) {
        const current = this.store.sessions().find((s) => s.key === session.key && s.transactionId === session.transactionId);
        if (!current) continue;
        if (live.has(current.transactionId)) {
          current.checkedAt = now;
          this.store.putSession(current);
        } else {
          this.store.deleteSession(current.key);
          this.store.log({ chargerId, evseId: current.evseId, transactionId: current.transactionId, kind: 'ended', amps: null, detail: 'not running on the charger' }, now);
        }
      }
    }
  }

  private started(sessions: Map<string, SessionState>, chargerId: string, evseId: number, transactionId: string, group: string | null, now: number): SessionState {
    const key = sessionKey(chargerId, evseId);
    const previous = sessions.get(key);
    if (previous?.transactionId === transactionId) {
      if (group !== null) previous.group = group;
      return previous;
    }
    const session: SessionState = {
      key, chargerId, evseId, transactionId, group, startedAt: now,
      measuredAmps: null, measuredAt: null, phasesInUse: null, drawCap: null,
      acceptedAmps: null, pendingAmps: null, shareAmps: 0, reason: 'waiting', limitedBy: null, charging: false, since: now,
    };
    sessions.set(key, session);
    this.store.log({ chargerId, evseId, transactionId, kind: 'started', amps: null, detail: group }, now);
    return session;
  }

  /** Recomputes now, or after the one running; a burst of signals costs one more recomputation, not one each. */
  private recompute(): Promise<void> {
    if (this.recomputeQueued) return this.work;
    this.recomputeQueued = true;
    this.work = this.work.then(async () => {
      this.recomputeQueued = false;
      try {
        await this.allocateAndSend();
      } catch (error) {
        logError('site allocation', this.store.config()?.siteId ?? '?', error);
      }
    });
    return this.work;
  }

  private async allocateAndSend(): Promise<void> {
    const config = this.store.config();
    if (!config) return;
    const now = Date.now();
    const chargers = this.store.chargers();
    const sessions = this.store.sessions();
    const inputs = siteInputs(config, chargers, sessions, now);
    const targets = allocate(inputs.capacity, inputs.demands, inputs.fixed, now);
    for (const s of sessions) {
      const share: Share | undefined = targets.get(s.key);
      if (!share) continue;
      const charging = share.amps > 0;
      if (charging !== s.charging) Object.assign(s, { charging, since: now });
      Object.assign(s, { shareAmps: share.amps, reason: share.reason, limitedBy: share.limitedBy });
      this.store.putSession(s);
    }
    this.sampleLoad(inputs, sessions, now);

    for (const assignment of inputs.fallbackDue) void this.sendFallback(config, assignment.chargerId, assignment.evseId ?? 0, assignment.fallbackAmps);
    const sends = planSends(inputs.capacity, inputs.demands, inputs.fixed, inputs.committed, targets);
    const byKey = new Map(sessions.map((s) => [s.key, s]));
    for (const send of sends) {
      const session = byKey.get(send.key);
      if (session) void this.sendShare(config, session, send.amps);
    }
    // A W-only charger's watts are for the phases its readings showed (profiles.ts wattPhases): when they show others, the same amps again.
    const planned = new Set(sends.map((send) => send.key));
    for (const d of inputs.demands) {
      const session = byKey.get(d.key);
      if (!session || planned.has(d.key) || session.acceptedAmps === null || session.inFlight?.length || session.wattPhases === undefined) continue;
      if (session.wattPhases !== wattPhases(session.phasesInUse)) {
        planned.add(d.key);
        void this.sendShare(config, session, session.acceptedAmps);
      }
    }
    // New EV needs (ISO 15118): the charger renegotiates with the car when it gets a TxProfile, so the
    // share goes again — at most what the charger holds, which keeps every limit as it is now.
    for (const session of sessions) {
      if (!session.resendDue) continue;
      session.resendDue = false;
      this.store.putSession(session);
      if (planned.has(session.key) || session.inFlight?.length || session.acceptedAmps === null) continue;
      void this.sendShare(config, session, Math.min(targets.get(session.key)?.amps ?? 0, session.acceptedAmps));
    }
    // While anything runs, a beat: time-of-day limits, rotation, refused chargers asked again.
    if (sessions.length > 0 || inputs.fixed.length > 0 || config.dailySchedule.length > 0 || config.externalLimit) {
      const alarm = await this.ctx.storage.getAlarm();
      if (alarm === null || alarm > now + BEAT_MS) await this.ctx.storage.setAlarm(now + BEAT_MS);
    }
  }

  /** Sends a session its share; its pending amount counts until the answer, and after a lost answer as if accepted. */
  private async sendShare(config: SiteConfig, session: SessionState, amps: number): Promise<void> {
    const chargers = this.store.chargers();
    const charger = chargers.get(session.chargerId);
    const assignment = assignmentFor(config, session.chargerId, session.evseId);
    if (!charger?.protocol || !assignment) return;
    // Every send still unanswered counts at its amount: two may be in flight, and either may be applied last.
    const seq = (this.sendSeq += 1);
    session.inFlight = [...(session.inFlight ?? []), { seq, amps }];
    session.pendingAmps = Math.max(...session.inFlight.map((f) => f.amps));
    this.store.putSession(session);
    const now = Date.now();
    this.store.log({ chargerId: session.chargerId, evseId: session.evseId, transactionId: session.transactionId, kind: 'sent', amps, detail: session.reason }, now);
    const phases = session.phasesInUse === 1 || assignment.phases === 1 ? 1 : 3;
    const fit = fitToCharger(await this.profileSupport(session.chargerId));
    const sentWattPhases = wattPhases(session.phasesInUse);
    const request = setChargingProfileRequest(charger.protocol, {
      purpose: 'TxProfile', evseId: session.evseId, transactionId: session.transactionId, amps, phases, voltage: config.voltage, ...fit, wattPhases: sentWattPhases,
    });
    const outcome = await this.command(session.chargerId, 'SetChargingProfile', request);
    const current = this.store.sessions().find((s) => s.key === session.key && s.transactionId === session.transactionId);
    const at = Date.now();
    if (!current) return; // ended meanwhile
    const inFlight = (current.inFlight ?? []).filter((f) => f.seq !== seq);
    const accepted = outcome.ok && outcome.result.status === 'Accepted';
    const log = { chargerId: session.chargerId, evseId: session.evseId, transactionId: session.transactionId };
    if (accepted) {
      // The charger holds this one now; a later send still in flight replaces it when answered.
      current.acceptedAmps = amps;
      if (fit.rateUnit === 'W') current.wattPhases = sentWattPhases;
      else delete current.wattPhases;
      this.store.log({ ...log, kind: 'accepted', amps, detail: null }, at);
    } else {
      // Rejected: not applied. Failed (no answer): perhaps applied; either way it counts at the higher until the charger says otherwise.
      if (!outcome.ok) maybeApplied(current, this.store.chargers().get(session.chargerId)?.fallbackAccepted ?? null, amps);
      const detail = outcome.ok ? `status ${String(outcome.result.status)}` : `${outcome.error.code}: ${outcome.error.message}`;
      this.store.log({ ...log, kind: outcome.ok ? 'rejected' : 'failed', amps, detail }, at);
      this.markRefused(session.chargerId, at, outcome.ok ? REFUSED_RETRY_MS : FAILED_RETRY_MS, detail);
    }
    current.inFlight = inFlight;
    current.pendingAmps = inFlight.length > 0 ? Math.max(...inFlight.map((f) => f.amps)) : null;
    this.store.putSession(current);
    await this.recompute();
  }

  private async sendFallback(config: SiteConfig, chargerId: string, evseId: number, amps: number): Promise<void> {
    const charger = this.store.chargers().get(chargerId);
    if (!charger?.protocol) return;
    charger.fallbackPending = amps;
    this.store.putCharger(charger);
    this.store.log({ chargerId, evseId, transactionId: null, kind: 'fallback-sent', amps, detail: null }, Date.now());
    // A fallback's watts are one phase's worth (wattPhases): nothing is known of the car that will draw them.
    const request = setChargingProfileRequest(charger.protocol, {
      purpose: 'TxDefaultProfile', evseId, transactionId: null, amps, phases: null, voltage: config.voltage, ...fitToCharger(await this.profileSupport(chargerId)), wattPhases: 1,
    });
    const outcome = await this.command(chargerId, 'SetChargingProfile', request);
    const at = Date.now();
    const current = this.store.chargers().get(chargerId);
    if (!current) return;
    current.fallbackPending = null;
    if (outcome.ok && outcome.result.status === 'Accepted') {
      current.fallbackAccepted = amps;
      this.store.log({ chargerId, evseId, transactionId: null, kind: 'fallback-accepted', amps, detail: null }, at);
    } else {
      const detail = outcome.ok ? `status ${String(outcome.result.status)}` : `${outcome.error.code}: ${outcome.error.message}`;
      this.store.log({ chargerId, evseId, transactionId: null, kind: outcome.ok ? 'fallback-rejected' : 'fallback-failed', amps, detail }, at);
      current.refusedUntil = at + (outcome.ok ? REFUSED_RETRY_MS : FAILED_RETRY_MS);
      current.refusedWhy = detail;
      current.support = undefined; // perhaps refused for its unit: read again before the next try
    }
    this.store.putCharger(current);
    await this.recompute();
  }

  /** A charger that did not take a profile counts at its full rating for `forMs`, then is asked again. */
  private markRefused(chargerId: string, at: number, forMs: number, why: string): void {
    const charger = this.store.chargers().get(chargerId);
    if (!charger) return;
    charger.refusedUntil = at + forMs;
    charger.refusedWhy = why;
    // Asked again from scratch after the wait: its fallback first, and what it declares read again.
    charger.fallbackAccepted = null;
    charger.support = undefined;
    this.store.putCharger(charger);
  }

  /** A charger leaves the site: the site's profiles on it are cleared, and the site forgets it. */
  private async release(chargerId: string): Promise<void> {
    const charger = this.store.chargers().get(chargerId);
    const sessions = this.store.sessions().filter((s) => s.chargerId === chargerId);
    this.store.deleteCharger(chargerId);
    this.store.log({ chargerId, evseId: null, transactionId: null, kind: 'released', amps: null, detail: null }, Date.now());
    if (!charger?.protocol) return;
    // By id: an operator's own profiles at the same stack level stay.
    const ids = [SITE_FALLBACK_PROFILE_ID, ...sessions.map((s) => SITE_TX_PROFILE_BASE + s.evseId)];
    for (const id of ids) {
      const outcome = await this.command(chargerId, 'ClearChargingProfile', charger.protocol === 'ocpp1.6' ? { id } : { chargingProfileId: id });
      if (!outcome.ok) logError('site release', chargerId, `${outcome.error.code}: ${outcome.error.message}`);
    }
  }

  /**
   * What the charger declared of the profiles it takes, from its object: read once per connection
   * (and again after a refusal), kept with the charger. Null when it cannot be read: amps, the
   * site's stack level — the charger's answer tells whether that was right.
   */
  private async profileSupport(chargerId: string): Promise<ProfileSupport | null> {
    const known = this.store.chargers().get(chargerId)?.support;
    if (known !== undefined) return known;
    let support: ProfileSupport | null;
    try {
      support = await this.env.CHARGERS.getByName(chargerId).profileSupport();
    } catch (error) {
      logError('site profile support', chargerId, error);
      return null;
    }
    const charger = this.store.chargers().get(chargerId);
    if (charger) {
      charger.support = support;
      this.store.putCharger(charger);
    }
    return support;
  }

  /** One command through the charger object's command path (its checks, its one outstanding CALL); a failed call is an outcome too. */
  private async command(chargerId: string, action: string, payload: Record<string, unknown>): Promise<CommandOutcome> {
    try {
      return (await this.env.CHARGERS.getByName(chargerId).sendCommand(action, payload, SEND_TIMEOUT_SECONDS)) as unknown as CommandOutcome;
    } catch (error) {
      return { ok: false, status: 503, error: { code: 'Unreachable', message: String(error) } };
    }
  }

  private sampleLoad(inputs: ReturnType<typeof siteInputs>, sessions: SessionState[], now: number): void {
    const allocated = [0, 0, 0];
    const measured = [0, 0, 0];
    for (const f of inputs.fixed) for (const p of f.phases) allocated[p - 1]! += f.amps;
    const bySession = new Map(sessions.map((s) => [s.key, s]));
    for (const d of inputs.demands) {
      const s = bySession.get(d.key);
      for (const p of d.phases) {
        allocated[p - 1]! += s?.shareAmps ?? 0;
        measured[p - 1]! += s?.measuredAmps ?? 0;
      }
    }
    this.store.sample(Math.floor(now / 60_000), {
      limitAmps: inputs.capacity.limit.amps,
      allocatedAmps: Math.max(...allocated),
      measuredAmps: Math.max(...measured),
      sessions: inputs.demands.length,
    });
  }
}
