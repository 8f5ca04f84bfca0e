// OCPP 2.0.1 core flow against the real Worker: boot, heartbeat, status, then the API's view of the charger.

import { describe, it } from 'vitest';
import { bootBeatAndReport, expectChargerShown } from './core-flow.ts';
import { uniqueChargerId } from './helpers.ts';

describe('OCPP 2.0.1 charging station, strict client', () => {
  it('boots, heartbeats and reports a connector; the API shows it', async () => {
    const id = uniqueChargerId('V201');
    await bootBeatAndReport('ocpp2.0.1', id);
    await expectChargerShown('ocpp2.0.1', id);
  });
});
