// Meter values of both OCPP versions as one flat, unit-normalised list of samples, and session energy from them.

import { toUtcIso } from './timestamps';
import type { OcppVersion } from './versions';
import type { MeterValuesRequest } from './v16/schemas.generated';
import type { MeterValueType } from './v201/schemas.generated';

/** A 1.6 MeterValue; StartTransaction/StopTransaction transactionData entries have the same shape. */
export type V16MeterValue = MeterValuesRequest['meterValue'][number];

export const ENERGY_REGISTER = 'Energy.Active.Import.Register';
/** The energy a bidirectional EV fed back (OCPP 2.1 V2X): reported apart from the imported energy. */
export const EXPORT_REGISTER = 'Energy.Active.Export.Register';

/** One sampled value, whichever version sent it. */
export interface MeterSample {
  /** UTC ISO 8601, e.g. 2024-01-01T12:00:00.000Z. */
  timestamp: string;
  /** Defaults to Energy.Active.Import.Register, as in both versions. */
  measurand: string;
  phase: string | null;
  location: string | null;
  context: string | null;
  /** A base unit: Wh, W, var, varh, VA, VAh, A, V, Celsius, ... never kWh or kW. */
  unit: string;
  /** In `unit`; null only for signed data that is not a number. */
  value: number | null;
  /** Signed meter data, kept as sent. */
  signedData: string | null;
  /**
   * 2.0.1: the rest of the signedMeterValue that `signedData` came from. Not kept per reading (the
   * packed sample has no place for it); the CDR's copy of a transaction's first and last signed
   * readings keeps encodingMethod and publicKey (src/tariffs/signed-data.ts).
   */
  signedMeterValue?: { encodingMethod: string; signingMethod: string; publicKey: string };
}

/**
 * 1.6 sampled values carry their number as text. A value that is not a decimal number is dropped,
 * unless its format is SignedData, in which case the text is kept in `signedData`. (A request with
 * such a value is refused before it gets here: see `sampledValueIssues`.)
 */
export function samplesFromV16(meterValue: V16MeterValue[]): MeterSample[] {
  return flatten(meterValue, (sampled, measurand) => {
    const number = parseDecimal(sampled.value);
    const signed = sampled.format === 'SignedData';
    if (number === null && !signed) return null;
    const normalised = normaliseUnit(sampled.unit ?? defaultUnit(measurand), number ?? 0, 0);
    if (normalised === null) return null;
    return { unit: normalised.unit, value: number === null ? null : normalised.value, signedData: signed ? sampled.value : null };
  });
}

/** 2.0.1 sampled values are numbers in `unitOfMeasure.unit` × 10^`unitOfMeasure.multiplier`. */
export function samplesFromV201(meterValue: MeterValueType[]): MeterSample[] {
  return flatten(meterValue, (sampled, measurand) => {
    const unit = sampled.unitOfMeasure?.unit ?? defaultUnit(measurand);
    const normalised = normaliseUnit(unit, sampled.value, sampled.unitOfMeasure?.multiplier ?? 0);
    if (normalised === null) return null;
    const signed = sampled.signedMeterValue;
    if (!signed) return { unit: normalised.unit, value: normalised.value, signedData: null };
    const { encodingMethod, signingMethod, publicKey } = signed;
    return { unit: normalised.unit, value: normalised.value, signedData: signed.signedMeterData, signedMeterValue: { encodingMethod, signingMethod, publicKey } };
  });
}

/**
 * The readings' sampled values as samples, with what both versions share (timestamp, measurand,
 * phase, location, context); `read` gives the rest for one sampled value, or null to drop it.
 */
function flatten<S extends { measurand?: string; phase?: string; location?: string; context?: string }>(
  readings: ReadonlyArray<{ timestamp: string; sampledValue: S[] }>,
  read: (sampled: S, measurand: string) => Pick<MeterSample, 'unit' | 'value' | 'signedData' | 'signedMeterValue'> | null,
): MeterSample[] {
  const samples: MeterSample[] = [];
  for (const reading of readings) {
    const timestamp = toUtcIso(reading.timestamp);
    if (timestamp === null) continue; // schema validation lets no such reading through
    for (const sampled of reading.sampledValue) {
      const measurand = sampled.measurand ?? ENERGY_REGISTER;
      const rest = read(sampled, measurand);
      if (rest === null) continue;
      samples.push({
        timestamp,
        measurand,
        phase: sampled.phase ?? null,
        location: sampled.location ?? null,
        context: sampled.context ?? null,
        ...rest,
      });
    }
  }
  return samples;
}

/**
 * Session energy in Wh from samples of one transaction: the Transaction.End (else latest)
 * Energy.Active.Import.Register reading minus the Transaction.Begin (else earliest) one; null when
 * there are fewer than one usable readings.
 *
 * Readings of one meter only are compared: the phase total (phase unset) at the outlet (location
 * unset or Outlet; else the inlet, else any one location). Without a phase total, the L1, L2 and L3
 * registers' advances are added up. A register that went backwards (a meter replaced or reset)
 * gives null: the difference says nothing about the energy delivered.
 */
