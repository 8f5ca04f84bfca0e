// The console part (issue 15, `--parts console`): what an open operator console costs in D1, measured
// with a real console (headless Chromium on /dashboard) against this CSMS, per minute:
//   idle — the chargers connected and silent; load — each charger sends its charging sessions one
//   message a minute (a meter value every 60 s, as deployed, its status changes and transaction
//   start and stop among them);
// on the fleet screen and on a charger's screen, with the live feed open and in its polling
// fallback (the console polls every 3 s when the feed cannot open: here its tickets are refused),
// beside the same minute with no console open. Counts, not timings: a busy machine changes none.
//
// The console's own reads are the Worker's D1 use (isolate-stats workerD1*: API requests; the
// chargers' facts are written by their objects and the FleetWriter), and the calls those requests
// make into charger objects (billed Durable Object requests: an API read of a charger first has its
// object copy its waiting facts to D1, facts the FleetWriter would have copied later anyway). The
// whole system's D1 is not compared: with the FleetWriter copying every 30 s, a minute holds one,
// two or three of its copies, a noise larger than the console's own reads.

import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { bootChargers } from './load.mjs';
import { BENCH_ID_TAG, chargingSession } from './mix.mjs';
import { statsDelta } from './month.mjs';
import { BENCH_API_TOKEN, startCsms } from './targets.mjs';

/** Debian's Chromium, as the browser tests use it (test/e2e/console-helpers.ts). */
const CHROMIUM = '/usr/bin/chromium';
/** Before a window: the console's first reads (and the feed's opening) are not its per-minute cost. */
const OPEN_SETTLE_MS = 5_000;
/** A message that changes what the fleet screen shows (a connector status, a transaction's start or end): the live feed's fleet messages. */
const FLEET_CHANGE = /^(StatusNotification|StartTransaction|StopTransaction)$/;
const VIEWS = [
  { view: 'none', label: 'no console open' },
  { view: 'fleet', mode: 'live', label: 'fleet screen, live feed' },
  { view: 'charger', mode: 'live', label: "a charger's screen, live feed" },
  { view: 'fleet', mode: 'polling', label: 'fleet screen, polling (feed refused)' },
  { view: 'charger', mode: 'polling', label: "a charger's screen, polling (feed refused)" },
];

/** Whether a message a charger sent is one of the feed's fleet changes. */
function fleetChange(action, payload) {
  return FLEET_CHANGE.test(action) || (action === 'TransactionEvent' && payload.eventType !== 'Updated');
}

/**
 * Each charger's charging sessions, one message every `stepSeconds`, the chargers spread over the
 * interval and over the session (the i-th of n sends the first i/n of its first session's messages
 * at once), so that every minute holds the same mix of statuses, starts, stops and meter values,
 * until stop(). Counts what was sent, and the fleet changes among it, as it goes.
 */
function pacedLoad(chargers, stepSeconds) {
  const counts = { messages: 0, fleetChanges: 0, errors: [] };
  let stopped = false;
  let wake;
  const stoppedPromise = new Promise((resolve) => (wake = resolve));
  const done = Promise.all(
    chargers.map(async (charger, index) => {
      await Promise.race([sleep((index / chargers.length) * stepSeconds * 1000), stoppedPromise]);
      const meterWh = { value: 1_000 * (index + 1) };
      for (let session = 0; !stopped; session++) {
        const state = { transactionId: 0 };
        const steps = chargingSession(charger.protocol, charger.id, session, meterWh);
        const atOnce = session === 0 ? Math.floor((index / chargers.length) * steps.length) : 0;
        for (const [i, step] of steps.entries()) {
          if (stopped) return;
          const [action, payload] = typeof step === 'function' ? step(state) : step;
          const next = performance.now() + (i < atOnce ? 0 : stepSeconds * 1000);
          try {
            const answer = await charger.call(action, payload);
            counts.messages += 1;
            if (fleetChange(action, payload)) counts.fleetChanges += 1;
            if (action === 'StartTransaction') state.transactionId = answer.transactionId;
          } catch (error) {
            counts.errors.push(`${charger.id} ${action}: ${error.message ?? error}`);
          }
          await Promise.race([sleep(Math.max(0, next - performance.now())), stoppedPromise]);
        }
      }
    }),
  );
  return {
    counts,
    stop: async () => {
      stopped = true;
      wake();
      await done;
    },
  };
}

