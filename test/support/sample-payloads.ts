// Sample OCPP payloads built from the official JSON schemas (schemas/*.json), for tests.
//
// Works in plain Node and inside workerd: the schemas come in through static JSON imports, which
// Vite (and so both vitest configs) turns into ordinary modules; nothing here reads files.
//
// The payloads are deterministic: the same version, action and kind always give the same value.
//   enum            → its first value
//   string          → a short meaningful value (the property's name; "1" for a `value`; a URL
//                     for format uri), padded with "x" to minLength and cut to maxLength
//   date-time       → FIXED_TIME
//   integer, number → the minimum, else 1 (held under maximum, rounded up to multipleOf)
//   boolean         → false when required, true when optional (so only full payloads have true,
//                     and a full payload still holds the minimal one)
//   array           → max(minItems, 1) items (capped at maxItems)
//   object          → its required properties (minimal) or all of them (full), recursively
//   no type         → (2.0.1 DataTransfer `data`, any JSON value) a string
//   $ref            → the definition of the same message schema

import v16Schemas from '../../schemas/ocpp1_6.json';
import v201Schemas from '../../schemas/ocpp2_0_1.json';
import v21Schemas from '../../schemas/ocpp2_1.json';

export type Version = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';

/** Every date-time in a sample payload. */
export const FIXED_TIME = '2026-01-01T00:00:00.000Z';

/** The subset of draft-07 JSON Schema the OCPP schema files use. */
export interface JsonSchema {
  $id?: string;
  $ref?: string;
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  maxLength?: number;
  minLength?: number;
  format?: string;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  definitions?: Record<string, JsonSchema>;
}

type Mode = 'minimal' | 'full';

const FILES: Record<Version, JsonSchema[]> = {
  'ocpp1.6': v16Schemas as unknown as JsonSchema[],
  'ocpp2.0.1': v201Schemas as unknown as JsonSchema[],
  'ocpp2.1': v21Schemas as unknown as JsonSchema[],
};

/** Message schemas by version, then by `<Action>.<kind>`. */
const BY_ID = new Map<Version, Map<string, JsonSchema>>();
for (const [version, schemas] of Object.entries(FILES) as [Version, JsonSchema[]][]) {
  const byId = new Map<string, JsonSchema>();
  for (const schema of schemas) {
    // 1.6 and 2.0.1: urn:<Action>.req / .conf; 2.1: urn:<Action>Request / Response, or a bare name (SEND: request only).
    const match = /^urn:(\w+)\.(req|conf)$/.exec(schema.$id ?? '');
    const v21 = match ? null : /^urn:([A-Z]\w*?)(Request|Response)?$/.exec(schema.$id ?? '');
    if (!match && !v21) throw new Error(`${version}: unexpected schema $id ${String(schema.$id)}`);
    const key = match ? `${match[1]}.${match[2]}` : `${v21![1]}.${v21![2] === 'Response' ? 'conf' : 'req'}`;
    byId.set(key, schema);
  }
  BY_ID.set(version, byId);
}

/** The actions of a version, in the order of its schema file. */
export function actionsOf(version: Version): string[] {
  return [...BY_ID.get(version)!.keys()].filter((key) => key.endsWith('.req')).map((key) => key.slice(0, -'.req'.length));
}

/** The actions of a version that are answered (all but 2.1's SEND-only NotifyPeriodicEventStream). */
export function answeredActionsOf(version: Version): string[] {
  return actionsOf(version).filter((action) => BY_ID.get(version)!.has(`${action}.conf`));
}

/** The JSON schema of one message, as in schemas/*.json. */
export function messageSchema(version: Version, action: string, kind: 'req' | 'conf'): JsonSchema {
  const schema = BY_ID.get(version)?.get(`${action}.${kind}`);
  if (!schema) throw new Error(`${version} has no schema for ${action}.${kind}`);
  return schema;
}

/**
 * A payload with only the required fields: first enum value, integers at their minimum (or 1,
 * within maximum and multipleOf), short strings within maxLength, date-times FIXED_TIME,
 * arrays of max(minItems, 1) items, nested objects recursively.
 */
export function minimalPayload(version: Version, action: string, kind: 'req' | 'conf'): Record<string, unknown> {
  return build(version, action, kind, 'minimal');
}

/** The same but with every optional property filled too, at every depth; arrays still get max(minItems, 1) items. */
export function fullPayload(version: Version, action: string, kind: 'req' | 'conf'): Record<string, unknown> {
  return build(version, action, kind, 'full');
}

