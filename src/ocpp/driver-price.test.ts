// What the driver is shown of a price (issue 14, I01/I02; 1.6 California Pricing): capability reading and message shapes.
import { describe, expect, it } from 'vitest';
import type { Setting } from './settings';
import { costMessage, finalCostData, personalMessage, priceDisplayFromSettings, runningCostData, setUserPriceData } from './driver-price';
import type { CostBreakdown } from '../tariffs/cost';
import type { TariffBody } from '../tariffs/model';

function setting(component: string, variable: string, variableInstance: string, value: string | null, attributeType = 'Actual'): Setting {
  return { component, componentInstance: '', evseId: null, connectorId: null, variable, variableInstance, attributeType, value, mutability: null, characteristics: null, source: 'test', updatedAt: '' };
}

describe('priceDisplayFromSettings', () => {
  it('I01 I02: TariffCostCtrlr.Enabled[Tariff] / [Cost] (any case), 1.6 CustomDisplayCostAndPrice; other attributes and variables say nothing', () => {
    expect(
      priceDisplayFromSettings([
        setting('TariffCostCtrlr', 'Enabled', 'Tariff', 'true'),
        setting('tariffcostctrlr', 'enabled', 'cost', 'FALSE'),
        setting('', 'CustomDisplayCostAndPrice', '', 'True'),
      ]),
    ).toEqual({ tariff: true, cost: false, californiaPricing: true });
    expect(
      priceDisplayFromSettings([
        setting('TariffCostCtrlr', 'Enabled', 'Cost', 'true', 'Target'),
        setting('TariffCostCtrlr', 'Available', 'Cost', 'true'),
        setting('TariffCostCtrlr', 'Enabled', 'Cost', null),
        setting('OCPPCommCtrlr', 'Enabled', 'Cost', 'true'),
      ]),
    ).toEqual({});
  });
});

const TARIFF: TariffBody = {
  currency: 'EUR',
  time_zone: 'UTC',
  tariff_alt_text: [
    { language: 'en', text: 'x'.repeat(600) },
    { language: 'de', text: 'Preis' },
  ],
  elements: [
    { price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }, { type: 'TIME', price: 1, step_size: 1 }] },
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 20, step_size: 1 }, { type: 'PARKING_TIME', price: 2, vat: 20, step_size: 1 }] },
  ],
} as TariffBody;

describe('message shapes', () => {
  it('I01: personalMessage in the asked language, else the first; content cut to MessageContentType 512', () => {
    expect(personalMessage(TARIFF, 'de-DE')).toEqual({ format: 'UTF8', language: 'de', content: 'Preis' });
    expect(personalMessage(TARIFF)?.content).toHaveLength(512);
    expect(personalMessage({})).toBeUndefined();
  });

  it('1.6 California Pricing: data is the JSON text; SetUserPrice, RunningCost (unit prices incl. VAT), FinalCost', () => {
    const userPrice = costMessage('SetUserPrice', setUserPriceData('TAG', TARIFF)!);
    expect(userPrice).toMatchObject({ vendorId: 'org.openchargealliance.costmsg', messageId: 'SetUserPrice' });
    expect(JSON.parse(userPrice.data)).toMatchObject({ idToken: 'TAG', priceTextExtra: [{ format: 'UTF8', language: 'de', content: 'Preis' }] });
    const cost = {
      charging_periods: [
        { start_date_time: 'a', dimensions: [], tariff_elements: { ENERGY: 0, TIME: 0 } },
        { start_date_time: 'b', dimensions: [], tariff_elements: { PARKING_TIME: 1 } },
      ],
      flat_element: 1,
      total_energy: 2,
      total_cost: { excl_vat: 1, incl_vat: 1.2 },
    } as unknown as CostBreakdown;
    expect(runningCostData({ transactionId: 7, at: 'T', cost, tariff: TARIFF, registerWh: null, charging: false })).toEqual({
      transactionId: 7,
      timestamp: 'T',
      meterValue: 2000,
      cost: 1.2,
      state: 'Idle',
      chargingPrice: { kWhPrice: 0.48, hourPrice: 1, flatFee: 0.6 },
      idlePrice: { hourPrice: 2.4 },
    });
    expect(finalCostData(7, 4.92, 'EUR')).toEqual({ transactionId: 7, cost: 4.92, priceText: 'Total EUR 4.92' });
  });
});
