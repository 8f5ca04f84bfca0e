// OCPP 2.1 DER control, charger side (R04, R05): reports, start/stop notifications and alarms, kept and turned into the inventory.

import type { Handler } from '../handlers';
import { keepAndAnswer } from '../reports';
import { changeFromAlarm, changeFromReport, changeFromStartStop } from './der-control';
import type * as V21 from './schemas.generated';

/**
 * Each message is kept as sent (reports API) and its change of the inventory recorded; both are
 * durable before the empty answer leaves. A replay records the same change again, which the store
 * applies once (store/der-controls.ts).
 */
export const derHandlers = {
  ReportDERControl: keepAndAnswer<V21.ReportDERControlRequest, V21.ReportDERControlResponse>('ReportDERControl', async (req, ctx) => {
    await ctx.records.recordDerChanges([changeFromReport(req, ctx.now.toISOString())]);
    return {};
  }),
  NotifyDERStartStop: keepAndAnswer<V21.NotifyDERStartStopRequest, V21.NotifyDERStartStopResponse>('NotifyDERStartStop', async (req, ctx) => {
    await ctx.records.recordDerChanges([changeFromStartStop(req, ctx.now.toISOString())]);
    return {};
  }),
  NotifyDERAlarm: keepAndAnswer<V21.NotifyDERAlarmRequest, V21.NotifyDERAlarmResponse>('NotifyDERAlarm', async (req, ctx) => {
    await ctx.records.recordDerChanges([changeFromAlarm(req, ctx.now.toISOString())]);
    return {};
  }),
} satisfies Record<string, Handler<any, Record<string, unknown>>>;
