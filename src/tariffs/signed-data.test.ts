// Unit tests of which signed readings a CDR carries and how (OCPI 2.2.1 CDR signed_data, SignedData class).
import { describe, expect, it } from 'vitest';
import type { MeterSample } from '../ocpp/meter-values';
import { encodingMethodOf, keptSignedReading, MAX_PUBLIC_KEY_CHARS, MAX_SIGNED_DATA_CHARS, signedReadingOf, toSignedData } from './signed-data';

const energy = (extra: Partial<MeterSample> = {}): Omit<MeterSample, 'timestamp'> => ({
  measurand: 'Energy.Active.Import.Register',
  phase: null,
  location: null,
  context: null,
  unit: 'Wh',
  value: 1000,
  signedData: 'SIG',
  ...extra,
});
const meta = (publicKey = 'PK') => ({ encodingMethod: 'OCMF', signingMethod: 'ECDSA-secp256r1-SHA256', publicKey });

describe('signed-data: the readings kept for a CDR', () => {
  it('keeps a signed energy register sample with its 2.0.1 encoding method and public key; nothing else', () => {
    expect(keptSignedReading(energy({ signedMeterValue: meta() }))).toEqual({ sample: [0, 1000, 0, 0, 0, 0, 'SIG'], encodingMethod: 'OCMF', publicKey: 'PK' });
    // 1.6: no metadata, and often no plain number.
    expect(keptSignedReading(energy({ value: null }))).toEqual({ sample: [0, null, 0, 0, 0, 0, 'SIG'] });
    expect(keptSignedReading(energy({ signedData: null }))).toBeNull();
    expect(keptSignedReading(energy({ measurand: 'Power.Active.Import', unit: 'W' }))).toBeNull();
  });

  it('caps sizes without cutting anything short: a signed value over 5000 characters is not kept, a public key over 512 is left out', () => {
    expect(keptSignedReading(energy({ signedData: 'x'.repeat(MAX_SIGNED_DATA_CHARS) }))).not.toBeNull();
    expect(keptSignedReading(energy({ signedData: 'x'.repeat(MAX_SIGNED_DATA_CHARS + 1) }))).toBeNull();
    expect(keptSignedReading(energy({ signedMeterValue: meta('k'.repeat(MAX_PUBLIC_KEY_CHARS)) }))?.publicKey).toHaveLength(MAX_PUBLIC_KEY_CHARS);
    const long = keptSignedReading(energy({ signedMeterValue: meta('k'.repeat(MAX_PUBLIC_KEY_CHARS + 1)) }));
    expect(long).toEqual({ sample: [0, 1000, 0, 0, 0, 0, 'SIG'], encodingMethod: 'OCMF' });
    // An empty public key (2.0.1 requires the field) is no key.
    expect(keptSignedReading(energy({ signedMeterValue: meta('') }))).not.toHaveProperty('publicKey');
  });

  it('of one reading, prefers the phase total at the outlet', () => {
    const l1 = energy({ phase: 'L1', signedData: 'L1' });
    const inlet = energy({ location: 'Inlet', signedData: 'INLET' });
    const total = energy({ location: 'Outlet', signedData: 'TOTAL' });
    expect(signedReadingOf([l1, inlet, total])?.sample[6]).toBe('TOTAL');
    expect(signedReadingOf([l1, inlet])?.sample[6]).toBe('INLET');
    expect(signedReadingOf([energy({ signedData: null })])).toBeNull();
  });
});

describe('signed-data: OCPI SignedData of a transaction', () => {
  const value = (signedData: string, context: number, wh: number | null, extra: Record<string, string> = {}) =>
    JSON.stringify({ sample: [0, wh, 0, context, 0, 0, signedData], ...extra });

  it('Start is the first reading, End the last; plain_data is the reading in its unit', () => {
    const data = toSignedData({
      firstAt: '2026-01-01T10:00:00.000Z',
      firstValue: value('S1', 2, 1000.5, { encodingMethod: 'EDL', publicKey: 'PK' }),
      lastAt: '2026-01-01T11:00:00.000Z',
      lastValue: value('S2', 3, 9000, { encodingMethod: 'EDL' }),
    });
    expect(data).toEqual({
      encoding_method: 'EDL',
      public_key: 'PK',
      signed_values: [
        { nature: 'Start', plain_data: '1000.5 Wh', signed_data: 'S1' },
        { nature: 'End', plain_data: '9000 Wh', signed_data: 'S2' },
      ],
    });
  });

  it('one signed reading is one value: End when its context is Transaction.End, else Start', () => {
    const one = (context: number) => toSignedData({ firstAt: 'T', firstValue: value('OCMF|x', context, null), lastAt: 'T', lastValue: value('OCMF|x', context, null) });
    expect(one(3)).toEqual({ encoding_method: 'OCMF', signed_values: [{ nature: 'End', plain_data: '', signed_data: 'OCMF|x' }] });
    expect(one(1)?.signed_values).toEqual([{ nature: 'Start', plain_data: '', signed_data: 'OCMF|x' }]);
  });

  it('1.6 names no encoding: OCMF text says it is OCMF, anything else is unknown', () => {
    expect(encodingMethodOf('OCMF|{}|{}')).toBe('OCMF');
    expect(encodingMethodOf('<?xml version="1.0"?><signedMeterValue/>')).toBe('unknown');
  });

  it('no row, or a row that cannot be read, is no signed_data (the CDR is still made)', () => {
    expect(toSignedData(null)).toBeNull();
    expect(toSignedData({ firstAt: 'a', firstValue: '{', lastAt: 'b', lastValue: '{}' })).toBeNull();
  });
});
