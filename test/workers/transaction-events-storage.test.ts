// D1 rows and bytes a 2.0.1 TransactionEvent costs when flushed: most of what a 2.0.1 charger sends while charging.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { flushStatements } from '../../src/fleet/flush';
import { Outbox, type OutboxEntry } from '../../src/fleet/outbox';
import { MeterArchiveStore } from '../../src/store/meter-archive';
import { uniqueChargerId } from './helpers';

/** The profile: an Updated event every minute with one reading of 6 sampled values. */
function updated(chargerId: string, transactionId: string, seqNo: number): OutboxEntry<'event201'> {
  const timestamp = new Date(Date.UTC(2026, 6, 1, 8, 0, 0) + seqNo * 60_000).toISOString();
  const sample = (measurand: string, value: number, unit: string, phase: string | null = null) => ({
    timestamp, measurand, value, unit, phase, location: null, context: 'Sample.Periodic', signedData: null,
  });
  return {
    chargerId,
    kind: 'event201',
    fact: {
      transactionId,
      seqNo,
      eventType: seqNo === 0 ? 'Started' : 'Updated',
      timestamp,
      triggerReason: seqNo === 0 ? 'Authorized' : 'MeterValuePeriodic',
      offline: false,
      chargingState: 'Charging',
      evseId: 1,
      connectorId: 1,
      samples: [
        sample('Energy.Active.Import.Register', 10_000 + seqNo * 183.5, 'Wh'),
        sample('Power.Active.Import', 11_012.4, 'W'),
        ...['L1', 'L2', 'L3'].map((phase) => sample('Current.Import', 15.92, 'A', phase)),
        sample('Voltage', 230.1, 'V', 'L1-N'),
      ],
      digest: `${'d'.repeat(56)}${String(seqNo).padStart(8, '0')}`,
    } as OutboxEntry<'event201'>['fact'],
  };
}

