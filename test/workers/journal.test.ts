import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MessageJournal } from '../../src/charger/journal';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

describe('the message journal', () => {
  it('keeps the last frames in both directions, names replies after their CALL, and shows errors', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    cp.sendRaw('[2,"bad-1","StatusNotification",{"connectorId":"one","errorCode":"NoError","status":"Available"}]');
    await cp.next();
    const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache`, {});
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    await pending;

    const { messages } = await json(await api('GET', `/chargers/${cp.id}/messages?limit=6`));
    expect(messages.map((m: any) => [m.direction, m.messageType, m.action, m.errorCode])).toEqual([
      ['in', 3, 'ClearCache', null],
      ['out', 2, 'ClearCache', null],
      ['out', 4, 'StatusNotification', 'TypeConstraintViolation'],
      ['in', 2, 'StatusNotification', null],
      ['out', 3, 'BootNotification', null],
      ['in', 2, 'BootNotification', null],
    ]);
    expect(messages[3].text).toContain('"connectorId":"one"');
    cp.close();
  });

  it('keeps at most JOURNAL_SIZE frames, cutting long ones', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    for (let i = 0; i < 110; i++) await cp.call('Heartbeat', {});
    await cp.call('DataTransfer', { vendorId: 'x', data: 'y'.repeat(6000) });
    const { messages } = await json(await api('GET', `/chargers/${cp.id}/messages?limit=500`));
    expect(messages).toHaveLength(200);
    const long = messages.find((m: any) => m.direction === 'in' && m.action === 'DataTransfer');
    expect(long).toMatchObject({ truncated: true });
    expect(long.text).toHaveLength(4096);
    cp.close();
  });

  it('writes a burst of held frames in order, however many, and trims to its size', async () => {
    await runInDurableObject(env.CHARGERS.getByName(`journal-${uniqueChargerId()}`), (_instance, state) => {
      const journal = new MessageJournal(state.storage.sql, 50);
      for (let i = 0; i < 70; i++) journal.hold('in', `[2,"${i}","Heartbeat",{}]`);
      journal.record('out', '[3,"69",{}]');
      const listed = journal.list(1_000);
      expect(listed).toHaveLength(50);
      expect(listed[0]!.text).toBe('[3,"69",{}]');
      expect(listed[1]!.text).toBe('[2,"69","Heartbeat",{}]');
      expect(listed[49]!.text).toBe('[2,"21","Heartbeat",{}]');
    });
  });
});
