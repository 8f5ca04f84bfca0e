import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RawCharger, uniqueChargerId } from './helpers';

describe('the alarm', () => {
  it('does no harm when it runs twice: facts are handed over once, the offline event is kept once', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const stub = env.CHARGERS.getByName(cp.id);
    const makeDue = () =>
      runInDurableObject(stub, (_instance, state) => {
        for (const ws of state.getWebSockets()) {
          const attachment = ws.deserializeAttachment() as { ocpp: { lastSeen: number } };
          attachment.ocpp.lastSeen = Date.now() - 10 * 3600_000;
          ws.serializeAttachment(attachment);
        }
        state.storage.sql.exec('UPDATE due_work SET due_at = 0');
        return state.storage.setAlarm(Date.now());
      });

    await makeDue();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // As if the runtime delivered the same alarm again.
    await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(stub);
    await cp.waitForClose();

    expect(await stub.flushNow()).toMatchObject({ outboxEntries: 0 });
    const statuses = await env.DB.prepare('SELECT COUNT(*) AS n FROM connector_status_history WHERE charger_id = ?').bind(cp.id).first();
    expect(statuses).toEqual({ n: 1 });
    const connections = await env.DB.prepare('SELECT event FROM connection_history WHERE charger_id = ? ORDER BY at').bind(cp.id).all();
    expect(connections.results).toEqual([{ event: 'online' }, { event: 'offline' }]);
  });
});
