// Serving a self-contained HTML page under a Content-Security-Policy that allows exactly its own inline script and style.

import type { Context } from 'hono';

export interface SelfContainedPage {
  html: string;
  /** The inline script and style, as they stand in `html`: the policy allows them by hash. */
  script: string;
  style: string;
  /** Directives beyond the shared ones, e.g. "img-src 'self' data:". */
  extraDirectives?: string[];
  headers?: Record<string, string>;
}

/** A handler for the page; the policy is computed once per isolate, on first use. */
export function servePage(page: SelfContainedPage): (c: Context) => Promise<Response> {
  let policy: Promise<string> | undefined;
  return async (c) => {
    policy ??= contentSecurityPolicy(page);
    return c.html(page.html, 200, { 'content-security-policy': await policy, ...page.headers });
  };
}

/** Its own inline script and style, fetching from this origin; nothing else. */
async function contentSecurityPolicy(page: SelfContainedPage): Promise<string> {
  const [script, style] = await Promise.all([sha256(page.script), sha256(page.style)]);
  return [
    "default-src 'none'",
    `script-src 'sha256-${script}'`,
    `style-src 'sha256-${style}'`,
    "connect-src 'self'",
    ...(page.extraDirectives ?? []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}
