// Every field of every OCPP schema (1.6, 2.0.1, 2.1) whose name looks like a credential must be redacted, in payloads and journal frames.
//
// The walk finds the fields from the official schemas (schemas/*.json), so a field a new version
// adds or renames (2.1's basicAuthPassword, its VPN password) fails this test until the redaction
// rules in src/ocpp/secrets.ts cover it; nothing here lists the fields to check by hand.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { credentialChange, isSecretVariable, REDACTED, redactFrameText, redactSecrets, redactUnparsedText } from '../../src/ocpp/secrets';

type Schema = {
  $id?: string;
  id?: string;
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  definitions?: Record<string, Schema>;
};

/** Names that say a field holds a credential: passwords, secrets, private keys, PINs, a bare `key`. */
const LOOKS_SECRET = /passw|secret|private|pin$|^key$|credential/i;

/**
 * Fields whose name looks secret but which hold none, with why. Each must still be found by the
 * walk (so the list cannot go stale unnoticed).
 */
const NOT_SECRET: Record<string, string> = {
  // 1.6 ChangeConfiguration and GetConfiguration name a configuration key by `key`: the key's name.
  // Its value is what is secret, redacted by key (AuthorizationKey…), which the tests in secrets.test.ts cover.
  'ocpp1_6.json ChangeConfiguration.req key': 'the configuration key’s name',
  'ocpp1_6.json GetConfiguration.req key[]': 'the configuration keys’ names',
  'ocpp1_6.json GetConfiguration.conf configurationKey[].key': 'the configuration key’s name',
};

interface Field {
  file: string;
  action: string;
  /** Property names from the payload's root to the field; `[]` after a name marks an array. */
  path: string[];
  type: 'string' | 'number';
}

/** The schema a `$ref` names within the same schema document. */
function resolve(root: Schema, node: Schema): Schema {
  if (!node.$ref) return node;
  const name = /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
  const target = name ? root.definitions?.[name] : undefined;
  if (!target) throw new Error(`unresolved $ref ${node.$ref} in ${root.$id ?? root.id}`);
  return target;
}

function fieldsOf(file: string): Field[] {
  const schemas = JSON.parse(readFileSync(`schemas/${file}`, 'utf8')) as Schema[];
  const found: Field[] = [];
  for (const root of schemas) {
    const action = (root.$id ?? root.id ?? '').replace(/^urn:/, '');
    const walk = (node: Schema, path: string[], seen: Set<Schema>): void => {
      const here = resolve(root, node);
      if (seen.has(here)) return;
      const next = new Set(seen).add(here);
      if (here.items) {
        walk(here.items, [...path.slice(0, -1), `${path.at(-1)}[]`], next);
        return;
      }
      for (const [name, child] of Object.entries(here.properties ?? {})) {
        const resolved = resolve(root, child);
        const types = [resolved.type, resolve(root, resolved.items ?? {}).type].flat();
        if (LOOKS_SECRET.test(name) && (types.includes('string') || types.includes('integer') || types.includes('number'))) {
          const isArray = resolved.type === 'array';
          found.push({ file, action, path: [...path, isArray ? `${name}[]` : name], type: types.includes('string') ? 'string' : 'number' });
        }
        walk(child, [...path, name], next);
      }
    };
    walk(root, [], new Set());
  }
  return found;
}

const SAMPLE = { string: 'hunter2-hunter2-sample', number: 918_273 } as const;

/** A payload holding the field's sample value at its path (every array of one element). */
function payloadFor(field: Field): Record<string, unknown> {
  const build = (path: string[]): unknown => {
    if (path.length === 0) return SAMPLE[field.type];
    const [head, ...rest] = path as [string, ...string[]];
    const isArray = head.endsWith('[]');
    const inner = build(rest);
    return { [isArray ? head.slice(0, -2) : head]: isArray ? [inner] : inner };
  };
  return build(field.path) as Record<string, unknown>;
}

function valueAt(payload: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, segment) => {
    const object = node as Record<string, unknown>;
    return segment.endsWith('[]') ? (object[segment.slice(0, -2)] as unknown[])[0] : object[segment];
  }, payload);
}

const keyOf = (f: Field) => `${f.file} ${f.action} ${f.path.join('.')}`;

