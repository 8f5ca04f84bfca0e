// The console's Sites screens (issue 17) in a real headless Chromium against `wrangler dev`: a site
// with a strict simulated 1.6 charger on it (which accepts the site's profiles) running a session
// shows its limit now, the session's measured draw, share, reason and binding limit, the log's
// 'sent' and 'accepted' rows and the load chart, and follows a new reading without a reload; an admin
// creates a site, adds circuits and sets an external limit through the forms, and the API's refusals
// are said on the page (neither screen scrolls sideways on a phone); a read-only token sees the screens
// without a write control.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { api, bootedCharger, uniqueChargerId, waitFor, type Charger } from './helpers.ts';
import { putTag } from './session-helpers.ts';

useBrowser();

const SLOW = { timeout: 30_000 };
const REFUSAL = /^Failed to load resource: the server responded with a status of (400|404|409)\b/;

function newSiteId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

interface Profile {
  purpose: string;
  limit: number;
}

/** A 1.6 charger on a site: it accepts (and records) every SetChargingProfile, and clears when told. */
async function siteCharger(id: string): Promise<{ charger: Charger; profiles: Profile[] }> {
  const charger = await bootedCharger('ocpp1.6', id);
  const profiles: Profile[] = [];
  charger.handle('SetChargingProfile', async ({ params }) => {
    const p = (params as { csChargingProfiles: { chargingProfilePurpose: string; chargingSchedule: { chargingSchedulePeriod: Array<{ limit: number }> } } }).csChargingProfiles;
    profiles.push({ purpose: p.chargingProfilePurpose, limit: p.chargingSchedule.chargingSchedulePeriod[0]!.limit });
    return { status: 'Accepted' };
  });
  charger.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }));
  return { charger, profiles };
}

/** Current.Import on each phase, as a 1.6 charger reports what the car draws. */
function amps16(transactionId: number, amps: number) {
  const sampledValue = ['L1', 'L2', 'L3'].map((phase) => ({ measurand: 'Current.Import', phase, unit: 'A', value: String(amps) }));
  return { connectorId: 1, transactionId, meterValue: [{ timestamp: new Date().toISOString(), sampledValue }] };
}

async function allocation(siteId: string): Promise<any> {
  const res = await api('GET', `/sites/${siteId}/allocation`);
  expect(res.status).toBe(200);
  return res.body.allocation;
}

const answers = (page: Page, box: string) => async () => (await page.locator(`${box} .answers`).textContent()) ?? '';

