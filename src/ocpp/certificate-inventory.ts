// A charger's installed certificates, as the answers to InstallCertificate, GetInstalledCertificateIds and DeleteCertificate tell them.
//
// Both versions (2.0.1 M03–M05; the 1.6 security extension's equivalents). Certificates are
// public; no private key ever crosses OCPP (A02.FR.05), so nothing here is a secret. What a
// charger reports is authoritative for the types it was asked about; a certificate the CSMS
// installed is known by its PEM until the charger reports its hash data (the CSMS does not parse
// X.509 to compute it), when that report replaces it.

import { redactPrivateKeys } from './secrets';
import type { OcppVersion } from './versions';

export interface CertificateHash {
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

export interface ReportedCertificate {
  certificateType: string;
  hash: CertificateHash;
  /** 2.0.1 V2GCertificateChain: the sub-CA certificates under the leaf. */
  children: CertificateHash[];
}

export type CertificateChange =
  | {
      /** The charger's answer to GetInstalledCertificateIds: these, and no others, of `types` (null: of every type). */
      op: 'reported';
      types: string[] | null;
      certificates: ReportedCertificate[];
      at: string;
    }
  | { op: 'installed'; certificateType: string; certificate: string; at: string }
  | { op: 'deleted'; hash: CertificateHash; at: string };

/**
 * The key a certificate is known by: its hash data, normalised so that the charger's report and
 * the operator's DeleteCertificate name the same certificate (hex case; a serial number's leading
 * zeros, which the spec says are left out but chargers sometimes keep).
 */
export function certificateKey(hash: CertificateHash): string {
  const serial = hash.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
  return `${hash.hashAlgorithm}:${hash.issuerNameHash.toLowerCase()}:${hash.issuerKeyHash.toLowerCase()}:${serial}`;
}

/** The key of a certificate the CSMS installed, before its hash data is known: a digest of its PEM (FNV-1a, 64 bits). */
export function installedCertificateKey(pem: string): string {
  let h = 0xcbf29ce484222325n;
  const text = pem.replace(/\s+/g, '');
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `installed:${h.toString(16).padStart(16, '0')}`;
}

function hashOf(data: CertificateHash): CertificateHash {
  return {
    hashAlgorithm: data.hashAlgorithm,
    issuerNameHash: data.issuerNameHash,
    issuerKeyHash: data.issuerKeyHash,
    serialNumber: data.serialNumber,
  };
}

/** What a command's answer changes in the charger's certificate inventory. */
export function certificateChangesFromCommand(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  result: unknown,
  at: string,
): CertificateChange[] {
  const status = (result as { status?: string }).status;
  switch (action) {
    case 'InstallCertificate': {
      if (status !== 'Accepted') return [];
      const req = request as { certificateType: string; certificate: string };
      // A certificate is public, but a PEM bundle pasted with its key must not keep the key.
      return [{ op: 'installed', certificateType: req.certificateType, certificate: redactPrivateKeys(req.certificate), at }];
    }
    case 'DeleteCertificate': {
      if (status !== 'Accepted') return [];
      return [{ op: 'deleted', hash: hashOf((request as { certificateHashData: CertificateHash }).certificateHashData), at }];
    }
    case 'GetInstalledCertificateIds': {
      // Accepted lists them; NotFound says there are none of these types (M03.FR.02 / M03.FR.03).
      if (status !== 'Accepted' && status !== 'NotFound') return [];
      if (protocol === 'ocpp1.6') {
        const type = (request as { certificateType: string }).certificateType;
        const hashes = status === 'Accepted' ? ((result as { certificateHashData?: CertificateHash[] }).certificateHashData ?? []) : [];
        return [{ op: 'reported', types: [type], certificates: hashes.map((h) => ({ certificateType: type, hash: hashOf(h), children: [] })), at }];
      }
      const types = (request as { certificateType?: string[] }).certificateType ?? null;
      type Chain = { certificateType: string; certificateHashData: CertificateHash; childCertificateHashData?: CertificateHash[] };
      const chains = status === 'Accepted' ? ((result as { certificateHashDataChain?: Chain[] }).certificateHashDataChain ?? []) : [];
      return [
        {
          op: 'reported',
          types,
          certificates: chains.map((c) => ({
            certificateType: c.certificateType,
            hash: hashOf(c.certificateHashData),
            children: (c.childCertificateHashData ?? []).map(hashOf),
          })),
          at,
        },
      ];
    }
    default:
      return [];
  }
}
