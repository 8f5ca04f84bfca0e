// Helpers for the charging-session end-to-end tests: tags, meter readings, the API's view of a
// transaction, and charger-side flows that run after the charger has answered a CSMS command.

import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { api, uniqueChargerId, type Charger, type Protocol } from './helpers.ts';

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
 * The TransactionEvents of the session the 2.0.1 and 2.1 tests run (transaction `txId`, token
 * `tag`, starting at `t0`): Started at 5,000 Wh, three Updated in kWh, Wh and Wh × 10³ (one with
 * a power reading), Ended at 7.5 kWh. 2.1 keeps these messages' shapes.
 */
export function session201(txId: string, tag: string, t0: number) {
  return [
    {
      eventType: 'Started',
      timestamp: at(t0, 0),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: txId, chargingState: 'Charging' },
      idToken: { idToken: tag, type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
      meterValue: [reading201(at(t0, 0), 5_000, 'Wh', 'Transaction.Begin')],
    },
    {
      eventType: 'Updated',
      timestamp: at(t0, 60),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId: txId },
      meterValue: [
        {
          timestamp: at(t0, 60),
          sampledValue: [
            { value: 5.6, context: 'Sample.Periodic', measurand: ENERGY, unitOfMeasure: { unit: 'kWh' } },
            { value: 7.2, context: 'Sample.Periodic', measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW' } },
          ],
        },
      ],
    },
    {
      eventType: 'Updated',
      timestamp: at(t0, 120),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 2,
      transactionInfo: { transactionId: txId },
      meterValue: [reading201(at(t0, 120), 6_200, 'Wh')],
    },
    {
      eventType: 'Updated',
      timestamp: at(t0, 180),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 3,
      transactionInfo: { transactionId: txId, chargingState: 'SuspendedEV' },
      meterValue: [reading201(at(t0, 180), 6.9, 'Wh', 'Sample.Periodic', 3)], // 6.9 × 10³ Wh
    },
    {
      eventType: 'Ended',
      timestamp: at(t0, 240),
      triggerReason: 'EVCommunicationLost',
      seqNo: 4,
      transactionInfo: { transactionId: txId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
      meterValue: [reading201(at(t0, 240), 7.5, 'kWh', 'Transaction.End')],
    },
  ];
}

/** What the API shows for the completed session201 transaction of a charger speaking `protocol`. */
export function completed201(chargerId: string, txId: string, tag: string, t0: number, protocol: Protocol = 'ocpp2.0.1') {
  return {
    chargerId,
    protocol,
    transactionId: txId,
    evseId: 1,
    connectorId: 1,
    idTag: tag,
    status: 'completed',
    startedAt: at(t0, 0),
    stoppedAt: at(t0, 240),
    meterStartWh: 5_000,
    meterStopWh: 7_500,
    energyWh: 2_500,
    stopReason: 'EVDisconnected',
    chargingState: 'Idle',
    remoteStartId: null,
    offline: false,
  };
}

/**
 * Runs session201 on a booted 2.0.1 or 2.1 charger with a fresh Accepted tag (Authorize, then each
 * event), and checks what the CSMS answered and what the API shows: the transaction completed with
 * 2,500 Wh, every reading normalised to Wh (W for power) under its transaction.
 */
export async function runSession201(client: Charger, chargerId: string, protocol: Protocol): Promise<void> {
  const tag = await putTag();
  expect(await client.call('Authorize', { idToken: { idToken: tag, type: 'ISO14443' } })).toEqual({
    idTokenInfo: { status: 'Accepted' },
  });

  const txId = randomUUID();
  const t0 = Date.now();
  const answers = [];
  for (const event of session201(txId, tag, t0)) answers.push(await client.call('TransactionEvent', event));
  // Only the event carrying an idToken gets idTokenInfo.
  expect(answers).toEqual([{ idTokenInfo: { status: 'Accepted' } }, {}, {}, {}, {}]);

  const transaction = await getTransaction(chargerId, txId);
  expect(transaction).toMatchObject(completed201(chargerId, txId, tag, t0, protocol));
  const energy = transaction.meterValues.filter((m) => m.measurand === ENERGY);
  expect(energy.map((m) => [m.timestamp, m.unit, m.value, m.context])).toEqual([
    [at(t0, 0), 'Wh', 5_000, 'Transaction.Begin'],
    [at(t0, 60), 'Wh', 5_600, 'Sample.Periodic'],
    [at(t0, 120), 'Wh', 6_200, 'Sample.Periodic'],
    [at(t0, 180), 'Wh', 6_900, 'Sample.Periodic'],
    [at(t0, 240), 'Wh', 7_500, 'Transaction.End'],
  ]);
  expect(transaction.meterValues.filter((m) => m.measurand !== ENERGY)).toEqual([
    expect.objectContaining({ measurand: 'Power.Active.Import', unit: 'W', value: 7_200, transactionId: txId }),
  ]);
  expect(new Set(transaction.meterValues.map((m) => m.transactionId))).toEqual(new Set([txId]));

  const list = await listTransactions(chargerId, 'completed');
  expect(list.map((t) => [t.transactionId, t.energyWh])).toEqual([[txId, 2_500]]);
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
