import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  const { res } = await commandAnswered(cp, action, payload, result);
  expect(res.status).toBe(200);
  return json(res);
}

const START = '2026-10-01T08:00:00.000Z';

describe('the composite schedule preview', () => {
  it('combines a 1.6 charger\'s installed profiles the way the charger reports it', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    // The whole charge point may draw at most 20 A from 08:20 on.
    await command(cp, 'SetChargingProfile', {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'ChargePointMaxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'A', startSchedule: START, chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }, { startPeriod: 1200, limit: 20 }] },
      },
    }, { status: 'Accepted' });
    // Connector 1 by default 16 A, then 24 A after half an hour; a higher stack level caps the first 10 minutes at 6 A.
    await command(cp, 'SetChargingProfile', {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 2,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'A', startSchedule: START, chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 1800, limit: 24 }] },
      },
    }, { status: 'Accepted' });
    await command(cp, 'SetChargingProfile', {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 3,
        stackLevel: 1,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'A', startSchedule: START, duration: 600, chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }] },
      },
    }, { status: 'Accepted' });

    // Worked out by hand from OCPP's rules: the highest stack level in force per purpose, then the minimum.
    const expected = [
      { startPeriod: 0, limit: 6 },
      { startPeriod: 600, limit: 16 },
      { startPeriod: 1800, limit: 20 },
    ];
    const preview = await json(await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=1&duration=3600&unit=A&start=${START}`));
    expect(preview.compositeSchedule).toMatchObject({ evseId: 1, scheduleStart: START, duration: 3600, chargingRateUnit: 'A' });
    expect(preview.compositeSchedule.periods.map((p: { startPeriod: number; limit: number }) => ({ startPeriod: p.startPeriod, limit: p.limit }))).toEqual(expected);

    // What the charger itself reports through GetCompositeSchedule, for the same window.
    const reported = command(cp, 'GetCompositeSchedule', { connectorId: 1, duration: 3600, chargingRateUnit: 'A' }, {
      status: 'Accepted',
      connectorId: 1,
      scheduleStart: START,
      chargingSchedule: { duration: 3600, startSchedule: START, chargingRateUnit: 'A', chargingSchedulePeriod: expected },
    });
    const { result } = await reported;
    expect(preview.compositeSchedule.periods.map((p: { startPeriod: number; limit: number }) => ({ startPeriod: p.startPeriod, limit: p.limit }))).toEqual(
      result.chargingSchedule.chargingSchedulePeriod,
    );

    // In watts: 3 phases at 230 V by default.
    const watts = await json(await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=1&duration=3600&unit=W&start=${START}`));
    expect(watts.compositeSchedule.periods.map((p: { limit: number }) => p.limit)).toEqual([4140, 11040, 13800]);
    cp.close();
  });

  it('checks its parameters', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    expect((await api('GET', `/chargers/${cp.id}/composite-schedule`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=1&unit=kW`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=1&duration=99999999`)).status).toBe(400);
    const empty = await json(await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=1&duration=60`));
    // No profile installed: nothing limits the EVSE.
    expect(empty.compositeSchedule.periods).toEqual([{ startPeriod: 0, limit: null }]);
    cp.close();
  });
});
