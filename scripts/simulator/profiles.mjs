// The charging profiles of a simulated charger, pure (no sockets, no clock of its own): reading 1.6
// and 2.0.1 / 2.1 SetChargingProfile payloads, whether the charger takes one, the store that
// SetChargingProfile fills and ClearChargingProfile empties, the limit in force on an EVSE at a
// moment, and what a car then draws. The rules are the spec's as the CSMS's own composite schedule
// reads them (src/ocpp/charging/composite-schedule.ts, profile-timeline.ts), so that both agree.

/** Volts per phase (1.6 §7.12: "the set voltage for the area"). */
export const VOLTS = 230;
/** Phases a W limit is spread over when its period gives no numberPhases (1.6 §7.12: "3 SHALL be assumed"). */
export const DEFAULT_PHASES = 3;

const PURPOSES = ['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile'];
const KINDS = ['Absolute', 'Recurring', 'Relative'];
/** 2.0.1 / 2.1 names of the purposes a simulated charger takes, by their 1.6 names (the store's). */
const PURPOSE_201 = { ChargingStationMaxProfile: 'ChargePointMaxProfile', TxDefaultProfile: 'TxDefaultProfile', TxProfile: 'TxProfile' };
const PURPOSE_TO_201 = { ChargePointMaxProfile: 'ChargingStationMaxProfile', TxDefaultProfile: 'TxDefaultProfile', TxProfile: 'TxProfile' };
// 1.6 §7.37: Daily restarts every 24 hours at the startSchedule's time, Weekly every 7 days (fixed lengths: UTC instants).
const RECURRENCE_MS = { Daily: 86_400_000, Weekly: 604_800_000 };

/** Why a profile is refused: the charger answers Rejected. */
export class ProfileError extends Error {}

function instant(text, what) {
  const ms = typeof text === 'string' && /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new ProfileError(`${what} is not a date-time: ${JSON.stringify(text)}`);
  return ms;
}

const optionalInstant = (text, what) => (text === undefined ? undefined : instant(text, what));

/** A 1.6 csChargingProfiles set on `connectorId` (SetChargingProfile.req, RemoteStartTransaction.req), as the store keeps it. */
export function fromV16(connectorId, p, receivedAt) {
  return normalise({
    id: p.chargingProfileId,
    stackLevel: p.stackLevel,
    purpose: p.chargingProfilePurpose,
    kind: p.chargingProfileKind,
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    transactionId: p.transactionId === undefined ? undefined : String(p.transactionId),
    evseId: connectorId,
    schedule: p.chargingSchedule,
    receivedAt,
  });
}

/**
 * A 2.0.1 / 2.1 ChargingProfileType set on `evseId`. Its first schedule is the one in force: the
 * others are an offer to an ISO 15118 EV, which the simulated car does not make a choice from.
 */
export function fromV201(evseId, p, receivedAt) {
  const purpose = PURPOSE_201[p.chargingProfilePurpose];
  // K01.FR.22: the CSMS sets no ChargingStationExternalConstraints; 2.1's PriorityCharging and
  // LocalGeneration and Dynamic profiles are beyond what the simulated charger does.
  if (!purpose) throw new ProfileError(`${p.chargingProfilePurpose} profiles are not taken`);
  if (purpose === 'ChargePointMaxProfile' && p.chargingProfileKind === 'Relative') {
    throw new ProfileError('A ChargingStationMaxProfile cannot be Relative (K01.FR.38)');
  }
  return normalise({
    id: p.id,
    stackLevel: p.stackLevel,
    purpose,
    kind: p.chargingProfileKind,
    recurrencyKind: p.recurrencyKind,
    validFrom: p.validFrom,
    validTo: p.validTo,
    transactionId: p.transactionId,
    evseId,
    schedule: Array.isArray(p.chargingSchedule) ? p.chargingSchedule[0] : undefined,
    receivedAt,
  });
}

