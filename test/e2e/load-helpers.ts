// Helpers for the load and reconnect-storm end-to-end tests: many strict ocpp-rpc chargers at
// once, a tally of everything that went wrong on any of them, bounded concurrency for ramps and
// API reads, and the two charging sessions (1.6 and 2.0.1) each simulated charger runs.
//
// Unlike `connectCharger` in helpers.ts, the chargers made here are not closed one by one by
// onTestFinished (a thousand sequential closes would dominate the run): a `Fleet` closes all of
// them at once.

import { RPCClient } from 'ocpp-rpc';
import { BOOT, chargerOptions, sleep, type BootResponse, type Charger, type Protocol } from './helpers.ts';
import { ENERGY } from './session-helpers.ts';

/** How long one OCPP call may wait for its answer before it counts as unanswered. Generous: this is a load test. */
export const LOAD_CALL_TIMEOUT_MS = 60_000;

/**
 * Every problem any simulated charger saw, and how many calls were made and answered. A
 * problem is anything a correct CSMS never causes: a CALLERROR, a call unanswered (timeout or
 * lost socket), a frame that fails the official schemas (strict mode), an unparsable frame, a
 * CALL from the CSMS nobody asked for, a connection closed by the server.
 */
export class Tally {
  calls = 0;
  answered = 0;
  readonly byAction = new Map<string, number>();
  readonly problems: string[] = [];

  problem(chargerId: string, what: string): void {
    this.problems.push(`${chargerId}: ${what}`);
  }

  /** The first few problems and how many in all, for assertion messages. */
  summary(max = 20): string {
    const head = this.problems.slice(0, max).join('\n');
    return `${this.problems.length} problem(s)${this.problems.length > max ? `, first ${max}` : ''}:\n${head}`;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const rpc = error as Error & { rpcErrorCode?: string; details?: unknown };
    return rpc.rpcErrorCode ? `${rpc.rpcErrorCode}: ${rpc.message} ${JSON.stringify(rpc.details ?? {})}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}

/** One simulated charger: a strict ocpp-rpc client whose every call and event is tallied. */
export class SimCharger {
  readonly client: Charger;
  /** Set before we close the socket ourselves, so that close is not counted as a problem. */
  private closing = false;
  private closed: Promise<void>;

  constructor(
    readonly id: string,
    readonly protocol: Protocol,
    private readonly tally: Tally,
  ) {
    this.client = new RPCClient({ ...chargerOptions(protocol, id), callTimeoutMs: LOAD_CALL_TIMEOUT_MS });
    const client = this.client;
    // Calls that fail are tallied in call(); these catch what happens outside a call of ours.
    client.on('strictValidationFailure', ({ method, outbound, isCall, error }: { method: string; outbound: boolean; isCall: boolean; error: unknown }) => {
      tally.problem(id, `strict validation failed (${outbound ? 'outbound' : 'inbound'} ${isCall ? 'call' : 'response'} ${method}): ${describeError(error)}`);
    });
    client.on('badMessage', ({ buffer, error }: { buffer: Buffer; error: unknown }) => {
      tally.problem(id, `bad frame from the CSMS ${String(buffer).slice(0, 200)}: ${describeError(error)}`);
    });
    client.on('call', ({ outbound, payload }: { outbound: boolean; payload: unknown[] }) => {
      if (!outbound) tally.problem(id, `unexpected CALL from the CSMS: ${JSON.stringify(payload).slice(0, 200)}`);
    });
    this.closed = new Promise((resolve) => {
      client.once('close', ({ code, reason }: { code: number; reason: unknown }) => {
        if (!this.closing) tally.problem(id, `connection closed by the CSMS (${code} ${String(reason ?? '')})`);
        resolve();
      });
    });
  }

  async connect(): Promise<void> {
    try {
      await this.client.connect();
    } catch (error) {
      this.tally.problem(this.id, `connect failed: ${describeError(error)}`);
      throw error;
    }
    if (this.client.protocol !== this.protocol) {
      this.tally.problem(this.id, `negotiated ${this.client.protocol}, wanted ${this.protocol}`);
      throw new Error(`${this.id}: negotiated ${this.client.protocol}`);
    }
  }

  /** One OCPP call; any failure (CALLERROR, timeout, schema) is tallied and rethrown. */
  async call<T = Record<string, any>>(action: string, params: unknown): Promise<T> {
    this.tally.calls += 1;
    this.tally.byAction.set(action, (this.tally.byAction.get(action) ?? 0) + 1);
    try {
      const result = (await this.client.call(action, params)) as T;
      this.tally.answered += 1;
      return result;
    } catch (error) {
      this.tally.problem(this.id, `${action} failed: ${describeError(error)}`);
      throw error;
    }
  }

  /** Fails (and tallies) unless `check` holds for an answer. */
  expect(ok: boolean, what: string): void {
    if (!ok) {
      this.tally.problem(this.id, what);
      throw new Error(`${this.id}: ${what}`);
    }
  }

  async boot(): Promise<void> {
    const boot = await this.call<BootResponse>(BOOT[this.protocol].action, BOOT[this.protocol].params);
    this.expect(boot.status === 'Accepted', `boot answered ${JSON.stringify(boot)}`);
  }

  async status(status: 'Available' | 'Occupied' | 'Unavailable'): Promise<void> {
    const answer =
      this.protocol === 'ocpp1.6'
        ? await this.call('StatusNotification', {
            connectorId: 1,
            errorCode: 'NoError',
            // 1.6 has no Occupied: a connector in a session is Charging.
            status: status === 'Occupied' ? 'Charging' : status,
            timestamp: new Date().toISOString(),
          })
        : await this.call('StatusNotification', {
            timestamp: new Date().toISOString(),
            connectorStatus: status,
            evseId: 1,
            connectorId: 1,
          });
    this.expect(JSON.stringify(answer) === '{}', `StatusNotification answered ${JSON.stringify(answer)}`);
  }

  async heartbeat(): Promise<void> {
    const answer = await this.call<{ currentTime: string }>('Heartbeat', {});
    this.expect(!Number.isNaN(Date.parse(answer.currentTime)), `Heartbeat answered ${JSON.stringify(answer)}`);
  }

  /** Cuts the TCP connection without a close frame, as a crash or a network cut would. */
  terminate(): void {
    this.closing = true;
    (this.client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
  }

  /** Resolves once the client has seen its connection close, however it closed. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  /** Closes quietly (bounded), then cuts the socket in case the close did not finish. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.race([this.client.close({ force: true }).catch(() => undefined), sleep(3_000)]);
    (this.client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
  }
}

/** The chargers a test made; `closeAll` closes them all at once (call it from `finally` or onTestFinished). */
export class Fleet {
  readonly chargers: SimCharger[] = [];
  constructor(readonly tally: Tally) {}

  add(id: string, protocol: Protocol): SimCharger {
    const charger = new SimCharger(id, protocol, this.tally);
    this.chargers.push(charger);
    return charger;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.chargers.map((c) => c.close()));
  }
}

/** Runs `work` on every item with at most `limit` running at a time; rejects with the first failure after all have run. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failures.push(error);
      }
    }
  });
  await Promise.all(lanes);
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} of ${items.length} failed; first: ${describeError(failures[0])}`);
  }
  return results;
}

