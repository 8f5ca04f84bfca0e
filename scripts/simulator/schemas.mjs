// The official OCPP JSON schemas (schemas/*.json), read at run time, and answers built from them:
// required fields only, first enum value, short strings, the current time for date-times.

import { readFileSync } from 'node:fs';

const FILES = {
  'ocpp1.6': new URL('../../schemas/ocpp1_6.json', import.meta.url),
  'ocpp2.0.1': new URL('../../schemas/ocpp2_0_1.json', import.meta.url),
};

const cache = new Map();

function schemasOf(version) {
  let byId = cache.get(version);
  if (!byId) {
    byId = new Map();
    for (const schema of JSON.parse(readFileSync(FILES[version], 'utf8'))) byId.set(schema.$id, schema);
    cache.set(version, byId);
  }
  return byId;
}

/** The schema of `<action>.req` or `<action>.conf`, or undefined. */
export function messageSchema(version, action, kind) {
  return schemasOf(version).get(`urn:${action}.${kind}`);
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
