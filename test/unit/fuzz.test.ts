// Property-based tests of the frame parser, the validators and the dispatcher, with fast-check.
//
// Each property runs FUZZ_RUNS times (default 300; the whole file takes about a second). The seed is
// random, so every run explores new inputs; a failure prints its seed and path. To replay one:
//
//   FUZZ_SEED=1234 npx vitest run --config vitest.unit.config.ts test/unit/fuzz.test.ts
//
// FUZZ_RUNS=5000 searches longer.

import fc from 'fast-check';
import * as valibot from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerCall } from '../../src/ocpp/dispatch';
import { ERROR_KINDS, isErrorCode, MAX_ERROR_DESCRIPTION, type OcppError } from '../../src/ocpp/errors';
import {
  CALL,
  CALLERROR,
  CALLRESULT,
  isPlainObject,
  MAX_MESSAGE_ID_LENGTH,
  parseFrame,
  serializeCall,
  SEND,
  serializeError,
  type Call,
  type ParseOutcome,
} from '../../src/ocpp/frames';
import { PROFILES, schemaFor } from '../../src/ocpp/protocol';
import { MAX_REPORTED_ISSUES, validatePayload } from '../../src/ocpp/validation';
import type { OcppVersion } from '../../src/ocpp/versions';
import { MemoryRecords } from '../support/memory-records';
import { mutate, mutation, schemaPayload, smallJson, textDamage } from '../support/payload-arbitraries';
import { actionsOf, answeredActionsOf, fullPayload } from '../support/sample-payloads';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

beforeAll(() => {
  fc.configureGlobal({ numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) });
});
afterAll(() => {
  fc.resetConfigureGlobal();
});

const VERSIONS: OcppVersion[] = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'];
const version = fc.constantFrom(...VERSIONS);
const messageId = fc.string({ minLength: 1, maxLength: MAX_MESSAGE_ID_LENGTH });

/** An action of `v` and a request payload: schema-valid, broken in one place, or any object at all. */
function callPayload(v: OcppVersion, actions: readonly string[]) {
  return fc.constantFrom(...actions).chain((action) =>
    fc.oneof(
      { weight: 2, arbitrary: schemaPayload(v, action, 'req').map((payload) => ({ action, payload, valid: true })) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(schemaPayload(v, action, 'req'), fc.nat(), mutation)
          .map(([payload, pick, change]) => ({ action, payload: mutate(payload, pick, change), valid: false })),
      },
      { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), smallJson).map((payload) => ({ action, payload, valid: false })) },
    ),
  );
}

/** Valid frames of every kind, as text. */
const validFrameText = version.chain((v) =>
  fc.oneof(
    fc
      .tuple(messageId, fc.constantFrom(...actionsOf(v)))
      .map(([id, action]) => serializeCall(id, action, fullPayload(v, action, 'req'))),
    fc.tuple(messageId, fc.constantFrom(...answeredActionsOf(v))).map(([id, action]) => JSON.stringify([CALLRESULT, id, fullPayload(v, action, 'conf')])),
    fc.tuple(messageId, fc.string(), smallJson).map(([id, text, junk]) => JSON.stringify([CALLERROR, id, 'GenericError', text, { junk }])),
  ),
);

/** Checks everything a ParseOutcome promises; returns it for more checks. */
function expectWellFormed(outcome: ParseOutcome): ParseOutcome {
  if (outcome.ok) {
    const { frame } = outcome;
    expect([CALL, CALLRESULT, CALLERROR]).toContain(frame.type);
    expect(typeof frame.id).toBe('string');
    expect(frame.id.length).toBeGreaterThan(0);
    expect(frame.id.length).toBeLessThanOrEqual(MAX_MESSAGE_ID_LENGTH);
    if (frame.type === CALL || frame.type === SEND) {
      expect(typeof frame.action).toBe('string');
      expect(frame.action.length).toBeGreaterThan(0);
      expect(isPlainObject(frame.payload)).toBe(true);
    } else if (frame.type === CALLRESULT) {
      expect(isPlainObject(frame.payload)).toBe(true);
    } else {
      expect(typeof frame.code).toBe('string');
      expect(typeof frame.description).toBe('string');
      expect(isPlainObject(frame.details)).toBe(true);
    }
    return outcome;
  }
  expect(Object.keys(ERROR_KINDS)).toContain(outcome.error.kind);
  expect(typeof outcome.replyId).toBe('string');
  expect(typeof outcome.answer).toBe('boolean');
  // Whatever went wrong, the answer is a CALLERROR the charger's version can read.
  for (const v of VERSIONS) expectCallError(JSON.parse(serializeError(v, outcome.replyId, outcome.error)), v, outcome.replyId);
  return outcome;
}

