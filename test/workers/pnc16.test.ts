// ISO 15118 Plug & Charge for 1.6 chargers over DataTransfer (OCA application note "Using ISO 15118 Plug & Charge with OCPP 1.6"): both directions, in the Workers runtime.
import { afterEach, describe, expect, it } from 'vitest';
import { registerCertificateAuthority } from '../../src/ocpp/certificates';
import { answeringCharger } from './answering-charger';
import { api, RawCharger, uniqueChargerId } from './helpers';

const PNC = 'org.openchargealliance.iso15118pnc';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function booted16(): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
  expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
  return cp;
}

/** A PnC DataTransfer from the charger; returns the DataTransfer.conf (a CALLERROR fails the test). */
async function pnc(cp: RawCharger, messageId: string, data: unknown): Promise<{ status: string; data?: string }> {
  const frame = await cp.call('DataTransfer', { vendorId: PNC, messageId, ...(data === undefined ? {} : { data: typeof data === 'string' ? data : JSON.stringify(data) }) });
  expect(frame[0]).toBe(3);
  return frame[2] as { status: string; data?: string };
}

const hash = (serialNumber: string) => ({
  hashAlgorithm: 'SHA256',
  issuerNameHash: 'a1'.repeat(32),
  issuerKeyHash: 'b2'.repeat(32),
  serialNumber,
});

afterEach(() => registerCertificateAuthority(undefined));

