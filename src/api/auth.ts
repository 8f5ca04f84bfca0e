// Bearer-token authentication for /api/v1, compared in constant time.

import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { apiError } from './errors';

export const requireApiToken: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.API_TOKEN;
  if (!expected) {
    // Fail closed: a deployment without the secret must not serve its API to anyone.
    return apiError(c, 503, 'ApiTokenNotConfigured', 'Set the API_TOKEN secret: wrangler secret put API_TOKEN');
  }
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1] || !(await sameSecret(match[1].trim(), expected))) {
    c.header('WWW-Authenticate', 'Bearer realm="csms"');
    return apiError(c, 401, 'Unauthorized', 'Send a valid token: Authorization: Bearer <API_TOKEN>');
  }
  await next();
};

/** Hashing first gives equal-length inputs, so the comparison leaks neither content nor length. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