export function energyFromSamples(samples: MeterSample[]): number | null {
  const readings = samples.filter((s) => s.measurand === ENERGY_REGISTER && s.unit === 'Wh' && s.value !== null);
  if (readings.length === 0) return null;
  const location = preferredLocation(readings);
  const atLocation = readings.filter((s) => (s.location ?? 'Outlet') === location);
  const totals = atLocation.filter((s) => s.phase === null);
  if (totals.length > 0) return registerAdvance(totals);

  const phases = ['L1', 'L2', 'L3'].map((phase) => atLocation.filter((s) => s.phase === phase)).filter((s) => s.length > 0);
  if (phases.length === 0) return null;
  let sum = 0;
  for (const series of phases) {
    const advance = registerAdvance(series);
    if (advance === null) return null;
    sum += advance;
  }
  return round6(sum);
}

/** End reading minus begin reading of one register; null when it went backwards. */
function registerAdvance(series: MeterSample[]): number | null {
  const begins = series.filter((s) => s.context === 'Transaction.Begin');
  const ends = series.filter((s) => s.context === 'Transaction.End');
  const begin = earliest(begins.length > 0 ? begins : series);
  const end = latest(ends.length > 0 ? ends : series);
  const advance = round6(end.value! - begin.value!);
  return advance < 0 ? null : advance;
}

/**
 * The energy register readings one 2.0.1 TransactionEvent carries, in Wh, at the outlet (location
 * unset or Outlet): the phase total, or without one the sum over L1–L3. `beginWh` is its
 * Transaction.Begin reading, else its earliest one, except on an Ended event (whose readings are
 * the end, not the start); `endWh` its Transaction.End reading, else its latest. Null where it has
 * none. A transaction's registers are picked among its events by seqNo (store/transactions.ts),
 * never by timestamp: a replay with a new timestamp must not move them. `measurand` picks another
 * register by the same rules: EXPORT_REGISTER for the energy fed back by a bidirectional EV.
 */
export function eventRegisters(
  samples: readonly MeterSample[],
  eventType: string,
  measurand: string = ENERGY_REGISTER,
): { beginWh: number | null; endWh: number | null } {
  const readings = samples.filter(
    (s) => s.measurand === measurand && s.unit === 'Wh' && s.value !== null && (s.location ?? 'Outlet') === 'Outlet',
  );
  const totals = readings.filter((s) => s.phase === null);
  const meters =
    totals.length > 0 ? [totals] : ['L1', 'L2', 'L3'].map((phase) => readings.filter((s) => s.phase === phase)).filter((s) => s.length > 0);
  const sum = (pick: (series: MeterSample[]) => MeterSample | null): number | null => {
    if (meters.length === 0) return null;
    let total = 0;
    for (const series of meters) {
      const reading = pick(series);
      if (reading === null) return null;
      total += reading.value!;
    }
    return round6(total);
  };
  return {
    beginWh: sum((series) => {
      const begins = series.filter((s) => s.context === 'Transaction.Begin');
      if (begins.length > 0) return earliest(begins);
      return eventType === 'Ended' ? null : earliest(series);
    }),
    endWh: sum((series) => {
      const ends = series.filter((s) => s.context === 'Transaction.End');
      return latest(ends.length > 0 ? ends : series);
    }),
  };
}

function earliest(series: MeterSample[]): MeterSample {
  return series.reduce((best, s) => (Date.parse(s.timestamp) < Date.parse(best.timestamp) ? s : best));
}

/** The latest reading; of equal timestamps, the last one sent. */
function latest(series: MeterSample[]): MeterSample {
  return series.reduce((best, s) => (Date.parse(s.timestamp) >= Date.parse(best.timestamp) ? s : best));
}

const LOCATION_PREFERENCE = ['Outlet', 'Inlet', 'Cable', 'EV', 'Body'];

/** Outlet is OCPP's default location and the energy the vehicle got; a meter elsewhere is a fallback. */
function preferredLocation(readings: MeterSample[]): string {
  const present = new Set(readings.map((s) => s.location ?? 'Outlet'));
  return LOCATION_PREFERENCE.find((l) => present.has(l)) ?? [...present][0]!;
}

/**
 * Both versions say a value without a unit is in Wh "if the measurand is an Energy type"; they
 * name no default for other measurands, so those get their SI unit rather than a nonsensical Wh.
 */
function defaultUnit(measurand: string): string {
  if (measurand.startsWith('Energy.')) return 'Wh';
  if (measurand.startsWith('Power.Reactive.')) return 'var';
  if (measurand.startsWith('Power.') && measurand !== 'Power.Factor') return 'W';
  if (measurand.startsWith('Current.')) return 'A';
  switch (measurand) {
    case 'Voltage':
      return 'V';
    case 'Frequency':
      return 'Hz';
    case 'Temperature':
      return 'Celsius';
    case 'SoC':
      return 'Percent';
    case 'RPM':
      return 'RPM';
    default:
      return ''; // Power.Factor has no unit
  }
}

