import { describe, expect, it } from 'vitest';
import { gridFactsFromCommand, pullAnswer } from './grid-facts';

const AT = '2026-03-01T10:00:00.000Z';

describe('pullAnswer (K28 PullDynamicScheduleUpdate)', () => {
  const dynamic = { kind: 'Dynamic', installedAt: '2026-03-01T09:00:00.000Z' };
  it('answers the values set since the Dynamic profile was installed', () => {
    expect(pullAnswer(3, { profile: dynamic, update: { scheduleUpdate: { limit: 10 }, setAt: '2026-03-01T09:30:00.000Z' } })).toEqual({
      status: 'Accepted',
      scheduleUpdate: { limit: 10 },
    });
  });
  it('rejects, saying why: an unknown profile, one not Dynamic, no values, or values older than the installation', () => {
    const reason = (known: Parameters<typeof pullAnswer>[1]) => {
      const answer = pullAnswer(3, known);
      expect(answer.status).toBe('Rejected');
      expect(answer.scheduleUpdate).toBeUndefined();
      return answer.statusInfo?.reasonCode;
    };
    expect(reason({})).toBe('UnknownProfile');
    expect(reason({ update: { scheduleUpdate: { limit: 1 }, setAt: AT } })).toBe('UnknownProfile');
    expect(reason({ profile: { kind: 'Absolute', installedAt: AT }, update: { scheduleUpdate: { limit: 1 }, setAt: AT } })).toBe('NotDynamic');
    expect(reason({ profile: dynamic })).toBe('NoUpdate');
    expect(reason({ profile: dynamic, update: { scheduleUpdate: { limit: 1 }, setAt: '2026-03-01T08:59:59.999Z' } })).toBe('NoUpdate');
  });
  it('keeps reasonCode within its 20 characters', () => {
    for (const known of [{}, { profile: { kind: undefined, installedAt: AT } }, { profile: dynamic }]) {
      expect(pullAnswer(1, known).statusInfo!.reasonCode.length).toBeLessThanOrEqual(20);
    }
  });
});

describe('gridFactsFromCommand', () => {
  it('an Accepted UpdateDynamicSchedule sets the values; a Rejected one nothing', () => {
    const request = { chargingProfileId: 4, scheduleUpdate: { setpoint: 5 } };
    expect(gridFactsFromCommand('UpdateDynamicSchedule', request, { status: 'Accepted' }, AT)).toEqual([
      { op: 'dynamicSchedule', profileId: 4, scheduleUpdate: { setpoint: 5 }, at: AT },
    ]);
    expect(gridFactsFromCommand('UpdateDynamicSchedule', request, { status: 'Rejected' }, AT)).toEqual([]);
  });
  it("a RequestBatterySwap's answer opens its swap, whatever the answer", () => {
    const request = { requestId: 9, idToken: { idToken: 'T1', type: 'Central' } };
    const [accepted] = gridFactsFromCommand('RequestBatterySwap', request, { status: 'Accepted' }, AT);
    const [rejected] = gridFactsFromCommand('RequestBatterySwap', request, { status: 'Rejected' }, AT);
    expect(accepted).toEqual({
      op: 'batterySwap',
      swap: { requestId: 9, eventType: 'Requested', idToken: 'T1', idTokenType: 'Central', status: 'Accepted', batteryData: [], receivedAt: AT },
      messageId: 'request:9',
      digest: expect.any(String),
    });
    expect(rejected).toMatchObject({ swap: { status: 'Rejected' } });
    // Two answers to the same request id are two facts, not a replay of one.
    expect((rejected as { digest: string }).digest).not.toBe((accepted as { digest: string }).digest);
  });
  it('ignores other actions', () => {
    expect(gridFactsFromCommand('AFRRSignal', { timestamp: AT, signal: 1 }, { status: 'Accepted' }, AT)).toEqual([]);
  });
});
