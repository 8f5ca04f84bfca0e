// The console's transactions and tariffs screens in a real headless Chromium, driven by strict
// simulated 1.6 chargers: transactions filtered by charger and by state show only those, the filtered
// list saves as CSV with exactly those rows, a transaction's own screen by link; a tariff created,
// assigned to a charger and edited from the console prices a session with the version it started
// under; a bad tariff shows the API's error beside its field; an assigned tariff cannot be deleted
// until its assignment is removed; each change is in the audit log under the token that made it.
// No console errors (but the browser's own log of the two refusals asked for).
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDashboard, useBrowser } from './console-helpers.ts';
import { E2E_API_TOKEN } from './global-setup.ts';
import { api, bootedCharger, uniqueChargerId, type Charger } from './helpers.ts';
import { putTag } from './session-helpers.ts';

useBrowser();

const SLOW = { timeout: 30_000 };

/** Starts a 1.6 transaction on `connectorId` from meter 0; its transactionId as text. */
async function start(charger: Charger, tag: string, connectorId: number): Promise<string> {
  const answer = (await charger.call('StartTransaction', { connectorId, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() })) as {
    transactionId: number;
    idTagInfo: { status: string };
  };
  expect(answer.idTagInfo.status).toBe('Accepted');
  return String(answer.transactionId);
}

