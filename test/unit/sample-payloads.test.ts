// The sample payloads of test/support/sample-payloads.ts pass the generated valibot schemas,
// for every action of both versions, both directions, minimal and full.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as v16 from '../../src/ocpp/v16/schemas.generated';
import * as v201 from '../../src/ocpp/v201/schemas.generated';
import * as v21 from '../../src/ocpp/v21/schemas.generated';
import { actionsOf, answeredActionsOf, FIXED_TIME, fullPayload, minimalPayload, type Version } from '../support/sample-payloads';

const modules = { 'ocpp1.6': v16, 'ocpp2.0.1': v201, 'ocpp2.1': v21 } as const;
const versions = Object.keys(modules) as Version[];

type SchemaTable = Record<string, v.GenericSchema | undefined>;

const cases = versions.flatMap((version) =>
  actionsOf(version).flatMap((action) =>
    (['req', 'conf'] as const)
      // 2.1's NotifyPeriodicEventStream is sent with SEND: it has no response.
      .filter((kind) => kind === 'req' || answeredActionsOf(version).includes(action))
      .map((kind) => ({ version, action, kind })),
  ),
);

describe('actionsOf', () => {
  it.each(versions)('%s lists exactly the actions of the generated module', (version) => {
    expect(actionsOf(version)).toEqual([...modules[version].ACTIONS]);
  });
});

describe.each(cases)('$version $action $kind', ({ version, action, kind }) => {
  const table = (kind === 'req' ? modules[version].requestSchemas : modules[version].responseSchemas) as SchemaTable;
  const schema = table[action];

  it.each([
    ['minimalPayload', minimalPayload],
    ['fullPayload', fullPayload],
  ] as const)('%s passes the generated schema', (_name, make) => {
    expect(schema).toBeDefined();
    const payload = make(version, action, kind);
    const result = v.safeParse(schema!, payload, { abortEarly: false });
    const issues = result.success ? [] : result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
    expect(issues).toEqual([]);
    // Strict objects keep every key, loose ones pass extra keys through: nothing is dropped.
    expect(result.output).toEqual(payload);
  });

  it('is deterministic, and the full payload holds the minimal one', () => {
    expect(minimalPayload(version, action, kind)).toEqual(minimalPayload(version, action, kind));
    expect(fullPayload(version, action, kind)).toEqual(fullPayload(version, action, kind));
    expect(fullPayload(version, action, kind)).toMatchObject(minimalPayload(version, action, kind));
  });
});

describe('sample values', () => {
  it('follow the documented rules', () => {
    expect(minimalPayload('ocpp1.6', 'Heartbeat', 'req')).toEqual({});
    expect(minimalPayload('ocpp1.6', 'Heartbeat', 'conf')).toEqual({ currentTime: FIXED_TIME });
    expect(minimalPayload('ocpp1.6', 'BootNotification', 'req')).toEqual({
      chargePointVendor: 'chargePointVendor',
      chargePointModel: 'chargePointModel',
    });
    // maxLength 20: the name is cut to fit.
    expect(minimalPayload('ocpp1.6', 'StartTransaction', 'req')).toEqual({
      connectorId: 1,
      idTag: 'idTag',
      meterStart: 1,
      timestamp: FIXED_TIME,
    });
    // multipleOf 0.1 and nested required arrays.
    const profile = minimalPayload('ocpp1.6', 'SetChargingProfile', 'req');
    expect(profile).toMatchObject({
      csChargingProfiles: { chargingSchedule: { chargingSchedulePeriod: [{ startPeriod: 1, limit: 1 }] } },
    });
    // Integers at their minimum when there is one.
    const needs = fullPayload('ocpp2.0.1', 'NotifyEVChargingNeeds', 'req') as any;
    expect(needs.chargingNeeds.dcChargingParameters.stateOfCharge).toBe(0);
    // Booleans: false when required, true when optional (so only in full payloads).
    expect(fullPayload('ocpp2.0.1', 'TransactionEvent', 'req')).toMatchObject({ offline: true });
    expect(minimalPayload('ocpp2.0.1', 'TransactionEvent', 'req')).not.toHaveProperty('offline');
    expect(minimalPayload('ocpp2.0.1', 'GetTransactionStatus', 'conf')).toEqual({ messagesInQueue: false });
    // No type at all (2.0.1 DataTransfer data): some JSON value.
    expect(fullPayload('ocpp2.0.1', 'DataTransfer', 'req')).toHaveProperty('data');
  });
});
