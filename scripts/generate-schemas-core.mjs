// Turns an array of OCPP JSON schemas (draft-07) into a TypeScript module of valibot schemas.
//
// Pure except for `readRepoFile`: `generateModule(jsonText, fileName)` returns the module text,
// and the same input always gives byte-identical output. Used by scripts/generate-schemas.mjs
// (which writes the files) and by test/unit/generated-schemas.test.ts (which checks they are fresh).
//
// Mapping (JSON Schema → valibot):
//   object, additionalProperties:false → v.strictObject; otherwise (CustomDataType) → v.looseObject,
//                                         each piped after `jsonObject`, which refuses arrays
//   property not in `required`          → v.optional(...)   (`default` is an annotation only, as in
//                                         JSON Schema: it is never filled in)
//   string + maxLength/minLength        → v.pipe(v.string(), v.maxLength(n, ...))
//   string + format date-time           → v.check(isDateTime): the forms valibot's isoTimestamp
//                                         accepts (Z or ±hh:mm offsets, 1–9 fractional digits; no
//                                         time without an offset), and only real calendar dates
//                                         (no 30 February), as ocpp/timestamps.ts reads them
//   string + format uri                 → plain string: chargers send URLs that strict URI
//                                         parsers reject, and nothing here dereferences them
//   string + enum                       → v.picklist([...])
//   integer                             → v.pipe(v.number(), v.integer())
//   number                              → v.pipe(v.number(), v.finite()): JSON.parse reads 1e400 as
//                                         Infinity, which no field can hold; minimum/maximum →
//                                         v.minValue/v.maxValue
//   multipleOf                          → v.multipleOf for whole steps; a tolerant v.check for
//                                         fractional ones (0.3 % 0.1 !== 0 in floating point)
//   array + minItems/maxItems           → v.pipe(v.array(item), v.minLength(n), v.maxLength(n))
//   no type, no constraints             → v.unknown() (2.0.1 DataTransfer `data`: any JSON value)
//   $ref "#/definitions/X"              → the module-level const X (definitions are shared by name
//                                         across messages; same name with a different shape is an error)
// Any other keyword stops the generator, so a new schema file cannot be half-translated silently.

import { readFileSync } from 'node:fs';

/** The schema files and the modules generated from them, relative to the repository root. */
export const TARGETS = [
  { source: 'schemas/ocpp1_6.json', output: 'src/ocpp/v16/schemas.generated.ts' },
  { source: 'schemas/ocpp2_0_1.json', output: 'src/ocpp/v201/schemas.generated.ts' },
  { source: 'schemas/ocpp2_1.json', output: 'src/ocpp/v21/schemas.generated.ts' },
];

/** Reads a file given relative to the repository root. */
export function readRepoFile(relativePath) {
  return readFileSync(new URL(`../${relativePath}`, import.meta.url), 'utf8');
}

const WIDTH = 100;

const KNOWN_KEYWORDS = new Set([
  '$id',
  '$schema',
  '$comment',
  'comment',
  'javaType',
  'description',
  'default',
  'definitions',
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'maxLength',
  'minLength',
  'format',
  'minimum',
  'maximum',
  'multipleOf',
  'items',
  'additionalItems',
  'minItems',
  'maxItems',
]);

const RESERVED_NAMES = new Set([
  'v',
  'ACTIONS',
  'Action',
  'requestSchemas',
  'responseSchemas',
  'ActionRequest',
  'ActionResponse',
  'isMultipleOf',
  'isDateTime',
  'toUtcIso',
  'jsonObject',
  'UNCONFIRMED_ACTIONS',
  'ConfirmedAction',
]);

// ---- code tree -------------------------------------------------------------------------------
// Nodes: { raw: string } | { call: string, args: Node[] } | { entries: [key, Node][] } | { list: Node[] }

const raw = (s) => ({ raw: s });
const call = (fn, ...args) => ({ call: fn, args });

function quote(s) {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function propertyKey(key) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : quote(key);
}

function formatNumber(n) {
  return String(n);
}

