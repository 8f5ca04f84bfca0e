import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, errorCodeFor, errorKindOf, isErrorCode, type OcppErrorKind } from './errors';

describe('error codes', () => {
  const kinds = Object.keys(ERROR_KINDS) as OcppErrorKind[];

  it('spells every kind as a code its version defines', () => {
    for (const kind of kinds) {
      expect(isErrorCode('ocpp1.6', errorCodeFor('ocpp1.6', kind))).toBe(true);
      expect(isErrorCode('ocpp2.0.1', errorCodeFor('ocpp2.0.1', kind))).toBe(true);
    }
  });

  it('keeps the 1.6 spelling of OccurenceConstraintViolation', () => {
    expect(errorCodeFor('ocpp1.6', 'OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation');
    expect(isErrorCode('ocpp1.6', 'OccurrenceConstraintViolation')).toBe(false);
    expect(isErrorCode('ocpp2.0.1', 'OccurenceConstraintViolation')).toBe(false);
  });

  it('reads codes received from chargers of either version', () => {
    expect(errorKindOf('FormationViolation')).toBe('FormatViolation');
    expect(errorKindOf('OccurenceConstraintViolation')).toBe('OccurrenceConstraintViolation');
    expect(errorKindOf('SomethingElse')).toBe('GenericError');
  });
});
