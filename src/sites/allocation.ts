// The site allocator (issue 17): each charging session's share of the site's capacity, never over
// the site's or any circuit's limit (per phase in amps, and in kW), each share 0 or at least the
// session's minimum, the rest shared max-min fair by priority tier. Pure: no Cloudflare types;
// imports carry `.ts` so Node runs it by type stripping (bench/lib/allocation.mjs).
//
// Two passes. Admission: in order of priority, then sessions already charging (a new arrival does
// not stop one at once; once it has waited `rotationMinutes` it takes the turn of an equal one that
// has charged that long), then the earliest departure (ISO 15118 cars that said when they leave and
// still need energy), then the longest waiting, each gets its minimum if that fits everywhere it
// counts; else it waits (0).
// Filling: tier by tier from the highest priority, progressive filling — a level L rises, each
// session's share is L clamped to [its minimum, its cap], and a session stops rising when it reaches
// its cap or a constraint it counts against is full. A tier is filled before the next gets more
// than its minimum. Constraint "full" levels sit in a heap and are recomputed only when the set of
// rising sessions under them changes, so the cost is O((n · depth) log n), not n × constraints.

import { addLoad, buildConstraints, type Constraints, type Terms } from './constraints.ts';
import type { CircuitConfig, Limit, LimitPeriod, SiteConfig, SitePhase } from './model.ts';

export interface Demand {
  key: string;
  chargerId: string;
  evseId: number | null;
  circuitId: string | null;
  /** The site phases this session loads (after rotation); 1 or 3 entries. */
  phases: SitePhase[];
  /** A share is 0 or at least this. */
  minAmps: number;
  /** The most it may get (charger rating, car, operator's own profile). */
  maxAmps: number;
  /**
   * From demand.ts: what the car was seen to take (+ headroom) when it takes less than offered;
   * null: no cap. It never takes a share below minAmps: a car drawing 3 A is offered the minimum.
   */
  drawCapAmps: number | null;
  /** Higher first. */
  priority: number;
  /** Had a share > 0 in the previous allocation. */
  charging: boolean;
  /** Epoch ms it last went from waiting to charging or back (rotation). */
  since: number;
  /**
   * Epoch ms its car said it leaves, while it still needs energy (ev-needs.ts); null or absent: not
   * known. Only a tie-break inside an admission class: see `allocate`.
   */
  departureAt?: number | null;
}

/** A load counted as drawn whatever happens. */
export interface FixedLoad {
  key: string;
  circuitId: string | null;
  phases: SitePhase[];
  amps: number;
  reason: 'unreachable' | 'refused' | 'fallback' | 'unmanaged';
}

/** limit: the site's effective limit now (effectiveLimit). */
export interface Capacity {
  limit: Limit;
  voltage: number;
  circuits: CircuitConfig[];
}

export type ShareReason = 'fair-share' | 'charger-max' | 'car-draws-less' | 'priority' | 'waiting' | 'minimum';

export interface Share {
  amps: number;
  reason: ShareReason;
  /** 'site' or the circuitId whose limit bound it; null when its own cap did (or nothing). */
  limitedBy: string | null;
}

export interface AllocationOptions {
  /** A charging session is displaced by an equal-priority waiting one only after this long (default 15). */
  rotationMinutes?: number;
}

/** Slack below which a constraint counts as full: float dust, far below the 0.1 A shares are rounded to. */
const EPSILON = 1e-9;
const DEFAULT_ROTATION_MINUTES = 15;

const PENDING = 0;
const RISING = 1;
const FROZEN = 2;

/**
 * Each demand's share, by key. Fixed loads are counted first; whatever they leave is shared. Every
 * constraint holds for fixed loads + shares, except one the fixed loads alone already break: no
 * share is then given that counts against it.
 */
