import { describe, expect, it } from 'vitest';
import { settingsFromCommand, settingsFromReport } from './settings';

const NOW = '2026-08-01T00:00:00.000Z';

describe('settings from 1.6 commands', () => {
  it('reads GetConfiguration keys with their mutability', () => {
    const settings = settingsFromCommand(
      'GetConfiguration',
      {},
      { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }, { key: 'NumberOfConnectors', readonly: true, value: '2' }], unknownKey: ['Nope'] },
      NOW,
    );
    expect(settings).toEqual([
      expect.objectContaining({ component: '', variable: 'HeartbeatInterval', value: '300', mutability: 'ReadWrite', source: 'GetConfiguration' }),
      expect.objectContaining({ variable: 'NumberOfConnectors', value: '2', mutability: 'ReadOnly' }),
    ]);
  });

  it('keeps a ChangeConfiguration value only when the charger took it', () => {
    const req = { key: 'MeterValueSampleInterval', value: '60' };
    expect(settingsFromCommand('ChangeConfiguration', req, { status: 'Accepted' }, NOW)).toEqual([
      expect.objectContaining({ variable: 'MeterValueSampleInterval', value: '60', mutability: null }),
    ]);
    expect(settingsFromCommand('ChangeConfiguration', req, { status: 'RebootRequired' }, NOW)).toHaveLength(1);
    expect(settingsFromCommand('ChangeConfiguration', req, { status: 'Rejected' }, NOW)).toEqual([]);
    expect(settingsFromCommand('Reset', { type: 'Soft' }, { status: 'Accepted' }, NOW)).toEqual([]);
  });
});

describe('settings from 2.0.1', () => {
  const component = { name: 'EVSE', instance: 'a', evse: { id: 1, connectorId: 2 } };

  it('reads accepted GetVariables results', () => {
    const settings = settingsFromCommand(
      'GetVariables',
      {},
      {
        getVariableResult: [
          { attributeStatus: 'Accepted', attributeValue: '22000', component, variable: { name: 'Power', instance: 'max' } },
          { attributeStatus: 'UnknownVariable', component, variable: { name: 'Nope' } },
        ],
      },
      NOW,
    );
    expect(settings).toEqual([
      {
        component: 'EVSE',
        componentInstance: 'a',
        evseId: 1,
        connectorId: 2,
        variable: 'Power',
        variableInstance: 'max',
        attributeType: 'Actual',
        value: '22000',
        mutability: null,
        characteristics: null,
        source: 'GetVariables',
        updatedAt: NOW,
      },
    ]);
  });

  it('takes SetVariables values from the request, for the results that were accepted', () => {
    const settings = settingsFromCommand(
      'SetVariables',
      {
        setVariableData: [
          { attributeValue: '120', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { attributeValue: 'x', attributeType: 'Target', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        ],
      },
      {
        setVariableResult: [
          { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { attributeStatus: 'Rejected', attributeType: 'Target', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        ],
      },
      NOW,
    );
    expect(settings).toEqual([expect.objectContaining({ variable: 'HeartbeatInterval', attributeType: 'Actual', value: '120' })]);
  });

  it('reads every attribute of a NotifyReport part, with characteristics', () => {
    const settings = settingsFromReport(
      {
        requestId: 1,
        generatedAt: NOW,
        seqNo: 0,
        reportData: [
          {
            component: { name: 'SmartChargingCtrlr' },
            variable: { name: 'Enabled' },
            variableAttribute: [{ value: 'true', mutability: 'ReadWrite' }, { type: 'Target', value: 'false' }],
            variableCharacteristics: { dataType: 'boolean', supportsMonitoring: false },
          },
        ],
      },
      NOW,
    );
    expect(settings).toEqual([
      expect.objectContaining({ component: 'SmartChargingCtrlr', variable: 'Enabled', attributeType: 'Actual', value: 'true', mutability: 'ReadWrite', characteristics: { dataType: 'boolean', supportsMonitoring: false }, source: 'NotifyReport' }),
      expect.objectContaining({ attributeType: 'Target', value: 'false', mutability: null }),
    ]);
  });
});

describe('secret settings are kept redacted', () => {
  it('AuthorizationKey, BasicAuthPassword and WriteOnly variables keep no value', () => {
    expect(settingsFromCommand('ChangeConfiguration', { key: 'AuthorizationKey', value: '41424344' }, { status: 'Accepted' }, NOW)).toEqual([
      expect.objectContaining({ variable: 'AuthorizationKey', value: '<redacted>' }),
    ]);
    const set = { setVariableData: [{ attributeValue: 'pw-pw-pw-pw-pw-pw', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    const ok = { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    expect(settingsFromCommand('SetVariables', set, ok, NOW)[0]!.value).toBe('<redacted>');
    const report = settingsFromReport(
      { requestId: 1, generatedAt: NOW, seqNo: 0, reportData: [{ component: { name: 'V' }, variable: { name: 'K' }, variableAttribute: [{ value: 'k', mutability: 'WriteOnly' }] }] },
      NOW,
    );
    expect(report[0]!.value).toBe('<redacted>');
  });
});
