// OCPP 2.1 tariffs, cost and payment through real sockets and D1: a stored tariff sent as SetDefaultTariff and
// ChangeTransactionTariff, what the charger holds (GetTariffs, ClearTariffs), the charger's own cost against the
// CSMS's price, NotifySettlement kept with its transaction, VatNumberValidation answered.
import { env } from 'cloudflare:workers';
import { OCPP21 } from 'typed-ocpp';
import { afterEach, describe, expect, it } from 'vitest';
import { toOcpp21Tariff } from '../../src/tariffs/ocpp21';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';
import { at, peakOffPeak, PEAK_SESSION_START, putTariff, transactionEvent, transactionView, uniqueTariffId } from './pricing-helpers';

const open: RawCharger[] = [];
afterEach(() => {
  for (const cp of open.splice(0)) cp.close();
});

async function charger21(tariffId?: string): Promise<RawCharger> {
  const chargerId = uniqueChargerId('T21');
  expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
  if (tariffId) expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
  const cp = await RawCharger.connect(chargerId, 'ocpp2.1');
  open.push(cp);
  expect(cp.protocol).toBe('ocpp2.1');
  expect((await cp.boot())[0]).toBe(3);
  return cp;
}

/** The next CALL the CSMS sends, checked to be `action` and valid per typed-ocpp's independent 2.1 validator; answered with `answer`. */
async function answerCall(cp: RawCharger, action: string, answer: unknown): Promise<any> {
  const call = await cp.next();
  expect(call.slice(0, 3)).toEqual([2, expect.any(String), action]);
  // typed-ocpp removes unknown properties in place: validate a copy.
  expect(OCPP21.validate(structuredClone(call)) ? [] : OCPP21.validate.errors).toEqual([]);
  cp.sendRaw(JSON.stringify([3, call[1], answer]));
  return call[3];
}

async function held(cp: RawCharger): Promise<any[]> {
  const res = await api('GET', `/chargers/${cp.id}/tariffs/installed`);
  expect(res.status).toBe(200);
  return ((await res.json()) as any).tariffs;
}

describe('SetDefaultTariff from a stored tariff', () => {
  it('sends the stored version as a 2.1 TariffType, records it as held, and prices server-side with the same tariff', async () => {
    const tariffId = uniqueTariffId('t21');
    const version = await putTariff(tariffId, peakOffPeak());
    const cp = await charger21();
    const pending = api('POST', `/chargers/${cp.id}/tariffs/default`, { tariffId });
    const payload = await answerCall(cp, 'SetDefaultTariff', { status: 'Accepted' });
    const res = await pending;
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    // Exactly the converter's output for the stored version: the charger prices what the CSMS prices.
    const stored = ((await (await api('GET', `/tariffs/${tariffId}`)).json()) as any).tariff;
    const expected = toOcpp21Tariff(stored);
    expect(expected.ok).toBe(true);
    expect(payload).toEqual({ evseId: 0, tariff: expected.ok ? expected.tariff : null });
    expect(payload.tariff.tariffId).toBe(`${tariffId}@${version}`);
    expect(body.result).toEqual({ status: 'Accepted' });
    expect(body.sent.omitted.map((o: any) => o.path)).toContain('time_zone');
    expect(body.assignment).toMatchObject({ scope: 'charger', tariffId });
    expect(await held(cp)).toEqual([
      expect.objectContaining({ ocppTariffId: `${tariffId}@${version}`, tariff: { id: tariffId, version }, kind: 'DefaultTariff', evseId: 0, source: 'SetDefaultTariff' }),
    ]);
    const resolution = (await (await api('GET', `/chargers/${cp.id}/tariff`)).json()) as any;
    expect(resolution.tariff.id).toBe(tariffId);

    // A changed tariff sent again takes the place of the version the charger had.
    const next = await putTariff(tariffId, peakOffPeak(2));
    const again = api('POST', `/chargers/${cp.id}/tariffs/default`, { tariffId });
    expect((await answerCall(cp, 'SetDefaultTariff', { status: 'Accepted' })).tariff.tariffId).toBe(`${tariffId}@${next}`);
    expect((await again).status).toBe(200);
    expect((await held(cp)).map((t: any) => t.tariff)).toEqual([{ id: tariffId, version: next }]);
  });

  it('records nothing when the charger refuses, and sends nothing for a tariff 2.1 cannot express', async () => {
    const tariffId = uniqueTariffId('t21');
    await putTariff(tariffId, peakOffPeak());
    const cp = await charger21();
    const pending = api('POST', `/chargers/${cp.id}/tariffs/default`, { tariffId, evseId: 1, assign: false });
    expect((await answerCall(cp, 'SetDefaultTariff', { status: 'ConditionNotSupported' })).evseId).toBe(1);
    expect(((await (await pending).json()) as any).result.status).toBe('ConditionNotSupported');
    expect(await held(cp)).toEqual([]);

    const stepped = uniqueTariffId('t21');
    await putTariff(stepped, { currency: 'EUR', elements: [{ price_components: [{ type: 'TIME', price: 2, step_size: 900 }] }] });
    const refused = await api('POST', `/chargers/${cp.id}/tariffs/default`, { tariffId: stepped });
    expect(refused.status).toBe(422);
    const error = ((await refused.json()) as any).error;
    expect(error.code).toBe('TariffNotExpressible');
    expect(error.issues).toEqual([{ path: 'elements.0.price_components.0.step_size', reason: expect.stringMatching(/no step size/) }]);
    await expect(cp.next(300)).rejects.toThrow(/no frame/);
  });
});

