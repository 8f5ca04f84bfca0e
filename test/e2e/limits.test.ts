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
});
