// Refuses, on every /api/v1 GET, a query parameter the operation does not declare, and a
// one-value parameter given twice: a misspelt filter (`?stat=faulted`) would otherwise be
// ignored and answer with the whole list. The OpenAPI document (openapi*.ts) is the one list of
// what each operation takes; an undeclared parameter a route reads is a gap in the document.

import type { MiddlewareHandler } from 'hono';
import { apiError } from './errors';
import { openApiDocument } from './openapi';

interface DeclaredGet {
  /** `GET /chargers/{chargerId}`, for messages. */
  name: string;
  /** The path's segments under /api/v1; null where the path has a parameter. */
  segments: (string | null)[];
  /** The query parameters it declares, in the document's order. */
  accepted: string[];
  /** Those whose schema is an array: they may be repeated. */
  repeatable: Set<string>;
}

type Parameter = { name?: string; in?: string; schema?: { type?: unknown }; $ref?: string };
type Document = { paths: Record<string, { parameters?: Parameter[]; get?: { parameters?: Parameter[] } }>; components: { parameters: Record<string, Parameter> } };

let declared: DeclaredGet[] | undefined;

/** Every documented GET, a path with a fixed segment before one with a parameter at the same place. */
function declaredGets(): DeclaredGet[] {
  if (declared) return declared;
  const doc = openApiDocument() as unknown as Document;
  const resolve = (p: Parameter): Parameter => (p.$ref ? (doc.components.parameters[p.$ref.split('/').pop()!] ?? {}) : p);
  declared = Object.entries(doc.paths)
    .filter(([, item]) => item.get)
    .map(([path, item]) => {
      const query = [...(item.parameters ?? []), ...(item.get!.parameters ?? [])].map(resolve).filter((p) => p.in === 'query' && p.name);
      return {
        name: `GET ${path}`,
        segments: path.split('/').slice(1).map((s) => (/^\{.+\}$/.test(s) ? null : s)),
        accepted: query.map((p) => p.name!),
        repeatable: new Set(query.filter((p) => p.schema?.type === 'array').map((p) => p.name!)),
      };
    })
    .sort((a, b) => {
      for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
        const fixedA = a.segments[i] !== null;
        if (fixedA !== (b.segments[i] !== null)) return fixedA ? -1 : 1;
      }
      return 0;
    });
  return declared;
}

/** The documented GET a path under /api/v1 names, as the router matches it; undefined for none (a 404 follows). */
export function declaredGet(path: string): DeclaredGet | undefined {
  const segments = path.replace(/\/+$/, '').split('/').slice(1);
  return declaredGets().find(
    (get) => get.segments.length === segments.length && get.segments.every((s, i) => (s === null ? segments[i] !== '' : s === segments[i])),
  );
}

/** Mounted on /api/v1/*, before every route: GETs (and HEADs, which run them) only. */
export const rejectUndeclaredQuery: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
  const url = new URL(c.req.url);
  if (url.search === '') return next();
  const get = declaredGet(url.pathname.slice('/api/v1'.length));
  if (!get) return next();
  const counts = new Map<string, number>();
  for (const name of url.searchParams.keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [name, count] of counts) {
    if (!get.accepted.includes(name)) {
      const takes = get.accepted.length ? `it takes ${get.accepted.join(', ')}` : 'it takes none';
      return apiError(c, 400, 'UnknownQueryParameter', `${get.name} has no query parameter "${name}": ${takes}`, {
        parameter: name,
        accepted: get.accepted,
      });
    }
    if (count > 1 && !get.repeatable.has(name)) {
      return apiError(c, 400, 'InvalidParameter', `${name} is given ${count} times: it takes one value`);
    }
  }
  return next();
};
