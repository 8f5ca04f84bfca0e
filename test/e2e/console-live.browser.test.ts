// The console's live feed when things go wrong, and the alerts it brings (issue 15, "Live and
// cheap"): without a feed the console says it polls and a change still shows; a feed that drops is
// reopened by the console itself, which reads the screen once and then follows the feed again; a
// critical security event moves the alerts badge with no Refresh. Strict simulated chargers against
// `wrangler dev`, real headless Chromium.
import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { bootedCharger, uniqueChargerId } from './helpers.ts';

useBrowser();

/** The API requests a page makes from now on (their URLs). */
function apiRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/v1/')) urls.push(r.url());
  });
  return urls;
}

/** Resolves once `requests` has not grown for a second: the reads already started are done. */
async function settled(requests: string[]): Promise<void> {
  let seen = -1;
  await expect.poll(() => {
    const still = requests.length === seen;
    seen = requests.length;
    return still;
  }, { timeout: 30_000, interval: 1_000 }).toBe(true);
}

const statusText = async (page: Page) => (await page.locator('#status').textContent()) ?? '';

describe('the console without its live feed, after it drops, and its alerts', () => {
  it('issue 15: when the feed cannot open (its tickets refused) the console says it polls, and a charger\'s status change still shows', async () => {
    const id = uniqueChargerId('LIVEPOLL');
    const charger = await bootedCharger('ocpp1.6', id);
    await charger.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    let ticketsRefused = 0;
    let sockets = 0;
    const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`, 1280, (p) => {
      p.on('websocket', () => (sockets += 1));
      void p.route('**/api/v1/live/tickets', async (route) => {
        ticketsRefused += 1;
        await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'Unavailable', message: 'refused by the test' } }) });
      });
    });
    const requests = apiRequests(page);
    const chips = page.locator('#detail .head .chips');
    await expect.poll(() => chips.textContent(), { timeout: 30_000 }).toContain('Available');
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toMatch(/· every 3 s$/);
    expect(ticketsRefused).toBeGreaterThanOrEqual(1);

    // It polls: the charger is read again and again with nothing changing.
    const reads = () => requests.filter((u) => new URL(u).pathname === `/api/v1/chargers/${id}`).length;
    await expect.poll(reads, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);

    await charger.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted' });
    await expect.poll(() => chips.textContent(), { timeout: 30_000, interval: 200 }).toMatch(/Faulted \(GroundFailure\)/);
    expect(await statusText(page)).toMatch(/· every 3 s$/);
    expect(sockets).toBe(0);
    // The refused tickets are the only failed loads: the browser logs each as an error.
    expect(consoleErrors.filter((e) => !/^Failed to load resource: .* 503/.test(e))).toEqual([]);
    await page.close();
    await charger.close();
  }, 90_000);

  it('issue 15: a feed that drops is reopened by the console itself, which reads the screen once; a later change shows within 2 s', async () => {
    const prefix = uniqueChargerId('LIVEDROP');
    const charger = await bootedCharger('ocpp2.0.1', `${prefix}-A`);
    await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    // Each feed socket passes through the test, which can drop it from the server's side.
    const feeds: WebSocketRoute[] = [];
    const hellos: number[] = [];
    const { page, consoleErrors } = await openDashboard('', 1280, (p) => {
      void p.routeWebSocket(/\/api\/v1\/live\?ticket=/, (ws) => {
        const index = feeds.push(ws) - 1;
        const server = ws.connectToServer();
        server.onMessage((message) => {
          if (String(message).includes('"type":"hello"')) hellos.push(index);
          ws.send(message);
        });
      });
    });
    await page.fill('#fleet-q', prefix);
    const row = page.locator('#chargers tr', { hasText: `${prefix}-A` });
    await expect.poll(async () => (await row.textContent()) ?? '', { timeout: 30_000 }).toMatch(/^online/);
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toContain('· live');
    expect(feeds.length).toBe(1);

    const before = apiRequests(page);
    await settled(before);
    const requests = apiRequests(page);
    const listReads = () => requests.filter((u) => new URL(u).pathname === '/api/v1/chargers').length;
    // The feed closes under the console (1012: the service restarts), as a deploy or the network would close it.
    await feeds[0]!.close({ code: 1012, reason: 'dropped by the test' });
    await expect.poll(() => hellos.includes(1), { timeout: 30_000 }).toBe(true);
    expect(feeds.length).toBe(2);
    // Back, it reads what it shows once (no polling between: it reconnected at once).
    await expect.poll(listReads, { timeout: 30_000 }).toBe(1);
    expect(requests.filter((u) => u.includes('/live/tickets')).length).toBe(1);
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toContain('· live');

    // A change after the reconnection shows from the new feed within 2 s, with no read.
    await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    await expect.poll(async () => (await row.textContent()) ?? '', { timeout: 2_000, interval: 100 }).toMatch(/^faulted.*EVSE 1.*Faulted/);
    expect(listReads()).toBe(1);
    expect(consoleErrors).toEqual([]);
    await page.close();
    await charger.close();
  }, 90_000);

  it('issue 15 / A04: a critical security event moves the alerts badge and list while the feed is open, without Refresh', async () => {
    const id = uniqueChargerId('LIVEALERT');
    const charger = await bootedCharger('ocpp2.0.1', id);
    const { page, consoleErrors } = await openDashboard('#/alerts');
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toContain('· live');
    const badge = async () => Number.parseInt((await page.textContent('#alert-count')) ?? '', 10);
    await expect.poll(badge, { timeout: 30_000 }).not.toBeNaN();
    const before = await badge();
    const rows = page.locator('#alerts tr', { hasText: id });
    expect(await rows.count()).toBe(0);

    // Not critical: no alert, and nothing to read.
    await charger.call('SecurityEventNotification', { type: 'SettingSystemTimeWasNotCritical', timestamp: new Date().toISOString() });
    await charger.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: new Date().toISOString(), techInfo: 'lid opened' });
    // No Refresh, no poll (the feed is open): the feed's alert has the console read the alerts again.
    await expect.poll(() => rows.count(), { timeout: 30_000, interval: 200 }).toBe(1);
    expect(await rows.first().textContent()).toContain('TamperDetectionActivated');
    expect(await badge()).toBeGreaterThanOrEqual(before + 1);
    expect(await statusText(page)).toContain('· live');
    expect(consoleErrors).toEqual([]);
    await page.close();
    await charger.close();
  }, 90_000);
});
