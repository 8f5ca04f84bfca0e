import { describe, expect, it } from 'vitest';
import { isValidChargerId, chargerIdFromPathSegment } from './charger-id';
import { chooseSubprotocol, isOcpp2, parseVersionPreference } from './versions';

describe('chooseSubprotocol', () => {
  it('picks our most preferred version among those offered', () => {
    expect(chooseSubprotocol('ocpp1.6, ocpp2.0.1', ['ocpp2.0.1', 'ocpp1.6'])).toBe('ocpp2.0.1');
    expect(chooseSubprotocol('ocpp1.6, ocpp2.0.1', ['ocpp1.6', 'ocpp2.0.1'])).toBe('ocpp1.6');
    expect(chooseSubprotocol('ocpp1.6', ['ocpp2.0.1', 'ocpp1.6'])).toBe('ocpp1.6');
    expect(chooseSubprotocol('ocpp2.0.1, ocpp2.1', ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'])).toBe('ocpp2.1');
    expect(chooseSubprotocol('ocpp2.1', ['ocpp2.0.1', 'ocpp1.6'])).toBeUndefined();
  });

  it('finds nothing when nothing acceptable is offered', () => {
    expect(chooseSubprotocol('ocpp1.5, ocpp2.2', ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'])).toBeUndefined();
    expect(chooseSubprotocol(null, ['ocpp2.0.1'])).toBeUndefined();
    expect(chooseSubprotocol('ocpp1.6', ['ocpp2.0.1'])).toBeUndefined();
  });

  it('reads a preference list and refuses unknown names', () => {
    expect(parseVersionPreference('ocpp1.6')).toEqual(['ocpp1.6']);
    expect(parseVersionPreference(undefined)).toEqual(['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6']);
    expect(parseVersionPreference('ocpp2.0.1, ocpp2.1')).toEqual(['ocpp2.0.1', 'ocpp2.1']);
    expect(() => parseVersionPreference('ocpp1.6,ocpp3')).toThrow(/ocpp3/);
  });
});

describe('isOcpp2', () => {
  it('is the 2.x message model: 2.0.1 and 2.1, not 1.6 or anything else', () => {
    expect(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1', 'ocpp2.0', '', null, undefined].map(isOcpp2)).toEqual([false, true, true, false, false, false, false]);
  });
});

describe('charger ids', () => {
  it('accepts 1-48 printable ASCII characters without ":"', () => {
    expect(isValidChargerId('CP-001')).toBe(true);
    expect(isValidChargerId('x'.repeat(48))).toBe(true);
    expect(isValidChargerId('x'.repeat(49))).toBe(false);
    expect(isValidChargerId('')).toBe(false);
    expect(isValidChargerId('a:b')).toBe(false);
    expect(isValidChargerId('a b')).toBe(false);
    expect(isValidChargerId('café')).toBe(false);
    expect(isValidChargerId('a\nb')).toBe(false);
  });

  it('decodes a path segment once, strictly', () => {
    expect(chargerIdFromPathSegment('CP%2D1')).toBe('CP-1');
    expect(chargerIdFromPathSegment('%E0%A4%A')).toBeUndefined();
    expect(chargerIdFromPathSegment('a%3Ab')).toBeUndefined();
  });
});
