import { describe, expect, it } from 'vitest';
import {
  ENERGY_REGISTER,
  energyFromSamples,
  eventRegisters,
  normaliseUnit,
  samplesFromV16,
  samplesFromV201,
  type MeterSample,
  type V16MeterValue,
} from './meter-values';
import type { StopTransactionRequest } from './v16/schemas.generated';
import type { TransactionEventRequest } from './v201/schemas.generated';

describe('samplesFromV16', () => {
  it('applies the defaults: energy register, Wh, no phase, location or context', () => {
    expect(samplesFromV16([{ timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: '1234' }] }])).toEqual([
      {
        timestamp: '2024-01-01T12:00:00.000Z',
        measurand: ENERGY_REGISTER,
        phase: null,
        location: null,
        context: null,
        unit: 'Wh',
        value: 1234,
        signedData: null,
      },
    ]);
  });

  it('keeps the fields the charger set and flattens every sampled value of every reading', () => {
    const samples = samplesFromV16([
      {
        timestamp: '2024-01-01T13:00:00+01:00',
        sampledValue: [
          { value: '230.5', measurand: 'Voltage', phase: 'L1-N', unit: 'V', location: 'Outlet', context: 'Sample.Periodic' },
          { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW', context: 'Sample.Periodic' },
        ],
      },
      { timestamp: '2024-01-01T12:15:00Z', sampledValue: [{ value: '-3', measurand: 'Current.Export', unit: 'A' }] },
    ]);
    expect(samples).toEqual([
      expect.objectContaining({ timestamp: '2024-01-01T12:00:00.000Z', measurand: 'Voltage', phase: 'L1-N', location: 'Outlet', context: 'Sample.Periodic', unit: 'V', value: 230.5 }),
      expect.objectContaining({ measurand: 'Power.Active.Import', unit: 'W', value: 7200 }),
      expect.objectContaining({ timestamp: '2024-01-01T12:15:00.000Z', unit: 'A', value: -3 }),
    ]);
  });

  it('normalises kWh to Wh without floating-point noise', () => {
    const [sample] = samplesFromV16([{ timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: '0.1', unit: 'kWh' }] }]);
    expect(sample).toMatchObject({ unit: 'Wh', value: 100 });
    const [big] = samplesFromV16([{ timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: '1234.567', unit: 'kWh' }] }]);
    expect(big?.value).toBe(1_234_567);
  });

  it('spells the misspelt Celcius right', () => {
    const [sample] = samplesFromV16([
      { timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: '21.5', measurand: 'Temperature', unit: 'Celcius' }] },
    ]);
    expect(sample).toMatchObject({ unit: 'Celsius', value: 21.5 });
  });

  it('gives non-energy measurands without a unit their SI unit, not Wh', () => {
    const samples = samplesFromV16([
      {
        timestamp: '2024-01-01T12:00:00Z',
        sampledValue: [
          { value: '1', measurand: 'Energy.Reactive.Import.Register' },
          { value: '1', measurand: 'Power.Active.Import' },
          { value: '1', measurand: 'Power.Reactive.Import' },
          { value: '1', measurand: 'Current.Import' },
          { value: '1', measurand: 'Voltage' },
          { value: '1', measurand: 'SoC' },
          { value: '1', measurand: 'Temperature' },
          { value: '1', measurand: 'Power.Factor' },
        ],
      },
    ]);
    expect(samples.map((s) => s.unit)).toEqual(['Wh', 'W', 'var', 'A', 'V', 'Percent', 'Celsius', '']);
  });

  it('keeps signed data as sent, with a null value unless the text is a number', () => {
    const samples = samplesFromV16([
      {
        timestamp: '2024-01-01T12:00:00Z',
        sampledValue: [
          { value: '<?xml version="1.0"?><signedMeterValue>…</signedMeterValue>', format: 'SignedData' },
          { value: '42', format: 'SignedData', unit: 'kWh' },
          { value: '42', format: 'Raw' },
        ],
      },
    ]);
    expect(samples).toEqual([
      expect.objectContaining({ unit: 'Wh', value: null, signedData: '<?xml version="1.0"?><signedMeterValue>…</signedMeterValue>' }),
      expect.objectContaining({ unit: 'Wh', value: 42_000, signedData: '42' }),
      expect.objectContaining({ value: 42, signedData: null }),
    ]);
  });

  it('drops raw values that are not decimal numbers', () => {
    const samples = samplesFromV16([
      {
        timestamp: '2024-01-01T12:00:00Z',
        sampledValue: [{ value: '' }, { value: 'abc' }, { value: '0x10' }, { value: 'Infinity' }, { value: ' 1.5e3 ' }],
      },
    ]);
    expect(samples.map((s) => s.value)).toEqual([1500]);
  });

  it('takes StopTransaction transactionData as it is', () => {
    const data: NonNullable<StopTransactionRequest['transactionData']> = [
      { timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: '5', context: 'Transaction.End' }] },
    ];
    const meterValue: V16MeterValue[] = data;
    expect(samplesFromV16(meterValue)).toHaveLength(1);
  });
});

