import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ruleCatalogue, stateNeeded, statefulViolation, statelessViolation, type ChargerState } from './outbound-rules';
import { PROFILES, schemaFor } from './protocol';
import type { OcppVersion } from './versions';

/** The requirement the payload breaks, after checking it matches its schema (the rules run after the schema). */
function broken(version: OcppVersion, action: string, payload: unknown, state?: ChargerState): string | undefined {
  const schema = schemaFor(PROFILES[version].requestSchemas, action)!;
  const parsed = v.safeParse(schema, payload);
  if (!parsed.success) throw new Error(`test payload does not match the ${version} ${action} schema: ${JSON.stringify(parsed.issues.map((i) => i.message))}`);
  const stateless = statelessViolation(version, action, parsed.output);
  if (stateless || !state) return stateless?.requirement;
  return statefulViolation(version, action, parsed.output, state)?.requirement;
}

const NONE: ChargerState = { running: [], profiles: [] };

function profile201(overrides: Record<string, unknown> = {}) {
  return {
    id: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
    ...overrides,
  };
}

function profile16(overrides: Record<string, unknown> = {}) {
  return {
    chargingProfileId: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: { chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    ...overrides,
  };
}

const txProfile201 = (overrides: Record<string, unknown> = {}) =>
  profile201({ chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', transactionId: 'tx-1', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }], ...overrides });

describe('2.0.1 SetChargingProfile (K01)', () => {
  const set = (evseId: number, chargingProfile: unknown, state?: ChargerState) => broken('ocpp2.0.1', 'SetChargingProfile', { evseId, chargingProfile }, state);

  it('passes a valid TxDefaultProfile and a valid TxProfile for a running transaction', () => {
    expect(set(1, profile201(), NONE)).toBeUndefined();
    expect(set(1, txProfile201(), { running: [{ transactionId: 'tx-1', evseId: 1 }], profiles: [] })).toBeUndefined();
  });

  it('K01.FR.22: never sets ChargingStationExternalConstraints', () => {
    expect(set(0, profile201({ chargingProfilePurpose: 'ChargingStationExternalConstraints' }))).toBe('K01.FR.22');
  });

  it('K01 evseId: a ChargingStationMaxProfile only on evseId 0', () => {
    expect(set(0, profile201({ chargingProfilePurpose: 'ChargingStationMaxProfile' }))).toBeUndefined();
    expect(set(2, profile201({ chargingProfilePurpose: 'ChargingStationMaxProfile' }))).toBe('K01 SetChargingProfileRequest.evseId');
  });

  it('K01.FR.38: a ChargingStationMaxProfile is not Relative', () => {
    const relative = profile201({
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
    });
    expect(set(0, relative)).toBe('K01.FR.38');
  });

  it('K01.FR.16: a TxProfile is set on an EVSE (> 0)', () => {
    expect(set(0, txProfile201())).toBe('K01.FR.16');
  });

  it('K01.FR.03: a TxProfile carries its transactionId', () => {
    expect(set(1, txProfile201({ transactionId: undefined }))).toBe('K01.FR.03');
  });

  it('K01 ChargingProfileType.transactionId: only a TxProfile names a transaction', () => {
    expect(set(1, profile201({ transactionId: 'tx-1' }))).toBe('K01 ChargingProfileType.transactionId');
  });

  it('K01 validFrom/validTo: a profile whose validity ends before it starts is refused', () => {
    expect(set(1, profile201({ validFrom: '2026-09-02T00:00:00Z', validTo: '2026-09-01T00:00:00Z' }))).toBe('K01 ChargingProfileType.validFrom/validTo');
    expect(set(1, profile201({ validFrom: '2026-09-01T00:00:00Z', validTo: '2026-09-02T00:00:00Z' }))).toBeUndefined();
  });

  it('K01.FR.31: the first period starts at 0', () => {
    const late = profile201({ chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 60, limit: 16 }] }] });
    expect(set(1, late)).toBe('K01.FR.31');
  });

  it('K01.FR.35: periods start in increasing order', () => {
    const periods = [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit: 10 }, { startPeriod: 600, limit: 8 }];
    expect(set(1, profile201({ chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: periods }] }))).toBe('K01.FR.35');
  });

  it('K01.FR.40 / K01.FR.41: startSchedule for Absolute and Recurring, none for Relative', () => {
    expect(set(1, profile201({ chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] }))).toBe('K01.FR.40');
    expect(set(1, profile201({ chargingProfileKind: 'Relative' }))).toBe('K01.FR.41');
  });

  it('K01.FR.09: a TxProfile needs its transaction running on the charger', () => {
    expect(set(1, txProfile201(), NONE)).toBe('K01.FR.09');
    expect(set(1, txProfile201(), { running: [{ transactionId: 'tx-2', evseId: 1 }], profiles: [] })).toBe('K01.FR.09');
  });

  it('K01.FR.33: a TxProfile goes to the EVSE its transaction runs on', () => {
    expect(set(2, txProfile201(), { running: [{ transactionId: 'tx-1', evseId: 1 }], profiles: [] })).toBe('K01.FR.33');
    // An EVSE the charger never named cannot be compared.
    expect(set(2, txProfile201(), { running: [{ transactionId: 'tx-1', evseId: -1 }], profiles: [] })).toBeUndefined();
  });

  it('K01.FR.39: no second TxProfile with the same stackLevel for the same transaction', () => {
    const state: ChargerState = {
      running: [{ transactionId: 'tx-1', evseId: 1 }],
      profiles: [{ profileId: 5, evseId: 1, stackLevel: 0, purpose: 'TxProfile', transactionId: 'tx-1' }],
    };
    expect(set(1, txProfile201(), state)).toBe('K01.FR.39');
    // The same id replaces it; another stack level stacks.
    expect(set(1, txProfile201({ id: 5 }), state)).toBeUndefined();
    expect(set(1, txProfile201({ stackLevel: 1 }), state)).toBeUndefined();
  });

  it('K01.FR.06: no two profiles with the same stackLevel and purpose on an EVSE valid at the same time', () => {
    const installed = { profileId: 5, evseId: 1, stackLevel: 0, purpose: 'TxDefaultProfile', transactionId: null, validTo: '2026-10-01T00:00:00Z' };
    const state: ChargerState = { running: [], profiles: [installed] };
    expect(set(1, profile201(), state)).toBe('K01.FR.06');
    // Apart in time, on another EVSE, at another stack level, or the same profile replaced: allowed.
    expect(set(1, profile201({ validFrom: '2026-10-01T00:00:00Z' }), state)).toBeUndefined();
    expect(set(2, profile201(), state)).toBeUndefined();
    expect(set(1, profile201({ stackLevel: 1 }), state)).toBeUndefined();
    expect(set(1, profile201({ id: 5 }), state)).toBeUndefined();
  });

  it('asks for the state it needs: transactions for a TxProfile, installed profiles for every profile', () => {
    expect(stateNeeded('ocpp2.0.1', 'SetChargingProfile', { evseId: 1, chargingProfile: txProfile201() })).toEqual({ running: true, profiles: true });
    expect(stateNeeded('ocpp2.0.1', 'SetChargingProfile', { evseId: 1, chargingProfile: profile201() })).toEqual({ running: false, profiles: true });
    expect(stateNeeded('ocpp2.0.1', 'Reset', { type: 'Immediate' })).toEqual({ running: false, profiles: false });
    expect(stateNeeded('ocpp1.6', 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile16() })).toEqual({ running: false, profiles: false });
  });
});

