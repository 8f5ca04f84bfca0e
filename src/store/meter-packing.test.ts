// The packed form of meter values: lossless both ways, canonical, and coded in migrations/0016 exactly as here.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MeterSample } from '../ocpp/meter-values';
import {
  CONTEXT_CODES,
  encodeSql,
  LOCATION_CODES,
  MEASURAND_CODES,
  packSample,
  PHASE_CODES,
  scopeOf,
  transactionOfScope,
  UNIT_CODES,
  unpackSample,
} from './meter-packing';

const at = '2026-01-01T00:00:00.000Z';
const s = (extra: Partial<MeterSample>): MeterSample => ({
  timestamp: at,
  measurand: 'Energy.Active.Import.Register',
  phase: null,
  location: null,
  context: null,
  unit: 'Wh',
  value: 1,
  signedData: null,
  ...extra,
});

describe('packSample', () => {
  it('codes standard texts, leaves trailing absent parts out, and keeps any other text as it is', () => {
    expect(JSON.stringify(packSample(s({ value: 12345.6, context: 'Sample.Periodic' })))).toBe('[0,12345.6,0,1]');
    expect(JSON.stringify(packSample(s({ measurand: 'Current.Import', unit: 'A', phase: 'L2', value: 16 })))).toBe('[2,16,2,0,2]');
    expect(JSON.stringify(packSample(s({ value: null, signedData: 'OCMF|x' })))).toBe('[0,null,0,0,0,0,"OCMF|x"]');
    expect(JSON.stringify(packSample(s({ measurand: 'Custom.Thing', unit: 'mA', context: 'Odd', location: 'Roof' })))).toBe(
      '["Custom.Thing",1,"mA","Odd",0,"Roof"]',
    );
  });

  it('unpacks to exactly the sample it packed', () => {
    const samples = [
      s({}),
      s({ value: 0.1 + 0.2, context: 'Transaction.End', location: 'Outlet', phase: 'L3-L1' }),
      s({ measurand: 'Power.Factor', unit: '', value: 0.97 }),
      s({ value: null, signedData: '', context: 'Other' }),
      s({ measurand: 'X', unit: 'Y', phase: 'Z', location: 'W', context: 'V', value: -1 / 3, signedData: 'sig' }),
      ...MEASURAND_CODES.map((measurand) => s({ measurand })),
      ...UNIT_CODES.map((unit) => s({ unit })),
      ...CONTEXT_CODES.slice(1).map((context) => s({ context })),
      ...PHASE_CODES.slice(1).map((phase) => s({ phase })),
      ...LOCATION_CODES.slice(1).map((location) => s({ location })),
    ];
    for (const sample of samples) expect(unpackSample(JSON.parse(JSON.stringify(packSample(sample))), at)).toEqual(sample);
  });

  it('is coded by migration 0016 with the same tables', () => {
    const migration = readFileSync('migrations/0016_meter_compact.sql', 'utf8');
    for (const [table, column] of [
      [MEASURAND_CODES, 'measurand'],
      [UNIT_CODES, 'unit'],
      [CONTEXT_CODES, 'context'],
      [PHASE_CODES, 'phase'],
      [LOCATION_CODES, 'location'],
    ] as const) {
      expect(migration).toContain(encodeSql(table, column));
    }
  });
});

describe('scopeOf', () => {
  it("names a transaction or an EVSE, and a transaction id beginning with '@' is never an EVSE's", () => {
    for (const id of ['1', 'abc', '@1/1', '@@x']) expect(transactionOfScope(scopeOf(id, 1, 1))).toBe(id);
    expect(transactionOfScope(scopeOf('', 1, 1))).toBeNull();
    expect(scopeOf('', 2, 3)).toBe('@2/3');
    expect(scopeOf('@1/1', 1, 1)).not.toBe(scopeOf('', 1, 1));
  });
});