/** A console on `view` (its feed refused in polling mode), ready: its first reads done. Returns the page and its API requests. */
async function openConsole(browser, target, { view, mode }, chargerId) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1/')) requests.push(r.url());
  });
  // The feed's ticket refused: the console cannot open it and polls (src/console/live.ts).
  if (mode === 'polling') await page.route('**/api/v1/live/tickets', (route) => route.fulfill({ status: 503, body: '{}' }));
  const hash = view === 'charger' ? `#/chargers/${encodeURIComponent(chargerId)}` : '#/fleet';
  await page.goto(`${target.directUrl}/dashboard${hash}`);
  await page.fill('#token', BENCH_API_TOKEN);
  await page.press('#token', 'Enter');
  const wanted = mode === 'live' ? '· live' : '· every';
  const started = Date.now();
  while (!((await page.locator('#status').textContent()) ?? '').includes(wanted)) {
    if (Date.now() - started > 60_000) throw new Error(`the console on ${view} (${mode}) did not say "${wanted}" in 60 s`);
    await sleep(250);
  }
  await sleep(OPEN_SETTLE_MS);
  return { page, requests };
}

/** One window: the counters' delta over `seconds` with the console (if any) open throughout, and its API requests. */
async function measureWindow(browser, target, scenario, chargerId, seconds, load) {
  const open = scenario.view === 'none' ? undefined : await openConsole(browser, target, scenario, chargerId);
  try {
    const requestsBefore = open?.requests.length ?? 0;
    const sent = { ...(load?.counts ?? { messages: 0, fleetChanges: 0 }) };
    const before = await target.isolateStats();
    await sleep(seconds * 1000);
    const after = await target.isolateStats();
    return {
      ...scenario,
      seconds,
      delta: statsDelta(after, before),
      apiRequests: (open?.requests.length ?? 0) - requestsBefore,
      messages: (load?.counts.messages ?? 0) - sent.messages,
      fleetChanges: (load?.counts.fleetChanges ?? 0) - sent.fleetChanges,
    };
  } finally {
    await open?.page.close();
  }
}

/**
 * The console part: `chargers` chargers (half 1.6, half 2.0.1) on a CSMS with its deployed flush
 * delays, each view measured for `seconds`, idle, then under load (each charger a message every
 * `stepSeconds`: 60, a meter value a minute, as deployed). The charger screen shows the
 * first charger (1.6), in its sessions like the others.
 */
