// Malformed input from a charger: each class gets the CALLERROR its OCPP version names, and the
// connection stays usable. Frames go out raw (client.sendRaw), past the client's own strict checks.

import { describe, expect, it } from 'vitest';
import { bootedCharger, recordInbound, sleep, waitFor, type Charger, type Protocol } from './helpers.ts';

/** The versions these cases cover. 2.1 differs: types 5 and 6 are frames there (CALLRESULTERROR, SEND). */
type Tested = Exclude<Protocol, 'ocpp2.1'>;

interface Case {
  name: string;
  /** The raw text to send, using message id `id`. */
  frame: (id: string, protocol: Tested) => string;
  /** The id the CALLERROR must carry (defaults to the one sent). */
  replyId?: (id: string) => string;
  code: Record<Tested, string>;
}

const call = (id: string, action: string, payload: unknown): string => JSON.stringify([2, id, action, payload]);
const longId = (id: string): string => `${id}-`.padEnd(37, 'x');

/** A StatusNotification for either version, with `change` applied (undefined values are dropped). */
function statusNotification(protocol: Protocol, change: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> =
    protocol === 'ocpp1.6'
      ? { connectorId: 1, errorCode: 'NoError', status: 'Available' }
      : { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 };
  return JSON.parse(JSON.stringify({ ...base, ...change })) as Record<string, unknown>;
}
const statusField = (protocol: Protocol): string => (protocol === 'ocpp1.6' ? 'status' : 'connectorStatus');

const CASES: Case[] = [
  {
    name: 'unparsable JSON',
    frame: (id) => `[2,"${id}","Heartbeat",{`,
    replyId: () => '-1',
    code: { 'ocpp1.6': 'FormationViolation', 'ocpp2.0.1': 'FormatViolation' },
  },
  {
    name: 'a required field missing',
    frame: (id, p) => call(id, 'StatusNotification', statusNotification(p, { [statusField(p)]: undefined })),
    code: { 'ocpp1.6': 'OccurenceConstraintViolation', 'ocpp2.0.1': 'OccurrenceConstraintViolation' },
  },
  {
    name: 'an unexpected extra property',
    frame: (id) => call(id, 'Heartbeat', { surprise: true }),
    code: { 'ocpp1.6': 'OccurenceConstraintViolation', 'ocpp2.0.1': 'OccurrenceConstraintViolation' },
  },
  {
    name: 'a field of the wrong type',
    frame: (id, p) => call(id, 'StatusNotification', statusNotification(p, { connectorId: '1' })),
    code: { 'ocpp1.6': 'TypeConstraintViolation', 'ocpp2.0.1': 'TypeConstraintViolation' },
  },
  {
    name: 'a string that is too long',
    frame: (id) => call(id, 'DataTransfer', { vendorId: 'v'.repeat(256) }),
    code: { 'ocpp1.6': 'PropertyConstraintViolation', 'ocpp2.0.1': 'PropertyConstraintViolation' },
  },
  {
    name: 'a value outside its enumeration',
    frame: (id, p) => call(id, 'StatusNotification', statusNotification(p, { [statusField(p)]: 'Bogus' })),
    code: { 'ocpp1.6': 'PropertyConstraintViolation', 'ocpp2.0.1': 'PropertyConstraintViolation' },
  },
  {
    name: 'an unknown action',
    frame: (id) => call(id, 'FooBar', {}),
    code: { 'ocpp1.6': 'NotImplemented', 'ocpp2.0.1': 'NotImplemented' },
  },
  {
    name: 'an action only the CSMS sends',
    frame: (id, p) => call(id, 'Reset', { type: p === 'ocpp1.6' ? 'Soft' : 'Immediate' }),
    code: { 'ocpp1.6': 'NotSupported', 'ocpp2.0.1': 'NotSupported' },
  },
  {
    name: 'a message id longer than 36 characters',
    frame: (id) => call(longId(id), 'Heartbeat', {}),
    replyId: longId,
    code: { 'ocpp1.6': 'FormationViolation', 'ocpp2.0.1': 'RpcFrameworkError' },
  },
  {
    name: 'an unknown message type',
    frame: (id) => JSON.stringify([5, id, 'Heartbeat', {}]),
    code: { 'ocpp1.6': 'FormationViolation', 'ocpp2.0.1': 'MessageTypeNotSupported' },
  },
];

/** Sends a Heartbeat through the strict client: proves the connection still works. */
async function heartbeat(client: Charger): Promise<void> {
  const answer = (await client.call('Heartbeat', {})) as { currentTime: string };
  expect(Number.isNaN(Date.parse(answer.currentTime))).toBe(false);
}

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('malformed input, %s', (protocol) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s gets the right CALLERROR; the connection stays usable', async (_name, c) => {
    const client = await bootedCharger(protocol);
    const inbound = recordInbound(client);
    const id = `bad-${Math.random().toString(36).slice(2, 10)}`;
    const replyId = c.replyId?.(id) ?? id;

    client.sendRaw(c.frame(id, protocol));
    const error = await waitFor(`a CALLERROR for ${replyId}`, () =>
      inbound.find((frame) => frame[0] === 4 && frame[1] === replyId),
    );
    const [, , code, description, details] = error;
    expect(code).toBe(c.code[protocol]);
    expect(typeof description).toBe('string');
    expect(details).toBeTypeOf('object');

    await heartbeat(client);
    // Exactly one answer to the bad frame, and the Heartbeat's result: nothing else.
    expect(inbound).toHaveLength(2);
    expect(inbound[1]?.[0]).toBe(3);
  });

  it('a CALLRESULT that matches no pending call gets no answer', async () => {
    const client = await bootedCharger(protocol);
    const inbound = recordInbound(client);

    client.sendRaw(JSON.stringify([3, 'nope', {}]));
    client.sendRaw(JSON.stringify([4, 'nope-either', 'GenericError', '', {}]));
    await sleep(500);
    await heartbeat(client);

    expect(inbound.filter((frame) => frame[1] === 'nope' || frame[1] === 'nope-either')).toEqual([]);
    expect(inbound.map((frame) => frame[0])).toEqual([3]);
  });
});
