// The archive's pure parts: its object format and checks, and paging in D1's order.

import { describe, expect, it } from 'vitest';
import {
  canonicalEventsJson,
  ArchiveUnreadable,
  chargerKey,
  compareText,
  decodeArchive,
  decodeArchiveContent,
  encodeArchive,
  type StoredTransactionEvent,
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

describe('the archive object with events (format @2)', () => {
  const event = (seqNo: number, extra: Partial<StoredTransactionEvent> = {}): StoredTransactionEvent => ({
    charger_id: 'CP-1', transaction_id: 'T1', seq_no: seqNo, digest: 'ab'.repeat(32), disposition: 'applied', event_type: 'Updated',
    timestamp: '2026-01-01T00:00:00.000Z', trigger_reason: 'MeterValuePeriodic', offline: 0, charging_state: 'Charging',
    stopped_reason: null, remote_start_id: null, reservation_id: null, id_token: null, id_token_type: null, id_token_status: null,
    remote_start_id_token: null, evse_id: 1, connector_id: 1, begin_wh: 10.5, end_wh: 10.5, detail: null,
    received_at: '2026-01-01T00:00:01.000Z', begin_export_wh: null, end_export_wh: null, ...extra,
  });

  it('leaves the export registers (added by migration 0047) out of the canonical JSON while null: objects written before still verify', () => {
    const { begin_export_wh: _b, end_export_wh: _e, ...before } = event(0);
    const canonical = canonicalEventsJson([event(0)]);
    expect(canonical).not.toContain('export');
    expect(canonical).toBe(JSON.stringify([before]));
    expect(JSON.parse(canonicalEventsJson([event(0, { begin_export_wh: 5, end_export_wh: 7 })]))[0]).toMatchObject({ begin_export_wh: 5, end_export_wh: 7 });
  });

  it('reads back its readings and its events exactly, each checked against what D1 recorded', async () => {
    const values = [value('2026-01-01T00:00:00.000Z', 'Voltage')];
    const events = [event(0, { event_type: 'Started', id_token: 'TAG', id_token_status: 'Accepted' }), event(1, { detail: '{"a":1}' })];
    const encoded = await encodeArchive('CP-1', 'T1', values, events);
    expect(encoded).toMatchObject({ format: 'ocpp-csms/meter-archive@2', count: 1, eventCount: 2, eventsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const expected = { count: 1, sha256: encoded.sha256, events: { count: 2, sha256: encoded.eventsSha256! } };
    expect(await decodeArchiveContent(encoded.bytes, expected)).toEqual({ meterValues: values, events });
    // A reader of the readings alone takes @2 as it takes @1.
    expect(await decodeArchive(encoded.bytes, encoded)).toEqual(values);
    // The key order of a row does not matter to the SHA-256; its content does.
    const reordered = events.map((e) => Object.fromEntries(Object.entries(e).reverse()) as StoredTransactionEvent);
    expect((await encodeArchive('CP-1', 'T1', values, reordered)).eventsSha256).toBe(encoded.eventsSha256);
    expect((await encodeArchive('CP-1', 'T1', values, [events[0]!, event(1, { detail: '{"a":2}' })])).eventsSha256).not.toBe(encoded.eventsSha256);
    // Without events it is written as before, @1.
    expect((await encodeArchive('CP-1', 'T1', values)).format).toBe('ocpp-csms/meter-archive@1');
  });

  it('is refused when its events differ from what D1 recorded, or D1 recorded events an @1 object does not hold', async () => {
    const values = [value('2026-01-01T00:00:00.000Z', 'Voltage')];
    const encoded = await encodeArchive('CP-1', 'T1', values, [event(0)]);
    const check = (events: { count: number; sha256: string }) => decodeArchiveContent(encoded.bytes, { count: 1, sha256: encoded.sha256, events });
    await expect(check({ count: 2, sha256: encoded.eventsSha256! })).rejects.toBeInstanceOf(ArchiveUnreadable);
    await expect(check({ count: 1, sha256: '0'.repeat(64) })).rejects.toBeInstanceOf(ArchiveUnreadable);
    const v1 = await encodeArchive('CP-1', 'T1', values);
    await expect(decodeArchiveContent(v1.bytes, { count: 1, sha256: v1.sha256, events: { count: 1, sha256: encoded.eventsSha256! } })).rejects.toBeInstanceOf(ArchiveUnreadable);
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
