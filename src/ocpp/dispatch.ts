// Answers one CALL from a charger: checks the action, validates both ways, runs its handler.

import { OcppError } from './errors';
import { serializeError, serializeResult, type Call } from './frames';
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

/** Returns the text of exactly one answer, a CALLRESULT or a CALLERROR, for `call`. */
export async function answerCall(
  profile: VersionProfile,
  call: Call,
  ctx: HandlerContext,
  options: DispatchOptions,
): Promise<string> {
  try {
    const payload = await runCall(profile, call, ctx, options);
    return serializeResult(call.id, payload);
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

async function runCall(
  profile: VersionProfile,
  call: Call,
  ctx: HandlerContext,
  options: DispatchOptions,
): Promise<unknown> {
  const { action } = call;
  if (!profile.actions.has(action)) {
    throw new OcppError('NotImplemented', `Unknown action "${truncateName(action)}"`, { action: truncateName(action) });
  }
  if (!profile.chargerInitiated.has(action)) {
    throw new OcppError('NotSupported', `${action} is sent by the CSMS, not by a charger`, { action });
  }
  if (profile.unconfirmed.has(action)) {
    // 2.1 NotifyPeriodicEventStream goes with SEND (message type 6), which is never answered: as a
    // CALL it is an action this CSMS recognises but does not take in that form.
    throw new OcppError('NotSupported', `${action} is sent with SEND (message type 6), not as a CALL`, { action });
  }
  if (!options.accepted && action !== 'BootNotification' && !options.solicited?.(action, call.payload)) {
    // OCPP 2.0.1 B01.FR.10 / B02.FR.09 / B03.FR.07: until the CSMS accepts the boot, every other
    // request is refused with SecurityError, but for those the CSMS asked a Pending charger for
    // (B02.FR.02). We apply the same rule to 1.6 chargers.
    throw new OcppError('SecurityError', `${action} refused: BootNotification has not been accepted`, { action });
  }
  const requestSchema = schemaFor(profile.requestSchemas, action);
  const responseSchema = schemaFor(profile.responseSchemas, action);
  if (!requestSchema || !responseSchema) throw new Error(`No schema for ${action}`);

  const request = validatePayload(requestSchema, call.payload);
  if (!request.ok) throw request.error;
  // Values the schema admits but OCPP does not (a 1.6 "NaN" reading): refused, never answered and dropped.
  const impossible = checkRequestValues(profile.version, request.value);
  if (impossible) throw impossible;

  const handler = Object.hasOwn(profile.handlers, action) ? profile.handlers[action] : undefined;
  if (!handler) {
    throw new OcppError('NotSupported', `${action} is not supported yet`, { action });
  }
  const response = await handler(request.value as never, ctx);
  const checked = validatePayload(responseSchema, response);
  if (!checked.ok) {
    // Our own answer broke the schema: a bug here, never the charger's fault.
    throw new Error(`${action} response failed its schema: ${checked.error.message}`);
  }
  return checked.value;
}

function truncateName(action: string): string {
  return action.length > 64 ? `${action.slice(0, 64)}…` : action;
}
