// Unit tests: what a charger's answered CALLs tell its site's allocator.
import { describe, expect, it } from 'vitest';
import { signalsForCall } from './signals';

const AT = '2026-12-01T12:00:00.000Z';

describe('1.6', () => {
  it('a StartTransaction starts a session on its connector, with the group the CSMS answered', () => {
    const signals = signalsForCall('ocpp1.6', 'StartTransaction', { connectorId: 2, idTag: 'A', meterStart: 0, timestamp: AT }, { transactionId: 17, idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' } }, AT);
    expect(signals).toEqual([{ type: 'started', evseId: 2, transactionId: '17', group: 'FLEET', at: AT }]);
  });

  it('a StopTransaction ends it', () => {
    expect(signalsForCall('ocpp1.6', 'StopTransaction', { transactionId: 17, meterStop: 5, timestamp: AT }, {}, AT)).toEqual([{ type: 'ended', evseId: null, transactionId: '17', at: AT }]);
  });

  it('MeterValues give the busiest phase current and how many phases carry current', () => {
    const meterValue = [{
      timestamp: AT,
      sampledValue: [
        { measurand: 'Current.Import', phase: 'L1', unit: 'A', value: '15.5' },
        { measurand: 'Current.Import', phase: 'L2', unit: 'A', value: '16.1' },
        { measurand: 'Current.Import', phase: 'L3', unit: 'A', value: '0.2' },
        { measurand: 'Power.Active.Import', unit: 'kW', value: '7.2' },
        { value: '1000' },
      ],
    }];
    const [signal] = signalsForCall('ocpp1.6', 'MeterValues', { connectorId: 1, transactionId: 5, meterValue }, {}, AT);
    expect(signal).toEqual({ type: 'meter', evseId: 1, transactionId: '5', amps: 16.1, powerW: 7200, phasesInUse: 2, energyWh: 1000, at: AT });
  });

  it('readings of connector 0 or without current or power say nothing', () => {
    const energyOnly = [{ timestamp: AT, sampledValue: [{ value: '1000' }] }];
    expect(signalsForCall('ocpp1.6', 'MeterValues', { connectorId: 0, meterValue: energyOnly }, {}, AT)).toEqual([]);
    expect(signalsForCall('ocpp1.6', 'MeterValues', { connectorId: 1, meterValue: energyOnly }, {}, AT)).toEqual([]);
  });

  it('only the latest reading of several counts', () => {
    const meterValue = [
      { timestamp: '2026-12-01T11:59:00.000Z', sampledValue: [{ measurand: 'Current.Import', unit: 'A', value: '30' }] },
      { timestamp: AT, sampledValue: [{ measurand: 'Current.Import', unit: 'A', value: '8' }] },
    ];
    const [signal] = signalsForCall('ocpp1.6', 'MeterValues', { connectorId: 1, transactionId: 5, meterValue }, {}, AT);
    expect(signal).toMatchObject({ amps: 8, phasesInUse: null });
  });
});

describe('2.x', () => {
  const event = (eventType: string, extra: Record<string, unknown> = {}) => ({
    eventType, timestamp: AT, triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'tx-1' }, evse: { id: 1, connectorId: 1 }, ...extra,
  });

  for (const protocol of ['ocpp2.0.1', 'ocpp2.1']) {
    it(`${protocol}: TransactionEvent Started starts it with its groupIdToken, and its readings count`, () => {
      const meterValue = [{ timestamp: AT, sampledValue: [{ measurand: 'Current.Import', value: 12, unitOfMeasure: { unit: 'A' } }] }];
      const signals = signalsForCall(protocol, 'TransactionEvent', event('Started', { meterValue }), { idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'G', type: 'Central' } } }, AT);
      expect(signals).toEqual([
        { type: 'started', evseId: 1, transactionId: 'tx-1', group: 'G', at: AT },
        { type: 'meter', evseId: 1, transactionId: 'tx-1', amps: 12, powerW: null, phasesInUse: null, energyWh: null, at: AT },
      ]);
    });

    it(`${protocol}: Ended ends it; kW in a multiplier is read as watts`, () => {
      expect(signalsForCall(protocol, 'TransactionEvent', event('Ended'), {}, AT)).toEqual([{ type: 'ended', evseId: 1, transactionId: 'tx-1', at: AT }]);
      const meterValue = [{ timestamp: AT, sampledValue: [{ measurand: 'Power.Active.Import', value: 11, unitOfMeasure: { unit: 'kW' } }] }];
      expect(signalsForCall(protocol, 'TransactionEvent', event('Updated', { meterValue }), {}, AT)).toEqual([
        { type: 'meter', evseId: 1, transactionId: 'tx-1', amps: null, powerW: 11_000, phasesInUse: null, energyWh: null, at: AT },
      ]);
    });
  }

  it('an accepted boot says the charger may have lost its profiles; a pending one says nothing', () => {
    expect(signalsForCall('ocpp2.0.1', 'BootNotification', {}, { status: 'Accepted', currentTime: AT, interval: 300 }, AT)).toEqual([{ type: 'booted', at: AT }]);
    expect(signalsForCall('ocpp1.6', 'BootNotification', {}, { status: 'Pending', currentTime: AT, interval: 300 }, AT)).toEqual([]);
  });

  it('other actions say nothing', () => {
    expect(signalsForCall('ocpp2.0.1', 'Heartbeat', {}, { currentTime: AT }, AT)).toEqual([]);
    expect(signalsForCall('ocpp1.6', 'StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError' }, {}, AT)).toEqual([]);
  });
});

