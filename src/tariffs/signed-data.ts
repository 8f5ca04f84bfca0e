// Signed meter data for charge detail records (OCPI 2.2.1 CDR `signed_data`): which of a
// transaction's readings are kept for it, and the OCPI SignedData built from the kept ones. Pure:
// the store (src/store/meter-values.ts) keeps the first and last signed energy reading of each
// transaction as they arrive (migrations/0038 says why then), src/tariffs/cdr.ts puts them in CDRs.
//
// Which reading: an Energy.Active.Import.Register sample with signed data (2.0.1 signedMeterValue,
// 1.6 format SignedData); of several in one reading, the phase total at the outlet first. Start is
// the transaction's earliest such reading, End its latest; a transaction with one signed reading
// has one signed value, End if its context is Transaction.End, else Start. Intermediate readings
// are not carried: keeping every one would cost a D1 row per reading for the export to read.
//
// Sizes are bounded, and nothing is ever cut short (a signature or key that lost a byte verifies
// nothing): a signed value longer than OCPI's string(5000) is not kept for the CDR (the reading
// still holds it), a public key longer than OCPI's string(512) is left out of the CDR. So one CDR's
// signed_data is at most about 2 × 5,000 + 512 characters, and a CSV page of 200 CDRs stays small.

import { ENERGY_REGISTER, type MeterSample } from '../ocpp/meter-values';
import { packSample, unpackSample, type PackedSample } from '../store/meter-packing';

/** OCPI SignedValue.signed_data is string(5000). */
export const MAX_SIGNED_DATA_CHARS = 5000;
/** OCPI SignedData.public_key is string(512). */
export const MAX_PUBLIC_KEY_CHARS = 512;

/** What is kept of a signed reading (transaction_signed_values.first_value / last_value, as JSON). */
export interface KeptSignedReading {
  /** The sample as meter_hours packs it (its signed data included). */
  sample: PackedSample;
  /** 2.0.1 signedMeterValue.encodingMethod; 1.6 does not say. */
  encodingMethod?: string;
  /** 2.0.1 signedMeterValue.publicKey, when the charger sent one that fits OCPI's public_key. */
  publicKey?: string;
}

/** The signed reading to keep for a sample, or null when it is not one (or its signed data is too long). */
export function keptSignedReading(s: Omit<MeterSample, 'timestamp'>): KeptSignedReading | null {
  if (s.measurand !== ENERGY_REGISTER || s.signedData === null || s.signedData.length > MAX_SIGNED_DATA_CHARS) return null;
  const kept: KeptSignedReading = { sample: packSample(s) };
  const meta = s.signedMeterValue;
  if (meta?.encodingMethod) kept.encodingMethod = meta.encodingMethod;
  if (meta?.publicKey && meta.publicKey.length <= MAX_PUBLIC_KEY_CHARS) kept.publicKey = meta.publicKey;
  return kept;
}

/** Of one reading's samples, the signed energy reading to keep: the phase total at the outlet first. */
export function signedReadingOf(samples: readonly Omit<MeterSample, 'timestamp'>[]): KeptSignedReading | null {
  const rank = (s: Omit<MeterSample, 'timestamp'>) => (s.phase === null ? 0 : 2) + (s.location === null || s.location === 'Outlet' ? 0 : 1);
  let best: { rank: number; kept: KeptSignedReading } | null = null;
  for (const s of samples) {
    const kept = keptSignedReading(s);
    if (kept === null) continue;
    if (best === null || rank(s) < best.rank) best = { rank: rank(s), kept };
  }
  return best?.kept ?? null;
}

export interface OcpiSignedValue {
  nature: 'Start' | 'End' | 'Intermediate';
  plain_data: string;
  signed_data: string;
}

export interface OcpiSignedData {
  encoding_method: string;
  public_key?: string;
  signed_values: OcpiSignedValue[];
}

/**
 * The encoding of 1.6 signed data, which names none: OCMF says so in its first field ("OCMF|…");
 * anything else is `unknown` rather than a guess.
 */
export function encodingMethodOf(signedData: string): string {
  return signedData.startsWith('OCMF|') ? 'OCMF' : 'unknown';
}

/** A transaction's kept first and last signed readings, as D1 holds them (JSON values). */
export interface SignedReadingsRow {
  firstAt: string;
  firstValue: string;
  lastAt: string;
  lastValue: string;
}

/**
 * The CDR's signed_data from a transaction's kept readings; null when there are none (or the row
 * cannot be read: a CDR without signed data beats no CDR). plain_data is the reading's value as the
 * CSMS read it, in its unit (e.g. "12345.6 Wh"); empty when the charger sent no plain number (a 1.6
 * SignedData value carries only the signed text).
 */
export function toSignedData(row: SignedReadingsRow | null): OcpiSignedData | null {
  if (row === null) return null;
  let first: KeptSignedReading;
  let last: KeptSignedReading;
  try {
    first = JSON.parse(row.firstValue) as KeptSignedReading;
    last = JSON.parse(row.lastValue) as KeptSignedReading;
  } catch {
    return null;
  }
  const value = (kept: KeptSignedReading, at: string, nature: OcpiSignedValue['nature']): OcpiSignedValue | null => {
    const s = unpackSample(kept.sample, at);
    if (s.signedData === null) return null;
    return { nature, plain_data: s.value === null ? '' : `${s.value} ${s.unit}`, signed_data: s.signedData };
  };
  const one = row.firstAt === row.lastAt;
  const onlyNature = unpackSample(first.sample, row.firstAt).context === 'Transaction.End' ? 'End' : 'Start';
  const values = (one ? [value(first, row.firstAt, onlyNature)] : [value(first, row.firstAt, 'Start'), value(last, row.lastAt, 'End')]).filter(
    (v): v is OcpiSignedValue => v !== null,
  );
  if (values.length === 0) return null;
  const publicKey = first.publicKey ?? last.publicKey;
  return {
    encoding_method: first.encodingMethod ?? last.encodingMethod ?? encodingMethodOf(values[0]!.signed_data),
    ...(publicKey === undefined ? {} : { public_key: publicKey }),
    signed_values: values,
  };
}
