// OCPP 2.1 GetCertificateChainStatus: the revocation status of up to four certificates of a chain, each asked by OCSP.

import type { Handler, HandlerContext } from '../handlers';
import type { OcspOutcome } from '../ocsp';
import { issuerByHash, trustedOutcome, UNTRUSTED_ISSUER } from '../trust-chain';
import type * as V21 from './schemas.generated';

type StatusRequest = V21.GetCertificateChainStatusRequest['certificateStatusRequests'][number];
type CertificateStatus = V21.GetCertificateChainStatusResponse['certificateStatus'][number];

/** Where a per-certificate failure's reason goes: the response has no statusInfo per certificate, so customData carries it. */
export const REASON_VENDOR_ID = 'ocpp-csms-workers';
/** A failure may be asked again soon: the responder may be back. */
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** A response without nextUpdate (RFC 6960: newer information is always available) is worth this long. */
const WITHOUT_NEXT_UPDATE_MS = 60 * 60_000;
/**
 * No further URL is tried for a certificate once this long has passed since the message came: the
 * charger's other messages wait behind this answer, and each URL may take the OCSP client's timeout.
 */
export const CHAIN_STATUS_DEADLINE_MS = 8_000;

/**
 * Every certificate is asked at once (the charger waits on the answer, and each responder may take
 * its timeout), at the URLs the charger gives in turn until one answers or CHAIN_STATUS_DEADLINE_MS
 * has passed. A status is believed only
 * from a response signed by the certificate's issuer, found in the CSMS's trust store by the hash
 * data, or by a responder it authorised (trust-chain.ts trustedOutcome), as for Authorize (C07).
 * Anything else, CRL as the source included (the CSMS asks OCSP only), is that certificate's
 * Failed with the reason in customData; without an OCSP client every certificate fails at once.
 */
const GetCertificateChainStatus: Handler<V21.GetCertificateChainStatusRequest, V21.GetCertificateChainStatusResponse> = async (req, ctx) => {
  const trusted = ctx.ocsp && ctx.trustedCertificates ? await ctx.trustedCertificates() : [];
  const deadline = Date.now() + CHAIN_STATUS_DEADLINE_MS;
  const certificateStatus = await Promise.all(req.certificateStatusRequests.map((request) => statusOf(request, trusted, ctx, deadline)));
  return { certificateStatus };
};

async function statusOf(request: StatusRequest, trusted: Parameters<typeof issuerByHash>[0], ctx: HandlerContext, deadline: number): Promise<CertificateStatus> {
  const now = ctx.now.getTime();
  const { certificateHashData: hash, source } = request;
  const failed = (reason: string): CertificateStatus => ({
    certificateHashData: hash,
    source,
    status: 'Failed',
    nextUpdate: new Date(now + RETRY_AFTER_FAILURE_MS).toISOString(),
    customData: { vendorId: REASON_VENDOR_ID, reason: reason.slice(0, 512) },
  });
  if (source !== 'OCSP') return failed(`the CSMS checks certificate status by OCSP only, not by ${source}`);
  const ocsp = ctx.ocsp;
  if (!ocsp) return failed('no OCSP client');
  const issuer = await issuerByHash(trusted, hash);
  // An issuer not trusted makes any answer worthless: the responder is not even asked.
  if (!issuer) return failed(reasonOf(UNTRUSTED_ISSUER));
  let outcome: OcspOutcome = { kind: 'error', reason: 'no responder URL' };
  const reasons: string[] = [];
  for (const url of request.urls) {
    if (Date.now() >= deadline) {
      reasons.push(`${url}: not tried, the answer was due (${CHAIN_STATUS_DEADLINE_MS / 1000} s)`);
      break;
    }
    outcome = await trustedOutcome(await ocsp.check({ ...hash, responderURL: url }), issuer, now);
    if (outcome.kind !== 'error') break;
    reasons.push(`${url}: ${outcome.reason}`);
  }
  if (outcome.kind === 'error') return failed(reasons.join('; '));
  const nextUpdate = outcome.nextUpdate ?? new Date(now + WITHOUT_NEXT_UPDATE_MS).toISOString();
  const status = ({ good: 'Good', revoked: 'Revoked', unknown: 'Unknown' } as const)[outcome.kind];
  return { certificateHashData: hash, source, status, nextUpdate };
}

function reasonOf(outcome: OcspOutcome): string {
  return outcome.kind === 'error' ? outcome.reason : outcome.kind;
}

export const certificateChainHandlers = { GetCertificateChainStatus };
