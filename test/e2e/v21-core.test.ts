// OCPP 2.1 core flow against the real Worker, checked by a strict client whose validator is built
// from typed-ocpp's 2.1 schemas: boot, heartbeat, status, a whole session with meter values, and the
// API's view of the charger and its transaction, as v201-core and sessions check them for 2.0.1.

import { randomUUID } from 'node:crypto';
import { OCPP21 } from 'typed-ocpp';
import { describe, expect, it } from 'vitest';
import { bootBeatAndReport, expectChargerShown } from './core-flow.ts';
import { BOOT, openRawSocket, uniqueChargerId } from './helpers.ts';
import { runSession201 } from './session-helpers.ts';

describe('OCPP 2.1 charging station, strict client (typed-ocpp schemas)', () => {
  it('boots, heartbeats and reports a connector; the API shows it as 2.1', async () => {
    const id = uniqueChargerId('V21');
    await bootBeatAndReport('ocpp2.1', id);
    await expectChargerShown('ocpp2.1', id);
  });

  it('runs a session, TransactionEvent Started / Updated / Ended with meter values: the API shows it completed with its energy', async () => {
    const id = uniqueChargerId('V21S');
    const client = await bootBeatAndReport('ocpp2.1', id);
    await runSession201(client, id, 'ocpp2.1');
  });

  it('over a plain socket: ocpp2.1 is echoed and the answers are CALLRESULTs typed-ocpp accepts for their calls', async () => {
    const socket = await openRawSocket('ocpp2.1', uniqueChargerId('V21R'));
    expect(socket.protocol).toBe('ocpp2.1');
    const calls = [
      [2, randomUUID(), 'BootNotification', BOOT['ocpp2.1'].params],
      [2, randomUUID(), 'Heartbeat', {}],
    ] as const;
    for (const call of calls) {
      expect(OCPP21.validate(call), JSON.stringify(OCPP21.validate.errors)).toBe(true);
      socket.send(call);
      const answer = await socket.next((frame) => frame[1] === call[1]);
      expect(answer[0], JSON.stringify(answer)).toBe(3);
      expect(OCPP21.validate(answer), JSON.stringify(OCPP21.validate.errors)).toBe(true);
      expect(OCPP21.checkCallResult(answer as never, call as never), JSON.stringify(answer)).toBe(true);
    }
    expect(socket.messages).toHaveLength(2);
  });
});
