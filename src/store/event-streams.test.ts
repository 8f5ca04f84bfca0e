import { describe, expect, it } from 'vitest';
import { hourOf, packStreamValues } from './event-streams';

const at = (iso: string) => Date.parse(iso);

describe('packStreamValues', () => {
  it('one row per charger, stream and UTC hour, points keyed by milliseconds after the hour; the first of an instant wins', () => {
    const rows = packStreamValues([
      { chargerId: 'A', fact: { streamId: 1, points: [[at('2026-06-01T10:00:01.5Z'), 'x'], [at('2026-06-01T10:59:59.999Z'), 'y'], [at('2026-06-01T11:00:00Z'), 'z']] } },
      { chargerId: 'A', fact: { streamId: 1, points: [[at('2026-06-01T10:00:01.5Z'), 'replayed'], [at('2026-06-01T10:30:00Z'), 'w']] } },
      { chargerId: 'B', fact: { streamId: 1, points: [[at('2026-06-01T10:00:00Z'), 'b']] } },
    ]);
    expect(rows).toEqual([
      ['A', 1, '2026-06-01T10', '1500', JSON.stringify({ 1500: 'x', 3599999: 'y', 1800000: 'w' })],
      ['A', 1, '2026-06-01T11', '0', JSON.stringify({ 0: 'z' })],
      ['B', 1, '2026-06-01T10', '0', JSON.stringify({ 0: 'b' })],
    ]);
  });

  it('splits an hour holding more than one statement takes into rows of the same hour, every point kept once', () => {
    const value = 'v'.repeat(2500);
    const points: Array<[number, string]> = Array.from({ length: 40 }, (_, i) => [at('2026-06-01T10:00:00Z') + i * 1000, value]);
    const rows = packStreamValues([{ chargerId: 'A', fact: { streamId: 2, points } }]);
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['2026-06-01T10']));
    for (const row of rows) expect(row[4].length).toBeLessThan(30_000);
    const keys = rows.flatMap((r) => Object.keys(JSON.parse(r[4])));
    expect(keys).toHaveLength(40);
    expect(rows.map((r) => r[3])).toEqual(rows.map((r) => Object.keys(JSON.parse(r[4]))[0]));
  });

  it('hours are UTC, as the rows key them', () => {
    expect(hourOf(at('2026-06-01T00:30:00+02:00'))).toBe('2026-05-31T22');
  });
});
