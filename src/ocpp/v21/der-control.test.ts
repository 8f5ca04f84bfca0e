import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MemoryRecords } from '../../../test/support/memory-records';
import { answerCall } from '../dispatch';
import type { Call } from '../frames';
import type { HandlerContext } from '../handlers';
import { statelessViolation } from '../outbound-rules';
import { PROFILES } from '../protocol';
import { controlsFromReport, derChangesFromCommand, SETTING_FIELD } from './der-control';
import * as V21 from './schemas.generated';

const AT = '2026-12-01T09:00:00.000Z';
const curve = (extra: Record<string, unknown> = {}) => ({ priority: 2, yUnit: 'PctMaxVar', curveData: [{ x: 1, y: 2 }], ...extra });

async function answer(action: string, payload: object, records = new MemoryRecords()) {
  const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.1', messageId: 'm1', now: new Date(AT), connectedAt: new Date(AT), heartbeatIntervalSeconds: 60, records };
  const call: Call = { type: 2, id: 'm1', action, payload: payload as Record<string, unknown> };
  return JSON.parse(await answerCall(PROFILES['ocpp2.1'], call, ctx, { accepted: true }));
}

describe('DER facts from command answers', () => {
  it('SetDERControl: only Accepted installs, with the setting under its field and the answer\'s supersededIds', () => {
    const req = { isDefault: false, controlId: 'c1', controlType: 'VoltVar', curve: curve({ startTime: '2026-12-01T12:00:00+02:00', duration: 60 }) };
    expect(derChangesFromCommand('SetDERControl', req, { status: 'Rejected' }, AT)).toEqual([]);
    expect(derChangesFromCommand('SetDERControl', req, { status: 'NotSupported' }, AT)).toEqual([]);
    expect(derChangesFromCommand('SetDERControl', req, { status: 'Accepted', supersededIds: ['c0'] }, AT)).toEqual([
      {
        op: 'set',
        control: {
          controlId: 'c1',
          controlType: 'VoltVar',
          isDefault: false,
          isSuperseded: false,
          priority: 2,
          startTime: '2026-12-01T10:00:00.000Z',
          duration: 60,
          setting: { curve: req.curve },
        },
        supersededIds: ['c0'],
        at: AT,
      },
    ]);
  });

  it('ClearDERControl: by id alone when it names one, else by isDefault and type; only Accepted', () => {
    expect(derChangesFromCommand('ClearDERControl', { isDefault: true, controlId: 'x', controlType: 'VoltVar' }, { status: 'Accepted' }, AT)).toEqual([
      { op: 'clear', controlId: 'x', at: AT },
    ]);
    expect(derChangesFromCommand('ClearDERControl', { isDefault: false, controlType: 'FixedVar' }, { status: 'Accepted' }, AT)).toEqual([
      { op: 'clear', isDefault: false, controlType: 'FixedVar', at: AT },
    ]);
    expect(derChangesFromCommand('ClearDERControl', { isDefault: false }, { status: 'NotFound' }, AT)).toEqual([]);
  });

  it('GetDERControl: Accepted announces a report of what it asked; NotFound clears that', () => {
    expect(derChangesFromCommand('GetDERControl', { requestId: 4, isDefault: true, controlType: 'WattPF' }, { status: 'Accepted' }, AT)).toEqual([
      { op: 'requested', requestId: 4, isDefault: true, controlType: 'WattPF', at: AT },
    ]);
    expect(derChangesFromCommand('GetDERControl', { requestId: 4, controlId: 'z', controlType: 'WattPF' }, { status: 'NotFound' }, AT)).toEqual([
      { op: 'clear', controlId: 'z', at: AT },
    ]);
    expect(derChangesFromCommand('GetDERControl', { requestId: 4 }, { status: 'Rejected' }, AT)).toEqual([]);
  });
});

