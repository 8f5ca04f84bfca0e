// ISO 15118 contract certificates (2.0.1 M01, M02): Get15118EVCertificate goes to the operator's provider, a real local HTTP server.
import { describe, expect, inject, it } from 'vitest';
import { CONTRACT_CERT_PROVIDER_TOKEN, type ReceivedRequest } from './contract-cert-provider.ts';
import { api, bootedCharger } from './helpers.ts';

const SCHEMA_15118_2 = 'urn:iso:15118:2:2013:MsgDef';

async function received(): Promise<ReceivedRequest[]> {
  const url = new URL('/received', inject('contractCertProviderUrl'));
  return (await fetch(url)).json() as Promise<ReceivedRequest[]>;
}

describe('Get15118EVCertificate through the contract-certificate provider (M01, M02)', () => {
  it('M01.FR.01: an Install request reaches the provider with its token, and its EXI response is the answer', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const exiRequest = `gAHxQmV2aW5zdGFsbA${Date.now()}`;
    const answer = await cp.call('Get15118EVCertificate', { iso15118SchemaVersion: SCHEMA_15118_2, action: 'Install', exiRequest });
    expect(answer).toEqual({ status: 'Accepted', exiResponse: [...exiRequest].reverse().join('') });
    const sent = (await received()).find((r) => (r.body as { exiRequest?: string }).exiRequest === exiRequest);
    expect(sent).toMatchObject({
      path: '/ev-certificate',
      authorization: `Bearer ${CONTRACT_CERT_PROVIDER_TOKEN}`,
      contentType: 'application/json',
      body: { chargerId: cp.identity, iso15118SchemaVersion: SCHEMA_15118_2, action: 'Install', exiRequest },
    });
    // The request is kept like any charger request; the provider's token is not in it.
    const reports = await api('GET', `/chargers/${cp.identity}/reports?action=Get15118EVCertificate`);
    expect(reports.body.reports[0].payload).toMatchObject({ action: 'Install', exiRequest });
    expect(JSON.stringify(reports.body)).not.toContain(CONTRACT_CERT_PROVIDER_TOKEN);
  });

  it("M02.FR.01: an Update request goes the same way; the provider's own Failed and its reason reach the charger", async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const update = await cp.call('Get15118EVCertificate', { iso15118SchemaVersion: SCHEMA_15118_2, action: 'Update', exiRequest: 'dXBkYXRl' });
    expect(update).toEqual({ status: 'Accepted', exiResponse: 'lRXYkBXd' });
    const failed = await cp.call('Get15118EVCertificate', { iso15118SchemaVersion: SCHEMA_15118_2, action: 'Update', exiRequest: 'FAILxyz' });
    expect(failed).toEqual({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoContract', additionalInfo: 'no contract for this EMAID' } });
  });

  it('M01.FR.01: a provider that is down, too slow or answers nonsense gets the charger a Failed with the reason, in time', async () => {
    const cp = await bootedCharger('ocpp2.0.1');
    const call = (exiRequest: string) => cp.call('Get15118EVCertificate', { iso15118SchemaVersion: SCHEMA_15118_2, action: 'Install', exiRequest });
    expect(await call('HTTP500')).toMatchObject({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'CertProviderError', additionalInfo: expect.stringContaining('HTTP 500') } });
    expect(await call('JUNK')).toMatchObject({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'CertProviderError' } });
    const started = Date.now();
    expect(await call('SLOW')).toMatchObject({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'CertProviderTimeout' } });
    // CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS is 1 in this run; the provider answers 1.5 s later than that.
    expect(Date.now() - started).toBeLessThan(2_400);
  });
});
