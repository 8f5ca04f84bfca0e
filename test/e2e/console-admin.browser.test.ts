// The console's admin chores in a real headless Chromium against `wrangler dev`, with strict
// simulated chargers (issue 15): register a charger with a generated password (shown once), which a
// charger then connects with over Basic auth (a wrong one is refused); add a tag, Authorize is
// Accepted, block it, Authorize is Blocked and its expiry kept; a CSV import with a bad row shows the
// per-row report; a token created (shown once) and revoked (then refused); the audit log lists these
// changes; a read-only token sees no admin or edit controls (and the API still refuses). Every page
// ends with no console errors, and no password or token secret left in it once hidden.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { api, baseUrl, BOOT, connectCharger, uniqueChargerId, type BootResponse } from './helpers.ts';

useBrowser();

/** Everything the page holds as text or in a field: a secret must be in none of it once hidden. */
async function pageHolds(page: Page): Promise<string> {
  const fields = await page.evaluate<string>("Array.from(document.querySelectorAll('input, textarea')).map((el) => el.value).join('\\n')");
  return `${await page.content()}\n${fields}`;
}

/** What the audit log screen must list at the end: paths the tests below changed through the console. */
const changed: string[] = [];

describe('the console admin screens', () => {
  it('registers a charger with a generated password, shown once; the charger connects with it, a wrong one is refused; a new one is sent to it; a CSV import reports each row; deletion asks first', async () => {
    const id = uniqueChargerId('ADMREG');
    const { page, consoleErrors } = await openDashboard('#/register');
    const form = page.locator('form.register-form');
    await form.locator('input[name="chargerId"]').fill(id);
    await form.locator('select[name="securityProfile"]').selectOption('1');
    await form.getByRole('button', { name: 'Generate a password' }).click();
    // Typed or generated, the password field is never shown as text.
    expect(await form.locator('input[name="password"]').getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: 'Register' }).click();

    const secret = page.locator('#register .secret-once code.secret');
    await secret.waitFor({ timeout: 20_000 });
    const password = (await secret.textContent()) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    await expect.poll(async () => (await page.locator('#register .answers').textContent()) ?? '', { timeout: 10_000 }).toContain(`Registered ${id}`);
    expect(await form.locator('input[name="password"]').inputValue()).toBe('');
    await page.getByRole('button', { name: /^Hide it/ }).click();
    await page.locator('#register .secret-once').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await pageHolds(page)).not.toContain(password);
    changed.push(`/api/v1/chargers/${id}`);

    // A strict 1.6 charger with that password (HTTP Basic auth) is let in and Accepted.
    const charger = await connectCharger('ocpp1.6', id, password);
    const boot = (await charger.call(BOOT['ocpp1.6'].action, BOOT['ocpp1.6'].params)) as BootResponse;
    expect(boot.status).toBe('Accepted');
    // A wrong password, or none, is refused at the door.
    await expect(connectCharger('ocpp1.6', id, 'not-the-password-00000')).rejects.toThrow(/Unauthorized|401/);
    await expect(connectCharger('ocpp1.6', id)).rejects.toThrow(/Unauthorized|401/);

    // A new password for the connected charger, generated and sent to it from the console (1.6: AuthorizationKey, hex).
    const keys: string[] = [];
    charger.handle('ChangeConfiguration', async ({ params }) => {
      keys.push((params as { key: string; value: string }).value);
      return { status: 'Accepted' };
    });
    const change = page.locator('form.password-form');
    await change.locator('input[name="chargerId"]').fill(id);
    await change.getByRole('button', { name: 'Generate a password' }).click();
    await change.getByRole('button', { name: 'Send the new password' }).click();
    await secret.waitFor({ timeout: 20_000 });
    const rotated = (await secret.textContent()) ?? '';
    expect(rotated).not.toBe(password);
    expect(keys.map((hex) => Buffer.from(hex, 'hex').toString())).toEqual([rotated]);
    await expect.poll(async () => (await page.locator('#register .answers').textContent()) ?? '', { timeout: 10_000 }).toContain(`${id} took the new password`);
    await page.getByRole('button', { name: /^Hide it/ }).click();
    await page.locator('#register .secret-once').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await pageHolds(page)).not.toContain(rotated);
    await charger.close();
    await connectCharger('ocpp1.6', id, rotated);
    changed.push(`/api/v1/chargers/${id}/password`);

    // Chargers imported from CSV: a bad id and a profile that needs a password are refused, with their lines.
    const csv = `id,securityProfile\nIMP-${id}-1,0\nhas space,0\nIMP-${id}-3,2`;
    await page.fill('#register form.import textarea[name="csv"]', csv);
    await page.locator('#register form.import').getByRole('button', { name: 'Import' }).click();
    const report = page.locator('#register .import-report');
    await expect.poll(async () => (await report.textContent()) ?? '', { timeout: 15_000 }).toContain('1 created, 0 updated, 0 unchanged, 2 refused');
    expect(await report.locator('tr.refused').allTextContents()).toEqual([
      expect.stringMatching(/^3has spacerefused.*charger id/),
      expect.stringMatching(new RegExp(`^4IMP-${id}-3refused.*needs a password`)),
    ]);
    expect((await api('GET', `/chargers/IMP-${id}-1`)).status).toBe(200);

    // Deleting one says first what deletion removes and keeps, and asks.
    const del = page.locator('form.delete-form');
    await del.locator('input[name="deleteId"]').fill(`IMP-${id}-1`);
    expect(await del.textContent()).toMatch(/Kept: its transactions, meter values, costs, charge detail records/);
    await del.getByRole('button', { name: 'Delete' }).click();
    expect(await del.textContent()).toContain('Delete this charger?');
    await del.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(async () => (await page.locator('#register .answers').textContent()) ?? '', { timeout: 15_000 }).toContain(`Deleted IMP-${id}-1`);
    expect((await api('GET', `/chargers/IMP-${id}-1`)).status).toBe(404);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('adds a tag (Authorize Accepted), blocks it keeping its expiry (Authorize Blocked), and shows a CSV import\'s per-row report', async () => {
    const tag = `ADM${Date.now() % 1_000_000_000}`;
    const { page, consoleErrors } = await openDashboard('#/id-tags');
    const form = page.locator('form.id-tag-form');
    await form.locator('input[name="idTag"]').fill(tag);
    await form.locator('select[name="status"]').selectOption('Accepted');
    await form.locator('input[name="expiryDate"]').fill('2031-06-30T12:00');
    await form.locator('input[name="parentIdTag"]').fill('FLEET-ADM');
    await form.getByRole('button', { name: 'Save tag' }).click();
    await expect.poll(async () => (await page.locator('#id-tags .answers').textContent()) ?? '', { timeout: 15_000 }).toContain(`Created ${tag}`);
    const saved = (await api('GET', `/id-tags/${tag}`)).body.idTag;
    expect(saved).toMatchObject({ status: 'Accepted', parentIdTag: 'FLEET-ADM' });
    const expiry = saved.expiryDate as string;
    expect(new Date(expiry).getUTCFullYear()).toBe(2031);

    // The charger's Authorize is Accepted.
    const first = await connectCharger('ocpp1.6');
    await first.call('BootNotification', BOOT['ocpp1.6'].params);
    expect(((await first.call('Authorize', { idTag: tag })) as { idTagInfo: { status: string } }).idTagInfo.status).toBe('Accepted');

    // Found by search, blocked from its row: the expiry and group are kept.
    await page.fill('#id-tags input[name="q"]', tag.slice(0, -2).toLowerCase());
    const tagRow = page.locator(`#id-tags tr[data-id-tag="${tag}"]`);
    await tagRow.waitFor({ timeout: 15_000 });
    await tagRow.getByRole('button', { name: 'Block' }).click();
    await expect.poll(async () => (await tagRow.textContent()) ?? '', { timeout: 15_000 }).toContain('Blocked');
    await expect.poll(async () => (await page.locator('#id-tags .answers').textContent()) ?? '', { timeout: 10_000 }).toContain(`${tag} is Blocked, still expiring`);
    expect((await api('GET', `/id-tags/${tag}`)).body.idTag).toMatchObject({ status: 'Blocked', expiryDate: expiry, parentIdTag: 'FLEET-ADM' });
    // A charger asking now (another one: each charger caches a tag's record for ID_TAG_CACHE_SECONDS) is told Blocked.
    const second = await connectCharger('ocpp1.6');
    await second.call('BootNotification', BOOT['ocpp1.6'].params);
    const blocked = (await second.call('Authorize', { idTag: tag })) as { idTagInfo: { status: string; expiryDate?: string } };
    expect(blocked.idTagInfo.status).toBe('Blocked');
    changed.push(`/api/v1/id-tags/${tag}`);

    // A CSV import with one bad row: the good rows are imported, the bad one is reported with its line and why.
    const csv = `idTag,status,expiryDate\n${tag}-C1,Accepted,2030-01-01T00:00:00Z\n${tag}-C2,Sometimes,\n${tag}-C3,Blocked,`;
    await page.fill('#id-tags form.import textarea[name="csv"]', csv);
    await page.locator('#id-tags form.import').getByRole('button', { name: 'Import' }).click();
    const report = page.locator('#id-tags .import-report');
    await expect.poll(async () => (await report.textContent()) ?? '', { timeout: 15_000 }).toContain('2 created, 0 updated, 0 unchanged, 1 refused');
    const refused = report.locator('tr.refused');
    expect(await refused.count()).toBe(1);
    expect(await refused.textContent()).toMatch(new RegExp(`^3${tag}-C2refused.*status`));
    expect((await api('GET', `/id-tags/${tag}-C3`)).body.idTag.status).toBe('Blocked');
    expect((await api('GET', `/id-tags/${tag}-C2`)).status).toBe(404);
    changed.push('/api/v1/id-tags/import');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it('creates a token shown once (it works), then revokes it after a confirmation (it is refused)', async () => {
    const name = `console-admin ${Date.now()}`;
    const { page, consoleErrors } = await openDashboard('#/tokens');
    const form = page.locator('form.token-form');
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[value="command"]').check();
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = page.locator('#tokens .secret-once code.secret');
    await secret.waitFor({ timeout: 15_000 });
    const token = (await secret.textContent()) ?? '';
    expect(token).toMatch(/^csms_[A-Za-z0-9]{12}_/);
    expect((await api('GET', '/whoami', undefined, token)).body.scopes).toEqual(['read', 'command']);
    // Copy puts it on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
    await page.locator('#tokens .secret-once').getByRole('button', { name: 'Copy' }).click();
    await page.locator('#tokens .secret-once').getByText('Copied.').waitFor({ timeout: 5_000 });
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(token);
    await page.getByRole('button', { name: /^Hide it/ }).click();
    await page.locator('#tokens .secret-once').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await pageHolds(page)).not.toContain(token);

    const tokenId = token.split('_')[1]!;
    const tokenRow = page.locator(`#tokens tr[data-token="${tokenId}"]`);
    await tokenRow.waitFor({ timeout: 15_000 });
    await tokenRow.getByRole('button', { name: 'Revoke' }).click();
    await tokenRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(async () => (await tokenRow.textContent()) ?? '', { timeout: 15_000 }).toContain('revoked');
    expect((await api('GET', '/whoami', undefined, token)).status).toBe(401);
    expect(await pageHolds(page)).not.toContain(token);
    changed.push('/api/v1/tokens', `/api/v1/tokens/${tokenId}`);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('the audit log screen lists the changes made above, who made them and their answers, and filters them', async () => {
    expect(changed.length).toBeGreaterThanOrEqual(5); // the tests above ran first, in this file's order
    const { page, consoleErrors } = await openDashboard('#/audit');
    const list = page.locator('#audit .audit-list');
    for (const path of changed) {
      await expect.poll(async () => (await list.textContent()) ?? '', { timeout: 20_000 }).toContain(path);
    }
    // The live feed tickets each console opening asks for are left out unless asked for.
    expect(await list.textContent()).not.toContain('/api/v1/live/tickets');
    expect(await list.textContent()).toMatch(/\d+ live feed tickets? \(a console opening\) not shown/);
    await page.locator('#audit input[name="tickets"]').check();
    await expect.poll(async () => (await list.textContent()) ?? '', { timeout: 5_000 }).toContain('POST /api/v1/live/tickets');
    const revoke = list.locator('tr', { hasText: `DELETE` }).filter({ hasText: changed[changed.length - 1]! });
    expect(await revoke.textContent()).toContain('API_TOKEN (root)');
    expect(await revoke.textContent()).toContain('204');
    // The path filter narrows the list to one charger's changes: its registration, then its new password.
    await page.fill('#audit input[name="path"]', changed[0]!);
    await page.press('#audit input[name="path"]', 'Enter');
    await expect.poll(async () => list.locator('tbody tr').count(), { timeout: 15_000 }).toBe(2);
    expect(await list.locator('tbody tr').allTextContents()).toEqual([
      expect.stringMatching(new RegExp(`POST .*${changed[0]}/password200`)),
      expect.stringMatching(new RegExp(`PUT .*${changed[0]}201`)),
    ]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('sends a charger a full then a differential local list from its screen, and shows the versions', async () => {
    const tag = `ADMLL${Date.now() % 1_000_000_000}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted', expiryDate: '2032-01-01T00:00:00Z' })).status).toBe(201);
    const id = uniqueChargerId('ADMLL');
    const charger = await connectCharger('ocpp1.6', id);
    await charger.call(BOOT['ocpp1.6'].action, BOOT['ocpp1.6'].params);
    const lists: Array<{ listVersion: number; updateType: string; localAuthorizationList?: Array<{ idTag: string }> }> = [];
    charger.handle('SendLocalList', async ({ params }) => {
      lists.push(params as (typeof lists)[number]);
      return { status: 'Accepted' };
    });
    charger.handle('GetLocalListVersion', async () => ({ listVersion: lists.at(-1)?.listVersion ?? 0 }));

    const { page, consoleErrors } = await openDashboard(`#/chargers/${id}`);
    // Who the token is arrives on its own; the charger screen is built again with its scopes then.
    await expect.poll(async () => (await page.textContent('#who')) ?? '', { timeout: 15_000 }).toContain('admin');
    const panel = page.locator('#detail .local-list-box');
    await expect.poll(async () => (await panel.textContent()) ?? '', { timeout: 20_000 }).toContain('No list has been sent');
    await panel.getByRole('button', { name: 'Send full update' }).click();
    await expect.poll(async () => (await panel.locator('.answers').textContent()) ?? '', { timeout: 20_000 }).toMatch(/Full update: Accepted, version \d+/);
    expect(lists).toHaveLength(1);
    expect(lists[0]!.updateType).toBe('Full');
    expect(lists[0]!.localAuthorizationList!.map((e) => e.idTag)).toContain(tag);
    await expect.poll(async () => (await panel.locator('.local-list-version').textContent()) ?? '', { timeout: 10_000 }).toContain(`Version ${lists[0]!.listVersion}, sent`);

    await panel.locator('input[name="idTags"]').fill(tag);
    await panel.getByRole('button', { name: 'Send differential update' }).click();
    await expect.poll(() => lists.length, { timeout: 20_000 }).toBe(2);
    expect(lists[1]).toMatchObject({ updateType: 'Differential', localAuthorizationList: [{ idTag: tag }] });
    await expect.poll(async () => (await panel.locator('.answers').textContent()) ?? '', { timeout: 10_000 }).toContain('Differential update: Accepted');
    await panel.getByRole('button', { name: 'Ask the charger its version' }).click();
    await expect.poll(async () => (await panel.locator('.answers').textContent()) ?? '', { timeout: 20_000 }).toContain(`The charger reports version ${lists[1]!.listVersion}.`);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('the admin screens never scroll sideways at 390 px', async () => {
    const { page, consoleErrors } = await openDashboard('#/id-tags', 390);
    for (const screen of ['id-tags', 'register', 'tokens', 'audit']) {
      await page.goto(`${page.url().split('#')[0]}#/${screen}`);
      await page.locator(`[data-screen="${screen}"] form`).first().waitFor({ timeout: 15_000 });
      await expect.poll(() => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'), { timeout: 10_000 }).toBeLessThanOrEqual(0);
    }
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a read-only token sees no admin or edit controls, and the API refuses it what they would do', async () => {
    const tag = `ADMRO${Date.now() % 1_000_000_000}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBe(201);
    const id = uniqueChargerId('ADMRO');
    const charger = await connectCharger('ocpp2.0.1', id);
    await charger.call(BOOT['ocpp2.0.1'].action, BOOT['ocpp2.0.1'].params);
    const created = await api('POST', '/tokens', { name: 'console read-only', scopes: ['read'] });
    expect(created.status).toBe(201);
    const token = created.body.token as string;

    const { page, consoleErrors } = await openDashboard('#/id-tags', 1280, undefined, token);
    await expect.poll(async () => (await page.textContent('#who')) ?? '', { timeout: 15_000 }).toContain('read');
    await page.fill('#id-tags input[name="q"]', tag);
    const tagRow = page.locator(`#id-tags tr[data-id-tag="${tag}"]`);
    await tagRow.waitFor({ timeout: 15_000 });
    // The list shows; nothing to change it does.
    expect(await tagRow.locator('button').count()).toBe(0);
    expect(await page.locator('form.id-tag-form').isVisible()).toBe(false);
    expect(await page.locator('#id-tags form.import').isVisible()).toBe(false);
    for (const name of ['Register chargers', 'API tokens', 'Audit log']) {
      expect(await page.locator('nav.screens').getByRole('link', { name }).isVisible(), name).toBe(false);
    }
    // The charger screen's local list shows its version, but no Send.
    await page.goto(`${page.url().split('#')[0]}#/chargers/${id}`);
    const panel = page.locator('#detail .local-list-box');
    await expect.poll(async () => (await panel.textContent()) ?? '', { timeout: 20_000 }).toMatch(/No list has been sent|Version/);
    const sends = panel.locator('button', { hasText: /Send|Ask/ });
    expect(await sends.count()).toBe(3); // built (full, differential, ask), but hidden
    for (const b of await sends.all()) expect(await b.isVisible()).toBe(false);
    // An admin screen named by URL says what it needs and shows no form.
    await page.goto(`${page.url().split('#')[0]}#/tokens`);
    await expect.poll(async () => (await page.textContent('#tokens')) ?? '', { timeout: 10_000 }).toContain('no admin scope');
    expect(await page.locator('form.token-form').isVisible()).toBe(false);

    // The UI is a convenience: the API is the guard.
    expect((await api('PATCH', `/id-tags/${tag}`, { status: 'Blocked' }, token)).status).toBe(403);
    expect((await api('POST', `/chargers/${id}/local-list`, { updateType: 'Full' }, token)).status).toBe(403);
    expect((await api('GET', '/audit', undefined, token)).status).toBe(403);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
