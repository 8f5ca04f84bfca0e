// The SEND path of the dispatcher (OCPP 2.1): checked like a CALL, handled, never answered; and a
// CALL of an action that only goes with SEND, refused.
import { describe, expect, it } from 'vitest';
import { MemoryRecords } from '../../test/support/memory-records';
import { answerCall, receiveRequest, takeSend, type DispatchOptions } from './dispatch';
import type { OcppError } from './errors';
import type { Call, Send } from './frames';
import type { Handler, HandlerContext } from './handlers';
import { PROFILES, type VersionProfile } from './protocol';

/** The 2.1 profile, with `handlers` in place of its own (the action's handler is another part's work). */
function profile21(handlers: VersionProfile['handlers'] = PROFILES['ocpp2.1'].handlers): VersionProfile {
  return { ...PROFILES['ocpp2.1'], handlers };
}

const NOW = new Date('2026-01-02T03:04:05.000Z');
const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.1', messageId: 's1', now: NOW, connectedAt: NOW, heartbeatIntervalSeconds: 120, records: new MemoryRecords() };
const STREAM = { id: 1, pending: 0, basetime: '2026-01-02T03:04:00Z', data: [{ t: 0.5, v: '230.1' }] };

const send = (action: string, payload: object): Send => ({ type: 6, id: 's1', action, payload: payload as Record<string, unknown> });
const call = (action: string, payload: object): Call => ({ type: 2, id: 'c1', action, payload: payload as Record<string, unknown> });

function options(accepted = true): DispatchOptions & { refused: OcppError[]; internal: unknown[] } {
  const refused: OcppError[] = [];
  const internal: unknown[] = [];
  return { accepted, refused, internal, onRefused: (error) => refused.push(error), onInternalError: (_action, error) => internal.push(error) };
}

describe('takeSend', () => {
  it('runs the handler of an unconfirmed action with the checked payload, and returns nothing to send', async () => {
    const taken: unknown[] = [];
    const handler: Handler<unknown> = async (payload) => {
      taken.push(payload);
      return {};
    };
    const profile = profile21({ ...PROFILES['ocpp2.1'].handlers, NotifyPeriodicEventStream: handler });
    const reception = await receiveRequest(profile, send('NotifyPeriodicEventStream', STREAM), ctx, options());
    expect(reception).toEqual({ answer: null, outcome: { kind: 'handled' } });
    expect(taken).toEqual([STREAM]);
  });

  it('calls a SEND with no handler yet unhandled, refusing nothing', async () => {
    const opts = options();
    expect(await takeSend(profile21({}), send('NotifyPeriodicEventStream', STREAM), ctx, opts)).toEqual({ kind: 'unhandled' });
    expect(opts.refused).toEqual([]);
  });

  it('refuses, without an answer, a SEND that fails its schema, with the kind the validator gives', async () => {
    const opts = options();
    const missing = await takeSend(profile21(), send('NotifyPeriodicEventStream', { id: 1, pending: 0, basetime: STREAM.basetime }), ctx, opts);
    expect(missing).toMatchObject({ kind: 'refused', error: { kind: 'OccurrenceConstraintViolation' } });
    const wrongType = await takeSend(profile21(), send('NotifyPeriodicEventStream', { ...STREAM, id: 'one' }), ctx, opts);
    expect(wrongType).toMatchObject({ kind: 'refused', error: { kind: 'TypeConstraintViolation' } });
    expect(opts.refused.map((e) => e.kind)).toEqual(['OccurrenceConstraintViolation', 'TypeConstraintViolation']);
  });

  it('refuses a SEND of an action that is answered (CALL), unknown, or sent by the CSMS', async () => {
    const heartbeat = await takeSend(profile21(), send('Heartbeat', {}), ctx, options());
    expect(heartbeat).toMatchObject({ kind: 'refused', error: { kind: 'RpcFrameworkError' } });
    expect(await takeSend(profile21(), send('NoSuchAction', {}), ctx, options())).toMatchObject({ kind: 'refused', error: { kind: 'NotImplemented' } });
    expect(await takeSend(profile21(), send('Reset', { type: 'Immediate' }), ctx, options())).toMatchObject({ kind: 'refused', error: { kind: 'NotSupported' } });
  });

  it('refuses a SEND before the boot is accepted, like any request', async () => {
    expect(await takeSend(profile21(), send('NotifyPeriodicEventStream', STREAM), ctx, options(false))).toMatchObject({
      kind: 'refused',
      error: { kind: 'SecurityError' },
    });
  });

  it('reports a handler failure as failed (ours), never as an answer', async () => {
    const profile = profile21({
      ...PROFILES['ocpp2.1'].handlers,
      NotifyPeriodicEventStream: async () => {
        throw new Error('storage down');
      },
    });
    const opts = options();
    expect(await takeSend(profile, send('NotifyPeriodicEventStream', STREAM), ctx, opts)).toMatchObject({ kind: 'failed' });
    expect(String(opts.internal[0])).toContain('storage down');
    expect(opts.refused).toEqual([]);
  });
});

describe('a CALL of an action that goes with SEND', () => {
  it('is answered RpcFrameworkError: the action is known, the RPC message carrying it is wrong', async () => {
    const opts = options();
    const answer = JSON.parse(await answerCall(profile21(), call('NotifyPeriodicEventStream', STREAM), ctx, opts));
    expect(answer.slice(0, 3)).toEqual([4, 'c1', 'RpcFrameworkError']);
    expect(answer[3]).toMatch(/SEND/);
    expect(opts.refused.map((e) => e.kind)).toEqual(['RpcFrameworkError']);
  });

  it('is refused so even with a handler, and before the boot is accepted', async () => {
    const profile = profile21({ ...PROFILES['ocpp2.1'].handlers, NotifyPeriodicEventStream: async () => ({}) });
    expect(JSON.parse(await answerCall(profile, call('NotifyPeriodicEventStream', STREAM), ctx, options()))[2]).toBe('RpcFrameworkError');
    expect(JSON.parse(await answerCall(profile, call('NotifyPeriodicEventStream', STREAM), ctx, options(false)))[2]).toBe('RpcFrameworkError');
  });

  it('a CALL gets exactly one answer from receiveRequest, as before', async () => {
    const reception = await receiveRequest(profile21(), call('Heartbeat', {}), ctx, options());
    expect(reception.answer).not.toBeNull();
    expect(JSON.parse(reception.answer!)).toEqual([3, 'c1', { currentTime: NOW.toISOString() }]);
  });
});
