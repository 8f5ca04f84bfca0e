// Keeps `npm run bench:cdrs` (the CDR CSV export's memory, issue 14) working: one run with a few
// hundred CDRs. Its figures are not judged here (benchmarks are not timed tests); only that it
// seeded, exported every CDR and measured memory.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('npm run bench:cdrs', () => {
  it('seeds CDRs, reads the whole CSV export and measures the Worker memory on a tiny configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-cdrs-'));
    try {
      const jsonFile = join(dir, 'cdrs.json');
      const run = spawnSync(process.execPath, ['bench/cdr-export.mjs', '--cdrs', '450', '--json', jsonFile], {
        cwd: root,
        encoding: 'utf8',
        timeout: 300_000,
        killSignal: 'SIGKILL',
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('GET /api/v1/cdrs?format=csv of 450 seeded priced transactions');
      const r = JSON.parse(readFileSync(jsonFile, 'utf8'));
      // Three D1 pages of 200: the export crossed pages.
      expect(r.cdrs).toBe(450);
      expect(r.exportMiB).toBeGreaterThan(0);
      expect(r.rssBeforeMiB).toBeGreaterThan(0);
      expect(r.rssMaxMiB).toBeGreaterThanOrEqual(r.rssBeforeMiB);
      expect(r.peakAfterMiB).toBeGreaterThanOrEqual(r.rssMaxMiB - 1);
      // Read twice: the first read's figures travel with the second's.
      expect(r.firstRead.cdrs).toBe(450);
      expect(r.jsonPages.anonMaxMiB).toBeGreaterThanOrEqual(r.jsonPages.anonBeforeMiB);
      expect(r.anonBeforeMiB).toBeGreaterThan(0);
      expect(r.anonMaxMiB).toBeGreaterThanOrEqual(r.anonBeforeMiB);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 320_000);
});
