// The generated schema modules must match what the generator makes of schemas/*.json today.

import { describe, expect, it } from 'vitest';
import { TARGETS, generateModule, readRepoFile } from '../../scripts/generate-schemas-core.mjs';
import * as v16 from '../../src/ocpp/v16/schemas.generated';
import * as v201 from '../../src/ocpp/v201/schemas.generated';

const modules = { 'ocpp1_6.json': v16, 'ocpp2_0_1.json': v201 } as const;
const expectedActionCount = { 'ocpp1_6.json': 39, 'ocpp2_0_1.json': 64 } as const;

/** Action names in a schema file, from `$id`s like urn:BootNotification.req / urn:BootNotification.conf. */
function actionsIn(jsonText: string, suffix: 'req' | 'conf'): string[] {
  const schemas = JSON.parse(jsonText) as { $id: string }[];
  return schemas
    .map((s) => /^urn:(\w+)\.(req|conf)$/.exec(s.$id))
    .filter((m): m is RegExpExecArray => m !== null && m[2] === suffix)
    .map((m) => m[1] as string);
}

describe.each(TARGETS.map((t) => ({ ...t, file: t.source.split('/').pop() as keyof typeof modules })))(
  '$source',
  ({ source, output, file }) => {
    const json = readRepoFile(source);
    const mod = modules[file];

    it(`${output} is up to date (run \`npm run generate\` if not)`, () => {
      expect(readRepoFile(output) === generateModule(json, file)).toBe(true);
    });

    it('generates byte-identical output every time', () => {
      expect(generateModule(json, file)).toBe(generateModule(json, file));
    });

    it(`has ${expectedActionCount[file]} actions`, () => {
      expect(mod.ACTIONS).toHaveLength(expectedActionCount[file]);
      expect(new Set(mod.ACTIONS).size).toBe(mod.ACTIONS.length);
    });

    it('has a request and a response schema for exactly the actions in the JSON', () => {
      const requests = actionsIn(json, 'req');
      const responses = actionsIn(json, 'conf');
      expect(requests).toHaveLength(expectedActionCount[file]);
      expect([...mod.ACTIONS]).toEqual(requests);
      expect(Object.keys(mod.requestSchemas).sort()).toEqual([...requests].sort());
      expect(Object.keys(mod.responseSchemas).sort()).toEqual([...responses].sort());
    });
  },
);

describe('generator', () => {
  it('rejects keywords it does not translate', () => {
    const schema = { $id: 'urn:Foo.req', type: 'object', properties: { a: { type: 'string', pattern: '^x' } } };
    const conf = { $id: 'urn:Foo.conf', type: 'object' };
    expect(() => generateModule(JSON.stringify([schema, conf]), 'x.json')).toThrow(/unsupported keyword "pattern"/);
  });

  it('rejects a definition that differs between messages', () => {
    const def = (max: number) => ({ A: { type: 'string', maxLength: max } });
    const prop = { a: { $ref: '#/definitions/A' } };
    const schemas = [
      { $id: 'urn:Foo.req', type: 'object', definitions: def(1), properties: prop },
      { $id: 'urn:Foo.conf', type: 'object', definitions: def(2), properties: prop },
    ];
    expect(() => generateModule(JSON.stringify(schemas), 'x.json')).toThrow(/definition A differs/);
  });
});
