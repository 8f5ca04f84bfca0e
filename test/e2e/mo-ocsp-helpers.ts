// Shared by the e2e tests of ISO 15118 contract certificates checked by OCSP (ocsp.test.ts: 2.0.1 C07/M06;
// pnc16.test.ts: 1.6 Plug & Charge over DataTransfer): a real OCSP responder on 127.0.0.1, a mobility-operator
// PKI made in the test and put in the CSMS's trust store (/api/v1/trust-roots), each CA signing the responses
// for what it issued (RFC 6960 §4.2.2.2: only then does the CSMS believe a responder), hash data naming the
// sub-CA's certificates, fresh serial numbers, and eMAIDs the CSMS accepts.
import { afterAll, beforeAll, expect } from 'vitest';
import { startOcspResponder, type OcspResponder } from '../support/ocsp-responder.ts';
import { hashDataOf, keyHashOf, moPki } from '../support/test-pki.ts';
import { api, uniqueChargerId } from './helpers.ts';

export type MoPki = Awaited<ReturnType<typeof moPki>>;

export interface MoOcsp {
  /** Set once the file's beforeAll has run. */
  readonly responder: OcspResponder;
  readonly pki: MoPki;
  /** Hash data naming serial `serial` issued by the test MO sub-CA, at the test responder (or at `responderURL`). */
  hashData(
    serial: string,
    responderURL?: string,
  ): { hashAlgorithm: 'SHA256'; issuerNameHash: string; issuerKeyHash: string; serialNumber: string; responderURL: string };
  /** A fresh serial number: the CSMS caches verdicts, and every test wants its own. */
  freshSerial(): string;
}

/**
 * Starts the responder and makes the PKI before the file's tests (stopped after them). The trust
 * roots are stored as `<trustRootPrefix>-mo-root` and `-mo-subca`; serials start from `firstSerial`
 * (plus a random offset), so files running against the same CSMS never share one.
 */
export function useMoOcsp(trustRootPrefix: string, firstSerial: number): MoOcsp {
  let responder: OcspResponder | undefined;
  let pki: MoPki | undefined;
  /** The sub-CA's issuerNameHash and issuerKeyHash: hash data naming certificates it issued. */
  let subCaHashes: { issuerNameHash: string; issuerKeyHash: string } | undefined;
  let next = firstSerial + Math.floor(Math.random() * 0xffff) * 0x100;
  beforeAll(async () => {
    responder = await startOcspResponder();
    pki = await moPki(responder.url);
    // The operator's trust store: the MO root, and its sub-CA so that hash data alone can name it.
    for (const [id, cert] of [[`${trustRootPrefix}-mo-root`, pki.root], [`${trustRootPrefix}-mo-subca`, pki.subCa]] as const) {
      const res = await api('PUT', `/trust-roots/${id}`, { certificate: cert.pem });
      expect(res.status).toBeLessThan(300);
    }
    // Each CA answers for what it issued, with its own key (RFC 6960 §4.2.2.2, the CA itself).
    responder.signers.set(await keyHashOf(pki.subCa), { key: pki.subCa.keys.privateKey });
    responder.signers.set(await keyHashOf(pki.root), { key: pki.root.keys.privateKey });
    const { issuerNameHash, issuerKeyHash } = await hashDataOf(pki.contract, responder.url);
    subCaHashes = { issuerNameHash, issuerKeyHash };
  });
  afterAll(async () => {
    await responder?.stop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the MO PKI is made in beforeAll: use it inside tests');
    return value;
  };
  return {
    get responder() {
      return ready(responder);
    },
    get pki() {
      return ready(pki);
    },
    hashData: (serial, responderURL) => ({
      hashAlgorithm: 'SHA256' as const,
      ...ready(subCaHashes),
      serialNumber: serial,
      responderURL: responderURL ?? ready(responder).url,
    }),
    freshSerial: () => (next++).toString(16),
  };
}

/** An eMAID the CSMS knows as Accepted, unique to the test. */
export async function acceptedEmaid(): Promise<string> {
  const emaid = `DE8ACC${uniqueChargerId('').replace(/[^A-Za-z0-9]/g, '').slice(0, 9).toUpperCase()}`;
  const res = await api('PUT', `/id-tags/${emaid}`, { status: 'Accepted', type: 'eMAID' });
  expect(res.status).toBeLessThan(300);
  return emaid;
}
