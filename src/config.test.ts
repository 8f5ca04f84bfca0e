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
});
