// Boot and provisioning (issue 13, B01–B03; 1.6 §4.2.1): an operator holds any charger Pending,
// configures it, lets it send what the CSMS asked for, and accepts it.
import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

function holdPending(id: string): Promise<Response> {
  return api('PUT', `/chargers/${id}/registration`, { status: 'Pending' });
}

const now = () => new Date().toISOString();

describe('B02 / B01: an operator holds a registered 2.0.1 charger Pending, provisions it and accepts it', () => {
  it('B02.FR.01 B02.FR.02 B02.FR.09 B01.FR.10: Pending boot, SetVariables answered, triggered StatusNotification stored, untriggered requests refused, accept re-boots it Accepted', async () => {
    const id = uniqueChargerId('HOLD201');
    expect((await api('PUT', `/chargers/${id}`, {})).status).toBe(201);
    const held = await holdPending(id);
    expect(held.status).toBe(200);
    expect(await json(held)).toMatchObject({
      charger: { id, registered: true, registrationDecision: 'Pending' },
      registration: { decision: 'Pending', effect: 'AtNextBoot' },
    });

    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    const boot = await cp.boot();
    expect(boot).toEqual([3, 'c1', expect.objectContaining({ status: 'Pending', interval: expect.any(Number) })]);
    // B02.FR.09: a request the CSMS did not ask for is refused.
    expect((await cp.call('Heartbeat', {})).slice(0, 3)).toEqual([4, 'c2', 'SecurityError']);

    // Configured while Pending (B02.FR.01): the command goes out and its answer comes back.
    const set = await commandAnswered(
      cp,
      'SetVariables',
      { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '120' }] },
      { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
    );
    expect(set.res.status).toBe(200);
    expect(await json(set.res)).toMatchObject({ result: { setVariableResult: [{ attributeStatus: 'Accepted' }] } });

    // A StatusNotification the CSMS triggered is answered and stored, even after the object hibernated.
    const trigger = await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }, { status: 'Accepted' });
    expect(await json(trigger.res)).toEqual({ result: { status: 'Accepted' } });
    const stub = env.CHARGERS.getByName(id);
    await evictDurableObject(stub);
    expect(await cp.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 })).toEqual([3, 'c3', {}]);
    await stub.flushNow();
    expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ? AND evse_id = 1').bind(id).first()).toEqual({ status: 'Available' });
    // Only what was triggered: MeterValues and Authorize were not.
    expect((await cp.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: now(), sampledValue: [{ value: 1 }] }] })).slice(0, 3)).toEqual([4, 'c4', 'SecurityError']);
    expect((await cp.call('Authorize', { idToken: { idToken: 'TAG', type: 'ISO14443' } })).slice(0, 3)).toEqual([4, 'c5', 'SecurityError']);

    // A trigger the charger turned down lets nothing through.
    await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'Heartbeat' }, { status: 'Rejected' });
    expect((await cp.call('Heartbeat', {})).slice(0, 3)).toEqual([4, 'c6', 'SecurityError']);

    // RequestStartTransaction is not sent to a Pending station.
    const start = await api('POST', `/chargers/${id}/commands/RequestStartTransaction`, { idToken: { idToken: 'TAG', type: 'ISO14443' }, remoteStartId: 1 });
    expect(start.status).toBe(409);
    expect(await json(start)).toMatchObject({ error: { code: 'ChargerPending' } });

    // Accepted: the CSMS asks the station to boot again at once, and its boot is Accepted.
    const accepting = api('PUT', `/chargers/${id}/registration`, { status: 'Accepted' });
    const bootTrigger = await cp.next();
    expect(bootTrigger).toEqual([2, expect.any(String), 'TriggerMessage', { requestedMessage: 'BootNotification' }]);
    cp.sendRaw(JSON.stringify([3, bootTrigger[1], { status: 'Accepted' }]));
    const accepted = await accepting;
    expect(accepted.status).toBe(200);
    expect(await json(accepted)).toMatchObject({
      charger: { registrationDecision: 'Accepted' },
      registration: { decision: 'Accepted', effect: 'BootTriggered', registrationStatus: 'Pending', trigger: { ok: true, result: { status: 'Accepted' } } },
    });
    expect((await cp.call('BootNotification', { reason: 'Triggered', chargingStation: { vendorName: 'Acme', model: 'Volt' } }))[2]).toMatchObject({ status: 'Accepted' });
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    expect(await json(await api('GET', `/chargers/${id}`))).toMatchObject({ charger: { registrationStatus: 'Accepted', registrationDecision: 'Accepted' } });
    cp.close();
  });

  it('B02.FR.02 B02.FR.09: NotifyReport after GetBaseReport is answered by requestId until its last part; another requestId is refused', async () => {
    const id = uniqueChargerId('REPORT201');
    expect((await holdPending(id)).status).toBe(201);
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    await commandAnswered(cp, 'GetBaseReport', { requestId: 7, reportBase: 'FullInventory' }, { status: 'Accepted' });
    const part = (seqNo: number, requestId: number, tbc: boolean) => ({
      requestId,
      generatedAt: now(),
      seqNo,
      tbc,
      reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '120' }] }],
    });
    expect(await cp.call('NotifyReport', part(0, 7, true))).toEqual([3, 'c2', {}]);
    expect((await cp.call('NotifyReport', part(0, 8, false))).slice(0, 3)).toEqual([4, 'c3', 'SecurityError']);
    expect(await cp.call('NotifyReport', part(1, 7, false))).toEqual([3, 'c4', {}]);
    // The last part closed the request.
    expect((await cp.call('NotifyReport', part(2, 7, false))).slice(0, 3)).toEqual([4, 'c5', 'SecurityError']);
    cp.close();
  });

  it('B02: an Accepted charger set Pending stays Accepted until it boots again, and that boot is answered Pending', async () => {
    const id = uniqueChargerId('LATER201');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    const res = await holdPending(id);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ registration: { decision: 'Pending', effect: 'AtNextBoot', registrationStatus: 'Accepted' } });
    // No TriggerMessage is sent (an accepted station would reject it), and the charger is still served.
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    expect((await cp.call('Heartbeat', {})).slice(0, 3)).toEqual([4, 'c4', 'SecurityError']);
    cp.close();
  });
});