const FILES = ['ocpp1_6.json', 'ocpp2_0_1.json', 'ocpp2_1.json'] as const;
const fields = FILES.flatMap(fieldsOf);

describe('secret-looking fields of the OCPP schemas', () => {
  it('finds them in every version, 2.1’s own included (the walk reads the schemas, not a list)', () => {
    const keys = fields.map(keyOf);
    expect(keys).toEqual(
      expect.arrayContaining([
        'ocpp2_0_1.json SetNetworkProfile.req connectionData.apn.apnPassword',
        'ocpp2_0_1.json SetNetworkProfile.req connectionData.vpn.password',
        'ocpp2_0_1.json SetNetworkProfile.req connectionData.vpn.key',
        'ocpp2_0_1.json SetNetworkProfile.req connectionData.apn.simPin',
        'ocpp2_1.json SetNetworkProfileRequest connectionData.basicAuthPassword',
        'ocpp2_1.json SetNetworkProfileRequest connectionData.apn.apnPassword',
        'ocpp2_1.json SetNetworkProfileRequest connectionData.vpn.password',
        'ocpp2_1.json SetNetworkProfileRequest connectionData.vpn.key',
        'ocpp2_1.json SetNetworkProfileRequest connectionData.apn.simPin',
      ]),
    );
    for (const known of Object.keys(NOT_SECRET)) expect(keys).toContain(known);
  });

  for (const field of fields) {
    const key = keyOf(field);
    if (NOT_SECRET[key]) continue;
    it(`redacts ${key} in payloads and in journal frames`, () => {
      const payload = payloadFor(field);
      expect(valueAt(payload, field.path)).toBe(SAMPLE[field.type]);
      expect(valueAt(redactSecrets(payload), field.path)).toBe(REDACTED);
      // The journal keeps frames as text: a CALL, a CALLRESULT, and a 2.1 SEND alike.
      const action = field.action.replace(/(?:\.req|\.conf|Request|Response)$/, '');
      for (const frame of [[2, 'm1', action, payload], [3, 'm1', payload], [6, 'm1', action, payload]]) {
        expect(redactFrameText(JSON.stringify(frame))).not.toContain(String(SAMPLE[field.type]));
      }
      // A frame that is not JSON any more (cut short) is scrubbed as text.
      const cut = JSON.stringify([2, 'm1', action, payload]).slice(0, -3);
      expect(redactUnparsedText(cut)).not.toContain(String(SAMPLE[field.type]));
    });
  }
});

describe('2.1 network-profile credentials set through the device model', () => {
  it('treats the NetworkConfiguration component’s credentials as secret variables', () => {
    for (const variable of ['BasicAuthPassword', 'ApnPassword', 'VpnPassword', 'VpnKey', 'SimPin']) {
      expect({ variable, secret: isSecretVariable('NetworkConfiguration', variable) }).toEqual({ variable, secret: true });
      const set = { setVariableData: [{ attributeValue: 'net-secret-0123', component: { name: 'NetworkConfiguration', instance: '1' }, variable: { name: variable } }] };
      expect(redactFrameText(JSON.stringify([2, 'm', 'SetVariables', set]))).not.toContain('net-secret-0123');
    }
    for (const variable of ['OcppCsmsUrl', 'Identity', 'ApnUserName', 'VpnServer']) expect(isSecretVariable('NetworkConfiguration', variable)).toBe(false);
  });
});

describe('2.1 network profiles written through SetVariables are credential changes', () => {
  it('names any variable of a NetworkConfiguration instance, as SetNetworkProfile', () => {
    const set = (variable: string) => ({ setVariableData: [{ attributeValue: 'x', component: { name: 'NetworkConfiguration', instance: '2' }, variable: { name: variable } }] });
    expect(credentialChange('SetVariables', set('OcppCsmsUrl'))).toBe('SetVariables NetworkConfiguration.OcppCsmsUrl');
    expect(credentialChange('SetVariables', set('VpnKey'))).toBeDefined();
    expect(credentialChange('SetNetworkProfile', { configurationSlot: 2, connectionData: { basicAuthPassword: 'x' } })).toBe('SetNetworkProfile');
  });
});