export function allocate(capacity: Capacity, demands: Demand[], fixed: FixedLoad[], now: number, options: AllocationOptions = {}): Map<string, Share> {
  const rotationMs = (options.rotationMinutes ?? DEFAULT_ROTATION_MINUTES) * 60_000;
  const constraints = buildConstraints(capacity);
  const count = constraints.limits.length;
  const n = demands.length;

  // Slack per constraint: its limit less the fixed loads and, once admitted, the minimums.
  const fixedLoad = new Float64Array(count);
  for (const load of fixed) if (load.amps > 0) addLoad(fixedLoad, constraints.terms(load.circuitId, load.phases), load.amps);
  const slack = new Float64Array(count);
  for (let c = 0; c < count; c++) slack[c] = constraints.limits[c]! - fixedLoad[c]!;

  const terms: Terms[] = new Array(n);
  const low = new Float64Array(n);
  const top = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const demand = demands[i]!;
    terms[i] = constraints.terms(demand.circuitId, demand.phases);
    low[i] = Math.max(0, demand.minAmps);
    const drawCap = demand.drawCapAmps === null ? Infinity : Math.max(demand.drawCapAmps, low[i]!);
    top[i] = Math.max(0, Math.min(demand.maxAmps, drawCap));
  }

  // Admission.
  // Classes, in order: charging for less than the rotation time; waiting for at least that long;
  // charging for longer; waiting for less. A session that has just started waiting — new, or just
  // displaced — does not displace one that charges: else each one displaced would displace the
  // next at the next recomputation, a cascade that ends with the one that has charged least out.
  // Inside a class, the earliest departure first (unknown last): among waiting ones it is admitted
  // first, among charging ones the latest departure is the first to give way. It never moves a
  // session across classes, so a car leaving soon does not stop one that charges before its turn,
  // and a displaced one still waits the rotation time: the no-cascade rule holds, and a departure
  // (fixed until the car renegotiates, dropped once its energy is delivered) cannot flip shares.
  const rotationDue = (demand: Demand): boolean => now - demand.since >= rotationMs;
  const klass = (demand: Demand): number => (demand.charging ? (rotationDue(demand) ? 2 : 0) : rotationDue(demand) ? 1 : 3);
  const order = Array.from({ length: n }, (_, i) => i);
  const classes = Int8Array.from(demands, klass);
  order.sort((a, b) => {
    const da = demands[a]!;
    const db = demands[b]!;
    if (da.priority !== db.priority) return db.priority - da.priority;
    if (classes[a] !== classes[b]) return classes[a]! - classes[b]!;
    const leavesA = da.departureAt ?? Infinity;
    const leavesB = db.departureAt ?? Infinity;
    if (leavesA !== leavesB) return leavesA < leavesB ? -1 : 1;
    // Waiting: the longest waiting first. Charging: the one that has charged least first, so the
    // one that has charged longest is the first to give way.
    if (da.since !== db.since) return classes[a] === 1 || classes[a] === 3 ? da.since - db.since : db.since - da.since;
    return da.key < db.key ? -1 : da.key > db.key ? 1 : 0;
  });
  const admitted = new Uint8Array(n);
  const boundBy = new Int32Array(n).fill(-1);
  for (const i of order) {
    if (top[i]! < low[i]! || top[i]! <= 0) continue;
    const t = terms[i]!;
    const need = low[i]!;
    let fits = true;
    for (let k = 0; k < t.index.length; k++) {
      if (slack[t.index[k]!]! - need * t.coef[k]! < -EPSILON) {
        fits = false;
        boundBy[i] = t.index[k]!;
        break;
      }
    }
    if (!fits) continue;
    admitted[i] = 1;
    for (let k = 0; k < t.index.length; k++) slack[t.index[k]!] = slack[t.index[k]!]! - need * t.coef[k]!;
  }

  // Filling, tier by tier.
  const value = Float64Array.from(low);
  const state = new Uint8Array(n).fill(FROZEN);
  const capped = new Uint8Array(n);
  const fullAtPriority = new Float64Array(count).fill(-Infinity);
  const filling = new Filling(slack);
  const tiers = order.filter((i) => admitted[i]);
  for (let from = 0; from < tiers.length; ) {
    const priority = demands[tiers[from]!]!.priority;
    let to = from;
    while (to < tiers.length && demands[tiers[to]!]!.priority === priority) to++;
    fillTier(tiers.slice(from, to), priority);
    from = to;
  }

  function fillTier(members: number[], priority: number): void {
    const rising: number[] = [];
    for (const i of members) {
      if (top[i]! > low[i]!) {
        state[i] = PENDING;
        rising.push(i);
      } else {
        capped[i] = 1;
      }
    }
    if (rising.length === 0) return;
    filling.reset();
    const byLow = rising.slice().sort((a, b) => low[a]! - low[b]!);
    const byTop = rising.slice().sort((a, b) => top[a]! - top[b]!);
    // Per node: this tier's sessions hanging directly from it, to find those under a full constraint.
    const attached = new Map<number, number[]>();
    for (const i of rising) {
      const list = attached.get(terms[i]!.node);
      if (list) list.push(i);
      else attached.set(terms[i]!.node, [i]);
    }
    let level = 0;
    let nextLow = 0;
    let nextTop = 0;
    const freeze = (i: number, at: number): void => {
      if (state[i] === RISING) filling.stop(terms[i]!, at);
      state[i] = FROZEN;
      value[i] = Math.min(top[i]!, Math.max(low[i]!, at));
    };
    for (;;) {
      while (nextLow < byLow.length && state[byLow[nextLow]!] !== PENDING) nextLow++;
      // Only a frozen one is past its stop. A pending one stays at the head: its start (at its low,
      // below its top) comes first, and skipping it would lose its stop, leaving it at its minimum.
      while (nextTop < byTop.length && state[byTop[nextTop]!] === FROZEN) nextTop++;
      // Starts are due before any top (top > low); a stop can be due only once its session rises.
      const startAt = nextLow < byLow.length ? low[byLow[nextLow]!]! : Infinity;
      const stopAt = nextTop < byTop.length ? top[byTop[nextTop]!]! : Infinity;
      const full = filling.nextFull();
      const eventAt = Math.min(startAt, stopAt);
      if (full === null && eventAt === Infinity) return;
      if (full !== null && full.at <= eventAt) {
        level = Math.max(level, full.at);
        const c = full.constraint;
        filling.pop();
        fullAtPriority[c] = Math.max(fullAtPriority[c]!, priority);
        const phase = constraints.phaseOf[c]!;
        const mask = phase === 0 ? 0b1110 : 1 << phase;
        forEachUnder(constraints, constraints.nodeOf[c]!, attached, (i) => {
          if (state[i] === FROZEN || !(terms[i]!.phaseMask & mask)) return;
          boundBy[i] = c;
          freeze(i, level);
        });
        continue;
      }
      level = Math.max(level, eventAt);
      if (startAt <= stopAt) {
        const i = byLow[nextLow]!;
        const full = filling.fullAmong(terms[i]!, level);
        if (full >= 0) {
          boundBy[i] = full;
          freeze(i, level);
        } else {
          state[i] = RISING;
          filling.start(terms[i]!, level);
        }
      } else {
        const i = byTop[nextTop]!;
        capped[i] = 1;
        freeze(i, top[i]!);
      }
    }
  }

  const shares = new Map<string, Share>();
  for (let i = 0; i < n; i++) {
    const demand = demands[i]!;
    const bound = boundBy[i]!;
    const limitedBy = bound >= 0 ? constraints.labels[constraints.nodeOf[bound]!]! : null;
    if (!admitted[i]) {
      shares.set(demand.key, { amps: 0, reason: 'waiting', limitedBy });
      continue;
    }
    // Rounded down to 0.1 A (EPSILON absorbs float dust: 5.9999999999 is 6), never below the minimum.
    const amps = Math.max(low[i]!, Math.floor(value[i]! * 10 + EPSILON) / 10);
    let reason: ShareReason;
    if (amps <= 0) reason = 'waiting';
    else if (capped[i] || bound < 0) reason = demand.drawCapAmps !== null && top[i]! < demand.maxAmps ? 'car-draws-less' : 'charger-max';
    else if (fullAtPriority[bound]! > demand.priority) reason = 'priority';
    else if (amps <= low[i]!) reason = 'minimum';
    else reason = 'fair-share';
    shares.set(demand.key, { amps, reason, limitedBy: capped[i] ? null : limitedBy });
  }
  return shares;
}

