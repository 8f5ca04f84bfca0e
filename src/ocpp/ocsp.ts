// OCSP (RFC 6960) for ISO 15118 contract certificates: the DER request built from OCPP's hash data, and the responder's answer read.
//
// OCPP names a certificate by its hash data (OCSPRequestDataType: hash algorithm, issuer name and
// key hashes, serial number, all hex, and the responder's URL), which is exactly an OCSP CertID,
// so the CSMS can ask the responder without the certificate itself (C07.FR.05, M06). Pure: the
// HTTP exchange is charger/ocsp-client.ts. What is read here is not yet trusted: the response's
// signature (RFC 6960 §4.2.2.2) is checked by trust-chain.ts against the issuer's key, with the
// parts basicResponseParts returns.

import * as der from './der';

export interface OcspRequestData {
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
  responderURL: string;
}

export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

/** What the responder said of one certificate, or why nothing could be read from it. */
export type OcspOutcome =
  | { kind: OcspCertStatus; thisUpdate?: string; nextUpdate?: string; revokedAt?: string; response: Uint8Array }
  | { kind: 'error'; reason: string };

/** Asks a responder (an HTTP exchange); never throws. */
export interface OcspChecker {
  check(data: OcspRequestData): Promise<OcspOutcome>;
}

/** DER of the hash algorithms' OIDs (NIST, 2.16.840.1.101.3.4.2.x). */
const HASH_OIDS: Record<string, number[]> = {
  SHA256: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
  SHA384: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02],
  SHA512: [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03],
};
/** id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 */
const OCSP_BASIC = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

export class OcspFormatError extends Error {}

function hexBytes(name: string, hex: string): number[] {
  const clean = hex.trim();
  if (clean.length === 0 || !/^[0-9a-fA-F]+$/.test(clean)) throw new OcspFormatError(`${name} is not hex`);
  const even = clean.length % 2 === 0 ? clean : `0${clean}`;
  const out: number[] = [];
  for (let i = 0; i < even.length; i += 2) out.push(parseInt(even.slice(i, i + 2), 16));
  return out;
}

function tlv(tag: number, content: number[]): number[] {
  const n = content.length;
  if (n < 0x80) return [tag, n, ...content];
  const len: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v % 256);
  return [tag, 0x80 | len.length, ...len, ...content];
}

/** A serial number as a DER INTEGER's content: no superfluous leading zeros, positive. */
function serialContent(hex: string): number[] {
  let bytes = hexBytes('serialNumber', hex);
  while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.slice(1);
  return bytes[0]! >= 0x80 ? [0, ...bytes] : bytes;
}

/** The CertID the hash data names (DER). Throws OcspFormatError for hash data that is not hex or an unknown algorithm. */
export function certIdDer(data: Omit<OcspRequestData, 'responderURL'>): number[] {
  const oid = HASH_OIDS[data.hashAlgorithm];
  if (!oid) throw new OcspFormatError(`hash algorithm ${data.hashAlgorithm} is not one OCSP is asked with here`);
  const algorithm = tlv(0x30, [...tlv(0x06, oid), 0x05, 0x00]);
  return tlv(0x30, [
    ...algorithm,
    ...tlv(0x04, hexBytes('issuerNameHash', data.issuerNameHash)),
    ...tlv(0x04, hexBytes('issuerKeyHash', data.issuerKeyHash)),
    ...tlv(0x02, serialContent(data.serialNumber)),
  ]);
}

/** An OCSPRequest for the one certificate the hash data names, unsigned and without a nonce (as RFC 5019 profiles it). */
export function ocspRequestDer(data: Omit<OcspRequestData, 'responderURL'>): Uint8Array {
  const request = tlv(0x30, certIdDer(data));
  const tbsRequest = tlv(0x30, tlv(0x30, request));
  return new Uint8Array(tlv(0x30, tbsRequest));
}

interface Node {
  tag: number;
  /** Where the content starts and ends in the buffer. */
  start: number;
  end: number;
  /** Where the whole TLV starts. */
  at: number;
}

function readNode(buf: Uint8Array, at: number, limit: number): Node {
  if (at + 2 > limit) throw new OcspFormatError('truncated');
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new OcspFormatError('bad length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[start + i]!;
    start += count;
  }
  const end = start + len;
  if (end > limit) throw new OcspFormatError('truncated');
  return { tag, start, end, at };
}