async function stop(charger: Charger, transactionId: string, meterStop: number): Promise<void> {
  await charger.call('StopTransaction', { transactionId: Number(transactionId), meterStop, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
}

/** The text of each row of the transactions list. */
const listRows = (page: Page) => page.locator('#transactions table tbody tr').allTextContents();

describe('the transactions screen in a browser', () => {
  it('filters by charger and by state, showing only those; exports the filtered list as CSV; links to a transaction', async () => {
    const tag = await putTag();
    const aId = uniqueChargerId('TXA');
    const bId = uniqueChargerId('TXB');
    const a = await bootedCharger('ocpp1.6', aId);
    const b = await bootedCharger('ocpp1.6', bId);
    const aDone = await start(a, tag, 1);
    await stop(a, aDone, 4_000);
    const aRunning = await start(a, tag, 2);
    const bDone = await start(b, tag, 1);
    await stop(b, bDone, 2_000);

    const urls: string[] = [];
    const { page, consoleErrors } = await openDashboard('#/transactions', 1280, (p) => p.on('request', (r) => urls.push(r.url())));
    // By charger: A's two transactions, none of B's.
    await page.fill('#tx-charger', aId);
    await page.press('#tx-charger', 'Enter');
    await expect.poll(async () => (await listRows(page)).length, SLOW).toBe(2);
    const byCharger = await listRows(page);
    expect(byCharger.every((r) => r.startsWith(aId))).toBe(true);
    expect(byCharger.join('\n')).not.toContain(bId);
    expect(byCharger[0]).toContain(`${aId}${aRunning}connector 2`);
    expect(byCharger[1]).toContain(`${aId}${aDone}connector 1`);

    // And by state: only the running one.
    await page.selectOption('#tx-state', 'active');
    await expect.poll(async () => (await listRows(page)).length, SLOW).toBe(1);
    const [running] = await listRows(page);
    expect(running).toContain(`${aId}${aRunning}`);
    expect(running).toContain('active');

    // The filtered list as CSV, one click: exactly that row, fetched with the token in a header.
    const [download] = await Promise.all([page.waitForEvent('download', SLOW), page.click('#tx-csv')]);
    expect(download.suggestedFilename()).toBe(`transactions_${aId}_active.csv`);
    const lines = (await readFile((await download.path())!, 'utf8')).split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('id,charger_id,transaction_id,protocol,evse_id,connector_id,id_tag,status,started_at,stopped_at,energy_kwh,energy_export_kwh,stop_reason,tariff_id,tariff_version,currency,total_cost_excl_vat,total_cost_incl_vat,flags');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,${aId},${aRunning},ocpp1.6,`);
    expect(lines[1]).toContain(`,2,${tag},active,`);
    // Polled: Playwright reports the request event asynchronously, and under load it came after the download (one full-suite run).
    await expect.poll(() => urls.some((u) => u.includes(`/api/v1/transactions?format=csv&chargerId=${aId}&status=active`)), SLOW).toBe(true);
    expect(urls.filter((u) => u.includes(E2E_API_TOKEN))).toEqual([]);
    await expect.poll(async () => page.locator('#tx-csv-result').textContent(), SLOW).toMatch(/^Saved transactions_/);

    // Completed only: A's finished one; its link opens its own screen with its energy.
    await page.selectOption('#tx-state', 'completed');
    await expect.poll(async () => (await listRows(page)).map((r) => r.includes(`${aId}${aDone}connector 1`)), SLOW).toEqual([true]);
    await page.locator('#transactions').getByRole('link', { name: aDone, exact: true }).click();
    expect(new URL(page.url()).hash).toBe(`#/transactions/${aId}/${aDone}`);
    const detail = page.locator('#tx-detail');
    await expect.poll(async () => (await detail.textContent()) ?? '', SLOW).toContain(`Transaction ${aDone}`);
    expect(await detail.locator('dl.tx-facts').textContent()).toContain('4.00 kWh');
    expect(await detail.locator('dl.tx-facts').textContent()).toContain('EVDisconnected');
    expect(await detail.textContent()).not.toMatch(/null|undefined|NaN/);
    expect(await detail.getByRole('link', { name: `Charger ${aId}` }).getAttribute('href')).toBe(`#/chargers/${aId}`);
    // The charger's screen links each of its transactions to that screen too.
    await detail.getByRole('link', { name: `Charger ${aId}` }).click();
    const chargerRow = page.locator('#detail .tx-box tr', { hasText: 'EVDisconnected' }).or(page.locator('#detail .tx-box tr', { hasText: '4.00 kWh' }));
    await chargerRow.first().waitFor(SLOW);
    expect(await chargerRow.first().getByRole('link', { name: 'Open' }).getAttribute('href')).toBe(`#/transactions/${aId}/${aDone}`);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});

describe('the tariffs screen in a browser', () => {
  it('creates a tariff, assigns it to a charger, prices its session; an edit is a new version the running session does not take; a bad one shows its field errors', async () => {
    const tag = await putTag();
    const chargerId = uniqueChargerId('TXT');
    const charger = await bootedCharger('ocpp1.6', chargerId);
    const tariffId = `TX-${crypto.randomUUID().slice(0, 8)}`;
    // The browser logs each answer of 400 or more as an error: the two refusals this test asks for
    // (the bad tariff, the delete of an assigned one) are the only ones allowed, each from its URL.
    const located: string[] = [];
    const { page, consoleErrors } = await openDashboard('#/tariffs', 1280, (p) =>
      p.on('console', (m) => {
        if (m.type() === 'error') located.push(`${m.text()} ${new URL(m.location().url).pathname}`);
      }),
    );
    await page.locator('#tariff-form').waitFor(SLOW);

    // A bad tariff: each error beside the field it names, from the API (the form does not validate).
    await page.fill('#tf-id', `${tariffId}-BAD`);
    await page.fill('#tf-currency', 'EURO');
    await page.fill('#tf-energy', '-1');
    await page.click('#tf-save');
    await expect.poll(async () => page.locator('#tf-currency-error').textContent(), SLOW).toContain('currency must be an ISO 4217 code');
    expect(await page.locator('#tf-currency').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#tf-energy-error').textContent()).toContain('must not be negative');
    expect(await page.locator('#tf-result').textContent()).toMatch(/^Not saved: InvalidPayload/);

    // Created: 0.30 EUR/kWh, 20 % VAT, shown in words.
    await page.click('text=New tariff');
    await page.fill('#tf-id', tariffId);
    await page.fill('#tf-currency', 'EUR');
    await page.fill('#tf-energy', '0.30');
    await page.fill('#tf-vat', '20');
    await page.press('#tf-vat', 'Enter'); // the keyboard saves too
    await expect.poll(async () => page.locator('#tf-result').textContent(), SLOW).toBe(`Created tariff ${tariffId} (version 1).`);
    expect(await page.locator('#tf-currency-error').textContent()).toBe('');
    const tariffRow = page.locator('#tariffs table.tariffs tbody tr', { hasText: tariffId });
    await expect.poll(async () => (await tariffRow.textContent()) ?? '', SLOW).toContain('0.30 EUR/kWh; excl. VAT, +20 % VAT');

    // Assigned to the charger.
    await page.selectOption('#ta-tariff', tariffId);
    await page.selectOption('#ta-scope', 'charger');
    await page.fill('#ta-key', chargerId);
    await page.click('#ta-form button[type="submit"]');
    await expect.poll(async () => page.locator('#ta-result').textContent(), SLOW).toContain(`Assigned ${tariffId} to ${chargerId}`);
    const assignment = page.locator('#tariffs table.assignments tbody tr', { hasText: chargerId });
    await expect.poll(async () => (await assignment.textContent()) ?? '', SLOW).toContain(tariffId);

    // A session starts under version 1; the tariff is edited to 0.50 EUR/kWh (version 2) while it runs.
    const transactionId = await start(charger, tag, 1);
    await tariffRow.getByRole('button', { name: `Edit tariff ${tariffId}` }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#tf-title').textContent()).toBe(`Edit tariff ${tariffId} (now version 1)`);
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('tf-currency'); // focus moves into the form
    expect(await page.locator('#tf-energy').inputValue()).toBe('0.3');
    await page.fill('#tf-energy', '0.50');
    await page.click('#tf-save');
    await expect.poll(async () => page.locator('#tf-result').textContent(), SLOW).toBe(
      `Saved tariff ${tariffId} as version 2. Sessions already running keep the version they started with.`,
    );
    await expect.poll(async () => (await tariffRow.textContent()) ?? '', SLOW).toContain('0.50 EUR/kWh');
    expect(await tariffRow.locator('td').nth(1).textContent()).toMatch(/^2 \(/);

    // It ends at 10 kWh: priced with version 1, 10 × 0.30 = 3.00 EUR excl., 3.60 incl. (not 6.00).
    await stop(charger, transactionId, 10_000);
    await page.goto(`${page.url().split('#')[0]}#/transactions/${chargerId}/${transactionId}`);
    const cost = page.locator('#tx-detail .cost-box');
    await expect.poll(async () => (await cost.textContent()) ?? '', SLOW).toContain('Total 3.60 EUR');
    expect(await cost.textContent()).toContain(`tariff ${tariffId}@1`);
    await expect.poll(async () => (await cost.textContent()) ?? '', SLOW).toContain('0.30 EUR/kWh');
    // The list shows its cost too.
    await page.goto(`${page.url().split('#')[0]}#/transactions`);
    await page.fill('#tx-charger', chargerId);
    await page.press('#tx-charger', 'Enter');
    await expect.poll(async () => (await listRows(page)).join('\n'), SLOW).toContain('3.60 EUR');

    // Delete (retire): refused while assigned, with where; done once the assignment is removed.
    await page.click('nav a[href="#/tariffs"]');
    await tariffRow.getByRole('button', { name: `Delete tariff ${tariffId}` }).click();
    await tariffRow.getByRole('button', { name: `Delete tariff ${tariffId}` }).click(); // the confirming click
    await expect.poll(async () => page.locator('#tariff-actions').textContent(), SLOW).toContain('Not deleted: TariffAssigned');
    await assignment.getByRole('button', { name: /^Remove/ }).click();
    await expect.poll(async () => page.locator('#tariffs table.assignments tbody tr', { hasText: chargerId }).count(), SLOW).toBe(0);
    await tariffRow.getByRole('button', { name: `Delete tariff ${tariffId}` }).click();
    await tariffRow.getByRole('button', { name: `Delete tariff ${tariffId}` }).click();
    await expect.poll(async () => page.locator('#tariffs table.tariffs tbody tr', { hasText: tariffId }).count(), SLOW).toBe(0);
    expect(await page.locator('#tariff-actions').textContent()).toContain(`Deleted tariff ${tariffId}`);
    expect(located).toEqual([
      `Failed to load resource: the server responded with a status of 400 (Bad Request) /api/v1/tariffs/${tariffId}-BAD`,
      `Failed to load resource: the server responded with a status of 409 (Conflict) /api/v1/tariffs/${tariffId}`,
    ]);
    expect(consoleErrors).toHaveLength(2); // those two, and nothing else (no exception, no other error)
    // Each change the console made is in the audit log, attributed to the token that made it.
    const audited = async () => {
      const audit = await api('GET', `/audit?path=${encodeURIComponent('/api/v1/tariff')}&limit=500`);
      expect(audit.status).toBe(200);
      return (audit.body.entries as { method: string; path: string; status: number; actor: { kind: string } }[])
        .filter((e) => e.path.includes(tariffId) || e.path.includes(chargerId))
        .map((e) => `${e.method} ${e.path} ${e.status} ${e.actor.kind}`)
        .reverse();
    };
    await expect.poll(audited, SLOW).toEqual([
      `PUT /api/v1/tariffs/${tariffId}-BAD 400 token`,
      `PUT /api/v1/tariffs/${tariffId} 201 token`,
      `PUT /api/v1/tariff-assignments/chargers/${chargerId} 201 token`,
      `PUT /api/v1/tariffs/${tariffId} 200 token`,
      `DELETE /api/v1/tariffs/${tariffId} 409 token`,
      `DELETE /api/v1/tariff-assignments/chargers/${chargerId} 204 token`,
      `DELETE /api/v1/tariffs/${tariffId} 204 token`,
    ]);
    await page.close();
  });
});

describe('the transactions and tariffs screens on a phone', () => {
  it('never scroll sideways at 390 px; a tariff the form cannot say is saved and kept as JSON, a simple one goes back to the form', async () => {
    const tag = await putTag();
    const chargerId = uniqueChargerId('TXPHONE');
    const charger = await bootedCharger('ocpp1.6', chargerId);
    const transactionId = await start(charger, tag, 1);
    await stop(charger, transactionId, 1_500);
    const { page, consoleErrors } = await openDashboard('#/transactions', 390);
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await page.locator('#transactions table').waitFor(SLOW);
    expect(await overflow(), 'transactions').toBeLessThanOrEqual(0);
    await page.goto(`${page.url().split('#')[0]}#/transactions/${chargerId}/${transactionId}`);
    await expect.poll(async () => (await page.locator('#tx-detail').textContent()) ?? '', SLOW).toContain('1.50 kWh');
    expect(await overflow(), 'transaction').toBeLessThanOrEqual(0);
    await page.click('nav a[href="#/tariffs"]');
    await page.locator('#tariff-form').waitFor(SLOW);
    expect(await page.locator('#tf-json').isVisible()).toBe(false); // the form first
    await page.click('#tf-mode'); // the JSON editor too, in place of the form's prices
    expect(await page.locator('#tf-json').isVisible()).toBe(true);
    expect(await page.locator('#tf-energy').isVisible()).toBe(false);
    expect(await overflow(), 'tariffs').toBeLessThanOrEqual(0);
    // A tariff the form cannot say (a night price), saved as JSON, shown in words; it stays JSON.
    const tariffId = `TXN-${crypto.randomUUID().slice(0, 8)}`;
    await page.fill('#tf-id', tariffId);
    const night = { currency: 'EUR', elements: [
      { price_components: [{ type: 'ENERGY', price: 0.2, vat: 20, step_size: 1 }], restrictions: { start_time: '22:00', end_time: '06:00' } },
      { price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }] },
    ] };
    await page.fill('#tf-json', JSON.stringify(night));
    await page.click('#tf-save');
    await expect.poll(async () => page.locator('#tf-result').textContent(), SLOW).toBe(`Created tariff ${tariffId} (version 1).`);
    const row = page.locator('#tariffs table.tariffs tbody tr', { hasText: tariffId });
    await expect.poll(async () => (await row.textContent()) ?? '', SLOW).toContain('22:00–06:00 0.20 EUR/kWh; 0.40 EUR/kWh; excl. VAT, +20 % VAT; times in UTC');
    await page.click('#tf-mode');
    expect(await page.locator('#tf-result').textContent()).toContain('keep editing it as JSON');
    expect(await page.locator('#tf-json').isVisible()).toBe(true);
    // A simple one goes back to the form, its prices in the fields.
    await page.click('text=New tariff');
    await page.fill('#tf-energy', '0.35');
    await page.click('#tf-mode');
    await page.click('#tf-mode');
    expect(await page.locator('#tf-energy').isVisible()).toBe(true);
    expect(await page.locator('#tf-energy').inputValue()).toBe('0.35');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
