import { describe, expect, it } from 'vitest';
import { answersSolicitation, isLastPart, JOB_WINDOW_MS, REPORT_WINDOW_MS, solicitationOf, TRIGGER_WINDOW_MS, tookOn } from './solicited';

describe('what a CSMS request lets a charger not yet Accepted send (B02.FR.02, B02.FR.09)', () => {
  it('TriggerMessage: the triggered action, any EVSE; a BootNotification trigger needs no leave', () => {
    expect(solicitationOf('ocpp2.0.1', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1 } })).toEqual({
      actions: ['StatusNotification'],
      parts: false,
      windowMs: TRIGGER_WINDOW_MS,
    });
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

  it('an answer takes the request on when Accepted (or AcceptedCanceled), or when it has no status', () => {
    expect(tookOn({ status: 'Accepted' })).toBe(true);
    expect(tookOn({ status: 'AcceptedCanceled' })).toBe(true);
    expect(tookOn({ fileName: 'diag.zip' })).toBe(true);
    expect(tookOn({ status: 'Rejected' })).toBe(false);
    expect(tookOn({ status: 'EmptyResultSet' })).toBe(false);
    expect(tookOn({ status: 'NotImplemented' })).toBe(false);
  });
});