function children(buf: Uint8Array, node: Node): Node[] {
  const out: Node[] = [];
  for (let at = node.start; at < node.end; ) {
    const child = readNode(buf, at, node.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

function must(node: Node | undefined, tag: number, what: string): Node {
  if (!node || node.tag !== tag) throw new OcspFormatError(`${what} missing`);
  return node;
}

function sameBytes(buf: Uint8Array, node: Node, bytes: number[]): boolean {
  if (node.end - node.start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[node.start + i] !== bytes[i]) return false;
  return true;
}

function generalizedTime(buf: Uint8Array, node: Node): string | undefined {
  if (node.tag !== 0x18) return undefined;
  const text = new TextDecoder().decode(buf.subarray(node.start, node.end));
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : undefined;
}

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(unused)', 'sigRequired', 'unauthorized'];

/**
 * What `der` (an OCSPResponse) says of the certificate `wanted` names: its SingleResponse's
 * certStatus and times. An unsuccessful response, one of another type, or one that does not
 * mention the certificate is an error, never a status.
 */
export function readOcspResponse(der: Uint8Array, wanted: Omit<OcspRequestData, 'responderURL'>): OcspOutcome {
  try {
    const top = must(readNode(der, 0, der.length), 0x30, 'OCSPResponse');
    const [statusNode, bytesNode] = children(der, top);
    const status = must(statusNode, 0x0a, 'responseStatus');
    const code = der[status.start];
    if (code !== 0) return { kind: 'error', reason: `the responder answered ${RESPONSE_STATUS[code ?? 2] ?? `status ${code}`}` };
    const responseBytes = must(children(der, must(bytesNode, 0xa0, 'responseBytes'))[0], 0x30, 'ResponseBytes');
    const [type, octets] = children(der, responseBytes);
    if (!sameBytes(der, must(type, 0x06, 'responseType'), OCSP_BASIC)) return { kind: 'error', reason: 'the response is not a basic OCSP response' };
    const basicOctets = must(octets, 0x04, 'response');
    const basic = must(readNode(der, basicOctets.start, basicOctets.end), 0x30, 'BasicOCSPResponse');
    const tbs = must(children(der, basic)[0], 0x30, 'ResponseData');
    const responses = children(der, tbs).find((n) => n.tag === 0x30);
    if (!responses) throw new OcspFormatError('responses missing');
    const certId = certIdDer(wanted);
    for (const single of children(der, responses)) {
      const [id, certStatus, thisUpdate, ...rest] = children(der, must(single, 0x30, 'SingleResponse'));
      const idNode = must(id, 0x30, 'certID');
      if (!sameBytes(der, { ...idNode, start: idNode.at, end: idNode.end }, certId)) continue;
      if (!certStatus) throw new OcspFormatError('certStatus missing');
      const next = rest.find((n) => n.tag === 0xa0);
      const times = {
        ...(thisUpdate ? { thisUpdate: generalizedTime(der, thisUpdate) } : {}),
        ...(next ? { nextUpdate: next.end > next.start ? generalizedTime(der, readNode(der, next.start, next.end)) : undefined } : {}),
      };
      const response = der.slice();
      if (certStatus.tag === 0x80) return { kind: 'good', ...times, response };
      if (certStatus.tag === 0xa1) {
        const revokedAt = children(der, certStatus)[0];
        return { kind: 'revoked', ...times, ...(revokedAt ? { revokedAt: generalizedTime(der, revokedAt) } : {}), response };
      }
      if (certStatus.tag === 0x82) return { kind: 'unknown', ...times, response };
      throw new OcspFormatError('certStatus unreadable');
    }
    return { kind: 'error', reason: 'the response does not mention this certificate' };
  } catch (error) {
    if (error instanceof OcspFormatError) return { kind: 'error', reason: `the response is not DER OCSP: ${error.message}` };
    throw error;
  }
}

/** The signed parts of a BasicOCSPResponse (RFC 6960 §4.2.1), for checking its signature. */
export interface BasicResponseParts {
  /** tbsResponseData, whole: what the signature covers. */
  tbsResponseData: Uint8Array;
  signatureAlgorithm: string;
  /** The signature BIT STRING's bytes (DER ECDSA-Sig-Value, or the RSA signature). */
  signature: Uint8Array;
  /** The certificates the responder sent along (a delegated responder's own, §4.2.2.2), DER. */
  certs: Uint8Array[];
}

/** The BasicOCSPResponse inside an OCSPResponse already read by readOcspResponse. Throws DerError when unreadable. */
export function basicResponseParts(bytes: Uint8Array): BasicResponseParts {
  const [, bytesNode] = der.children(bytes, der.expectTag(der.readRoot(bytes), der.TAG.sequence, 'OCSPResponse'));
  const [responseBytes] = der.children(bytes, der.expectTag(bytesNode, 0xa0, 'responseBytes'));
  const [, octets] = der.children(bytes, der.expectTag(responseBytes, der.TAG.sequence, 'ResponseBytes'));
  const basicOctets = der.expectTag(octets, der.TAG.octetString, 'response');
  const basic = der.readNode(bytes, basicOctets.contentStart, basicOctets.end);
  const [tbs, algorithm, signature, certsWrapper] = der.children(bytes, der.expectTag(basic, der.TAG.sequence, 'BasicOCSPResponse'));
  const [algorithmOid] = der.children(bytes, der.expectTag(algorithm, der.TAG.sequence, 'signatureAlgorithm'));
  const certs: Uint8Array[] = [];
  if (certsWrapper) {
    const [list] = der.children(bytes, der.expectTag(certsWrapper, 0xa0, 'certs'));
    for (const cert of der.children(bytes, der.expectTag(list, der.TAG.sequence, 'certs'))) certs.push(der.whole(bytes, der.expectTag(cert, der.TAG.sequence, 'Certificate')).slice());
  }
  return {
    tbsResponseData: der.whole(bytes, der.expectTag(tbs, der.TAG.sequence, 'tbsResponseData')).slice(),
    signatureAlgorithm: der.readOid(bytes, algorithmOid, 'signature algorithm'),
    signature: der.bitStringBytes(bytes, der.expectTag(signature, der.TAG.bitString, 'signature')).slice(),
    certs,
  };
}

/** The AuthorizeResponse certificateStatus for what the responder said (C07): only `good` is Accepted. */
export function certificateStatusFor(outcome: OcspOutcome): 'Accepted' | 'CertificateRevoked' | 'CertChainError' {
  if (outcome.kind === 'good') return 'Accepted';
  if (outcome.kind === 'revoked') return 'CertificateRevoked';
  return 'CertChainError';
}
