// Starts the real Worker with `wrangler dev` on a free loopback port, and stops it after the run.
//
// The D1 migrations are applied to a fresh temporary state directory first, so every run starts
// from an empty fleet. wrangler runs under this process's Node (process.execPath), in its own
// process group, so teardown can stop wrangler and workerd together.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the Worker under test listens, e.g. http://127.0.0.1:40123. */
    baseUrl: string;
  }
}

/** The API token the Worker is started with; tests send it as a bearer token. */
export const E2E_API_TOKEN = 'e2e-token';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 60_000;
const MIGRATIONS_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

const root = resolve(import.meta.dirname, '../..');
const wranglerJs = join(root, 'node_modules/wrangler/bin/wrangler.js');

function freePort(): Promise<number> {
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
function wranglerEnv(stateDir: string): NodeJS.ProcessEnv {
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

function tail(file: string, lines = 60): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function stop(child: ChildProcess): Promise<void> {
  killGroup(child, 'SIGTERM');
  const gone = await Promise.race([
    exited(child).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref()),
  ]);
  // workerd may outlive wrangler; SIGKILL whatever is left of the group either way.
  killGroup(child, 'SIGKILL');
  if (!gone) await exited(child);
}

async function waitForHealth(baseUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev was not healthy within ${STARTUP_TIMEOUT_MS / 1000} s (${lastError}):\n${tail(logFile)}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ocpp-csms-e2e-'));
  const persistTo = join(stateDir, 'state');
  const logFile = join(stateDir, 'wrangler.log');
  const env = wranglerEnv(stateDir);
  let child: ChildProcess | undefined;

  const cleanup = async (): Promise<void> => {
    if (child) await stop(child);
    child = undefined;
    rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    const migrate = spawnSync(
      process.execPath,
      [wranglerJs, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
      { cwd: root, env, encoding: 'utf8', timeout: MIGRATIONS_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    if (migrate.status !== 0) {
      throw new Error(
        `wrangler d1 migrations apply failed (${migrate.status ?? migrate.signal ?? migrate.error}):\n${migrate.stdout}\n${migrate.stderr}`,
      );
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
          '--ip', HOST,
          '--port', String(port),
          '--inspector-ip', HOST,
          '--inspector-port', String(inspectorPort),
          '--persist-to', persistTo,
          '--var', `API_TOKEN:${E2E_API_TOKEN}`,
          // As `npm start` does: the deployed default rejects chargers not registered first.
          '--var', 'UNKNOWN_CHARGER_POLICY:accept',
          '--show-interactive-dev-session=false',
          '--live-reload=false',
          '--log-level', 'log',
        ],
        // Its own process group (detached), so teardown reaches workerd too; stdin closed: no prompts.
        { cwd: root, env, detached: true, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    // If vitest is interrupted (Ctrl-C, SIGTERM) teardown does not run: leave nothing behind anyway.
    const onExit = (): void => {
      if (child) killGroup(child, 'SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    };
    process.once('exit', onExit);

    await waitForHealth(baseUrl, child, logFile);
    project.provide('baseUrl', baseUrl);

    return async () => {
      process.off('exit', onExit);
      await cleanup();
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
