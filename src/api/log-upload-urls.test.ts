// The signed upload URLs for log files (N01, 1.6 §5.9): what is signed, and that their signature is redacted wherever shown.
import { describe, expect, it } from 'vitest';
import { redactFrameText, redactSecrets, redactUnparsedText, REDACTED } from '../ocpp/secrets';
import { signedUploadUrl, uploadKey, verifyUploadSignature } from './log-upload-urls';

const TARGET = { chargerId: 'CP/1 é', requestId: 7, expires: 2_000_000_000 };

describe('signed upload URLs', () => {
  it('N01: signs charger, request and expiry; any change, or another key, fails', async () => {
    const key = (await uploadKey({ LOG_UPLOAD_SECRET: 's3cret-key-of-the-operator' }))!;
    const url = await signedUploadUrl('https://csms.example', TARGET, key);
    expect(url).toMatch(/^https:\/\/csms\.example\/uploads\/logs\/CP%2F1%20%C3%A9\/7\/2000000000\/[A-Za-z0-9_-]{43}\/$/);
    const signature = url.split('/').at(-2)!;
    expect(await verifyUploadSignature(TARGET, signature, key)).toBe(true);
    expect(await verifyUploadSignature({ ...TARGET, chargerId: 'CP/2' }, signature, key)).toBe(false);
    expect(await verifyUploadSignature({ ...TARGET, requestId: 8 }, signature, key)).toBe(false);
    expect(await verifyUploadSignature({ ...TARGET, expires: TARGET.expires + 1 }, signature, key)).toBe(false);
    expect(await verifyUploadSignature(TARGET, 'not base64!', key)).toBe(false);
    const otherKey = (await uploadKey({ LOG_UPLOAD_SECRET: 'another-key' }))!;
    expect(await verifyUploadSignature(TARGET, signature, otherKey)).toBe(false);
  });

  it('derives a key from API_TOKEN when LOG_UPLOAD_SECRET is unset, and offers none without either', async () => {
    const derived = (await uploadKey({ API_TOKEN: 'tok' }))!;
    const direct = (await uploadKey({ LOG_UPLOAD_SECRET: 'tok' }))!;
    const signature = (await signedUploadUrl('https://x', TARGET, derived)).split('/').at(-2)!;
    expect(await verifyUploadSignature(TARGET, signature, derived)).toBe(true);
    // Not the token itself as key: a URL does not help guess API_TOKEN.
    expect(await verifyUploadSignature(TARGET, signature, direct)).toBe(false);
    expect(await uploadKey({})).toBeNull();
  });

  it('N01: the signature is redacted in payloads and journal frames, the rest of the URL kept', async () => {
    const key = (await uploadKey({ LOG_UPLOAD_SECRET: 'k' }))!;
    const url = await signedUploadUrl('https://csms.example', TARGET, key);
    const signature = url.split('/').at(-2)!;
    const shown = `https://csms.example/uploads/logs/CP%2F1%20%C3%A9/7/2000000000/${REDACTED}/`;
    expect(redactSecrets({ logType: 'DiagnosticsLog', requestId: 7, log: { remoteLocation: url } })).toEqual({
      logType: 'DiagnosticsLog',
      requestId: 7,
      log: { remoteLocation: shown },
    });
    expect(redactSecrets({ location: `${url}diag.zip` })).toEqual({ location: `${shown}diag.zip` });
    const frame = JSON.stringify([2, 'm1', 'GetLog', { logType: 'DiagnosticsLog', requestId: 7, log: { remoteLocation: url } }]);
    expect(redactFrameText(frame)).not.toContain(signature);
    expect(redactFrameText(frame)).toContain(shown);
    // An operator's own URL is not touched.
    expect(redactSecrets({ location: 'ftp://logs.example/uploads/x' })).toEqual({ location: 'ftp://logs.example/uploads/x' });
  });

  it('N01: a GetLog requestId below zero, and a charger echoing the URL with its slashes escaped (\\/), are redacted too', async () => {
    const key = (await uploadKey({ LOG_UPLOAD_SECRET: 'k' }))!;
    const url = await signedUploadUrl('https://csms.example', { ...TARGET, requestId: -7 }, key);
    const signature = url.split('/').at(-2)!;
    const shown = `https://csms.example/uploads/logs/CP%2F1%20%C3%A9/-7/2000000000/${REDACTED}/`;
    expect(redactSecrets({ logType: 'DiagnosticsLog', requestId: -7, log: { remoteLocation: url } })).toEqual({
      logType: 'DiagnosticsLog',
      requestId: -7,
      log: { remoteLocation: shown },
    });
    const escaped = JSON.stringify(url).replaceAll('/', '\\/');
    const echo = `[2,"e1","SecurityEventNotification",{"type":"x","timestamp":"2026-01-01T00:00:00Z","techInfo":${escaped}}]`;
    expect(JSON.parse(echo)[3].techInfo).toBe(url);
    expect(redactFrameText(echo)).not.toContain(signature);
    expect(JSON.parse(redactFrameText(echo))[3].techInfo).toBe(shown);
    // Text that is not JSON, as logged.
    expect(redactUnparsedText(`failed: ${escaped}`)).not.toContain(signature);
  });
});
