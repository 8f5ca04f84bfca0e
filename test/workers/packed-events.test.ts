// 2.0.1 Updated events packed with their readings (migrations/0023, src/store/packed-events.ts): one
// D1 row written per event instead of two, and nothing anyone can see changes. The oracle: the
// same events flushed to a second charger in one batch, where none is packed (its transaction is
// not stored before the batch), must give the same transaction row, API answer, readings, events
// and anomalies.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { runMeterArchive } from '../../src/archive/meter-archiver';
import { flushStatements } from '../../src/fleet/flush';
import { Outbox, type OutboxEntry } from '../../src/fleet/outbox';
import { MeterArchiveStore } from '../../src/store/meter-archive';
import { MeterValueStore } from '../../src/store/meter-values';
import { api, uniqueChargerId } from './helpers';

const T0 = Date.parse('2026-09-01T10:40:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
/** Every flush at the same instant, so received_at and updated_at compare across chargers. */
const NOW = '2026-09-01T13:00:00.000Z';

type Fact = OutboxEntry<'event201'>['fact'];
type Step = { seq: number; type?: 'Started' | 'Updated' | 'Ended'; minute: number; wh?: number; extra?: Partial<Fact> };

/** The TransactionEvent `step` of transaction `tx`, with one energy register reading when `wh` is given. */
function event(chargerId: string, tx: string, { seq, type = 'Updated', minute, wh, extra = {} }: Step): OutboxEntry<'event201'> {
  const context = type === 'Started' ? 'Transaction.Begin' : type === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  const fact = {
    transactionId: tx,
    seqNo: seq,
    eventType: type,
    timestamp: at(minute),
    triggerReason: type === 'Started' ? 'Authorized' : type === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    offline: false,
    ...(type === 'Started' ? { evseId: 1, connectorId: 1, idToken: 'PACKED-TAG', idTokenType: 'ISO14443', idTokenStatus: 'Accepted', chargingState: 'Charging' } : {}),
    ...(type === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
    samples:
      wh === undefined
        ? []
        : [
            { timestamp: at(minute), measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh', phase: null, location: null, context, signedData: null },
            { timestamp: at(minute), measurand: 'Power.Active.Import', value: 7_200, unit: 'W', phase: null, location: null, context, signedData: null },
          ],
    ...extra,
  } as Fact;
  fact.digest = `digest:${JSON.stringify(fact)}`;
  return { chargerId, kind: 'event201', fact };
}

/** A known 2.0.1 charger (the API's charger views need one), its EVSE 1 with one connector reported. */
async function knownCharger(prefix: string): Promise<string> {
  const chargerId = uniqueChargerId(prefix);
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO chargers (id, protocol, created_at, updated_at) VALUES (?1, 'ocpp2.0.1', ?2, ?2)`).bind(chargerId, at(0)),
    env.DB.prepare(`INSERT INTO connector_status (charger_id, evse_id, connector_id, status, updated_at) VALUES (?1, 1, 1, 'Occupied', ?2)`).bind(chargerId, at(0)),
  ]);
  return chargerId;
}

/** Stores `entries` as a flush does: the D1 rows it wrote. */
async function flush(entries: OutboxEntry[]): Promise<number> {
  let rows = 0;
  for (const result of await env.DB.batch(flushStatements(env.DB, Outbox.batchOf(entries), NOW))) rows += result.meta.rows_written;
  return rows;
}

/** Everything observable of charger `chargerId`'s transaction `tx`, the charger's id taken out. */
async function observed(chargerId: string, tx: string) {
  const strip = <T,>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll(chargerId, '<charger>'));
  const { id: _id, ...row } = (await env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?').bind(chargerId, tx).first())!;
  const res = await api('GET', `/chargers/${chargerId}/transactions/${tx}`);
  expect(res.status).toBe(200);
  const { transaction } = (await res.json()) as { transaction: Record<string, unknown> };
  delete transaction.id;
  // An active row's last_seq_no is the highest seqNo applied when one of its facts last changed
  // (store/transactions.ts DERIVED_FACTS): one batch of all events and a flush per event differ in
  // it, packed or not; closing it as abandoned keeps it. It is the highest of all once the
  // transaction's own Ended completes it.
  if (row.status === 'active' || row.stop_reason === 'Abandoned') {
    delete row.last_seq_no;
    delete transaction.lastSeqNo;
  }
  const anomalies = (
    await env.DB.prepare('SELECT kind, detail FROM transaction_anomalies WHERE charger_id = ? AND ocpp_transaction_id = ? ORDER BY kind, detail').bind(chargerId, tx).all()
  ).results;
  return strip({
    row,
    transaction,
    anomalies,
    readings: await new MeterValueStore(env.DB).readingsForTransaction(chargerId, tx),
    events: await new MeterArchiveStore(env.DB, env.ARCHIVE).transactionEvents(chargerId, tx),
  });
}

/** Rows of transaction_events, and events packed in hour rows, of a charger. */
async function whereKept(chargerId: string) {
  const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM transaction_events WHERE charger_id = ?').bind(chargerId).first<{ n: number }>();
  const packed = await env.DB.prepare('SELECT COUNT(*) AS n FROM meter_hours h, json_each(h.events) WHERE h.charger_id = ?').bind(chargerId).first<{ n: number }>();
  return { rows: rows!.n, packed: packed!.n };
}

/**
 * Flushes `batches` (each a list of steps) to one charger as they come, and all their steps in one
 * batch to another; returns both chargers and the rows each incremental flush wrote.
 */
async function twoWays(prefix: string, tx: string, batches: Step[][]) {
  const packed = await knownCharger(`${prefix}-P`);
  const reference = await knownCharger(`${prefix}-R`);
  const rows: number[] = [];
  for (const steps of batches) rows.push(await flush(steps.map((s) => event(packed, tx, s))));
  await flush(batches.flat().map((s) => event(reference, tx, s)));
  return { packed, reference, rows };
}

describe('2.0.1 Updated events packed with their readings', () => {
  it('cost one D1 row each, and leave the transaction, its API answer, readings and events as one batch of the same events gives them', async () => {
    const tx = 'PK-1';
    const periodic = (seq: number, extra?: Partial<Fact>): Step[] => [{ seq, minute: seq, wh: 1_000 + seq * 120, extra }];
    const { packed, reference, rows } = await twoWays('PK', tx, [
      [{ seq: 0, type: 'Started', minute: 0, wh: 1_000 }],
      // The first Updated changes the trigger reason (a fact): a row of transaction_events.
      periodic(1),
      // Then plain ones: one repeating the charging state, one naming the stored EVSE and
      // connector; across an hour boundary (10:59 → 11:00).
      periodic(2),
      periodic(3, { chargingState: 'Charging' }),
      periodic(4, { evseId: 1, connectorId: 1 }),
      [...periodic(18), ...periodic(19), ...periodic(20), ...periodic(21)],
      // Without a reading: not packed (nothing to pack it with).
      [{ seq: 22, minute: 22 }],
      // An Ended without a reading: its stop register is the last event's that has one, a packed one.
      [{ seq: 23, type: 'Ended', minute: 23 }],
    ]);
    // One row per packed Updated (its hour's meter row), the first of a new hour included.
    expect(rows.slice(2, 5)).toEqual([1, 1, 1]);
    expect(rows[5]).toBe(4);
    expect(await whereKept(packed)).toEqual({ rows: 4, packed: 7 });
    expect(await whereKept(reference)).toEqual({ rows: 11, packed: 0 });
    const seen = await observed(packed, tx);
    expect(seen).toEqual(await observed(reference, tx));
    expect(seen.row).toMatchObject({ status: 'completed', meter_start_wh: 1_000, meter_stop_wh: 1_000 + 21 * 120, energy_wh: 21 * 120, last_seq_no: 23 });
    expect(seen.events.map((e) => e.seq_no)).toEqual([0, 1, 2, 3, 4, 18, 19, 20, 21, 22, 23]);
    expect(seen.events.find((e) => e.seq_no === 3)).toMatchObject({ event_type: 'Updated', charging_state: 'Charging', evse_id: null, disposition: 'applied', end_wh: 1_360, begin_wh: 1_360 });
  });

  it('while running, show the latest reading and state by seqNo, whichever way the events are kept, and judge replays and conflicts as rows are judged', async () => {
    const tx = 'PK-2';
    const { packed, reference } = await twoWays('PKO', tx, [
      [{ seq: 0, type: 'Started', minute: 0, wh: 5_000 }],
      [{ seq: 1, minute: 1, wh: 5_100 }],
      [{ seq: 3, minute: 3, wh: 5_300 }],
      [{ seq: 4, minute: 4, wh: 5_400, extra: { chargingState: 'Charging' } }],
      // Arriving late, with a lower seqNo: a new state and trigger, a row. The packed seqNo 4 is
      // still the latest state (Charging, repeated), trigger and reading.
      [{ seq: 2, minute: 2, wh: 5_200, extra: { chargingState: 'SuspendedEV', triggerReason: 'ChargingStateChanged' } }],
    ]);
    expect(await whereKept(packed)).toEqual({ rows: 3, packed: 2 });
    const running = await observed(packed, tx);
    expect(running).toEqual(await observed(reference, tx));
    expect(running.row).toMatchObject({ status: 'active', charging_state: 'Charging', last_trigger_reason: 'MeterValuePeriodic' });
    expect(running.transaction).toMatchObject({ meterStopWh: 5_400, energyWh: 400 });

    // An identical replay of a packed event adds nothing; one reusing its seqNo with other
    // content is kept and flagged, its reading not the transaction's.
    expect(await flush([event(packed, tx, { seq: 3, minute: 3, wh: 5_300 })])).toBe(0);
    await flush([event(packed, tx, { seq: 3, minute: 3, wh: 9_999 })]);
    const after = await observed(packed, tx);
    expect(after.anomalies.map((a) => a.kind)).toEqual(['conflicting-event']);
    expect(after.events.filter((e) => e.seq_no === 3).map((e) => e.disposition).sort()).toEqual(['applied', 'conflicting']);
    expect(after.readings).toEqual(running.readings);
    expect(after.transaction).toMatchObject({ meterStopWh: 5_400, energyWh: 400 });
  });

  it('give an abandoned transaction its last packed reading as its stop', async () => {
    const tx = 'PK-3';
    const { packed, reference } = await twoWays('PKA', tx, [
      [{ seq: 0, type: 'Started', minute: 0, wh: 100 }],
      [{ seq: 1, minute: 1, wh: 200 }],
      [{ seq: 2, minute: 2, wh: 300 }],
      [{ seq: 3, minute: 3, wh: 450 }],
    ]);
    expect(await whereKept(packed)).toEqual({ rows: 2, packed: 2 });
    const abandon = (chargerId: string): OutboxEntry => ({
      chargerId,
      kind: 'abandon201',
      fact: { transactionId: tx, evseId: 1, at: at(10), cause: 'TransactionEvent', byTransactionId: 'NEXT' },
    });
    await flush([abandon(packed)]);
    await flush([abandon(reference)]);
    const seen = await observed(packed, tx);
    expect(seen).toEqual(await observed(reference, tx));
    expect(seen.row).toMatchObject({ status: 'completed', stop_reason: 'Abandoned', meter_stop_wh: 450, energy_wh: 350 });
  });

  it('move to R2 with their hour rows when the transaction is archived, and read back as they were', async () => {
    const chargerId = await knownCharger('PKR');
    const tx = 'PK-4';
    const steps: Step[] = [{ seq: 0, type: 'Started', minute: 0, wh: 0 }];
    for (let seq = 1; seq <= 30; seq++) steps.push({ seq, minute: seq, wh: seq * 100 });
    steps.push({ seq: 31, type: 'Ended', minute: 31, wh: 3_150 });
    for (const step of steps) await flush([event(chargerId, tx, step)]);
    expect(await whereKept(chargerId)).toEqual({ rows: 3, packed: 29 });
    const before = await observed(chargerId, tx);

    const run = await runMeterArchive(env, { now: new Date(Date.now() + 31 * 86_400_000) });
    expect(run.moved).toContainEqual({ chargerId, transactionId: tx, meterValues: 32 * 2, events: 31, key: expect.any(String) });
    // D1 keeps the Ended alone (it judges later events late); the hour rows went with their events.
    expect(await whereKept(chargerId)).toEqual({ rows: 1, packed: 0 });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM meter_hours WHERE charger_id = ?').bind(chargerId).first('n')).toBe(0);
    const after = await observed(chargerId, tx);
    expect(after.events).toEqual(before.events);
    expect(after.transaction).toEqual(before.transaction);
  });
});

describe('migration 0023, on a database whose meter_hours rows 0022 made', () => {
  it('keeps every reading and event where it is; the session goes on packing, and reads as one batch of all its events gives it', async () => {
    const tx = 'PK-MIG';
    const packed = await knownCharger('PKM-P');
    const reference = await knownCharger('PKM-R');
    const first: Step[] = [{ seq: 0, type: 'Started', minute: 0, wh: 2_000 }];
    for (let seq = 1; seq <= 5; seq++) first.push({ seq, minute: seq, wh: 2_000 + seq * 50 });
    // One batch: nothing is packed (its transaction is not stored before it), as before 0023.
    await flush(first.map((s) => event(packed, tx, s)));
    expect(await whereKept(packed)).toEqual({ rows: 6, packed: 0 });

    const carried = await observed(packed, tx);
    // meter_hours as 0022 left it: without the columns 0023 adds.
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0023_'));
    expect(migration?.name).toBe('0023_meter_hours_events.sql');
    const added = ['events', 'event_seq_max', 'event_end_seq', 'event_state_seq'];
    for (const column of added) await env.DB.prepare(`ALTER TABLE meter_hours DROP COLUMN ${column}`).run();
    const columns = async () => (await env.DB.prepare('SELECT name FROM pragma_table_info(?)').bind('meter_hours').all<{ name: string }>()).results.map((c) => c.name);
    expect(await columns()).toEqual(['charger_id', 'scope', 'hour', 'part', 'data', 'conflicts']);

    for (const query of migration!.queries) await env.DB.prepare(query).run();
    expect(await columns()).toEqual(['charger_id', 'scope', 'hour', 'part', 'data', 'conflicts', ...added]);
    expect(await observed(packed, tx)).toEqual(carried);

    const rest: Step[] = [];
    for (let seq = 6; seq <= 9; seq++) rest.push({ seq, minute: seq, wh: 2_000 + seq * 50 });
    rest.push({ seq: 10, type: 'Ended', minute: 10 });
    for (const step of rest) await flush([event(packed, tx, step)]);
    expect(await whereKept(packed)).toEqual({ rows: 7, packed: 4 });
    await flush([...first, ...rest].map((s) => event(reference, tx, s)));
    const seen = await observed(packed, tx);
    expect(seen).toEqual(await observed(reference, tx));
    expect(seen.row).toMatchObject({ status: 'completed', meter_stop_wh: 2_450, energy_wh: 450 });
  });
});
