// The charger simulator (scripts/simulate.mjs) as an operator runs it: a child process against the
// Worker under test, registering its chargers and tag through the API, then charging: a mixed fleet
// of 1.6, 2.0.1 and 2.1 chargers, and 2.1 chargers answering commands sent through the API.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { E2E_API_TOKEN } from './global-setup.ts';
import { MIXED } from '../../scripts/simulator/options.mjs';
import { api, command, waitFor } from './helpers.ts';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/simulate.mjs');
const CHARGERS = 6;
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

/**
 * Commands sent to a 2.1 charger during its run, and the answer the simulator gives: one it answers
 * as 2.0.1 does (its device model), and 2.1-only ones (minimal answers from the schemas).
 */
const COMMANDS_21: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  [
    'GetVariables',
    { getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'VendorName' } }] },
    {
      getVariableResult: [
        { component: { name: 'ChargingStation' }, variable: { name: 'VendorName' }, attributeStatus: 'Accepted', attributeValue: 'OCPP Simulator' },
      ],
    },
  ],
  ['GetTariffs', { evseId: 1 }, { status: 'Accepted' }],
  ['ClearTariffs', {}, { clearTariffsResult: [{ status: 'Accepted' }] }],
];

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

/** The subprotocol the simulator gives charger `index` (0-based) under `--protocol <protocol>`. */
function protocolAt(protocol: string, index: number): string {
  return protocol === 'mixed' ? MIXED[index % MIXED.length]! : `ocpp${protocol}`;
}

interface Fleet {
  run: Run;
  output: string;
  ids: string[];
}

/** Runs `chargers` simulated chargers of `protocol` for DURATION_SECONDS, registered through the API. */
async function runFleet(protocol: string, chargers: number, during?: (ids: string[]) => Promise<void>): Promise<Fleet> {
  const base = inject('baseUrl');
  const prefix = `SIMT${randomUUID().slice(0, 6)}`;
  const ids = Array.from({ length: chargers }, (_, i) => `${prefix}-${String(i + 1).padStart(4, '0')}`);
  const running = simulate(
    [
      '--chargers', String(chargers),
      '--protocol', protocol,
      '--url', `${base.replace(/^http/, 'ws')}/ocpp`,
      '--duration', String(DURATION_SECONDS),
      '--meter-interval', '1',
      '--id-prefix', prefix,
      '--api', base,
      '--token', E2E_API_TOKEN,
    ],
    (DURATION_SECONDS + 30) * 1000,
  );
  try {
    await during?.(ids);
  } finally {
    // Even when `during` failed: the run ends by itself within DURATION_SECONDS.
    await running;
  }
  const run = await running;
  return { run, output: `${run.stdout}\n${run.stderr}`, ids };
}

/**
 * The run went well: exit 0, every charger booted with its protocol, sessions completed with
 * energy, no errors; and the API shows each charger's sessions, of its own protocol, completed,
 * with the energy the simulator says it delivered.
 */
async function expectCleanRun({ run, output, ids }: Fleet, protocol: string): Promise<void> {
  expect(run.code, output).toBe(0);

  const counts = new Map<string, number>();
  ids.forEach((_, i) => counts.set(protocolAt(protocol, i), (counts.get(protocolAt(protocol, i)) ?? 0) + 1));
  const mix = [...counts].map(([p, n]) => `${n} ${p.replaceAll('.', '\\.')}`).join(', ');
  expect(run.stdout, output).toMatch(new RegExp(`chargers\\s+${ids.length} \\(${mix}; ${ids.length} booted\\)`));
  const completed = Number(/sessions completed\s+(\d+)/.exec(run.stdout)?.[1]);
  const summaryKWh = Number(/energy delivered\s+([\d.]+) kWh/.exec(run.stdout)?.[1]);
  expect(completed, output).toBeGreaterThanOrEqual(ids.length);
  expect(summaryKWh, output).toBeGreaterThan(0);
  expect(run.stdout, output).toMatch(/errors\s+0\n/);

  // Every charger ran at least one session with energy, of its own protocol; none is left running
  // (the simulator stops every session before it exits).
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
    expect(list.every((t) => t.chargerId === ids[i] && t.protocol === protocolAt(protocol, i)), JSON.stringify(list)).toBe(true);
    expect(list.some((t) => (t.energyWh ?? 0) > 0), JSON.stringify(list)).toBe(true);
    for (const t of list) expect(t.energyWh).toBeCloseTo((t.meterStopWh ?? NaN) - (t.meterStartWh ?? NaN), 6);
  });
  const all = byCharger.flat();
  expect(all).toHaveLength(completed);
  // The energy the simulator says it delivered is what the CSMS recorded (the summary shows whole Wh).
  const recordedWh = all.reduce((sum, t) => sum + (t.energyWh ?? 0), 0);
  expect(Math.abs(recordedWh - summaryKWh * 1000)).toBeLessThanOrEqual(1);
}

describe('charger simulator', () => {
  it(`runs ${CHARGERS} mixed chargers (2.0.1, 1.6, 2.1 in turn) for ${DURATION_SECONDS} s: exits 0, sessions completed, the API shows their energy`, async () => {
    await expectCleanRun(await runFleet('mixed', CHARGERS), 'mixed');
  }, 60_000);

  it(`runs 2 chargers with --protocol 2.1; they answer the CSMS's commands, 2.1's own included`, async () => {
    const answers: Array<{ action: string; status: number; body: unknown }> = [];
    const fleet = await runFleet('2.1', 2, async ([first]) => {
      const id = first!;
      await waitFor('the first 2.1 charger to be online', async () => {
        const res = await api('GET', `/chargers/${encodeURIComponent(id)}`);
        return res.status === 200 && res.body.charger?.connected && res.body.charger?.registrationStatus === 'Accepted' ? true : undefined;
      }, 15_000);
      for (const [action, payload] of COMMANDS_21) {
        const res = await command(id, action, payload, 10);
        answers.push({ action, status: res.status, body: res.body });
      }
    });
    await expectCleanRun(fleet, '2.1');
    expect(answers).toEqual(COMMANDS_21.map(([action, , result]) => ({ action, status: 200, body: { result } })));
    // The simulator counted them as answered.
    for (const [action] of COMMANDS_21) expect(fleet.run.stdout, fleet.output).toMatch(new RegExp(`\\b${action} \\d+`));
  }, 60_000);
});