describe('1.6 §4.2.1: an operator holds a 1.6 charger Pending, provisions it and accepts it', () => {
  it('1.6 §4.2.1 §5.17: Pending boot, ChangeConfiguration answered, triggered StatusNotification stored, others refused, RemoteStart held back, accept re-boots it', async () => {
    const id = uniqueChargerId('HOLD16');
    // A charger the policy accepted before: registered, then held.
    const first = await RawCharger.connect(id, 'ocpp1.6');
    expect((await first.boot())[2]).toMatchObject({ status: 'Accepted' });
    first.close();
    expect(await json(await holdPending(id))).toMatchObject({ registration: { effect: 'AtNextBoot' } });

    const cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    expect((await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Faulted' })).slice(0, 3)).toEqual([4, 'c2', 'SecurityError']);

    const change = await commandAnswered(cp, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' }, { status: 'Accepted' });
    expect(await json(change.res)).toEqual({ result: { status: 'Accepted' } });

    await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }, { status: 'Accepted' });
    expect(await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).toEqual([3, 'c3', {}]);
    await env.CHARGERS.getByName(id).flushNow();
    expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ? AND connector_id = 1').bind(id).first()).toEqual({ status: 'Available' });
    expect((await cp.call('Heartbeat', {})).slice(0, 3)).toEqual([4, 'c4', 'SecurityError']);

    const start = await api('POST', `/chargers/${id}/commands/RemoteStartTransaction`, { idTag: 'TAG' });
    expect(start.status).toBe(409);
    expect(await json(start)).toMatchObject({ error: { code: 'ChargerPending' } });

    const accepting = api('PUT', `/chargers/${id}/registration`, { status: 'Accepted' });
    const bootTrigger = await cp.next();
    expect(bootTrigger).toEqual([2, expect.any(String), 'TriggerMessage', { requestedMessage: 'BootNotification' }]);
    cp.sendRaw(JSON.stringify([3, bootTrigger[1], { status: 'Accepted' }]));
    expect(await json(await accepting)).toMatchObject({ registration: { effect: 'BootTriggered' } });
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });

  it('1.6 §5.17: a charger that does not accept the boot trigger is Accepted at its next boot', async () => {
    const id = uniqueChargerId('NOTRIG16');
    await holdPending(id);
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    const accepting = api('PUT', `/chargers/${id}/registration`, { status: 'Accepted' });
    const bootTrigger = await cp.next();
    cp.sendRaw(JSON.stringify([4, bootTrigger[1], 'NotImplemented', 'no RemoteTrigger', {}]));
    expect(await json(await accepting)).toMatchObject({ registration: { effect: 'TriggerRefused', trigger: { ok: false } } });
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    cp.close();
  });
});

describe('B02: queued commands reach a Pending charger', () => {
  it('B02.FR.01: a queued ChangeConfiguration is delivered while Pending; a queued RemoteStartTransaction waits for Accepted (1.6 §4.2.1)', async () => {
    const id = uniqueChargerId('QUEUE16');
    await holdPending(id);
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });

    const queued = await api('POST', `/chargers/${id}/commands/ChangeConfiguration?queue=true`, { key: 'MeterValueSampleInterval', value: '60' });
    expect(queued.status).toBe(202);
    const { command } = await json(queued);
    const call = await cp.next();
    expect(call).toEqual([2, expect.any(String), 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' }]);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    await expect.poll(async () => (await json(await api('GET', `/chargers/${id}/commands`))).commands.find((c: any) => c.id === command.id)?.status).toBe('succeeded');

    const start = await json(await api('POST', `/chargers/${id}/commands/RemoteStartTransaction?queue=true`, { idTag: 'TAG' }));
    await expect(cp.next(1_500)).rejects.toThrow(/no frame/);
    expect((await json(await api('GET', `/chargers/${id}/commands`))).commands.find((c: any) => c.id === start.command.id)).toMatchObject({ status: 'queued' });

    // Accepted (the charger ignores the boot trigger here): its next boot takes the start.
    const accepting = api('PUT', `/chargers/${id}/registration`, { status: 'Accepted' });
    const bootTrigger = await cp.next();
    cp.sendRaw(JSON.stringify([3, bootTrigger[1], { status: 'Rejected' }]));
    await accepting;
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    const remoteStart = await cp.next();
    expect(remoteStart).toEqual([2, expect.any(String), 'RemoteStartTransaction', { idTag: 'TAG' }]);
    cp.sendRaw(JSON.stringify([3, remoteStart[1], { status: 'Accepted' }]));
    cp.close();
  });
});

function reject(id: string): Promise<Response> {
  return api('PUT', `/chargers/${id}/registration`, { status: 'Rejected' });
}

describe('F06.FR.02 B02.FR.09: a trigger naming an EVSE / connector lets a Pending charger send that one only', () => {
  it('F06.FR.02 B02.FR.02 B02.FR.09: TriggerMessage StatusNotification for EVSE 1 connector 2: another connector or EVSE is refused, the one asked for is answered', async () => {
    const id = uniqueChargerId('TRIGEVSE');
    expect((await holdPending(id)).status).toBe(201);
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 2 } }, { status: 'Accepted' });
    const status = (evseId: number, connectorId: number) => ({ timestamp: now(), connectorStatus: 'Available', evseId, connectorId });
    expect((await cp.call('StatusNotification', status(1, 1))).slice(0, 3)).toEqual([4, 'c2', 'SecurityError']);
    expect((await cp.call('StatusNotification', status(2, 2))).slice(0, 3)).toEqual([4, 'c3', 'SecurityError']);
    expect(await cp.call('StatusNotification', status(1, 2))).toEqual([3, 'c4', {}]);
    await env.CHARGERS.getByName(id).flushNow();
    const { results } = await env.DB.prepare('SELECT evse_id, connector_id FROM connector_status WHERE charger_id = ? ORDER BY evse_id, connector_id').bind(id).all();
    expect(results).toEqual([{ evse_id: 1, connector_id: 2 }]);
    cp.close();
  });

  it('1.6 §5.17 §4.2.1: TriggerMessage StatusNotification for connector 2 lets through connector 2 only; one naming no connector lets through any', async () => {
    const id = uniqueChargerId('TRIGCON16');
    expect((await holdPending(id)).status).toBe(201);
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 }, { status: 'Accepted' });
    const status = (connectorId: number) => ({ connectorId, errorCode: 'NoError', status: 'Available' });
    expect((await cp.call('StatusNotification', status(1))).slice(0, 3)).toEqual([4, 'c2', 'SecurityError']);
    expect(await cp.call('StatusNotification', status(2))).toEqual([3, 'c3', {}]);
    await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification' }, { status: 'Accepted' });
    expect(await cp.call('StatusNotification', status(1))).toEqual([3, 'c4', {}]);
    cp.close();
  });
});

