// The live console feed against the real Worker (`wrangler dev`): a browser-like WebSocket client
// (the `ws` package, no Authorization header: a ticket in the URL) sees strict chargers' changes
// within 2 s, a watched charger's journal, and costs no D1 statement while nothing changes.

import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, baseUrl, bootedCharger, sleep, uniqueChargerId, waitFor } from './helpers.ts';
import { openSocket, type RawSocket } from './raw-socket.ts';

type Console = RawSocket<Record<string, any>>;

async function openConsole(): Promise<Console> {
  const ticket = await api('POST', '/live/tickets');
  expect(ticket.status).toBe(201);
  const live = await openSocket<Record<string, any>>(`${baseUrl().replace(/^http/, 'ws')}${ticket.body.url}`);
  await waitFor('hello', () => live.messages.find((m) => m.type === 'hello'), 3_000);
  return live;
}

/** The first message matching, within 2 s of now. */
function within2s(live: Console, what: string, match: (m: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return waitFor(what, () => live.messages.find(match), 2_000);
}

async function stats(): Promise<any> {
  const res = await api('GET', '/isolate-stats');
  expect(res.status).toBe(200);
  return res.body;
}

describe('live console feed', () => {
  it('refuses a bad ticket with 401 before upgrading', async () => {
    // A real WebSocket handshake (fetch refuses Upgrade headers): the answer is HTTP, never a socket.
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl().replace(/^http/, 'ws')}/api/v1/live?ticket=v1.bogus.bogus`);
      ws.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      ws.on('open', () => {
        ws.close();
        reject(new Error('the socket opened'));
      });
      ws.on('error', () => undefined);
    });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).error.code).toBe('InvalidTicket');
  });

  it('1.6 §4.9 §5: a strict 1.6 charger\u2019s status change, transaction start and disconnection reach a console within 2 s', async () => {
    const live = await openConsole();
    const id = uniqueChargerId('LIVE16');
    const client = await bootedCharger('ocpp1.6', id);
    await within2s(live, 'boot', (m) => m.chargerId === id && m.type === 'charger.boot' && m.registrationStatus === 'Accepted');
    await client.call('StatusNotification', { connectorId: 1, status: 'Preparing', errorCode: 'NoError' });
    await within2s(live, 'status', (m) => m.chargerId === id && m.type === 'connector.status' && m.status === 'Preparing');
    const started = (await client.call('StartTransaction', { connectorId: 1, idTag: 'LIVE-E2E', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
    await within2s(live, 'start', (m) => m.chargerId === id && m.type === 'transaction.started' && m.transactionId === String(started.transactionId));
    await client.close({ force: true });
    await within2s(live, 'disconnect', (m) => m.chargerId === id && m.type === 'charger.disconnected');
  });

  it('2.0.1 G01 E01: a strict 2.0.1 charger\u2019s status and transaction start reach a console within 2 s; watched, its journal frames follow', async () => {
    const live = await openConsole();
    const id = uniqueChargerId('LIVE201');
    const client = await bootedCharger('ocpp2.0.1', id);
    live.ws.send(JSON.stringify({ type: 'watch', chargerId: id }));
    await within2s(live, 'watching', (m) => m.type === 'watching' && m.chargerId === id);
    await client.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await within2s(live, 'status', (m) => m.chargerId === id && m.type === 'connector.status' && m.status === 'Occupied');
    await client.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'LIVE-E2E-1' },
      evse: { id: 1, connectorId: 1 },
    });
    await within2s(live, 'start', (m) => m.chargerId === id && m.type === 'transaction.started' && m.transactionId === 'LIVE-E2E-1');
    await within2s(live, 'journal', (m) => m.chargerId === id && m.type === 'journal' && m.entry.action === 'TransactionEvent' && m.entry.direction === 'in');
  });

  it('an idle console costs no D1 statement over a window, its pings answered', async () => {
    const live = await openConsole();
    // Let earlier tests' chargers finish (their disconnections are D1 writes of their own).
    await sleep(1_500);
    const before = await stats();
    for (let i = 0; i < 3; i++) {
      const pongs = live.texts.filter((t) => t === '{"type":"pong"}').length;
      live.ws.send('{"type":"ping"}');
      await waitFor('pong', () => (live.texts.filter((t) => t === '{"type":"pong"}').length > pongs ? true : undefined), 2_000);
      await sleep(500);
    }
    const after = await stats();
    // The two GET /isolate-stats themselves run no D1 statement.
    expect(after.d1Statements - before.d1Statements).toBe(0);
    expect(after.consoleHubRequests - before.consoleHubRequests).toBe(0);
    expect(after.consoleWebSocketMessages - before.consoleWebSocketMessages).toBe(0);
  });

  it('an unwatched charger that boots and beats makes fleet messages and no detail message', async () => {
    await openConsole();
    const before = await stats();
    const client = await bootedCharger('ocpp1.6', uniqueChargerId('QUIET'));
    await client.call('Heartbeat', {});
    await sleep(1_200);
    const after = await stats();
    expect(after.liveDetailMessages - before.liveDetailMessages).toBe(0);
    expect(after.liveFleetMessages - before.liveFleetMessages).toBeGreaterThan(0);
  });
});
