// The certificate authority the configuration names (CSMS_CA_KEY + CSMS_CA_CERT), for the charger object's SignCertificate answers.

import type { Config } from '../config';
import type { CertificateAuthority } from '../ocpp/certificates';
import { createCaSigner } from '../ocpp/csr-signer';

/** One signer per configuration object: the CA material is read once, not per SignCertificate. */
const signers = new WeakMap<Config, CertificateAuthority>();

/** The configured CA, or undefined while CSMS_CA_KEY / CSMS_CA_CERT are unset. */
export function configuredCertificateAuthority(config: Config): CertificateAuthority | undefined {
  if (!config.caKeyPem || !config.caCertPem) return undefined;
  let signer = signers.get(config);
  if (!signer) {
    signer = createCaSigner({ keyPem: config.caKeyPem, certPem: config.caCertPem, validityDays: config.caValidityDays });
    signers.set(config, signer);
  }
  return signer;
}
