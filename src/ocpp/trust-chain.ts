// ISO 15118 contract-certificate trust (C07.FR.05/06, M06): the operator's V2G / mobility-operator roots,
// X.509 chains validated up to them, and OCSP responses trusted only when signed as RFC 6960 §4.2.2.2 says.
//
// Pure (WebCrypto and der.ts; the certificate reading is csr-signer.ts's). The trust store holds
// CA certificates the operator configured (PUT /api/v1/trust-roots/{id}): self-signed ones are the
// anchors; others (MO sub-CAs, so that hash data alone can name its issuer) are trusted only while
// they verify up to an anchor in the store. An OCSP response is believed only when the issuer of
// the certificate asked about signed it, or a responder certificate the issuer signed for
// id-kp-OCSPSigning did; anything else is read like an unreadable response.

import { parseCertificate, issuedBy, verifySignature, type Certificate } from './csr-signer';
import { children, content, DerError, expectTag, pemBlocks, readOid, readRoot, sameBytes, TAG, toBase64, type DerNode } from './der';
import { basicResponseParts, type OcspOutcome, type OcspRequestData } from './ocsp';

const OID = {
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspAccess: '1.3.6.1.5.5.7.48.1',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  organizationalUnit: '2.5.4.11',
} as const;

/** Clocks differ: a response or certificate dated this far in the future is still taken. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** The longest chain C07 sends: the contract certificate and up to 3 sub-CAs (ISO 15118-2), plus a root. */
export const MAX_CHAIN_CERTIFICATES = 5;

/** A trust-store entry refused, or a chain that does not validate: the message says why. */
export class TrustError extends Error {}

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