describe('what a 2.1 charger holds', () => {
  it('records a hand-written SetDefaultTariff sent through the generic command route too', async () => {
    const cp = await charger21();
    const payload = { evseId: 2, tariff: { tariffId: 'hand-made', currency: 'EUR', energy: { prices: [{ priceKwh: 0.3 }] } } };
    const { res } = await commandAnswered(cp, 'SetDefaultTariff', payload, { status: 'Accepted' });
    expect(res.status).toBe(200);
    expect(await held(cp)).toEqual([expect.objectContaining({ ocppTariffId: 'hand-made', tariff: null, evseId: 2, kind: 'DefaultTariff' })]);
  });

  it('GetTariffs replaces the record, ClearTariffs removes what was cleared', async () => {
    const tariffId = uniqueTariffId('t21');
    const version = await putTariff(tariffId, peakOffPeak());
    const cp = await charger21();
    const set = api('POST', `/chargers/${cp.id}/tariffs/default`, { tariffId });
    await answerCall(cp, 'SetDefaultTariff', { status: 'Accepted' });
    expect((await set).status).toBe(200);

    const asked = api('POST', `/chargers/${cp.id}/tariffs/installed`);
    expect(await answerCall(cp, 'GetTariffs', { status: 'Accepted', tariffAssignments: [{ tariffId: 'vendor-1', tariffKind: 'DefaultTariff', evseIds: [1, 2] }] })).toEqual({
      evseId: 0,
    });
    const view = (await (await asked).json()) as any;
    expect(view.asked).toEqual({ ok: true, result: expect.objectContaining({ status: 'Accepted' }) });
    // The charger's answer is the truth: the tariff set before is no longer there.
    expect(view.tariffs.map((t: any) => [t.ocppTariffId, t.evseId, t.tariff, t.source])).toEqual([
      ['vendor-1', 1, null, 'GetTariffs'],
      ['vendor-1', 2, null, 'GetTariffs'],
    ]);

    const cleared = api('DELETE', `/chargers/${cp.id}/tariffs?tariffId=vendor-1&evseId=2`);
    expect(await answerCall(cp, 'ClearTariffs', { clearTariffsResult: [{ tariffId: 'vendor-1', status: 'Accepted' }] })).toEqual({ tariffIds: ['vendor-1'], evseId: 2 });
    expect((await cleared).status).toBe(200);
    expect((await held(cp)).map((t: any) => [t.ocppTariffId, t.evseId])).toEqual([['vendor-1', 1]]);
    expect(version).toBe(1);
  });
});

