// A charger's answer that arrives after its command timed out is slow, not hostile: it does not spend the bad-frame budget.
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

/** Sends a command the charger does not answer in time; returns the id of the CALL it received. */
async function timedOutCommand(cp: RawCharger): Promise<string> {
  const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache?timeoutSeconds=0.2`, {});
  const call = await cp.next();
  expect(call.slice(0, 3)).toEqual([2, call[1], 'ClearCache']);
  expect((await pending).status).toBe(504);
  return call[1] as string;
}

describe('replies after a timeout', () => {
  // The budget is 50 bad frames a minute (BAD_FRAME_BUDGET's default): 60 is past it.
  it('does not charge late answers to the bad-frame budget', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const first = await timedOutCommand(cp);
    const second = await timedOutCommand(cp);
    for (let i = 0; i < 30; i++) {
      cp.sendRaw(JSON.stringify([3, first, { status: 'Accepted' }]));
      cp.sendRaw(JSON.stringify([4, second, 'GenericError', 'too slow', {}]));
    }
    // Frames are handled in order: once the Heartbeat is answered, all 60 late replies were read.
    cp.sendRaw('[2,"hb","Heartbeat",{}]');
    const answer = await cp.next(2_000).catch(() => cp.closed);
    expect(Array.isArray(answer) ? answer.slice(0, 2) : answer).toEqual([3, 'hb']);
    expect(cp.closed).toBeUndefined();
    cp.close();
  });

  it('still charges replies to ids never sent', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await timedOutCommand(cp);
    for (let i = 0; i < 60; i++) cp.sendRaw(JSON.stringify([3, `never-sent-${i}`, { status: 'Accepted' }]));
    expect(await cp.waitForClose()).toMatchObject({ code: 1008 });
  });
});
