// A 2.1 charger's data in the console (issue 16: "the dashboard shows 2.1 chargers with their new data"), in a real
// headless Chromium against `wrangler dev`, seeded by a strict 2.1 charger (typed-ocpp's schemas check every frame)
// and the API: its installed tariffs (and the charger asked from the tab), dynamic schedules, battery swaps and VAT
// validations; a transaction's exported energy in both lists, its charger cost, priority charging and settlement.
// Each tab says when it is empty, and shows an error the API answers instead of breaking.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HOSTILE, openDashboard, useBrowser } from './console-helpers.ts';
import { api, bootedCharger, command, uniqueChargerId } from './helpers.ts';

useBrowser();

const TABS = ['Installed tariffs', 'Dynamic schedules', 'Battery swaps', 'VAT validations'];

/** Follows a link of the console (a new hash, as the operator would). */
async function showHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
}

/** Opens a tab of the charger screen and returns its body. */
async function openTab(page: Page, title: string) {
  const views = page.locator('#detail section.views');
  await views.getByRole('tab', { name: title, exact: true }).click({ timeout: 20_000 });
  return views.locator('.view-body');
}

function dynamicProfile(id: number) {
  return {
    evseId: 0,
    chargingProfile: {
      id,
      stackLevel: id,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Dynamic',
      dynUpdateInterval: 60,
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] }],
    },
  };
}

/** A 2.1 session's events: import and export registers, the charger's own cost on the end. */
function session(tx: string, t0: number) {
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
  const registers = (min: number, importWh: number, exportWh: number, context: string) => [
    {
      timestamp: at(min),
      sampledValue: [
        { value: importWh, context, measurand: 'Energy.Active.Import.Register' },
        { value: exportWh, context, measurand: 'Energy.Active.Export.Register' },
      ],
    },
  ];
  return {
    started: { eventType: 'Started', timestamp: at(0), seqNo: 0, triggerReason: 'CablePluggedIn', evse: { id: 1, connectorId: 1 },
      transactionInfo: { transactionId: tx }, meterValue: registers(0, 1_000, 500, 'Transaction.Begin') },
    ended: { eventType: 'Ended', timestamp: at(60), seqNo: 1, triggerReason: 'EVDeparted', transactionInfo: { transactionId: tx, stoppedReason: 'EVDisconnected' },
      meterValue: registers(60, 6_000, 3_500, 'Transaction.End'),
      costDetails: { totalCost: { currency: 'EUR', typeOfCost: 'NormalCost', total: { exclTax: 4.5, inclTax: 5.4 } }, totalUsage: { energy: 5_000, chargingTime: 3_600, idleTime: 0 } } },
  };
}