/** Renders a node on one line, or returns null when it must span lines (non-empty objects). */
function inline(node) {
  if ('raw' in node) return node.raw;
  if ('entries' in node) return node.entries.length === 0 ? '{}' : null;
  const parts = [];
  for (const child of 'list' in node ? node.list : node.args) {
    const text = inline(child);
    if (text === null) return null;
    parts.push(text);
  }
  return 'list' in node ? `[${parts.join(', ')}]` : `${node.call}(${parts.join(', ')})`;
}

/**
 * Renders a node that starts at column `col` on a line indented by `indent`, Prettier-like:
 * on one line when it fits, else a single argument hugs its call, else one argument per line.
 */
function render(node, indent, col) {
  const flat = inline(node);
  if (flat !== null && col + flat.length + 2 <= WIDTH) return flat;
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if ('raw' in node) return node.raw;
  if ('entries' in node) {
    const lines = node.entries.map(([key, value]) => {
      const head = `${propertyKey(key)}: `;
      return `${pad}${head}${render(value, indent + 2, indent + 2 + head.length)},\n`;
    });
    return `{\n${lines.join('')}${end}}`;
  }
  if ('list' in node) {
    return `[\n${node.list.map((item) => `${pad}${render(item, indent + 2, indent + 2)},\n`).join('')}${end}]`;
  }
  if (node.args.length === 1) {
    return `${node.call}(${render(node.args[0], indent, col + node.call.length + 1)})`;
  }
  return `${node.call}(\n${node.args.map((arg) => `${pad}${render(arg, indent + 2, indent + 2)},\n`).join('')}${end})`;
}

// ---- schema translation ---------------------------------------------------------------------

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

class Translator {
  constructor(where) {
    this.where = where;
    /** Definition names this module refers to. */
    this.refs = new Set();
    this.usesMultipleOf = false;
    this.usesDateTime = false;
  }

  fail(path, message) {
    throw new Error(`${this.where}: ${path || '(root)'}: ${message}`);
  }

