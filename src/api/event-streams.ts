// /api/v1/chargers/{chargerId}/event-streams — a 2.1 charger's periodic event streams and the values they sent.

import { Hono } from 'hono';
import type { Env } from '../env';
import { isSecretVariable, REDACTED, redactPrivateKeys, type WriteOnlyLookup } from '../ocpp/secrets';
import { EventStreamArchiveStore, withArchivedPoints } from '../store/event-stream-archive';
import { EventStreamStore, type StoredEventStream, type StreamState } from '../store/event-streams';
import { ArchiveUnreadable } from '../store/meter-archive';
import { ReportViewStore } from '../store/report-views';
import { VariableMonitorStore, type KnownMonitor } from '../store/variable-monitors';
import { freshCharger } from './charger-views';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';

/** Mounted at /api/v1/chargers. */
export const eventStreamRoutes = new Hono<{ Bindings: Env }>();

export const STREAM_STATES = ['open', 'closed', 'unannounced'] as const;
/** A stream's values come a page at a time; a stream sending every second fills a few pages an hour. */
export const STREAM_VALUES_PAGE = 500;

const BAD_CURSOR = 'cursor must be a nextCursor from an earlier page';
/** Stream ids are OCPP integers ≥ 0. */
const STREAM_ID = /^\d{1,10}$/;

eventStreamRoutes.get('/:chargerId/event-streams', freshCharger, async (c) => {
  const state = c.req.query('state');
  if (state !== undefined && !(STREAM_STATES as readonly string[]).includes(state)) {
    return apiError(c, 400, 'InvalidParameter', `state must be one of ${STREAM_STATES.join(', ')}`);
  }
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && !STREAM_ID.test(cursor)) return apiError(c, 400, 'InvalidParameter', BAD_CURSOR);
  const chargerId = c.req.param('chargerId');
  const store = new EventStreamStore(c.env.DB);
  const { streams, more } = await store.list(chargerId, {
    state: state as StreamState | undefined,
    limit,
    afterStreamId: cursor === undefined ? undefined : Number(cursor),
  });
  const monitors = await new VariableMonitorStore(c.env.DB).targets(chargerId, streams.flatMap((s) => (s.variableMonitoringId === null ? [] : [s.variableMonitoringId])));
  return c.json({
    eventStreams: streams.map((s) => streamView(s, monitors)),
    nextCursor: more ? String(streams.at(-1)!.streamId) : null,
  });
});

eventStreamRoutes.get('/:chargerId/event-streams/:streamId/values', freshCharger, async (c) => {
  const streamIdText = c.req.param('streamId');
  if (!STREAM_ID.test(streamIdText)) return apiError(c, 400, 'InvalidParameter', 'streamId must be an integer of 0 or more');
  const limit = readLimit(c, STREAM_VALUES_PAGE);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && !/^-?\d{1,16}$/.test(cursor)) return apiError(c, 400, 'InvalidParameter', BAD_CURSOR);
  const chargerId = c.req.param('chargerId');
  const streamId = Number(streamIdText);
  const store = new EventStreamStore(c.env.DB);
  const stream = await store.get(chargerId, streamId);
  if (!stream) return apiError(c, 404, 'UnknownEventStream', `Charger "${chargerId}" has sent no stream ${streamId}`);
  const monitors = await new VariableMonitorStore(c.env.DB).targets(chargerId, stream.variableMonitoringId === null ? [] : [stream.variableMonitoringId]);
  const view = streamView(stream, monitors);
  const page = {
    fromMs: range.from === undefined ? 0 : Date.parse(range.from),
    toMs: range.to === undefined ? Date.parse('9999-12-31T23:59:59.999Z') : Date.parse(range.to),
    limit,
    afterMs: cursor === undefined ? undefined : Number(cursor),
  };
  let points;
  let more;
  try {
    // Days past the retention window are in R2 (archive/event-stream-archiver.ts): served merged in, as meter values are.
    ({ points, more } = await withArchivedPoints(new EventStreamArchiveStore(c.env.DB, c.env.ARCHIVE), chargerId, streamId, page, await store.points(chargerId, streamId, page)));
  } catch (error) {
    if (!(error instanceof ArchiveUnreadable)) throw error;
    console.error(JSON.stringify({ level: 'error', what: 'event-stream-archive-read', path: c.req.path, error: String(error) }));
    return apiError(c, 503, 'ArchiveUnavailable', `Some of this stream's values are archived in R2 and cannot be read now: ${error.message}`);
  }
  const shown = valueShown(view.monitor, await new ReportViewStore(c.env.DB).writeOnly(chargerId));
  return c.json({
    eventStream: view,
    values: points.map((p) => ({ timestamp: new Date(p.atMs).toISOString(), value: shown(p.value), unannounced: p.unannounced })),
    nextCursor: more ? String(points.at(-1)!.atMs) : null,
  });
});

type MonitorView = Omit<KnownMonitor, 'monitorId'>;

function streamView(s: StoredEventStream, monitors: Map<number, KnownMonitor>) {
  const known = s.variableMonitoringId === null ? undefined : monitors.get(s.variableMonitoringId);
  let monitor: MonitorView | null = null;
  if (known) {
    const { monitorId: _id, ...rest } = known;
    monitor = rest;
  }
  return { ...s, monitor };
}

/**
 * What a value is shown as: a stream of a monitor on a secret variable (a credential, or one the
 * charger reported WriteOnly) shows none of its values, as NotifyEvent's actualValue is redacted;
 * PEM private keys are cut out of any other.
 */
function valueShown(monitor: MonitorView | null, writeOnly: WriteOnlyLookup): (value: string) => string {
  const component = typeof monitor?.component.name === 'string' ? monitor.component.name : '';
  const variable = typeof monitor?.variable.name === 'string' ? monitor.variable.name : '';
  if (monitor && isSecretVariable(component, variable, null, writeOnly)) return () => REDACTED;
  return redactPrivateKeys;
}
