// The message limits a charger reports (1.6 configuration keys, 2.0.1 device model), and how an operator's payload is fitted to them.
//
// A charger says how many items (and bytes) one GetVariables, SetVariables, GetReport,
// GetConfiguration or SendLocalList may carry, and what charging profiles it takes. The CSMS
// splits a list payload into several CALLs where the spec lets it (the answers are merged by the
// caller), and refuses what cannot be split (a GetReport names one requestId; a charging profile is
// one object) with the limit named. A limit the charger never reported is not applied.

import type { InstalledProfile } from './outbound-rules';
import type { Setting } from './settings';
import { isOcpp2, type OcppVersion } from './versions';

/** Each limit this CSMS acts upon, by the name an operator sees in errors and in the charger's reports. */
export const LIMIT_NAMES = {
  getVariablesItems: 'DeviceDataCtrlr.ItemsPerMessage[GetVariables]',
  getVariablesBytes: 'DeviceDataCtrlr.BytesPerMessage[GetVariables]',
  setVariablesItems: 'DeviceDataCtrlr.ItemsPerMessage[SetVariables]',
  setVariablesBytes: 'DeviceDataCtrlr.BytesPerMessage[SetVariables]',
  getReportItems: 'DeviceDataCtrlr.ItemsPerMessage[GetReport]',
  getReportBytes: 'DeviceDataCtrlr.BytesPerMessage[GetReport]',
  localListItems: 'LocalAuthListCtrlr.ItemsPerMessage',
  localListBytes: 'LocalAuthListCtrlr.BytesPerMessage',
  localListEntries: 'LocalAuthListCtrlr.Entries (maxLimit)',
  periodsPerSchedule: 'SmartChargingCtrlr.PeriodsPerSchedule',
  profileStackLevel: 'SmartChargingCtrlr.ProfileStackLevel',
  getConfigurationMaxKeys: 'GetConfigurationMaxKeys',
  sendLocalListMaxLength: 'SendLocalListMaxLength',
  localAuthListMaxLength: 'LocalAuthListMaxLength',
  chargeProfileMaxStackLevel: 'ChargeProfileMaxStackLevel',
  chargingScheduleMaxPeriods: 'ChargingScheduleMaxPeriods',
  maxChargingProfilesInstalled: 'MaxChargingProfilesInstalled',
  profileEntries: 'SmartChargingCtrlr.Entries (maxLimit)',
} as const;

export type LimitKey = keyof typeof LIMIT_NAMES;

/** The limits a charger reported; a missing one was never reported (or not as a number). */
export type ChargerLimits = Partial<Record<LimitKey, number>>;

/** Limits that may be 0 (a stack level); every other one needs at least 1 to mean anything. */
const ZERO_ALLOWED = new Set<LimitKey>(['profileStackLevel', 'chargeProfileMaxStackLevel']);

/** 1.6 configuration keys → limit. */
const KEYS_16: Record<string, LimitKey> = {
  getconfigurationmaxkeys: 'getConfigurationMaxKeys',
  sendlocallistmaxlength: 'sendLocalListMaxLength',
  localauthlistmaxlength: 'localAuthListMaxLength',
  chargeprofilemaxstacklevel: 'chargeProfileMaxStackLevel',
  chargingschedulemaxperiods: 'chargingScheduleMaxPeriods',
  maxchargingprofilesinstalled: 'maxChargingProfilesInstalled',
};

/**
 * 2.0.1 (component, variable, variable instance) → limit, lower case. The device model names
 * DeviceDataCtrlr's limits by instance (ItemsPerMessage, instance GetVariables); some chargers
 * spell the instance into the name (ItemsPerMessageGetVariables): both are read.
 */
