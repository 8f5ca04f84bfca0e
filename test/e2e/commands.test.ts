// Operator commands through the HTTP API, answered by a real strict-mode charger over its WebSocket.

import { createRPCError, NOREPLY } from 'ocpp-rpc';
import { describe, expect, it } from 'vitest';
import {
  api,
  bootedCharger,
  command,
  recordInbound,
  sleep,
  uniqueChargerId,
  waitFor,
  type Charger,
} from './helpers.ts';

/** Registers a handler that records what arrived and answers `answer`. */
function answer(client: Charger, action: string, result: Record<string, unknown>): Array<Record<string, unknown>> {
  const received: Array<Record<string, unknown>> = [];
  client.handle(action, async ({ params }) => {
    received.push(params as Record<string, unknown>);
    return result;
  });
  return received;
}

/**
 * The charger never answers `action`. `arrived` resolves when the call reaches it; `giveUp`
 * settles the handler without a reply, so the client can then close its WebSocket gracefully
 * (ocpp-rpc's close() waits for pending handlers).
 */
function neverAnswer(client: Charger, action: string): { arrived: Promise<void>; giveUp: () => void } {
  let giveUp = (): void => undefined;
  const arrived = new Promise<void>((resolve) => {
    client.handle(action, () => {
      resolve();
      return new Promise<Record<string, unknown>>((settle) => {
        giveUp = () => settle(NOREPLY as unknown as Record<string, unknown>);
      });
    });
  });
  return { arrived, giveUp: () => giveUp() };
}

