// A light closed-loop load generator: raw WebSockets (no client-side validation, so the client
// spends as little of the machine's CPU as it can), one outstanding CALL per charger.

import WebSocket from 'ws';
import { bootNotification, chargingSession } from './mix.mjs';

const CALL_TIMEOUT_MS = 30_000;

/** One simulated charger connection that sends CALLs one at a time and times each answer. */
export class BenchCharger {
  /** `answer(action, payload)` gives the CALLRESULT payload for the server's CALLs; none: NotImplemented. */
  constructor(url, id, protocol, answer) {
    this.url = `${url}/${encodeURIComponent(id)}`;
    this.answer = answer;
    this.id = id;
    this.protocol = protocol;
    this.nextId = 1;
    this.pending = undefined;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, [this.protocol], { perMessageDeflate: false, handshakeTimeout: 30_000 });
      ws.once('open', () => {
        this.ws = ws;
        resolve(this);
      });
      ws.on('error', (error) => {
        reject(new Error(`${this.id}: ${error.message}`));
        this.pending?.reject(error);
      });
      ws.on('message', (data) => this.onMessage(data));
      ws.on('close', () => this.pending?.reject(new Error('closed')));
    });
  }

  onMessage(data) {
    const frame = JSON.parse(data.toString());
    if (frame[0] === 2) {
      const reply = this.answer
        ? [3, frame[1], this.answer(frame[2], frame[3])]
        : [4, frame[1], 'NotImplemented', 'bench charger', {}];
      this.ws.send(JSON.stringify(reply));
      return;
    }
    const pending = this.pending;
    if (!pending || frame[1] !== pending.id) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (frame[0] === 3) pending.resolve(frame[2]);
    else pending.reject(new Error(`${pending.action}: CALLERROR ${frame[2]} ${frame[3]}`));
  }

  /** Sends a CALL and resolves with the CALLRESULT payload. */
  call(action, payload) {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error(`${action}: no answer in ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending = { id, action, resolve, reject, timer };
      this.ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  close() {
    this.ws?.close(1000);
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function eachLimited(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Connects and boots `count` chargers (even indexes 1.6, odd 2.0.1, unless `protocol` says which), at most `perSecond` a
 * second, each once `gate()` resolves true; once it resolves false, no more. With `onError`, a
 * charger that fails to connect or boot stops the ramp instead of the run. `afterBoot(charger)`,
 * when given, runs right after each boot, in the same slot of `concurrency`. Returns the chargers
 * that booted.
 */
export async function bootChargers({ url, count, prefix, concurrency = 50, perSecond = Infinity, gate, onError, protocol, afterBoot }) {
  const chargers = Array.from(
    { length: count },
    (_, i) => new BenchCharger(url, `${prefix}-${i}`, protocol ?? (i % 2 === 0 ? 'ocpp1.6' : 'ocpp2.0.1')),
  );
  const started = performance.now();
  let stopped = false;
  await eachLimited(chargers, concurrency, async (charger, i) => {
    const wait = started + (i / perSecond) * 1000 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (stopped || (gate && !(await gate()))) return;
    try {
      await charger.connect();
      const boot = await charger.call('BootNotification', bootNotification(charger.protocol));
      if (boot.status !== 'Accepted') throw new Error(`${charger.id}: boot ${boot.status}`);
      charger.booted = true;
    } catch (error) {
      // Without onError a failure ends the run; with it, the ramp stops and what booted stays.
      if (!onError) throw error;
      stopped = true;
      charger.close();
      onError(error);
    }
    if (charger.booted && afterBoot) await afterBoot(charger);
  });
  return chargers.filter((c) => c.booted);
}

/**
 * Every charger repeats charging sessions until `seconds` have passed, each CALL sent when the
 * previous one was answered. Returns the CALLs answered in that time and their latencies. A
 * charger's sessions and meter carry on from an earlier loop (the warm-up): its transactions stay
 * new ones, and its meter never goes back.
 */
export async function closedLoop(chargers, seconds) {
  const deadline = performance.now() + seconds * 1000;
  const latenciesMs = [];
  /** When each answer came, in seconds from the start: throughput over the window, to see any warm-up. */
  const answeredAtS = [];
  const errors = [];
  const started = performance.now();
  await Promise.all(
    chargers.map(async (charger, index) => {
      charger.meterWh ??= { value: 1_000 * index };
      charger.sessions ??= 0;
      const meterWh = charger.meterWh;
      while (performance.now() < deadline) {
        const session = charger.sessions++;
        const state = { transactionId: 0 };
        for (const step of chargingSession(charger.protocol, charger.id, session, meterWh)) {
          if (performance.now() >= deadline) return;
          const [action, payload] = typeof step === 'function' ? step(state) : step;
          const sent = performance.now();
          try {
            const answer = await charger.call(action, payload);
            const answered = performance.now();
            latenciesMs.push(answered - sent);
            answeredAtS.push((answered - started) / 1000);
            if (action === 'StartTransaction') state.transactionId = answer.transactionId;
          } catch (error) {
            errors.push(String(error.message ?? error));
            if (errors.length > 100) throw new Error(`too many errors, first: ${errors[0]}`);
          }
        }
      }
    }),
  );
  return { latenciesMs, answeredAtS, errors, elapsedS: (performance.now() - started) / 1000 };
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
