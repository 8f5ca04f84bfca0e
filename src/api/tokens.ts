// /api/v1/tokens — operator API tokens with scopes: create (the token is shown once), list, revoke.

import { Hono } from 'hono';
import * as v from 'valibot';
import type { Env } from '../env';
import { summarizeIssues } from '../ocpp/validation';
import { ApiTokenStore } from '../store/api-tokens';
import { sha256Hex } from './auth';
import { apiError } from './errors';
import { readJsonBody } from './body';
import { SCOPES } from './scopes';

export const tokenRoutes = new Hono<{ Bindings: Env }>();

const TokenBody = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  scopes: v.pipe(v.array(v.picklist(SCOPES)), v.minLength(1)),
});

tokenRoutes.post('/', async (c) => {
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(TokenBody, read.body);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'Send {"name": "…", "scopes": ["read" | "command" | "admin", …]}', {
      issues: summarizeIssues(parsed.issues),
    });
  }
  const id = randomText(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  const secret = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const record = await new ApiTokenStore(c.env.DB).create(
    { id, name: parsed.output.name, scopes: [...new Set(parsed.output.scopes)], secretHash: await sha256Hex(secret) },
    new Date().toISOString(),
  );
  // The only time the token is shown: it is not kept, only its secret's hash.
  return c.json({ token: `csms_${id}_${secret}`, apiToken: record }, 201);
});

tokenRoutes.get('/', async (c) => c.json({ apiTokens: await new ApiTokenStore(c.env.DB).list() }));

tokenRoutes.delete('/:tokenId', async (c) => {
  const revoked = await new ApiTokenStore(c.env.DB).revoke(c.req.param('tokenId'), new Date().toISOString());
  if (!revoked) return apiError(c, 404, 'UnknownToken', `No token "${c.req.param('tokenId')}"`);
  return c.body(null, 204);
});

function randomText(length: number, alphabet: string): string {
  // 62 symbols: rejection sampling keeps the choice uniform.
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out.push(alphabet[byte % alphabet.length]!);
    }
  }
  return out.join('');
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
