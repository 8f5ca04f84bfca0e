// OCPP 2.1 periodic event streams: what the stream messages and the stream commands' answers tell the CSMS to keep.
//
// A charger opens a stream (OpenPeriodicEventStream) to send the values one of its monitors
// reports, in batches, with SEND (NotifyPeriodicEventStream, never answered); it closes it with
// ClosePeriodicEventStream. The CSMS changes a stream's rate with AdjustPeriodicEventStream and
// asks for the open ones with GetPeriodicEventStream. This module turns each of those into facts
// (EventStreamChange, EventStreamValues) for the records to keep; it knows nothing of storage.

import type * as V201 from '../v201/schemas.generated';
import type * as V21 from './schemas.generated';
import { toUtcIso } from '../timestamps';

/** PeriodicEventStreamParamsType: how often the charger sends (seconds), and how many values at a time; either may be absent. */
export interface StreamParams {
  interval?: number;
  values?: number;
}

/** A stream as ConstantStreamDataType describes it. */
export interface StreamDefinition {
  streamId: number;
  variableMonitoringId: number;
  params: StreamParams;
}

/** What a monitor watches, as SetVariableMonitoring set it or NotifyMonitoringReport reported it (the component and variable as OCPP sent them). */
export interface MonitorTarget {
  monitorId: number;
  component: Record<string, unknown>;
  variable: Record<string, unknown>;
  type: string;
  value: number;
  /** Absent from facts kept before severities were (their monitors show none). */
  severity?: number;
  /** Whether the monitor is active only during a transaction (SetMonitoringData / VariableMonitoringType `transaction`). */
  transaction?: boolean;
}

export type EventStreamChange =
  /** OpenPeriodicEventStream: the stream exists from now (a stream id used before is opened afresh). */
  | ({ op: 'open'; at: string } & StreamDefinition)
  /** ClosePeriodicEventStream: the charger stopped the stream. */
  | { op: 'close'; streamId: number; at: string }
  /** AdjustPeriodicEventStream, Accepted: the stream sends at its new rate. */
  | { op: 'adjust'; streamId: number; params: StreamParams; at: string }
  /** GetPeriodicEventStream's answer: exactly these streams are open; any other one open here was closed unseen. */
  | { op: 'reconcile'; open: StreamDefinition[]; at: string }
  /**
   * SetVariableMonitoring, Accepted, or a NotifyMonitoringReport (`source`; absent: the former):
   * the charger's monitors, those a stream may name among them.
   */
  | { op: 'monitors'; set: MonitorTarget[]; at: string; source?: 'SetVariableMonitoring' | 'NotifyMonitoringReport'; requestId?: number }
  /** ClearVariableMonitoring, Accepted: those monitors are gone. */
  | { op: 'clearMonitors'; monitorIds: number[]; at: string };

/**
 * One NotifyPeriodicEventStream's data, or several of one stream merged: each point as
 * [milliseconds since the epoch (basetime + t), value as sent].
 */
export interface EventStreamValues {
  streamId: number;
  points: Array<[atMs: number, value: string]>;
}

function definitionOf(data: V21.ConstantStreamDataType): StreamDefinition {
  return { streamId: data.id, variableMonitoringId: data.variableMonitoringId, params: paramsOf(data.params) };
}

/** The params as kept: customData left out, absent fields absent. */
export function paramsOf(params: V21.PeriodicEventStreamParamsType): StreamParams {
  return {
    ...(params.interval === undefined ? {} : { interval: params.interval }),
    ...(params.values === undefined ? {} : { values: params.values }),
  };
}

export function openedStream(req: V21.OpenPeriodicEventStreamRequest, at: string): EventStreamChange {
  return { op: 'open', ...definitionOf(req.constantStreamData), at };
}

export function closedStream(req: V21.ClosePeriodicEventStreamRequest, at: string): EventStreamChange {
  return { op: 'close', streamId: req.id, at };
}

/** The instants a point may have: years 0000 to 9999, as ISO 8601 writes them (and the store keys them by hour). */
const EARLIEST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The points of a NotifyPeriodicEventStream: each `t` is seconds after `basetime` (a fraction of
 * one is kept to the millisecond). Null when `basetime` is no real date-time, or a `t` puts a
 * point outside years 0000–9999: such a message is refused whole, as a point with no instant
 * could never be stored (and would hold up every fact behind it in the outbox).
 */
