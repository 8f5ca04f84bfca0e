// The spec's rules for what the CSMS sends, beyond its JSON schema: checked before a CALL leaves.
//
// A payload can match its schema and still break a rule the spec sets for the CSMS (a TxProfile
// without its transaction, a schedule whose first period does not start at 0, a
// ClearChargingProfile that names no profile at all). Such a CALL is refused before it is
// sent, naming the requirement, rather than left for the charger to reject or, worse, to apply
// in its own way. Each rule names the requirement it enforces: a 2.0.1 functional requirement id
// (OCPP 2.0.1 Part 2) where the spec numbers one, else the use case and the field whose definition
// sets the rule; for 1.6, the section or type of the 1.6 specification.
//
// Stateless rules look at the payload alone: they run when a command is sent or queued. Stateful
// ones also need what the charger's object knows (its running transactions, its installed charging
// profiles), which the caller passes in: they run right before the CALL leaves, also for a command
// that waited in the queue.

import { DER_RULES_21 } from './v21/der-rules';
import { isOcpp2, type OcppVersion } from './versions';

/** A transaction the charger runs, as its object knows it: its id and its EVSE (2.0.1) or connector (1.6). */
export interface RunningTransaction {
  transactionId: string;
  evseId: number;
}

/** A charging profile the charger has installed, as the CSMS knows it. */
export interface InstalledProfile {
  profileId: number;
  /** 2.0.1 evseId or 1.6 connectorId; 0 is the whole charger. */
  evseId: number;
  stackLevel: number;
  purpose: string;
  transactionId: string | null;
  validFrom?: string;
  validTo?: string;
  /** chargingProfileKind (2.1: a Dynamic profile takes UpdateDynamicSchedule). */
  kind?: string;
}

/** What stateful rules need to know of the charger. */
export interface ChargerState {
  running: readonly RunningTransaction[];
  profiles: readonly InstalledProfile[];
}

/** A broken rule: the requirement's id and what is wrong with this payload. */
export interface RuleViolation {
  requirement: string;
  message: string;
}

export type Payload = Record<string, any>;

export interface Rule {
  requirement: string;
  /** Stateful rules get the charger's state; the others never look at it. */
  stateful?: boolean;
  /** The message when the payload breaks the rule, else undefined. */
  check: (payload: Payload, state: ChargerState) => string | undefined;
}

/** Which parts of the charger's state an action's stateful rules read, so the caller fetches only those. */
export interface StateNeeded {
  running: boolean;
  profiles: boolean;
}

// ---- charging schedules, shared by SetChargingProfile and the remote starts -------------------------

function schedules(profile: Payload, version: OcppVersion): Payload[] {
  // 2.0.1 profiles carry a list of schedules, 1.6 profiles one.
  if (version === 'ocpp1.6') return profile.chargingSchedule ? [profile.chargingSchedule] : [];
  return Array.isArray(profile.chargingSchedule) ? profile.chargingSchedule : [];
}

function firstPeriodNotZero(profile: Payload, version: OcppVersion): string | undefined {
  for (const schedule of schedules(profile, version)) {
    const first = schedule.chargingSchedulePeriod?.[0];
    if (first && first.startPeriod !== 0) {
      return `The first chargingSchedulePeriod of a chargingSchedule must start at 0 (startPeriod is ${first.startPeriod})`;
    }
  }
  return undefined;
}

function periodsNotIncreasing(profile: Payload, version: OcppVersion): string | undefined {
  for (const schedule of schedules(profile, version)) {
    const periods: Payload[] = schedule.chargingSchedulePeriod ?? [];
    for (let i = 1; i < periods.length; i += 1) {
      if (!(periods[i]!.startPeriod > periods[i - 1]!.startPeriod)) {
        return `chargingSchedulePeriod startPeriod values must increase (period ${i} starts at ${periods[i]!.startPeriod}, after ${periods[i - 1]!.startPeriod})`;
      }
    }
  }
  return undefined;
}