/** The period's limit per phase: 2.1's limit_L2 / limit_L3 are honoured by the lowest of them; Idle stops the transfer. */
function periodLimit(period) {
  if (period.operationMode === 'Idle') return 0;
  const given = [period.limit, period.limit_L2, period.limit_L3].filter((v) => v !== undefined);
  // 2.1: a negative limit is an old way to say "discharge"; this car only charges, so it draws nothing.
  return given.length === 0 ? undefined : Math.max(0, Math.min(...given));
}

function normalise(raw) {
  if (!PURPOSES.includes(raw.purpose)) throw new ProfileError(`unknown chargingProfilePurpose ${raw.purpose}`);
  if (!KINDS.includes(raw.kind)) throw new ProfileError(`${raw.kind} profiles are not taken`);
  if (!Number.isInteger(raw.id) || !Number.isInteger(raw.stackLevel) || raw.stackLevel < 0) {
    throw new ProfileError('a profile needs an integer id and a stackLevel ≥ 0');
  }
  const s = raw.schedule;
  if (!s || (s.chargingRateUnit !== 'A' && s.chargingRateUnit !== 'W')) throw new ProfileError('a chargingSchedule in A or W is needed');
  const periods = s.chargingSchedulePeriod ?? [];
  if (periods.length === 0) throw new ProfileError('a chargingSchedule needs at least one period');
  periods.forEach((period, i) => {
    if (!(period.startPeriod >= 0) || (i > 0 && !(period.startPeriod > periods[i - 1].startPeriod))) {
      throw new ProfileError('chargingSchedulePeriod startPeriod values must be ≥ 0 and increase');
    }
    if (period.numberPhases !== undefined && ![1, 2, 3].includes(period.numberPhases)) throw new ProfileError('numberPhases is 1, 2 or 3');
  });
  const validFrom = optionalInstant(raw.validFrom, 'validFrom');
  const validTo = optionalInstant(raw.validTo, 'validTo');
  if (validFrom !== undefined && validTo !== undefined && validTo <= validFrom) throw new ProfileError('validTo is not after validFrom');
  if (s.duration !== undefined && !(s.duration >= 0)) throw new ProfileError('duration must be ≥ 0');
  if (raw.kind === 'Recurring' && raw.recurrencyKind !== undefined && !RECURRENCE_MS[raw.recurrencyKind]) {
    throw new ProfileError(`recurrencyKind ${raw.recurrencyKind} is neither Daily nor Weekly`);
  }
  return {
    id: raw.id,
    stackLevel: raw.stackLevel,
    purpose: raw.purpose,
    kind: raw.kind,
    ...(raw.kind === 'Recurring' ? { recurrencyKind: raw.recurrencyKind ?? 'Daily' } : {}),
    validFrom,
    validTo,
    transactionId: raw.transactionId,
    evseId: raw.evseId,
    unit: s.chargingRateUnit,
    // A Relative schedule counts from its own start, whatever startSchedule says (2.0.1 forbids one there).
    startSchedule: raw.kind === 'Relative' ? undefined : optionalInstant(s.startSchedule, 'startSchedule'),
    duration: s.duration,
    periods: periods.map((period) => ({
      startPeriod: period.startPeriod,
      limit: periodLimit(period),
      ...(period.numberPhases === undefined ? {} : { numberPhases: period.numberPhases }),
    })),
    receivedAt: raw.receivedAt,
  };
}

/**
 * Why the charger refuses `profile` (a profile read by fromV16 / fromV201), or undefined when it takes it.
 * `connectors`: its EVSEs (1.6 connectors), numbered from 1; `transactions`: those running, { id, evseId }.
 * 1.6 §3.13.1 and K01: a station maximum is set on 0; a TxProfile on the EVSE of a running
 * transaction (1.6 §5.16.3, K01.FR.09, K01.FR.16), the one it names if it names one; only a
 * TxProfile names a transaction.
 */
