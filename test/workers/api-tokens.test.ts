import { describe, expect, it } from 'vitest';
import { api, worker } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function newToken(scopes: string[]): Promise<{ token: string; id: string }> {
  const res = await api('POST', '/tokens', { name: `test ${scopes.join('+')}`, scopes });
  expect(res.status).toBe(201);
  const body = await json(res);
  return { token: body.token, id: body.apiToken.id };
}

describe('operator API tokens', () => {
  it('are shown once, kept hashed, and grant exactly their scopes', async () => {
    const reader = await newToken(['read']);
    const commander = await newToken(['command']);
    expect(reader.token).toMatch(/^csms_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);

    // read: GETs only.
    expect((await api('GET', '/chargers', undefined, reader.token)).status).toBe(200);
    const refused = await api('PUT', '/id-tags/SCOPE-TEST', { status: 'Accepted' }, reader.token);
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ error: { code: 'InsufficientScope', needed: 'admin', granted: ['read'] } });
    // command: reads, and talks to chargers, but does not administer.
    expect((await api('GET', '/chargers', undefined, commander.token)).status).toBe(200);
    expect((await api('POST', '/chargers/NOBODY/commands/Reset', { type: 'Soft' }, commander.token)).status).toBe(404);
    expect((await api('POST', '/chargers/NOBODY/commands/Reset', { type: 'Soft' }, reader.token)).status).toBe(403);
    expect((await api('PUT', '/chargers/SCOPE-CP', undefined, commander.token)).status).toBe(403);
    expect((await api('POST', '/tokens', { name: 'x', scopes: ['admin'] }, commander.token)).status).toBe(403);

    // The list shows no secrets.
    const listText = await (await api('GET', '/tokens')).text();
    expect(listText).toContain(reader.id);
    // The secret is everything after the id (it may itself contain '_').
    const secret = /^csms_[A-Za-z0-9]{12}_(.+)$/.exec(reader.token)![1]!;
    expect(listText).not.toContain(secret);
  });

  it('stop working once revoked, and a forged or mangled token never works', async () => {
    const { token, id } = await newToken(['read']);
    expect((await api('DELETE', `/tokens/${id}`)).status).toBe(204);
    expect((await api('DELETE', `/tokens/${id}`)).status).toBe(204);
    expect((await api('GET', '/chargers', undefined, token)).status).toBe(401);
    expect((await api('DELETE', '/tokens/NOSUCHTOKEN0')).status).toBe(404);

    const live = await newToken(['read']);
    const forged = `${live.token.slice(0, -1)}${live.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await api('GET', '/chargers', undefined, forged)).status).toBe(401);
    expect((await api('GET', '/chargers', undefined, 'csms_short_x')).status).toBe(401);
    expect((await api('POST', '/tokens', { name: '', scopes: [] })).status).toBe(400);
    expect((await api('POST', '/tokens', { name: 'x', scopes: ['superuser'] })).status).toBe(400);
  });

  it('leave the documentation and the health check open, and send no CORS headers unless configured', async () => {
    for (const path of ['/api/v1/health', '/api/v1/openapi.json', '/api/v1/docs']) {
      expect((await worker(path)).status, path).toBe(200);
    }
    const res = await api('GET', '/chargers');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
