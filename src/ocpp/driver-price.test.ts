// What the driver is shown of a price (issue 14, I01/I02; 1.6 California Pricing): capability reading and message shapes.
import { describe, expect, it } from 'vitest';
import type { Setting } from './settings';
import {
  costMessage,
  defaultPriceValue,
  fallbackTexts,
  finalCostData,
  personalMessage,
  priceDisplayFromSettings,
  priceInEffect,
  runningCostData,
  setUserPriceData,
  updatedPersonalMessage,
} from './driver-price';
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

describe('fallback texts, the price in effect, amounts (I04, I05, I06; 1.6 DefaultPrice, FinalCost)', () => {
  it('I04 I05: the fallback texts and the UI language a charger reported are learnt (the plain variables only)', () => {
    expect(
      priceDisplayFromSettings([
        setting('TariffCostCtrlr', 'TariffFallbackMessage', '', 'Ask us'),
        setting('TariffCostCtrlr', 'TotalCostFallbackMessage', '', 'See receipt'),
        setting('TariffCostCtrlr', 'TariffFallbackMessage', 'nl', 'Vraag ons'),
        setting('DisplayMessageCtrlr', 'Language', '', 'nl'),
        setting('', 'DefaultPrice', '', '{"priceText":"x"}'),
      ]),
    ).toEqual({ tariffFallback: 'Ask us', totalCostFallback: 'See receipt', language: 'nl', defaultPrice: '{"priceText":"x"}' });
  });

  it('I04: the tariff fallback is the tariff text in the charger language, else the first; none without a tariff or a text', () => {
    expect(fallbackTexts(TARIFF, 'See receipt', 'de')).toEqual({ tariff: 'Preis', totalCost: 'See receipt' });
    expect(fallbackTexts(null, '')).toEqual({});
    expect(fallbackTexts({}, 'x')).toEqual({ totalCost: 'x' });
  });

  it('1.6 California Pricing: DefaultPrice is {priceText, priceTextOffline} as JSON within a ChangeConfiguration value (500)', () => {
    expect(JSON.parse(defaultPriceValue({ tariff: 'A', totalCost: 'B' })!)).toEqual({ priceText: 'A', priceTextOffline: 'B' });
    const long = defaultPriceValue({ tariff: 'a'.repeat(512), totalCost: 'b'.repeat(512) })!;
    expect(long.length).toBeLessThanOrEqual(500);
    expect(JSON.parse(long)).toMatchObject({ priceText: expect.stringMatching(/^a+$/), priceTextOffline: expect.stringMatching(/^b+$/) });
    for (const [a, b] of [[100, 600], [512, 3], [0, 512]] as const) {
      const value = defaultPriceValue({ tariff: 'a'.repeat(a), totalCost: 'b'.repeat(b) })!;
      expect(value.length).toBeLessThanOrEqual(500);
      expect(value.length).toBeGreaterThan(480);
    }
    expect(defaultPriceValue({})).toBeUndefined();
  });

  it('1.6 FinalCost: the amount in the tariff currency to its minor units', () => {
    expect(finalCostData(7, 4.9, 'EUR')).toEqual({ transactionId: 7, cost: 4.9, priceText: 'Total EUR 4.90' });
    expect(finalCostData(7, 120, 'JPY')).toMatchObject({ priceText: 'Total JPY 120' });
    expect(finalCostData(7, 1.5, 'KWD')).toMatchObject({ priceText: 'Total KWD 1.500' });
  });

  it('I06: the price in effect changes with the element that priced a dimension last; the message is the text and that price, in the language asked', () => {
    const period = (el: Partial<Record<'ENERGY' | 'TIME' | 'PARKING_TIME', number>>) => ({ start_date_time: 'a', dimensions: [], tariff_elements: el });
    expect(priceInEffect(TARIFF, { charging_periods: [] })).toEqual({ key: '', line: '' });
    const charging = priceInEffect(TARIFF, { charging_periods: [period({ ENERGY: 0, TIME: 0 })] } as never);
    expect(charging.line).toBe('Now: EUR 0.48/kWh, EUR 1.00/h');
    const idle = priceInEffect(TARIFF, { charging_periods: [period({ ENERGY: 0, TIME: 0 }), period({ PARKING_TIME: 1 })] } as never);
    expect(idle.key).not.toBe(charging.key);
    expect(idle.line).toBe('Now: EUR 0.48/kWh, EUR 1.00/h, EUR 2.40/h idle');
    expect(updatedPersonalMessage(TARIFF, charging.line, 'de')).toEqual({ format: 'UTF8', language: 'de', content: 'Preis\nNow: EUR 0.48/kWh, EUR 1.00/h' });
    expect(updatedPersonalMessage(TARIFF, charging.line)?.content).toHaveLength(512);
    expect(updatedPersonalMessage({ ...TARIFF, tariff_alt_text: [] }, '')).toBeUndefined();
  });

  it('1.6 SetUserPrice: the token language first, the other texts after it', () => {
    expect(setUserPriceData('TAG', TARIFF, 'de')).toEqual({
      idToken: 'TAG',
      priceText: 'Preis',
      priceTextExtra: [{ format: 'UTF8', language: 'en', content: 'x'.repeat(512) }],
    });
  });
});
