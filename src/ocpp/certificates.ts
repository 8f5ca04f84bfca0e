// The place to plug in a certificate authority: it signs the CSRs chargers send with SignCertificate.
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
