// The project's tariff (one OCPI version of it, src/tariffs/model.ts) as an OCPP 2.1 TariffType, for
// chargers that price sessions themselves (SetDefaultTariff, ChangeTransactionTariff). Pure.
//
// The charger must price a session as the CSMS does (src/tariffs/cost.ts), so what OCPP 2.1 cannot say is
// refused with the path and the reason, never dropped; what does not change a price (the tariff's OCPI
// `type`, reservation elements the CSMS does not price either) is left out and listed in `omitted`.
//
// Mapping (OCPI 2.2.1 → OCPP 2.1 Edition 1, Part 2 section I "Tariff and Cost"):
// - Each element's ENERGY / TIME / PARKING_TIME component becomes one price of `energy` (priceKwh) /
//   `chargingTime` / `idleTime` (priceMinute = the hourly price / 60), in element order, with the element's
//   restrictions as its `conditions`. Both standards take, per dimension, the first entry whose conditions all
//   hold, so the order carries the same meaning.
// - FLAT becomes `fixedFee`. OCPP applies a fixed price's conditions only at the transaction start, while the
//   CSMS charges a restricted FLAT once it matches at any instant; and the fixed conditions cannot carry
//   energy, power, current or duration. So only an unrestricted FLAT is sent (the first: a later FLAT is never
//   reached, as the first always matches) and a restricted one is refused.
// - Restrictions: start_time/end_time → start/endTimeOfDay (same HH:MM, same wrap past midnight; start = end,
//   "all day" in OCPI, becomes no time condition), day_of_week → dayOfWeek (Monday…), start_date/end_date →
//   validFrom/ToDate (both inclusive/exclusive), min/max_kwh ×1000 → min/maxEnergy (Wh), min/max_power ×1000 →
//   min/maxPower (W), min/max_current → min/maxCurrent (A), min/max_duration → min/maxTime (s).
// - VAT: OCPI has a percentage per component, OCPP tax rates per dimension: one `VAT` rate per dimension when
//   all its components agree, none when none has one, refused when they differ.
// - step_size has no OCPP field: a step of at most 1 Wh / 1 s (a meter's own resolution) is left out and
//   listed; a larger one would make the CSMS bill more than the charger, and is refused.
// - min_price/max_price → minCost/maxCost; start_date_time → validFrom; end_date_time has no OCPP field
//   (a charger keeps a tariff until told otherwise) and is refused; tariff_alt_text → description (UTF8),
//   tariff_alt_url → one more description entry (URI).
// - The OCPP tariffId is `<id>@<version>` (ocpp21TariffId), so what a charger reports it holds names the
//   exact version the CSMS prices with.
// - Time-of-day, day and date conditions are read by the charger in its own local time, OCPI's in the
//   tariff's time_zone: listed in `omitted` as a caveat, since the CSMS does not know the charger's zone.

import type * as V21 from '../ocpp/v21/schemas.generated';
import { TARIFF_ID, type PriceComponent, type Tariff, type TariffRestrictions } from './model';

export interface ConversionIssue {
  /** Where in the OCPI tariff, e.g. `elements.1.price_components.0.step_size`. */
  path: string;
  reason: string;
}

export type Ocpp21Conversion =
  | { ok: true; tariff: V21.TariffType; omitted: ConversionIssue[] }
  | { ok: false; refusals: ConversionIssue[] };

/** OCPP 2.1 TariffType.tariffId is at most 60 characters; a project tariff id at most 36. */
export function ocpp21TariffId(id: string, version: number): string {
  return `${id}@${version}`;
}

/** The project tariff version an OCPP tariffId made by ocpp21TariffId names; null for any other id. */
export function parseOcpp21TariffId(tariffId: string): { id: string; version: number } | null {
  const match = /^(.+)@([1-9]\d{0,8})$/.exec(tariffId);
  if (!match || !TARIFF_ID.test(match[1]!)) return null;
  return { id: match[1]!, version: Number(match[2]) };
}

const DAY_NAMES = {
  MONDAY: 'Monday',
  TUESDAY: 'Tuesday',
  WEDNESDAY: 'Wednesday',
  THURSDAY: 'Thursday',
  FRIDAY: 'Friday',
  SATURDAY: 'Saturday',
  SUNDAY: 'Sunday',
} as const;

/** Largest step_size (Wh for ENERGY, s for TIME and PARKING_TIME) whose absence changes no bill by more than a meter's resolution. */
const NEGLIGIBLE_STEP = 1;

/** OCPP 2.1 TariffType.description holds at most 10 texts. */
const MAX_DESCRIPTIONS = 10;

type Dimension = 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'FLAT';

