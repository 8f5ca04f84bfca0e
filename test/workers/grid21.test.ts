// OCPP 2.1 grid features over a real 2.1 socket and D1: dynamic schedules (K28: PUT …/dynamic, UpdateDynamicSchedule,
// PullDynamicScheduleUpdate), priority charging (UsePriorityCharging's rule, NotifyPriorityCharging on the transaction),
// battery swaps (RequestBatterySwap, BatterySwap with its token's authorization), GetCertificateChainStatus, and firmware
// publishing carried over from 2.0.1.
import { env } from 'cloudflare:workers';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as v21 from '../../src/ocpp/v21/schemas.generated';
import { api, breakD1, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function booted(): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('G21'), 'ocpp2.1');
  expect(cp.protocol).toBe('ocpp2.1');
  expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
  return cp;
}

function profile(id: number, kind: 'Dynamic' | 'Absolute') {
  return {
    id,
    stackLevel: id,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: kind,
    ...(kind === 'Dynamic' ? { dynUpdateInterval: 60 } : {}),
    chargingSchedule: [
      { id: 1, chargingRateUnit: 'W', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] },
    ],
  };
}

async function install(cp: RawCharger, id: number, kind: 'Dynamic' | 'Absolute'): Promise<void> {
  const { res } = await commandAnswered(cp, 'SetChargingProfile', { evseId: 0, chargingProfile: profile(id, kind) }, { status: 'Accepted' });
  expect(res.status).toBe(200);
}

async function pull(cp: RawCharger, chargingProfileId: number): Promise<any> {
  const answer = await cp.call('PullDynamicScheduleUpdate', { chargingProfileId });
  expect(answer[0]).toBe(3);
  expect(v.safeParse(v21.responseSchemas.PullDynamicScheduleUpdate, answer[2]).success).toBe(true);
  return answer[2];
}

/** Sends `PUT …/dynamic` and answers the UpdateDynamicSchedule it causes with `answer`. */
async function setDynamic(cp: RawCharger, profileId: number, scheduleUpdate: unknown, answer: unknown): Promise<{ status: number; body: any; call: unknown[] }> {
  const pending = api('PUT', `/chargers/${cp.id}/charging-profiles/${profileId}/dynamic`, { scheduleUpdate });
  const call = await cp.next();
  cp.sendRaw(JSON.stringify([3, call[1], answer]));
  const res = await pending;
  return { status: res.status, body: await json(res), call };
}

