import { afterEach, describe, expect, it } from 'vitest';
import { registerCertificateAuthority } from '../../src/ocpp/certificates';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

afterEach(() => registerCertificateAuthority(undefined));

describe('certificate signing', () => {
  it('keeps the CSR for the operator when no certificate authority is plugged in', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect((await cp.call('SignCertificate', { csr: 'CSR-PEM' }))[2]).toEqual({ status: 'Accepted' });
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    const { reports } = await json(await api('GET', `/chargers/${cp.id}/reports?action=SignCertificate`));
    expect(reports[0].payload).toEqual({ csr: 'CSR-PEM' });
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
  });
});
