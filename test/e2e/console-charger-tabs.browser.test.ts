// The charger screen's editor and job tabs in a real headless Chromium, against `wrangler dev`, with
// strict simulated chargers: a firmware update started from the console whose steps move live as the
// charger notifies them (no reload; a 1.6 one failing marked on its step); a 1.6 configuration key
// changed with the charger's answer per key (a Rejected one shown as such); 2.0.1 SetVariables /
// GetVariables results per item; a reservation made and cancelled; a log uploaded and downloaded;
// installed certificates and trust roots; credentials shown redacted and never editable. No console
// errors in any.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HOSTILE, openDashboard, useBrowser } from './console-helpers.ts';
import { bootedCharger, uniqueChargerId } from './helpers.ts';

useBrowser();

/** The charger screen of `id` with its tab `name` open. */
async function openTab(id: string, name: string): Promise<{ page: Page; consoleErrors: string[]; tab: ReturnType<Page['locator']> }> {
  const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`);
  const views = page.locator('#detail section.views');
  await views.getByRole('tab', { name, exact: true }).click({ timeout: 20_000 });
  return { page, consoleErrors, tab: views.locator('.view-body') };
}

/** The text of each step of a job's progress, done ones ticked (✓), the current one marked (…), a failed one crossed (✗). */
async function steps(card: ReturnType<Page['locator']>): Promise<string[]> {
  return card.locator('ol.steps li').allTextContents();
}

describe('the charger screen tabs in a browser', () => {
  it('L01: a firmware update started from the console shows each step as the charger notifies it, without a reload', async () => {
    const id = uniqueChargerId('TABFW');
    const charger = await bootedCharger('ocpp2.0.1', id);
    const updates: Array<{ requestId: number; firmware: { location: string } }> = [];
    charger.handle('UpdateFirmware', async ({ params }) => {
      updates.push(params as (typeof updates)[number]);
      return { status: 'Accepted' };
    });
    const { page, consoleErrors, tab } = await openTab(id, 'Firmware jobs');
    await page.evaluate(() => { (globalThis as unknown as { __samePage: boolean }).__samePage = true; });

    await tab.getByLabel('Firmware location (URL)').fill('https://fw.example/tabs-2.0.bin');
    await tab.getByLabel('Retries (optional)').fill('3');
    await tab.getByRole('button', { name: 'Start update' }).click();
    await expect.poll(() => updates.length, { timeout: 30_000 }).toBe(1);
    expect(updates[0]).toMatchObject({ firmware: { location: 'https://fw.example/tabs-2.0.bin' }, retries: 3 });
    await expect.poll(async () => tab.locator('.editor-status').textContent(), { timeout: 30_000 }).toContain('UpdateFirmware: the charger answered Accepted');

    const card = tab.locator('.job', { hasText: 'tabs-2.0.bin' });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toContain(`request ${updates[0]!.requestId}`);
    expect(await steps(card)).toEqual(['Downloading', 'Downloaded', 'Installing', 'Installed']);

    // Each notification moves the steps on the open page, brought by the live feed (nothing is clicked).
    const expected: Array<[string, string[]]> = [
      ['Downloading', ['Downloading …', 'Downloaded', 'Installing', 'Installed']],
      ['Downloaded', ['Downloading ✓', 'Downloaded ✓', 'Installing', 'Installed']],
      ['Installing', ['Downloading ✓', 'Downloaded ✓', 'Installing …', 'Installed']],
      ['Installed', ['Downloading ✓', 'Downloaded ✓', 'Installing ✓', 'Installed ✓']],
    ];
    for (const [status, shown] of expected) {
      await charger.call('FirmwareStatusNotification', { status, requestId: updates[0]!.requestId });
      await expect.poll(() => steps(card), { timeout: 30_000 }).toEqual(shown);
    }
    expect(await card.textContent()).toMatch(/succeeded/);
    expect(await card.locator('.history').textContent()).toMatch(/Downloading .* → Downloaded .* → Installing .* → Installed/);
    expect(await page.evaluate(() => (globalThis as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('1.6 §5.19 §4.4: a 1.6 update from the console (retrieveDate, no requestId) that fails to download is marked failed on its step', async () => {
    const id = uniqueChargerId('TABFW16');
    const charger = await bootedCharger('ocpp1.6', id);
    const updates: Array<{ location: string; retrieveDate: string }> = [];
    charger.handle('UpdateFirmware', async ({ params }) => {
      updates.push(params as (typeof updates)[number]);
      return {};
    });
    const { page, consoleErrors, tab } = await openTab(id, 'Firmware jobs');
    await tab.getByLabel('Firmware location (URL)').fill('https://fw.example/tabs-1.6.bin');
    await tab.getByRole('button', { name: 'Start update' }).click();
    await expect.poll(() => updates.length, { timeout: 30_000 }).toBe(1);
    expect(Object.keys(updates[0]!).sort()).toEqual(['location', 'retrieveDate']);
    const card = tab.locator('.job', { hasText: 'tabs-1.6.bin' });
    await card.waitFor({ timeout: 30_000 });
    await charger.call('FirmwareStatusNotification', { status: 'Downloading' });
    await expect.poll(() => steps(card), { timeout: 30_000 }).toEqual(['Downloading …', 'Downloaded', 'Installing', 'Installed']);
    await charger.call('FirmwareStatusNotification', { status: 'DownloadFailed' });
    await expect.poll(() => steps(card), { timeout: 30_000 }).toEqual(['Downloading ✗', 'Downloaded', 'Installing', 'Installed']);
    expect(await card.locator('.outcome').textContent()).toBe('failed');
    expect(await card.locator('li.failed').getAttribute('aria-current')).toBe('step');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('1.6 §5.3 §5.8: the configuration editor shows keys (read-only marked, AuthorizationKey redacted and not editable) and the charger\'s answer per key', async () => {
    const id = uniqueChargerId('TAB16');
    const charger = await bootedCharger('ocpp1.6', id);
    const values: Record<string, string> = { HeartbeatInterval: '300', MeterValueSampleInterval: '60' };
    charger.handle('GetConfiguration', async () => ({
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: values.HeartbeatInterval },
        { key: 'MeterValueSampleInterval', readonly: false, value: values.MeterValueSampleInterval },
        { key: 'NumberOfConnectors', readonly: true, value: '2' },
        { key: 'AuthorizationKey', readonly: false, value: '0011223344556677889900aabbccddeeff' },
        { key: 'VendorGreeting', readonly: false, value: HOSTILE },
      ],
    }));
    const changes: Array<{ key: string; value: string }> = [];
    charger.handle('ChangeConfiguration', async ({ params }) => {
      const change = params as { key: string; value: string };
      changes.push(change);
      if (change.key === 'MeterValueSampleInterval') return { status: 'Rejected' };
      values[change.key] = change.value;
      return { status: 'Accepted' };
    });
    const { page, consoleErrors, tab } = await openTab(id, 'Configuration');
    // A 1.6 charger's tabs: its configuration, no 2.0.1 device model or reports.
    expect(await page.locator('#detail section.views').getByRole('tab').allTextContents()).toEqual(['Configuration', 'Reservations', 'Firmware jobs', 'Certificates', 'Log uploads', 'Connections', 'Status history', 'Security events']);
    await tab.getByText('No configuration known yet').waitFor({ timeout: 30_000 });
    await tab.getByRole('button', { name: 'Refresh from the charger (GetConfiguration)' }).click();
    const keyRow = (key: string) => tab.locator(`tr[data-key="${key}"]`);
    await keyRow('HeartbeatInterval').waitFor({ timeout: 30_000 });

    // The credential: redacted, no editor; the read-only key: no editor either.
    expect(await keyRow('AuthorizationKey').textContent()).toContain('<redacted>');
    expect(await keyRow('AuthorizationKey').textContent()).toContain('admin route only');
    expect(await keyRow('AuthorizationKey').locator('input').count()).toBe(0);
    expect(await page.content()).not.toContain('0011223344556677889900aabbccddeeff');
    expect(await keyRow('NumberOfConnectors').textContent()).toContain('read-only');
    expect(await keyRow('NumberOfConnectors').locator('input').count()).toBe(0);
    // What the charger wrote is text, never markup.
    expect(await tab.getByLabel('New value of VendorGreeting').inputValue()).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);

    // Accepted: the charger got it, the answer shows beside the key, and the value read back is the new one.
    await tab.getByLabel('New value of HeartbeatInterval').fill('120');
    await tab.getByLabel('New value of HeartbeatInterval').press('Enter');
    await expect.poll(async () => keyRow('HeartbeatInterval').locator('.answer-chip').textContent(), { timeout: 30_000 }).toBe('Accepted');
    expect(changes).toContainEqual({ key: 'HeartbeatInterval', value: '120' });
    await expect.poll(async () => tab.getByLabel('New value of HeartbeatInterval').inputValue(), { timeout: 30_000 }).toBe('120');
    // Keyboard: the key's editor keeps the focus through the answer and the reread.
    expect(await page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("aria-label")')).toBe('New value of HeartbeatInterval');

    // Rejected: shown as such (a failure's colour), and the stored value stays.
    await tab.getByLabel('New value of MeterValueSampleInterval').fill('5');
    await keyRow('MeterValueSampleInterval').getByRole('button', { name: 'Set' }).click();
    const rejected = keyRow('MeterValueSampleInterval').locator('.answer-chip');
    await expect.poll(async () => rejected.textContent(), { timeout: 30_000 }).toBe('Rejected');
    expect(await rejected.getAttribute('class')).toContain('bad');
    expect(await keyRow('HeartbeatInterval').locator('.answer-chip').getAttribute('class')).toContain('ok');

    // At 390 px the tab does not scroll the page sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'), { timeout: 10_000 }).toBeLessThanOrEqual(0);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('2.0.1 B07 / B06: the device model is searched, read again per item (GetVariables) and set (SetVariables) with each result shown; BasicAuthPassword redacted', async () => {
    const id = uniqueChargerId('TAB201');
    const charger = await bootedCharger('ocpp2.0.1', id);
    const attribute = (value: string, mutability = 'ReadWrite') => [{ type: 'Actual', value, mutability }];
    await charger.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          variableAttribute: attribute('300'),
          variableCharacteristics: { dataType: 'integer', unit: 's', minLimit: 1, supportsMonitoring: false },
        },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, variableAttribute: attribute('60') },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ type: 'Actual', mutability: 'WriteOnly' }] },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableAttribute: attribute('22000', 'ReadOnly') },
      ],
    });
    const sets: unknown[] = [];
    charger.handle('SetVariables', async ({ params }) => {
      const data = (params as { setVariableData: Array<{ component: { name: string }; variable: { name: string }; attributeValue: string }> }).setVariableData;
      sets.push(...data);
      return {
        setVariableResult: data.map((d) => ({
          component: d.component,
          variable: d.variable,
          ...(d.variable.name === 'TxUpdatedInterval' ? { attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'OutOfRange' } } : { attributeStatus: 'Accepted' }),
        })),
      };
    });
    charger.handle('GetVariables', async ({ params }) => {
      const data = (params as { getVariableData: Array<{ component: { name: string }; variable: { name: string } }> }).getVariableData;
      return {
        getVariableResult: data.map((d) =>
          d.variable.name === 'HeartbeatInterval'
            ? { component: d.component, variable: d.variable, attributeStatus: 'Accepted', attributeValue: '120' }
            : { component: d.component, variable: d.variable, attributeStatus: 'UnknownVariable' },
        ),
      };
    });
    const { page, consoleErrors, tab } = await openTab(id, 'Device model');
    expect(await page.locator('#detail section.views').getByRole('tab').allTextContents()).toEqual([
      'Device model', 'Reservations', 'Firmware jobs', 'Certificates', 'Log uploads', 'Monitors', 'Display messages', 'Events', 'Customer information',
      'Connections', 'Status history', 'Security events',
    ]);
    const variableRow = (name: string) => tab.locator(`tr[data-variable="${name}"]`);
    await variableRow('OCPPCommCtrlr.HeartbeatInterval').waitFor({ timeout: 30_000 });
    expect(await variableRow('SecurityCtrlr.BasicAuthPassword').locator('input[type="text"], input:not([type])').count()).toBe(0);
    expect(await variableRow('SecurityCtrlr.BasicAuthPassword').textContent()).toContain('admin route only');
    expect(await variableRow('EVSE.Power').textContent()).toContain('EVSE 1');
    expect(await variableRow('OCPPCommCtrlr.HeartbeatInterval').textContent()).toContain('Actual · integer, s, 1…');

    // Search: only the two intervals stay.
    await tab.getByLabel('Search components and variables').fill('interval');
    await expect.poll(async () => tab.locator('tbody tr').count(), { timeout: 10_000 }).toBe(2);

    // Set one Accepted and one Rejected (with its reason).
    await tab.getByLabel('New value of OCPPCommCtrlr HeartbeatInterval Actual').fill('120');
    await tab.getByLabel('New value of OCPPCommCtrlr HeartbeatInterval Actual').press('Enter');
    const heartbeat = variableRow('OCPPCommCtrlr.HeartbeatInterval').locator('.answer-chip');
    await expect.poll(async () => heartbeat.textContent(), { timeout: 30_000 }).toBe('Accepted');
    await tab.getByLabel('New value of SampledDataCtrlr TxUpdatedInterval Actual').fill('1');
    await tab.getByLabel('New value of SampledDataCtrlr TxUpdatedInterval Actual').press('Enter');
    const interval = variableRow('SampledDataCtrlr.TxUpdatedInterval').locator('.answer-chip');
    await expect.poll(async () => interval.textContent(), { timeout: 30_000 }).toBe('Rejected (OutOfRange)');
    expect(await interval.getAttribute('class')).toContain('bad');
    expect(sets).toEqual([
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'Actual', attributeValue: '120' },
      { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeType: 'Actual', attributeValue: '1' },
    ]);

    // Both read again at once: one result per item.
    await tab.getByLabel('Select all shown').check();
    await tab.getByRole('button', { name: 'Refresh selected (GetVariables)' }).click();
    await expect.poll(async () => interval.textContent(), { timeout: 30_000 }).toBe('UnknownVariable');
    expect(await heartbeat.textContent()).toBe('Accepted');
    expect(await heartbeat.getAttribute('title')).toContain('GetVariables: 120');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('1.6 §5.13 §5.2: a reservation made from the console is listed active, and cancelled from its card', async () => {
    const id = uniqueChargerId('TABRES');
    const charger = await bootedCharger('ocpp1.6', id);
    const reserved: Array<{ reservationId: number; idTag: string; connectorId: number }> = [];
    charger.handle('ReserveNow', async ({ params }) => {
      reserved.push(params as (typeof reserved)[number]);
      return { status: 'Accepted' };
    });
    const cancelled: unknown[] = [];
    charger.handle('CancelReservation', async ({ params }) => {
      cancelled.push(params);
      return { status: 'Accepted' };
    });
    const { page, consoleErrors, tab } = await openTab(id, 'Reservations');
    await tab.getByText('None yet.').waitFor({ timeout: 30_000 });
    await tab.getByLabel('idTag').fill('TABTAG1');
    await tab.getByRole('button', { name: 'Reserve', exact: true }).click();
    await expect.poll(() => reserved.length, { timeout: 30_000 }).toBe(1);
    expect(reserved[0]).toMatchObject({ idTag: 'TABTAG1', connectorId: 1 });
    const card = tab.locator(`.job[data-reservation="${reserved[0]!.reservationId}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toMatch(/connector 1 · tag TABTAG1 · active · expires/);

    await card.getByRole('button', { name: `Cancel reservation ${reserved[0]!.reservationId}` }).click();
    await expect.poll(() => cancelled, { timeout: 30_000 }).toEqual([{ reservationId: reserved[0]!.reservationId }]);
    await expect.poll(async () => card.locator('.outcome').textContent(), { timeout: 30_000 }).toBe('cancelled');
    expect(await card.getByRole('button').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('N01: a log upload asked from the console shows Uploading then Uploaded live, and its file downloads', async () => {
    const id = uniqueChargerId('TABLOG');
    const charger = await bootedCharger('ocpp2.0.1', id);
    const asked: Array<{ requestId: number; logType: string; log: { remoteLocation: string } }> = [];
    charger.handle('GetLog', async ({ params }) => {
      asked.push(params as (typeof asked)[number]);
      return { status: 'Accepted', filename: 'station.log' };
    });
    const { page, consoleErrors, tab } = await openTab(id, 'Log uploads');
    await tab.getByText('None yet.').waitFor({ timeout: 30_000 });
    await tab.getByLabel('Log type').selectOption('SecurityLog');
    await tab.getByRole('button', { name: 'Request upload' }).click();
    await expect.poll(() => asked.length, { timeout: 30_000 }).toBe(1);
    const { requestId, logType, log } = asked[0]!;
    expect(logType).toBe('SecurityLog');
    const card = tab.locator(`.job[data-request="${requestId}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toContain('No file uploaded yet.');

    await charger.call('LogStatusNotification', { status: 'Uploading', requestId });
    await expect.poll(() => steps(card), { timeout: 30_000 }).toEqual(['Uploading …', 'Uploaded']);
    const put = await fetch(`${log.remoteLocation}station.log`, { method: 'PUT', body: 'tabs log line\n', headers: { 'content-type': 'text/plain' } });
    expect(put.ok).toBe(true);
    await charger.call('LogStatusNotification', { status: 'Uploaded', requestId });
    await expect.poll(() => steps(card), { timeout: 30_000 }).toEqual(['Uploading ✓', 'Uploaded ✓']);

    const download = page.waitForEvent('download', { timeout: 30_000 });
    await card.getByRole('button', { name: /station\.log/ }).click({ timeout: 30_000 });
    expect((await download).suggestedFilename()).toBe('station.log');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('M03: the certificates tab asks the charger what it has installed and shows it, with the CSMS\'s trust roots', async () => {
    const id = uniqueChargerId('TABCRT');
    const charger = await bootedCharger('ocpp2.0.1', id);
    charger.handle('GetInstalledCertificateIds', async () => ({
      status: 'Accepted',
      certificateHashDataChain: [
        { certificateType: 'CSMSRootCertificate', certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a1'.repeat(32), issuerKeyHash: 'b2'.repeat(32), serialNumber: '7ab5e1' } },
      ],
    }));
    const { page, consoleErrors, tab } = await openTab(id, 'Certificates');
    await tab.getByText('None reported: ask the charger.').waitFor({ timeout: 30_000 });
    await tab.getByRole('button', { name: 'Ask the charger (GetInstalledCertificateIds)' }).click();
    const certificate = tab.locator('tr', { hasText: '7ab5e1' });
    await certificate.waitFor({ timeout: 30_000 });
    expect(await certificate.textContent()).toMatch(/CSMSRootCertificate.*reported.*7ab5e1/);
    // The CSMS's own trust store is listed below (what other tests configured, or none).
    await expect.poll(async () => tab.locator('.trust-roots').textContent(), { timeout: 30_000 }).toMatch(/No trust root configured|Subject/);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
