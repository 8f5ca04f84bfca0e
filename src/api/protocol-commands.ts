// GET /api/v1/protocols/{version}/commands — the CSMS-initiated actions of one OCPP version, each
// with its request as a self-contained JSON Schema, for the console's generated command forms.
//
// Why a route of its own rather than the console reading /api/v1/openapi.json: the document is
// several times larger (every operation, both versions, the responses), and the console would have
// to pick one version's actions out of `x-ocpp-actions` and resolve `#/components/schemas/...`
// references itself. This route serves exactly what one charger's forms need, from the very same
// conversion (the OpenAPI document's components, built once per isolate by openapi-commands.ts):
// each request schema carries the definitions it references under `$defs`, so a form is built
// from one object. The answer is the same for the life of a deployment: cacheable, with an ETag.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isOcppVersion, OCPP_VERSIONS, type OcppVersion } from '../ocpp/versions';
import { sha256Hex } from './auth';
import { apiError } from './errors';
import type { CommandAction } from './openapi-commands';
import { openApiDocument } from './openapi';

export const protocolCommandRoutes = new Hono<{ Bindings: Env }>();

const COMPONENTS = '#/components/schemas/';
const DEFS = '#/$defs/';

type Schema = Record<string, unknown>;
type Document = {
  paths: Record<string, { post?: { 'x-ocpp-actions'?: Record<OcppVersion, CommandAction[]> } }>;
  components: { schemas: Record<string, Schema> };
};

/** One version's answer, as JSON text with its ETag, built on first use and kept for the isolate's life. */
const built = new Map<OcppVersion, { text: string; etag: string }>();

protocolCommandRoutes.get('/:version/commands', async (c) => {
  const version = c.req.param('version');
  if (!isOcppVersion(version)) {
    return apiError(c, 404, 'UnknownProtocol', `No OCPP version "${version}": use ${OCPP_VERSIONS.join(', ')}`);
  }
  let answer = built.get(version);
  if (!answer) {
    const text = JSON.stringify(protocolCommands(version));
    // Its digest names this exact text (the project's sha256Hex, shortened: a cache key, not a secret).
    answer = { text, etag: `"${(await sha256Hex(text)).slice(0, 16)}"` };
    built.set(version, answer);
  }
  // Private: behind the token. A browser revalidates after an hour (a deploy may change the schemas).
  const headers = { 'cache-control': 'private, max-age=3600', etag: answer.etag };
  if (c.req.header('if-none-match') === answer.etag) return c.body(null, 304, headers);
  return c.body(answer.text, 200, { ...headers, 'content-type': 'application/json; charset=UTF-8' });
});

/** `{ version, actions: [{ action, request }] }`, actions sorted by name. */
export function protocolCommands(version: OcppVersion): { version: OcppVersion; actions: { action: string; request: Schema }[] } {
  const doc = openApiDocument() as unknown as Document;
  const listed = doc.paths['/chargers/{chargerId}/commands/{action}']?.post?.['x-ocpp-actions']?.[version] ?? [];
  const schemas = doc.components.schemas;
  return {
    version,
    actions: listed.map(({ action, request }) => ({ action, request: selfContained(request.$ref.slice(COMPONENTS.length), schemas) })),
  };
}

/** The component named `root`, its references rewritten to `#/$defs/<name>` and every component it reaches under `$defs`. */
function selfContained(root: string, schemas: Record<string, Schema>): Schema {
  const defs: Record<string, Schema> = {};
  const pending: string[] = [];
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: Schema = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENTS)) {
        const name = item.slice(COMPONENTS.length);
        pending.push(name);
        out.$ref = DEFS + name;
      } else out[key] = rewrite(item);
    }
    return out;
  };
  const top = rewrite(schemas[root]) as Schema;
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (Object.hasOwn(defs, name)) continue;
    const schema = schemas[name];
    if (!schema) throw new Error(`Missing schema component ${name}`);
    defs[name] = {}; // claimed before rewriting, so a self-reference does not loop
    defs[name] = rewrite(schema) as Schema;
  }
  return Object.keys(defs).length ? { ...top, $defs: defs } : top;
}
