import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { OcppError } from './errors';
import { MAX_JSON_DEPTH, nestedDeeperThan, parseFrame, serializeError, UNREADABLE_MESSAGE_ID } from './frames';
import { validatePayload } from './validation';

function failure(text: string) {
  const outcome = parseFrame(text);
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
