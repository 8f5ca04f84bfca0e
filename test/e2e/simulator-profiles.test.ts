// The charger simulator obeys the charging profiles it accepts (scripts/simulator/fleet.mjs driving
// its chargers): a 1.6 and a 2.0.1 simulated charger draw their car's maximum, then, once the CSMS's
// command API sets a profile, at most its limit (and their full draw again once it is cleared), as
// the meter values the CSMS stored show; a charger started to reject profiles answers Rejected and
// keeps drawing. The readings here are the prompt ones a profile change sends: the meter interval is
// far longer than the test, so a reading in the window can only be one.

import { describe, expect, it, onTestFinished } from 'vitest';
import { startFleet, type Fleet } from '../../scripts/simulator/fleet.mjs';
import { api, baseUrl, command, waitFor } from './helpers.ts';
import { getTransaction, putTag, type ApiMeterValue } from './session-helpers.ts';

const CURRENT = 'Current.Import';
const CAR_AMPS = 32;

async function fleetOf(chargers: Parameters<typeof startFleet>[0]['chargers']): Promise<Fleet> {
  const tag = await putTag('Accepted', 'SIMP');
  const fleet = await startFleet({ url: `${baseUrl().replace(/^http/, 'ws')}/ocpp`, chargers, tag, meterInterval: 600 });
  onTestFinished(async () => {
    await fleet.stop();
  });
  return fleet;
}

