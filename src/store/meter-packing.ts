// How meter values are packed into D1's meter_readings rows: the short codes, the sample arrays, and the scope of a reading.
//
// D1 bills every row and index entry written and caps a database at 10 GB, and meter values are
// most of what chargers send. So one reading (a charger's timestamped meterValue entry, with all
// its sampled values) is one row, and each sampled value in it is a short JSON array rather than
// a row of its own with named columns:
//
//   [measurand, value, unit, context, phase, location, signedData]
//
// The standard measurands, units, contexts, phases and locations travel as small integer codes
// (their index in the tables below); any other text travels as itself, so nothing is lost. A
// missing context, phase or location is 0, missing signed data null, and trailing missing
// elements are left out: a typical sample is `[0,12345.6,0,1]` (an energy register in Wh,
// Sample.Periodic). The encoding is canonical (one text, one form), so SQL can compare samples'
// identities and contents on their encoded elements, and migrations/0016 encodes with the same
// tables (a unit test checks it does).
//
// The codes are stored data: never reorder or remove an entry, only append.

import type { MeterSample } from '../ocpp/meter-values';

export const MEASURAND_CODES = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Voltage',
  'SoC',
  'Current.Offered',
  'Power.Offered',
  'Energy.Active.Export.Register',
  'Energy.Reactive.Export.Register',
  'Energy.Reactive.Import.Register',
  'Energy.Active.Export.Interval',
  'Energy.Active.Import.Interval',
  'Energy.Reactive.Export.Interval',
  'Energy.Reactive.Import.Interval',
  'Power.Active.Export',
  'Power.Reactive.Export',
  'Power.Reactive.Import',
  'Power.Factor',
  'Current.Export',
  'Frequency',
  'Temperature',
  'RPM',
  'Energy.Active.Net',
  'Energy.Reactive.Net',
  'Energy.Apparent.Net',
  'Energy.Apparent.Import',
  'Energy.Apparent.Export',
] as const;

/** The base units samples are normalised to (ocpp/meter-values.ts), and '' (Power.Factor). */
export const UNIT_CODES = ['Wh', 'W', 'A', 'V', 'Percent', 'var', 'varh', 'VA', 'VAh', 'Celsius', 'Hz', 'K', 'Fahrenheit', 'RPM', ''] as const;

/** Code 0 is "none" for the optional parts of a sample's identity. */
export const CONTEXT_CODES = [
  '',
  'Sample.Periodic',
  'Transaction.Begin',
  'Transaction.End',
  'Sample.Clock',
  'Trigger',
  'Interruption.Begin',
  'Interruption.End',
  'Other',
] as const;
export const PHASE_CODES = ['', 'L1', 'L2', 'L3', 'N', 'L1-N', 'L2-N', 'L3-N', 'L1-L2', 'L2-L3', 'L3-L1'] as const;
export const LOCATION_CODES = ['', 'Outlet', 'Inlet', 'Cable', 'EV', 'Body'] as const;

/** A sample's parts, by position in its packed array. */
export const PACKED = { measurand: 0, value: 1, unit: 2, context: 3, phase: 4, location: 5, signedData: 6 } as const;

/** A code, or the text itself when it is no standard one. */
export type Coded = number | string;
export type PackedSample = [Coded, number | null, Coded, Coded?, Coded?, Coded?, string?];

/** One part of a reading's row: the samples one report attributed to an EVSE and connector. */
export type PackedSegment = [evseId: number, connectorId: number, samples: PackedSample[]];

function encoder(table: readonly string[]): (text: string | null) => Coded {
  const codes = new Map(table.map((text, code) => [text, code]));
  return (text) => codes.get(text ?? '') ?? (text as string);
}

function decoder(table: readonly string[]): (coded: Coded | null | undefined) => string {
  return (coded) => (typeof coded === 'number' ? (table[coded] ?? String(coded)) : (coded ?? ''));
}

