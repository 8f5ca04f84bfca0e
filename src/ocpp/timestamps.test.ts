import { describe, expect, it } from 'vitest';
import { toUtcIso } from './timestamps';

describe('toUtcIso', () => {
  it('normalises RFC 3339 date-times to UTC with milliseconds', () => {
    expect(toUtcIso('2024-01-01T12:00:00Z')).toBe('2024-01-01T12:00:00.000Z');
    expect(toUtcIso('2024-01-01T12:00:00.5Z')).toBe('2024-01-01T12:00:00.500Z');
    expect(toUtcIso('2024-01-01T12:00:00.123456789Z')).toBe('2024-01-01T12:00:00.123Z');
    expect(toUtcIso('2024-01-01T12:00:00+01:00')).toBe('2024-01-01T11:00:00.000Z');
    expect(toUtcIso('2024-01-01T00:30:00-02:30')).toBe('2024-01-01T03:00:00.000Z');
  });

  it('reads the looser forms valibot isoTimestamp admits and Date does not', () => {
    expect(toUtcIso('2024-01-01 12:00:00Z')).toBe('2024-01-01T12:00:00.000Z');
    expect(toUtcIso('2024-01-01T12:00:00+01')).toBe('2024-01-01T11:00:00.000Z');
    expect(toUtcIso('2024-01-01T12:00:00 +0100')).toBe('2024-01-01T11:00:00.000Z');
    expect(toUtcIso('2024-01-01T00:00:00+01:00')).toBe('2023-12-31T23:00:00.000Z');
  });

  it('refuses what is no real date-time', () => {
    expect(toUtcIso('2023-02-29T00:00:00Z')).toBeNull();
    expect(toUtcIso('2024-02-30T00:00:00Z')).toBeNull();
    expect(toUtcIso('2024-13-01T00:00:00Z')).toBeNull();
    expect(toUtcIso('2024-01-01T24:00:00Z')).toBeNull();
    expect(toUtcIso('2024-01-01T12:00:00')).toBeNull();
    expect(toUtcIso('2024-01-01')).toBeNull();
    expect(toUtcIso('yesterday')).toBeNull();
    expect(toUtcIso('2024-01-01T12:00:00+25:00')).toBeNull();
  });

  it('accepts a leap day', () => {
    expect(toUtcIso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });
});
