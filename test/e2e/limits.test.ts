// Frame limits over real sockets: a frame over MAX_FRAME_BYTES closes with 1009, a flood of bad
// frames with 1008; the close code and reason reach the charger, and it can connect again.

import { describe, expect, it } from 'vitest';
import { bootedCharger, type Charger } from './helpers.ts';

const LIMIT = 65_536;

function closed(client: Charger): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', resolve));
}

describe('frame limits', () => {
  it('a frame one byte over the limit closes the connection with 1009; the charger reconnects', async () => {
    const client = await bootedCharger('ocpp1.6');
    const close = closed(client);
    const frame = (data: string) => JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'acme', data }]);
    // Two-byte characters: fewer characters than the limit, one byte more than it.
    const room = LIMIT + 1 - Buffer.byteLength(frame(''));
    const text = frame('é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2));
    expect([text.length < LIMIT, Buffer.byteLength(text)]).toEqual([true, LIMIT + 1]);
    client.sendRaw(text);
    expect(await close).toEqual({ code: 1009, reason: `Frame of ${LIMIT + 1} bytes is over the ${LIMIT}-byte limit` });
    await bootedCharger('ocpp1.6', client.identity);
  });

  it('a flood of bad frames closes the connection with 1008; the charger reconnects', async () => {
    const client = await bootedCharger('ocpp2.0.1');
    const close = closed(client);
    for (let i = 0; i < 60; i++) client.sendRaw(`not json ${i}`);
    expect(await close).toEqual({ code: 1008, reason: 'More than 50 bad frames a minute' });
    await bootedCharger('ocpp2.0.1', client.identity);
  });

  it('a charger past its write budget gets CALLERROR GenericError for valid MeterValues and stays connected', async () => {
    const client = await bootedCharger('ocpp1.6');
    // 4,000 sampled values a frame (about 56 KB): the 10,000-row budget takes two, then refuses.
    const meterValue = [{ timestamp: new Date().toISOString(), sampledValue: Array.from({ length: 4_000 }, () => ({ value: '1' })) }];
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        await client.call('MeterValues', { connectorId: 1, meterValue });
        outcomes.push('result');
      } catch (error) {
        const { rpcErrorCode, message, details } = error as { rpcErrorCode: string; message: string; details: Record<string, unknown> };
        expect(message).toMatch(/^Write budget spent/);
        expect(details).toMatchObject({ limit: 'rows', perMinute: 10_000 });
        outcomes.push(rpcErrorCode);
      }
    }
    expect(outcomes).toEqual(['result', 'result', 'GenericError', 'GenericError']);
    // A refusal is not a bad frame: the connection stays open.
    expect(client.state).toBe(1);
    await client.close();
  });
});