function startScheduleMismatch(profile: Payload, version: OcppVersion, kind: 'absolute' | 'relative'): string | undefined {
  for (const schedule of schedules(profile, version)) {
    if (kind === 'absolute' && (profile.chargingProfileKind === 'Absolute' || profile.chargingProfileKind === 'Recurring') && !schedule.startSchedule) {
      return `A ${profile.chargingProfileKind} charging profile needs startSchedule in its chargingSchedule`;
    }
    if (kind === 'relative' && profile.chargingProfileKind === 'Relative' && schedule.startSchedule !== undefined) {
      return 'A Relative charging profile has no startSchedule: it starts with the transaction';
    }
  }
  return undefined;
}

function windowEmpty(profile: Payload): string | undefined {
  if (profile.validFrom && profile.validTo && Date.parse(profile.validFrom) >= Date.parse(profile.validTo)) {
    return `validFrom (${profile.validFrom}) must be before validTo (${profile.validTo})`;
  }
  return undefined;
}

/** Whether two validity windows share an instant; an absent bound is open. */
function windowsOverlap(a: { validFrom?: string; validTo?: string }, b: { validFrom?: string; validTo?: string }): boolean {
  const from = (w: { validFrom?: string }) => (w.validFrom ? Date.parse(w.validFrom) : -Infinity);
  const to = (w: { validTo?: string }) => (w.validTo ? Date.parse(w.validTo) : Infinity);
  return from(a) < to(b) && from(b) < to(a);
}

/** The rules every charging profile the CSMS sends follows, with how to reach it in the payload. */
function profileRules(version: OcppVersion, pick: (p: Payload) => Payload | undefined): Rule[] {
  const on = (check: (profile: Payload) => string | undefined) => (payload: Payload) => {
    const profile = pick(payload);
    return profile ? check(profile) : undefined;
  };
  if (version === 'ocpp1.6') {
    return [{ requirement: '1.6 ChargingSchedulePeriod.startPeriod', check: on((p) => periodsNotIncreasing(p, version)) }];
  }
  return [
    { requirement: 'K01.FR.31', check: on((p) => firstPeriodNotZero(p, version)) },
    { requirement: 'K01.FR.35', check: on((p) => periodsNotIncreasing(p, version)) },
    { requirement: 'K01.FR.40', check: on((p) => startScheduleMismatch(p, version, 'absolute')) },
    { requirement: 'K01.FR.41', check: on((p) => startScheduleMismatch(p, version, 'relative')) },
  ];
}

// ---- 2.0.1 -----------------------------------------------------------------------------------------

/**
 * A remote start's charging profile (1.6 RemoteStartTransaction, 2.0.1 RequestStartTransaction):
 * a TxProfile for the transaction about to start, so it names none, and a valid profile besides.
 */
function remoteStartRules(version: OcppVersion, action: string, ids: { purpose: string; noTransaction: string }): Rule[] {
  return [
    {
      requirement: ids.purpose,
      check: (p) =>
        p.chargingProfile && p.chargingProfile.chargingProfilePurpose !== 'TxProfile'
          ? `The charging profile of a ${action} is a TxProfile (it is a ${p.chargingProfile.chargingProfilePurpose})`
          : undefined,
    },
    {
      requirement: ids.noTransaction,
      check: (p) =>
        p.chargingProfile?.transactionId !== undefined
          ? `The charging profile of a ${action} names no transactionId: the transaction does not exist yet`
          : undefined,
    },
    ...profileRules(version, (p) => p.chargingProfile),
  ];
}