describe('OCPP 1.6 commands', () => {
  it('Reset, GetConfiguration and TriggerMessage carry the charger\'s answer back', async () => {
    const id = uniqueChargerId('CMD16');
    const client = await bootedCharger('ocpp1.6', id);

    const resets = answer(client, 'Reset', { status: 'Accepted' });
    const reset = await command(id, 'Reset', { type: 'Soft' });
    expect(reset).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(resets).toEqual([{ type: 'Soft' }]);

    const configuration = {
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
      unknownKey: ['NoSuchKey'],
    };
    const gets = answer(client, 'GetConfiguration', configuration);
    const all = await command(id, 'GetConfiguration', {});
    expect(all).toEqual({ status: 200, body: { result: configuration } });
    const some = await command(id, 'GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] });
    expect(some).toEqual({ status: 200, body: { result: configuration } });
    expect(gets).toEqual([{}, { key: ['HeartbeatInterval', 'NoSuchKey'] }]);

    const triggers = answer(client, 'TriggerMessage', { status: 'Accepted' });
    const trigger = await command(id, 'TriggerMessage', { requestedMessage: 'Heartbeat' });
    expect(trigger).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(triggers).toEqual([{ requestedMessage: 'Heartbeat' }]);
  });
});

describe('OCPP 2.0.1 commands', () => {
  it('Reset, GetVariables and TriggerMessage carry the station\'s answer back', async () => {
    const id = uniqueChargerId('CMD201');
    const client = await bootedCharger('ocpp2.0.1', id);

    const resets = answer(client, 'Reset', { status: 'Accepted' });
    const reset = await command(id, 'Reset', { type: 'Immediate' });
    expect(reset).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(resets).toEqual([{ type: 'Immediate' }]);

    const request = {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    };
    const variables = {
      getVariableResult: [
        {
          attributeStatus: 'Accepted',
          attributeValue: '300',
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
        },
      ],
    };
    const gets = answer(client, 'GetVariables', variables);
    const got = await command(id, 'GetVariables', request);
    expect(got).toEqual({ status: 200, body: { result: variables } });
    expect(gets).toEqual([request]);

    const triggers = answer(client, 'TriggerMessage', { status: 'Accepted' });
    const trigger = await command(id, 'TriggerMessage', { requestedMessage: 'Heartbeat' });
    expect(trigger).toEqual({ status: 200, body: { result: { status: 'Accepted' } } });
    expect(triggers).toEqual([{ requestedMessage: 'Heartbeat' }]);
  });
});

describe('command failures', () => {
  it('a charger that never answers gives 504 Timeout after ?timeoutSeconds', async () => {
    const id = uniqueChargerId('TIMEOUT');
    const client = await bootedCharger('ocpp1.6', id);
    const { arrived } = neverAnswer(client, 'Reset');

    const res = await command(id, 'Reset', { type: 'Soft' }, 1);
    await arrived;
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('Timeout');
    expect(typeof res.body.error.message).toBe('string');
  });

  it('a registered charger that never connected gives 409 ChargerOffline', async () => {
    const id = uniqueChargerId('NEVER');
    const put = await api('PUT', `/chargers/${id}`);
    expect(put.status).toBe(201);

    const res = await command(id, 'Reset', { type: 'Soft' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ChargerOffline');

    // With no version negotiated yet, an action no version lets the CSMS send is still refused.
    const wrong = await command(id, 'Heartbeat', {});
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe('UnknownAction');
  });

  it('a charger that disconnected gives 409 ChargerOffline', async () => {
    const id = uniqueChargerId('GONE');
    const client = await bootedCharger('ocpp2.0.1', id);
    await client.close({ code: 1000, reason: 'bye' });
    await waitFor('the API to see the charger disconnected', async () => {
      const res = await api('GET', `/chargers/${id}`);
      return res.body.charger.connected === false ? true : undefined;
    });

    const res = await command(id, 'Reset', { type: 'Immediate' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ChargerOffline');
  });

  for (const how of ['closes the WebSocket', 'drops the TCP connection'] as const) {
    it(`a charger that ${how} while a command is pending gives 409 ChargerOffline, before the timeout`, async () => {
      const id = uniqueChargerId('DROP');
      const client = await bootedCharger('ocpp1.6', id);
      const { arrived, giveUp } = neverAnswer(client, 'Reset');

      const timeoutSeconds = 20;
      const started = Date.now();
      const pending = command(id, 'Reset', { type: 'Hard' }, timeoutSeconds);
      await arrived;
      if (how === 'closes the WebSocket') {
        giveUp();
        await client.close({ code: 1001, reason: 'going away' });
      } else {
        await client.close({ force: true });
      }

      const res = await pending;
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ChargerOffline');
      expect(Date.now() - started).toBeLessThan(timeoutSeconds * 1000);
    });
  }

  it('a charger that answers with a CALLERROR gives 502 CallError with the OCPP error', async () => {
    const id = uniqueChargerId('CALLERR');
    const client = await bootedCharger('ocpp2.0.1', id);
    client.handle('Reset', () => {
      throw createRPCError('NotSupported', 'Resets are not supported here', { hint: 'e2e' });
    });

    const res = await command(id, 'Reset', { type: 'Immediate' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({
      code: 'CallError',
      ocpp: { code: 'NotSupported', description: 'Resets are not supported here', details: { hint: 'e2e' } },
    });
  });

  it('a charger-initiated action gives 404 UnknownAction, and nothing is sent', async () => {
    const id = uniqueChargerId('UNKACT');
    const client = await bootedCharger('ocpp1.6', id);
    const inbound = recordInbound(client);

    const res = await command(id, 'Heartbeat', {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UnknownAction');
    await sleep(200);
    expect(inbound).toEqual([]);
  });

  it('a payload that breaks the request schema gives 400 InvalidPayload with issues, and nothing is sent', async () => {
    const id = uniqueChargerId('BADPAY');
    const client = await bootedCharger('ocpp1.6', id);
    const inbound = recordInbound(client);

    const res = await command(id, 'Reset', { type: 'Bogus' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidPayload');
    expect(res.body.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'type' })]));
    await sleep(200);
    expect(inbound).toEqual([]);
  });

  it('an unknown charger gives 404 UnknownCharger', async () => {
    const res = await command(uniqueChargerId('NOBODY'), 'Reset', { type: 'Soft' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UnknownCharger');
  });

  it('a request without the token, or with a wrong one, gives 401', async () => {
    const id = uniqueChargerId('AUTH');
    for (const token of [null, 'wrong-token']) {
      const res = await api('POST', `/chargers/${id}/commands/Reset`, { type: 'Soft' }, token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('Unauthorized');
    }
    const list = await api('GET', '/chargers', undefined, null);
    expect(list.status).toBe(401);
    const health = await api('GET', '/health', undefined, null);
    expect(health.status).toBe(200);
  });
});
