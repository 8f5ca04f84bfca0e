// Keeps `npm run bench` working: one run on a tiny configuration. Its figures are not judged
// here (benchmarks are not timed tests); only that every part ran and measured something.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('npm run bench', () => {
  it('measures every target, the command API, idle chargers, the charger-month profile and the cold start on a tiny configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-'));
    try {
      const jsonFile = join(dir, 'bench.json');
      const run = spawnSync(
        process.execPath,
        ['bench/run.mjs', '--targets', "a,b,b',c", '--chargers', '4', '--seconds', '2', '--warmup', '1', '--commands', '5', '--idle', '20', '--idle-seconds', '20', '--idle-targets', 'a', '--json', jsonFile,
          // The writer's deployed 30 s batching would make the run wait that long for its D1 count.
          '--csms-var', 'FLEET_FLUSH_SECONDS=2',
          // The charger-month profile and the cold start, as small as they go.
          '--month-chargers', '2', '--month-heartbeats', '3', '--month-meters', '5', '--cold', '10', '--cdrs', '0',
          // The console part has a test of its own below; the site allocation part too, here as small as it goes.
          '--console-chargers', '0', '--alloc-sessions', '20', '--alloc-chargers', ''],
        { cwd: root, encoding: 'utf8', timeout: 840_000, killSignal: 'SIGKILL' },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('| (a) this CSMS |');

      const { runs, idle, month } = JSON.parse(readFileSync(jsonFile, 'utf8'));
      expect(runs.map((r: { target: string }) => r.target)).toEqual([
        '(a) this CSMS',
        '(b) bare Durable Object',
        '(b′) bare Durable Object + one SQLite write',
        '(c) Node.js + ocpp-rpc (strict)',
      ]);
      for (const r of runs) {
        expect(r.errors, r.target).toBe(0);
        expect(r.serverErrors, r.target).toBe(0);
        expect(r.messages, r.target).toBeGreaterThan(0);
        expect(r.p99Ms, r.target).toBeGreaterThanOrEqual(r.p50Ms);
        expect(r.cpuSecondsPer1000, r.target).toBeGreaterThan(0);
        expect(r.peakRssMiB, r.target).toBeGreaterThan(0);
      }
      // The CSMS counts its D1 statements; a run with transactions must have written some.
      expect(runs[0].d1StatementsPer1000).toBeGreaterThan(0);
      expect(runs[0].commands).toBe(5);
      expect(runs[0].commandP99Ms).toBeGreaterThanOrEqual(runs[0].commandP50Ms);
      // Every idle charger stayed connected, and their objects slept: each Heartbeat woke one.
      expect(idle.map((i: { target: string }) => i.target)).toEqual(['(a) this CSMS']);
      expect(idle[0].chargers).toBe(20);
      expect(idle[0].stillOpen).toBe(20);
      expect(idle[0].wokeWhileIdle).toBe(0);
      expect(idle[0].woke).toBe(idle[0].wakeSample);
      expect(idle[0].windowDelta.chargerWebSocketMessages).toBe(0);

      // The charger-month profile: each version's message kinds measured apart, and priced.
      expect(run.stdout).toContain('### Cost per active charger-month');
      // OCPP 2.1 (issue 16) has its own row set: 2.0.1's messages under its own subprotocol.
      expect(month.profiles.map((p: { protocol: string }) => p.protocol)).toEqual(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
      expect(month.unavailable).toEqual([]);
      for (const profile of month.profiles) {
        expect(profile.errors, profile.protocol).toEqual([]);
        expect(profile.chargers).toBe(2);
        const meters = profile.phases.find((p: { kind: string }) => p.kind.startsWith('MeterValues'));
        expect(meters.messages).toBe(2 * 5);
        // Every meter value reached D1 as rows (one reading each here, and a 2.x event its event
        // and transaction too), written before the answer: nothing in the object's storage.
        expect(meters.delta.d1RowsWritten).toBeGreaterThanOrEqual(meters.messages);
        expect(meters.delta.doSqlRowsWritten).toBe(0);
        expect(meters.delta.chargerWebSocketMessages).toBe(meters.messages);
        // Then the meter archive moved each of the profile's transactions to R2: one object each,
        // read back, and its readings deleted from D1 (rows written), the pages they took freed.
        expect(profile.archive.errors, profile.protocol).toEqual([]);
        expect(profile.archive.transactions, profile.protocol).toBe(2);
        // Sampled values, 6 a message: the meter values, and a 2.0.1 or 2.1 session's Started and Ended events'.
        expect(profile.archive.meterValues, profile.protocol).toBe(2 * (5 + (profile.protocol === 'ocpp1.6' ? 0 : 2)) * 6);
        expect(profile.archive.delta.r2Puts, profile.protocol).toBe(2);
        expect(profile.archive.delta.r2Gets, profile.protocol).toBeGreaterThanOrEqual(2);
        expect(profile.archive.delta.r2BytesPut, profile.protocol).toBeGreaterThan(0);
        // Per transaction at least its hour's meter row deleted (migrations/0022: one row holds
        // the hour's readings) and its own row marked archived.
        expect(profile.archive.delta.d1RowsWritten, profile.protocol).toBeGreaterThanOrEqual(2 * 2);
      }
      expect(month.costs.versions.map((c: { protocol: string }) => c.protocol)).toEqual(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
      for (const version of month.costs.versions) {
        expect(version.total, version.protocol).toBeGreaterThan(0);
        // D1's file grows by whole pages: a tiny profile's few packed readings may fit in pages
        // earlier phases left free, so its growth may be 0 (the full run measures it).
        expect(version.quantities.d1Bytes, version.protocol).toBeGreaterThanOrEqual(0);
        expect(version.quantities.d1RowsWritten, version.protocol).toBeGreaterThan(0);
        // The archive is priced on its own lines, in the total.
        const archiveItems = version.items.filter(([label]: [string, number]) => label.startsWith('archive:') || label.startsWith('R2 storage'));
        expect(archiveItems.map(([label]: [string, number]) => label), version.protocol).toHaveLength(4);
        for (const [label, usd] of archiveItems) expect(usd, `${version.protocol} ${label}`).toBeGreaterThan(0);
      }
      expect(run.stdout).toContain('| ocpp1.6 | archive (per transaction moved) | 2 |');
      expect(run.stdout).toContain('| ocpp2.1 | archive (per transaction moved) | 2 |');
      expect(run.stdout).toMatch(/\| ocpp2\.1 \| MeterValues \(6 samples\) \| 10 \|/);
      expect(run.stdout).toMatch(/\*\*\$[0-9.e-]+\*\* \(ocpp2\.1\)/);
      expect(month.cold.chargers).toBe(10);
      expect(month.cold.cold.messages).toBe(30);
      expect(month.cold.steady.messages).toBe(30);
      expect(month.cold.cold.delta.chargerObjectsConstructed).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 860_000);

  it('runs the cold start alone, with no load target, profile or idle part', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-'));
    try {
      const jsonFile = join(dir, 'bench.json');
      const run = spawnSync(
        process.execPath,
        ['bench/run.mjs', '--targets', '', '--idle', '0', '--month-chargers', '0', '--commands', '0', '--cold', '10', '--cdrs', '0', '--console-chargers', '0', '--alloc-sessions', '20', '--alloc-chargers', '', '--json', jsonFile],
        { cwd: root, encoding: 'utf8', timeout: 420_000, killSignal: 'SIGKILL' },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('### Cold start');
      expect(run.stdout).not.toContain('### Cost per active charger-month');
      const { runs, month } = JSON.parse(readFileSync(jsonFile, 'utf8'));
      expect(runs).toEqual([]);
      expect(month.profiles).toEqual([]);
      expect(month.cold.cold.messages).toBe(30);
      expect(month.cold.steady.messages).toBe(30);
      // Each charger sends its three as it connects: one construction each, none for an eviction between them.
      expect(month.cold.cold.delta.chargerObjectsConstructed).toBe(10);
      // Reconnecting after every object was evicted: each constructed again, over its stored schema.
      expect(month.cold.reconnect.messages).toBe(30);
      expect(month.cold.reconnect.delta.chargerObjectsConstructed).toBe(10);
      expect(run.stdout).toContain('Reconnect / steady CPU per message');
      expect(month.cold.errors).toEqual([]);
      // The same three parts on (b′), the floor under those ratios.
      expect(month.coldFloor.cold.messages).toBe(30);
      expect(month.coldFloor.steady.messages).toBe(30);
      expect(month.coldFloor.reconnect.messages).toBe(30);
      expect(month.coldFloor.errors).toEqual([]);
      expect(run.stdout).toContain('| (b′) reconnect | 30 |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 440_000);

  it('issue 15: measures an open console alone (--parts console): no D1 read while idle with the feed open, reads while it polls', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-'));
    try {
      const jsonFile = join(dir, 'bench.json');
      const run = spawnSync(
        process.execPath,
        ['bench/run.mjs', '--parts', 'console', '--console-chargers', '4', '--console-seconds', '5', '--console-step', '5', '--json', jsonFile],
        { cwd: root, encoding: 'utf8', timeout: 420_000, killSignal: 'SIGKILL' },
      );
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('## What an open console costs (issue 15)');
      expect(run.stdout).not.toContain('# Benchmark results');
      const { runs, console: measured } = JSON.parse(readFileSync(jsonFile, 'utf8'));
      expect(runs).toEqual([]);
      expect(measured.chargers).toBe(4);
      expect(measured.errors).toEqual([]);
      expect(measured.serverErrors).toBe(0);
      const window = (phase: string, view: string, mode?: string) =>
        measured.windows.find((w: { phase: string; view: string; mode?: string }) => w.phase === phase && w.view === view && w.mode === mode);
      expect(measured.windows).toHaveLength(10);
      // Idle, with the feed open: not one API request, not one D1 statement, on either screen.
      for (const view of ['fleet', 'charger']) {
        expect(window('idle', view, 'live').apiRequests, view).toBe(0);
        expect(window('idle', view, 'live').delta.workerD1Statements, view).toBe(0);
      }
      // Polling (the feed refused), the same idle console reads D1 every 3 s.
      expect(window('idle', 'fleet', 'polling').apiRequests).toBeGreaterThan(0);
      expect(window('idle', 'fleet', 'polling').delta.workerD1RowsRead).toBeGreaterThan(0);
      // Under load the chargers publish to the hub whether a console is open or not.
      expect(window('load', 'none').messages).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 440_000);

  it('issue 17: measures the site allocation alone (--parts alloc): CPU per recomputation, and a simulated hour that keeps the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-'));
    try {
      const jsonFile = join(dir, 'bench.json');
      const run = spawnSync(process.execPath, ['bench/run.mjs', '--parts', 'alloc', '--alloc-sessions', '20,50', '--alloc-chargers', '20', '--json', jsonFile], {
        cwd: root, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL',
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('## Site allocation (issue 17)');
      expect(run.stdout).not.toContain('# Benchmark results');
      const { runs, allocation } = JSON.parse(readFileSync(jsonFile, 'utf8'));
      expect(runs).toEqual([]);
      expect(allocation.cpu.map((c: { sessions: number }) => c.sessions)).toEqual([20, 50]);
      for (const c of allocation.cpu) expect(c.p95Ms).toBeGreaterThanOrEqual(c.medianMs);
      expect(allocation.sims.length).toBeGreaterThan(0);
      for (const s of allocation.sims) {
        expect(s.chargers).toBe(20);
        expect(s.sessionHours).toBeGreaterThan(0);
        expect(s.sends).toBeGreaterThan(0);
        // What the chargers held never went over a limit of the site, its circuits or its chargers.
        expect(s.overLimitSteps).toBe(0);
        expect(s.peakHeldRatio).toBeLessThanOrEqual(1 + 1e-9);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 320_000);
});
