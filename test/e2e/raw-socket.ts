// A plain WebSocket client (the `ws` package) for the e2e tests that must not go through ocpp-rpc:
// the live console feed, and OCPP frames a strict client cannot send (2.1 SEND, CALLRESULTERROR).
// Every text frame received is kept, raw and parsed, and can be awaited.

import { onTestFinished } from 'vitest';
import WebSocket from 'ws';

export interface RawSocket<M = unknown> {
  ws: WebSocket;
  /** The subprotocol the server chose ('' when none was offered). */
  protocol: string;
  /** Every text frame received, in order, as sent. */
  texts: string[];
  /** The same frames parsed as JSON (a frame that is not JSON is kept as its text). */
  messages: M[];
  /** The close code, once the socket closed. */
  closed?: number;
  /** Sends `frame` as JSON, or as is when it is a string. */
  send(frame: unknown): void;
  /**
   * The first frame received (before or after this call) that matches and that no earlier `next`
   * returned; rejects after `ms`.
   */
  next(predicate: (message: M) => boolean, ms?: number): Promise<M>;
}

/** Opens a socket to `url` (ws:// or wss://); it is closed when the test ends. */
export async function openSocket<M = unknown>(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<RawSocket<M>> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers, perMessageDeflate: false });
  const taken = new Set<number>();
  const waiters = new Set<() => void>();
  const socket: RawSocket<M> = {
    ws,
    protocol: '',
    texts: [],
    messages: [],
    send(frame) {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next(predicate, ms = 5_000) {
      return new Promise<M>((resolve, reject) => {
        const check = (): void => {
          const index = socket.messages.findIndex((message, i) => !taken.has(i) && predicate(message));
          if (index < 0) return;
          taken.add(index);
          done();
          resolve(socket.messages[index]!);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching frame within ${ms} ms; received ${JSON.stringify(socket.texts).slice(0, 500)}`));
        }, ms);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Kept as text; a predicate can still look at it.
    }
    socket.texts.push(text);
    socket.messages.push(parsed as M);
    for (const check of [...waiters]) check();
  });
  ws.on('close', (code) => {
    socket.closed = code;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => undefined); // after the handshake, a failure shows as `closed`
  socket.protocol = ws.protocol;
  onTestFinished(async () => {
    // A clean close, as a charger or a browser would; cut the socket if the server does not answer.
    if (ws.readyState === WebSocket.OPEN) {
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close(1000);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
    ws.terminate();
  });
  return socket;
}
