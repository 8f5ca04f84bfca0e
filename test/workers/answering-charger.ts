// A charger for runtime tests that answers every CALL the CSMS sends it, and remembers the CALLs.
import type { OcppVersion } from '../../src/ocpp/versions';
import { RawCharger } from './helpers';

export interface ReceivedCall {
  id: string;
  action: string;
  payload: unknown;
}

export interface AnsweringCharger {
  cp: RawCharger;
  /** Every CALL received since the charger started answering, oldest first. */
  calls: ReceivedCall[];
}

/**
 * Connects and boots a RawCharger, then answers each CALL `[2, id, action, payload]` the CSMS
 * sends with `[3, id, answer(action, payload)]`. It reads the socket with its own listener (no
 * timers), so it stops when the socket closes. Frames stay queued in the RawCharger's inbox as
 * well; use `calls` rather than `cp.next()`, and do not send CALLs through `cp.call` afterwards.
 */
export async function answeringCharger(
  id: string,
  version: OcppVersion,
  answer: (action: string, payload: unknown) => unknown,
): Promise<AnsweringCharger> {
  const cp = await RawCharger.connect(id, version);
  const boot = await cp.boot();
  if (boot[0] !== 3 || (boot[2] as { status?: unknown }).status !== 'Accepted') {
    throw new Error(`boot not accepted: ${JSON.stringify(boot)}`);
  }
  const calls: ReceivedCall[] = [];
  cp.ws.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data as string) as unknown[];
    if (frame[0] !== 2 || typeof frame[1] !== 'string' || typeof frame[2] !== 'string') return;
    const call = { id: frame[1], action: frame[2], payload: frame[3] };
    calls.push(call);
    cp.sendRaw(JSON.stringify([3, call.id, answer(call.action, call.payload)]));
  });
  return { cp, calls };
}
