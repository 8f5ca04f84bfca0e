// /api/v1/trust-roots — the operator's ISO 15118 trust store: V2G / mobility-operator root certificates
// (and MO sub-CAs under them) that Plug & Charge contract certificates and OCSP responses are checked against.
//
// Kept in D1 behind an admin API rather than in a config var, so an operator adds or retires a
// root without a deployment, and sees what is configured (subject, fingerprint, notAfter).
// Certificates are public; a body holding a private key is refused and nothing of it is kept.

import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { readTrustRoot, TrustError } from '../ocpp/trust-chain';
import { MAX_TRUST_ROOTS, TrustRootStore, type TrustRoot } from '../store/trust-roots';
import { readJsonBody } from './body';
import { apiError } from './errors';

type AppContext = Context<{ Bindings: Env }>;

export const trustRootRoutes = new Hono<{ Bindings: Env }>();

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

function validId(c: AppContext): string | Response {
  const id = c.req.param('trustRootId') ?? '';
  if (!ID_PATTERN.test(id)) return apiError(c, 400, 'InvalidParameter', 'id must be 1-64 letters, digits, dots, underscores or hyphens');
  return id;
}

function toApi(root: TrustRoot) {
  return {
    id: root.id,
    subject: root.subject,
    fingerprint: root.fingerprint,
    keyHash: root.keyHash,
    notBefore: root.notBefore,
    notAfter: root.notAfter,
    kind: root.selfSigned ? 'root' : 'subCA',
    certificate: root.pem,
    updatedAt: root.updatedAt,
  };
}

trustRootRoutes.get('/', async (c) => {
  const roots = await new TrustRootStore(c.env.DB).list();
  return c.json({ trustRoots: roots.map(toApi) });
});

trustRootRoutes.get('/:trustRootId', async (c) => {
  const id = validId(c);
  if (id instanceof Response) return id;
  const root = await new TrustRootStore(c.env.DB).get(id);
  if (!root) return apiError(c, 404, 'UnknownTrustRoot', `No trust root "${id}" is configured`);
  return c.json({ trustRoot: toApi(root) });
});

/** Creates or replaces entry {id} with `{"certificate": "<PEM>"}`: 201 when new, 200 when replaced. */
trustRootRoutes.put('/:trustRootId', async (c) => {
  const id = validId(c);
  if (id instanceof Response) return id;
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  // Anywhere in the body, not only in `certificate`: a key pasted by mistake is refused, never kept or echoed.
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(JSON.stringify(read.body))) {
    return apiError(c, 400, 'PrivateKeyRefused', 'The body holds a private key: the trust store takes public certificates only; nothing was kept');
  }
  const { certificate, ...rest } = read.body;
  const unknown = Object.keys(rest);
  if (typeof certificate !== 'string' || unknown.length > 0) {
    return apiError(c, 400, 'InvalidPayload', 'The body must be {"certificate": "<PEM>"}', {
      issues: typeof certificate !== 'string' ? [{ path: 'certificate', message: 'expected a PEM string' }] : unknown.map((path) => ({ path, message: 'unknown field' })),
    });
  }
  const now = Date.now();
  let info;
  try {
    info = await readTrustRoot(certificate, now);
  } catch (error) {
    if (error instanceof TrustError) return apiError(c, 400, 'InvalidCertificate', error.message, { issues: [{ path: 'certificate', message: error.message }] });
    throw error;
  }
  const store = new TrustRootStore(c.env.DB);
  const put = await store.put(id, info, new Date(now).toISOString());
  if (put === 'full') return apiError(c, 409, 'TrustStoreFull', `The trust store holds ${MAX_TRUST_ROOTS} certificates, its most; delete one first`);
  const root = await store.get(id);
  return c.json({ trustRoot: toApi(root!) }, put.created ? 201 : 200);
});

trustRootRoutes.delete('/:trustRootId', async (c) => {
  const id = validId(c);
  if (id instanceof Response) return id;
  if (!(await new TrustRootStore(c.env.DB).delete(id))) return apiError(c, 404, 'UnknownTrustRoot', `No trust root "${id}" is configured`);
  return c.body(null, 204);
});
