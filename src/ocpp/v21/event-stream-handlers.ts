// OCPP 2.1 handlers for periodic event streams: Open/ClosePeriodicEventStream and the SEND-only NotifyPeriodicEventStream.

import { OcppError } from '../errors';
import type { HandlerTable } from '../handlers';
import type * as V21 from './schemas.generated';
import { closedStream, openedStream, streamValuesOf } from './event-streams';

export const eventStreamHandlers: HandlerTable = {
  /** Accepted once the stream is kept: its values that follow then find it. */
  OpenPeriodicEventStream: async (req: V21.OpenPeriodicEventStreamRequest, ctx) => {
    await ctx.records.recordEventStreamChanges([openedStream(req, ctx.now.toISOString())]);
    return { status: 'Accepted' };
  },

  ClosePeriodicEventStream: async (req: V21.ClosePeriodicEventStreamRequest, ctx) => {
    await ctx.records.recordEventStreamChanges([closedStream(req, ctx.now.toISOString())]);
    return {};
  },

  /**
   * Comes with SEND: what it returns is never sent (the dispatch of a SEND drops it). Its points
   * are batched by the records and stored packed; those of a stream the CSMS does not know are
   * kept too, flagged when stored.
   */
  NotifyPeriodicEventStream: async (req: V21.NotifyPeriodicEventStreamRequest, ctx) => {
    const values = streamValuesOf(req);
    if (!values) throw new OcppError('FormatViolation', `basetime "${req.basetime.slice(0, 40)}" is no real date-time, or a t puts a value outside years 0000-9999`);
    await ctx.records.recordEventStreamValues(values);
    return {};
  },
};
