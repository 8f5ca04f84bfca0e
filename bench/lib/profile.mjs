// A CPU profile of the Worker under load, taken through wrangler dev's DevTools inspector, and
// summarised as the functions that used the most CPU themselves (self time).

import WebSocket from 'ws';

export class InspectorProfiler {
  constructor(inspectorUrl) {
    this.inspectorUrl = inspectorUrl;
    this.nextId = 1;
    this.waiting = new Map();
  }

  async connect() {
    const targets = await (await fetch(`${this.inspectorUrl.replace('ws:', 'http:')}/json`)).json();
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error('the inspector lists no target');
    this.ws = await new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
      else waiter.resolve(message.result);
    });
  }

  send(method, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async start() {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: 200 });
    await this.send('Profiler.start');
  }

  async stop() {
    const { profile } = await this.send('Profiler.stop');
    this.ws.close();
    return profile;
  }
}

/** The `limit` functions with the most self time, with their share of all samples. */
export function hotFunctions(profile, limit = 25) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const byFunction = new Map();
  for (const [id, count] of counts) {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + count);
  }
  const total = profile.samples.length;
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, share: count / total }));
}
