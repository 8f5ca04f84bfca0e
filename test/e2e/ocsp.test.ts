// ISO 15118 contract certificates checked by OCSP (2.0.1 C07, M06) against a real OCSP responder on 127.0.0.1 built in the test,
// its responses signed as RFC 6960 §4.2.2.2 says (or not), under a mobility-operator PKI made in the test and configured in the
// CSMS's trust store (/api/v1/trust-roots).
import { describe, expect, it } from 'vitest';
import type { Signer } from '../support/ocsp-responder.ts';
import { issue, keyHashOf, moPki, newKeys, type TestCert } from '../support/test-pki.ts';
import { bootedCharger } from './helpers.ts';
import { acceptedEmaid, useMoOcsp } from './mo-ocsp-helpers.ts';

const mo = useMoOcsp('e2e-ocsp', 0x1000);
const { hashData, freshSerial } = mo;

/** Runs `body` with the sub-CA's responses signed by `signer`, then puts the CA's own signing back. */
async function signedBy<T>(signer: Signer, body: () => Promise<T>): Promise<T> {
  const keyHash = await keyHashOf(mo.pki.subCa);
  const own = mo.responder.signers.get(keyHash)!;
  mo.responder.signers.set(keyHash, signer);
  try {
    return await body();
  } finally {
    mo.responder.signers.set(keyHash, own);
  }
}

describe('Authorize with ISO 15118 certificate hash data (C07)', () => {
  it('C07.FR.04 / C07.FR.05: a good contract certificate is Accepted after a real OCSP request, and the verdict is cached', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const before = mo.responder.requests.length;
    const request = { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(serial)] };
    expect(await cp.call('Authorize', request)).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    const asked = mo.responder.requests.slice(before);
    expect(asked).toEqual([{ contentType: 'application/ocsp-request', serialHex: serial }]);
    // Asked again within the response's validity: answered from the cache.
    expect(await cp.call('Authorize', request)).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    expect(mo.responder.requests.length).toBe(before + 1);
  });

  it('C07.FR.05 / C07.FR.16: a revoked contract certificate refuses a token that is itself Accepted (Invalid, CertificateRevoked)', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const good = freshSerial();
    const revoked = freshSerial();
    mo.responder.statuses.set(good, 'good');
    mo.responder.statuses.set(revoked, 'revoked');
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

describe('OCSP responses believed only when properly signed (C07.FR.05, RFC 6960 §4.2.2.2)', () => {
  const authorize = async (serial: string) => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    return cp.call('Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(serial)] });
  };

  it('RFC 6960 §4.2.2.2 / C07.FR.05: a good signed by a key its issuer never certified is refused (Invalid, CertChainError)', async () => {
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const stranger = await newKeys();
    const answer = await signedBy({ key: stranger.privateKey }, () => authorize(serial));
    expect(answer).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    // The responder did answer good: it is the signature that was not believed.
    expect(mo.responder.lastResponse.has(serial)).toBe(true);
  });

  it('RFC 6960 §4.2.2.2 / C07.FR.05: a delegated responder whose certificate the issuer signed with id-kp-OCSPSigning is believed (Accepted)', async () => {
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const answer = await signedBy({ key: mo.pki.responder.keys.privateKey, certs: [mo.pki.responder.der] }, () => authorize(serial));
    expect(answer).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
  });

  it('RFC 6960 §4.2.2.2 / C07.FR.05: a delegated responder without id-kp-OCSPSigning is not believed (Invalid, CertChainError)', async () => {
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const answer = await signedBy({ key: mo.pki.responderNoEku.keys.privateKey, certs: [mo.pki.responderNoEku.der] }, () => authorize(serial));
    expect(answer).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
  });

  it('C07.FR.05: hash data naming an issuer not in the trust store is refused (CertChainError) without asking the responder', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const before = mo.responder.requests.length;
    const answer = await cp.call('Authorize', {
      idToken: { idToken: emaid, type: 'eMAID' },
      iso15118CertificateHashData: [{ ...hashData(serial), issuerKeyHash: 'b2'.repeat(32) }],
    });
    expect(answer).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    expect(mo.responder.requests.length).toBe(before);
  });
});

describe('Authorize with a PEM contract-certificate chain, validated centrally (C07.FR.06)', () => {
  const authorize = async (certificate: string) => {
    const cp = await bootedCharger('ocpp2.0.1');
    const emaid = await acceptedEmaid();
    return cp.call('Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, certificate });
  };
  const contract = (): Promise<TestCert> => issue({ cn: 'DE8ACC0000000E2', issuer: mo.pki.subCa, ocspUrl: mo.responder.url });

  it('C07.FR.06: a chain to a configured root is Accepted after OCSP of each of its certificates at the responder its AIA names', async () => {
    const leaf = await contract();
    mo.responder.statuses.set(leaf.serialHex, 'good');
    mo.responder.statuses.set(mo.pki.subCa.serialHex, 'good');
    const before = mo.responder.requests.length;
    expect(await authorize(leaf.pem + mo.pki.subCa.pem)).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    expect(mo.responder.requests.slice(before).map((r) => r.serialHex).sort()).toEqual([leaf.serialHex, mo.pki.subCa.serialHex].sort());
  });

  it('C07.FR.06: a chain whose contract certificate its responder says is revoked is refused (Invalid, CertificateRevoked)', async () => {
    const leaf = await contract();
    mo.responder.statuses.set(leaf.serialHex, 'revoked');
    mo.responder.statuses.set(mo.pki.subCa.serialHex, 'good');
    expect(await authorize(leaf.pem + mo.pki.subCa.pem)).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' });
  });

  it('C07.FR.06: a chain to a root not in the trust store is refused (Invalid, CertChainError) without asking any responder', async () => {
    const other = await moPki(mo.responder.url);
    mo.responder.statuses.set(other.contract.serialHex, 'good');
    mo.responder.statuses.set(other.subCa.serialHex, 'good');
    const before = mo.responder.requests.length;
    expect(await authorize(other.contract.pem + other.subCa.pem + other.root.pem)).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    expect(mo.responder.requests.length).toBe(before);
  });
});

describe('GetCertificateStatus (M06)', () => {
  it("M06.FR.01 / M06.FR.02 / M06.FR.03 / M06.FR.08 / M06.FR.09: answers Accepted with the responder's DER OCSPResponse, base64", async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const answer = (await cp.call('GetCertificateStatus', { ocspRequestData: hashData(serial) })) as { status: string; ocspResult: string };
    expect(answer.status).toBe('Accepted');
    expect(Buffer.from(answer.ocspResult, 'base64')).toEqual(Buffer.from(mo.responder.lastResponse.get(serial)!));
  });

  it('M06.FR.04: without a response from the responder, Failed with the reason', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const answer = await cp.call('GetCertificateStatus', { ocspRequestData: hashData(freshSerial(), 'http://127.0.0.1:9/ocsp') });
    expect(answer).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'OcspUnavailable', additionalInfo: 'the responder could not be reached' } });
  });
});