const setChargingProfile201: Rule[] = [
  {
    requirement: 'K01.FR.22',
    check: (p) =>
      p.chargingProfile.chargingProfilePurpose === 'ChargingStationExternalConstraints'
        ? 'The CSMS never sets a ChargingStationExternalConstraints profile: that purpose is for limits set by an external system'
        : undefined,
  },
  {
    // The evseId field's definition: a ChargingStationMaxProfile is the limit of the whole station.
    requirement: 'K01 SetChargingProfileRequest.evseId',
    check: (p) =>
      p.chargingProfile.chargingProfilePurpose === 'ChargingStationMaxProfile' && p.evseId !== 0
        ? `A ChargingStationMaxProfile is set on evseId 0, the whole charging station (evseId is ${p.evseId})`
        : undefined,
  },
  {
    requirement: 'K01.FR.38',
    check: (p) =>
      p.chargingProfile.chargingProfilePurpose === 'ChargingStationMaxProfile' && p.chargingProfile.chargingProfileKind === 'Relative'
        ? 'A ChargingStationMaxProfile cannot be Relative'
        : undefined,
  },
  {
    requirement: 'K01.FR.16',
    check: (p) =>
      p.chargingProfile.chargingProfilePurpose === 'TxProfile' && !(p.evseId > 0)
        ? `A TxProfile is set on an EVSE (evseId > 0), where its transaction runs (evseId is ${p.evseId})`
        : undefined,
  },
  {
    requirement: 'K01.FR.03',
    check: (p) =>
      p.chargingProfile.chargingProfilePurpose === 'TxProfile' && p.chargingProfile.transactionId === undefined
        ? 'A TxProfile names its transaction: chargingProfile.transactionId is required'
        : undefined,
  },
  {
    // ChargingProfileType.transactionId: only for a TxProfile.
    requirement: 'K01 ChargingProfileType.transactionId',
    check: (p) =>
      p.chargingProfile.chargingProfilePurpose !== 'TxProfile' && p.chargingProfile.transactionId !== undefined
        ? `Only a TxProfile names a transaction: remove transactionId from this ${p.chargingProfile.chargingProfilePurpose}`
        : undefined,
  },
  {
    requirement: 'K01 ChargingProfileType.validFrom/validTo',
    check: (p) => windowEmpty(p.chargingProfile),
  },
  ...profileRules('ocpp2.0.1', (p) => p.chargingProfile),
  {
    requirement: 'K01.FR.09',
    stateful: true,
    check: (p, state) => {
      const profile = p.chargingProfile;
      if (profile.chargingProfilePurpose !== 'TxProfile' || profile.transactionId === undefined) return undefined;
      return state.running.some((t) => t.transactionId === profile.transactionId)
        ? undefined
        : `Transaction ${profile.transactionId} is not running on this charger: a TxProfile is only set during its transaction`;
    },
  },
  {
    requirement: 'K01.FR.33',
    stateful: true,
    check: (p, state) => {
      const profile = p.chargingProfile;
      if (profile.chargingProfilePurpose !== 'TxProfile' || profile.transactionId === undefined) return undefined;
      const running = state.running.find((t) => t.transactionId === profile.transactionId);
      // An EVSE the charger never named (-1) cannot be compared.
      return running && running.evseId > 0 && running.evseId !== p.evseId
        ? `Transaction ${profile.transactionId} runs on EVSE ${running.evseId}, not on EVSE ${p.evseId}`
        : undefined;
    },
  },
  {
    requirement: 'K01.FR.39',
    stateful: true,
    check: (p, state) => {
      const profile = p.chargingProfile;
      if (profile.chargingProfilePurpose !== 'TxProfile' || profile.transactionId === undefined) return undefined;
      const other = state.profiles.find(
        (i) =>
          i.profileId !== profile.id &&
          i.purpose === 'TxProfile' &&
          i.stackLevel === profile.stackLevel &&
          i.transactionId === String(profile.transactionId),
      );
      return other
        ? `TxProfile ${other.profileId} already has stackLevel ${profile.stackLevel} for transaction ${profile.transactionId}: replace it (same id) or use another stackLevel`
        : undefined;
    },
  },
  {
    requirement: 'K01.FR.06',
    stateful: true,
    check: (p, state) => {
      const profile = p.chargingProfile;
      if (profile.chargingProfilePurpose === 'TxProfile') return undefined;
      const other = state.profiles.find(
        (i) =>
          i.profileId !== profile.id &&
          i.evseId === p.evseId &&
          i.purpose === profile.chargingProfilePurpose &&
          i.stackLevel === profile.stackLevel &&
          windowsOverlap(i, profile),
      );
      return other
        ? `Profile ${other.profileId} (${other.purpose}, stackLevel ${other.stackLevel}, EVSE ${other.evseId}) is valid at the same time: replace it (same id), use another stackLevel, or make the validity periods apart`
        : undefined;
    },
  },
];