function build(version: Version, action: string, kind: 'req' | 'conf', mode: Mode): Record<string, unknown> {
  const root = messageSchema(version, action, kind);
  const value = sample(root, { root, mode, refs: [], where: `${version} ${action}.${kind}` }, action);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${version} ${action}.${kind}: the message schema is not an object`);
  }
  return value as Record<string, unknown>;
}

interface Context {
  root: JsonSchema;
  mode: Mode;
  /** Definitions being expanded, outermost first: a definition met again inside itself is a cycle. */
  refs: string[];
  where: string;
}

/** `optional`: the value is an optional property (only full payloads have it). */
function sample(node: JsonSchema, ctx: Context, name: string, optional = false): unknown {
  if (node.$ref !== undefined) {
    const match = /^#\/definitions\/(\w+)$/.exec(node.$ref);
    const definition = match ? ctx.root.definitions?.[match[1]!] : undefined;
    if (!match || !definition) throw new Error(`${ctx.where}: cannot resolve $ref ${node.$ref}`);
    const defName = match[1]!;
    if (ctx.refs.includes(defName)) {
      // A recursive definition: fill only what is required below this point, and give up if
      // even that never ends (no OCPP schema does this today).
      if (ctx.mode === 'minimal') throw new Error(`${ctx.where}: required fields of ${defName} recurse`);
      return sample(definition, { ...ctx, mode: 'minimal', refs: [...ctx.refs, defName] }, name, optional);
    }
    return sample(definition, { ...ctx, refs: [...ctx.refs, defName] }, name, optional);
  }
  if (node.enum !== undefined) {
    if (node.enum.length === 0) throw new Error(`${ctx.where}: empty enum at ${name}`);
    return node.enum[0];
  }
  switch (node.type) {
    case undefined:
      // No type at all: any JSON value is allowed.
      return name;
    case 'object': {
      const required = new Set(node.required ?? []);
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (ctx.mode === 'full' || required.has(key)) out[key] = sample(child, ctx, key, !required.has(key));
      }
      return out;
    }
    case 'string':
      return sampleString(node, name);
    case 'integer':
    case 'number':
      return sampleNumber(node, ctx, name);
    case 'boolean':
      return optional;
    case 'array': {
      if (!node.items) throw new Error(`${ctx.where}: array ${name} has no items schema`);
      let count = Math.max(node.minItems ?? 0, 1);
      if (node.maxItems !== undefined) count = Math.min(count, node.maxItems);
      const items: unknown[] = [];
      for (let i = 0; i < count; i++) items.push(sample(node.items, ctx, name, optional));
      return items;
    }
    default:
      throw new Error(`${ctx.where}: unsupported type ${JSON.stringify(node.type)} at ${name}`);
  }
}

function sampleString(node: JsonSchema, name: string): string {
  if (node.format === 'date-time') return FIXED_TIME;
  let text: string;
  if (node.format === 'uri') text = `https://example.com/${name}`;
  else if (name === 'value') text = '1'; // 1.6 sampled values and configuration values: a number reads right in both
  else text = name;
  if (node.minLength !== undefined && text.length < node.minLength) text = text.padEnd(node.minLength, 'x');
  if (node.maxLength !== undefined && text.length > node.maxLength) text = text.slice(0, node.maxLength);
  return text;
}

function sampleNumber(node: JsonSchema, ctx: Context, name: string): number {
  let value = node.minimum ?? 1;
  if (node.maximum !== undefined && value > node.maximum) value = node.maximum;
  const step = node.multipleOf;
  if (step !== undefined) {
    // Round up to a whole number of steps; toPrecision cleans 3 * 0.1 = 0.30000000000000004.
    value = Number((Math.ceil(value / step - 1e-9) * step).toPrecision(12));
    if (node.maximum !== undefined && value > node.maximum) {
      value = Number((Math.floor(node.maximum / step + 1e-9) * step).toPrecision(12));
    }
  }
  if (node.type === 'integer' && !Number.isInteger(value)) {
    throw new Error(`${ctx.where}: no integer sample for ${name}`);
  }
  if ((node.minimum !== undefined && value < node.minimum) || (node.maximum !== undefined && value > node.maximum)) {
    throw new Error(`${ctx.where}: no sample for ${name} within its minimum, maximum and multipleOf`);
  }
  return value;
}