async function digestHex(algorithm: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512', bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest(algorithm, buffer(bytes)))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const OCSP_HASHES: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = { SHA256: 'SHA-256', SHA384: 'SHA-384', SHA512: 'SHA-512' };

/** Whether the certificate says it is a CA (basicConstraints cA TRUE). */
export function isCaCertificate(cert: Certificate): boolean {
  const ext = cert.extensions.get(OID.basicConstraints);
  if (!ext) return false;
  const [flag] = children(ext.value, expectTag(readRoot(ext.value), TAG.sequence, 'basicConstraints'));
  return flag?.tag === TAG.boolean && ext.value[flag.contentStart] !== 0;
}

/** The extended key usages the certificate names (OIDs), or undefined without the extension. */
export function extendedKeyUsages(cert: Certificate): string[] | undefined {
  const ext = cert.extensions.get(OID.extKeyUsage);
  if (!ext) return undefined;
  return children(ext.value, expectTag(readRoot(ext.value), TAG.sequence, 'extKeyUsage')).map((n) => readOid(ext.value, n, 'key purpose'));
}

/** The OCSP responder URL of the certificate's Authority Information Access (RFC 5280 §4.2.2.1), if any. */
export function ocspResponderUrl(cert: Certificate): string | undefined {
  const ext = cert.extensions.get(OID.authorityInfoAccess);
  if (!ext) return undefined;
  for (const description of children(ext.value, expectTag(readRoot(ext.value), TAG.sequence, 'authorityInfoAccess'))) {
    const [method, location] = children(ext.value, expectTag(description, TAG.sequence, 'AccessDescription'));
    // accessLocation uniformResourceIdentifier: [6] IMPLICIT IA5String
    if (readOid(ext.value, method, 'accessMethod') === OID.ocspAccess && location?.tag === 0x86) {
      return String.fromCharCode(...content(ext.value, location));
    }
  }
  return undefined;
}

/** A Name as text (C=…, O=…, OU=…, CN=…) for people reading the trust store; other attributes by OID. */
export function nameText(name: Uint8Array): string {
  const labels: Record<string, string> = { [OID.commonName]: 'CN', [OID.organization]: 'O', [OID.country]: 'C', [OID.organizationalUnit]: 'OU' };
  const parts: string[] = [];
  for (const rdn of children(name, expectTag(readRoot(name), TAG.sequence, 'Name'))) {
    for (const atv of children(name, expectTag(rdn, TAG.set, 'RDN'))) {
      const [type, value] = children(name, expectTag(atv, TAG.sequence, 'AttributeTypeAndValue'));
      const oid = readOid(name, type, 'attribute type');
      parts.push(`${labels[oid] ?? oid}=${readText(name, value)}`);
    }
  }
  return parts.join(', ');
}

function readText(buf: Uint8Array, node: DerNode | undefined): string {
  if (!node) return '';
  try {
    return new TextDecoder().decode(content(buf, node));
  } catch {
    return '';
  }
}

/** What the store keeps of one configured certificate, besides its PEM. */
export interface TrustRootInfo {
  /** The certificate alone, re-encoded as PEM. */
  pem: string;
  subject: string;
  /** SHA-256 of the DER, hex. */
  fingerprint: string;
  /** SHA-256 of the subject public key's bits, hex: the issuerKeyHash OCSP names its certificates' issuer by. */
  keyHash: string;
  notBefore: string;
  notAfter: string;
  /** A root (self-signed, an anchor) or a sub-CA trusted through one. */
  selfSigned: boolean;
}

/**
 * Reads a certificate the operator configures. It must be exactly one CA certificate, currently
 * valid, and never come with a private key. Throws TrustError with the reason.
 */
export async function readTrustRoot(text: string, now: number): Promise<TrustRootInfo> {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw new TrustError('The body holds a private key: a trust store takes public certificates only; nothing was kept');
  }
  let blocks: Uint8Array[];
  try {
    blocks = pemBlocks(text, ['CERTIFICATE']);
  } catch {
    throw new TrustError('certificate is not a readable PEM');
  }
  if (blocks.length !== 1) throw new TrustError(`certificate must hold exactly one PEM CERTIFICATE block (it holds ${blocks.length})`);
  let cert: Certificate;
  try {
    cert = parseCertificate(blocks[0]!);
  } catch (error) {
    throw new TrustError(`certificate is not a readable X.509 certificate: ${(error as Error).message}`);
  }
  if (!isCaCertificate(cert)) throw new TrustError('certificate is not a CA certificate (basicConstraints cA:TRUE): it cannot anchor a chain');
  if (cert.notAfter < now) throw new TrustError(`certificate expired on ${new Date(cert.notAfter).toISOString()}`);
  const selfSigned = sameBytes(cert.subject, cert.issuer) && (await safeIssuedBy(cert, cert));
  return {
    pem: pemOf(cert),
    subject: nameText(cert.subject),
    fingerprint: await digestHex('SHA-256', cert.der),
    keyHash: await digestHex('SHA-256', cert.publicKey.keyBytes),
    notBefore: new Date(cert.notBefore).toISOString(),
    notAfter: new Date(cert.notAfter).toISOString(),
    selfSigned,
  };
}

