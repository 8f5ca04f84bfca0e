// OCPP-J 2.1's two new message types over a raw socket: SEND (6) is never answered, a CALL of a
// SEND-only action is refused, an invalid CALLRESULT to a CSMS command gets a CALLRESULTERROR (5),
// and a CALLRESULTERROR from the charger is kept, never answered. On 2.0.1 types 5 and 6 stay unknown.

import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MessageJournal } from '../../src/charger/journal';
import { api, RawCharger, uniqueChargerId } from './helpers';

const BOOT_2X = { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt' } };
const STREAM = { id: 1, pending: 0, basetime: '2026-01-02T03:04:00Z', data: [{ t: 0.5, v: '230.1' }] };

async function booted(protocol: 'ocpp2.1' | 'ocpp2.0.1'): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId(), protocol);
  expect(cp.protocol).toBe(protocol);
  expect((await cp.call('BootNotification', BOOT_2X))[2]).toMatchObject({ status: 'Accepted' });
  return cp;
}

async function journal(chargerId: string, limit: number): Promise<Array<Record<string, unknown>>> {
  const res = await api('GET', `/chargers/${chargerId}/messages?limit=${limit}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Array<Record<string, unknown>> }).messages;
}

/** Sends ClearCache through the API, answers it with `answer`; returns the call's id and the API's response. */
async function clearCacheAnswered(cp: RawCharger, answer: unknown): Promise<{ id: string; res: Response }> {
  const pending = api('POST', `/chargers/${cp.id}/commands/ClearCache`, {});
  const call = await cp.next();
  expect(call.slice(0, 3)).toEqual([2, expect.any(String), 'ClearCache']);
  cp.sendRaw(JSON.stringify([3, call[1], answer]));
  return { id: call[1] as string, res: await pending };
}

describe('OCPP 2.1: SEND', () => {
  it('gets no answer, valid or not, while the next CALL is answered normally', async () => {
    const cp = await booted('ocpp2.1');
    cp.sendRaw(JSON.stringify([6, 's1', 'NotifyPeriodicEventStream', STREAM]));
    // Calls are answered in order: had the SEND been answered, that answer would come first.
    expect(await cp.call('Heartbeat', {})).toEqual([3, 'c2', { currentTime: expect.any(String) }]);
    const refused = [
      [6, 's2', 'NotifyPeriodicEventStream', { id: 1 }], // fails its schema
      [6, 's3', 'Heartbeat', {}], // an action that is answered: sent with CALL
      [6, 's4', 'NoSuchAction', {}],
      [6, 's5', 'NotifyPeriodicEventStream', []], // broken frame
      [6, 's6', 'NotifyPeriodicEventStream'],
    ];
    for (const frame of refused) cp.sendRaw(JSON.stringify(frame));
    expect((await cp.call('Heartbeat', {}))[1]).toBe('c3');
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    expect(cp.closed).toBeUndefined();
    // Kept in the journal as sent, each under its own action.
    const kept = (await journal(cp.id, 20)).filter((m) => m.messageType === 6);
    expect(kept.map((m) => m.messageId)).toEqual(['s6', 's5', 's4', 's3', 's2', 's1']);
    expect(kept.find((m) => m.messageId === 's1')).toMatchObject({ direction: 'in', action: 'NotifyPeriodicEventStream' });
    cp.close();
  });

  it('a CALL of NotifyPeriodicEventStream, a SEND-only action, is answered RpcFrameworkError', async () => {
    const cp = await booted('ocpp2.1');
    const answer = await cp.call('NotifyPeriodicEventStream', STREAM);
    expect(answer.slice(0, 3)).toEqual([4, 'c2', 'RpcFrameworkError']);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });
});

describe('OCPP 2.1: CALLRESULTERROR', () => {
  it('is sent about a CALLRESULT that fails its schema, under its id; the command still fails 502 InvalidResponse', async () => {
    const cp = await booted('ocpp2.1');
    const { id, res } = await clearCacheAnswered(cp, { status: 'Maybe' });
    const error = await cp.next();
    expect(error.slice(0, 3)).toEqual([5, id, 'PropertyConstraintViolation']);
    expect(JSON.stringify(error[4])).toContain('status');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'InvalidResponse' } });

    const missing = await clearCacheAnswered(cp, {});
    expect((await cp.next()).slice(0, 3)).toEqual([5, missing.id, 'OccurrenceConstraintViolation']);
    expect(missing.res.status).toBe(502);
    await missing.res.body?.cancel();

    // A valid answer gets nothing.
    const good = await clearCacheAnswered(cp, { status: 'Accepted' });
    expect(await good.res.json()).toEqual({ result: { status: 'Accepted' } });
    await expect(cp.next(300)).rejects.toThrow(/no frame/);

    const [sent] = (await journal(cp.id, 10)).filter((m) => m.messageType === 5);
    expect(sent).toMatchObject({ direction: 'out', messageId: missing.id, action: 'ClearCache', errorCode: 'OccurrenceConstraintViolation' });
    cp.close();
  });

  it('received from the charger about one of our answers, is kept in the journal and never answered', async () => {
    const cp = await booted('ocpp2.1');
    const heartbeat = await cp.call('Heartbeat', {});
    cp.sendRaw(JSON.stringify([5, heartbeat[1], 'TypeConstraintViolation', 'currentTime unreadable', { path: 'currentTime' }]));
    cp.sendRaw(JSON.stringify([5, 'broken'])); // broken: never answered either
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    const received = (await journal(cp.id, 10)).find((m) => m.messageType === 5 && m.messageId === heartbeat[1]);
    expect(received).toMatchObject({ direction: 'in', action: 'Heartbeat', errorCode: 'TypeConstraintViolation' });
    cp.close();
  });
});

describe('OCPP 2.0.1: types 5 and 6 are not its own', () => {
  it('answers both MessageTypeNotSupported under their id', async () => {
    const cp = await booted('ocpp2.0.1');
    cp.sendRaw(JSON.stringify([6, 's1', 'NotifyPeriodicEventStream', STREAM]));
    expect((await cp.next()).slice(0, 3)).toEqual([4, 's1', 'MessageTypeNotSupported']);
    cp.sendRaw(JSON.stringify([5, 'r1', 'GenericError', 'x', {}]));
    expect((await cp.next()).slice(0, 3)).toEqual([4, 'r1', 'MessageTypeNotSupported']);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });

  it('sends nothing about a CALLRESULT that fails its schema: the command fails 502 InvalidResponse as before', async () => {
    const cp = await booted('ocpp2.0.1');
    const { res } = await clearCacheAnswered(cp, { status: 'Maybe' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'InvalidResponse' } });
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    cp.close();
  });
});

describe('the journal and CALLRESULTERROR', () => {
  it('scrubs from a CALLRESULTERROR the secrets of our call under the same id, as from a CALLERROR', async () => {
    const id = uniqueChargerId('RE');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    cp.close();
    const secret = 'call-result-error-echo-1';
    await runInDurableObject(env.CHARGERS.getByName(id), async (_instance, state) => {
      const journal = new MessageJournal(state.storage.sql, 50);
      const setVariables = { setVariableData: [{ attributeValue: secret, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
      journal.record('out', JSON.stringify([2, 'sv-1', 'SetVariables', setVariables]));
      journal.record('in', JSON.stringify([5, 'sv-1', 'PropertyConstraintViolation', `echo ${secret}`, { value: secret }]));
      const [kept] = journal.list(1);
      expect(kept).toMatchObject({ messageType: 5, messageId: 'sv-1', errorCode: 'PropertyConstraintViolation' });
      expect(kept!.text).not.toContain(secret);
      expect(kept!.text).toContain('<redacted>');
    });
  });
});
