import { describe, expect, it } from 'vitest';
import { answerCall } from './dispatch';
import type { Call } from './frames';
import type { HandlerContext } from './handlers';
import { PROFILES } from './protocol';
import { MemoryRecords } from '../../test/support/memory-records';
import type { OcppVersion } from './versions';

const NOW = new Date('2026-01-02T03:04:05.000Z');
const CONNECTED_AT = new Date('2026-01-02T03:00:00.000Z');

async function answer(version: OcppVersion, action: string, payload: object, records = new MemoryRecords(), accepted = true) {
  const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.0.1', messageId: 'id1', now: NOW, connectedAt: CONNECTED_AT, heartbeatIntervalSeconds: 120, records };
  const call: Call = { type: 2, id: 'id1', action, payload: payload as Record<string, unknown> };
  return JSON.parse(await answerCall(PROFILES[version], call, ctx, { accepted }));
}

describe('answerCall, OCPP 1.6', () => {
  it('answers BootNotification and keeps the boot facts', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'ocpp1.6',
      'BootNotification',
      { chargePointVendor: 'Acme', chargePointModel: 'One', firmwareVersion: '1.2' },
      records,
      false,
    );
    expect(reply).toEqual([3, 'id1', { status: 'Accepted', currentTime: NOW.toISOString(), interval: 120 }]);
    expect(records.boots[0]).toMatchObject({ vendor: 'Acme', model: 'One', firmwareVersion: '1.2' });
  });

  it('keeps StatusNotification per connector, with a normalised timestamp', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'ocpp1.6',
      'StatusNotification',
      { connectorId: 2, errorCode: 'NoError', status: 'Charging', timestamp: '2026-01-02T05:04:05+02:00' },
      records,
    );
    expect(reply).toEqual([3, 'id1', {}]);
    expect(records.statuses).toEqual([
      expect.objectContaining({ evseId: 0, connectorId: 2, status: 'Charging', reportedAt: '2026-01-02T03:04:05.000Z' }),
    ]);
  });

  it('refuses everything but BootNotification before the boot is accepted', async () => {
    const reply = await answer('ocpp1.6', 'Heartbeat', {}, new MemoryRecords(), false);
    expect(reply.slice(0, 3)).toEqual([4, 'id1', 'SecurityError']);
  });

  it('B02.FR.02 / B02.FR.09: answers a request the CSMS solicited before the boot is accepted, and only that one', async () => {
    const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.0.1', messageId: 'id1', now: NOW, connectedAt: CONNECTED_AT, heartbeatIntervalSeconds: 120, records: new MemoryRecords() };
    const solicited = (action: string) => action === 'Heartbeat';
    const call = (action: string): Call => ({ type: 2, id: 'id1', action, payload: {} });
    expect(JSON.parse(await answerCall(PROFILES['ocpp1.6'], call('Heartbeat'), ctx, { accepted: false, solicited }))[0]).toBe(3);
    const other = JSON.parse(await answerCall(PROFILES['ocpp1.6'], call('DiagnosticsStatusNotification'), ctx, { accepted: false, solicited }));
    expect(other.slice(0, 3)).toEqual([4, 'id1', 'SecurityError']);
  });

  it('spells schema failures the 1.6 way', async () => {
    const missing = await answer('ocpp1.6', 'BootNotification', { chargePointVendor: 'Acme' });
    expect(missing[2]).toBe('OccurenceConstraintViolation');
    const tooLong = await answer('ocpp1.6', 'BootNotification', { chargePointVendor: 'x'.repeat(21), chargePointModel: 'm' });
    expect(tooLong[2]).toBe('PropertyConstraintViolation');
    const wrongType = await answer('ocpp1.6', 'StatusNotification', { connectorId: '1', errorCode: 'NoError', status: 'Available' });
    expect(wrongType[2]).toBe('TypeConstraintViolation');
  });

  it('answers unknown actions NotImplemented and unhandled ones NotSupported', async () => {
    expect((await answer('ocpp1.6', 'FooBar', {}))[2]).toBe('NotImplemented');
    expect((await answer('ocpp1.6', 'ClearCache', {}))[2]).toBe('NotSupported');
    expect((await answer('ocpp1.6', 'Reset', { type: 'Soft' }))[2]).toBe('NotSupported');
    expect((await answer('ocpp1.6', 'TransactionEvent', {}))[2]).toBe('NotImplemented');
    expect((await answer('ocpp1.6', '__proto__', {}))[2]).toBe('NotImplemented');
  });

  it('answers InternalError when storage fails, so the charger retries', async () => {
    const records = new MemoryRecords();
    records.failing = true;
    const reply = await answer('ocpp1.6', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }, records);
    expect(reply.slice(0, 3)).toEqual([4, 'id1', 'InternalError']);
  });
});

