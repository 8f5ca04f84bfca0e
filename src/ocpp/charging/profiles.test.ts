// Reading 1.6 and 2.0.1 charging profile payloads into the version-neutral model.

import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import * as v16 from '../v16/schemas.generated';
import * as v201 from '../v201/schemas.generated';
import { fromV16, fromV201 } from './profiles';

// Payloads as the CSMS sends them, checked against the official schemas so the tests read real shapes.
function v16Request(payload: unknown): v16.SetChargingProfileRequest {
  const parsed = v.safeParse(v16.requestSchemas.SetChargingProfile, payload);
  if (!parsed.success) throw new Error(`invalid 1.6 SetChargingProfile: ${JSON.stringify(parsed.issues.map((i) => i.message))}`);
  return parsed.output;
}

function v201Request(payload: unknown): v201.SetChargingProfileRequest {
  const parsed = v.safeParse(v201.requestSchemas.SetChargingProfile, payload);
  if (!parsed.success) throw new Error(`invalid 2.0.1 SetChargingProfile: ${JSON.stringify(parsed.issues.map((i) => i.message))}`);
  return parsed.output;
}

describe('fromV16', () => {
  it('reads a TxProfile with every optional field, keeping the integer transactionId as a string', () => {
    const req = v16Request({
      connectorId: 2,
      csChargingProfiles: {
        chargingProfileId: 12,
        transactionId: 1234,
        stackLevel: 3,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Recurring',
        recurrencyKind: 'Weekly',
        validFrom: '2024-01-01T00:00:00Z',
        validTo: '2024-12-31T23:59:59+01:00',
        chargingSchedule: {
          duration: 7200,
          startSchedule: '2024-01-01T08:00:00Z',
          chargingRateUnit: 'W',
          chargingSchedulePeriod: [
            { startPeriod: 0, limit: 11000, numberPhases: 3 },
            { startPeriod: 3600, limit: 3680.5, numberPhases: 1 },
          ],
          minChargingRate: 1380.2,
        },
      },
    });
    expect(fromV16(req.connectorId, req.csChargingProfiles)).toEqual({
      id: 12,
      stackLevel: 3,
      purpose: 'TxProfile',
      kind: 'Recurring',
      recurrencyKind: 'Weekly',
      validFrom: '2024-01-01T00:00:00Z',
      validTo: '2024-12-31T23:59:59+01:00',
      transactionId: '1234',
      evseId: 2,
      schedules: [
        {
          duration: 7200,
          startSchedule: '2024-01-01T08:00:00Z',
          chargingRateUnit: 'W',
          periods: [
            { startPeriod: 0, limit: 11000, numberPhases: 3 },
            { startPeriod: 3600, limit: 3680.5, numberPhases: 1 },
          ],
          minChargingRate: 1380.2,
        },
      ],
    });
  });

  it('leaves absent fields absent, not undefined', () => {
    const req = v16Request({
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'ChargePointMaxProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }] },
      },
    });
    const profile = fromV16(req.connectorId, req.csChargingProfiles);
    expect(profile).toEqual({
      id: 1,
      stackLevel: 0,
      purpose: 'ChargePointMaxProfile',
      kind: 'Relative',
      evseId: 0,
      schedules: [{ chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 32 }] }],
    });
    expect(Object.keys(profile)).not.toContain('transactionId');
    expect(Object.keys(profile.schedules[0]!)).toEqual(['chargingRateUnit', 'periods']);
    expect(Object.keys(profile.schedules[0]!.periods[0]!)).toEqual(['startPeriod', 'limit']);
  });
});

describe('fromV201', () => {
  it('reads a TxProfile with three ISO 15118 schedules, dropping ids, tariffs, phaseToUse and customData', () => {
    const req = v201Request({
      evseId: 1,
      chargingProfile: {
        id: 7,
        stackLevel: 1,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        validFrom: '2024-03-01T00:00:00Z',
        transactionId: 'c3a1e2f0-tx',
        customData: { vendorId: 'acme' },
        chargingSchedule: [
          {
            id: 100,
            startSchedule: '2024-03-01T10:00:00Z',
            duration: 3600,
            chargingRateUnit: 'A',
            minChargingRate: 6,
            chargingSchedulePeriod: [
              { startPeriod: 0, limit: 16, numberPhases: 1, phaseToUse: 2 },
              { startPeriod: 1800, limit: 10.5 },
            ],
            salesTariff: {
              id: 1,
              salesTariffEntry: [{ relativeTimeInterval: { start: 0, duration: 3600 }, ePriceLevel: 1 }],
            },
          },
          { id: 101, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7400 }] },
          { id: 102, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3700 }] },
        ],
      },
    });
    expect(fromV201(req.evseId, req.chargingProfile)).toEqual({
      id: 7,
      stackLevel: 1,
      purpose: 'TxProfile',
      kind: 'Absolute',
      validFrom: '2024-03-01T00:00:00Z',
      transactionId: 'c3a1e2f0-tx',
      evseId: 1,
      schedules: [
        {
          startSchedule: '2024-03-01T10:00:00Z',
          duration: 3600,
          chargingRateUnit: 'A',
          minChargingRate: 6,
          periods: [
            { startPeriod: 0, limit: 16, numberPhases: 1 },
            { startPeriod: 1800, limit: 10.5 },
          ],
        },
        { chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 7400 }] },
        { chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 3700 }] },
      ],
    });
  });

  it('maps ChargingStationMaxProfile onto ChargePointMaxProfile', () => {
    const req = v201Request({
      evseId: 0,
      chargingProfile: {
        id: 2,
        stackLevel: 0,
        chargingProfilePurpose: 'ChargingStationMaxProfile',
        chargingProfileKind: 'Recurring',
        recurrencyKind: 'Daily',
        chargingSchedule: [
          {
            id: 1,
            startSchedule: '2024-01-01T00:00:00Z',
            chargingRateUnit: 'W',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 22000 }],
          },
        ],
      },
    });
    const profile = fromV201(req.evseId, req.chargingProfile);
    expect(profile).toMatchObject({ purpose: 'ChargePointMaxProfile', kind: 'Recurring', recurrencyKind: 'Daily', evseId: 0 });
    expect(profile).not.toHaveProperty('external');
  });

  it('maps ChargingStationExternalConstraints onto ChargePointMaxProfile, marked external', () => {
    // The CSMS never sends this purpose; a station reports it in ReportChargingProfiles.
    const report = v.parse(v201.requestSchemas.ReportChargingProfiles, {
      requestId: 1,
      chargingLimitSource: 'EMS',
      evseId: 0,
      chargingProfile: [
        {
          id: 9,
          stackLevel: 0,
          chargingProfilePurpose: 'ChargingStationExternalConstraints',
          chargingProfileKind: 'Absolute',
          chargingSchedule: [
            {
              id: 1,
              startSchedule: '2024-01-01T00:00:00Z',
              chargingRateUnit: 'A',
              chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }],
            },
          ],
        },
      ],
    });
    expect(fromV201(report.evseId, report.chargingProfile[0]!)).toMatchObject({
      id: 9,
      purpose: 'ChargePointMaxProfile',
      external: true,
      evseId: 0,
    });
  });
});
