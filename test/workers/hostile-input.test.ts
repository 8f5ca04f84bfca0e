// Hostile input from a charger: frames too big, binary, nested too deep, huge arrays, control
// characters and long unicode, and a flood of bad frames. Nothing crashes the charger's object,
// nothing is half-processed, and a new connection works afterwards.

import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config';
import { MAX_JSON_DEPTH } from '../../src/ocpp/frames';
import { api, RawCharger, uniqueChargerId } from './helpers';

const LIMIT = DEFAULTS.maxFrameBytes;
const BUDGET = DEFAULTS.badFrameBudget;

async function json(res: Response): Promise<any> {
  return res.json();
}

/** A 1.6 DataTransfer CALL of exactly `bytes` UTF-8 bytes, padded with `pad` (1 or 2 bytes each). */
function dataTransferOf(bytes: number, pad = 'x'): string {
  const frame = (data: string) => JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'acme', data }]);
  const padBytes = new TextEncoder().encode(pad).byteLength;
  const room = bytes - new TextEncoder().encode(frame('')).byteLength;
  const text = frame(pad.repeat(Math.floor(room / padBytes)) + 'x'.repeat(room % padBytes));
  expect(new TextEncoder().encode(text).byteLength).toBe(bytes);
  return text;
}

async function storedReports(chargerId: string): Promise<number> {
  await env.CHARGERS.getByName(chargerId).flushNow();
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM charger_reports WHERE charger_id = ?').bind(chargerId).first<{ n: number }>();
  return row!.n;
}

/** The connection works: a new one boots and heartbeats. */
async function expectFreshConnectionWorks(chargerId: string, version: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6') {
  const again = await RawCharger.connect(chargerId, version);
  expect((await again.boot())[0]).toBe(3);
  expect((await again.call('Heartbeat', {}))[0]).toBe(3);
  again.close();
}

describe('the frame size limit', () => {
  it(`answers a frame of exactly ${LIMIT} bytes`, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    cp.sendRaw(dataTransferOf(LIMIT));
    expect((await cp.next()).slice(0, 2)).toEqual([3, 'big']);
    expect(await storedReports(cp.id)).toBe(1);
    cp.close();
  });

  it('closes with 1009 on one byte more, processing nothing', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    cp.sendRaw(dataTransferOf(LIMIT + 1));
    expect(await cp.waitForClose()).toEqual({ code: 1009, reason: `Frame of ${LIMIT + 1} bytes is over the ${LIMIT}-byte limit` });
    await expect(cp.next(200)).rejects.toThrow();
    expect(await storedReports(cp.id)).toBe(0);
    expect(await json(await api('GET', `/chargers/${cp.id}/connections`))).toMatchObject({
      connections: expect.arrayContaining([expect.objectContaining({ event: 'offline' })]),
    });
    await expectFreshConnectionWorks(cp.id);
  });

  it('counts bytes, not characters', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const text = dataTransferOf(LIMIT + 2, 'é');
    expect(text.length).toBeLessThan(LIMIT);
    cp.sendRaw(text);
    expect((await cp.waitForClose()).code).toBe(1009);
    expect(await storedReports(cp.id)).toBe(0);
  });

  it('applies to binary frames too', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    cp.ws.send(new Uint8Array(LIMIT + 1));
    expect((await cp.waitForClose()).code).toBe(1009);
    await expectFreshConnectionWorks(cp.id, 'ocpp2.0.1');
  });
});

describe('binary frames', () => {
  it('are answered FormationViolation over 1.6 under id -1, and the connection stays usable', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    cp.ws.send(new TextEncoder().encode('[2,"b1","Heartbeat",{}]'));
    expect((await cp.next()).slice(0, 3)).toEqual([4, '-1', 'FormationViolation']);
    cp.ws.send(new Uint8Array(0));
    expect((await cp.next()).slice(0, 3)).toEqual([4, '-1', 'FormationViolation']);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });
});

