import { OCPP21 } from 'typed-ocpp';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { SetDefaultTariffRequest } from '../ocpp/v21/schemas.generated';
import { parseTariffBody, type Tariff, type TariffBody } from './model';
import { ocpp21TariffId, parseOcpp21TariffId, toOcpp21Tariff } from './ocpp21';

function tariff(body: Record<string, unknown>, version = 3): Tariff {
  const parsed = parseTariffBody(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { ...(parsed.tariff as TariffBody), id: 'night-day', version, last_updated: '2026-01-01T00:00:00Z' };
}

/** The tariff must pass both the project's 2.1 schema and typed-ocpp's independent validator, as a SetDefaultTariff CALL. */
function expectValid21(t: unknown) {
  const payload = { evseId: 0, tariff: t };
  const ours = v.safeParse(SetDefaultTariffRequest, payload);
  expect(ours.success ? [] : ours.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`)).toEqual([]);
  // typed-ocpp's ajv removes unknown properties in place (removeAdditional): a copy, so what is compared later is ours.
  const call = [2, 'm1', 'SetDefaultTariff', structuredClone(payload)];
  const valid = OCPP21.validate(call);
  expect(valid ? [] : OCPP21.validate.errors).toEqual([]);
}

const EVERYTHING = {
  currency: 'EUR',
  type: 'REGULAR',
  time_zone: 'Europe/Amsterdam',
  tariff_alt_text: [
    { language: 'en', text: '0.30/kWh by day, 0.20 at night, 1.20/h parking' },
    { language: 'nl', text: '0,30/kWh overdag' },
  ],
  tariff_alt_url: 'https://example.com/tariffs/night-day',
  min_price: { excl_vat: 0.5, incl_vat: 0.61 },
  max_price: { excl_vat: 50, incl_vat: 60.5 },
  start_date_time: '2026-02-01T00:00:00Z',
  elements: [
    {
      price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 0 }],
    },
    {
      price_components: [
        { type: 'ENERGY', price: 0.2, vat: 21, step_size: 1 },
        { type: 'TIME', price: 1.2, vat: 21, step_size: 0 },
      ],
      restrictions: {
        start_time: '22:00',
        end_time: '06:00',
        day_of_week: ['MONDAY', 'FRIDAY'],
        start_date: '2026-02-01',
        end_date: '2027-01-01',
        min_kwh: 0.1,
        max_kwh: 40.5,
        min_current: 6,
        max_current: 32,
        min_power: 1.5,
        max_power: 22,
        min_duration: 60,
        max_duration: 36000,
      },
    },
    { price_components: [{ type: 'TIME', price: 3, vat: 21, step_size: 0 }], restrictions: { reservation: 'RESERVATION' } },
    {
      price_components: [
        { type: 'ENERGY', price: 0.3, vat: 21, step_size: 0 },
        { type: 'PARKING_TIME', price: 1.2, vat: 9, step_size: 0 },
      ],
    },
  ],
};

describe('toOcpp21Tariff', () => {
  it('expresses every element the model has, valid against the 2.1 schema and typed-ocpp', () => {
    const result = toOcpp21Tariff(tariff(EVERYTHING));
    if (!result.ok) throw new Error(JSON.stringify(result.refusals));
    expectValid21(result.tariff);
    expect(result.tariff).toEqual({
      tariffId: 'night-day@3',
      currency: 'EUR',
      description: [
        { format: 'UTF8', language: 'en', content: '0.30/kWh by day, 0.20 at night, 1.20/h parking' },
        { format: 'UTF8', language: 'nl', content: '0,30/kWh overdag' },
        { format: 'URI', content: 'https://example.com/tariffs/night-day' },
      ],
      validFrom: '2026-02-01T00:00:00Z',
      energy: {
        prices: [
          {
            priceKwh: 0.2,
            conditions: {
              startTimeOfDay: '22:00',
              endTimeOfDay: '06:00',
              dayOfWeek: ['Monday', 'Friday'],
              validFromDate: '2026-02-01',
              validToDate: '2027-01-01',
              minEnergy: 100,
              maxEnergy: 40500,
              minCurrent: 6,
              maxCurrent: 32,
              minPower: 1500,
              maxPower: 22000,
              minTime: 60,
              maxTime: 36000,
            },
          },
          { priceKwh: 0.3 },
        ],
        taxRates: [{ type: 'VAT', tax: 21 }],
      },
      chargingTime: { prices: [{ priceMinute: 0.02, conditions: expect.objectContaining({ startTimeOfDay: '22:00' }) }], taxRates: [{ type: 'VAT', tax: 21 }] },
      idleTime: { prices: [{ priceMinute: 0.02 }], taxRates: [{ type: 'VAT', tax: 9 }] },
      fixedFee: { prices: [{ priceFixed: 0.5 }], taxRates: [{ type: 'VAT', tax: 21 }] },
      minCost: { exclTax: 0.5, inclTax: 0.61 },
      maxCost: { exclTax: 50, inclTax: 60.5 },
    });
    // Not dropped silently: each field left out is listed with why.
    expect(result.omitted.map((o) => o.path)).toEqual(['elements.1.price_components.0.step_size', 'elements.2.restrictions.reservation', 'type', 'time_zone']);
  });

  it('sends no tax rates where OCPI has no VAT, and an all-day time window as no time condition', () => {
    const result = toOcpp21Tariff(
      tariff({ currency: 'JPY', elements: [{ price_components: [{ type: 'ENERGY', price: 40, step_size: 0 }], restrictions: { start_time: '08:00', end_time: '08:00' } }] }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.refusals));
    expectValid21(result.tariff);
    expect(result.tariff.energy).toEqual({ prices: [{ priceKwh: 40 }] });
  });

  it('refuses, with every path and reason, what OCPP 2.1 cannot say', () => {
    const result = toOcpp21Tariff(
      tariff({
        currency: 'EUR',
        end_date_time: '2027-01-01T00:00:00Z',
        elements: [
          { price_components: [{ type: 'FLAT', price: 1, vat: 21, step_size: 0 }], restrictions: { start_time: '08:00' } },
          { price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 100 }] },
          { price_components: [{ type: 'TIME', price: 2, vat: 21, step_size: 0 }], restrictions: { max_power: 11 } },
          { price_components: [{ type: 'TIME', price: 1, vat: 9, step_size: 0 }] },
        ],
      }),
    );
    expect(result.ok).toBe(false);
    const refusals = result.ok ? [] : result.refusals;
    expect(refusals.map((r) => r.path)).toEqual([
      'elements.0.price_components.0',
      'elements.1.price_components.0.step_size',
      'elements.2.price_components.0.vat, elements.3.price_components.0.vat',
      'end_date_time',
    ]);
    expect(refusals[0]!.reason).toMatch(/only at the transaction start/);
    expect(refusals[1]!.reason).toMatch(/no step size/);
    expect(refusals[2]!.reason).toMatch(/different VAT \(21, 9\)/);
  });

  it('refuses VAT given on some components of a dimension and not on others', () => {
    const result = toOcpp21Tariff(
      tariff({
        currency: 'EUR',
        elements: [
          { price_components: [{ type: 'ENERGY', price: 0.2, vat: 21, step_size: 0 }], restrictions: { start_time: '22:00', end_time: '06:00' } },
          { price_components: [{ type: 'ENERGY', price: 0.3, step_size: 0 }] },
        ],
      }),
    );
    expect(result.ok ? [] : result.refusals.map((r) => r.reason)).toEqual([expect.stringMatching(/different VAT \(21, none\)/)]);
  });

  it('refuses more than 10 descriptions', () => {
    const texts = Array.from({ length: 10 }, (_, i) => ({ language: 'en', text: `text ${i}` }));
    const result = toOcpp21Tariff(
      tariff({ currency: 'EUR', tariff_alt_text: texts, tariff_alt_url: 'https://example.com/t', elements: [{ price_components: [{ type: 'ENERGY', price: 0.2, step_size: 0 }] }] }),
    );
    expect(result.ok ? [] : result.refusals.map((r) => r.path)).toEqual(['tariff_alt_text']);
  });

  it('sends the first unrestricted FLAT only: a later FLAT is never charged', () => {
    const result = toOcpp21Tariff(
      tariff({
        currency: 'EUR',
        elements: [
          { price_components: [{ type: 'FLAT', price: 1, step_size: 0 }] },
          { price_components: [{ type: 'FLAT', price: 2, step_size: 0 }, { type: 'ENERGY', price: 0.3, step_size: 0 }] },
        ],
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.refusals));
    expect(result.tariff.fixedFee).toEqual({ prices: [{ priceFixed: 1 }] });
    expect(result.omitted.map((o) => o.path)).toEqual(['elements.1.price_components.0']);
  });
});

describe('ocpp21TariffId', () => {
  it('names the version, and reads back only ids it made', () => {
    expect(ocpp21TariffId('a.b-c', 12)).toBe('a.b-c@12');
    expect(parseOcpp21TariffId('a.b-c@12')).toEqual({ id: 'a.b-c', version: 12 });
    expect(parseOcpp21TariffId('hand-written')).toBeNull();
    expect(parseOcpp21TariffId('x@0')).toBeNull();
    expect(parseOcpp21TariffId('bad id@2')).toBeNull();
    expect(ocpp21TariffId('x'.repeat(36), 999_999_999).length).toBeLessThanOrEqual(60);
  });
});