function expectCallError(frame: unknown, v: OcppVersion, id: string): void {
  expect(Array.isArray(frame)).toBe(true);
  const [type, replyId, code, description, details] = frame as unknown[];
  expect((frame as unknown[]).length).toBe(5);
  expect(type).toBe(CALLERROR);
  expect(replyId).toBe(id);
  expect(isErrorCode(v, code as string), `${v} defines ${String(code)}`).toBe(true);
  expect(typeof description).toBe('string');
  expect((description as string).length).toBeLessThanOrEqual(MAX_ERROR_DESCRIPTION);
  expect(isPlainObject(details)).toBe(true);
}

describe('parseFrame', () => {
  it('never throws on arbitrary text, and says what is wrong', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json({ maxDepth: 4 })), (text) => {
        expectWellFormed(parseFrame(text));
      }),
    );
  });

  it('never throws on arrays shaped like frames, whatever their elements', () => {
    const element = fc.oneof(smallJson, fc.string({ unit: 'binary', maxLength: 40 }));
    const frameLike = fc.tuple(fc.oneof(fc.constantFrom(CALL, CALLRESULT, CALLERROR, 0, 5, 2.5, -1), element), fc.array(element, { maxLength: 5 }));
    fc.assert(
      fc.property(frameLike, ([type, rest]) => {
        expectWellFormed(parseFrame(JSON.stringify([type, ...rest])));
      }),
    );
  });

  it('never throws on valid frames damaged in one place', () => {
    fc.assert(
      fc.property(validFrameText, textDamage, (text, damage) => {
        expectWellFormed(parseFrame(damage(text)));
      }),
    );
  });

  it('reads back every CALL it could have been sent', () => {
    fc.assert(
      fc.property(
        version.chain((v) => fc.constantFrom(...actionsOf(v)).chain((action) => fc.tuple(messageId, fc.constant(action), schemaPayload(v, action, 'req')))),
        ([id, action, payload]) => {
          const outcome = expectWellFormed(parseFrame(serializeCall(id, action, payload)));
          expect(outcome).toEqual({ ok: true, frame: { type: CALL, id, action, payload: JSON.parse(JSON.stringify(payload)) } });
        },
      ),
    );
  });
});

describe('validatePayload', () => {
  const table = (v: OcppVersion, kind: 'req' | 'conf') => (kind === 'req' ? PROFILES[v].requestSchemas : PROFILES[v].responseSchemas);
  const anyMessage = version.chain((v) =>
    fc.oneof(
      fc.tuple(fc.constant(v), fc.constantFrom(...actionsOf(v)), fc.constant('req' as const)),
      fc.tuple(fc.constant(v), fc.constantFrom(...answeredActionsOf(v)), fc.constant('conf' as const)),
    ),
  );

  it('accepts every payload its JSON schema allows, dropping nothing', () => {
    fc.assert(
      fc.property(
        anyMessage.chain(([v, action, kind]) => fc.tuple(fc.constant(v), fc.constant(action), fc.constant(kind), schemaPayload(v, action, kind))),
        ([v, action, kind, payload]) => {
          const result = validatePayload(schemaFor(table(v, kind), action)!, payload);
          expect(result.ok ? [] : (result.error.details.issues as unknown[]), `${v} ${action}.${kind}`).toEqual([]);
          expect(result.ok && result.value).toEqual(payload);
        },
      ),
    );
  });

  it('refuses broken payloads with a constraint error that names at most 10 issues, never throwing', () => {
    const kinds = ['FormatViolation', 'OccurrenceConstraintViolation', 'TypeConstraintViolation', 'PropertyConstraintViolation'];
    let refused = 0;
    fc.assert(
      fc.property(
        anyMessage.chain(([v, action, kind]) =>
          fc.tuple(fc.constant(v), fc.constant(action), fc.constant(kind), schemaPayload(v, action, kind), fc.nat(), mutation),
        ),
        ([v, action, kind, payload, pick, change]) => {
          const schema = schemaFor(table(v, kind), action)!;
          const broken = mutate(payload, pick, change);
          const result = validatePayload(schema, broken);
          // A mutation may leave the payload valid (e.g. junk in an open customData): then it agrees with valibot.
          expect(result.ok).toBe(valibot.safeParse(schema, broken).success && !Array.isArray(broken));
          if (result.ok) return;
          refused += 1;
          expect(kinds).toContain(result.error.kind);
          expect(result.error.message.length).toBeLessThanOrEqual(MAX_ERROR_DESCRIPTION);
          const issues = result.error.details.issues as Array<{ path: unknown; message: unknown }>;
          expect(issues.length).toBeGreaterThan(0);
          expect(issues.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES);
          for (const issue of issues) {
            expect(typeof issue.path).toBe('string');
            expect(typeof issue.message).toBe('string');
          }
        },
      ),
    );
    expect(refused, 'most mutations break the payload').toBeGreaterThan(RUNS / 4);
  });
});