/** Runs `work` on `items` in consecutive batches of `size`, each batch all at once: a ramp. */
export async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await pool(items.slice(start, start + size), size, work);
  }
}

/** Seconds since `t0`, one decimal, for the informational log lines. */
export function secondsSince(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1);
}

/** What one charger's session should leave in D1. */
export interface ExpectedSession {
  chargerId: string;
  protocol: Protocol;
  /** 1.6: the transactionId the CSMS assigned (as a string); 2.0.1: the station's transactionId. */
  transactionId: string;
  idTag: string;
  meterStartWh: number;
  meterStopWh: number;
  energyWh: number;
  /** Meter values the single-transaction view should list. */
  meterValueCount: number;
  stopReason: string;
}

/** The meter register of charger number `n` during its session: a distinct odometer start and energy per charger. */
export function meterPlan(n: number): { start: number; readings: number[]; stop: number } {
  const start = 1_000_000 + n * 1_000;
  const energy = 1_000 + n; // Wh: every charger's energy differs, so a mix-up between chargers shows
  return {
    start,
    readings: [1, 2, 3].map((k) => start + Math.round((energy * k) / 4)),
    stop: start + energy,
  };
}

/** Meter samples go this far apart on the session's own clock (the calls themselves go out back to back). */
const SAMPLE_SECONDS = 60;
const at = (t0: number, seconds: number): string => new Date(t0 + seconds * 1000).toISOString();

/**
 * A whole OCPP 1.6 session on connector 1 of a booted charger: Authorize, StartTransaction,
 * StatusNotification Charging, three MeterValues, StopTransaction, StatusNotification
 * Available. 8 calls.
 */
