// The benchmark's ceiling (target b): one Durable Object per charger, as in the CSMS, that answers
// each CALL with a fixed CALLRESULT for its action. It reads only the message id and the action.
// Target b′ (/ocpp-durable/…) does the same after one insert into the object's SQLite storage: the
// ceiling for a server that, like the CSMS, makes what it acknowledges durable before answering.

import { DurableObject } from 'cloudflare:workers';

const now = new Date().toISOString();
/** The fixed answer per action: valid for both versions' strict clients where the names overlap. */
const ANSWERS = {
  BootNotification: { status: 'Accepted', currentTime: now, interval: 300 },
  Heartbeat: { currentTime: now },
  StatusNotification: {},
  MeterValues: {},
  Authorize: { idTagInfo: { status: 'Accepted' } },
  StartTransaction: { transactionId: 1, idTagInfo: { status: 'Accepted' } },
  StopTransaction: {},
  TransactionEvent: {},
};
const ANSWER_TEXT = Object.fromEntries(Object.entries(ANSWERS).map(([action, payload]) => [action, JSON.stringify(payload)]));

export class BareCharger extends DurableObject {
  async fetch(request) {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    const protocol = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',')[0].trim();
    const headers = protocol ? { 'Sec-WebSocket-Protocol': protocol } : {};
    return new Response(null, { status: 101, webSocket: pair[0], headers });
  }

  webSocketMessage(ws, message) {
    const [, id, action] = JSON.parse(message);
    ws.send(`[3,${JSON.stringify(id)},${ANSWER_TEXT[action] ?? '{}'}]`);
  }
}

export class DurableBareCharger extends BareCharger {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  }

  webSocketMessage(ws, message) {
    // The answer waits for the write to be durable: the runtime's output gate holds it until then.
    this.ctx.storage.sql.exec('INSERT INTO frames (text) VALUES (?)', message);
    super.webSocketMessage(ws, message);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/health') return new Response('ok');
    const match = url.pathname.match(/^\/(ocpp|ocpp-durable)\/([^/]+)$/);
    if (!match || request.headers.get('Upgrade') !== 'websocket') return new Response('Not found', { status: 404 });
    const namespace = match[1] === 'ocpp' ? env.CHARGERS : env.DURABLE_CHARGERS;
    return namespace.getByName(decodeURIComponent(match[2])).fetch(request);
  },
};
