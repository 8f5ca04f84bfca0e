// OCPP 2.1 bidirectional charging end to end: a strict 2.1 charger (every frame checked both ways
// against typed-ocpp's schemas) runs a V2X session through `wrangler dev`: the operator allows
// discharging with a TxDefaultProfile, the EV's needs are answered with a TxProfile that discharges
// within the bounds, the CSMS restricts the modes with NotifyAllowedEnergyTransfer, and the session's
// imported and exported energy come out apart on the transaction and its CDR.
import { describe, expect, it } from 'vitest';
import { api, bootedCharger, command, waitFor } from './helpers';

describe('OCPP 2.1 V2X session', () => {
  it('stores the needs and the allowance with the transaction, discharges only as allowed, and keeps imported and exported energy apart', async () => {
    const cp = await bootedCharger('ocpp2.1');
    const id = cp.identity as string;
    const profiles: any[] = [];
    cp.handle('SetChargingProfile', async ({ params }) => {
      profiles.push(params);
      return { status: 'Accepted' };
    });
    cp.handle('NotifyAllowedEnergyTransfer', async () => ({ status: 'Accepted' }));

    const consent = await command(id, 'SetChargingProfile', {
      evseId: 1,
      chargingProfile: {
        id: 77,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [
          {
            id: 1,
            chargingRateUnit: 'W',
            startSchedule: '2026-01-01T00:00:00Z',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000, dischargeLimit: -5000, operationMode: 'LocalLoadBalancing' }],
          },
        ],
      },
    });
    expect(consent.status).toBe(200);

    const tx = `E2E-V2X-${Date.now()}`;
    const t0 = Date.now() - 3_600_000;
    const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
    const registers = (min: number, importWh: number, exportWh: number, context: string) => [
      {
        timestamp: at(min),
        sampledValue: [
          { value: importWh, context, measurand: 'Energy.Active.Import.Register' },
          { value: exportWh, context, measurand: 'Energy.Active.Export.Register' },
        ],
      },
    ];
    const event = (seqNo: number, eventType: string, min: number, meterValue: unknown, extra: Record<string, unknown>) =>
      cp.call('TransactionEvent', { eventType, timestamp: at(min), seqNo, meterValue, transactionInfo: { transactionId: tx }, ...extra });
    await event(0, 'Started', 0, registers(0, 1_000, 500, 'Transaction.Begin'), { triggerReason: 'CablePluggedIn', evse: { id: 1, connectorId: 1 } });

    const needs = {
      evseId: 1,
      chargingNeeds: {
        requestedEnergyTransfer: 'AC_BPT',
        availableEnergyTransfer: ['AC_BPT', 'AC_three_phase'],
        controlMode: 'ScheduledControl',
        mobilityNeedsMode: 'EVCC_SECC',
        v2xChargingParameters: { maxChargePower: 7400, maxDischargePower: 3000 },
      },
    };
    expect(await cp.call('NotifyEVChargingNeeds', needs)).toEqual({ status: 'Accepted' });
    const offered = await waitFor('the TxProfile', () => profiles.find((p) => p.chargingProfile.transactionId === tx));
    expect(offered.chargingProfile.chargingSchedule[0].chargingSchedulePeriod).toEqual([
      { startPeriod: 0, limit: 7400, dischargeLimit: -3000, operationMode: 'LocalLoadBalancing' },
    ]);

    const allowed = await command(id, 'NotifyAllowedEnergyTransfer', { transactionId: tx, allowedEnergyTransfer: ['AC_three_phase'] });
    expect(allowed.status).toBe(200);

    await event(1, 'Updated', 30, registers(30, 4_000, 1_500, 'Sample.Periodic'), { triggerReason: 'MeterValuePeriodic' });
    await event(2, 'Ended', 60, registers(60, 6_000, 3_500, 'Transaction.End'), {
      triggerReason: 'EVDeparted',
      transactionInfo: { transactionId: tx, stoppedReason: 'EVDisconnected' },
    });

    const view = await api('GET', `/chargers/${encodeURIComponent(id)}/transactions/${tx}`);
    expect(view.status).toBe(200);
    expect(view.body.transaction).toMatchObject({
      status: 'completed',
      energyWh: 5_000,
      energyExportWh: 3_000,
      v2x: { chargingNeeds: needs.chargingNeeds, allowedEnergyTransfer: ['AC_three_phase'] },
    });
    const cdrs = await api('GET', `/cdrs?chargerId=${encodeURIComponent(id)}`);
    expect(cdrs.body.cdrs[0]).toMatchObject({ session_id: tx, total_energy: 5, total_energy_exported: 3 });
  });
});