const VARIABLES_201: Record<string, LimitKey> = {};
for (const [action, items, bytes] of [
  ['getvariables', 'getVariablesItems', 'getVariablesBytes'],
  ['setvariables', 'setVariablesItems', 'setVariablesBytes'],
  ['getreport', 'getReportItems', 'getReportBytes'],
] as const) {
  VARIABLES_201[`devicedatactrlr\u0000itemspermessage\u0000${action}`] = items;
  VARIABLES_201[`devicedatactrlr\u0000itemspermessage${action}\u0000`] = items;
  VARIABLES_201[`devicedatactrlr\u0000bytespermessage\u0000${action}`] = bytes;
  VARIABLES_201[`devicedatactrlr\u0000bytespermessage${action}\u0000`] = bytes;
}
VARIABLES_201['localauthlistctrlr\u0000itemspermessage\u0000'] = 'localListItems';
VARIABLES_201['localauthlistctrlr\u0000itemspermessagesendlocallist\u0000'] = 'localListItems';
VARIABLES_201['localauthlistctrlr\u0000bytespermessage\u0000'] = 'localListBytes';
VARIABLES_201['localauthlistctrlr\u0000bytespermessagesendlocallist\u0000'] = 'localListBytes';
VARIABLES_201['smartchargingctrlr\u0000periodsperschedule\u0000'] = 'periodsPerSchedule';
VARIABLES_201['smartchargingctrlr\u0000profilestacklevel\u0000'] = 'profileStackLevel';

/** The limits among settings the charger reported (a report, or a command's answer). */
export function limitsFromSettings(settings: readonly Setting[]): ChargerLimits {
  const found: ChargerLimits = {};
  for (const s of settings) {
    if (s.attributeType !== 'Actual') continue;
    const variable = s.variable.toLowerCase();
    if (s.component === '') {
      const key = KEYS_16[variable];
      if (key) assign(found, key, s.value);
      continue;
    }
    const component = s.component.toLowerCase();
    const key = VARIABLES_201[`${component}\u0000${variable}\u0000${s.variableInstance.toLowerCase()}`];
    if (key) assign(found, key, s.value);
    // The list's capacity is Entries' maxLimit: its value is how many it holds now (D01.FR.12).
    if (component === 'localauthlistctrlr' && variable === 'entries' && s.characteristics) {
      assign(found, 'localListEntries', String(s.characteristics.maxLimit ?? ''));
    }
    // The same for installed charging profiles: SmartChargingCtrlr.Entries (instance ChargingProfiles)
    // counts them, its maxLimit is how many the station holds.
    const instance = s.variableInstance.toLowerCase();
    if (component === 'smartchargingctrlr' && variable === 'entries' && (instance === '' || instance === 'chargingprofiles') && s.characteristics) {
      assign(found, 'profileEntries', String(s.characteristics.maxLimit ?? ''));
    }
  }
  return found;
}

function assign(limits: ChargerLimits, key: LimitKey, value: string | null): void {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < (ZERO_ALLOWED.has(key) ? 0 : 1)) return;
  limits[key] = n;
}

/** Why a payload cannot go to this charger: the limit it exceeds, by name, and the charger's value. */
export interface LimitRefusal {
  limit: LimitKey;
  name: string;
  value: number;
  message: string;
}

/** How a command goes out: whole (as today), in parts (answers to be merged), or not at all. */
export type CommandPlan =
  | { kind: 'whole' }
  | { kind: 'parts'; requests: Record<string, unknown>[] }
  | { kind: 'refused'; refusal: LimitRefusal };

/** The longest message id this CSMS sends (a UUID): a part's size counts the whole CALL frame. */
const MESSAGE_ID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** Which list field of which action is split, and by which limits. */
const SPLITS_2 = {
  GetVariables: { field: 'getVariableData', items: 'getVariablesItems', bytes: 'getVariablesBytes' },
  SetVariables: { field: 'setVariableData', items: 'setVariablesItems', bytes: 'setVariablesBytes' },
} as const;
const SPLITS: Record<OcppVersion, Record<string, { field: string; items: LimitKey; bytes?: LimitKey }>> = {
  'ocpp1.6': {
    GetConfiguration: { field: 'key', items: 'getConfigurationMaxKeys' },
  },
  'ocpp2.0.1': SPLITS_2,
  'ocpp2.1': SPLITS_2,
};