describe('2.0.1 RequestStartTransaction (F01)', () => {
  const start = (chargingProfile?: unknown) =>
    broken('ocpp2.0.1', 'RequestStartTransaction', { remoteStartId: 1, idToken: { idToken: 'TAG', type: 'ISO14443' }, ...(chargingProfile ? { chargingProfile } : {}) });

  it('passes without a profile, and with a TxProfile without transactionId', () => {
    expect(start()).toBeUndefined();
    expect(start(txProfile201({ transactionId: undefined }))).toBeUndefined();
  });

  it('F01.FR.09: its profile is a TxProfile', () => {
    expect(start(profile201())).toBe('F01.FR.09');
  });

  it('F01.FR.11: its profile names no transactionId', () => {
    expect(start(txProfile201())).toBe('F01.FR.11');
  });

  it('K01.FR.31: its profile follows the schedule rules too', () => {
    expect(start(txProfile201({ transactionId: undefined, chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 5, limit: 16 }] }] }))).toBe('K01.FR.31');
  });
});

describe('2.0.1 ClearChargingProfile (K10) and GetChargingProfiles (K09)', () => {
  it('K10.FR.02: a chargingProfileId, or criteria with at least one field, or both', () => {
    expect(broken('ocpp2.0.1', 'ClearChargingProfile', { chargingProfileId: 3 })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'ClearChargingProfile', { chargingProfileCriteria: { evseId: 1 } })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'ClearChargingProfile', {})).toBe('K10.FR.02');
    expect(broken('ocpp2.0.1', 'ClearChargingProfile', { chargingProfileCriteria: {} })).toBe('K10.FR.02');
    // Both is allowed: the id decides (the mirror clears by the id alone).
    expect(broken('ocpp2.0.1', 'ClearChargingProfile', { chargingProfileId: 3, chargingProfileCriteria: { evseId: 1 } })).toBeUndefined();
  });

  it('K09.FR.03: criteria name either profile ids or one of the other fields', () => {
    expect(broken('ocpp2.0.1', 'GetChargingProfiles', { requestId: 1, chargingProfile: { chargingProfileId: [3] } })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'GetChargingProfiles', { requestId: 1, chargingProfile: { chargingProfilePurpose: 'TxProfile' } })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'GetChargingProfiles', { requestId: 1, chargingProfile: {} })).toBe('K09.FR.03');
    expect(broken('ocpp2.0.1', 'GetChargingProfiles', { requestId: 1, chargingProfile: { chargingProfileId: [3], stackLevel: 1 } })).toBe('K09.FR.03');
  });
});

