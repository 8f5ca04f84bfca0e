// Handlers for charger messages whose main job is to be kept: notifications, reports, requests.

import type { Handler, HandlerContext } from './handlers';

/**
 * A handler that keeps the message as sent (see ChargerRecords.recordReport) and then answers
 * with `answer`, which defaults to the empty object most notifications are acknowledged with.
 */
export function keepAndAnswer<Req extends object, Res extends Record<string, unknown>>(
  action: string,
  answer: (req: Req, ctx: HandlerContext) => Res | Promise<Res> = () => ({}) as Res,
): Handler<Req, Res> {
  return async (req, ctx) => {
    const requestId = (req as { requestId?: unknown }).requestId;
    await ctx.records.recordReport({
      action,
      messageId: ctx.messageId,
      receivedAt: ctx.now.toISOString(),
      requestId: typeof requestId === 'number' ? requestId : undefined,
      payload: req as Record<string, unknown>,
    });
    return answer(req, ctx);
  };
}