describe('samplesFromV201', () => {
  it('applies the defaults: energy register in Wh, multiplier 0', () => {
    expect(samplesFromV201([{ timestamp: '2024-01-01T12:00:00.250Z', sampledValue: [{ value: 1234.5 }] }])).toEqual([
      {
        timestamp: '2024-01-01T12:00:00.250Z',
        measurand: ENERGY_REGISTER,
        phase: null,
        location: null,
        context: null,
        unit: 'Wh',
        value: 1234.5,
        signedData: null,
      },
    ]);
  });

  it('applies the multiplier, and the unit default when only a multiplier is given', () => {
    const samples = samplesFromV201([
      {
        timestamp: '2024-01-01T12:00:00Z',
        sampledValue: [
          { value: 12, unitOfMeasure: { multiplier: 3 } },
          { value: 123, unitOfMeasure: { unit: 'Wh', multiplier: -1 } },
          { value: 16, measurand: 'Current.Import', phase: 'L2', unitOfMeasure: { unit: 'A', multiplier: -3 } },
          { value: 7, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW', multiplier: 1 } },
        ],
      },
    ]);
    expect(samples.map((s) => [s.unit, s.value])).toEqual([
      ['Wh', 12_000],
      ['Wh', 12.3],
      ['A', 0.016],
      ['W', 70_000],
    ]);
  });

  it('normalises kWh and MWh to Wh', () => {
    const samples = samplesFromV201([
      {
        timestamp: '2024-01-01T12:00:00Z',
        sampledValue: [
          { value: 0.1, unitOfMeasure: { unit: 'kWh' } },
          { value: 1.5, unitOfMeasure: { unit: 'MWh' } },
          { value: 2, unitOfMeasure: { unit: 'KWH' } },
          { value: 3, measurand: 'Energy.Apparent.Import', unitOfMeasure: { unit: 'kVAh' } },
        ],
      },
    ]);
    expect(samples.map((s) => [s.unit, s.value])).toEqual([
      ['Wh', 100],
      ['Wh', 1_500_000],
      ['Wh', 2000],
      ['VAh', 3000],
    ]);
  });

  it('keeps signedMeterData as signed data, beside the value', () => {
    const [sample] = samplesFromV201([
      {
        timestamp: '2024-01-01T12:00:00Z',
        sampledValue: [
          {
            value: 1.25,
            unitOfMeasure: { unit: 'kWh' },
            context: 'Transaction.End',
            signedMeterValue: { signedMeterData: 'AbC=', signingMethod: 'ECDSA', encodingMethod: 'OCMF', publicKey: 'PK' },
          },
        ],
      },
    ]);
    expect(sample).toMatchObject({ unit: 'Wh', value: 1250, signedData: 'AbC=', context: 'Transaction.End' });
  });

  it('drops a value the multiplier makes infinite', () => {
    expect(samplesFromV201([{ timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: 5, unitOfMeasure: { multiplier: 400 } }] }])).toEqual([]);
  });

  it('takes TransactionEvent meterValue as it is', () => {
    const meterValue: NonNullable<TransactionEventRequest['meterValue']> = [
      { timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: 1 }] },
    ];
    expect(samplesFromV201(meterValue)).toHaveLength(1);
  });
});

