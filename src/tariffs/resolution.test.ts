import { describe, expect, it } from 'vitest';
import type { IdTagRecord } from '../ocpp/authorization';
import type { Tariff } from './model';
import { chooseTariff, groupOf, tariffValidityAt, type TariffCandidate } from './resolution';

const tariff = (id: string, window: Partial<Pick<Tariff, 'start_date_time' | 'end_date_time'>> = {}): Tariff => ({
  id,
  version: 1,
  last_updated: '2025-01-01T00:00:00.000Z',
  currency: 'EUR',
  time_zone: 'UTC',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] }],
  ...window,
});

const record = (tokenType: string | null, parentIdTag: string | null, status: IdTagRecord['status'] = 'Accepted'): IdTagRecord => ({
  idTag: 'TAG',
  tokenType,
  status,
  expiryDate: null,
  parentIdTag,
  firstSeenOffline: false,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

const at = new Date('2025-06-01T12:00:00Z');
const context = { chargerId: 'CP1', idTag: 'TAG', group: 'FLEET' };

describe('chooseTariff (issue 14: group > charger > default)', () => {
  const all: TariffCandidate[] = [
    { scope: 'default', key: '', tariff: tariff('D') },
    { scope: 'charger', key: 'CP1', tariff: tariff('C') },
    { scope: 'id_tag_group', key: 'fleet', tariff: tariff('G') },
  ];

  it('takes the most specific assignment whatever order the candidates come in', () => {
    expect(chooseTariff(all, context, at)).toMatchObject({ rule: 'id_tag_group', key: 'fleet', tariff: { id: 'G' } });
    expect(chooseTariff([...all].reverse(), context, at).rule).toBe('id_tag_group');
    expect(chooseTariff(all.slice(0, 2), context, at)).toMatchObject({ rule: 'charger', tariff: { id: 'C' } });
    const fallback = chooseTariff(all.slice(0, 1), context, at);
    expect(fallback).toMatchObject({ rule: 'default', key: '', tariff: { id: 'D' } });
    expect(fallback.reason).toBe(
      'Id tag "TAG" is in group "FLEET"; no tariff is assigned to group "FLEET"; no tariff is assigned to charger "CP1"; tariff "D" (version 1) applies: it is assigned to the default.',
    );
  });

  it('says why when nothing applies', () => {
    const none = chooseTariff([], { chargerId: 'CP1', idTag: null, group: null }, at);
    expect(none).toEqual({
      tariff: null,
      rule: null,
      key: null,
      group: null,
      skipped: [],
      reason: 'No tariff applies: no tariff is assigned to charger "CP1"; no default tariff is assigned.',
    });
  });

  it('passes over a tariff outside its window (start inclusive, end exclusive) for the next rule', () => {
    const candidates: TariffCandidate[] = [
      { scope: 'id_tag_group', key: 'FLEET', tariff: tariff('G', { end_date_time: '2025-06-01T12:00:00Z' }) },
      { scope: 'charger', key: 'CP1', tariff: tariff('C', { start_date_time: '2025-06-01T14:00:01+02:00' }) },
      { scope: 'default', key: '', tariff: tariff('D', { start_date_time: '2025-06-01T14:00:00+02:00' }) },
    ];
    const result = chooseTariff(candidates, context, at);
    expect(result).toMatchObject({ rule: 'default', tariff: { id: 'D' } });
    expect(result.skipped).toEqual([
      { scope: 'id_tag_group', key: 'FLEET', tariffId: 'G', version: 1, why: 'no longer valid' },
      { scope: 'charger', key: 'CP1', tariffId: 'C', version: 1, why: 'not yet valid' },
    ]);
    expect(result.reason).toContain('tariff "G" assigned to group "FLEET" is skipped: no longer valid at 2025-06-01T12:00:00.000Z (its end_date_time 2025-06-01T12:00:00Z)');
  });

  it('reads the validity window as instants', () => {
    expect(tariffValidityAt({}, at)).toBe('valid');
    expect(tariffValidityAt({ start_date_time: '2025-06-01T13:00:00+01:00' }, at)).toBe('valid');
    expect(tariffValidityAt({ start_date_time: '2025-06-01T12:00:00.001Z' }, at)).toBe('not yet valid');
    expect(tariffValidityAt({ end_date_time: '2025-06-01T12:00:00.001Z' }, at)).toBe('valid');
  });
});

describe('groupOf: the group an id tag carries, read as authorization reads the tag', () => {
  it('2.0.1: the entry of the presented type, else the entry for any type', () => {
    const records = [record(null, 'ANY'), record('ISO14443', 'CARDS')];
    expect(groupOf(records, 'ISO14443')).toBe('CARDS');
    expect(groupOf(records, 'KeyCode')).toBe('ANY');
    expect(groupOf([record('ISO14443', 'CARDS')], 'KeyCode')).toBeNull();
  });

  it('1.6: the entry for any type, else the typed entry that refuses most; none for an unknown tag', () => {
    expect(groupOf([record('ISO14443', 'CARDS'), record(null, 'ANY')])).toBe('ANY');
    expect(groupOf([record('ISO14443', 'OK', 'Accepted'), record('KeyCode', 'BLOCKED', 'Blocked')])).toBe('BLOCKED');
    expect(groupOf([])).toBeNull();
  });
});
