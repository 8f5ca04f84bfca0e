import { describe, expect, it } from 'vitest';
import { decideAuthorization, decideToken, entryFor16, groupTokenType, isAuthorizationStatus, isValidIdTag, type IdTagRecord } from './authorization';

const NOW = new Date('2024-06-01T12:00:00.000Z');

function tag(overrides: Partial<IdTagRecord> = {}): IdTagRecord {
  return {
    idTag: 'TAG-1',
    tokenType: null,
    status: 'Accepted',
    expiryDate: null,
    parentIdTag: null,
    firstSeenOffline: false,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('decideAuthorization', () => {
  it('answers an unknown tag Invalid', () => {
    expect(decideAuthorization(null, NOW)).toEqual({ status: 'Invalid' });
    expect(decideAuthorization(null, NOW, 'ISO14443')).toEqual({ status: 'Invalid' });
  });

  it('answers a known tag with its stored status and nothing unset', () => {
    expect(decideAuthorization(tag(), NOW)).toEqual({ status: 'Accepted' });
    expect(decideAuthorization(tag({ status: 'Blocked' }), NOW)).toEqual({ status: 'Blocked' });
    expect(decideAuthorization(tag({ status: 'Invalid' }), NOW)).toEqual({ status: 'Invalid' });
    expect(decideAuthorization(tag({ status: 'Expired' }), NOW)).toEqual({ status: 'Expired' });
  });

  it('passes on expiryDate and parentIdTag when set', () => {
    const record = tag({ expiryDate: '2024-12-31T00:00:00.000Z', parentIdTag: 'FLEET-7' });
    expect(decideAuthorization(record, NOW)).toEqual({
      status: 'Accepted',
      expiryDate: '2024-12-31T00:00:00.000Z',
      parentIdTag: 'FLEET-7',
    });
    expect(decideAuthorization({ ...record, status: 'Blocked' }, NOW)).toEqual({
      status: 'Blocked',
      expiryDate: '2024-12-31T00:00:00.000Z',
      parentIdTag: 'FLEET-7',
    });
  });

  it('answers an Accepted tag past its expiryDate Expired, from the moment it expires', () => {
    expect(decideAuthorization(tag({ expiryDate: '2024-06-01T11:59:59.999Z' }), NOW)).toEqual({
      status: 'Expired',
      expiryDate: '2024-06-01T11:59:59.999Z',
    });
    expect(decideAuthorization(tag({ expiryDate: NOW.toISOString() }), NOW).status).toBe('Expired');
    expect(decideAuthorization(tag({ expiryDate: '2024-06-01T12:00:00.001Z' }), NOW).status).toBe('Accepted');
  });

  it('keeps Blocked over Expired: a blocked tag stays blocked after its expiry', () => {
    expect(decideAuthorization(tag({ status: 'Blocked', expiryDate: '2020-01-01T00:00:00.000Z' }), NOW).status).toBe('Blocked');
  });

  it('fails closed on an unreadable stored expiryDate', () => {
    expect(decideAuthorization(tag({ expiryDate: 'soon' }), NOW)).toEqual({ status: 'Expired' });
  });

  it('answers Invalid when a 2.0.1 token is presented as another type than the one stored', () => {
    const card = tag({ tokenType: 'ISO14443', parentIdTag: 'FLEET-7' });
    expect(decideAuthorization(card, NOW, 'KeyCode')).toEqual({ status: 'Invalid' });
    expect(decideAuthorization(card, NOW, 'ISO14443')).toEqual({ status: 'Accepted', parentIdTag: 'FLEET-7' });
    // 1.6 presents no type, and a stored type does not stop it.
    expect(decideAuthorization(card, NOW)).toEqual({ status: 'Accepted', parentIdTag: 'FLEET-7' });
  });

  it('lets a tag stored without a type be presented as any type', () => {
    expect(decideAuthorization(tag(), NOW, 'eMAID')).toEqual({ status: 'Accepted' });
  });
});

describe('decideToken: a 2.0.1 token is (idToken, type)', () => {
  const card = tag({ tokenType: 'ISO14443' });
  const code = tag({ tokenType: 'KeyCode', status: 'Blocked' });
  const anyType = tag({ status: 'Expired' });

  it('is unknown (null) with no entry, or none for the presented type', () => {
    expect(decideToken([], NOW, 'ISO14443')).toBeNull();
    expect(decideToken([], NOW)).toBeNull();
    expect(decideToken([card], NOW, 'eMAID')).toBeNull();
  });

  it('2.0.1: the entry of the presented type, else the entry for any type', () => {
    expect(decideToken([anyType, card, code], NOW, 'ISO14443')).toEqual({ status: 'Accepted' });
    expect(decideToken([anyType, card, code], NOW, 'KeyCode')).toEqual({ status: 'Blocked' });
    expect(decideToken([anyType, card, code], NOW, 'eMAID')).toEqual({ status: 'Expired' });
  });

  it('1.6: the entry for any type, else the typed entry that refuses most', () => {
    expect(decideToken([anyType, card, code], NOW)).toEqual({ status: 'Expired' });
    expect(decideToken([card, code], NOW)).toEqual({ status: 'Blocked' });
    expect(decideToken([card], NOW)).toEqual({ status: 'Accepted' });
    expect(entryFor16([card, code])).toBe(code);
    expect(entryFor16([card, anyType])).toBe(anyType);
  });

  it("gives a group the type it is registered under when it has exactly one, else Central", () => {
    expect(groupTokenType([tag({ tokenType: 'eMAID' })])).toBe('eMAID');
    expect(groupTokenType([])).toBe('Central');
    expect(groupTokenType([tag()])).toBe('Central');
    expect(groupTokenType([tag({ tokenType: 'eMAID' }), tag({ tokenType: 'ISO14443' })])).toBe('Central');
    expect(groupTokenType([tag({ tokenType: 'eMAID' }), tag()])).toBe('Central');
  });
});

describe('isAuthorizationStatus', () => {
  it('knows the four statuses', () => {
    expect(['Accepted', 'Blocked', 'Expired', 'Invalid'].every(isAuthorizationStatus)).toBe(true);
    expect(isAuthorizationStatus('accepted')).toBe(false);
    expect(isAuthorizationStatus(undefined)).toBe(false);
  });
});

describe('isValidIdTag', () => {
  it('takes 1-36 printable ASCII characters', () => {
    expect(isValidIdTag('A')).toBe(true);
    expect(isValidIdTag('x'.repeat(36))).toBe(true);
    expect(isValidIdTag('04:A1/b2~!')).toBe(true);
    expect(isValidIdTag('')).toBe(false);
    expect(isValidIdTag('x'.repeat(37))).toBe(false);
    expect(isValidIdTag('has space')).toBe(false);
    expect(isValidIdTag('tab\t')).toBe(false);
    expect(isValidIdTag('café')).toBe(false);
  });
});