describe('2.0.1 TransactionEvents in D1', () => {
  // Before migration 0018 (transaction_events with a rowid and a separate key index): 4.61 rows
  // and 710 bytes an event; before 0019 and the transaction row written only when a fact
  // changes, 3.62; before migration 0023, 2.04 rows and 580 bytes (the event's row and the
  // reading's). Now an Updated that brings no new fact is packed with its reading: its hour's
  // meter row, written once by one statement (store/packed-events.ts).
  it('cost under 1.1 rows written per Updated event with 6 sampled values, flushed five at a time, and under 400 bytes', async () => {
    const chargerId = uniqueChargerId('EVT-COST');
    const transactionId = crypto.randomUUID();
    const now = new Date().toISOString();
    const flushes = 60;
    const before = (await env.DB.prepare('SELECT 1').run()).meta.size_after;
    let rows = 0;
    // Started, then Updated events five per flush (a minute apart, FLUSH_DELAY_SECONDS = 300).
    for (let f = 0; f < flushes; f++) {
      const batch = Outbox.batchOf(Array.from({ length: 5 }, (_, i) => updated(chargerId, transactionId, f * 5 + i)));
      for (const result of await env.DB.batch(flushStatements(env.DB, batch, now))) rows += result.meta.rows_written;
    }
    const bytes = (await env.DB.prepare('SELECT 1').run()).meta.size_after - before;
    const events = flushes * 5;
    const figures = { rowsPerEvent: rows / events, bytesPerEvent: Math.round(bytes / events) };
    console.log(`D1 per 2.0.1 TransactionEvent with 6 sampled values, ${events} events flushed 5 at a time: ${JSON.stringify(figures)}`);
    // Every event is kept: the first flush's five as rows of transaction_events (an event is
    // packed only into a transaction stored before its batch), the others packed.
    const stored = await env.DB.prepare('SELECT COUNT(*) AS n FROM transaction_events WHERE charger_id = ?').bind(chargerId).first<{ n: number }>();
    expect(stored?.n).toBe(5);
    const listed = await new MeterArchiveStore(env.DB, env.ARCHIVE).transactionEvents(chargerId, transactionId);
    expect(listed.map((e) => e.seq_no)).toEqual(Array.from({ length: events }, (_, i) => i));
    expect(figures.rowsPerEvent).toBeLessThan(1.1);
    expect(figures.bytesPerEvent).toBeLessThan(400);
  }, 120_000);

  it('write the transaction row only when a fact of it changes, by its id: an event with nothing new costs its own row alone, a replay nothing, and no id is used up', async () => {
    const chargerId = uniqueChargerId('EVT-ROWS');
    const transactionId = crypto.randomUUID();
    const rowsOf = async (entries: OutboxEntry<'event201'>[], now: string) => {
      let rows = 0;
      for (const result of await env.DB.batch(flushStatements(env.DB, Outbox.batchOf(entries), now))) rows += result.meta.rows_written;
      return rows;
    };
    const transaction = () => env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ?').bind(chargerId).first();
    // The ids handed out: the largest row id (no AUTOINCREMENT since migration 0024, so no
    // sqlite_sequence row either: a new row takes the largest + 1).
    const sequence = async () => (await env.DB.prepare('SELECT MAX(id) AS seq FROM transactions').first<{ seq: number }>())?.seq ?? 0;

    await rowsOf([updated(chargerId, transactionId, 0)], '2026-07-01T08:00:00.000Z');
    const ids = await sequence();
    // The first Updated changes a fact, its trigger reason (the Started's was Authorized): the
    // event, the reading, and the transaction's row. Not the running energy, which is not kept
    // on an active transaction's row (reads compute it).
    expect(await rowsOf([updated(chargerId, transactionId, 1)], '2026-07-01T08:01:00.000Z')).toBe(3);
    const moved = await transaction();
    expect(moved).toMatchObject({ status: 'active', meter_stop_wh: null, energy_wh: null, last_seq_no: 1, updated_at: '2026-07-01T08:01:00.000Z' });
    // A new reading alone: the event packed with the reading in its hour's row (migrations/0023);
    // the transaction's row stays as it was.
    expect(await rowsOf([updated(chargerId, transactionId, 2)], '2026-07-01T08:02:00.000Z')).toBe(1);
    expect(await transaction()).toEqual(moved);
    // An event that says nothing new of the transaction (no reading, the same state and trigger): its own row.
    const bare = updated(chargerId, transactionId, 3);
    bare.fact.samples = [];
    expect(await rowsOf([bare], '2026-07-01T08:03:00.000Z')).toBe(1);
    expect(await transaction()).toEqual(moved);
    // A replay of all three: nothing at all.
    expect(await rowsOf([updated(chargerId, transactionId, 1), updated(chargerId, transactionId, 2), bare], '2026-07-01T08:04:00.000Z')).toBe(0);
    expect(await transaction()).toEqual(moved);
    // The row kept its id, and no flush took another.
    expect(await sequence()).toBe(ids);
    expect((moved as { id: number }).id).toBeLessThanOrEqual(ids);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sqlite_sequence WHERE name = 'transactions'").first()).toEqual({ n: 0 });
  });

  it('are carried forward by migration 0018 from the rowid table, every column of every event, and the not-applied trigger still flags', async () => {
    const chargerId = uniqueChargerId('EVT-MIG');
    const transactionId = crypto.randomUUID();
    const now = new Date().toISOString();
    const ended = updated(chargerId, transactionId, 3);
    Object.assign(ended.fact, { eventType: 'Ended', triggerReason: 'EVDeparted', stoppedReason: 'EVDisconnected' });
    const conflicting = updated(chargerId, transactionId, 1);
    conflicting.fact.digest = 'c'.repeat(64);
    const events = [0, 1, 2].map((n) => updated(chargerId, transactionId, n));
    for (const batch of [events, [conflicting], [ended]]) await env.DB.batch(flushStatements(env.DB, Outbox.batchOf(batch), now));
    const snapshot = async () => ({
      events: (await env.DB.prepare('SELECT * FROM transaction_events WHERE charger_id = ? ORDER BY seq_no, digest').bind(chargerId).all()).results,
      anomalies: (await env.DB.prepare('SELECT kind, detail FROM transaction_anomalies WHERE charger_id = ? ORDER BY kind, detail').bind(chargerId).all()).results,
    });
    const before = await snapshot();
    expect(before.events.map((e) => e.disposition)).toEqual(['applied', 'conflicting', 'applied', 'applied', 'applied']);
    expect(before.anomalies.map((a) => a.kind)).toEqual(['conflicting-event']);

    // The table as migrations 0010–0017 left it: the same columns and key, with a rowid.
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0018_'));
    expect(migration?.name).toBe('0018_transaction_events_without_rowid.sql');
    const create = migration!.queries.find((q) => q.includes('CREATE TABLE transaction_events_by_key'))!;
    const trigger = migration!.queries.find((q) => q.includes('CREATE TRIGGER'))!;
    // Columns later migrations add (0047: V2X export registers): there before 0018 here, as today's code writes them;
    // 0018's rebuild leaves them out, and they are added again after it, as 0047 does.
    const later = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0047_'))!.queries.filter((q) => /ALTER TABLE transaction_events ADD COLUMN/.test(q));
    await env.DB.batch([
      env.DB.prepare(create.replace('transaction_events_by_key', 'transaction_events_rowid').replace(/\)\s*WITHOUT ROWID/, ')')),
      ...later.map((q) => env.DB.prepare(q.replace('ALTER TABLE transaction_events ', 'ALTER TABLE transaction_events_rowid '))),
      env.DB.prepare('INSERT INTO transaction_events_rowid SELECT * FROM transaction_events'),
      env.DB.prepare('DROP TABLE transaction_events'),
      env.DB.prepare('ALTER TABLE transaction_events_rowid RENAME TO transaction_events'),
      env.DB.prepare(trigger),
    ]);
    const shape = async () => (await env.DB.prepare("SELECT sql FROM sqlite_master WHERE name = 'transaction_events'").first<{ sql: string }>())!.sql;
    expect(await shape()).not.toContain('WITHOUT ROWID');
    expect(await snapshot()).toEqual(before);

    for (const query of migration!.queries) await env.DB.prepare(query).run();
    for (const query of later) await env.DB.prepare(query).run();
    expect(await shape()).toContain('WITHOUT ROWID');
    expect(await snapshot()).toEqual(before);
    // An event after the Ended is still kept and flagged.
    await env.DB.batch(flushStatements(env.DB, Outbox.batchOf([updated(chargerId, transactionId, 4)]), now));
    const after = await snapshot();
    expect(after.events.map((e) => e.disposition)).toEqual([...before.events.map((e) => e.disposition), 'late']);
    expect(after.anomalies.map((a) => a.kind)).toEqual(['conflicting-event', 'late-event']);
  });
});