describe('the Sites screens in a browser', () => {
  it("shows a site's limit now, a session's share and reason, the log's sent and accepted rows and the load chart, and follows a new reading", async () => {
    const siteId = newSiteId('E2ESITE');
    expect((await api('POST', '/sites', { siteId, name: 'E2E depot', limit: { amps: 20 } })).status).toBe(201);
    const id = uniqueChargerId('SITECP');
    const { charger, profiles } = await siteCharger(id);
    expect((await api('PUT', `/sites/${siteId}/chargers/${id}`, { maxAmps: 32, phases: 3 })).status).toBe(201);
    await waitFor('the site fallback', () => profiles.find((p) => p.purpose === 'TxDefaultProfile'), 15_000);

    const tag = await putTag();
    const started = (await charger.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
    const txId = started.transactionId;
    // The whole site's limit is the session's: sent as a TxProfile, accepted, then the car draws nearly all of it.
    await waitFor('the session\'s share', () => profiles.find((p) => p.purpose === 'TxProfile' && p.limit === 20), 15_000);
    await expect.poll(async () => (await allocation(siteId)).sessions[0]?.acceptedAmps, SLOW).toBe(20);
    await charger.call('MeterValues', amps16(txId, 19));
    await expect.poll(async () => (await allocation(siteId)).sessions[0]?.measuredAmps, SLOW).toBe(19);
    expect((await allocation(siteId)).sessions[0]).toMatchObject({ transactionId: String(txId), shareAmps: 20, reason: 'fair-share', limitedBy: 'site' });

    const { page, consoleErrors } = await openDashboard(`#/sites/${siteId}`);
    const screen = page.locator('#site-detail');
    await expect.poll(async () => (await screen.locator('.site-limit').textContent()) ?? '', SLOW).toBe('20 A per phase');
    expect(await screen.locator('h2').textContent()).toBe(`E2E depot (${siteId})`);
    expect(await page.locator('nav.screens a[aria-current="page"]').textContent()).toBe('Sites');

    const session = screen.locator(`table.site-sessions tr[data-transaction="${txId}"]`);
    await session.waitFor(SLOW);
    const cells = await session.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual([id, '1', String(txId)]);
    expect(cells.slice(4)).toEqual(['19 A', '20 A', 'fair-share', "the site's limit", 'accepted 20 A']);
    const counted = await screen.locator(`table.site-counted tr[data-charger="${id}"] td`).allTextContents();
    expect(counted.slice(0, 3)).toEqual([id, 'connected', '0 A']);
    expect(counted[4]).toMatch(/^managed/);

    // The log, newest first: the session started, its profile sent and accepted, with the amps.
    const log = screen.locator('table.site-log-rows');
    await log.waitFor(SLOW);
    const kinds = await log.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['configured', 'fallback-sent', 'fallback-accepted', 'started', 'sent', 'accepted']));
    expect(kinds.indexOf('accepted')).toBeLessThan(kinds.indexOf('sent'));
    const sent = await log.locator('tr[data-kind="sent"]').first().locator('td').allTextContents();
    expect(sent.slice(1)).toEqual(['sent', id, '1', String(txId), '20 A', 'fair-share']);
    const accepted = await log.locator('tr[data-kind="accepted"]').first().locator('td').allTextContents();
    expect(accepted.slice(1, 6)).toEqual(['accepted', id, '1', String(txId), '20 A']);

    // The load chart of the last 24 hours: the limit as a dashed line, the allocated and measured load.
    const chart = screen.locator('.site-load svg.chart.site-load');
    await chart.waitFor(SLOW);
    expect(await chart.locator('path.limit').count()).toBe(1);
    expect(await chart.locator('path.allocated').getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+ H[\d.]+/);
    expect(await chart.locator('circle.measured').count()).toBeGreaterThan(0);
    expect(await chart.getAttribute('aria-label')).toMatch(/minute sample\(s\); highest allocated \d+(\.\d)? A, highest measured 19 A$/);
    expect(await screen.locator('select[name="loadHours"]').inputValue()).toBe('24');

    // A new reading shows without a reload: the screen reads the allocation again by itself.
    await charger.call('MeterValues', amps16(txId, 9));
    await expect.poll(async () => (await session.locator('td').nth(4).textContent()) ?? '', SLOW).toBe('9 A');
    // The car draws less: the allocator caps it near its draw (9 A + 2 A), and the page says so beside the reason it gives.
    await expect.poll(async () => (await allocation(siteId)).sessions[0]?.drawCap, SLOW).toBe(11);
    const capped = (await allocation(siteId)).sessions[0];
    await expect.poll(async () => (await session.locator('td').nth(6).textContent()) ?? '', SLOW).toBe(`${capped.reason} (draws up to 11 A)`);
    expect(await session.locator('td').nth(5).textContent()).toBe(`${capped.shareAmps} A`);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it('an admin creates a site and adds circuits through the forms; the API\'s refusals are said on the page', async () => {
    const siteId = newSiteId('E2EFORM');
    const { page, consoleErrors } = await openDashboard('#/sites');
    const form = page.locator('form.site-form');
    await form.waitFor(SLOW);
    // A time zone the API does not know: refused with the field named, nothing created.
    await form.locator('input[name="siteId"]').fill(siteId);
    await form.locator('input[name="amps"]').fill('40');
    await form.locator('input[name="timeZone"]').fill('Mars/Olympus_Mons');
    await form.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(answers(page, '#sites'), SLOW).toMatch(/400 InvalidPayload: "timeZone": timeZone "Mars\/Olympus_Mons" is not an IANA time zone/);
    expect((await api('GET', `/sites/${siteId}`)).status).toBe(404);

    await form.locator('input[name="name"]').fill('Form depot');
    await form.locator('input[name="minAmps"]').fill('8');
    await form.locator('input[name="timeZone"]').fill('Europe/Amsterdam');
    await form.getByRole('button', { name: 'Create site' }).click();
    await expect.poll(answers(page, '#sites'), SLOW).toContain(`Created site ${siteId}, limit 40 A per phase.`);
    expect((await api('GET', `/sites/${siteId}`)).body.site).toMatchObject({ name: 'Form depot', limit: { amps: 40, kw: null }, minAmps: 8, voltage: 230, timeZone: 'Europe/Amsterdam' });
    const listed = page.locator(`#sites tr[data-site="${siteId}"]`);
    await listed.waitFor(SLOW);
    expect(await listed.textContent()).toContain('40 A per phase');

    // Its screen, by the list's link: two circuits, one inside the other.
    await listed.getByRole('link', { name: siteId }).click();
    const screen = page.locator('#site-detail');
    await expect.poll(async () => (await screen.locator('.site-limit').textContent()) ?? '', SLOW).toBe('40 A per phase');
    const circuit = screen.locator('form.site-circuit-form');
    await circuit.locator('input[name="circuitId"]').fill('row-a');
    await circuit.locator('input[name="amps"]').fill('25');
    await circuit.getByRole('button', { name: 'Save circuit' }).click();
    await expect.poll(answers(page, '#site-detail'), SLOW).toContain('Added circuit row-a on the grid connection.');
    await screen.locator('li[data-circuit="row-a"]').waitFor(SLOW);
    await circuit.locator('input[name="circuitId"]').fill('row-a1');
    await circuit.locator('select[name="parentId"]').selectOption('row-a');
    await circuit.locator('input[name="amps"]').fill('16');
    await circuit.getByRole('button', { name: 'Save circuit' }).click();
    await expect.poll(answers(page, '#site-detail'), SLOW).toContain('Added circuit row-a1 on circuit row-a.');
    const nested = screen.locator('li[data-circuit="row-a"] li[data-circuit="row-a1"]');
    await nested.waitFor(SLOW);
    expect(await nested.textContent()).toContain('16 A per phase');
    expect((await api('GET', `/sites/${siteId}`)).body.site.circuits).toEqual([
      { circuitId: 'row-a', parentId: null, name: 'row-a', limit: { amps: 25, kw: null } },
      { circuitId: 'row-a1', parentId: 'row-a', name: 'row-a1', limit: { amps: 16, kw: null } },
    ]);

    // Refusals: a circuit with another inside it cannot go; a charger that never connected cannot be put on.
    await screen.locator('li[data-circuit="row-a"] > .confirm button', { hasText: 'Delete' }).click();
    await screen.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(answers(page, '#site-detail'), SLOW).toContain('409 CircuitInUse: Circuit "row-a" still has circuit row-a1 on it');
    const ghost = uniqueChargerId('NOSUCH');
    const put = screen.locator('form.site-charger-form');
    await put.locator('input[name="chargerId"]').fill(ghost);
    await put.locator('input[name="maxAmps"]').fill('32');
    await put.getByRole('button', { name: 'Put on the site' }).click();
    await expect.poll(answers(page, '#site-detail'), SLOW).toContain(`404 UnknownCharger: No charger "${ghost}" has connected or been registered`);
    expect((await api('GET', `/sites/${siteId}`)).body.site.chargers).toEqual([]);

    // An external limit under the grid's becomes the limit now; cleared, the grid's is again.
    const external = screen.locator('form.site-external-form');
    await external.locator('input[name="amps"]').fill('16');
    await external.getByRole('button', { name: 'Set external limit' }).click();
    await expect.poll(answers(page, '#site-detail'), SLOW).toContain('External limit set: 16 A per phase until replaced or cleared.');
    await expect.poll(async () => (await screen.locator('.site-limit').textContent()) ?? '', SLOW).toBe('16 A per phase');
    expect(await screen.locator('.site-external-limit').textContent()).toBe('16 A per phase until replaced or cleared');
    await external.getByRole('button', { name: 'Clear external limit' }).click();
    await expect.poll(async () => (await screen.locator('.site-limit').textContent()) ?? '', SLOW).toBe('40 A per phase');
    expect((await api('GET', `/sites/${siteId}`)).body.site.externalLimit).toBeNull();

    // On a phone (390 px), neither screen scrolls sideways: tables become cards or scroll in their own box.
    await page.setViewportSize({ width: 390, height: 900 });
    const sideways = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await expect.poll(sideways, SLOW).toBeLessThanOrEqual(0);
    await page.goto(`${page.url().split('#')[0]}#/sites`);
    await listed.waitFor(SLOW);
    await expect.poll(sideways, SLOW).toBeLessThanOrEqual(0);

    // The browser logs each refused request; nothing else went wrong.
    expect(consoleErrors.filter((e) => !REFUSAL.test(e))).toEqual([]);
    expect(consoleErrors).toHaveLength(3);
    await page.close();
  }, 120_000);

  it('a read-only token sees the sites and a site without any write control, and the API refuses it the changes', async () => {
    const siteId = newSiteId('E2ERO');
    expect((await api('POST', '/sites', { siteId, limit: { kw: 22 } })).status).toBe(201);
    expect((await api('PUT', `/sites/${siteId}/circuits/row-b`, { limit: { amps: 32 } })).status).toBe(201);
    const created = await api('POST', '/tokens', { name: 'sites read-only', scopes: ['read'] });
    expect(created.status).toBe(201);
    const token = created.body.token as string;

    const { page, consoleErrors } = await openDashboard('#/sites', 1280, undefined, token);
    await expect.poll(async () => (await page.textContent('#who')) ?? '', SLOW).toContain('read');
    await page.locator('#sites .site-list table').waitFor(SLOW);
    expect(await page.locator('form.site-form').isVisible()).toBe(false);

    await page.goto(`${page.url().split('#')[0]}#/sites/${siteId}`);
    const screen = page.locator('#site-detail');
    await expect.poll(async () => (await screen.locator('.site-limit').textContent()) ?? '', SLOW).toBe('22 kW');
    await screen.locator('li[data-circuit="row-b"]').waitFor(SLOW);
    for (const form of ['site-external-form', 'site-circuit-form', 'site-charger-form']) {
      expect(await screen.locator(`form.${form}`).isVisible(), form).toBe(false);
    }
    // Not one button shows but the load span's picker and the pager's (none here).
    const visible = await page.evaluate<string[]>(
      "Array.from(document.querySelectorAll('#site-detail button, #site-detail input, #site-detail select')).filter((el) => el.offsetParent !== null).map((el) => el.name || el.textContent)",
    );
    expect(visible).toEqual(['loadHours']);

    // The UI is a convenience: the API is the guard.
    expect((await api('POST', '/sites', { siteId: `${siteId}-x`, limit: { amps: 10 } }, token)).status).toBe(403);
    expect((await api('PUT', `/sites/${siteId}/external-limit`, { amps: 10 }, token)).status).toBe(403);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