export function streamValuesOf(req: V21.NotifyPeriodicEventStreamRequest): EventStreamValues | null {
  const base = toUtcIso(req.basetime);
  if (base === null) return null;
  const baseMs = Date.parse(base);
  const points = req.data.map((d): [number, string] => [baseMs + Math.round(d.t * 1000), d.v]);
  if (points.some(([atMs]) => !Number.isFinite(atMs) || atMs < EARLIEST_MS || atMs > LATEST_MS)) return null;
  return { streamId: req.id, points };
}

/** What an answered stream or monitoring command tells of the charger's streams and monitors (see charger/commands.ts commandEffects). */
export function eventStreamChangesFromCommand(action: string, request: unknown, result: unknown, at: string): EventStreamChange[] {
  if (action === 'AdjustPeriodicEventStream') {
    if ((result as V21.AdjustPeriodicEventStreamResponse).status !== 'Accepted') return [];
    const req = request as V21.AdjustPeriodicEventStreamRequest;
    return [{ op: 'adjust', streamId: req.id, params: paramsOf(req.params), at }];
  }
  if (action === 'GetPeriodicEventStream') {
    // No constantStreamData: the charger has no stream open.
    const open = (result as V21.GetPeriodicEventStreamResponse).constantStreamData ?? [];
    return [{ op: 'reconcile', open: open.map(definitionOf), at }];
  }
  if (action === 'SetVariableMonitoring') {
    // 2.0.1 and 2.1 answer alike: each result names its monitor's id once Accepted (N04.FR.09).
    const results = (result as V201.SetVariableMonitoringResponse).setMonitoringResult;
    const set = results
      .filter((r) => r.status === 'Accepted' && r.id !== undefined)
      .map((r) => {
        const asked = monitorAsked(request, r);
        return {
          monitorId: r.id!,
          component: r.component as Record<string, unknown>,
          variable: r.variable as Record<string, unknown>,
          type: r.type,
          value: asked?.value ?? 0,
          severity: r.severity,
          // OCPP's default: a monitor is active all the time unless set for transactions.
          transaction: asked?.transaction ?? false,
        };
      });
    return set.length === 0 ? [] : [{ op: 'monitors', set, at, source: 'SetVariableMonitoring' }];
  }
  if (action === 'ClearVariableMonitoring') {
    const results = (result as V201.ClearVariableMonitoringResponse).clearMonitoringResult;
    const monitorIds = results.filter((r) => r.status === 'Accepted').map((r) => r.id);
    return monitorIds.length === 0 ? [] : [{ op: 'clearMonitors', monitorIds, at }];
  }
  return [];
}

/** The request's entry for a monitor the answer names (the answer carries no value): matched by id, else by component, variable and type. */
function monitorAsked(request: unknown, result: V201.SetMonitoringResultType): V201.SetMonitoringDataType | undefined {
  const data = (request as V201.SetVariableMonitoringRequest).setMonitoringData;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    data.find((d) => d.id !== undefined && d.id === result.id) ??
    data.find((d) => d.type === result.type && same(d.component, result.component) && same(d.variable, result.variable))
  );
}

/**
 * The monitors a NotifyMonitoringReport part (2.0.1 or 2.1) tells of, as the charger has them:
 * each of its variableMonitoring entries under its component and variable. Learnt into the same
 * inventory SetVariableMonitoring and ClearVariableMonitoring keep, so it shows what the charger reported.
 */
export function monitorsFromReport(req: V201.NotifyMonitoringReportRequest, at: string): EventStreamChange[] {
  const set = (req.monitor ?? []).flatMap((m) =>
    m.variableMonitoring.map((vm) => ({
      monitorId: vm.id,
      component: m.component as Record<string, unknown>,
      variable: m.variable as Record<string, unknown>,
      type: vm.type,
      value: vm.value,
      severity: vm.severity,
      transaction: vm.transaction,
    })),
  );
  return set.length === 0 ? [] : [{ op: 'monitors', set, at, source: 'NotifyMonitoringReport', requestId: req.requestId }];
}