  /** Translates one JSON schema node into a code node. */
  schema(node, path, definitions) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) this.fail(path, 'schema is not an object');
    for (const key of Object.keys(node)) {
      if (!KNOWN_KEYWORDS.has(key)) this.fail(path, `unsupported keyword "${key}"`);
    }
    if (node.$ref !== undefined) {
      const others = Object.keys(node).filter((k) => k !== '$ref' && k !== 'description' && k !== '$comment');
      if (others.length > 0) this.fail(path, `$ref next to ${others.join(', ')} is not supported`);
      const match = /^#\/definitions\/([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(node.$ref);
      if (!match) this.fail(path, `unsupported $ref ${node.$ref}`);
      const name = match[1];
      if (!definitions || !Object.hasOwn(definitions, name)) this.fail(path, `$ref to missing definition ${name}`);
      this.refs.add(name);
      return raw(name);
    }
    if (node.enum !== undefined) {
      if (node.type !== 'string') this.fail(path, 'enum is only supported on strings');
      if (!Array.isArray(node.enum) || node.enum.length === 0 || !node.enum.every((e) => typeof e === 'string')) {
        this.fail(path, 'enum must be a non-empty list of strings');
      }
      if (new Set(node.enum).size !== node.enum.length) this.fail(path, 'enum has duplicates');
      // 2.1 puts additionalProperties: false on its enums; it constrains objects only, so on a
      // string it has no effect (JSON Schema draft-07 §6.5.6).
      if (node.additionalProperties !== undefined && node.additionalProperties !== false) this.fail(path, 'additionalProperties on an enum');
      this.only(node, path, ['type', 'enum', 'additionalProperties']);
      return call('v.picklist', { list: node.enum.map((e) => raw(quote(e))) });
    }
    switch (node.type) {
      case undefined:
        // No type and no constraints (2.0.1 DataTransfer `data`): any JSON value.
        this.only(node, path, []);
        return call('v.unknown');
      case 'object':
        return this.object(node, path, definitions);
      case 'string':
        return this.string(node, path);
      case 'integer':
      case 'number':
        return this.number(node, path);
      case 'boolean':
        this.only(node, path, ['type']);
        return call('v.boolean');
      case 'array':
        return this.array(node, path, definitions);
      default:
        return this.fail(path, `unsupported type ${JSON.stringify(node.type)}`);
    }
  }

  /** Fails when `node` has a validation keyword this type does not use (annotations are fine). */
  only(node, path, allowed) {
    // `comment` is the OCA's licence line at the top of each 2.1 schema.
    const annotations = ['$id', '$schema', '$comment', 'comment', 'javaType', 'description', 'default', 'definitions'];
    for (const key of Object.keys(node)) {
      if (!allowed.includes(key) && !annotations.includes(key)) {
        this.fail(path, `keyword "${key}" is not supported on type ${node.type}`);
      }
    }
  }

  object(node, path, definitions) {
    this.only(node, path, ['type', 'properties', 'required', 'additionalProperties']);
    const properties = node.properties ?? {};
    const required = node.required ?? [];
    if (!Array.isArray(required)) this.fail(path, 'required must be a list');
    for (const key of required) {
      if (!Object.hasOwn(properties, key)) this.fail(path, `required property "${key}" is not defined`);
    }
    const extra = node.additionalProperties;
    if (extra !== undefined && typeof extra !== 'boolean') this.fail(path, 'additionalProperties must be a boolean');
    const entries = Object.entries(properties).map(([key, value]) => {
      const schema = this.schema(value, path ? `${path}.${key}` : key, definitions);
      return [key, required.includes(key) ? schema : call('v.optional', schema)];
    });
    // valibot's object schemas accept arrays (typeof [] is 'object'), so an empty array would
    // pass for an object whose properties are all optional; `jsonObject` refuses arrays first.
    return call('v.pipe', raw('jsonObject'), call(extra === false ? 'v.strictObject' : 'v.looseObject', { entries }));
  }

  string(node, path) {
    this.only(node, path, ['type', 'maxLength', 'minLength', 'format']);
    const actions = [];
    if (node.minLength !== undefined) {
      actions.push(call('v.minLength', raw(formatNumber(node.minLength)), raw(quote(`is shorter than ${plural(node.minLength, 'character')}`))));
    }
    if (node.maxLength !== undefined) {
      actions.push(call('v.maxLength', raw(formatNumber(node.maxLength)), raw(quote(`is longer than ${plural(node.maxLength, 'character')}`))));
    }
    if (node.format === 'date-time') {
      this.usesDateTime = true;
      actions.push(call('v.check', raw('isDateTime'), raw(quote('must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z'))));
    } else if (node.format !== undefined && node.format !== 'uri') {
      this.fail(path, `unsupported format ${node.format}`);
    }
    return actions.length === 0 ? call('v.string') : call('v.pipe', call('v.string'), ...actions);
  }

  number(node, path) {
    this.only(node, path, ['type', 'minimum', 'maximum', 'multipleOf']);
    const integer = node.type === 'integer';
    const base = integer ? call('v.number', raw(quote('must be an integer'))) : call('v.number');
    // An integer check refuses Infinity already; a number needs its own.
    const actions = [integer ? call('v.integer', raw(quote('must be an integer'))) : call('v.finite', raw(quote('must be a finite number')))];
    if (node.minimum !== undefined) {
      actions.push(call('v.minValue', raw(formatNumber(node.minimum)), raw(quote(`must be at least ${node.minimum}`))));
    }
    if (node.maximum !== undefined) {
      actions.push(call('v.maxValue', raw(formatNumber(node.maximum)), raw(quote(`must be at most ${node.maximum}`))));
    }
    if (node.multipleOf !== undefined) {
      const step = node.multipleOf;
      if (typeof step !== 'number' || !(step > 0)) this.fail(path, 'multipleOf must be a positive number');
      const message = raw(quote(`must be a multiple of ${step}`));
      if (Number.isInteger(step)) {
        actions.push(call('v.multipleOf', raw(formatNumber(step)), message));
      } else {
        this.usesMultipleOf = true;
        actions.push(call('v.check', raw(`(n: number) => isMultipleOf(n, ${formatNumber(step)})`), message));
      }
    }
    return call('v.pipe', base, ...actions);
  }

  array(node, path, definitions) {
    this.only(node, path, ['type', 'items', 'additionalItems', 'minItems', 'maxItems']);
    if (node.items === undefined || Array.isArray(node.items)) this.fail(path, 'only arrays with a single `items` schema are supported');
    // With a single `items` schema, `additionalItems` has no effect (draft-07 §6.4.2).
    const actions = [];
    if (node.minItems !== undefined) {
      actions.push(call('v.minLength', raw(formatNumber(node.minItems)), raw(quote(`must have at least ${plural(node.minItems, 'item')}`))));
    }
    if (node.maxItems !== undefined) {
      actions.push(call('v.maxLength', raw(formatNumber(node.maxItems)), raw(quote(`must have at most ${plural(node.maxItems, 'item')}`))));
    }
    const array = call('v.array', this.schema(node.items, `${path}[]`, definitions));
    return actions.length === 0 ? array : call('v.pipe', array, ...actions);
  }
}

