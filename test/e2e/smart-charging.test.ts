// Smart charging against strict ocpp-rpc chargers (schema-checked both ways): the ISO 15118
// negotiation the OCTT runs (TC_K_53, TC_K_55) and a 1.6 remote start with a TxProfile.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, bootedCharger, command, uniqueChargerId, waitFor } from './helpers.ts';
import { ChargerFlows, putTag } from './session-helpers.ts';

const now = (): string => new Date().toISOString();

describe('ISO 15118 schedule negotiation, OCPP 2.0.1', () => {
  it('K15.FR.02, K15.FR.03, K15.FR.07, K15.FR.11, K15.FR.12, K15.FR.13: needs Accepted, a TxProfile within the station limit follows, the EV schedule is checked and a refusal renegotiated', async () => {
    const id = uniqueChargerId('K15');
    const client = await bootedCharger('ocpp2.0.1', id);
    const flows = new ChargerFlows(client).on('SetChargingProfile', () => ({ status: 'Accepted' }));
    const max = {
      id: 1,
      stackLevel: 0,
      chargingProfilePurpose: 'ChargingStationMaxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-01-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
    };
    expect((await command(id, 'SetChargingProfile', { evseId: 0, chargingProfile: max })).body).toEqual({ result: { status: 'Accepted' } });

    const transactionId = randomUUID();
    await client.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: now(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId },
      evse: { id: 1, connectorId: 1 },
    });
    const needs = await client.call('NotifyEVChargingNeeds', {
      evseId: 1,
      maxScheduleTuples: 3,
      chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', acChargingParameters: { energyAmount: 30000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 } },
    });
    expect(needs).toEqual({ status: 'Accepted' });
    const first = await waitFor('the TxProfile', () => flows.received.SetChargingProfile?.[1]);
    expect(first).toMatchObject({ evseId: 1, chargingProfile: { chargingProfilePurpose: 'TxProfile', transactionId } });
    const schedule = first.chargingProfile.chargingSchedule[0];
    expect(schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 16 }]);

    // The EV's periods count from timeBase: the CSMS's startSchedule is left out.
    const { startSchedule: _startSchedule, ...evPart } = schedule;
    const evSchedule = (limit: number) => ({
      evseId: 1,
      timeBase: now(),
      chargingSchedule: { ...evPart, chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
    });
    expect(await client.call('NotifyEVChargingSchedule', evSchedule(16))).toEqual({ status: 'Accepted' });
    const refused = (await client.call('NotifyEVChargingSchedule', evSchedule(32))) as { status: string; statusInfo: { reasonCode: string } };
    expect(refused).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'ExceedsLimit' } });
    const again = await waitFor('the renegotiation', () => flows.received.SetChargingProfile?.[2]);
    expect(again).toEqual(first);

    const preview = await api('GET', `/chargers/${id}/composite-schedule?evseId=1&unit=A&duration=600`);
    expect(preview.body.transactionId).toBe(transactionId);
    expect(preview.body.compositeSchedule.periods).toEqual([{ startPeriod: 0, limit: 16 }]);
    flows.check();
  });
});

describe('remote start with a charging profile, OCPP 1.6', () => {
  it('1.6 §5.11, §7.10: the TxProfile of an accepted RemoteStartTransaction limits the transaction it started, and ends with it', async () => {
    const tag = await putTag();
    const id = uniqueChargerId('K05');
    const client = await bootedCharger('ocpp1.6', id);
    let transactionId: number | undefined;
    const flows = new ChargerFlows(client).on(
      'RemoteStartTransaction',
      () => ({ status: 'Accepted' }),
      async (params: { idTag: string; connectorId?: number }) => {
        const started = (await client.call('StartTransaction', { connectorId: params.connectorId ?? 1, idTag: params.idTag, meterStart: 0, timestamp: now() })) as {
          transactionId: number;
        };
        transactionId = started.transactionId;
      },
    );
    const chargingProfile = {
      chargingProfileId: 42,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
    };
    expect((await command(id, 'RemoteStartTransaction', { connectorId: 1, idTag: tag, chargingProfile })).body).toEqual({ result: { status: 'Accepted' } });
    const started = await waitFor('the start', () => transactionId);
    flows.check();

    const preview = await api('GET', `/chargers/${id}/composite-schedule?evseId=1&unit=A&duration=600`);
    expect(preview.body).toMatchObject({ profiles: [42], transactionId: String(started) });
    expect(preview.body.compositeSchedule.periods).toEqual([{ startPeriod: 0, limit: 10 }]);
    const bound = await api('GET', `/chargers/${id}/charging-profiles`);
    expect(bound.body.chargingProfiles).toEqual([expect.objectContaining({ profileId: 42, evseId: 1, transactionId: String(started) })]);

    await client.call('StopTransaction', { transactionId: started, meterStop: 1000, timestamp: now() });
    expect((await api('GET', `/chargers/${id}/charging-profiles`)).body.chargingProfiles).toEqual([]);
  });
});
