// The ISO 15118 trust store, central chain validation (C07.FR.06) and OCSP signature checks (C07.FR.05, RFC 6960 §4.2.2.2),
// on certificates and responses made in the test with WebCrypto (test/support/test-pki.ts, ocsp-responder.ts).
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { certIdOf, ocspResponse } from '../../test/support/ocsp-responder';
import { hashDataOf, issue, keyHashOf, moPki, newKeys, OCSP_SIGNING, type TestCert } from '../../test/support/test-pki';
import { parseCertificate, type Certificate } from './csr-signer';
import { pemBlocks } from './der';
import { ocspRequestDer, readOcspResponse, type OcspRequestData } from './ocsp';
import {
  issuerByHash,
  ocspRequestDataFor,
  readTrustRoot,
  trustedCertificates,
  trustedOutcome,
  TrustError,
  UNTRUSTED_ISSUER,
  validateChain,
} from './trust-chain';

const URL = 'http://127.0.0.1:1/ocsp';
let pki: Awaited<ReturnType<typeof moPki>>;
let trusted: Certificate[];
const cert = (c: TestCert) => parseCertificate(c.der);

beforeAll(async () => {
  pki = await moPki(URL);
  trusted = await trustedCertificates([pki.root.pem, pki.subCa.pem], Date.now());
});

/** What the responder would answer about `subject` (good unless said), signed by `key` with `certs`, read as the CSMS reads it. */
async function answered(subject: TestCert, key: CryptoKey, certs: TestCert[] = [], verdict: 'good' | 'revoked' = 'good', times = {}) {
  const data: OcspRequestData = await hashDataOf(subject, URL);
  const { certId } = certIdOf(ocspRequestDer(data));
  return readOcspResponse(ocspResponse(certId, verdict, new Date(), { key, certs: certs.map((c) => c.der) }, times), data);
}