/** A 2.1 TransactionEvent: the 2.0.1 one of pricing-helpers, with the charger's own cost when given. */
function event21(tx: string, seqNo: number, type: 'Started' | 'Updated' | 'Ended', minutes: number, wh: number, cost?: { exclTax: number; inclTax: number }) {
  return {
    ...transactionEvent(tx, seqNo, type, at(PEAK_SESSION_START, minutes), wh, 'T21-TAG'),
    ...(cost
      ? {
          costDetails: {
            totalCost: { currency: 'EUR', typeOfCost: 'NormalCost', total: cost },
            totalUsage: { energy: wh, chargingTime: minutes * 60, idleTime: 0 },
          },
        }
      : {}),
  };
}

async function send(cp: RawCharger, payload: unknown): Promise<unknown> {
  const answer = await cp.call('TransactionEvent', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
  return answer[2];
}

describe('ChangeTransactionTariff', () => {
  it('sends the stored tariff for a running transaction and records it; an ended one is refused', async () => {
    const tariffId = uniqueTariffId('t21');
    const version = await putTariff(tariffId, peakOffPeak());
    const cp = await charger21();
    await send(cp, event21('tx-change', 0, 'Started', 0, 0));
    const pending = api('POST', `/chargers/${cp.id}/transactions/tx-change/tariff`, { tariffId });
    const payload = await answerCall(cp, 'ChangeTransactionTariff', { status: 'Accepted' });
    expect(payload.transactionId).toBe('tx-change');
    expect(payload.tariff.tariffId).toBe(`${tariffId}@${version}`);
    expect(((await (await pending).json()) as any).result).toEqual({ status: 'Accepted' });
    expect(await held(cp)).toEqual([expect.objectContaining({ kind: 'DriverTariff', transactionId: 'tx-change', evseId: null, tariff: { id: tariffId, version } })]);

    await send(cp, event21('tx-change', 1, 'Ended', 60, 9_000));
    await env.CHARGERS.getByName(cp.id).flushNow();
    const late = await api('POST', `/chargers/${cp.id}/transactions/tx-change/tariff`, { tariffId });
    expect(late.status).toBe(409);
    expect((await api('POST', `/chargers/${cp.id}/transactions/nope/tariff`, { tariffId })).status).toBe(404);
  });
});

describe("a 2.1 charger's own cost (costDetails)", () => {
  it('is kept with the transaction; equal to the CSMS price within rounding it flags nothing, different it flags charger-cost-differs', async () => {
    const tariffId = uniqueTariffId('t21');
    await putTariff(tariffId, peakOffPeak());
    const cp = await charger21(tariffId);
    // 5 kWh at 0.40 before 23:00, 4 kWh at 0.25 after, 0.50 fee: 3.50 excl. VAT, 4.20 incl.
    const session = async (tx: string, final: { exclTax: number; inclTax: number }) => {
      await send(cp, event21(tx, 0, 'Started', 0, 0));
      await send(cp, event21(tx, 1, 'Updated', 30, 5_000, { exclTax: 2.5, inclTax: 3 }));
      await send(cp, event21(tx, 2, 'Ended', 60, 9_000, final));
      await env.CHARGERS.getByName(cp.id).flushNow();
      return transactionView(cp, tx);
    };
    const same = await session('tx-same', { exclTax: 3.504, inclTax: 4.2 });
    expect(same.cost.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.2 });
    expect(same.chargerCost).toMatchObject({ seqNo: 2, final: true, currency: 'EUR', exclTax: 3.504, inclTax: 4.2 });
    expect(same.flags).not.toContain('charger-cost-differs');

    const other = await session('tx-other', { exclTax: 4.5, inclTax: 5.4 });
    // Never silently replaced: the CSMS's price stays, the charger's is beside it, the transaction is flagged.
    expect(other.cost.total_cost).toEqual({ excl_vat: 3.5, incl_vat: 4.2 });
    expect(other.chargerCost).toMatchObject({ final: true, exclTax: 4.5 });
    expect(other.flags).toContain('charger-cost-differs');
    expect(other.anomalies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'charger-cost-differs',
          detail: { charger: { currency: 'EUR', exclTax: 4.5, inclTax: 5.4 }, csms: expect.objectContaining({ excl_vat: 3.5, incl_vat: 4.2 }) },
        }),
      ]),
    );
  });
});