describe('normaliseUnit', () => {
  it('turns prefixed units into base units, whatever the case of the k', () => {
    expect(normaliseUnit('kW', 1.5, 0)).toEqual({ unit: 'W', value: 1500 });
    expect(normaliseUnit('KW', 1.5, 0)).toEqual({ unit: 'W', value: 1500 });
    expect(normaliseUnit('kvar', 2, 0)).toEqual({ unit: 'var', value: 2000 });
    expect(normaliseUnit('kvarh', 2, 0)).toEqual({ unit: 'varh', value: 2000 });
    expect(normaliseUnit('kVA', 2, 0)).toEqual({ unit: 'VA', value: 2000 });
    expect(normaliseUnit('kVAh', 2, 0)).toEqual({ unit: 'VAh', value: 2000 });
    expect(normaliseUnit('WH', 2, 0)).toEqual({ unit: 'Wh', value: 2 });
  });

  it('leaves other units alone, and treats mWh as something other than MWh', () => {
    expect(normaliseUnit('V', 230, 0)).toEqual({ unit: 'V', value: 230 });
    expect(normaliseUnit('Percent', 80, 0)).toEqual({ unit: 'Percent', value: 80 });
    expect(normaliseUnit('mWh', 5, 0)).toEqual({ unit: 'mWh', value: 5 });
    expect(normaliseUnit('Fahrenheit', 70, 0)).toEqual({ unit: 'Fahrenheit', value: 70 });
  });

  it('rounds to six decimal places', () => {
    expect(normaliseUnit('Wh', 1.23456789, 0)).toEqual({ unit: 'Wh', value: 1.234568 });
    expect(normaliseUnit('Wh', -0.0000001, 0)).toEqual({ unit: 'Wh', value: 0 });
    expect(Object.is(normaliseUnit('Wh', -0.0000001, 0)?.value, 0)).toBe(true);
  });
});

function energy(timestamp: string, value: number, more: Partial<MeterSample> = {}): MeterSample {
  return {
    timestamp,
    measurand: ENERGY_REGISTER,
    phase: null,
    location: null,
    context: null,
    unit: 'Wh',
    value,
    signedData: null,
    ...more,
  };
}

