// OCSP request building and response reading (C07.FR.05, M06.FR.08/09), against DER made by the test responder's own encoder.
import { describe, expect, it } from 'vitest';
import { certIdOf, ocspResponse } from '../../test/support/ocsp-responder';
import { ocspRequestDer, readOcspResponse, certificateStatusFor } from './ocsp';

const data = { hashAlgorithm: 'SHA256', issuerNameHash: 'AB'.repeat(32), issuerKeyHash: 'cd'.repeat(32), serialNumber: '00F1' };

describe('OCSP DER (C07.FR.05)', () => {
  it('names the certificate by its hash data: the request carries the CertID, the serial a positive INTEGER without leading zeros', () => {
    const request = ocspRequestDer(data);
    const { certId, serialHex } = certIdOf(request);
    expect(serialHex).toBe('f1');
    // SEQUENCE { AlgorithmIdentifier sha256, OCTET STRING nameHash, OCTET STRING keyHash, INTEGER 00 F1 }
    expect(Buffer.from(certId).toString('hex')).toBe(
      '3057300d06096086480165030402010500' + '0420' + 'ab'.repeat(32) + '0420' + 'cd'.repeat(32) + '020200f1',
    );
    expect(() => ocspRequestDer({ ...data, issuerNameHash: 'not hex' })).toThrow(/issuerNameHash is not hex/);
  });

  it('reads good, revoked and unknown for the certificate asked about, and only for it', () => {
    const { certId } = certIdOf(ocspRequestDer(data));
    const good = readOcspResponse(ocspResponse(certId, 'good'), data);
    expect(good).toMatchObject({ kind: 'good', thisUpdate: expect.stringMatching(/Z$/), nextUpdate: expect.stringMatching(/Z$/) });
    expect(readOcspResponse(ocspResponse(certId, 'revoked'), data)).toMatchObject({ kind: 'revoked', revokedAt: expect.any(String) });
    expect(readOcspResponse(ocspResponse(certId, undefined), data).kind).toBe('unknown');
    // An answer about another certificate says nothing about this one.
    expect(readOcspResponse(ocspResponse(certId, 'good'), { ...data, serialNumber: 'F2' })).toMatchObject({ kind: 'error' });
    expect(readOcspResponse(ocspResponse(certId, 'tryLater'), data)).toEqual({ kind: 'error', reason: 'the responder answered tryLater' });
    expect(readOcspResponse(new Uint8Array([0x30, 0x05, 1, 2]), data)).toMatchObject({ kind: 'error' });
    expect(certificateStatusFor(good)).toBe('Accepted');
    expect(certificateStatusFor({ kind: 'error', reason: 'x' })).toBe('CertChainError');
  });
});
