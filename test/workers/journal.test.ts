import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MessageJournal } from '../../src/charger/journal';
import { api, RawCharger, uniqueChargerId } from './helpers';
import { billedRows, meterObject } from './object-meter';

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

  it('keeps ordinary frames in memory only (an eviction loses them), and CALLERRORs and refused frames in storage too', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await cp.call('Heartbeat', {});
    cp.sendRaw('[2,"bad-1","StatusNotification",{"connectorId":"one","errorCode":"NoError","status":"Available"}]');
    await cp.next();
    // A reply to no call: refused, and not answered.
    cp.sendRaw('[3,"no-such-call",{}]');
    await cp.call('Heartbeat', {});
    const stub = env.CHARGERS.getByName(cp.id);
    const page = async () => ((await json(await api('GET', `/chargers/${cp.id}/messages?limit=50`))).messages as any[]).map((m) => [m.direction, m.messageType, m.messageId]);
    expect(await page()).toEqual([
      ['out', 3, 'c3'],
      ['in', 2, 'c3'],
      ['in', 3, 'no-such-call'],
      ['out', 4, 'bad-1'],
      ['in', 2, 'bad-1'],
      ['out', 3, 'c2'],
      ['in', 2, 'c2'],
      ['out', 3, 'c1'],
      ['in', 2, 'c1'],
    ]);
    const stored = () =>
      runInDurableObject(stub, (_instance, state) => state.storage.sql.exec<{ text: string }>('SELECT text FROM journal ORDER BY seq').toArray().map((r) => r.text));
    expect(await stored()).toEqual([
      '[2,"bad-1","StatusNotification",{"connectorId":"one","errorCode":"NoError","status":"Available"}]',
      expect.stringMatching(/^\[4,"bad-1","TypeConstraintViolation"/),
      '[3,"no-such-call",{}]',
    ]);
    // Hibernation or eviction: what was only in memory is gone; what an operator must not lose is not.
    await evictDurableObject(stub);
    expect(await page()).toEqual([
      ['in', 3, 'no-such-call'],
      ['out', 4, 'bad-1'],
      ['in', 2, 'bad-1'],
    ]);
    // New frames come first, the stored ones after them, each once.
    await cp.call('Heartbeat', {});
    expect(await page()).toEqual([
      ['out', 3, 'c4'],
      ['in', 2, 'c4'],
      ['in', 3, 'no-such-call'],
      ['out', 4, 'bad-1'],
      ['in', 2, 'bad-1'],
    ]);
    cp.close();
  });

  it('costs no storage rows per ordinary frame in memory mode, and about 2 in durable mode (JOURNAL_MODE=durable), which outlives the instance', async () => {
    const stub = env.CHARGERS.getByName(`journal-${uniqueChargerId()}`);
    const rowsFor = async (mode: 'memory' | 'durable') => {
      const read = await meterObject(stub);
      await runInDurableObject(stub, (_instance, state) => {
        const journal = new MessageJournal(state.storage.sql, 50, mode);
        for (let i = 0; i < 128; i++) {
          journal.hold('in', `[2,"${mode}-${i}","Heartbeat",{}]`);
          journal.record('out', `[3,"${mode}-${i}",{"currentTime":"2026-01-01T00:00:00Z"}]`);
        }
      });
      return billedRows(await read()) / 256;
    };
    const memory = await rowsFor('memory');
    const durable = await rowsFor('durable');
    console.log(`journal rows written per frame: memory ${memory}, durable ${durable}`);
    expect(memory).toBe(0);
    expect(durable).toBeGreaterThan(1);
    expect(durable).toBeLessThanOrEqual(2.1);
    // Another instance (as after hibernation) reads the durable frames, newest first.
    await runInDurableObject(stub, (_instance, state) => {
      const listed = new MessageJournal(state.storage.sql, 50, 'durable').list(3);
      expect(listed.map((e) => [e.messageId, e.action])).toEqual([
        ['durable-127', 'Heartbeat'],
        ['durable-127', 'Heartbeat'],
        ['durable-126', 'Heartbeat'],
      ]);
      expect(new MessageJournal(state.storage.sql, 50, 'memory').list(500)).toHaveLength(50);
    });
  });
});
