// The OCSP exchange over HTTP from the Worker (C07.FR.05, M06): one POST per certificate to the responder the charger names, with a timeout and a cache.
//
// The responder URL comes from the charger's message (the certificate's Authority Information
// Access); only http and https are followed, the answer is read up to OCSP_MAX_RESPONSE_BYTES, and
// a verdict is kept per isolate until the response's nextUpdate (at most OCSP_CACHE_MS), so a
// driver's repeated Authorize does not ask the responder each time. Failures are not cached.

import { logError } from '../log';
import { ocspRequestDer, readOcspResponse, type OcspChecker, type OcspOutcome, type OcspRequestData } from '../ocpp/ocsp';

/** How long the responder may take: the EV waits for the Authorize answer (ISO 15118-2 gives it seconds). */
export const OCSP_TIMEOUT_MS = 3_000;
/** How long a verdict is reused when the response gives no nextUpdate, and at most. */
export const OCSP_CACHE_MS = 5 * 60_000;
/** Verdicts kept per isolate; the oldest go first. */
const OCSP_CACHE_ENTRIES = 1_000;
/** An OCSP response is a few KB; a larger body is not one. */
const OCSP_MAX_RESPONSE_BYTES = 64 * 1024;

const cache = new Map<string, { outcome: OcspOutcome; until: number }>();

function cacheKey(data: OcspRequestData): string {
  const serial = data.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
  return [data.responderURL, data.hashAlgorithm, data.issuerNameHash.toLowerCase(), data.issuerKeyHash.toLowerCase(), serial].join('|');
}

/** Forgets every cached verdict (tests). */
export function clearOcspCache(): void {
  cache.clear();
}

async function readCapped(response: Response): Promise<Uint8Array | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > OCSP_MAX_RESPONSE_BYTES) {
      await reader.cancel();
      return undefined;
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

async function ask(data: OcspRequestData, chargerId: string): Promise<OcspOutcome> {
  let url: URL;
  try {
    url = new URL(data.responderURL);
  } catch {
    return { kind: 'error', reason: 'responderURL is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'error', reason: 'responderURL is not http or https' };
  let body: Uint8Array;
  try {
    body = ocspRequestDer(data);
  } catch (error) {
    return { kind: 'error', reason: `the hash data cannot name a certificate: ${(error as Error).message}` };
  }
  let response: Response;
  try {
    response = await fetch(url.href, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
      body,
      signal: AbortSignal.timeout(OCSP_TIMEOUT_MS),
    });
  } catch (error) {
    logError('ocsp', chargerId, error);
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { kind: 'error', reason: timedOut ? `the responder did not answer within ${OCSP_TIMEOUT_MS / 1000} s` : 'the responder could not be reached' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { kind: 'error', reason: `the responder answered HTTP ${response.status}` };
  }
  const der = await readCapped(response).catch(() => undefined);
  if (!der) return { kind: 'error', reason: 'the response could not be read, or is larger than an OCSP response' };
  return readOcspResponse(der, data);
}

/** The checker for one charger's messages. */
export function ocspChecker(chargerId: string, now: () => number = Date.now): OcspChecker {
  return {
    async check(data) {
      const key = cacheKey(data);
      const cached = cache.get(key);
      if (cached && cached.until > now()) return cached.outcome;
      const outcome = await ask(data, chargerId);
      if (outcome.kind !== 'error') {
        const next = outcome.nextUpdate ? Date.parse(outcome.nextUpdate) : NaN;
        const until = Math.min(now() + OCSP_CACHE_MS, Number.isFinite(next) ? next : Infinity);
        if (until > now()) {
          cache.delete(key);
          cache.set(key, { outcome, until });
          if (cache.size > OCSP_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
        }
      }
      return outcome;
    },
  };
}
