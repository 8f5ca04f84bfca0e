// The strict-mode validator the e2e harness gives ocpp-rpc for 'ocpp2.1', built from typed-ocpp's
// schemas rather than the project's schemas/ocpp2_1.json, so every frame the CSMS sends a 2.1 test
// charger is checked by a second, independent source. (ocpp-rpc 2.2.1 bundles a 2.1 validator, but it
// keys its schemas `urn:<Action>Request` while its client looks up `urn:<Action>.req`, so it cannot
// validate any call.)

import { createValidator } from 'ocpp-rpc';
import { OCPP21 } from 'typed-ocpp';

export const OCPP21_SUBPROTOCOL = 'ocpp2.1';

type Schema = Record<string, unknown>;

/**
 * The ocpp-rpc id of a typed-ocpp export: `<Action>Request` → `urn:<Action>.req`, `<Action>Response`
 * → `urn:<Action>.conf`; a message without either suffix (NotifyPeriodicEventStream, sent with SEND
 * and never answered) is a request. Undefined for a name that is no message.
 */
export function rpcSchemaId(exportName: string): string | undefined {
  if (!/^[A-Z]\w*$/.test(exportName)) return undefined;
  const match = /^(\w+?)(Request|Response)$/.exec(exportName);
  if (!match) return `urn:${exportName}.req`;
  return `urn:${match[1]}.${match[2] === 'Request' ? 'req' : 'conf'}`;
}

/**
 * A copy of `node` without `additionalProperties` where it means nothing: typed-ocpp adds it to enum
 * definitions, which are strings, and ajv (strictTypes) logs a warning for each one it compiles.
 */
function withoutIdleKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdleKeywords);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    const type = (node as Schema).type;
    if (key === 'additionalProperties' && typeof type === 'string' && type !== 'object') continue;
    out[key] = withoutIdleKeywords(value);
  }
  return out;
}

/** typed-ocpp's 2.1 message schemas, each with its `definitions`, under ocpp-rpc's ids. */
export function ocpp21RpcSchemas(): Schema[] {
  const schemas: Schema[] = [];
  for (const [name, schema] of Object.entries(OCPP21.schemas as Record<string, unknown>)) {
    const $id = rpcSchemaId(name);
    if ($id === undefined || schema === null || typeof schema !== 'object' || !('type' in schema)) continue;
    // A copy: ajv would otherwise tag typed-ocpp's own objects with the id.
    schemas.push({ ...(withoutIdleKeywords(schema) as Schema), $id });
  }
  return schemas;
}

/** Built once for every 2.1 client of the run; pass it in ocpp-rpc's `strictModeValidators`. */
export const ocpp21Validator = createValidator(OCPP21_SUBPROTOCOL, ocpp21RpcSchemas());