describe('2.1 dynamic schedules (K28)', () => {
  it('a pull gets the values the operator set, sent at once to the connected charger; Rejected with the reason otherwise', async () => {
    const cp = await booted();
    expect(await pull(cp, 5)).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownProfile', additionalInfo: expect.any(String) } });
    await install(cp, 5, 'Dynamic');
    await install(cp, 6, 'Absolute');
    expect(await pull(cp, 6)).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NotDynamic' } });
    expect(await pull(cp, 5)).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NoUpdate' } });

    const values = { limit: 7400, setpoint: 5000, dischargeLimit: -3000 };
    const sent = await setDynamic(cp, 5, values, { status: 'Accepted' });
    expect(sent.call).toEqual([2, expect.any(String), 'UpdateDynamicSchedule', { chargingProfileId: 5, scheduleUpdate: values }]);
    expect(sent).toMatchObject({
      status: 200,
      body: {
        sent: true,
        result: { status: 'Accepted' },
        dynamicSchedule: { chargingProfileId: 5, scheduleUpdate: values, setAt: expect.any(String), chargerAnswer: { status: 'Accepted', answeredAt: expect.any(String) } },
      },
    });
    expect(await pull(cp, 5)).toEqual({ status: 'Accepted', scheduleUpdate: values });
    expect(await json(await api('GET', `/chargers/${cp.id}/charging-profiles/5/dynamic`))).toEqual({ dynamicSchedule: sent.body.dynamicSchedule });

    // A charger's refusal is kept with the values (they stay the CSMS's current ones, for its next pull).
    const refused = await setDynamic(cp, 5, { limit: 1000 }, { status: 'Rejected', statusInfo: { reasonCode: 'Busy' } });
    expect(refused.body.dynamicSchedule.chargerAnswer).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'Busy' } });

    // Only an installed Dynamic profile takes values; nothing is sent otherwise.
    const unknown = await api('PUT', `/chargers/${cp.id}/charging-profiles/99/dynamic`, { scheduleUpdate: { limit: 1 } });
    expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, 'UnknownChargingProfile']);
    const absolute = await api('PUT', `/chargers/${cp.id}/charging-profiles/6/dynamic`, { scheduleUpdate: { limit: 1 } });
    expect([absolute.status, (await json(absolute)).error.code]).toEqual([409, 'NotDynamicProfile']);
    const empty = await api('PUT', `/chargers/${cp.id}/charging-profiles/5/dynamic`, { scheduleUpdate: {} });
    expect([empty.status, (await json(empty)).error.code]).toEqual([400, 'InvalidPayload']);
    const positive = await api('PUT', `/chargers/${cp.id}/charging-profiles/5/dynamic`, { scheduleUpdate: { dischargeLimit: 5 } });
    expect([positive.status, (await json(positive)).error.code]).toEqual([400, 'InvalidPayload']);

    // The profile installed again is a new profile: the old values are not its own.
    await install(cp, 5, 'Dynamic');
    expect(await pull(cp, 5)).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NoUpdate' } });

    // UpdateDynamicSchedule sent through the generic command route and Accepted sets the values too.
    const { res } = await commandAnswered(cp, 'UpdateDynamicSchedule', { chargingProfileId: 5, scheduleUpdate: { setpoint: 2000 } }, { status: 'Accepted' });
    expect(res.status).toBe(200);
    expect(await pull(cp, 5)).toEqual({ status: 'Accepted', scheduleUpdate: { setpoint: 2000 } });
    // ... and Rejected does not.
    await commandAnswered(cp, 'UpdateDynamicSchedule', { chargingProfileId: 5, scheduleUpdate: { setpoint: 9 } }, { status: 'Rejected' });
    expect(await pull(cp, 5)).toEqual({ status: 'Accepted', scheduleUpdate: { setpoint: 2000 } });
    cp.close();
  });

  it('setting values needs the command scope; reading them, read', async () => {
    const cp = await booted();
    await install(cp, 9, 'Dynamic');
    const token = async (scopes: string[]) => ((await json(await api('POST', '/tokens', { name: `grid ${scopes}`, scopes }))) as { token: string }).token;
    const reader = await token(['read']);
    const put = await api('PUT', `/chargers/${cp.id}/charging-profiles/9/dynamic`, { scheduleUpdate: { limit: 1 } }, reader);
    expect(put.status).toBe(403);
    expect((await api('GET', `/chargers/${cp.id}/charging-profiles/9/dynamic`, undefined, reader)).status).toBe(404);
    const commander = await token(['command']);
    const pending = api('PUT', `/chargers/${cp.id}/charging-profiles/9/dynamic`, { scheduleUpdate: { limit: 1 } }, commander);
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await pending).status).toBe(200);
    expect((await api('GET', `/chargers/${cp.id}/charging-profiles/9/dynamic`, undefined, reader)).status).toBe(200);
    cp.close();
  });

  it('values set while the charger is offline are kept, not sent, and answered to its next pull', async () => {
    const cp = await booted();
    await install(cp, 8, 'Dynamic');
    cp.close();
    await cp.waitForClose();
    const res = await api('PUT', `/chargers/${cp.id}/charging-profiles/8/dynamic`, { scheduleUpdate: { limit: 3000 } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ sent: false, error: { code: 'ChargerOffline' }, dynamicSchedule: { scheduleUpdate: { limit: 3000 }, chargerAnswer: null } });
    const again = await RawCharger.connect(cp.id, 'ocpp2.1');
    await again.boot();
    expect(await pull(again, 8)).toEqual({ status: 'Accepted', scheduleUpdate: { limit: 3000 } });
    again.close();
  });

  it('a pull that cannot read what the CSMS holds is answered InternalError, not a wrong Rejected', async () => {
    const cp = await booted();
    await breakD1(cp.id);
    const answer = await cp.call('PullDynamicScheduleUpdate', { chargingProfileId: 1 });
    expect(answer).toEqual([4, expect.any(String), 'InternalError', expect.any(String), expect.anything()]);
    cp.close();
  });
});

async function startTransaction(cp: RawCharger, transactionId: string): Promise<void> {
  const started = await cp.call('TransactionEvent', {
    eventType: 'Started',
    timestamp: new Date().toISOString(),
    triggerReason: 'CablePluggedIn',
    seqNo: 0,
    transactionInfo: { transactionId },
    evse: { id: 1, connectorId: 1 },
  });
  expect(started[0]).toBe(3);
}