const RULES_201: Record<string, Rule[]> = {
  SetChargingProfile: setChargingProfile201,
  RequestStartTransaction: remoteStartRules('ocpp2.0.1', 'RequestStartTransaction', { purpose: 'F01.FR.09', noTransaction: 'F01.FR.11' }),
  ClearChargingProfile: [
    {
      requirement: 'K10.FR.02',
      check: (p) => {
        const criteria: Payload | undefined = p.chargingProfileCriteria;
        const hasCriteria = criteria !== undefined && (criteria.evseId !== undefined || criteria.chargingProfilePurpose !== undefined || criteria.stackLevel !== undefined);
        // An id with criteria is allowed: the id decides which profile is cleared (1.6 §5.5 says
        // so; the charger's mirror does the same, profile-changes.ts).
        if (p.chargingProfileId === undefined && !hasCriteria) {
          return 'Name the profiles to clear: chargingProfileId, or chargingProfileCriteria with evseId, chargingProfilePurpose or stackLevel';
        }
        return undefined;
      },
    },
  ],
  GetChargingProfiles: [
    {
      requirement: 'K09.FR.03',
      check: (p) => {
        const c: Payload = p.chargingProfile ?? {};
        const ids = Array.isArray(c.chargingProfileId) && c.chargingProfileId.length > 0;
        const fields = c.stackLevel !== undefined || c.chargingProfilePurpose !== undefined || (Array.isArray(c.chargingLimitSource) && c.chargingLimitSource.length > 0);
        if (ids && fields) return 'chargingProfile criteria name either chargingProfileId or stackLevel, chargingLimitSource, chargingProfilePurpose, not both';
        if (!ids && !fields) return 'chargingProfile criteria name chargingProfileId, or one of stackLevel, chargingLimitSource, chargingProfilePurpose';
        return undefined;
      },
    },
  ],
  TriggerMessage: [
    {
      requirement: 'F06.FR.13',
      check: (p) =>
        p.requestedMessage === 'StatusNotification' && (p.evse === undefined || p.evse.connectorId === undefined)
          ? 'A triggered StatusNotification is per connector: include evse with id and connectorId'
          : undefined,
    },
  ],
  CustomerInformation: [
    {
      requirement: 'N09.FR.01',
      check: (p) => (!p.report && !p.clear ? 'A CustomerInformation asks for something: report, clear, or both must be true' : undefined),
    },
    {
      requirement: 'N09.FR.04',
      check: (p) => customerReference(p),
    },
  ],
  UpdateFirmware: [
    {
      requirement: 'L01.FR.11',
      check: (p) =>
        (p.firmware.signingCertificate === undefined) !== (p.firmware.signature === undefined)
          ? 'A secure firmware update (L01) carries both firmware.signingCertificate and firmware.signature; one without signature (L02) carries neither'
          : undefined,
    },
    { requirement: 'L01 FirmwareType.location', check: (p) => notUrl(p.firmware.location, 'firmware.location') },
    { requirement: 'L01 FirmwareType.installDateTime', check: (p) => installBeforeRetrieve(p.firmware.retrieveDateTime, p.firmware.installDateTime) },
  ],
  SetDisplayMessage: [
    {
      requirement: 'O01 MessageInfoType.startDateTime/endDateTime',
      check: (p) =>
        p.message.startDateTime && p.message.endDateTime && Date.parse(p.message.startDateTime) >= Date.parse(p.message.endDateTime)
          ? `message.startDateTime (${p.message.startDateTime}) must be before message.endDateTime (${p.message.endDateTime})`
          : undefined,
    },
  ],
};

function customerReference(p: Payload): string | undefined {
  const references = [p.customerIdentifier, p.idToken, p.customerCertificate].filter((r) => r !== undefined).length;
  if (references === 0) return 'Name the customer: one of customerIdentifier, idToken or customerCertificate';
  if (references > 1) return 'Name the customer once: only one of customerIdentifier, idToken or customerCertificate';
  return undefined;
}

function notUrl(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    new URL(value);
    return undefined;
  } catch {
    return `${field} must be an absolute URI the charger can download from (got ${JSON.stringify(value)})`;
  }
}

