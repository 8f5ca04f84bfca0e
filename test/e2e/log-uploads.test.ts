// Log and diagnostics uploads to the CSMS under wrangler dev (N01, 1.6 §5.9): strict ocpp-rpc chargers
// answer GetLog / GetDiagnostics sent with ?upload=csms and upload over real HTTP to the signed URL.

import { describe, expect, it } from 'vitest';
import { api, bootedCharger, uniqueChargerId, waitFor } from './helpers.ts';

describe('uploads to the location the CSMS offers', () => {
  it('N01.FR.01: a 2.0.1 GetLog, the PUT upload and the LogStatusNotifications end with the file linked and downloaded identical', async () => {
    const id = uniqueChargerId('E2ELOG');
    const client = await bootedCharger('ocpp2.0.1', id);
    const received: Array<Record<string, any>> = [];
    client.handle('GetLog', async ({ params }) => {
      received.push(params as Record<string, any>);
      return { status: 'Accepted', filename: 'station.log' };
    });
    const sent = await api('POST', `/chargers/${encodeURIComponent(id)}/commands/GetLog?upload=csms`, { logType: 'DiagnosticsLog', requestId: 12 });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ result: { status: 'Accepted', filename: 'station.log' }, upload: { requestId: 12 } });
    const url = received[0]!.log.remoteLocation as string;

    await client.call('LogStatusNotification', { status: 'Uploading', requestId: 12 });
    const content = 'e2e log\n'.repeat(2000);
    const put = await fetch(`${url}station.log`, { method: 'PUT', body: content, headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(201);
    await client.call('LogStatusNotification', { status: 'Uploaded', requestId: 12 });

    const listed = await waitFor('the Uploaded status', async () => {
      const res = await api('GET', `/chargers/${encodeURIComponent(id)}/logs`);
      return res.body.logs?.[0]?.status === 'Uploaded' ? res.body.logs[0] : undefined;
    });
    expect(listed.file).toMatchObject({ name: 'station.log', size: content.length });
    const file = await fetch(`${url.split('/uploads/')[0]}/api/v1/chargers/${encodeURIComponent(id)}/logs/12/file`, {
      headers: { authorization: 'Bearer e2e-token' },
    });
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(content);

    const forged = await fetch(url.replace(/\/12\//, '/13/') + 'x.log', { method: 'PUT', body: 'x' });
    expect(forged.status).toBe(403);
    await client.close();
  });

  it('1.6 §5.9: GetDiagnostics, a multipart POST to the location with the file name appended, DiagnosticsStatusNotification Uploaded', async () => {
    const id = uniqueChargerId('E2EDIAG');
    const client = await bootedCharger('ocpp1.6', id);
    const received: Array<Record<string, any>> = [];
    client.handle('GetDiagnostics', async ({ params }) => {
      received.push(params as Record<string, any>);
      return { fileName: 'diag.tar.gz' };
    });
    const sent = await api('POST', `/chargers/${encodeURIComponent(id)}/commands/GetDiagnostics?upload=csms`, {});
    expect(sent.status).toBe(200);
    const requestId = sent.body.upload.requestId as number;
    await client.call('DiagnosticsStatusNotification', { status: 'Uploading' });
    const bytes = new Uint8Array(3000).map((_, i) => i % 251);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/gzip' }), 'diag.tar.gz');
    const post = await fetch(`${received[0]!.location}diag.tar.gz`, { method: 'POST', body: form });
    expect(post.status).toBe(201);
    await client.call('DiagnosticsStatusNotification', { status: 'Uploaded' });

    const listed = await waitFor('the Uploaded status', async () => {
      const res = await api('GET', `/chargers/${encodeURIComponent(id)}/logs`);
      return res.body.logs?.[0]?.status === 'Uploaded' ? res.body.logs[0] : undefined;
    });
    expect(listed).toMatchObject({ requestId, action: 'GetDiagnostics', file: { name: 'diag.tar.gz', size: 3000, contentType: 'application/gzip' } });
    await client.close();
  });
});