describe('OCSP response signatures (C07.FR.05, M06, RFC 6960 §4.2.2.2)', () => {
  it('RFC 6960 §4.2.2.2: a response signed by the issuer itself is believed; good stays good, revoked stays revoked', async () => {
    const now = Date.now();
    expect(await trustedOutcome(await answered(pki.contract, pki.subCa.keys.privateKey), cert(pki.subCa), now)).toMatchObject({ kind: 'good' });
    expect(await trustedOutcome(await answered(pki.contract, pki.subCa.keys.privateKey, [], 'revoked'), cert(pki.subCa), now)).toMatchObject({ kind: 'revoked' });
  });

  it('RFC 6960 §4.2.2.2: a good signed by a key the issuer never certified is not believed (an error, answered CertChainError)', async () => {
    const stranger = await newKeys();
    const outcome = await trustedOutcome(await answered(pki.contract, stranger.privateKey), cert(pki.subCa), Date.now());
    expect(outcome).toEqual({ kind: 'error', reason: "the response is not signed by the certificate's issuer nor by a responder it authorised" });
  });

  it('RFC 6960 §4.2.2.2: a delegated responder is believed only with a certificate the issuer signed carrying id-kp-OCSPSigning', async () => {
    const now = Date.now();
    const delegated = await trustedOutcome(await answered(pki.contract, pki.responder.keys.privateKey, [pki.responder]), cert(pki.subCa), now);
    expect(delegated).toMatchObject({ kind: 'good' });
    const noEku = await trustedOutcome(await answered(pki.contract, pki.responderNoEku.keys.privateKey, [pki.responderNoEku]), cert(pki.subCa), now);
    expect(noEku).toEqual({ kind: 'error', reason: "the response's signer is not authorised for OCSP signing (no id-kp-OCSPSigning)" });
    // A responder certificate with the EKU but signed by another CA (here its own root) authorises nothing.
    const selfMade = await issue({ cn: 'Self-made responder', eku: [OCSP_SIGNING] });
    const forged = await trustedOutcome(await answered(pki.contract, selfMade.keys.privateKey, [selfMade]), cert(pki.subCa), now);
    expect(forged).toEqual({ kind: 'error', reason: "the response's signer is not certified by the certificate's issuer" });
    // Without its certificate in `certs`, a delegated responder's signature cannot be tied to the issuer.
    expect((await trustedOutcome(await answered(pki.contract, pki.responder.keys.privateKey), cert(pki.subCa), now)).kind).toBe('error');
  });

  it('RFC 6960 §3.2: thisUpdate in the future (beyond 5 minutes) or nextUpdate past is not believed', async () => {
    const now = Date.now();
    const key = pki.subCa.keys.privateKey;
    const future = await answered(pki.contract, key, [], 'good', { thisUpdate: new Date(now + 3_600_000), nextUpdate: new Date(now + 7_200_000) });
    expect(await trustedOutcome(future, cert(pki.subCa), now)).toEqual({ kind: 'error', reason: 'the response is dated in the future (thisUpdate)' });
    const stale = await answered(pki.contract, key, [], 'good', { thisUpdate: new Date(now - 7_200_000), nextUpdate: new Date(now - 3_600_000) });
    expect(await trustedOutcome(stale, cert(pki.subCa), now)).toEqual({ kind: 'error', reason: 'the response is out of date (nextUpdate has passed)' });
    const skewed = await answered(pki.contract, key, [], 'good', { thisUpdate: new Date(now + 60_000) });
    expect((await trustedOutcome(skewed, cert(pki.subCa), now)).kind).toBe('good');
  });

  it('C07.FR.05: with no issuer known the outcome is the untrusted-issuer error, whatever the responder said', async () => {
    expect(await trustedOutcome(await answered(pki.contract, pki.subCa.keys.privateKey), undefined, Date.now())).toBe(UNTRUSTED_ISSUER);
  });

  it('C07.FR.05: the issuer named by hash data is found among the trusted certificates by its key and name hashes', async () => {
    const data = await hashDataOf(pki.contract, URL);
    expect((await issuerByHash(trusted, data))?.der).toEqual(pki.subCa.der);
    expect((await issuerByHash(trusted, await hashDataOf(pki.subCa, URL)))?.der).toEqual(pki.root.der);
    expect(await issuerByHash(trusted, { ...data, issuerKeyHash: 'ab'.repeat(32) })).toBeUndefined();
    expect(await issuerByHash(trusted, { ...data, issuerNameHash: 'ab'.repeat(32) })).toBeUndefined();
    expect(data.issuerKeyHash).toBe(await keyHashOf(pki.subCa));
  });
});

