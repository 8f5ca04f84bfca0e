// Authentication and scopes for /api/v1: a bearer token (the API_TOKEN secret, or one made through /api/v1/tokens), or a Cloudflare Access user.

import type { Context, MiddlewareHandler } from 'hono';
import { readAccessConfig, type AccessConfig } from '../config';
import type { Env } from '../env';
import { ApiTokenStore } from '../store/api-tokens';
import { ACCESS_ASSERTION_HEADER, accessScopes, checkAccessAssertion, sameOriginChange } from './access-identity';
import { AccessKeysUnavailable } from './access-keys';
import { apiError } from './errors';
import { grants, requiredScope, type Scope } from './scopes';

/** Tokens made through the API: `csms_<id>_<secret>`. */
const TOKEN_FORMAT = /^csms_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** Who a request is from: an API token (scripts, a pasted token), or a person signed in through Cloudflare Access. */
export type Actor =
  | { kind: 'token'; id: string; name: string }
  | { kind: 'access'; id: string; email?: string; name?: string };

export interface AuthVariables {
  /** The API token's id (`root` for API_TOKEN); for an Access user `access:<email>` (cost revisions record it). */
  tokenId: string;
  actor: Actor;
  scopes: Scope[];
}

type AuthEnv = { Bindings: Env; Variables: AuthVariables };

/**
 * Authenticates /api/v1. A bearer token, when the request has one, decides: it is the credential
 * the caller chose, while the Access assertion is attached by Cloudflare's edge to every request
 * that passed Access (a script passing Access with a service token still names itself by its API
 * token); a bad bearer token is 401 even beside a good assertion, never a silent fall back. Without
 * one, a `Cf-Access-Jwt-Assertion` is verified when Access is configured, and ignored when it is not.
 */
export const requireApiToken: MiddlewareHandler<AuthEnv> = async (c, next) => {
  let access: AccessConfig | undefined;
  try {
    access = readAccessConfig(c.env);
  } catch (error) {
    return apiError(c, 503, 'AccessMisconfigured', (error as Error).message);
  }
  const root = c.env.API_TOKEN;
  if (!root && !access) {
    // Fail closed: a deployment without the secret must not serve its API to anyone.
    return apiError(c, 503, 'ApiTokenNotConfigured', 'Set the API_TOKEN secret: wrangler secret put API_TOKEN');
  }
  const authorization = c.req.header('authorization');
  const assertion = c.req.header(ACCESS_ASSERTION_HEADER);
  if (authorization === undefined && assertion !== undefined && access) return accessUser(c, next, assertion, access);

  const given = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  const holder = given ? await tokenHolder(given, root, c.env.DB) : undefined;
  if (!holder) return unauthorized(c, 'Send a valid token: Authorization: Bearer <token>');
  c.set('actor', { kind: 'token', id: holder.id, name: holder.name });
  c.set('tokenId', holder.id);
  c.set('scopes', holder.scopes);
  const needed = requiredScope(c.req.method, c.req.path);
  if (!grants(holder.scopes, needed)) return insufficientScope(c, needed, holder.scopes);
  await next();
};

