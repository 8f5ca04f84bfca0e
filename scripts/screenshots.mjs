// `npm run screenshots`: the console's pictures in docs/ (README shows them). Starts its own
// `wrangler dev` on a free port with an empty fleet (scripts/lib/wrangler-dev.mjs), brings up a
// small fleet of strict simulated chargers (1.6 and 2.0.1; charging, faulted, offline, unavailable,
// idle, and one registered that never connected), then photographs the fleet screen and a charging
// charger's screen at 390 px (a phone) and 1440 px wide with Debian's headless Chromium. Charger ids,
// readings, tariff, locale and time zone are fixed, so a re-run differs only in the times shown.
// It stops by itself: everything is closed at the end, and a run that hangs is cut off.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { chromium } from 'playwright-core';
import { startWranglerDev } from './lib/wrangler-dev.mjs';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'screenshot-token';
const WIDTHS = [390, 1440];
/** The whole run, wrangler's start and migrations included (slow on a loaded machine). */
const RUN_TIMEOUT_MS = 8 * 60_000;
const WAIT_MS = 60_000;
const docs = resolve(import.meta.dirname, '../docs');

const minutesAgo = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString();

/** The fleet: id, version, vendor/model/firmware, and what it does once booted. */
const FLEET = [
  { id: 'DEPOT-A1', protocol: 'ocpp2.0.1', vendor: 'Volta Works', model: 'VW-DC50', firmware: '4.2.1', role: 'charging' },
  { id: 'DEPOT-A2', protocol: 'ocpp1.6', vendor: 'Volta Works', model: 'VW-AC22', firmware: '3.9.0', role: 'charging' },
  { id: 'DEPOT-B1', protocol: 'ocpp1.6', vendor: 'Northwind EV', model: 'NW-Wallbox', firmware: '1.7.4', role: 'faulted' },
  { id: 'DEPOT-B2', protocol: 'ocpp2.0.1', vendor: 'Volta Works', model: 'VW-DC50', firmware: '4.2.1', role: 'idle' },
  { id: 'STREET-07', protocol: 'ocpp2.0.1', vendor: 'Northwind EV', model: 'NW-Pole', firmware: '2.0.3', role: 'offline' },
  { id: 'STREET-08', protocol: 'ocpp1.6', vendor: 'Northwind EV', model: 'NW-Pole', firmware: '1.7.4', role: 'unavailable' },
  { id: 'STREET-09', role: 'never' },
];
const TAG = 'DRIVER-0042';

async function api(base, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function connect(base, c) {
  const client = new RPCClient({
    identity: c.id,
    endpoint: `${base.replace(/^http/, 'ws')}/ocpp`,
    protocols: [c.protocol],
    strictMode: true,
    reconnect: false,
    pingIntervalMs: 0,
    callTimeoutMs: 15_000,
  });
  await client.connect();
  const boot = c.protocol === 'ocpp1.6'
    ? await client.call('BootNotification', { chargePointVendor: c.vendor, chargePointModel: c.model, firmwareVersion: c.firmware })
    : await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: c.vendor, model: c.model, firmwareVersion: c.firmware } });
  if (boot.status !== 'Accepted') throw new Error(`${c.id}: boot answered ${JSON.stringify(boot)}`);
  return client;
}

function status16(client, connectorId, status, errorCode = 'NoError') {
  return client.call('StatusNotification', { connectorId, status, errorCode, timestamp: new Date().toISOString() });
}
function status201(client, status) {
  return client.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: status, evseId: 1, connectorId: 1 });
}
const energy = (wh, context) => ({ value: wh, measurand: 'Energy.Active.Import.Register', unit: 'Wh', context });

