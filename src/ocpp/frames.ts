// OCPP-J frames: parse text into CALL / CALLRESULT / CALLERROR (and on 2.1 CALLRESULTERROR / SEND), and serialize them back.

import {
  OcppError,
  errorCodeFor,
  errorDescriptionFor,
  errorDetailsFor,
  truncate,
  MAX_ERROR_DESCRIPTION,
  type ErrorDetails,
} from './errors';
import type { OcppVersion } from './versions';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;
/** OCPP 2.1: the error a receiver sends about a CALLRESULT it cannot process, under that CALLRESULT's id. Never answered. */
export const CALLRESULTERROR = 5;
/** OCPP 2.1: a request that is never answered, not even with an error (NotifyPeriodicEventStream). */
export const SEND = 6;

/**
 * The versions whose RPC framework has CALLRESULTERROR and SEND (OCPP 2.1 Part 4). On the others
 * types 5 and 6 are unknown message types, answered MessageTypeNotSupported as any other number.
 */
const RPC21_VERSIONS: readonly OcppVersion[] = ['ocpp2.1'];

/** Whether `version`'s RPC framework has CALLRESULTERROR (5) and SEND (6). */
export function hasRpc21Frames(version: OcppVersion | undefined): boolean {
  return version !== undefined && RPC21_VERSIONS.includes(version);
}

/** OCPP-J limits message ids to 36 characters (a UUID). */
export const MAX_MESSAGE_ID_LENGTH = 36;

/** The id a CALLERROR carries when the offending frame's own id could not be read. */
export const UNREADABLE_MESSAGE_ID = '-1';

/**
 * How deeply arrays and objects may nest in a frame, the frame's own array counting as 1. The
 * deepest OCPP message is about 10 levels deep with its customData; a deeper frame is refused
 * before anything looks inside it, because storing it or handing it on (JSON.stringify,
 * structured clone) recurses and could overflow the stack on every retry.
 */
export const MAX_JSON_DEPTH = 64;

export type Call = { type: typeof CALL; id: string; action: string; payload: Record<string, unknown> };
export type CallResult = { type: typeof CALLRESULT; id: string; payload: Record<string, unknown> };
export type CallError = {
  type: typeof CALLERROR;
  id: string;
  code: string;
  description: string;
  details: Record<string, unknown>;
};
export type CallResultError = {
  type: typeof CALLRESULTERROR;
  id: string;
  code: string;
  description: string;
  details: Record<string, unknown>;
};
export type Send = { type: typeof SEND; id: string; action: string; payload: Record<string, unknown> };
/** A frame that asks something of its receiver: a CALL (answered exactly once) or a SEND (never answered). */
export type Request = Call | Send;
/** A frame that replies to one sent the other way: to a CALL (CALLRESULT, CALLERROR) or to a CALLRESULT (CALLRESULTERROR). */
export type Reply = CallResult | CallError | CallResultError;
export type Frame = Request | Reply;

/**
 * What parsing found. A frame that is not valid comes with the error to answer and the
 * id to answer it under; `answer` is false when OCPP says not to answer at all (a broken
 * CALLRESULT, CALLERROR or CALLRESULTERROR: answering a reply would start a ping-pong of errors;
 * a broken SEND: 2.1 says a SEND is never answered, not even with an error).
 */
export type ParseOutcome =
  | { ok: true; frame: Frame }
  | { ok: false; error: OcppError; replyId: string; answer: boolean };

/**
 * Reads one frame of a connection speaking `version`. Without a version (or on 1.6 / 2.0.1),
 * types 5 and 6 are unknown message types; on 2.1 they are CALLRESULTERROR and SEND.
 */
