// The audit log: every change asked through /api/v1 recorded with who asked (auditChanges), and GET /api/v1/audit to read it (admin).

import { Hono, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Env } from '../env';
import { AuditLogStore, type AuditEntry } from '../store/audit-log';
import type { AuthVariables } from './auth';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';

const AUDITED_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Mounted on /api/v1/* before authentication: after the answer is made, a POST, PUT, PATCH or
 * DELETE from an authenticated caller (refused ones included: a 403 is an attempt worth knowing
 * of) is written to the audit log. Unauthenticated requests (401) are not: they have no actor, and
 * recording them would let anyone fill the table. The write runs after the answer (waitUntil), so
 * it costs the caller nothing; if it fails, the entry is logged as an error line (Workers Logs)
 * with the same facts instead — the change itself has happened and is not undone.
 */
export const auditChanges: MiddlewareHandler<{ Bindings: Env; Variables: Partial<AuthVariables> }> = async (c, next) => {
  if (!AUDITED_METHODS.has(c.req.method)) return next();
  const at = new Date().toISOString();
  const requestId = c.req.header('cf-ray') || crypto.randomUUID();
  await next();
  const actor = c.get('actor');
  if (!actor) return;
  try {
    c.res.headers.set('X-Request-Id', requestId);
  } catch {
    // An answer passed through with immutable headers goes without it; the entry still has the id.
  }
  const entry: AuditEntry = {
    at,
    actor: { kind: actor.kind, id: actor.id, ...(actor.kind === 'access' && actor.email ? { email: actor.email.toLowerCase() } : {}) },
    method: c.req.method,
    ...routeOf(c),
    path: c.req.path,
    status: c.res.status,
    requestId,
  };
  const write = new AuditLogStore(c.env.DB).record(entry).catch((error: unknown) => {
    console.error(JSON.stringify({ level: 'error', what: 'audit-write-failed', error: String(error), entry }));
  });
  try {
    c.executionCtx.waitUntil(write);
  } catch {
    // No execution context (the app called directly): finish the write before answering.
    await write;
  }
};

/**
 * The route that answered (its pattern) and its path parameters: the last matched route that is a
 * handler rather than a middleware. Its parameters are read at its own index, as Hono keeps them per route.
 */
function routeOf(c: Parameters<MiddlewareHandler>[0]): { route: string | null; target: Record<string, string> } {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method === 'ALL' || route.path.endsWith('*')) continue;
    const current = c.req.routeIndex;
    c.req.routeIndex = i;
    try {
      return { route: route.path, target: { ...c.req.param() } };
    } finally {
      c.req.routeIndex = current;
    }
  }
  return { route: null, target: {} };
}

export const auditRoutes = new Hono<{ Bindings: Env }>();

const METHODS = [...AUDITED_METHODS];

auditRoutes.get('/', async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const method = c.req.query('method')?.toUpperCase();
  if (method !== undefined && !METHODS.includes(method)) {
    return apiError(c, 400, 'InvalidParameter', `method must be one of ${METHODS.join(', ')}`);
  }
  const actor = c.req.query('actor');
  if (actor !== undefined && (actor === '' || actor.length > 320)) return apiError(c, 400, 'InvalidParameter', 'actor must be a token id, an Access user id or an email');
  const pathPrefix = c.req.query('path');
  if (pathPrefix !== undefined && !pathPrefix.startsWith('/')) {
    return apiError(c, 400, 'InvalidParameter', 'path must start with / (a path prefix such as /api/v1/chargers/CP-1)');
  }
  const page = await new AuditLogStore(c.env.DB).list({ actor, method, pathPrefix, ...range, limit, cursor: c.req.query('cursor') });
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json(page);
});
