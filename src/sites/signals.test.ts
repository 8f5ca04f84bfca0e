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
    expect(signal).toEqual({ type: 'meter', evseId: 1, transactionId: '5', amps: 16.1, powerW: 7200, phasesInUse: 2, at: AT });
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
        { type: 'meter', evseId: 1, transactionId: 'tx-1', amps: 12, powerW: null, phasesInUse: null, at: AT },
      ]);
    });

    it(`${protocol}: Ended ends it; kW in a multiplier is read as watts`, () => {
      expect(signalsForCall(protocol, 'TransactionEvent', event('Ended'), {}, AT)).toEqual([{ type: 'ended', evseId: 1, transactionId: 'tx-1', at: AT }]);
      const meterValue = [{ timestamp: AT, sampledValue: [{ measurand: 'Power.Active.Import', value: 11, unitOfMeasure: { unit: 'kW' } }] }];
      expect(signalsForCall(protocol, 'TransactionEvent', event('Updated', { meterValue }), {}, AT)).toEqual([
        { type: 'meter', evseId: 1, transactionId: 'tx-1', amps: null, powerW: 11_000, phasesInUse: null, at: AT },
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
