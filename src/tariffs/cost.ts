// The cost engine: prices one charging session under an OCPI 2.2.1 Tariff (src/tariffs/model.ts) from its
// meter samples, exactly, as a fold whose state is plain JSON. Pure: no storage, no Cloudflare types.
//
// Use: `startCost(tariff, start)` → state; `advanceCost(state, sample)` for each meter value / status change
// (persist the state after each, it is small and bounded); `runningCost(state, at)` for a live price;
// `finishCost(state, end)` → CostBreakdown. `computeCost(tariff, trace)` is the same fold over a whole trace.
//
// ## Semantics (OCPI 2.2.1, module Tariffs; quotes are from mod_tariffs.asciidoc)
// - Element choice, per dimension: "When the list of Tariff Elements contains more than one Element with the
//   same Tariff Dimension (ENERGY/FLAT/TIME etc.), than the first Tariff Element with that Dimension in the list
//   with matching Tariff Restrictions will be used." No match: "there will be no costs for that Tariff Dimension".
// - Restrictions are evaluated continuously ("They only describe if and when a TariffElement becomes active or
//   inactive during a Charging Session"), so a sample interval is cut exactly where any restriction can change:
//   a local time of day named by start_time/end_time, local midnight (day_of_week, start_date/end_date), a DST
//   change, a min/max_kwh threshold of the energy charged so far, a min/max_duration threshold of the session
//   duration so far. Between two samples energy flows linearly in time, so a kWh threshold is crossed at the
//   computed instant and the energy is split exactly there; a time boundary splits the energy in proportion.
//   An interval's charging/not-charging state, power and current are those of the sample that opened it.
// - start_time..end_time is [start, end) in the tariff's time_zone; end < start spans midnight (22:00–06:00);
//   only one given: from start / until end; start = end: all day. day_of_week is the local day of the instant
//   (a 22:00–06:00 FRIDAY element is Friday 22:00–24:00 only; 00:00–06:00 is Saturday). start_date inclusive,
//   end_date exclusive ("valid until this day (exclusive)"). min_kwh/min_duration/min_power/min_current are
//   inclusive (active at or above), max_* exclusive (active below), so adjacent ranges partition cleanly
//   (OCPI's own max_power example: < 16 kW, 16–32 kW, fallback). Power is the sample's powerW, else the
//   interval's average power (its energy over its duration); current is the sample's currentA. An unknown
//   power or current never satisfies a power/current restriction.
// - TIME is charging time, PARKING_TIME is connected-not-charging time ("Time not charging"), ENERGY is billed
//   whenever the register moves. FLAT is charged once per session, from the first element that has a FLAT
//   component and matches at the session start or at any later instant.
// - Elements with a `reservation` restriction are skipped: they price reservations ("When this field is present,
//   the TariffElement describes reservation costs"), which this CSMS does not price yet.
// - The tariff's start_date_time/end_date_time are not checked here: choosing the tariff is the assignment's job,
//   and a session keeps the tariff it started under.
// - step_size ("Minimum amount to be billed ... If 6 minutes were used, 10 minutes (2 blocks of step_size) will be
//   billed"; ENERGY in Wh, TIME and PARKING_TIME in seconds; 0 = no rounding) "SHALL only be taken into account
//   for the last TariffElement and when switching to another TariffElement for the PriceComponents that is not
//   in the new TariffElement". As OCPI's worked examples do ("we bill a total charging duration of 15 minutes.
//   When considering the already billed 5 minutes of charging time before 17:00, we are left with 10 minutes to
//   bill after 17:00"), the dimension's whole priced volume is rounded up to the step of that last component and
//   the difference is billed at that component's price. It happens at the session end, and mid-session when a
//   dimension in use stops having any applicable component. Also from that example: "the 2 minutes parking time
//   is within the extra 5 minutes of charging billed because of the step_size", so parking right after the last
//   charging is not billed for the length of the TIME round-up.
// - Price: VAT per component (`vat` percent); "If omitted, no VAT is applicable. Not providing a VAT is different
//   from 0% VAT", and OCPI's example with no VAT says "it is not possible to calculate total costs including VAT",
//   so a total that includes a non-zero amount from a component without `vat` has no incl_vat.
//   min_price/max_price clamp total_cost only, excl_vat and incl_vat each by its own bound ("they both apply").
//
// ## Exact arithmetic and rounding (copied to README)
// - Quantities are integers: time in milliseconds, energy in milliwatt-hours (a register in Wh is rounded to
//   the nearest mWh once when it arrives), prices and VAT percentages in units of 10^-4 (OCPI's 4 decimals).
//   Money is a BigInt numerator over one common denominator, so sums are exact; nothing is rounded until the
//   breakdown is produced.
// - Splitting an interval's energy at a time boundary gives the earlier part floor(ΔE × elapsed / duration)
//   mWh and the later part the rest, so the parts always add up to the register difference exactly.
// - Each reported amount (each dimension's cost, the fixed cost, the total, each excl. and incl. VAT) is rounded
//   ONCE, from its exact value, to the currency's ISO 4217 minor unit (EUR/USD/GBP 2 decimals, JPY/KRW 0,
//   BHD/KWD 3, …, unknown currencies 2), half up (a half minor unit rounds away from zero; amounts are never
//   negative). Half-up because it is the commercial and VAT-invoice convention drivers and auditors expect, and
//   because with one rounding per figure there is no accumulated bias for banker's rounding to remove. As every
//   figure is rounded on its own, the rounded parts may differ from the rounded total by a minor unit, and
//   after min/max_price they differ by design (as in an OCPI CDR).
// - Reported volumes (kWh, hours) are the exact integer quantities divided out for display.
//
// ## Bounded state and bad input
// - The state holds the tariff, per-element volumes (at most elements × 3 numbers), at most MAX_PERIODS
//   charging periods (consecutive time with the same elements and charging state is one period; beyond the cap
//   later time is merged into the last period, marked `mixed`, flagged `periods_merged`: the cost stays exact
//   because it is computed from the per-element volumes, only the period list loses detail), at most
//   MAX_PENDING intervals waiting for a register reading (beyond it the oldest is priced without energy and
//   `register_gap_overflow` is flagged; the energy still all lands in the later intervals), and one anomaly
//   entry per kind.
// - Totals: total_time is the whole session (OCPI CDR meaning), total_charging_time the TIME dimension,
//   total_parking_time the PARKING_TIME dimension. runningCost applies the same rules as finishCost (step
//   round-ups, min/max_price) as if the session ended at that instant.
// - Nothing a charger can send throws: a sample older than the previous one, an unparsable time, a register
//   that goes backwards or is not a finite non-negative number are left out of the cost and counted in
//   `anomalies`. Samples without a register carry no energy of their own: the next register difference is
//   spread linearly over the whole time since the previous register reading.

