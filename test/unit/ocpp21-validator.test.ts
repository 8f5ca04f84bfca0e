// The e2e harness's 2.1 strict-mode validator (test/e2e/ocpp21-validator.ts): typed-ocpp's schemas
// under the ids ocpp-rpc looks up, checked here against the project's own list of 2.1 messages.

import { describe, expect, it } from 'vitest';
import { readRepoFile } from '../../scripts/generate-schemas-core.mjs';
import { rpcSchemaId } from '../../scripts/simulator/schemas.mjs';
import { ocpp21RpcSchemas, ocpp21Validator } from '../e2e/ocpp21-validator.ts';

const BOOT = {
  reason: 'PowerUp',
  chargingStation: { vendorName: 'Unit Vendor', model: 'Unit Model 21', firmwareVersion: '2.1.0' },
};

/** The error ocpp-rpc's validator throws (an RPCError carries rpcErrorCode), or undefined when valid. */
function failure(schemaId: string, payload: unknown): { rpcErrorCode: string; message: string } | undefined {
  try {
    ocpp21Validator.validate(schemaId, payload);
    return undefined;
  } catch (error) {
    return error as { rpcErrorCode: string; message: string };
  }
}

/** The actions of schemas/ocpp2_1.json (`urn:<Action>Request` / `urn:<Action>Response`). */
const projectIds = (JSON.parse(readRepoFile('schemas/ocpp2_1.json')) as { $id: string }[]).map((s) => s.$id);
const requestActions = projectIds.filter((id) => id.endsWith('Request')).map((id) => id.slice(4, -'Request'.length));
const responseActions = projectIds.filter((id) => id.endsWith('Response')).map((id) => id.slice(4, -'Response'.length));

describe('the 2.1 validator built from typed-ocpp', () => {
  it('maps 2.1 ids to ocpp-rpc ids and leaves 1.6 / 2.0.1 ids alone', () => {
    expect(rpcSchemaId('urn:BootNotificationRequest')).toBe('urn:BootNotification.req');
    expect(rpcSchemaId('urn:BootNotificationResponse')).toBe('urn:BootNotification.conf');
    expect(rpcSchemaId('urn:NotifyPeriodicEventStream')).toBe('urn:NotifyPeriodicEventStream.req');
    expect(rpcSchemaId('urn:Heartbeat.conf')).toBe('urn:Heartbeat.conf');
  });

  it('keeps only typed-ocpp schemas, without the enum keywords ajv warns about', () => {
    const boot = ocpp21RpcSchemas().find((schema) => schema.$id === 'urn:BootNotification.req') as any;
    expect(boot.definitions.BootReasonEnumType).toEqual({ type: 'string', enum: expect.arrayContaining(['PowerUp']) });
    expect(boot.additionalProperties).toBe(false);
    expect(boot.definitions.ChargingStationType.additionalProperties).toBe(false);
  });

  it('passes a valid BootNotificationRequest and its answer', () => {
    expect(failure('urn:BootNotification.req', BOOT)).toBeUndefined();
    const answer = { currentTime: new Date().toISOString(), interval: 300, status: 'Accepted' };
    expect(failure('urn:BootNotification.conf', answer)).toBeUndefined();
  });

  it('refuses a BootNotificationRequest with an unknown property, a missing field or a bad enum', () => {
    expect(failure('urn:BootNotification.req', { ...BOOT, surprise: true })).toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    expect(failure('urn:BootNotification.req', { chargingStation: BOOT.chargingStation })).toMatchObject({
      rpcErrorCode: 'OccurenceConstraintViolation',
    });
    expect(failure('urn:BootNotification.req', { ...BOOT, reason: 'Bogus' })).toBeDefined();
    // Nested objects are checked too, through the shared definitions.
    expect(failure('urn:BootNotification.req', { ...BOOT, chargingStation: { ...BOOT.chargingStation, extra: 1 } })).toBeDefined();
  });

  it('has urn:<Action>.req and .conf for each of the 90 actions, and NotifyPeriodicEventStream.req alone', () => {
    expect(requestActions).toHaveLength(90);
    expect(responseActions.sort()).toEqual([...requestActions].sort());
    const ids = new Set(ocpp21RpcSchemas().map((schema) => schema.$id));
    expect(ids.size).toBe(181);
    for (const action of requestActions) {
      expect(ids.has(`urn:${action}.req`), action).toBe(true);
      expect(ids.has(`urn:${action}.conf`), action).toBe(true);
      // Present in the validator, not only in the list: a missing id throws ProtocolError.
      expect(failure(`urn:${action}.req`, null)?.rpcErrorCode, action).not.toBe('ProtocolError');
    }
    expect(ids.has('urn:NotifyPeriodicEventStream.req')).toBe(true);
    expect(ids.has('urn:NotifyPeriodicEventStream.conf')).toBe(false);
    expect(failure('urn:NotifyPeriodicEventStream.conf', {})).toMatchObject({ rpcErrorCode: 'ProtocolError' });
  });

  it('checks a NotifyPeriodicEventStream payload', () => {
    const stream = { id: 1, pending: 0, basetime: new Date().toISOString(), data: [{ t: 0, v: '1.5' }] };
    expect(failure('urn:NotifyPeriodicEventStream.req', stream)).toBeUndefined();
    expect(failure('urn:NotifyPeriodicEventStream.req', { ...stream, id: 'one' })).toMatchObject({ rpcErrorCode: 'TypeConstraintViolation' });
  });
});