/** Units that normalise to a base unit, by their lower-case spelling: [base unit, power of ten]. */
const SCALED_UNITS: Record<string, readonly [string, number]> = {
  wh: ['Wh', 0],
  kwh: ['Wh', 3],
  w: ['W', 0],
  kw: ['W', 3],
  var: ['var', 0],
  kvar: ['var', 3],
  varh: ['varh', 0],
  kvarh: ['varh', 3],
  va: ['VA', 0],
  kva: ['VA', 3],
  vah: ['VAh', 0],
  kvah: ['VAh', 3],
};

/** `value` × 10^`multiplier` in `unit`, as a base unit; null when the result is no finite number. */
export function normaliseUnit(unit: string, value: number, multiplier: number): { unit: string; value: number } | null {
  let base = unit;
  let exponent = multiplier;
  if (unit === 'MWh') {
    // Case matters here: "mWh" would be milliwatt-hours.
    base = 'Wh';
    exponent += 6;
  } else if (unit === 'Celcius') {
    base = 'Celsius'; // the 1.6 schema's misspelling
  } else {
    const scaled = SCALED_UNITS[unit.toLowerCase()];
    if (scaled) {
      base = scaled[0];
      exponent += scaled[1];
    }
  }
  // Dividing by an exact power of ten is closer than multiplying by an inexact 10^-n. Zero stays
  // zero whatever the power (0 × 10^400 would be 0 × Infinity, NaN).
  const scaledValue = value === 0 ? 0 : exponent >= 0 ? value * 10 ** exponent : value / 10 ** -exponent;
  if (!Number.isFinite(scaledValue)) return null;
  return { unit: base, value: round6(scaledValue) };
}

/** Six decimal places: 0.1 kWh is 100 Wh, not 100.00000000000001. */
function round6(value: number): number {
  const rounded = Number(value.toFixed(6));
  return rounded === 0 ? 0 : rounded; // no -0
}

/**
 * What the schemas cannot say about sampled values, anywhere in a request (every `sampledValue`
 * array: MeterValues, StopTransaction transactionData, TransactionEvent, ...), as issues with
 * their path, e.g. `meterValue[0].sampledValue[1].value`:
 * - 1.6: a Raw value (any format but SignedData) must be a finite decimal number as text: "NaN",
 *   "Infinity", "1e400" or "12 kWh" would be acknowledged and then lost;
 * - both: the value in its base unit (kWh → Wh, × 10^multiplier) must still be a finite number.
 * A charger is refused for these (PropertyConstraintViolation) rather than answered and dropped.
 */
export function sampledValueIssues(version: OcppVersion, payload: unknown): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      // Vendor content (2.0.1 customData, DataTransfer data) may be shaped anyhow: not OCPP's sampled values.
      if (key === 'customData' || key === 'data') continue;
      const childPath = path === '' ? key : `${path}.${key}`;
      if (key === 'sampledValue' && Array.isArray(child)) {
        child.forEach((sampled, i) => {
          const message = sampledValueProblem(version, sampled);
          if (message !== null) issues.push({ path: `${childPath}[${i}].value`, message });
        });
      } else {
        visit(child, childPath);
      }
    }
  };
  visit(payload, '');
  return issues;
}

/** What is wrong with one schema-valid sampled value, or null. */
function sampledValueProblem(version: OcppVersion, sampled: unknown): string | null {
  if (typeof sampled !== 'object' || sampled === null) return null;
  const s = sampled as {
    value?: unknown;
    format?: unknown;
    measurand?: unknown;
    unit?: unknown;
    unitOfMeasure?: { unit?: unknown; multiplier?: unknown };
  };
  const measurand = typeof s.measurand === 'string' ? s.measurand : ENERGY_REGISTER;
  if (version === 'ocpp1.6') {
    if (typeof s.value !== 'string' || s.format === 'SignedData') return null;
    const number = parseDecimal(s.value);
    if (number === null) return `must be a finite decimal number (format Raw), got ${JSON.stringify(s.value.slice(0, 40))}`;
    const unit = typeof s.unit === 'string' ? s.unit : defaultUnit(measurand);
    return normaliseUnit(unit, number, 0) === null ? 'is not a finite number once converted to its base unit' : null;
  }
  if (typeof s.value !== 'number') return null;
  if (!Number.isFinite(s.value)) return 'must be a finite number';
  const unit = typeof s.unitOfMeasure?.unit === 'string' ? s.unitOfMeasure.unit : defaultUnit(measurand);
  const multiplier = typeof s.unitOfMeasure?.multiplier === 'number' ? s.unitOfMeasure.multiplier : 0;
  return normaliseUnit(unit, s.value, multiplier) === null ? 'is not a finite number once scaled by unitOfMeasure.multiplier' : null;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number written as text; null for anything else ("", "0x10", "Infinity", "12 kWh"). */
function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}