import type { PriceComponent, TariffBody, TariffDimensionType, TariffElement } from './model';

export type CostDimension = 'ENERGY' | 'TIME' | 'PARKING_TIME';
const DIMENSIONS: readonly CostDimension[] = ['ENERGY', 'TIME', 'PARKING_TIME'];

/** Most charging periods kept in a state; realistic sessions have fewer than 20. */
export const MAX_PERIODS = 48;
/** Most sample intervals kept while waiting for a register reading to spread energy over. */
export const MAX_PENDING = 16;
const MAX_TAIL = 8;
/** Most pieces one sample interval is cut into (each restriction boundary inside it makes one). */
const MAX_PIECES = 100_000;

export interface CostStart {
  startedAt: string;
  /** Energy register (Wh) at the start; without it the first register reading is the baseline. */
  startRegisterWh?: number;
  /** State of the first interval; default true (a transaction normally starts charging). */
  charging?: boolean;
}

export interface CostSample {
  at: string;
  registerWh?: number;
  powerW?: number;
  currentA?: number;
  /** false: connected but not charging (parking) from this sample on. */
  charging: boolean;
}

export interface CostEnd {
  endedAt: string;
  endRegisterWh?: number;
}

export interface CostTrace extends CostStart, CostEnd {
  samples: CostSample[];
}

export type CostAnomalyKind =
  | 'invalid_time'
  | 'sample_out_of_order'
  | 'register_backwards'
  | 'invalid_register'
  | 'end_before_last_sample'
  | 'periods_merged'
  | 'register_gap_overflow';

export interface CostAnomaly {
  kind: CostAnomalyKind;
  count: number;
  /** When it first happened (the sample's time as sent, or the last accepted time). */
  first_at: string;
}

/** OCPI Price: amounts in currency units, rounded to minor units; incl_vat absent when it cannot be known. */
export interface CostPrice {
  excl_vat: number;
  incl_vat?: number;
}

/** OCPI CdrDimension subset: ENERGY in kWh, TIME and PARKING_TIME in hours. */
export interface CostDimensionVolume {
  type: CostDimension;
  volume: number;
}

/** An OCPI CDR ChargingPeriod, plus which tariff element (index in `elements`) priced each dimension. */
export interface CostChargingPeriod {
  start_date_time: string;
  dimensions: CostDimensionVolume[];
  tariff_elements: Partial<Record<CostDimension, number>>;
  /** Set when the period cap was reached and later, differently priced time was merged into this period. */
  mixed?: true;
}

