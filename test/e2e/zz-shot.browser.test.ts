import { describe, it } from 'vitest';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { bootedCharger, command, uniqueChargerId } from './helpers.ts';
useBrowser();
describe('shots', () => {
  it('shots', async () => {
    const id = uniqueChargerId('SHOT');
    const charger = await bootedCharger('ocpp2.0.1', id);
    charger.handle('SetChargingProfile', async () => ({ status: 'Accepted' }));
    await command(id, 'SetChargingProfile', { evseId: 1, chargingProfile: { id: 3, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 1, startSchedule: new Date(Date.now() - 60000).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 1200, limit: 8 }, { startPeriod: 2400, limit: 24 }] }] } });
    for (const width of [390, 1440]) {
      const { page } = await openDashboard(`#/chargers/${id}`, width);
      await page.locator('#command-action').waitFor({ timeout: 30000 });
      await page.locator('#command-action').selectOption('SetChargingProfile');
      await page.locator('svg.chart.schedule').waitFor({ timeout: 30000 });
      await page.locator('.command-section').screenshot({ path: `/tmp/forms/cmd-${width}.png` });
      await page.locator('.charging-section').screenshot({ path: `/tmp/forms/charging-${width}.png` });
      await page.close();
    }
  }, 90000);
});