describe('2.1 priority charging', () => {
  it('UsePriorityCharging is sent only for a running transaction; NotifyPriorityCharging is kept on the transaction, replays once', async () => {
    const cp = await booted();
    const refused = await api('POST', `/chargers/${cp.id}/commands/UsePriorityCharging`, { transactionId: 'tx-p', activate: true });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error).toMatchObject({ code: 'SpecViolation', requirement: 'UsePriorityChargingRequest.transactionId' });

    await startTransaction(cp, 'tx-p');
    const { res, call } = await commandAnswered(cp, 'UsePriorityCharging', { transactionId: 'tx-p', activate: true }, { status: 'Accepted' });
    expect(res.status).toBe(200);
    expect(call[3]).toEqual({ transactionId: 'tx-p', activate: true });

    // The same message twice (a replay after a lost answer) is one change.
    for (let i = 0; i < 2; i++) {
      cp.sendRaw(JSON.stringify([2, 'prio-1', 'NotifyPriorityCharging', { transactionId: 'tx-p', activated: true }]));
      expect(await cp.next()).toEqual([3, 'prio-1', {}]);
    }
    let { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/tx-p`));
    expect(transaction.priorityCharging).toEqual({ active: true, changes: [{ activated: true, at: expect.any(String) }] });

    expect(await cp.call('NotifyPriorityCharging', { transactionId: 'tx-p', activated: false })).toEqual([3, expect.any(String), {}]);
    ({ transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/tx-p`)));
    expect(transaction.priorityCharging).toEqual({
      active: false,
      changes: [
        { activated: true, at: expect.any(String) },
        { activated: false, at: expect.any(String) },
      ],
    });
    cp.close();
  });
});

