// Helpers for runtime tests: a raw OCPP-J charger over a WebSocket opened through the Worker.
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { ChargerFact } from '../../src/fleet/outbox';
import { isOcpp2, type OcppVersion } from '../../src/ocpp/versions';
import { CONTEXT_CODES, decodeSql, LOCATION_CODES, MEASURAND_CODES, PHASE_CODES, UNIT_CODES } from '../../src/store/meter-packing';

export const API_TOKEN = 'test-token';
let counter = 0;

/** A charger id no other test uses, so tests share one D1 without touching each other. */
export function uniqueChargerId(prefix = 'CP'): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

export function worker(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://csms.test${path}`, init));
}

export function api(method: string, path: string, body?: unknown, token = API_TOKEN): Promise<Response> {
  return worker(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * Every page of a GET that pages with `nextCursor` (`limit` a page, or the route's default), whole
 * responses; `params` go with every page (e.g. a time range).
 */
export async function allPages(path: string, limit?: number, params: Record<string, string> = {}): Promise<any[]> {
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams(params);
    if (limit !== undefined) query.set('limit', String(limit));
    if (cursor) query.set('cursor', cursor);
    const res = await api('GET', `${path}?${query}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as any;
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 200);
  return pages;
}

/** A minimal charger: sends raw frames, and hands every frame it receives to a queue. */
/**
 * Sends an operator command through the API and answers its CALL as the charger with `answer`;
 * checks the CALL is `action` and returns it with the API's response.
 */
export async function commandAnswered(cp: RawCharger, action: string, payload: unknown, answer: unknown): Promise<{ res: Response; call: unknown[] }> {
  const pending = api('POST', `/chargers/${cp.id}/commands/${action}`, payload);
  const call = await cp.next();
  expect(call.slice(0, 3)).toEqual([2, expect.any(String), action]);
  cp.sendRaw(JSON.stringify([3, call[1], answer]));
  return { res: await pending, call };
}

export class RawCharger {
  private readonly inbox: unknown[][] = [];
  private waiters: Array<(frame: unknown[]) => void> = [];
  private nextId = 0;
  closed: { code: number; reason: string } | undefined;
  private closeWaiters: Array<() => void> = [];

  private constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly protocol: string | null,
  ) {
    ws.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data as string) as unknown[];
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.inbox.push(frame);
    });
    ws.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      for (const w of this.closeWaiters) w();
    });
  }

  static async connect(id: string, protocols: string | OcppVersion = 'ocpp1.6', headers: Record<string, string> = {}): Promise<RawCharger> {
    const res = await worker(`/ocpp/${encodeURIComponent(id)}`, {
      headers: { upgrade: 'websocket', 'sec-websocket-protocol': protocols, ...headers },
    });
    if (res.status !== 101 || !res.webSocket) {
      throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
    }
    res.webSocket.accept();
    return new RawCharger(id, res.webSocket, res.headers.get('sec-websocket-protocol'));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** The next frame the CSMS sends us, or an error after `ms`. */
  next(ms = 5_000): Promise<unknown[]> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no frame within ${ms} ms`));
      }, ms);
      const waiter = (frame: unknown[]) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a CALL and returns the answer frame ([3, ...] or [4, ...]). */
  async call(action: string, payload: unknown): Promise<unknown[]> {
    const id = `c${++this.nextId}`;
    this.sendRaw(JSON.stringify([2, id, action, payload]));
    const frame = await this.next();
    if (frame[1] !== id) throw new Error(`expected an answer to ${id}, got ${JSON.stringify(frame)}`);
    return frame;
  }

  async boot(): Promise<unknown[]> {
    return isOcpp2(this.protocol)
      ? this.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt' } })
      : this.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt' });
  }

  waitForClose(ms = 5_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), ms);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.closed!);
      });
    });
  }

  close(): void {
    try {
      this.ws.close(1000, 'test done');
    } catch {
      // already closed
    }
  }
}

/**
 * Takes D1 away from a charger's object: every statement its current instance runs fails, as
 * in a D1 outage. An eviction (evictDurableObject) brings a fresh instance with D1 back.
 */
export async function breakD1(chargerId: string): Promise<void> {
  const { env } = await import('cloudflare:workers');
  const { runInDurableObject } = await import('cloudflare:test');
  const fail = () => Promise.reject(new Error('D1 is down (injected)'));
  const statement = { bind: () => statement, first: fail, run: fail, all: fail, raw: fail };
  const down = { prepare: () => statement, batch: fail, exec: fail } as unknown as D1Database;
  await runInDurableObject(env.CHARGERS.getByName(chargerId), (instance) => {
    // The object hands its `db` to each message's records; replace it for this instance.
    (instance as unknown as { db: D1Database }).db = down;
  });
}

/**
 * The packed meter_hours rows unpacked into one row per value, with the columns the old
 * meter_values table had: for tests that look at stored values in SQL (`SELECT … FROM ${METER_VALUES}`).
 */
export const METER_VALUES = (() => {
  const part = (i: number) => `json_extract(s.value, '$[${i}]')`;
  return `(SELECT m.charger_id, m.scope,
      CASE WHEN m.scope LIKE '@@%' THEN substr(m.scope, 2) WHEN m.scope LIKE '@%' THEN '' ELSE m.scope END AS transaction_id,
      json_extract(g.value, '$[0]') AS evse_id, json_extract(g.value, '$[1]') AS connector_id, d.key AS timestamp,
      ${decodeSql(MEASURAND_CODES, part(0), "''")} AS measurand, ${decodeSql(PHASE_CODES, part(4), "''")} AS phase,
      ${decodeSql(LOCATION_CODES, part(5), "''")} AS location, ${decodeSql(CONTEXT_CODES, part(3), "''")} AS context,
      ${decodeSql(UNIT_CODES, part(2), "''")} AS unit, ${part(1)} AS value, ${part(6)} AS signed_data
    FROM meter_hours m, json_each(m.data) AS d, json_each(d.value) AS g, json_each(g.value, '$[2]') AS s)`;
})();

/** D1 rows written (index entries and trigger rows included) storing each meter fact on its own, with `store`. */
export async function rowsWrittenEach(
  store: { insertStatements(facts: ChargerFact<'meter'>[]): D1PreparedStatement[] },
  facts: ChargerFact<'meter'>[],
): Promise<number[]> {
  const rows: number[] = [];
  for (const fact of facts) {
    let n = 0;
    for (const result of await env.DB.batch(store.insertStatements([fact]))) n += result.meta.rows_written;
    rows.push(n);
  }
  return rows;
}

/** An event the charger's object sent to the EVENTS queue, as recordEvents keeps it. */
export type SentEvent = { type: string; chargerId: string; data: any };

/** The events the charger's object sends to the EVENTS queue from now on, added to `sent` (its binding is swapped for a recorder). */
export async function recordEvents(chargerId: string, sent: SentEvent[] = []): Promise<SentEvent[]> {
  await runInDurableObject(env.CHARGERS.getByName(chargerId), (instance) => {
    const target = instance as unknown as { env: Record<string, unknown> };
    target.env = { ...target.env, EVENTS: { sendBatch: async (batch: Array<{ body: SentEvent }>) => void sent.push(...batch.map((m) => m.body)) } };
  });
  return sent;
}
