import { describe, expect, it } from 'vitest';
import { frameBytes, limitsFromSettings, planCommand, profileCountRefusal, splitList } from './charger-limits';
import type { Setting } from './settings';

const setting = (component: string, variable: string, value: string, variableInstance = ''): Setting => ({
  component,
  componentInstance: '',
  evseId: null,
  connectorId: null,
  variable,
  variableInstance,
  attributeType: 'Actual',
  value,
  mutability: 'ReadOnly',
  characteristics: null,
  source: 'NotifyReport',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('charger limits', () => {
  it('reads 2.0.1 limits by instance or by spelled-out name, and 1.6 keys; ignores what is not a count', () => {
    expect(
      limitsFromSettings([
        setting('DeviceDataCtrlr', 'ItemsPerMessage', '4', 'GetVariables'),
        setting('DeviceDataCtrlr', 'BytesPerMessageSetVariables', '900'),
        setting('SmartChargingCtrlr', 'ProfileStackLevel', '0'),
        setting('SmartChargingCtrlr', 'PeriodsPerSchedule', 'lots'),
        setting('', 'GetConfigurationMaxKeys', '0'),
        setting('', 'SendLocalListMaxLength', '50'),
      ]),
    ).toEqual({ getVariablesItems: 4, setVariablesBytes: 900, profileStackLevel: 0, sendLocalListMaxLength: 50 });
  });

  it('B06: splits by bytes so that each part\'s whole frame fits, in order', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ component: { name: 'C' }, variable: { name: `V${i}` } }));
    const limit = frameBytes('GetVariables', { getVariableData: items.slice(0, 3) });
    const split = splitList('GetVariables', { getVariableData: items }, 'getVariableData', items, { getVariablesBytes: limit }, 'getVariablesItems', 'getVariablesBytes');
    if (!('requests' in split)) throw new Error('refused');
    expect(split.requests.map((r) => (r.getVariableData as unknown[]).length)).toEqual([3, 3, 3, 1]);
    for (const r of split.requests) expect(frameBytes('GetVariables', r)).toBeLessThanOrEqual(limit);
    expect(split.requests.flatMap((r) => r.getVariableData as unknown[])).toEqual(items);
  });

  it('sends whole what no reported limit bounds', () => {
    expect(planCommand('ocpp2.0.1', 'GetVariables', { getVariableData: [{}, {}, {}] }, {})).toEqual({ kind: 'whole' });
    expect(planCommand('ocpp1.6', 'GetConfiguration', {}, { getConfigurationMaxKeys: 1 })).toEqual({ kind: 'whole' });
  });

  it('1.6 MaxChargingProfilesInstalled, 2.0.1 SmartChargingCtrlr.Entries maxLimit: read, and counted with replacements left out', () => {
    const entries = { ...setting('SmartChargingCtrlr', 'Entries', '1', 'ChargingProfiles'), characteristics: { maxLimit: 3 } };
    expect(limitsFromSettings([entries, setting('', 'MaxChargingProfilesInstalled', '2')])).toEqual({ profileEntries: 3, maxChargingProfilesInstalled: 2 });
    const installed = [
      { profileId: 1, evseId: 0, stackLevel: 0, purpose: 'TxDefaultProfile', transactionId: null },
      { profileId: 2, evseId: 1, stackLevel: 1, purpose: 'TxDefaultProfile', transactionId: null },
    ];
    const set16 = (id: number, connectorId: number, stackLevel: number) => ({
      connectorId,
      csChargingProfiles: { chargingProfileId: id, stackLevel, chargingProfilePurpose: 'TxDefaultProfile' },
    });
    const limits = { maxChargingProfilesInstalled: 2 };
    expect(profileCountRefusal('ocpp1.6', 'SetChargingProfile', set16(3, 0, 5), limits, installed)?.name).toBe('MaxChargingProfilesInstalled');
    expect(profileCountRefusal('ocpp1.6', 'SetChargingProfile', set16(1, 0, 5), limits, installed)).toBeUndefined();
    expect(profileCountRefusal('ocpp1.6', 'SetChargingProfile', set16(3, 1, 1), limits, installed)).toBeUndefined();
    expect(profileCountRefusal('ocpp1.6', 'SetChargingProfile', set16(3, 0, 1), limits, installed)).toBeDefined();
    // Never reported: not applied.
    expect(profileCountRefusal('ocpp1.6', 'SetChargingProfile', set16(3, 0, 5), {}, installed)).toBeUndefined();
    const set201 = (id: number) => ({ evseId: 0, chargingProfile: { id, stackLevel: 4, chargingProfilePurpose: 'TxDefaultProfile' } });
    expect(profileCountRefusal('ocpp2.0.1', 'SetChargingProfile', set201(3), { profileEntries: 2 }, installed)?.value).toBe(2);
    expect(profileCountRefusal('ocpp2.0.1', 'SetChargingProfile', set201(2), { profileEntries: 2 }, installed)).toBeUndefined();
    expect(profileCountRefusal('ocpp2.0.1', 'SetChargingProfile', set201(3), { profileEntries: 3 }, installed)).toBeUndefined();
  });
});
