import { describe, expect, it } from 'vitest';
import { billingCritical, chargeWrites, worthKeeping, writeCostOf, WRITE_WINDOW_MS, type WriteTally } from './write-budget';

const budget = { rows: 1_000, bytes: 100_000 };

describe('write cost', () => {
  it('is one row per message, sampled value and report entry, and the frame bytes', () => {
    expect(writeCostOf({}, 20)).toEqual({ rows: 1, bytes: 20 });
    expect(writeCostOf({ meterValue: [{ sampledValue: [{}, {}] }, { sampledValue: [{}] }] }, 5).rows).toBe(4);
    expect(writeCostOf({ transactionData: [{ sampledValue: [{}, {}, {}] }] }, 5).rows).toBe(4);
    expect(writeCostOf({ reportData: [{}, {}] }, 5).rows).toBe(3);
    // Shapes the schema will refuse anyway count as the message alone, without throwing.
    expect(writeCostOf({ meterValue: [null, 3, { sampledValue: 'x' }] }, 5).rows).toBe(1);
  });
});

describe('write budget', () => {
  it('takes a burst up to the budget, refuses past it without charging, and drains at the budget a minute', () => {
    let tally: WriteTally | undefined;
    for (let i = 0; i < 10; i++) {
      const charged = chargeWrites(tally, { rows: 100, bytes: 10 }, 0, budget);
      expect(charged.refused).toBeUndefined();
      tally = charged.tally;
    }
    const refused = chargeWrites(tally, { rows: 100, bytes: 10 }, 0, budget);
    expect(refused.refused).toEqual({ measure: 'rows', limit: 1_000, retryAfterSeconds: 6 });
    expect(refused.tally.rows).toBe(1_000);
    // A tenth of a minute later, a tenth of the budget has drained.
    expect(chargeWrites(refused.tally, { rows: 100, bytes: 10 }, WRITE_WINDOW_MS / 10, budget).refused).toBeUndefined();
    expect(chargeWrites(refused.tally, { rows: 1, bytes: 1 }, WRITE_WINDOW_MS * 5, budget).tally).toEqual({ rows: 1, bytes: 1, at: WRITE_WINDOW_MS * 5 });
  });

  it('refuses on bytes alone, and lets an empty bucket take a frame bigger than the budget', () => {
    expect(chargeWrites({ rows: 0, bytes: 99_000, at: 0 }, { rows: 1, bytes: 2_000 }, 0, budget).refused?.measure).toBe('bytes');
    expect(chargeWrites(undefined, { rows: 5_000, bytes: 1 }, 0, budget).refused).toBeUndefined();
    expect(chargeWrites({ rows: 5_000, bytes: 1, at: 0 }, { rows: 1, bytes: 1 }, 0, budget).refused?.retryAfterSeconds).toBe(241);
  });

  it('is kept once a tenth of either budget is spent', () => {
    expect(worthKeeping({ rows: 99, bytes: 9_999, at: 0 }, budget)).toBe(false);
    expect(worthKeeping({ rows: 100, bytes: 0, at: 0 }, budget)).toBe(true);
    expect(worthKeeping({ rows: 0, bytes: 10_000, at: 0 }, budget)).toBe(true);
  });
});

describe("a bill's own messages", () => {
  it('are the 1.6 StartTransaction and StopTransaction and the 2.0.1 Started and Ended events', () => {
    expect(billingCritical('StartTransaction', {})).toBe(true);
    expect(billingCritical('StopTransaction', {})).toBe(true);
    expect(billingCritical('TransactionEvent', { eventType: 'Started' })).toBe(true);
    expect(billingCritical('TransactionEvent', { eventType: 'Ended' })).toBe(true);
    expect(billingCritical('TransactionEvent', { eventType: 'Updated' })).toBe(false);
    expect(billingCritical('MeterValues', {})).toBe(false);
  });

  it('are taken past the budget and charged into debt, so the next other message is refused longer', () => {
    const full: WriteTally = { rows: 1_000, bytes: 0, at: 0 };
    const taken = chargeWrites(full, { rows: 50, bytes: 10 }, 0, budget, true);
    expect(taken.refused).toBeUndefined();
    expect(taken.tally).toEqual({ rows: 1_050, bytes: 10, at: 0 });
    const after = chargeWrites(taken.tally, { rows: 1, bytes: 1 }, 0, budget);
    expect(after.refused).toMatchObject({ measure: 'rows', retryAfterSeconds: 4 });
  });
});
