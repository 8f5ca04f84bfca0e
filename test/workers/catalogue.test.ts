// Every action of both OCPP versions, in its direction, with sample payloads built from the
// official schemas: chargers' CALLs get a CALLRESULT that passes the response schema, and every
// CSMS-initiated command goes through the API to the charger and back.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as v16Actions from '../../src/ocpp/v16/actions';
import * as v16 from '../../src/ocpp/v16/schemas.generated';
import * as v201Actions from '../../src/ocpp/v201/actions';
import * as v201 from '../../src/ocpp/v201/schemas.generated';
import * as v21Actions from '../../src/ocpp/v21/actions';
import * as v21 from '../../src/ocpp/v21/schemas.generated';
import { credentialChange, passwordChange } from '../../src/ocpp/secrets';
import { fullPayload, minimalPayload, type Version } from '../support/sample-payloads';
import { carriesPassword, followingOutboundRules, stateFor21Rules, withPasswordProfile } from '../support/spec-valid-payloads';
import { answeringCharger, type AnsweringCharger } from './answering-charger';
import { api, RawCharger, uniqueChargerId } from './helpers';

const catalogue = {
  'ocpp1.6': { actions: v16Actions, schemas: v16 },
  'ocpp2.0.1': { actions: v201Actions, schemas: v201 },
  'ocpp2.1': { actions: v21Actions, schemas: v21 },
} as const;

const versions = Object.keys(catalogue) as Version[];

type SchemaTable = Record<string, v.GenericSchema | undefined>;
const samples = { full: fullPayload, minimal: minimalPayload } as const;
type Variant = keyof typeof samples;

function responseSchema(version: Version, action: string): v.GenericSchema {
  const schema = (catalogue[version].schemas.responseSchemas as SchemaTable)[action];
  if (!schema) throw new Error(`${version} has no response schema for ${action}`);
  return schema;
}

function schemaIssues(schema: v.GenericSchema, payload: unknown): string[] {
  const result = v.safeParse(schema, payload, { abortEarly: false });
  return result.success ? [] : result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
}

function cases(actions: readonly string[]): { action: string; variant: Variant }[] {
  return actions.flatMap((action) => (['full', 'minimal'] as const).map((variant) => ({ action, variant })));
}

describe.each(versions)('%s charger-initiated actions', (version) => {
  let cp: RawCharger;
  beforeAll(async () => {
    cp = await RawCharger.connect(uniqueChargerId('CAT'), version);
    expect(cp.protocol).toBe(version);
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
  });
  afterAll(() => cp?.close());

  // 2.1's NotifyPeriodicEventStream goes with SEND and is never answered (test/workers/rpc21-frames.test.ts, event-streams.test.ts).
  const actions = (catalogue[version].actions.CHARGER_INITIATED as readonly string[]).filter((a) => a !== 'BootNotification' && a !== 'NotifyPeriodicEventStream');
  it.each(cases(actions))('$action ($variant payload) is answered with a valid CALLRESULT', async ({ action, variant }) => {
    const answer = await cp.call(action, samples[variant](version, action, 'req'));
    // A CALLERROR shows up here as [4, id, code, description, details].
    expect(answer).toEqual([3, expect.any(String), expect.anything()]);
    expect(schemaIssues(responseSchema(version, action), answer[2])).toEqual([]);
  });
});

describe.each(versions)('%s CSMS-initiated commands', (version) => {
  let charger: AnsweringCharger;
  beforeAll(async () => {
    const id = uniqueChargerId('CAT');
    // 2.1 UsePriorityCharging is sent only for a transaction the charger runs, UpdateDynamicSchedule only
    // for a Dynamic profile it installed (outbound-rules.ts): the charger has them first.
    if (version === 'ocpp2.1') await prepare21(id);
    charger = await answeringCharger(id, version, (action) => minimalPayload(version, action, 'conf'));
    expect(charger.cp.protocol).toBe(version);
  });
  afterAll(() => charger?.cp.close());

  it.each(cases(catalogue[version].actions.CSMS_INITIATED))(
    '$action ($variant payload) reaches the charger and its answer comes back',
    async ({ action, variant }) => {
      // Made to follow the spec's outbound rules too: the route refuses what breaks them (outbound-rules.test.ts).
      const payload = withPasswordProfile(charger.cp.id, action, followingOutboundRules(version, action, samples[variant](version, action, 'req')));
      const before = charger.calls.length;
      const res = await api('POST', `/chargers/${charger.cp.id}/commands/${action}?timeoutSeconds=5`, payload);
      const body = await res.json();
      if (credentialChange(action, payload)) {
        // Credentials change through the admin routes only (see secrets.test.ts): nothing reaches the charger.
        expect({ status: res.status, code: (body as { error: { code: string } }).error.code }).toEqual({ status: 403, code: 'CredentialChangeRefused' });
        expect(charger.calls.slice(before)).toEqual([]);
        if (passwordChange(action, payload)) return;
        // The admin route sends it.
        const admin = await api('POST', `/chargers/${charger.cp.id}/security-commands`, { action, payload });
        expect({ status: admin.status, body: await admin.json() }).toEqual({
          status: 200,
          body: { result: minimalPayload(version, action, 'conf'), securityProfileChanged: false, ...carriesPassword(payload, expect.any(Boolean)) },
        });
        expect(charger.calls.slice(before)).toEqual([{ id: expect.any(String), action, payload }]);
        return;
      }
      expect({ status: res.status, body }).toEqual({ status: 200, body: { result: minimalPayload(version, action, 'conf') } });
      expect(charger.calls.slice(before)).toEqual([{ id: expect.any(String), action, payload }]);
    },
  );
});

/** Over a connection of its own, closed after: a 2.1 charger has what the 2.1 rules need (stateFor21Rules). */
async function prepare21(chargerId: string): Promise<void> {
  const cp = await RawCharger.connect(chargerId, 'ocpp2.1');
  expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
  for (const [action, payload] of stateFor21Rules()) expect((await cp.call(action, payload))[0]).toBe(3);
  cp.close();
  await cp.waitForClose();
}
