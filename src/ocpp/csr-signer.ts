// The CSMS's own certificate authority for SignCertificate (A02/A03, 1.6 security whitepaper):
// reads the charger's PKCS#10 CSR, checks it, and issues a client certificate signed with the
// operator's CA key (CSMS_CA_KEY / CSMS_CA_CERT), all with WebCrypto and the DER code in der.ts.
//
// Trust model: whoever holds the CA key can mint a client certificate for any charger id, so the
// key should be a dedicated sub-CA's, used for nothing else. What this signer checks is what the
// CSMS can know: the CSR is signed by the key it carries (proof of possession), and its subject CN
// is the identity of the charger that sent it over its authenticated connection (the CN is what
// security profile 3 identifies a charger by). It signs charging-station certificates only:
// V2G (ISO 15118 SECC) certificates belong to the V2G PKI, whose CA this is not.

import type { CertificateAuthority } from './certificates';
import {
  bitString,
  bitStringBytes,
  children,
  content,
  contextExplicit,
  DerError,
  expectTag,
  octetString,
  oid,
  pemBlocks,
  readNode,
  readOid,
  readRoot,
  readString,
  readTime,
  sameBytes,
  sequence,
  smallInteger,
  TAG,
  time,
  tlv,
  toPem,
  unsignedInteger,
  whole,
  type DerNode,
} from './der';

/** A SignCertificate the signer will not sign: the 2.0.1 answer's statusInfo says why. */
export class CertificateRefusal extends Error {
  constructor(
    readonly reasonCode: string,
    readonly additionalInfo: string,
  ) {
    super(additionalInfo);
  }
}

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  rsaSha256: '1.2.840.113549.1.1.11',
  rsaSha384: '1.2.840.113549.1.1.12',
  rsaSha512: '1.2.840.113549.1.1.13',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const SIGNATURE_HASH: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  [OID.ecdsaSha256]: 'SHA-256',
  [OID.ecdsaSha384]: 'SHA-384',
  [OID.rsaSha256]: 'SHA-256',
  [OID.rsaSha384]: 'SHA-384',
  [OID.rsaSha512]: 'SHA-512',
};

/** A SubjectPublicKeyInfo as read: the whole DER (to copy into a certificate) and what key it is. */
export interface PublicKeyInfo {
  der: Uint8Array;
  kind: 'ec' | 'rsa';
  curve?: 'P-256' | 'P-384';
  /** The subjectPublicKey BIT STRING's bytes: the EC point, or the RSAPublicKey DER. */
  keyBytes: Uint8Array;
  /** Key size: the curve's bits, or the RSA modulus's. */
  bits: number;
}

