// The charger simulator (scripts/simulate.mjs) as an operator runs it: a child process against the
// Worker under test, registering its chargers and tag through the API, then charging.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { E2E_API_TOKEN } from './global-setup.ts';
import { api, waitFor } from './helpers.ts';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/simulate.mjs');
const CHARGERS = 5;
const DURATION_SECONDS = 8;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the simulator under this Node; kills it if it outlives the run by far. */
function simulate(args: string[], killAfterMs: number): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

interface Transaction {
  chargerId: string;
  protocol: string;
  status: 'active' | 'completed';
  energyWh: number | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  stopReason: string | null;
}

async function transactionsOf(chargerId: string): Promise<Transaction[]> {
  const res = await api<{ transactions: Transaction[] }>('GET', `/transactions?chargerId=${encodeURIComponent(chargerId)}&limit=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.transactions;
}

describe('charger simulator', () => {
  it(`runs ${CHARGERS} mixed chargers for ${DURATION_SECONDS} s: exits 0, sessions completed, the API shows their energy`, async () => {
    const base = inject('baseUrl');
    const prefix = `SIMT${randomUUID().slice(0, 6)}`;
    const run = await simulate(
      [
        '--chargers', String(CHARGERS),
        '--protocol', 'mixed',
        '--url', `${base.replace(/^http/, 'ws')}/ocpp`,
        '--duration', String(DURATION_SECONDS),
        '--meter-interval', '1',
        '--id-prefix', prefix,
        '--api', base,
        '--token', E2E_API_TOKEN,
      ],
      (DURATION_SECONDS + 30) * 1000,
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);

    // The summary: every charger booted, sessions completed with energy, no errors.
    expect(run.stdout, output).toMatch(new RegExp(`chargers\\s+${CHARGERS} \\(3 ocpp2\\.0\\.1, 2 ocpp1\\.6; ${CHARGERS} booted\\)`));
    const completed = Number(/sessions completed\s+(\d+)/.exec(run.stdout)?.[1]);
    const summaryKWh = Number(/energy delivered\s+([\d.]+) kWh/.exec(run.stdout)?.[1]);
    expect(completed, output).toBeGreaterThanOrEqual(CHARGERS);
    expect(summaryKWh, output).toBeGreaterThan(0);
    expect(run.stdout, output).toMatch(/errors\s+0\n/);

    // The API: every charger ran at least one session with energy, of its own protocol; none is
    // left running (the simulator stops every session before it exits).
    const ids = Array.from({ length: CHARGERS }, (_, i) => `${prefix}-${String(i + 1).padStart(4, '0')}`);
    const byCharger = await waitFor(
      'every simulated session to be recorded as completed',
      async () => {
        const lists = await Promise.all(ids.map(transactionsOf));
        const settled = lists.every((list) => list.length > 0 && list.every((t) => t.status === 'completed'));
        const total = lists.reduce((n, list) => n + list.length, 0);
        return settled && total >= completed ? lists : undefined;
      },
      15_000,
    );
    byCharger.forEach((list, i) => {
      const protocol = i % 2 === 0 ? 'ocpp2.0.1' : 'ocpp1.6';
      expect(list.every((t) => t.chargerId === ids[i] && t.protocol === protocol)).toBe(true);
      expect(list.some((t) => (t.energyWh ?? 0) > 0), JSON.stringify(list)).toBe(true);
      for (const t of list) expect(t.energyWh).toBeCloseTo((t.meterStopWh ?? NaN) - (t.meterStartWh ?? NaN), 6);
    });
    const all = byCharger.flat();
    expect(all).toHaveLength(completed);
    // The energy the simulator says it delivered is what the CSMS recorded (the summary shows whole Wh).
    const recordedWh = all.reduce((sum, t) => sum + (t.energyWh ?? 0), 0);
    expect(Math.abs(recordedWh - summaryKWh * 1000)).toBeLessThanOrEqual(1);
  }, 60_000);
});