/**
 * Fits an operator's (already schema-checked) command to the charger's limits. GetVariables,
 * SetVariables (2.0.1) and GetConfiguration (1.6) are split in order; a GetReport over its limits
 * and a charging profile over the charger's periods or stack level are refused.
 */
export function planCommand(protocol: OcppVersion, action: string, request: unknown, limits: ChargerLimits): CommandPlan {
  const payload = request as Record<string, unknown>;
  const split = SPLITS[protocol][action];
  if (split) {
    const items = payload[split.field];
    if (!Array.isArray(items) || items.length === 0) return { kind: 'whole' };
    const parts = splitList(action, payload, split.field, items, limits, split.items, split.bytes);
    if ('refusal' in parts) return { kind: 'refused', refusal: parts.refusal };
    return parts.requests.length === 1 ? { kind: 'whole' } : { kind: 'parts', requests: parts.requests };
  }
  if (isOcpp2(protocol) && action === 'GetReport') {
    // A GetReport names one requestId for all the NotifyReports it asks for: it is not split.
    const items = payload.componentVariable;
    if (!Array.isArray(items)) return { kind: 'whole' };
    const over =
      overItems(limits, 'getReportItems', items.length, 'componentVariable entries') ??
      overBytes(limits, 'getReportBytes', frameBytes(action, payload), 'GetReport');
    return over ? { kind: 'refused', refusal: over } : { kind: 'whole' };
  }
  const refusal = profileRefusal(protocol, action, payload, limits);
  return refusal ? { kind: 'refused', refusal } : { kind: 'whole' };
}

/** The charging profile a command carries, if any: SetChargingProfile, and a remote start's. */
function profileOf(protocol: OcppVersion, action: string, payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if (action === 'SetChargingProfile') {
    return (protocol === 'ocpp1.6' ? payload.csChargingProfiles : payload.chargingProfile) as Record<string, unknown> | undefined;
  }
  if (action === 'RemoteStartTransaction' || action === 'RequestStartTransaction') {
    return payload.chargingProfile as Record<string, unknown> | undefined;
  }
  return undefined;
}

/** A profile over the charger's stack level or periods per schedule: it cannot be split, so it is refused. */
function profileRefusal(protocol: OcppVersion, action: string, payload: Record<string, unknown>, limits: ChargerLimits): LimitRefusal | undefined {
  const profile = profileOf(protocol, action, payload);
  if (!profile) return undefined;
  const [stackKey, periodsKey] =
    protocol === 'ocpp1.6' ? (['chargeProfileMaxStackLevel', 'chargingScheduleMaxPeriods'] as const) : (['profileStackLevel', 'periodsPerSchedule'] as const);
  const stack = limits[stackKey];
  if (stack !== undefined && typeof profile.stackLevel === 'number' && profile.stackLevel > stack) {
    return refusal(stackKey, stack, `stackLevel ${profile.stackLevel} is above the ${stack} this charger reported (${LIMIT_NAMES[stackKey]})`);
  }
  // 1.6 has one schedule per profile, 2.0.1 one to three.
  const schedules = (Array.isArray(profile.chargingSchedule) ? profile.chargingSchedule : [profile.chargingSchedule]) as Array<
    { chargingSchedulePeriod?: unknown[] } | undefined
  >;
  const periods = Math.max(0, ...schedules.map((s) => s?.chargingSchedulePeriod?.length ?? 0));
  return overItems(limits, periodsKey, periods, 'chargingSchedulePeriod entries in one schedule');
}

/** The limit on how many profiles a charger holds at once, when it reported one and the command carries a profile. */
export function profileCountLimit(protocol: OcppVersion, action: string, request: unknown, limits: ChargerLimits): LimitKey | undefined {
  if (!profileOf(protocol, action, request as Record<string, unknown>)) return undefined;
  const key = protocol === 'ocpp1.6' ? 'maxChargingProfilesInstalled' : 'profileEntries';
  return limits[key] === undefined ? undefined : key;
}

