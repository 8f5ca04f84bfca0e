// Starts a Worker with `wrangler dev` on a free loopback port and stops it again: for the e2e
// tests and the benchmark, which both need the real Worker running on this machine.
//
// The D1 migrations (when the config has a database) are applied to a fresh temporary state
// directory first, so every run starts from an empty fleet. wrangler runs under this process's
// Node (process.execPath), in its own process group, so stopping reaches workerd too.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 60_000;
// Generous: on a loaded 2-core machine applying every migration has taken 85 s.
const MIGRATIONS_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 5_000;

const root = resolve(import.meta.dirname, '../..');
const wranglerJs = join(root, 'node_modules/wrangler/bin/wrangler.js');

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Keeps wrangler off the network, away from the user's global wrangler state, and non-interactive. */
function wranglerEnv(stateDir) {
  return {
    ...process.env,
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    DO_NOT_TRACK: '1',
    WRANGLER_HIDE_BANNER: 'true',
    WRANGLER_WRITE_LOGS: 'false',
    WRANGLER_LOG_PATH: join(stateDir, 'wrangler-logs'),
    // The dev registry lets local `wrangler dev` sessions find each other; keep ours private.
    WRANGLER_REGISTRY_PATH: join(stateDir, 'registry'),
    XDG_CONFIG_HOME: join(stateDir, 'config'),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

function tail(file, lines = 60) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

function killGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitReady(baseUrl, readyPath, child, logFile) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${baseUrl}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev was not ready within ${STARTUP_TIMEOUT_MS / 1000} s (${lastError}):\n${tail(logFile)}`);
}

/**
 * Starts `wrangler dev` for `config` (a wrangler.toml path, default the project's) with `vars`,
 * waits until GET `readyPath` answers 200, and returns where it listens and how to stop it.
 */
export async function startWranglerDev({ config, vars = {}, readyPath = '/api/v1/health', migrate = true } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'ocpp-csms-dev-'));
  const persistTo = join(stateDir, 'state');
  const logFile = join(stateDir, 'wrangler.log');
  const env = wranglerEnv(stateDir);
  const configArgs = config ? ['--config', config] : [];
  let child;

  const stop = async () => {
    if (child) {
      killGroup(child, 'SIGTERM');
      const gone = await Promise.race([
        exited(child).then(() => true),
        new Promise((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref()),
      ]);
      // workerd may outlive wrangler; SIGKILL whatever is left of the group either way.
      killGroup(child, 'SIGKILL');
      if (!gone) await exited(child);
      child = undefined;
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  // If the caller is interrupted (Ctrl-C, SIGTERM) it may not stop us: leave nothing behind anyway.
  const onExit = () => {
    if (child) killGroup(child, 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    if (migrate) {
      const applied = spawnSync(
        process.execPath,
        [wranglerJs, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo, ...configArgs],
        { cwd: root, env, encoding: 'utf8', timeout: MIGRATIONS_TIMEOUT_MS, killSignal: 'SIGKILL' },
      );
      if (applied.status !== 0) {
        throw new Error(
          `wrangler d1 migrations apply failed (${applied.status ?? applied.signal ?? applied.error}):\n${applied.stdout}\n${applied.stderr}`,
        );
      }
    }
    const port = await freePort();
    const inspectorPort = await freePort();
    const baseUrl = `http://${HOST}:${port}`;
    const log = openSync(logFile, 'a');
    try {
      child = spawn(
        process.execPath,
        [
          wranglerJs,
          'dev',
          ...configArgs,
          '--ip', HOST,
          '--port', String(port),
          '--inspector-ip', HOST,
          '--inspector-port', String(inspectorPort),
          '--persist-to', persistTo,
          ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
          '--show-interactive-dev-session=false',
          '--live-reload=false',
          '--log-level', 'log',
        ],
        // Its own process group (detached), so stop() reaches workerd too; stdin closed: no prompts.
        { cwd: root, env, detached: true, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    process.once('exit', onExit);
    await waitReady(baseUrl, readyPath, child, logFile);
    return {
      baseUrl,
      /** The DevTools inspector of the Worker (a CPU profile can be taken through it). */
      inspectorUrl: `ws://${HOST}:${inspectorPort}`,
      /** The wrangler process; workerd runs as its descendant. */
      pid: child.pid,
      /** The local state (D1, Durable Objects, R2) wrangler keeps under --persist-to; removed by stop(). */
      persistTo,
      logFile,
      /** The last lines wrangler and the Worker printed. */
      logTail: (lines = 60) => tail(logFile, lines),
      stop: async () => {
        process.off('exit', onExit);
        await stop();
      },
    };
  } catch (error) {
    process.off('exit', onExit);
    await stop();
    throw error;
  }
}