/** Calls `visit` for every session of `attached` hanging from `node` or any node beneath it. */
function forEachUnder(constraints: Constraints, node: number, attached: Map<number, number[]>, visit: (i: number) => void): void {
  const stack = [node];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const here = attached.get(at);
    if (here) for (const i of here) visit(i);
    for (const child of constraints.children[at]!) stack.push(child);
  }
}

/**
 * The constraints' state while a tier fills: each one's slack at a reference level and the rate it
 * falls as the level rises (the sum of its rising sessions' coefficients), and a heap of the level
 * at which each becomes full. An entry is stale once its constraint's rate changed (version).
 */
class Filling {
  private readonly refLevel: Float64Array;
  private readonly slope: Float64Array;
  private readonly risingCount: Int32Array;
  private readonly version: Int32Array;
  private readonly heap: { at: number; constraint: number; version: number }[] = [];
  /** Per constraint: its slack at refLevel (the allocator's own array, updated in place). */
  private readonly slack: Float64Array;

  constructor(slack: Float64Array) {
    this.slack = slack;
    const count = slack.length;
    this.refLevel = new Float64Array(count);
    this.slope = new Float64Array(count);
    this.risingCount = new Int32Array(count);
    this.version = new Int32Array(count);
  }

  /** A new tier: nothing rises, the level starts again from 0. */
  reset(): void {
    this.refLevel.fill(0);
    this.slope.fill(0);
    this.risingCount.fill(0);
    this.heap.length = 0;
  }

