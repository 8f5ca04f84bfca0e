// Bearer-token authentication and scopes for /api/v1: the API_TOKEN secret, or a token made through /api/v1/tokens.

import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { ApiTokenStore } from '../store/api-tokens';
import { apiError } from './errors';
import { grants, requiredScope, type Scope } from './scopes';

/** Tokens made through the API: `csms_<id>_<secret>`. */
const TOKEN_FORMAT = /^csms_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export const requireApiToken: MiddlewareHandler<{ Bindings: Env; Variables: { tokenId: string } }> = async (c, next) => {
  const root = c.env.API_TOKEN;
  if (!root) {
    // Fail closed: a deployment without the secret must not serve its API to anyone.
    return apiError(c, 503, 'ApiTokenNotConfigured', 'Set the API_TOKEN secret: wrangler secret put API_TOKEN');
  }
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
  const holder = given ? await tokenHolder(given, root, c.env.DB) : undefined;
  if (!holder) {
    c.header('WWW-Authenticate', 'Bearer realm="csms"');
    return apiError(c, 401, 'Unauthorized', 'Send a valid token: Authorization: Bearer <token>');
  }
  const needed = requiredScope(c.req.method, c.req.path);
  if (!grants(holder.scopes, needed)) {
    return apiError(c, 403, 'InsufficientScope', `This needs a token with the "${needed}" scope`, {
      needed,
      granted: holder.scopes,
    });
  }
  c.set('tokenId', holder.id);
  await next();
};

/** Who holds `given`: the root token (every scope), or a live API-made token; undefined when neither. */
async function tokenHolder(given: string, root: string, db: D1Database): Promise<{ id: string; scopes: Scope[] } | undefined> {
  if (await sameSecret(given, root)) return { id: 'root', scopes: ['admin'] };
  const match = TOKEN_FORMAT.exec(given);
  if (!match?.[1] || !match[2]) return undefined;
  const store = new ApiTokenStore(db);
  const token = await store.forCheck(match[1]);
  if (!token || token.revokedAt !== null || !(await sameHash(match[2], token.secretHash))) return undefined;
  await store.touch(token.id, new Date().toISOString());
  return { id: token.id, scopes: token.scopes };
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