export async function consoleCost({ chargers: count, seconds, stepSeconds = 60, csmsVars = {} }) {
  const vars = { FLUSH_DELAY_SECONDS: '300', FLEET_FLUSH_SECONDS: '30', ...csmsVars };
  const target = await startCsms(vars, { name: '(a) this CSMS' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  let load;
  try {
    await target.api('PUT', `/id-tags/${BENCH_ID_TAG}`, { status: 'Accepted' });
    process.stderr.write(`console: booting ${count} chargers…\n`);
    const chargers = await bootChargers({ url: target.ocppUrl, count, prefix: 'CONSOLE', concurrency: 20 });
    await Promise.all(
      chargers.map((c) =>
        c.call(
          'StatusNotification',
          c.protocol === 'ocpp1.6' ? { connectorId: 1, errorCode: 'NoError', status: 'Available' } : { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 },
        ),
      ),
    );
    // Their publishes to the hub (a second after) and their objects' first work are not the idle minute's.
    await sleep(OPEN_SETTLE_MS);
    const shown = chargers[0].id;
    const windows = [];
    for (const phase of ['idle', 'load']) {
      if (phase === 'load') {
        load = pacedLoad(chargers, stepSeconds);
        // One round of messages first: every charger in a session, at its own point of it, when the windows start.
        await sleep(stepSeconds * 1000 + OPEN_SETTLE_MS);
      }
      for (const scenario of VIEWS) {
        process.stderr.write(`console: ${phase}, ${scenario.label}, ${seconds} s…\n`);
        windows.push({ phase, ...(await measureWindow(browser, target, scenario, shown, seconds, load)) });
      }
    }
    await load?.stop();
    const serverErrors = target.logTail(Number.MAX_SAFE_INTEGER).split('\n').filter((l) => l.includes('"level":"error"')).length;
    for (const c of chargers) c.close();
    return { chargers: chargers.length, stepSeconds, seconds, vars: target.vars, windows, errors: load?.counts.errors ?? [], serverErrors };
  } finally {
    await load?.stop();
    await browser.close();
    await target.stop();
  }
}

const perMinute = (n, seconds) => (n * 60) / seconds;
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The console part's section of the report. */
export function renderConsole(result, command) {
  const lines = [
    SECTION_HEADING,
    '',
    `Measured with \`${command}\`: ${result.chargers} chargers (half 1.6, half 2.0.1) connected to this CSMS under \`wrangler dev\` ` +
      `(FLUSH_DELAY_SECONDS=${result.vars.FLUSH_DELAY_SECONDS}, FLEET_FLUSH_SECONDS=${result.vars.FLEET_FLUSH_SECONDS}, as deployed), and a real console ` +
      `(headless Chromium on /dashboard with the bench's token) open for ${result.seconds} s on each view, after its first reads. ` +
      `**Idle**: the chargers connected and silent. **Load**: each charger sends its charging sessions one message every ${result.stepSeconds} s ` +
      '(a meter value a minute, as deployed; its status changes and transaction start and stop among them). ' +
      'Polling: the console\'s live-feed tickets are refused (503), so it polls every 3 s, as it does when the feed cannot open. ' +
      "The charger screen shows a 1.6 charger in its sessions. Per minute. **D1** is the Worker's own D1 use: the API requests the console made " +
      '(isolate-stats workerD1*; the chargers\' facts are written by their objects and the FleetWriter, not counted here). **Charger object calls**: what those requests ' +
      "asked of charger objects (billed Durable Object requests; a read of one charger first has its object copy its waiting facts to D1, facts the FleetWriter " +
      'would copy later anyway). **Hub requests**: socket upgrades and the chargers\' publishes to the ConsoleHub, which happen whether a console is open or not.',
    '',
    '| Phase | Console | API requests | D1 statements | D1 rows read | D1 rows written | Charger object calls | Hub requests | Feed frames sent | Charger messages | Fleet changes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const w of result.windows) {
    const m = (n) => fmt(perMinute(n ?? NaN, w.seconds));
    lines.push(
      `| ${w.phase} | ${w.label} | ${m(w.apiRequests)} | ${m(w.delta.workerD1Statements)} | ${m(w.delta.workerD1RowsRead)} | ${m(w.delta.workerD1RowsWritten)} | ` +
        `${m(w.delta.chargerRpcCalls)} | ${m(w.delta.consoleHubRequests)} | ${m(w.delta.liveFramesSent)} | ${m(w.messages)} | ${m(w.fleetChanges)} |`,
    );
  }
  const loadNone = result.windows.find((w) => w.phase === 'load' && w.view === 'none');
  if (loadNone && loadNone.fleetChanges > 0) {
    const hub = loadNone.delta.consoleHubRequests ?? 0;
    lines.push(
      '',
      `The live feed's cost per charger, with no console open: ${fmt(hub / loadNone.fleetChanges, 2)} ConsoleHub requests per fleet change ` +
        `(${hub} publishes for ${loadNone.fleetChanges} changes; a charger publishes at most once a second, its changes within that second together), ` +
        `${fmt(perMinute(hub, loadNone.seconds) / result.chargers, 3)} per charger per minute at this rate. ` +
        'They are priced with the other Durable Object requests in the charger-month ("DO requests: live feed (ConsoleHub publishes)").',
    );
  }
  if (result.errors.length > 0 || result.serverErrors > 0) lines.push('', `**Errors**: ${result.errors.length} charger errors (first: ${result.errors[0] ?? '–'}), ${result.serverErrors} server log errors.`);
  lines.push('');
  return lines.join('\n');
}

export const SECTION_HEADING = '## What an open console costs (issue 15)';

/**
 * RESULTS.md with the console section replaced (`--parts console --write`), or added at its end
 * when it has none: the other parts' figures, and the notes written by hand about them, stay.
 */
export function replaceSection(results, section, heading = SECTION_HEADING) {
  const start = results.indexOf(heading);
  if (start < 0) return `${results.trimEnd()}\n\n${section}`;
  const next = results.indexOf('\n## ', start + heading.length);
  return results.slice(0, start) + section + (next >= 0 ? '\n' + results.slice(next + 1) : '');
}
