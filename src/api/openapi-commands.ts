// The OCPP part of the OpenAPI document: every CSMS-initiated action's request and response schema,
// converted from the generated valibot schemas of both versions with @valibot/to-json-schema.
//
// How the generated schemas convert:
// - An object is `v.pipe(jsonObject, v.strictObject({...}))`, where `jsonObject` is a `v.custom`
//   (it refuses arrays). to-json-schema cannot convert a custom schema, and by default refuses a
//   pipe holding two schemas. `typeMode: 'output'` starts each pipe at its last schema, the
//   strictObject, which gives `type: object` with properties, required and
//   `additionalProperties: false` (a looseObject, 2.0.1 CustomDataType, leaves extra properties open).
// - A fractional `multipleOf` is a `v.check` (a JavaScript predicate): it is turned back into
//   `multipleOf` here, recognised by its message; so is a date-time (a check that the text is a
//   real calendar date), turned back into `format: date-time`. Any other check stops the conversion.
// - `v.finite` (no Infinity, which JSON.parse makes of 1e400) has nothing to add: a JSON number is finite.
// - Shared object definitions (2.0.1 IdTokenType, ...) become components of their own, referenced
//   by `$ref`; enums are inlined where used.

import { toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { CSMS_INITIATED as V16_CSMS_INITIATED } from '../ocpp/v16/actions';
import * as v16Schemas from '../ocpp/v16/schemas.generated';
import { CSMS_INITIATED as V201_CSMS_INITIATED } from '../ocpp/v201/actions';
import * as v201Schemas from '../ocpp/v201/schemas.generated';
import { CSMS_INITIATED as V21_CSMS_INITIATED } from '../ocpp/v21/actions';
import * as v21Schemas from '../ocpp/v21/schemas.generated';
import type { OcppVersion } from '../ocpp/versions';

/** Component names are `<prefix>.<export name>`, e.g. `v16.ResetRequest`, `v201.IdTokenType`. */
export const OCPP_VERSIONS_DOCUMENTED = [
  { version: 'ocpp1.6', prefix: 'v16', module: v16Schemas, csmsInitiated: V16_CSMS_INITIATED },
  { version: 'ocpp2.0.1', prefix: 'v201', module: v201Schemas, csmsInitiated: V201_CSMS_INITIATED },
  { version: 'ocpp2.1', prefix: 'v21', module: v21Schemas, csmsInitiated: V21_CSMS_INITIATED },
] as const satisfies ReadonlyArray<{
  version: OcppVersion;
  prefix: string;
  module: { requestSchemas: object; responseSchemas: object };
  csmsInitiated: readonly string[];
}>;

type VersionEntry = (typeof OCPP_VERSIONS_DOCUMENTED)[number];

export interface CommandAction {
  action: string;
  request: { $ref: string };
  response: { $ref: string };
}

export interface OcppComponents {
  /** `components.schemas` entries: every CSMS-initiated request and response, and what they use. */
  schemas: Record<string, JsonSchema>;
  /** Per OCPP version, the actions the CSMS may send, with their schemas' references. */
  actions: Record<OcppVersion, CommandAction[]>;
}

const COMPONENTS = '#/components/schemas/';
/** The message scripts/generate-schemas-core.mjs gives a date-time's check. */
const DATE_TIME_MESSAGE = 'must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z';

/** The to-json-schema settings for the generated OCPP schemas (see the top of this file). */
export function ocppConversionConfig(prefix: string): ConversionConfig {
  return {
    target: 'draft-2020-12',
    typeMode: 'output',
    errorMode: 'throw',
    overrideRef: ({ referenceId }) => `${COMPONENTS}${prefix}.${referenceId}`,
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type === 'finite') return jsonSchema;
      if (valibotAction.type !== 'check') return undefined;
      const message = String((valibotAction as { message?: unknown }).message);
      if (message === DATE_TIME_MESSAGE) return { ...jsonSchema, format: 'date-time' };
      const step = /^must be a multiple of ([0-9.]+)$/.exec(message)?.[1];
      if (!step) throw new Error(`No JSON Schema equivalent for the check "${message}"`);
      return { ...jsonSchema, multipleOf: Number(step) };
    },
  };
}

/** The module's exported valibot schemas, by export name (the `requestSchemas` / `responseSchemas` tables excluded). */
export function exportedSchemas(module: object): Map<string, GenericSchema> {
  const schemas = new Map<string, GenericSchema>();
  for (const [name, value] of Object.entries(module)) {
    if (isSchema(value)) schemas.set(name, value);
  }
  return schemas;
}

function isSchema(value: unknown): value is GenericSchema {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'schema';
}

/**
 * Converts every exported schema of one version's generated module: objects become definitions
 * of their own (referenced by `$ref`), enums are inlined. Keys are the export names.
 */
export function convertVersionSchemas(entry: VersionEntry): Record<string, JsonSchema> {
  const definitions: Record<string, GenericSchema> = {};
  for (const [name, schema] of exportedSchemas(entry.module)) {
    if (schema.type !== 'picklist') definitions[name] = schema;
  }
  return toJsonSchemaDefs(definitions, ocppConversionConfig(entry.prefix));
}

/** Builds the OCPP components: converts both versions, then keeps only what the CSMS-initiated actions reach. */
export function ocppComponents(): OcppComponents {
  const schemas: Record<string, JsonSchema> = {};
  const actions = {} as Record<OcppVersion, CommandAction[]>;
  const roots: string[] = [];

  for (const entry of OCPP_VERSIONS_DOCUMENTED) {
    const converted = convertVersionSchemas(entry);
    for (const [name, schema] of Object.entries(converted)) schemas[`${entry.prefix}.${name}`] = schema;

    const names = new Map<GenericSchema, string>();
    for (const [name, schema] of exportedSchemas(entry.module)) if (!names.has(schema)) names.set(schema, name);
    const nameOf = (table: Record<string, GenericSchema>, action: string, kind: string): string => {
      const schema = Object.hasOwn(table, action) ? table[action] : undefined;
      const name = schema && names.get(schema);
      if (!name) throw new Error(`${entry.version} ${action}: no exported ${kind} schema`);
      return `${entry.prefix}.${name}`;
    };

    actions[entry.version] = [...entry.csmsInitiated].sort().map((action) => {
      const request = nameOf(entry.module.requestSchemas, action, 'request');
      const response = nameOf(entry.module.responseSchemas, action, 'response');
      roots.push(request, response);
      for (const [name, kind] of [
        [request, 'request (CSMS → charger)'],
        [response, 'response (charger → CSMS)'],
      ] as const) {
        schemas[name] = { description: `OCPP ${entry.version.slice(4)} ${action} ${kind}`, ...schemas[name] };
      }
      return { action, request: { $ref: COMPONENTS + request }, response: { $ref: COMPONENTS + response } };
    });
  }
  return { schemas: reachable(schemas, roots), actions };
}

/** The schemas named by `roots` and every schema they reference, directly or not. */
function reachable(schemas: Record<string, JsonSchema>, roots: readonly string[]): Record<string, JsonSchema> {
  const kept: Record<string, JsonSchema> = {};
  const pending = [...roots];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (Object.hasOwn(kept, name)) continue;
    const schema = schemas[name];
    if (!schema) throw new Error(`Missing schema component ${name}`);
    kept[name] = schema;
    pending.push(...referencesIn(schema));
  }
  // Sorted by name, so the document reads the same however the walk went.
  return Object.fromEntries(Object.entries(kept).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function referencesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENTS)) found.push(item.slice(COMPONENTS.length));
      else referencesIn(item, found);
    }
  }
  return found;
}
