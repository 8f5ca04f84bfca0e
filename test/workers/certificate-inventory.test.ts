// A charger's certificate inventory (2.0.1 M03–M05, 1.6 security extension): kept from its answers, read through the API.
import { describe, expect, it } from 'vitest';
import { answeringCharger } from './answering-charger';
import { api, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

const V2G_ROOT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBV2GROOT\n-----END CERTIFICATE-----';
const hash = (n: number, serialNumber = `0${n}a`) => ({
  hashAlgorithm: 'SHA256',
  issuerNameHash: `aa${n}`.padEnd(64, '0'),
  issuerKeyHash: `bb${n}`.padEnd(64, '1'),
  serialNumber,
});

async function certificates(chargerId: string, query = ''): Promise<any> {
  const res = await api('GET', `/chargers/${chargerId}/certificates${query}`);
  expect(res.status).toBe(200);
  return json(res);
}

describe('certificate inventory, 2.0.1 (M03, M04, M05)', () => {
  it('M05.FR.02 / M03.FR.03 / M03.FR.04 / M04.FR.02 / M04.FR.04: an accepted install is listed, a report replaces what it covers, an accepted delete removes it', async () => {
    // What the charger answers: a report of two certificates, MORootCertificate NotFound (M03.FR.02).
    const charger = await answeringCharger(uniqueChargerId(), 'ocpp2.0.1', (action, payload) => {
      if (action === 'GetInstalledCertificateIds') {
        const types = (payload as { certificateType?: string[] }).certificateType;
        if (types?.includes('MORootCertificate')) return { status: 'NotFound' };
        return {
          status: 'Accepted',
          certificateHashDataChain: [
            { certificateType: 'V2GRootCertificate', certificateHashData: hash(1) },
            { certificateType: 'V2GCertificateChain', certificateHashData: hash(2), childCertificateHashData: [hash(3)] },
          ],
        };
      }
      if (action === 'DeleteCertificate') {
        const serial = (payload as { certificateHashData: { serialNumber: string } }).certificateHashData.serialNumber;
        return { status: serial === 'ffff' ? 'NotFound' : 'Accepted' };
      }
      return { status: 'Accepted' };
    });
    const id = charger.cp.id;
    expect((await certificates(id)).certificates).toEqual([]);

    // M05: installed, known by its PEM until the charger reports its hash data.
    const install = await api('POST', `/chargers/${id}/commands/InstallCertificate`, { certificateType: 'V2GRootCertificate', certificate: V2G_ROOT_PEM });
    expect(await json(install)).toEqual({ result: { status: 'Accepted' } });
    let list = await certificates(id);
    expect(list.certificates).toEqual([
      {
        certificateType: 'V2GRootCertificate',
        certificateHashData: null,
        childCertificateHashData: [],
        certificate: V2G_ROOT_PEM,
        source: 'installed',
        updatedAt: expect.any(String),
      },
    ]);

    // M03: the report of every type replaces what was known, the installed PEM included.
    expect((await json(await api('POST', `/chargers/${id}/commands/GetInstalledCertificateIds`, {}))).result.status).toBe('Accepted');
    list = await certificates(id);
    expect(list.certificates.map((c: any) => [c.certificateType, c.certificateHashData, c.childCertificateHashData, c.certificate, c.source])).toEqual([
      ['V2GRootCertificate', hash(1), [], null, 'reported'],
      ['V2GCertificateChain', hash(2), [hash(3)], null, 'reported'],
    ]);
    expect(list.nextCursor).toBeNull();

    // Paged, and filtered by type.
    const first = await certificates(id, '?limit=1');
    expect(first.certificates).toHaveLength(1);
    const second = await certificates(id, `?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(second.certificates).toHaveLength(1);
    expect(second.certificates[0].certificateType).not.toBe(first.certificates[0].certificateType);
    expect(second.nextCursor).toBeNull();
    expect((await certificates(id, '?certificateType=V2GCertificateChain')).certificates.map((c: any) => c.certificateType)).toEqual(['V2GCertificateChain']);
    expect((await api('GET', `/chargers/${id}/certificates?certificateType=${encodeURIComponent('x;drop')}`)).status).toBe(400);

    // M03.FR.02: NotFound for one type leaves the others alone.
    const none = await api('POST', `/chargers/${id}/commands/GetInstalledCertificateIds`, { certificateType: ['MORootCertificate'] });
    expect((await json(none)).result.status).toBe('NotFound');
    expect((await certificates(id)).certificates).toHaveLength(2);

    // M04: a delete the charger refused changes nothing; an accepted one removes the certificate,
    // named with other hex case and a leading zero left out of the serial number.
    const refused = await api('POST', `/chargers/${id}/security-commands`, { action: 'DeleteCertificate', payload: { certificateHashData: hash(1, 'ffff') } });
    expect((await json(refused)).result.status).toBe('NotFound');
    expect((await certificates(id)).certificates).toHaveLength(2);
    const named = { ...hash(1), issuerNameHash: hash(1).issuerNameHash.toUpperCase(), serialNumber: '1A' };
    const deleted = await api('POST', `/chargers/${id}/security-commands`, { action: 'DeleteCertificate', payload: { certificateHashData: named } });
    expect((await json(deleted)).result.status).toBe('Accepted');
    expect((await certificates(id)).certificates.map((c: any) => c.certificateType)).toEqual(['V2GCertificateChain']);
    charger.cp.close();
  });

  it('M05.FR.03 / M05.FR.06: a rejected install is not listed; a private key pasted with a certificate is not kept', async () => {
    let answer = 'Rejected';
    const charger = await answeringCharger(uniqueChargerId(), 'ocpp2.0.1', () => ({ status: answer }));
    const id = charger.cp.id;
    await api('POST', `/chargers/${id}/commands/InstallCertificate`, { certificateType: 'MORootCertificate', certificate: V2G_ROOT_PEM });
    expect((await certificates(id)).certificates).toEqual([]);
    answer = 'Accepted';
    const withKey = `${V2G_ROOT_PEM}\n-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----`;
    await api('POST', `/chargers/${id}/commands/InstallCertificate`, { certificateType: 'MORootCertificate', certificate: withKey });
    const [kept] = (await certificates(id)).certificates;
    expect(kept.certificate).toContain('MIIBV2GROOT');
    expect(kept.certificate).not.toContain('secretkeymaterial');
    charger.cp.close();
  });

  it('answers 404 for an unknown charger', async () => {
    expect((await api('GET', `/chargers/${uniqueChargerId()}/certificates`)).status).toBe(404);
  });
});

describe('certificate inventory, 1.6 security extension (M03, M04, M05 of the 1.6 security whitepaper)', () => {
  it('M03.FR.03 / M03.FR.04 / M05.FR.02: GetInstalledCertificateIds of one type lists its hash data; an accepted install of another type is kept beside it', async () => {
    const charger = await answeringCharger(uniqueChargerId(), 'ocpp1.6', (action, payload) => {
      if (action === 'GetInstalledCertificateIds') {
        return (payload as { certificateType: string }).certificateType === 'CentralSystemRootCertificate'
          ? { status: 'Accepted', certificateHashData: [hash(7), hash(8)] }
          : { status: 'NotFound' };
      }
      return { status: 'Accepted' };
    });
    const id = charger.cp.id;
    const install = await api('POST', `/chargers/${id}/security-commands`, {
      action: 'InstallCertificate',
      payload: { certificateType: 'ManufacturerRootCertificate', certificate: V2G_ROOT_PEM },
    });
    expect((await json(install)).result.status).toBe('Accepted');
    await api('POST', `/chargers/${id}/commands/GetInstalledCertificateIds`, { certificateType: 'CentralSystemRootCertificate' });
    const list = (await certificates(id)).certificates;
    expect(list.filter((c: any) => c.certificateType === 'CentralSystemRootCertificate').map((c: any) => c.certificateHashData)).toEqual([hash(7), hash(8)]);
    expect(list.filter((c: any) => c.certificateType === 'ManufacturerRootCertificate').map((c: any) => c.source)).toEqual(['installed']);
    // M03.FR.02: none of that type now.
    await api('POST', `/chargers/${id}/commands/GetInstalledCertificateIds`, { certificateType: 'ManufacturerRootCertificate' });
    expect((await certificates(id)).certificates.map((c: any) => c.certificateType)).toEqual(['CentralSystemRootCertificate', 'CentralSystemRootCertificate']);
    charger.cp.close();
  });
});
