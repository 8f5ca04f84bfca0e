import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  expect((await commandAnswered(cp, action, payload, result)).res.status).toBe(200);
}

function profile16(id: number, stackLevel: number, limit: number) {
  return {
    chargingProfileId: id,
    stackLevel,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: { chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
  };
}

describe('installed charging profiles', () => {
  it('follow 1.6 SetChargingProfile and ClearChargingProfile answers', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await command(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile16(10, 1, 16) }, { status: 'Accepted' });
    await command(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile16(11, 2, 32) }, { status: 'Accepted' });
    // Same stack level and purpose on the same connector: replaces profile 10.
    await command(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile16(12, 1, 10) }, { status: 'Accepted' });
    // Refused by the charger: changes nothing.
    await command(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile16(13, 3, 6) }, { status: 'Rejected' });
    let { chargingProfiles } = await json(await api('GET', `/chargers/${cp.id}/charging-profiles`));
    expect(chargingProfiles.map((p: { profileId: number }) => p.profileId)).toEqual([11, 12]);

    await command(cp, 'ClearChargingProfile', { id: 11 }, { status: 'Accepted' });
    ({ chargingProfiles } = await json(await api('GET', `/chargers/${cp.id}/charging-profiles`)));
    expect(chargingProfiles).toEqual([expect.objectContaining({ profileId: 12, evseId: 1, stackLevel: 1, purpose: 'TxDefaultProfile' })]);
    cp.close();
  });

  it('follow 2.0.1 ReportChargingProfiles', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const reported = {
      id: 7,
      stackLevel: 0,
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] }],
    };
    expect((await cp.call('ReportChargingProfiles', { requestId: 3, chargingLimitSource: 'CSO', evseId: 0, chargingProfile: [reported] }))[0]).toBe(3);
    const { chargingProfiles } = await json(await api('GET', `/chargers/${cp.id}/charging-profiles`));
    expect(chargingProfiles).toEqual([expect.objectContaining({ profileId: 7, evseId: 0, purpose: 'ChargingStationMaxProfile', profile: reported })]);
    cp.close();
  });
});
