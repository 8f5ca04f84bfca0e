// The CDR CSV export's memory (issue 14): N completed, priced transactions seeded into the CSMS's
// local D1, then GET /api/v1/cdrs?format=csv read to the end while the Worker's workerd RSS is
// sampled. Streaming shows as a peak that does not grow with the export: compare the RSS rise with
// the export's size (and between --cdrs sizes). A figure of memory, not of time.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { anonRssMiB, peakRssMiB, rssMiB } from './proc.mjs';
import { BENCH_API_TOKEN } from './targets.mjs';

const root = resolve(import.meta.dirname, '../..');
const wranglerJs = join(root, 'node_modules/wrangler/bin/wrangler.js');
// Rows per INSERT: a cost row is about 1.2 kB, and D1 takes statements up to 100 kB.
const ROWS_PER_INSERT = 50;
const FIRST_ID = 1_000_000;
const START = Date.parse('2026-03-01T00:00:00.000Z');

/**
 * A realistic cost breakdown (src/tariffs/cost.ts CostBreakdown): peak/off-peak energy with a
 * period boundary, some parking, a start fee; the same shape for every session, its times moved.
 */
function breakdown(startMs) {
  const iso = (ms) => new Date(ms).toISOString();
  return {
    currency: 'EUR',
    start_date_time: iso(startMs),
    end_date_time: iso(startMs + 90 * 60_000),
    charging_periods: [
      { start_date_time: iso(startMs), dimensions: [{ type: 'ENERGY', volume: 6.5 }, { type: 'TIME', volume: 0.5 }], tariff_elements: { ENERGY: 0 } },
      { start_date_time: iso(startMs + 30 * 60_000), dimensions: [{ type: 'ENERGY', volume: 12.25 }, { type: 'TIME', volume: 0.75 }], tariff_elements: { ENERGY: 1 } },
      { start_date_time: iso(startMs + 75 * 60_000), dimensions: [{ type: 'PARKING_TIME', volume: 0.25 }], tariff_elements: { PARKING_TIME: 2 } },
    ],
    total_energy: 18.75,
    total_time: 1.5,
    total_charging_time: 1.25,
    total_parking_time: 0.25,
    total_energy_cost: { excl_vat: 5.66, incl_vat: 6.85 },
    total_time_cost: { excl_vat: 0, incl_vat: 0 },
    total_parking_cost: { excl_vat: 0.5, incl_vat: 0.61 },
    total_fixed_cost: { excl_vat: 0.5, incl_vat: 0.61 },
    total_cost: { excl_vat: 6.66, incl_vat: 8.06 },
    flat_element: 3,
    anomalies: [],
  };
}

const sqlText = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * SQL seeding `count` completed 1.6 transactions over 100 chargers, one every minute from
 * 2026-03-01, each with its transaction_costs row, as the flush would leave them (store/transactions.ts,
 * migration 0034). Multi-row INSERTs, `ROWS_PER_INSERT` rows a statement.
 */
export function cdrSeedSql(count) {
  const statements = [];
  for (let from = 0; from < count; from += ROWS_PER_INSERT) {
    const tx = [];
    const costs = [];
    for (let i = from; i < Math.min(count, from + ROWS_PER_INSERT); i++) {
      const id = FIRST_ID + i;
      const chargerId = `BENCH-CDR-${String(i % 100).padStart(3, '0')}`;
      const startMs = START + i * 60_000;
      const started = new Date(startMs).toISOString();
      const stopped = new Date(startMs + 90 * 60_000).toISOString();
      tx.push(
        `(${id}, ${sqlText(chargerId)}, 'ocpp1.6', ${sqlText(String(id))}, ${sqlText(`1|TAG-${i % 500}|0|${started}#${id}`)}, 0, 1, ${sqlText(`TAG-${i % 500}`)}, 'Accepted', 'completed', ` +
          `${sqlText(started)}, ${sqlText(stopped)}, 0, 18750, 18750, 'EVDisconnected', ${sqlText(stopped)})`,
      );
      costs.push(`(${id}, ${sqlText(chargerId)}, 'STANDARD', 1, 'EUR', 6.66, 8.06, ${sqlText(stopped)}, ${sqlText(JSON.stringify(breakdown(startMs)))}, ${sqlText(stopped)})`);
    }
    statements.push(
      `INSERT INTO transactions (id, charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag, id_tag_status, status, started_at, stopped_at, meter_start_wh, meter_stop_wh, energy_wh, stop_reason, updated_at) VALUES\n${tx.join(',\n')};`,
      `INSERT INTO transaction_costs (transaction_id, charger_id, tariff_id, tariff_version, currency, total_cost_excl_vat, total_cost_incl_vat, ended_at, breakdown, priced_at) VALUES\n${costs.join(',\n')};`,
    );
  }
  return statements.join('\n');
}

