// The core flow of a 2.0.1 or 2.1 charging station against the real Worker (boot, heartbeat, a
// connector's status) and the API's view of the charger afterwards; shared by v201-core and v21-core.

import { expect } from 'vitest';
import { api, BOOT, connectCharger, recordInbound, type BootResponse, type Charger } from './helpers.ts';

/** Connects a strict `protocol` charger as `id`, boots it, heartbeats, reports EVSE 1 connector 1 Available. */
export async function bootBeatAndReport(protocol: 'ocpp2.0.1' | 'ocpp2.1', id: string): Promise<Charger> {
  const client = await connectCharger(protocol, id);
  const inbound = recordInbound(client);

  const boot = (await client.call('BootNotification', BOOT[protocol].params)) as BootResponse;
  expect(boot.status).toBe('Accepted');
  expect(typeof boot.interval).toBe('number');
  expect(Number.isNaN(Date.parse(boot.currentTime))).toBe(false);

  const heartbeat = (await client.call('Heartbeat', {})) as { currentTime: string };
  expect(Number.isNaN(Date.parse(heartbeat.currentTime))).toBe(false);

  const timestamp = new Date().toISOString();
  const status = await client.call('StatusNotification', {
    timestamp,
    connectorStatus: 'Available',
    evseId: 1,
    connectorId: 1,
  });
  expect(status).toEqual({});

  // Only answers came back: no CALLERROR, no unsolicited frame.
  expect(inbound.map((frame) => frame[0])).toEqual([3, 3, 3]);
  return client;
}

/** What the API shows of a charger after bootBeatAndReport. */
export async function expectChargerShown(protocol: 'ocpp2.0.1' | 'ocpp2.1', id: string): Promise<void> {
  const res = await api('GET', `/chargers/${id}`);
  expect(res.status).toBe(200);
  const charger = res.body.charger;
  const { vendor, model, params } = BOOT[protocol];
  expect(charger).toMatchObject({
    id,
    protocol,
    connected: true,
    registrationStatus: 'Accepted',
    boot: { vendor, model, firmwareVersion: params.chargingStation.firmwareVersion },
  });
  expect(charger.connectors).toEqual([expect.objectContaining({ evseId: 1, connectorId: 1, status: 'Available' })]);
}
