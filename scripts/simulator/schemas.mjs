// The official OCPP JSON schemas (schemas/*.json), read at run time: answers built from them
// (required fields only, first enum value, short strings, the current time for date-times) and the
// strict-mode validator ocpp-rpc lacks for 2.1.

import { readFileSync } from 'node:fs';
import rpc from 'ocpp-rpc';

const { createValidator } = rpc;

const FILES = {
  'ocpp1.6': new URL('../../schemas/ocpp1_6.json', import.meta.url),
  'ocpp2.0.1': new URL('../../schemas/ocpp2_0_1.json', import.meta.url),
  'ocpp2.1': new URL('../../schemas/ocpp2_1.json', import.meta.url),
};

/**
 * A schema's id as ocpp-rpc looks it up, `urn:<Action>.req` / `urn:<Action>.conf`. 1.6 and 2.0.1
 * ids are already so; 2.1's are `urn:<Action>Request` / `urn:<Action>Response`, and a message that
 * is never answered (NotifyPeriodicEventStream, sent with SEND) is `urn:<Action>`, a request.
 */
export function rpcSchemaId(id) {
  if (/\.(req|conf)$/.test(id)) return id;
  const match = /^(urn:\w+?)(Request|Response)$/.exec(id);
  if (match) return `${match[1]}.${match[2] === 'Request' ? 'req' : 'conf'}`;
  return `${id}.req`;
}

/**
 * A copy of a schema without `additionalProperties` where it means nothing: the 2.1 schemas put it
 * on enum definitions, which are strings, and ajv (strictTypes) logs a warning for each one.
 */
export function withoutIdleKeywords(node) {
  if (Array.isArray(node)) return node.map(withoutIdleKeywords);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && typeof node.type === 'string' && node.type !== 'object') continue;
    out[key] = withoutIdleKeywords(value);
  }
  return out;
}

const cache = new Map();

/** The version's schemas by their ocpp-rpc id (each a copy carrying that id, idle keywords left out). */
function schemasOf(version) {
  let byId = cache.get(version);
  if (!byId) {
    const file = FILES[version];
    if (!file) throw new Error(`no schemas for ${version}`);
    byId = new Map();
    for (const schema of JSON.parse(readFileSync(file, 'utf8'))) {
      const $id = rpcSchemaId(schema.$id);
      byId.set($id, { ...withoutIdleKeywords(schema), $id });
    }
    cache.set(version, byId);
  }
  return byId;
}

/** The schema of `<action>.req` or `<action>.conf`, or undefined. */
export function messageSchema(version, action, kind) {
  return schemasOf(version).get(`urn:${action}.${kind}`);
}

let validators;

/**
 * ocpp-rpc validators for the versions it cannot check itself. ocpp-rpc 2.2.1 bundles 2.1 schemas
 * under their `urn:<Action>Request` ids while its client looks up `urn:<Action>.req`, so every
 * strict 2.1 call would fail with "Schema … is missing"; this one holds the same schemas from
 * schemas/ocpp2_1.json under the ids it looks up. 1.6 and 2.0.1 keep ocpp-rpc's own.
 */
export function strictValidators() {
  validators ??= [createValidator('ocpp2.1', [...schemasOf('ocpp2.1').values()])];
  return validators;
}

/**
 * A payload with only the required fields of the action's `kind` schema: enums take their
 * first value, strings a short value within their length limits (a date-time: now), numbers
 * their minimum (else 1), booleans false, arrays max(minItems, 1) items.
 */
export function minimalPayload(version, action, kind = 'conf') {
  const root = messageSchema(version, action, kind);
  if (!root) throw new Error(`${version} has no schema for ${action}.${kind}`);
  return sample(root, root, action);
}

function resolve(node, root) {
  if (node.$ref === undefined) return node;
  const name = /^#\/definitions\/(\w+)$/.exec(node.$ref)?.[1];
  const definition = name === undefined ? undefined : root.definitions?.[name];
  if (!definition) throw new Error(`cannot resolve ${node.$ref}`);
  return definition;
}

function sample(node, root, name) {
  node = resolve(node, root);
  if (node.enum) return node.enum[0];
  switch (node.type) {
    case 'object': {
      const out = {};
      for (const key of node.required ?? []) out[key] = sample(node.properties[key], root, key);
      return out;
    }
    case 'array': {
      let count = Math.max(node.minItems ?? 0, 1);
      if (node.maxItems !== undefined) count = Math.min(count, node.maxItems);
      return Array.from({ length: count }, () => sample(node.items, root, name));
    }
    case 'string': {
      if (node.format === 'date-time') return new Date().toISOString();
      let text = node.format === 'uri' ? `https://example.com/${name}` : name;
      if (node.minLength !== undefined) text = text.padEnd(node.minLength, 'x');
      if (node.maxLength !== undefined) text = text.slice(0, node.maxLength);
      return text;
    }
    case 'integer':
    case 'number': {
      let value = node.minimum ?? 1;
      if (node.maximum !== undefined) value = Math.min(value, node.maximum);
      if (node.multipleOf !== undefined) value = Math.ceil(value / node.multipleOf) * node.multipleOf;
      return value;
    }
    case 'boolean':
      return false;
    default:
      return name; // no type: any JSON value
  }
}
