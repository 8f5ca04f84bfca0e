// The operator console page: served without a token, self-contained, allowed by its CSP exactly,
// wired to the API paths it reads and posts to, and where the site's root leads. What it does in a
// browser is for a browser test (test/e2e/dashboard.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { worker } from './helpers';

/** The one URL the page may hold: the SVG namespace its chart's elements are created in (not fetched). */
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

async function page(): Promise<{ res: Response; html: string; script: string; style: string }> {
  const res = await worker('/dashboard');
  const html = await res.text();
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  return { res, html, script, style };
}

describe('the dashboard page', () => {
  it('is self-contained HTML, served without a token', async () => {
    const { res, html, script } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html.replaceAll(SVG_NAMESPACE, '')).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*stylesheet/i);
    // CSS loads nothing (the script's URL.createObjectURL( is a log file's download, not CSS).
    expect(html.replace(script, '')).not.toMatch(/@import|url\(/i);
    expect(html).not.toContain('innerHTML');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
  });

  it('carries a Content-Security-Policy that allows exactly its inline script and style', async () => {
    const { res, script, style } = await page();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    const digest = async (text: string) =>
      btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));
    expect(csp).toContain(`script-src 'sha256-${await digest(script)}'`);
    expect(csp).toContain(`style-src 'sha256-${await digest(style)}'`);
  });

  it('asks for the token and calls the API paths it uses with it', async () => {
    const { script } = await page();
    for (const text of [
      "'/api/v1'",
      "'Bearer '",
      'sessionStorage',
      "'/chargers?limit='",
      // Who the token is, when the deployment answers it; a charger's queued commands, and queueing one.
      "'/whoami'",
      "'/commands?limit=20'",
      "'?queue=true&ttlSeconds='",
      // The transactions screen: filtered pages, the filtered list as CSV, a transaction's own screen (#/transactions/{charger}/{id}).
      "'/transactions?limit='",
      "'/transactions?format=csv'",
      "'#/transactions/'",
      // Screens by URL hash.
      "'#/chargers/'",
      'hashchange',
      "'/transactions?chargerId='",
      "'/messages?limit=50'",
      "'/transactions/'",
      "'/commands/'",
      // Fleet views: critical security events (A04) and firmware (L01–L04); a charger's read views.
      "'/security-events?critical=true&limit='",
      "'/firmware?limit='",
      "'/firmware-jobs'",
      "'/certificates'",
      "'/logs'",
      "'/file'",
      "'/monitors'",
      "'/display-messages'",
      "'/events'",
      "'/customer-information'",
      // OCPP 2.1 (issue 16): installed tariffs (read, and asked with POST), dynamic values, battery swaps, VAT validations.
      "'/tariffs/installed'",
      "call('POST', path)",
      "'/dynamic'",
      "'/battery-swaps'",
      "'/reports?action=VatNumberValidation&'",
      // Money (issue 14): a transaction's tariff version in words, the tariffs and their assignments, the CDR CSV.
      "'/versions/'",
      "'/tariffs?limit='",
      "'/tariff-assignments?limit='",
      "'/cdrs?format=csv&from='",
      // Tariff editing: a new version by PUT, deleting, assigning and removing assignments.
      "call('PUT', '/tariffs/'",
      "call('DELETE', '/tariffs/'",
      "call('PUT', '/tariff-assignments'",
      "call('DELETE', '/tariff-assignments'",
      // Sites (issue 17): the list and a site's screen by hash; creating one; its allocation, load and log; its forms' changes.
      "'/sites?limit='",
      "'#/sites/'",
      "call('POST', '/sites'",
      "'/allocation'",
      "'/load?from='",
      "'/log?limit=50'",
      "'/external-limit'",
      "'/circuits/'",
      'Energy.Active.Import.Register',
      // The payload of each command differs between 1.6 and 2.0.1.
      'RemoteStartTransaction',
      'RequestStartTransaction',
      'RemoteStopTransaction',
      'RequestStopTransaction',
      "'UnlockConnector'",
      "'TriggerMessage'",
      "'ChangeAvailability'",
      "'Reset'",
    ]) {
      expect(script, text).toContain(text);
    }
  });

  it('fetches every file it saves (log uploads, the CDR and transactions CSV) with the token in a header, never in a URL', async () => {
    const { script, html } = await page();
    // Every fetch of the page sends the token as a Bearer header; no URL it builds names a token.
    expect(script.match(/fetch\(/g)?.length).toBe(3);
    expect(script.match(/authorization: 'Bearer ' \+ state\.token/g)?.length).toBe(3);
    expect(script).not.toMatch(/[?&](token|access_token|apiToken)=/i);
    // The export is a form of two dates and one button, on the page from the start (one click).
    expect(html).toContain('<input id="cdr-from" type="date" required>');
    expect(html).toContain('<button type="submit" id="cdr-download">Download CSV</button>');
  });

  it('is where the site\'s root leads (a redirect, not a JSON 404)', async () => {
    const res = await worker('/', { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!, 'http://csms.test/').pathname).toBe('/dashboard');
  });

  it('does not open the API: its calls still need the token', async () => {
    expect((await worker('/api/v1/chargers')).status).toBe(401);
    expect((await worker('/dashboard', { method: 'POST' })).status).toBe(404);
  });
});