/** x × 1000 without binary noise (0.1 kWh is 100 Wh, not 100.00000000000001). */
const thousandfold = (x: number): number => Number((x * 1000).toPrecision(15));

/** The OCPP conditions of an element's restrictions (all of them express; reservation is handled by the caller). */
function conditionsOf(r: TariffRestrictions | undefined): V21.TariffConditionsType | undefined {
  if (!r) return undefined;
  const c: V21.TariffConditionsType = {};
  const allDay = r.start_time !== undefined && r.start_time === r.end_time;
  if (r.start_time !== undefined && !allDay) c.startTimeOfDay = r.start_time;
  if (r.end_time !== undefined && !allDay) c.endTimeOfDay = r.end_time;
  if (r.day_of_week !== undefined) c.dayOfWeek = r.day_of_week.map((d) => DAY_NAMES[d]);
  if (r.start_date !== undefined) c.validFromDate = r.start_date;
  if (r.end_date !== undefined) c.validToDate = r.end_date;
  if (r.min_kwh !== undefined) c.minEnergy = thousandfold(r.min_kwh);
  if (r.max_kwh !== undefined) c.maxEnergy = thousandfold(r.max_kwh);
  if (r.min_current !== undefined) c.minCurrent = r.min_current;
  if (r.max_current !== undefined) c.maxCurrent = r.max_current;
  if (r.min_power !== undefined) c.minPower = thousandfold(r.min_power);
  if (r.max_power !== undefined) c.maxPower = thousandfold(r.max_power);
  if (r.min_duration !== undefined) c.minTime = r.min_duration;
  if (r.max_duration !== undefined) c.maxTime = r.max_duration;
  return Object.keys(c).length === 0 ? undefined : c;
}

/** Whether restrictions read a local clock (time of day, day, date): the charger reads them in its own zone. */
function readsLocalClock(r: TariffRestrictions | undefined): boolean {
  return !!r && (r.start_time !== undefined || r.end_time !== undefined || r.day_of_week !== undefined || r.start_date !== undefined || r.end_date !== undefined);
}

function hasRestrictions(r: TariffRestrictions | undefined): boolean {
  return !!r && Object.values(r).some((value) => value !== undefined);
}