function pemOf(cert: Certificate): string {
  const lines = toBase64(cert.der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

async function safeIssuedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
  try {
    return await issuedBy(cert, issuer);
  } catch {
    return false;
  }
}

async function safeVerify(key: Certificate, algorithm: string, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  try {
    return await verifySignature(key.publicKey, algorithm, signature, data);
  } catch {
    return false;
  }
}

const validAt = (cert: Certificate, now: number): boolean => cert.notBefore <= now + CLOCK_SKEW_MS && now <= cert.notAfter;

/**
 * The certificates the store's PEMs make trusted now: valid self-signed CA certificates (the
 * anchors), then valid CA certificates that verify up to them. Unreadable entries are skipped.
 */
export async function trustedCertificates(pems: readonly string[], now: number): Promise<Certificate[]> {
  const certs: Certificate[] = [];
  for (const pem of pems) {
    try {
      const [der] = pemBlocks(pem, ['CERTIFICATE']);
      if (der) certs.push(parseCertificate(der));
    } catch {
      // The API refuses unreadable certificates; one that somehow is stays unused.
    }
  }
  const usable = certs.filter((c) => validAt(c, now) && isCaCertificate(c));
  const trusted: Certificate[] = [];
  for (const cert of usable) if (sameBytes(cert.subject, cert.issuer) && (await safeIssuedBy(cert, cert))) trusted.push(cert);
  // Sub-CAs, level by level: each pass adds those issued by one already trusted.
  let pending = usable.filter((c) => !trusted.includes(c));
  for (let depth = 0; depth < MAX_CHAIN_CERTIFICATES && pending.length > 0; depth++) {
    const added: Certificate[] = [];
    for (const cert of pending) {
      for (const issuer of trusted) {
        if (await safeIssuedBy(cert, issuer)) {
          added.push(cert);
          break;
        }
      }
    }
    if (added.length === 0) break;
    trusted.push(...added);
    pending = pending.filter((c) => !added.includes(c));
  }
  return trusted;
}

/**
 * The issuer the hash data names, among `known` certificates: its name and key hash under the
 * data's algorithm match (issuerKeyHash is the hash of the issuer's public key bits, RFC 6960 §4.1.1).
 */
export async function issuerByHash(known: readonly Certificate[], data: Pick<OcspRequestData, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash'>): Promise<Certificate | undefined> {
  const algorithm = OCSP_HASHES[data.hashAlgorithm];
  if (!algorithm) return undefined;
  const keyHash = data.issuerKeyHash.trim().toLowerCase();
  const nameHash = data.issuerNameHash.trim().toLowerCase();
  for (const cert of known) {
    if ((await digestHex(algorithm, cert.publicKey.keyBytes)) !== keyHash) continue;
    if ((await digestHex(algorithm, cert.subject)) === nameHash) return cert;
  }
  return undefined;
}

/** The OCSP request data (a CertID, SHA-256, and the responder) for `cert` issued by `issuer`. */
export async function ocspRequestDataFor(cert: Certificate, issuer: Certificate): Promise<OcspRequestData | undefined> {
  const responderURL = ocspResponderUrl(cert);
  if (!responderURL) return undefined;
  return {
    hashAlgorithm: 'SHA256',
    issuerNameHash: await digestHex('SHA-256', cert.issuer),
    issuerKeyHash: await digestHex('SHA-256', issuer.publicKey.keyBytes),
    serialNumber: [...cert.serial].map((b) => b.toString(16).padStart(2, '0')).join(''),
    responderURL,
  };
}

/** The outcome for a certificate whose issuer the trust store does not know: no response could be believed. */
export const UNTRUSTED_ISSUER: OcspOutcome = Object.freeze({
  kind: 'error',
  reason: "the certificate's issuer is not among the configured trust roots: no OCSP response for it can be verified",
});

/**
 * What an OCSP outcome is worth once checked (RFC 6960 §3.2, §4.2.2.2): a status only when the
 * response is signed by `issuer` (the CA of the certificate asked about) or by a delegated
 * responder whose certificate, sent in the response, `issuer` signed for id-kp-OCSPSigning, and when
 * thisUpdate is not in the future (beyond CLOCK_SKEW_MS) and nextUpdate not past. Otherwise an
 * error with the reason, which callers answer like an unreadable response. The CertID was matched
 * when the response was read (readOcspResponse looks only at the SingleResponse for the one asked).
 */
export async function trustedOutcome(outcome: OcspOutcome, issuer: Certificate | undefined, now: number): Promise<OcspOutcome> {
  if (outcome.kind === 'error') return outcome;
  if (!issuer) return UNTRUSTED_ISSUER;
  let parts;
  try {
    parts = basicResponseParts(outcome.response);
  } catch (error) {
    if (error instanceof DerError) return { kind: 'error', reason: `the response is not DER OCSP: ${error.message}` };
    throw error;
  }
  const reason = await signerProblem(parts, issuer, now);
  if (reason) return { kind: 'error', reason };
  const thisUpdate = outcome.thisUpdate ? Date.parse(outcome.thisUpdate) : NaN;
  if (!Number.isFinite(thisUpdate)) return { kind: 'error', reason: 'the response has no readable thisUpdate' };
  if (thisUpdate > now + CLOCK_SKEW_MS) return { kind: 'error', reason: 'the response is dated in the future (thisUpdate)' };
  if (outcome.nextUpdate !== undefined) {
    const nextUpdate = Date.parse(outcome.nextUpdate);
    if (!Number.isFinite(nextUpdate) || nextUpdate < now) return { kind: 'error', reason: 'the response is out of date (nextUpdate has passed)' };
  }
  return outcome;
}

async function signerProblem(parts: ReturnType<typeof basicResponseParts>, issuer: Certificate, now: number): Promise<string | undefined> {
  if (await safeVerify(issuer, parts.signatureAlgorithm, parts.signature, parts.tbsResponseData)) return undefined;
  let problem = "the response is not signed by the certificate's issuer nor by a responder it authorised";
  for (const der of parts.certs) {
    let responder: Certificate;
    try {
      responder = parseCertificate(der);
    } catch {
      continue;
    }
    if (!(await safeVerify(responder, parts.signatureAlgorithm, parts.signature, parts.tbsResponseData))) continue;
    // The signature is the responder's: whether the issuer authorised it decides.
    if (!(await safeIssuedBy(responder, issuer))) problem = "the response's signer is not certified by the certificate's issuer";
    else if (!(extendedKeyUsages(responder) ?? []).includes(OID.ocspSigning)) problem = "the response's signer is not authorised for OCSP signing (no id-kp-OCSPSigning)";
    else if (!validAt(responder, now)) problem = "the response's signer certificate is not valid now";
    else return undefined;
  }
  return problem;
}

/** One certificate of a validated chain and the certificate that issued it. */
export interface ChainLink {
  cert: Certificate;
  issuer: Certificate;
}

/**
 * Validates a PEM chain (contract certificate first, then its sub-CAs; C07.FR.06) against the
 * trusted certificates: each certificate valid now and signed by the next, every issuer a CA, and
 * the last signed by (or being) a trusted certificate. Returns the links to check by OCSP (every
 * certificate of the chain but a configured root). Throws TrustError with the reason.
 */
export async function validateChain(pem: string, trusted: readonly Certificate[], now: number): Promise<ChainLink[]> {
  let blocks: Uint8Array[];
  try {
    blocks = pemBlocks(pem, ['CERTIFICATE']);
  } catch {
    throw new TrustError('the chain is not readable PEM');
  }
  if (blocks.length === 0) throw new TrustError('the chain holds no PEM certificate');
  if (blocks.length > MAX_CHAIN_CERTIFICATES) throw new TrustError(`the chain holds more than ${MAX_CHAIN_CERTIFICATES} certificates`);
  let chain: Certificate[];
  try {
    chain = blocks.map((der) => parseCertificate(der));
  } catch (error) {
    throw new TrustError(`a certificate of the chain is not readable X.509: ${(error as Error).message}`);
  }
  const links: ChainLink[] = [];
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    // A configured root sent along ends the chain; a sub-CA sent along is checked like any other (OCSP included).
    if (sameBytes(cert.subject, cert.issuer) && trusted.some((t) => sameBytes(t.der, cert.der))) return links;
    if (!validAt(cert, now)) throw new TrustError(`certificate ${i} of the chain is not valid now (${new Date(cert.notBefore).toISOString()} to ${new Date(cert.notAfter).toISOString()})`);
    const next = chain[i + 1];
    if (next) {
      if (!isCaCertificate(next)) throw new TrustError(`certificate ${i + 1} of the chain issues certificate ${i} but is not a CA`);
      if (!(await safeIssuedBy(cert, next))) throw new TrustError(`certificate ${i} of the chain is not signed by certificate ${i + 1}`);
      links.push({ cert, issuer: next });
      continue;
    }
    for (const anchor of trusted) {
      if (await safeIssuedBy(cert, anchor)) {
        links.push({ cert, issuer: anchor });
        return links;
      }
    }
    throw new TrustError('the chain does not lead to a configured trust root');
  }
  return links;
}
