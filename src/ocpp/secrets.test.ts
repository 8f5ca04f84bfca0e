import { describe, expect, it } from 'vitest';
import {
  credentialChange,
  isSecretVariable,
  passwordChange,
  scrubLiterals,
  secretLiterals,
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
    // The SIM PIN is an integer in the schemas, and a secret all the same.
    expect(out.connectionData.apn).toEqual({ apn: 'internet', apnPassword: REDACTED, simPin: REDACTED });
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

describe('credential- and trust-affecting commands beyond credentials', () => {
  it('names CSMS and firmware roots, any DeleteCertificate, CertificateSigned, URL and credential keys', () => {
    expect(credentialChange('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: 'x' })).toBe('InstallCertificate CentralSystemRootCertificate');
    expect(credentialChange('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: 'x' })).toBeDefined();
    expect(credentialChange('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: 'x' })).toBeDefined();
    expect(credentialChange('InstallCertificate', { certificateType: 'V2GRootCertificate', certificate: 'x' })).toBeUndefined();
    expect(credentialChange('DeleteCertificate', { certificateHashData: {} })).toBe('DeleteCertificate');
    expect(credentialChange('CertificateSigned', { certificateChain: 'x' })).toBe('CertificateSigned');
    expect(credentialChange('ChangeConfiguration', { key: 'CentralSystemURL', value: 'ws://x' })).toBe('ChangeConfiguration CentralSystemURL');
    expect(credentialChange('ChangeConfiguration', { key: 'WifiPassword', value: 'x' })).toBeDefined();
    const set = (variable: string) => ({ setVariableData: [{ attributeValue: 'x', component: { name: 'VendorCtrlr' }, variable: { name: variable } }] });
    expect(credentialChange('SetVariables', set('MqttSecret'))).toBeDefined();
    expect(credentialChange('SetVariables', set('Brightness'))).toBeUndefined();
  });

  it('tells the password apart: it has its own route', () => {
    expect(passwordChange('ChangeConfiguration', { key: 'authorizationKEY', value: 'x' })).toBeDefined();
    expect(passwordChange('ChangeConfiguration', { key: 'SecurityProfile', value: '1' })).toBeUndefined();
    const set = { setVariableData: [{ attributeValue: 'x', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    expect(passwordChange('SetVariables', set)).toBeDefined();
  });
});

describe('more secret names', () => {
  it('redacts 1.6 keys and 2.0.1 variables named like a credential, and NotifyEvent actualValue', () => {
    for (const key of ['WifiPassword', 'ApnPassword', 'WebSocketPassword', 'ftpPasswd', 'MqttSecret', 'TlsPrivateKey']) {
      expect(redactSecrets({ key, value: 'hunter2-hunter2' })).toEqual({ key, value: REDACTED });
    }
    const event = { eventData: [{ eventId: 1, actualValue: 'pw-0123456789', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    expect(redactSecrets(event).eventData[0]!.actualValue).toBe(REDACTED);
    const vendor = { eventData: [{ eventId: 1, actualValue: 'v', component: { name: 'VendorCtrlr' }, variable: { name: 'Token' } }] };
    expect(redactSecrets(vendor, (c, v) => c === 'VendorCtrlr' && v === 'Token').eventData[0]!.actualValue).toBe(REDACTED);
    expect(redactFrameText('[2,"1","ChangeConfiguration",{"key":"WifiPasswd","value":"abcdefgh"}]')).not.toContain('abcdefgh');
  });
});

describe('secret values echoed back', () => {
  it('knows the values a request carries in clear, hex-decoded and hex-encoded forms, and scrubs them from any text', () => {
    const password = 'echo-password-0123';
    const hex = [...new TextEncoder().encode(password)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
    const literals16 = secretLiterals({ key: 'AuthorizationKey', value: hex });
    expect(literals16).toEqual(expect.arrayContaining([hex, password]));
    const literals201 = secretLiterals({ setVariableData: [{ attributeValue: password, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] });
    expect(literals201).toEqual(expect.arrayContaining([password, hex.toLowerCase()]));
    expect(secretLiterals({ key: 'HeartbeatInterval', value: '300' })).toEqual([]);
    // Short values are not scrubbed as free text.
    expect(secretLiterals({ key: 'WifiPassword', value: 'abc' })).toEqual([]);
    const scrubbed = scrubLiterals({ description: `bad value ${password} / ${hex.toLowerCase()}`, n: 1 }, literals201);
    expect(scrubbed).toEqual({ description: `bad value ${REDACTED} / ${REDACTED}`, n: 1 });
  });
});

describe('1.6 Plug & Charge: 2.0.1 payloads as the JSON text of DataTransfer data', () => {
  const key = '-----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----';

  it('redacts inside the data of a request (vendorId) and of an answer (status), and leaves other text and clean JSON as sent', () => {
    const inner = { csr: `-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n${key}`, customData: { vendorId: 'x', apiPassword: 'hunter2hunter2' } };
    const request = redactSecrets({ vendorId: 'org.openchargealliance.iso15118pnc', messageId: 'SignCertificate', data: JSON.stringify(inner) });
    expect(JSON.parse(request.data)).toEqual({
      csr: `-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n${REDACTED}`,
      customData: { vendorId: 'x', apiPassword: REDACTED },
    });
    const answer = redactSecrets({ status: 'Accepted', data: JSON.stringify({ key: 'AuthorizationKey', value: 'abcdef0123456789' }) });
    expect(JSON.parse(answer.data)).toEqual({ key: 'AuthorizationKey', value: REDACTED });
    // Not JSON: scrubbed as text. Clean JSON: kept byte for byte.
    expect(redactSecrets({ vendorId: 'v', data: `cert ${key}` }).data).toBe(`cert ${REDACTED}`);
    const clean = '{ "status" : "Accepted" }';
    expect(redactSecrets({ status: 'Accepted', data: clean }).data).toBe(clean);
  });

  it('PnC.<action> commands follow the credential rules of the 2.0.1 action they wrap', () => {
    expect(credentialChange('PnC.DeleteCertificate', {})).toBe('PnC.DeleteCertificate');
    expect(credentialChange('PnC.CertificateSigned', {})).toBe('PnC.CertificateSigned');
    expect(credentialChange('PnC.InstallCertificate', { certificateType: 'CSMSRootCertificate' })).toBe('PnC.InstallCertificate CSMSRootCertificate');
    expect(credentialChange('PnC.InstallCertificate', { certificateType: 'V2GRootCertificate' })).toBeUndefined();
    expect(credentialChange('PnC.GetInstalledCertificateIds', {})).toBeUndefined();
  });
});
