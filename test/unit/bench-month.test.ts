// The bench's charger-month profile (bench/lib/month.mjs) against a CSMS that does not speak a
// version: a baseline from before OCPP 2.1 answers a 2.1 handshake 400 (UnsupportedSubprotocol),
// and the profile says so instead of ending the run; any other refused boot still ends it.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module of the bench, without type declarations
import { chargerMonthProfile, MONTH_PROTOCOLS } from '../../bench/lib/month.mjs';

let server: Server | undefined;
const upgrades: string[] = [];

/** A server that refuses every WebSocket handshake with `status`, noting the subprotocol offered. */
async function refusing(status: number, reason: string): Promise<string> {
  server = createServer();
  server.on('upgrade', (request, socket) => {
    upgrades.push(String(request.headers['sec-websocket-protocol']));
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ocpp`;
}

afterEach(async () => {
  upgrades.length = 0;
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

// No isolateStats: the profile measures CPU alone (of no process here), as on the bare object.
const profile = (ocppUrl: string) =>
  chargerMonthProfile({ name: 'test', ocppUrl, pids: [] }, { protocol: 'ocpp2.1', chargers: 3, heartbeats: 1, meters: 1, flushDelaySeconds: 2 });

describe('the charger-month profile', () => {
  it('measures 1.6, 2.0.1 and 2.1, in the order the archive moves them', () => {
    expect(MONTH_PROTOCOLS).toEqual(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
  });

  it('reports a version the CSMS refuses with 400 as not measured, not as a failure', async () => {
    const result = await profile(await refusing(400, 'Bad Request'));
    expect(result).toEqual({ protocol: 'ocpp2.1', prefix: 'MONTH-21', unavailable: 'this CSMS does not speak ocpp2.1 (its WebSocket handshake answered HTTP 400)' });
    expect(upgrades.length).toBeGreaterThan(0);
    expect(new Set(upgrades)).toEqual(new Set(['ocpp2.1']));
  });

  it('still ends the run when the boot fails for another reason', async () => {
    await expect(profile(await refusing(401, 'Unauthorized'))).rejects.toThrow(/401/);
  });
});
