import { describe, expect, expectTypeOf, it } from 'vitest';
import * as v from 'valibot';
import * as v16 from './v16/schemas.generated';
import * as v201 from './v201/schemas.generated';
import { checkRequestValues, summarizeIssues, validatePayload, type ExplainedIssue, type Validation } from './validation';

function failure<T>(result: Validation<T>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return {
    kind: result.error.kind,
    description: result.error.message,
    issues: result.error.details['issues'] as ExplainedIssue[],
  };
}

const boot16 = { chargePointVendor: 'Acme', chargePointModel: 'Fast-1' };
const boot201 = { chargingStation: { model: 'Fast-1', vendorName: 'Acme' }, reason: 'PowerUp' };

describe('validatePayload with OCPP 1.6 schemas', () => {
  it('accepts a valid payload and returns it', () => {
    const result = validatePayload(v16.requestSchemas.BootNotification, boot16);
    expect(result).toEqual({ ok: true, value: boot16 });
  });

  it('reports a missing required property as OccurrenceConstraintViolation', () => {
    const f = failure(validatePayload(v16.BootNotificationRequest, { chargePointModel: 'Fast-1' }));
    expect(f.kind).toBe('OccurrenceConstraintViolation');
    expect(f.description).toBe('"chargePointVendor" is required');
    expect(f.issues).toEqual([{ path: 'chargePointVendor', message: 'is required', kind: 'OccurrenceConstraintViolation' }]);
  });

  it('reports an unexpected property as OccurrenceConstraintViolation', () => {
    const f = failure(validatePayload(v16.BootNotificationRequest, { ...boot16, foo: 1 }));
    expect(f.kind).toBe('OccurrenceConstraintViolation');
    expect(f.description).toBe('"foo" is not an allowed property');
  });

  it('reports a too-long string as PropertyConstraintViolation', () => {
    const f = failure(validatePayload(v16.BootNotificationRequest, { ...boot16, chargePointVendor: 'x'.repeat(21) }));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.description).toBe('"chargePointVendor" is longer than 20 characters');
  });

  it('reports a string where an integer belongs as TypeConstraintViolation', () => {
    const status = { connectorId: '1', errorCode: 'NoError', status: 'Available' };
    const f = failure(validatePayload(v16.StatusNotificationRequest, status));
    expect(f.kind).toBe('TypeConstraintViolation');
    expect(f.description).toBe('"connectorId" must be an integer, got string');
  });

  it('reports a fraction where an integer belongs as TypeConstraintViolation', () => {
    const status = { connectorId: 1.5, errorCode: 'NoError', status: 'Available' };
    const f = failure(validatePayload(v16.StatusNotificationRequest, status));
    expect(f.kind).toBe('TypeConstraintViolation');
    expect(f.description).toBe('"connectorId" must be an integer');
  });

  it('reports a value outside an enum as PropertyConstraintViolation', () => {
    const status = { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' };
    const f = failure(validatePayload(v16.StatusNotificationRequest, status));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.description).toMatch(/^"status" has value "Sleeping", which is not one of "Available" \| "Preparing"/);
  });

  it('reports a bad date-time as PropertyConstraintViolation', () => {
    const f = failure(validatePayload(v16.HeartbeatResponse, { currentTime: 'yesterday' }));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.description).toBe('"currentTime" must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z');
  });

  it('accepts the date-times chargers send, with offsets and fractions', () => {
    for (const currentTime of [
      '2024-01-01T12:00:00Z',
      '2024-01-01T12:00:00.123Z',
      '2024-01-01T12:00:00+02:00',
      '2024-01-01T12:00:00-05:30',
      '2024-01-01T12:00:00.123456Z',
      '2024-01-01T12:00:00.123456789+01:00',
    ]) {
      expect(validatePayload(v16.HeartbeatResponse, { currentTime }).ok, currentTime).toBe(true);
    }
  });

  it('rejects a date-time without an offset', () => {
    expect(validatePayload(v16.HeartbeatResponse, { currentTime: '2024-01-01T12:00:00' }).ok).toBe(false);
  });

  it('applies multipleOf 0.1 tolerantly to decimals', () => {
    const schedule = (limit: number) => ({
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
      },
    });
    for (const limit of [0.3, 0.7, 16, 32.1, 1234.5, 0]) {
      expect(validatePayload(v16.SetChargingProfileRequest, schedule(limit)).ok, String(limit)).toBe(true);
    }
    const f = failure(validatePayload(v16.SetChargingProfileRequest, schedule(6.25)));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.issues[0]?.path).toBe('csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit');
    expect(f.issues[0]?.message).toBe('must be a multiple of 0.1');
  });

  it('reports an object where an array belongs as TypeConstraintViolation', () => {
    const f = failure(validatePayload(v16.MeterValuesRequest, { connectorId: 1, meterValue: {} }));
    expect(f.kind).toBe('TypeConstraintViolation');
    expect(f.description).toBe('"meterValue" must be an array, got object');
  });

  it('reports an array where an object belongs as TypeConstraintViolation', () => {
    const f = failure(validatePayload(v16.AuthorizeResponse, { idTagInfo: [] }));
    expect(f.kind).toBe('TypeConstraintViolation');
    expect(f.description).toBe('"idTagInfo" must be an object, got array');
  });

  it('refuses an empty array where an all-optional object belongs', () => {
    const payload = { reason: 'PowerUp', chargingStation: { vendorName: 'a', model: 'b', modem: [] } };
    const f = failure(validatePayload(v201.requestSchemas.BootNotification, payload));
    expect(f.kind).toBe('TypeConstraintViolation');
    expect(f.issues[0]?.path).toBe('chargingStation.modem');
  });

  it('reports too few items as PropertyConstraintViolation', () => {
    const f = failure(validatePayload(v16.GetInstalledCertificateIdsResponse, { status: 'Accepted', certificateHashData: [] }));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.description).toBe('"certificateHashData" must have at least 1 item');
  });

  it('reports paths into arrays', () => {
    const meter = { connectorId: 1, meterValue: [{ timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: '1', unit: 'Wh' }, { unit: 'Wh' }] }] };
    const f = failure(validatePayload(v16.MeterValuesRequest, meter));
    expect(f.kind).toBe('OccurrenceConstraintViolation');
    expect(f.description).toBe('"meterValue[0].sampledValue[1].value" is required');
  });

  it('treats a payload that is not an object as FormatViolation', () => {
    for (const payload of [null, 'hello', 42, [], [boot16]]) {
      const f = failure(validatePayload(v16.BootNotificationRequest, payload));
      expect(f.kind, JSON.stringify(payload)).toBe('FormatViolation');
      expect(f.description).toMatch(/^payload must be an object, got /);
    }
    // Heartbeat.req has no required fields, so only the explicit check catches an array.
    expect(failure(validatePayload(v16.HeartbeatRequest, [])).kind).toBe('FormatViolation');
    expect(validatePayload(v16.HeartbeatRequest, {}).ok).toBe(true);
  });
});