describe('2.0.1 TriggerMessage (F06), CustomerInformation (N09), UpdateFirmware (L01), SetDisplayMessage (O01)', () => {
  it('F06.FR.13: a triggered StatusNotification names an EVSE and connector', () => {
    expect(broken('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification' })).toBe('F06.FR.13');
    expect(broken('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1 } })).toBe('F06.FR.13');
    expect(broken('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'Heartbeat' })).toBeUndefined();
  });

  it('N09.FR.01 / N09.FR.04: asks to report or clear, for one named customer', () => {
    expect(broken('ocpp2.0.1', 'CustomerInformation', { requestId: 1, report: true, clear: false, customerIdentifier: 'c-1' })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'CustomerInformation', { requestId: 1, report: false, clear: false, customerIdentifier: 'c-1' })).toBe('N09.FR.01');
    expect(broken('ocpp2.0.1', 'CustomerInformation', { requestId: 1, report: true, clear: true })).toBe('N09.FR.04');
    expect(
      broken('ocpp2.0.1', 'CustomerInformation', { requestId: 1, report: true, clear: false, customerIdentifier: 'c-1', idToken: { idToken: 'T', type: 'ISO14443' } }),
    ).toBe('N09.FR.04');
  });

  it('L01.FR.11: signingCertificate and signature together; location a URI; install after retrieve', () => {
    const firmware = { location: 'https://fw.example/1.2.bin', retrieveDateTime: '2026-09-01T00:00:00Z' };
    expect(broken('ocpp2.0.1', 'UpdateFirmware', { requestId: 1, firmware })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'UpdateFirmware', { requestId: 1, firmware: { ...firmware, signingCertificate: 'PEM', signature: 'SIG' } })).toBeUndefined();
    expect(broken('ocpp2.0.1', 'UpdateFirmware', { requestId: 1, firmware: { ...firmware, signature: 'SIG' } })).toBe('L01.FR.11');
    expect(broken('ocpp2.0.1', 'UpdateFirmware', { requestId: 1, firmware: { ...firmware, location: 'firmware.bin' } })).toBe('L01 FirmwareType.location');
    expect(broken('ocpp2.0.1', 'UpdateFirmware', { requestId: 1, firmware: { ...firmware, installDateTime: '2026-08-01T00:00:00Z' } })).toBe('L01 FirmwareType.installDateTime');
  });

  it('O01 MessageInfoType: a message is shown from before it ends', () => {
    const message = { id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Hello' } };
    expect(broken('ocpp2.0.1', 'SetDisplayMessage', { message })).toBeUndefined();
    expect(
      broken('ocpp2.0.1', 'SetDisplayMessage', { message: { ...message, startDateTime: '2026-09-02T00:00:00Z', endDateTime: '2026-09-01T00:00:00Z' } }),
    ).toBe('O01 MessageInfoType.startDateTime/endDateTime');
  });
});

describe('1.6 rules', () => {
  const set = (connectorId: number, csChargingProfiles: unknown, state?: ChargerState) => broken('ocpp1.6', 'SetChargingProfile', { connectorId, csChargingProfiles }, state);
  const tx16 = (overrides: Record<string, unknown> = {}) => profile16({ chargingProfilePurpose: 'TxProfile', transactionId: 7, ...overrides });

  it('passes a valid TxDefaultProfile, and a TxProfile for the transaction running on its connector', () => {
    expect(set(1, profile16(), NONE)).toBeUndefined();
    expect(set(1, tx16(), { running: [{ transactionId: '7', evseId: 1 }], profiles: [] })).toBeUndefined();
  });

  it('1.6 §3.13.1: a ChargePointMaxProfile only on connectorId 0', () => {
    expect(set(0, profile16({ chargingProfilePurpose: 'ChargePointMaxProfile' }))).toBeUndefined();
    expect(set(1, profile16({ chargingProfilePurpose: 'ChargePointMaxProfile' }))).toBe('1.6 §3.13.1');
  });

  it('1.6 §5.16.3: a TxProfile on a connector, naming its running transaction', () => {
    expect(set(0, tx16())).toBe('1.6 §5.16.3');
    expect(set(1, tx16({ transactionId: undefined }))).toBe('1.6 §5.16.3');
    expect(set(1, tx16(), NONE)).toBe('1.6 §5.16.3');
    expect(set(2, tx16(), { running: [{ transactionId: '7', evseId: 1 }], profiles: [] })).toBe('1.6 §5.16.3');
  });

  it('1.6 ChargingProfile.transactionId: only a TxProfile names a transaction', () => {
    expect(set(1, profile16({ transactionId: 7 }))).toBe('1.6 ChargingProfile.transactionId');
  });

  it('1.6 ChargingSchedulePeriod.startPeriod: periods in increasing order', () => {
    const schedule = { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 0, limit: 8 }] };
    expect(set(1, profile16({ chargingSchedule: schedule }))).toBe('1.6 ChargingSchedulePeriod.startPeriod');
  });

  it('1.6 §5.11 / §5.16.2: a RemoteStartTransaction profile is a TxProfile without transactionId', () => {
    expect(broken('ocpp1.6', 'RemoteStartTransaction', { idTag: 'TAG', chargingProfile: profile16({ chargingProfilePurpose: 'TxProfile' }) })).toBeUndefined();
    expect(broken('ocpp1.6', 'RemoteStartTransaction', { idTag: 'TAG', chargingProfile: profile16() })).toBe('1.6 §5.11');
    expect(broken('ocpp1.6', 'RemoteStartTransaction', { idTag: 'TAG', chargingProfile: tx16() })).toBe('1.6 §5.16.2');
  });

  it('1.6 §5.17: TriggerMessage connectorId names a connector (> 0)', () => {
    expect(broken('ocpp1.6', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 })).toBeUndefined();
    expect(broken('ocpp1.6', 'TriggerMessage', { requestedMessage: 'StatusNotification' })).toBeUndefined();
    expect(broken('ocpp1.6', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 0 })).toBe('1.6 §5.17 TriggerMessage.req connectorId');
  });

  it('1.6 §5.19: UpdateFirmware location is a URI', () => {
    expect(broken('ocpp1.6', 'UpdateFirmware', { location: 'ftp://fw.example/1.bin', retrieveDate: '2026-09-01T00:00:00Z' })).toBeUndefined();
    expect(broken('ocpp1.6', 'UpdateFirmware', { location: '1.bin', retrieveDate: '2026-09-01T00:00:00Z' })).toBe('1.6 §5.19 UpdateFirmware.req location');
  });

  it('1.6 Security SignedUpdateFirmware: location a URI, install after retrieve', () => {
    const firmware = { location: 'https://fw.example/1.bin', retrieveDateTime: '2026-09-01T00:00:00Z', signingCertificate: 'PEM', signature: 'SIG' };
    expect(broken('ocpp1.6', 'SignedUpdateFirmware', { requestId: 1, firmware })).toBeUndefined();
    expect(broken('ocpp1.6', 'SignedUpdateFirmware', { requestId: 1, firmware: { ...firmware, installDateTime: '2026-08-01T00:00:00Z' } })).toBe(
      '1.6 Security SignedUpdateFirmware firmware.installDateTime',
    );
  });
});