  /** A session with `terms` starts rising at `level`. */
  start(terms: Terms, level: number): void {
    for (let k = 0; k < terms.index.length; k++) this.change(terms.index[k]!, level, terms.coef[k]!, 1);
  }

  /** A rising session with `terms` stops at `level`. */
  stop(terms: Terms, level: number): void {
    for (let k = 0; k < terms.index.length; k++) this.change(terms.index[k]!, level, -terms.coef[k]!, -1);
  }

  /** The first of `terms`' constraints already full at `level`, or -1. */
  fullAmong(terms: Terms, level: number): number {
    for (let k = 0; k < terms.index.length; k++) {
      const c = terms.index[k]!;
      if (this.slackAt(c, level) <= EPSILON) return c;
    }
    return -1;
  }

  /** The constraint that becomes full first, and the level at which it does; null: none will. */
  nextFull(): { at: number; constraint: number } | null {
    while (this.heap.length > 0) {
      const head = this.heap[0]!;
      if (head.version === this.version[head.constraint]) return head;
      this.pop();
    }
    return null;
  }

  pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let at = 0; ; ) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < heap.length && heap[left]!.at < heap[least]!.at) least = left;
      if (right < heap.length && heap[right]!.at < heap[least]!.at) least = right;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least]!, heap[at]!];
      at = least;
    }
  }

  private slackAt(c: number, level: number): number {
    return this.slack[c]! - this.slope[c]! * (level - this.refLevel[c]!);
  }

  private change(c: number, level: number, delta: number, rising: number): void {
    this.slack[c] = this.slackAt(c, level);
    this.refLevel[c] = level;
    const risingNow = this.risingCount[c]! + rising;
    this.risingCount[c] = risingNow;
    // Exactly 0 with nothing rising: float dust would otherwise leave a tiny rate and a far-off "full".
    const slope = risingNow === 0 ? 0 : this.slope[c]! + delta;
    this.slope[c] = slope;
    const version = this.version[c]! + 1;
    this.version[c] = version;
    if (slope > 0) this.push({ at: level + Math.max(0, this.slack[c]!) / slope, constraint: c, version });
  }

  private push(entry: { at: number; constraint: number; version: number }): void {
    const heap = this.heap;
    heap.push(entry);
    for (let at = heap.length - 1; at > 0; ) {
      const up = (at - 1) >> 1;
      if (heap[up]!.at <= heap[at]!.at) return;
      [heap[at], heap[up]] = [heap[up]!, heap[at]!];
      at = up;
    }
  }
}

/** The smaller of two limits, kind by kind (null: no limit of that kind). */
export function lowerLimit(a: Limit, b: Limit): Limit {
  const lower = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.min(x, y));
  return { amps: lower(a.amps, b.amps), kw: lower(a.kw, b.kw) };
}

/**
 * The site's limit in force at `now`: the lowest of its grid limit, the daily schedule's period in
 * force (in the site's time zone; before the day's first period, the last one still holds from the
 * day before), and the external limit unless its `until` has passed (an `until` that does not parse
 * is kept: a limit is never dropped by mistake).
 */
export function effectiveLimit(config: SiteConfig, now: number): Limit {
  let limit = config.limit;
  const period = periodInForce(config.dailySchedule, config.timeZone, now);
  if (period) limit = lowerLimit(limit, period.limit);
  const external = config.externalLimit;
  if (external && !(external.until !== null && Date.parse(external.until) <= now)) limit = lowerLimit(limit, external.limit);
  return limit;
}

/** The daily period in force at `now` in `timeZone`, or null when the schedule is empty. */
export function periodInForce(schedule: LimitPeriod[], timeZone: string, now: number): LimitPeriod | null {
  if (schedule.length === 0) return null;
  const minute = localMinuteOfDay(timeZone, now);
  let best: { period: LimitPeriod; start: number } | null = null;
  let latest: { period: LimitPeriod; start: number } | null = null;
  for (const period of schedule) {
    const start = minuteOfDay(period.start);
    if (start === null) continue;
    if (start <= minute && (best === null || start >= best.start)) best = { period, start };
    if (latest === null || start >= latest.start) latest = { period, start };
  }
  return (best ?? latest)?.period ?? null;
}

function minuteOfDay(hhmm: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return hours * 60 + minutes;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight at `now` in `timeZone` (an unknown zone: UTC). */
function localMinuteOfDay(timeZone: string, now: number): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      formatter = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }
    formatters.set(timeZone, formatter);
  }
  let hours = 0;
  let minutes = 0;
  for (const part of formatter.formatToParts(now)) {
    if (part.type === 'hour') hours = Number(part.value) % 24;
    else if (part.type === 'minute') minutes = Number(part.value);
  }
  return hours * 60 + minutes;
}
