// The three servers the bench compares, each started on a free 127.0.0.1 port and stopped after.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join, resolve } from 'node:path';
import { freePort, HOST, startWranglerDev } from '../../scripts/lib/wrangler-dev.mjs';
import { listeningPorts, supervisingPids, workerPid } from './proc.mjs';

export const BENCH_API_TOKEN = 'bench-token';
const benchDir = resolve(import.meta.dirname, '..');
const root = resolve(benchDir, '..');

/**
 * Starts `wrangler dev` and finds the Worker's own workerd socket. The bench talks to it
 * directly: wrangler's ProxyWorker (for live reload) would add a hop and a second socket to every
 * connection, and this machine allows a process 20,000 open files.
 */
async function startWorker(options) {
  const dev = await startWranglerDev(options);
  try {
    const pid = workerPid(dev.pid);
    for (const port of listeningPorts(pid)) {
      const url = `http://${HOST}:${port}`;
      const ok = await fetch(`${url}${options.readyPath ?? '/api/v1/health'}`).then((r) => r.ok, () => false);
      if (ok) {
        return {
          directUrl: url,
          ocppUrl: `ws://${HOST}:${port}/ocpp`,
          inspectorUrl: dev.inspectorUrl,
          logTail: dev.logTail,
          persistTo: dev.persistTo,
          pids: [pid],
          supervisorPids: supervisingPids(dev.pid),
          stop: dev.stop,
        };
      }
    }
    throw new Error(`no socket of workerd ${pid} serves the Worker`);
  } catch (error) {
    await dev.stop();
    throw error;
  }
}

/**
 * (a) This CSMS under `wrangler dev`, with its deployed defaults but for two: chargers need no
 * registration first, and a charger hands its facts to its FleetWriter after 2 s rather than
 * 300 s, so that what a run causes reaches D1 (and is counted) soon after it ends. The writer
 * keeps its deployed batching (FLEET_FLUSH_SECONDS 30, or 4,000 facts), which is what decides
 * how many D1 statements the facts cost. `drainSeconds` is how long after the load that takes.
 */
export async function startCsms(extraVars = {}, { config, name = '(a) this CSMS' } = {}) {
  const vars = {
    API_TOKEN: BENCH_API_TOKEN,
    UNKNOWN_CHARGER_POLICY: 'accept',
    FLUSH_DELAY_SECONDS: '2',
    FLEET_FLUSH_SECONDS: '30',
    ...extraVars,
  };
  const dev = await startWorker({ vars, config });
  const api = async (method, path, body) => {
    const res = await fetch(`${dev.directUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${BENCH_API_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    ...dev,
    name,
    vars,
    api,
    isolateStats: () => api('GET', '/isolate-stats'),
    d1UsedBytes: () => d1UsedBytes(dev.persistTo),
    drainSeconds: Number(vars.FLUSH_DELAY_SECONDS) + Number(vars.FLEET_FLUSH_SECONDS) + 5,
  };
}

/**
 * The bytes the local D1 database keeps: its pages in use (page_count − freelist_count) ×
 * page_size, read from its SQLite file (read-only; the file is in WAL mode, so this reads what
 * has committed). A delete frees pages that later writes reuse; the file itself does not shrink
 * (no auto-vacuum). Read before and after each sub-phase, independently of what D1 reports
 * (meta.size_after, known only after a statement that reports it).
 */
export function d1UsedBytes(persistTo) {
  const dir = join(persistTo, 'v3/d1/miniflare-D1DatabaseObject');
  const files = readdirSync(dir).filter((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.length}`);
  const db = new DatabaseSync(join(dir, files[0]), { readOnly: true });
  try {
    const pragma = (name) => Object.values(db.prepare(`PRAGMA ${name}`).get())[0];
    return (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
  } finally {
    db.close();
  }
}

/**
 * The CSMS as it was at `ref` (a commit, branch or tag), for before/after figures: a detached git
 * worktree in a temporary directory sharing this checkout's node_modules. `remove()` deletes it.
 */
export function baselineCheckout(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-baseline-'));
  const git = (...args) => {
    const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout.trim();
  };
  const commit = git('rev-parse', '--short', `${ref}^{commit}`);
  rmSync(dir, { recursive: true, force: true });
  git('worktree', 'add', '--detach', dir, commit);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    commit,
    config: join(dir, 'wrangler.toml'),
    remove: () => {
      spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root });
      rmSync(dir, { recursive: true, force: true });
      spawnSync('git', ['worktree', 'prune'], { cwd: root });
    },
  };
}

/** (b) A Durable Object that only answers a fixed CALLRESULT (bench/bare): the runtime's ceiling. */
export async function startBare() {
  const dev = await startWorker({ config: resolve(benchDir, 'bare/wrangler.toml'), readyPath: '/health', migrate: false });
  return { ...dev, name: '(b) bare Durable Object' };
}

/** (b′) The same, but each frame is written to the object's SQLite storage before the answer. */
export async function startDurableBare() {
  const bare = await startBare();
  return { ...bare, name: '(b′) bare Durable Object + one SQLite write', ocppUrl: bare.ocppUrl.replace(/\/ocpp$/, '/ocpp-durable') };
}

/** (c) A Node.js server on ocpp-rpc with strict validation (bench/node-server.mjs). */
export async function startNodeServer() {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(benchDir, 'node-server.mjs'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('node server did not start in 30 s')), 30_000);
    child.stdout.on('data', (data) => {
      if (String(data).includes('listening')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => fail(new Error(`node server exited (${code})`)));
  });
  return {
    name: '(c) Node.js + ocpp-rpc (strict)',
    ocppUrl: `ws://${HOST}:${port}/ocpp`,
    pids: [child.pid],
    supervisorPids: [],
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
