// What the driver is shown of a session's price, and whether the charger can show it: pure, no Cloudflare types.
//
// 2.0.1 (I01, I02): a charger says in its device model whether it shows tariffs and cost —
// TariffCostCtrlr.Enabled, instance `Tariff` and instance `Cost`. The CSMS sends tariff text in
// idTokenInfo.personalMessage only to one that shows tariffs, and CostUpdated only to one that shows cost.
// 1.6: the OCA whitepaper "OCPP & California Pricing Requirements" carries the same over DataTransfer
// (vendorId org.openchargealliance.costmsg; messageIds SetUserPrice, RunningCost, FinalCost; `data` is
// the JSON text of the message), to chargers whose read-only key CustomDisplayCostAndPrice is true.
// What the charger never reported is taken as not shown: nothing is sent that it did not declare it takes.

import type { CostBreakdown } from '../tariffs/cost';
import type { TariffBody } from '../tariffs/model';
import type { Setting } from './settings';

/** The DataTransfer vendorId of the California Pricing messages. */
export const COST_MESSAGE_VENDOR_ID = 'org.openchargealliance.costmsg';

/** MessageContentType.content and the whitepaper's texts: at most 512 characters. */
export const MAX_MESSAGE_CHARS = 512;

/** What the charger shows the driver, as it reported; a missing key was never reported. */
export interface PriceDisplay {
  /** 2.0.1 TariffCostCtrlr.Enabled[Tariff]: tariff text on authorization (I01). */
  tariff?: boolean;
  /** 2.0.1 TariffCostCtrlr.Enabled[Cost]: running and final cost (I02, I03). */
  cost?: boolean;
  /** 1.6 CustomDisplayCostAndPrice: the California Pricing DataTransfer messages. */
  californiaPricing?: boolean;
}

/** What among these settings (a report, or a command's answer) says how the charger shows prices. */
export function priceDisplayFromSettings(settings: readonly Setting[]): PriceDisplay {
  const found: PriceDisplay = {};
  for (const s of settings) {
    if (s.attributeType !== 'Actual' || s.value === null) continue;
    const on = s.value.trim().toLowerCase() === 'true';
    const variable = s.variable.toLowerCase();
    if (s.component === '') {
      if (variable === 'customdisplaycostandprice') found.californiaPricing = on;
      continue;
    }
    if (s.component.toLowerCase() !== 'tariffcostctrlr' || variable !== 'enabled') continue;
    const instance = s.variableInstance.toLowerCase();
    if (instance === 'tariff') found.tariff = on;
    else if (instance === 'cost') found.cost = on;
  }
  return found;
}

/** The text to show the driver out of a tariff's tariff_alt_text: in `language` when there is one, else the first. */
export function tariffText(tariff: Pick<TariffBody, 'tariff_alt_text'>, language?: string): { language: string; text: string } | undefined {
  const texts = tariff.tariff_alt_text ?? [];
  const wanted = language?.slice(0, 2).toLowerCase();
  const chosen = texts.find((t) => t.language === wanted) ?? texts[0];
  return chosen && { language: chosen.language, text: chosen.text.slice(0, MAX_MESSAGE_CHARS) };
}

/** 2.0.1 MessageContentType of a tariff's text, for idTokenInfo.personalMessage. */
export function personalMessage(tariff: Pick<TariffBody, 'tariff_alt_text'>, language?: string): { format: 'UTF8'; language: string; content: string } | undefined {
  const text = tariffText(tariff, language);
  return text && { format: 'UTF8', language: text.language, content: text.text };
}

/** A California Pricing message as the 1.6 DataTransfer request it goes in. */
export function costMessage(messageId: 'SetUserPrice' | 'RunningCost' | 'FinalCost', data: Record<string, unknown>) {
  return { vendorId: COST_MESSAGE_VENDOR_ID, messageId, data: JSON.stringify(data) };
}

/** SetUserPrice: the driver's price, as text, once the token is known (before charging). */
export function setUserPriceData(idTag: string, tariff: Pick<TariffBody, 'tariff_alt_text'>): Record<string, unknown> | undefined {
  const texts = tariff.tariff_alt_text ?? [];
  const first = tariffText(tariff);
  if (!first) return undefined;
  return {
    idToken: idTag,
    priceText: first.text,
    ...(texts.length > 1
      ? { priceTextExtra: texts.slice(1).map((t) => ({ format: 'UTF8', language: t.language, content: t.text.slice(0, MAX_MESSAGE_CHARS) })) }
      : {}),
  };
}

/** Amounts shown to the driver: incl. VAT (what is paid), to the tariff's minor units by the cost engine. */
const inclVat = (price: { excl_vat: number; incl_vat?: number }) => price.incl_vat ?? price.excl_vat;

/** A component's unit price incl. its VAT, rounded to 4 decimals (a unit price, not an amount). */
function unitPrice(tariff: TariffBody, element: number | undefined, type: 'ENERGY' | 'TIME' | 'FLAT' | 'PARKING_TIME'): number | undefined {
  if (element === undefined) return undefined;
  const component = tariff.elements[element]?.price_components.find((c) => c.type === type);
  if (!component) return undefined;
  return Math.round(component.price * (1 + (component.vat ?? 0) / 100) * 10_000) / 10_000;
}

/**
 * RunningCost: the cost so far (incl. VAT), the register it was computed at, whether it charges, and the
 * prices that apply now: those of the tariff elements that priced each dimension last (what the engine
 * applied last), the flat fee of the element that charged it.
 */
export function runningCostData(input: {
  transactionId: number;
  at: string;
  cost: CostBreakdown;
  tariff: TariffBody;
  registerWh: number | null;
  charging: boolean;
}): Record<string, unknown> {
  const { cost, tariff } = input;
  // The latest period that priced each dimension (the open one may have priced none yet).
  const latest = (dimension: 'ENERGY' | 'TIME' | 'PARKING_TIME') =>
    cost.charging_periods.findLast((p) => p.tariff_elements[dimension] !== undefined)?.tariff_elements[dimension];
  const kWhPrice = unitPrice(tariff, latest('ENERGY'), 'ENERGY');
  const hourPrice = unitPrice(tariff, latest('TIME'), 'TIME');
  const flatFee = unitPrice(tariff, cost.flat_element, 'FLAT');
  const idleHourPrice = unitPrice(tariff, latest('PARKING_TIME'), 'PARKING_TIME');
  return {
    transactionId: input.transactionId,
    timestamp: input.at,
    meterValue: Math.round(input.registerWh ?? cost.total_energy * 1000),
    cost: inclVat(cost.total_cost),
    state: input.charging ? 'Charging' : 'Idle',
    chargingPrice: {
      ...(kWhPrice !== undefined ? { kWhPrice } : {}),
      ...(hourPrice !== undefined ? { hourPrice } : {}),
      ...(flatFee !== undefined ? { flatFee } : {}),
    },
    ...(idleHourPrice !== undefined ? { idlePrice: { hourPrice: idleHourPrice } } : {}),
  };
}

/** FinalCost: the transaction's final cost (incl. VAT), with a short text of it. */
export function finalCostData(transactionId: number, totalCost: number, currency: string | undefined): Record<string, unknown> {
  return {
    transactionId,
    cost: totalCost,
    priceText: `Total ${currency ? `${currency} ` : ''}${totalCost}`.slice(0, MAX_MESSAGE_CHARS),
  };
}
