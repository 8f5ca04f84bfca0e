// The optional outputs (Analytics Engine metrics, Queue events) with their bindings present:
// miniflare binds them here as a deployment would. What they receive cannot be read back from
// inside the runtime, so this shows that sessions run unchanged with them; the events themselves
// are checked in src/charger/events.test.ts. Every other test file runs with them bound too.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { RawCharger, uniqueChargerId } from './helpers';

describe('with METRICS and EVENTS bound', () => {
  it('answers a full session as before', async () => {
    expect(env.METRICS).toBeDefined();
    expect(env.EVENTS).toBeDefined();
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'OUT', meterStart: 0, timestamp: new Date().toISOString() });
    expect(start[0]).toBe(3);
    const { transactionId } = start[2] as { transactionId: number };
    expect(await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' })).toEqual([3, expect.any(String), {}]);
    expect((await cp.call('StopTransaction', { transactionId, meterStop: 10, timestamp: new Date().toISOString() }))[0]).toBe(3);
    cp.close();
  });
});
