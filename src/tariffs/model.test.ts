import { describe, expect, it } from 'vitest';
import { parseTariffBody } from './model';

const energy = (extra: Record<string, unknown> = {}) => ({ type: 'ENERGY', price: 0.25, vat: 21, step_size: 1, ...extra });

describe('parseTariffBody', () => {
  it('accepts an OCPI 2.2.1 tariff and defaults time_zone to UTC', () => {
    const result = parseTariffBody({ currency: 'EUR', elements: [{ price_components: [energy()], restrictions: { start_time: '22:00', end_time: '06:00' } }] });
    expect(result.ok && result.tariff.time_zone).toBe('UTC');
  });

  it('keeps a named IANA time zone and refuses an unknown one', () => {
    const body = (time_zone: string) => ({ currency: 'EUR', time_zone, elements: [{ price_components: [energy()] }] });
    expect(parseTariffBody(body('Europe/Amsterdam')).ok).toBe(true);
    const bad = parseTariffBody(body('Mars/Olympus'));
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual(['time_zone']);
  });

  it('names the field at fault', () => {
    const bad = parseTariffBody({ currency: 'eur', elements: [{ price_components: [energy({ price: 0.123456, step_size: 1.5 })], restrictions: { min_kwh: 5, max_kwh: 2 } }] });
    expect(bad.ok).toBe(false);
    const issues = bad.ok ? [] : bad.issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'currency', message: 'currency must be an ISO 4217 code such as EUR' },
        { path: 'elements.0.price_components.0.price', message: 'price must have at most 4 decimals' },
        { path: 'elements.0.price_components.0.step_size', message: 'step_size must be a whole number' },
      ]),
    );
  });

  it('refuses inverted ranges, empty elements, unknown fields', () => {
    const inverted = parseTariffBody({ currency: 'EUR', elements: [{ price_components: [energy()], restrictions: { min_kwh: 5, max_kwh: 2 } }] });
    expect(inverted.ok ? [] : inverted.issues.map((i) => i.message)).toContain('min_kwh must not be above max_kwh');
    expect(parseTariffBody({ currency: 'EUR', elements: [] }).ok).toBe(false);
    expect(parseTariffBody({ currency: 'EUR', elements: [{ price_components: [energy()] }], surprise: 1 }).ok).toBe(false);
  });

  it('refuses a validity window that is not a real date-time, or ends before it starts', () => {
    const body = (window: Record<string, string>) => ({ currency: 'EUR', elements: [{ price_components: [energy()] }], ...window });
    expect(parseTariffBody(body({ start_date_time: '2025-01-01T00:00:00Z', end_date_time: '2025-02-01T00:00:00+01:00' })).ok).toBe(true);
    const unreal = parseTariffBody(body({ start_date_time: '2025-13-45T00:00:00Z' }));
    expect(unreal.ok ? [] : unreal.issues).toEqual([{ path: 'start_date_time', message: 'start_date_time must be a real date and time' }]);
    const inverted = parseTariffBody(body({ start_date_time: '2025-02-01T00:00:00Z', end_date_time: '2025-02-01T01:00:00+01:00' }));
    expect(inverted.ok ? [] : inverted.issues.map((i) => i.message)).toEqual(['start_date_time must be before end_date_time']);
  });
});
