// The upload location the CSMS offers for log and diagnostics files (N01 GetLog, 1.6 GetDiagnostics §5.9):
// a signed URL on the Worker filled into the command, the charger's upload kept in R2 and linked to its request.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId, worker } from './helpers';

/** Sends `action` with ?upload=csms, answers the CALL the charger receives with `answer`; the API response and the CALL's payload. */
async function sendWithCsmsUpload(cp: RawCharger, action: string, body: unknown, answer: unknown): Promise<{ res: Response; json: any; sent: any }> {
  const pending = api('POST', `/chargers/${cp.id}/commands/${action}?upload=csms`, body);
  const call = await cp.next();
  expect(call[0]).toBe(2);
  expect(call[2]).toBe(action);
  cp.sendRaw(JSON.stringify([3, call[1], answer]));
  const res = await pending;
  return { res, json: await res.json(), sent: call[3] };
}

/** The URL's path and query, to send through the test Worker (whose origin is http://csms.test). */
function pathOf(url: string): string {
  const parsed = new URL(url);
  expect(parsed.origin).toBe('http://csms.test');
  return parsed.pathname + parsed.search;
}

const LOG_TEXT = 'line 1: boot\nline 2: \u00e9v\u00e9nement\n' + 'x'.repeat(5000);

describe('GetLog with the CSMS upload location (N01)', () => {
  it('N01.FR.01: the CSMS fills in a signed URL; the upload, the LogStatusNotifications and the file are linked to the request and downloaded identical', async () => {
    const id = uniqueChargerId('LOG');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const { res, json, sent } = await sendWithCsmsUpload(cp, 'GetLog', { logType: 'DiagnosticsLog', requestId: 41 }, { status: 'Accepted', filename: 'diag.log' });
    expect(res.status).toBe(200);
    expect(json.result).toEqual({ status: 'Accepted', filename: 'diag.log' });
    expect(json.upload).toEqual({ requestId: 41, expiresAt: expect.any(String) });
    const url = sent.log.remoteLocation as string;
    expect(url).toMatch(new RegExp(`^http://csms\\.test/uploads/logs/${encodeURIComponent(id)}/41/\\d+/[A-Za-z0-9_-]{40,}/$`));

    expect(await cp.call('LogStatusNotification', { status: 'Uploading', requestId: 41 })).toEqual([3, expect.any(String), {}]);
    const put = await worker(`${pathOf(url)}diag.log`, { method: 'PUT', body: LOG_TEXT, headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(201);
    expect(await cp.call('LogStatusNotification', { status: 'Uploaded', requestId: 41 })).toEqual([3, expect.any(String), {}]);

    const list = await api('GET', `/chargers/${id}/logs`);
    expect(list.status).toBe(200);
    const { logs, nextCursor } = (await list.json()) as any;
    expect(nextCursor).toBeNull();
    expect(logs).toEqual([
      {
        requestId: 41,
        action: 'GetLog',
        logType: 'DiagnosticsLog',
        requestedAt: expect.any(String),
        expiresAt: json.upload.expiresAt,
        answer: { status: 'Accepted', filename: 'diag.log' },
        status: 'Uploaded',
        statusAt: expect.any(String),
        file: { name: 'diag.log', size: new TextEncoder().encode(LOG_TEXT).byteLength, contentType: 'text/plain', uploadedAt: expect.any(String) },
      },
    ]);
    const file = await api('GET', `/chargers/${id}/logs/41/file`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(LOG_TEXT);
    cp.close();
  });

  it('N01: a multipart/form-data POST keeps the file inside the form, not the form', async () => {
    const id = uniqueChargerId('LOGM');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const { sent } = await sendWithCsmsUpload(cp, 'GetLog', { logType: 'SecurityLog', requestId: 5 }, { status: 'Accepted', filename: 'sec.log' });
    const form = new FormData();
    form.append('file', new File(['security log\n'], 'sec.log', { type: 'text/plain' }));
    const post = await worker(pathOf(sent.log.remoteLocation), { method: 'POST', body: form });
    expect(post.status).toBe(201);
    const file = await api('GET', `/chargers/${id}/logs/5/file`);
    expect(await file.text()).toBe('security log\n');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="sec.log"');
    // The charger's bytes are never rendered on the API's origin, whatever type it claimed.
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');

    // A second upload under another name replaces the first: one object per request.
    const again = await worker(`${pathOf(sent.log.remoteLocation)}sec2.log`, { method: 'PUT', body: '<html>second</html>', headers: { 'content-type': 'text/html' } });
    expect(again.status).toBe(201);
    expect(await (await api('GET', `/chargers/${id}/logs/5/file`)).text()).toBe('<html>second</html>');
    const objects = (await env.ARCHIVE!.list({ prefix: `logs/${encodeURIComponent(id)}/5/` })).objects.map((o) => o.key);
    expect(objects).toEqual([`logs/${encodeURIComponent(id)}/5/sec2.log`]);
    cp.close();
  });

  it('N01: a wrong signature, an expired URL and another charger\u2019s URL are refused 403, and nothing is stored', async () => {
    const id = uniqueChargerId('LOGX');
    const other = uniqueChargerId('LOGY');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const cp2 = await RawCharger.connect(other, 'ocpp2.0.1');
    await cp2.boot();
    const { sent } = await sendWithCsmsUpload(cp, 'GetLog', { logType: 'DiagnosticsLog', requestId: 9 }, { status: 'Accepted' });
    const path = pathOf(sent.log.remoteLocation);
    const [, , , charger, request, expires, signature] = path.split('/');
    expect(charger).toBe(encodeURIComponent(id));

    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    const tries = [
      `/uploads/logs/${charger}/${request}/${expires}/${flipped}/x.log`,
      // A later expiry under the same signature: the expiry is signed too.
      `/uploads/logs/${charger}/${request}/${Number(expires) + 3600}/${signature}/x.log`,
      // The same request and signature for another charger.
      `/uploads/logs/${encodeURIComponent(other)}/${request}/${expires}/${signature}/x.log`,
      // Another request of the same charger.
      `/uploads/logs/${charger}/10/${expires}/${signature}/x.log`,
    ];
    for (const tryPath of tries) {
      const res = await worker(tryPath, { method: 'PUT', body: 'forged' });
      expect(res.status, tryPath).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('InvalidUploadUrl');
    }
    const listed = (await (await api('GET', `/chargers/${id}/logs`)).json()) as any;
    expect(listed.logs[0].file).toBeNull();
    expect((await api('GET', `/chargers/${id}/logs/9/file`)).status).toBe(404);
    expect((await env.ARCHIVE!.list({ prefix: `logs/${encodeURIComponent(id)}/` })).objects).toEqual([]);
    expect((await env.ARCHIVE!.list({ prefix: `logs/${encodeURIComponent(other)}/` })).objects).toEqual([]);
    cp.close();
    cp2.close();
  });

  it('N01: an expired signed URL is refused 403 and nothing is stored', async () => {
    const id = uniqueChargerId('LOGE');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    await sendWithCsmsUpload(cp, 'GetLog', { logType: 'DiagnosticsLog', requestId: 3 }, { status: 'Accepted' });
    // A URL signed as the CSMS signs, whose expiry has passed.
    const { signedUploadUrl, uploadKey } = await import('../../src/api/log-upload-urls');
    const expired = await signedUploadUrl('http://csms.test', { chargerId: id, requestId: 3, expires: Math.floor(Date.now() / 1000) - 1 }, (await uploadKey(env))!);
    const res = await worker(`${pathOf(expired)}late.log`, { method: 'PUT', body: 'late' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('UploadUrlExpired');
    expect((await env.ARCHIVE!.list({ prefix: `logs/${encodeURIComponent(id)}/` })).objects).toEqual([]);
    cp.close();
  });

  it('N01: an upload over LOG_UPLOAD_MAX_BYTES is refused 413', async () => {
    const id = uniqueChargerId('LOGB');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const { sent } = await sendWithCsmsUpload(cp, 'GetLog', { logType: 'DiagnosticsLog', requestId: 4 }, { status: 'Accepted' });
    const res = await worker(`${pathOf(sent.log.remoteLocation)}big.log`, { method: 'PUT', body: new Uint8Array(25 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect((await env.ARCHIVE!.list({ prefix: `logs/${encodeURIComponent(id)}/` })).objects).toEqual([]);
    cp.close();
  });

  it('N01: the signature is redacted in the message journal and the queued command; the operator\u2019s own location is not replaced', async () => {
    const id = uniqueChargerId('LOGR');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const { sent } = await sendWithCsmsUpload(cp, 'GetLog', { logType: 'DiagnosticsLog', requestId: 77 }, { status: 'Accepted' });
    const signature = (sent.log.remoteLocation as string).split('/')[8]!;
    expect(signature.length).toBeGreaterThan(40);
    const journal = JSON.stringify(await (await api('GET', `/chargers/${id}/messages`)).json());
    expect(journal).toContain('/uploads/logs/');
    expect(journal).not.toContain(signature);

    const queued = await api('POST', `/chargers/${id}/commands/GetLog?upload=csms&queue=true`, { logType: 'DiagnosticsLog', requestId: 78 });
    expect(queued.status).toBe(202);
    const listed = JSON.stringify(await (await api('GET', `/chargers/${id}/commands`)).json());
    expect(listed).toContain('/uploads/logs/');
    expect(listed).not.toMatch(/\/uploads\/logs\/[^/]+\/78\/\d+\/[A-Za-z0-9_-]{20,}/);

    const own = await api('POST', `/chargers/${id}/commands/GetLog?upload=csms`, { logType: 'DiagnosticsLog', requestId: 79, log: { remoteLocation: 'https://example.com/x' } });
    expect(own.status).toBe(400);
    const reused = await api('POST', `/chargers/${id}/commands/GetLog?upload=csms&queue=true`, { logType: 'DiagnosticsLog', requestId: 77 });
    expect(reused.status).toBe(409);
    cp.close();
  });
});

describe('GetDiagnostics with the CSMS upload location (1.6 §5.9)', () => {
  it('1.6 §5.9 / §4.4: the CSMS assigns the request, the charger appends its file name, DiagnosticsStatusNotification tells its state', async () => {
    const id = uniqueChargerId('DIAG');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const { res, json, sent } = await sendWithCsmsUpload(cp, 'GetDiagnostics', {}, { fileName: 'diag-2026.zip' });
    expect(res.status).toBe(200);
    const requestId = json.upload.requestId as number;
    expect(Number.isInteger(requestId)).toBe(true);
    expect(sent.location).toMatch(/^http:\/\/csms\.test\/uploads\/logs\/.+\/$/);
    expect(await cp.call('DiagnosticsStatusNotification', { status: 'Uploading' })).toEqual([3, expect.any(String), {}]);
    const bytes = crypto.getRandomValues(new Uint8Array(4096));
    const put = await worker(`${pathOf(sent.location)}diag-2026.zip`, { method: 'PUT', body: bytes });
    expect(put.status).toBe(201);
    expect(await cp.call('DiagnosticsStatusNotification', { status: 'Uploaded' })).toEqual([3, expect.any(String), {}]);

    const { logs } = (await (await api('GET', `/chargers/${id}/logs`)).json()) as any;
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ requestId, action: 'GetDiagnostics', answer: { fileName: 'diag-2026.zip' }, status: 'Uploaded', file: { name: 'diag-2026.zip', size: 4096 } });
    const file = await api('GET', `/chargers/${id}/logs/${requestId}/file`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);

    // A second request: the notifications after it are its own, the first keeps its Uploaded.
    const second = await sendWithCsmsUpload(cp, 'GetDiagnostics', {}, { fileName: 'diag-2.zip' });
    const secondId = second.json.upload.requestId as number;
    expect(secondId).not.toBe(requestId);
    expect(await cp.call('DiagnosticsStatusNotification', { status: 'UploadFailed' })).toEqual([3, expect.any(String), {}]);
    const both = ((await (await api('GET', `/chargers/${id}/logs`)).json()) as any).logs;
    expect(both.map((l: any) => [l.requestId, l.status])).toEqual([
      [secondId, 'UploadFailed'],
      [requestId, 'Uploaded'],
    ]);
    cp.close();
  });
});
