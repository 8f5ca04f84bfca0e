// The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core): a
// simulated charger appears on the page, charges, and its transaction shows with its energy; a
// charger's security alert, firmware job and events show, as text, whatever markup they carry.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_API_TOKEN } from './global-setup.ts';
import { api, baseUrl, BOOT, bootedCharger, command, connectCharger, uniqueChargerId } from './helpers.ts';

/** Installed by .ci/run from Debian's packages when missing. */
const CHROMIUM = '/usr/bin/chromium';

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
});

/** A page with the token given, collecting console errors and uncaught exceptions. */
async function openDashboard(): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(`${baseUrl()}/dashboard`);
  await page.fill('#token', E2E_API_TOKEN);
  await page.press('#token', 'Enter');
  return { page, consoleErrors };
}

/** Markup a hostile charger puts in its text: shown literally, it must never become an element or run. */
const HOSTILE = '<img src=x onerror=window.__pwned=1>';

describe('the dashboard in a browser', () => {
  it('shows a simulated charger come online and charge, with no console errors', async () => {
    const id = uniqueChargerId('DASH');
    const tag = `DASHTAG${Date.now() % 100000}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBe(201);
    const charger = await bootedCharger('ocpp2.0.1', id);
    await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });

    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));

    await page.goto(`${baseUrl()}/dashboard`);
    await page.fill('#token', E2E_API_TOKEN);
    await page.press('#token', 'Enter');
    // The charger appears in the list.
    await page.getByText(id).first().waitFor({ timeout: 15_000 });

    // It starts charging.
    const transactionId = `DASH-TX-${Date.now()}`;
    const now = Date.now();
    const event = (seqNo: number, eventType: string, wh: number, extra: object = {}) => ({
      eventType,
      timestamp: new Date(now + seqNo * 1000).toISOString(),
      triggerReason: seqNo === 0 ? 'Authorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      meterValue: [{ timestamp: new Date(now + seqNo * 1000).toISOString(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
      ...extra,
    });
    await charger.call('TransactionEvent', event(0, 'Started', 1000, { evse: { id: 1, connectorId: 1 }, idToken: { idToken: tag, type: 'ISO14443' } }));
    await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await charger.call('TransactionEvent', event(1, 'Updated', 3500));

    // Selecting it shows its transaction, active, with the energy so far (2,500 Wh = 2.50 kWh).
    await page.getByText(id).first().click();
    await page.getByText(transactionId).first().waitFor({ timeout: 15_000 });
    const transactionRow = page.locator('tr', { hasText: transactionId }).first();
    await expect.poll(async () => (await transactionRow.textContent()) ?? '', { timeout: 15_000 }).toMatch(/active/);
    await expect.poll(async () => (await transactionRow.textContent()) ?? '', { timeout: 15_000 }).toMatch(/2\.5/);

    // Trigger message StatusNotification from its form: 2.0.1 names a connector (F06.FR.13), so
    // the form sends EVSE 1 / connector 1 with the EVSE field left empty, and the charger gets it.
    const triggers: unknown[] = [];
    charger.handle('TriggerMessage', async ({ params }) => {
      triggers.push(params);
      return { status: 'Accepted' };
    });
    const form = page.locator('form.command', { hasText: 'Trigger message' });
    await form.locator('select[name="message"]').selectOption('StatusNotification');
    await form.locator('button').click();
    // (What the form shows after it is sent is the console's issue: the charger's side is checked here.)
    await expect.poll(() => triggers.length, { timeout: 15_000 }).toBe(1);
    expect(triggers).toEqual([{ requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('A04.FR.01 / L01 / N07: a critical security event is a fleet alert; the charger shows its firmware job and events; hostile text stays text', async () => {
    const id = uniqueChargerId('DASHSEC');
    const charger = await connectCharger('ocpp2.0.1', id);
    // A boot whose firmware version is markup (the fleet firmware view and the chargers list show it).
    const boot = BOOT['ocpp2.0.1'].params;
    expect(await charger.call('BootNotification', { ...boot, chargingStation: { ...boot.chargingStation, firmwareVersion: HOSTILE } })).toMatchObject({ status: 'Accepted' });
    charger.handle('UpdateFirmware', async () => ({ status: 'Accepted' }));

    const { page, consoleErrors } = await openDashboard();
    await page.locator('#chargers').getByText(id).waitFor({ timeout: 15_000 });

    // A critical security event (TamperDetectionActivated) with markup in its techInfo: an alert, newest first.
    await charger.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: new Date().toISOString(), techInfo: HOSTILE });
    const alertRow = page.locator('#alerts tr', { hasText: id }).first();
    await alertRow.waitFor({ timeout: 20_000 });
    expect(await alertRow.textContent()).toContain('TamperDetectionActivated');
    expect(await alertRow.textContent()).toContain(HOSTILE);
    await expect.poll(async () => Number.parseInt((await page.textContent('#alert-count')) ?? '', 10), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

    // A firmware job (L01) and two events (N07): one with markup for its value, one a secret the API redacts.
    expect((await command(id, 'UpdateFirmware', { requestId: 77, retries: 2, firmware: { location: 'https://fw.example/dash-9.9.bin', retrieveDateTime: new Date().toISOString() } })).body)
      .toEqual({ result: { status: 'Accepted' } });
    await charger.call('FirmwareStatusNotification', { status: 'Downloading', requestId: 77 });
    await charger.call('NotifyEvent', {
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      eventData: [
        { eventId: 1, timestamp: new Date().toISOString(), trigger: 'Alerting', actualValue: HOSTILE, techInfo: HOSTILE, component: { name: 'ChargingStation' }, variable: { name: 'Problem' }, eventNotificationType: 'HardWiredNotification' },
        { eventId: 2, timestamp: new Date().toISOString(), trigger: 'Delta', actualValue: 'hunter2', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, eventNotificationType: 'HardWiredNotification' },
      ],
    });

    await page.locator('#chargers').getByText(id).click();
    const views = page.locator('#detail section.views');
    await views.getByRole('tab', { name: 'Firmware jobs' }).click();
    const jobRow = views.locator('tr', { hasText: 'dash-9.9.bin' });
    await jobRow.waitFor({ timeout: 15_000 });
    expect(await jobRow.textContent()).toMatch(/UpdateFirmware.*Downloading.*running.*fw\.example\/dash-9\.9\.bin.*2/);

    await views.getByRole('tab', { name: 'Events' }).click();
    const hostileEvent = views.locator('tr', { hasText: 'Problem' });
    await hostileEvent.waitFor({ timeout: 15_000 });
    expect(await hostileEvent.textContent()).toContain(HOSTILE);
    const secretEvent = views.locator('tr', { hasText: 'BasicAuthPassword' });
    expect(await secretEvent.textContent()).toContain('<redacted>');
    expect(await secretEvent.textContent()).not.toContain('hunter2');

    // The fleet firmware view: this charger, its version shown literally, its job running.
    await page.locator('#firmware-section summary').click();
    const fleetRow = page.locator('#firmware tr', { hasText: id });
    await fleetRow.waitFor({ timeout: 15_000 });
    expect(await fleetRow.textContent()).toContain(HOSTILE);
    expect(await fleetRow.textContent()).toContain('job 1: Downloading (running)');

    // Nothing the charger sent became markup or ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