describe('1.6 Plug & Charge, charger to CSMS (application note: DataTransfer vendorId org.openchargealliance.iso15118pnc)', () => {
  it('1.6 §5.6 DataTransfer: a messageId the note does not define from a charger is UnknownMessageId; another vendor stays UnknownVendorId', async () => {
    const cp = await booted16();
    expect(await pnc(cp, 'Heartbeat', {})).toEqual({ status: 'UnknownMessageId' });
    // The CSMS sends CertificateSigned; a charger does not.
    expect(await pnc(cp, 'CertificateSigned', { certificateChain: 'x' })).toEqual({ status: 'UnknownMessageId' });
    expect((await cp.call('DataTransfer', { vendorId: PNC }))[2]).toEqual({ status: 'UnknownMessageId' });
    expect((await cp.call('DataTransfer', { vendorId: 'com.example.other', messageId: 'Authorize' }))[2]).toEqual({ status: 'UnknownVendorId' });
    cp.close();
  });

  it('1.6 PnC note / C07: data that is no JSON object, or breaks the 2.0.1 Authorize request schema, is answered Rejected, not a CALLERROR, and kept as a report', async () => {
    const cp = await booted16();
    expect(await pnc(cp, 'Authorize', undefined)).toEqual({ status: 'Rejected' });
    expect(await pnc(cp, 'Authorize', '{not json')).toEqual({ status: 'Rejected' });
    expect(await pnc(cp, 'Authorize', '[1,2]')).toEqual({ status: 'Rejected' });
    // The 1.6 shape (idTag) is not the 2.0.1 request; nor is an unknown token type.
    expect(await pnc(cp, 'Authorize', { idTag: 'DEABC123' })).toEqual({ status: 'Rejected' });
    expect(await pnc(cp, 'Authorize', { idToken: { idToken: 'DEABC123', type: 'Passport' } })).toEqual({ status: 'Rejected' });
    expect(await pnc(cp, 'GetCertificateStatus', { ocspRequestData: { hashAlgorithm: 'MD5' } })).toEqual({ status: 'Rejected' });
    const { reports } = await json(await api('GET', `/chargers/${cp.id}/reports?action=DataTransfer`));
    expect(reports.length).toBe(6);
    expect(reports.map((r: any) => r.payload.vendorId)).toEqual(Array(6).fill(PNC));
    cp.close();
  });

  it('1.6 PnC note / C07.FR.02: Authorize of an eMAID without certificate data answers the 2.0.1 idTokenInfo as JSON text, from the id-tag store', async () => {
    const cp = await booted16();
    // Longer than a 1.6 idTag (20): the 2.0.1 idToken holds 36.
    const emaid = `DE8AA${uniqueChargerId('').replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`.slice(0, 24).padEnd(24, 'X');
    expect((await api('PUT', `/id-tags/${emaid}`, { status: 'Accepted', type: 'eMAID' })).status).toBeLessThan(300);
    const known = await pnc(cp, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' } });
    expect(known.status).toBe('Accepted');
    expect(JSON.parse(known.data!)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const unknown = await pnc(cp, 'Authorize', { idToken: { idToken: 'DE8AAUNKNOWN00001', type: 'eMAID' } });
    expect(JSON.parse(unknown.data!)).toEqual({ idTokenInfo: { status: 'Invalid' } });
    // C07.FR.06: a chain sent only as PEM cannot be validated here: refused, as for 2.0.1.
    const pem = await pnc(cp, 'Authorize', { idToken: { idToken: emaid, type: 'eMAID' }, certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' });
    expect(JSON.parse(pem.data!)).toEqual({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });
    cp.close();
  });

  it('1.6 PnC note / M01.FR.01: Get15118EVCertificate without a contract-certificate provider is Accepted as a DataTransfer, its 2.0.1 answer Failed NoCertProvider', async () => {
    const cp = await booted16();
    const answer = await pnc(cp, 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'gA8BAAAA' });
    expect(answer.status).toBe('Accepted');
    expect(JSON.parse(answer.data!)).toEqual({
      status: 'Failed',
      exiResponse: '',
      statusInfo: { reasonCode: 'NoCertProvider', additionalInfo: expect.stringMatching(/CONTRACT_CERT_PROVIDER_URL/) },
    });
    // Kept as the 2.0.1 handler keeps it, beside the DataTransfer.
    const { reports } = await json(await api('GET', `/chargers/${cp.id}/reports?action=Get15118EVCertificate`));
    expect(reports[0].payload).toMatchObject({ action: 'Install', exiRequest: 'gA8BAAAA' });
    cp.close();
  });

  it('1.6 PnC note / A03.FR.12: SignCertificate without a certificate authority: the 2.0.1 answer Rejected NoSigner, and nothing follows', async () => {
    const cp = await booted16();
    const answer = await pnc(cp, 'SignCertificate', { csr: 'CSR-V2G', certificateType: 'V2GCertificate' });
    expect(answer.status).toBe('Accepted');
    expect(JSON.parse(answer.data!)).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NoSigner' } });
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    cp.close();
  });

  it('1.6 PnC note / A03.FR.11: SignCertificate signed by the authority is followed by CertificateSigned in a DataTransfer, its data the 2.0.1 request', async () => {
    const signed: string[] = [];
    registerCertificateAuthority({
      async sign(csr, chargerId, certificateType) {
        signed.push(`${chargerId}:${certificateType}`);
        return `CHAIN-FOR-${csr}`;
      },
    });
    const cp = await booted16();
    const answer = await pnc(cp, 'SignCertificate', { csr: 'CSR-V2G', certificateType: 'V2GCertificate' });
    expect(answer).toEqual({ status: 'Accepted', data: JSON.stringify({ status: 'Accepted' }) });
    expect(signed).toEqual([`${cp.id}:V2GCertificate`]);
    const call = (await cp.next()) as [number, string, string, any];
    expect(call.slice(2, 3)).toEqual(['DataTransfer']);
    expect(call[3]).toEqual({ vendorId: PNC, messageId: 'CertificateSigned', data: expect.any(String) });
    expect(JSON.parse(call[3].data)).toEqual({ certificateChain: 'CHAIN-FOR-CSR-V2G', certificateType: 'V2GCertificate' });
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted', data: JSON.stringify({ status: 'Accepted' }) }]));
    // The queued command ends with the 2.0.1 answer unwrapped.
    let command: any;
    for (let i = 0; i < 50 && command?.status !== 'succeeded'; i++) {
      [command] = (await json(await api('GET', `/chargers/${cp.id}/commands`))).commands;
      if (command?.status !== 'succeeded') await new Promise((r) => setTimeout(r, 20));
    }
    expect(command).toMatchObject({ action: 'PnC.CertificateSigned', status: 'succeeded', result: { status: 'Accepted' } });
    cp.close();
  });
});

describe('1.6 Plug & Charge, CSMS to charger (PnC.<action> commands)', () => {
  it('1.6 PnC note / M05.FR.02 / M03.FR.03 / M04.FR.02: PnC.InstallCertificate, PnC.GetInstalledCertificateIds and PnC.DeleteCertificate go as DataTransfer and keep the certificate inventory', async () => {
    const reported = { certificateType: 'V2GRootCertificate', certificateHashData: hash('0a1') };
    const charger = await answeringCharger(uniqueChargerId(), 'ocpp1.6', (action, payload) => {
      const { vendorId, messageId, data } = payload as { vendorId: string; messageId: string; data: string };
      if (action !== 'DataTransfer' || vendorId !== PNC) return { status: 'UnknownVendorId' };
      const request = JSON.parse(data);
      if (messageId === 'InstallCertificate') return { status: 'Accepted', data: JSON.stringify({ status: 'Accepted' }) };
      if (messageId === 'GetInstalledCertificateIds') {
        return { status: 'Accepted', data: JSON.stringify(request.certificateType?.includes('MORootCertificate') ? { status: 'NotFound' } : { status: 'Accepted', certificateHashDataChain: [reported] }) };
      }
      if (messageId === 'DeleteCertificate') return { status: 'Accepted', data: JSON.stringify({ status: 'Accepted' }) };
      return { status: 'UnknownMessageId' };
    });
    const id = charger.cp.id;
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBV2GROOT\n-----END CERTIFICATE-----';
    const install = await api('POST', `/chargers/${id}/commands/PnC.InstallCertificate`, { certificateType: 'V2GRootCertificate', certificate: pem });
    expect(await json(install)).toEqual({ result: { status: 'Accepted' } });
    expect(charger.calls[0]).toMatchObject({ action: 'DataTransfer', payload: { vendorId: PNC, messageId: 'InstallCertificate' } });
    expect(JSON.parse((charger.calls[0]!.payload as { data: string }).data)).toEqual({ certificateType: 'V2GRootCertificate', certificate: pem });
    let list = (await json(await api('GET', `/chargers/${id}/certificates`))).certificates;
    expect(list.map((c: any) => [c.certificateType, c.certificate, c.source])).toEqual([['V2GRootCertificate', pem, 'installed']]);

    const report = await api('POST', `/chargers/${id}/commands/PnC.GetInstalledCertificateIds`, { certificateType: ['V2GRootCertificate'] });
    expect(await json(report)).toEqual({ result: { status: 'Accepted', certificateHashDataChain: [reported] } });
    list = (await json(await api('GET', `/chargers/${id}/certificates`))).certificates;
    expect(list.map((c: any) => [c.certificateType, c.certificateHashData, c.source])).toEqual([['V2GRootCertificate', hash('0a1'), 'reported']]);

    // Deleting goes through the admin route, as DeleteCertificate does (secrets.ts credentialChange).
    const refused = await api('POST', `/chargers/${id}/commands/PnC.DeleteCertificate`, { certificateHashData: hash('a1') });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('CredentialChangeRefused');
    const deleted = await api('POST', `/chargers/${id}/security-commands`, { action: 'PnC.DeleteCertificate', payload: { certificateHashData: hash('a1') } });
    expect((await json(deleted)).result).toEqual({ status: 'Accepted' });
    expect((await json(await api('GET', `/chargers/${id}/certificates`))).certificates).toEqual([]);
    charger.cp.close();
  });

  it('1.6 PnC note / F06: PnC.TriggerMessage asks only for SignV2GCertificate; a charger without Plug & Charge answers UnknownVendorId, which the operator is told', async () => {
    let answer: unknown = { status: 'Accepted', data: JSON.stringify({ status: 'Accepted' }) };
    const charger = await answeringCharger(uniqueChargerId(), 'ocpp1.6', () => answer);
    const id = charger.cp.id;
    const ok = await api('POST', `/chargers/${id}/commands/PnC.TriggerMessage`, { requestedMessage: 'SignV2GCertificate' });
    expect(await json(ok)).toEqual({ result: { status: 'Accepted' } });
    expect(charger.calls[0]!.payload).toEqual({ vendorId: PNC, messageId: 'TriggerMessage', data: JSON.stringify({ requestedMessage: 'SignV2GCertificate' }) });

    const other = await api('POST', `/chargers/${id}/commands/PnC.TriggerMessage`, { requestedMessage: 'Heartbeat' });
    expect(other.status).toBe(400);
    expect((await json(other)).error.code).toBe('SpecViolation');
    const invalid = await api('POST', `/chargers/${id}/commands/PnC.InstallCertificate`, { certificateType: 'ChargingStationCertificate', certificate: 'x' });
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.code).toBe('InvalidPayload');
    expect((await api('POST', `/chargers/${id}/commands/PnC.Reset`, { type: 'Soft' })).status).toBe(404);
    // A trust root of the CSMS goes through the admin route, as InstallCertificate does.
    expect((await api('POST', `/chargers/${id}/commands/PnC.InstallCertificate`, { certificateType: 'CSMSRootCertificate', certificate: 'x' })).status).toBe(403);
    expect(charger.calls).toHaveLength(1);

    answer = { status: 'UnknownVendorId' };
    const unsupported = await api('POST', `/chargers/${id}/commands/PnC.TriggerMessage`, { requestedMessage: 'SignV2GCertificate' });
    expect(unsupported.status).toBe(502);
    expect((await json(unsupported)).error).toMatchObject({ code: 'DataTransferNotAccepted', dataTransfer: { status: 'UnknownVendorId' } });

    answer = { status: 'Accepted', data: JSON.stringify({ status: 'Maybe' }) };
    const wrong = await api('POST', `/chargers/${id}/commands/PnC.TriggerMessage`, { requestedMessage: 'SignV2GCertificate' });
    expect(wrong.status).toBe(502);
    expect((await json(wrong)).error.code).toBe('InvalidResponse');
    charger.cp.close();
  });

  it('PnC.<action> is for 1.6 chargers: a 2.0.1 charger is told to send the action itself', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const res = await api('POST', `/chargers/${cp.id}/commands/PnC.TriggerMessage`, { requestedMessage: 'SignV2GCertificate' });
    expect(res.status).toBe(404);
    expect((await json(res)).error.message).toMatch(/send TriggerMessage itself/);
    cp.close();
  });
});

describe('1.6 Plug & Charge: secrets in DataTransfer data', () => {
  it('a secret inside the JSON text of a PnC DataTransfer is redacted in the report and the journal; a private key is never kept', async () => {
    const cp = await booted16();
    const secret = 'hunter2-hunter2-hunter2';
    const key = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    // customData is open (2.0.1 CustomDataType): a vendor's field named as a password is a secret there too.
    const answer = await pnc(cp, 'SignCertificate', {
      csr: `-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n-----BEGIN PRIVATE KEY-----\n${key}\n-----END PRIVATE KEY-----`,
      certificateType: 'V2GCertificate',
      customData: { vendorId: 'com.acme', apiPassword: secret },
    });
    expect(answer.status).toBe('Accepted');
    for (const action of ['DataTransfer', 'SignCertificate']) {
      const text = JSON.stringify(await json(await api('GET', `/chargers/${cp.id}/reports?action=${action}`)));
      expect(text).toContain('CERTIFICATE REQUEST');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(key);
    }
    const journal = await (await api('GET', `/chargers/${cp.id}/messages`)).text();
    expect(journal).toContain('iso15118pnc');
    expect(journal).not.toContain(secret);
    expect(journal).not.toContain(key);
    cp.close();
  });
});
