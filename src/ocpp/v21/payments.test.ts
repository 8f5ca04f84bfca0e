import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRecords } from '../../../test/support/memory-records';
import { answerCall } from '../dispatch';
import type { Call } from '../frames';
import type { HandlerContext } from '../handlers';
import { PROFILES } from '../protocol';
import { NO_VAT_SERVICE_STATUS_INFO, registerVatNumberValidator } from './payments';

const NOW = new Date('2026-01-02T03:04:05.000Z');

async function answer(action: string, payload: object, records = new MemoryRecords()) {
  const ctx: HandlerContext = { chargerId: 'CP1', version: 'ocpp2.1', messageId: 'id1', now: NOW, connectedAt: NOW, heartbeatIntervalSeconds: 120, records };
  const call: Call = { type: 2, id: 'id1', action, payload: payload as Record<string, unknown> };
  return JSON.parse(await answerCall(PROFILES['ocpp2.1'], call, ctx, { accepted: true }));
}

afterEach(() => registerVatNumberValidator(undefined));

describe('VatNumberValidation', () => {
  it('is Rejected with a reason while no VAT service is plugged in, and kept for the operator', async () => {
    const records = new MemoryRecords();
    expect(await answer('VatNumberValidation', { vatNumber: 'NL1', evseId: 2 }, records)).toEqual([
      3,
      'id1',
      { vatNumber: 'NL1', evseId: 2, status: 'Rejected', statusInfo: NO_VAT_SERVICE_STATUS_INFO },
    ]);
    expect(records.reports.map((r) => r.action)).toEqual(['VatNumberValidation']);
  });

  it('asks a registered validator: Accepted with the company, Rejected when invalid or when it cannot answer', async () => {
    const company = { name: 'Acme BV', address1: 'Main 1', city: 'Utrecht', country: 'NL' };
    const asked: unknown[] = [];
    registerVatNumberValidator(async (vatNumber, context) => {
      asked.push([vatNumber, context]);
      if (vatNumber === 'DOWN') throw new Error('VIES is down');
      return vatNumber === 'NL123' ? { valid: true, company } : { valid: false, reason: 'unknown number' };
    });
    expect((await answer('VatNumberValidation', { vatNumber: 'NL123' }))[2]).toEqual({ vatNumber: 'NL123', status: 'Accepted', company });
    expect((await answer('VatNumberValidation', { vatNumber: 'NL999' }))[2]).toEqual({
      vatNumber: 'NL999',
      status: 'Rejected',
      statusInfo: { reasonCode: 'InvalidVatNumber', additionalInfo: 'unknown number' },
    });
    expect((await answer('VatNumberValidation', { vatNumber: 'DOWN' }))[2]).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'VatServiceError' } });
    expect(asked[0]).toEqual(['NL123', { chargerId: 'CP1' }]);
  });
});

describe('NotifySettlement', () => {
  it('is kept as sent and as a settlement of its transaction before the answer', async () => {
    const records = new MemoryRecords();
    const reply = await answer(
      'NotifySettlement',
      { transactionId: 'tx1', pspRef: 'psp', status: 'Failed', statusInfo: 'card declined', settlementAmount: 12.5, settlementTime: '2026-01-02T03:00:00Z' },
      records,
    );
    expect(reply).toEqual([3, 'id1', {}]);
    expect(records.tariffFacts).toEqual([
      {
        op: 'settlement',
        settlement: {
          transactionId: 'tx1',
          pspRef: 'psp',
          status: 'Failed',
          statusInfo: 'card declined',
          amount: 12.5,
          settledAt: '2026-01-02T03:00:00.000Z',
          receiptId: null,
          receiptUrl: null,
          vatNumber: null,
          vatCompany: null,
          receivedAt: NOW.toISOString(),
        },
      },
    ]);
    expect(records.reports.map((r) => r.action)).toEqual(['NotifySettlement']);
  });
});