// ---- module ----------------------------------------------------------------------------------

function jsdoc(text, indent = '') {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd().replace(/\*\//g, '*\\/'))
    .filter((line, i, all) => !(line === '' && (i === 0 || i === all.length - 1 || all[i - 1] === '')));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}\n`).join('')}${indent} */\n`;
}

/**
 * The action and message kind an `$id` names. Three spellings are in use: `urn:<Action>.req|.conf`
 * (1.6 and 2.0.1 as ocpp-rpc bundles them), `urn:<Action>Request|Response` and the OCA's own
 * `urn:OCPP:Cp:2:2025:1:<Action>Request|Response` (2.1). A 2.1 name with neither suffix is a message
 * sent with SEND (OCPP-J 2.1 message type 6), which has a request and never a response.
 */
function messageName(id, where) {
  const text = typeof id === 'string' ? id : '';
  const old = /^urn:([A-Za-z][A-Za-z0-9]*)\.(req|conf)$/.exec(text);
  if (old) return { action: old[1], kind: old[2] === 'req' ? 'Request' : 'Response' };
  const v21 = /^urn:(?:OCPP:Cp:2:\d{4}:\d+:)?([A-Z][A-Za-z0-9]*?)(Request|Response)?$/.exec(text);
  if (v21) return { action: v21[1], kind: v21[2] ?? 'Request', unconfirmed: v21[2] === undefined };
  throw new Error(`${where}: unexpected $id ${JSON.stringify(id)} (want urn:<Action>.req or .conf, or urn:<Action>Request or Response)`);
}

/**
 * Generates the TypeScript module for one schema file.
 * @param {string} jsonText the file's contents: a JSON array of draft-07 schemas
 * @param {string} fileName the file's name, shown in the header as schemas/<fileName>
 * @returns {string} the module text
 */
