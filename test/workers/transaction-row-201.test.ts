// A 2.0.1 transaction's D1 row while it runs (issue 12): an Updated that only brings a reading
// does not rewrite it (its running energy is computed at read), the API still shows the live
// figures, and what a completed transaction keeps is what the full derivation gave before.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { flushStatements } from '../../src/fleet/flush';
import { Outbox, type OutboxEntry } from '../../src/fleet/outbox';
import { TransactionStore } from '../../src/store/transactions';
import { api, uniqueChargerId } from './helpers';

const T0 = Date.parse('2026-08-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

type Fact = OutboxEntry<'event201'>['fact'];

/** A TransactionEvent fact of `tx`, stamped `minutes` after T0, with an energy register reading when `wh` is given. */
function event(chargerId: string, tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', minutes: number, wh?: number, extra: Partial<Fact> = {}): OutboxEntry<'event201'> {
  const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  const fact = {
    transactionId: tx,
    seqNo,
    eventType,
    timestamp: at(minutes),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    offline: false,
    ...(eventType === 'Started' ? { evseId: 1, connectorId: 1, idToken: 'TOKEN-1', idTokenType: 'ISO14443', idTokenStatus: 'Accepted' } : {}),
    ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
    samples: wh === undefined ? [] : [{ timestamp: at(minutes), measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh', phase: null, location: null, context, signedData: null }],
    ...extra,
  } as Fact;
  fact.digest = `digest:${JSON.stringify(fact)}`;
  return { chargerId, kind: 'event201', fact };
}

/** Stores `entries` as a flush does, at `now`: the D1 rows it wrote. */
async function flush(entries: OutboxEntry[], now: string): Promise<number> {
  let rows = 0;
  for (const result of await env.DB.batch(flushStatements(env.DB, Outbox.batchOf(entries), now))) rows += result.meta.rows_written;
  return rows;
}

const row = (chargerId: string, tx: string) =>
  env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?').bind(chargerId, tx).first<Record<string, unknown>>();

/**
 * The row the full derivation (every applied event of the transaction, DERIVE_201_SQL) gives
 * now: derive201Statements for a Started of it derives from all of its events (and stores none).
 * Rewritten only if a fact differs from the stored row, so an unchanged row proves the row
 * stored by the cheaper path is the full derivation's.
 */
async function fullyDerived(chargerId: string, tx: string, now: string): Promise<Record<string, unknown> | null> {
  await env.DB.batch(new TransactionStore(env.DB).derive201Statements([event(chargerId, tx, 0, 'Started', 0)], now));
  return row(chargerId, tx);
}

async function shown(chargerId: string, tx: string): Promise<any> {
  const res = await api('GET', `/chargers/${chargerId}/transactions/${tx}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { transaction: unknown }).transaction;
}
async function listed(chargerId: string, tx: string): Promise<any> {
  const res = await api('GET', `/transactions?chargerId=${chargerId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { transactions: Array<{ transactionId: string }> }).transactions.find((t) => t.transactionId === tx);
}

/** A known charger (the API's charger views need one), its EVSE 1 with `connectors` reported. */
async function knownCharger(prefix: string, connectors = 1): Promise<string> {
  const chargerId = uniqueChargerId(prefix);
  await env.DB.prepare(`INSERT INTO chargers (id, protocol, created_at, updated_at) VALUES (?1, 'ocpp2.0.1', ?2, ?2)`).bind(chargerId, at(0)).run();
  for (let c = 1; c <= connectors; c++) {
    await env.DB.prepare(`INSERT INTO connector_status (charger_id, evse_id, connector_id, status, updated_at) VALUES (?1, 1, ?2, 'Occupied', ?3)`)
      .bind(chargerId, c, at(0)).run();
  }
  return chargerId;
}

describe('a running 2.0.1 transaction', () => {
  it('is not rewritten by an Updated that only brings a reading: its event, packed with its reading, is the only D1 row written', async () => {
    const chargerId = await knownCharger('TXROW');
    await flush([event(chargerId, 'T', 0, 'Started', 0, 1_000)], at(0));
    // The first Updated brings a fact: its trigger reason follows the Started's (Authorized).
    expect(await flush([event(chargerId, 'T', 1, 'Updated', 1, 1_100)], at(1))).toBe(4); // 3 before migration 0044 (its id tag index entry)
    const started = await row(chargerId, 'T');
    expect(started).toMatchObject({ last_trigger_reason: 'MeterValuePeriodic', last_seq_no: 1, updated_at: at(1), meter_stop_wh: null, energy_wh: null });
    for (let seqNo = 2; seqNo <= 4; seqNo++) {
      // Its hour's meter row, updated with the reading and the event (migrations/0023): before, the event was a row too.
      expect(await flush([event(chargerId, 'T', seqNo, 'Updated', seqNo, 1_000 + seqNo * 100)], at(seqNo)), `Updated ${seqNo}`).toBe(1);
    }
    // Five at a time, as the outbox flushes them: one row each, nothing for the transaction.
    expect(await flush([5, 6, 7, 8, 9].map((s) => event(chargerId, 'T', s, 'Updated', s, 1_000 + s * 100)), at(10))).toBe(5);
    expect(await row(chargerId, 'T')).toEqual(started);
    // A fact that does change (the charging state) still costs its row once (4 since migration 0044:
    // the upsert sets the id tag again, and D1 counts its id tag index entry rewritten).
    expect(await flush([event(chargerId, 'T', 10, 'Updated', 10, 2_000, { chargingState: 'SuspendedEV', triggerReason: 'ChargingStateChanged' })], at(11))).toBe(4);
    expect(await row(chargerId, 'T')).toMatchObject({ charging_state: 'SuspendedEV', last_trigger_reason: 'ChargingStateChanged', last_seq_no: 10, updated_at: at(11) });
  });

  it('shows its live end register and energy in the API, from its latest reading by seqNo, and when that reading arrived', async () => {
    const chargerId = await knownCharger('TXLIVE');
    await flush([event(chargerId, 'T', 0, 'Started', 0, 1_000)], at(0));
    expect(await shown(chargerId, 'T')).toMatchObject({ status: 'active', meterStartWh: 1_000, meterStopWh: 1_000, energyWh: 0, updatedAt: at(0) });
    await flush([event(chargerId, 'T', 2, 'Updated', 2, 1_300.25)], at(2));
    // A lower seqNo arriving later does not move what is shown, nor does an event without a reading.
    await flush([event(chargerId, 'T', 1, 'Updated', 1, 1_100)], at(3));
    await flush([event(chargerId, 'T', 3, 'Updated', 4)], at(4));
    const expected = { status: 'active', meterStartWh: 1_000, meterStopWh: 1_300.25, energyWh: 300.25, updatedAt: at(2) };
    expect(await shown(chargerId, 'T')).toMatchObject(expected);
    expect(await listed(chargerId, 'T')).toMatchObject(expected);
    // Without any reading, nothing to show, as before.
    await flush([event(chargerId, 'BARE', 0, 'Started', 0)], at(5));
    expect(await shown(chargerId, 'BARE')).toMatchObject({ status: 'active', meterStartWh: null, meterStopWh: null, energyWh: null });
  });

  it('gets from Updated-only batches the row the full derivation gives: late lower seqNos, tokens, states, connectors, offline, no Started', async () => {
    const chargerId = await knownCharger('TXDIFF');
    let minute = 0;
    const check = async (tx: string, entries: OutboxEntry[], expected: Record<string, unknown>) => {
      minute += 1;
      await flush(entries, at(100 + minute));
      const cheap = await row(chargerId, tx);
      expect(cheap, `after batch ${minute}`).toMatchObject(expected);
      expect(await fullyDerived(chargerId, tx, at(200 + minute)), `full derivation after batch ${minute}`).toEqual(cheap);
    };
    // A Started naming only its EVSE, without a reading or a token.
    await flush([event(chargerId, 'T', 0, 'Started', 10, undefined, { connectorId: undefined, idToken: undefined, idTokenType: undefined, idTokenStatus: undefined })], at(100));
    await check('T', [event(chargerId, 'T', 3, 'Updated', 13, 1_300, { chargingState: 'Charging' })], {
      connector_id: 1, meter_start_wh: 1_300, charging_state: 'Charging', id_tag: null, last_seq_no: 3,
    });
    // Late lower seqNos: an older state does not win, an earlier reading becomes the start register, a token and an offline flag come in.
    await check('T', [
      event(chargerId, 'T', 1, 'Updated', 11, 1_100, { chargingState: 'EVConnected', idToken: 'LATE-TOKEN', idTokenType: 'ISO14443', idTokenStatus: 'Accepted', offline: true }),
      event(chargerId, 'T', 2, 'Updated', 5, 1_200, { triggerReason: 'ChargingStateChanged' }),
    ], { meter_start_wh: 1_100, charging_state: 'Charging', id_tag: 'LATE-TOKEN', id_tag_status: 'Accepted', offline: 1, started_at: at(10), last_trigger_reason: 'MeterValuePeriodic' });
    // A newer state, a remote start id, a reservation, a connector named by an event.
    await check('T', [event(chargerId, 'T', 4, 'Updated', 14, 1_400, { chargingState: 'SuspendedEV', remoteStartId: 7, reservationId: 9, connectorId: 2 })], {
      charging_state: 'SuspendedEV', remote_start_id: 7, reservation_id: 9, connector_id: 2, last_seq_no: 4,
    });
    // A replay and a conflicting seqNo change nothing.
    await check('T', [event(chargerId, 'T', 4, 'Updated', 14, 1_400, { chargingState: 'SuspendedEV', remoteStartId: 7, reservationId: 9, connectorId: 2 }), event(chargerId, 'T', 3, 'Updated', 13, 9_999, { chargingState: 'Idle' })], {
      charging_state: 'SuspendedEV', last_seq_no: 4,
    });

    // A transaction whose Started never came: the earliest timestamp starts it, the EVSE's only
    // connector stands in until the EVSE reports a second one.
    await check('U', [event(chargerId, 'U', 5, 'Updated', 30, 500, { evseId: 1 })], { started_at: at(30), connector_id: 1, meter_start_wh: 500, status: 'active' });
    await check('U', [event(chargerId, 'U', 4, 'Updated', 25, 400)], { started_at: at(25), meter_start_wh: 400 });
    await env.DB.prepare(`INSERT INTO connector_status (charger_id, evse_id, connector_id, status, updated_at) VALUES (?1, 1, 2, 'Available', ?2)`).bind(chargerId, at(26)).run();
    await check('U', [event(chargerId, 'U', 6, 'Updated', 31, 600)], { connector_id: null, last_seq_no: 6 });
  });
});

describe('a completed 2.0.1 transaction', () => {
  /** What every case keeps, by column, as the derivation gave it before this change (the same test passes on that code). */
  const kept = (r: Record<string, unknown> | null) => r && {
    status: r.status, started_at: r.started_at, stopped_at: r.stopped_at, meter_start_wh: r.meter_start_wh, meter_stop_wh: r.meter_stop_wh,
    energy_wh: r.energy_wh, stop_reason: r.stop_reason, last_seq_no: r.last_seq_no, updated_at: r.updated_at, charging_state: r.charging_state,
  };
  const flags = async (chargerId: string, tx: string) => (await shown(chargerId, tx)).flags;

  it('keeps the registers and energy the derivation gave: out-of-order seqNos, an Ended without a reading, a register going backwards', async () => {
    const chargerId = await knownCharger('TXDONE');
    // Out of order: seqNo 2 before 1, the Ended's Transaction.End reading decides.
    await flush([event(chargerId, 'A', 0, 'Started', 0, 1_000)], at(0));
    await flush([event(chargerId, 'A', 2, 'Updated', 2, 1_250, { chargingState: 'SuspendedEV' })], at(2));
    await flush([event(chargerId, 'A', 1, 'Updated', 1, 1_100, { chargingState: 'Charging' })], at(3));
    await flush([event(chargerId, 'A', 3, 'Ended', 4, 1_400.5)], at(4));
    expect(kept(await row(chargerId, 'A'))).toEqual({
      status: 'completed', started_at: at(0), stopped_at: at(4), meter_start_wh: 1_000, meter_stop_wh: 1_400.5, energy_wh: 400.5,
      stop_reason: 'EVDisconnected', last_seq_no: 3, updated_at: at(4), charging_state: 'SuspendedEV',
    });
    expect(await shown(chargerId, 'A')).toMatchObject({ meterStopWh: 1_400.5, energyWh: 400.5, updatedAt: at(4) });

    // An Ended without a reading: the last applied event's (by seqNo) reading is the end register.
    await flush([event(chargerId, 'B', 0, 'Started', 0, 2_000), event(chargerId, 'B', 1, 'Updated', 1, 2_300)], at(10));
    await flush([event(chargerId, 'B', 2, 'Updated', 2, 2_600)], at(11));
    await flush([event(chargerId, 'B', 3, 'Ended', 3)], at(12));
    expect(kept(await row(chargerId, 'B'))).toMatchObject({ status: 'completed', meter_stop_wh: 2_600, energy_wh: 600, last_seq_no: 3, updated_at: at(12) });

    // A register going backwards: both registers kept, no energy, flagged.
    await flush([event(chargerId, 'C', 0, 'Started', 0, 5_000)], at(20));
    await flush([event(chargerId, 'C', 1, 'Updated', 1, 5_200)], at(21));
    expect(await shown(chargerId, 'C')).toMatchObject({ status: 'active', meterStopWh: 5_200, energyWh: 200 });
    await flush([event(chargerId, 'C', 2, 'Ended', 2, 100)], at(22));
    expect(kept(await row(chargerId, 'C'))).toMatchObject({ status: 'completed', meter_start_wh: 5_000, meter_stop_wh: 100, energy_wh: null, updated_at: at(22) });
    expect(await flags(chargerId, 'C')).toEqual(['negative-energy']);
    // A backwards reading while running: no energy shown, nothing flagged until it completes.
    await flush([event(chargerId, 'D', 0, 'Started', 0, 5_000), event(chargerId, 'D', 1, 'Updated', 1, 4_000)], at(30));
    expect(await shown(chargerId, 'D')).toMatchObject({ status: 'active', meterStopWh: 4_000, energyWh: null, flags: [] });

    // Nothing arriving after the Ended changes any of them.
    const before = await Promise.all(['A', 'B', 'C'].map((tx) => row(chargerId, tx)));
    await flush([event(chargerId, 'A', 4, 'Updated', 5, 9_000), event(chargerId, 'B', 4, 'Updated', 5, 9_000), event(chargerId, 'C', 3, 'Updated', 5, 9_000)], at(40));
    expect(await Promise.all(['A', 'B', 'C'].map((tx) => row(chargerId, tx)))).toEqual(before);
  });

  it('closed as abandoned takes its last reading then, keeps it through later events, and takes its own Ended\'s when that comes', async () => {
    const chargerId = await knownCharger('TXABND');
    const abandon = (tx: string, minutes: number, by: string): OutboxEntry<'abandon201'> => ({
      chargerId, kind: 'abandon201', fact: { transactionId: tx, evseId: 1, at: at(minutes), cause: 'TransactionEvent', byTransactionId: by },
    });
    await flush([event(chargerId, 'OLD', 0, 'Started', 0, 1_000)], at(0));
    await flush([event(chargerId, 'OLD', 2, 'Updated', 2, 1_400), event(chargerId, 'OLD', 1, 'Updated', 1, 1_200)], at(2));
    // Its last reading in the same batch as the newer Started: still counted before the closure.
    await flush([event(chargerId, 'OLD', 3, 'Updated', 3, 1_450), event(chargerId, 'NEW', 0, 'Started', 5, 7_000), abandon('OLD', 5, 'NEW')], at(5));
    const closed = { status: 'completed', stop_reason: 'Abandoned', stopped_at: at(5), meter_start_wh: 1_000, meter_stop_wh: 1_450, energy_wh: 450, updated_at: at(5) };
    expect(kept(await row(chargerId, 'OLD'))).toMatchObject(closed);
    expect(await shown(chargerId, 'OLD')).toMatchObject({ meterStopWh: 1_450, energyWh: 450, flags: ['abandoned'] });
    // An event of it on the way changes no stop fact.
    await flush([event(chargerId, 'OLD', 4, 'Updated', 4, 1_500)], at(6));
    expect(kept(await row(chargerId, 'OLD'))).toMatchObject({ ...closed });
    // Its own Ended replaces the closure's facts.
    await flush([event(chargerId, 'OLD', 5, 'Ended', 6, 1_600)], at(7));
    expect(kept(await row(chargerId, 'OLD'))).toMatchObject({
      status: 'completed', stop_reason: 'EVDisconnected', stopped_at: at(6), meter_stop_wh: 1_600, energy_wh: 600, last_seq_no: 5, updated_at: at(7),
    });
    expect(await flags(chargerId, 'OLD')).toEqual([]);
    // Abandoned without any reading: no registers, no energy.
    await flush([event(chargerId, 'BARE', 0, 'Started', 10)], at(10));
    await flush([event(chargerId, 'NEXT', 0, 'Started', 11, 8_000), abandon('BARE', 11, 'NEXT')], at(11));
    expect(kept(await row(chargerId, 'BARE'))).toMatchObject({ status: 'completed', stop_reason: 'Abandoned', meter_start_wh: null, meter_stop_wh: null, energy_wh: null });
  });
});

describe('D1 rows read per 2.0.1 event (migration 0021)', () => {
  /** Stores `entries` as a flush does: the D1 rows it read. */
  async function rowsRead(entries: OutboxEntry[], now: string): Promise<number> {
    let rows = 0;
    for (const result of await env.DB.batch(flushStatements(env.DB, Outbox.batchOf(entries), now))) rows += result.meta.rows_read;
    return rows;
  }

  it('do not grow with the session: whether the Ended was applied is found by key, not by reading every event', async () => {
    const id = uniqueChargerId('READS');
    await flush([event(id, 'TX-R', 0, 'Started', 0, 1000)], at(0));
    const perUpdated: number[] = [];
    for (let seqNo = 1; seqNo <= 120; seqNo++) perUpdated.push(await rowsRead([event(id, 'TX-R', seqNo, 'Updated', seqNo, 1000 + seqNo * 10)], at(seqNo)));
    // Every Updated of an hour reads what the hour's 5th does (before 0021: about 110 more for the
    // 119th): not the events before it, nor the readings of its hour's meter row before it
    // (migration 0022: a reading is found by its timestamp's path in the row). From the second
    // (the first changes the trigger reason, a fact) they are packed with their readings
    // (migration 0023), and packed events are looked up over the transaction's hour rows: each
    // hour of the session adds those few lookups' row, not one per event.
    expect(new Set(perUpdated.slice(1, 59))).toEqual(new Set([perUpdated[4]]));
    expect(new Set(perUpdated.slice(60, 119))).toEqual(new Set([perUpdated[64]]));
    expect(perUpdated[64]! - perUpdated[4]!).toBeGreaterThan(0);
    expect(perUpdated[64]! - perUpdated[4]!).toBeLessThanOrEqual(3);
    const ended = await rowsRead([event(id, 'TX-R', 121, 'Ended', 121, 2300)], at(121));
    expect(await env.DB.prepare('SELECT status, energy_wh FROM transactions WHERE charger_id = ?').bind(id).first()).toEqual({ status: 'completed', energy_wh: 1300 });
    // An event after the Ended is judged late by the index, and changes nothing.
    expect(await rowsRead([event(id, 'TX-R', 122, 'Updated', 122, 2400)], at(122))).toBeLessThan(ended);
    expect(await env.DB.prepare('SELECT disposition FROM transaction_events WHERE charger_id = ? AND seq_no = 122').bind(id).first()).toEqual({ disposition: 'late' });
    expect(await env.DB.prepare('SELECT status, energy_wh FROM transactions WHERE charger_id = ?').bind(id).first()).toEqual({ status: 'completed', energy_wh: 1300 });
  });
});
