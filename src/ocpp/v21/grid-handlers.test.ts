import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MemoryRecords } from '../../../test/support/memory-records';
import { answerCall } from '../dispatch';
import type { Call } from '../frames';
import type { HandlerContext } from '../handlers';
import { PROFILES } from '../protocol';
import * as v21 from './schemas.generated';

const NOW = new Date('2026-01-02T03:04:05.000Z');

async function answer(action: string, payload: object, records = new MemoryRecords(), extra: Partial<HandlerContext> = {}) {
  const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.1', messageId: 'm1', now: NOW, connectedAt: NOW, heartbeatIntervalSeconds: 120, records, ...extra };
  const call: Call = { type: 2, id: 'm1', action, payload: payload as Record<string, unknown> };
  const reply = JSON.parse(await answerCall(PROFILES['ocpp2.1'], call, ctx, { accepted: true }));
  if (reply[0] === 3) expect(v.safeParse((v21.responseSchemas as Record<string, v.GenericSchema>)[action]!, reply[2]).success).toBe(true);
  return reply;
}

describe('2.1 PullDynamicScheduleUpdate', () => {
  it('answers what the records hold, and InternalError when they cannot be read', async () => {
    const records = new MemoryRecords();
    records.dynamic.set(4, { profile: { kind: 'Dynamic', installedAt: '2026-01-01T00:00:00.000Z' }, update: { scheduleUpdate: { limit: 16 }, setAt: '2026-01-02T00:00:00.000Z' } });
    expect(await answer('PullDynamicScheduleUpdate', { chargingProfileId: 4 }, records)).toEqual([3, 'm1', { status: 'Accepted', scheduleUpdate: { limit: 16 } }]);
    expect((await answer('PullDynamicScheduleUpdate', { chargingProfileId: 5 }, records))[2]).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownProfile' } });
    records.failing = true;
    expect((await answer('PullDynamicScheduleUpdate', { chargingProfileId: 4 }, records)).slice(0, 3)).toEqual([4, 'm1', 'InternalError']);
  });
});

describe('2.1 BatterySwap and NotifyPriorityCharging', () => {
  it('keeps a swap with its token decided (GOOD is Accepted, others Invalid), and the message id for replays', async () => {
    const records = new MemoryRecords();
    const batteryData = [{ evseId: 1, serialNumber: 'B1', soC: 50, soH: 90 }];
    expect(await answer('BatterySwap', { eventType: 'BatteryIn', requestId: 3, idToken: { idToken: 'GOOD', type: 'ISO14443' }, batteryData }, records)).toEqual([3, 'm1', {}]);
    await answer('BatterySwap', { eventType: 'BatteryOut', requestId: 3, idToken: { idToken: 'BAD', type: 'ISO14443' }, batteryData }, records);
    expect(records.batterySwaps).toEqual([
      { requestId: 3, eventType: 'BatteryIn', idToken: 'GOOD', idTokenType: 'ISO14443', status: 'Accepted', batteryData, messageId: 'm1' },
      { requestId: 3, eventType: 'BatteryOut', idToken: 'BAD', idTokenType: 'ISO14443', status: 'Invalid', batteryData, messageId: 'm1' },
    ]);
    records.failing = true;
    const failed = await answer('BatterySwap', { eventType: 'BatteryIn', requestId: 3, idToken: { idToken: 'GOOD', type: 'ISO14443' }, batteryData }, records);
    expect(failed.slice(0, 3)).toEqual([4, 'm1', 'InternalError']);
  });

  it('keeps priority charging on its transaction', async () => {
    const records = new MemoryRecords();
    expect(await answer('NotifyPriorityCharging', { transactionId: 'tx-9', activated: true }, records)).toEqual([3, 'm1', {}]);
    expect(records.priorityCharging).toEqual([{ transactionId: 'tx-9', activated: true, messageId: 'm1' }]);
  });
});

describe('2.1 GetCertificateChainStatus', () => {
  const hash = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '01' };
  it('without an OCSP client, answers each certificate Failed with the reason at once', async () => {
    const reply = await answer('GetCertificateChainStatus', {
      certificateStatusRequests: [
        { source: 'OCSP', urls: ['http://ocsp.example/'], certificateHashData: hash },
        { source: 'OCSP', urls: ['http://ocsp.example/'], certificateHashData: { ...hash, serialNumber: '02' } },
      ],
    });
    expect(reply[2].certificateStatus).toEqual([
      { certificateHashData: hash, source: 'OCSP', status: 'Failed', nextUpdate: '2026-01-02T03:09:05.000Z', customData: { vendorId: 'ocpp-csms-workers', reason: 'no OCSP client' } },
      expect.objectContaining({ status: 'Failed', customData: { vendorId: 'ocpp-csms-workers', reason: 'no OCSP client' } }),
    ]);
  });

  it('never asks a responder for a certificate whose issuer is not trusted', async () => {
    const asked: string[] = [];
    const ocsp = { check: async (data: { responderURL: string }) => (asked.push(data.responderURL), { kind: 'error' as const, reason: 'unreachable' }) };
    const reply = await answer(
      'GetCertificateChainStatus',
      { certificateStatusRequests: [{ source: 'OCSP', urls: ['http://ocsp.example/'], certificateHashData: hash }] },
      new MemoryRecords(),
      { ocsp, trustedCertificates: async () => [] },
    );
    expect(reply[2].certificateStatus[0]).toMatchObject({ status: 'Failed', customData: { reason: expect.stringContaining('trust roots') } });
    expect(asked).toEqual([]);
  });
});