export function generateModule(jsonText, fileName) {
  const baseName = String(fileName).split(/[\\/]/).pop();
  const where = `schemas/${baseName}`;
  const schemas = JSON.parse(jsonText);
  if (!Array.isArray(schemas)) throw new Error(`${where}: expected a JSON array of schemas`);

  // Actions in file order; each must have exactly one request and one response, but for the
  // unconfirmed ones (sent with SEND), which have a request only.
  const actions = [];
  const unconfirmed = [];
  const messages = new Map(); // `${action}${kind}` → { action, kind, schema }
  for (const schema of schemas) {
    const { action, kind, unconfirmed: isSend } = messageName(schema?.$id, where);
    const name = `${action}${kind}`;
    if (messages.has(name)) throw new Error(`${where}: ${schema.$id} appears twice`);
    messages.set(name, { action, kind, schema });
    if (!actions.includes(action)) actions.push(action);
    if (isSend) unconfirmed.push(action);
  }
  for (const action of actions) {
    const kinds = unconfirmed.includes(action) ? ['Request'] : ['Request', 'Response'];
    for (const kind of kinds) {
      if (!messages.has(`${action}${kind}`)) throw new Error(`${where}: ${action} has no ${kind === 'Request' ? '.req' : '.conf'} schema`);
    }
    if (unconfirmed.includes(action) && messages.has(`${action}Response`)) {
      throw new Error(`${where}: ${action} is sent unconfirmed (its request has no suffix) yet has a response schema`);
    }
  }
  const confirmed = actions.filter((a) => !unconfirmed.includes(a));

  // Shared definitions: translate each occurrence, require identical code for the same name.
  const definitions = new Map(); // name → { code, deps, descriptions: Set, firstSeen }
  let usesMultipleOf = false;
  let usesDateTime = false;
  for (const { schema } of messages.values()) {
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) {
      const translator = new Translator(`${where} ${schema.$id}`);
      const code = translator.schema(definition, `definitions.${name}`, schema.definitions);
      usesMultipleOf ||= translator.usesMultipleOf;
      usesDateTime ||= translator.usesDateTime;
      const signature = inline(code) ?? render(code, 0, 0);
      const known = definitions.get(name);
      if (known && known.signature !== signature) {
        throw new Error(`${where}: definition ${name} differs between ${known.firstSeen} and ${schema.$id}`);
      }
      const description = typeof definition.description === 'string' ? definition.description : '';
      if (known) {
        known.descriptions.add(description);
      } else {
        definitions.set(name, { code, signature, deps: [...translator.refs].sort(), descriptions: new Set([description]), firstSeen: schema.$id });
      }
    }
  }

  const messageNames = new Set(messages.keys());
  for (const name of definitions.keys()) {
    if (messageNames.has(name) || RESERVED_NAMES.has(name)) throw new Error(`${where}: definition name ${name} clashes with a generated name`);
  }

  // Definitions in dependency order: depth-first from names in sorted order.
  const ordered = [];
  const state = new Map(); // name → 'visiting' | 'done'
  const visit = (name, trail) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new Error(`${where}: definitions refer to each other in a cycle (${[...trail, name].join(' → ')}); the generator would need v.lazy`);
    }
    state.set(name, 'visiting');
    for (const dep of definitions.get(name).deps) visit(dep, [...trail, name]);
    state.set(name, 'done');
    ordered.push(name);
  };
  for (const name of [...definitions.keys()].sort()) visit(name, []);

  // Messages.
  const messageCode = new Map();
  for (const [name, { schema }] of messages) {
    const translator = new Translator(`${where} ${schema.$id}`);
    const code = translator.schema(schema, '', schema.definitions);
    usesMultipleOf ||= translator.usesMultipleOf;
    usesDateTime ||= translator.usesDateTime;
    messageCode.set(name, code);
  }

  const out = [];
  out.push(`// GENERATED by scripts/generate-schemas.mjs from ${where} — do not edit. Run \`npm run generate\`.\n`);
  out.push('// JSON schemas © Open Charge Alliance, licensed CC BY-ND 4.0 (https://creativecommons.org/licenses/by-nd/4.0/).\n');
  out.push('//\n');
  out.push('// One valibot schema per message (<Action>Request for .req, <Action>Response for .conf) and one per\n');
  out.push('// shared definition. `default` values in the JSON schemas are not filled in; format "uri" is a plain\n');
  out.push('// string; see scripts/generate-schemas-core.mjs for the whole mapping.\n');
  out.push('\n');
  out.push("import * as v from 'valibot';\n");
  if (usesDateTime) out.push("import { toUtcIso } from '../timestamps';\n");
  out.push('\n');
  out.push('/** A JSON object: not null and not an array (valibot object schemas let arrays through). */\n');
  out.push('const jsonObject = v.custom<Record<string, unknown>>(\n');
  out.push("  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),\n");
  out.push("  'must be an object',\n");
  out.push(');\n');

  if (usesDateTime) {
    out.push('\n');
    out.push('/** An RFC 3339 date-time that names a real instant: 2026-02-30T10:00:00Z has the form but is no date. */\n');
    out.push('const isDateTime = (text: string): boolean => toUtcIso(text) !== null;\n');
  }

  if (usesMultipleOf) {
    out.push('\n');
    out.push('/**\n');
    out.push(' * JSON Schema `multipleOf` for a fractional step. v.multipleOf uses `%`, and in floating point\n');
    out.push(' * 0.3 % 0.1 is 0.09999999999999998, so it would reject 0.3; this accepts any value whose quotient\n');
    out.push(' * by the step is within a rounding error of a whole number.\n');
    out.push(' */\n');
    out.push('function isMultipleOf(value: number, step: number): boolean {\n');
    out.push('  const quotient = value / step;\n');
    out.push('  return Math.abs(quotient - Math.round(quotient)) <= Math.max(1e-9, Math.abs(quotient) * 4 * Number.EPSILON);\n');
    out.push('}\n');
  }

  if (ordered.length > 0) {
    out.push('\n// ---- Shared definitions ----\n');
    for (const name of ordered) {
      const { code, descriptions } = definitions.get(name);
      out.push('\n');
      // A description is shown only when every message that defines the type agrees on it.
      if (descriptions.size === 1) out.push(jsdoc([...descriptions][0]));
      const head = `export const ${name} = `;
      out.push(`${head}${render(code, 0, head.length)};\n`);
      out.push(`export type ${name} = v.InferOutput<typeof ${name}>;\n`);
    }
  }

  out.push('\n// ---- Messages ----\n');
  for (const action of actions) {
    for (const kind of unconfirmed.includes(action) ? ['Request'] : ['Request', 'Response']) {
      const name = `${action}${kind}`;
      const head = `export const ${name} = `;
      out.push('\n');
      out.push(`/** ${action}.${kind === 'Request' ? 'req' : 'conf'}${unconfirmed.includes(action) ? ', sent with SEND: no response' : ''} */\n`);
      out.push(`${head}${render(messageCode.get(name), 0, head.length)};\n`);
      out.push(`export type ${name} = v.InferOutput<typeof ${name}>;\n`);
    }
  }

  out.push('\n// ---- Actions ----\n\n');
  out.push(`/** The ${actions.length} actions in ${where}, in file order. */\n`);
  out.push(`export const ACTIONS = [\n${actions.map((a) => `  ${quote(a)},\n`).join('')}] as const;\n`);
  out.push('export type Action = (typeof ACTIONS)[number];\n');
  out.push('\n');
  out.push('/** Actions sent with SEND (OCPP-J 2.1 message type 6): a request that is never answered. */\n');
  out.push(`export const UNCONFIRMED_ACTIONS = [${unconfirmed.map((a) => quote(a)).join(', ')}] as const;\n`);
  out.push('/** Actions sent with CALL and answered with CALLRESULT or CALLERROR. */\n');
  out.push('export type ConfirmedAction = Exclude<Action, (typeof UNCONFIRMED_ACTIONS)[number]>;\n');
  out.push('\n');
  out.push('/** The schema for each action\'s request (the CALL payload). */\n');
  out.push(`export const requestSchemas = {\n${actions.map((a) => `  ${a}: ${a}Request,\n`).join('')}} as const;\n`);
  out.push('\n');
  out.push('/** The schema for each action\'s response (the CALLRESULT payload). */\n');
  out.push(`export const responseSchemas = {\n${confirmed.map((a) => `  ${a}: ${a}Response,\n`).join('')}} as const;\n`);
  out.push('\n');
  out.push('export type ActionRequest<A extends Action> = v.InferOutput<(typeof requestSchemas)[A]>;\n');
  out.push('export type ActionResponse<A extends ConfirmedAction> = v.InferOutput<(typeof responseSchemas)[A]>;\n');
  return out.join('');
}
