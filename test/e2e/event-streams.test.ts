// OCPP 2.1 periodic event streams against the real Worker over a plain socket (a strict client
// cannot send SEND): every frame either side sends is checked by typed-ocpp's 2.1 schemas, and the
// stored streams and values are read back through the API.

import { randomUUID } from 'node:crypto';
import { OCPP21 } from 'typed-ocpp';
import { describe, expect, it } from 'vitest';
import { api, BOOT, command, openRawSocket, uniqueChargerId, type Frame } from './helpers.ts';
import type { RawSocket } from './raw-socket.ts';

/** Sends a CALL, checked by typed-ocpp, and returns its CALLRESULT, checked against it. */
async function call(socket: RawSocket<Frame>, action: string, payload: unknown): Promise<Record<string, unknown>> {
  const frame = [2, randomUUID(), action, payload] as const;
  expect(OCPP21.validate(frame), JSON.stringify(OCPP21.validate.errors)).toBe(true);
  socket.send(frame);
  const answer = await socket.next((m) => m[1] === frame[1]);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
  expect(OCPP21.checkCallResult(answer as never, frame as never), JSON.stringify(answer)).toBe(true);
  return answer[2] as Record<string, unknown>;
}

/** Answers the next CALL the CSMS sends (checked by typed-ocpp) with `result`, once `action` arrives. */
async function answerNext(socket: RawSocket<Frame>, action: string, result: unknown): Promise<Frame> {
  const incoming = await socket.next((m) => m[0] === 2 && m[2] === action);
  expect(OCPP21.validate(incoming), JSON.stringify(OCPP21.validate.errors)).toBe(true);
  const reply = [3, incoming[1], result];
  expect(OCPP21.checkCallResult(reply as never, incoming as never)).toBe(true);
  socket.send(reply);
  return incoming;
}

describe('OCPP 2.1 periodic event streams, frames checked by typed-ocpp', () => {
  it('opens a stream, streams values with SEND (never answered), adjusts and closes it; the API shows the stream and its values', async () => {
    const id = uniqueChargerId('V21ES');
    const socket = await openRawSocket('ocpp2.1', id);
    expect(await call(socket, 'BootNotification', BOOT['ocpp2.1'].params)).toMatchObject({ status: 'Accepted' });
    expect(await call(socket, 'OpenPeriodicEventStream', { constantStreamData: { id: 1, variableMonitoringId: 12, params: { interval: 5, values: 2 } } })).toEqual({
      status: 'Accepted',
    });

    for (let i = 0; i < 5; i++) {
      const payload = { id: 1, pending: 4 - i, basetime: '2026-07-01T10:00:00Z', data: [{ t: i * 5, v: `${230 + i}` }, { t: i * 5 + 2.5, v: `${230 + i}.5` }] };
      // typed-ocpp has no SEND type: the payload is checked as its action's request.
      expect(OCPP21.validate([2, 'check', 'NotifyPeriodicEventStream', payload]), JSON.stringify(OCPP21.validate.errors)).toBe(true);
      socket.send([6, randomUUID(), 'NotifyPeriodicEventStream', payload]);
    }
    // Frames are taken in order: the Heartbeat's answer comes after every SEND was handled, and nothing else came back.
    await call(socket, 'Heartbeat', {});
    expect(socket.messages.filter((m) => m[0] !== 3)).toEqual([]);

    const values = await api('GET', `/chargers/${id}/event-streams/1/values`);
    expect(values.status).toBe(200);
    expect(values.body.values).toHaveLength(10);
    expect(values.body.values.slice(0, 2)).toEqual([
      { timestamp: '2026-07-01T10:00:00.000Z', value: '230', unannounced: false },
      { timestamp: '2026-07-01T10:00:02.500Z', value: '230.5', unannounced: false },
    ]);

    const adjusting = command(id, 'AdjustPeriodicEventStream', { id: 1, params: { interval: 60 } }, 10);
    const adjust = await answerNext(socket, 'AdjustPeriodicEventStream', { status: 'Accepted' });
    expect(adjust[3]).toEqual({ id: 1, params: { interval: 60 } });
    expect((await adjusting).status).toBe(200);

    expect(await call(socket, 'ClosePeriodicEventStream', { id: 1 })).toEqual({});
    const streams = await api('GET', `/chargers/${id}/event-streams`);
    expect(streams.status).toBe(200);
    expect(streams.body.eventStreams).toEqual([
      expect.objectContaining({ streamId: 1, state: 'closed', closedBy: 'charger', announced: true, variableMonitoringId: 12, params: { interval: 60 } }),
    ]);

    // GetPeriodicEventStream's answer is the whole list: a stream it names is open again.
    const getting = command(id, 'GetPeriodicEventStream', {}, 10);
    await answerNext(socket, 'GetPeriodicEventStream', { constantStreamData: [{ id: 1, variableMonitoringId: 12, params: { interval: 60 } }] });
    expect((await getting).status).toBe(200);
    expect((await api('GET', `/chargers/${id}/event-streams?state=open`)).body.eventStreams.map((s: { streamId: number }) => s.streamId)).toEqual([1]);
  });
});
