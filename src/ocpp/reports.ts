// Handlers for charger messages whose main job is to be kept: notifications, reports, requests.

import { certificateAuthority } from './certificates';
import { CertificateRefusal } from './csr-signer';
import type { Handler, HandlerContext } from './handlers';
import { pncCommandAction } from './pnc16';
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

/** Why a SignCertificate is Rejected while no certificate authority is plugged in (2.0.1 statusInfo). */
export const NO_SIGNER_STATUS_INFO = {
  reasonCode: 'NoSigner',
  additionalInfo: 'No certificate authority is configured on this CSMS to sign CSRs; the CSR was kept for the operator (reports API)',
} as const;

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
 * SignCertificate, both versions: the CSR is kept; a certificate authority signs it and
 * CertificateSigned is queued to the charger (A02.FR.11 / A03.FR.11: Accepted when the CSMS can
 * process the request). The authority is one registered in code (registerCertificateAuthority),
 * else the one the configuration names (CSMS_CA_KEY / CSMS_CA_CERT, ocpp/csr-signer.ts). Without
 * one the CSMS cannot process the request, so it answers Rejected (A02.FR.12 / A03.FR.12): an
 * Accepted with nothing following leaves the charger waiting for a CertificateSigned that never
 * comes. A CSR the authority refuses (not signed by its key, a CN that is not this charger, ...)
 * is Rejected too, nothing signed. 2.0.1 says why in statusInfo; the 1.6 security extension's
 * answer has only a status. The CSR is still kept, so an operator can sign it elsewhere and send
 * the chain with CertificateSigned (security-commands route).
 */
export function signCertificateHandler(
  withStatusInfo: boolean,
): Handler<{ csr: string; certificateType?: string }, { status: 'Accepted' | 'Rejected'; statusInfo?: { reasonCode: string; additionalInfo?: string } }> {
  return keepAndAnswer('SignCertificate', async (req, ctx) => {
    const ca = certificateAuthority() ?? ctx.certificateAuthority;
    if (!ca) return withStatusInfo ? { status: 'Rejected', statusInfo: { ...NO_SIGNER_STATUS_INFO } } : { status: 'Rejected' };
    let chain: string;
    try {
      chain = await ca.sign(req.csr, ctx.chargerId, req.certificateType);
    } catch (error) {
      if (!withStatusInfo) return { status: 'Rejected' };
      if (error instanceof CertificateRefusal) {
        return { status: 'Rejected', statusInfo: { reasonCode: error.reasonCode, additionalInfo: error.additionalInfo.slice(0, 512) } };
      }
      // Any other failure is the authority's own: its message is not the charger's to read.
      return { status: 'Rejected', statusInfo: { reasonCode: 'SigningFailed', additionalInfo: 'The certificate authority could not sign this CSR' } };
    }
    // A 1.6 charger's Plug & Charge CSR came in DataTransfer: its certificate goes back the same way.
    await ctx.records.queueCommand(ctx.viaPncDataTransfer ? pncCommandAction('CertificateSigned') : 'CertificateSigned', {
      certificateChain: chain,
      ...(req.certificateType ? { certificateType: req.certificateType } : {}),
    });
    return { status: 'Accepted' };
  });
}
