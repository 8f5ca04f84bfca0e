import { describe, expect, it } from 'vitest';
import {
  credentialChange,
  isSecretVariable,
  REDACTED,
  redactFrameText,
  redactSecrets,
  redactUnparsedText,
  writeOnlyVariablesIn,
} from './secrets';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
const EC_PEM = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----';

describe('which values are secret', () => {
  it('names the 1.6 AuthorizationKey, 2.0.1 BasicAuthPassword and anything WriteOnly, whatever the case', () => {
    expect(isSecretVariable('', 'AuthorizationKey')).toBe(true);
    expect(isSecretVariable('', 'authorizationkey')).toBe(true);
    expect(isSecretVariable('SecurityCtrlr', 'BasicAuthPassword')).toBe(true);
    expect(isSecretVariable('securityctrlr', 'BASICAUTHPASSWORD')).toBe(true);
    expect(isSecretVariable('VendorCtrlr', 'Token', 'WriteOnly')).toBe(true);
    expect(isSecretVariable('VendorCtrlr', 'Token', null, (c, v) => c === 'VendorCtrlr' && v === 'Token')).toBe(true);
    expect(isSecretVariable('', 'HeartbeatInterval')).toBe(false);
    expect(isSecretVariable('SecurityCtrlr', 'SecurityProfile', 'ReadWrite')).toBe(false);
  });
});

describe('redacting payloads', () => {
  it('1.6 ChangeConfiguration and GetConfiguration: the AuthorizationKey value only', () => {
    expect(redactSecrets({ key: 'AuthorizationKey', value: 'ABCDEF' })).toEqual({ key: 'AuthorizationKey', value: REDACTED });
    expect(redactSecrets({ key: 'HeartbeatInterval', value: '300' })).toEqual({ key: 'HeartbeatInterval', value: '300' });
    expect(
      redactSecrets({
        configurationKey: [
          { key: 'AuthorizationKey', readonly: false, value: '3132' },
          { key: 'MeterValueSampleInterval', readonly: false, value: '60' },
        ],
      }),
    ).toEqual({
      configurationKey: [
        { key: 'AuthorizationKey', readonly: false, value: REDACTED },
        { key: 'MeterValueSampleInterval', readonly: false, value: '60' },
      ],
    });
  });

  it('2.0.1 SetVariables / GetVariables results: BasicAuthPassword and learnt write-only variables', () => {
    const set = {
      setVariableData: [
        { attributeValue: 'super-secret-password', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { attributeValue: 'v', component: { name: 'VendorCtrlr' }, variable: { name: 'Token' } },
        { attributeValue: '60', component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } },
      ],
    };
    const redacted = redactSecrets(set, (c, v) => c === 'VendorCtrlr' && v === 'Token');
    expect(redacted.setVariableData.map((d) => d.attributeValue)).toEqual([REDACTED, REDACTED, '60']);
    // The input is not changed.
    expect(set.setVariableData[0]!.attributeValue).toBe('super-secret-password');
    const got = { getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: 'x', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    expect(redactSecrets(got).getVariableResult[0]!.attributeValue).toBe(REDACTED);
  });

  it('2.0.1 NotifyReport: a secret variable, and any attribute reported WriteOnly', () => {
    const report = {
      requestId: 1,
      reportData: [
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ value: 'pw-one', mutability: 'ReadWrite' }] },
        { component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' }, variableAttribute: [{ value: 'k', mutability: 'WriteOnly' }] },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '300' }] },
      ],
    };
    const values = redactSecrets(report).reportData.map((d) => d.variableAttribute[0]!.value);
    expect(values).toEqual([REDACTED, REDACTED, '300']);
    expect(writeOnlyVariablesIn(report)).toEqual([{ component: 'VendorCtrlr', variable: 'ApiKey' }]);
  });

  it('network profiles, password-named properties and PEM private keys anywhere', () => {
    const profile = {
      configurationSlot: 1,
      connectionData: {
        ocppCsmsUrl: 'wss://x',
        apn: { apn: 'internet', apnPassword: 'apn-pw', simPin: 1234 },
        vpn: { server: 's', user: 'u', password: 'vpn-pw', key: 'vpn-key', type: 'IPSec' },
      },
    };
    const out = redactSecrets(profile);
    expect(out.connectionData.apn).toEqual({ apn: 'internet', apnPassword: REDACTED, simPin: 1234 });
    expect(out.connectionData.vpn).toMatchObject({ server: 's', password: REDACTED, key: REDACTED });
    expect(redactSecrets({ data: `cert\n${PEM}\ntail`, other: EC_PEM })).toEqual({ data: `cert\n${REDACTED}\ntail`, other: REDACTED });
    expect(redactSecrets({ certificate: '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----' }).certificate).toContain('MII');
  });
});