describe('2.x charging needs (NotifyEVChargingNeeds, K15–K17)', () => {
  const departure = '2026-12-01T18:00:00.000Z';
  for (const protocol of ['ocpp2.0.1', 'ocpp2.1']) {
    it(`${protocol}: AC needs give departure, energy and the car's currents, whatever the CSMS answered`, () => {
      const request = {
        evseId: 2,
        chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', departureTime: departure, acChargingParameters: { energyAmount: 30_000, evMinCurrent: 8, evMaxCurrent: 16, evMaxVoltage: 400 } },
      };
      const expected = { type: 'needs', evseId: 2, departureTime: departure, energyAmount: 30_000, evMaxCurrent: 16, evMinCurrent: 8, evMaxPowerW: null, at: AT };
      expect(signalsForCall(protocol, 'NotifyEVChargingNeeds', request, { status: 'Accepted' }, AT)).toEqual([expected]);
      expect(signalsForCall(protocol, 'NotifyEVChargingNeeds', request, { status: 'Rejected' }, AT)).toEqual([expected]);
    });

    it(`${protocol}: DC needs give power (evMaxPower, else evMaxCurrent × evMaxVoltage), not DC amps`, () => {
      const withPower = { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 300, evMaxVoltage: 500, evMaxPower: 50_000, energyAmount: 40_000 } } };
      expect(signalsForCall(protocol, 'NotifyEVChargingNeeds', withPower, { status: 'Accepted' }, AT)).toEqual([
        { type: 'needs', evseId: 1, departureTime: null, energyAmount: 40_000, evMaxCurrent: null, evMinCurrent: null, evMaxPowerW: 50_000, at: AT },
      ]);
      const currentOnly = { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 100, evMaxVoltage: 400 } } };
      expect(signalsForCall(protocol, 'NotifyEVChargingNeeds', currentOnly, { status: 'Accepted' }, AT)[0]).toMatchObject({ evMaxPowerW: 40_000, energyAmount: null });
    });
  }

  it('2.1 (ISO 15118-20): only v2xChargingParameters — charge currents, power and the target energy', () => {
    const request = {
      evseId: 1,
      chargingNeeds: { requestedEnergyTransfer: 'AC_BPT', departureTime: departure, v2xChargingParameters: { minChargeCurrent: 6, maxChargeCurrent: 20, maxChargePower: 13_800, evTargetEnergyRequest: 25_000 } },
    };
    expect(signalsForCall('ocpp2.1', 'NotifyEVChargingNeeds', request, { status: 'NoChargingProfile' }, AT)).toEqual([
      { type: 'needs', evseId: 1, departureTime: departure, energyAmount: 25_000, evMaxCurrent: 20, evMinCurrent: 6, evMaxPowerW: 13_800, at: AT },
    ]);
  });

  it('EVSE 0, a departure that does not parse, and zero amounts say nothing of those', () => {
    const needs = { requestedEnergyTransfer: 'AC_single_phase', departureTime: 'soon', acChargingParameters: { energyAmount: 0, evMinCurrent: 0, evMaxCurrent: 32, evMaxVoltage: 230 } };
    expect(signalsForCall('ocpp2.0.1', 'NotifyEVChargingNeeds', { evseId: 0, chargingNeeds: needs }, { status: 'Accepted' }, AT)).toEqual([]);
    expect(signalsForCall('ocpp2.0.1', 'NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: needs }, { status: 'Accepted' }, AT)[0]).toMatchObject({
      departureTime: null, energyAmount: null, evMinCurrent: null, evMaxCurrent: 32,
    });
  });

  it('MeterValues carry the energy register of the same reading', () => {
    const meterValue = [{ timestamp: AT, sampledValue: [
      { measurand: 'Current.Import', value: 10, unitOfMeasure: { unit: 'A' } },
      { measurand: 'Energy.Active.Import.Register', value: 12.5, unitOfMeasure: { unit: 'kWh' } },
    ] }];
    expect(signalsForCall('ocpp2.0.1', 'MeterValues', { evseId: 1, meterValue }, {}, AT)).toEqual([
      { type: 'meter', evseId: 1, transactionId: null, amps: 10, powerW: null, phasesInUse: null, energyWh: 12_500, at: AT },
    ]);
  });
});
