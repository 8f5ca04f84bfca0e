// Facts written to D1 by the charger's own object (FLEET_WRITER_SHARDS = 0, the default): no relay, nothing twice.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import { fleetWriterName } from '../../src/fleet/fleet-writer';
import { mixedFacts, Outbox, type OutboxKind, type StoredEntry } from '../../src/fleet/outbox';
import type { MeterReport } from '../../src/ocpp/records';
import { MeterArchiveStore } from '../../src/store/meter-archive';
import { api, breakD1, METER_VALUES, RawCharger, uniqueChargerId } from './helpers';
import { billedRows, meterObject } from './object-meter';

const count = async (sql: string, ...params: unknown[]) =>
  ((await env.DB.prepare(sql).bind(...params).first<{ n: number }>())?.n ?? -1);

describe('direct flush', () => {
  it('is the default: a charger writes its facts to D1 itself and no FleetWriter stores or copies them', async () => {
    expect(readConfig(env).fleetWriterShards).toBe(0);
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const writer = env.FLEET_WRITERS.getByName(fleetWriterName(cp.id, 1));
    const writerBefore = await writer.stats();
    const stub = env.CHARGERS.getByName(cp.id);
    const before = (await stub.stats()).d1Statements;
    const sample = { timestamp: '2026-03-01T10:05:00Z', sampledValue: [{ value: '4321', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
    expect((await cp.call('MeterValues', { connectorId: 1, meterValue: [sample] }))[0]).toBe(3);
    // The status takes the facts waiting (the connection, the reading) along to D1 at its answer.
    expect((await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }))[0]).toBe(3);

    const after = await stub.flushNow();
    expect(after.outboxEntries).toBe(0);
    expect(after.d1Statements).toBeGreaterThan(before);
    expect(await env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ?').bind(cp.id).first()).toEqual({ status: 'Charging' });
    expect(await env.DB.prepare('SELECT last_seen FROM chargers WHERE id = ?').bind(cp.id).first<{ last_seen: string | null }>()).toMatchObject({
      last_seen: expect.any(String),
    });
    // The writer neither kept nor copied anything of it.
    expect(await writer.stats()).toEqual(writerBefore);
    cp.close();
  });

  it('stores a batch whose removal from the outbox was lost only once when it is written again', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'DIRECT-TAG', meterStart: 100, timestamp: '2026-03-01T10:00:00Z' });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    const sample = { timestamp: '2026-03-01T10:05:00Z', sampledValue: [{ value: '900', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [sample] });

    const stub = env.CHARGERS.getByName(cp.id);
    // What D1 will be given, kept aside as the outbox holds it.
    const kept = await runInDurableObject(stub, (_instance, state) => new Outbox(state.storage.sql).peekStored(500).entries);
    expect(kept.length).toBeGreaterThan(0);
    // The stop takes them along to D1 at its answer.
    await cp.call('StopTransaction', { transactionId, meterStop: 1500, timestamp: '2026-03-01T10:30:00Z' });
    expect((await stub.stats()).outboxEntries).toBe(0);
    await stub.flushNow();
    const stored = {
      transactions: await count('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?', cp.id),
      energy: await env.DB.prepare('SELECT energy_wh, status FROM transactions WHERE charger_id = ?').bind(cp.id).first(),
      history: await count('SELECT COUNT(*) AS n FROM connection_history WHERE charger_id = ?', cp.id),
    };
    expect(stored.transactions).toBe(1);
    expect(stored.energy).toEqual({ energy_wh: 1400, status: 'completed' });

    // As if D1 had stored the batch but the object lost its removal: the same entries again.
    await runInDurableObject(stub, (_instance, state) => new Outbox(state.storage.sql).appendStored(kept as StoredEntry[]));
    expect((await stub.flushNow()).outboxEntries).toBe(0);
    expect({
      transactions: await count('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?', cp.id),
      energy: await env.DB.prepare('SELECT energy_wh, status FROM transactions WHERE charger_id = ?').bind(cp.id).first(),
      history: await count('SELECT COUNT(*) AS n FROM connection_history WHERE charger_id = ?', cp.id),
    }).toEqual(stored);
    cp.close();
  });
});

