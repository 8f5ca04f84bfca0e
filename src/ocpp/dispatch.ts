// Takes one request from a charger: checks the action, validates both ways, runs its handler.
// A CALL gets exactly one answer (CALLRESULT or CALLERROR); a SEND (2.1) gets none, whatever happens.

import { OcppError } from './errors';
import { CALL, serializeError, serializeResult, type Call, type Request, type Send } from './frames';
import type { HandlerContext } from './handlers';
import { schemaFor, type VersionProfile } from './protocol';
import { checkRequestValues, validatePayload } from './validation';

export interface DispatchOptions {
  /** False until the charger's BootNotification was Accepted. */
  accepted: boolean;
  /**
   * While not accepted: whether this request is one the CSMS asked for (a triggered message, a
   * requested report; see solicited.ts), which is answered rather than refused.
   */
  solicited?: (action: string, payload: unknown) => boolean;
  /** Told about failures we answered with InternalError, for the logs. */
  onInternalError?: (action: string, error: unknown) => void;
  /** Told when the call is refused for what the charger sent (any CALLERROR but InternalError). */
  onRefused?: (error: OcppError) => void;
}

/**
 * What became of a SEND. Nothing of it goes back to the charger: `refused` (what it sent is wrong,
 * nothing was kept) and `failed` (ours, e.g. storage) are for the logs and the bad-frame budget;
 * `unhandled` means the action is one the charger may SEND but nothing here takes it yet.
 */
export type SendOutcome =
  | { kind: 'handled' }
  | { kind: 'unhandled' }
  | { kind: 'refused'; error: OcppError }
  | { kind: 'failed'; error: unknown };

/**
 * What the CSMS sends back for one request: the one place that decides a CALL gets exactly one
 * answer and a SEND none. `answer` is the frame's text for a CALL, null for a SEND.
 */
export async function receiveRequest(
  profile: VersionProfile,
  request: Request,
  ctx: HandlerContext,
  options: DispatchOptions,
): Promise<{ answer: string } | { answer: null; outcome: SendOutcome }> {
  if (request.type === CALL) return { answer: await answerCall(profile, request, ctx, options) };
  return { answer: null, outcome: await takeSend(profile, request, ctx, options) };
}

/** Returns the text of exactly one answer, a CALLRESULT or a CALLERROR, for `call`. */
export async function answerCall(
  profile: VersionProfile,
  call: Call,
  ctx: HandlerContext,
  options: DispatchOptions,
): Promise<string> {
  try {
    const handled = await runRequest(profile, call, ctx, options);
    if (!handled.ran) throw new OcppError('NotSupported', `${call.action} is not supported yet`, { action: call.action });
    return serializeResult(call.id, handled.response);
  } catch (error) {
    if (error instanceof OcppError) {
      options.onRefused?.(error);
      return serializeError(profile.version, call.id, error);
    }
    options.onInternalError?.(call.action, error);
    return serializeError(
      profile.version,
      call.id,
      new OcppError('InternalError', `Could not process ${call.action}; please retry`),
    );
  }
}

/**
 * Takes a SEND through the same checks as a CALL (direction, boot gate, request schema) and its
 * action's handler, whose return value goes nowhere. Never throws and never answers: the caller
 * only records the outcome. `onRefused` and `onInternalError` are told as for a CALL.
 */
export async function takeSend(
  profile: VersionProfile,
  send: Send,
  ctx: HandlerContext,
  options: DispatchOptions,
): Promise<SendOutcome> {
  try {
    const handled = await runRequest(profile, send, ctx, options);
    return handled.ran ? { kind: 'handled' } : { kind: 'unhandled' };
  } catch (error) {
    if (error instanceof OcppError) {
      options.onRefused?.(error);
      return { kind: 'refused', error };
    }
    options.onInternalError?.(send.action, error);
    return { kind: 'failed', error };
  }
}

/** The handler's checked answer, or `ran: false` when the action has no handler. Throws the OcppError to refuse with. */
async function runRequest(
  profile: VersionProfile,
  request: Request,
  ctx: HandlerContext,
  options: DispatchOptions,
): Promise<{ ran: true; response: unknown } | { ran: false }> {
  const { action } = request;
  if (!profile.actions.has(action)) {
    throw new OcppError('NotImplemented', `Unknown action "${truncateName(action)}"`, { action: truncateName(action) });
  }
  if (!profile.chargerInitiated.has(action)) {
    throw new OcppError('NotSupported', `${action} is sent by the CSMS, not by a charger`, { action });
  }
  const unconfirmed = profile.unconfirmed.has(action);
  if (request.type === CALL && unconfirmed) {
    // OCPP 2.1 Part 4 defines this action as a SEND: it has no response message, so no CALLRESULT
    // could ever answer it. The action is known, and taken when it comes as a SEND (NotSupported,
    // "recognized but not supported", would tell the charger the CSMS cannot take it at all); what
    // is wrong is the RPC message carrying it, which is what RpcFrameworkError ("content of the
    // call is not a valid RPC request") names.
    throw new OcppError('RpcFrameworkError', `${action} is sent with SEND (message type 6), not CALL: it is never answered`, { action });
  }
  if (request.type !== CALL && !unconfirmed) {
    // Never answered either way: the charger would wait for an answer to a CALL it never sent.
    throw new OcppError('RpcFrameworkError', `${action} is sent with CALL, not SEND: it expects an answer`, { action });
  }
  if (!options.accepted && action !== 'BootNotification' && !options.solicited?.(action, request.payload)) {
    // OCPP 2.0.1 B01.FR.10 / B02.FR.09 / B03.FR.07: until the CSMS accepts the boot, every other
    // request is refused with SecurityError, but for those the CSMS asked a Pending charger for
    // (B02.FR.02). We apply the same rule to 1.6 chargers.
    throw new OcppError('SecurityError', `${action} refused: BootNotification has not been accepted`, { action });
  }
  const requestSchema = schemaFor(profile.requestSchemas, action);
  // A SEND has no response, so no response schema.
  const responseSchema = unconfirmed ? undefined : schemaFor(profile.responseSchemas, action);
  if (!requestSchema || (!unconfirmed && !responseSchema)) throw new Error(`No schema for ${action}`);

  const checkedRequest = validatePayload(requestSchema, request.payload);
  if (!checkedRequest.ok) throw checkedRequest.error;
  // Values the schema admits but OCPP does not (a 1.6 "NaN" reading): refused, never answered and dropped.
  const impossible = checkRequestValues(profile.version, checkedRequest.value);
  if (impossible) throw impossible;

  const handler = Object.hasOwn(profile.handlers, action) ? profile.handlers[action] : undefined;
  if (!handler) return { ran: false };
  const response = await handler(checkedRequest.value as never, ctx);
  if (!responseSchema) return { ran: true, response: undefined };
  const checked = validatePayload(responseSchema, response);
  if (!checked.ok) {
    // Our own answer broke the schema: a bug here, never the charger's fault.
    throw new Error(`${action} response failed its schema: ${checked.error.message}`);
  }
  return { ran: true, response: checked.value };
}

function truncateName(action: string): string {
  return action.length > 64 ? `${action.slice(0, 64)}…` : action;
}