/**
 * A profile that would take the charger past the number of profiles it holds at once (1.6
 * MaxChargingProfilesInstalled, 2.0.1 SmartChargingCtrlr.Entries' maxLimit), given the profiles it
 * has installed as the mirror knows them. The new profile replaces those the charger replaces with
 * it (the mirror's rules, store/charging-profiles.ts): one with the same id (1.6 §5.16, K01.FR.05)
 * and, in 1.6, one with the same stack level and purpose on the same connector. A 2.0.1 profile of
 * the same stack level and purpose valid at the same time is refused before this (K01.FR.06, K01.FR.39).
 */
export function profileCountRefusal(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  limits: ChargerLimits,
  installed: readonly InstalledProfile[],
): LimitRefusal | undefined {
  const key = profileCountLimit(protocol, action, request, limits);
  if (!key) return undefined;
  const payload = request as Record<string, unknown>;
  const profile = profileOf(protocol, action, payload)!;
  const id = protocol === 'ocpp1.6' ? profile.chargingProfileId : profile.id;
  // SetChargingProfile names the connector / EVSE; a 1.6 remote start its connector, if any (0: none named).
  const evseId = (action === 'SetChargingProfile' ? (protocol === 'ocpp1.6' ? payload.connectorId : payload.evseId) : (payload.connectorId ?? payload.evseId ?? 0)) as number;
  const kept = installed.filter(
    (i) =>
      i.profileId !== id &&
      !(protocol === 'ocpp1.6' && i.evseId === evseId && i.purpose === profile.chargingProfilePurpose && i.stackLevel === profile.stackLevel),
  );
  const max = limits[key]!;
  if (kept.length + 1 <= max) return undefined;
  return refusal(
    key,
    max,
    `the charger holds ${kept.length} charging profile${kept.length === 1 ? '' : 's'} this one does not replace: it takes at most ${max} (${LIMIT_NAMES[key]}); clear one first, or replace one (same id)`,
  );
}

function overItems(limits: ChargerLimits, key: LimitKey, count: number, what: string): LimitRefusal | undefined {
  const max = limits[key];
  if (max === undefined || count <= max) return undefined;
  return refusal(key, max, `${count} ${what}: this charger takes at most ${max} (${LIMIT_NAMES[key]})`);
}

function overBytes(limits: ChargerLimits, key: LimitKey, bytes: number, what: string): LimitRefusal | undefined {
  const max = limits[key];
  if (max === undefined || bytes <= max) return undefined;
  return refusal(key, max, `the ${what} message is ${bytes} bytes: this charger takes at most ${max} (${LIMIT_NAMES[key]})`);
}

function refusal(limit: LimitKey, value: number, message: string): LimitRefusal {
  return { limit, name: LIMIT_NAMES[limit], value, message };
}

