// 2.1 NotifyEVChargingNeeds and NotifyAllowedEnergyTransfer, on in-memory records: what is kept, when, and what is answered.

import { describe, expect, it } from 'vitest';
import { answerCall } from '../dispatch';
import type { Call } from '../frames';
import type { HandlerContext } from '../handlers';
import { PROFILES } from '../protocol';
import { v2xChangesFromCommand } from '../v2x-changes';
import { MemoryRecords } from '../../../test/support/memory-records';

const NOW = new Date('2026-01-02T03:04:05.000Z');
const TX = { id: 'tx-9', startedAt: '2026-01-02T03:00:00.000Z' };

async function answer(payload: object, records: MemoryRecords) {
  const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.1', messageId: 'id1', now: NOW, connectedAt: NOW, heartbeatIntervalSeconds: 120, records };
  const call: Call = { type: 2, id: 'id1', action: 'NotifyEVChargingNeeds', payload: payload as Record<string, unknown> };
  return JSON.parse(await answerCall(PROFILES['ocpp2.1'], call, ctx, { accepted: true }));
}

const needs = {
  evseId: 1,
  chargingNeeds: {
    requestedEnergyTransfer: 'AC_BPT',
    availableEnergyTransfer: ['AC_BPT'],
    controlMode: 'DynamicControl',
    mobilityNeedsMode: 'EVCC',
    v2xChargingParameters: { maxChargePower: 7400, maxDischargePower: 3000 },
    customData: { vendorId: 'acme', password: 'hunter2-hunter2' },
  },
};

describe('2.1 NotifyEVChargingNeeds', () => {
  it('keeps the needs with the running transaction before answering, a vendor secret redacted, and queues the TxProfile', async () => {
    const records = new MemoryRecords();
    records.smart = {
      profiles: [{ id: 1, stackLevel: 0, purpose: 'ChargePointMaxProfile', kind: 'Absolute', evseId: 0, schedules: [{ startSchedule: '2026-01-01T00:00:00Z', chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 11000 }] }] }],
      payloads: new Map(),
      transaction: TX,
    };
    expect(await answer(needs, records)).toEqual([3, 'id1', { status: 'Accepted' }]);
    expect(records.v2x).toEqual([
      { transactionId: 'tx-9', evseId: 1, at: NOW.toISOString(), needs: { ...needs.chargingNeeds, customData: { vendorId: 'acme', password: '<redacted>' } } },
    ]);
    expect(records.queued.map((q) => q.action)).toEqual(['SetChargingProfile']);
    expect(JSON.stringify(records.v2x)).not.toContain('hunter2');
  });

  it('keeps nothing with a transaction when none runs on the EVSE, and answers Rejected', async () => {
    const records = new MemoryRecords();
    const reply = await answer(needs, records);
    expect(reply[2]).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NoTransaction' } });
    expect(records.v2x).toEqual([]);
    expect(records.reports.map((r) => r.action)).toEqual(['NotifyEVChargingNeeds']);
  });

  it('answers InternalError, and queues nothing, when the needs cannot be kept', async () => {
    const records = new MemoryRecords();
    records.smart = { profiles: [], payloads: new Map(), transaction: TX };
    records.failing = true;
    const reply = await answer(needs, records);
    expect(reply.slice(0, 3)).toEqual([4, 'id1', 'InternalError']);
    expect(records.queued).toEqual([]);
  });
});

describe('NotifyAllowedEnergyTransfer answers', () => {
  const request = { transactionId: 'tx-9', allowedEnergyTransfer: ['AC_three_phase', 'AC_BPT'] };
  it('record the allowed modes per transaction only when Accepted', () => {
    expect(v2xChangesFromCommand('NotifyAllowedEnergyTransfer', request, { status: 'Accepted' }, NOW.toISOString())).toEqual([
      { transactionId: 'tx-9', at: NOW.toISOString(), allowedEnergyTransfer: ['AC_three_phase', 'AC_BPT'] },
    ]);
    expect(v2xChangesFromCommand('NotifyAllowedEnergyTransfer', request, { status: 'Rejected' }, NOW.toISOString())).toEqual([]);
    expect(v2xChangesFromCommand('SetChargingProfile', request, { status: 'Accepted' }, NOW.toISOString())).toEqual([]);
  });
});