describe('deeply nested JSON', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('is refused with FormatViolation under the CALL id when it fits the size limit (10,000 levels)', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const frame = `[2,"deep","DataTransfer",{"vendorId":"acme","data":${nested(10_000)}}]`;
    expect(frame.length).toBeLessThan(LIMIT);
    cp.sendRaw(frame);
    const answer = await cp.next();
    expect(answer.slice(0, 3)).toEqual([4, 'deep', 'FormatViolation']);
    expect(answer[3]).toContain(`${MAX_JSON_DEPTH} levels`);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    // Nothing was kept, so nothing can poison the copy to D1 (it recursed and overflowed before).
    expect(await storedReports(cp.id)).toBe(0);
    cp.close();
  });

  it(`is kept up to ${MAX_JSON_DEPTH} levels, and copied to D1`, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    // The frame's array and the payload object are two of the levels.
    cp.sendRaw(`[2,"ok","DataTransfer",{"vendorId":"acme","data":${nested(MAX_JSON_DEPTH - 2)}}]`);
    expect((await cp.next()).slice(0, 2)).toEqual([3, 'ok']);
    expect(await storedReports(cp.id)).toBe(1);
    cp.close();
  });

  it('is closed by the size limit first when it is 100,000 levels deep', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    cp.sendRaw(`[2,"deeper","Heartbeat",${nested(100_000)}]`);
    expect((await cp.waitForClose()).code).toBe(1009);
    await expectFreshConnectionWorks(cp.id);
  });
});

describe('huge arrays', () => {
  it('are answered at once, with at most 10 issues', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const numbers = Array.from({ length: 30_000 }, () => 0);
    const frame = JSON.stringify([2, 'arr', 'MeterValues', { connectorId: 1, meterValue: numbers }]);
    expect(frame.length).toBeLessThan(LIMIT);
    const started = Date.now();
    cp.sendRaw(frame);
    const answer = await cp.next();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.slice(0, 3)).toEqual([4, 'arr', 'TypeConstraintViolation']);
    expect((answer[4] as { issues: unknown[] }).issues).toHaveLength(10);
    // A frame that is one huge array is not an RPC message.
    cp.sendRaw(JSON.stringify(numbers));
    expect((await cp.next()).slice(0, 3)).toEqual([4, '-1', 'FormationViolation']);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });
});

