// Shared by the console's browser tests (test/e2e/*.browser.test.ts): one headless Debian Chromium
// per test file (playwright-core downloads no browser), a page opened on the console with the e2e
// token given, and the console errors and uncaught exceptions it collects.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { E2E_API_TOKEN } from './global-setup.ts';
import { baseUrl } from './helpers.ts';

/** Installed by .ci/run from Debian's packages when missing. */
const CHROMIUM = '/usr/bin/chromium';

let browser: Browser;

/** Launches the file's browser before its tests and closes it after; call once at the top of a test file. */
export function useBrowser(): () => Browser {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * Console errors and uncaught exceptions of a page. The one exception: GET /api/v1/whoami answered
 * 404, which the browser logs as a failed load: the console asks, and shows nothing, on a
 * deployment without it.
 */
export function collectErrors(page: Page): string[] {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/^Failed to load resource: .*404/.test(message.text()) && message.location().url.endsWith('/api/v1/whoami')) return;
    consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  return consoleErrors;
}

/**
 * A page with the token given, collecting console errors and uncaught exceptions. `watch` runs
 * before the page loads, so listeners it attaches see everything (the live feed opens as soon as
 * the token is given).
 */
export async function openDashboard(
  hash = '',
  width = 1280,
  watch?: (page: Page) => void,
  token = E2E_API_TOKEN,
): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const consoleErrors = collectErrors(page);
  watch?.(page);
  await page.goto(`${baseUrl()}/dashboard${hash}`);
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  return { page, consoleErrors };
}

/** Markup a hostile charger puts in its text: shown literally, it must never become an element or run. */
export const HOSTILE = '<img src=x onerror=window.__pwned=1>';