export function refusal(profile, { connectors = 1, transactions = [] } = {}) {
  const { evseId, purpose } = profile;
  if (!Number.isInteger(evseId) || evseId < 0 || evseId > connectors) return `there is no EVSE ${evseId}`;
  if (purpose === 'ChargePointMaxProfile' && evseId !== 0) return 'a station maximum profile is set on EVSE 0';
  if (purpose !== 'TxProfile') return profile.transactionId === undefined ? undefined : 'only a TxProfile names a transaction';
  if (evseId === 0) return 'a TxProfile is set on the EVSE of its transaction, not on 0';
  const running = transactions.find((t) => t.evseId === evseId);
  if (!running) return `no transaction runs on EVSE ${evseId}`;
  if (profile.transactionId !== undefined && profile.transactionId !== String(running.id)) {
    return `transaction ${profile.transactionId} is not the one running on EVSE ${evseId}`;
  }
  return undefined;
}

const windowsOverlap = (a, b) => (a.validFrom ?? -Infinity) < (b.validTo ?? Infinity) && (b.validFrom ?? -Infinity) < (a.validTo ?? Infinity);

/** The profiles one charger has installed. */
export class ProfileStore {
  constructor() {
    this.profiles = [];
  }

  /**
   * Installs `profile`, a TxProfile bound to `transactionId` when it names none. It replaces the one
   * with its id (1.6 §5.16.2, K01.FR.05) and one of its purpose and stackLevel on its EVSE (for a
   * TxProfile: of its transaction): 1.6 always (§5.16.2), 2.0.1 / 2.1 when both are valid at the
   * same time (K01.FR.06, K01.FR.39: the CSMS sends no such pair; a charger keeps one).
   */
  install(profile, { version = 'ocpp2.0.1', transactionId } = {}) {
    const installed = { ...profile };
    if (installed.purpose === 'TxProfile' && installed.transactionId === undefined && transactionId !== undefined) {
      installed.transactionId = String(transactionId);
    }
    this.profiles = this.profiles.filter(
      (p) =>
        p.id !== installed.id &&
        !(
          p.evseId === installed.evseId &&
          p.purpose === installed.purpose &&
          p.stackLevel === installed.stackLevel &&
          p.transactionId === installed.transactionId &&
          (version === 'ocpp1.6' || windowsOverlap(p, installed))
        ),
    );
    this.profiles.push(installed);
    return installed;
  }

  /**
   * ClearChargingProfile (1.6 §5.5, K10): by id alone when one is given, else every profile that
   * matches all the criteria given (none: every profile). `purpose` may be a 2.0.1 name. Returns how
   * many went: 0 answers Unknown.
   */
  clear({ id, evseId, purpose, stackLevel } = {}) {
    const wanted = purpose === undefined ? undefined : (PURPOSE_201[purpose] ?? purpose);
    const matches = (p) =>
      id !== undefined
        ? p.id === id
        : (evseId === undefined || p.evseId === evseId) &&
          (wanted === undefined || p.purpose === wanted) &&
          (stackLevel === undefined || p.stackLevel === stackLevel);
    const before = this.profiles.length;
    this.profiles = this.profiles.filter((p) => !matches(p));
    return before - this.profiles.length;
  }

  /** A transaction ended: its TxProfiles cease to be valid (1.6 §7.10, 2.0.1 K01: a TxProfile is one transaction's). */
  endTransaction(transactionId) {
    this.profiles = this.profiles.filter((p) => !(p.purpose === 'TxProfile' && p.transactionId === String(transactionId)));
  }

  get size() {
    return this.profiles.length;
  }
}

/** The purpose's name in `version`. */
export function purposeName(purpose, version) {
  return version === 'ocpp1.6' ? purpose : PURPOSE_TO_201[purpose];
}

/**
 * One profile's own period in force at `t` ({ limit?, numberPhases? } in its unit), or undefined:
 * outside [validFrom, validTo), before its schedule starts, after its duration (1.6 §7.13, §5.16.4).
 * Relative schedules, and 1.6 ones without startSchedule ("relative to start of charging", 1.6 §7.13),
 * start at `relativeStart`; Recurring ones restart every day or week, an occurrence ending where the
 * next begins at the latest (1.6 §5.16.4).
 */
