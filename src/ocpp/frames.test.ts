import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { smallJson } from '../../test/support/payload-arbitraries';
import { isErrorCode, OcppError } from './errors';
import {
  CALLRESULTERROR,
  hasRpc21Frames,
  isPlainObject,
  MAX_JSON_DEPTH,
  MAX_MESSAGE_ID_LENGTH,
  nestedDeeperThan,
  parseFrame,
  SEND,
  serializeCallResultError,
  serializeError,
  serializeSend,
  UNREADABLE_MESSAGE_ID,
} from './frames';
import { validatePayload } from './validation';
import type { OcppVersion } from './versions';

/** The version whose RPC framework has types 5 and 6. */
const V21: OcppVersion = 'ocpp2.1';

function failure(text: string, version?: OcppVersion) {
  const outcome = parseFrame(text, version);
  if (outcome.ok) throw new Error(`expected ${text} to be rejected`);
  return outcome;
}

describe('parseFrame', () => {
  it('reads the three message types', () => {
    expect(parseFrame('[2,"a","Heartbeat",{}]')).toEqual({
      ok: true,
      frame: { type: 2, id: 'a', action: 'Heartbeat', payload: {} },
    });
    expect(parseFrame('[3,"a",{"x":1}]')).toEqual({ ok: true, frame: { type: 3, id: 'a', payload: { x: 1 } } });
    expect(parseFrame('[4,"a","NotSupported","no",{}]')).toEqual({
      ok: true,
      frame: { type: 4, id: 'a', code: 'NotSupported', description: 'no', details: {} },
    });
  });

  it('answers unparsable text with FormatViolation under id -1', () => {
    const out = failure('[2,"a","Heartbeat",{');
    expect(out.error.kind).toBe('FormatViolation');
    expect(out.replyId).toBe(UNREADABLE_MESSAGE_ID);
    expect(out.answer).toBe(true);
  });

  it('rejects frames that are not RPC messages', () => {
    expect(failure('{"a":1}').error.kind).toBe('RpcFrameworkError');
    expect(failure('[]').error.kind).toBe('RpcFrameworkError');
    expect(failure('["2","a","Heartbeat",{}]').error.kind).toBe('RpcFrameworkError');
    expect(failure('[2,7,"Heartbeat",{}]').replyId).toBe(UNREADABLE_MESSAGE_ID);
  });

  it('answers an unknown message type with MessageTypeNotSupported, under its id when readable', () => {
    const out = failure('[6,"abc","Foo",{}]');
    expect(out.error.kind).toBe('MessageTypeNotSupported');
    expect(out.replyId).toBe('abc');
  });

  it('rejects message ids over 36 characters, echoing the id', () => {
    const id = 'x'.repeat(37);
    const out = failure(`[2,"${id}","Heartbeat",{}]`);
    expect(out.error.kind).toBe('RpcFrameworkError');
    expect(out.replyId).toBe(id);
    expect(parseFrame(`[2,"${'x'.repeat(36)}","Heartbeat",{}]`).ok).toBe(true);
  });

  it('rejects CALLs of the wrong shape with FormatViolation', () => {
    expect(failure('[2,"a","Heartbeat"]').error.kind).toBe('FormatViolation');
    expect(failure('[2,"a","Heartbeat",[]]').error.kind).toBe('FormatViolation');
    expect(failure('[2,"a",5,{}]').error.kind).toBe('FormatViolation');
    expect(failure('[2,"a","Heartbeat",{},1]').error.kind).toBe('FormatViolation');
  });

  it('never answers a broken CALLRESULT or CALLERROR', () => {
    expect(failure('[3,"a"]').answer).toBe(false);
    expect(failure('[4,"a","X"]').answer).toBe(false);
    expect(failure('[3,"a",[]]').answer).toBe(false);
  });
});