/** A 2.0.1 session started 40 minutes ago with a reading every 5 minutes (0 to 14.4 kWh so far). */
async function charge201(client) {
  await status201(client, 'Occupied');
  const tx = { transactionId: 'TX-A1-0001' };
  await client.call('TransactionEvent', {
    eventType: 'Started', timestamp: minutesAgo(40), triggerReason: 'Authorized', seqNo: 0,
    transactionInfo: { ...tx, chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 },
    idToken: { idToken: TAG, type: 'ISO14443' },
    meterValue: [{ timestamp: minutesAgo(40), sampledValue: [{ value: 0, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register' }] }],
  });
  const readings = [1.1, 2.9, 4.8, 6.6, 8.5, 10.4, 12.5, 14.4];
  for (const [i, kwh] of readings.entries()) {
    await client.call('TransactionEvent', {
      eventType: 'Updated', timestamp: minutesAgo(35 - i * 5), triggerReason: 'MeterValuePeriodic', seqNo: i + 1,
      transactionInfo: { ...tx, chargingState: 'Charging' },
      meterValue: [{ timestamp: minutesAgo(35 - i * 5), sampledValue: [{ value: kwh * 1000, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register' }] }],
    });
  }
}

/** A 1.6 session started 25 minutes ago, 5.2 kWh so far. */
async function charge16(client) {
  await status16(client, 1, 'Preparing');
  const start = await client.call('StartTransaction', { connectorId: 1, idTag: TAG, meterStart: 120_000, timestamp: minutesAgo(25) });
  await status16(client, 1, 'Charging');
  for (const [i, wh] of [121_700, 123_500, 125_200].entries()) {
    await client.call('MeterValues', {
      connectorId: 1, transactionId: start.transactionId,
      meterValue: [{ timestamp: minutesAgo(15 - i * 5), sampledValue: [{ ...energy(String(wh), 'Sample.Periodic'), format: 'Raw' }] }],
    });
  }
}

async function bringUp(base) {
  await api(base, 'PUT', '/tariffs/STANDARD', {
    currency: 'EUR',
    elements: [
      { price_components: [{ type: 'ENERGY', price: 0.35, vat: 21, step_size: 1 }] },
      { price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 1 }] },
    ],
  });
  await api(base, 'PUT', '/tariff-assignments/default', { tariffId: 'STANDARD' });
  await api(base, 'PUT', `/id-tags/${TAG}`, { status: 'Accepted' });
  const clients = [];
  for (const c of FLEET) {
    await api(base, 'PUT', `/chargers/${c.id}`, {});
    if (c.role === 'never') continue;
    const client = await connect(base, c);
    clients.push(client);
    if (c.role === 'charging') await (c.protocol === 'ocpp1.6' ? charge16(client) : charge201(client));
    else if (c.role === 'faulted') await status16(client, 1, 'Faulted', 'GroundFailure');
    else if (c.role === 'unavailable') await status16(client, 1, 'Unavailable');
    else await status201(client, 'Available');
    if (c.role === 'offline') await client.close({ force: true });
  }
  return clients;
}

/** Polls `probe` until it answers [true, …]; the last answer's second part says what was seen. */
async function waitFor(what, probe) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const [done, seen] = await probe();
    if (done) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The pictures, in order, on one page per width: each goes to its screen, waits until it shows what
 * it should, and is saved as docs/console-<name>-<width>.png. Add a screen here to picture it.
 */
const PICTURES = [
  {
    name: 'fleet',
    // Every charger listed, the offline one offline, the counts read.
    show: async (page) => {
      await page.locator('#chargers tbody tr').nth(FLEET.length - 1).waitFor({ timeout: WAIT_MS });
      await page.locator('#fleet-summary button', { hasText: `All ${FLEET.length}` }).waitFor({ timeout: WAIT_MS });
      await page.locator('#chargers tr', { hasText: 'STREET-07' }).locator('.st-offline').waitFor({ timeout: WAIT_MS });
    },
  },
  {
    name: 'charger',
    // A charging charger, its running transaction picked: its energy chart and cost so far show.
    show: async (page) => {
      await page.click('#chargers a[href="#/chargers/DEPOT-A1"]');
      await page.locator('#detail .tx-box tr.active').first().click({ timeout: WAIT_MS });
      await page.locator('#detail .chart-box svg.chart').waitFor({ timeout: WAIT_MS });
      await page.locator('#detail .cost-box .cost-head').waitFor({ timeout: WAIT_MS });
      await page.locator('#detail .journal tbody tr').first().waitFor({ timeout: WAIT_MS });
    },
  },
  {
    name: 'transactions',
    // The fleet's transactions with their filters, the running ones first.
    show: async (page) => {
      await page.click('nav a[href="#/transactions"]');
      await page.locator('#transactions tbody tr', { hasText: 'DEPOT-A1' }).first().waitFor({ timeout: WAIT_MS });
    },
  },
  {
    name: 'id-tags',
    // The id tags screen: search, the list with its Block / Delete, the add form and the CSV import.
    show: async (page) => {
      await page.click('nav a[href="#/id-tags"]');
      await page.locator('#id-tags tr', { hasText: TAG }).first().waitFor({ timeout: WAIT_MS });
    },
  },
];

/** Takes the pictures at one width; returns the names of those whose page was wider than the window. */
async function shoot(browser, base, width) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/api/v1/whoami')) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/dashboard#/fleet`);
  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await page.locator('#token').blur(); // no focus ring in the picture
  const tooWide = [];
  for (const picture of PICTURES) {
    await picture.show(page);
    await page.screenshot({ path: join(docs, `console-${picture.name}-${width}.png`), fullPage: true });
    if (await page.evaluate(() => document.documentElement.scrollWidth > innerWidth)) tooWide.push(picture.name);
  }
  await page.close();
  if (errors.length) throw new Error(`console errors at ${width} px: ${errors.join('; ')}`);
  return tooWide;
}

async function main() {
  mkdirSync(docs, { recursive: true });
  let worker, browser, clients = [];
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
    await worker?.stop();
  };
  const timer = setTimeout(() => {
    process.stderr.write(`screenshots: not done within ${RUN_TIMEOUT_MS / 60_000} min, stopping\n`);
    cleanup().finally(() => process.exit(1));
  }, RUN_TIMEOUT_MS);
  try {
    process.stderr.write('screenshots: starting wrangler dev\n');
    // A 2.0.1 Started waits in its charger's outbox up to FLUSH_DELAY_SECONDS before D1 (and so the
    // fleet list) shows it charging (the live feed says so at once): a short delay for the pictures.
    worker = await startWranglerDev({ vars: { API_TOKEN: TOKEN, FLUSH_DELAY_SECONDS: '2' } });
    process.stderr.write(`screenshots: ${worker.baseUrl}, bringing up ${FLEET.length} chargers\n`);
    clients = await bringUp(worker.baseUrl);
    await waitFor('the fleet counts', async () => {
      const s = (await api(worker.baseUrl, 'GET', '/chargers/summary')).summary;
      const states = (await api(worker.baseUrl, 'GET', '/chargers')).chargers.map((c) => `${c.id} ${c.state}`);
      return [s.total === FLEET.length && s.byState?.charging === 2 && s.byState?.faulted === 1 && s.byState?.offline === 2, states];
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--font-render-hinting=none'],
    });
    for (const width of WIDTHS) {
      const tooWide = await shoot(browser, worker.baseUrl, width);
      process.stderr.write(`screenshots: ${width} px done${tooWide.length ? ` (wider than the window: ${tooWide.join(', ')})` : ''}\n`);
    }
    process.stderr.write(`screenshots: saved in ${docs}\n`);
  } catch (error) {
    process.exitCode = 1;
    process.stderr.write(`screenshots: ${error instanceof Error ? error.stack : error}\n${worker ? worker.logTail(30) : ''}\n`);
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

await main();
