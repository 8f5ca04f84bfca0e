// The operator API fails closed: a deployment without the API_TOKEN secret serves nobody, and a
// token that is nearly right is as wrong as any other.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/index';
import { API_TOKEN } from './helpers';

function get(path: string, token: string | undefined, apiToken: string | undefined): Promise<Response> {
  const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
  return Promise.resolve(app.request(path, { headers }, { ...env, API_TOKEN: apiToken }));
}

describe('the operator API without its secret', () => {
  it('answers 503 ApiTokenNotConfigured to everyone, whatever token they send', async () => {
    for (const apiToken of [undefined, '']) {
      for (const token of [undefined, '', API_TOKEN, 'anything']) {
        const res = await get('/api/v1/chargers', token, apiToken);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: 'ApiTokenNotConfigured' } });
      }
    }
    // Health and documentation stay open.
    expect((await get('/api/v1/health', undefined, undefined)).status).toBe(200);
  });

  it('refuses tokens that differ from the secret by a prefix, a suffix, case or one character', async () => {
    const secret = 'correct-horse-battery-staple';
    for (const token of ['correct', `${secret}x`, secret.toUpperCase(), `${secret.slice(0, -1)}f`, ` ${secret}x`]) {
      const res = await get('/api/v1/chargers', token, secret);
      expect(res.status, token).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
    expect((await get('/api/v1/chargers', secret, secret)).status).toBe(200);
  });
});
