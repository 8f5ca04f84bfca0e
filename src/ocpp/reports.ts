// Handlers for charger messages whose main job is to be kept: notifications, reports, requests.

import { certificateAuthority } from './certificates';
import type { Handler, HandlerContext } from './handlers';
import { redactSecrets } from './secrets';

/**
 * A handler that keeps the message as sent, secrets redacted (see ChargerRecords.recordReport), and then answers
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
      payload: redactSecrets(req as Record<string, unknown>),
    });
    return answer(req, ctx);
  };
}

/**
 * FirmwareStatusNotification (both versions) and 1.6 SignedFirmwareStatusNotification: kept as
 * sent, and the firmware job it is about moved on (firmware-jobs.ts) before the answer.
 */
export function firmwareStatusHandler(action: 'FirmwareStatusNotification' | 'SignedFirmwareStatusNotification'): Handler<
  { status: string; requestId?: number },
  Record<string, never>
> {
  return keepAndAnswer(action, async (req, ctx) => {
    await ctx.records.recordFirmwareStatus?.(req.status, req.requestId);
    return {};
  });
}

/**
 * SignCertificate, both versions: the CSR is kept; a registered certificate authority signs it
 * and CertificateSigned is queued to the charger. Without one it is accepted for the operator
 * to sign (see certificates.ts).
 */
export function signCertificateHandler(): Handler<{ csr: string; certificateType?: string }, { status: 'Accepted' | 'Rejected' }> {
  return keepAndAnswer('SignCertificate', async (req, ctx) => {
    const ca = certificateAuthority();
    if (!ca) return { status: 'Accepted' };
    let chain: string;
    try {
      chain = await ca.sign(req.csr, ctx.chargerId, req.certificateType);
    } catch {
      return { status: 'Rejected' };
    }
    await ctx.records.queueCommand('CertificateSigned', {
      certificateChain: chain,
      ...(req.certificateType ? { certificateType: req.certificateType } : {}),
    });
    return { status: 'Accepted' };
  });
}
