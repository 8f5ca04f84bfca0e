// The mirror of installed charging profiles and the limits around it, driven by chargers of both
// versions: remote-start TxProfiles, their transaction's end, 2.0.1 replacement rules, clearing by
// id or criteria, external limits (K12/K13), and ISO 15118 negotiation (K15-K17).

import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** Sends an operator command and answers it as the charger, with `result`. */
async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  const { res } = await commandAnswered(cp, action, payload, result);
  expect(res.status).toBe(200);
  return json(res);
}

async function installed(cp: RawCharger): Promise<Array<{ profileId: number; evseId: number; transactionId: string | null; purpose: string }>> {
  return (await json(await api('GET', `/chargers/${cp.id}/charging-profiles`))).chargingProfiles;
}

async function composite(cp: RawCharger, evseId: number, start: string, duration = 3600, unit = 'A') {
  const res = await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=${evseId}&duration=${duration}&unit=${unit}&start=${start}`);
  expect(res.status).toBe(200);
  return json(res);
}

const limits = (preview: any) => preview.compositeSchedule.periods.map((p: { startPeriod: number; limit: number | null }) => [p.startPeriod, p.limit]);

const NOW = () => new Date().toISOString();

function txProfile16(id: number, limit: number) {
  return {
    chargingProfileId: id,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
  };
}

function profile201(id: number, purpose: string, limit: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    stackLevel: 0,
    chargingProfilePurpose: purpose,
    chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-01-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit }] }],
    ...extra,
  };
}

function event201(eventType: 'Started' | 'Updated' | 'Ended', transactionId: string, seqNo: number, extra: Record<string, unknown> = {}) {
  return {
    eventType,
    timestamp: NOW(),
    triggerReason: eventType === 'Ended' ? 'StopAuthorized' : 'Authorized',
    seqNo,
    transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
    evse: { id: 1, connectorId: 1 },
    ...extra,
  };
}

describe('TxProfiles of a remote start, and the end of their transaction', () => {
  it('1.6 §5.11, §5.16, §7.10: the RemoteStartTransaction profile is mirrored, bound to the transaction that starts, and gone at its StopTransaction', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await command(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE-1', chargingProfile: txProfile16(5, 10) }, { status: 'Accepted' });
    expect(await installed(cp)).toEqual([expect.objectContaining({ profileId: 5, evseId: 1, purpose: 'TxProfile', transactionId: null })]);

    const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'REMOTE-1', meterStart: 0, timestamp: NOW() })) as [number, string, { transactionId: number }];
    const transactionId = started[2].transactionId;
    expect(await installed(cp)).toEqual([expect.objectContaining({ profileId: 5, evseId: 1, transactionId: String(transactionId) })]);
    // The composite of connector 1 follows it while its transaction runs.
    expect(limits(await composite(cp, 1, NOW()))).toEqual([[0, 10]]);

    await cp.call('StopTransaction', { transactionId, meterStop: 100, timestamp: NOW() });
    expect(await installed(cp)).toEqual([]);
    cp.close();
  });

  it('2.0.1 K05, F01.FR.08-F01.FR.11, K01: the RequestStartTransaction TxProfile is mirrored, bound at Started, and removed at Ended', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const profile = profile201(8, 'TxProfile', 12);
    await command(
      cp,
      'RequestStartTransaction',
      { evseId: 1, remoteStartId: 77, idToken: { idToken: 'REMOTE-2', type: 'ISO14443' }, chargingProfile: profile },
      { status: 'Accepted' },
    );
    // A TxDefaultProfile on the EVSE stays through the transaction's end.
    await command(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: profile201(9, 'TxDefaultProfile', 20) }, { status: 'Accepted' });
    expect(await installed(cp)).toEqual(
      expect.arrayContaining([expect.objectContaining({ profileId: 8, evseId: 1, transactionId: null })]),
    );

    await cp.call('TransactionEvent', event201('Started', 'tx-k05', 0, { transactionInfo: { transactionId: 'tx-k05', remoteStartId: 77 } }));
    expect((await installed(cp)).find((p) => p.profileId === 8)).toMatchObject({ transactionId: 'tx-k05', evseId: 1 });
    expect(limits(await composite(cp, 1, NOW()))).toEqual([[0, 12]]);

    await cp.call('TransactionEvent', event201('Ended', 'tx-k05', 1));
    expect((await installed(cp)).map((p) => p.profileId)).toEqual([9]);
    cp.close();
  });

  it('2.0.1 F01: a RequestStartTransaction answered with the transaction already running binds its TxProfile to it at once', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await command(
      cp,
      'RequestStartTransaction',
      { evseId: 1, remoteStartId: 78, idToken: { idToken: 'REMOTE-3', type: 'ISO14443' }, chargingProfile: profile201(4, 'TxProfile', 6) },
      { status: 'Accepted', transactionId: 'tx-running' },
    );
    expect(await installed(cp)).toEqual([expect.objectContaining({ profileId: 4, transactionId: 'tx-running' })]);
    cp.close();
  });
});

describe('replacing and clearing profiles', () => {
  it('2.0.1 K01.FR.05, K01.FR.06: the same id replaces; the same stack level and purpose may be sent again only for validity periods that do not overlap', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const january = { validFrom: '2026-01-01T00:00:00Z', validTo: '2026-02-01T00:00:00Z' };
    const february = { validFrom: '2026-02-01T00:00:00Z', validTo: '2026-03-01T00:00:00Z' };
    await command(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: profile201(1, 'TxDefaultProfile', 10, january) }, { status: 'Accepted' });
    await command(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: profile201(2, 'TxDefaultProfile', 16, february) }, { status: 'Accepted' });
    // January and February do not overlap: both stay.
    expect((await installed(cp)).map((p) => p.profileId).sort()).toEqual([1, 2]);
    // Another id overlapping February (offsets read as instants): the CSMS shall not send it
    // (K01.FR.06), so it is refused unsent and nothing changes.
    const midFebruary = { validFrom: '2026-02-15T01:00:00+01:00' };
    const overlapping = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, { evseId: 1, chargingProfile: profile201(3, 'TxDefaultProfile', 8, midFebruary) });
    expect(overlapping.status).toBe(400);
    expect((await json(overlapping)).error).toMatchObject({ code: 'SpecViolation', requirement: 'K01.FR.06' });
    expect((await installed(cp)).map((p) => p.profileId).sort()).toEqual([1, 2]);
    // The same id replaces whatever it was.
    await command(cp, 'SetChargingProfile', { evseId: 2, chargingProfile: profile201(1, 'TxDefaultProfile', 6) }, { status: 'Accepted' });
    expect((await installed(cp)).map((p) => [p.profileId, p.evseId]).sort()).toEqual([[1, 2], [2, 1]]);
    cp.close();
  });

  it('1.6 §5.5: ClearChargingProfile with an id clears that profile, whatever the other fields name', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const txDefault = (id: number, stackLevel: number) => ({ ...txProfile16(id, 16), stackLevel, chargingProfilePurpose: 'TxDefaultProfile' });
    await command(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault(11, 1) }, { status: 'Accepted' });
    await command(cp, 'SetChargingProfile', { connectorId: 2, csChargingProfiles: txDefault(12, 1) }, { status: 'Accepted' });
    await command(cp, 'ClearChargingProfile', { id: 11, connectorId: 2 }, { status: 'Accepted' });
    expect((await installed(cp)).map((p) => p.profileId)).toEqual([12]);
    cp.close();
  });

  it('2.0.1 K10.FR.02, K10.FR.03: ClearChargingProfile with an id and criteria clears by the id alone', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await command(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: profile201(21, 'TxDefaultProfile', 16) }, { status: 'Accepted' });
    await command(cp, 'SetChargingProfile', { evseId: 2, chargingProfile: profile201(22, 'TxDefaultProfile', 16) }, { status: 'Accepted' });
    await command(cp, 'ClearChargingProfile', { chargingProfileId: 21, chargingProfileCriteria: { evseId: 2 } }, { status: 'Accepted' });
    expect((await installed(cp)).map((p) => p.profileId)).toEqual([22]);
    // Criteria alone clear what matches them.
    await command(cp, 'ClearChargingProfile', { chargingProfileCriteria: { evseId: 2, chargingProfilePurpose: 'TxDefaultProfile' } }, { status: 'Accepted' });
    expect(await installed(cp)).toEqual([]);
    cp.close();
  });
});

describe('external charging limits', () => {
  it('2.0.1 K12, K13: NotifyChargingLimit caps the composite schedule of its EVSE; ClearedChargingLimit releases it', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const start = '2026-10-01T08:00:00.000Z';
    await command(cp, 'SetChargingProfile', { evseId: 0, chargingProfile: profile201(1, 'ChargingStationMaxProfile', 32) }, { status: 'Accepted' });
    const answer = await cp.call('NotifyChargingLimit', {
      evseId: 1,
      chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: true },
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: start, chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 1800, limit: 40 }] }],
    });
    expect(answer).toEqual([3, expect.any(String), {}]);
    const capped = await composite(cp, 1, start);
    expect(limits(capped)).toEqual([[0, 10], [1800, 32]]);
    expect(capped.chargingLimits).toEqual([expect.objectContaining({ evseId: 1, source: 'EMS', isGridCritical: true })]);
    // Another EVSE is not limited by it.
    expect(limits(await composite(cp, 2, start))).toEqual([[0, 32]]);

    expect(await cp.call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 })).toEqual([3, expect.any(String), {}]);
    const released = await composite(cp, 1, start);
    expect(limits(released)).toEqual([[0, 32]]);
    expect(released.chargingLimits).toEqual([]);
    cp.close();
  });
});

describe('ISO 15118 charging needs and schedules', () => {
  const needs = { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', acChargingParameters: { energyAmount: 20000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 } } };

  it('2.0.1 K15.FR.02, K15.FR.04: charging needs with no transaction on the EVSE are answered Rejected with the reason', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const [, , answer] = (await cp.call('NotifyEVChargingNeeds', needs)) as [number, string, any];
    expect(answer).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'NoTransaction', additionalInfo: expect.any(String) } });
    await expect(cp.next(300)).rejects.toThrow();
    cp.close();
  });

  it('2.0.1 K15.FR.02, K15.FR.03, K15.FR.07, K15.FR.11, K15.FR.12, K15.FR.13: needs are Accepted and followed by a TxProfile within the limits; the EV schedule is checked against them', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await command(cp, 'SetChargingProfile', { evseId: 0, chargingProfile: profile201(1, 'ChargingStationMaxProfile', 16) }, { status: 'Accepted' });
    await cp.call('TransactionEvent', event201('Started', 'tx-k15', 0));

    const [, , answer] = (await cp.call('NotifyEVChargingNeeds', needs)) as [number, string, any];
    expect(answer).toEqual({ status: 'Accepted' });
    const set = (await cp.next()) as [number, string, string, any];
    expect(set[2]).toBe('SetChargingProfile');
    expect(set[3]).toMatchObject({
      evseId: 1,
      chargingProfile: { chargingProfilePurpose: 'TxProfile', transactionId: 'tx-k15', chargingSchedule: [{ chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] },
    });
    cp.sendRaw(JSON.stringify([3, set[1], { status: 'Accepted' }]));
    const sent = set[3].chargingProfile;
    // The mirror holds it once accepted, bound to the transaction.
    await expect.poll(async () => (await installed(cp)).find((p) => p.profileId === sent.id)?.transactionId).toBe('tx-k15');

    const evSchedule = (limit: number) => ({
      evseId: 1,
      timeBase: NOW(),
      chargingSchedule: { id: 1, chargingRateUnit: 'A', duration: 3600, chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit }] },
    });
    const [, , within] = (await cp.call('NotifyEVChargingSchedule', evSchedule(12))) as [number, string, any];
    expect(within).toEqual({ status: 'Accepted' });

    const [, , over] = (await cp.call('NotifyEVChargingSchedule', evSchedule(32))) as [number, string, any];
    expect(over).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'ExceedsLimit', additionalInfo: expect.stringContaining('32 A') } });
    // K15.FR.13: the CSMS renegotiates, sending its TxProfile again.
    const again = (await cp.next()) as [number, string, string, any];
    expect(again[2]).toBe('SetChargingProfile');
    expect(again[3]).toEqual({ evseId: 1, chargingProfile: sent });
    cp.sendRaw(JSON.stringify([3, again[1], { status: 'Accepted' }]));

    // The TxProfile ends with its transaction.
    await cp.call('TransactionEvent', event201('Ended', 'tx-k15', 1));
    expect((await installed(cp)).map((p) => p.profileId)).toEqual([1]);
    cp.close();
  });

  it('2.0.1 K15, K17: a DC EV is scheduled in W, within an external limit and its own maximum power', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await cp.call('TransactionEvent', event201('Started', 'tx-k17', 0));
    await cp.call('NotifyChargingLimit', {
      chargingLimit: { chargingLimitSource: 'SO' },
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 50000 }] }],
    });
    const dc = { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 200, evMaxVoltage: 400, evMaxPower: 80000 } } };
    const [, , answer] = (await cp.call('NotifyEVChargingNeeds', dc)) as [number, string, any];
    expect(answer).toEqual({ status: 'Accepted' });
    const set = (await cp.next()) as [number, string, string, any];
    expect(set[3].chargingProfile.chargingSchedule[0]).toMatchObject({ chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 50000 }] });
    cp.sendRaw(JSON.stringify([3, set[1], { status: 'Accepted' }]));
    cp.close();
  });
});
