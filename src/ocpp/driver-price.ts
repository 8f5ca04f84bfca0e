// What the driver is shown of a session's price, and whether the charger can show it: pure, no Cloudflare types.
//
// 2.0.1 (I01, I02): a charger says in its device model whether it shows tariffs and cost —
// TariffCostCtrlr.Enabled, instance `Tariff` and instance `Cost`. The CSMS sends tariff text in
// idTokenInfo.personalMessage only to one that shows tariffs, and CostUpdated only to one that shows cost.
// 1.6: the OCA whitepaper "OCPP & California Pricing Requirements" carries the same over DataTransfer
// (vendorId org.openchargealliance.costmsg; messageIds SetUserPrice, RunningCost, FinalCost; `data` is
// the JSON text of the message), to chargers whose read-only key CustomDisplayCostAndPrice is true.
// What the charger never reported is taken as not shown: nothing is sent that it did not declare it takes.
//
// Fallback texts (I04, I05; 1.6 California Pricing `DefaultPrice`): what the charger shows when it cannot
// get a price from the CSMS. The names are those of OCPP 2.0.1 Part 2 appendix (TariffCostCtrlr
// TariffFallbackMessage / TotalCostFallbackMessage, DisplayMessageCtrlr.Language) and of the OCA whitepaper
// as EVerest libocpp implements it (doc/common/california_pricing_requirements.md: the 1.6 key `DefaultPrice`
// holds the JSON `{priceText, priceTextOffline, chargingPrice}`, and `Language` the station's UI language).

import { minorUnitsOf, type CostBreakdown } from '../tariffs/cost';
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
  /** The charger's UI language (2.0.1 DisplayMessageCtrlr.Language, 1.6 California Pricing `Language`). */
  language?: string;
  /** 2.0.1 TariffCostCtrlr.TariffFallbackMessage as last reported or set (I04). */
  tariffFallback?: string;
  /** 2.0.1 TariffCostCtrlr.TotalCostFallbackMessage as last reported or set (I05). */
  totalCostFallback?: string;
  /** 1.6 California Pricing `DefaultPrice` (a JSON text) as last reported or set. */
  defaultPrice?: string;
}

