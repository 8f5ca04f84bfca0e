// OCPP-J frames: parse text into CALL / CALLRESULT / CALLERROR, and serialize them back.

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
export type Frame = Call | CallResult | CallError;

/**
 * What parsing found. A frame that is not valid comes with the error to answer and the
 * id to answer it under; `answer` is false when OCPP says not to answer at all (a broken
 * CALLRESULT or CALLERROR: answering a reply would start a ping-pong of errors).
 */
export type ParseOutcome =
  | { ok: true; frame: Frame }
  | { ok: false; error: OcppError; replyId: string; answer: boolean };

export function parseFrame(text: string): ParseOutcome {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return invalid('FormatViolation', 'Message is not valid JSON', UNREADABLE_MESSAGE_ID);
  }
  if (mayNestDeeperThan(text, MAX_JSON_DEPTH) && nestedDeeperThan(data, MAX_JSON_DEPTH)) {
    // Answered like any other malformed frame: under its id if that can be read, never for a reply.
    const [type, id] = Array.isArray(data) ? data : [];
    const idReadable = typeof id === 'string' && id.length > 0 && id.length <= MAX_MESSAGE_ID_LENGTH;
    return invalid(
      'FormatViolation',
      `Message nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
      idReadable && type === CALL ? id : UNREADABLE_MESSAGE_ID,
      type !== CALLRESULT && type !== CALLERROR,
    );
  }
  if (!Array.isArray(data) || data.length === 0) {
    return invalid('RpcFrameworkError', 'Message must be a non-empty JSON array', UNREADABLE_MESSAGE_ID);
  }
  const [type, id] = data;
  const idReadable = typeof id === 'string' && id.length > 0;
  if (type !== CALL && type !== CALLRESULT && type !== CALLERROR) {
    if (typeof type === 'number' && Number.isInteger(type)) {
      return invalid(
        'MessageTypeNotSupported',
        `Message type ${type} is not supported`,
        idReadable ? id : UNREADABLE_MESSAGE_ID,
      );
    }
    return invalid('RpcFrameworkError', 'Message type must be an integer', UNREADABLE_MESSAGE_ID);
  }
  const isCall = type === CALL;
  if (!idReadable) {
    return invalid('RpcFrameworkError', 'Message id must be a non-empty string', UNREADABLE_MESSAGE_ID, isCall);
  }
  if (id.length > MAX_MESSAGE_ID_LENGTH) {
    return invalid('RpcFrameworkError', `Message id is longer than ${MAX_MESSAGE_ID_LENGTH} characters`, id, isCall);
  }

  if (type === CALL) {
    const [, , action, payload] = data;
    if (data.length !== 4) {
      return invalid('FormatViolation', 'A CALL has exactly 4 elements: [2, id, action, payload]', id);
    }
    if (typeof action !== 'string' || action.length === 0) {
      return invalid('FormatViolation', 'Action must be a non-empty string', id);
    }
    if (!isPlainObject(payload)) {
      return invalid('FormatViolation', 'Payload must be a JSON object', id);
    }
    return { ok: true, frame: { type: CALL, id, action, payload } };
  }

  if (type === CALLRESULT) {
    const [, , payload] = data;
    if (data.length !== 3 || !isPlainObject(payload)) {
      return invalid('FormatViolation', 'A CALLRESULT is [3, id, payload] with an object payload', id, false);
    }
    return { ok: true, frame: { type: CALLRESULT, id, payload } };
  }

  const [, , code, description, details] = data;
  if (data.length !== 5 || typeof code !== 'string' || typeof description !== 'string' || !isPlainObject(details)) {
    return invalid('FormatViolation', 'A CALLERROR is [4, id, code, description, details]', id, false);
  }
  return { ok: true, frame: { type: CALLERROR, id, code, description, details } };
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

/** A CALLERROR spelled for the charger's version (code, description and details), its description capped at 255 characters. */
export function serializeError(version: OcppVersion, id: string, error: OcppError): string {
  return JSON.stringify([
    CALLERROR,
    id,
    errorCodeFor(version, error.kind),
    truncate(errorDescriptionFor(version, error.message), MAX_ERROR_DESCRIPTION),
    errorDetailsFor(version, error.details) satisfies ErrorDetails,
  ]);
}
