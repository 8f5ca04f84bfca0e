import { describe, expect, it } from 'vitest';
import { assembleReport } from './report-assembly';

const part = (seqNo: number, tbc: boolean, at = '2026-01-01T00:00:00.000Z') => ({ receivedAt: at, payload: { requestId: 9, seqNo, tbc } });

describe('assembleReport', () => {
  it('orders parts by seqNo and is complete once the last part and all before it arrived', () => {
    const report = assembleReport('NotifyReport', 9, [part(2, false), part(0, true), part(1, true)]);
    expect(report.parts.map((p) => p.seqNo)).toEqual([0, 1, 2]);
    expect(report).toMatchObject({ complete: true, missingSeqNos: [] });
  });

  it('names the parts still missing, and is not complete without the last one', () => {
    expect(assembleReport('NotifyReport', 9, [part(0, true), part(2, false)])).toMatchObject({ complete: false, missingSeqNos: [1] });
    expect(assembleReport('NotifyReport', 9, [part(0, true), part(1, true)])).toMatchObject({ complete: false, missingSeqNos: [] });
  });

  it('counts a part received twice once', () => {
    const report = assembleReport('NotifyReport', 9, [part(0, false), part(0, false, '2026-01-01T00:01:00.000Z')]);
    expect(report.parts).toHaveLength(1);
    expect(report.complete).toBe(true);
  });

  it('handles reports without seqNo (a single part, tbc false)', () => {
    const report = assembleReport('ReportChargingProfiles', 4, [{ receivedAt: '2026-01-01T00:00:00.000Z', payload: { requestId: 4 } }]);
    expect(report).toMatchObject({ complete: true, parts: [{ seqNo: null, tbc: false }] });
  });
});