describe('2.1 battery swap', () => {
  it('keeps the request and each event with its token decided like a transaction token, linked by requestId, paged', async () => {
    const cp = await booted();
    const tag = `SWAP-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBe(201);
    const idToken = { idToken: tag, type: 'ISO14443' };
    const { res } = await commandAnswered(cp, 'RequestBatterySwap', { requestId: 42, idToken }, { status: 'Accepted' });
    expect(res.status).toBe(200);

    const battery = { evseId: 1, serialNumber: 'BAT-1', soC: 12.5, soH: 97, vendorInfo: 'pack A' };
    cp.sendRaw(JSON.stringify([2, 'swap-out', 'BatterySwap', { eventType: 'BatteryOut', requestId: 42, idToken, batteryData: [battery] }]));
    expect(await cp.next()).toEqual([3, 'swap-out', {}]);
    // Replayed: kept once.
    cp.sendRaw(JSON.stringify([2, 'swap-out', 'BatterySwap', { eventType: 'BatteryOut', requestId: 42, idToken, batteryData: [battery] }]));
    expect(await cp.next()).toEqual([3, 'swap-out', {}]);
    const charged = { evseId: 1, serialNumber: 'BAT-2', soC: 95, soH: 99 };
    expect(await cp.call('BatterySwap', { eventType: 'BatteryIn', requestId: 42, idToken, batteryData: [charged] })).toEqual([3, expect.any(String), {}]);
    // An unknown token is kept as Invalid.
    const stranger = { idToken: 'NOBODY-KNOWS', type: 'ISO14443' };
    expect(await cp.call('BatterySwap', { eventType: 'BatteryOutTimeout', requestId: 43, idToken: stranger, batteryData: [battery] })).toEqual([3, expect.any(String), {}]);

    const swaps = await json(await api('GET', `/chargers/${cp.id}/battery-swaps?requestId=42`));
    expect(swaps).toEqual({
      batterySwaps: [
        { id: expect.any(Number), requestId: 42, eventType: 'BatteryIn', idToken, authorization: 'Accepted', batteryData: [charged], receivedAt: expect.any(String) },
        { id: expect.any(Number), requestId: 42, eventType: 'BatteryOut', idToken, authorization: 'Accepted', batteryData: [battery], receivedAt: expect.any(String) },
        { id: expect.any(Number), requestId: 42, eventType: 'Requested', idToken, answer: 'Accepted', batteryData: [], receivedAt: expect.any(String) },
      ],
      nextCursor: null,
    });
    const first = await json(await api('GET', `/chargers/${cp.id}/battery-swaps?limit=2`));
    expect(first.batterySwaps.map((s: any) => [s.eventType, s.authorization])).toEqual([['BatteryOutTimeout', 'Invalid'], ['BatteryIn', 'Accepted']]);
    const second = await json(await api('GET', `/chargers/${cp.id}/battery-swaps?limit=2&cursor=${first.nextCursor}`));
    expect(second.batterySwaps.map((s: any) => s.eventType)).toEqual(['BatteryOut', 'Requested']);
    expect(second.nextCursor).toBeNull();
    cp.close();
  });

  it('is not answered before it is durable: a storage failure answers InternalError', async () => {
    const cp = await booted();
    await env.CHARGERS.getByName(cp.id).flushNow();
    const { runInDurableObject } = await import('cloudflare:test');
    await runInDurableObject(env.CHARGERS.getByName(cp.id), async (_instance, state) => {
      // The outbox table gone: appending the fact throws, as a storage failure would.
      state.storage.sql.exec('ALTER TABLE outbox RENAME TO outbox_gone');
    });
    const answer = await cp.call('BatterySwap', {
      eventType: 'BatteryIn',
      requestId: 1,
      idToken: { idToken: 'X', type: 'Central' },
      batteryData: [{ evseId: 1, serialNumber: 'B', soC: 1, soH: 1 }],
    });
    expect(answer[0]).toBe(4);
    expect(answer[2]).toBe('InternalError');
    await runInDurableObject(env.CHARGERS.getByName(cp.id), async (_instance, state) => {
      state.storage.sql.exec('ALTER TABLE outbox_gone RENAME TO outbox');
    });
    cp.close();
  });
});

describe('2.1 GetCertificateChainStatus', () => {
  const hash = (serialNumber: string) => ({ hashAlgorithm: 'SHA256', issuerNameHash: 'aa'.repeat(32), issuerKeyHash: 'bb'.repeat(32), serialNumber });
  it('answers every certificate, each Failed with its reason when its status cannot be had (CRL, an issuer not trusted), without hanging', async () => {
    const cp = await booted();
    const started = Date.now();
    const answer = await cp.call('GetCertificateChainStatus', {
      certificateStatusRequests: [
        { source: 'OCSP', urls: ['http://127.0.0.1:9/ocsp'], certificateHashData: hash('01') },
        { source: 'CRL', urls: ['http://127.0.0.1:9/crl'], certificateHashData: hash('02') },
      ],
    });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(answer[0]).toBe(3);
    expect(v.safeParse(v21.responseSchemas.GetCertificateChainStatus, answer[2]).success).toBe(true);
    expect(answer[2]).toEqual({
      certificateStatus: [
        {
          certificateHashData: hash('01'),
          source: 'OCSP',
          status: 'Failed',
          nextUpdate: expect.any(String),
          customData: { vendorId: 'ocpp-csms-workers', reason: expect.stringContaining('not among the configured trust roots') },
        },
        {
          certificateHashData: hash('02'),
          source: 'CRL',
          status: 'Failed',
          nextUpdate: expect.any(String),
          customData: { vendorId: 'ocpp-csms-workers', reason: expect.stringContaining('OCSP only') },
        },
      ],
    });
    cp.close();
  });
});

describe('2.1 firmware publishing (carried over from 2.0.1)', () => {
  it('PublishFirmware and UnpublishFirmware go through the command route; PublishFirmwareStatusNotification is kept and shown as progress', async () => {
    const cp = await booted();
    const publish = { location: 'https://firmware.example/fw.bin', checksum: 'a'.repeat(32), requestId: 77 };
    const { res, call } = await commandAnswered(cp, 'PublishFirmware', publish, { status: 'Accepted' });
    expect(res.status).toBe(200);
    expect(call[3]).toEqual(publish);
    expect(await cp.call('PublishFirmwareStatusNotification', { status: 'Published', location: ['http://cp.local/fw.bin'], requestId: 77 })).toEqual([
      3,
      expect.any(String),
      {},
    ]);
    const reports = await json(await api('GET', `/chargers/${cp.id}/reports?action=PublishFirmwareStatusNotification`));
    expect(reports.reports).toEqual([expect.objectContaining({ requestId: 77, payload: { status: 'Published', location: ['http://cp.local/fw.bin'], requestId: 77 } })]);
    const charger = await json(await api('GET', `/chargers/${cp.id}`));
    expect(charger.charger.progress.publishFirmware).toMatchObject({ action: 'PublishFirmwareStatusNotification', payload: { status: 'Published' } });
    const unpublished = await commandAnswered(cp, 'UnpublishFirmware', { checksum: 'a'.repeat(32) }, { status: 'Unpublished' });
    expect(await json(unpublished.res)).toEqual({ result: { status: 'Unpublished' } });
    cp.close();
  });
});
