import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboundCalls, REMEMBERED_TIMEOUTS } from './outbound-calls';

function setup(connected = true) {
  const sent: unknown[][] = [];
  let n = 0;
  const calls = new OutboundCalls({
    send: (text) => {
      if (!connected) return false;
      sent.push(JSON.parse(text));
      return true;
    },
    newMessageId: () => `m${++n}`,
  });
  return { calls, sent };
}

describe('OutboundCalls', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps one call in flight and sends the next only after the answer', async () => {
    const { calls, sent } = setup();
    const first = calls.call('Reset', { type: 'Soft' }, 30_000);
    const second = calls.call('ClearCache', {}, 30_000);
    expect(sent).toEqual([[2, 'm1', 'Reset', { type: 'Soft' }]]);
    expect(calls.pendingCount).toBe(2);

    expect(calls.settle({ type: 3, id: 'm1', payload: { status: 'Accepted' } })).toBe(true);
    await expect(first).resolves.toEqual({ kind: 'result', payload: { status: 'Accepted' } });
    expect(sent[1]).toEqual([2, 'm2', 'ClearCache', {}]);

    calls.settle({ type: 4, id: 'm2', code: 'NotSupported', description: 'no', details: {} });
    await expect(second).resolves.toEqual({ kind: 'error', code: 'NotSupported', description: 'no', details: {} });
    expect(calls.pendingCount).toBe(0);
  });

  it('ignores answers that match no call in flight', () => {
    const { calls } = setup();
    void calls.call('Reset', {}, 30_000);
    expect(calls.settle({ type: 3, id: 'other', payload: {} })).toBe(false);
    expect(calls.inFlightId).toBe('m1');
  });

  it('tells which action a reply under the in-flight id answers, and nothing for any other id', () => {
    const { calls } = setup();
    void calls.call('Reset', {}, 30_000);
    void calls.call('ClearCache', {}, 30_000);
    expect(calls.awaiting('m1')).toBe('Reset');
    // Queued, not sent: nothing can answer it yet.
    expect(calls.awaiting('m2')).toBeUndefined();
    calls.settle({ type: 3, id: 'm1', payload: {} });
    expect(calls.awaiting('m1')).toBeUndefined();
    expect(calls.awaiting('m2')).toBe('ClearCache');
  });

  it('times out, frees the slot, and drops a late answer', async () => {
    const { calls, sent } = setup();
    const first = calls.call('Reset', {}, 1_000);
    const second = calls.call('ClearCache', {}, 5_000);
    vi.advanceTimersByTime(1_000);
    await expect(first).resolves.toEqual({ kind: 'timeout' });
    expect(sent.map((f) => f[1])).toEqual(['m1', 'm2']);
    expect(calls.settle({ type: 3, id: 'm1', payload: {} })).toBe(false);
    calls.settle({ type: 3, id: 'm2', payload: {} });
    await expect(second).resolves.toEqual({ kind: 'result', payload: {} });
  });

  it('remembers the last calls that timed out after being sent, so their late answers are told apart', async () => {
    const { calls } = setup();
    const first = calls.call('Reset', {}, 1_000);
    const queued = calls.call('ClearCache', {}, 500);
    vi.advanceTimersByTime(1_000);
    await expect(first).resolves.toEqual({ kind: 'timeout' });
    await expect(queued).resolves.toEqual({ kind: 'timeout' });
    expect(calls.timedOut('m1')).toBe('Reset');
    // m2 timed out in the queue: it never reached the charger, so nothing can answer it.
    expect(calls.timedOut('m2')).toBeUndefined();
    expect(calls.timedOut('never-sent')).toBeUndefined();

    for (let i = 0; i < REMEMBERED_TIMEOUTS; i++) {
      const call = calls.call('ClearCache', {}, 10);
      vi.advanceTimersByTime(10);
      await call;
    }
    expect(calls.timedOut('m1')).toBeUndefined();
    expect(calls.timedOut(`m${REMEMBERED_TIMEOUTS + 2}`)).toBe('ClearCache');
  });

  it('counts the wait in the queue against the timeout', async () => {
    const { calls, sent } = setup();
    void calls.call('Reset', {}, 10_000);
    const queued = calls.call('ClearCache', {}, 1_000);
    vi.advanceTimersByTime(1_000);
    await expect(queued).resolves.toEqual({ kind: 'timeout' });
    expect(sent).toHaveLength(1);
  });

  it('fails every call at once when the charger goes away', async () => {
    const { calls } = setup();
    const a = calls.call('Reset', {}, 30_000);
    const b = calls.call('ClearCache', {}, 30_000);
    calls.failAll('gone');
    await expect(a).resolves.toEqual({ kind: 'disconnected', reason: 'gone' });
    await expect(b).resolves.toEqual({ kind: 'disconnected', reason: 'gone' });
    expect(calls.pendingCount).toBe(0);
  });

  it('reports disconnected when there is no socket to send on', async () => {
    const { calls } = setup(false);
    await expect(calls.call('Reset', {}, 30_000)).resolves.toMatchObject({ kind: 'disconnected' });
  });
});