describe('rule catalogue', () => {
  it('lists every rule once per version and action, stateful ones marked', () => {
    const rules = ruleCatalogue();
    expect(rules).toContainEqual({ version: 'ocpp2.0.1', action: 'SetChargingProfile', requirement: 'K01.FR.09', stateful: true });
    expect(rules).toContainEqual({ version: 'ocpp2.0.1', action: 'ClearChargingProfile', requirement: 'K10.FR.02', stateful: false });
    // Every action named is one the CSMS sends in that version.
    for (const rule of rules) expect(PROFILES[rule.version].csmsInitiated.has(rule.action), `${rule.version} ${rule.action}`).toBe(true);
  });
});

describe('2.1 UsePriorityCharging', () => {
  const use = (state?: ChargerState) => broken('ocpp2.1', 'UsePriorityCharging', { transactionId: 'tx-1', activate: true }, state);
  it('is asked for a transaction the charger runs, and refused before sending otherwise', () => {
    expect(stateNeeded('ocpp2.1', 'UsePriorityCharging', { transactionId: 'tx-1', activate: true })).toEqual({ running: true, profiles: false });
    expect(use()).toBeUndefined();
    expect(use(NONE)).toBe('UsePriorityChargingRequest.transactionId');
    expect(use({ running: [{ transactionId: 'tx-2', evseId: 1 }], profiles: [] })).toBe('UsePriorityChargingRequest.transactionId');
    expect(use({ running: [{ transactionId: 'tx-1', evseId: 1 }], profiles: [] })).toBeUndefined();
  });
  it('is a 2.1 rule only: 2.0.1 has no such action', () => {
    expect(stateNeeded('ocpp2.0.1', 'UsePriorityCharging', {})).toEqual({ running: false, profiles: false });
  });
});

describe('2.1 UpdateDynamicSchedule (K28)', () => {
  const update = (state?: ChargerState) => broken('ocpp2.1', 'UpdateDynamicSchedule', { chargingProfileId: 4, scheduleUpdate: { limit: 10 } }, state);
  const installed = (kind?: string) => ({ profileId: 4, evseId: 0, stackLevel: 0, purpose: 'TxDefaultProfile', transactionId: null, ...(kind ? { kind } : {}) });
  it('names a Dynamic profile the charger installed', () => {
    expect(stateNeeded('ocpp2.1', 'UpdateDynamicSchedule', {})).toEqual({ running: false, profiles: true });
    expect(update(NONE)).toBe('K28 UpdateDynamicScheduleRequest.chargingProfileId');
    expect(update({ running: [], profiles: [installed('Absolute')] })).toBe('K28 UpdateDynamicScheduleRequest.chargingProfileId');
    expect(update({ running: [], profiles: [installed()] })).toBe('K28 UpdateDynamicScheduleRequest.chargingProfileId');
    expect(update({ running: [], profiles: [installed('Dynamic')] })).toBeUndefined();
  });
});