async function accessUser(c: Context<AuthEnv>, next: () => Promise<void>, assertion: string, access: AccessConfig): Promise<Response | void> {
  let checked;
  try {
    checked = await checkAccessAssertion(assertion, access);
  } catch (error) {
    if (!(error instanceof AccessKeysUnavailable)) throw error;
    console.error(JSON.stringify({ level: 'error', what: 'access-keys', error: error.message }));
    return apiError(c, 503, 'AccessKeysUnavailable', 'The Cloudflare Access signing keys could not be fetched; try again shortly');
  }
  if (!checked.ok) {
    // Why goes to the logs only: the caller learns nothing that would help shape a forgery.
    console.warn(JSON.stringify({ level: 'warn', what: 'access-assertion-refused', reason: checked.reason, path: c.req.path }));
    return unauthorized(c, 'The Cloudflare Access assertion (Cf-Access-Jwt-Assertion) is not valid: sign in again');
  }
  const { claims } = checked;
  const id = claims.sub || claims.commonName || claims.email || 'unknown';
  const scopes = accessScopes(claims, access.scopes);
  c.set('actor', { kind: 'access', id, ...(claims.email ? { email: claims.email } : {}), ...(claims.name ? { name: claims.name } : {}) });
  c.set('tokenId', `access:${claims.email ?? id}`);
  c.set('scopes', scopes);
  if (!sameOriginChange(c.req.method, c.req.url, c.req.raw.headers)) {
    return apiError(c, 403, 'CrossSiteRequest', 'A change by a signed-in user must come from this site\'s own pages (Origin); scripts use an API token');
  }
  if (scopes.length === 0) {
    return apiError(c, 403, 'AccessNotMapped', `${claims.email ?? id} is signed in but ACCESS_SCOPES gives them no scope`, {
      ...(claims.email ? { email: claims.email } : {}),
    });
  }
  const needed = requiredScope(c.req.method, c.req.path);
  if (!grants(scopes, needed)) return insufficientScope(c, needed, scopes);
  await next();
}

/**
 * For the console page: an Access assertion, when Access is configured and the request carries
 * one, must be valid and its user mapped; the page itself holds nothing secret, but a forged or
 * unmapped identity is told so at once rather than by the page's first API call.
 */
export const checkConsoleAccess: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  let access: AccessConfig | undefined;
  try {
    access = readAccessConfig(c.env);
  } catch (error) {
    return apiError(c, 503, 'AccessMisconfigured', (error as Error).message);
  }
  const assertion = c.req.header(ACCESS_ASSERTION_HEADER);
  if (!access || assertion === undefined) return next();
  let checked;
  try {
    checked = await checkAccessAssertion(assertion, access);
  } catch (error) {
    if (!(error instanceof AccessKeysUnavailable)) throw error;
    return apiError(c, 503, 'AccessKeysUnavailable', 'The Cloudflare Access signing keys could not be fetched; try again shortly');
  }
  if (!checked.ok) return unauthorized(c, 'The Cloudflare Access assertion (Cf-Access-Jwt-Assertion) is not valid: sign in again');
  if (accessScopes(checked.claims, access.scopes).length === 0) {
    return apiError(c, 403, 'AccessNotMapped', `${checked.claims.email ?? checked.claims.sub} is signed in but ACCESS_SCOPES gives them no scope`);
  }
  return next();
};

function unauthorized(c: Context, message: string): Response {
  c.header('WWW-Authenticate', 'Bearer realm="csms"');
  return apiError(c, 401, 'Unauthorized', message);
}

function insufficientScope(c: Context, needed: Scope, granted: Scope[]): Response {
  return apiError(c, 403, 'InsufficientScope', `This needs the "${needed}" scope`, { needed, granted });
}

/** Who holds `given`: the root token (every scope), or a live API-made token; undefined when neither. */
async function tokenHolder(given: string, root: string | undefined, db: D1Database): Promise<{ id: string; name: string; scopes: Scope[] } | undefined> {
  if (root && (await sameSecret(given, root))) return { id: 'root', name: 'API_TOKEN', scopes: ['admin'] };
  const match = TOKEN_FORMAT.exec(given);
  if (!match?.[1] || !match[2]) return undefined;
  const store = new ApiTokenStore(db);
  const token = await store.forCheck(match[1]);
  if (!token || token.revokedAt !== null || !(await sameHash(match[2], token.secretHash))) return undefined;
  await store.touch(token.id, new Date().toISOString());
  return { id: token.id, name: token.name, scopes: token.scopes };
}

/** Hashing first gives equal-length inputs, so the comparison leaks neither content nor length. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

async function sameHash(secret: string, expectedHex: string): Promise<boolean> {
  const actual = new Uint8Array(await sha256(secret));
  const expected = Uint8Array.from(expectedHex.match(/../g) ?? [], (h) => parseInt(h, 16));
  return expected.byteLength === actual.byteLength && crypto.subtle.timingSafeEqual(actual, expected);
}

export async function sha256Hex(text: string): Promise<string> {
  return [...new Uint8Array(await sha256(text))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}
