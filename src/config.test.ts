// Configuration defaults and parsing for what the charger object's cost depends on.
import { describe, expect, it } from 'vitest';
import { CA_CERT, CA_KEY, NOT_CA_CERT, OTHER_KEY } from '../test/support/signer-pki';
import { readConfig } from './config';

describe('readConfig', () => {
  it('logs no line per message by default (warnings and errors are logged regardless); LOG_MESSAGES=true turns them on', () => {
    expect(readConfig({}).logMessages).toBe(false);
    expect(readConfig({ LOG_MESSAGES: 'true' }).logMessages).toBe(true);
    expect(readConfig({ LOG_MESSAGES: 'false' }).logMessages).toBe(false);
    expect(() => readConfig({ LOG_MESSAGES: 'yes' })).toThrow(/LOG_MESSAGES must be true or false/);
  });

  it('keeps the journal in memory by default; JOURNAL_MODE=durable writes every frame', () => {
    expect(readConfig({}).journalMode).toBe('memory');
    expect(readConfig({ JOURNAL_MODE: 'durable' }).journalMode).toBe('durable');
    expect(() => readConfig({ JOURNAL_MODE: 'disk' })).toThrow(/JOURNAL_MODE must be memory or durable/);
  });

  it('M01 / M02: has no contract-certificate provider unless CONTRACT_CERT_PROVIDER_URL names an http(s) URL; the token is optional', () => {
    expect(readConfig({}).contractCertProviderUrl).toBeUndefined();
    expect(readConfig({}).contractCertProviderTimeoutSeconds).toBe(4);
    const config = readConfig({ CONTRACT_CERT_PROVIDER_URL: 'https://pool.example/ev', CONTRACT_CERT_PROVIDER_TOKEN: 't', CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS: '2.5' });
    expect(config).toMatchObject({ contractCertProviderUrl: 'https://pool.example/ev', contractCertProviderToken: 't', contractCertProviderTimeoutSeconds: 2.5 });
    expect(() => readConfig({ CONTRACT_CERT_PROVIDER_URL: 'ftp://pool.example' })).toThrow(/CONTRACT_CERT_PROVIDER_URL must be an http or https URL/);
    expect(() => readConfig({ CONTRACT_CERT_PROVIDER_URL: 'not a url' })).toThrow(/CONTRACT_CERT_PROVIDER_URL must be an http or https URL/);
    expect(() => readConfig({ CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS: '0' })).toThrow(/CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS/);
  });

  it('A02 / A03: signs CSRs only when CSMS_CA_KEY and CSMS_CA_CERT are both set and belong together; otherwise refuses to start, never showing the key', () => {
    expect(readConfig({})).toMatchObject({ caValidityDays: 365 });
    expect(readConfig({}).caKeyPem).toBeUndefined();
    const config = readConfig({ CSMS_CA_KEY: CA_KEY, CSMS_CA_CERT: CA_CERT, CSMS_CA_VALIDITY_DAYS: '90' });
    expect(config).toMatchObject({ caKeyPem: CA_KEY.trim(), caCertPem: CA_CERT.trim(), caValidityDays: 90 });
    // Line breaks pasted as literal \n are read as line breaks.
    expect(readConfig({ CSMS_CA_KEY: CA_KEY.replace(/\n/g, '\\n'), CSMS_CA_CERT: CA_CERT }).caKeyPem).toBe(CA_KEY.trim());
    expect(() => readConfig({ CSMS_CA_KEY: CA_KEY })).toThrow(/CSMS_CA_KEY is set but CSMS_CA_CERT is not/);
    expect(() => readConfig({ CSMS_CA_CERT: CA_CERT })).toThrow(/CSMS_CA_CERT is set but CSMS_CA_KEY is not/);
    expect(() => readConfig({ CSMS_CA_KEY: OTHER_KEY, CSMS_CA_CERT: CA_CERT })).toThrow(/CSMS_CA_KEY does not match CSMS_CA_CERT/);
    expect(() => readConfig({ CSMS_CA_KEY: OTHER_KEY, CSMS_CA_CERT: NOT_CA_CERT })).toThrow(/not a CA certificate/);
    expect(() => readConfig({ CSMS_CA_KEY: CA_KEY, CSMS_CA_CERT: CA_CERT, CSMS_CA_VALIDITY_DAYS: '0' })).toThrow(/CSMS_CA_VALIDITY_DAYS/);
    let message = '';
    try {
      readConfig({ CSMS_CA_KEY: OTHER_KEY, CSMS_CA_CERT: CA_CERT });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain(OTHER_KEY.split('\n')[1]!.slice(0, 16));
  });
});
