// A CALLERROR is spelled as the charger's version spells it: the code, and the kinds in its errorDetails.
import { describe, expect, it } from 'vitest';
import { V16_ERROR_CODES, V201_ERROR_CODES } from '../../src/ocpp/errors';
import { RawCharger, uniqueChargerId } from './helpers';

/** Every `kind` named anywhere in a CALLERROR's details. */
function kindsIn(details: unknown): string[] {
  return [...JSON.stringify(details).matchAll(/"kind":"([^"]*)"/g)].map((match) => match[1]!);
}

describe('CALLERROR details over a socket', () => {
  it('names 1.6 kinds in errorDetails as 1.6 spells them', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    // A required field missing, an extra one, and one of the wrong type.
    const missing = await cp.call('StatusNotification', { connectorId: '1', status: 'Available', extra: true });
    expect(missing[2]).toBe('OccurenceConstraintViolation');
    expect(kindsIn(missing[4])).toEqual(['OccurenceConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation']);
    for (const kind of kindsIn(missing[4])) expect(V16_ERROR_CODES).toContain(kind);
    cp.close();
  });

  it('names 2.0.1 kinds as 2.0.1 spells them', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const answer = await cp.call('StatusNotification', { timestamp: '2026-01-01T00:00:00Z', evseId: 'one', connectorId: 1 });
    expect(answer[2]).toBe('OccurrenceConstraintViolation');
    expect(kindsIn(answer[4])).toEqual(['OccurrenceConstraintViolation', 'TypeConstraintViolation']);
    for (const kind of kindsIn(answer[4])) expect(V201_ERROR_CODES).toContain(kind);
    cp.close();
  });
});
