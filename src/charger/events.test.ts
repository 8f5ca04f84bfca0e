import { describe, expect, it } from 'vitest';
import { endedTransactionId, eventsFor } from './events';

const AT = '2026-01-01T00:00:00.000Z';

describe('eventsFor', () => {
  it('announces 1.6 transactions with the id the CSMS assigned', () => {
    expect(eventsFor('CP', 'ocpp1.6', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 10, timestamp: AT }, { transactionId: 7, idTagInfo: { status: 'Accepted' } }, AT)).toEqual([
      { type: 'transaction.started', chargerId: 'CP', protocol: 'ocpp1.6', at: AT, data: { transactionId: '7', connectorId: 1, idTag: 'T', meterStartWh: 10, timestamp: AT, idTagStatus: 'Accepted' } },
    ]);
    expect(eventsFor('CP', 'ocpp1.6', 'StopTransaction', { transactionId: 7, meterStop: 99, timestamp: AT }, {}, AT)[0]).toMatchObject({
      type: 'transaction.ended',
      data: { transactionId: '7', meterStopWh: 99, reason: 'Local' },
    });
  });

  it('announces 2.0.1 Started and Ended events, not Updated ones', () => {
    const base = { timestamp: AT, triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'X', stoppedReason: 'EVDisconnected' } };
    expect(eventsFor('CP', 'ocpp2.0.1', 'TransactionEvent', { ...base, eventType: 'Started' }, {}, AT)[0]?.type).toBe('transaction.started');
    expect(eventsFor('CP', 'ocpp2.0.1', 'TransactionEvent', { ...base, eventType: 'Updated' }, {}, AT)).toEqual([]);
    expect(eventsFor('CP', 'ocpp2.0.1', 'TransactionEvent', { ...base, eventType: 'Ended' }, {}, AT)[0]).toMatchObject({
      type: 'transaction.ended',
      data: { transactionId: 'X', reason: 'EVDisconnected' },
    });
  });

  it('marks a repeated end duplicate, and names the transaction a CALL ends', () => {
    const ended = { eventType: 'Ended', timestamp: AT, triggerReason: 'EVDeparted', seqNo: 3, transactionInfo: { transactionId: 'X' } };
    expect(eventsFor('CP', 'ocpp2.0.1', 'TransactionEvent', ended, {}, AT, true)[0]?.data).toMatchObject({ transactionId: 'X', duplicate: true });
    expect(eventsFor('CP', 'ocpp2.0.1', 'TransactionEvent', ended, {}, AT)[0]?.data).not.toHaveProperty('duplicate');
    expect(eventsFor('CP', 'ocpp1.6', 'StopTransaction', { transactionId: 7, meterStop: 99, timestamp: AT }, {}, AT, true)[0]?.data).toMatchObject({ duplicate: true });
    expect(endedTransactionId('StopTransaction', { transactionId: 7 })).toBe('7');
    expect(endedTransactionId('TransactionEvent', ended)).toBe('X');
    expect(endedTransactionId('TransactionEvent', { ...ended, eventType: 'Updated' })).toBeUndefined();
    expect(endedTransactionId('MeterValues', {})).toBeUndefined();
  });

  it('announces statuses and security events, and nothing for the rest', () => {
    expect(eventsFor('CP', 'ocpp1.6', 'StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' }, {}, AT)[0]).toMatchObject({
      type: 'connector.status',
      data: { status: 'Faulted', errorCode: 'GroundFailure' },
    });
    expect(eventsFor('CP', 'ocpp2.0.1', 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: AT }, {}, AT)[0]?.type).toBe('security.event');
    expect(eventsFor('CP', 'ocpp2.0.1', 'Heartbeat', {}, { currentTime: AT }, AT)).toEqual([]);
  });

  it('A04.FR.01: a critical security event is also a security.alert; a non-critical one is not', () => {
    expect(eventsFor('CP', 'ocpp2.0.1', 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: AT, techInfo: 'lid' }, {}, AT)).toEqual([
      { type: 'security.event', chargerId: 'CP', protocol: 'ocpp2.0.1', at: AT, data: { type: 'TamperDetectionActivated', timestamp: AT, techInfo: 'lid', critical: true } },
      { type: 'security.alert', chargerId: 'CP', protocol: 'ocpp2.0.1', at: AT, data: { type: 'TamperDetectionActivated', timestamp: AT, techInfo: 'lid' } },
    ]);
    expect(eventsFor('CP', 'ocpp1.6', 'SecurityEventNotification', { type: 'SecurityLogWasCleared', timestamp: AT }, {}, AT).map((e) => e.type)).toEqual([
      'security.event',
      'security.alert',
    ]);
    const plain = eventsFor('CP', 'ocpp2.0.1', 'SecurityEventNotification', { type: 'FailedToAuthenticateAtCsms', timestamp: AT }, {}, AT);
    expect(plain.map((e) => e.type)).toEqual(['security.event']);
    expect(plain[0]?.data.critical).toBe(false);
    expect(eventsFor('CP', 'ocpp2.0.1', 'SecurityEventNotification', { type: 'AcmeVendorThing', timestamp: AT }, {}, AT).map((e) => e.type)).toEqual(['security.event']);
  });

  it('sends no secret out: a private key quoted in a security event is redacted', () => {
    const techInfo = 'key dump: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- end';
    const events = eventsFor('CP', 'ocpp2.0.1', 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: AT, techInfo }, {}, AT);
    expect(events.map((event) => event.data.techInfo)).toEqual(['key dump: <redacted> end', 'key dump: <redacted> end']);
  });
});
