import { describe, expect, it } from 'vitest';
import { answersSolicitation, isLastPart, JOB_WINDOW_MS, REPORT_WINDOW_MS, solicitationOf, TRIGGER_WINDOW_MS, tookOn } from './solicited';

describe('what a CSMS request lets a charger not yet Accepted send (B02.FR.02, B02.FR.09)', () => {
  it('TriggerMessage: the triggered action, on the EVSE / connector it named; a BootNotification trigger needs no leave', () => {
    expect(solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1 } })).toEqual({
      actions: ['StatusNotification'],
      parts: false,
      windowMs: TRIGGER_WINDOW_MS,
      where: { evseId: 1 },
    });
    expect(solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 2 } })?.where).toEqual({ evseId: 1, connectorId: 2 });
    expect(solicitationOf('ocpp1.6', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 })?.where).toEqual({ connectorId: 2 });
    expect(solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'Heartbeat' })).not.toHaveProperty('where');
    expect(solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' })?.actions).toEqual(['SignCertificate']);
    expect(solicitationOf('ocpp1.6', 'ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' })?.actions).toEqual(['SignCertificate']);
    expect(solicitationOf('ocpp1.6', 'TriggerMessage', { requestedMessage: 'BootNotification' })).toBeUndefined();
  });

  it('reports by requestId, in parts; jobs by their status notifications', () => {
    expect(solicitationOf('ocpp2.0.1', 'GetReport', { requestId: 3 })).toEqual({ actions: ['NotifyReport'], requestId: 3, parts: true, windowMs: REPORT_WINDOW_MS });
    expect(solicitationOf('ocpp2.0.1', 'UpdateFirmware', { requestId: 4, firmware: {} })).toMatchObject({ actions: ['FirmwareStatusNotification'], requestId: 4, parts: false, windowMs: JOB_WINDOW_MS });
    expect(solicitationOf('ocpp1.6', 'GetDiagnostics', { location: 'ftp://x' })).toEqual({ actions: ['DiagnosticsStatusNotification'], parts: false, windowMs: JOB_WINDOW_MS });
    expect(solicitationOf('ocpp2.0.1', 'SetVariables', { setVariableData: [] })).toBeUndefined();
    expect(solicitationOf('ocpp2.0.1', 'GetDiagnostics', {})).toBeUndefined();
  });

  it('matches by action and requestId; a report ends with its part whose tbc is not true', () => {
    const report = { actions: ['NotifyReport'], requestId: 3 };
    expect(answersSolicitation(report, 'NotifyReport', { requestId: 3 })).toBe(true);
    expect(answersSolicitation(report, 'NotifyReport', { requestId: 4 })).toBe(false);
    expect(answersSolicitation(report, 'NotifyEvent', { requestId: 3 })).toBe(false);
    expect(answersSolicitation({ actions: ['Heartbeat'] }, 'Heartbeat', {})).toBe(true);
    expect(isLastPart({ tbc: true })).toBe(false);
    expect(isLastPart({ tbc: false })).toBe(true);
    expect(isLastPart({})).toBe(true);
  });

  it('F06.FR.02 (the requested message leads): a trigger naming an EVSE / connector lets through only messages for it, or naming none', () => {
    const status201 = solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 2 } })!;
    const at = (evseId: number, connectorId: number) => ({ timestamp: 't', connectorStatus: 'Available', evseId, connectorId });
    expect(answersSolicitation(status201, 'StatusNotification', at(1, 2))).toBe(true);
    expect(answersSolicitation(status201, 'StatusNotification', at(1, 1))).toBe(false);
    expect(answersSolicitation(status201, 'StatusNotification', at(2, 2))).toBe(false);
    // Only the EVSE named: any of its connectors.
    const evse1 = solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1 } })!;
    expect(answersSolicitation(evse1, 'StatusNotification', at(1, 3))).toBe(true);
    expect(answersSolicitation(evse1, 'StatusNotification', at(2, 1))).toBe(false);
    // MeterValues carry an EVSE, no connector; a TransactionEvent its evse when it names one.
    const meter = solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1, connectorId: 1 } })!;
    expect(answersSolicitation(meter, 'MeterValues', { evseId: 1, meterValue: [] })).toBe(true);
    expect(answersSolicitation(meter, 'MeterValues', { evseId: 2, meterValue: [] })).toBe(false);
    const tx = solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 2 } })!;
    expect(answersSolicitation(tx, 'TransactionEvent', { eventType: 'Updated', evse: { id: 2, connectorId: 1 } })).toBe(true);
    expect(answersSolicitation(tx, 'TransactionEvent', { eventType: 'Updated', evse: { id: 1 } })).toBe(false);
    expect(answersSolicitation(tx, 'TransactionEvent', { eventType: 'Updated' })).toBe(true);
    // An EVSE irrelevant to the requested message is ignored.
    const heartbeat = solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'Heartbeat', evse: { id: 1 } })!;
    expect(answersSolicitation(heartbeat, 'Heartbeat', {})).toBe(true);
    // 1.6 §5.17: connectorId.
    const status16 = solicitationOf('ocpp1.6', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 })!;
    expect(answersSolicitation(status16, 'StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available' })).toBe(true);
    expect(answersSolicitation(status16, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).toBe(false);
    // No connector named: all of them (1.6 §5.17).
    const all16 = solicitationOf('ocpp1.6', 'TriggerMessage', { requestedMessage: 'StatusNotification' })!;
    expect(answersSolicitation(all16, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).toBe(true);
  });

  it('an answer takes the request on when Accepted (or AcceptedCanceled), or when it has no status', () => {
    expect(tookOn({ status: 'Accepted' })).toBe(true);
    expect(tookOn({ status: 'AcceptedCanceled' })).toBe(true);
    expect(tookOn({ fileName: 'diag.zip' })).toBe(true);
    expect(tookOn({ status: 'Rejected' })).toBe(false);
    expect(tookOn({ status: 'EmptyResultSet' })).toBe(false);
    expect(tookOn({ status: 'NotImplemented' })).toBe(false);
  });
});