/** What among these settings (a report, or a command's answer) says how the charger shows prices. */
export function priceDisplayFromSettings(settings: readonly Setting[]): PriceDisplay {
  const found: PriceDisplay = {};
  for (const s of settings) {
    if (s.attributeType !== 'Actual' || s.value === null) continue;
    const on = s.value.trim().toLowerCase() === 'true';
    const variable = s.variable.toLowerCase();
    const component = s.component.toLowerCase();
    const instance = s.variableInstance.toLowerCase();
    if (component === '') {
      if (variable === 'customdisplaycostandprice') found.californiaPricing = on;
      else if (variable === 'defaultprice') found.defaultPrice = s.value;
      else if (variable === 'language') found.language = s.value;
      continue;
    }
    if (component === 'displaymessagectrlr' && variable === 'language' && instance === '') found.language = s.value;
    if (component !== 'tariffcostctrlr') continue;
    if (variable === 'enabled' && instance === 'tariff') found.tariff = on;
    else if (variable === 'enabled' && instance === 'cost') found.cost = on;
    // The plain variable only: an instance is a language (the whitepaper's multi-language texts) or Offline.
    else if (variable === 'tarifffallbackmessage' && instance === '') found.tariffFallback = s.value;
    else if (variable === 'totalcostfallbackmessage' && instance === '') found.totalCostFallback = s.value;
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

/**
 * SetUserPrice: the driver's price, as text, once the token is known (before charging): the text in the
 * token's `language` first (priceText), the others after it (priceTextExtra).
 */
export function setUserPriceData(idTag: string, tariff: Pick<TariffBody, 'tariff_alt_text'>, language?: string): Record<string, unknown> | undefined {
  const texts = tariff.tariff_alt_text ?? [];
  const first = tariffText(tariff, language);
  if (!first) return undefined;
  const others = texts.filter((t) => t.language !== first.language);
  return {
    idToken: idTag,
    priceText: first.text,
    ...(others.length > 0
      ? { priceTextExtra: others.map((t) => ({ format: 'UTF8', language: t.language, content: t.text.slice(0, MAX_MESSAGE_CHARS) })) }
      : {}),
  };
}

/** Amounts shown to the driver: incl. VAT (what is paid), to the tariff's minor units by the cost engine. */
const inclVat = (price: { excl_vat: number; incl_vat?: number }) => price.incl_vat ?? price.excl_vat;

/** A component's unit price incl. its VAT, rounded to 4 decimals (a unit price, not an amount). */
function unitPrice(tariff: Pick<TariffBody, 'elements'>, element: number | undefined, type: 'ENERGY' | 'TIME' | 'FLAT' | 'PARKING_TIME'): number | undefined {
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

/** An amount as the driver reads it: the currency's code and the amount to its minor units (`EUR 4.90`, `JPY 120`). */
export function formatAmount(amount: number, currency: string): string {
  return `${currency} ${amount.toFixed(minorUnitsOf(currency))}`;
}

/** FinalCost: the transaction's final cost (incl. VAT), with a short text of it in the tariff's currency. */
export function finalCostData(transactionId: number, totalCost: number, currency: string): Record<string, unknown> {
  return {
    transactionId,
    cost: totalCost,
    priceText: `Total ${formatAmount(totalCost, currency)}`.slice(0, MAX_MESSAGE_CHARS),
  };
}

/**
 * The price in effect in a running session (I06): the tariff elements that priced each dimension last (as
 * RunningCost reads them), as a key that changes when one of them does (e.g. peak → off-peak), and a short
 * line with those unit prices incl. VAT. An empty key: nothing priced yet (the session's first moments).
 */
export function priceInEffect(tariff: TariffBody, cost: Pick<CostBreakdown, 'charging_periods'>): { key: string; line: string } {
  const latest = (dimension: 'ENERGY' | 'TIME' | 'PARKING_TIME') =>
    cost.charging_periods.findLast((p) => p.tariff_elements[dimension] !== undefined)?.tariff_elements[dimension];
  const elements = { ENERGY: latest('ENERGY'), TIME: latest('TIME'), PARKING_TIME: latest('PARKING_TIME') };
  const parts: string[] = [];
  const price = (dimension: 'ENERGY' | 'TIME' | 'PARKING_TIME', unit: string) => {
    const value = unitPrice(tariff, elements[dimension], dimension);
    if (value !== undefined && value > 0) parts.push(`${formatAmount(value, tariff.currency)}${unit}`);
  };
  price('ENERGY', '/kWh');
  price('TIME', '/h');
  price('PARKING_TIME', '/h idle');
  const key = Object.values(elements).every((e) => e === undefined) ? '' : JSON.stringify(elements);
  return { key, line: parts.length > 0 ? `Now: ${parts.join(', ')}` : '' };
}

/**
 * 2.0.1 TransactionEventResponse.updatedPersonalMessage (I06): the tariff's text in `language` (else its first)
 * and the line of the price now in effect, UTF8, cut to MessageContentType's 512 characters. Undefined when
 * there is nothing to say.
 */
export function updatedPersonalMessage(
  tariff: TariffBody,
  line: string,
  language?: string,
): { format: 'UTF8'; language?: string; content: string } | undefined {
  const text = tariffText(tariff, language);
  const content = [text?.text, line].filter((part) => part).join('\n').slice(0, MAX_MESSAGE_CHARS);
  if (content === '') return undefined;
  const shownIn = text?.language ?? language;
  return { format: 'UTF8', ...(shownIn ? { language: shownIn } : {}), content };
}

/**
 * What a charger that shows tariffs should hold as its fallback texts (I04 TariffFallbackMessage, I05
 * TotalCostFallbackMessage; 1.6 DefaultPrice), given the tariff that applies to it without a token and the
 * operator's total-cost text; a text left undefined is not set (none to set: what the charger has stays).
 */
export function fallbackTexts(tariff: Pick<TariffBody, 'tariff_alt_text'> | null, totalCostText: string, language?: string): { tariff?: string; totalCost?: string } {
  const text = tariff ? tariffText(tariff, language)?.text : undefined;
  const totalCost = totalCostText.slice(0, MAX_MESSAGE_CHARS);
  return { ...(text ? { tariff: text } : {}), ...(totalCost ? { totalCost } : {}) };
}

/** 1.6 ChangeConfiguration's value is a CiString500. */
const MAX_CONFIGURATION_VALUE = 500;

/**
 * The 1.6 California Pricing `DefaultPrice` value: `{priceText, priceTextOffline}` as JSON, the texts
 * shortened (the tariff's first) until the whole fits a ChangeConfiguration value. Undefined when there is no text.
 */
export function defaultPriceValue(texts: { tariff?: string; totalCost?: string }): string | undefined {
  if (!texts.tariff && !texts.totalCost) return undefined;
  let priceText = texts.tariff ?? '';
  let offline = texts.totalCost ?? '';
  const value = () => JSON.stringify({ ...(priceText ? { priceText } : {}), ...(offline ? { priceTextOffline: offline } : {}) });
  // The longer text gives way first, until both are as long: neither is dropped for the other.
  for (let excess = value().length - MAX_CONFIGURATION_VALUE; excess > 0; excess = value().length - MAX_CONFIGURATION_VALUE) {
    const gap = Math.abs(priceText.length - offline.length);
    const cut = gap > 0 ? Math.min(excess, gap) : Math.ceil(excess / 2);
    const longer = priceText.length - offline.length;
    if (longer >= 0) priceText = priceText.slice(0, priceText.length - cut);
    if (longer <= 0) offline = offline.slice(0, offline.length - cut);
  }
  return value();
}
