import { describe, expect, it } from 'vitest';
import type { CallResult } from './frames';
import { PROFILES, type VersionProfile } from './protocol';
import { callResultError } from './reply-checks';

const profile21: VersionProfile = PROFILES['ocpp2.1'];

const result = (payload: object): CallResult => ({ type: 3, id: 'm1', payload: payload as Record<string, unknown> });

describe('callResultError', () => {
  it('2.1: says nothing about a valid CALLRESULT', () => {
    expect(callResultError(profile21, 'Reset', result({ status: 'Accepted' }))).toBeUndefined();
  });

  it('2.1: answers an invalid CALLRESULT with a CALLRESULTERROR under its id, coded as the validator maps the failure', () => {
    const missing = JSON.parse(callResultError(profile21, 'Reset', result({}))!);
    expect(missing.slice(0, 3)).toEqual([5, 'm1', 'OccurrenceConstraintViolation']);
    expect(missing[4].issues[0]).toMatchObject({ path: 'status', message: 'is required' });
    const badValue = JSON.parse(callResultError(profile21, 'Reset', result({ status: 'Maybe' }))!);
    expect(badValue[2]).toBe('PropertyConstraintViolation');
    const badType = JSON.parse(callResultError(profile21, 'Reset', result({ status: 'Accepted', statusInfo: { reasonCode: 5 } }))!);
    expect(badType[2]).toBe('TypeConstraintViolation');
  });

  it('1.6 and 2.0.1 have no CALLRESULTERROR: nothing, however broken the answer', () => {
    expect(callResultError(PROFILES['ocpp2.0.1'], 'Reset', result({}))).toBeUndefined();
    expect(callResultError(PROFILES['ocpp1.6'], 'Reset', result({}))).toBeUndefined();
  });

  it('says nothing for an action without a response schema', () => {
    expect(callResultError(profile21, 'NotifyPeriodicEventStream', result({}))).toBeUndefined();
    expect(callResultError(profile21, 'NoSuchAction', result({}))).toBeUndefined();
  });
});
