import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import { registerCertificateAuthority } from '../../src/ocpp/certificates';
import { issuedBy, parseCertificate, parseCsr } from '../../src/ocpp/csr-signer';
import { pemBlocks, sameBytes, toPem } from '../../src/ocpp/der';
import { CA_CERT, CA_KEY, CSR_EC_SIGNER_CP_1, CSR_EC_WRONG_CN, CSR_RSA_SIGNER_CP_2 } from '../support/signer-pki';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

afterEach(() => registerCertificateAuthority(undefined));

describe('certificate signing', () => {
  it('1.6 security extension A02.FR.12 / A03.FR.12: answers Rejected without a certificate authority, and keeps the CSR for the operator', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    // The 1.6 answer has only a status: nothing else is valid in it.
    expect((await cp.call('SignCertificate', { csr: 'CSR-PEM' }))[2]).toEqual({ status: 'Rejected' });
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    const { reports } = await json(await api('GET', `/chargers/${cp.id}/reports?action=SignCertificate`));
    expect(reports[0].payload).toEqual({ csr: 'CSR-PEM' });
    cp.close();
  });

  it('A02.FR.12 / A03.FR.12: a 2.0.1 SignCertificate without a certificate authority is Rejected with statusInfo saying no signer is configured', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const [type, , answer] = (await cp.call('SignCertificate', { csr: 'CSR-PEM', certificateType: 'ChargingStationCertificate' })) as [number, string, any];
    expect(type).toBe(3);
    expect(answer).toEqual({
      status: 'Rejected',
      statusInfo: { reasonCode: 'NoSigner', additionalInfo: expect.stringMatching(/No certificate authority is configured/) },
    });
    expect(answer.statusInfo.reasonCode.length).toBeLessThanOrEqual(20);
    // Nothing follows: no CertificateSigned will come.
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    cp.close();
  });

  it('signs with a plugged-in authority and sends CertificateSigned after the answer', async () => {
    const signed: string[] = [];
    registerCertificateAuthority({
      async sign(csr, chargerId, certificateType) {
        signed.push(`${chargerId}:${certificateType}`);
        return `CHAIN-FOR-${csr}`;
      },
    });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    expect((await cp.call('SignCertificate', { csr: 'CSR-1', certificateType: 'ChargingStationCertificate' }))[2]).toEqual({ status: 'Accepted' });
    const call = await cp.next();
    expect(call.slice(2)).toEqual(['CertificateSigned', { certificateChain: 'CHAIN-FOR-CSR-1', certificateType: 'ChargingStationCertificate' }]);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect(signed).toEqual([`${cp.id}:ChargingStationCertificate`]);
    const { commands } = await json(await api('GET', `/chargers/${cp.id}/commands`));
    expect(commands[0]).toMatchObject({ action: 'CertificateSigned' });
    cp.close();
  });

  it("keeps one CertificateSigned waiting per certificate type, the newest, apart from the operator's MAX_QUEUED_COMMANDS", async () => {
    registerCertificateAuthority({
      async sign(csr) {
        return `CHAIN-FOR-${csr}`;
      },
    });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const limit = 3;
    await runInDurableObject(env.CHARGERS.getByName(cp.id), (instance) => {
      const object = instance as unknown as { config: Config };
      object.config = { ...object.config, maxQueuedCommands: limit };
    });
    const sign = async (csr: string, certificateType: string) =>
      expect((await cp.call('SignCertificate', { csr, certificateType }))[2]).toEqual({ status: 'Accepted' });
    // The first goes out at once; the charger leaves it unanswered while it sends more CSRs.
    await sign('CSR-0', 'ChargingStationCertificate');
    const inFlight = await cp.next();
    expect(inFlight[2]).toBe('CertificateSigned');
    for (let i = 1; i <= limit + 3; i++) await sign(`CSR-${i}`, 'ChargingStationCertificate');
    await sign('CSR-V2G', 'V2GCertificate');

    // The operator's queue is untouched by them, and still capped.
    for (let i = 0; i < limit; i++) {
      expect((await api('POST', `/chargers/${cp.id}/commands/ClearCache?queue=true`, {})).status).toBe(202);
    }
    expect((await api('POST', `/chargers/${cp.id}/commands/ClearCache?queue=true`, {})).status).toBe(429);

    const { commands } = await json(await api('GET', `/chargers/${cp.id}/commands?limit=100`));
    const signed = commands.filter((c: any) => c.action === 'CertificateSigned');
    const pending = signed.filter((c: any) => c.status === 'queued' || c.status === 'sent');
    expect(pending.map((c: any) => c.payload.certificateChain).sort()).toEqual(['CHAIN-FOR-CSR-0', `CHAIN-FOR-CSR-${limit + 3}`, 'CHAIN-FOR-CSR-V2G']);
    const superseded = signed.filter((c: any) => c.status === 'failed');
    expect(superseded).toHaveLength(limit + 2);
    expect(superseded[0].error).toMatchObject({ code: 'Superseded' });

    // Once the charger answers, the newest chain of each type goes out, then the operator's commands.
    cp.sendRaw(JSON.stringify([3, inFlight[1], { status: 'Accepted' }]));
    const sent: string[] = [];
    for (let i = 0; i < 2 + limit; i++) {
      const call = await cp.next();
      sent.push(call[2] === 'CertificateSigned' ? (call[3] as { certificateChain: string }).certificateChain : (call[2] as string));
      cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    }
    expect(sent).toEqual([`CHAIN-FOR-CSR-${limit + 3}`, 'CHAIN-FOR-CSR-V2G', 'ClearCache', 'ClearCache', 'ClearCache']);
    cp.close();
  });

  it('answers Rejected when the authority refuses', async () => {
    registerCertificateAuthority({
      async sign() {
        throw new Error('not this one');
      },
    });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect((await cp.call('SignCertificate', { csr: 'BAD' }))[2]).toEqual({ status: 'Rejected' });
    cp.close();
    const cp201 = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp201.boot();
    expect((await cp201.call('SignCertificate', { csr: 'BAD' }))[2]).toEqual({
      status: 'Rejected',
      statusInfo: { reasonCode: 'SigningFailed', additionalInfo: 'The certificate authority could not sign this CSR' },
    });
    cp201.close();
  });
});

