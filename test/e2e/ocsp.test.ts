// ISO 15118 contract certificates checked by OCSP (2.0.1 C07, M06) against a real OCSP responder on 127.0.0.1 built in the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOcspResponder, type OcspResponder } from '../support/ocsp-responder.ts';
import { api, bootedCharger, uniqueChargerId } from './helpers.ts';

let responder: OcspResponder;
beforeAll(async () => {
  responder = await startOcspResponder();
});
afterAll(async () => {
  await responder.stop();
});

/** Hash data naming serial `serial` at the test responder (or at `responderURL`). */
function hashData(serial: string, responderURL = responder.url) {
  return { hashAlgorithm: 'SHA256' as const, issuerNameHash: 'a1'.repeat(32), issuerKeyHash: 'b2'.repeat(32), serialNumber: serial, responderURL };
}

/** A fresh serial number: the CSMS caches verdicts, and every test wants its own. */
let next = 0x1000 + Math.floor(Math.random() * 0xffff) * 0x100;
const freshSerial = () => (next++).toString(16);

async function acceptedEmaid(): Promise<string> {
  const emaid = `DE8ACC${uniqueChargerId('').replace(/[^A-Za-z0-9]/g, '').slice(0, 9).toUpperCase()}`;
  const res = await api('PUT', `/id-tags/${emaid}`, { status: 'Accepted', type: 'eMAID' });
  expect(res.status).toBeLessThan(300);
  return emaid;
}

describe('Authorize with ISO 15118 certificate hash data (C07)', () => {
  it('C07.FR.04 / C07.FR.05: a good contract certificate is Accepted after a real OCSP request, and the verdict is cached', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const serial = freshSerial();
    responder.statuses.set(serial, 'good');
    const before = responder.requests.length;
    const request = { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(serial)] };
    expect(await cp.call('Authorize', request)).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    const asked = responder.requests.slice(before);
    expect(asked).toEqual([{ contentType: 'application/ocsp-request', serialHex: serial }]);
    // Asked again within the response's validity: answered from the cache.
    expect(await cp.call('Authorize', request)).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    expect(responder.requests.length).toBe(before + 1);
  });

  it('C07.FR.05: a revoked contract certificate refuses a token that is itself Accepted (Invalid, CertificateRevoked)', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const good = freshSerial();
    const revoked = freshSerial();
    responder.statuses.set(good, 'good');
    responder.statuses.set(revoked, 'revoked');
    const answer = await cp.call('Authorize', {
      idToken: { idToken: emaid, type: 'eMAID' },
      iso15118CertificateHashData: [hashData(good), hashData(revoked)],
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' });
  });

  it('C07.FR.05: a certificate unknown to its responder, a responder that says tryLater or cannot be reached, is refused (Invalid, CertChainError)', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const authorize = (data: ReturnType<typeof hashData>) =>
      cp.call('Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [data] });
    expect(await authorize(hashData(freshSerial()))).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    expect(await authorize(hashData('dead'))).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    // Nothing listens on port 9 of the loopback.
    expect(await authorize(hashData(freshSerial(), 'http://127.0.0.1:9/ocsp'))).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    // Not hex: the hash data names no certificate.
    expect(await authorize({ ...hashData(freshSerial()), issuerNameHash: 'zz' })).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
  });

  it('C07.FR.06: a chain sent only as PEM for central validation is not accepted unchecked (Invalid, CertChainError)', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const answer = await cp.call('Authorize', {
      idToken: { idToken: emaid, type: 'eMAID' },
      certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
  });
});

describe('GetCertificateStatus (M06)', () => {
  it("M06.FR.01 / M06.FR.02 / M06.FR.08 / M06.FR.09: answers Accepted with the responder's DER OCSPResponse, base64", async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const serial = freshSerial();
    responder.statuses.set(serial, 'good');
    const answer = (await cp.call('GetCertificateStatus', { ocspRequestData: hashData(serial) })) as { status: string; ocspResult: string };
    expect(answer.status).toBe('Accepted');
    expect(Buffer.from(answer.ocspResult, 'base64')).toEqual(Buffer.from(responder.lastResponse.get(serial)!));
  });

  it('M06.FR.01: without a response from the responder, Failed with the reason', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const answer = await cp.call('GetCertificateStatus', { ocspRequestData: hashData(freshSerial(), 'http://127.0.0.1:9/ocsp') });
    expect(answer).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'OcspUnavailable', additionalInfo: 'the responder could not be reached' } });
  });
});
