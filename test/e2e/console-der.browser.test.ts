// A 2.1 charger's DER tabs in a real headless Chromium, against `wrangler dev`: the control the
// charger accepted and the alarm it raised shown, the charger's text shown as text, no console errors.
// The charger is strict: every frame it sends or accepts is checked against typed-ocpp's 2.1 schemas.
import { describe, expect, it } from 'vitest';
import { HOSTILE, openDashboard, useBrowser } from './console-helpers.ts';
import { api, bootedCharger, uniqueChargerId } from './helpers.ts';

useBrowser();

describe('the DER tabs in a browser', () => {
  it("R04/R05: a 2.1 charger's accepted control and its alarm are listed on its screen", async () => {
    const id = uniqueChargerId('TABDER');
    const client = await bootedCharger('ocpp2.1', id);
    client.handle('SetDERControl', async () => ({ status: 'Accepted' }));
    const set = await api('POST', `/chargers/${encodeURIComponent(id)}/commands/SetDERControl`, {
      isDefault: false,
      controlId: 'vv-e2e',
      controlType: 'VoltVar',
      curve: { priority: 2, yUnit: 'PctMaxVar', curveData: [{ x: 92, y: 30 }, { x: 108, y: -30 }], startTime: '2026-12-01T10:00:00Z', duration: 900 },
    });
    expect(set.status).toBe(200);
    await client.call('NotifyDERAlarm', { controlType: 'HVMustTrip', gridEventFault: 'OverVoltage', timestamp: '2026-12-01T10:05:00Z', extraInfo: HOSTILE });

    const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`);
    const views = page.locator('#detail section.views');
    await views.getByRole('tab', { name: 'DER controls', exact: true }).click({ timeout: 20_000 });
    const body = views.locator('.view-body');
    const control = body.locator('tbody tr', { hasText: 'vv-e2e' });
    await control.waitFor({ timeout: 30_000 });
    const controlText = await control.textContent();
    for (const text of ['VoltVar', 'scheduled', 'curve: 2 points, yUnit PctMaxVar', 'for 900 s']) expect(controlText).toContain(text);

    await views.getByRole('tab', { name: 'DER alarms', exact: true }).click();
    const alarm = body.locator('tbody tr', { hasText: 'HVMustTrip' });
    await alarm.waitFor({ timeout: 30_000 });
    const alarmText = await alarm.textContent();
    expect(alarmText).toContain('OverVoltage');
    expect(alarmText).toContain(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
