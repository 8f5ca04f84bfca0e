import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** Sends a command through the API and answers it as the charger, with `result`. */
async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  const { res } = await commandAnswered(cp, action, payload, result);
  expect(res.status).toBe(200);
}

describe('configuration', () => {
  it('learns 1.6 keys from GetConfiguration and ChangeConfiguration', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await command(cp, 'GetConfiguration', {}, {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'NumberOfConnectors', readonly: true, value: '2' },
      ],
    });
    await command(cp, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' }, { status: 'Accepted' });
    const { settings } = await json(await api('GET', `/chargers/${cp.id}/configuration`));
    expect(settings).toEqual([
      expect.objectContaining({ variable: 'HeartbeatInterval', value: '120', mutability: 'ReadWrite', source: 'ChangeConfiguration' }),
      expect.objectContaining({ variable: 'NumberOfConnectors', value: '2', mutability: 'ReadOnly' }),
    ]);
    cp.close();
  });

  it('builds the 2.0.1 device model from NotifyReport parts and GetVariables', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    for (const [seqNo, name] of ['HeartbeatInterval', 'OfflineThreshold'].entries()) {
      await cp.call('NotifyReport', {
        requestId: 5,
        generatedAt: '2026-08-01T00:00:00Z',
        seqNo,
        tbc: seqNo === 0,
        reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name }, variableAttribute: [{ value: '60', mutability: 'ReadWrite' }] }],
      });
    }
    await command(cp, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }, {
      getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '90', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    const { settings } = await json(await api('GET', `/chargers/${cp.id}/configuration?component=OCPPCommCtrlr`));
    expect(settings).toEqual([
      // A later GetVariables updates the value and keeps the mutability the report gave.
      expect.objectContaining({ variable: 'HeartbeatInterval', value: '90', mutability: 'ReadWrite', source: 'GetVariables' }),
      expect.objectContaining({ variable: 'OfflineThreshold', value: '60', source: 'NotifyReport' }),
    ]);
    cp.close();
  });
});