describe('answerCall', () => {
  const NOW = new Date('2026-01-02T03:04:05.000Z');

  async function run(v: OcppVersion, call: Call, accepted: boolean, failing: boolean) {
    const records = new MemoryRecords(accepted ? 'Accepted' : 'Pending');
    records.failing = failing;
    const refused: OcppError[] = [];
    const internal: unknown[] = [];
    const ctx = { chargerId: 'CP1', version: v, messageId: call.id, now: NOW, connectedAt: NOW, heartbeatIntervalSeconds: 300, records };
    const text = await answerCall(PROFILES[v], call, ctx, {
      accepted,
      onRefused: (error) => refused.push(error),
      onInternalError: (_action, error) => internal.push(error),
    });
    return { answer: JSON.parse(text) as unknown[], refused, internal };
  }

  /** Exactly one answer, for the call's id: a schema-valid CALLRESULT, or a CALLERROR the version defines. */
  function expectOneAnswer(v: OcppVersion, call: Call, outcome: Awaited<ReturnType<typeof run>>): void {
    const { answer, refused, internal } = outcome;
    if (answer[0] === CALLRESULT) {
      expect(answer).toHaveLength(3);
      expect(answer[1]).toBe(call.id);
      expect(valibot.safeParse(schemaFor(PROFILES[v].responseSchemas, call.action)!, answer[2]).success).toBe(true);
      expect(refused).toEqual([]);
      expect(internal).toEqual([]);
      return;
    }
    expectCallError(answer, v, call.id);
    // Refused for what the charger sent, or an InternalError of ours: never both, never neither.
    expect(refused.length + internal.length).toBe(1);
    expect(answer[2] === 'InternalError').toBe(internal.length === 1);
  }

  it('answers any call with exactly one CALLRESULT or CALLERROR of its version', async () => {
    const anyCall = version.chain((v) =>
      fc.tuple(
        fc.constant(v),
        messageId,
        fc.oneof(
          { weight: 4, arbitrary: callPayload(v, [...PROFILES[v].chargerInitiated]) },
          { weight: 1, arbitrary: callPayload(v, [...PROFILES[v].csmsInitiated]) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }), fc.dictionary(fc.string({ maxLength: 8 }), smallJson))
              .map(([action, payload]) => ({ action, payload: payload as unknown, valid: false })),
          },
        ),
        fc.boolean(),
        fc.boolean(),
      ),
    );
    await fc.assert(
      fc.asyncProperty(anyCall, async ([v, id, { action, payload }, accepted, failing]) => {
        // parseFrame only hands on object payloads; give the dispatcher what the parser would.
        if (!isPlainObject(payload)) return;
        const call: Call = { type: CALL, id, action, payload };
        expectOneAnswer(v, call, await run(v, call, accepted, failing));
      }),
    );
  });

  it('never refuses a schema-valid call from an accepted charger for its content, and never fails inside', async () => {
    const validCall = version.chain((v) => fc.tuple(fc.constant(v), messageId, callPayload(v, [...PROFILES[v].chargerInitiated])));
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(validCall, async ([v, id, { action, payload, valid }]) => {
        if (!valid) return;
        const call: Call = { type: CALL, id, action, payload: payload as Record<string, unknown> };
        const outcome = await run(v, call, true, false);
        expectOneAnswer(v, call, outcome);
        if (outcome.answer[0] === CALLRESULT) answered += 1;
        expect(outcome.internal, `${v} ${action}`).toEqual([]);
        // Only an action we do not handle yet may be refused (NotSupported), never the payload; and a
        // SEND-only action (2.1) as a CALL, for the RPC message that carries it (RpcFrameworkError).
        const refusedAs = PROFILES[v].unconfirmed.has(action) ? 'RpcFrameworkError' : 'NotSupported';
        for (const error of outcome.refused) expect(error.kind, `${v} ${action}: ${error.message}`).toBe(refusedAs);
      }),
    );
    expect(answered, 'some calls were answered CALLRESULT').toBeGreaterThan(0);
  });
});