/** The size of the CALL frame carrying `payload`, in UTF-8 bytes. */
export function frameBytes(action: string, payload: unknown): number {
  return utf8Length(JSON.stringify([2, MESSAGE_ID_PLACEHOLDER, action, payload]));
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Splits `items` (the payload's `field`) into consecutive parts within the item and byte limits,
 * each part the payload with its share of the items. An item too big for a message on its own
 * cannot be sent: refused with the byte limit named.
 */
export function splitList(
  action: string,
  payload: Record<string, unknown>,
  field: string,
  items: readonly unknown[],
  limits: ChargerLimits,
  itemsKey: LimitKey,
  bytesKey?: LimitKey,
  /** The payload used to measure a part's frame without its items, when parts differ (a local list's type and version). */
  measuredAs: Record<string, unknown> = payload,
): { requests: Record<string, unknown>[] } | { refusal: LimitRefusal } {
  const maxItems = limits[itemsKey] ?? Infinity;
  const maxBytes = bytesKey ? (limits[bytesKey] ?? Infinity) : Infinity;
  if (items.length <= maxItems && maxBytes === Infinity) return { requests: [payload] };
  // A part's frame: the payload with an empty list, each item's JSON, and a comma between items.
  const base = frameBytes(action, { ...measuredAs, [field]: [] });
  const groups: unknown[][] = [];
  let current: unknown[] = [];
  let size = base;
  for (const item of items) {
    const bytes = utf8Length(JSON.stringify(item));
    if (base + bytes > maxBytes) {
      const message = `one ${field} entry makes a ${base + bytes}-byte ${action} message: this charger takes at most ${maxBytes} (${LIMIT_NAMES[bytesKey!]})`;
      return { refusal: refusal(bytesKey!, maxBytes, message) };
    }
    const added = current.length === 0 ? bytes : bytes + 1;
    if (current.length > 0 && (current.length + 1 > maxItems || size + added > maxBytes)) {
      groups.push(current);
      current = [];
      size = base;
    }
    size += current.length === 0 ? bytes : bytes + 1;
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return { requests: groups.map((group) => ({ ...payload, [field]: group })) };
}

/** How one part of a split command went, as the API reports it. */
export type PartOutcome = {
  part: number;
  items: number;
  result?: Record<string, unknown>;
  error?: Record<string, unknown>;
};

/** The answers to a split command's parts merged into one, in the order the items were asked. */
export function mergeResults(action: string, results: readonly Record<string, unknown>[]): Record<string, unknown> {
  const concat = (field: string) => results.flatMap((r) => (Array.isArray(r[field]) ? (r[field] as unknown[]) : []));
  switch (action) {
    case 'GetVariables':
      return { getVariableResult: concat('getVariableResult') };
    case 'SetVariables':
      return { setVariableResult: concat('setVariableResult') };
    case 'GetConfiguration': {
      const unknownKey = concat('unknownKey');
      return { configurationKey: concat('configurationKey'), ...(unknownKey.length > 0 ? { unknownKey } : {}) };
    }
    default:
      return results[results.length - 1] ?? {};
  }
}

/**
 * A local list in parts, per D01.FR.11 (1.6 §5.15 the same): the first part Full, the others
 * Differential adding to it. Each part is numbered one past the one before, so a charger that
 * compares a Differential's version with its own (VersionMismatch) takes every part, and one that
 * received only some of them does not hold the final version: the version the list is known by is
 * the last part's.
 */
export function splitLocalList(
  protocol: OcppVersion,
  payload: Record<string, unknown>,
  limits: ChargerLimits,
): { requests: Record<string, unknown>[] } | { refusal: LimitRefusal } {
  const field = 'localAuthorizationList';
  const versionField = protocol === 'ocpp1.6' ? 'listVersion' : 'versionNumber';
  const items = (payload[field] as unknown[] | undefined) ?? [];
  const [itemsKey, bytesKey, capacityKey] =
    protocol === 'ocpp1.6'
      ? (['sendLocalListMaxLength', undefined, 'localAuthListMaxLength'] as const)
      : (['localListItems', 'localListBytes', 'localListEntries'] as const);
  // A Full list must fit the charger's list (D01.FR.12); a Differential one may remove entries.
  if (payload.updateType === 'Full') {
    const over = overItems(limits, capacityKey, items.length, 'entries in a Full list');
    if (over) return { refusal: over };
  }
  if (items.length === 0) return { requests: [payload] };
  const first = payload[versionField] as number;
  // Measured with the longest type and the highest version a part may carry.
  const measuredAs = { ...payload, updateType: 'Differential', [versionField]: first + items.length };
  const split = splitList('SendLocalList', payload, field, items, limits, itemsKey, bytesKey, measuredAs);
  if ('refusal' in split) return split;
  return {
    requests: split.requests.map((part, index) => ({
      ...part,
      [versionField]: first + index,
      updateType: index === 0 ? payload.updateType : 'Differential',
    })),
  };
}
