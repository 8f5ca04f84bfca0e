// CSMS-initiated calls to one charger: one in flight at a time, the rest queued in order.

import { serializeCall, type CallError, type CallResult } from './frames';

export type CallOutcome =
  | { kind: 'result'; payload: Record<string, unknown> }
  | { kind: 'error'; code: string; description: string; details: Record<string, unknown> }
  | { kind: 'timeout' }
  | { kind: 'disconnected'; reason: string };

interface QueuedCall {
  id: string;
  action: string;
  payload: unknown;
  resolve: (outcome: CallOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** What the queue needs from its surroundings; the Durable Object supplies a socket and crypto ids. */
export interface CallTransport {
  /** Sends one frame; returns false when there is no connection to send it on. */
  send(text: string): boolean;
  newMessageId(): string;
}

/**
 * OCPP-J allows one outstanding CALL per direction. `call` resolves with the charger's
 * answer, or with timeout / disconnected; it never rejects. The timeout runs from the
 * moment the call is queued, so an operator's deadline includes the wait for earlier calls.
 */
export class OutboundCalls {
  private readonly queue: QueuedCall[] = [];
  private inFlight: QueuedCall | undefined;

  constructor(private readonly transport: CallTransport) {}

  get pendingCount(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  /** The id of the call awaiting its answer, if any. */
  get inFlightId(): string | undefined {
    return this.inFlight?.id;
  }

  call(action: string, payload: unknown, timeoutMs: number): Promise<CallOutcome> {
    return new Promise((resolve) => {
      const entry: QueuedCall = {
        id: this.transport.newMessageId(),
        action,
        payload,
        resolve,
        timer: setTimeout(() => this.finish(entry, { kind: 'timeout' }), timeoutMs),
      };
      this.queue.push(entry);
      this.pump();
    });
  }

  /** Matches a CALLRESULT or CALLERROR to the call in flight. Returns false when nothing matches. */
  settle(frame: CallResult | CallError): boolean {
    const entry = this.inFlight;
    if (!entry || entry.id !== frame.id) return false;
    this.finish(
      entry,
      frame.type === 3
        ? { kind: 'result', payload: frame.payload }
        : { kind: 'error', code: frame.code, description: frame.description, details: frame.details },
    );
    return true;
  }

  /** Ends every queued and in-flight call at once, e.g. when the charger disconnects. */
  failAll(reason: string): void {
    const all = [...(this.inFlight ? [this.inFlight] : []), ...this.queue];
    for (const entry of all) this.finish(entry, { kind: 'disconnected', reason });
  }

  private finish(entry: QueuedCall, outcome: CallOutcome): void {
    clearTimeout(entry.timer);
    if (this.inFlight === entry) {
      this.inFlight = undefined;
    } else {
      const index = this.queue.indexOf(entry);
      if (index === -1) return; // already finished
      this.queue.splice(index, 1);
    }
    entry.resolve(outcome);
    this.pump();
  }

  private pump(): void {
    if (this.inFlight) return;
    const next = this.queue.shift();
    if (!next) return;
    this.inFlight = next;
    if (!this.transport.send(serializeCall(next.id, next.action, next.payload))) {
      this.finish(next, { kind: 'disconnected', reason: 'The charger is not connected' });
    }
  }
}
