// The live console feed (src/live, charger/live-feed.ts; README "Live console feed"): tickets, the
// hub's WebSocket, the fleet feed within 2 s, the detail feed only while watched and redacted, and
// an idle console costing nothing.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import { isolateStats } from '../../src/isolate-stats';
import { HUB_NAME, PING, PONG } from '../../src/live/hub';
import { signClaims, ticketKey } from '../../src/live/tickets';
import { answeringCharger } from './answering-charger';
import { api, RawCharger, uniqueChargerId, worker } from './helpers';

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const hex = (text: string) => [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** A console: a WebSocket on the feed that keeps every message it receives. */
class LiveConsole {
  readonly messages: Array<Record<string, any>> = [];
  readonly texts: string[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (event) => {
      this.texts.push(event.data as string);
      this.messages.push(JSON.parse(event.data as string));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(token?: string): Promise<LiveConsole> {
    const ticket = await newTicket(token);
    const res = await worker(`/api/v1/live?ticket=${encodeURIComponent(ticket)}`, { headers: { upgrade: 'websocket' } });
    if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
    res.webSocket.accept();
    const live = new LiveConsole(res.webSocket);
    await live.waitFor((m) => m.type === 'hello');
    return live;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (from the start) that matches, waiting up to `ms` for it. */
  async waitFor(match: (m: Record<string, any>) => boolean, ms = 2_000): Promise<Record<string, any>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForClose(ms = 3_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), ms);
      this.waiters.push(() => {
        if (!this.closed) return;
        clearTimeout(timer);
        resolve(this.closed);
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

async function newTicket(token?: string): Promise<string> {
  const res = await api('POST', '/live/tickets', undefined, token);
  expect(res.status).toBe(201);
  const body = (await res.json()) as { ticket: string; expiresInSeconds: number; url: string };
  expect(body.expiresInSeconds).toBeLessThanOrEqual(60);
  expect(body.url).toBe(`/api/v1/live?ticket=${encodeURIComponent(body.ticket)}`);
  return body.ticket;
}

function openWith(ticket: string | undefined, upgrade = true): Promise<Response> {
  const query = ticket === undefined ? '' : `?ticket=${encodeURIComponent(ticket)}`;
  return worker(`/api/v1/live${query}`, { headers: upgrade ? { upgrade: 'websocket' } : {} });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hub = () => env.CONSOLE_HUB!.getByName(HUB_NAME);

/** Changes the hub instance's configuration (as a deployment's vars would). */
async function setHubConfig(change: Partial<Config>): Promise<void> {
  await runInDurableObject(hub(), (instance) => {
    const held = instance as unknown as { config: Config };
    held.config = { ...held.config, ...change };
  });
}

const opened: LiveConsole[] = [];
const chargers: RawCharger[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
  for (const cp of chargers.splice(0)) cp.close();
});
async function openConsole(token?: string): Promise<LiveConsole> {
  const c = await LiveConsole.open(token);
  opened.push(c);
  return c;
}

describe('live feed tickets', () => {
  it('are given for a read-scoped token and never without one', async () => {
    expect((await api('POST', '/live/tickets', undefined, 'wrong-token')).status).toBe(401);
    const made = await api('POST', '/tokens', { name: 'live reader', scopes: ['read'] });
    expect(made.status).toBe(201);
    const reader = ((await made.json()) as { token: string }).token;
    const c = await openConsole(reader);
    const hello = c.messages[0]!;
    expect(hello).toMatchObject({ type: 'hello', scopes: ['read'] });
    expect(Date.parse(hello.closesAt) - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it('a missing, forged or other-purpose ticket is refused 401 before any upgrade', async () => {
    const key = await ticketKey({ API_TOKEN: 'another-deployment-token' });
    const forged = await signClaims(key!, { holder: 'root', scopes: ['admin'], expires: Math.floor(Date.now() / 1000) + 30, nonce: crypto.randomUUID() });
    const good = await newTicket();
    const tampered = good.replace(/\.([^.]+)\./, (_, payload: string) => `.${payload.slice(0, -2)}AA.`);
    for (const ticket of [undefined, '', 'nonsense', forged, tampered]) {
      const res = await openWith(ticket);
      expect(res.status, String(ticket)).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as any).error.code).toBe('InvalidTicket');
    }
    // A good ticket on a plain GET: 426, and the hub never hears of it.
    const before = isolateStats.consoleHubRequests;
    expect((await openWith(good, false)).status).toBe(426);
    expect(isolateStats.consoleHubRequests).toBe(before);
  });

  it('an expired ticket is refused 401, and a ticket opens one socket only', async () => {
    const key = (await ticketKey(env))!;
    const expired = await signClaims(key, { holder: 'root', scopes: ['admin'], expires: Math.floor(Date.now() / 1000) - 1, nonce: crypto.randomUUID() });
    const res = await openWith(expired);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe('TicketExpired');

    const ticket = await newTicket();
    const first = await openWith(ticket);
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    first.webSocket!.close(1000, 'done');
    const again = await openWith(ticket);
    expect(again.status).toBe(401);
    expect(((await again.json()) as any).error.code).toBe('TicketUsed');
  });

  it('refuses a socket past LIVE_MAX_CONSOLES with 503 TooManyConsoles', async () => {
    await openConsole();
    await setHubConfig({ liveMaxConsoles: 1 });
    try {
      const res = await openWith(await newTicket());
      expect(res.status).toBe(503);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as any).error).toMatchObject({ code: 'TooManyConsoles', limit: 1 });
    } finally {
      await setHubConfig({ liveMaxConsoles: 100 });
    }
  });

  it('closes a socket at the end of its life (4001), so a revoked token does not keep a feed', async () => {
    await setHubConfig({ liveSocketSeconds: 1 });
    const c = await openConsole().finally(() => setHubConfig({ liveSocketSeconds: 900 }));
    await sleep(1_100);
    await runDurableObjectAlarm(hub());
    expect((await c.waitForClose()).code).toBe(4001);
  });
});

describe('the fleet feed (every console)', () => {
  it('1.6 §4.2 §4.9 §5 a connection, boot, connector status, transaction start and end, and disconnection reach a console within 2 s', async () => {
    const c = await openConsole();
    const id = uniqueChargerId('LIVE');
    const within2s = async (type: string, match: (m: Record<string, any>) => boolean = () => true) => {
      const started = Date.now();
      const message = await c.waitFor((m) => m.chargerId === id && m.type === type && match(m), 2_000);
      expect(Date.now() - started).toBeLessThan(2_000);
      return message;
    };
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    chargers.push(cp);
    expect(await within2s('charger.connected')).toMatchObject({ protocol: 'ocpp1.6' });
    await cp.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt', firmwareVersion: '1.2.3' });
    expect(await within2s('charger.boot')).toMatchObject({ registrationStatus: 'Accepted', vendor: 'Acme', model: 'Volt', firmwareVersion: '1.2.3' });
    await cp.call('StatusNotification', { connectorId: 1, status: 'Preparing', errorCode: 'NoError' });
    await within2s('connector.status', (m) => m.status === 'Preparing');
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'LIVE-TAG', meterStart: 1000, timestamp: new Date().toISOString() });
    const transactionId = String((start[2] as { transactionId: number }).transactionId);
    expect(await within2s('transaction.started')).toMatchObject({ transactionId, connectorId: 1, meterStartWh: 1000 });
    await cp.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError' });
    await within2s('connector.status', (m) => m.status === 'Charging');
    await cp.call('StopTransaction', { transactionId: Number(transactionId), meterStop: 3500, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
    expect(await within2s('transaction.ended')).toMatchObject({ transactionId, meterStopWh: 3500, energyWh: 2500, reason: 'EVDisconnected' });
    cp.close();
    expect(await within2s('charger.disconnected')).toMatchObject({ chargerId: id });
    // An unwatched charger's frames reach no console.
    expect(c.messages.filter((m) => m.chargerId === id && ['journal', 'meter', 'command'].includes(m.type))).toEqual([]);
    // Each change after the first waits for its charger's publish window (1 s): seven changes take seconds.
  }, 20_000);

  it('2.0.1 E01 E06 G01 a TransactionEvent start and end with its energy and cost, and a connector status, reach a console', async () => {
    const c = await openConsole();
    const id = uniqueChargerId('LIVE201');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    chargers.push(cp);
    await cp.boot();
    const now = new Date().toISOString();
    const reading = (wh: number, context: string) => [{ timestamp: now, sampledValue: [{ value: wh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }];
    await cp.call('StatusNotification', { timestamp: now, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await c.waitFor((m) => m.chargerId === id && m.type === 'connector.status' && m.status === 'Occupied' && m.evseId === 1);
    const event = (eventType: string, seqNo: number, extra: Record<string, unknown>) =>
      cp.call('TransactionEvent', { eventType, timestamp: now, triggerReason: 'Authorized', seqNo, transactionInfo: { transactionId: 'TX-LIVE-1' }, evse: { id: 1, connectorId: 1 }, ...extra });
    await event('Started', 0, { meterValue: reading(10_000, 'Transaction.Begin') });
    expect(await c.waitFor((m) => m.chargerId === id && m.type === 'transaction.started')).toMatchObject({ transactionId: 'TX-LIVE-1', evseId: 1, meterStartWh: 10_000 });
    await event('Ended', 1, { triggerReason: 'EVDeparted', transactionInfo: { transactionId: 'TX-LIVE-1', stoppedReason: 'EVDisconnected' }, meterValue: reading(12_500, 'Transaction.End') });
    expect(await c.waitFor((m) => m.chargerId === id && m.type === 'transaction.ended')).toMatchObject({
      transactionId: 'TX-LIVE-1',
      reason: 'EVDisconnected',
      meterStopWh: 12_500,
      energyWh: 2_500,
    });
  }, 20_000);

  it('coalesces a burst: one call to the hub carries the latest status of each connector', async () => {
    const c = await openConsole();
    const id = uniqueChargerId('BURST');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    chargers.push(cp);
    await cp.boot();
    await c.waitFor((m) => m.chargerId === id && m.type === 'charger.boot');
    // Past the publish window of the boot's call, then a burst well inside one window (sent at once).
    await sleep(1_100);
    const burst = ['Preparing', 'Charging', 'SuspendedEV', 'Charging'];
    burst.forEach((status, i) => cp.sendRaw(JSON.stringify([2, `burst-${i}`, 'StatusNotification', { connectorId: 1, status, errorCode: 'NoError' }])));
    for (let i = 0; i < burst.length; i++) expect((await cp.next())[0]).toBe(3);
    await sleep(1_300);
    const statuses = c.messages.filter((m) => m.chargerId === id && m.type === 'connector.status').map((m) => m.status);
    // At most two calls: one as the burst starts, one when the window ends, with the latest status.
    expect(statuses.at(-1)).toBe('Charging');
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    expect(statuses.length).toBeLessThanOrEqual(2);
  });
});

describe('the detail feed (only while watched)', () => {
  it('a watched charger\u2019s journal frames arrive redacted as the journal keeps them; its password never reaches a console (A01, 1.6 §7.6 AuthorizationKey)', async () => {
    const id = uniqueChargerId('WATCH');
    const firstPassword = 'first-password-live';
    const newPassword = 'Rotated-Live-Secret1';
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: firstPassword })).status).toBe(201);
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, firstPassword) });
    chargers.push(cp);
    await cp.boot();
    cp.ws.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data as string) as unknown[];
      if (frame[0] !== 2) return;
      // The charger, carelessly, reports its password back when asked.
      const answer =
        frame[2] === 'GetConfiguration'
          ? { configurationKey: [{ key: 'AuthorizationKey', readonly: false, value: hex(newPassword).toUpperCase() }, { key: 'HeartbeatInterval', readonly: false, value: '300' }] }
          : { status: 'Accepted' };
      cp.sendRaw(JSON.stringify([3, frame[1], answer]));
    });
    const c = await openConsole();
    c.send({ type: 'watch', chargerId: id });
    expect(await c.waitFor((m) => m.type === 'watching' && m.chargerId === id)).toMatchObject({ until: expect.any(String) });

    expect((await api('POST', `/chargers/${id}/password`, { password: newPassword })).status).toBe(200);
    expect((await api('POST', `/chargers/${id}/commands/GetConfiguration`, {})).status).toBe(200);
    cp.sendRaw(JSON.stringify([2, 'hb-1', 'Heartbeat', {}]));
    await c.waitFor((m) => m.type === 'journal' && m.chargerId === id && m.entry.messageId === 'hb-1' && m.entry.direction === 'in');
    const changeOut = await c.waitFor((m) => m.type === 'journal' && m.entry.direction === 'out' && m.entry.action === 'ChangeConfiguration');
    expect(changeOut.entry.text).toContain('<redacted>');
    const reported = await c.waitFor((m) => m.type === 'journal' && m.entry.direction === 'in' && m.entry.messageType === 3 && m.entry.text.includes('HeartbeatInterval'));
    expect(reported.entry.text).toContain('<redacted>');
    await c.waitFor((m) => m.type === 'command' && m.chargerId === id && m.action === 'GetConfiguration' && m.ok === true);
    await c.waitFor((m) => m.type === 'command' && m.chargerId === id && m.action === 'ChangeConfiguration');
    // What the journal API shows and what the console got are the same redacted text.
    const journal = ((await (await api('GET', `/chargers/${id}/messages?limit=50`)).json()) as { messages: Array<{ text: string }> }).messages.map((m) => m.text);
    expect(journal).toContain(changeOut.entry.text);
    const everything = c.texts.join('\n');
    for (const secret of [newPassword, hex(newPassword), hex(newPassword).toUpperCase(), firstPassword]) expect(everything).not.toContain(secret);
  });

  it('an unwatched charger publishes no detail; watching adds meter values; unwatching stops them', async () => {
    const id = uniqueChargerId('QUIET');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    chargers.push(cp);
    await cp.boot();
    const c = await openConsole();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'Q-TAG', meterStart: 0, timestamp: new Date().toISOString() });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    const meter = (wh: number) =>
      cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });

    const before = isolateStats.liveDetailMessages;
    await meter(100);
    await cp.call('Heartbeat', {});
    await sleep(1_200);
    expect(isolateStats.liveDetailMessages).toBe(before);
    expect(c.messages.filter((m) => m.chargerId === id && !['charger.boot', 'transaction.started', 'charger.connected'].includes(m.type))).toEqual([]);

    c.send({ type: 'watch', chargerId: id });
    await c.waitFor((m) => m.type === 'watching' && m.chargerId === id);
    await meter(250);
    expect(await c.waitFor((m) => m.type === 'meter' && m.chargerId === id)).toMatchObject({ transactionId: String(transactionId), connectorId: 1, registerWh: 250 });
    expect(isolateStats.liveDetailMessages).toBeGreaterThan(before);

    c.send({ type: 'unwatch', chargerId: id });
    await c.waitFor((m) => m.type === 'unwatched' && m.chargerId === id);
    await sleep(1_100);
    const after = isolateStats.liveDetailMessages;
    await meter(400);
    await sleep(1_200);
    expect(isolateStats.liveDetailMessages).toBe(after);
    expect(c.messages.some((m) => m.type === 'meter' && m.registerWh === 400)).toBe(false);
  }, 20_000);

  it('a watch outlives the charger object\u2019s hibernation: the mark kept on its socket brings its next frame to the console', async () => {
    const id = uniqueChargerId('SLEEPY');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    chargers.push(cp);
    await cp.boot();
    const c = await openConsole();
    c.send({ type: 'watch', chargerId: id });
    await c.waitFor((m) => m.type === 'watching' && m.chargerId === id);
    // Hibernation, as the object's memory goes: its live feed as a new instance makes it, no mark.
    await runInDurableObject(env.CHARGERS.getByName(id), (instance) => {
      const held = instance as unknown as { live: { watchedUntil: number; chargerId: string | undefined } };
      held.live.watchedUntil = 0;
      held.live.chargerId = undefined;
    });
    cp.sendRaw(JSON.stringify([2, 'after-sleep', 'Heartbeat', {}]));
    await c.waitFor((m) => m.type === 'journal' && m.chargerId === id && m.entry.messageId === 'after-sleep' && m.entry.direction === 'in');
  });

  it('refuses to watch an unknown charger, and refuses bad console messages with an error message', async () => {
    const c = await openConsole();
    const constructed = isolateStats.chargerObjectsConstructed;
    c.send({ type: 'watch', chargerId: uniqueChargerId('NOBODY') });
    expect(await c.waitFor((m) => m.type === 'error' && m.code === 'UnknownCharger')).toBeTruthy();
    expect(isolateStats.chargerObjectsConstructed).toBe(constructed);
    c.send('not json');
    await c.waitFor((m) => m.type === 'error' && m.code === 'InvalidMessage');
    c.send({ type: 'watch', chargerId: 'bad:id' });
    await c.waitFor((m) => m.type === 'error' && m.code === 'InvalidChargerId');
  });
});

describe('an idle console', () => {
  it('costs no D1 statement and does not wake the hub: its pings are answered by the runtime', async () => {
    const c = await openConsole();
    // Earlier tests' chargers finish disconnecting first (their ends are D1 writes of their own).
    await sleep(1_500);
    const before = { ...isolateStats };
    for (let i = 0; i < 3; i++) {
      const count = c.texts.filter((t) => t === PONG).length;
      c.send(PING);
      await c.waitFor(() => c.texts.filter((t) => t === PONG).length > count);
      await sleep(300);
    }
    expect(isolateStats.d1Statements - before.d1Statements).toBe(0);
    expect(isolateStats.d1RowsRead - before.d1RowsRead).toBe(0);
    expect(isolateStats.consoleWebSocketMessages - before.consoleWebSocketMessages).toBe(0);
    expect(isolateStats.consoleHubRequests - before.consoleHubRequests).toBe(0);
  });
});