/** Runs `cdrSeedSql(count)` against the local D1 under `persistTo` with `wrangler d1 execute --local`. */
export function seedCdrs(persistTo, count) {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-bench-cdrs-'));
  try {
    const file = join(dir, 'seed.sql');
    writeFileSync(file, cdrSeedSql(count));
    const env = {
      ...process.env,
      CI: 'true',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      DO_NOT_TRACK: '1',
      WRANGLER_HIDE_BANNER: 'true',
      WRANGLER_WRITE_LOGS: 'false',
      WRANGLER_LOG_PATH: join(dir, 'wrangler-logs'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      NO_COLOR: '1',
    };
    const run = spawnSync(process.execPath, [wranglerJs, 'd1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--file', file, '--yes'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 300_000,
      killSignal: 'SIGKILL',
    });
    if (run.status !== 0) throw new Error(`wrangler d1 execute failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Seeds `count` CDRs into the running CSMS `csms` (startCsms), checks they are all visible through
 * the API, then reads the CSV export to its end while sampling the Worker's RSS every `sampleMs`.
 */
export async function cdrExportMemory(csms, { count, sampleMs = 20 }) {
  seedCdrs(csms.persistTo, count);
  const range = 'from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z';
  const headers = { authorization: `Bearer ${BENCH_API_TOKEN}` };
  // Warm the route (and its code) so the figure is the export's, not the first request's.
  const warm = await fetch(`${csms.directUrl}/api/v1/cdrs?${range}&limit=500`, { headers });
  if (!warm.ok) throw new Error(`GET /cdrs: HTTP ${warm.status} ${await warm.text()}`);
  await warm.text();
  await sleep(500);

  // Twice: the first read also brings the rows' D1 pages into memory (under wrangler dev the local
  // D1 runs in the same workerd, its SQLite page cache counted in the same RssAnon); the second
  // finds them there, so its rise is the Worker's own, which is what streaming is about.
  const first = await readExport(csms, range, headers, count, sampleMs);
  await sleep(500);
  const second = await readExport(csms, range, headers, count, sampleMs);
  await sleep(500);
  // The control: the same rows read as JSON pages of 200, one request each, so nothing of one page
  // can outlive its request. A rise like the export's is then the runtime's (garbage not yet
  // collected, the local D1's own memory), not rows the export keeps.
  const pages = await sampled(csms.pids, sampleMs, async () => {
    let cursor = null;
    let cdrs = 0;
    do {
      const url = `${csms.directUrl}/api/v1/cdrs?${range}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`GET /cdrs: HTTP ${res.status} ${await res.text()}`);
      const page = await res.json();
      cdrs += page.cdrs.length;
      cursor = page.nextCursor;
    } while (cursor);
    if (cdrs !== count) throw new Error(`the JSON pages hold ${cdrs} CDRs, ${count} were seeded`);
  });
  return { ...second, firstRead: first, jsonPages: pages };
}