const encodeMeasurand = encoder(MEASURAND_CODES);
const encodeUnit = encoder(UNIT_CODES);
const encodeContext = encoder(CONTEXT_CODES);
const encodePhase = encoder(PHASE_CODES);
const encodeLocation = encoder(LOCATION_CODES);
const decodeMeasurand = decoder(MEASURAND_CODES);
const decodeUnit = decoder(UNIT_CODES);
const decodeContext = decoder(CONTEXT_CODES);
const decodePhase = decoder(PHASE_CODES);
const decodeLocation = decoder(LOCATION_CODES);

/** The code a standard text has (for SQL that filters on it). */
export function codeOf(table: readonly string[], text: string): number {
  const code = table.indexOf(text);
  if (code < 0) throw new Error(`no code for ${text}`);
  return code;
}

export function packSample(s: Omit<MeterSample, 'timestamp'>): PackedSample {
  const packed: unknown[] = [
    encodeMeasurand(s.measurand),
    s.value,
    encodeUnit(s.unit),
    encodeContext(s.context),
    encodePhase(s.phase),
    encodeLocation(s.location),
    s.signedData,
  ];
  // Trailing parts that are absent are left out: 0 for context, phase and location, null for signed data.
  while (packed.length > 3 && (packed[packed.length - 1] === 0 || packed[packed.length - 1] === null)) packed.pop();
  return packed as PackedSample;
}

export function unpackSample(p: PackedSample, timestamp: string): MeterSample {
  return {
    timestamp,
    measurand: decodeMeasurand(p[PACKED.measurand]),
    phase: decodePhase(p[PACKED.phase]) || null,
    location: decodeLocation(p[PACKED.location]) || null,
    context: decodeContext(p[PACKED.context]) || null,
    unit: decodeUnit(p[PACKED.unit]),
    value: p[PACKED.value] ?? null,
    signedData: p[PACKED.signedData] ?? null,
  };
}

/** What identifies a sample within its reading, in the order the API lists them: measurand, phase, location, context ('' when absent). */
export function sampleKey(s: Pick<MeterSample, 'measurand' | 'phase' | 'location' | 'context'>): [string, string, string, string] {
  return [s.measurand, s.phase ?? '', s.location ?? '', s.context ?? ''];
}

/** Orders keys (or any tuples of ASCII text) as SQLite's BINARY collation orders them. */
export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length - b.length;
}

/**
 * What a reading belongs to, for its identity: the transaction, or '@<evse>/<connector>' for
 * values outside any transaction. A transaction's values are the same values whichever connector
 * a replay attributes them to. A transaction id that itself begins with '@' gets a second '@', so
 * it can never be taken for an EVSE's scope.
 */
export function scopeOf(transactionId: string | null, evseId: number, connectorId: number): string {
  if (!transactionId) return `@${evseId}/${connectorId}`;
  return transactionId.startsWith('@') ? `@${transactionId}` : transactionId;
}

/** The transaction a scope names, or null for an EVSE's scope. */
export function transactionOfScope(scope: string): string | null {
  if (scope.startsWith('@@')) return scope.slice(1);
  return scope.startsWith('@') ? null : scope;
}

/** `scopeOf` in SQL, for a transaction id expression that is never empty. */
export function transactionScopeSql(transactionId: string): string {
  return `(CASE WHEN substr(${transactionId}, 1, 1) = '@' THEN '@' || ${transactionId} ELSE ${transactionId} END)`;
}

/** SQL that turns a coded sample part (an expression) back into its text; absent parts (0, NULL) become `absent`. */
export function decodeSql(table: readonly string[], coded: string, absent: string): string {
  const whens = table.map((text, code) => `WHEN ${code} THEN ${text === '' ? absent : `'${text}'`}`).join(' ');
  return `(CASE COALESCE(${coded}, 0) ${whens} ELSE ${coded} END)`;
}

/** SQL that codes a text column as packSample does (the migration's encoding). */
export function encodeSql(table: readonly string[], text: string): string {
  return `CASE ${text} ${table.map((t, code) => `WHEN '${t}' THEN ${code}`).join(' ')} ELSE ${text} END`;
}