/** Converts one tariff version; refuses, with every reason at once, what OCPP 2.1 cannot express. */
export function toOcpp21Tariff(tariff: Tariff): Ocpp21Conversion {
  const refusals: ConversionIssue[] = [];
  const omitted: ConversionIssue[] = [];
  const prices: Record<Exclude<Dimension, 'FLAT'>, { price: number; conditions?: V21.TariffConditionsType }[]> = { ENERGY: [], TIME: [], PARKING_TIME: [] };
  const vats: Record<Dimension, { path: string; vat: number | undefined }[]> = { ENERGY: [], TIME: [], PARKING_TIME: [], FLAT: [] };
  let fixed: { price: number } | undefined;
  let clockCaveat = false;

  tariff.elements.forEach((element, e) => {
    const at = `elements.${e}`;
    if (element.restrictions?.reservation !== undefined) {
      omitted.push({ path: `${at}.restrictions.reservation`, reason: 'reservation prices: the CSMS does not price reservations, so the charger is not told them either' });
      return;
    }
    const conditions = conditionsOf(element.restrictions);
    element.price_components.forEach((component: PriceComponent, p) => {
      const path = `${at}.price_components.${p}`;
      if (component.type === 'FLAT') {
        if (fixed !== undefined) {
          omitted.push({ path, reason: 'a FLAT price after an unrestricted one is never charged (the first always applies)' });
          return;
        }
        if (hasRestrictions(element.restrictions)) {
          refusals.push({
            path,
            reason:
              'a FLAT price with restrictions: OCPP 2.1 checks a fixed price only at the transaction start (and cannot restrict it by energy, power, current or duration), the CSMS charges it once the restrictions match at any time',
          });
          return;
        }
        fixed = { price: component.price };
        vats.FLAT.push({ path, vat: component.vat });
        return;
      }
      if (component.step_size > NEGLIGIBLE_STEP) {
        const unit = component.type === 'ENERGY' ? 'Wh' : 's';
        refusals.push({
          path: `${path}.step_size`,
          reason: `OCPP 2.1 has no step size: a charger would bill the exact volume where the CSMS rounds up to ${component.step_size} ${unit}; set step_size 0 (or 1) in a new version to send it`,
        });
        return;
      }
      if (component.step_size > 0) {
        omitted.push({ path: `${path}.step_size`, reason: `a step of ${component.step_size} ${component.type === 'ENERGY' ? 'Wh' : 's'} is not sent (OCPP 2.1 has no step size); it changes a bill by at most one step's price` });
      }
      prices[component.type].push({ price: component.price, ...(conditions ? { conditions } : {}) });
      vats[component.type].push({ path, vat: component.vat });
      clockCaveat ||= readsLocalClock(element.restrictions);
    });
  });

  const taxRates: Partial<Record<Dimension, V21.TaxRateType[]>> = {};
  for (const dimension of Object.keys(vats) as Dimension[]) {
    const list = vats[dimension];
    const distinct = [...new Set(list.map((x) => (x.vat === undefined ? 'none' : String(x.vat))))];
    if (distinct.length > 1) {
      refusals.push({
        path: list.map((x) => `${x.path}.vat`).join(', '),
        reason: `OCPP 2.1 has one set of tax rates per dimension, and the ${dimension} components have different VAT (${distinct.join(', ')})`,
      });
    } else if (list[0]?.vat !== undefined) {
      taxRates[dimension] = [{ type: 'VAT', tax: list[0].vat }];
    }
  }

  if (tariff.end_date_time !== undefined) {
    refusals.push({
      path: 'end_date_time',
      reason: 'OCPP 2.1 tariffs have no end of validity (a charger keeps one until it is replaced or cleared): send the tariff that follows, with its validFrom, instead',
    });
  }
  if (tariff.type !== undefined) omitted.push({ path: 'type', reason: `the OCPI tariff type (${tariff.type}) chooses who gets the tariff; it changes no price` });
  if (clockCaveat) {
    omitted.push({
      path: 'time_zone',
      reason: `time-of-day, day and date conditions are read by the charger in its own local time; the CSMS reads them in ${tariff.time_zone}`,
    });
  }

  const description: V21.MessageContentType[] = (tariff.tariff_alt_text ?? []).map((t) => ({ format: 'UTF8', language: t.language, content: t.text }));
  if (tariff.tariff_alt_url !== undefined) description.push({ format: 'URI', content: tariff.tariff_alt_url });
  if (description.length > MAX_DESCRIPTIONS) {
    refusals.push({ path: 'tariff_alt_text', reason: `OCPP 2.1 takes at most ${MAX_DESCRIPTIONS} descriptions, and the texts with tariff_alt_url make ${description.length}` });
  }
  if (refusals.length > 0) return { ok: false, refusals };

  const timeType = (list: typeof prices.TIME, rates: V21.TaxRateType[] | undefined): V21.TariffTimeType => ({
    prices: list.map((x) => ({ priceMinute: x.price / 60, ...(x.conditions ? { conditions: x.conditions } : {}) })),
    ...(rates ? { taxRates: rates } : {}),
  });
  const out: V21.TariffType = {
    tariffId: ocpp21TariffId(tariff.id, tariff.version),
    currency: tariff.currency,
    ...(description.length > 0 ? { description } : {}),
    ...(tariff.start_date_time !== undefined ? { validFrom: tariff.start_date_time } : {}),
    ...(prices.ENERGY.length > 0
      ? {
          energy: {
            prices: prices.ENERGY.map((x) => ({ priceKwh: x.price, ...(x.conditions ? { conditions: x.conditions } : {}) })),
            ...(taxRates.ENERGY ? { taxRates: taxRates.ENERGY } : {}),
          },
        }
      : {}),
    ...(prices.TIME.length > 0 ? { chargingTime: timeType(prices.TIME, taxRates.TIME) } : {}),
    ...(prices.PARKING_TIME.length > 0 ? { idleTime: timeType(prices.PARKING_TIME, taxRates.PARKING_TIME) } : {}),
    ...(fixed !== undefined ? { fixedFee: { prices: [{ priceFixed: fixed.price }], ...(taxRates.FLAT ? { taxRates: taxRates.FLAT } : {}) } } : {}),
    ...(tariff.min_price ? { minCost: priceOf(tariff.min_price) } : {}),
    ...(tariff.max_price ? { maxCost: priceOf(tariff.max_price) } : {}),
  };
  return { ok: true, tariff: out, omitted };
}

function priceOf(p: { excl_vat: number; incl_vat?: number }): V21.PriceType {
  return { exclTax: p.excl_vat, ...(p.incl_vat !== undefined ? { inclTax: p.incl_vat } : {}) };
}

/** The refusals as one sentence for an API error: the first reasons, then how many more. */
export function refusalMessage(refusals: readonly ConversionIssue[]): string {
  const first = refusals[0];
  if (!first) return 'The tariff cannot be expressed in OCPP 2.1';
  const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more: see issues)` : '';
  return `The tariff cannot be sent as an OCPP 2.1 tariff: "${first.path}": ${first.reason}${more}`;
}
