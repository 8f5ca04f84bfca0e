// An OCSP responder for tests: a real HTTP server on 127.0.0.1 answering DER OCSP requests (RFC 6960) from a table of serial numbers.
//
// It reads the CertID out of each request, answers good / revoked as the table says (unknown for
// any other serial), and signs its BasicOCSPResponse (RFC 6960 §4.2.1) as `signers` says for the
// request's issuerKeyHash: with the issuer's own key, or a delegated responder's key with its
// certificate in `certs`; for an issuer it has no signer for, with a key of its own that nobody
// trusts (ECDSA P-256). Serial `dead` answers tryLater. It counts requests and keeps the last
// response per serial, so tests can see the cache at work and compare what the CSMS passed on.

import { createHash, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

function tlv(tag: number, content: number[] | Uint8Array): number[] {
  const bytes = [...content];
  const n = bytes.length;
  if (n < 0x80) return [tag, n, ...bytes];
  const len: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v % 256);
  return [tag, 0x80 | len.length, ...len, ...bytes];
}

function node(buf: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[start + i]!;
    start += count;
  }
  return { tag, start, end: start + len };
}

function generalized(date: Date): number[] {
  const text = date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
  return tlv(0x18, [...new TextEncoder().encode(text)]);
}

/** The CertID of an OCSPRequest (its first request), whole, its serial number and issuerKeyHash in hex. */
export function certIdOf(request: Uint8Array): { certId: Uint8Array; serialHex: string; issuerKeyHashHex: string } {
  const ocspRequest = node(request, 0);
  const tbs = node(request, ocspRequest.start);
  let at = tbs.start;
  let list = node(request, at);
  while (list.tag !== 0x30) {
    at = list.end;
    list = node(request, at);
  }
  const req = node(request, list.start);
  const certId = node(request, req.start);
  const certIdAt = req.start;
  let child = certId.start;
  let serial = node(request, child);
  let keyHash = serial;
  for (let i = 0; i < 3; i++) {
    keyHash = serial;
    child = serial.end;
    serial = node(request, child);
  }
  const serialBytes = request.subarray(serial.start, serial.end);
  let serialHex = Buffer.from(serialBytes).toString('hex').replace(/^0+(?=.)/, '');
  if (serialHex === '') serialHex = '0';
  const issuerKeyHashHex = Buffer.from(request.subarray(keyHash.start, keyHash.end)).toString('hex');
  return { certId: request.slice(certIdAt, certId.end), serialHex, issuerKeyHashHex };
}

/** Who signs a response: a private key (the issuer's, or a delegated responder's), and the certificates sent along. */
export interface Signer {
  key: KeyObject | CryptoKey;
  /** DER certificates for BasicOCSPResponse `certs` (a delegated responder's own). */
  certs?: Uint8Array[];
}

export type Verdict = 'good' | 'revoked';

/** A DER OCSPResponse: `tryLater` alone, or a signed basic response for `certId` with `verdict` (unknown when undefined). */
export function ocspResponse(
  certId: Uint8Array,
  verdict: Verdict | undefined | 'tryLater',
  now = new Date(),
  signer: Signer = { key: responderKey },
  times: { thisUpdate?: Date; nextUpdate?: Date } = {},
): Uint8Array {
  if (verdict === 'tryLater') return new Uint8Array(tlv(0x30, tlv(0x0a, [3])));
  const certStatus = verdict === 'good' ? [0x80, 0x00] : verdict === 'revoked' ? tlv(0xa1, generalized(new Date(now.getTime() - 86_400_000))) : [0x82, 0x00];
  const thisUpdate = times.thisUpdate ?? now;
  const nextUpdate = times.nextUpdate ?? new Date(now.getTime() + 3_600_000);
  const single = tlv(0x30, [...certId, ...certStatus, ...generalized(thisUpdate), ...tlv(0xa0, generalized(nextUpdate))]);
  const key = signer.key instanceof KeyObject ? signer.key : KeyObject.from(signer.key as Parameters<typeof KeyObject.from>[0]);
  // ResponderID byKey: SHA-1 of the signer's public key bits (RFC 6960 §4.2.1).
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const responderId = tlv(0xa2, tlv(0x04, createHash('sha1').update(spki.subarray(spki.length - 65)).digest()));
  const tbs = tlv(0x30, [...responderId, ...generalized(now), ...tlv(0x30, single)]);
  const signature = sign('sha256', Uint8Array.from(tbs), key);
  // ecdsa-with-SHA256, 1.2.840.10045.4.3.2
  const algorithm = tlv(0x30, tlv(0x06, [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
  const certs = signer.certs?.length ? tlv(0xa0, tlv(0x30, signer.certs.flatMap((c) => [...c]))) : [];
  const basic = tlv(0x30, [...tbs, ...algorithm, ...tlv(0x03, [0, ...signature]), ...certs]);
  const basicOid = tlv(0x06, [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]);
  const responseBytes = tlv(0xa0, tlv(0x30, [...basicOid, ...tlv(0x04, basic)]));
  return new Uint8Array(tlv(0x30, [...tlv(0x0a, [0]), ...responseBytes]));
}

const { privateKey: responderKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

export interface OcspResponder {
  url: string;
  /** Serial (hex, lower case, no leading zeros) → verdict. */
  statuses: Map<string, Verdict>;
  requests: Array<{ contentType: string | undefined; serialHex: string }>;
  lastResponse: Map<string, Uint8Array>;
  /** issuerKeyHash (hex, lower case) → who signs responses about the certificates that issuer issued. */
  signers: Map<string, Signer>;
  stop(): Promise<void>;
}

export async function startOcspResponder(): Promise<OcspResponder> {
  const statuses = new Map<string, Verdict>();
  const requests: OcspResponder['requests'] = [];
  const lastResponse = new Map<string, Uint8Array>();
  const signers = new Map<string, Signer>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const { certId, serialHex, issuerKeyHashHex } = certIdOf(new Uint8Array(Buffer.concat(chunks)));
      requests.push({ contentType: req.headers['content-type'], serialHex });
      const der = ocspResponse(certId, serialHex === 'dead' ? 'tryLater' : statuses.get(serialHex), new Date(), signers.get(issuerKeyHashHex));
      lastResponse.set(serialHex, der);
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(der));
    } catch {
      // malformedRequest
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(tlv(0x30, tlv(0x0a, [1]))));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ocsp`,
    statuses,
    requests,
    lastResponse,
    signers,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
