// fast-check arbitraries for property tests: OCPP payloads drawn from the official JSON schemas, and
// ways to break them (of a JSON value, of frame text).
//
// `schemaPayload` reads the same schemas as sample-payloads.ts and follows the keywords they use:
// type, properties, required, additionalProperties, enum, maxLength, format (date-time), items,
// minItems, maxItems, minimum, maximum, multipleOf, $ref. Strings mix ASCII (control characters
// included) with other characters of the Basic Multilingual Plane, whose length is the same in
// UTF-16 units and in characters; arrays and free strings are kept short so a run stays fast.
//
// Beyond the schemas, payloads keep to OCPP's rules for sampled values (ocpp/meter-values.ts,
// sampledValueIssues): a 1.6 `value` is a decimal number as text, and a 2.0.1 `multiplier` keeps
// the value a finite number.

import fc from 'fast-check';
import { messageSchema, type JsonSchema, type Version } from './sample-payloads';

/** Any character of the Basic Multilingual Plane but the surrogates, ASCII (and its control characters) most often. */
export const bmpChar: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xd7ff }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }) },
  )
  .map((code) => String.fromCharCode(code));

const dateTime = fc
  .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.boolean())
  .map(([date, millis]) => (millis ? date.toISOString() : date.toISOString().replace(/\.\d{3}Z$/, 'Z')));

/** A small JSON value of any kind, for schema nodes without a type and for junk. */
export const smallJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

/** Payloads of `action` (`req` or `conf`) that its JSON schema allows. */
export function schemaPayload(version: Version, action: string, kind: 'req' | 'conf'): fc.Arbitrary<Record<string, unknown>> {
  const root = messageSchema(version, action, kind);
  return arbitraryFor(root, root, 0) as fc.Arbitrary<Record<string, unknown>>;
}

function arbitraryFor(node: JsonSchema, root: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 20) throw new Error('schema nests more than 20 levels: a recursive $ref?');
  if (node.$ref !== undefined) {
    const name = /^#\/definitions\/(\w+)$/.exec(node.$ref)?.[1];
    const definition = name ? root.definitions?.[name] : undefined;
    if (!definition) throw new Error(`cannot resolve ${node.$ref}`);
    return arbitraryFor(definition, root, depth + 1);
  }
  if (node.enum !== undefined) return fc.constantFrom(...node.enum);
  switch (node.type) {
    case undefined:
      return smallJson;
    case 'boolean':
      return fc.boolean();
    case 'string':
      if (node.format === 'date-time') return dateTime;
      return fc.string({ unit: bmpChar, minLength: node.minLength ?? 0, maxLength: Math.min(node.maxLength ?? 40, 1000) });
    case 'integer':
      return fc.integer({ min: node.minimum ?? -1_000_000, max: node.maximum ?? 1_000_000 });
    case 'number': {
      const min = node.minimum ?? -1_000_000;
      const max = node.maximum ?? 1_000_000;
      const step = node.multipleOf;
      if (step === undefined) return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((k) => k * step);
    }
    case 'array': {
      const minLength = node.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(node.maxItems ?? 3, 3));
      return fc.array(arbitraryFor(node.items!, root, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const properties = node.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(properties).map(([key, child]) => [key, ocppRule(key, child, properties) ?? arbitraryFor(child, root, depth + 1)]),
      );
      const record = fc.record(model, { requiredKeys: node.required ?? [] });
      if (node.additionalProperties === false) return record;
      // An open object (2.0.1 customData) takes keys of its own.
      const extra = fc.dictionary(fc.string({ maxLength: 8 }).filter((key) => !Object.hasOwn(properties, key)), smallJson, { maxKeys: 2 });
      return fc.tuple(record, extra).map(([known, more]) => ({ ...more, ...known }));
    }
    default:
      throw new Error(`unsupported schema type ${JSON.stringify(node.type)}`);
  }
}

/** A 1.6 sampled value's number as text: whole, fractional or with an exponent. */
const decimalText = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map(String),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -5, max: 5 })).map(([m, e]) => `${m}e${e}`),
);

/** The arbitrary for property `key` where OCPP asks more than its schema, or undefined. */
function ocppRule(key: string, node: JsonSchema, siblings: Record<string, JsonSchema>): fc.Arbitrary<unknown> | undefined {
  // 1.6 SampledValue: `value` is a string next to a `format` of Raw or SignedData.
  if (key === 'value' && node.type === 'string' && siblings.format?.enum?.includes('SignedData')) return decimalText;
  // 2.0.1 UnitOfMeasureType: a power of ten a meter might use.
  if (key === 'multiplier' && node.type === 'integer') return fc.integer({ min: -6, max: 6 });
  return undefined;
}

/** One way to break a JSON value at one place in it. */
export type Mutation =
  | { kind: 'delete' }
  | { kind: 'replace'; value: unknown }
  | { kind: 'add'; key: string; value: unknown }
  | { kind: 'wrap' }
  | { kind: 'stretch' };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('replace' as const), value: smallJson }),
  fc.record({ kind: fc.constant('add' as const), key: fc.string({ maxLength: 8 }), value: smallJson }),
  fc.constant({ kind: 'wrap' as const }),
  fc.constant({ kind: 'stretch' as const }),
);

/**
 * `value` with `change` applied at one of its places (`pick` chooses which, modulo their count;
 * the root is a place too): a key deleted, a value replaced by junk, an unexpected key added, a
 * value wrapped in an array, or a string made long (and a number turned into a string).
 */
export function mutate(value: unknown, pick: number, change: Mutation): unknown {
  const copy = structuredClone(value);
  const places: Array<{ parent: Record<string, unknown> | unknown[] | null; key: string | number }> = [{ parent: null, key: '' }];
  const stack: unknown[] = [copy];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, child] of Object.entries(node)) {
      places.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
      stack.push(child);
    }
  }
  const place = places[pick % places.length]!;
  const current = place.parent === null ? copy : (place.parent as Record<string | number, unknown>)[place.key];
  let next: unknown;
  switch (change.kind) {
    case 'delete':
      if (place.parent === null) return undefined;
      if (Array.isArray(place.parent)) place.parent.splice(place.key as number, 1);
      else delete place.parent[place.key as string];
      return copy;
    case 'replace':
      next = change.value;
      break;
    case 'add':
      if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
        (current as Record<string, unknown>)[change.key] = change.value;
        return copy;
      }
      next = { [change.key]: change.value };
      break;
    case 'wrap':
      next = [current];
      break;
    case 'stretch':
      next = typeof current === 'string' ? current.padEnd(6000, 'x') : String(current);
      break;
  }
  if (place.parent === null) return next;
  (place.parent as Record<string | number, unknown>)[place.key] = next;
  return copy;
}

/** Text broken at one place: cut short, a character dropped, inserted or replaced. */
export const textDamage: fc.Arbitrary<(text: string) => string> = fc
  .tuple(fc.constantFrom('cut', 'drop', 'insert', 'replace'), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }))
  .map(([how, at, chars]) => (text: string) => {
    const i = text.length === 0 ? 0 : at % text.length;
    switch (how) {
      case 'cut':
        return text.slice(0, i);
      case 'drop':
        return text.slice(0, i) + text.slice(i + 1);
      case 'insert':
        return text.slice(0, i) + chars + text.slice(i);
      default:
        return text.slice(0, i) + chars + text.slice(i + 1);
    }
  });