describe('answerCall, OCPP 2.0.1', () => {
  it('answers BootNotification with the decided status', async () => {
    const records = new MemoryRecords('Pending');
    const reply = await answer(
      'ocpp2.0.1',
      'BootNotification',
      { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Two', modem: { iccid: '123' } } },
      records,
      false,
    );
    expect(reply).toEqual([3, 'id1', { status: 'Pending', currentTime: NOW.toISOString(), interval: 120 }]);
    expect(records.boots[0]).toMatchObject({ vendor: 'Acme', model: 'Two', iccid: '123' });
  });

  it('keeps StatusNotification per EVSE and connector', async () => {
    const records = new MemoryRecords();
    await answer(
      'ocpp2.0.1',
      'StatusNotification',
      { timestamp: '2026-01-02T03:04:05Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 2 },
      records,
    );
    expect(records.statuses[0]).toMatchObject({ evseId: 1, connectorId: 2, status: 'Occupied' });
  });

  it('spells schema failures the 2.0.1 way', async () => {
    const missing = await answer('ocpp2.0.1', 'BootNotification', { reason: 'PowerUp' });
    expect(missing[2]).toBe('OccurrenceConstraintViolation');
    const badEnum = await answer('ocpp2.0.1', 'BootNotification', { reason: 'Bogus', chargingStation: { vendorName: 'a', model: 'b' } });
    expect(badEnum[2]).toBe('PropertyConstraintViolation');
    const extra = await answer('ocpp2.0.1', 'Heartbeat', { surprise: 1 });
    expect(extra[2]).toBe('OccurrenceConstraintViolation');
  });

  it('answers actions that are 1.6 only NotImplemented', async () => {
    expect((await answer('ocpp2.0.1', 'StartTransaction', {}))[2]).toBe('NotImplemented');
  });
});

describe('charging sessions, OCPP 1.6', () => {
  it('answers Authorize from the token decision', async () => {
    const records = new MemoryRecords();
    expect(await answer('ocpp1.6', 'Authorize', { idTag: 'GOOD' }, records)).toEqual([
      3,
      'id1',
      { idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' } },
    ]);
    expect((await answer('ocpp1.6', 'Authorize', { idTag: 'BAD' }, records))[2]).toEqual({ idTagInfo: { status: 'Invalid' } });
  });

  it('records a start with the decision, and marks a start from before this connection as offline', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'ocpp1.6',
      'StartTransaction',
      { connectorId: 1, idTag: 'BAD', meterStart: 1500, timestamp: '2026-01-02T02:00:00Z' },
      records,
    );
    expect(reply).toEqual([3, 'id1', { transactionId: 4242, idTagInfo: { status: 'Invalid' } }]);
    expect(records.starts[0]).toEqual({
      connectorId: 1,
      idTag: 'BAD',
      idTagStatus: 'Invalid',
      meterStartWh: 1500,
      startedAt: '2026-01-02T02:00:00.000Z',
      reservationId: undefined,
    });
    expect(records.tokens[0]).toMatchObject({ idTag: 'BAD', offline: true });
  });

  it('records a stop with its transaction data and the default reason', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'ocpp1.6',
      'StopTransaction',
      {
        transactionId: 7,
        meterStop: 9000,
        timestamp: '2026-01-02T03:04:00Z',
        transactionData: [{ timestamp: '2026-01-02T03:00:00Z', sampledValue: [{ value: '2.5', unit: 'kWh' }] }],
      },
      records,
    );
    expect(reply).toEqual([3, 'id1', {}]);
    expect(records.stops[0]).toMatchObject({ transactionId: 7, meterStopWh: 9000, reason: 'Local' });
    // The stop does not name its connector; the one the transaction started on is used.
    expect(records.meters[0]).toMatchObject({ transactionId: '7', connectorId: 2, samples: [expect.objectContaining({ value: 2500, unit: 'Wh' })] });
  });

  it('answers InternalError when the start cannot be stored', async () => {
    const records = new MemoryRecords();
    records.failing = true;
    const reply = await answer('ocpp1.6', 'StartTransaction', { connectorId: 1, idTag: 'GOOD', meterStart: 0, timestamp: NOW.toISOString() }, records);
    expect(reply[2]).toBe('InternalError');
  });
});