describe("a 2.1 charger's data in the console", () => {
  it('shows its installed tariffs (and asks the charger), dynamic schedules, battery swaps, VAT validations, and a transaction\'s export, cost, priority charging and settlement', async () => {
    const id = uniqueChargerId('V21DATA');
    const cp = await bootedCharger('ocpp2.1', id);
    const path = `/chargers/${encodeURIComponent(id)}`;
    cp.handle('SetDefaultTariff', async () => ({ status: 'Accepted' }));
    cp.handle('SetChargingProfile', async () => ({ status: 'Accepted' }));
    cp.handle('UpdateDynamicSchedule', async () => ({ status: 'Accepted' }));
    cp.handle('RequestBatterySwap', async () => ({ status: 'Accepted' }));
    cp.handle('GetTariffs', async () => ({
      status: 'Accepted',
      tariffAssignments: [{ tariffId: 'vendor-1', tariffKind: 'DriverTariff', evseIds: [2], idTokens: ['DRIVER-1'] }],
    }));

    // A stored tariff set as the charger's default (2.1 SetDefaultTariff): recorded as held.
    const tariffId = `V21-${crypto.randomUUID().slice(0, 8)}`;
    const tariff = { currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 20, step_size: 1 }] }] };
    expect((await api('PUT', `/tariffs/${tariffId}`, tariff)).status).toBe(201);
    const set = await api('POST', `${path}/tariffs/default`, { tariffId, assign: false });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    // Two Dynamic profiles: values set for 5, none for 6.
    for (const profileId of [5, 6]) expect((await command(id, 'SetChargingProfile', dynamicProfile(profileId))).status).toBe(200);
    const dynamic = await api('PUT', `${path}/charging-profiles/5/dynamic`, { scheduleUpdate: { limit: 7000, setpoint: 3000 } });
    expect(dynamic.status, JSON.stringify(dynamic.body)).toBe(200);
    // A battery swap requested, then the charger's event with an accepted token and hostile vendor text.
    const tag = `SWAP-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBe(201);
    const idToken = { idToken: tag, type: 'ISO14443' };
    expect((await command(id, 'RequestBatterySwap', { requestId: 42, idToken })).status).toBe(200);
    expect(await cp.call('BatterySwap', { eventType: 'BatteryOut', requestId: 42, idToken,
      batteryData: [{ evseId: 1, serialNumber: 'BAT-1', soC: 12.5, soH: 97, vendorInfo: HOSTILE }] })).toEqual({});
    expect(await cp.call('VatNumberValidation', { vatNumber: 'NL123456789B01', evseId: 1 })).toMatchObject({ status: 'Rejected' });
    // A session exporting 3 kWh, priority charging on while it ran, its settlement after.
    const tx = `V21-TX-${Date.now()}`;
    const events = session(tx, Date.now() - 3_600_000);
    await cp.call('TransactionEvent', events.started);
    expect(await cp.call('NotifyPriorityCharging', { transactionId: tx, activated: true })).toEqual({});
    await cp.call('TransactionEvent', events.ended);
    expect(await cp.call('NotifySettlement', { transactionId: tx, pspRef: 'psp-77', status: 'Settled', settlementAmount: 5.4,
      settlementTime: new Date().toISOString(), receiptId: 'R-1', receiptUrl: `https://receipts.example/R-1?${HOSTILE}`,
      vatNumber: 'NL123456789B01', vatCompany: { name: 'Acme BV', address1: 'Main 1', city: 'Utrecht', country: 'NL' } })).toEqual({});

    // A profile with no values answers 404 NoDynamicValues: the tab says so in its row; the browser logs the load.
    const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`);
    let body = await openTab(page, 'Installed tariffs');
    const held = body.locator('tbody tr', { hasText: `${tariffId}@1` });
    await held.waitFor({ timeout: 30_000 });
    for (const text of ['DefaultTariff', 'SetDefaultTariff']) expect(await held.textContent()).toContain(text);
    // Asked from the tab: the charger's answer replaces the record.
    await body.getByRole('button', { name: 'Ask the charger (GetTariffs)' }).click();
    await expect.poll(() => body.locator('.editor-status').textContent(), { timeout: 30_000 }).toMatch(/^GetTariffs: Accepted at /);
    const asked = body.locator('tbody tr');
    await expect.poll(() => asked.count(), { timeout: 10_000 }).toBe(1);
    const askedText = await asked.textContent();
    for (const text of ['vendor-1', 'not one of this CSMS\'s', 'DriverTariff', 'DRIVER-1', 'GetTariffs']) expect(askedText).toContain(text);

    body = await openTab(page, 'Dynamic schedules');
    const set5 = body.locator('tbody tr', { hasText: 'limit 7000, setpoint 3000' });
    await set5.waitFor({ timeout: 30_000 });
    expect(await set5.textContent()).toMatch(/^5.*TxDefaultProfile60 s.*Accepted at /);
    expect(await body.locator('tbody tr', { hasText: 'none set yet' }).textContent()).toMatch(/^6/);

    body = await openTab(page, 'Battery swaps');
    const out = body.locator('tbody tr', { hasText: 'BatteryOut' });
    await out.waitFor({ timeout: 30_000 });
    const outText = await out.textContent();
    for (const text of ['42', `${tag} (ISO14443)`, 'Accepted', 'EVSE 1 BAT-1 SoC 12.5 %, SoH 97 %', HOSTILE]) expect(outText).toContain(text);
    expect(await body.locator('tbody tr', { hasText: 'Requested' }).textContent()).toContain('charger Accepted');

    body = await openTab(page, 'VAT validations');
    const vat = body.locator('tbody tr', { hasText: 'NL123456789B01' });
    await vat.waitFor({ timeout: 30_000 });
    expect(await vat.textContent()).toMatch(/NL123456789B011$/);

    // The charger's transactions: energy and exported energy; picking it shows its 2.1 payment below the cost.
    const txRow = page.locator('#detail .tx-box tbody tr', { hasText: tx });
    await expect.poll(() => txRow.textContent(), { timeout: 30_000 }).toContain('5.00 kWh · exported 3.00 kWh');
    await showHash(page, `#/transactions/${encodeURIComponent(id)}/${encodeURIComponent(tx)}`);
    const payment = page.locator('#tx-detail .payment21');
    await payment.waitFor({ timeout: 30_000 });
    const facts = await payment.locator('dl').textContent();
    expect(facts).toContain('4.50 EUR excl. VAT, 5.40 EUR incl. VAT · final (event 1');
    expect(facts).toMatch(/Priority charging\s*on · on at /);
    const settled = await payment.locator('table.settlements tbody tr').textContent();
    for (const text of ['Settled', '5.4', 'psp-77', 'R-1 https://receipts.example/R-1?' + HOSTILE, 'Acme BV, Utrecht, NL']) expect(settled).toContain(text);
    expect(await page.locator('#tx-detail dl.tx-facts').textContent()).toContain('Energy exported3.00 kWh');

    // The fleet's transactions list, filtered to this charger: the export beside the energy.
    await showHash(page, `#/transactions`);
    await page.fill('#tx-charger', id);
    await page.press('#tx-charger', 'Enter');
    await expect.poll(() => page.locator('#transactions tbody tr', { hasText: tx }).textContent(), { timeout: 30_000 }).toContain('5.00 kWh · exported 3.00 kWh');

    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(consoleErrors.filter((e) => !/^Failed to load resource: .* 404/.test(e))).toEqual([]);
    expect(consoleErrors.length).toBeLessThanOrEqual(1); // profile 6's dynamic values, read once
    await page.close();
    await cp.close();
  }, 120_000);

  it('each 2.1 tab and a 2.1 transaction say when there is nothing; a 2.0.1 charger has none of these tabs', async () => {
    const id = uniqueChargerId('V21EMPTY');
    const cp = await bootedCharger('ocpp2.1', id);
    const tx = `V21-BARE-${Date.now()}`;
    const events = session(tx, Date.now() - 3_600_000);
    await cp.call('TransactionEvent', events.started);
    const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`);
    const empty: Record<string, RegExp> = {
      'Installed tariffs': /No tariff recorded on this charger/,
      'Dynamic schedules': /No profile of kind Dynamic installed/,
      'Battery swaps': /No battery swap recorded/,
      'VAT validations': /No VAT number validation asked by this charger/,
    };
    for (const title of TABS) {
      const body = await openTab(page, title);
      await expect.poll(() => body.textContent(), { timeout: 30_000 }).toMatch(empty[title]!);
      expect(await body.locator('table').count(), title).toBe(0);
    }
    await showHash(page, `#/transactions/${encodeURIComponent(id)}/${encodeURIComponent(tx)}`);
    const payment = page.locator('#tx-detail .payment21');
    await payment.waitFor({ timeout: 30_000 });
    const text = await payment.textContent();
    for (const words of ['none sent by the charger', 'Priority chargingnot used', 'No settlement recorded']) expect(text).toContain(words);

    const other = uniqueChargerId('V21NOT');
    const cp201 = await bootedCharger('ocpp2.0.1', other);
    await showHash(page, `#/chargers/${encodeURIComponent(other)}`);
    const tabs = page.locator('#detail section.views [role="tab"]');
    await page.locator('#detail section.views [role="tab"][data-view="events"]').waitFor({ timeout: 30_000 });
    const titles = await tabs.allTextContents();
    for (const title of TABS) expect(titles).not.toContain(title);
    expect(consoleErrors).toEqual([]);
    await page.close();
    await cp.close();
    await cp201.close();
  }, 90_000);

  it('shows an error the API answers in the tab, and an offline charger\'s GetTariffs as not answered', async () => {
    const id = uniqueChargerId('V21ERR');
    const cp = await bootedCharger('ocpp2.1', id);
    const unavailable = JSON.stringify({ error: { code: 'Unavailable', message: 'refused by the test' } });
    const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`, 1280, (p) => {
      // The reads of three tabs answer 503 (the installed tariffs are read for real, below).
      for (const pattern of [/\/charging-profiles$/, /\/battery-swaps\?/, /\/reports\?action=VatNumberValidation&/]) {
        void p.route(pattern, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: unavailable }));
      }
    });
    for (const title of ['Dynamic schedules', 'Battery swaps', 'VAT validations']) {
      const body = await openTab(page, title);
      const error = body.locator('.result.bad');
      await expect.poll(() => error.textContent(), { timeout: 30_000 }).toBe(`${title}: 503 Unavailable: refused by the test`);
      // An error is not an empty list: nothing claims there is nothing.
      expect(await body.textContent(), title).not.toMatch(/Nothing recorded|No (profile|battery swap|VAT number)/);
    }
    // The charger gone, asking it is answered with the record as it was, and why it was not asked.
    await cp.close();
    const body = await openTab(page, 'Installed tariffs');
    await expect.poll(() => body.textContent(), { timeout: 30_000 }).toContain('No tariff recorded');
    await body.getByRole('button', { name: 'Ask the charger (GetTariffs)' }).click();
    await expect.poll(() => body.locator('.result.bad').textContent(), { timeout: 30_000 }).toMatch(
      /^GetTariffs was not answered \(409 ChargerOffline: .+\): the record below is as it was\.$/,
    );
    expect(consoleErrors.filter((e) => !/^Failed to load resource: .* 503/.test(e))).toEqual([]);
    await page.close();
  }, 90_000);
});