describe('nesting depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  /** A Heartbeat-shaped CALL whose payload holds `depth` levels in all, counting the frame's own array. */
  const callOfDepth = (depth: number) => `[2,"deep","DataTransfer",{"vendorId":"v","data":${nested(depth - 2)}}]`;

  it(`reads a frame nested ${MAX_JSON_DEPTH} levels deep`, () => {
    expect(parseFrame(callOfDepth(MAX_JSON_DEPTH)).ok).toBe(true);
  });

  it('refuses one level deeper with FormatViolation, under the CALL\'s id', () => {
    const out = failure(callOfDepth(MAX_JSON_DEPTH + 1));
    expect(out).toMatchObject({ replyId: 'deep', answer: true });
    expect(out.error.kind).toBe('FormatViolation');
    expect(out.error.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });

  it('refuses 100,000 nested arrays without overflowing the stack, under id -1', () => {
    const out = failure(nested(100_000));
    expect(out).toMatchObject({ replyId: UNREADABLE_MESSAGE_ID, answer: true });
    expect(out.error.kind).toBe('FormatViolation');
    // Objects count like arrays.
    expect(failure(`[2,"o","Heartbeat",${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]`).replyId).toBe('o');
  });

  it('never answers a reply nested too deep', () => {
    expect(failure(`[3,"r",${nested(MAX_JSON_DEPTH)}]`).answer).toBe(false);
    expect(failure(`[4,"r","GenericError","",{},${nested(MAX_JSON_DEPTH)}]`).answer).toBe(false);
  });

  it('nestedDeeperThan counts containers, not scalars', () => {
    expect(nestedDeeperThan(1, 0)).toBe(false);
    expect(nestedDeeperThan([], 0)).toBe(true);
    expect(nestedDeeperThan([[]], 2)).toBe(false);
    expect(nestedDeeperThan([1, { a: [2] }], 2)).toBe(true);
    expect(nestedDeeperThan({ a: 'x', b: [1, 2, 3] }, 2)).toBe(false);
  });
});

describe('serializeError', () => {
  it('spells codes for the version and caps the description at 255 characters', () => {
    const error = new OcppError('OccurrenceConstraintViolation', 'y'.repeat(400), { field: 'x' });
    const v16 = JSON.parse(serializeError('ocpp1.6', 'id1', error));
    const v201 = JSON.parse(serializeError('ocpp2.0.1', 'id1', error));
    expect(v16.slice(0, 3)).toEqual([4, 'id1', 'OccurenceConstraintViolation']);
    expect(v201.slice(0, 3)).toEqual([4, 'id1', 'OccurrenceConstraintViolation']);
    expect(v16[3].length).toBe(255);
    expect(v16[4]).toEqual({ field: 'x' });
  });

  it('spells FormatViolation as FormationViolation in 1.6', () => {
    const error = new OcppError('FormatViolation');
    expect(JSON.parse(serializeError('ocpp1.6', '-1', error))[2]).toBe('FormationViolation');
    expect(JSON.parse(serializeError('ocpp2.0.1', '-1', error))[2]).toBe('FormatViolation');
  });

  it('spells the kinds in details and description for the version too', () => {
    const missing = validatePayload(v.strictObject({ idTag: v.string(), n: v.number() }), { n: 'x' });
    if (missing.ok) throw new Error('expected a failure');
    const v16 = JSON.parse(serializeError('ocpp1.6', 'id1', missing.error));
    expect(v16[2]).toBe('OccurenceConstraintViolation');
    expect(v16[4].issues.map((issue: { kind: string }) => issue.kind)).toEqual(['OccurenceConstraintViolation', 'TypeConstraintViolation']);
    const v201 = JSON.parse(serializeError('ocpp2.0.1', 'id1', missing.error));
    expect(v201[4].issues.map((issue: { kind: string }) => issue.kind)).toEqual(['OccurrenceConstraintViolation', 'TypeConstraintViolation']);

    const array = validatePayload(v.object({}), []);
    if (array.ok) throw new Error('expected a failure');
    expect(JSON.parse(serializeError('ocpp1.6', 'id2', array.error))[4]).toEqual({
      issues: [{ path: '', message: 'must be an object, got array', kind: 'FormationViolation' }],
    });

    const named = new OcppError('GenericError', 'Not a FormatViolation nor an OccurrenceConstraintViolation', { nested: { kind: 'RpcFrameworkError' } });
    const named16 = JSON.parse(serializeError('ocpp1.6', 'id3', named));
    expect(named16[3]).toBe('Not a FormationViolation nor an OccurenceConstraintViolation');
    expect(named16[4]).toEqual({ nested: { kind: 'FormationViolation' } });
    expect(JSON.parse(serializeError('ocpp2.0.1', 'id3', named))[4]).toEqual({ nested: { kind: 'RpcFrameworkError' } });
  });
});