describe('charging sessions, OCPP 2.0.1', () => {
  it('records a TransactionEvent with its meter values and answers idTokenInfo', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'ocpp2.0.1',
      'TransactionEvent',
      {
        eventType: 'Started',
        timestamp: '2026-01-02T03:00:00Z',
        triggerReason: 'Authorized',
        seqNo: 0,
        offline: true,
        transactionInfo: { transactionId: 'tx-1', chargingState: 'Charging', remoteStartId: 12 },
        evse: { id: 1, connectorId: 2 },
        idToken: { idToken: 'GOOD', type: 'ISO14443' },
        meterValue: [{ timestamp: '2026-01-02T03:00:00Z', sampledValue: [{ value: 1.5, context: 'Transaction.Begin', unitOfMeasure: { unit: 'kWh' } }] }],
      },
      records,
    );
    expect(reply).toEqual([3, 'id1', { idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET', type: 'Central' } } }]);
    expect(records.events[0]).toMatchObject({ transactionId: 'tx-1', seqNo: 0, eventType: 'Started', offline: true, remoteStartId: 12, evseId: 1, connectorId: 2, idToken: 'GOOD', idTokenStatus: 'Accepted' });
    expect(records.meters[0]).toMatchObject({ transactionId: 'tx-1', evseId: 1, connectorId: 2, samples: [expect.objectContaining({ value: 1500, context: 'Transaction.Begin' })] });
    expect(records.tokens[0]).toMatchObject({ idTag: 'GOOD', type: 'ISO14443', offline: true });
  });

  it('attributes meter values of an event without evse to the EVSE the transaction runs on', async () => {
    const records = new MemoryRecords();
    await answer(
      'ocpp2.0.1',
      'TransactionEvent',
      {
        eventType: 'Updated',
        timestamp: '2026-01-02T03:10:00Z',
        triggerReason: 'MeterValuePeriodic',
        seqNo: 4,
        transactionInfo: { transactionId: 'tx-9' },
        meterValue: [{ timestamp: '2026-01-02T03:10:00Z', sampledValue: [{ value: 2000 }] }],
      },
      records,
    );
    expect(records.events[0]).toMatchObject({ evseId: 3, connectorId: 2 });
    expect(records.meters[0]).toMatchObject({ evseId: 3, connectorId: 2 });
  });

  it('accepts NoAuthorization tokens without a lookup', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'ocpp2.0.1',
      'TransactionEvent',
      {
        eventType: 'Started',
        timestamp: '2026-01-02T03:00:00Z',
        triggerReason: 'CablePluggedIn',
        seqNo: 0,
        transactionInfo: { transactionId: 'tx-2' },
        idToken: { idToken: '', type: 'NoAuthorization' },
      },
      records,
    );
    expect(reply[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(records.tokens).toEqual([]);
  });
});

describe('notifications, reports and requests', () => {
  it('keeps every 1.6 notification with its message id and request id', async () => {
    const records = new MemoryRecords();
    expect(await answer('ocpp1.6', 'FirmwareStatusNotification', { status: 'Downloading' }, records)).toEqual([3, 'id1', {}]);
    expect(await answer('ocpp1.6', 'LogStatusNotification', { status: 'Uploading', requestId: 12 }, records)).toEqual([3, 'id1', {}]);
    expect(records.reports).toEqual([
      { action: 'FirmwareStatusNotification', messageId: 'id1', receivedAt: NOW.toISOString(), requestId: undefined, payload: { status: 'Downloading' } },
      { action: 'LogStatusNotification', messageId: 'id1', receivedAt: NOW.toISOString(), requestId: 12, payload: { status: 'Uploading', requestId: 12 } },
    ]);
  });

  it('answers DataTransfer from unknown vendors UnknownVendorId, in both versions', async () => {
    expect((await answer('ocpp1.6', 'DataTransfer', { vendorId: 'nobody' }))[2]).toEqual({ status: 'UnknownVendorId' });
    expect((await answer('ocpp2.0.1', 'DataTransfer', { vendorId: 'nobody', data: { a: 1 } }))[2]).toEqual({ status: 'UnknownVendorId' });
  });

  it('routes DataTransfer to a registered vendor hook', async () => {
    const { registerDataTransferHandler } = await import('./data-transfer');
    registerDataTransferHandler('com.example', 'ping', (req, chargerId) => ({ status: 'Accepted', data: { pong: req.data, chargerId } }));
    expect((await answer('ocpp2.0.1', 'DataTransfer', { vendorId: 'com.example', messageId: 'ping', data: 7 }))[2]).toEqual({
      status: 'Accepted',
      data: { pong: 7, chargerId: 'CP1' },
    });
    // 1.6 carries data as text.
    expect((await answer('ocpp1.6', 'DataTransfer', { vendorId: 'com.example', messageId: 'ping', data: '7' }))[2]).toEqual({
      status: 'Accepted',
      data: '{"pong":"7","chargerId":"CP1"}',
    });
    expect((await answer('ocpp1.6', 'DataTransfer', { vendorId: 'com.example', messageId: 'other' }))[2]).toEqual({ status: 'UnknownMessageId' });
  });

  it('keeps certificate requests and says why what needs a provider failed (A02.FR.12; M01.FR.01 without a contract-certificate provider)', async () => {
    const records = new MemoryRecords();
    expect((await answer('ocpp2.0.1', 'SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----' }, records))[2]).toMatchObject({
      status: 'Rejected',
      statusInfo: { reasonCode: 'NoSigner' },
    });
    const ev = await answer('ocpp2.0.1', 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'AAAA' }, records);
    expect(ev[2]).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'NoCertProvider' } });
    expect(records.reports.map((r) => r.action)).toEqual(['SignCertificate', 'Get15118EVCertificate']);
  });
});