/** Turns on the configured signer in this charger's object, as CSMS_CA_KEY and CSMS_CA_CERT would. */
async function configureCa(chargerId: string): Promise<void> {
  await runInDurableObject(env.CHARGERS.getByName(chargerId), (instance) => {
    const object = instance as unknown as { config: Config };
    object.config = { ...object.config, caKeyPem: CA_KEY, caCertPem: CA_CERT, caValidityDays: 30 };
  });
}

/** The chain's leaf, checked to be issued by the test CA to the CSR's key and subject. */
async function expectLeafFor(chain: string, csrPem: string, chargerId: string): Promise<void> {
  const [leafDer, caDer, ...rest] = pemBlocks(chain, ['CERTIFICATE']);
  expect(rest).toHaveLength(0);
  const leaf = parseCertificate(leafDer!);
  const ca = parseCertificate(caDer!);
  expect(sameBytes(ca.der, pemBlocks(CA_CERT, ['CERTIFICATE'])[0]!)).toBe(true);
  expect(await issuedBy(leaf, ca)).toBe(true);
  expect(leaf.subjectCommonNames).toEqual([chargerId]);
  expect(sameBytes(leaf.publicKey.der, parseCsr(csrPem).publicKey.der)).toBe(true);
  expect(leaf.notAfter - leaf.notBefore).toBe(30 * 86_400_000 + 5 * 60_000);
}

