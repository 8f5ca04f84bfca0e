// ISO 15118 Plug & Charge for a strict 1.6 client over DataTransfer (OCA application note): C07 by a real OCSP responder on 127.0.0.1, M06, and M01 through the local contract-certificate provider.
import { describe, expect, inject, it } from 'vitest';
import type { ReceivedRequest } from './contract-cert-provider.ts';
import { bootedCharger, type Charger } from './helpers.ts';
import { acceptedEmaid, useMoOcsp } from './mo-ocsp-helpers.ts';

const PNC = 'org.openchargealliance.iso15118pnc';

// A mobility-operator PKI made in the test, in the CSMS's trust store, its responses signed by the
// issuing CA (RFC 6960 §4.2.2.2): only then does the CSMS believe a responder (see e2e ocsp.test.ts).
const mo = useMoOcsp('e2e-pnc16', 0x2000);
const { hashData, freshSerial } = mo;

/** A PnC DataTransfer; its answer's data parsed (the 2.0.1 response). */
async function pnc(cp: Charger, messageId: string, request: unknown): Promise<{ status: string; response?: any }> {
  const answer = (await cp.call('DataTransfer', { vendorId: PNC, messageId, data: JSON.stringify(request) })) as { status: string; data?: string };
  return { status: answer.status, ...(answer.data === undefined ? {} : { response: JSON.parse(answer.data) }) };
}

describe('1.6 Plug & Charge over DataTransfer (application note), strict 1.6 client', () => {
  it('1.6 PnC note / C07.FR.04 / C07.FR.05: Authorize with a good contract certificate is Accepted after a real OCSP request', async () => {
    const cp = await bootedCharger('ocpp1.6');
    const emaid = await acceptedEmaid();
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const before = mo.responder.requests.length;
    const answer = await pnc(cp, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(serial)] });
    expect(answer).toEqual({ status: 'Accepted', response: { idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' } });
    expect(mo.responder.requests.slice(before)).toEqual([{ contentType: 'application/ocsp-request', serialHex: serial }]);
    await cp.close();
  });

  it('1.6 PnC note / C07.FR.05: a revoked contract certificate refuses an Accepted eMAID (Invalid, CertificateRevoked)', async () => {
    const cp = await bootedCharger('ocpp1.6');
    const emaid = await acceptedEmaid();
    const revoked = freshSerial();
    mo.responder.statuses.set(revoked, 'revoked');
    const answer = await pnc(cp, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, iso15118CertificateHashData: [hashData(revoked)] });
    expect(answer).toEqual({ status: 'Accepted', response: { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' } });
    await cp.close();
  });

  it("1.6 PnC note / M06.FR.01 / M06.FR.02: GetCertificateStatus answers the responder's OCSPResponse, base64, in the data", async () => {
    const cp = await bootedCharger('ocpp1.6');
    const serial = freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const answer = await pnc(cp, 'GetCertificateStatus', { ocspRequestData: hashData(serial) });
    expect(answer.status).toBe('Accepted');
    expect(answer.response.status).toBe('Accepted');
    expect(Buffer.from(answer.response.ocspResult, 'base64')).toEqual(Buffer.from(mo.responder.lastResponse.get(serial)!));
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
