import { describe, expect, it } from 'vitest';
import { coalescingKey, isFleetMessage, messagesForCall, type StartRegisters } from './messages';

const AT = '2026-01-01T00:00:00.000Z';
const options = (watched = false, registers: StartRegisters = new Map()) => ({ watched, registers });

describe('messagesForCall', () => {
  it('1.6 §4.2 §4.9: a boot and a connector status are fleet messages, a status keyed by its connector', () => {
    const [boot] = messagesForCall('CP', 'ocpp1.6', 'BootNotification', { chargePointVendor: 'A', chargePointModel: 'M', firmwareVersion: '1' }, { status: 'Pending' }, AT, options());
    expect(boot).toEqual({ type: 'charger.boot', chargerId: 'CP', at: AT, registrationStatus: 'Pending', vendor: 'A', model: 'M', firmwareVersion: '1' });
    const [status] = messagesForCall('CP', 'ocpp1.6', 'StatusNotification', { connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure' }, {}, AT, options());
    expect(status).toMatchObject({ type: 'connector.status', connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure' });
    expect(isFleetMessage(status!)).toBe(true);
    expect(coalescingKey(status!)).toBe(coalescingKey({ ...status!, status: 'Available' }));
    expect(coalescingKey(status!)).not.toBe(coalescingKey({ ...status!, connectorId: 1 }));
  });

  it('1.6 §5.16 §6.x: a transaction end carries its energy when its start was seen, and its cost when priced', () => {
    const registers: StartRegisters = new Map();
    messagesForCall('CP', 'ocpp1.6', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 100, timestamp: AT }, { transactionId: 7, idTagInfo: { status: 'Accepted' } }, AT, options(false, registers));
    const [ended] = messagesForCall('CP', 'ocpp1.6', 'StopTransaction', { transactionId: 7, meterStop: 600, timestamp: AT }, {}, AT, {
      ...options(false, registers),
      endedCost: (id) => (id === '7' ? 1.25 : null),
    });
    expect(ended).toMatchObject({ type: 'transaction.ended', transactionId: '7', meterStopWh: 600, energyWh: 500, totalCost: 1.25, reason: 'Local' });
    // Not seen (the object hibernated since the start): no energy, never a wrong one.
    const [unseen] = messagesForCall('CP', 'ocpp1.6', 'StopTransaction', { transactionId: 8, meterStop: 600, timestamp: AT }, {}, AT, options());
    expect(unseen).not.toHaveProperty('energyWh');
    expect(unseen).not.toHaveProperty('totalCost');
  });

  it('meter values are detail: made only while watched', () => {
    const request = { connectorId: 1, transactionId: 7, meterValue: [{ timestamp: AT, sampledValue: [{ value: '1.5', unit: 'kWh' }] }] };
    expect(messagesForCall('CP', 'ocpp1.6', 'MeterValues', request, {}, AT, options(false))).toEqual([]);
    const [meter] = messagesForCall('CP', 'ocpp1.6', 'MeterValues', request, {}, AT, options(true));
    expect(meter).toMatchObject({ type: 'meter', transactionId: '7', registerWh: 1500 });
    expect(isFleetMessage(meter!)).toBe(false);
  });

  it('L01 / N01, 1.6 §4.4 §4.5: a firmware or log status is a detail message (the watched charger screen reads its jobs again)', () => {
    expect(messagesForCall('CP', 'ocpp2.0.1', 'FirmwareStatusNotification', { status: 'Downloading', requestId: 4 }, {}, AT, options(false))).toEqual([]);
    const [firmware] = messagesForCall('CP', 'ocpp2.0.1', 'FirmwareStatusNotification', { status: 'Downloading', requestId: 4 }, {}, AT, options(true));
    expect(firmware).toEqual({ type: 'job.status', chargerId: 'CP', at: AT, job: 'firmware', status: 'Downloading', requestId: 4 });
    expect(isFleetMessage(firmware!)).toBe(false);
    const [signed] = messagesForCall('CP', 'ocpp1.6', 'SignedFirmwareStatusNotification', { status: 'Installed', requestId: 5 }, {}, AT, options(true));
    expect(signed).toMatchObject({ job: 'firmware', status: 'Installed', requestId: 5 });
    const [diagnostics] = messagesForCall('CP', 'ocpp1.6', 'DiagnosticsStatusNotification', { status: 'Uploaded' }, {}, AT, options(true));
    expect(diagnostics).toEqual({ type: 'job.status', chargerId: 'CP', at: AT, job: 'log', status: 'Uploaded' });
    const [log] = messagesForCall('CP', 'ocpp2.0.1', 'LogStatusNotification', { status: 'Uploading', requestId: 9 }, {}, AT, options(true));
    expect(log).toMatchObject({ job: 'log', status: 'Uploading', requestId: 9 });
  });

  it('2.0.1 E01/E06: a TransactionEvent Updated is meter detail only while watched, Started and Ended are fleet', () => {
    const base = { timestamp: AT, triggerReason: 'MeterValuePeriodic', seqNo: 1, transactionInfo: { transactionId: 'X', chargingState: 'Charging' }, evse: { id: 1 } };
    const reading = (value: number) => [{ timestamp: AT, sampledValue: [{ value, unitOfMeasure: { unit: 'Wh' } }] }];
    expect(messagesForCall('CP', 'ocpp2.0.1', 'TransactionEvent', { ...base, eventType: 'Updated', meterValue: reading(5) }, {}, AT, options(false))).toEqual([]);
    expect(messagesForCall('CP', 'ocpp2.0.1', 'TransactionEvent', { ...base, eventType: 'Updated', meterValue: reading(5) }, {}, AT, options(true))).toEqual([
      { type: 'meter', chargerId: 'CP', at: AT, transactionId: 'X', evseId: 1, registerWh: 5, chargingState: 'Charging' },
    ]);
    const ended = messagesForCall('CP', 'ocpp2.0.1', 'TransactionEvent', { ...base, eventType: 'Ended', meterValue: reading(9) }, { totalCost: 3 }, AT, options(true));
    expect(ended.map((m) => m.type)).toEqual(['transaction.ended']);
    expect(ended[0]).toMatchObject({ meterStopWh: 9, totalCost: 3 });
  });

  it('A04: a critical security event is a fleet alert (its type and time, not its techInfo); any other security event is nothing', () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1']) {
      const [alert, ...more] = messagesForCall('CP', protocol, 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: AT, techInfo: 'lid open' }, {}, AT, options());
      expect(more).toEqual([]);
      expect(alert).toEqual({ type: 'security.alert', chargerId: 'CP', at: AT, eventType: 'TamperDetectionActivated', timestamp: AT });
      expect(isFleetMessage(alert!)).toBe(true);
      // Events, not states: two alerts waiting are both sent.
      expect(coalescingKey(alert!)).toBeUndefined();
      expect(messagesForCall('CP', protocol, 'SecurityEventNotification', { type: 'VendorSpecificThing', timestamp: AT }, {}, AT, options(true))).toEqual([]);
    }
  });

  it('redacts secrets it quotes, as events do', () => {
    const [boot] = messagesForCall('CP', 'ocpp2.0.1', 'BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M', serialNumber: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } }, { status: 'Accepted' }, AT, options());
    expect(JSON.stringify(boot)).not.toContain('AAAA');
  });
});
