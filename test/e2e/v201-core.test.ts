// OCPP 2.0.1 core flow against the real Worker: boot, heartbeat, status, then the API's view of the charger.

import { describe, expect, it } from 'vitest';
import { api, BOOT, connectCharger, recordInbound, uniqueChargerId, type BootResponse } from './helpers.ts';

describe('OCPP 2.0.1 charging station, strict client', () => {
  it('boots, heartbeats and reports a connector; the API shows it', async () => {
    const id = uniqueChargerId('V201');
    const client = await connectCharger('ocpp2.0.1', id);
    const inbound = recordInbound(client);

    const boot = (await client.call('BootNotification', BOOT['ocpp2.0.1'].params)) as BootResponse;
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

    const res = await api('GET', `/chargers/${id}`);
    expect(res.status).toBe(200);
    const charger = res.body.charger;
    expect(charger).toMatchObject({
      id,
      protocol: 'ocpp2.0.1',
      connected: true,
      registrationStatus: 'Accepted',
      boot: { vendor: BOOT['ocpp2.0.1'].vendor, model: BOOT['ocpp2.0.1'].model, firmwareVersion: '2.0.1' },
    });
    expect(charger.connectors).toEqual([
      expect.objectContaining({ evseId: 1, connectorId: 1, status: 'Available' }),
    ]);
  });
});
