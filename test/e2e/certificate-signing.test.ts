// SignCertificate signed by the CSMS's own CA (CSMS_CA_KEY / CSMS_CA_CERT, set in global-setup.ts), strict ocpp-rpc chargers of both versions.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaRawToDer } from '../../src/ocpp/csr-signer.ts';
import { bitString, oid, sequence, smallInteger, tlv, toPem, TAG } from '../../src/ocpp/der.ts';
import { CA_CERT } from '../support/signer-pki.ts';
import { bootedCharger, type Charger } from './helpers.ts';

/** A PKCS#10 CSR for `commonName`, as a charger makes one: a new P-256 key, the CSR signed with it. */
async function makeCsr(commonName: string): Promise<{ pem: string; spki: Buffer }> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', keys.publicKey)) as ArrayBuffer);
  const subject = sequence(
    tlv(TAG.set, sequence(oid('2.5.4.10'), tlv(TAG.utf8String, new TextEncoder().encode('E2E CPO')))),
    tlv(TAG.set, sequence(oid('2.5.4.3'), tlv(TAG.utf8String, new TextEncoder().encode(commonName)))),
  );
  const info = sequence(smallInteger(0), subject, spki, tlv(0xa0));
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, info));
  const der = sequence(info, sequence(oid('1.2.840.10045.4.3.2')), bitString(ecdsaRawToDer(raw)));
  return { pem: toPem('CERTIFICATE REQUEST', der), spki: Buffer.from(spki) };
}

/** Resolves with the next CertificateSigned the charger receives, answering it Accepted. */
function nextCertificateSigned(cp: Charger): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    cp.handle('CertificateSigned', async ({ params }) => {
      resolve(params as Record<string, string>);
      return { status: 'Accepted' };
    });
  });
}

function chain(pem: string): X509Certificate[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.map((block) => new X509Certificate(block));
}

describe('SignCertificate with the CSMS certificate authority (A02 / A03)', () => {
  for (const protocol of ['ocpp2.0.1', 'ocpp1.6'] as const) {
    it(`A02.FR.11 / A03.FR.11 (${protocol}): Accepted, then CertificateSigned with a client certificate for the charger, issued by the CA, followed by the CA`, async () => {
      const cp = await bootedCharger(protocol);
      const csr = await makeCsr(cp.identity!);
      const signed = nextCertificateSigned(cp);
      const params = protocol === 'ocpp2.0.1' ? { csr: csr.pem, certificateType: 'ChargingStationCertificate' } : { csr: csr.pem };
      expect(await cp.call('SignCertificate', params)).toEqual({ status: 'Accepted' });
      const delivered = await signed;
      if (protocol === 'ocpp2.0.1') expect(delivered.certificateType).toBe('ChargingStationCertificate');
      const [leaf, ca, ...rest] = chain(delivered.certificateChain ?? '');
      expect(rest).toHaveLength(0);
      expect(ca!.fingerprint256).toBe(new X509Certificate(CA_CERT).fingerprint256);
      expect(leaf!.verify(ca!.publicKey)).toBe(true);
      expect(leaf!.subject).toBe(`O=E2E CPO\nCN=${cp.identity}`);
      expect(Buffer.from(leaf!.publicKey.export({ type: 'spki', format: 'der' })).equals(csr.spki)).toBe(true);
    });
  }

  it("A02 / A03: another charger's CSR (its CN) is Rejected, with a reason in 2.0.1, and nothing is sent", async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    let sent = false;
    cp.handle('CertificateSigned', async () => {
      sent = true;
      return { status: 'Rejected' };
    });
    const csr = await makeCsr(`${cp.identity ?? ''}-other`);
    expect(await cp.call('SignCertificate', { csr: csr.pem, certificateType: 'ChargingStationCertificate' })).toMatchObject({
      status: 'Rejected',
      statusInfo: { reasonCode: 'InvalidCN' },
    });
    const cp16 = await bootedCharger('ocpp1.6');
    expect(await cp16.call('SignCertificate', { csr: (await makeCsr('someone-else')).pem })).toEqual({ status: 'Rejected' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent).toBe(false);
  });
});
