// The ISO 15118 trust store's admin API (/api/v1/trust-roots, for C07.FR.06 and RFC 6960 §4.2.2.2 checks): set, read, list, delete,
// and what it refuses; certificates made in the test with WebCrypto (test/support/test-pki.ts).
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { issue, keyHashOf, moPki } from '../support/test-pki';
import { api } from './helpers';

let pki: Awaited<ReturnType<typeof moPki>>;
beforeAll(async () => {
  pki = await moPki('http://127.0.0.1:1/ocsp');
});

const uniqueId = () => `root-${crypto.randomUUID().slice(0, 8)}`;

describe('trust roots API (C07.FR.06)', () => {
  it('PUT creates (201) then replaces (200) an entry with its subject, fingerprint, key hash and dates; GET and the list show it; DELETE removes it', async () => {
    const id = uniqueId();
    const created = await api('PUT', `/trust-roots/${id}`, { certificate: pki.root.pem });
    expect(created.status).toBe(201);
    const { trustRoot } = (await created.json()) as { trustRoot: Record<string, unknown> };
    const fingerprint = [...new Uint8Array(await crypto.subtle.digest('SHA-256', pki.root.der))].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(trustRoot).toMatchObject({ id, subject: 'CN=Test MO Root', kind: 'root', fingerprint, keyHash: await keyHashOf(pki.root), certificate: pki.root.pem });
    expect(Date.parse(trustRoot.notAfter as string)).toBeGreaterThan(Date.now());

    const replaced = await api('PUT', `/trust-roots/${id}`, { certificate: pki.subCa.pem });
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as any).trustRoot).toMatchObject({ id, subject: 'CN=Test MO Sub-CA', kind: 'subCA' });

    expect(((await (await api('GET', `/trust-roots/${id}`)).json()) as any).trustRoot.subject).toBe('CN=Test MO Sub-CA');
    const list = (await (await api('GET', '/trust-roots')).json()) as { trustRoots: Array<{ id: string }> };
    expect(list.trustRoots.map((r) => r.id)).toContain(id);

    expect((await api('DELETE', `/trust-roots/${id}`)).status).toBe(204);
    const gone = await api('GET', `/trust-roots/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: { code: 'UnknownTrustRoot', message: `No trust root "${id}" is configured` } });
    expect((await api('DELETE', `/trust-roots/${id}`)).status).toBe(404);
  });

  it('refuses, with 400 and nothing kept: a body holding a private key, a certificate that is no CA, an expired one, garbage, an unknown field, a bad id', async () => {
    const id = uniqueId();
    const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
    const refused = async (body: unknown, code: string, path = `/trust-roots/${id}`) => {
      const res = await api('PUT', path, body);
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { error: { code: string; message: string } };
      expect(answer.error.code).toBe(code);
      return answer.error.message;
    };
    const message = await refused({ certificate: pki.root.pem + key }, 'PrivateKeyRefused');
    expect(message).not.toContain('MIGH');
    await refused({ certificate: pki.root.pem, note: key }, 'PrivateKeyRefused');
    expect(await refused({ certificate: pki.contract.pem }, 'InvalidCertificate')).toMatch(/not a CA certificate/);
    const now = Date.now();
    const expired = await issue({ cn: 'Expired root', ca: true, notBefore: now - 10 * 86_400_000, notAfter: now - 86_400_000 });
    expect(await refused({ certificate: expired.pem }, 'InvalidCertificate')).toMatch(/expired/);
    await refused({ certificate: 'not a certificate' }, 'InvalidCertificate');
    await refused({ certificate: pki.root.pem, extra: 1 }, 'InvalidPayload');
    await refused({}, 'InvalidPayload');
    await refused({ certificate: pki.root.pem }, 'InvalidParameter', '/trust-roots/has%20space');
    expect((await api('GET', `/trust-roots/${id}`)).status).toBe(404);
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM trust_roots WHERE certificate LIKE '%PRIVATE KEY%'").first<{ n: number }>();
    expect(row?.n).toBe(0);
  });

  it('needs the admin scope to change (a read token may list)', async () => {
    const made = await api('POST', '/tokens', { name: 'reader', scopes: ['read'] });
    const { token } = (await made.json()) as { token: string };
    expect((await api('GET', '/trust-roots', undefined, token)).status).toBe(200);
    expect((await api('PUT', `/trust-roots/${uniqueId()}`, { certificate: pki.root.pem }, token)).status).toBe(403);
  });
});
