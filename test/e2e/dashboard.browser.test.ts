// The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core): a
// simulated charger appears on the page, charges, and its transaction shows with its energy.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_API_TOKEN } from './global-setup.ts';
import { api, baseUrl, bootedCharger, uniqueChargerId } from './helpers.ts';

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
});