function readSpki(buf: Uint8Array, node: DerNode): PublicKeyInfo {
  const [alg, key] = children(buf, expectTag(node, TAG.sequence, 'SubjectPublicKeyInfo'));
  const [algOid, params] = children(buf, expectTag(alg, TAG.sequence, 'AlgorithmIdentifier'));
  const algorithm = readOid(buf, algOid, 'key algorithm');
  const keyBytes = bitStringBytes(buf, expectTag(key, TAG.bitString, 'subjectPublicKey'));
  if (algorithm === OID.ecPublicKey) {
    const curveOid = readOid(buf, params, 'EC curve');
    const curve = curveOid === OID.p256 ? 'P-256' : curveOid === OID.p384 ? 'P-384' : undefined;
    if (!curve) throw new CertificateRefusal('UnsupportedKey', `EC curve ${curveOid} is not supported (P-256 or P-384)`);
    return { der: whole(buf, node).slice(), kind: 'ec', curve, keyBytes: keyBytes.slice(), bits: curve === 'P-256' ? 256 : 384 };
  }
  if (algorithm === OID.rsaEncryption) {
    const [modulus] = children(keyBytes, readRoot(keyBytes));
    let n = content(keyBytes, expectTag(modulus, TAG.integer, 'RSA modulus'));
    while (n.length > 0 && n[0] === 0) n = n.subarray(1);
    const bits = n.length === 0 ? 0 : (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
    return { der: whole(buf, node).slice(), kind: 'rsa', keyBytes: keyBytes.slice(), bits };
  }
  throw new CertificateRefusal('UnsupportedKey', `key algorithm ${algorithm} is not supported (EC or RSA)`);
}

/** The common names in a Name, in order (a well-formed charger CSR has exactly one). */
function commonNames(buf: Uint8Array, name: DerNode): string[] {
  const out: string[] = [];
  for (const rdn of children(buf, expectTag(name, TAG.sequence, 'Name'))) {
    for (const atv of children(buf, expectTag(rdn, TAG.set, 'RDN'))) {
      const [type, value] = children(buf, expectTag(atv, TAG.sequence, 'AttributeTypeAndValue'));
      if (readOid(buf, type, 'attribute type') === OID.commonName) out.push(readString(buf, value!));
    }
  }
  return out;
}

/** A PKCS#10 request, as read. */
export interface CertificationRequest {
  /** The signed part (CertificationRequestInfo), whole. */
  info: Uint8Array;
  /** The subject Name, whole, to copy into the certificate. */
  subject: Uint8Array;
  commonNames: string[];
  publicKey: PublicKeyInfo;
  signatureAlgorithm: string;
  signature: Uint8Array;
}

/** Reads a CSR sent as PEM (CERTIFICATE REQUEST) or as bare base64 DER. Throws DerError or CertificateRefusal. */
export function parseCsr(text: string): CertificationRequest {
  const blocks = pemBlocks(text, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  if (blocks.length > 1) throw new DerError('more than one CSR');
  const der = blocks[0] ?? pemBlocks(`-----BEGIN CERTIFICATE REQUEST-----${text}-----END CERTIFICATE REQUEST-----`, ['CERTIFICATE REQUEST'])[0];
  if (!der) throw new DerError('no CSR found');
  const [info, sigAlg, signature] = children(der, expectTag(readRoot(der), TAG.sequence, 'CertificationRequest'));
  const [version, subject, spki] = children(der, expectTag(info, TAG.sequence, 'CertificationRequestInfo'));
  if (!sameBytes(whole(der, expectTag(version, TAG.integer, 'version')), smallInteger(0))) throw new DerError('CSR version is not 1');
  expectTag(subject, TAG.sequence, 'subject');
  const [sigOid] = children(der, expectTag(sigAlg, TAG.sequence, 'signatureAlgorithm'));
  return {
    info: whole(der, info!).slice(),
    subject: whole(der, subject!).slice(),
    commonNames: commonNames(der, subject!),
    publicKey: readSpki(der, spki!),
    signatureAlgorithm: readOid(der, sigOid, 'signature algorithm'),
    signature: bitStringBytes(der, expectTag(signature, TAG.bitString, 'signature')).slice(),
  };
}

/** An ECDSA signature's DER (SEQUENCE of r and s) as WebCrypto's r||s of `size` bytes each. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array {
  const [r, s] = children(der, expectTag(readRoot(der), TAG.sequence, 'ECDSA signature'));
  const out = new Uint8Array(size * 2);
  [r, s].forEach((node, i) => {
    let n = content(der, expectTag(node, TAG.integer, 'ECDSA signature part'));
    while (n.length > 0 && n[0] === 0) n = n.subarray(1);
    if (n.length > size) throw new DerError('ECDSA signature part too long');
    out.set(n, i * size + size - n.length);
  });
  return out;
}

/** WebCrypto's r||s ECDSA signature as the DER X.509 carries. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

/** Whether `signature` (as X.509 carries it) over `data` verifies with `key` under `algorithm`. */
export async function verifySignature(key: PublicKeyInfo, algorithm: string, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const hash = SIGNATURE_HASH[algorithm];
  if (!hash) throw new CertificateRefusal('UnsupportedKey', `signature algorithm ${algorithm} is not supported`);
  const isEcdsa = algorithm === OID.ecdsaSha256 || algorithm === OID.ecdsaSha384;
  if (isEcdsa !== (key.kind === 'ec')) return false;
  if (key.kind === 'ec') {
    const cryptoKey = await crypto.subtle.importKey('spki', buffer(key.der), { name: 'ECDSA', namedCurve: key.curve! }, false, ['verify']);
    let raw: Uint8Array;
    try {
      raw = ecdsaDerToRaw(signature, key.curve === 'P-256' ? 32 : 48);
    } catch {
      return false;
    }
    return crypto.subtle.verify({ name: 'ECDSA', hash }, cryptoKey, buffer(raw), buffer(data));
  }
  const cryptoKey = await crypto.subtle.importKey('spki', buffer(key.der), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', cryptoKey, buffer(signature), buffer(data));
}

/** An X.509 certificate, as read: what signing under it or checking one it issued needs. */
export interface Certificate {
  der: Uint8Array;
  tbs: Uint8Array;
  serial: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  subjectCommonNames: string[];
  notBefore: number;
  notAfter: number;
  publicKey: PublicKeyInfo;
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** Extension values (the OCTET STRING's content) by OID, and whether each is critical. */
  extensions: Map<string, { critical: boolean; value: Uint8Array }>;
}

export function parseCertificate(der: Uint8Array): Certificate {
  const [tbs, sigAlg, signature] = children(der, expectTag(readRoot(der), TAG.sequence, 'Certificate'));
  const fields = children(der, expectTag(tbs, TAG.sequence, 'TBSCertificate'));
  if (fields[0]?.tag === 0xa0) fields.shift(); // version
  const [serial, , issuer, validity, subject, spki, ...rest] = fields;
  const [notBefore, notAfter] = children(der, expectTag(validity, TAG.sequence, 'validity'));
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  const extWrapper = rest.find((n) => n.tag === 0xa3);
  if (extWrapper) {
    const [list] = children(der, extWrapper);
    for (const ext of children(der, expectTag(list, TAG.sequence, 'extensions'))) {
      const parts = children(der, expectTag(ext, TAG.sequence, 'extension'));
      const critical = parts.length === 3 && parts[1]!.tag === TAG.boolean && der[parts[1]!.contentStart] !== 0;
      extensions.set(readOid(der, parts[0], 'extension id'), {
        critical,
        value: content(der, expectTag(parts[parts.length - 1], TAG.octetString, 'extension value')).slice(),
      });
    }
  }
  const [sigOid] = children(der, expectTag(sigAlg, TAG.sequence, 'signatureAlgorithm'));
  return {
    der,
    tbs: whole(der, tbs!).slice(),
    serial: content(der, expectTag(serial, TAG.integer, 'serialNumber')).slice(),
    issuer: whole(der, expectTag(issuer, TAG.sequence, 'issuer')).slice(),
    subject: whole(der, expectTag(subject, TAG.sequence, 'subject')).slice(),
    subjectCommonNames: commonNames(der, subject!),
    notBefore: readTime(der, notBefore!),
    notAfter: readTime(der, notAfter!),
    publicKey: readSpki(der, spki!),
    signatureAlgorithm: readOid(der, sigOid, 'signature algorithm'),
    signature: bitStringBytes(der, expectTag(signature, TAG.bitString, 'signature')).slice(),
    extensions,
  };
}

/** Whether `cert` was issued by `issuer`: names chain and the signature verifies with the issuer's key. */
export async function issuedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
  if (!sameBytes(cert.issuer, issuer.subject)) return false;
  return verifySignature(issuer.publicKey, cert.signatureAlgorithm, cert.signature, cert.tbs);
}

/** The CA's key and certificate, checked to belong together; the key stays raw PKCS#8 until signing. */
export interface CaMaterial {
  keyPkcs8: Uint8Array;
  certificate: Certificate;
  /** CSMS_CA_CERT's certificates as PEM (the CA's first, then any it was issued under), appended to every leaf. */
  chainPem: string;
}

/**
 * Reads and cross-checks CSMS_CA_KEY and CSMS_CA_CERT without any asynchronous crypto, so that
 * configuration is refused when the Worker starts: the key must be an unencrypted PKCS#8 P-256
 * key carrying its public key (openssl writes it), matching the first certificate, a CA's.
 * Error messages never include the key.
 */
export function readCaMaterial(keyPem: string, certPem: string): CaMaterial {
  if (/BEGIN (EC |ENCRYPTED )?PRIVATE KEY/.test(keyPem) && !/BEGIN PRIVATE KEY/.test(keyPem)) {
    throw new Error('CSMS_CA_KEY must be an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"); convert it with `openssl pkcs8 -topk8 -nocrypt`');
  }
  const keys = safely(() => pemBlocks(keyPem, ['PRIVATE KEY']), 'CSMS_CA_KEY is not a readable PEM');
  if (keys.length !== 1) throw new Error('CSMS_CA_KEY must hold exactly one PKCS#8 private key ("BEGIN PRIVATE KEY")');
  const keyPkcs8 = keys[0]!;
  const publicPoint = safely(() => pkcs8PublicPoint(keyPkcs8), 'CSMS_CA_KEY is not a PKCS#8 ECDSA P-256 private key');
  if (!publicPoint) {
    throw new Error('CSMS_CA_KEY does not carry its public key; write it with `openssl pkcs8 -topk8 -nocrypt` (or `openssl genpkey`) so it can be checked against CSMS_CA_CERT');
  }
  const certs = safely(() => pemBlocks(certPem, ['CERTIFICATE']), 'CSMS_CA_CERT is not a readable PEM');
  if (certs.length === 0) throw new Error('CSMS_CA_CERT must hold the CA certificate as PEM ("BEGIN CERTIFICATE")');
  const certificate = safely(() => parseCertificate(certs[0]!), 'CSMS_CA_CERT is not a readable X.509 certificate');
  if (certificate.publicKey.kind !== 'ec' || certificate.publicKey.curve !== 'P-256') {
    throw new Error('CSMS_CA_CERT must be the certificate of an ECDSA P-256 key');
  }
  if (!sameBytes(certificate.publicKey.keyBytes, publicPoint)) {
    throw new Error('CSMS_CA_KEY does not match CSMS_CA_CERT: the key is not the one the certificate is for');
  }
  const constraints = certificate.extensions.get(OID.basicConstraints);
  if (!constraints || !isCa(constraints.value)) {
    throw new Error('CSMS_CA_CERT is not a CA certificate (basicConstraints cA:TRUE): chargers would refuse what it signs');
  }
  return { keyPkcs8, certificate, chainPem: certs.map((der) => toPem('CERTIFICATE', der)).join('') };
}

function safely<T>(read: () => T, message: string): T {
  try {
    return read();
  } catch {
    throw new Error(message);
  }
}

/** The public point a PKCS#8 P-256 key carries, or undefined when it carries none. Throws when it is not one. */
function pkcs8PublicPoint(der: Uint8Array): Uint8Array | undefined {
  const [, alg, key] = children(der, expectTag(readRoot(der), TAG.sequence, 'PrivateKeyInfo'));
  const [algOid, curve] = children(der, expectTag(alg, TAG.sequence, 'AlgorithmIdentifier'));
  if (readOid(der, algOid, 'key algorithm') !== OID.ecPublicKey || readOid(der, curve, 'curve') !== OID.p256) throw new DerError('not P-256');
  const inner = content(der, expectTag(key, TAG.octetString, 'privateKey'));
  const publicKey = children(inner, expectTag(readRoot(inner), TAG.sequence, 'ECPrivateKey')).find((n) => n.tag === 0xa1);
  if (!publicKey) return undefined;
  return bitStringBytes(inner, readNode(inner, publicKey.contentStart, publicKey.end)).slice();
}

function isCa(basicConstraints: Uint8Array): boolean {
  const [flag] = children(basicConstraints, expectTag(readRoot(basicConstraints), TAG.sequence, 'basicConstraints'));
  return flag?.tag === TAG.boolean && basicConstraints[flag.contentStart] !== 0;
}

export interface CaSignerOptions {
  keyPem: string;
  certPem: string;
  validityDays: number;
  now?: () => number;
}

/** Issued certificates start this long before now, for chargers whose clocks run a little behind. */
const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const MAX_CERTIFICATE_CHAIN = 10_000;

/** The certificate authority CSMS_CA_KEY and CSMS_CA_CERT make (see the trust model above). */
export function createCaSigner(options: CaSignerOptions): CertificateAuthority {
  const material = readCaMaterial(options.keyPem, options.certPem);
  const now = options.now ?? Date.now;
  return {
    async sign(csrText, chargerId, certificateType) {
      if (certificateType === 'V2GCertificate') {
        throw new CertificateRefusal('V2GNotServed', 'This CSMS signs charging-station certificates only; V2G certificates come from the V2G PKI');
      }
      const csr = await checkedCsr(csrText, chargerId);
      const leaf = await issueCertificate(material, csr, now(), options.validityDays);
      const chain = toPem('CERTIFICATE', leaf) + material.chainPem;
      // CertificateSigned's certificateChain holds at most 10,000 characters (both versions).
      if (chain.length > MAX_CERTIFICATE_CHAIN) {
        throw new CertificateRefusal('ChainTooLong', `The signed chain (${chain.length} characters) exceeds CertificateSigned's ${MAX_CERTIFICATE_CHAIN}; CSMS_CA_CERT holds too many certificates`);
      }
      return chain;
    },
  };
}

/** The CSR, read and checked: signed by its own key, of a strong enough key, for this charger. */
export async function checkedCsr(csrText: string, chargerId: string): Promise<CertificationRequest> {
  let csr: CertificationRequest;
  try {
    csr = parseCsr(csrText);
  } catch (error) {
    if (error instanceof CertificateRefusal) throw error;
    throw new CertificateRefusal('InvalidCSR', `The CSR is not a PKCS#10 request (PEM or base64 DER): ${(error as Error).message}`);
  }
  if (csr.publicKey.kind === 'rsa' && csr.publicKey.bits < 2048) {
    throw new CertificateRefusal('UnsupportedKey', `An RSA key of ${csr.publicKey.bits} bits is too weak (2048 or more)`);
  }
  let verified = false;
  try {
    verified = await verifySignature(csr.publicKey, csr.signatureAlgorithm, csr.signature, csr.info);
  } catch (error) {
    if (error instanceof CertificateRefusal) throw error;
  }
  if (!verified) throw new CertificateRefusal('InvalidSignature', 'The CSR is not signed by the key it carries');
  if (csr.commonNames.length !== 1 || csr.commonNames[0] !== chargerId) {
    throw new CertificateRefusal('InvalidCN', `The CSR's subject CN must be the charging station's identity "${chargerId}"`.slice(0, 512));
  }
  return csr;
}

/** Builds and signs the leaf certificate (DER) for `csr` under the CA. */
export async function issueCertificate(material: CaMaterial, csr: CertificationRequest, nowMs: number, validityDays: number): Promise<Uint8Array> {
  const ca = material.certificate;
  if (nowMs >= ca.notAfter) throw new CertificateRefusal('CAExpired', 'The CSMS certificate authority (CSMS_CA_CERT) has expired');
  const notBefore = nowMs - BACKDATE_MS;
  // A certificate outliving its issuer would not verify past the issuer's end anyway.
  const notAfter = Math.min(nowMs + validityDays * DAY_MS, ca.notAfter);
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, and 16 bytes long once encoded
  const keyUsage = csr.publicKey.kind === 'ec' ? bitString(Uint8Array.of(0x88), 3) : bitString(Uint8Array.of(0xa0), 5);
  const subjectKeyId = new Uint8Array(await crypto.subtle.digest('SHA-1', buffer(csr.publicKey.keyBytes)));
  const caKeyId = ca.extensions.get(OID.subjectKeyIdentifier);
  const authorityKeyId = caKeyId
    ? content(caKeyId.value, readRoot(caKeyId.value))
    : new Uint8Array(await crypto.subtle.digest('SHA-1', buffer(ca.publicKey.keyBytes)));
  const extension = (id: string, critical: boolean, value: Uint8Array) =>
    sequence(oid(id), ...(critical ? [tlv(TAG.boolean, Uint8Array.of(0xff))] : []), octetString(value));
  const signatureAlgorithm = sequence(oid(OID.ecdsaSha256));
  const tbs = sequence(
    contextExplicit(0, smallInteger(2)),
    tlv(TAG.integer, serial),
    signatureAlgorithm,
    ca.subject,
    sequence(time(notBefore), time(notAfter)),
    csr.subject,
    csr.publicKey.der,
    contextExplicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence()),
        extension(OID.keyUsage, true, keyUsage),
        extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth))),
        extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)),
        extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, authorityKeyId))),
      ),
    ),
  );
  const key = await crypto.subtle.importKey('pkcs8', buffer(material.keyPkcs8), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, buffer(tbs)));
  const signature = ecdsaRawToDer(raw);
  // The key was checked against the certificate at start; checking each signature too costs little
  // and keeps a certificate no charger could verify from ever being sent.
  if (!(await verifySignature(ca.publicKey, OID.ecdsaSha256, signature, tbs))) {
    throw new Error('the CA key produced a signature its certificate does not verify');
  }
  return sequence(tbs, signatureAlgorithm, bitString(signature));
}

