// The operator's contract-certificate provider over HTTP: where 2.0.1 Get15118EVCertificate requests go (M01, M02).
//
// The CSMS POSTs JSON `{ chargerId, iso15118SchemaVersion, action, exiRequest }` to
// CONTRACT_CERT_PROVIDER_URL (with `Authorization: Bearer CONTRACT_CERT_PROVIDER_TOKEN` when
// set) and expects 200 with `{ status: "Accepted" | "Failed", exiResponse, statusInfo? }`, the
// EXI response base64 as the charger passes it to the EV. Whatever else happens (no answer within
// the timeout, another HTTP status, a body that is not that) answers the charger Failed with a
// reason, never an error: the EV is waiting, and Failed is what tells it.

import * as v from 'valibot';
import type { Config } from '../config';
import { logError } from '../log';
import type { ContractCertificateAnswer, ContractCertificateProvider, ContractCertificateRequest } from '../ocpp/certificates';

/** What the provider may answer; the limits are those of Get15118EVCertificateResponse. */
const ProviderAnswer = v.object({
  status: v.picklist(['Accepted', 'Failed']),
  exiResponse: v.pipe(v.string(), v.maxLength(5600), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')),
  statusInfo: v.optional(
    v.object({
      reasonCode: v.pipe(v.string(), v.minLength(1), v.maxLength(20)),
      additionalInfo: v.optional(v.pipe(v.string(), v.maxLength(512))),
    }),
  ),
});

function failed(reasonCode: string, additionalInfo: string): ContractCertificateAnswer {
  return { status: 'Failed', exiResponse: '', statusInfo: { reasonCode, additionalInfo: additionalInfo.slice(0, 512) } };
}

/** The provider Config names, or undefined when none is configured. */
export function contractCertificateProvider(config: Config): ContractCertificateProvider | undefined {
  const url = config.contractCertProviderUrl;
  if (!url) return undefined;
  const timeoutMs = config.contractCertProviderTimeoutSeconds * 1000;
  const token = config.contractCertProviderToken;
  return {
    async get(request: ContractCertificateRequest): Promise<ContractCertificateAnswer> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        logError('contract-certificate provider', request.chargerId, error);
        return timedOut
          ? failed('CertProviderTimeout', `The contract-certificate provider did not answer within ${config.contractCertProviderTimeoutSeconds} s`)
          : failed('CertProviderError', 'The contract-certificate provider could not be reached');
      }
      if (!response.ok) {
        await response.body?.cancel();
        logError('contract-certificate provider', request.chargerId, new Error(`HTTP ${response.status}`));
        return failed('CertProviderError', `The contract-certificate provider answered HTTP ${response.status}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        return failed('CertProviderError', 'The contract-certificate provider answered with a body that is not JSON');
      }
      const parsed = v.safeParse(ProviderAnswer, body);
      if (!parsed.success) {
        return failed('CertProviderError', 'The contract-certificate provider answered with a body that is not a Get15118EVCertificate answer');
      }
      const answer = parsed.output;
      return {
        status: answer.status,
        exiResponse: answer.exiResponse,
        ...(answer.statusInfo ? { statusInfo: answer.statusInfo } : {}),
      };
    },
  };
}
