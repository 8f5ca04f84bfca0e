// Optional outputs of each CALL answered: a metrics data point (Analytics Engine) and business events (a Queue).

import type { Env } from '../env';
import { logError } from '../log';
import type { Call } from '../ocpp/frames';
import { endedTransactionId, eventsFor } from './events';
import type { TransactionEnds } from './transaction-ends';

export interface CallReportsDeps {
  /** Read at each report: the bindings are the object's, and may be replaced while it lives (tests do). */
  env: () => Env;
  /** Transactions whose end was announced on the events queue. */
  transactionEnds: TransactionEnds;
}

export class CallReports {
  constructor(private readonly deps: CallReportsDeps) {}

  /**
   * Each output only when its binding exists. A failure is logged; the charger already has its
   * answer and the facts are stored either way.
   */
  async report(chargerId: string, protocol: string, frame: Call, answer: string, outcome: string, durationMs: number): Promise<void> {
    const env = this.deps.env();
    env.METRICS?.writeDataPoint({
      blobs: [chargerId, protocol, frame.action, outcome],
      doubles: [durationMs, outcome === 'result' ? 0 : 1],
      indexes: [chargerId],
    });
    if (!env.EVENTS || outcome !== 'result') return;
    const result = (JSON.parse(answer) as [number, string, Record<string, unknown>])[2];
    // Noted only for a CALL answered with a result: an end refused or failed was not an end, and its retry is the first.
    const ended = endedTransactionId(frame.action, frame.payload);
    const repeatedEnd = ended !== undefined && !this.deps.transactionEnds.first(ended);
    const events = eventsFor(chargerId, protocol, frame.action, frame.payload, result, new Date().toISOString(), repeatedEnd);
    if (events.length === 0) return;
    try {
      await env.EVENTS.sendBatch(events.map((body) => ({ body })));
    } catch (error) {
      logError('send events', chargerId, error);
    }
  }
}