export interface CostBreakdown {
  currency: string;
  start_date_time: string;
  end_date_time: string;
  charging_periods: CostChargingPeriod[];
  /** kWh charged. */
  total_energy: number;
  /** Hours of the whole session (charging and not charging), as OCPI's CDR total_time. */
  total_time: number;
  /** Hours charging (the TIME dimension). */
  total_charging_time: number;
  /** Hours connected without charging (the PARKING_TIME dimension). */
  total_parking_time: number;
  total_energy_cost: CostPrice;
  total_time_cost: CostPrice;
  total_parking_cost: CostPrice;
  total_fixed_cost: CostPrice;
  /** Sum of the above, clamped by the tariff's min_price/max_price. */
  total_cost: CostPrice;
  /** Element index whose FLAT component was charged, if any. */
  flat_element?: number;
  anomalies: CostAnomaly[];
}

interface OpenInterval {
  charging: boolean;
  powerW?: number;
  currentA?: number;
}

interface PendingInterval extends OpenInterval {
  fromMs: number;
  toMs: number;
}

interface StatePeriod {
  startMs: number;
  endMs: number;
  charging: boolean;
  el: Partial<Record<CostDimension, number>>;
  energyMilliWh: number;
  durationMs: number;
  mixed?: true;
}

/** The fold's state: plain JSON, bounded in size whatever the number of samples. Treat as opaque. */
export interface CostState {
  version: 1;
  tariff: TariffBody;
  startedAtMs: number;
  /** Time of the last accepted sample: the open interval starts here. */
  lastAtMs: number;
  open: OpenInterval;
  /** Last accepted register reading (mWh), null before the first. */
  registerMilliWh: number | null;
  /** Intervals since the last register reading, priced when the next reading gives their energy. */
  pending: PendingInterval[];
  energyMilliWh: number;
  chargingMs: number;
  parkingMs: number;
  /** Per dimension, element index → billed volume (mWh or ms), step-size round-ups included. */
  volumes: Record<CostDimension, Record<string, number>>;
  /** Per dimension, measured volume that had an applicable component. */
  priced: Record<CostDimension, number>;
  /** Per dimension, billed volume (priced + round-ups). */
  billed: Record<CostDimension, number>;
  lastElement: Partial<Record<CostDimension, number>>;
  flatElement: number | null;
  /** Parking since charging last stopped (element, ms), for the TIME round-up that covers it; null: charging. */
  parkingTail: { el: number | null; ms: number }[] | null;
  periods: StatePeriod[];
  /** Which elements' clock restrictions (time, day, date) hold, valid over [fromMs, untilMs). */
  clock: { fromMs: number; untilMs: number; match: boolean[] } | null;
  anomalies: CostAnomaly[];
}

// ---------------------------------------------------------------------------------------------------------
// The tariff, compiled into integers.

interface CompiledElement {
  comps: Partial<Record<TariffDimensionType, PriceComponent>>;
  skip: boolean;
  hasClock: boolean;
  startMin?: number;
  endMin?: number;
  days?: string[];
  startDate?: string;
  endDate?: string;
  minE?: number;
  maxE?: number;
  minDurMs?: number;
  maxDurMs?: number;
  minW?: number;
  maxW?: number;
  minA?: number;
  maxA?: number;
}

