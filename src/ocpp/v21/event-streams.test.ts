import { describe, expect, it } from 'vitest';
import { MemoryRecords } from '../../../test/support/memory-records';
import { answerCall } from '../dispatch';
import type { HandlerContext } from '../handlers';
import { PROFILES } from '../protocol';
import { eventStreamHandlers } from './event-stream-handlers';
import { eventStreamChangesFromCommand, monitorsFromReport, streamValuesOf } from './event-streams';

const NOW = new Date('2026-07-01T10:00:00.000Z');
const context = (records: MemoryRecords): HandlerContext => ({
  chargerId: 'CP1',
  version: 'ocpp2.1',
  messageId: 'm1',
  now: NOW,
  connectedAt: NOW,
  heartbeatIntervalSeconds: 120,
  records,
});
const OPEN = { constantStreamData: { id: 3, variableMonitoringId: 17, params: { interval: 10, values: 5, customData: { vendorId: 'x' } } } };

describe('periodic event streams (2.1)', () => {
  it('OpenPeriodicEventStream is Accepted once the stream is kept, with its monitor and params (customData left out)', async () => {
    const records = new MemoryRecords();
    const answer = JSON.parse(await answerCall(PROFILES['ocpp2.1'], { type: 2, id: 'm1', action: 'OpenPeriodicEventStream', payload: OPEN }, context(records), { accepted: true }));
    expect(answer).toEqual([3, 'm1', { status: 'Accepted' }]);
    expect(records.streamChanges).toEqual([{ op: 'open', streamId: 3, variableMonitoringId: 17, params: { interval: 10, values: 5 }, at: NOW.toISOString() }]);
  });

  it('is answered InternalError, not Accepted, when the stream cannot be kept', async () => {
    const records = new MemoryRecords();
    records.failing = true;
    const answer = JSON.parse(await answerCall(PROFILES['ocpp2.1'], { type: 2, id: 'm1', action: 'OpenPeriodicEventStream', payload: OPEN }, context(records), { accepted: true }));
    expect(answer.slice(0, 3)).toEqual([4, 'm1', 'InternalError']);
  });

  it('ClosePeriodicEventStream ends the stream', async () => {
    const records = new MemoryRecords();
    const answer = JSON.parse(await answerCall(PROFILES['ocpp2.1'], { type: 2, id: 'm2', action: 'ClosePeriodicEventStream', payload: { id: 3 } }, context(records), { accepted: true }));
    expect(answer).toEqual([3, 'm2', {}]);
    expect(records.streamChanges).toEqual([{ op: 'close', streamId: 3, at: NOW.toISOString() }]);
  });

  it('NotifyPeriodicEventStream: each point at basetime + t seconds (fractions to the millisecond), in any offset', async () => {
    const records = new MemoryRecords();
    await eventStreamHandlers.NotifyPeriodicEventStream!(
      { id: 3, pending: 0, basetime: '2026-07-01T12:00:00+02:00', data: [{ t: 0, v: '230.1' }, { t: 1.5, v: '230.4' }, { t: -0.25, v: 'x' }] } as never,
      context(records),
    );
    expect(records.streamValues).toEqual([
      { streamId: 3, points: [[Date.parse('2026-07-01T10:00:00Z'), '230.1'], [Date.parse('2026-07-01T10:00:01.5Z'), '230.4'], [Date.parse('2026-07-01T09:59:59.750Z'), 'x']] },
    ]);
  });

  it('NotifyPeriodicEventStream with a basetime that is no date is refused, nothing kept', async () => {
    const records = new MemoryRecords();
    await expect(
      eventStreamHandlers.NotifyPeriodicEventStream!({ id: 3, pending: 0, basetime: '2026-02-30T00:00:00Z', data: [{ t: 0, v: '1' }] } as never, context(records)),
    ).rejects.toMatchObject({ kind: 'FormatViolation' });
    expect(records.streamValues).toEqual([]);
    expect(streamValuesOf({ id: 1, pending: 0, basetime: 'nope', data: [{ t: 0, v: '1' }] })).toBeNull();
    // A t that puts a point past year 9999 (or at no instant at all) refuses the message: it could never be stored.
    expect(streamValuesOf({ id: 1, pending: 0, basetime: '2026-01-01T00:00:00Z', data: [{ t: 0, v: '1' }, { t: 1e12, v: '2' }] })).toBeNull();
    expect(streamValuesOf({ id: 1, pending: 0, basetime: '2026-01-01T00:00:00Z', data: [{ t: 1e300, v: '2' }] })).toBeNull();
  });

  it('AdjustPeriodicEventStream changes the params only when Accepted', () => {
    const at = NOW.toISOString();
    expect(eventStreamChangesFromCommand('AdjustPeriodicEventStream', { id: 3, params: { interval: 60 } }, { status: 'Accepted' }, at)).toEqual([
      { op: 'adjust', streamId: 3, params: { interval: 60 }, at },
    ]);
    expect(eventStreamChangesFromCommand('AdjustPeriodicEventStream', { id: 3, params: { interval: 60 } }, { status: 'Rejected' }, at)).toEqual([]);
  });

  it('GetPeriodicEventStream: the answer is the whole list of open streams (none when it lists none)', () => {
    const at = NOW.toISOString();
    expect(eventStreamChangesFromCommand('GetPeriodicEventStream', {}, { constantStreamData: [OPEN.constantStreamData] }, at)).toEqual([
      { op: 'reconcile', open: [{ streamId: 3, variableMonitoringId: 17, params: { interval: 10, values: 5 } }], at },
    ]);
    expect(eventStreamChangesFromCommand('GetPeriodicEventStream', {}, {}, at)).toEqual([{ op: 'reconcile', open: [], at }]);
  });

  it('SetVariableMonitoring: the monitors the charger accepted, with the value asked for; ClearVariableMonitoring: those it cleared', () => {
    const at = NOW.toISOString();
    const component = { name: 'EVSE', evse: { id: 1 } };
    const variable = { name: 'Power' };
    const request = {
      setMonitoringData: [
        { value: 7000, type: 'UpperThreshold', severity: 5, transaction: true, component, variable },
        { value: 1, type: 'Delta', severity: 5, component, variable: { name: 'Voltage' } },
      ],
    };
    const result = {
      setMonitoringResult: [
        { id: 17, status: 'Accepted', type: 'UpperThreshold', severity: 5, component, variable },
        { status: 'Rejected', type: 'Delta', severity: 5, component, variable: { name: 'Voltage' } },
      ],
    };
    expect(eventStreamChangesFromCommand('SetVariableMonitoring', request, result, at)).toEqual([
      { op: 'monitors', set: [{ monitorId: 17, component, variable, type: 'UpperThreshold', value: 7000, severity: 5, transaction: true }], at, source: 'SetVariableMonitoring' },
    ]);
    expect(
      eventStreamChangesFromCommand('ClearVariableMonitoring', { id: [17, 18] }, { clearMonitoringResult: [{ id: 17, status: 'Accepted' }, { id: 18, status: 'NotFound' }] }, at),
    ).toEqual([{ op: 'clearMonitors', monitorIds: [17], at }]);
    expect(eventStreamChangesFromCommand('Reset', { type: 'Immediate' }, { status: 'Accepted' }, at)).toEqual([]);
  });

  it('NotifyMonitoringReport: every monitor of the part, with its severity and transaction flag, learnt as reported', () => {
    const at = NOW.toISOString();
    const component = { name: 'Connector', evse: { id: 1, connectorId: 1 } };
    const report = {
      requestId: 3,
      seqNo: 0,
      generatedAt: at,
      monitor: [
        {
          component,
          variable: { name: 'Temperature' },
          variableMonitoring: [
            { id: 40, transaction: false, value: 80, type: 'UpperThreshold', severity: 3 },
            { id: 41, transaction: true, value: 5, type: 'Delta', severity: 7 },
          ],
        },
      ],
    } as Parameters<typeof monitorsFromReport>[0];
    expect(monitorsFromReport(report, at)).toEqual([
      {
        op: 'monitors',
        at,
        source: 'NotifyMonitoringReport',
        requestId: 3,
        set: [
          { monitorId: 40, component, variable: { name: 'Temperature' }, type: 'UpperThreshold', value: 80, severity: 3, transaction: false },
          { monitorId: 41, component, variable: { name: 'Temperature' }, type: 'Delta', value: 5, severity: 7, transaction: true },
        ],
      },
    ]);
    // A part without monitors (the charger has none matching) tells nothing.
    expect(monitorsFromReport({ requestId: 3, seqNo: 0, generatedAt: at } as Parameters<typeof monitorsFromReport>[0], at)).toEqual([]);
  });
});
