// Test-only ISO 15118-like PKI made at run time with WebCrypto (ECDSA P-256): roots, sub-CAs, contract
// certificates and OCSP responder certificates, with the extensions chain validation and OCSP read
// (basicConstraints, extendedKeyUsage, Authority Information Access). Runs in Node and in workerd.

import { ecdsaRawToDer } from '../../src/ocpp/csr-signer';
import {
  concat,
  contextExplicit,
  oid,
  octetString,
  sequence,
  smallInteger,
  TAG,
  time,
  tlv,
  toPem,
  unsignedInteger,
} from '../../src/ocpp/der';
import type { OcspRequestData } from '../../src/ocpp/ocsp';

export const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 86_400_000;

export interface TestCert {
  der: Uint8Array;
  pem: string;
  keys: CryptoKeyPair;
  /** The subject Name, DER. */
  name: Uint8Array;
  /** The issuer's Name, DER. */
  issuerName: Uint8Array;
  /** The subject public key's bits (the uncompressed EC point). */
  keyBits: Uint8Array;
  /** The issuer's key bits (itself for a root). */
  issuerKeyBits: Uint8Array;
  serialHex: string;
}

export interface IssueOptions {
  cn: string;
  /** Undefined: self-signed (a root). */
  issuer?: TestCert;
  ca?: boolean;
  eku?: string[];
  /** The OCSP responder its Authority Information Access names. */
  ocspUrl?: string;
  notBefore?: number;
  notAfter?: number;
  /** Sign with these keys instead of the issuer's (a certificate its named issuer did not sign). */
  signWith?: CryptoKeyPair;
}

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

export function newKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function ecdsaSign(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return ecdsaRawToDer(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, buffer(data))));
}

function nameOf(cn: string): Uint8Array {
  return sequence(tlv(TAG.set, sequence(oid('2.5.4.3'), tlv(TAG.utf8String, new TextEncoder().encode(cn)))));
}

let serialCounter = 0x1000;

export async function issue(options: IssueOptions, keys?: CryptoKeyPair): Promise<TestCert> {
  const own = keys ?? (await newKeys());
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', own.publicKey)) as ArrayBuffer);
  const keyBits = new Uint8Array((await crypto.subtle.exportKey('raw', own.publicKey)) as ArrayBuffer);
  const name = nameOf(options.cn);
  const issuerName = options.issuer?.name ?? name;
  const serialBytes = crypto.getRandomValues(new Uint8Array(8));
  serialBytes[0] = 0x10 + (serialCounter++ % 0x60);
  const now = Date.now();
  const extension = (id: string, critical: boolean, value: Uint8Array) =>
    sequence(oid(id), ...(critical ? [tlv(TAG.boolean, Uint8Array.of(0xff))] : []), octetString(value));
  const extensions = [
    extension('2.5.29.19', true, options.ca ? sequence(tlv(TAG.boolean, Uint8Array.of(0xff))) : sequence()),
    ...(options.eku ? [extension('2.5.29.37', false, sequence(...options.eku.map(oid)))] : []),
    ...(options.ocspUrl
      ? [extension('1.3.6.1.5.5.7.1.1', false, sequence(sequence(oid('1.3.6.1.5.5.7.48.1'), tlv(0x86, new TextEncoder().encode(options.ocspUrl)))))]
      : []),
  ];
  const algorithm = sequence(oid('1.2.840.10045.4.3.2'));
  const tbs = sequence(
    contextExplicit(0, smallInteger(2)),
    unsignedInteger(serialBytes),
    algorithm,
    issuerName,
    sequence(time(options.notBefore ?? now - DAY), time(options.notAfter ?? now + 365 * DAY)),
    name,
    spki,
    contextExplicit(3, sequence(...extensions)),
  );
  const signer = options.signWith ?? options.issuer?.keys ?? own;
  const der = sequence(tbs, algorithm, tlv(TAG.bitString, concat(Uint8Array.of(0), await ecdsaSign(signer.privateKey, tbs))));
  return {
    der,
    pem: toPem('CERTIFICATE', der),
    keys: own,
    name,
    issuerName,
    keyBits,
    issuerKeyBits: options.issuer?.keyBits ?? keyBits,
    serialHex: hex(serialBytes).replace(/^0+(?=.)/, ''),
  };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', buffer(bytes))));
}

/** The OCPP hash data (OCSPRequestDataType) naming `cert`, as a charger would send it. */
export async function hashDataOf(cert: TestCert, responderURL: string): Promise<OcspRequestData & { hashAlgorithm: 'SHA256' }> {
  return {
    hashAlgorithm: 'SHA256',
    issuerNameHash: await sha256Hex(cert.issuerName),
    issuerKeyHash: await sha256Hex(cert.issuerKeyBits),
    serialNumber: cert.serialHex,
    responderURL,
  };
}

/** SHA-256 of a certificate's key bits, hex: what OCSP names the certificates it issues by. */
export const keyHashOf = (cert: TestCert): Promise<string> => sha256Hex(cert.keyBits);

/**
 * An MO-like PKI: a root, a sub-CA, a contract certificate under it whose AIA names `ocspUrl`,
 * and a delegated OCSP responder certificate of the sub-CA's, with and without id-kp-OCSPSigning.
 */
export async function moPki(ocspUrl?: string) {
  const root = await issue({ cn: 'Test MO Root', ca: true });
  const subCa = await issue({ cn: 'Test MO Sub-CA', issuer: root, ca: true, ...(ocspUrl ? { ocspUrl } : {}) });
  const contract = await issue({ cn: 'DE8ACC000000001', issuer: subCa, eku: [CLIENT_AUTH], ...(ocspUrl ? { ocspUrl } : {}) });
  const responder = await issue({ cn: 'Test MO OCSP responder', issuer: subCa, eku: [OCSP_SIGNING] });
  const responderNoEku = await issue({ cn: 'Test MO OCSP responder without EKU', issuer: subCa });
  return { root, subCa, contract, responder, responderNoEku };
}
