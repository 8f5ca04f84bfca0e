// The one error shape of the HTTP API: {"error": {"code", "message", ...details}}.

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ApiErrorBody {
  error: { code: string; message: string; [detail: string]: unknown };
}

export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): Response {
  return c.json({ error: { code, message, ...details } } satisfies ApiErrorBody, status);
}
