// The charger screen's Event streams tab (OCPP 2.1) in a real headless Chromium, against `wrangler
// dev`, with a strict 2.1 charger (typed-ocpp's schemas): the streams it opened and closed, with
// their monitor and rate; hostile text stays text. No console errors.
import { describe, expect, it } from 'vitest';
import { HOSTILE, openDashboard, useBrowser } from './console-helpers.ts';
import { bootedCharger, uniqueChargerId } from './helpers.ts';

useBrowser();

describe('the charger screen in a browser: 2.1 event streams', () => {
  it('lists the streams a 2.1 charger opened and closed, with the monitor they stream and their rate', async () => {
    const id = uniqueChargerId('TABES');
    const charger = await bootedCharger('ocpp2.1', id);
    expect(await charger.call('OpenPeriodicEventStream', { constantStreamData: { id: 7, variableMonitoringId: 3, params: { interval: 15, values: 4 } } })).toEqual({
      status: 'Accepted',
    });
    expect(await charger.call('OpenPeriodicEventStream', { constantStreamData: { id: 8, variableMonitoringId: 4, params: {} } })).toEqual({ status: 'Accepted' });
    expect(await charger.call('ClosePeriodicEventStream', { id: 8 })).toEqual({});
    // A monitor named with hostile text: shown as text.
    await charger.call('NotifyMonitoringReport', {
      requestId: 1,
      seqNo: 0,
      generatedAt: new Date().toISOString(),
      monitor: [{ component: { name: HOSTILE.slice(0, 50) }, variable: { name: 'Power' }, variableMonitoring: [{ id: 3, transaction: false, value: 1, type: 'Delta', severity: 5, eventNotificationType: 'CustomMonitor' }] }],
    });

    const { page, consoleErrors } = await openDashboard(`#/chargers/${encodeURIComponent(id)}`);
    const views = page.locator('#detail section.views');
    await views.getByRole('tab', { name: 'Event streams', exact: true }).click({ timeout: 20_000 });
    const rows = views.locator('.view-body tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    const first = await rows.nth(0).textContent();
    expect(first).toContain('open');
    expect(first).toContain('15 s / 4');
    expect(first).toContain('Power');
    expect(first).toContain(HOSTILE.slice(0, 20));
    expect(await rows.nth(1).textContent()).toContain('(charger)');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(consoleErrors).toEqual([]);
    await charger.close();
  });
});
