// schemas/ocpp2_1.json, taken from one npm package, must say what a second, independent one says.
//
// The file is the OCPP 2.1 array bundled by ocpp-ws-io 2.3.2 (see schemas/README.md). typed-ocpp
// 1.6.2 generates its 2.1 module from the OCA's schema files by another route: it merges the
// definitions, drops the licence line and adds `additionalProperties` to enums. With every `$ref`
// resolved and the annotations (descriptions, javaType, ids) set aside, each message must be the same
// tree in both: one changed maxLength, enum value or required field fails here.

import { describe, expect, it } from 'vitest';
import { OCPP21 } from 'typed-ocpp';
import { readRepoFile } from '../../scripts/generate-schemas-core.mjs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { $id: string; definitions?: Record<string, Json> } & Record<string, Json>;

const ours = JSON.parse(readRepoFile('schemas/ocpp2_1.json')) as Schema[];
const theirs = OCPP21.schemas as unknown as Record<string, Schema>;

const ANNOTATIONS = new Set(['description', 'javaType', 'comment', '$comment', '$id', '$schema', 'definitions']);

/** The schema with each $ref replaced by its definition and annotations left out, keys sorted. */
function resolved(node: Json, definitions: Record<string, Json>, trail: string[] = []): Json {
  if (Array.isArray(node)) return node.map((item) => resolved(item, definitions, trail));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.split('/').pop()!;
    if (trail.includes(name)) return { recursive: name };
    expect(Object.hasOwn(definitions, name), `definition ${name}`).toBe(true);
    return resolved(definitions[name]!, definitions, [...trail, name]);
  }
  const out: Record<string, Json> = {};
  for (const key of Object.keys(node).sort()) {
    if (ANNOTATIONS.has(key)) continue;
    // additionalProperties constrains objects only; typed-ocpp adds it to enums too.
    if (key === 'additionalProperties' && node.type !== 'object') continue;
    out[key] = resolved(node[key]!, definitions, trail);
  }
  return out;
}

/** typed-ocpp's export name for a message: <Action>Request / <Action>Response, a SEND message by its bare name. */
const exportName = (schema: Schema) => schema.$id.replace(/^urn:/, '');

describe('schemas/ocpp2_1.json against typed-ocpp 1.6.2', () => {
  it('has the same 181 messages: 90 actions with a request and a response, and NotifyPeriodicEventStream (SEND)', () => {
    const names = ours.map(exportName).sort();
    const theirNames = Object.keys(theirs)
      .filter((name) => /^[A-Z]/.test(name) && typeof theirs[name] === 'object' && 'type' in theirs[name]!)
      .sort();
    expect(names).toHaveLength(181);
    expect(names).toEqual(theirNames);
    expect(names.filter((n) => !/(Request|Response)$/.test(n))).toEqual(['NotifyPeriodicEventStream']);
  });

  it.each(ours.map((schema) => [exportName(schema), schema] as const))('%s is the same schema', (name, schema) => {
    const theirSchema = theirs[name]!;
    expect(resolved(schema, schema.definitions ?? {})).toEqual(resolved(theirSchema, theirSchema.definitions ?? {}));
  });

  it('carries the OCA licence line in every schema', () => {
    for (const schema of ours) expect(schema.comment).toMatch(/^OCPP 2\.1 Edition 1 \(c\) OCA, Creative Commons Attribution-NoDerivatives 4\.0/);
  });
});
