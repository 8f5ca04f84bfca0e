// The console's money and tariff wording: amounts with exactly their currency's decimals, a tariff's
// prices and restrictions in words, and what each transaction flag or pricing note means.

import { ANOMALY_KINDS } from '../store/transaction-anomalies';

export const MONEY = String.raw`
  // What each transaction flag means, as the API documents it (store/transaction-anomalies.ts).
  var FLAG_WORDS = ${JSON.stringify(ANOMALY_KINDS)};
  // What the cost engine noted about the readings it priced (src/tariffs/cost.ts CostAnomalyKind).
  var COST_ANOMALY_WORDS = {
    invalid_time: 'a time that is not a valid date was skipped',
    sample_out_of_order: 'readings older than the last one priced were skipped',
    register_backwards: 'the energy register went backwards; that difference was not billed',
    invalid_register: 'an energy register reading that is not a valid number was skipped',
    end_before_last_sample: 'the end came before the last reading',
    periods_merged: 'too many charging periods: the later ones were merged into the last',
    register_gap_overflow: 'too many intervals without an energy reading: their energy was spread over the later ones',
  };
  var DIMENSION_WORDS = { ENERGY: 'Energy', TIME: 'Charging time', PARKING_TIME: 'Parking time' };
  // Amounts come rounded to the currency's minor unit; shown with exactly those decimals.
  function minorUnits(currency) {
    try { return new Intl.NumberFormat('en', { style: 'currency', currency: currency }).resolvedOptions().maximumFractionDigits; } catch (e) { return 2; }
  }
  function money(amount, currency) {
    return amount === null || amount === undefined ? '—' : Number(amount).toFixed(minorUnits(currency)) + ' ' + currency;
  }
  /** A cost's total as the driver pays it: incl. VAT, or excl. when incl. cannot be known (a component without VAT). */
  function totalText(cost) {
    var t = cost.total_cost;
    return t.incl_vat !== undefined && t.incl_vat !== null ? money(t.incl_vat, cost.currency) : money(t.excl_vat, cost.currency) + ' excl. VAT';
  }
  function tariffRef(tariff) { return tariff ? tariff.id + '@' + tariff.version : '—'; }
  function hours(x) { return x === null || x === undefined ? '—' : (+Number(x).toFixed(4)) + ' h'; }
  function kwhOf(k) { return k === null || k === undefined ? '—' : (+Number(k).toFixed(4)) + ' kWh'; }
  /** A price per unit: at least 2 decimals, up to the tariff's 4. */
  function rate(price) {
    return Number(price).toFixed(4).replace(/0{1,2}$/, '');
  }
  var DAY_SHORT = { MONDAY: 'Mon', TUESDAY: 'Tue', WEDNESDAY: 'Wed', THURSDAY: 'Thu', FRIDAY: 'Fri', SATURDAY: 'Sat', SUNDAY: 'Sun' };
  /** A tariff element's restrictions in words: "22:00–06:00 Mon, Sat, above 20 kWh". */
  function restrictionText(r) {
    if (!r) return '';
    var parts = [];
    if (r.start_time || r.end_time) parts.push((r.start_time || '00:00') + '–' + (r.end_time || '24:00'));
    if (r.day_of_week) parts.push(r.day_of_week.map(function (d) { return DAY_SHORT[d] || d; }).join(', '));
    if (r.start_date || r.end_date) parts.push((r.start_date ? 'from ' + r.start_date : '') + (r.start_date && r.end_date ? ' ' : '') + (r.end_date ? 'before ' + r.end_date : ''));
    if (r.min_kwh !== undefined) parts.push('from ' + r.min_kwh + ' kWh');
    if (r.max_kwh !== undefined) parts.push('up to ' + r.max_kwh + ' kWh');
    if (r.min_duration !== undefined) parts.push('after ' + r.min_duration + ' s');
    if (r.max_duration !== undefined) parts.push('for the first ' + r.max_duration + ' s');
    if (r.min_power !== undefined) parts.push('at ' + r.min_power + ' kW or more');
    if (r.max_power !== undefined) parts.push('below ' + r.max_power + ' kW');
    if (r.min_current !== undefined) parts.push('at ' + r.min_current + ' A or more');
    if (r.max_current !== undefined) parts.push('below ' + r.max_current + ' A');
    if (r.reservation) parts.push(r.reservation.toLowerCase().replace(/_/g, ' '));
    return parts.join(', ');
  }
  var COMPONENT_UNITS = { ENERGY: '/kWh', TIME: '/h charging', PARKING_TIME: '/h parking', FLAT: ' per session' };
  function componentText(p, currency, vatShown) {
    var text = rate(p.price) + ' ' + currency + COMPONENT_UNITS[p.type];
    if (p.step_size > 1 && p.type !== 'FLAT') text += ' (step ' + p.step_size + (p.type === 'ENERGY' ? ' Wh' : ' s') + ')';
    if (!vatShown) text += p.vat === undefined ? ' (no VAT)' : ' (+' + p.vat + ' % VAT)';
    return text;
  }
  /** One element in words: "22:00–06:00 0.18 EUR/kWh, 2.00 EUR/h parking". */
  function elementText(e, currency, vatShown) {
    var r = restrictionText(e.restrictions);
    return (r ? r + ' ' : '') + e.price_components.map(function (p) { return componentText(p, currency, vatShown); }).join(', ');
  }
  /** A tariff's elements in words, its VAT once when every component has the same. */
  function tariffText(t) {
    var vats = [];
    t.elements.forEach(function (e) { e.price_components.forEach(function (p) { var v = p.vat === undefined ? 'none' : String(p.vat); if (vats.indexOf(v) < 0) vats.push(v); }); });
    var same = vats.length === 1;
    var text = t.elements.map(function (e) { return elementText(e, t.currency, same); }).join('; ');
    if (same) text += vats[0] === 'none' ? '; no VAT' : '; excl. VAT, +' + vats[0] + ' % VAT';
    if (t.min_price) text += '; at least ' + money(t.min_price.excl_vat, t.currency);
    if (t.max_price) text += '; at most ' + money(t.max_price.excl_vat, t.currency);
    if (t.time_zone && t.time_zone !== 'UTC') text += '; times in ' + t.time_zone;
    else if (t.elements.some(function (e) { return e.restrictions && (e.restrictions.start_time || e.restrictions.end_time || e.restrictions.day_of_week); })) text += '; times in UTC';
    return text;
  }
`;
