// Unit tests: the charging rate units a charger declared, from 1.6 configuration keys and the 2.x device model.
import { describe, expect, it } from 'vitest';
import { rateUnitsFromSettings } from './rate-units';
import type { Setting } from './settings';

function setting(component: string, variable: string, value: string | null, extra: Partial<Setting> = {}): Setting {
  return {
    component, componentInstance: '', evseId: null, connectorId: null, variable, variableInstance: '', attributeType: 'Actual', value,
    mutability: null, characteristics: null, source: 'GetConfiguration', updatedAt: '2026-12-01T12:00:00.000Z', ...extra,
  };
}

describe('rateUnitsFromSettings', () => {
  it('1.6 ChargingScheduleAllowedChargingRateUnit: Current, Power or both, whatever the case and spacing', () => {
    expect(rateUnitsFromSettings([setting('', 'ChargingScheduleAllowedChargingRateUnit', 'Power')])).toEqual(['W']);
    expect(rateUnitsFromSettings([setting('', 'ChargingScheduleAllowedChargingRateUnit', 'Current')])).toEqual(['A']);
    expect(rateUnitsFromSettings([setting('', 'chargingscheduleallowedchargingrateunit', 'Power, current')])).toEqual(['A', 'W']);
  });

  it('2.x SmartChargingCtrlr.RateUnit: its Actual value, else its valuesList', () => {
    expect(rateUnitsFromSettings([setting('SmartChargingCtrlr', 'RateUnit', 'W')])).toEqual(['W']);
    expect(rateUnitsFromSettings([setting('SmartChargingCtrlr', 'RateUnit', 'A,W')])).toEqual(['A', 'W']);
    expect(rateUnitsFromSettings([setting('SmartChargingCtrlr', 'RateUnit', null, { characteristics: { dataType: 'MemberList', valuesList: 'W' } })])).toEqual(['W']);
  });

  it('nothing known: undefined; a Target attribute, another component or an unknown word says nothing; the latest wins', () => {
    expect(rateUnitsFromSettings([setting('', 'HeartbeatInterval', '300')])).toBeUndefined();
    expect(rateUnitsFromSettings([setting('SmartChargingCtrlr', 'RateUnit', 'W', { attributeType: 'Target' })])).toBeUndefined();
    expect(rateUnitsFromSettings([setting('OtherCtrlr', 'RateUnit', 'W')])).toBeUndefined();
    expect(rateUnitsFromSettings([setting('', 'ChargingScheduleAllowedChargingRateUnit', 'Amps?')])).toBeUndefined();
    expect(rateUnitsFromSettings([setting('', 'ChargingScheduleAllowedChargingRateUnit', 'Current'), setting('', 'ChargingScheduleAllowedChargingRateUnit', 'Power')])).toEqual(['W']);
  });
});