describe('validatePayload with OCPP 2.0.1 schemas', () => {
  it('accepts a valid payload', () => {
    expect(validatePayload(v201.requestSchemas.BootNotification, boot201)).toEqual({ ok: true, value: boot201 });
  });

  it('reports a value outside an enum as PropertyConstraintViolation', () => {
    const f = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, reason: 'Bogus' }));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.issues[0]?.path).toBe('reason');
    expect(f.description).toMatch(/^"reason" has value "Bogus", which is not one of "ApplicationReset"/);
    expect(f.description.length).toBeLessThanOrEqual(255);
  });

  it('reports a number where an enum string belongs as TypeConstraintViolation', () => {
    const f = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, reason: 3 }));
    expect(f.kind).toBe('TypeConstraintViolation');
  });

  it('reports a missing nested property with its path', () => {
    const f = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, chargingStation: { vendorName: 'Acme' } }));
    expect(f.kind).toBe('OccurrenceConstraintViolation');
    expect(f.description).toBe('"chargingStation.model" is required');
  });

  it('reports a too-long nested string with its path', () => {
    const f = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, chargingStation: { model: 'x'.repeat(21), vendorName: 'Acme' } }));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.description).toBe('"chargingStation.model" is longer than 20 characters');
  });

  it('reports a string connectorId as TypeConstraintViolation', () => {
    const status = { timestamp: '2024-01-01T12:00:00Z', connectorStatus: 'Available', evseId: 1, connectorId: '1' };
    const f = failure(validatePayload(v201.StatusNotificationRequest, status));
    expect(f.kind).toBe('TypeConstraintViolation');
    expect(f.issues[0]?.path).toBe('connectorId');
  });

  it('reports an unexpected property, also nested, as OccurrenceConstraintViolation', () => {
    const top = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, foo: true }));
    expect(top.kind).toBe('OccurrenceConstraintViolation');
    expect(top.description).toBe('"foo" is not an allowed property');
    const nested = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, chargingStation: { ...boot201.chargingStation, colour: 'red' } }));
    expect(nested.description).toBe('"chargingStation.colour" is not an allowed property');
  });

  it('lets CustomDataType carry extra keys but still requires vendorId', () => {
    const customData = { vendorId: 'com.acme', colour: 'red', nested: { anything: [1, 2] } };
    const ok = validatePayload(v201.BootNotificationRequest, { ...boot201, customData });
    expect(ok).toEqual({ ok: true, value: { ...boot201, customData } });
    const f = failure(validatePayload(v201.BootNotificationRequest, { ...boot201, customData: { colour: 'red' } }));
    expect(f.kind).toBe('OccurrenceConstraintViolation');
    expect(f.description).toBe('"customData.vendorId" is required');
  });

  it('checks minimum and maximum', () => {
    const needs = (stateOfCharge: number) => ({
      evseId: 1,
      chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 100, evMaxVoltage: 400, stateOfCharge } },
    });
    expect(validatePayload(v201.NotifyEVChargingNeedsRequest, needs(50)).ok).toBe(true);
    const high = failure(validatePayload(v201.NotifyEVChargingNeedsRequest, needs(101)));
    expect(high.kind).toBe('PropertyConstraintViolation');
    expect(high.description).toBe('"chargingNeeds.dcChargingParameters.stateOfCharge" must be at most 100');
    const low = failure(validatePayload(v201.NotifyEVChargingNeedsRequest, needs(-1)));
    expect(low.description).toBe('"chargingNeeds.dcChargingParameters.stateOfCharge" must be at least 0');
  });

  it('checks minItems and maxItems', () => {
    const empty = failure(validatePayload(v201.GetVariablesRequest, { getVariableData: [] }));
    expect(empty.kind).toBe('PropertyConstraintViolation');
    expect(empty.description).toBe('"getVariableData" must have at least 1 item');
    const criterion = (chargingLimitSource: string[]) => ({ requestId: 1, chargingProfile: { chargingLimitSource } });
    expect(validatePayload(v201.GetChargingProfilesRequest, criterion(['EMS', 'SO', 'CSO', 'Other'])).ok).toBe(true);
    const tooMany = failure(validatePayload(v201.GetChargingProfilesRequest, criterion(['EMS', 'SO', 'CSO', 'Other', 'EMS'])));
    expect(tooMany.kind).toBe('PropertyConstraintViolation');
    expect(tooMany.description).toBe('"chargingProfile.chargingLimitSource" must have at most 4 items');
  });

  it('accepts any JSON value for DataTransfer data', () => {
    for (const data of ['text', 42, { a: [1] }, null]) {
      expect(validatePayload(v201.DataTransferRequest, { vendorId: 'com.acme', data }).ok).toBe(true);
    }
  });

  it('accepts date-times with offsets and fractions', () => {
    const status = (timestamp: string) => ({ timestamp, connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    for (const t of ['2024-01-01T12:00:00Z', '2024-01-01T12:00:00.123Z', '2024-01-01T12:00:00+02:00', '2024-01-01T12:00:00.123456Z']) {
      expect(validatePayload(v201.StatusNotificationRequest, status(t)).ok, t).toBe(true);
    }
  });

  it('reports the most significant issue first and caps the list at 10', () => {
    const payload = {
      chargingStation: { model: 'x'.repeat(30), vendorName: 7, serialNumber: 'y'.repeat(30) },
      reason: 'Bogus',
      extra: 1,
    };
    const f = failure(validatePayload(v201.BootNotificationRequest, payload));
    expect(f.kind).toBe('OccurrenceConstraintViolation');
    expect(f.issues.map((i) => i.kind)).toEqual([
      'OccurrenceConstraintViolation',
      'TypeConstraintViolation',
      'PropertyConstraintViolation',
      'PropertyConstraintViolation',
      'PropertyConstraintViolation',
    ]);
    const many = { getVariableData: Array.from({ length: 15 }, () => ({ component: {}, variable: {} })) };
    expect(failure(validatePayload(v201.GetVariablesRequest, many)).issues).toHaveLength(10);
  });
});

