// Reading a request's JSON body, the same way on every route.

import type { Context } from 'hono';
import { apiError } from './errors';

/** The parsed JSON body (an empty body reads as {}), or the 400 InvalidJson answer to return. */
export async function readJsonBody(c: Context): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, response: apiError(c, 400, 'InvalidJson', 'The request body is not valid JSON') };
  }
}
