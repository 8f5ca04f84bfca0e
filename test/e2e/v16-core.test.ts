// OCPP 1.6-J core flow against the real Worker: boot, heartbeat, status, then the API's view of the charger.

import { describe, expect, it } from 'vitest';
import { api, BOOT, connectCharger, recordInbound, uniqueChargerId, type BootResponse } from './helpers.ts';

describe('OCPP 1.6 charger, strict client', () => {
  it('boots, heartbeats and reports a connector; the API shows it', async () => {
    const id = uniqueChargerId('V16');
    const client = await connectCharger('ocpp1.6', id);
    const inbound = recordInbound(client);

    const boot = (await client.call('BootNotification', BOOT['ocpp1.6'].params)) as BootResponse;
    expect(boot.status).toBe('Accepted');
    expect(typeof boot.interval).toBe('number');
    expect(Number.isNaN(Date.parse(boot.currentTime))).toBe(false);

    const heartbeat = (await client.call('Heartbeat', {})) as { currentTime: string };
    expect(Number.isNaN(Date.parse(heartbeat.currentTime))).toBe(false);

    const status = await client.call('StatusNotification', {
      connectorId: 1,
      errorCode: 'NoError',
      status: 'Available',
    });
    expect(status).toEqual({});

    // Only answers came back: no CALLERROR, no unsolicited frame.
    expect(inbound.map((frame) => frame[0])).toEqual([3, 3, 3]);

    const res = await api('GET', `/chargers/${id}`);
    expect(res.status).toBe(200);
    const charger = res.body.charger;
    expect(charger).toMatchObject({
      id,
      protocol: 'ocpp1.6',
      connected: true,
      registrationStatus: 'Accepted',
      boot: { vendor: BOOT['ocpp1.6'].vendor, model: BOOT['ocpp1.6'].model, firmwareVersion: '1.2.3' },
    });
    expect(charger.connectors).toEqual([
      expect.objectContaining({ connectorId: 1, status: 'Available', errorCode: 'NoError' }),
    ]);
  });
});
