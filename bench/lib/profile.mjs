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

/** A profile node's function as printed: its name, file and line. */
function frameName({ functionName, url, lineNumber }) {
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

/** A profile's nodes by id, each node's parent, and the samples taken in each node. */
function indexProfile(profile) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  return { byNode, parentOf, counts };
}

/**
 * The `limit` functions with the most self time, with their share of all samples. A native
 * function (SQLite's `exec`, `toArray`, `JSON.parse`: no source file) says little by itself, so
 * `callers` lists the JavaScript functions whose calls to it took those samples.
 */
export function hotFunctions(profile, limit = 25) {
  const { byNode, parentOf, counts } = indexProfile(profile);
  const byFunction = new Map();
  for (const [id, count] of counts) {
    const { callFrame } = byNode.get(id);
    const key = frameName(callFrame);
    const entry = byFunction.get(key) ?? { count: 0, callers: new Map() };
    entry.count += count;
    if (!callFrame.url) {
      // The nearest named caller with a source file is the code that asked for the native work
      // (anonymous ones are mostly wrappers, like the storage counters' around every exec).
      const named = ({ url, functionName }) => Boolean(url && functionName);
      let parent = parentOf.get(id);
      while (parent !== undefined && !named(byNode.get(parent).callFrame)) parent = parentOf.get(parent);
      const caller = parent === undefined ? '(none)' : frameName(byNode.get(parent).callFrame);
      entry.callers.set(caller, (entry.callers.get(caller) ?? 0) + count);
    }
    byFunction.set(key, entry);
  }
  const total = profile.samples.length;
  return [...byFunction]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, limit)
    .map(([name, { count, callers }]) => ({
      name,
      share: count / total,
      callers: [...callers]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([caller, n]) => ({ name: caller, share: n / total })),
    }));
}

/**
 * The `limit` functions with the most total time (their own and that of what they called), with
 * their share of all samples: where a message's CPU goes, by the code that spends it.
 */
export function heavyFunctions(profile, limit = 40) {
  const { byNode, parentOf, counts } = indexProfile(profile);
  const byFunction = new Map();
  for (const [id, count] of counts) {
    // Each function on the sample's stack once, however deep it recursed.
    const seen = new Set();
    for (let node = id; node !== undefined; node = parentOf.get(node)) {
      const { callFrame } = byNode.get(node);
      if (!callFrame.url) continue;
      const key = frameName(callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      byFunction.set(key, (byFunction.get(key) ?? 0) + count);
    }
  }
  const total = profile.samples.length;
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, share: count / total }));
}