export async function session16(charger: SimCharger, n: number, tag: string): Promise<ExpectedSession> {
  const plan = meterPlan(n);
  const auth = await charger.call<{ idTagInfo: { status: string } }>('Authorize', { idTag: tag });
  charger.expect(auth.idTagInfo?.status === 'Accepted', `Authorize answered ${JSON.stringify(auth)}`);
  const t0 = Date.now();
  const started = await charger.call<{ transactionId: number; idTagInfo: { status: string } }>('StartTransaction', {
    connectorId: 1,
    idTag: tag,
    meterStart: plan.start,
    timestamp: at(t0, 0),
  });
  charger.expect(
    started.idTagInfo?.status === 'Accepted' && Number.isInteger(started.transactionId),
    `StartTransaction answered ${JSON.stringify(started)}`,
  );
  const { transactionId } = started;
  await charger.status('Occupied');
  for (const [k, value] of plan.readings.entries()) {
    const answer = await charger.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [
        {
          timestamp: at(t0, SAMPLE_SECONDS * (k + 1)),
          sampledValue: [{ value: String(value), context: 'Sample.Periodic', measurand: ENERGY, unit: 'Wh' }],
        },
      ],
    });
    charger.expect(JSON.stringify(answer) === '{}', `MeterValues answered ${JSON.stringify(answer)}`);
  }
  const stopped = await charger.call<{ idTagInfo?: { status: string } }>('StopTransaction', {
    transactionId,
    idTag: tag,
    meterStop: plan.stop,
    timestamp: at(t0, SAMPLE_SECONDS * 4),
    reason: 'EVDisconnected',
  });
  charger.expect(stopped.idTagInfo?.status === 'Accepted', `StopTransaction answered ${JSON.stringify(stopped)}`);
  await charger.status('Available');
  return {
    chargerId: charger.id,
    protocol: 'ocpp1.6',
    transactionId: String(transactionId),
    idTag: tag,
    meterStartWh: plan.start,
    meterStopWh: plan.stop,
    energyWh: plan.stop - plan.start,
    meterValueCount: plan.readings.length,
    stopReason: 'EVDisconnected',
  };
}

function energy201(timestamp: string, value: number, context: string) {
  return [{ timestamp, sampledValue: [{ value, context, measurand: ENERGY, unitOfMeasure: { unit: 'Wh' } }] }];
}

/**
 * A whole OCPP 2.0.1 session on EVSE 1: Authorize, StatusNotification Occupied,
 * TransactionEvent Started (Transaction.Begin reading), three Updated with a reading each,
 * Ended (Transaction.End reading), StatusNotification Available. 8 calls.
 */
export async function session201(charger: SimCharger, n: number, tag: string): Promise<ExpectedSession> {
  const plan = meterPlan(n);
  const idToken = { idToken: tag, type: 'ISO14443' };
  const auth = await charger.call<{ idTokenInfo: { status: string } }>('Authorize', { idToken });
  charger.expect(auth.idTokenInfo?.status === 'Accepted', `Authorize answered ${JSON.stringify(auth)}`);
  await charger.status('Occupied');
  const txId = `LOAD-${charger.id}`.slice(0, 36);
  const t0 = Date.now();
  const started = await charger.call<{ idTokenInfo?: { status: string } }>('TransactionEvent', {
    eventType: 'Started',
    timestamp: at(t0, 0),
    triggerReason: 'Authorized',
    seqNo: 0,
    transactionInfo: { transactionId: txId, chargingState: 'Charging' },
    idToken,
    evse: { id: 1, connectorId: 1 },
    meterValue: energy201(at(t0, 0), plan.start, 'Transaction.Begin'),
  });
  charger.expect(started.idTokenInfo?.status === 'Accepted', `TransactionEvent Started answered ${JSON.stringify(started)}`);
  for (const [k, value] of plan.readings.entries()) {
    const seconds = SAMPLE_SECONDS * (k + 1);
    const answer = await charger.call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: at(t0, seconds),
      triggerReason: 'MeterValuePeriodic',
      seqNo: k + 1,
      transactionInfo: { transactionId: txId },
      meterValue: energy201(at(t0, seconds), value, 'Sample.Periodic'),
    });
    charger.expect(JSON.stringify(answer) === '{}', `TransactionEvent Updated answered ${JSON.stringify(answer)}`);
  }
  const ended = await charger.call('TransactionEvent', {
    eventType: 'Ended',
    timestamp: at(t0, SAMPLE_SECONDS * 4),
    triggerReason: 'EVCommunicationLost',
    seqNo: plan.readings.length + 1,
    transactionInfo: { transactionId: txId, chargingState: 'Idle', stoppedReason: 'EVDisconnected' },
    meterValue: energy201(at(t0, SAMPLE_SECONDS * 4), plan.stop, 'Transaction.End'),
  });
  charger.expect(JSON.stringify(ended) === '{}', `TransactionEvent Ended answered ${JSON.stringify(ended)}`);
  await charger.status('Available');
  return {
    chargerId: charger.id,
    protocol: 'ocpp2.0.1',
    transactionId: txId,
    idTag: tag,
    meterStartWh: plan.start,
    meterStopWh: plan.stop,
    energyWh: plan.stop - plan.start,
    meterValueCount: plan.readings.length + 2,
    stopReason: 'EVDisconnected',
  };
}