describe('NotifySettlement and VatNumberValidation', () => {
  it('keeps a settlement with its transaction, once however often it is sent', async () => {
    const cp = await charger21();
    await send(cp, event21('tx-pay', 0, 'Started', 0, 0));
    await send(cp, event21('tx-pay', 1, 'Ended', 60, 9_000));
    const settlement = {
      transactionId: 'tx-pay',
      pspRef: 'psp-77',
      status: 'Settled',
      settlementAmount: 4.2,
      settlementTime: '2026-01-15T23:31:00Z',
      receiptId: 'R-1',
      receiptUrl: 'https://receipts.example/R-1',
      vatNumber: 'NL123456789B01',
      vatCompany: { name: 'Acme BV', address1: 'Main 1', city: 'Utrecht', country: 'NL' },
    };
    expect(await cp.call('NotifySettlement', settlement)).toEqual([3, expect.any(String), {}]);
    expect(await cp.call('NotifySettlement', settlement)).toEqual([3, expect.any(String), {}]);
    const view = await transactionView(cp, 'tx-pay');
    expect(view.settlement).toEqual({
      transactionId: 'tx-pay',
      pspRef: 'psp-77',
      status: 'Settled',
      statusInfo: null,
      amount: 4.2,
      settledAt: '2026-01-15T23:31:00.000Z',
      receiptId: 'R-1',
      receiptUrl: 'https://receipts.example/R-1',
      vatNumber: 'NL123456789B01',
      vatCompany: settlement.vatCompany,
      receivedAt: expect.any(String),
    });
    expect(view.settlements).toHaveLength(1);

    // Listed in the project's CDR (not an OCPI field) and its CSV.
    const range = `from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z&chargerId=${cp.id}`;
    const { cdrs } = (await (await api('GET', `/cdrs?${range}`)).json()) as any;
    expect(cdrs.map((cdr: any) => [cdr.session_id, cdr.payment])).toEqual([
      [
        'tx-pay',
        {
          psp_ref: 'psp-77',
          status: 'Settled',
          amount: 4.2,
          settled_at: '2026-01-15T23:31:00.000Z',
          receipt_id: 'R-1',
          receipt_url: 'https://receipts.example/R-1',
          vat_number: 'NL123456789B01',
        },
      ],
    ]);
    const csv = await (await api('GET', `/cdrs?${range}&format=csv`)).text();
    const [header, line] = csv.trim().split('\r\n').map((l) => l.split(','));
    const cell = (name: string) => line![header!.indexOf(name)];
    expect([cell('payment_status'), cell('payment_amount'), cell('payment_psp_ref'), cell('payment_receipt_id')]).toEqual(['Settled', '4.2', 'psp-77', 'R-1']);
  });

  it('answers VatNumberValidation Rejected, saying no VAT service is configured', async () => {
    const cp = await charger21();
    const answer = await cp.call('VatNumberValidation', { vatNumber: 'NL123456789B01', evseId: 1 });
    expect(answer).toEqual([
      3,
      expect.any(String),
      { vatNumber: 'NL123456789B01', evseId: 1, status: 'Rejected', statusInfo: { reasonCode: 'NoVatService', additionalInfo: expect.any(String) } },
    ]);
  });
});
