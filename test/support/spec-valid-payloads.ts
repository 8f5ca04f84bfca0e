// Sample payloads of CSMS-initiated actions made to follow the spec's outbound rules
// (src/ocpp/outbound-rules.ts), for tests that send every action through the command route.
//
// The samples built from the schemas (sample-payloads.ts) are schema-valid but not always what
// the spec lets a CSMS send: both a chargingProfileId and criteria in a ClearChargingProfile, a
// TxProfile for no transaction, a first schedule period not at 0. This changes the fewest fields
// that make one follow the rules for a charger with no transaction running, and keeps it
// schema-valid; other actions come back as they were.

import { FIXED_TIME, type Version } from './sample-payloads';

type Payload = Record<string, any>;

/** A day after FIXED_TIME: where a window needs an end after its start. */
const LATER_TIME = '2026-01-02T00:00:00.000Z';
const FIRMWARE_URL = 'https://firmware.example/image.bin';
/**
 * 2.1 rules that need the charger's state (outbound-rules.ts): UpdateDynamicSchedule names this
 * Dynamic profile and UsePriorityCharging the sample's transaction; a test that sends them makes the
 * charger have both first (catalogue.test.ts prepare21).
 */
export const DYNAMIC_PROFILE_ID = 2101;

/**
 * What a 2.1 charger sends, in order, so that the sample UsePriorityCharging and UpdateDynamicSchedule
 * follow the rules: it starts the samples' transaction ("transactionId") on EVSE 1 and reports
 * DYNAMIC_PROFILE_ID installed as a Dynamic profile.
 */
export function stateFor21Rules(now = new Date()): Array<[action: string, payload: Payload]> {
  return [
    [
      'TransactionEvent',
      {
        eventType: 'Started',
        timestamp: now.toISOString(),
        triggerReason: 'CablePluggedIn',
        seqNo: 0,
        transactionInfo: { transactionId: 'transactionId' },
        evse: { id: 1, connectorId: 1 },
      },
    ],
    [
      'ReportChargingProfiles',
      {
        requestId: 1,
        chargingLimitSource: 'CSO',
        evseId: 0,
        chargingProfile: [
          {
            id: DYNAMIC_PROFILE_ID,
            stackLevel: 0,
            chargingProfilePurpose: 'ChargingStationMaxProfile',
            chargingProfileKind: 'Dynamic',
            chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] }],
          },
        ],
      },
    ],
  ];
}

function fixSchedule(schedule: Payload, absolute: boolean): void {
  if (absolute) schedule.startSchedule ??= FIXED_TIME;
  else delete schedule.startSchedule;
  (schedule.chargingSchedulePeriod as Payload[] | undefined)?.forEach((period, i) => {
    period.startPeriod = i * 60;
  });
}

/** A profile that follows the rules, with this purpose and no transactionId. */
function fixProfile(version: Version, profile: Payload, purpose: string): void {
  profile.chargingProfilePurpose = purpose;
  delete profile.transactionId;
  const absolute = profile.chargingProfileKind !== 'Relative';
  const schedules: Payload[] = version === 'ocpp1.6' ? [profile.chargingSchedule] : profile.chargingSchedule;
  for (const schedule of schedules ?? []) fixSchedule(schedule, absolute);
  if (profile.validFrom !== undefined && profile.validTo !== undefined) {
    profile.validFrom = FIXED_TIME;
    profile.validTo = LATER_TIME;
  }
}

/**
 * A SetDERControl that carries one setting, the one its type names (R04.FR.16/17): a scheduled
 * VoltVar curve (startTime and duration) in a VoltVar unit (R04.FR.52), the sample's curve if it has one.
 */
function fixDerControl(payload: Payload): void {
  const curve: Payload = payload.curve ?? { priority: 0, curveData: [{ x: 0, y: 0 }] };
  for (const field of ['curve', 'enterService', 'fixedPFAbsorb', 'fixedPFInject', 'fixedVar', 'freqDroop', 'gradient', 'limitMaxDischarge']) delete payload[field];
  payload.controlType = 'VoltVar';
  payload.isDefault = false;
  payload.curve = { ...curve, yUnit: 'PctMaxVar', startTime: curve.startTime ?? FIXED_TIME, duration: curve.duration ?? 60 };
}

