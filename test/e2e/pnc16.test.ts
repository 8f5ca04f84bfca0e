// ISO 15118 Plug & Charge for a strict 1.6 client over DataTransfer (OCA application note): C07 by a real OCSP responder on 127.0.0.1, M06, and M01 through the local contract-certificate provider.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOcspResponder, type OcspResponder } from '../support/ocsp-responder.ts';
import { hashDataOf, keyHashOf, moPki } from '../support/test-pki.ts';
import type { ReceivedRequest } from './contract-cert-provider.ts';
import { api, bootedCharger, type Charger, uniqueChargerId } from './helpers.ts';

const PNC = 'org.openchargealliance.iso15118pnc';

let responder: OcspResponder;
/** The test MO sub-CA's issuerNameHash and issuerKeyHash: hash data naming certificates it issued. */
let subCaHashes: { issuerNameHash: string; issuerKeyHash: string };
beforeAll(async () => {
  responder = await startOcspResponder();
  // A mobility-operator PKI made in the test, in the CSMS's trust store, its responses signed by the
  // issuing CA (RFC 6960 §4.2.2.2): only then does the CSMS believe a responder (see e2e ocsp.test.ts).
  const pki = await moPki(responder.url);
  for (const [id, cert] of [['e2e-pnc16-mo-root', pki.root], ['e2e-pnc16-mo-subca', pki.subCa]] as const) {
    const res = await api('PUT', `/trust-roots/${id}`, { certificate: cert.pem });
    expect(res.status).toBeLessThan(300);
  }
  responder.signers.set(await keyHashOf(pki.subCa), { key: pki.subCa.keys.privateKey });
  responder.signers.set(await keyHashOf(pki.root), { key: pki.root.keys.privateKey });
  const { issuerNameHash, issuerKeyHash } = await hashDataOf(pki.contract, responder.url);
  subCaHashes = { issuerNameHash, issuerKeyHash };
});
afterAll(async () => {
  await responder?.stop();
});

function hashData(serial: string, responderURL = responder.url) {
  return { hashAlgorithm: 'SHA256' as const, ...subCaHashes, serialNumber: serial, responderURL };
}

let next = 0x2000 + Math.floor(Math.random() * 0xffff) * 0x100;
const freshSerial = () => (next++).toString(16);

/** A PnC DataTransfer; its answer's data parsed (the 2.0.1 response). */
async function pnc(cp: Charger, messageId: string, request: unknown): Promise<{ status: string; response?: any }> {
  const answer = (await cp.call('DataTransfer', { vendorId: PNC, messageId, data: JSON.stringify(request) })) as { status: string; data?: string };
  return { status: answer.status, ...(answer.data === undefined ? {} : { response: JSON.parse(answer.data) }) };
}

async function acceptedEmaid(): Promise<string> {
  const emaid = `DE8ACC${uniqueChargerId('').replace(/[^A-Za-z0-9]/g, '').slice(0, 9).toUpperCase()}`;
  const res = await api('PUT', `/id-tags/${emaid}`, { status: 'Accepted', type: 'eMAID' });
  expect(res.status).toBeLessThan(300);
  return emaid;
}

describe('1.6 Plug & Charge over DataTransfer (application note), strict 1.6 client', () => {
  it('1.6 PnC note / C07.FR.04 / C07.FR.05: Authorize with a good contract certificate is Accepted after a real OCSP request', async () => {
    const cp = await bootedCharger('ocpp1.6');
    const emaid = await acceptedEmaid();
    const serial = freshSerial();
    responder.statuses.set(serial, 'good');
    const before = responder.requests.length;
    const answer = await pnc(cp, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(serial)] });
    expect(answer).toEqual({ status: 'Accepted', response: { idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' } });
    expect(responder.requests.slice(before)).toEqual([{ contentType: 'application/ocsp-request', serialHex: serial }]);
    await cp.close();
  });

  it('1.6 PnC note / C07.FR.05: a revoked contract certificate refuses an Accepted eMAID (Invalid, CertificateRevoked)', async () => {
    const cp = await bootedCharger('ocpp1.6');
    const emaid = await acceptedEmaid();
    const revoked = freshSerial();
    responder.statuses.set(revoked, 'revoked');
    const answer = await pnc(cp, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(revoked)] });
    expect(answer).toEqual({ status: 'Accepted', response: { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' } });
    await cp.close();
  });

  it("1.6 PnC note / M06.FR.01 / M06.FR.02: GetCertificateStatus answers the responder's OCSPResponse, base64, in the data", async () => {
    const cp = await bootedCharger('ocpp1.6');
    const serial = freshSerial();
    responder.statuses.set(serial, 'good');
    const answer = await pnc(cp, 'GetCertificateStatus', { ocspRequestData: hashData(serial) });
    expect(answer.status).toBe('Accepted');
    expect(answer.response.status).toBe('Accepted');
    expect(Buffer.from(answer.response.ocspResult, 'base64')).toEqual(Buffer.from(responder.lastResponse.get(serial)!));
    await cp.close();
  });

  it('1.6 PnC note / M01.FR.01: Get15118EVCertificate reaches the contract-certificate provider, and its EXI response is the data', async () => {
    const cp = await bootedCharger('ocpp1.6');
    const exiRequest = `gAHxUG5DMTY${Date.now()}`;
    const answer = await pnc(cp, 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest });
    expect(answer).toEqual({ status: 'Accepted', response: { status: 'Accepted', exiResponse: [...exiRequest].reverse().join('') } });
    const received = (await (await fetch(new URL('/received', inject('contractCertProviderUrl')))).json()) as ReceivedRequest[];
    expect(received.find((r) => (r.body as { exiRequest?: string }).exiRequest === exiRequest)?.body).toMatchObject({ chargerId: cp.identity, action: 'Install' });
    await cp.close();
  });

  it('1.6 PnC note: data breaking the 2.0.1 schema is Rejected, an unknown messageId UnknownMessageId, each a valid DataTransfer.conf', async () => {
    const cp = await bootedCharger('ocpp1.6');
    expect(await cp.call('DataTransfer', { vendorId: PNC, messageId: 'Authorize', data: '{"idTag":"ABC"}' })).toEqual({ status: 'Rejected' });
    expect(await cp.call('DataTransfer', { vendorId: PNC, messageId: 'NotifyEVChargingNeeds', data: '{}' })).toEqual({ status: 'UnknownMessageId' });
    await cp.close();
  });
});