describe('OCPP 2.1 frames: CALLRESULTERROR (5) and SEND (6)', () => {
  it('exist only on 2.1', () => {
    expect(hasRpc21Frames(V21)).toBe(true);
    expect(hasRpc21Frames('ocpp2.0.1')).toBe(false);
    expect(hasRpc21Frames('ocpp1.6')).toBe(false);
    expect(hasRpc21Frames(undefined)).toBe(false);
  });

  it('reads both on a 2.1 connection', () => {
    expect(parseFrame('[6,"s1","NotifyPeriodicEventStream",{"id":1}]', V21)).toEqual({
      ok: true,
      frame: { type: SEND, id: 's1', action: 'NotifyPeriodicEventStream', payload: { id: 1 } },
    });
    expect(parseFrame('[5,"r1","FormatViolation","bad",{"a":1}]', V21)).toEqual({
      ok: true,
      frame: { type: CALLRESULTERROR, id: 'r1', code: 'FormatViolation', description: 'bad', details: { a: 1 } },
    });
  });

  it('keeps types 5 and 6 unknown on 1.6, 2.0.1 and with no version: MessageTypeNotSupported, answered under their id', () => {
    for (const version of ['ocpp1.6', 'ocpp2.0.1', undefined] as const) {
      for (const text of ['[5,"r1","FormatViolation","bad",{}]', '[6,"s1","NotifyPeriodicEventStream",{}]']) {
        const out = failure(text, version);
        expect(out.error.kind).toBe('MessageTypeNotSupported');
        expect(out).toMatchObject({ replyId: text.slice(4, 6), answer: true });
      }
    }
  });

  it('answers an unknown type on 2.1 as before', () => {
    const out = failure('[7,"x","Foo",{}]', V21);
    expect(out).toMatchObject({ replyId: 'x', answer: true });
    expect(out.error.kind).toBe('MessageTypeNotSupported');
  });

  it('never answers a broken SEND: 2.1 says a SEND gets no response, not even an error', () => {
    const broken = [
      '[6,"s"]',
      '[6,"s","NotifyPeriodicEventStream"]',
      '[6,"s","NotifyPeriodicEventStream",[]]',
      '[6,"s","NotifyPeriodicEventStream",{},1]',
      '[6,"s",7,{}]',
      '[6,"s","",{}]',
      '[6,7,"NotifyPeriodicEventStream",{}]',
      '[6,"","NotifyPeriodicEventStream",{}]',
      `[6,"${'x'.repeat(MAX_MESSAGE_ID_LENGTH + 1)}","NotifyPeriodicEventStream",{}]`,
      `[6,"deep","NotifyPeriodicEventStream",{"data":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}]`,
    ];
    for (const text of broken) {
      const out = failure(text, V21);
      expect(out.answer, text).toBe(false);
    }
    // The same shapes as a CALL are answered.
    expect(failure('[2,"s","NotifyPeriodicEventStream",[]]', V21)).toMatchObject({ replyId: 's', answer: true });
    expect(failure('[6,"s","NotifyPeriodicEventStream",[]]', V21).error.kind).toBe('FormatViolation');
  });

  it('never answers a broken CALLRESULTERROR', () => {
    for (const text of ['[5,"r"]', '[5,"r","GenericError","x"]', '[5,"r","GenericError","x",[]]', '[5,"r",1,"x",{}]', '[5,"r","GenericError",null,{}]', '[5,null,"GenericError","x",{}]']) {
      expect(failure(text, V21).answer, text).toBe(false);
    }
  });

  it('property: on 2.1 a frame of type 5 or 6 is read or dropped, never answered; elsewhere it is always answered MessageTypeNotSupported', () => {
    const element = fc.oneof(smallJson, fc.string({ maxLength: 40 }), fc.constantFrom('NotifyPeriodicEventStream', 'GenericError', {}));
    const frameLike = fc.tuple(fc.constantFrom(CALLRESULTERROR, SEND), fc.array(element, { maxLength: 6 }));
    fc.assert(
      fc.property(frameLike, ([type, rest]) => {
        const text = JSON.stringify([type, ...rest]);
        const on21 = parseFrame(text, V21);
        if (on21.ok) {
          expect(on21.frame.type).toBe(type);
          expect(isPlainObject(on21.frame.type === SEND ? on21.frame.payload : (on21.frame as { details: unknown }).details)).toBe(true);
        } else {
          expect(on21.answer).toBe(false);
        }
        for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
          const out = parseFrame(text, version);
          expect(out.ok).toBe(false);
          if (!out.ok) expect(out).toMatchObject({ answer: true, error: { kind: 'MessageTypeNotSupported' } });
        }
      }),
    );
  });

  it('property: reads back every SEND and CALLRESULTERROR it serializes', () => {
    const id = fc.string({ minLength: 1, maxLength: MAX_MESSAGE_ID_LENGTH });
    const payload = fc.dictionary(fc.string({ maxLength: 10 }), smallJson);
    fc.assert(
      fc.property(id, fc.string({ minLength: 1, maxLength: 40 }), payload, (messageId, action, body) => {
        expect(parseFrame(serializeSend(messageId, action, body), V21)).toEqual({
          ok: true,
          frame: { type: SEND, id: messageId, action, payload: JSON.parse(JSON.stringify(body)) },
        });
      }),
    );
    fc.assert(
      fc.property(id, fc.string({ maxLength: 400 }), payload, (messageId, description, details) => {
        const error = new OcppError('TypeConstraintViolation', description, details);
        const out = parseFrame(serializeCallResultError(V21, messageId, error), V21);
        if (!out.ok) throw new Error('expected a CALLRESULTERROR');
        expect(out.frame).toMatchObject({ type: CALLRESULTERROR, id: messageId, code: 'TypeConstraintViolation' });
      }),
    );
  });

  it('spells a CALLRESULTERROR with 2.0.1 codes, its description capped, and refuses to make one for a version without it', () => {
    const missing = validatePayload(v.strictObject({ status: v.string() }), {});
    if (missing.ok) throw new Error('expected a failure');
    const frame = JSON.parse(serializeCallResultError(V21, 'm1', missing.error));
    expect(frame.slice(0, 3)).toEqual([5, 'm1', 'OccurrenceConstraintViolation']);
    expect(isErrorCode(V21, frame[2])).toBe(true);
    expect(frame[4].issues[0]).toMatchObject({ path: 'status', kind: 'OccurrenceConstraintViolation' });
    expect(JSON.parse(serializeCallResultError(V21, 'm1', new OcppError('FormatViolation', 'z'.repeat(300))))[3]).toHaveLength(255);
    expect(() => serializeCallResultError('ocpp2.0.1', 'm1', missing.error)).toThrow(/no CALLRESULTERROR/);
    expect(() => serializeCallResultError('ocpp1.6', 'm1', missing.error)).toThrow(/no CALLRESULTERROR/);
  });
});
