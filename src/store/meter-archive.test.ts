// The archive's pure parts: its object format and checks, and paging in D1's order.

import { describe, expect, it } from 'vitest';
import {
  ArchiveUnreadable,
  chargerKey,
  compareText,
  decodeArchive,
  encodeArchive,
  encodeCursor,
  mergeReadings,
  pageReadings,
  transactionKey,
} from './meter-archive';
import type { StoredMeterValue } from './meter-values';

const value = (timestamp: string, measurand: string, extra: Partial<StoredMeterValue> = {}): StoredMeterValue => ({
  transactionId: 'T1',
  evseId: 1,
  connectorId: 1,
  timestamp,
  measurand,
  phase: null,
  location: null,
  context: null,
  unit: 'Wh',
  value: 1,
  signedData: null,
  ...extra,
});

/** UTF-8 byte order, as SQLite's BINARY collation compares. */
function byteOrder(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe('compareText', () => {
  it('orders as UTF-8 bytes (SQLite BINARY), not as UTF-16 units', () => {
    const texts = ['', 'a', 'ab', 'b', 'A', '\u00e9', '\uffff', '\ue000', '\u{1f600}', '\u{10000}', 'a\u{1f600}', 'a\ue000', 'Z'];
    for (const a of texts) for (const b of texts) expect(Math.sign(compareText(a, b)), `${a} vs ${b}`).toBe(Math.sign(byteOrder(a, b)));
    // Where UTF-16 gets it wrong: an astral character sorts after U+FFFF in UTF-8.
    expect('\u{1f600}' < '\uffff').toBe(true);
    expect(compareText('\u{1f600}', '\uffff')).toBeGreaterThan(0);
  });
});

describe('the archive object', () => {
  it('reads back exactly what was written, with its count and SHA-256', async () => {
    const values = [value('2026-01-01T00:00:00.000Z', 'Voltage', { phase: 'L1-N', value: 230.5, signedData: 'sig' }), value('2026-01-01T00:00:01.000Z', 'Energy.Active.Import.Register', { value: null })];
    const encoded = await encodeArchive('CP-1', 'T1', values);
    expect([encoded.bytes[0], encoded.bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(encoded).toMatchObject({ count: 2, firstAt: '2026-01-01T00:00:00.000Z', lastAt: '2026-01-01T00:00:01.000Z' });
    expect(await decodeArchive(encoded.bytes, encoded)).toEqual(values);
  });

  it('is refused when its count or SHA-256 differs from what D1 recorded, or it is not an archive', async () => {
    const encoded = await encodeArchive('CP-1', 'T1', [value('2026-01-01T00:00:00.000Z', 'Voltage')]);
    await expect(decodeArchive(encoded.bytes, { count: 2, sha256: encoded.sha256 })).rejects.toBeInstanceOf(ArchiveUnreadable);
    await expect(decodeArchive(encoded.bytes, { count: 1, sha256: '0'.repeat(64) })).rejects.toBeInstanceOf(ArchiveUnreadable);
    await expect(decodeArchive(new TextEncoder().encode('not gzip'), encoded)).rejects.toBeInstanceOf(ArchiveUnreadable);
  });
});

describe('paging archived values', () => {
  const values = mergeReadings([
    [value('2026-01-01T00:00:02.000Z', 'Voltage'), value('2026-01-01T00:00:01.000Z', 'Voltage'), value('2026-01-01T00:00:01.000Z', 'Current.Import', { phase: 'L2' })],
    // The same key from a later source: the first one stored wins.
    [value('2026-01-01T00:00:01.000Z', 'Voltage', { value: 99 }), value('2026-01-01T00:00:01.000Z', 'Current.Import', { phase: 'L1' })],
  ]);

  it('merges sources in D1 order, each key once', () => {
    expect(values.map(transactionKey)).toEqual([
      ['2026-01-01T00:00:01.000Z', 'Current.Import', 'L1', '', ''],
      ['2026-01-01T00:00:01.000Z', 'Current.Import', 'L2', '', ''],
      ['2026-01-01T00:00:01.000Z', 'Voltage', '', '', ''],
      ['2026-01-01T00:00:02.000Z', 'Voltage', '', '', ''],
    ]);
    expect(values[2]!.value).toBe(1);
  });

  it('pages with the cursors D1 pages give', () => {
    const first = pageReadings(values, { limit: 3 })!;
    expect(first.meterValues).toEqual(values.slice(0, 3));
    expect(first.nextCursor).toBe(encodeCursor(['2026-01-01T00:00:01.000Z', 'Voltage', '', '', '']));
    expect(pageReadings(values, { limit: 3, cursor: first.nextCursor! })).toEqual({ meterValues: values.slice(3), nextCursor: null });
    expect(pageReadings(values, { limit: 4 })!.nextCursor).toBeNull();
    expect(pageReadings(values, { limit: 3, cursor: 'nonsense' })).toBeNull();
    expect(pageReadings(values, { limit: 3, cursor: encodeCursor(['a', 'b', 'c', 'd', 'e', 'f']) })).toBeNull();
    expect(pageReadings(values, { limit: 3, cursor: encodeCursor(['a', 'b', 'c', 'd', 'e', 'f']) }, chargerKey, 6)!.meterValues).toEqual([]);
  });
});