function isUrl(value: unknown): boolean {
  try {
    new URL(String(value));
    return true;
  } catch {
    return false;
  }
}

export function followingOutboundRules(version: Version, action: string, sample: Payload): Payload {
  const payload = structuredClone(sample);
  if (version !== 'ocpp1.6') {
    switch (action) {
      case 'SetChargingProfile':
        fixProfile(version, payload.chargingProfile, 'TxDefaultProfile');
        break;
      case 'RequestStartTransaction':
        if (payload.chargingProfile) fixProfile(version, payload.chargingProfile, 'TxProfile');
        break;
      case 'ClearChargingProfile':
        if (payload.chargingProfileId !== undefined) delete payload.chargingProfileCriteria;
        else payload.chargingProfileId = 1;
        break;
      case 'GetChargingProfiles':
        if (payload.chargingProfile.chargingProfileId !== undefined) {
          delete payload.chargingProfile.stackLevel;
          delete payload.chargingProfile.chargingProfilePurpose;
          delete payload.chargingProfile.chargingLimitSource;
        } else {
          payload.chargingProfile.chargingProfilePurpose = 'TxDefaultProfile';
        }
        break;
      case 'CustomerInformation':
        payload.report = true;
        delete payload.idToken;
        delete payload.customerCertificate;
        payload.customerIdentifier ??= 'customerIdentifier';
        break;
      case 'TriggerMessage':
        if (payload.requestedMessage === 'StatusNotification') payload.evse = { id: 1, connectorId: 1 };
        break;
      case 'UpdateFirmware':
        if (!isUrl(payload.firmware.location)) payload.firmware.location = FIRMWARE_URL;
        break;
      case 'SetDERControl':
        fixDerControl(payload);
        break;
      case 'SetDisplayMessage':
        if (payload.message.startDateTime !== undefined && payload.message.endDateTime !== undefined) payload.message.endDateTime = LATER_TIME;
        break;
      case 'UpdateDynamicSchedule':
        // A Dynamic profile the charger must have installed (K28): one of its own id, which no SetChargingProfile sample replaces.
        payload.chargingProfileId = DYNAMIC_PROFILE_ID;
        break;
    }
    return payload;
  }
  switch (action) {
    case 'SetChargingProfile':
      fixProfile(version, payload.csChargingProfiles, 'TxDefaultProfile');
      break;
    case 'RemoteStartTransaction':
      if (payload.chargingProfile) fixProfile(version, payload.chargingProfile, 'TxProfile');
      break;
    case 'TriggerMessage':
      if (payload.connectorId !== undefined && !(payload.connectorId > 0)) payload.connectorId = 1;
      break;
    case 'UpdateFirmware':
      if (!isUrl(payload.location)) payload.location = FIRMWARE_URL;
      break;
    case 'SignedUpdateFirmware':
      if (!isUrl(payload.firmware.location)) payload.firmware.location = FIRMWARE_URL;
      break;
  }
  return payload;
}

/**
 * A 2.1 network profile may carry the Basic-auth identity and password: the identity must be the
 * charger's id and the password one the CSMS takes (security-commands.ts), as an operator sends them.
 */
export function withPasswordProfile(chargerId: string, action: string, payload: Payload): Payload {
  const data = action === 'SetNetworkProfile' ? payload.connectionData : undefined;
  if (data?.identity !== undefined) data.identity = chargerId;
  if (data?.basicAuthPassword !== undefined) data.basicAuthPassword = 'catalogue-password-21';
  return payload;
}

/** The admin route's answer says whether a profile's password is pending (password-change.ts); `anyBoolean`: the test runner's expect.any(Boolean). */
export function carriesPassword(payload: Payload, anyBoolean: unknown): { passwordPending?: unknown } {
  return payload.connectionData?.basicAuthPassword !== undefined ? { passwordPending: anyBoolean } : {};
}
