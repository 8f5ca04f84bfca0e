// How much one charger may have stored per minute: rows bound for D1 and bytes, so one charger's
// burst cannot flood D1 and the FleetWriter that it shares with the rest of the fleet.
//
// Each CALL is charged before it is handled: one row for the message itself, plus one per sampled
// value (MeterValues, StopTransaction transactionData, TransactionEvent meterValue: each becomes
// a meter value) and per reportData entry (NotifyReport: each becomes a settings row); and
// its size in bytes. Two leaky buckets hold WRITE_BUDGET_ROWS rows and WRITE_BUDGET_BYTES bytes
// and drain at that much per minute, so a burst of a minute's worth is taken at once. A CALL that
// would overflow either is answered with a CALLERROR and nothing of it is stored: it is refused,
// not acknowledged and dropped, and the charger may send it again later. A refusal does not
// count against the bad-frame budget: the frame is valid, there is only too much of it.
//
// Except the messages a bill is made of (`billingCritical`): a charger retries those only a few
// times (1.6 TransactionMessageAttempts, 2.0.1 MessageAttemptsTransactionEvent) and then drops
// them, so refusing one could lose a bill for good. They are always taken, and still charged: the
// buckets may go into debt, and the charger's other messages are refused until it drained.

/** Both buckets drain their whole budget in this many milliseconds. */
export const WRITE_WINDOW_MS = 60_000;

export interface WriteBudget {
  rows: number;
  bytes: number;
}

/** What one CALL would write: rows bound for D1 and bytes of the frame. */
export type WriteCost = WriteBudget;

/** How full both buckets are, as of `at` (epoch ms). */
export interface WriteTally {
  rows: number;
  bytes: number;
  at: number;
}

export interface WriteRefusal {
  /** The bucket that would overflow. */
  measure: keyof WriteBudget;
  limit: number;
  /** When the bucket will have drained enough to take this CALL. */
  retryAfterSeconds: number;
}

/**
 * The rows a CALL's payload turns into: one for the message, one per sampled value, one per
 * reportData entry. Reads only arrays where the schemas have them; anything else counts as one row.
 */
export function writeCostOf(payload: Record<string, unknown>, bytes: number): WriteCost {
  let rows = 1;
  for (const field of ['meterValue', 'transactionData'] as const) {
    const readings = payload[field];
    if (!Array.isArray(readings)) continue;
    for (const reading of readings) {
      const sampled = (reading as { sampledValue?: unknown } | null)?.sampledValue;
      rows += Array.isArray(sampled) ? sampled.length : 0;
    }
  }
  if (Array.isArray(payload.reportData)) rows += payload.reportData.length;
  return { rows, bytes };
}

/**
 * True for the CALLs a bill is made of, never refused for the budget: 1.6 StartTransaction and
 * StopTransaction, 2.0.1 TransactionEvent Started and Ended. (A 2.0.1 Updated is refused like
 * any other message: the Ended carries the end register the bill takes.)
 */
export function billingCritical(action: string, payload: Record<string, unknown>): boolean {
  if (action === 'StartTransaction' || action === 'StopTransaction') return true;
  return action === 'TransactionEvent' && (payload.eventType === 'Started' || payload.eventType === 'Ended');
}

/**
 * Charges `cost` to the buckets, or refuses it when either would overflow. An empty bucket takes
 * any one CALL, however big, so a budget set below a single frame's cost slows a charger down
 * rather than refusing that frame forever. A refused CALL is not charged. A CALL that `mustTake`
 * (`billingCritical`) is never refused: it is charged even past the budget, into debt.
 */
export function chargeWrites(
  tally: WriteTally | undefined,
  cost: WriteCost,
  now: number,
  budget: WriteBudget,
  mustTake = false,
): { tally: WriteTally; refused?: WriteRefusal } {
  const elapsed = tally ? Math.max(0, now - tally.at) : 0;
  const level = (measure: keyof WriteBudget) =>
    tally ? Math.max(0, tally[measure] - (elapsed * budget[measure]) / WRITE_WINDOW_MS) : 0;
  const drained: WriteTally = { rows: level('rows'), bytes: level('bytes'), at: now };
  for (const measure of ['rows', 'bytes'] as const) {
    const after = drained[measure] + cost[measure];
    if (!mustTake && drained[measure] > 0 && after > budget[measure]) {
      const waitMs = ((after - budget[measure]) / budget[measure]) * WRITE_WINDOW_MS;
      return {
        tally: drained,
        refused: { measure, limit: budget[measure], retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
      };
    }
  }
  return { tally: { rows: drained.rows + cost.rows, bytes: drained.bytes + cost.bytes, at: now } };
}

/** True when the tally is worth keeping in storage: a tenth of either budget or more is spent. */
export function worthKeeping(tally: WriteTally, budget: WriteBudget): boolean {
  return tally.rows * 10 >= budget.rows || tally.bytes * 10 >= budget.bytes;
}