describe('strange strings and ids', () => {
  it('takes control characters as data: stored as sent, shown JSON-escaped, never breaking the copy to D1', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect((await cp.call('Authorize', { idTag: '\u0000\u001b' }))[2]).toEqual({ idTagInfo: { status: 'Invalid' } });
    const status = { connectorId: 1, errorCode: 'OtherError', status: 'Faulted', info: 'a\u0000b\u001b[31m\u2028', vendorErrorCode: '\u0007' };
    expect((await cp.call('StatusNotification', status))[0]).toBe(3);
    await env.CHARGERS.getByName(cp.id).flushNow();
    const { charger } = await json(await api('GET', `/chargers/${cp.id}`));
    expect(charger.connectors[0]).toMatchObject({ info: status.info, vendorErrorCode: '\u0007' });
    cp.close();
  });

  it('measures lengths in characters, not bytes', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const tag = 'é'.repeat(10) + '中'.repeat(10); // 20 characters, 50 bytes
    expect((await cp.call('Authorize', { idTag: tag }))[0]).toBe(3);
    const tooLong = await cp.call('Authorize', { idTag: `${tag}x` });
    expect(tooLong.slice(0, 3)).toEqual([4, tooLong[1], 'PropertyConstraintViolation']);
    // Message ids too: 36 two-byte characters are a readable id, 37 are too long.
    cp.sendRaw(JSON.stringify([2, 'é'.repeat(36), 'Heartbeat', {}]));
    expect((await cp.next()).slice(0, 2)).toEqual([3, 'é'.repeat(36)]);
    cp.sendRaw(JSON.stringify([2, 'é'.repeat(37), 'Heartbeat', {}]));
    expect((await cp.next()).slice(0, 3)).toEqual([4, 'é'.repeat(37), 'FormationViolation']);
    cp.close();
  });

  it('answers message ids that are not strings under id -1', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    for (const id of [42, null, true, {}, [], '']) {
      cp.sendRaw(JSON.stringify([2, id, 'Heartbeat', {}]));
      expect((await cp.next()).slice(0, 3), JSON.stringify(id)).toEqual([4, '-1', 'RpcFrameworkError']);
    }
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });

  it('spots wrong types and unexpected properties at every level', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const event = {
      eventType: 'Started',
      timestamp: '2026-03-02T10:00:00Z',
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-1' },
      meterValue: [{ timestamp: '2026-03-02T10:00:00Z', sampledValue: [{ value: 1 }] }],
    };
    const cases: Array<[string, unknown, string, string]> = [
      ['top level', { ...event, seqNo: '0' }, 'TypeConstraintViolation', 'seqNo'],
      ['nested object', { ...event, transactionInfo: { transactionId: 7 } }, 'TypeConstraintViolation', 'transactionInfo.transactionId'],
      ['array item', { ...event, meterValue: [{ ...event.meterValue[0], sampledValue: [{ value: '1' }] }] }, 'TypeConstraintViolation', 'meterValue[0].sampledValue[0].value'],
      ['extra property deep down', { ...event, meterValue: [{ ...event.meterValue[0], sampledValue: [{ value: 1, hack: true }] }] }, 'OccurrenceConstraintViolation', 'meterValue[0].sampledValue[0].hack'],
      ['object where an array belongs', { ...event, meterValue: { 0: event.meterValue[0] } }, 'TypeConstraintViolation', 'meterValue'],
    ];
    for (const [name, payload, code, path] of cases) {
      const answer = await cp.call('TransactionEvent', payload);
      expect(answer[2], name).toBe(code);
      expect((answer[4] as { issues: Array<{ path: string }> }).issues[0]!.path, name).toBe(path);
    }
    cp.close();
  });
});

describe('a flood of bad frames', () => {
  const BAD = ['not json', '{"an":"object"}', '[2,"x","NoSuchAction",{}]', '[2,"y","Heartbeat",{"extra":1}]', '[3,"nobody-asked",{}]'];

  it(`closes the connection with 1008 after ${BUDGET} bad frames, answering each until then`, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    for (let i = 0; i < 60; i++) cp.sendRaw(BAD[i % BAD.length]!);
    expect(await cp.waitForClose()).toEqual({ code: 1008, reason: `More than ${BUDGET} bad frames a minute` });
    // Every bad frame up to the one that spent the budget was answered (replies to nothing never are).
    const answered = [];
    for (;;) {
      const frame = await cp.next(100).catch(() => undefined);
      if (!frame) break;
      answered.push(frame);
    }
    expect(answered).toHaveLength(Math.ceil(((BUDGET + 1) * 4) / 5));
    expect(answered.every((frame) => frame[0] === 4)).toBe(true);
    await expectFreshConnectionWorks(cp.id);
  });

  it('does not count good frames, nor forget across hibernation', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    for (let i = 0; i < BUDGET - 10; i++) {
      expect((await cp.call('Heartbeat', { bad: true }))[0]).toBe(4);
      expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    }
    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    for (let i = 0; i < 10; i++) expect((await cp.call('Heartbeat', { bad: true }))[0]).toBe(4);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    expect(cp.closed).toBeUndefined();
    cp.sendRaw('not json');
    expect((await cp.next()).slice(0, 3)).toEqual([4, '-1', 'FormatViolation']);
    expect((await cp.waitForClose()).code).toBe(1008);
    await expectFreshConnectionWorks(cp.id, 'ocpp2.0.1');
  });
});
