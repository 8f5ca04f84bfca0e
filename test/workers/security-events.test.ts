// Security events acted upon (A04): the fleet's view of SecurityEventNotifications, critical ones marked and filterable.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

/** How long from now until the charger object's alarm, in ms (null: none set). */
async function alarmIn(id: string): Promise<number | null> {
  const at = await runInDurableObject(env.CHARGERS.getByName(id), (_instance, state) => state.storage.getAlarm());
  return at === null ? null : at - Date.now();
}

async function report(cp: RawCharger, type: string, techInfo?: string): Promise<void> {
  const payload = { type, timestamp: new Date().toISOString(), ...(techInfo ? { techInfo } : {}) };
  expect(await cp.call('SecurityEventNotification', payload)).toEqual([3, expect.any(String), {}]);
}

describe('GET /api/v1/security-events (A04)', () => {
  it('A04.FR.01 / A04.FR.03: events of both versions are answered and listed, newest first, critical ones marked; critical=true lists only those', async () => {
    const id201 = uniqueChargerId('SEC');
    const id16 = uniqueChargerId('SEC16');
    const cp = await RawCharger.connect(id201, 'ocpp2.0.1');
    await cp.boot();
    const cp16 = await RawCharger.connect(id16, 'ocpp1.6');
    await cp16.boot();
    await report(cp, 'FailedToAuthenticateAtCsms');
    await report(cp, 'TamperDetectionActivated', 'lid opened');
    await report(cp16, 'SecurityLogWasCleared');
    await report(cp16, 'InvalidMessages');

    const all = await api('GET', `/security-events?chargerId=${encodeURIComponent(id201)}`);
    expect(all.status).toBe(200);
    const body = (await all.json()) as any;
    expect(body.securityEvents.map((e: any) => [e.type, e.critical])).toEqual([
      ['TamperDetectionActivated', true],
      ['FailedToAuthenticateAtCsms', false],
    ]);
    expect(body.securityEvents[0]).toMatchObject({ chargerId: id201, techInfo: 'lid opened', timestamp: expect.any(String), receivedAt: expect.any(String) });

    const critical16 = (await (await api('GET', `/security-events?chargerId=${encodeURIComponent(id16)}&critical=true`)).json()) as any;
    expect(critical16.securityEvents.map((e: any) => e.type)).toEqual(['SecurityLogWasCleared']);

    // Fleet-wide (D1 as it is: both chargers' facts were copied by the reads above), critical only, paged.
    const fleet = (await (await api('GET', '/security-events?critical=true&limit=500')).json()) as any;
    const mine = fleet.securityEvents.filter((e: any) => e.chargerId === id201 || e.chargerId === id16);
    expect(mine.map((e: any) => e.type)).toEqual(['SecurityLogWasCleared', 'TamperDetectionActivated']);
    expect(fleet.securityEvents.every((e: any) => e.critical)).toBe(true);

    const first = (await (await api('GET', `/security-events?chargerId=${encodeURIComponent(id201)}&limit=1`)).json()) as any;
    expect(first.securityEvents).toHaveLength(1);
    const second = (await (await api('GET', `/security-events?chargerId=${encodeURIComponent(id201)}&limit=1&cursor=${first.nextCursor}`)).json()) as any;
    expect(second.securityEvents.map((e: any) => e.type)).toEqual(['FailedToAuthenticateAtCsms']);
    expect(second.nextCursor).toBeNull();
    cp.close();
    cp16.close();
  });

  it('A04.FR.01: a critical event reaches the fleet list (the dashboard alerts) within about a second, not after FLUSH_DELAY_SECONDS', async () => {
    const id = uniqueChargerId('SECSOON');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const stub = env.CHARGERS.getByName(id);
    // Hand over what the boot left, so the alarm is back at the liveness check.
    while ((await alarmIn(id))! < 60_000) await runDurableObjectAlarm(stub);
    await report(cp, 'FailedToAuthenticateAtCsms'); // not critical: it waits for its batch
    expect(await alarmIn(id)).toBeGreaterThan(60_000);
    await report(cp, 'TamperDetectionActivated', 'lid opened');
    expect(await alarmIn(id)).toBeLessThanOrEqual(1_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Fleet-wide, with no chargerId: D1 as it is, nothing copied for this read.
    const fleet = (await (await api('GET', '/security-events?critical=true&limit=500')).json()) as any;
    expect(fleet.securityEvents.filter((e: any) => e.chargerId === id).map((e: any) => e.type)).toEqual(['TamperDetectionActivated']);
    cp.close();
  });

  it('A04: bad parameters get 400 and the API error shape', async () => {
    for (const query of ['critical=yes', 'cursor=abc', 'limit=0', 'chargerId=a%20b']) {
      const res = await api('GET', `/security-events?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as any).error.code).toMatch(/InvalidParameter|InvalidChargerId/);
    }
  });
});
