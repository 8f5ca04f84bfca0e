import { describe, expect, it } from 'vitest';
import { frameBytes, limitsFromSettings, planCommand, splitList } from './charger-limits';
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
});
