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

/** How many timed-out calls are remembered, so that their late answers are told from replies to nothing. */
export const REMEMBERED_TIMEOUTS = 32;

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
  /** Ids of calls that timed out after they were sent, oldest first → their action; see `timedOut`. */
  private readonly recentlyTimedOut = new Map<string, string>();

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

  /** The action of the call in flight when its id is `id`: what a CALLRESULT under that id answers. */
  awaiting(id: string): string | undefined {
    return this.inFlight?.id === id ? this.inFlight.action : undefined;
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

  /**
   * The action of a call sent with this id that timed out before its answer came, if it is
   * among the last REMEMBERED_TIMEOUTS: an answer to it is late, not a reply to nothing.
   */
  timedOut(id: string): string | undefined {
    return this.recentlyTimedOut.get(id);
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
      // Sent, so the charger may still answer it; a call that timed out in the queue never left.
      if (outcome.kind === 'timeout') this.rememberTimeout(entry);
    } else {
      const index = this.queue.indexOf(entry);
      if (index === -1) return; // already finished
      this.queue.splice(index, 1);
    }
    entry.resolve(outcome);
    this.pump();
  }

  private rememberTimeout(entry: QueuedCall): void {
    this.recentlyTimedOut.set(entry.id, entry.action);
    const oldest = this.recentlyTimedOut.keys().next().value;
    if (this.recentlyTimedOut.size > REMEMBERED_TIMEOUTS && oldest !== undefined) this.recentlyTimedOut.delete(oldest);
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
