// How the FleetWriter's batches are cut: statements as full as their JSON parameter allows, and
// outbox reads bounded in size, so bigger batches cost fewer statements and never too much memory.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ChargerFact } from '../../src/fleet/outbox';
import { Outbox } from '../../src/fleet/outbox';
import { chunkByBytes, jsonChunks, MAX_JSON_BYTES } from '../../src/store/json-rows';
import { MeterValueStore } from '../../src/store/meter-values';
import { METER_VALUES, uniqueChargerId } from './helpers';

describe('JSON parameters cut by size', () => {
  it('keep every part under the limit, rows in order, a row too big on its own alone', () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => ['x'.repeat(i % 50), i]);
    const parts = chunkByBytes(rows, 2_000);
    expect(parts.flat()).toEqual(rows);
    for (const part of parts) expect(new TextEncoder().encode(JSON.stringify(part)).length).toBeLessThanOrEqual(2_000);
    // Full parts: the next row would not have fitted.
    for (const [i, part] of parts.slice(0, -1).entries()) {
      expect(JSON.stringify([...part, parts[i + 1]![0]]).length).toBeGreaterThan(2_000);
    }
    expect(chunkByBytes([['a'], ['b'.repeat(5_000)], ['c']], 100)).toEqual([[['a']], [['b'.repeat(5_000)]], [['c']]]);
    expect(chunkByBytes([1, 2, 3, 4, 5], 1_000, 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunkByBytes([])).toEqual([]);
    // The parameters bound are those parts as JSON.
    expect(jsonChunks(rows, 2_000)).toEqual(parts.map((part) => JSON.stringify(part)));
    expect(jsonChunks([1, 2, 3, 4, 5], 1_000, 2)).toEqual(['[1,2]', '[3,4]', '[5]']);
  });

  it('store thousands of meter values in a few statements, each sample once', async () => {
    const chargerId = uniqueChargerId('MV');
    const reports: ChargerFact<'meter'>[] = Array.from({ length: 1_000 }, (_, i) => ({
      chargerId,
      fact: {
        evseId: 0,
        connectorId: 1,
        transactionId: '7',
        samples: ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage'].map((measurand, m) => ({
          timestamp: new Date(Date.UTC(2026, 4, 1, 8, 0, i)).toISOString(),
          measurand,
          phase: m >= 2 ? 'L1' : null,
          location: null,
          context: 'Sample.Periodic',
          unit: ['Wh', 'W', 'A', 'V'][m]!,
          value: i * 10 + m,
          signedData: null,
        })),
      },
    }));
    const statements = new MeterValueStore(env.DB).insertStatements(reports);
    // 4,000 samples: 200 a statement before, as many as fit in MAX_JSON_BYTES now.
    expect(statements.length).toBeLessThanOrEqual(6);
    await env.DB.batch(statements);
    await env.DB.batch(new MeterValueStore(env.DB).insertStatements(reports.slice(0, 10)));
    const stored = await env.DB.prepare(`SELECT COUNT(*) AS n, SUM(value) AS total FROM ${METER_VALUES} WHERE charger_id = ?`).bind(chargerId).first();
    expect(stored).toEqual({ n: 4_000, total: reports.reduce((sum, r) => sum + r.fact.samples.reduce((s, x) => s + (x.value ?? 0), 0), 0) });
    const one = await env.DB.prepare(
      `SELECT * FROM ${METER_VALUES} WHERE charger_id = ? AND measurand = 'Current.Import' AND timestamp = '2026-05-01T08:00:03.000Z'`,
    )
      .bind(chargerId)
      .first();
    expect(one).toMatchObject({ scope: '7', transaction_id: '7', evse_id: 0, connector_id: 1, phase: 'L1', location: '', context: 'Sample.Periodic', unit: 'A', value: 32, signed_data: null });
    expect(MAX_JSON_BYTES).toBeLessThan(100_000);
  });
});

describe('an outbox read', () => {
  it('stops once its facts add up to the size given, but always takes the first', async () => {
    await runInDurableObject(env.FLEET_WRITERS.getByName(`peek-${uniqueChargerId()}`), (_instance, state) => {
      const outbox = new Outbox(state.storage.sql);
      const big = { at: 'x'.repeat(10_000) };
      // As a FleetWriter stores what chargers hand over: an entry each (a charger's own appends merge, see Outbox.appendAll).
      outbox.appendStored(Array.from({ length: 5 }, () => ['CP', 'seen', JSON.stringify(big)] as const));
      expect(outbox.peek(100, 25_000).size).toBe(2);
      expect(outbox.peek(100, 1_000).size).toBe(1);
      expect(outbox.peek(3).size).toBe(3);
      expect(outbox.peek(100).size).toBe(5);
      outbox.remove(outbox.peek(100).lastSeq);
    });
  });

  it('appends many facts at once in order, and counts them', async () => {
    await runInDurableObject(env.FLEET_WRITERS.getByName(`append-${uniqueChargerId()}`), (_instance, state) => {
      const outbox = new Outbox(state.storage.sql);
      expect(outbox.size).toBe(0);
      const entries = Array.from({ length: 237 }, (_, i) => ({ chargerId: `CP-${i % 3}`, kind: 'seen' as const, fact: { at: String(i) } }));
      outbox.appendAll(entries);
      expect(outbox.size).toBe(237);
      const stored = outbox.peekStored(1_000);
      expect(stored.entries.map(([, , fact]) => JSON.parse(fact).at)).toEqual(entries.map((e) => e.fact.at));
      outbox.appendStored(stored.entries.slice(0, 60));
      expect(outbox.size).toBe(297);
      outbox.remove(stored.lastSeq);
      expect(outbox.size).toBe(60);
      expect(outbox.peek(1_000).seen.map((f) => f.fact.at)).toEqual(entries.slice(0, 60).map((e) => e.fact.at));
    });
  });
});
