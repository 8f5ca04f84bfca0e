import { describe, expect, it } from 'vitest';
import { chargerCostOf, tariffFactsFromCommand } from './tariff-facts';

const NOW = '2026-01-02T03:04:05.000Z';
const tariff = (tariffId: string) => ({ tariffId, currency: 'EUR', energy: { prices: [{ priceKwh: 0.3 }] } });

describe('tariffFactsFromCommand', () => {
  it('records an accepted SetDefaultTariff, with the project version its id names, and nothing refused or for 2.0.1', () => {
    expect(tariffFactsFromCommand('ocpp2.1', 'SetDefaultTariff', { evseId: 0, tariff: tariff('std@4') }, { status: 'Accepted' }, NOW)).toEqual([
      {
        op: 'installed',
        via: 'SetDefaultTariff',
        at: NOW,
        held: { ocppTariffId: 'std@4', tariff: { id: 'std', version: 4 }, kind: 'DefaultTariff', evseId: 0, transactionId: null, idTokens: null, validFrom: null },
      },
    ]);
    expect(tariffFactsFromCommand('ocpp2.1', 'SetDefaultTariff', { evseId: 0, tariff: tariff('std@4') }, { status: 'DuplicateTariffId' }, NOW)).toEqual([]);
    expect(tariffFactsFromCommand('ocpp2.0.1', 'SetDefaultTariff', { evseId: 0, tariff: tariff('std@4') }, { status: 'Accepted' }, NOW)).toEqual([]);
  });

  it('records a transaction tariff without an EVSE', () => {
    const [fact] = tariffFactsFromCommand('ocpp2.1', 'ChangeTransactionTariff', { transactionId: 'tx', tariff: tariff('hand-made') }, { status: 'Accepted' }, NOW);
    expect(fact).toMatchObject({ op: 'installed', held: { ocppTariffId: 'hand-made', tariff: null, kind: 'DriverTariff', evseId: null, transactionId: 'tx' } });
  });

  it('clears what the charger cleared or does not have, all of them when no ids were named', () => {
    const clear = (request: object, results: object[]) => tariffFactsFromCommand('ocpp2.1', 'ClearTariffs', request, { clearTariffsResult: results }, NOW);
    expect(clear({ tariffIds: ['a', 'b', 'c'], evseId: 1 }, [{ tariffId: 'a', status: 'Accepted' }, { tariffId: 'b', status: 'Rejected' }, { tariffId: 'c', status: 'NoTariff' }])).toEqual([
      { op: 'cleared', ocppTariffIds: ['a', 'c'], evseId: 1, at: NOW },
    ]);
    expect(clear({}, [{ status: 'NoTariff' }])).toEqual([{ op: 'cleared', ocppTariffIds: null, evseId: null, at: NOW }]);
    expect(clear({}, [{ tariffId: 'a', status: 'Rejected' }])).toEqual([]);
  });

  it('takes a GetTariffs answer as what the charger holds where it was asked', () => {
    const get = (evseId: number, result: object) => tariffFactsFromCommand('ocpp2.1', 'GetTariffs', { evseId }, result, NOW);
    expect(get(0, { status: 'NoTariff' })).toEqual([{ op: 'reported', evseId: 0, held: [], at: NOW }]);
    expect(get(0, { status: 'Rejected' })).toEqual([]);
    const [reported] = get(2, {
      status: 'Accepted',
      tariffAssignments: [
        { tariffId: 'x@1', tariffKind: 'DefaultTariff' },
        { tariffId: 'drv', tariffKind: 'DriverTariff', idTokens: ['TAG1'] },
        { tariffId: 'y', tariffKind: 'DefaultTariff', evseIds: [1, 2], validFrom: '2026-03-01T00:00:00Z' },
      ],
    });
    expect(reported).toMatchObject({ op: 'reported', evseId: 2 });
    expect((reported as { held: unknown[] }).held.map((h: any) => [h.ocppTariffId, h.evseId, h.tariff, h.idTokens, h.validFrom])).toEqual([
      ['x@1', 2, { id: 'x', version: 1 }, null, null],
      ['drv', null, null, ['TAG1'], null],
      ['y', 1, null, null, '2026-03-01T00:00:00Z'],
      ['y', 2, null, null, '2026-03-01T00:00:00Z'],
    ]);
  });
});

describe('chargerCostOf', () => {
  const event = (eventType: string, costDetails?: object) => ({
    eventType,
    timestamp: NOW,
    triggerReason: 'EVDeparted',
    seqNo: 3,
    transactionInfo: { transactionId: 'tx' },
    ...(costDetails ? { costDetails } : {}),
  });
  const details = (total: object, currency = 'JPY', failureToCalculate?: boolean) => ({
    totalCost: { currency, typeOfCost: 'NormalCost', total },
    totalUsage: { energy: 1000, chargingTime: 60, idleTime: 0 },
    ...(failureToCalculate ? { failureToCalculate } : {}),
  });

  it('takes the totals, final from an Ended event, with one minor unit of the currency as the rounding tolerance', () => {
    expect(chargerCostOf('ocpp2.1', event('Ended', details({ exclTax: 100, inclTax: 110 })), NOW)).toMatchObject({
      transactionId: 'tx',
      seqNo: 3,
      final: true,
      currency: 'JPY',
      exclTax: 100,
      inclTax: 110,
      tolerance: 1,
    });
    expect(chargerCostOf('ocpp2.1', event('Updated', details({ exclTax: 1 }, 'EUR')), NOW)).toMatchObject({ final: false, exclTax: 1, inclTax: null, tolerance: 0.01 });
  });

  it('has no totals to compare when the charger failed to calculate, and nothing without costDetails or before 2.1', () => {
    expect(chargerCostOf('ocpp2.1', event('Ended', details({ exclTax: 0 }, 'EUR', true)), NOW)).toMatchObject({ exclTax: null, inclTax: null });
    expect(chargerCostOf('ocpp2.1', event('Ended'), NOW)).toBeUndefined();
    expect(chargerCostOf('ocpp2.0.1', event('Ended', details({ exclTax: 1 })), NOW)).toBeUndefined();
  });
});