describe('summarizeIssues', () => {
  it('gives path and message, most significant first, for any valibot schema', () => {
    const schema = v.strictObject({ name: v.pipe(v.string(), v.maxLength(3)), port: v.number(), tags: v.array(v.string()) });
    const result = v.safeParse(schema, { name: 'abcd', tags: [1] });
    expect(result.success).toBe(false);
    expect(summarizeIssues(result.issues ?? [])).toEqual([
      { path: 'port', message: 'is required' },
      { path: 'tags[0]', message: 'must be a string, got integer' },
      { path: 'name', message: 'is longer than 3 characters' },
    ]);
    expect(summarizeIssues(result.issues ?? [], 1)).toHaveLength(1);
  });
});

describe('generated types', () => {
  it('infer proper object types', () => {
    type Boot16 = v.InferOutput<typeof v16.requestSchemas.BootNotification>;
    expectTypeOf<Boot16>().toEqualTypeOf<v16.BootNotificationRequest>();
    expectTypeOf<Boot16['chargePointVendor']>().toEqualTypeOf<string>();
    expectTypeOf<Boot16['iccid']>().toEqualTypeOf<string | undefined>();
    type Boot201 = v201.ActionRequest<'BootNotification'>;
    expectTypeOf<Boot201['chargingStation']['model']>().toEqualTypeOf<string>();
    expectTypeOf<Boot201['reason']>().toEqualTypeOf<v201.BootReasonEnumType>();
    expectTypeOf<v201.BootReasonEnumType>().toExtend<string>();
    expectTypeOf<v201.CustomDataType>().toHaveProperty('vendorId');
    expectTypeOf<v201.ActionResponse<'Heartbeat'>['currentTime']>().toEqualTypeOf<string>();
    const parsed = validatePayload(v16.requestSchemas.StatusNotification, {});
    if (parsed.ok) expectTypeOf(parsed.value.connectorId).toEqualTypeOf<number>();
  });
});