function installBeforeRetrieve(retrieve: string | undefined, install: string | undefined): string | undefined {
  if (!retrieve || !install) return undefined;
  return Date.parse(install) < Date.parse(retrieve) ? `installDateTime (${install}) is before retrieveDateTime (${retrieve}): the firmware cannot be installed before it is downloaded` : undefined;
}

// ---- 1.6 -------------------------------------------------------------------------------------------

const RULES_16: Record<string, Rule[]> = {
  SetChargingProfile: [
    {
      requirement: '1.6 §3.13.1',
      check: (p) =>
        p.csChargingProfiles.chargingProfilePurpose === 'ChargePointMaxProfile' && p.connectorId !== 0
          ? `A ChargePointMaxProfile is set on connectorId 0, the whole charge point (connectorId is ${p.connectorId})`
          : undefined,
    },
    {
      requirement: '1.6 §5.16.3',
      check: (p) =>
        p.csChargingProfiles.chargingProfilePurpose === 'TxProfile' && !(p.connectorId > 0)
          ? `A TxProfile is set on the connector its transaction runs on (connectorId > 0; it is ${p.connectorId})`
          : undefined,
    },
    {
      requirement: '1.6 §5.16.3',
      check: (p) =>
        p.csChargingProfiles.chargingProfilePurpose === 'TxProfile' && p.csChargingProfiles.transactionId === undefined
          ? 'A TxProfile set with SetChargingProfile names its transaction: csChargingProfiles.transactionId is required'
          : undefined,
    },
    {
      requirement: '1.6 ChargingProfile.transactionId',
      check: (p) =>
        p.csChargingProfiles.chargingProfilePurpose !== 'TxProfile' && p.csChargingProfiles.transactionId !== undefined
          ? `Only a TxProfile names a transaction: remove transactionId from this ${p.csChargingProfiles.chargingProfilePurpose}`
          : undefined,
    },
    { requirement: '1.6 ChargingProfile.validFrom/validTo', check: (p) => windowEmpty(p.csChargingProfiles) },
    ...profileRules('ocpp1.6', (p) => p.csChargingProfiles),
    {
      requirement: '1.6 §5.16.3',
      stateful: true,
      check: (p, state) => {
        const profile = p.csChargingProfiles;
        if (profile.chargingProfilePurpose !== 'TxProfile' || profile.transactionId === undefined) return undefined;
        const running = state.running.find((t) => t.transactionId === String(profile.transactionId));
        if (!running) return `Transaction ${profile.transactionId} is not running on this charger: a TxProfile is only set during its transaction`;
        return running.evseId > 0 && running.evseId !== p.connectorId
          ? `Transaction ${profile.transactionId} runs on connector ${running.evseId}, not on connector ${p.connectorId}`
          : undefined;
      },
    },
  ],
  RemoteStartTransaction: remoteStartRules('ocpp1.6', 'RemoteStartTransaction', { purpose: '1.6 §5.11', noTransaction: '1.6 §5.16.2' }),
  TriggerMessage: [
    {
      requirement: '1.6 §5.17 TriggerMessage.req connectorId',
      check: (p) => (p.connectorId !== undefined && !(p.connectorId > 0) ? `connectorId names a connector (> 0), or is left out for the whole charge point (it is ${p.connectorId})` : undefined),
    },
  ],
  UpdateFirmware: [
    { requirement: '1.6 §5.19 UpdateFirmware.req location', check: (p) => notUrl(p.location, 'location') },
  ],
  SignedUpdateFirmware: [
    { requirement: '1.6 Security SignedUpdateFirmware firmware.location', check: (p) => notUrl(p.firmware.location, 'firmware.location') },
    { requirement: '1.6 Security SignedUpdateFirmware firmware.installDateTime', check: (p) => installBeforeRetrieve(p.firmware.retrieveDateTime, p.firmware.installDateTime) },
  ],
};

// ---- 2.1 -------------------------------------------------------------------------------------------

/** 2.1's priority charging: asked of a transaction the charger runs (the request's transactionId names it). */
const usePriorityCharging21: Rule[] = [
  {
    requirement: 'UsePriorityChargingRequest.transactionId',
    stateful: true,
    check: (p, state) =>
      state.running.some((t) => t.transactionId === p.transactionId)
        ? undefined
        : `Transaction ${p.transactionId} is not running on this charger: priority charging is ${p.activate ? 'activated' : 'deactivated'} for a running transaction`,
  },
];