describe('trust store (C07.FR.06)', () => {
  it('takes one CA certificate, with its subject, SHA-256 fingerprint, key hash and dates; a root is self-signed', async () => {
    const info = await readTrustRoot(pki.root.pem, Date.now());
    const x509 = new X509Certificate(pki.root.pem);
    expect(info.fingerprint).toBe(x509.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(info).toMatchObject({ subject: 'CN=Test MO Root', selfSigned: true, keyHash: await keyHashOf(pki.root) });
    expect(Date.parse(info.notAfter)).toBe(Date.parse(x509.validTo));
    expect((await readTrustRoot(pki.subCa.pem, Date.now())).selfSigned).toBe(false);
    // The test PKI is real X.509: OpenSSL verifies its links.
    expect(new X509Certificate(pki.contract.pem).verify(new X509Certificate(pki.subCa.pem).publicKey)).toBe(true);
  });

  it('refuses a private key, a certificate that is not a CA, several certificates, an expired one, or garbage', async () => {
    const now = Date.now();
    const refusal = (text: string) => readTrustRoot(text, now).then(() => 'accepted', (e: unknown) => (e instanceof TrustError ? e.message : 'crash'));
    expect(await refusal(`${pki.root.pem}-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n`)).toMatch(/private key/);
    expect(await refusal('-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----')).toMatch(/private key/);
    expect(await refusal(pki.contract.pem)).toMatch(/not a CA certificate/);
    expect(await refusal(pki.root.pem + pki.subCa.pem)).toMatch(/exactly one/);
    const expired = await issue({ cn: 'Old root', ca: true, notBefore: now - 10 * 86_400_000, notAfter: now - 86_400_000 });
    expect(await refusal(expired.pem)).toMatch(/expired/);
    expect(await refusal('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toMatch(/not a readable/);
  });

  it('trusts a sub-CA only while it verifies up to a root in the store', async () => {
    const now = Date.now();
    expect((await trustedCertificates([pki.subCa.pem], now)).length).toBe(0);
    expect((await trustedCertificates([pki.subCa.pem, pki.root.pem], now)).map((c) => c.subjectCommonNames[0])).toEqual(['Test MO Root', 'Test MO Sub-CA']);
    const otherRoot = await issue({ cn: 'Test MO Root' }); // same name, another key: not the issuer
    expect(await trustedCertificates([otherRoot.pem, pki.subCa.pem], now)).toEqual([]);
  });
});

describe('central contract-certificate chain validation (C07.FR.06)', () => {
  it('C07.FR.06: a chain to a configured root gives each of its certificates with its issuer, and their OCSP CertIDs from the AIA', async () => {
    const roots = await trustedCertificates([pki.root.pem], Date.now());
    const links = await validateChain(pki.contract.pem + pki.subCa.pem, roots, Date.now());
    expect(links.map((l) => [l.cert.subjectCommonNames[0], l.issuer.subjectCommonNames[0]])).toEqual([
      ['DE8ACC000000001', 'Test MO Sub-CA'],
      ['Test MO Sub-CA', 'Test MO Root'],
    ]);
    // The root sent along too changes nothing; the CertID is the one a charger's hash data would name.
    expect((await validateChain(pki.contract.pem + pki.subCa.pem + pki.root.pem, roots, Date.now())).length).toBe(2);
    // A sub-CA also in the trust store is still a link of the chain, checked by OCSP like the others.
    expect((await validateChain(pki.contract.pem + pki.subCa.pem, trusted, Date.now())).length).toBe(2);
    expect((await validateChain(pki.contract.pem, trusted, Date.now())).map((l) => l.issuer.subjectCommonNames[0])).toEqual(['Test MO Sub-CA']);
    expect(await ocspRequestDataFor(links[0]!.cert, links[0]!.issuer)).toEqual(await hashDataOf(pki.contract, URL));
  });

  it('C07.FR.06: refuses a chain to an unknown root, a broken link, an expired certificate, an issuer that is no CA, and no trust root at all', async () => {
    const now = Date.now();
    const roots = await trustedCertificates([pki.root.pem], now);
    const reason = (pem: string, anchors = roots) => validateChain(pem, anchors, now).then(() => 'valid', (e: unknown) => (e instanceof TrustError ? e.message : 'crash'));
    const other = await moPki(URL);
    expect(await reason(other.contract.pem + other.subCa.pem)).toBe('the chain does not lead to a configured trust root');
    expect(await reason(other.contract.pem + other.subCa.pem + other.root.pem)).toBe('the chain does not lead to a configured trust root');
    expect(await reason(pki.contract.pem + pki.subCa.pem, [])).toBe('the chain does not lead to a configured trust root');
    expect(await reason(other.contract.pem + pki.subCa.pem)).toBe('certificate 0 of the chain is not signed by certificate 1');
    const expired = await issue({ cn: 'Expired contract', issuer: pki.subCa, notBefore: now - 10 * 86_400_000, notAfter: now - 86_400_000 });
    expect(await reason(expired.pem + pki.subCa.pem)).toMatch(/^certificate 0 of the chain is not valid now/);
    const leafUnderLeaf = await issue({ cn: 'Under a leaf', issuer: pki.contract });
    expect(await reason(leafUnderLeaf.pem + pki.contract.pem + pki.subCa.pem)).toBe('certificate 1 of the chain issues certificate 0 but is not a CA');
    expect(await reason('no PEM here')).toBe('the chain holds no PEM certificate');
    expect(pemBlocks(pki.contract.pem, ['CERTIFICATE'])).toHaveLength(1);
  });
});
