// Who a Cloudflare Access user is and what they may do: the verified assertion, its scopes by ACCESS_SCOPES, and the same-origin rule for their changes.

import type { AccessConfig, AccessScopeRule } from '../config';
import { type AccessClaims, verifyAccessJwt } from './access-jwt';
import { accessKeyCache } from './access-keys';
import type { Scope } from './scopes';

/** The header Cloudflare's edge adds to every request that passed Access. */
export const ACCESS_ASSERTION_HEADER = 'cf-access-jwt-assertion';

export type AccessCheck = { ok: true; claims: AccessClaims } | { ok: false; reason: string };

/** Verifies an assertion against the team's keys (throws AccessKeysUnavailable when they cannot be had). */
export function checkAccessAssertion(assertion: string, access: AccessConfig, now = Date.now()): Promise<AccessCheck> {
  const keys = accessKeyCache(access.certsUrl);
  return verifyAccessJwt(assertion, {
    key: (kid) => keys.key(kid),
    issuer: access.teamDomain,
    audiences: access.audiences,
    now: Math.floor(now / 1000),
  });
}

/** Every scope ACCESS_SCOPES gives this user (by email, email domain, or group); none when unmapped. */
export function accessScopes(claims: AccessClaims, rules: readonly AccessScopeRule[]): Scope[] {
  const email = claims.email?.toLowerCase();
  const domain = email?.slice(email.lastIndexOf('@') + 1);
  const granted = new Set<Scope>();
  for (const rule of rules) {
    const matches =
      (email !== undefined && rule.emails.includes(email)) ||
      (domain !== undefined && rule.domains.includes(domain)) ||
      claims.groups.some((g) => rule.groups.includes(g));
    if (matches) granted.add(rule.scope);
  }
  return (['read', 'command', 'admin'] as const).filter((s) => granted.has(s));
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a request an Access user's browser sent may change things. The browser attaches the
 * Access cookie to any request for our host, including one a page on another site makes it send;
 * such a request carries that site's `Origin` (browsers send Origin with every POST, PUT, PATCH and
 * DELETE) or `Sec-Fetch-Site: cross-site`. So a change needs our own origin in `Origin`, or, without
 * Origin, `Sec-Fetch-Site: same-origin`. A request with neither is not from a browser we can trust
 * about where it came from: scripts use API tokens, which no browser sends on its own.
 */
export function sameOriginChange(method: string, requestUrl: string, headers: Headers): boolean {
  if (!MUTATING.has(method.toUpperCase())) return true;
  const origin = headers.get('origin');
  if (origin !== null) return origin === new URL(requestUrl).origin;
  return headers.get('sec-fetch-site') === 'same-origin';
}