/** K28: dynamic values are for a profile the charger installed with chargingProfileKind Dynamic. */
const updateDynamicSchedule21: Rule[] = [
  {
    requirement: 'K28 UpdateDynamicScheduleRequest.chargingProfileId',
    stateful: true,
    check: (p, state) => {
      const profile = state.profiles.find((installed) => installed.profileId === p.chargingProfileId);
      if (!profile) return `The charger has no charging profile ${p.chargingProfileId} installed, as the CSMS knows it`;
      return profile.kind === 'Dynamic' ? undefined : `Charging profile ${p.chargingProfileId} is ${profile.kind ?? 'of no'} kind: only a Dynamic profile takes dynamic values`;
    },
  },
];

// 2.1 keeps 2.0.1's messages and their requirements (its K01 adds purposes and discharging, which
// these rules do not forbid), so it checks the same rules, and those of its own messages.
const RULES_21: Record<string, Rule[]> = {
  ...RULES_201,
  ...DER_RULES_21,
  UsePriorityCharging: usePriorityCharging21,
  UpdateDynamicSchedule: updateDynamicSchedule21,
};

const RULES: Record<OcppVersion, Record<string, Rule[]>> = { 'ocpp1.6': RULES_16, 'ocpp2.0.1': RULES_201, 'ocpp2.1': RULES_21 };

function rulesFor(version: OcppVersion, action: string): Rule[] {
  return Object.hasOwn(RULES[version], action) ? RULES[version][action]! : [];
}

const NO_STATE: ChargerState = { running: [], profiles: [] };

/** The first rule the payload (already valid against its schema) breaks without looking at the charger's state. */
export function statelessViolation(version: OcppVersion, action: string, payload: unknown): RuleViolation | undefined {
  return firstViolation(rulesFor(version, action).filter((r) => !r.stateful), payload as Payload, NO_STATE);
}

/** What `statefulViolation` needs to know of the charger for this action: nothing for most. */
export function stateNeeded(version: OcppVersion, action: string, payload: unknown): StateNeeded {
  if (!rulesFor(version, action).some((r) => r.stateful)) return { running: false, profiles: false };
  // 2.1 UsePriorityCharging names a transaction the charger must be running.
  if (action === 'UsePriorityCharging') return { running: true, profiles: false };
  // 2.1 UpdateDynamicSchedule names a Dynamic profile the charger installed.
  if (action === 'UpdateDynamicSchedule') return { running: false, profiles: true };
  // Else SetChargingProfile: a TxProfile needs the transactions, every profile the installed ones (1.6 replaces instead).
  const profile = (payload as Payload)[version === 'ocpp1.6' ? 'csChargingProfiles' : 'chargingProfile'] as Payload | undefined;
  const isTx = profile?.chargingProfilePurpose === 'TxProfile';
  return { running: isTx, profiles: isOcpp2(version) };
}

/** The first rule needing the charger's state that the payload breaks, given that state. */
export function statefulViolation(version: OcppVersion, action: string, payload: unknown, state: ChargerState): RuleViolation | undefined {
  return firstViolation(rulesFor(version, action).filter((r) => r.stateful), payload as Payload, state);
}

function firstViolation(rules: Rule[], payload: Payload, state: ChargerState): RuleViolation | undefined {
  for (const rule of rules) {
    const message = rule.check(payload, state);
    if (message !== undefined) return { requirement: rule.requirement, message };
  }
  return undefined;
}

/** Every rule, for the documentation: version, action, requirement, and whether it needs the charger's state. */
export function ruleCatalogue(): Array<{ version: OcppVersion; action: string; requirement: string; stateful: boolean }> {
  return (Object.keys(RULES) as OcppVersion[]).flatMap((version) =>
    Object.entries(RULES[version]).flatMap(([action, rules]) =>
      rules.map((r) => ({ version, action, requirement: r.requirement, stateful: r.stateful === true })),
    ),
  );
}