export function periodAt(profile, t, relativeStart) {
  if (t < (profile.validFrom ?? -Infinity) || t >= (profile.validTo ?? Infinity)) return undefined;
  const base = profile.startSchedule ?? relativeStart;
  if (t < base) return undefined;
  let start = base;
  let lasts = profile.duration === undefined ? Infinity : profile.duration * 1000;
  if (profile.kind === 'Recurring') {
    const every = RECURRENCE_MS[profile.recurrencyKind];
    start = base + Math.floor((t - base) / every) * every;
    lasts = Math.min(lasts, every);
  }
  const offset = t - start;
  if (offset >= lasts) return undefined;
  return profile.periods.findLast((p) => p.startPeriod * 1000 <= offset);
}

/** A period's limit in amps per phase: W is the total over numberPhases (else 3) phases at `voltage` (1.6 §7.12). */
function ampsOf(profile, period, voltage) {
  if (period.limit === undefined) return undefined;
  if (profile.unit === 'A') return period.limit;
  return period.limit / (voltage * (period.numberPhases ?? DEFAULT_PHASES));
}

/** The leading profile of a stack at `t`: highest stackLevel with a limit; a tie goes to the one on the EVSE itself, then the lower. */
function leading(stack, t, evseId, context) {
  let best;
  for (const profile of stack) {
    const relativeStart = context.transaction?.startedAt ?? profile.receivedAt;
    const period = periodAt(profile, t, relativeStart);
    const amps = period && ampsOf(profile, period, context.voltage);
    if (amps === undefined) continue;
    const candidate = { profile, amps, numberPhases: period.numberPhases ?? null };
    if (
      !best ||
      profile.stackLevel > best.profile.stackLevel ||
      (profile.stackLevel === best.profile.stackLevel &&
        ((profile.evseId === evseId) !== (best.profile.evseId === evseId) ? profile.evseId === evseId : amps < best.amps))
    ) {
      best = candidate;
    }
  }
  return best;
}

/**
 * The limit in force on EVSE `evseId` at `at` (ms), in amps per phase.
 * - `transaction`: the one running there, { id, startedAt (ms) }, or null. Relative profiles count
 *   from its start; with none, from when the charger received them.
 * - Within a purpose the highest stackLevel whose validity and schedule cover `at` leads.
 * - A TxProfile counts while its transaction runs and overrides the TxDefaultProfile (on the EVSE or on 0).
 * - The station maximum (ChargePointMaxProfile / ChargingStationMaxProfile, on 0) caps the whole
 *   station: here, where the charger has one EVSE, that EVSE.
 * Returns { amps, numberPhases, session, station }: amps null when nothing limits, 0 when the car
 * must pause; numberPhases that of the period setting the limit, when it gives one.
 */
export function limitAt(profiles, { at, evseId = 1, transaction = null, voltage = VOLTS }) {
  const context = { transaction, voltage };
  const here = profiles.filter((p) => p.evseId === 0 || p.evseId === evseId);
  const tx = here.filter(
    (p) => p.purpose === 'TxProfile' && transaction !== null && (p.transactionId === undefined || p.transactionId === String(transaction.id)),
  );
  const session = leading(tx, at, evseId, context) ?? leading(here.filter((p) => p.purpose === 'TxDefaultProfile'), at, evseId, context);
  const station = leading(profiles.filter((p) => p.purpose === 'ChargePointMaxProfile' && p.evseId === 0), at, evseId, context);
  const limiting = [session, station].filter(Boolean).sort((a, b) => a.amps - b.amps)[0];
  return {
    amps: limiting ? limiting.amps : null,
    numberPhases: limiting ? limiting.numberPhases : null,
    session: session ? session.amps : null,
    station: station ? station.amps : null,
  };
}

/**
 * What a car draws: the lowest of its own maximum, the charger's rating and the limit, per phase,
 * rounded down to 0.1 A (what the meter reports, so a reading never shows more than the limit), on
 * the charger's phases or fewer when the limit's period says so.
 */
export function carDraw({ carAmps, ratingAmps, limit, phases }) {
  const cap = Math.min(carAmps, ratingAmps, limit?.amps ?? Infinity);
  const amps = Math.max(0, Math.floor(cap * 10 + 1e-6) / 10);
  return { amps, phases: Math.min(phases, limit?.numberPhases ?? phases) };
}