export function parseFrame(text: string, version?: OcppVersion): ParseOutcome {
  const rpc21 = hasRpc21Frames(version);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return invalid('FormatViolation', 'Message is not valid JSON', UNREADABLE_MESSAGE_ID);
  }
  if (mayNestDeeperThan(text, MAX_JSON_DEPTH) && nestedDeeperThan(data, MAX_JSON_DEPTH)) {
    // Answered like any other malformed frame: under its id if that can be read, never for a reply or a SEND.
    const [type, id] = Array.isArray(data) ? data : [];
    const idReadable = typeof id === 'string' && id.length > 0 && id.length <= MAX_MESSAGE_ID_LENGTH;
    return invalid(
      'FormatViolation',
      `Message nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
      idReadable && type === CALL ? id : UNREADABLE_MESSAGE_ID,
      !neverAnswered(type, rpc21),
    );
  }
  if (!Array.isArray(data) || data.length === 0) {
    return invalid('RpcFrameworkError', 'Message must be a non-empty JSON array', UNREADABLE_MESSAGE_ID);
  }
  const [type, id] = data;
  const idReadable = typeof id === 'string' && id.length > 0;
  if (!isKnownType(type, rpc21)) {
    if (typeof type === 'number' && Number.isInteger(type)) {
      return invalid(
        'MessageTypeNotSupported',
        `Message type ${type} is not supported`,
        idReadable ? id : UNREADABLE_MESSAGE_ID,
      );
    }
    return invalid('RpcFrameworkError', 'Message type must be an integer', UNREADABLE_MESSAGE_ID);
  }
  const answer = !neverAnswered(type, rpc21);
  if (!idReadable) {
    return invalid('RpcFrameworkError', 'Message id must be a non-empty string', UNREADABLE_MESSAGE_ID, answer);
  }
  if (id.length > MAX_MESSAGE_ID_LENGTH) {
    return invalid('RpcFrameworkError', `Message id is longer than ${MAX_MESSAGE_ID_LENGTH} characters`, id, answer);
  }

  if (type === CALL || type === SEND) {
    const [, , action, payload] = data;
    const name = type === CALL ? 'CALL' : 'SEND';
    if (data.length !== 4) {
      return invalid('FormatViolation', `A ${name} has exactly 4 elements: [${type}, id, action, payload]`, id, answer);
    }
    if (typeof action !== 'string' || action.length === 0) {
      return invalid('FormatViolation', 'Action must be a non-empty string', id, answer);
    }
    if (!isPlainObject(payload)) {
      return invalid('FormatViolation', 'Payload must be a JSON object', id, answer);
    }
    return { ok: true, frame: { type, id, action, payload } };
  }

  if (type === CALLRESULT) {
    const [, , payload] = data;
    if (data.length !== 3 || !isPlainObject(payload)) {
      return invalid('FormatViolation', 'A CALLRESULT is [3, id, payload] with an object payload', id, false);
    }
    return { ok: true, frame: { type: CALLRESULT, id, payload } };
  }

  const [, , code, description, details] = data;
  const name = type === CALLERROR ? 'CALLERROR' : 'CALLRESULTERROR';
  if (data.length !== 5 || typeof code !== 'string' || typeof description !== 'string' || !isPlainObject(details)) {
    return invalid('FormatViolation', `A ${name} is [${type}, id, code, description, details]`, id, false);
  }
  return { ok: true, frame: { type, id, code, description, details } };
}

/** The message types a connection of this framework reads: 2 to 4, and on 2.1 also 5 and 6. */
function isKnownType(type: unknown, rpc21: boolean): type is Frame['type'] {
  return type === CALL || type === CALLRESULT || type === CALLERROR || (rpc21 && (type === CALLRESULTERROR || type === SEND));
}

/**
 * Whether a frame of this type is never answered, even when broken: replies (an error about a
 * reply would start a ping-pong of errors) and, on 2.1, SEND, which 2.1 says gets no response at
 * all. On 1.6 and 2.0.1 types 5 and 6 are unknown types, and those are answered.
 */
function neverAnswered(type: unknown, rpc21: boolean): boolean {
  return type === CALLRESULT || type === CALLERROR || (rpc21 && (type === CALLRESULTERROR || type === SEND));
}

function invalid(
  kind: ConstructorParameters<typeof OcppError>[0],
  description: string,
  replyId: string,
  answer = true,
): ParseOutcome {
  return { ok: false, error: new OcppError(kind, description), replyId, answer };
}

/** True when `value` nests arrays and objects more than `max` levels deep; iterative, so any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * False when `text` cannot nest deeper than `max`: each level opens with a bracket or brace, so a
 * text with no more than `max` of them cannot (those inside strings only make this say true more
 * often). A frame has a few dozen: the walk over the parsed value is then not needed.
 */
function mayNestDeeperThan(text: string, max: number): boolean {
  let opened = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x5b || c === 0x7b) && ++opened > max) return true;
  }
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function serializeCall(id: string, action: string, payload: unknown): string {
  return JSON.stringify([CALL, id, action, payload]);
}

export function serializeResult(id: string, payload: unknown): string {
  return JSON.stringify([CALLRESULT, id, payload]);
}

/** A SEND (2.1): a request its receiver never answers. */
export function serializeSend(id: string, action: string, payload: unknown): string {
  return JSON.stringify([SEND, id, action, payload]);
}

/** A CALLERROR spelled for the charger's version (code, description and details), its description capped at 255 characters. */
export function serializeError(version: OcppVersion, id: string, error: OcppError): string {
  return serializeErrorFrame(CALLERROR, version, id, error);
}

/**
 * A CALLRESULTERROR (2.1) about the charger's CALLRESULT `id`, spelled like a CALLERROR: 2.1 uses
 * 2.0.1's error codes (errors.ts keeps the one table). Only for a version that has the type.
 */
export function serializeCallResultError(version: OcppVersion, id: string, error: OcppError): string {
  if (!hasRpc21Frames(version)) throw new Error(`${version} has no CALLRESULTERROR`);
  return serializeErrorFrame(CALLRESULTERROR, version, id, error);
}

function serializeErrorFrame(type: typeof CALLERROR | typeof CALLRESULTERROR, version: OcppVersion, id: string, error: OcppError): string {
  return JSON.stringify([
    type,
    id,
    errorCodeFor(version, error.kind),
    truncate(errorDescriptionFor(version, error.message), MAX_ERROR_DESCRIPTION),
    errorDetailsFor(version, error.details) satisfies ErrorDetails,
  ]);
}
