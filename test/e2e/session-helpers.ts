// Helpers for the charging-session end-to-end tests: tags, meter readings, the API's view of a
// transaction, and charger-side flows that run after the charger has answered a CSMS command.

import { expect } from 'vitest';
import { api, uniqueChargerId, type Charger } from './helpers.ts';

export const ENERGY = 'Energy.Active.Import.Register';

/** A transaction as `GET /chargers/{id}/transactions/{transactionId}` shows it. */
export interface ApiTransaction {
  id: number;
  chargerId: string;
  protocol: string;
  transactionId: string;
  evseId: number | null;
  connectorId: number | null;
  idTag: string | null;
  status: 'active' | 'completed';
  startedAt: string | null;
  stoppedAt: string | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number | null;
  stopReason: string | null;
  chargingState: string | null;
  remoteStartId: number | null;
  offline: boolean;
  /** Kinds of its anomalies that need a look. */
  flags: string[];
  /** Single-transaction view only. */
  anomalies?: Array<{ kind: string; detail: any; receivedAt: string }>;
  meterValues: ApiMeterValue[];
}

export interface ApiMeterValue {
  timestamp: string;
  measurand: string;
  phase: string | null;
  location: string | null;
  context: string | null;
  unit: string;
  value: number | null;
  transactionId: string | null;
  evseId: number;
  connectorId: number;
}

/** A fresh id tag (at most 20 characters, so 1.6 chargers can present it too) stored with `status`. */
export async function putTag(status = 'Accepted', prefix = 'TAG'): Promise<string> {
  const tag = uniqueChargerId(prefix).slice(0, 20);
  const res = await api('PUT', `/id-tags/${encodeURIComponent(tag)}`, { status });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return tag;
}

/** The API's view of one transaction; fails unless it is found. */
export async function getTransaction(chargerId: string, transactionId: string | number): Promise<ApiTransaction> {
  const res = await api<{ transaction: ApiTransaction }>(
    'GET',
    `/chargers/${encodeURIComponent(chargerId)}/transactions/${encodeURIComponent(String(transactionId))}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.transaction;
}

/** `GET /transactions?chargerId=…[&status=…]`, one page. */
export async function listTransactions(chargerId: string, status?: 'active' | 'completed'): Promise<ApiTransaction[]> {
  const query = new URLSearchParams({ chargerId, ...(status ? { status } : {}) });
  const res = await api<{ transactions: ApiTransaction[]; nextCursor: string | null }>('GET', `/transactions?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.transactions;
}

/** An ISO timestamp `seconds` after `base`. */
export function at(base: number, seconds: number): string {
  return new Date(base + seconds * 1000).toISOString();
}

/** A 1.6 MeterValue with one energy register reading; `value` is text, as 1.6 sends it. */
export function reading16(timestamp: string, value: string, unit?: 'Wh' | 'kWh', context = 'Sample.Periodic') {
  return {
    timestamp,
    sampledValue: [{ value, context, measurand: ENERGY, ...(unit ? { unit } : {}) }],
  };
}

/** A 2.0.1 MeterValue with one energy register reading. */
export function reading201(timestamp: string, value: number, unit: 'Wh' | 'kWh', context = 'Sample.Periodic', multiplier?: number) {
  return {
    timestamp,
    sampledValue: [
      { value, context, measurand: ENERGY, unitOfMeasure: { unit, ...(multiplier === undefined ? {} : { multiplier }) } },
    ],
  };
}

/**
 * What a charger does on its own after answering CSMS commands. Each registered handler
 * answers at once; its follow-up (`then`) runs only after the CALLRESULT went out, as a real
 * charger's would. `check()` rethrows the first follow-up failure (call it from waitFor probes),
 * `settled()` waits for every follow-up started so far.
 */
export class ChargerFlows {
  private readonly runs: Promise<void>[] = [];
  private failure: unknown = undefined;
  /** The params of every call the handlers received, by action, in order. */
  readonly received: Record<string, Array<Record<string, any>>> = {};

  constructor(private readonly client: Charger) {}

  on<P extends Record<string, any>>(
    action: string,
    answer: (params: P) => Record<string, unknown>,
    then?: (params: P, result: Record<string, unknown>) => Promise<void>,
  ): this {
    this.client.handle(action, async ({ params, messageId }) => {
      const p = (params ?? {}) as P;
      (this.received[action] ??= []).push(p);
      const result = answer(p);
      if (then) {
        const answered = new Promise<void>((resolve) => {
          const onResponse = ({ payload }: { payload: unknown[] }): void => {
            if (payload[1] !== messageId) return;
            this.client.off('response', onResponse);
            // 'response' is emitted just before the frame is written; run after the write.
            setImmediate(resolve);
          };
          this.client.on('response', onResponse);
        });
        const run = answered.then(() => then(p, result));
        run.catch((error: unknown) => {
          this.failure ??= error;
        });
        this.runs.push(run);
      }
      return result;
    });
    return this;
  }

  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  async settled(): Promise<void> {
    await Promise.all(this.runs);
  }
}
