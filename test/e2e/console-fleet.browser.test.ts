// The console's fleet screen at fleet size (issue 15, "find a faulted charger among 10,000 in one search"):
// 2,000 chargers registered by one CSV import, one of them connected as a strict simulated charger that
// reports Faulted. In headless Chromium the counts show the 2,000, one search finds the faulted one on
// the first page, the list is paged (never the whole fleet), and at 390 px no screen scrolls sideways
// while the journal's frames stay in view (cards, not a column scrolled out of sight); fleet firmware
// pages with "More".
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { E2E_API_TOKEN } from './global-setup.ts';
import { api, baseUrl, BOOT, connectCharger, uniqueChargerId } from './helpers.ts';

useBrowser();

const FLEET = 2_000;
const PAGE = 50;

/** Registers `ids` with one POST /chargers/import (CSV); fails unless every row was created. */
async function importChargers(ids: string[]): Promise<void> {
  const res = await fetch(`${baseUrl()}/api/v1/chargers/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${E2E_API_TOKEN}`, 'content-type': 'text/csv' },
    body: `id\r\n${ids.join('\r\n')}\r\n`,
    signal: AbortSignal.timeout(60_000),
  });
  const report = (await res.json()) as { created: number; failed: number };
  expect(res.status, JSON.stringify(report).slice(0, 500)).toBe(200);
  expect({ created: report.created, failed: report.failed }).toEqual({ created: ids.length, failed: 0 });
}

/** How far the page is wider than the window (≤ 0: no sideways scroll). */
const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

/** The listed charger ids on the fleet screen. */
const listedIds = (page: Page) => page.locator('#chargers tbody tr a.mono').allTextContents();

/** Waits until the screen's box shows what it read (not its placeholder). */
async function loaded(page: Page, box: string): Promise<void> {
  await expect
    .poll(async () => ((await page.locator(box).textContent()) ?? '').trim(), { timeout: 30_000 })
    .not.toMatch(/^(Loading…|Nothing loaded yet\.)?$/);
}

describe('the fleet screen with 2,000 chargers', () => {
  it('the counts show 2,000; one search finds the faulted one on the first page; at 390 px no screen scrolls sideways; fleet firmware pages with More', async () => {
    // Other files share the Worker: counts are this file's 2,000 on top of what was there.
    const before = (await api('GET', '/chargers/summary')).body.summary as { total: number; byState: { faulted: number } };
    const prefix = uniqueChargerId('FLEET2K');
    const ids = Array.from({ length: FLEET }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
    await importChargers(ids);
    const faultedId = ids[1234]!;
    const charger = await connectCharger('ocpp1.6', faultedId);
    expect(await charger.call(BOOT['ocpp1.6'].action, BOOT['ocpp1.6'].params)).toMatchObject({ status: 'Accepted' });
    await charger.call('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', timestamp: new Date().toISOString() });
    // A status reaches D1 within about a second (a fault is not batched): the API counts it.
    await expect
      .poll(async () => (await api('GET', '/chargers/summary')).body.summary.byState.faulted, { timeout: 30_000 })
      .toBe(before.byState.faulted + 1);

    const { page, consoleErrors } = await openDashboard('#/fleet', 390);
    const total = before.total + FLEET;
    await page.locator('#fleet-summary button', { hasText: `All ${total}` }).waitFor({ timeout: 30_000 });
    const faultedCount = page.locator('#fleet-summary button', { hasText: /^faulted \d+$/ });
    expect(await faultedCount.textContent()).toBe(`faulted ${before.byState.faulted + 1}`);
    // One page of the 2,000, with a next page: the console never loads the whole fleet.
    await expect.poll(async () => (await listedIds(page)).length, { timeout: 30_000 }).toBe(PAGE);
    await page.locator('#fleet-pager button', { hasText: 'Next page' }).waitFor({ timeout: 30_000 });
    expect(await overflow(page), 'fleet at 390 px, 50 chargers listed').toBeLessThanOrEqual(0);

    // One search: the faulted count (a filter) lists it on the first page.
    await faultedCount.click();
    await expect.poll(() => listedIds(page), { timeout: 30_000 }).toContain(faultedId);
    expect(await page.locator('#fleet-state').inputValue()).toBe('faulted');
    const row = page.locator('#chargers tbody tr', { hasText: faultedId });
    expect(await row.textContent()).toMatch(/^faulted.*connector 1: Faulted \(GroundFailure\)/);
    // So does its id typed in the search box, alone (any state): the one match.
    await page.selectOption('#fleet-state', '');
    await page.fill('#fleet-q', faultedId);
    await page.press('#fleet-q', 'Enter');
    await expect.poll(() => listedIds(page), { timeout: 30_000 }).toEqual([faultedId]);
    expect(await overflow(page), 'fleet at 390 px, searched').toBeLessThanOrEqual(0);

    // Its screen: no sideways scroll, and each journal frame is in view (a card, not a column off to the right).
    await page.locator('#chargers').getByRole('link', { name: faultedId }).click();
    const frame = page.locator('#detail .journal tbody tr code.frame').first();
    await frame.waitFor({ timeout: 30_000 });
    expect(await overflow(page), 'charger at 390 px').toBeLessThanOrEqual(0);
    const box = await frame.boundingBox();
    expect(box, 'the journal frame is laid out').not.toBeNull();
    expect(box!.x + box!.width, 'the journal frame ends within the window').toBeLessThanOrEqual(390);
    expect(box!.x).toBeGreaterThanOrEqual(0);

    for (const [screen, content] of [['transactions', '#transactions'], ['tariffs', '#tariffs'], ['alerts', '#alerts'], ['firmware', '#firmware']]) {
      await page.click(`nav a[href="#/${screen}"]`);
      await loaded(page, content!);
      expect(await overflow(page), `${screen} at 390 px`).toBeLessThanOrEqual(0);
    }
    // Firmware across 2,000 chargers is paged too: "More" adds the next 50 (the pager alerts share).
    const firmwareNote = page.locator('#firmware .pager .note');
    await expect.poll(() => firmwareNote.textContent(), { timeout: 30_000 }).toBe(`${PAGE} chargers shown`);
    await page.locator('#firmware .pager button', { hasText: 'More' }).click();
    await expect.poll(() => firmwareNote.textContent(), { timeout: 30_000 }).toBe(`${2 * PAGE} chargers shown`);
    expect(await page.locator('#firmware tbody tr').count()).toBe(2 * PAGE);
    expect(await overflow(page), 'firmware at 390 px, 100 chargers').toBeLessThanOrEqual(0);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 180_000);
});
