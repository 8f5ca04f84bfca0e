// Configuration defaults and parsing for what the charger object's cost depends on.
import { describe, expect, it } from 'vitest';
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
});
