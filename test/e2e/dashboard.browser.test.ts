// The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core): a
// simulated charger appears on the page, charges, and its transaction shows with its energy; a
// charger's security alert, firmware job and events show, as text, whatever markup they carry; a
// priced session shows its cost and breakdown, the CDR export downloads its CSV, tariffs show in words.
// The console (issue 15): screens by URL hash, a generated command form sent twice shows both answers, an offline
// charger shows offline (never green), a command to it can be queued and is delivered on reconnect, a
// running 1.6 session shows its energy, no sideways scroll at 390 px, and a keyboard-only flow.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectErrors, HOSTILE, openDashboard, useBrowser } from './console-helpers.ts';
import { E2E_API_TOKEN } from './global-setup.ts';
import { api, baseUrl, BOOT, bootedCharger, command, connectCharger, uniqueChargerId, type Charger } from './helpers.ts';
import { reading201 } from './session-helpers.ts';

const browser = useBrowser();

describe('the dashboard in a browser', () => {
  it('shows a simulated charger come online and charge, with no console errors', async () => {
    const id = uniqueChargerId('DASH');
    const tag = `DASHTAG${Date.now() % 100000}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBe(201);
    const charger = await bootedCharger('ocpp2.0.1', id);
    await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });

    const page = await browser().newPage();
    const consoleErrors = collectErrors(page);

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

    // TriggerMessage StatusNotification from its generated form: 2.0.1 names a connector (F06.FR.13),
    // so the form starts with EVSE 1 / connector 1 (its default values), and the charger gets it.
    const triggers: unknown[] = [];
    charger.handle('TriggerMessage', async ({ params }) => {
      triggers.push(params);
      return { status: 'Accepted' };
    });
    const form = page.locator('form.command');
    await page.locator('#command-action').selectOption('TriggerMessage');
    await form.locator('select[name="requestedMessage"]').selectOption('StatusNotification');
    await form.getByRole('button', { name: 'Send' }).click();
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
    await page.click('nav a[href="#/alerts"]');
    const alertRow = page.locator('#alerts tr', { hasText: id }).first();
    // The live feed's security.alert makes the screen read again; Refresh does the same at once.
    await expect.poll(async () => { await page.click('#refresh'); return alertRow.count(); }, { timeout: 20_000, interval: 1_000 }).toBe(1);
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

    // The alert leads to its charger.
    await alertRow.getByRole('link', { name: id }).click();
    const views = page.locator('#detail section.views');
    await views.getByRole('tab', { name: 'Firmware jobs' }).click();
    const jobRow = views.locator('.job', { hasText: 'dash-9.9.bin' });
    await jobRow.waitFor({ timeout: 15_000 });
    expect(await jobRow.textContent()).toMatch(/UpdateFirmware.*Downloading.*running.*fw\.example\/dash-9\.9\.bin.*2/);

    await views.getByRole('tab', { name: 'Events', exact: true }).click();
    const hostileEvent = views.locator('tr', { hasText: 'Problem' });
    await hostileEvent.waitFor({ timeout: 15_000 });
    expect(await hostileEvent.textContent()).toContain(HOSTILE);
    const secretEvent = views.locator('tr', { hasText: 'BasicAuthPassword' });
    expect(await secretEvent.textContent()).toContain('<redacted>');
    expect(await secretEvent.textContent()).not.toContain('hunter2');

    // Its own security events (critical or not) and its connection history, as tabs of any version.
    await views.getByRole('tab', { name: 'Security events' }).click();
    const securityRow = views.locator('tr', { hasText: 'TamperDetectionActivated' });
    await securityRow.waitFor({ timeout: 15_000 });
    expect(await securityRow.textContent()).toContain(HOSTILE);
    expect(await securityRow.textContent()).toContain('yes');
    await views.getByRole('tab', { name: 'Connections' }).click();
    await views.locator('tr', { hasText: 'online' }).first().waitFor({ timeout: 15_000 });

    // The fleet firmware view: this charger, its version shown literally, its job running.
    await page.click('nav a[href="#/firmware"]');
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

  it('I03 / I02: a priced session shows its cost in the list and its breakdown; the CDR export is one click; tariffs show in words, their text literally', async () => {
    // Peak 07:00–23:00 UTC 0.40 EUR/kWh, else 0.25, a 0.50 session fee, 20 % VAT; its driver text is markup.
    const tariffId = `DASH-${crypto.randomUUID().slice(0, 8)}`;
    const tariff = {
      currency: 'EUR',
      time_zone: 'UTC',
      tariff_alt_text: [{ language: 'en', text: HOSTILE }],
      elements: [
        { price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00' } },
        { price_components: [{ type: 'ENERGY', price: 0.25, vat: 20, step_size: 1 }] },
        { price_components: [{ type: 'FLAT', price: 0.5, vat: 20, step_size: 1 }] },
      ],
    };
    expect((await api('PUT', `/tariffs/${tariffId}`, tariff)).status).toBe(201);
    // The default tariff is fleet-wide: the one set before (none in a fresh run) is put back at the end.
    const before = (await api('GET', '/tariff-assignments?scope=default')).body.assignments as { tariffId: string }[];
    expect((await api('PUT', '/tariff-assignments/default', { tariffId })).status).toBeLessThan(300);
    try {
      const id = uniqueChargerId('DASHCOST');
      const charger = await bootedCharger('ocpp2.0.1', id);
      // 22:30–23:30 UTC on the 15th of last month (in the export's default range): 5 kWh peak, then 4 kWh off-peak.
      const now = new Date();
      const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 22, 30);
      const iso = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
      const transactionId = `DASH-COST-${Date.now()}`;
      await charger.call('TransactionEvent', {
        eventType: 'Started', timestamp: iso(0), triggerReason: 'CablePluggedIn', seqNo: 0, evse: { id: 1, connectorId: 1 },
        transactionInfo: { transactionId, chargingState: 'Charging' }, meterValue: [reading201(iso(0), 0, 'Wh', 'Transaction.Begin')],
      });
      await charger.call('TransactionEvent', {
        eventType: 'Updated', timestamp: iso(30), triggerReason: 'MeterValuePeriodic', seqNo: 1,
        transactionInfo: { transactionId }, meterValue: [reading201(iso(30), 5_000, 'Wh')],
      });
      const ended = (await charger.call('TransactionEvent', {
        eventType: 'Ended', timestamp: iso(60), triggerReason: 'EVDeparted', seqNo: 2,
        transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' }, meterValue: [reading201(iso(60), 9_000, 'Wh', 'Transaction.End')],
      })) as { totalCost?: number };
      // 5 × 0.40 + 4 × 0.25 + 0.50 = 3.50 EUR excl. VAT; × 1.20 = 4.20 incl.
      expect(ended.totalCost).toBe(4.2);

      const { page, consoleErrors } = await openDashboard();
      await page.locator('#chargers').getByText(id).click();
      // The list: the total incl. VAT with its currency, and the tariff version it was priced under.
      const txRow = page.locator('tr', { hasText: transactionId }).first();
      await expect.poll(async () => (await txRow.textContent()) ?? '', { timeout: 20_000 }).toContain('4.20 EUR');
      expect(await txRow.textContent()).toContain(`${tariffId}@1`);

      // The detail: total, tariff in words, the two charging periods either side of 23:00, the totals per dimension.
      await txRow.click();
      const costBox = page.locator('#detail .cost-box');
      await expect.poll(async () => (await costBox.textContent()) ?? '', { timeout: 15_000 }).toContain('Total 4.20 EUR');
      await expect.poll(async () => (await costBox.textContent()) ?? '', { timeout: 15_000 }).toContain('07:00–23:00 0.40 EUR/kWh');
      const periods = costBox.locator('table.periods tbody tr');
      expect(await periods.count()).toBe(2);
      expect(await periods.nth(0).textContent()).toContain('5 kWh');
      expect(await periods.nth(1).textContent()).toContain('4 kWh');
      const totals = costBox.locator('table.totals tbody tr');
      expect(await totals.nth(0).textContent()).toBe('Energy9 kWh3.00 EUR3.60 EUR');
      expect(await totals.nth(3).textContent()).toBe('Session fee0.50 EUR0.60 EUR');
      expect(await totals.nth(4).textContent()).toBe('Total1 h3.50 EUR4.20 EUR');
      expect(await costBox.locator('.flag').count()).toBe(0);

      // The CDR export: one click on the default range (last month) saves the CSV, fetched with the token.
      const urls: string[] = [];
      page.on('request', (request) => urls.push(request.url()));
      await page.click('nav a[href="#/transactions"]');
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click('#cdr-download')]);
      expect(download.suggestedFilename()).toMatch(/^cdrs_.*\.csv$/);
      const csv = await readFile((await download.path())!, 'utf8');
      const lines = csv.split('\r\n');
      expect(lines[0]).toMatch(/^cdr_id,session_id,charger_id,protocol,/);
      const line = lines.find((l) => l.includes(transactionId));
      expect(line).toContain(`,${id},ocpp2.0.1,`);
      expect(line).toContain(',EUR,3.50,4.20,');
      expect(line).toContain(`,${tariffId},1,true,`);
      expect(urls.some((u) => u.includes('/api/v1/cdrs?format=csv'))).toBe(true);
      expect(urls.filter((u) => u.includes(E2E_API_TOKEN))).toEqual([]); // the token never in a URL
      expect(await page.locator('#cdr-result').textContent()).toMatch(/^Saved cdrs_/);

      // The tariffs, read-only: prices in words, the driver text as text, the default assignment.
      await page.click('nav a[href="#/tariffs"]');
      const tariffRow = page.locator('#tariffs table.tariffs tr', { hasText: tariffId });
      await tariffRow.waitFor({ timeout: 15_000 });
      expect(await tariffRow.textContent()).toContain('07:00–23:00 0.40 EUR/kWh; 0.25 EUR/kWh; 0.50 EUR per session; excl. VAT, +20 % VAT');
      expect(await tariffRow.textContent()).toContain(`[en] ${HOSTILE}`);
      const defaultRow = page.locator('#tariffs table.assignments tr', { hasText: 'Default' });
      expect(await defaultRow.textContent()).toContain(tariffId);

      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(consoleErrors).toEqual([]);
      await page.close();
      await charger.close();
    } finally {
      if (before[0]) await api('PUT', '/tariff-assignments/default', { tariffId: before[0].tariffId });
      else await api('DELETE', '/tariff-assignments/default');
    }
  }, 90_000);

  it('1.6 §5.13 / §5.10: one form sends twice, both answers shown; a running session shows its energy; offline is grey; an offline command is queued and delivered on reconnect', async () => {
    const id = uniqueChargerId('DASHQ');
    let charger: Charger = await bootedCharger('ocpp1.6', id);
    const resets: unknown[] = [];
    charger.handle('Reset', async ({ params }) => {
      resets.push(params);
      return { status: 'Accepted' };
    });
    await charger.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: new Date().toISOString() });

    // From the fleet to the charger's screen, by its link.
    const { page, consoleErrors } = await openDashboard();
    await page.locator('#chargers').getByRole('link', { name: id }).click();
    // Reset is the first action of the picker; its form starts with type Soft (the default values).
    const form = page.locator('form.command');
    const send = form.getByRole('button', { name: 'Send' });
    await send.waitFor({ timeout: 15_000 });
    expect(await form.locator('h4').textContent()).toBe('Reset');

    // The same form, twice: both answers listed in it, the form still there.
    await send.click();
    await expect.poll(() => form.locator('.answer .result.ok').count(), { timeout: 15_000 }).toBe(1);
    await send.click();
    await expect.poll(() => form.locator('.answer .result.ok').count(), { timeout: 15_000 }).toBe(2);
    expect(await form.locator('.answer').allTextContents()).toEqual([expect.stringContaining('Reset: Accepted'), expect.stringContaining('Reset: Accepted')]);
    expect(resets).toEqual([{ type: 'Soft' }, { type: 'Soft' }]);

    // A running 1.6 session: its energy so far in the list (2.60 kWh), not "—".
    const started = (await charger.call('StartTransaction', { connectorId: 1, idTag: 'DASHQTAG', meterStart: 10_000, timestamp: new Date().toISOString() })) as { transactionId: number };
    await charger.call('MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '12600', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    const txRow = page.locator('#detail table.transactions tr', { hasText: String(started.transactionId) });
    await expect.poll(async () => (await txRow.textContent()) ?? '', { timeout: 15_000 }).toContain('2.60 kWh');
    await charger.call('StopTransaction', { transactionId: started.transactionId, meterStop: 12_600, timestamp: new Date().toISOString() });

    // It goes away: offline, its connector no longer green "Available", here and in the fleet.
    await charger.close({ force: true });
    await expect.poll(async () => (await page.locator('#detail .head').textContent()) ?? '', { timeout: 15_000 }).toContain('offline');
    await expect.poll(async () => (await page.locator('#detail .head .chips').textContent()) ?? '', { timeout: 15_000 }).toContain('connector 1: offline');
    expect(await page.locator('#detail .s-available').count()).toBe(0);
    const fleet = await openDashboard();
    const fleetRow = fleet.page.locator('#chargers tr', { hasText: id });
    await expect.poll(async () => (await fleetRow.textContent()) ?? '', { timeout: 15_000 }).toMatch(/^offline.*connector 1: offline$/);
    expect(await fleetRow.locator('.s-available').count()).toBe(0);
    expect(fleet.consoleErrors).toEqual([]);
    await fleet.page.close();

    // A command now: a clear message, no raw JSON, and the offer to queue it.
    await send.click();
    const latest = form.locator('.answer').first();
    await expect.poll(async () => (await latest.textContent()) ?? '', { timeout: 15_000 }).toContain('the charger is offline');
    expect(await latest.textContent()).not.toContain('{');
    await latest.locator('select').selectOption('900');
    await latest.getByRole('button', { name: 'Queue until it reconnects' }).click();
    await expect.poll(async () => (await latest.textContent()) ?? '', { timeout: 15_000 }).toMatch(/Queued as \S+ until/);
    const queuedRow = page.locator('#detail table.queued tbody tr').first();
    await expect.poll(async () => (await queuedRow.textContent()) ?? '', { timeout: 15_000 }).toMatch(/Reset.*waiting/);

    // It reconnects and boots: the queued Reset reaches it, and the list says it was answered.
    charger = await connectCharger('ocpp1.6', id);
    charger.handle('Reset', async ({ params }) => {
      resets.push(params);
      return { status: 'Accepted' };
    });
    await charger.call(BOOT['ocpp1.6'].action, BOOT['ocpp1.6'].params);
    await expect.poll(() => resets.length, { timeout: 15_000 }).toBe(3);
    await expect.poll(async () => (await queuedRow.textContent()) ?? '', { timeout: 15_000 }).toMatch(/Reset.*answered/);

    // The fleet screen, by the back button: it is listed; then the charger again, forward.
    await page.goBack();
    await page.locator('#chargers').getByText(id).waitFor({ timeout: 15_000 });
    expect(page.url()).not.toContain('#/chargers/');
    await page.goForward();
    await page.locator('#detail h2', { hasText: id }).waitFor({ timeout: 15_000 });
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it('the fleet and charger screens never scroll sideways at 390 px, and use the width at 1440 px', async () => {
    const id = uniqueChargerId('DASHWIDE-LONG-IDENTITY');
    const charger = await bootedCharger('ocpp2.0.1', id);
    for (const evseId of [1, 2, 3]) {
      await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId, connectorId: 1 });
    }
    for (const width of [390, 1440]) {
      const { page, consoleErrors } = await openDashboard('', width);
      await page.locator('#chargers').getByText(id).waitFor({ timeout: 15_000 });
      const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(await overflow(), `fleet at ${width}`).toBeLessThanOrEqual(0);
      await page.locator('#chargers').getByText(id).click();
      await page.locator('#detail section.views').waitFor({ timeout: 15_000 });
      await page.locator('#detail .journal table').waitFor({ timeout: 15_000 });
      // The deepest generated command form (2.0.1 SetChargingProfile: nested objects and arrays) and the schedule chart fit too.
      await page.locator('#command-action').selectOption('SetChargingProfile');
      await page.locator('#detail svg.chart.schedule').waitFor({ timeout: 15_000 });
      expect(await overflow(), `charger at ${width}`).toBeLessThanOrEqual(0);
      for (const screen of ['transactions', 'tariffs', 'alerts', 'firmware']) {
        await page.click(`nav a[href="#/${screen}"]`);
        await page.waitForTimeout(500);
        expect(await overflow(), `${screen} at ${width}`).toBeLessThanOrEqual(0);
      }
      if (width === 1440) {
        // A link straight to the charger's screen; its content spans the width (not a narrow column).
        await page.goto(`${baseUrl()}/dashboard#/chargers/${encodeURIComponent(id)}`);
        await page.locator('#detail .journal table').waitFor({ timeout: 15_000 });
        const used = await page.evaluate<number>("document.getElementById('detail').getBoundingClientRect().width");
        expect(used).toBeGreaterThan(1300);
      }
      expect(consoleErrors).toEqual([]);
      await page.close();
    }
  }, 90_000);

  it('keyboard only: token, a charger from the fleet, a command sent and answered, with visible focus', async () => {
    const id = uniqueChargerId('DASHKEY');
    const charger = await bootedCharger('ocpp2.0.1', id);
    const triggers: unknown[] = [];
    charger.handle('TriggerMessage', async ({ params }) => {
      triggers.push(params);
      return { status: 'Accepted' };
    });
    const page = await browser().newPage();
    const consoleErrors = collectErrors(page);
    await page.goto(`${baseUrl()}/dashboard`);
    type Focused = { tag: string; id: string; text: string; outline: string };
    const focused = () => page.evaluate<Focused>(`(() => {
      const el = document.activeElement;
      return { tag: el ? el.tagName : '', id: el ? el.id : '', text: el ? el.textContent : '', outline: el ? getComputedStyle(el).outlineStyle : '' };
    })()`);
    /** Tabs until `match` holds for the focused element; fails after `max` presses. */
    const tabTo = async (what: string, match: (f: Focused) => boolean, max = 1500) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const f = await focused();
        if (match(f)) return f;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo('the token field', (f) => f.id === 'token');
    await page.keyboard.type(E2E_API_TOKEN);
    await page.keyboard.press('Enter');
    await page.locator('#chargers').getByText(id).waitFor({ timeout: 15_000 });
    const link = await tabTo('the charger', (f) => f.tag === 'A' && f.text === id);
    expect(link.outline).not.toBe('none'); // focus is visible
    await page.keyboard.press('Enter');
    await page.locator('#command-action').waitFor({ timeout: 15_000 });
    // The action picker, TriggerMessage picked by typing its name; its generated form's message select,
    // then Send (StatusNotification of EVSE 1 / connector 1 by default).
    await tabTo('the action picker', (f) => f.id === 'command-action');
    await page.keyboard.type('TriggerMessage');
    const form = page.locator('form.command');
    await expect.poll(() => form.locator('h4').textContent(), { timeout: 15_000 }).toBe('TriggerMessage');
    await tabTo('the requestedMessage select', (f) => f.tag === 'SELECT' && f.text.includes('LogStatusNotification'));
    await tabTo('its Send button', (f) => f.tag === 'BUTTON' && f.text === 'Send');
    await page.keyboard.press('Enter');
    await expect.poll(() => triggers.length, { timeout: 15_000 }).toBe(1);
    expect(triggers).toEqual([{ requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }]);
    await expect.poll(async () => (await form.locator('.answer').first().textContent()) ?? '', { timeout: 15_000 }).toContain('Accepted');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it('issue 15 fleet screen: counts by state filter the list, prefix search, keyset pages of 50; 2.0.1 G01 / B01: a status change shows live within 2 s without an API read, and an idle console reads nothing', async () => {
    const prefix = uniqueChargerId('DASHLIVE');
    const a = await bootedCharger('ocpp2.0.1', `${prefix}-A`);
    await a.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    // 51 more, registered and never connected (offline): 52 match the prefix, two pages of 50.
    for (let i = 0; i < 51; i++) expect((await api('PUT', `/chargers/${prefix}-R${String(i).padStart(2, '0')}`)).status).toBeLessThan(300);

    const sockets: string[] = [];
    const frames: string[] = [];
    const { page, consoleErrors } = await openDashboard('', 1280, (p) =>
      p.on('websocket', (ws) => {
        sockets.push(ws.url());
        ws.on('framereceived', (f) => frames.push(String(f.payload)));
      }),
    );
    expect(await page.locator('#fleet-q').getAttribute('placeholder')).toMatch(/starting with/);
    await page.fill('#fleet-q', prefix);
    const rows = page.locator('#chargers tbody tr');
    // The first page of the search (not the whole fleet's first page, shown before it).
    await expect.poll(async () => (await rows.allTextContents()).filter((t) => t.includes(prefix)).length, { timeout: 15_000 }).toBe(50);
    expect(await rows.count()).toBe(50);
    const rowA = page.locator('#chargers tr', { hasText: `${prefix}-A` });
    expect(await rowA.textContent()).toMatch(/^online/);
    // Page 2 by its cursor, and back.
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(async () => (await page.locator('#fleet-pager').textContent()) ?? '', { timeout: 15_000 }).toContain('Page 2, 2 shown');
    expect(await page.locator('#chargers').textContent()).toContain(`${prefix}-R50`);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await rowA.waitFor({ timeout: 15_000 });

    // The feed opens (a ticket, then a same-origin WebSocket the CSP allows, no token in its URL).
    await expect.poll(async () => (await page.locator('#status').textContent()) ?? '', { timeout: 15_000 }).toContain('live');
    expect(sockets.length).toBe(1);
    expect(sockets[0]).toMatch(/\/api\/v1\/live\?ticket=/);
    expect(sockets[0]).not.toContain(E2E_API_TOKEN);
    const faulted = page.locator('#fleet-summary button', { hasText: /^faulted \d+$/ });
    const count = async () => Number(((await faulted.textContent()) ?? '').split(' ')[1]);
    const faultedBefore = await count();

    // A fault: the row and the count change within 2 s, and the page asked the API nothing for it.
    const requests: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/api/v1/')) requests.push(r.url()); });
    await a.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    await expect.poll(async () => (await rowA.textContent()) ?? '', { timeout: 2_000, interval: 100 }).toMatch(/^faulted.*EVSE 1.*Faulted/);
    expect(await count()).toBe(faultedBefore + 1);
    expect(requests).toEqual([]);
    // Idle: no poll, so no D1 read, for longer than the poll interval.
    await page.waitForTimeout(4_000);
    expect(requests).toEqual([]);

    // The faulted count filters the list: the prefix and the state together.
    await faulted.click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('#fleet-state').inputValue()).toBe('faulted');
    expect(requests.some((u) => u.includes('state=faulted') && u.includes(`q=${prefix}`))).toBe(true);

    // The charger's screen watches it: a frame shows in its journal, and a meter reading, as they come.
    await page.locator('#chargers').getByRole('link', { name: `${prefix}-A` }).click();
    await page.locator('#detail .journal table').waitFor({ timeout: 15_000 });
    await expect.poll(() => frames.some((f) => f.includes('"watching"')), { timeout: 10_000 }).toBe(true);
    const journalReads = () => requests.filter((u) => u.includes('/messages?')).length;
    const readsBefore = journalReads();
    const heartbeats = page.locator('#detail .journal tbody tr', { hasText: '"Heartbeat"' });
    const heartbeatsBefore = await heartbeats.count();
    await a.call('Heartbeat', {});
    // The CALL and its answer (newest first), from the feed.
    await expect.poll(() => heartbeats.count(), { timeout: 2_000, interval: 100 }).toBe(heartbeatsBefore + 1);
    expect(await page.locator('#detail .journal tbody tr').first().textContent()).toContain('currentTime');
    expect(journalReads()).toBe(readsBefore);
    const transactionId = `DASH-LIVE-${Date.now()}`;
    const at = new Date().toISOString();
    await a.call('TransactionEvent', { eventType: 'Started', timestamp: at, triggerReason: 'CablePluggedIn', seqNo: 0, evse: { id: 1, connectorId: 1 },
      transactionInfo: { transactionId, chargingState: 'Charging' }, meterValue: [reading201(at, 1_000, 'Wh', 'Transaction.Begin')] });
    await a.call('TransactionEvent', { eventType: 'Updated', timestamp: new Date().toISOString(), triggerReason: 'MeterValuePeriodic', seqNo: 1,
      transactionInfo: { transactionId }, meterValue: [reading201(new Date().toISOString(), 3_500, 'Wh')] });
    await expect.poll(async () => (await page.locator('#detail .live-meter').textContent()) ?? '', { timeout: 3_000, interval: 100 }).toContain('3.50 kWh');
    expect(consoleErrors).toEqual([]);
    await page.close();
    await a.close();
  }, 120_000);

  it('issue 15 whoami: the header names a read-only token and its scope, and its command forms cannot send', async () => {
    const id = uniqueChargerId('DASHWHO');
    const charger = await bootedCharger('ocpp2.0.1', id);
    const made = await api('POST', '/tokens', { name: 'console read-only', scopes: ['read'] });
    expect(made.status).toBe(201);
    const page = await browser().newPage();
    const consoleErrors = collectErrors(page);
    await page.goto(`${baseUrl()}/dashboard#/chargers/${encodeURIComponent(id)}`);
    await page.fill('#token', made.body.token);
    await page.press('#token', 'Enter');
    await expect.poll(async () => (await page.locator('#who').textContent()) ?? '', { timeout: 15_000 }).toMatch(/console read-only \(token\) · read$/);
    const send = page.locator('form.command').getByRole('button', { name: 'Send' });
    await send.waitFor({ timeout: 15_000 });
    await expect.poll(() => send.isDisabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('#detail').textContent()).toContain('This token has no command scope');
    expect(consoleErrors).toEqual([]);
    await page.close();
    await charger.close();
    await api('DELETE', `/tokens/${made.body.apiToken.id}`);
  }, 60_000);
});
