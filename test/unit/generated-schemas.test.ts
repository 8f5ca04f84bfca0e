// The generated schema modules must match what the generator makes of schemas/*.json today.

import { describe, expect, it } from 'vitest';
import { TARGETS, generateModule, readRepoFile } from '../../scripts/generate-schemas-core.mjs';
import * as v16 from '../../src/ocpp/v16/schemas.generated';
import * as v201 from '../../src/ocpp/v201/schemas.generated';
import * as v21 from '../../src/ocpp/v21/schemas.generated';

const modules = { 'ocpp1_6.json': v16, 'ocpp2_0_1.json': v201, 'ocpp2_1.json': v21 } as const;
const expectedActionCount = { 'ocpp1_6.json': 39, 'ocpp2_0_1.json': 64, 'ocpp2_1.json': 91 } as const;
/** OCPP 2.1's one message sent with SEND: it has a request and no response. */
const expectedUnconfirmed = { 'ocpp1_6.json': [], 'ocpp2_0_1.json': [], 'ocpp2_1.json': ['NotifyPeriodicEventStream'] } as const;

/**
 * Action names in a schema file, from `$id`s like urn:BootNotification.req / .conf (1.6, 2.0.1) or
 * urn:BootNotificationRequest / Response (2.1, where a name with neither suffix is a SEND request).
 */
function actionsIn(jsonText: string, suffix: 'req' | 'conf'): string[] {
  const schemas = JSON.parse(jsonText) as { $id: string }[];
  return schemas
    .map((s) => {
      const old = /^urn:(\w+)\.(req|conf)$/.exec(s.$id);
      if (old) return { action: old[1]!, kind: old[2] };
      const v21 = /^urn:([A-Z]\w*?)(Request|Response)?$/.exec(s.$id);
      return v21 ? { action: v21[1]!, kind: v21[2] === 'Response' ? 'conf' : 'req' } : undefined;
    })
    .filter((m) => m !== undefined && m.kind === suffix)
    .map((m) => m!.action);
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

    it('lists the actions sent with SEND, which alone have no response', () => {
      expect([...mod.UNCONFIRMED_ACTIONS]).toEqual([...expectedUnconfirmed[file]]);
      const unanswered = mod.ACTIONS.filter((a) => !Object.hasOwn(mod.responseSchemas, a));
      expect(unanswered).toEqual([...expectedUnconfirmed[file]]);
    });
  },
);

describe('generator', () => {
  it('reads an unsuffixed 2.1 name as a SEND request, and refuses one that also has a response', () => {
    const obj = { type: 'object', properties: {} };
    const send = [{ $id: 'urn:OCPP:Cp:2:2025:1:NotifyThing', ...obj }];
    expect(generateModule(JSON.stringify(send), 'x.json')).toContain("UNCONFIRMED_ACTIONS = ['NotifyThing']");
    const both = [...send, { $id: 'urn:NotifyThingResponse', ...obj }];
    expect(() => generateModule(JSON.stringify(both), 'x.json')).toThrow(/sent unconfirmed/);
    const missing = [{ $id: 'urn:FooRequest', ...obj }];
    expect(() => generateModule(JSON.stringify(missing), 'x.json')).toThrow(/Foo has no .conf schema/);
  });

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
