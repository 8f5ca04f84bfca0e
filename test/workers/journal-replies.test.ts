// The journal names a reply after the CALL it answers, whatever page the CALL falls on.
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function messages(chargerId: string, limit: number): Promise<Array<Record<string, unknown>>> {
  const res = await api('GET', `/chargers/${chargerId}/messages?limit=${limit}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Array<Record<string, unknown>> }).messages;
}

describe('journal replies on a page without their CALL', () => {
  it("names the charger's answer to a command with limit=1", async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache`, {});
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await pending).status).toBe(200);
    const [reply] = await messages(cp.id, 1);
    expect(reply).toMatchObject({ direction: 'in', messageType: 3, messageId: call[1], action: 'ClearCache' });
    cp.close();
  });

  it("names the CSMS's answers and errors with limit=1, after the latest CALL with that id", async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await cp.call('Heartbeat', {});
    expect((await messages(cp.id, 1))[0]).toMatchObject({ direction: 'out', messageType: 3, action: 'Heartbeat' });

    // The same id again, for another action: the reply answers the latest CALL with it.
    cp.sendRaw('[2,"same","Heartbeat",{}]');
    await cp.next();
    cp.sendRaw('[2,"same","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z"}]');
    expect((await cp.next())[0]).toBe(4);
    expect((await messages(cp.id, 1))[0]).toMatchObject({ direction: 'out', messageType: 4, action: 'StatusNotification' });
    const page = await messages(cp.id, 4);
    expect(page.map((m) => [m.direction, m.messageType, m.action])).toEqual([
      ['out', 4, 'StatusNotification'],
      ['in', 2, 'StatusNotification'],
      ['out', 3, 'Heartbeat'],
      ['in', 2, 'Heartbeat'],
    ]);
    cp.close();
  });
});