/** The CSMS's stored readings of `chargerId` from `from` (ms) on. */
async function readingsSince(chargerId: string, from: number): Promise<ApiMeterValue[]> {
  const res = await api<{ meterValues: ApiMeterValue[] }>(
    'GET',
    `/chargers/${encodeURIComponent(chargerId)}/meter-values?from=${encodeURIComponent(new Date(from).toISOString())}&limit=500`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.meterValues;
}

/** Waits for a stored reading of `chargerId` after `from` carrying Current.Import; returns every such value since `from`. */
function currentsSince(chargerId: string, from: number): Promise<ApiMeterValue[]> {
  return waitFor(`a Current.Import reading of ${chargerId}`, async () => {
    const currents = (await readingsSince(chargerId, from)).filter((v) => v.measurand === CURRENT);
    return currents.length > 0 ? currents : undefined;
  }, 15_000);
}

describe('the simulator obeys the charging profiles it accepts', () => {
  it('1.6 (single-phase) and 2.0.1 (three-phase) chargers draw at most the limit the CSMS sets, as its stored readings show; a charger rejecting profiles answers Rejected', async () => {
    const fleet = await fleetOf([
      { protocol: '1.6', phases: 1 },
      { protocol: '2.0.1', phases: 3 },
      { protocol: '2.0.1', phases: 3, rejectProfiles: true },
    ]);
    const [v16, v201, rejecting] = fleet.chargers as [Fleet['chargers'][number], Fleet['chargers'][number], Fleet['chargers'][number]];
    const tx16 = await v16.startSession({ carAmps: CAR_AMPS });
    const tx201 = await v201.startSession({ carAmps: CAR_AMPS });
    const txRejecting = await rejecting.startSession({ carAmps: CAR_AMPS });
    for (const charger of fleet.chargers) expect(charger.draw()).toMatchObject({ amps: CAR_AMPS, limitAmps: null });

    // 1.6: a TxProfile of 10 A. 2.0.1: a station maximum of 4600 W, 6.66 A per phase over 3 phases (drawn as 6.6).
    const sentAt = Date.now();
    const set16 = await command(v16.id, 'SetChargingProfile', {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1601, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', transactionId: tx16,
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
      },
    });
    const set201 = await command(v201.id, 'SetChargingProfile', {
      evseId: 0,
      chargingProfile: {
        id: 2011, stackLevel: 0, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute',
        chargingSchedule: [{ id: 1, chargingRateUnit: 'W', startSchedule: new Date(sentAt - 60_000).toISOString(), chargingSchedulePeriod: [{ startPeriod: 0, limit: 4600 }] }],
      },
    });
    const setRejecting = await command(rejecting.id, 'SetChargingProfile', {
      evseId: 1,
      chargingProfile: {
        id: 2012, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative', transactionId: txRejecting,
        chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }] }],
      },
    });
    expect(set16.body).toEqual({ result: { status: 'Accepted' } });
    expect(set201.body).toEqual({ result: { status: 'Accepted' } });
    expect(setRejecting.body).toMatchObject({ result: { status: 'Rejected', statusInfo: { reasonCode: 'NotSupported' } } });

    // The stored readings after the change: every phase's current at or under the limit, the car at it.
    const after16 = await currentsSince(v16.id, sentAt);
    expect(after16.map((v) => [v.phase, v.value])).toEqual([['L1', 10]]);
    expect(after16[0]!.transactionId).toBe(String(tx16));
    const after201 = await currentsSince(v201.id, sentAt);
    expect(after201.map((v) => [v.phase, v.value]).sort()).toEqual([['L1', 6.6], ['L2', 6.6], ['L3', 6.6]]);
    const power201 = (await readingsSince(v201.id, sentAt)).find((v) => v.measurand === 'Power.Active.Import');
    expect(power201?.value).toBe(Math.round(6.6 * 230 * 3));
    expect(v16.draw()).toMatchObject({ amps: 10, phases: 1, limitAmps: 10 });
    expect(v201.draw().limitAmps).toBeCloseTo(4600 / 690, 9);
    // The rejecting charger keeps its car's draw and sent no reading for a change it did not make.
    expect(rejecting.draw()).toMatchObject({ amps: CAR_AMPS, limitAmps: null });
    expect((await readingsSince(rejecting.id, sentAt)).filter((v) => v.measurand === CURRENT)).toEqual([]);

    // Cleared (1.6 by id, 2.0.1 by purpose): the cars take their maximum again, and the CSMS sees it.
    const clearedAt = Date.now();
    expect((await command(v16.id, 'ClearChargingProfile', { id: 1601 })).body).toEqual({ result: { status: 'Accepted' } });
    expect((await command(v201.id, 'ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'ChargingStationMaxProfile' } })).body).toEqual({
      result: { status: 'Accepted' },
    });
    expect((await command(rejecting.id, 'ClearChargingProfile', { chargingProfileId: 2012 })).body).toEqual({ result: { status: 'Unknown' } });
    expect((await currentsSince(v16.id, clearedAt)).map((v) => v.value)).toEqual([CAR_AMPS]);
    expect((await currentsSince(v201.id, clearedAt)).map((v) => v.value)).toEqual([CAR_AMPS, CAR_AMPS, CAR_AMPS]);

    // The sessions end cleanly, with the energy drawn.
    for (const charger of fleet.chargers) await charger.stopSession();
    for (const [charger, tx] of [[v16, tx16], [v201, tx201], [rejecting, txRejecting]] as const) {
      const transaction = await waitFor('the transaction to complete', async () => {
        const t = await getTransaction(charger.id, tx);
        return t.status === 'completed' ? t : undefined;
      });
      expect(transaction.energyWh, charger.id).toBeGreaterThan(0);
    }
    expect(fleet.errors()).toEqual({});
  }, 45_000);
  it("a remote start's TxProfile limits the session it starts; a charger off the network keeps its session, which ends once it is back", async () => {
    const fleet = await fleetOf([
      { protocol: '1.6', phases: 3 },
      { protocol: '2.0.1', phases: 3 },
    ]);
    const [v16, v201] = fleet.chargers as [Fleet['chargers'][number], Fleet['chargers'][number]];

    // 1.6 §5.11: the TxProfile of RemoteStartTransaction is the started transaction's.
    const remote = await command(v16.id, 'RemoteStartTransaction', {
      connectorId: 1,
      idTag: fleet.tag,
      chargingProfile: {
        chargingProfileId: 1602, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] },
      },
    });
    expect(remote.body).toEqual({ result: { status: 'Accepted' } });
    const tx16 = await waitFor('the remote start', () => v16.transactionId);
    expect(v16.profiles).toMatchObject([{ id: 1602, purpose: 'TxProfile', transactionId: String(tx16) }]);
    expect(v16.draw()).toMatchObject({ amps: 8, phases: 3, limitAmps: 8 });
    const triggeredAt = Date.now();
    expect((await command(v16.id, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).body).toEqual({ result: { status: 'Accepted' } });
    expect((await currentsSince(v16.id, triggeredAt)).map((v) => v.value)).toEqual([8, 8, 8]);

    // 2.0.1: off the network mid-session, the stop waits for the connection; back (no new boot), it goes out.
    const tx201 = await v201.startSession({ carAmps: 16 });
    await v201.disconnect();
    await waitFor('the CSMS to see the charger gone', async () => {
      const res = await api('GET', `/chargers/${encodeURIComponent(v201.id)}`);
      return res.body.charger?.connected === false ? true : undefined;
    });
    expect(v201.draw()).toMatchObject({ amps: 16, phases: 3 });
    const stopped = v201.stopSession();
    await v201.reconnect();
    await stopped;
    const transaction = await waitFor('the transaction to complete', async () => {
      const t = await getTransaction(v201.id, tx201);
      return t.status === 'completed' ? t : undefined;
    });
    expect(transaction.energyWh).toBeGreaterThan(0);
    expect(v201.online).toBe(true);

    await v16.stopSession();
    expect(v16.profiles).toEqual([]); // the TxProfile ended with its transaction
    expect(fleet.errors()).toEqual({});
  }, 45_000);
});
