// The strict-mode validator the e2e harness gives ocpp-rpc for 'ocpp2.1', built from typed-ocpp's
// schemas rather than the project's schemas/ocpp2_1.json, so every frame the CSMS sends a 2.1 test
// charger is checked by a second, independent source. (ocpp-rpc 2.2.1 bundles a 2.1 validator, but it
// keys its schemas `urn:<Action>Request` while its client looks up `urn:<Action>.req`, so it cannot
// validate any call.)

import { createValidator } from 'ocpp-rpc';
import { OCPP21 } from 'typed-ocpp';
// Only the id mapping and a copy that drops keywords ajv warns about: the schemas are typed-ocpp's.
import { rpcSchemaId, withoutIdleKeywords } from '../../scripts/simulator/schemas.mjs';

export const OCPP21_SUBPROTOCOL = 'ocpp2.1';

type Schema = Record<string, unknown>;

/**
 * typed-ocpp's 2.1 message schemas (export names `<Action>Request`, `<Action>Response`, and
 * `NotifyPeriodicEventStream`, a request never answered), each with its `definitions`, as copies
 * under ocpp-rpc's ids `urn:<Action>.req` / `urn:<Action>.conf`.
 */
export function ocpp21RpcSchemas(): Schema[] {
  const schemas: Schema[] = [];
  for (const [name, schema] of Object.entries(OCPP21.schemas as Record<string, unknown>)) {
    if (!/^[A-Z]\w*$/.test(name) || schema === null || typeof schema !== 'object' || !('type' in schema)) continue;
    schemas.push({ ...withoutIdleKeywords(schema as Schema), $id: rpcSchemaId(`urn:${name}`) });
  }
  return schemas;
}

/** Built once for every 2.1 client of the run; pass it in ocpp-rpc's `strictModeValidators`. */
export const ocpp21Validator = createValidator(OCPP21_SUBPROTOCOL, ocpp21RpcSchemas());
