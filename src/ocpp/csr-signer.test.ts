// The CSMS signer's DER and checks, verified independently with Node's X.509 (OpenSSL) on OpenSSL-made CSRs.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CA_CERT,
  CA_KEY,
  CSR_EC_SIGNER_CP_1,
  CSR_EC_WRONG_CN,
  CSR_RSA_SIGNER_CP_2,
  NOT_CA_CERT,
  OTHER_KEY,
  OTHER_KEY_SEC1,
} from '../../test/support/signer-pki';
import { CertificateRefusal, createCaSigner, ecdsaDerToRaw, ecdsaRawToDer, parseCsr, readCaMaterial } from './csr-signer';
import { pemBlocks, toBase64 } from './der';

const NOW = Date.UTC(2027, 0, 15, 12, 0, 0);
const signer = (validityDays = 365, now = NOW) => createCaSigner({ keyPem: CA_KEY, certPem: CA_CERT, validityDays, now: () => now });

function certificates(chain: string): X509Certificate[] {
  return chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!.map((pem) => new X509Certificate(pem));
}

async function refusal(promise: Promise<unknown>): Promise<CertificateRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CertificateRefusal);
  return error as CertificateRefusal;
}

describe('CSMS certificate signer (A02.FR.11 / A03.FR.11: a CSR it can process is signed; 1.6 security whitepaper A02/A03)', () => {
  it('issues an X.509 v3 client certificate for an ECDSA P-256 CSR that OpenSSL verifies against the CA, leaf first then the CA', async () => {
    const chain = await signer().sign(CSR_EC_SIGNER_CP_1, 'signer-cp-1', 'ChargingStationCertificate');
    const [leaf, ca, ...rest] = certificates(chain);
    expect(rest).toHaveLength(0);
    expect(ca!.raw.equals(new X509Certificate(CA_CERT).raw)).toBe(true);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(leaf!.checkIssued(ca!)).toBe(true);
    expect(leaf!.subject).toBe('O=Test CPO\nCN=signer-cp-1');
    expect(leaf!.issuer).toBe(ca!.subject);
    expect(leaf!.ca).toBe(false);
    expect(leaf!.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // Node names the extended key usages here: clientAuth
    expect(new Date(leaf!.validFrom).getTime()).toBe(NOW - 5 * 60_000);
    expect(new Date(leaf!.validTo).getTime()).toBe(NOW + 365 * 86_400_000);
    // The leaf carries the CSR's key.
    const csr = parseCsr(CSR_EC_SIGNER_CP_1);
    expect(Buffer.from(leaf!.publicKey.export({ type: 'spki', format: 'der' })).equals(Buffer.from(csr.publicKey.der))).toBe(true);
    // A positive 16-byte serial, new for every certificate.
    expect(leaf!.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    const again = certificates(await signer().sign(CSR_EC_SIGNER_CP_1, 'signer-cp-1', undefined))[0]!;
    expect(again.serialNumber).not.toBe(leaf!.serialNumber);
    const text = leaf!.toLegacyObject();
    expect(text.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('sets basicConstraints CA:FALSE and keyUsage digitalSignature + keyAgreement (both critical), clientAuth, and key identifiers', async () => {
    const chain = await signer().sign(CSR_EC_SIGNER_CP_1, 'signer-cp-1', undefined);
    const hex = Buffer.from(pemBlocks(chain, ['CERTIFICATE'])[0]!).toString('hex');
    // Node prints few extensions, so the DER is read byte for byte.
    expect(hex).toContain('0603551d130101ff04023000'); // basicConstraints, critical, SEQUENCE {} (cA FALSE)
    expect(hex).toContain('0603551d0f0101ff040403020388'); // keyUsage, critical, digitalSignature | keyAgreement
    expect(hex).toContain('0603551d25040c300a06082b06010505070302'); // extKeyUsage clientAuth
    expect(hex).toContain('0603551d0e04160414'); // subjectKeyIdentifier, 20 bytes
    expect(hex).toContain('300a06082a8648ce3d040302'); // ecdsa-with-SHA256
    // The authority key id is the CA's own subject key id.
    const caHex = new X509Certificate(CA_CERT).raw.toString('hex');
    const caSki = caHex.slice(caHex.indexOf('0603551d0e04160414') + 18).slice(0, 40);
    expect(hex).toContain(`0603551d23041830168014${caSki}`);
  });

  it('signs an RSA 2048 CSR (sha256WithRSAEncryption) with digitalSignature + keyEncipherment', async () => {
    const chain = await signer().sign(CSR_RSA_SIGNER_CP_2, 'signer-cp-2', 'ChargingStationCertificate');
    const [leaf, ca] = certificates(chain);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(leaf!.publicKey.asymmetricKeyType).toBe('rsa');
    expect(Buffer.from(pemBlocks(chain, ['CERTIFICATE'])[0]!).toString('hex')).toContain('0603551d0f0101ff0404030205a0');
  });

  it('reads a CSR sent as bare base64 DER as well as PEM', async () => {
    const der = pemBlocks(CSR_EC_SIGNER_CP_1, ['CERTIFICATE REQUEST'])[0]!;
    const [leaf, ca] = certificates(await signer().sign(toBase64(der), 'signer-cp-1', undefined));
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
  });

  it('A02 / A03 (security profile 3 identity): refuses a CSR whose subject CN is not the charger sending it, signing nothing', async () => {
    const error = await refusal(signer().sign(CSR_EC_WRONG_CN, 'signer-cp-1', 'ChargingStationCertificate'));
    expect(error.reasonCode).toBe('InvalidCN');
    expect(error.additionalInfo).toContain('"signer-cp-1"');
    // The same, well-formed CSR sent by another charger.
    expect((await refusal(signer().sign(CSR_EC_SIGNER_CP_1, 'signer-cp-9', undefined))).reasonCode).toBe('InvalidCN');
  });

  it('refuses a CSR whose signature does not verify (no proof of possession of the key)', async () => {
    const der = pemBlocks(CSR_EC_SIGNER_CP_1, ['CERTIFICATE REQUEST'])[0]!.slice();
    // Change one byte of the subject: the signature no longer covers what is sent.
    const at = Buffer.from(der).indexOf(Buffer.from('signer-cp-1'));
    der[at + 7] = 'x'.charCodeAt(0);
    expect((await refusal(signer().sign(toBase64(der), 'signxr-cp-1', undefined))).reasonCode).toBe('InvalidSignature');
    const rsa = pemBlocks(CSR_RSA_SIGNER_CP_2, ['CERTIFICATE REQUEST'])[0]!.slice();
    rsa[rsa.length - 5]! ^= 0x01;
    expect((await refusal(signer().sign(toBase64(rsa), 'signer-cp-2', undefined))).reasonCode).toBe('InvalidSignature');
  });

  it('refuses what is not a CSR, and V2G certificates (not this CA; the V2G PKI issues them)', async () => {
    expect((await refusal(signer().sign('CSR-PEM', 'signer-cp-1', undefined))).reasonCode).toBe('InvalidCSR');
    expect((await refusal(signer().sign('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'signer-cp-1', undefined))).reasonCode).toBe('InvalidCSR');
    expect((await refusal(signer().sign(CA_CERT, 'signer-cp-1', undefined))).reasonCode).toBe('InvalidCSR');
    const v2g = await refusal(signer().sign(CSR_EC_SIGNER_CP_1, 'signer-cp-1', 'V2GCertificate'));
    expect(v2g.reasonCode).toBe('V2GNotServed');
    for (const e of [v2g]) expect(e.reasonCode.length).toBeLessThanOrEqual(20);
  });

  it('never issues past the CA certificate, and refuses once the CA has expired', async () => {
    const caEnd = new X509Certificate(CA_CERT).validTo;
    const [leaf] = certificates(await signer(365_000).sign(CSR_EC_SIGNER_CP_1, 'signer-cp-1', undefined));
    expect(new Date(leaf!.validTo).getTime()).toBe(new Date(caEnd).getTime());
    const expired = await refusal(signer(365, new Date(caEnd).getTime() + 1000).sign(CSR_EC_SIGNER_CP_1, 'signer-cp-1', undefined));
    expect(expired.reasonCode).toBe('CAExpired');
  });

  it('converts ECDSA signatures between WebCrypto r||s and DER both ways', () => {
    const raw = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 || i === 32 ? 0x80 : i === 33 ? 0 : i));
    raw[32] = 0;
    raw[33] = 0x05;
    const der = ecdsaRawToDer(raw);
    expect(der[3]).toBe(33); // r has a leading 0x00 added (its high bit is set)
    expect(Array.from(ecdsaDerToRaw(der, 32))).toEqual(Array.from(raw));
  });
});

describe('CSMS_CA_KEY / CSMS_CA_CERT checks at start', () => {
  it('accepts the matching pair and keeps the CA certificate as the chain', () => {
    const material = readCaMaterial(CA_KEY, CA_CERT);
    expect(material.chainPem.replace(/\s/g, '')).toBe(CA_CERT.replace(/\s/g, ''));
  });

  it('refuses a key that is not the certificate\'s, a certificate that is not a CA, and keys in other forms, never showing the key', () => {
    const messages: string[] = [];
    const refused = (key: string, cert: string, pattern: RegExp) => {
      let message = '';
      try {
        readCaMaterial(key, cert);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(pattern);
      messages.push(message);
    };
    refused(OTHER_KEY, CA_CERT, /CSMS_CA_KEY does not match CSMS_CA_CERT/);
    refused(OTHER_KEY, NOT_CA_CERT, /is not a CA certificate/);
    refused(OTHER_KEY_SEC1, NOT_CA_CERT, /PKCS#8.*openssl pkcs8 -topk8 -nocrypt/);
    refused('not a key', CA_CERT, /exactly one PKCS#8 private key/);
    refused(CA_KEY, 'not a cert', /CSMS_CA_CERT must hold the CA certificate/);
    refused(CA_KEY, CSR_EC_SIGNER_CP_1, /CSMS_CA_CERT must hold the CA certificate/);
    const keyBody = CA_KEY.split('\n')[1]!;
    for (const m of messages) expect(m).not.toContain(keyBody.slice(0, 20));
  });
});
