// The places to plug in certificate services: a certificate authority for the CSRs chargers send
// with SignCertificate, and a contract-certificate provider for ISO 15118 Get15118EVCertificate.
//
// Without one, a SignCertificate is answered Rejected (2.0.1 with statusInfo NoSigner) and its
// CSR kept (see the reports API): the operator may sign it elsewhere and send the chain with the
// CertificateSigned security command. With one
// registered, the CSMS signs each CSR as it arrives and queues CertificateSigned to the charger
// itself, to be sent right after the SignCertificate answer (or on the next connection).

export interface CertificateAuthority {
  /**
   * Signs `csr` (PEM) for `chargerId`; returns the certificate chain (PEM, leaf first). The
   * 2.0.1 `certificateType` says whether the charger wants a ChargingStationCertificate or a
   * V2GCertificate. Throwing answers the charger Rejected.
   */
  sign(csr: string, chargerId: string, certificateType: string | undefined): Promise<string>;
}

let authority: CertificateAuthority | undefined;

export function registerCertificateAuthority(ca: CertificateAuthority | undefined): void {
  authority = ca;
}

export function certificateAuthority(): CertificateAuthority | undefined {
  return authority;
}

/** A 2.0.1 Get15118EVCertificate, as the CSMS passes it on (M01 action Install, M02 action Update). */
export interface ContractCertificateRequest {
  chargerId: string;
  iso15118SchemaVersion: string;
  action: 'Install' | 'Update';
  /** The EV's ISO 15118 CertificateInstallationReq / CertificateUpdateReq, EXI, base64. */
  exiRequest: string;
}

/** The Get15118EVCertificate answer: the provider's EXI response (base64), or Failed with why. */
export interface ContractCertificateAnswer {
  status: 'Accepted' | 'Failed';
  exiResponse: string;
  statusInfo?: { reasonCode: string; additionalInfo?: string };
}

/**
 * Where contract certificates come from: a mobility operator's certificate pool, reached by the
 * operator's HTTP endpoint (charger/contract-cert-provider.ts). It never throws: a failure is a
 * Failed answer saying why.
 */
export interface ContractCertificateProvider {
  get(request: ContractCertificateRequest): Promise<ContractCertificateAnswer>;
}

/** The answer while no provider is configured: Failed, saying so, rather than left to time out. */
export const NO_CONTRACT_CERT_PROVIDER: ContractCertificateAnswer = {
  status: 'Failed',
  exiResponse: '',
  statusInfo: { reasonCode: 'NoCertProvider', additionalInfo: 'No contract-certificate provider is configured on this CSMS (CONTRACT_CERT_PROVIDER_URL)' },
};