describe('the configured certificate authority (CSMS_CA_KEY / CSMS_CA_CERT)', () => {
  it('A02.FR.11 / A03.FR.11: a 2.0.1 SignCertificate with a valid CSR for this charger is Accepted, then CertificateSigned carries a leaf issued by the CA, and the CA', async () => {
    const cp = await RawCharger.connect('signer-cp-1', 'ocpp2.0.1');
    await cp.boot();
    await configureCa(cp.id);
    const answer = await cp.call('SignCertificate', { csr: CSR_EC_SIGNER_CP_1, certificateType: 'ChargingStationCertificate' });
    expect(answer[2]).toEqual({ status: 'Accepted' });
    const call = (await cp.next()) as [number, string, string, { certificateChain: string; certificateType?: string }];
    expect(call[2]).toBe('CertificateSigned');
    expect(call[3].certificateType).toBe('ChargingStationCertificate');
    await expectLeafFor(call[3].certificateChain, CSR_EC_SIGNER_CP_1, cp.id);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    cp.close();
  });

  it('1.6 security extension A02 / A03: an RSA CSR is Accepted and CertificateSigned follows with only certificateChain', async () => {
    const cp = await RawCharger.connect('signer-cp-2', 'ocpp1.6');
    await cp.boot();
    await configureCa(cp.id);
    expect((await cp.call('SignCertificate', { csr: CSR_RSA_SIGNER_CP_2 }))[2]).toEqual({ status: 'Accepted' });
    const call = (await cp.next()) as [number, string, string, { certificateChain: string }];
    expect(call[2]).toBe('CertificateSigned');
    expect(Object.keys(call[3])).toEqual(['certificateChain']);
    await expectLeafFor(call[3].certificateChain, CSR_RSA_SIGNER_CP_2, cp.id);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    cp.close();
  });

  it('A02 / A03: a CSR whose CN is not this charger is Rejected with a reason (2.0.1) or plainly (1.6), and nothing is signed or queued', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await configureCa(cp.id);
    const [, , answer] = (await cp.call('SignCertificate', { csr: CSR_EC_WRONG_CN, certificateType: 'ChargingStationCertificate' })) as [number, string, any];
    expect(answer).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCN', additionalInfo: expect.stringContaining(cp.id) } });
    // Another charger's valid CSR is refused the same way: the CN must be the sender's own identity.
    expect(((await cp.call('SignCertificate', { csr: CSR_EC_SIGNER_CP_1 })) as [number, string, any])[2].statusInfo.reasonCode).toBe('InvalidCN');
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    const { commands } = await json(await api('GET', `/chargers/${cp.id}/commands`));
    expect(commands.filter((c: any) => c.action === 'CertificateSigned')).toHaveLength(0);
    cp.close();

    const cp16 = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp16.boot();
    await configureCa(cp16.id);
    expect((await cp16.call('SignCertificate', { csr: CSR_EC_WRONG_CN }))[2]).toEqual({ status: 'Rejected' });
    await expect(cp16.next(200)).rejects.toThrow(/no frame/);
    cp16.close();
  });

  it('A02 / A03: a CSR whose signature does not verify, or that is no CSR, is Rejected with a reason; a V2GCertificate is Rejected saying this CA does not serve V2G', async () => {
    const cp = await RawCharger.connect('signer-cp-1', 'ocpp2.0.1');
    await cp.boot();
    await configureCa(cp.id);
    // One byte of the signed subject changed (this charger's CN kept): the signature no longer covers what is sent.
    const der = pemBlocks(CSR_EC_SIGNER_CP_1, ['CERTIFICATE REQUEST'])[0]!.slice();
    const at = new TextDecoder('latin1').decode(der).indexOf('Test CPO');
    der[at] = 'B'.charCodeAt(0);
    const reason = async (payload: object) => (((await cp.call('SignCertificate', payload)) as [number, string, any])[2] as any);
    expect(await reason({ csr: toPem('CERTIFICATE REQUEST', der) })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidSignature' } });
    expect(await reason({ csr: 'CSR-PEM' })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } });
    expect(await reason({ csr: CSR_EC_SIGNER_CP_1, certificateType: 'V2GCertificate' })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'V2GNotServed' } });
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    cp.close();
  });
});