interface CompiledTariff {
  elements: CompiledElement[];
  timeZone: string;
  clockMinutes: number[] | null;
  energyThresholds: number[];
  durationThresholds: number[];
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const kwhToMilliWh = (kwh: number) => Math.round(kwh * 1_000_000);

function compileElement(element: TariffElement): CompiledElement {
  const comps: CompiledElement['comps'] = {};
  for (const c of element.price_components) comps[c.type] ??= c; // the first of a type counts
  const r = element.restrictions ?? {};
  const hasClock = r.start_time !== undefined || r.end_time !== undefined || r.day_of_week !== undefined || r.start_date !== undefined || r.end_date !== undefined;
  return {
    comps,
    skip: r.reservation !== undefined,
    hasClock,
    startMin: r.start_time === undefined ? undefined : minutesOf(r.start_time),
    endMin: r.end_time === undefined ? undefined : minutesOf(r.end_time),
    days: r.day_of_week,
    startDate: r.start_date,
    endDate: r.end_date,
    minE: r.min_kwh === undefined ? undefined : kwhToMilliWh(r.min_kwh),
    maxE: r.max_kwh === undefined ? undefined : kwhToMilliWh(r.max_kwh),
    minDurMs: r.min_duration === undefined ? undefined : r.min_duration * 1000,
    maxDurMs: r.max_duration === undefined ? undefined : r.max_duration * 1000,
    minW: r.min_power === undefined ? undefined : r.min_power * 1000,
    maxW: r.max_power === undefined ? undefined : r.max_power * 1000,
    minA: r.min_current,
    maxA: r.max_current,
  };
}

/** Compiled tariffs by object: a fold shares one tariff object between its states (see copyState). */
const compiled = new WeakMap<TariffBody, CompiledTariff>();

function compile(tariff: TariffBody): CompiledTariff {
  let t = compiled.get(tariff);
  if (!t) {
    t = compileTariff(tariff);
    compiled.set(tariff, t);
  }
  return t;
}

function compileTariff(tariff: TariffBody): CompiledTariff {
  const elements = tariff.elements.map(compileElement);
  const live = elements.filter((e) => !e.skip);
  const sortedUnique = (xs: (number | undefined)[]) => [...new Set(xs.filter((x): x is number => x !== undefined))].sort((a, b) => a - b);
  const clockMinutes = live.some((e) => e.hasClock) ? sortedUnique([0, ...live.flatMap((e) => [e.startMin, e.endMin])]) : null;
  return {
    elements,
    timeZone: tariff.time_zone ?? 'UTC',
    clockMinutes,
    energyThresholds: sortedUnique(live.flatMap((e) => [e.minE, e.maxE])),
    durationThresholds: sortedUnique(live.flatMap((e) => [e.minDurMs, e.maxDurMs])),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Local clock in the tariff's time zone.

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const formatters = new Map<string, Intl.DateTimeFormat>();

interface LocalClock {
  date: string;
  minute: number;
  weekday: string;
  /** Local wall time minus UTC, in minutes. */
  offsetMin: number;
}

function localClock(timeZone: string, ms: number): LocalClock {
  const minuteStart = Math.floor(ms / 60_000) * 60_000;
  let wall: number;
  if (timeZone === 'UTC') {
    wall = minuteStart;
  } else {
    let f = formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
      formatters.set(timeZone, f);
    }
    const p: Record<string, number> = {};
    for (const part of f.formatToParts(minuteStart)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
  }
  const d = new Date(wall);
  return {
    date: d.toISOString().slice(0, 10),
    minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
    weekday: WEEKDAYS[d.getUTCDay()]!,
    offsetMin: (wall - minuteStart) / 60_000,
  };
}

function clockMatches(e: CompiledElement, c: LocalClock): boolean {
  if (e.skip) return false;
  if (e.startMin !== undefined && e.endMin !== undefined) {
    if (e.startMin < e.endMin && !(c.minute >= e.startMin && c.minute < e.endMin)) return false;
    if (e.startMin > e.endMin && !(c.minute >= e.startMin || c.minute < e.endMin)) return false;
  } else if (e.startMin !== undefined && c.minute < e.startMin) return false;
  else if (e.endMin !== undefined && c.minute >= e.endMin) return false;
  if (e.days && !e.days.includes(c.weekday as never)) return false;
  if (e.startDate !== undefined && c.date < e.startDate) return false;
  if (e.endDate !== undefined && c.date >= e.endDate) return false;
  return true;
}

/**
 * The first instant after `ms` at which any clock restriction may change: the next local minute named by a
 * start_time/end_time or midnight, or an earlier change of UTC offset (DST), found by bisection. Offsets are
 * whole minutes, so local minutes start on UTC minutes.
 */
function nextClockBoundary(t: CompiledTariff, ms: number, here: LocalClock): number {
  const minuteStart = Math.floor(ms / 60_000) * 60_000;
  let next = Infinity;
  for (const m of t.clockMinutes!) {
    const delta = (m - here.minute + 1440) % 1440 || 1440;
    next = Math.min(next, minuteStart + delta * 60_000);
  }
  if (t.timeZone === 'UTC' || localClock(t.timeZone, next).offsetMin === here.offsetMin) return next;
  let lo = minuteStart; // same offset as here
  let hi = next; // different offset
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (localClock(t.timeZone, mid).offsetMin === here.offsetMin) lo = mid;
    else hi = mid;
  }
  return hi;
}

function clockAt(state: CostState, t: CompiledTariff, ms: number): boolean[] {
  if (!t.clockMinutes) return t.elements.map((e) => !e.skip);
  const c = state.clock;
  if (c && ms >= c.fromMs && ms < c.untilMs) return c.match;
  const here = localClock(t.timeZone, ms);
  state.clock = { fromMs: ms, untilMs: nextClockBoundary(t, ms, here), match: t.elements.map((e) => clockMatches(e, here)) };
  return state.clock.match;
}

// ---------------------------------------------------------------------------------------------------------
// The fold.

const parseTime = (iso: string): number | null => {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : null;
};

const validRegister = (wh: unknown): wh is number => typeof wh === 'number' && Number.isFinite(wh) && wh >= 0 && wh < 1e12;

function flag(state: CostState, kind: CostAnomalyKind, at: string): void {
  const found = state.anomalies.find((a) => a.kind === kind);
  if (found) found.count += 1;
  else state.anomalies.push({ kind, count: 1, first_at: at });
}

/**
 * The state of a session that starts now under `tariff` (a validated TariffBody, kept in the state: the session
 * keeps the tariff it started under). Functions here never change their arguments; do not change `tariff` after.
 */
export function startCost(tariff: TariffBody, start: CostStart): CostState {
  const startedAtMs = parseTime(start.startedAt);
  const state: CostState = {
    version: 1,
    tariff,
    startedAtMs: startedAtMs ?? 0,
    lastAtMs: startedAtMs ?? 0,
    open: { charging: start.charging ?? true },
    registerMilliWh: validRegister(start.startRegisterWh) ? Math.round(start.startRegisterWh * 1000) : null,
    pending: [],
    energyMilliWh: 0,
    chargingMs: 0,
    parkingMs: 0,
    volumes: { ENERGY: {}, TIME: {}, PARKING_TIME: {} },
    priced: { ENERGY: 0, TIME: 0, PARKING_TIME: 0 },
    billed: { ENERGY: 0, TIME: 0, PARKING_TIME: 0 },
    lastElement: {},
    flatElement: null,
    parkingTail: null,
    periods: [],
    clock: null,
    anomalies: [],
  };
  if (startedAtMs === null) flag(state, 'invalid_time', String(start.startedAt));
  if (start.startRegisterWh !== undefined && !validRegister(start.startRegisterWh)) flag(state, 'invalid_register', String(start.startedAt));
  // A start (transaction) fee applies even to a session that never gets a sample.
  const t = compile(tariff);
  const clock = clockAt(state, t, state.startedAtMs);
  state.flatElement = firstMatching(t, clock, 'FLAT', { energyMilliWh: 0, elapsedMs: 0 });
  return state;
}

/** Adds one sample: the interval since the previous one is priced with the previous sample's state. */
export function advanceCost(previous: CostState, sample: CostSample): CostState {
  const state = copyState(previous);
  advanceInPlace(state, compile(state.tariff), sample);
  return state;
}

/** The cost of the session so far, as if it ended at `at` (step sizes and min/max_price applied). */
export function runningCost(state: CostState, at: string): CostBreakdown {
  return finishCost(state, { endedAt: at });
}

export function finishCost(previous: CostState, end: CostEnd): CostBreakdown {
  const state = copyState(previous);
  const t = compile(state.tariff);
  let endMs = parseTime(end.endedAt);
  if (endMs === null) {
    flag(state, 'invalid_time', String(end.endedAt));
    endMs = state.lastAtMs;
  } else if (endMs < state.lastAtMs) {
    flag(state, 'end_before_last_sample', end.endedAt);
    endMs = state.lastAtMs;
  }
  advanceInPlace(state, t, { at: new Date(endMs).toISOString(), registerWh: end.endRegisterWh, charging: state.open.charging });
  // Energy measured since the last register reading but never read is unknown: those intervals carry none.
  flushPending(state, t, 0);
  return breakdown(state, t, endMs);
}

export function computeCost(tariff: TariffBody, trace: CostTrace): CostBreakdown {
  let state = startCost(tariff, trace);
  for (const sample of trace.samples) state = advanceCost(state, sample);
  return finishCost(state, trace);
}

/** A deep copy of everything but the tariff, which is never changed (sharing it keeps the compiled form cached). */
function copyState(state: CostState): CostState {
  const { tariff, ...rest } = state;
  return { ...(JSON.parse(JSON.stringify(rest)) as Omit<CostState, 'tariff'>), tariff };
}

function advanceInPlace(state: CostState, t: CompiledTariff, sample: CostSample): void {
  const atMs = parseTime(sample.at);
  if (atMs === null) return flag(state, 'invalid_time', String(sample.at));
  if (atMs < state.lastAtMs) return flag(state, 'sample_out_of_order', sample.at);
  let register: number | null = null;
  if (sample.registerWh !== undefined) {
    if (!validRegister(sample.registerWh)) flag(state, 'invalid_register', sample.at);
    else {
      const mWh = Math.round(sample.registerWh * 1000);
      if (state.registerMilliWh !== null && mWh < state.registerMilliWh) flag(state, 'register_backwards', sample.at);
      else register = mWh;
    }
  }
  state.pending.push({ fromMs: state.lastAtMs, toMs: atMs, ...state.open });
  if (register !== null) {
    flushPending(state, t, state.registerMilliWh === null ? 0 : register - state.registerMilliWh);
    state.registerMilliWh = register;
  } else if (state.pending.length > MAX_PENDING) {
    // Too long without a reading: price the oldest interval without energy; the next reading's difference is
    // spread over the intervals still pending.
    flag(state, 'register_gap_overflow', sample.at);
    const oldest = state.pending.shift()!;
    priceInterval(state, t, oldest, 0);
  }
  state.lastAtMs = atMs;
  state.open = { charging: sample.charging !== false };
  if (typeof sample.powerW === 'number' && Number.isFinite(sample.powerW)) state.open.powerW = sample.powerW;
  if (typeof sample.currentA === 'number' && Number.isFinite(sample.currentA)) state.open.currentA = sample.currentA;
}

/** Prices the pending intervals, sharing `energy` mWh among them in proportion to their duration. */
function flushPending(state: CostState, t: CompiledTariff, energy: number): void {
  const pending = state.pending;
  if (pending.length === 0) return;
  state.pending = [];
  const from = pending[0]!.fromMs;
  const span = pending[pending.length - 1]!.toMs - from;
  let given = 0;
  pending.forEach((p, i) => {
    const upTo = i === pending.length - 1 ? energy : span === 0 ? 0 : floorShare(energy, p.toMs - from, span);
    priceInterval(state, t, p, upTo - given);
    given = upTo;
  });
}

/** floor(total × part / whole), exactly (the product can exceed 2^53). */
const floorShare = (total: number, part: number, whole: number) => Number((BigInt(total) * BigInt(part)) / BigInt(whole));

interface PieceContext {
  energyMilliWh: number;
  elapsedMs: number;
  powerW?: number;
  currentA?: number;
}

function firstMatching(t: CompiledTariff, clock: boolean[], type: TariffDimensionType, ctx: PieceContext): number | null {
  for (let i = 0; i < t.elements.length; i++) {
    const e = t.elements[i]!;
    if (!clock[i] || !e.comps[type]) continue;
    if (e.minE !== undefined && ctx.energyMilliWh < e.minE) continue;
    if (e.maxE !== undefined && ctx.energyMilliWh >= e.maxE) continue;
    if (e.minDurMs !== undefined && ctx.elapsedMs < e.minDurMs) continue;
    if (e.maxDurMs !== undefined && ctx.elapsedMs >= e.maxDurMs) continue;
    if (e.minW !== undefined && !(ctx.powerW !== undefined && ctx.powerW >= e.minW)) continue;
    if (e.maxW !== undefined && !(ctx.powerW !== undefined && ctx.powerW < e.maxW)) continue;
    if (e.minA !== undefined && !(ctx.currentA !== undefined && ctx.currentA >= e.minA)) continue;
    if (e.maxA !== undefined && !(ctx.currentA !== undefined && ctx.currentA < e.maxA)) continue;
    return i;
  }
  return null;
}

/** Cuts one interval at every instant where a restriction can change and prices each piece. */
function priceInterval(state: CostState, t: CompiledTariff, iv: PendingInterval, energy: number): void {
  const duration = iv.toMs - iv.fromMs;
  const powerW = iv.powerW ?? (duration > 0 ? (energy * 3600) / duration : undefined); // mWh/ms × 3600 = W
  let at = iv.fromMs;
  let done = 0; // mWh of this interval already priced
  for (let pieces = 0; at < iv.toMs || done < energy; pieces++) {
    if (pieces === MAX_PIECES) {
      // Only a gap of years between two samples gets here: price the rest as one piece rather than loop on.
      pricePiece(state, t, clockAt(state, t, at), at, iv.toMs, energy - done, iv, powerW);
      return;
    }
    const clock = clockAt(state, t, at);
    const sessionEnergy = state.energyMilliWh;
    let end = iv.toMs;
    let endEnergy: number | null = null;
    if (t.clockMinutes && state.clock!.untilMs < end) end = state.clock!.untilMs;
    const elapsed = at - state.startedAtMs;
    const nextDuration = t.durationThresholds.find((d) => d > elapsed);
    if (nextDuration !== undefined && state.startedAtMs + nextDuration < end) end = state.startedAtMs + nextDuration;
    const nextEnergy = t.energyThresholds.find((e) => e > sessionEnergy);
    if (nextEnergy !== undefined && energy > 0 && nextEnergy - sessionEnergy <= energy - done) {
      const needed = done + nextEnergy - sessionEnergy; // of this interval's energy, from its start
      // Linear flow: the threshold is reached at from + needed × duration / energy, rounded up to the ms (and
      // never before this piece, as the earlier split rounded its energy down).
      const crossingMs = Math.max(at, duration === 0 ? iv.fromMs : iv.fromMs + ceilShare(needed, duration, energy));
      if (crossingMs <= end) {
        end = crossingMs;
        endEnergy = needed;
      }
    }
    if (endEnergy === null) endEnergy = end === iv.toMs ? energy : duration === 0 ? done : Math.max(done, floorShare(energy, end - iv.fromMs, duration));
    pricePiece(state, t, clock, at, end, endEnergy - done, iv, powerW);
    at = end;
    done = endEnergy;
  }
}

/** ceil(a × b / c), exactly. */
const ceilShare = (a: number, b: number, c: number) => {
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  return Number((n + d - 1n) / d);
};

function pricePiece(state: CostState, t: CompiledTariff, clock: boolean[], fromMs: number, toMs: number, energy: number, iv: OpenInterval, powerW: number | undefined): void {
  const ms = toMs - fromMs;
  if (ms === 0 && energy === 0) return;
  const ctx: PieceContext = { energyMilliWh: state.energyMilliWh, elapsedMs: fromMs - state.startedAtMs, powerW, currentA: iv.currentA };
  const timeDim: CostDimension = iv.charging ? 'TIME' : 'PARKING_TIME';
  const el: Partial<Record<CostDimension, number>> = {};
  const use = (dim: CostDimension, volume: number) => {
    if (volume <= 0) return;
    const i = firstMatching(t, clock, dim, ctx);
    if (i === null) {
      // The dimension is in use but no longer priced: the previous component's step applies now (OCPI).
      roundUpToStep(state, t, dim);
      return;
    }
    el[dim] = i;
    state.volumes[dim][i] = (state.volumes[dim][i] ?? 0) + volume;
    state.priced[dim] += volume;
    state.billed[dim] += volume;
    state.lastElement[dim] = i;
  };
  use('ENERGY', energy);
  use(timeDim, ms);
  if (state.flatElement === null) state.flatElement = firstMatching(t, clock, 'FLAT', ctx);

  state.energyMilliWh += energy;
  if (iv.charging) {
    state.chargingMs += ms;
    if (ms > 0) state.parkingTail = null;
  } else {
    state.parkingMs += ms;
    // Parking right after charging may be covered by the TIME round-up at the end; remember its first minutes.
    if (ms > 0 && state.lastElement.TIME !== undefined) {
      const tail = (state.parkingTail ??= []);
      const last = tail[tail.length - 1];
      const pel = el.PARKING_TIME ?? null;
      if (last && last.el === pel) last.ms += ms;
      else if (tail.length < MAX_TAIL) tail.push({ el: pel, ms });
    }
  }

  const last = state.periods[state.periods.length - 1];
  const same = last && last.endMs === fromMs && last.charging === iv.charging && DIMENSIONS.every((d) => last.el[d] === el[d]);
  if (last && (same || state.periods.length >= MAX_PERIODS)) {
    if (!same && !last.mixed) {
      last.mixed = true;
      flag(state, 'periods_merged', new Date(fromMs).toISOString());
    }
    last.endMs = toMs;
    last.energyMilliWh += energy;
    last.durationMs += ms;
  } else {
    state.periods.push({ startMs: fromMs, endMs: toMs, charging: iv.charging, el, energyMilliWh: energy, durationMs: ms });
  }
}

/** Step unit of a dimension: ENERGY step_size is in Wh (we count mWh), TIME/PARKING_TIME in s (we count ms). */
const stepOf = (t: CompiledTariff, dim: CostDimension, el: number) => (t.elements[el]!.comps[dim]?.step_size ?? 0) * 1000;

function roundUpToStep(state: CostState, t: CompiledTariff, dim: CostDimension): number {
  const el = state.lastElement[dim];
  if (el === undefined) return 0;
  const step = stepOf(t, dim, el);
  if (step <= 0) return 0;
  const target = Math.ceil(state.priced[dim] / step) * step;
  const extra = target - state.billed[dim];
  if (extra <= 0) return 0;
  state.volumes[dim][el] = (state.volumes[dim][el] ?? 0) + extra;
  state.billed[dim] += extra;
  return extra;
}

// ---------------------------------------------------------------------------------------------------------
// Money.

/** ISO 4217 minor units where they are not 2. */
const MINOR_UNITS: Record<string, number> = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  CLF: 4, UYW: 4,
};

export const minorUnitsOf = (currency: string): number => MINOR_UNITS[currency] ?? 2;

/**
 * Every amount is a BigInt numerator over DENOMINATOR currency units: BASE × VAT_ONE. Over BASE = 3.6e11 an
 * energy cost (mWh × price×1e4 / 1e10) is mWh × price×1e4 × 36, a time cost (ms × price×1e4 / 3.6e10) is
 * ms × price×1e4 × 10 and a flat fee (price×1e4 / 1e4) is price×1e4 × 3.6e7, all whole numbers; VAT multiplies
 * by (1e6 + percent×1e4) over VAT_ONE = 1e6.
 */
const BASE = 360_000_000_000n;
const VAT_ONE = 1_000_000n;
const DENOMINATOR = BASE * VAT_ONE;
const PER_UNIT = { ENERGY: 36n, TIME: 10n, PARKING_TIME: 10n, FLAT: 36_000_000n } as const;
const toUnits4 = (n: number) => BigInt(Math.round(n * 10_000));

interface Money {
  excl: bigint;
  incl: bigint;
  inclKnown: boolean;
}

const zero = (): Money => ({ excl: 0n, incl: 0n, inclKnown: true });

function addComponent(m: Money, comp: PriceComponent, base: bigint): void {
  m.excl += base * VAT_ONE;
  if (comp.vat === undefined) {
    m.incl += base * VAT_ONE;
    if (base !== 0n) m.inclKnown = false;
  } else m.incl += base * (VAT_ONE + toUnits4(comp.vat));
}

/** Rounds a non-negative exact amount half up to minor units; returns currency units. */
function round(num: bigint, minor: number): number {
  const scale = 10n ** BigInt(minor);
  const q = (num * scale * 2n + DENOMINATOR) / (2n * DENOMINATOR);
  return Number(q) / 10 ** minor;
}

const price = (m: Money, minor: number): CostPrice => (m.inclKnown ? { excl_vat: round(m.excl, minor), incl_vat: round(m.incl, minor) } : { excl_vat: round(m.excl, minor) });

function breakdown(state: CostState, t: CompiledTariff, endMs: number): CostBreakdown {
  // Session end: the last component of each dimension rounds its dimension up to its step (OCPI step_size).
  roundUpToStep(state, t, 'ENERGY');
  const timeExtra = roundUpToStep(state, t, 'TIME');
  // "the 2 minutes parking time is within the extra 5 minutes of charging billed because of the step_size"
  if (timeExtra > 0 && state.parkingTail) {
    let cover = timeExtra;
    for (const seg of state.parkingTail) {
      const take = Math.min(cover, seg.ms);
      if (seg.el !== null) {
        state.volumes.PARKING_TIME[seg.el] = (state.volumes.PARKING_TIME[seg.el] ?? 0) - take;
        state.priced.PARKING_TIME -= take;
        state.billed.PARKING_TIME -= take;
      }
      cover -= take;
      if (cover === 0) break;
    }
  }
  roundUpToStep(state, t, 'PARKING_TIME');

  const minor = minorUnitsOf(state.tariff.currency);
  const costs = { ENERGY: zero(), TIME: zero(), PARKING_TIME: zero() };
  for (const dim of DIMENSIONS) {
    for (const [index, volume] of Object.entries(state.volumes[dim])) {
      const comp = t.elements[Number(index)]!.comps[dim]!;
      addComponent(costs[dim], comp, toUnits4(comp.price) * BigInt(volume) * PER_UNIT[dim]);
    }
  }
  const fixed = zero();
  if (state.flatElement !== null) {
    const flat = t.elements[state.flatElement]!.comps.FLAT!;
    addComponent(fixed, flat, toUnits4(flat.price) * PER_UNIT.FLAT);
  }

  const total: Money = {
    excl: costs.ENERGY.excl + costs.TIME.excl + costs.PARKING_TIME.excl + fixed.excl,
    incl: costs.ENERGY.incl + costs.TIME.incl + costs.PARKING_TIME.incl + fixed.incl,
    inclKnown: costs.ENERGY.inclKnown && costs.TIME.inclKnown && costs.PARKING_TIME.inclKnown && fixed.inclKnown,
  };
  const bound = (n: number) => toUnits4(n) * PER_UNIT.FLAT * VAT_ONE;
  const { min_price: min, max_price: max } = state.tariff;
  if (min && total.excl < bound(min.excl_vat)) total.excl = bound(min.excl_vat);
  if (max && total.excl > bound(max.excl_vat)) total.excl = bound(max.excl_vat);
  if (min?.incl_vat !== undefined && total.incl < bound(min.incl_vat)) total.incl = bound(min.incl_vat);
  if (max?.incl_vat !== undefined && total.incl > bound(max.incl_vat)) total.incl = bound(max.incl_vat);

  const hours = (ms: number) => ms / 3_600_000;
  return {
    currency: state.tariff.currency,
    start_date_time: new Date(state.startedAtMs).toISOString(),
    end_date_time: new Date(endMs).toISOString(),
    charging_periods: state.periods.map((p) => {
      const dimensions: CostDimensionVolume[] = [];
      if (p.energyMilliWh > 0) dimensions.push({ type: 'ENERGY', volume: p.energyMilliWh / 1_000_000 });
      dimensions.push({ type: p.charging ? 'TIME' : 'PARKING_TIME', volume: hours(p.durationMs) });
      return { start_date_time: new Date(p.startMs).toISOString(), dimensions, tariff_elements: p.el, ...(p.mixed ? { mixed: true as const } : {}) };
    }),
    total_energy: state.energyMilliWh / 1_000_000,
    total_time: hours(endMs - state.startedAtMs),
    total_charging_time: hours(state.chargingMs),
    total_parking_time: hours(state.parkingMs),
    total_energy_cost: price(costs.ENERGY, minor),
    total_time_cost: price(costs.TIME, minor),
    total_parking_cost: price(costs.PARKING_TIME, minor),
    total_fixed_cost: price(fixed, minor),
    total_cost: price(total, minor),
    ...(state.flatElement !== null ? { flat_element: state.flatElement } : {}),
    anomalies: state.anomalies,
  };
}
