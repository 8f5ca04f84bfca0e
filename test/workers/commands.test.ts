import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

describe('the command API', () => {
  it('needs the bearer token, except for the health check', async () => {
    expect((await api('GET', '/chargers', undefined, 'wrong')).status).toBe(401);
    expect(await json(await api('GET', '/chargers', undefined, 'wrong'))).toMatchObject({ error: { code: 'Unauthorized' } });
    expect((await api('GET', '/health', undefined, 'wrong')).status).toBe(200);
  });

  it('sends a call and returns the charger answer', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${cp.id}/commands/Reset`, { type: 'Soft' });
    const call = await cp.next();
    expect(call).toEqual([2, expect.any(String), 'Reset', { type: 'Soft' }]);
    expect((call[1] as string).length).toBeLessThanOrEqual(36);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ result: { status: 'Accepted' } });
    cp.close();
  });

  it('keeps one call in flight and sends queued calls in order', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const first = api('POST', `/chargers/${cp.id}/commands/ClearCache`, {});
    const firstCall = await cp.next();
    const second = api('POST', `/chargers/${cp.id}/commands/Reset`, { type: 'Immediate' });
    // Nothing else may arrive while the first call is unanswered.
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    cp.sendRaw(JSON.stringify([3, firstCall[1], { status: 'Accepted' }]));
    const secondCall = await cp.next();
    expect(secondCall[2]).toBe('Reset');
    expect(secondCall[1]).not.toBe(firstCall[1]);
    cp.sendRaw(JSON.stringify([3, secondCall[1], { status: 'Scheduled' }]));
    expect(await json(await first)).toEqual({ result: { status: 'Accepted' } });
    expect(await json(await second)).toEqual({ result: { status: 'Scheduled' } });
    cp.close();
  });

  it('surfaces a CALLERROR as 502 CallError', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache`, {});
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([4, call[1], 'NotSupported', 'no cache here', { why: 'none' }]));
    const res = await pending;
    expect(res.status).toBe(502);
    expect(await json(res)).toMatchObject({
      error: { code: 'CallError', ocpp: { code: 'NotSupported', description: 'no cache here', details: { why: 'none' } } },
    });
    cp.close();
  });

  it('rejects an answer that breaks the response schema with 502 InvalidResponse', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache`, {});
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Maybe' }]));
    const res = await pending;
    expect(res.status).toBe(502);
    expect(await json(res)).toMatchObject({ error: { code: 'InvalidResponse' } });
    cp.close();
  });

  it('answers 504 when the charger is silent, and 409 at once when it disconnects mid-call', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const timedOut = await api('POST', `/chargers/${cp.id}/commands/ClearCache?timeoutSeconds=0.3`, {});
    expect(timedOut.status).toBe(504);
    expect(await json(timedOut)).toMatchObject({ error: { code: 'Timeout' } });
    await cp.next(); // the unanswered call

    const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache?timeoutSeconds=60`, {});
    await cp.next();
    cp.close();
    const res = await pending;
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: { code: 'ChargerOffline' } });
  });

  it('checks the request before anything is sent', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const invalid = await api('POST', `/chargers/${cp.id}/commands/Reset`, { type: 'Bogus' });
    expect(invalid.status).toBe(400);
    expect(await json(invalid)).toMatchObject({ error: { code: 'InvalidPayload', issues: [expect.objectContaining({ path: 'type' })] } });

    const wrongDirection = await api('POST', `/chargers/${cp.id}/commands/Heartbeat`, {});
    expect(wrongDirection.status).toBe(404);
    expect(await json(wrongDirection)).toMatchObject({ error: { code: 'UnknownAction' } });

    const otherVersion = await api('POST', `/chargers/${cp.id}/commands/GetVariables`, {});
    expect(otherVersion.status).toBe(404);

    expect((await api('POST', `/chargers/${cp.id}/commands/Reset`, '{not json')).status).toBe(400);
    expect((await api('POST', `/chargers/${cp.id}/commands/Reset?timeoutSeconds=-1`, { type: 'Soft' })).status).toBe(400);
    await expect(cp.next(200)).rejects.toThrow(/no frame/);
    cp.close();
  });

  it('answers 404 for an unknown charger and 409 for a known one that is offline', async () => {
    const unknown = await api('POST', `/chargers/${uniqueChargerId()}/commands/Reset`, { type: 'Soft' });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ error: { code: 'UnknownCharger' } });

    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    cp.close();
    await cp.waitForClose().catch(() => undefined);
    // Give the object a moment to see the close.
    let res: Response | undefined;
    for (let i = 0; i < 20; i++) {
      res = await api('POST', `/chargers/${cp.id}/commands/Reset`, { type: 'Soft' });
      if (res.status === 409) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(res!.status).toBe(409);
    expect(await json(res!)).toMatchObject({ error: { code: 'ChargerOffline' } });
  });

  it('lists chargers a page at a time', async () => {
    const ids = [uniqueChargerId('PAGE'), uniqueChargerId('PAGE'), uniqueChargerId('PAGE')];
    for (const id of ids) expect((await api('PUT', `/chargers/${id}`)).status).toBe(201);
    expect((await api('PUT', `/chargers/${ids[0]}`)).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = '';
    do {
      const page: any = await json(await api('GET', `/chargers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      expect(page.chargers.length).toBeLessThanOrEqual(2);
      seen.push(...page.chargers.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await api('GET', '/chargers?limit=0')).status).toBe(400);
  });

  it('accepts a registered charger even when unknown chargers are rejected', async () => {
    const id = uniqueChargerId();
    await api('PUT', `/chargers/${id}`);
    const row = await env.DB.prepare('SELECT registered FROM chargers WHERE id = ?').bind(id).first();
    expect(row).toEqual({ registered: 1 });
  });
});

describe('a session reset while a command is pending', () => {
  it('tells the caller at once, with a clear error', async () => {
    const { runInDurableObject } = await import('cloudflare:test');
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache?timeoutSeconds=30`, {});
    await cp.next();
    // As a deploy or a crash would: the object is reset, its socket with it.
    await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => state.abort('reset for the test')).catch(() => undefined);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ error: { code: 'ChargerSessionRestarted' } });
  });
});

describe('the charger list', () => {
  it('serves pages larger than D1 allows bound parameters (100)', async () => {
    const prefix = uniqueChargerId('BIG');
    await Promise.all(Array.from({ length: 120 }, (_, i) => api('PUT', `/chargers/${prefix}-${String(i).padStart(3, '0')}`)));
    const res = await api('GET', `/chargers?limit=500&cursor=${encodeURIComponent(`${prefix}-`)}`);
    expect(res.status).toBe(200);
    const page = await json(res);
    expect(page.chargers.filter((c: { id: string }) => c.id.startsWith(prefix))).toHaveLength(120);
  }, 30_000);
});