describe('redacting frames as text', () => {
  it('keeps frames that cannot hold a secret as they are, byte for byte', () => {
    const text = '[2, "1", "Heartbeat", {}]';
    expect(redactFrameText(text)).toBe(text);
    const change = '[2,"1","ChangeConfiguration",{"key":"HeartbeatInterval","value":"30"}]';
    expect(redactFrameText(change)).toBe(change);
  });

  it('redacts CALLs and their answers alike, still valid JSON', () => {
    const call = JSON.stringify([2, 'a', 'ChangeConfiguration', { key: 'AuthorizationKey', value: '4142434445' }]);
    expect(JSON.parse(redactFrameText(call))).toEqual([2, 'a', 'ChangeConfiguration', { key: 'AuthorizationKey', value: REDACTED }]);
    const answer = JSON.stringify([3, 'a', { configurationKey: [{ key: 'authorizationKey', readonly: false, value: '41' }] }]);
    expect(redactFrameText(answer)).not.toContain('"41"');
    // Escaped names are still names.
    const escaped = '[2,"b","SetVariables",{"setVariableData":[{"attributeValue":"s3cret","component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuth\\u0050assword"}}]}]';
    expect(redactFrameText(escaped)).not.toContain('s3cret');
    // Vendor write-only names make a frame worth parsing.
    const vendor = '[2,"c","SetVariables",{"setVariableData":[{"attributeValue":"tok","component":{"name":"V"},"variable":{"name":"Tok"}}]}]';
    expect(redactFrameText(vendor, (c, v) => c === 'V' && v === 'Tok', ['Tok'])).not.toContain('"tok"');
  });

  it('scrubs text that is not JSON but mentions a secret', () => {
    const broken = '[2,"a","ChangeConfiguration",{"key":"AuthorizationKey","value":"DEADBEEF"';
    expect(redactFrameText(broken)).not.toContain('DEADBEEF');
    expect(redactUnparsedText(`oops ${PEM}`)).toBe(`oops ${REDACTED}`);
    expect(redactUnparsedText('nothing here')).toBe('nothing here');
  });
});

describe('commands that change credentials', () => {
  it('names them in both versions, whatever the case', () => {
    expect(credentialChange('ChangeConfiguration', { key: 'AuthorizationKey', value: 'x' })).toBe('ChangeConfiguration AuthorizationKey');
    expect(credentialChange('ChangeConfiguration', { key: 'securityprofile', value: '0' })).toBe('ChangeConfiguration securityprofile');
    expect(credentialChange('ChangeConfiguration', { key: 'HeartbeatInterval', value: '30' })).toBeUndefined();
    const set = (component: string, variable: string) => ({ setVariableData: [{ attributeValue: 'x', component: { name: component }, variable: { name: variable } }] });
    expect(credentialChange('SetVariables', set('SecurityCtrlr', 'BasicAuthPassword'))).toBeDefined();
    expect(credentialChange('SetVariables', set('securityctrlr', 'SecurityProfile'))).toBeDefined();
    expect(credentialChange('SetVariables', set('OCPPCommCtrlr', 'NetworkConfigurationPriority'))).toBeDefined();
    expect(credentialChange('SetVariables', set('OCPPCommCtrlr', 'HeartbeatInterval'))).toBeUndefined();
    expect(credentialChange('SetNetworkProfile', { configurationSlot: 1, connectionData: {} })).toBe('SetNetworkProfile');
    expect(credentialChange('Reset', { type: 'Soft' })).toBeUndefined();
  });
});