describe('ReportDERControl', () => {
  it('lists every type with its flags; EnterService and Gradients as defaults', () => {
    const report = v.parse(V21.ReportDERControlRequest, {
      requestId: 1,
      curve: [{ id: 'a', curveType: 'HVMustTrip', isDefault: true, isSuperseded: false, curve: curve({ yUnit: 'Not_Applicable' }) }],
      enterService: [{ id: 'b', enterService: { priority: 0, highVoltage: 1, lowVoltage: 0, highFreq: 51, lowFreq: 49 } }],
      gradient: [{ id: 'c', gradient: { priority: 0, gradient: 1, softGradient: 1 } }],
      fixedPFInject: [{ id: 'd', isDefault: false, isSuperseded: true, fixedPF: { priority: 3, displacement: 0.9, excitation: false } }],
    });
    expect(controlsFromReport(report).map((c) => [c.controlId, c.controlType, c.isDefault, c.isSuperseded, Object.keys(c.setting)])).toEqual([
      ['a', 'HVMustTrip', true, false, ['curve']],
      ['b', 'EnterService', true, false, ['enterService']],
      ['c', 'Gradients', true, false, ['gradient']],
      ['d', 'FixedPFInject', false, true, ['fixedPFInject']],
    ]);
  });

  it('a part with tbc is not final; the handler records the change before answering, and storage failure is an InternalError', async () => {
    const records = new MemoryRecords();
    expect(await answer('ReportDERControl', { requestId: 9, tbc: true }, records)).toEqual([3, 'm1', {}]);
    expect(records.derChanges).toEqual([{ op: 'reported', requestId: 9, controls: [], final: false, at: AT }]);
    expect(records.reports.map((r) => [r.action, r.requestId])).toEqual([['ReportDERControl', 9]]);
    const failing = new MemoryRecords();
    failing.failing = true;
    expect((await answer('NotifyDERAlarm', { controlType: 'VoltVar', timestamp: AT }, failing))[2]).toBe('InternalError');
  });

  it('alarms and start/stop carry UTC timestamps', async () => {
    const records = new MemoryRecords();
    await answer('NotifyDERAlarm', { controlType: 'LVMustTrip', alarmEnded: true, timestamp: '2026-12-01T11:00:00+02:00' }, records);
    await answer('NotifyDERStartStop', { controlId: 'q', started: true, timestamp: '2026-12-01T11:00:00+02:00', supersededIds: ['p'] }, records);
    expect(records.derChanges).toEqual([
      { op: 'alarm', controlType: 'LVMustTrip', gridEventFault: null, alarmEnded: true, timestamp: '2026-12-01T09:00:00.000Z', extraInfo: null, at: AT },
      { op: 'startStop', controlId: 'q', started: true, timestamp: '2026-12-01T09:00:00.000Z', supersededIds: ['p'], at: AT },
    ]);
  });
});

describe('SetDERControl outbound rules (R04)', () => {
  const broken = (payload: object) => statelessViolation('ocpp2.1', 'SetDERControl', v.parse(V21.SetDERControlRequest, payload))?.requirement;

  it('names its setting field for every control type', () => {
    for (const type of V21.DERControlEnumType.options) expect(SETTING_FIELD[type]).toBeDefined();
  });

  it('passes a control that follows them', () => {
    expect(broken({ isDefault: false, controlId: 'a', controlType: 'VoltVar', curve: curve({ startTime: AT, duration: 60 }) })).toBeUndefined();
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'Gradients', gradient: { priority: 0, gradient: 1, softGradient: 1 } })).toBeUndefined();
    expect(broken({ isDefault: false, controlId: 'a', controlType: 'FixedVar', fixedVar: { priority: 0, setpoint: 1, unit: 'PctMaxVar' } })).toBeUndefined();
  });

  it('refuses what a charger rejects, naming the requirement', () => {
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'FixedVar' })).toBe('R04.FR.16');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'FixedVar', curve: curve() })).toBe('R04.FR.16');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'WattPF', curve: curve({ yUnit: 'Not_Applicable' }), fixedVar: { priority: 0, setpoint: 1, unit: 'PctMaxVar' } })).toBe('R04.FR.17');
    expect(broken({ isDefault: false, controlId: 'a', controlType: 'EnterService', enterService: { priority: 0, highVoltage: 1, lowVoltage: 0, highFreq: 51, lowFreq: 49 } })).toBe('R04.FR.15');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'FixedVar', fixedVar: { priority: 0, setpoint: 1, unit: 'PctMaxVar', duration: 5 } })).toBe('R04.FR.13');
    expect(broken({ isDefault: false, controlId: 'a', controlType: 'VoltVar', curve: curve({ startTime: AT }) })).toBe('R04 DERCurveType.startTime/duration');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'FreqWatt', curve: curve() })).toBe('R04.FR.50');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'LVMayTrip', curve: curve() })).toBe('R04.FR.51');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'VoltVar', curve: curve({ yUnit: 'PctMaxW' }) })).toBe('R04.FR.52');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'VoltWatt', curve: curve() })).toBe('R04.FR.53');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'WattPF', curve: curve() })).toBe('R04.FR.54');
    expect(broken({ isDefault: true, controlId: 'a', controlType: 'WattVar', curve: curve({ yUnit: 'PctMaxW' }) })).toBe('R04.FR.55');
    expect(
      broken({ isDefault: true, controlId: 'a', controlType: 'LimitMaxDischarge', limitMaxDischarge: { priority: 0, powerMonitoringMustTrip: curve() } }),
    ).toBe('R04.FR.56');
  });

  it('applies to 2.1 only', () => {
    expect(statelessViolation('ocpp2.0.1', 'SetDERControl', { isDefault: true, controlId: 'a', controlType: 'FixedVar' })).toBeUndefined();
  });
});