describe('B03: an operator rejects a charger', () => {
  it('B03.FR.07 B03.FR.03: an Accepted 2.0.1 charger set Rejected stays Accepted until it boots again; that boot is answered Rejected, then its requests get SecurityError, it is sent nothing, and accepting it lets its next boot in', async () => {
    const id = uniqueChargerId('REJ201');
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    const res = await reject(id);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      charger: { registrationDecision: 'Rejected', registrationStatus: 'Accepted' },
      registration: { decision: 'Rejected', effect: 'AtNextBoot', registrationStatus: 'Accepted' },
    });
    // Nothing is sent, and it is served as an Accepted charger until it boots again (its transactions go on).
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);

    const boot = await cp.boot();
    expect(boot[2]).toMatchObject({ status: 'Rejected', interval: expect.any(Number) });
    expect((await cp.call('Heartbeat', {})).slice(0, 3)).toEqual([4, 'c4', 'SecurityError']);
    // B03.FR.03: the CSMS sends a rejected charger nothing: a command is refused, a queued one waits.
    const direct = await api('POST', `/chargers/${id}/commands/GetVariables`, {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    expect(direct.status).toBe(409);
    expect(await json(direct)).toMatchObject({ error: { code: 'ChargerRejected' } });
    const queued = await api('POST', `/chargers/${id}/commands/ChangeAvailability?queue=true`, { operationalStatus: 'Operative' });
    expect(queued.status).toBe(202);
    await expect(cp.next(500)).rejects.toThrow(/no frame/);
    // Kept in D1, and the connection stays open.
    expect(await env.DB.prepare('SELECT registration_status, held_rejected, held_pending FROM chargers WHERE id = ?').bind(id).first()).toEqual({
      registration_status: 'Rejected',
      held_rejected: 1,
      held_pending: 0,
    });
    expect(await json(await api('GET', `/chargers/${id}`))).toMatchObject({ charger: { connected: true, registrationDecision: 'Rejected' } });

    // Accepted again: nothing sent now (a rejected charger is sent nothing); its next boot is Accepted and the queue follows.
    expect(await json(await api('PUT', `/chargers/${id}/registration`, { status: 'Accepted' }))).toMatchObject({
      charger: { registrationDecision: 'Accepted' },
      registration: { effect: 'AtNextBoot', registrationStatus: 'Rejected' },
    });
    expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
    const delivered = await cp.next();
    expect(delivered.slice(2)).toEqual(['ChangeAvailability', { operationalStatus: 'Operative' }]);
    cp.sendRaw(JSON.stringify([3, delivered[1], { status: 'Accepted' }]));
    cp.close();
  });

  it('B03.FR.07 B02.FR.09: a 2.0.1 charger whose boot was answered Pending is rejected at once: what it was asked for is refused now, commands too, and its next boot is answered Rejected', async () => {
    const id = uniqueChargerId('REJPEND');
    expect((await holdPending(id)).status).toBe(201);
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    await commandAnswered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }, { status: 'Accepted' });

    const res = await reject(id);
    expect(await json(res)).toMatchObject({
      charger: { registrationDecision: 'Rejected' },
      registration: { decision: 'Rejected', effect: 'RejectedNow', registrationStatus: 'Rejected' },
    });
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
    // The trigger it accepted while Pending no longer lets its message through.
    expect((await cp.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 })).slice(0, 3)).toEqual([4, 'c2', 'SecurityError']);
    const command = await api('POST', `/chargers/${id}/commands/SetVariables`, {
      setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60' }],
    });
    expect(command.status).toBe(409);
    expect(await json(command)).toMatchObject({ error: { code: 'ChargerRejected' } });
    expect((await cp.boot())[2]).toMatchObject({ status: 'Rejected' });
    // Rejected twice: unchanged.
    expect(await json(await reject(id))).toMatchObject({ registration: { effect: 'Unchanged' } });
    cp.close();
  });

  it('1.6 §4.2: a charger never seen, rejected ahead of its first boot, is answered Rejected; its requests get SecurityError; held Pending later, its next boot is Pending', async () => {
    const id = uniqueChargerId('REJ16');
    const res = await reject(id);
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      charger: { id, registered: true, registrationDecision: 'Rejected', registrationStatus: null },
      registration: { decision: 'Rejected', effect: 'AtNextBoot' },
    });
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await cp.boot())[2]).toMatchObject({ status: 'Rejected', interval: expect.any(Number) });
    expect((await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).slice(0, 3)).toEqual([4, 'c2', 'SecurityError']);
    expect(await json(await holdPending(id))).toMatchObject({ charger: { registrationDecision: 'Pending' }, registration: { effect: 'AtNextBoot' } });
    expect((await cp.boot())[2]).toMatchObject({ status: 'Pending' });
    cp.close();
  });
});

describe('the registration route', () => {
  it('refuses a body that is not a decision, changing nothing', async () => {
    const id = uniqueChargerId('BADREG');
    for (const body of [{ status: 'Refused' }, { status: 'Pending', extra: 1 }, {}]) {
      const res = await api('PUT', `/chargers/${id}/registration`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ error: { code: 'InvalidPayload' } });
    }
    expect((await api('GET', `/chargers/${id}`)).status).toBe(404);
  });

  it('needs the admin scope; an admin holds a charger never seen, which registers it', async () => {
    const minted = await api('POST', '/tokens', { name: 'commander', scopes: ['command'] });
    expect(minted.status).toBe(201);
    const { token } = await json(minted);
    const id = uniqueChargerId('SCOPE');
    expect((await api('PUT', `/chargers/${id}/registration`, { status: 'Pending' }, token)).status).toBe(403);
    const res = await holdPending(id);
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      charger: { id, registered: true, registrationDecision: 'Pending', registrationStatus: null },
      registration: { decision: 'Pending', effect: 'AtNextBoot' },
    });
  });
});