describe('impossible values (issue 11)', () => {
  it('refuses a date-time that is no calendar date, in either version', () => {
    for (const currentTime of ['2026-02-30T10:00:00Z', '2025-02-29T00:00:00Z', '2026-04-31T10:00:00+02:00', '2026-13-01T10:00:00Z']) {
      for (const schema of [v16.HeartbeatResponse, v201.HeartbeatResponse]) {
        const f = failure(validatePayload(schema, { currentTime }));
        expect(f.kind, currentTime).toBe('PropertyConstraintViolation');
        expect(f.issues, currentTime).toEqual([
          { path: 'currentTime', message: 'must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z', kind: 'PropertyConstraintViolation' },
        ]);
      }
    }
    expect(validatePayload(v16.HeartbeatResponse, { currentTime: '2024-02-29T00:00:00Z' }).ok).toBe(true);
  });

  it('refuses a number that is not finite (1e400 reads as Infinity), naming the field', () => {
    const payload = JSON.parse('{"evseId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":1e400}]}]}');
    const f = failure(validatePayload(v201.MeterValuesRequest, payload));
    expect(f.kind).toBe('PropertyConstraintViolation');
    expect(f.description).toBe('"meterValue[0].sampledValue[0].value" must be a finite number');
  });
});

describe('checkRequestValues', () => {
  const reading = (sampledValue: unknown[]) => ({ connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue }] });

  it('refuses 1.6 sampled values that are no finite decimal number, unless signed data', () => {
    const error = checkRequestValues('ocpp1.6', reading([{ value: '12' }, { value: 'NaN' }, { value: 'xx', format: 'SignedData' }, { value: '1e400' }]));
    expect(error?.kind).toBe('PropertyConstraintViolation');
    expect(error?.message).toBe('"meterValue[0].sampledValue[1].value" must be a finite decimal number (format Raw), got "NaN"');
    expect((error?.details['issues'] as ExplainedIssue[]).map((i) => i.path)).toEqual([
      'meterValue[0].sampledValue[1].value',
      'meterValue[0].sampledValue[3].value',
    ]);
    expect(checkRequestValues('ocpp1.6', reading([{ value: ' 1.5e3 ', unit: 'kWh' }, { value: '-0.5' }]))).toBeNull();
  });

  it('refuses a value that stops being a finite number in its base unit', () => {
    expect(checkRequestValues('ocpp1.6', reading([{ value: '1e306', unit: 'kWh' }]))?.kind).toBe('PropertyConstraintViolation');
    const event = { transactionInfo: { transactionId: 'T' }, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: 2, unitOfMeasure: { multiplier: 400 } }] }] };
    expect(checkRequestValues('ocpp2.0.1', event)?.message).toBe(
      '"meterValue[0].sampledValue[0].value" is not a finite number once scaled by unitOfMeasure.multiplier',
    );
    // Vendor content is not judged.
    expect(checkRequestValues('ocpp2.0.1', { vendorId: 'x', data: { sampledValue: [{ value: 1e308, unitOfMeasure: { multiplier: 9 } }] } })).toBeNull();
    // Zero is zero at any power of ten.
    expect(checkRequestValues('ocpp2.0.1', { meterValue: [{ sampledValue: [{ value: 0, unitOfMeasure: { multiplier: 400 } }] }] })).toBeNull();
  });
});