describe('meter readings in the outbox', () => {
  const report = (value: number, minute: number) => ({
    transactionId: '7',
    evseId: 0,
    connectorId: 1,
    samples: [{ timestamp: `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`, measurand: 'Energy.Active.Import.Register', unit: 'Wh', value, phase: null, location: null, context: null, signedData: null }],
  });

  it('merge into one entry per transaction and connector until a flush reads it; a flush in progress loses nothing that arrives meanwhile', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    await runInDurableObject(stub, (_instance, state) => {
      const outbox = new Outbox(state.storage.sql);
      // Per outbox row, the samples of each meter fact it holds.
      const rows = () =>
        state.storage.sql
          .exec<{ kind: OutboxKind; fact: string }>('SELECT kind, fact FROM outbox ORDER BY seq')
          .toArray()
          .map((r) => mixedFacts(r.kind, JSON.parse(r.fact)).map((f) => (f.fact as MeterReport).samples.length));
      outbox.appendMeter(cp.id, report(100, 1));
      outbox.appendMeter(cp.id, report(200, 2));
      expect(rows()).toEqual([[2]]);
      // Another connector's reading is a fact of its own, in the same row (one row written, not two).
      outbox.appendMeter(cp.id, { ...report(5, 2), connectorId: 2 });
      outbox.appendMeter(cp.id, report(300, 3));
      expect(rows()).toEqual([[2, 1, 1]]);
      outbox.appendMeter(cp.id, report(400, 4));
      expect(rows()).toEqual([[2, 1, 1, 1]]);
      // A flush reads the entries, and a reading arrives while D1 is being written: it must not
      // go into an entry the flush will remove.
      const batch = outbox.peekOldest(500);
      outbox.appendMeter(cp.id, report(500, 5));
      outbox.remove(batch.lastSeq);
      expect(rows()).toEqual([[1]]);
      expect(batch.meter.flatMap((m) => m.fact.samples.map((s) => s.value))).toEqual([100, 200, 5, 300, 400]);
      outbox.released();
      // Emptied, the table gives its seqs again from 1: merging must not stay off for them.
      outbox.remove(outbox.peekOldest(500).lastSeq);
      outbox.released();
      expect(rows()).toEqual([]);
      outbox.appendMeter(cp.id, report(600, 6));
      outbox.appendMeter(cp.id, report(700, 7));
      expect(rows()).toEqual([[2]]);
    });
    cp.close();
  });

  it('writes a meter report to D1 before answering it when nothing waits in the outbox: no outbox row, nothing for the object to write', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'DIRECT-TAG', meterStart: 0, timestamp: '2026-03-02T09:00:00Z' });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    await stub.flushNow();
    const read = await meterObject(stub);
    const meterValues = (minute: number) => ({
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: `2026-03-02T09:0${minute}:00Z`, sampledValue: [{ value: String(minute * 100), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    for (let minute = 1; minute <= 3; minute++) expect((await cp.call('MeterValues', meterValues(minute)))[0]).toBe(3);
    // In D1 at the answer, without a flush; the object wrote nothing for them.
    const stored = () => env.DB.prepare(`SELECT timestamp, value FROM ${METER_VALUES} WHERE charger_id = ? ORDER BY timestamp`).bind(cp.id).all();
    expect((await stored()).results).toEqual([1, 2, 3].map((m) => ({ timestamp: `2026-03-02T09:0${m}:00.000Z`, value: m * 100 })));
    expect((await stub.stats()).outboxEntries).toBe(0);
    expect(billedRows(await read())).toBe(0);
    // A replay (the charger did not get the answer) stores nothing twice.
    expect((await cp.call('MeterValues', meterValues(2)))[0]).toBe(3);
    expect((await stored()).results).toHaveLength(3);
    cp.close();
  });

  it('writes a 2.0.1 Updated event to D1 before answering it when nothing waits in the outbox; Started and Ended go through the outbox', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    const at = (minute: number) => `2026-03-04T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const event = (seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', wh: number) => ({
      eventType,
      timestamp: at(seqNo),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId: 'DIRECT-TX', ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
      ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
      meterValue: [{ timestamp: at(seqNo), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
    });
    expect((await cp.call('TransactionEvent', event(0, 'Started', 1000)))[0]).toBe(3);
    expect((await stub.stats()).outboxEntries).toBe(1);
    await stub.flushNow();
    const read = await meterObject(stub);
    for (let seqNo = 1; seqNo <= 3; seqNo++) expect((await cp.call('TransactionEvent', event(seqNo, 'Updated', 1000 + seqNo * 100)))[0]).toBe(3);
    // In D1 at the answer, the transaction's energy with them; the object wrote nothing.
    expect((await stub.stats()).outboxEntries).toBe(0);
    expect(billedRows(await read())).toBe(0);
    // Where D1 keeps them: rows of transaction_events, or packed with their readings (migrations/0023).
    const seqNos = async () => (await new MeterArchiveStore(env.DB, env.ARCHIVE).transactionEvents(cp.id, 'DIRECT-TX')).map((e) => e.seq_no);
    expect(await seqNos()).toEqual([0, 1, 2, 3]);
    const shown = async () => ((await (await api('GET', `/chargers/${cp.id}/transactions/DIRECT-TX`)).json()) as { transaction: object }).transaction;
    expect(await shown()).toMatchObject({ energyWh: 300, status: 'active' });
    // A replay stores nothing twice.
    expect((await cp.call('TransactionEvent', event(2, 'Updated', 1200)))[0]).toBe(3);
    expect(await seqNos()).toEqual([0, 1, 2, 3]);
    expect(await count('SELECT COUNT(*) AS n FROM meter_hours m, json_each(m.data) WHERE m.charger_id = ?', cp.id)).toBe(4);
    expect((await cp.call('TransactionEvent', event(4, 'Ended', 1500)))[0]).toBe(3);
    expect((await stub.stats()).outboxEntries).toBe(1);
    await stub.flushNow();
    expect(await env.DB.prepare('SELECT energy_wh, status FROM transactions WHERE charger_id = ?').bind(cp.id).first()).toEqual({ energy_wh: 500, status: 'completed' });
    cp.close();
  });

  it('writes a connector status and a 1.6 stop to D1 before answering them when nothing waits in the outbox: no outbox row, no setAlarm; to the outbox when D1 fails, and to D1 once it is back', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    const status = (s: string) => cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: s });
    const connector = () => env.DB.prepare('SELECT status FROM connector_status WHERE charger_id = ?').bind(cp.id).first<{ status: string }>();
    const transaction = () => env.DB.prepare('SELECT * FROM transactions WHERE charger_id = ? ORDER BY id DESC').bind(cp.id).first();
    const lastSeen = async () => (await env.DB.prepare('SELECT last_seen FROM chargers WHERE id = ?').bind(cp.id).first<{ last_seen: string }>())!.last_seen;

    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'DIRECT-TAG', meterStart: 100, timestamp: '2026-03-08T10:00:00Z' });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    // The start goes through the outbox (its key and its fact commit together in the object).
    expect((await stub.stats()).outboxEntries).toBe(1);
    await stub.flushNow();
    const seenAtStart = await lastSeen();

    const read = await meterObject(stub);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stop = { transactionId, meterStop: 2_100, timestamp: '2026-03-08T11:00:00Z', reason: 'EVDisconnected' };
    expect((await cp.call('StopTransaction', stop))[0]).toBe(3);
    // In D1 at the answer, with the charger's last frame, before any flush.
    expect(await transaction()).toMatchObject({ status: 'completed', energy_wh: 2_000, stop_reason: 'EVDisconnected' });
    expect(await lastSeen() > seenAtStart).toBe(true);
    expect((await status('Finishing'))[0]).toBe(3);
    expect(await connector()).toEqual({ status: 'Finishing' });
    const written = await read();
    expect((await stub.stats()).outboxEntries).toBe(0);
    expect(written.alarmsSet).toBe(0);
    // A replayed stop changes nothing.
    const completed = await transaction();
    expect((await cp.call('StopTransaction', stop))[0]).toBe(3);
    expect(await transaction()).toEqual(completed);
    expect(await count('SELECT COUNT(*) AS n FROM transaction_anomalies WHERE charger_id = ?', cp.id)).toBe(0);

    // D1 down: answered all the same, kept in the outbox, in D1 once it is back.
    const second = await cp.call('StartTransaction', { connectorId: 1, idTag: 'DIRECT-TAG', meterStart: 2_100, timestamp: '2026-03-08T12:00:00Z' });
    await stub.flushNow();
    await breakD1(cp.id);
    expect((await cp.call('StopTransaction', { transactionId: (second[2] as { transactionId: number }).transactionId, meterStop: 2_600, timestamp: '2026-03-08T12:30:00Z' }))[0]).toBe(3);
    expect((await status('Available'))[0]).toBe(3);
    expect((await stub.stats()).outboxEntries).toBe(1);
    expect(await transaction()).toMatchObject({ status: 'active' });
    expect(await connector()).toEqual({ status: 'Finishing' });
    await evictDurableObject(stub);
    expect((await stub.flushNow()).outboxEntries).toBe(0);
    expect(await transaction()).toMatchObject({ status: 'completed', energy_wh: 500 });
    expect(await connector()).toEqual({ status: 'Available' });
    cp.close();
  });

  it('writes as many object rows for a 1.6 session after many sessions on the connector as after a few: ended ones are not rewritten', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    let n = 0;
    const session = async () => {
      n += 1;
      const at = (minute: number) => new Date(Date.UTC(2026, 2, 7) + n * 3_600_000 + minute * 60_000).toISOString();
      const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'MANY-TAG', meterStart: n * 1000, timestamp: at(0) });
      await cp.call('StopTransaction', { transactionId: (start[2] as { transactionId: number }).transactionId, meterStop: n * 1000 + 500, timestamp: at(30) });
      // Its facts flushed, as the alarm would: every session pays for its own.
      await stub.flushNow();
    };
    const rowsOfOneSession = async () => {
      const read = await meterObject(stub);
      await session();
      return (await read()).sqlRows;
    };
    await session();
    await session();
    const early = await rowsOfOneSession();
    // More sessions than ConcurrentTx keeps tokens of (active-tokens.ts KEPT_MAX): a stopped 1.6
    // transaction's token row is removed at its stop, not kept ended for a later start to remove.
    for (let i = 0; i < 205; i++) await session();
    expect(await rowsOfOneSession()).toBe(early);
    cp.close();
    // 210 sessions, each flushed: a few seconds on a quiet machine, more on a busy one.
  }, 60_000);

  it('keeps a meter report in the outbox when D1 fails or older facts wait there: merged into one row, every reading in D1 once it is back', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'MERGE-TAG', meterStart: 0, timestamp: '2026-03-02T10:00:00Z' });
    const transactionId = (start[2] as { transactionId: number }).transactionId;
    await stub.flushNow();
    await breakD1(cp.id);
    for (let minute = 1; minute <= 5; minute++) {
      const meterValue = [{ timestamp: `2026-03-02T10:0${minute}:00Z`, sampledValue: [{ value: String(minute * 100), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '7000', measurand: 'Power.Active.Import', unit: 'W' }] }];
      // Answered: durable in the object, not refused because D1 is down.
      expect((await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue }))[0]).toBe(3);
    }
    // One row for the five: the later ones merged into the first.
    expect((await stub.stats()).outboxEntries).toBe(1);
    // D1 back (a fresh instance): the next report waits behind the older ones, so facts reach D1 in order.
    await evictDurableObject(stub);
    const later = [{ timestamp: '2026-03-02T10:06:00Z', sampledValue: [{ value: '600', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }];
    expect((await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: later }))[0]).toBe(3);
    expect((await stub.stats()).outboxEntries).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM meter_hours m, json_each(m.data) WHERE m.charger_id = ?', cp.id)).toBe(0);
    await stub.flushNow();
    const page = await api('GET', `/chargers/${cp.id}/transactions/${transactionId}?limit=100`);
    const body = ((await page.json()) as { transaction: { meterValues: Array<{ measurand: string; value: number }> } }).transaction;
    expect(body.meterValues.filter((v) => v.measurand === 'Energy.Active.Import.Register').map((v) => v.value)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(body.meterValues).toHaveLength(11);
    cp.close();
  });

  it('2.0.1 TransactionEvents between flushes take one outbox row, and each is stored as its own event with its readings', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    const at = (minute: number) => `2026-03-03T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const event = (seqNo: number, eventType: 'Started' | 'Updated', wh: number) => ({
      eventType,
      timestamp: at(seqNo),
      triggerReason: eventType === 'Started' ? 'Authorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId: 'MERGED-TX' },
      ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
      meterValue: [{ timestamp: at(seqNo), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
    });
    expect((await cp.call('TransactionEvent', event(0, 'Started', 1000)))[0]).toBe(3);
    for (let seqNo = 1; seqNo <= 4; seqNo++) expect((await cp.call('TransactionEvent', event(seqNo, 'Updated', 1000 + seqNo * 100)))[0]).toBe(3);
    expect((await stub.stats()).outboxEntries).toBe(1);
    await stub.flushNow();
    const events = await env.DB.prepare('SELECT seq_no FROM transaction_events WHERE charger_id = ? ORDER BY seq_no').bind(cp.id).all<{ seq_no: number }>();
    expect(events.results.map((e) => e.seq_no)).toEqual([0, 1, 2, 3, 4]);
    const page = await api('GET', `/chargers/${cp.id}/transactions/MERGED-TX?limit=100`);
    const body = ((await page.json()) as { transaction: { meterValues: Array<{ value: number }> } }).transaction;
    expect(body.meterValues.map((v) => v.value)).toEqual([1000, 1100, 1200, 1300, 1400]);
    cp.close();
  });
});