/** Runs `work` while sampling the processes' memory every `sampleMs`: its time and memory figures. */
async function sampled(pids, sampleMs, work) {
  const rssBefore = rssMiB(pids);
  const anonBefore = anonRssMiB(pids);
  let rssMax = rssBefore;
  let anonMax = anonBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rssMax = Math.max(rssMax, rssMiB(pids));
      anonMax = Math.max(anonMax, anonRssMiB(pids));
      await sleep(sampleMs);
    }
  })();
  const started = performance.now();
  try {
    await work();
  } finally {
    sampling = false;
    await sampler;
  }
  rssMax = Math.max(rssMax, rssMiB(pids));
  anonMax = Math.max(anonMax, anonRssMiB(pids));
  return {
    seconds: (performance.now() - started) / 1000,
    rssBeforeMiB: rssBefore,
    rssMaxMiB: rssMax,
    rssRiseMiB: rssMax - rssBefore,
    anonBeforeMiB: anonBefore,
    anonMaxMiB: anonMax,
    anonRiseMiB: anonMax - anonBefore,
  };
}

/** Reads the export once to its end, sampling the Worker's memory. */
async function readExport(csms, range, headers, count, sampleMs) {
  const pids = csms.pids;
  const hwmBefore = peakRssMiB(pids);
  let bytes = 0;
  let chunks = 0;
  let lines = 0;
  const memory = await sampled(pids, sampleMs, async () => {
    const res = await fetch(`${csms.directUrl}/api/v1/cdrs?${range}&format=csv`, { headers });
    if (!res.ok) throw new Error(`GET /cdrs?format=csv: HTTP ${res.status} ${await res.text()}`);
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      chunks += 1;
      for (const b of value) if (b === 0x0a) lines += 1;
    }
  });
  const records = lines - 1;
  if (records !== count) throw new Error(`the export has ${records} CDRs, ${count} were seeded`);
  return { cdrs: records, exportMiB: bytes / 1024 / 1024, chunks, ...memory, peakBeforeMiB: hwmBefore, peakAfterMiB: peakRssMiB(pids) };
}

/** The report's section for one measurement (Markdown, like the rest of `npm run bench`'s report). */
export function renderCdrExport(r) {
  const mib = (n) => n.toFixed(1);
  const row = (label, m) =>
    `| ${label} | ${m.seconds.toFixed(2)} | ${mib(m.rssBeforeMiB)} → ${mib(m.rssMaxMiB)} (+${mib(m.rssRiseMiB)}) | ${mib(m.anonBeforeMiB)} → ${mib(m.anonMaxMiB)} (+${mib(m.anonRiseMiB)}) |`;
  return [
    '',
    '## CDR CSV export (issue 14)',
    '',
    `GET /api/v1/cdrs?format=csv of ${r.cdrs.toLocaleString('en')} seeded priced transactions, read to its end twice: ` +
      `${mib(r.exportMiB)} MiB in ${r.chunks.toLocaleString('en')} chunks each time. The Worker's workerd, before → highest while exporting (rise), MiB:`,
    '',
    '| read | s | VmRSS | RssAnon (heaps) |',
    '| --- | ---: | ---: | ---: |',
    ...(r.firstRead ? [row('first', r.firstRead)] : []),
    row(r.firstRead ? 'second' : 'only', r),
    ...(r.jsonPages ? [row('control: the same rows as JSON pages of 200, a request each', r.jsonPages)] : []),
    '',
    'Under wrangler dev the local D1 runs in the same workerd: the first read also brings the rows\' pages into its SQLite ' +
      '(VmRSS counts the mapped file, RssAnon the page cache), which a deployed Worker does not hold, D1 running apart. The second ' +
      'read finds them there. The control reads the same rows through separate requests, each forgetting its page: what it rises ' +
      'by is the runtime\'s own slack (garbage not yet collected, the local D1), so an export that keeps nothing rises about as much; ' +
      'one that kept its rows would rise by far more.',
    '',
  ].join('\n');
}