describe('energyFromSamples', () => {
  it('is null without a usable energy register reading', () => {
    expect(energyFromSamples([])).toBeNull();
    expect(
      energyFromSamples([
        energy('2024-01-01T12:00:00.000Z', 5, { measurand: 'Power.Active.Import', unit: 'W' }),
        energy('2024-01-01T12:00:00.000Z', 5, { measurand: 'Energy.Active.Import.Interval' }),
        energy('2024-01-01T12:00:00.000Z', 0, { value: null, signedData: 'x' }),
      ]),
    ).toBeNull();
  });

  it('is 0 for a single reading', () => {
    expect(energyFromSamples([energy('2024-01-01T12:00:00.000Z', 1000)])).toBe(0);
  });

  it('subtracts lifetime odometer readings: Transaction.End minus Transaction.Begin', () => {
    const samples = [
      energy('2024-01-01T12:30:00.000Z', 1_242_000, { context: 'Sample.Periodic' }),
      energy('2024-01-01T12:00:00.000Z', 1_234_000, { context: 'Transaction.Begin' }),
      energy('2024-01-01T13:00:00.000Z', 1_250_500, { context: 'Transaction.End' }),
    ];
    expect(energyFromSamples(samples)).toBe(16_500);
  });

  it('prefers the Begin and End readings over earlier and later samples', () => {
    const samples = [
      energy('2024-01-01T11:59:00.000Z', 999_000, { context: 'Sample.Clock' }),
      energy('2024-01-01T12:00:00.000Z', 1_000_000, { context: 'Transaction.Begin' }),
      energy('2024-01-01T13:00:00.000Z', 1_010_000, { context: 'Transaction.End' }),
      energy('2024-01-01T13:01:00.000Z', 1_010_100, { context: 'Sample.Clock' }),
    ];
    expect(energyFromSamples(samples)).toBe(10_000);
  });

  it('uses the earliest and latest readings when there are no Begin or End contexts', () => {
    const samples = [
      energy('2024-01-01T12:30:00.000Z', 1_005_000),
      energy('2024-01-01T13:00:00.000Z', 1_012_345.5),
      energy('2024-01-01T12:00:00.000Z', 1_000_000),
    ];
    expect(energyFromSamples(samples)).toBe(12_345.5);
    // Begin without End: from Begin to the latest.
    expect(energyFromSamples([...samples, energy('2024-01-01T12:10:00.000Z', 1_002_000, { context: 'Transaction.Begin' })])).toBe(10_345.5);
  });

  it('works on samples converted from kWh', () => {
    const samples = samplesFromV201([
      { timestamp: '2024-01-01T12:00:00Z', sampledValue: [{ value: 1234.0, unitOfMeasure: { unit: 'kWh' }, context: 'Transaction.Begin' }] },
      { timestamp: '2024-01-01T13:00:00Z', sampledValue: [{ value: 1250.5, unitOfMeasure: { unit: 'kWh' }, context: 'Transaction.End' }] },
    ]);
    expect(energyFromSamples(samples)).toBe(16_500);
  });

  it('compares the phase total only, and adds up the phases when there is no total', () => {
    const withTotal = [
      energy('2024-01-01T12:00:00.000Z', 3000),
      energy('2024-01-01T12:00:00.000Z', 1000, { phase: 'L1' }),
      energy('2024-01-01T13:00:00.000Z', 3300),
      energy('2024-01-01T13:00:00.000Z', 1100, { phase: 'L1' }),
    ];
    expect(energyFromSamples(withTotal)).toBe(300);
    const phasesOnly = ['L1', 'L2', 'L3'].flatMap((phase, i) => [
      energy('2024-01-01T12:00:00.000Z', 1000 * (i + 1), { phase }),
      energy('2024-01-01T13:00:00.000Z', 1000 * (i + 1) + 100, { phase }),
    ]);
    expect(energyFromSamples(phasesOnly)).toBe(300);
  });

  it('compares readings of one location, the outlet first', () => {
    const samples = [
      energy('2024-01-01T12:00:00.000Z', 50_000, { location: 'Inlet' }),
      energy('2024-01-01T12:00:00.000Z', 1000, { location: 'Outlet' }),
      energy('2024-01-01T13:00:00.000Z', 51_000, { location: 'Inlet' }),
      energy('2024-01-01T13:00:00.000Z', 1900),
    ];
    expect(energyFromSamples(samples)).toBe(900);
    expect(energyFromSamples(samples.filter((s) => s.location === 'Inlet'))).toBe(1000);
  });

  it('is null when the register went backwards', () => {
    expect(
      energyFromSamples([
        energy('2024-01-01T12:00:00.000Z', 5000, { context: 'Transaction.Begin' }),
        energy('2024-01-01T13:00:00.000Z', 10, { context: 'Transaction.End' }),
      ]),
    ).toBeNull();
  });
});

describe('eventRegisters', () => {
  const reading = (timestamp: string, value: number, extra: Partial<MeterSample> = {}): MeterSample => ({
    timestamp,
    measurand: ENERGY_REGISTER,
    phase: null,
    location: null,
    context: null,
    unit: 'Wh',
    value,
    signedData: null,
    ...extra,
  });

  it('prefers the Transaction.Begin and Transaction.End readings, else the earliest and latest', () => {
    const samples = [
      reading('2024-01-01T12:00:00Z', 100),
      reading('2024-01-01T12:05:00Z', 150, { context: 'Transaction.Begin' }),
      reading('2024-01-01T12:10:00Z', 300),
    ];
    expect(eventRegisters(samples, 'Updated')).toEqual({ beginWh: 150, endWh: 300 });
    expect(eventRegisters(samples.slice(0, 1).concat(samples.slice(2)), 'Updated')).toEqual({ beginWh: 100, endWh: 300 });
  });

  it('gives an Ended event no start reading unless it says Transaction.Begin', () => {
    expect(eventRegisters([reading('2024-01-01T12:00:00Z', 900)], 'Ended')).toEqual({ beginWh: null, endWh: 900 });
  });

  it('sums L1–L3 without a phase total, and reads only the outlet', () => {
    const phases = ['L1', 'L2', 'L3'].map((phase, i) => reading('2024-01-01T12:00:00Z', 100 * (i + 1), { phase }));
    expect(eventRegisters([...phases, reading('2024-01-01T12:00:00Z', 5, { location: 'Inlet' })], 'Started')).toEqual({ beginWh: 600, endWh: 600 });
    expect(eventRegisters([reading('2024-01-01T12:00:00Z', 5, { location: 'Inlet' })], 'Started')).toEqual({ beginWh: null, endWh: null });
  });
});
