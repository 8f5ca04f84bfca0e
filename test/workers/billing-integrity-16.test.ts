// Issue 11, billing integrity for OCPP 1.6: the first stop wins whenever D1 is written, a register
// that went backwards is flagged and never billed, transactions a charger left open are closed as
// abandoned, and a start identical to one already stopped is a new session.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, METER_VALUES, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function connect(): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('BILL'), 'ocpp1.6');
  expect((await cp.boot())[0]).toBe(3);
  return cp;
}

async function start(cp: RawCharger, payload: Record<string, unknown>): Promise<number> {
  const answer = await cp.call('StartTransaction', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
  return (answer[2] as { transactionId: number }).transactionId;
}

async function stop(cp: RawCharger, payload: Record<string, unknown>): Promise<void> {
  const answer = await cp.call('StopTransaction', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
}

/** The single-transaction view (it copies the charger's waiting facts to D1 first). */
async function transaction(chargerId: string, transactionId: number) {
  const res = await api('GET', `/chargers/${chargerId}/transactions/${transactionId}`);
  expect(res.status).toBe(200);
  return (await json(res)).transaction;
}

async function listed(chargerId: string) {
  return (await json(await api('GET', `/transactions?chargerId=${chargerId}&limit=100`))).transactions as any[];
}

const flush = (cp: RawCharger) => env.CHARGERS.getByName(cp.id).flushNow();

function startOf(connectorId: number, minute: number, meterStart = 1_000) {
  return { connectorId, idTag: 'BILL-TAG', meterStart, timestamp: `2026-06-01T10:${String(minute).padStart(2, '0')}:00Z` };
}

describe('1.6 StopTransaction: the first stop wins', () => {
  // The audit's case: 400 or 8,900 Wh depending only on whether an API read came between the stops.
  for (const readBetween of [false, true]) {
    it(`keep the first stop's energy and the second as a conflicting-stop anomaly (${readBetween ? 'a flush' : 'no flush'} between them)`, async () => {
      const cp = await connect();
      const id = await start(cp, startOf(1, 0, 1_100));
      await stop(cp, { transactionId: id, meterStop: 1_500, timestamp: '2026-06-01T11:00:00Z', reason: 'Local' });
      if (readBetween) await flush(cp);
      await stop(cp, { transactionId: id, meterStop: 10_000, timestamp: '2026-06-01T11:30:00Z', reason: 'Remote', idTag: 'OTHER' });

      const tx = await transaction(cp.id, id);
      expect(tx).toMatchObject({ status: 'completed', meterStopWh: 1_500, energyWh: 400, stopReason: 'Local', stoppedAt: '2026-06-01T11:00:00.000Z', stopIdTag: null });
      expect(tx.flags).toEqual(['conflicting-stop']);
      expect(tx.anomalies).toEqual([
        {
          kind: 'conflicting-stop',
          detail: { transactionId: id, idTag: 'OTHER', meterStop: 10_000, timestamp: '2026-06-01T11:30:00.000Z', reason: 'Remote' },
          receivedAt: expect.any(String),
        },
      ]);
      cp.close();
    });
  }

  it('add nothing for an identical replay of the stop, in the same batch or later', async () => {
    const cp = await connect();
    const id = await start(cp, startOf(1, 0));
    const theStop = { transactionId: id, meterStop: 3_000, timestamp: '2026-06-01T11:00:00Z', reason: 'EVDisconnected' };
    await stop(cp, theStop);
    await stop(cp, theStop);
    await flush(cp);
    await stop(cp, theStop);
    const tx = await transaction(cp.id, id);
    expect(tx).toMatchObject({ status: 'completed', energyWh: 2_000, flags: [], anomalies: [] });
    cp.close();
  });

  it('apply the first of several stops in one batch whatever their content, and keep each other one once', async () => {
    const cp = await connect();
    const id = await start(cp, startOf(1, 0, 0));
    // Stops that would sort before the first one by any column: the batch order decides.
    const stops = [
      { transactionId: id, meterStop: 5_000, timestamp: '2026-06-01T12:00:00Z', reason: 'Remote' },
      { transactionId: id, meterStop: 100, timestamp: '2026-06-01T10:30:00Z', reason: 'EmergencyStop' },
      { transactionId: id, meterStop: 9_000, timestamp: '2026-06-01T13:00:00Z', reason: 'Other' },
    ];
    for (const s of stops) await stop(cp, s);
    await stop(cp, stops[1]!);
    const tx = await transaction(cp.id, id);
    expect(tx).toMatchObject({ meterStopWh: 5_000, energyWh: 5_000, stopReason: 'Remote' });
    expect(tx.anomalies.map((a: any) => a.detail.meterStop).sort()).toEqual([100, 9_000]);
    cp.close();
  });
});

describe('1.6 negative energy', () => {
  it('keep both readings, bill nothing, and flag negative-energy when meterStop is below meterStart', async () => {
    const cp = await connect();
    const id = await start(cp, startOf(1, 0, 90_000));
    // A reading on the way, so the view has something it could wrongly derive an energy from.
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: id,
      meterValue: [{ timestamp: '2026-06-01T10:30:00Z', sampledValue: [{ value: '95000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    await stop(cp, { transactionId: id, meterStop: 2_000, timestamp: '2026-06-01T11:00:00Z', reason: 'Local' });

    const tx = await transaction(cp.id, id);
    expect(tx).toMatchObject({ status: 'completed', meterStartWh: 90_000, meterStopWh: 2_000, energyWh: null, flags: ['negative-energy'] });
    expect(tx.anomalies).toMatchObject([{ kind: 'negative-energy', detail: { meterStartWh: 90_000, meterStopWh: 2_000 } }]);
    expect((await listed(cp.id)).find((t) => t.transactionId === String(id))).toMatchObject({ energyWh: null, flags: ['negative-energy'] });
    cp.close();
  });

  it('show no negative energy so far for a running transaction whose register went backwards', async () => {
    const cp = await connect();
    const id = await start(cp, startOf(1, 0, 90_000));
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: id,
      meterValue: [{ timestamp: '2026-06-01T10:30:00Z', sampledValue: [{ value: '500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    expect(await transaction(cp.id, id)).toMatchObject({ status: 'active', energyWh: null });
    cp.close();
  });
});

describe('1.6 transactions left open', () => {
  it('close older transactions on a connector when a new one starts there, as abandoned, from their last register reading', async () => {
    const cp = await connect();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(await start(cp, startOf(1, i, 1_000 * (i + 1))));
      if (i === 2) {
        // A reading for the third: its closure takes it as the stop register.
        await cp.call('MeterValues', {
          connectorId: 1,
          transactionId: ids[2],
          meterValue: [{ timestamp: '2026-06-01T10:02:30Z', sampledValue: [{ value: '3400', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
        });
      }
    }
    // Another connector is not touched.
    const other = await start(cp, startOf(2, 7));
    const all = await listed(cp.id);
    expect(all.filter((t) => t.status === 'active').map((t) => Number(t.transactionId)).sort((a, b) => a - b)).toEqual([ids[5], other]);

    const third = await transaction(cp.id, ids[2]!);
    expect(third).toMatchObject({
      status: 'completed',
      stopReason: 'Abandoned',
      stoppedAt: '2026-06-01T10:03:00.000Z',
      meterStartWh: 3_000,
      meterStopWh: 3_400,
      energyWh: 400,
      flags: ['abandoned'],
    });
    expect(third.anomalies).toMatchObject([
      { kind: 'abandoned', detail: { transactionId: ids[2], connectorId: 1, at: '2026-06-01T10:03:00.000Z', cause: 'StartTransaction', byTransactionId: ids[3] } },
    ]);
    // No reading: no stop register and no energy.
    expect(await transaction(cp.id, ids[0]!)).toMatchObject({ status: 'completed', stopReason: 'Abandoned', meterStopWh: null, energyWh: null, flags: ['abandoned'] });
    cp.close();
  });

  it("let an abandoned transaction's own StopTransaction still apply: its flags drop abandoned, which stays in its anomalies", async () => {
    const cp = await connect();
    const first = await start(cp, startOf(1, 0, 1_000));
    await start(cp, startOf(1, 10, 5_000));
    await flush(cp);
    expect(await transaction(cp.id, first)).toMatchObject({ status: 'completed', stopReason: 'Abandoned', flags: ['abandoned'] });
    await stop(cp, { transactionId: first, meterStop: 4_500, timestamp: '2026-06-01T10:09:00Z', reason: 'EVDisconnected' });
    const tx = await transaction(cp.id, first);
    // It ended normally after all: a billing rule that skips flagged transactions bills it.
    expect(tx).toMatchObject({ status: 'completed', stopReason: 'EVDisconnected', meterStopWh: 4_500, energyWh: 3_500, stoppedAt: '2026-06-01T10:09:00.000Z', flags: [] });
    expect(tx.anomalies).toMatchObject([{ kind: 'abandoned', detail: { cause: 'StartTransaction' } }]);
    expect((await listed(cp.id)).find((t) => t.transactionId === String(first))).toMatchObject({ flags: [] });
    // A further stop is a conflict like any other.
    await stop(cp, { transactionId: first, meterStop: 4_600, timestamp: '2026-06-01T10:09:30Z', reason: 'EVDisconnected' });
    expect((await transaction(cp.id, first)).flags).toEqual(['conflicting-stop']);
    cp.close();
  });

  it('only flag the transactions running at a boot (open-at-boot, once however many boots), keep them active, and let their own stop or a newer start end them', async () => {
    const cp = await connect();
    const a = await start(cp, startOf(1, 0));
    const b = await start(cp, startOf(2, 1));
    const c = await start(cp, startOf(3, 2));
    await stop(cp, { transactionId: c, meterStop: 1_500, timestamp: '2026-06-01T10:05:00Z' });
    expect((await cp.boot())[0]).toBe(3);
    await flush(cp);
    expect((await cp.boot())[0]).toBe(3);

    for (const id of [a, b]) {
      const tx = await transaction(cp.id, id);
      expect(tx).toMatchObject({ status: 'active', stopReason: null, stoppedAt: null, flags: ['open-at-boot'] });
      expect(tx.anomalies).toEqual([
        { kind: 'open-at-boot', detail: { transactionId: id, connectorId: id === a ? 1 : 2, cause: 'BootNotification' }, receivedAt: expect.any(String) },
      ]);
    }
    expect(await transaction(cp.id, c)).toMatchObject({ stopReason: 'Local', energyWh: 500, flags: [] });

    // b charged on after the boot (a reconnection): later readings and its own stop count, and it bills normally.
    await cp.call('MeterValues', {
      connectorId: 2,
      transactionId: b,
      meterValue: [{ timestamp: '2026-06-01T10:20:00Z', sampledValue: [{ value: '2500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    await stop(cp, { transactionId: b, meterStop: 3_000, timestamp: '2026-06-01T10:30:00Z', reason: 'EVDisconnected' });
    const stopped = await transaction(cp.id, b);
    expect(stopped).toMatchObject({ status: 'completed', stopReason: 'EVDisconnected', meterStopWh: 3_000, energyWh: 2_000, flags: [] });
    expect(stopped.anomalies.map((x: { kind: string }) => x.kind)).toEqual(['open-at-boot']);

    // A newer start on a's connector is the proof a ended: closed as abandoned.
    const after = await start(cp, startOf(1, 40));
    expect(await transaction(cp.id, a)).toMatchObject({ status: 'completed', stopReason: 'Abandoned' });
    expect((await transaction(cp.id, a)).flags.sort()).toEqual(['abandoned', 'open-at-boot']);
    expect(await transaction(cp.id, after)).toMatchObject({ status: 'active', flags: [] });
    cp.close();
  });

  it('give a replay of the older start its id without closing the newer transaction', async () => {
    const cp = await connect();
    const first = await start(cp, startOf(1, 0));
    const second = await start(cp, startOf(1, 5));
    expect(await start(cp, startOf(1, 0))).toBe(first);
    expect(await start(cp, startOf(1, 5))).toBe(second);
    expect(await transaction(cp.id, second)).toMatchObject({ status: 'active', flags: [] });
    cp.close();
  });

  it('flag transactions D1 knows running when the object seeds its numbering at boot, and keep them active', async () => {
    const id = uniqueChargerId('SEED');
    await env.DB.prepare(
      `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
       VALUES (?1, 'ocpp1.6', '41', '1|OLD|0|2026-05-01T08:00:00.000Z', 0, 1, 'OLD', 'active', '2026-05-01T08:00:00Z', 0, '2026-05-01T08:00:00Z')`,
    )
      .bind(id)
      .run();
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await cp.boot())[0]).toBe(3);
    expect(await transaction(id, 41)).toMatchObject({ status: 'active', stopReason: null, flags: ['open-at-boot'] });
    // Still running in the object: a newer start on its connector closes it.
    await start(cp, startOf(1, 0));
    expect(await transaction(id, 41)).toMatchObject({ status: 'completed', stopReason: 'Abandoned' });
    cp.close();
  });
});

describe('1.6 stops for a transaction the charger never had', () => {
  it('keep the first in unmatched_stops and a further, different one as a conflicting-stop anomaly under its id: none acknowledged and lost', async () => {
    for (const flushBetween of [true, false]) {
      const cp = await connect();
      const unknown = 900_000 + (flushBetween ? 1 : 2);
      const first = { transactionId: unknown, meterStop: 100, timestamp: '2026-06-01T11:00:00Z', reason: 'Local' };
      const second = { transactionId: unknown, meterStop: 7_000, timestamp: '2026-06-01T12:00:00Z', reason: 'Remote', idTag: 'SOMEONE' };
      await stop(cp, first);
      if (flushBetween) await flush(cp);
      await stop(cp, second);
      await stop(cp, first);
      await stop(cp, second);
      await flush(cp);
      expect(await env.DB.prepare('SELECT transaction_id, meter_stop_wh, reason FROM unmatched_stops WHERE charger_id = ?').bind(cp.id).all()).toMatchObject({
        results: [{ transaction_id: unknown, meter_stop_wh: 100, reason: 'Local' }],
      });
      const { results } = await env.DB.prepare('SELECT ocpp_transaction_id, kind, detail FROM transaction_anomalies WHERE charger_id = ?').bind(cp.id).all<any>();
      expect(results.map((r) => ({ ...r, detail: JSON.parse(r.detail) })), `flush between: ${flushBetween}`).toEqual([
        {
          ocpp_transaction_id: String(unknown),
          kind: 'conflicting-stop',
          detail: { transactionId: unknown, idTag: 'SOMEONE', meterStop: 7_000, timestamp: '2026-06-01T12:00:00.000Z', reason: 'Remote' },
        },
      ]);
      cp.close();
    }
  });
});

describe('the 0014 migration, on transactions stored before negative energy was flagged', () => {
  it('flags every completed transaction of either version whose end register is below its start, and makes its energy null', async () => {
    const chargerId = uniqueChargerId('MIG14');
    const insert = env.DB.prepare(
      `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, evse_id, connector_id, id_tag, status, started_at, stopped_at,
         meter_start_wh, meter_stop_wh, energy_wh, stop_reason, updated_at)
       VALUES (?1, ?2, ?3, 1, 1, 'OLD', ?4, '2026-01-01T08:00:00Z', ?5, ?6, ?7, ?8, ?9, '2026-01-01T09:00:00Z')`,
    );
    // As the code before issue 11 stored them: a negative, billable energy_wh and no flag.
    await env.DB.batch([
      insert.bind(chargerId, 'ocpp1.6', '1', 'completed', '2026-01-01T09:00:00Z', 90_000, 2_000, -88_000, 'Local'),
      insert.bind(chargerId, 'ocpp2.0.1', 'NEG-201', 'completed', '2026-01-01T09:00:00Z', 10_000, 9_000, -1_000, 'EVDisconnected'),
      insert.bind(chargerId, 'ocpp1.6', '2', 'completed', '2026-01-01T09:00:00Z', 1_000, 3_000, 2_000, 'Local'),
      insert.bind(chargerId, 'ocpp1.6', '3', 'active', null, 5_000, 100, null, null),
    ]);
    // The 2.0.1 row met today's trigger on its way in; before 0010 it had no flag either.
    await env.DB.prepare('DELETE FROM transaction_anomalies WHERE charger_id = ?').bind(chargerId).run();

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0014_'));
    expect(migration?.name).toBe('0014_billing_backfill.sql');
    // Twice: a migration run again adds nothing.
    for (let run = 0; run < 2; run++) for (const query of migration!.queries) await env.DB.prepare(query).run();

    const { results } = await env.DB.prepare(
      'SELECT ocpp_transaction_id AS id, energy_wh, meter_start_wh, meter_stop_wh FROM transactions WHERE charger_id = ? ORDER BY id',
    )
      .bind(chargerId)
      .all();
    expect(results).toEqual([
      { id: '1', energy_wh: null, meter_start_wh: 90_000, meter_stop_wh: 2_000 },
      { id: '2', energy_wh: 2_000, meter_start_wh: 1_000, meter_stop_wh: 3_000 },
      { id: '3', energy_wh: null, meter_start_wh: 5_000, meter_stop_wh: 100 },
      { id: 'NEG-201', energy_wh: null, meter_start_wh: 10_000, meter_stop_wh: 9_000 },
    ]);
    const list = await listed(chargerId);
    const flags = Object.fromEntries(list.map((t) => [t.transactionId, t.flags]));
    expect(flags).toEqual({ '1': ['negative-energy'], '2': [], '3': [], 'NEG-201': ['negative-energy'] });
    const { results: anomalies } = await env.DB.prepare(
      'SELECT ocpp_transaction_id AS id, kind, detail FROM transaction_anomalies WHERE charger_id = ? ORDER BY id',
    )
      .bind(chargerId)
      .all<{ id: string; kind: string; detail: string }>();
    expect(anomalies.map((a) => ({ ...a, detail: JSON.parse(a.detail) }))).toEqual([
      { id: '1', kind: 'negative-energy', detail: { meterStartWh: 90_000, meterStopWh: 2_000 } },
      { id: 'NEG-201', kind: 'negative-energy', detail: { meterStartWh: 10_000, meterStopWh: 9_000 } },
    ]);
  });
});

/** The events the charger's object sends to the EVENTS queue from now on (its binding is swapped for a recorder). */
async function recordEvents(chargerId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const sent: Array<{ type: string; data: Record<string, unknown> }> = [];
  await runInDurableObject(env.CHARGERS.getByName(chargerId), (instance) => {
    const target = instance as unknown as { env: Record<string, unknown> };
    target.env = {
      ...target.env,
      EVENTS: { sendBatch: async (batch: Array<{ body: { type: string; data: Record<string, unknown> } }>) => void sent.push(...batch.map((m) => m.body)) },
    };
  });
  return sent;
}

describe('transaction.ended on the events queue, 1.6', () => {
  it('is plain only for the first stop of a transaction; a replay or a conflicting second stop is marked duplicate', async () => {
    const cp = await connect();
    const events = await recordEvents(cp.id);
    const id = await start(cp, startOf(1, 0, 1_000));
    const first = { transactionId: id, meterStop: 1_400, timestamp: '2026-06-01T11:00:00Z', reason: 'Local' };
    await stop(cp, first);
    await stop(cp, first);
    await stop(cp, { ...first, meterStop: 9_000 });
    const ended = events.filter((e) => e.type === 'transaction.ended');
    expect(ended.map((e) => [e.data.meterStopWh, e.data.duplicate])).toEqual([
      [1_400, undefined],
      [1_400, true],
      [9_000, true],
    ]);
    // D1, which the README names authoritative, bills the first.
    expect(await transaction(cp.id, id)).toMatchObject({ energyWh: 400 });
    cp.close();
  });
});

describe('1.6 identical StartTransactions', () => {
  it('make a start identical to one already stopped a new session, and keep the replay rule before the stop', async () => {
    const cp = await connect();
    const same = startOf(1, 0, 7_000);
    const first = await start(cp, same);
    expect(await start(cp, same)).toBe(first);
    await stop(cp, { transactionId: first, meterStop: 8_000, timestamp: '2026-06-01T10:30:00Z', reason: 'Local' });
    // Flushed in between, and not: both ways two rows.
    await flush(cp);
    const second = await start(cp, same);
    expect(second).not.toBe(first);
    expect(await start(cp, same)).toBe(second);
    await stop(cp, { transactionId: second, meterStop: 9_500, timestamp: '2026-06-01T10:45:00Z', reason: 'Local' });
    const third = await start(cp, same);
    expect(new Set([first, second, third]).size).toBe(3);

    expect(await transaction(cp.id, first)).toMatchObject({ status: 'completed', energyWh: 1_000, flags: [] });
    expect(await transaction(cp.id, second)).toMatchObject({ status: 'completed', energyWh: 2_500, flags: [] });
    expect(await transaction(cp.id, third)).toMatchObject({ status: 'active', meterStartWh: 7_000 });
    const { n } = (await env.DB.prepare('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?').bind(cp.id).first<{ n: number }>())!;
    expect(n).toBe(3);
    cp.close();
  });

  it('keep the sessions apart when the start, the stop and the identical start reach D1 in one batch', async () => {
    const cp = await connect();
    const same = startOf(2, 0, 100);
    const first = await start(cp, same);
    await stop(cp, { transactionId: first, meterStop: 600, timestamp: '2026-06-01T10:10:00Z' });
    const second = await start(cp, same);
    expect(second).not.toBe(first);
    expect(await transaction(cp.id, first)).toMatchObject({ status: 'completed', energyWh: 500 });
    expect(await transaction(cp.id, second)).toMatchObject({ status: 'active', meterStartWh: 100, flags: [] });
    cp.close();
  });

  it('forget the start key in the object once its transaction stopped', async () => {
    const cp = await connect();
    const same = startOf(1, 0);
    const first = await start(cp, same);
    await stop(cp, { transactionId: first, meterStop: 1_200, timestamp: '2026-06-01T10:10:00Z' });
    const keys = await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) =>
      state.storage.sql.exec('SELECT transaction_id FROM transaction_ids').toArray(),
    );
    expect(keys).toEqual([]);
    cp.close();
  });
});

describe('impossible values, both versions', () => {
  /** Sends a CALL as raw text (1e400 has no JSON.stringify) and returns the answer frame. */
  async function rawCall(cp: RawCharger, id: string, action: string, payloadText: string): Promise<unknown[]> {
    cp.sendRaw(`[2,"${id}","${action}",${payloadText}]`);
    const frame = await cp.next();
    expect(frame[1]).toBe(id);
    return frame;
  }

  async function meterValueCount(chargerId: string): Promise<number> {
    await env.CHARGERS.getByName(chargerId).flushNow();
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${METER_VALUES} WHERE charger_id = ?`).bind(chargerId).first<{ n: number }>();
    return row!.n;
  }

  const reading16 = (value: string, extra: Record<string, unknown> = {}) => ({
    timestamp: '2026-06-01T10:30:00Z',
    sampledValue: [{ value: '100', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value, measurand: 'Energy.Active.Import.Register', unit: 'Wh', ...extra }],
  });

  for (const value of ['NaN', 'Infinity', '-Infinity', '1e400', '12 kWh', '']) {
    it(`refuse a 1.6 MeterValues whose sampled value is ${JSON.stringify(value)} with PropertyConstraintViolation, storing nothing`, async () => {
      const cp = await connect();
      const answer = await cp.call('MeterValues', { connectorId: 1, meterValue: [reading16(value)] });
      expect(answer.slice(0, 3)).toEqual([4, answer[1], 'PropertyConstraintViolation']);
      expect(answer[3]).toContain('"meterValue[0].sampledValue[1].value"');
      expect((answer[4] as any).issues[0]).toMatchObject({ path: 'meterValue[0].sampledValue[1].value' });
      expect(await meterValueCount(cp.id)).toBe(0);
      cp.close();
    });
  }

  it('accept 1.6 signed data that is not a number, and a kWh reading that stays finite', async () => {
    const cp = await connect();
    const answer = await cp.call('MeterValues', {
      connectorId: 1,
      meterValue: [
        { timestamp: '2026-06-01T10:30:00Z', sampledValue: [{ value: 'AB12==', format: 'SignedData', context: 'Sample.Clock' }, { value: '1.5e3', unit: 'kWh' }] },
      ],
    });
    expect(answer[0]).toBe(3);
    expect(await meterValueCount(cp.id)).toBe(2);
    cp.close();
  });

  it('refuse a 1.6 StopTransaction whose transactionData holds "NaN", and leave the transaction running', async () => {
    const cp = await connect();
    const id = await start(cp, startOf(1, 0));
    const answer = await cp.call('StopTransaction', {
      transactionId: id,
      meterStop: 2_000,
      timestamp: '2026-06-01T11:00:00Z',
      transactionData: [reading16('NaN')],
    });
    expect(answer.slice(0, 3)).toEqual([4, answer[1], 'PropertyConstraintViolation']);
    expect(answer[3]).toContain('"transactionData[0].sampledValue[1].value"');
    expect(await transaction(cp.id, id)).toMatchObject({ status: 'active', meterValues: [] });
    cp.close();
  });

  it('refuse a 1.6 StartTransaction stamped 30 February, and a month 13, naming the field', async () => {
    const cp = await connect();
    for (const timestamp of ['2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z']) {
      const answer = await cp.call('StartTransaction', { connectorId: 1, idTag: 'BILL-TAG', meterStart: 0, timestamp });
      expect(answer.slice(0, 3)).toEqual([4, answer[1], 'PropertyConstraintViolation']);
      expect(answer[3]).toContain('"timestamp"');
    }
    expect(await listed(cp.id)).toEqual([]);
    cp.close();
  });

  it('refuse 1e400 in a 1.6 integer field (meterStart) with a constraint error naming it', async () => {
    const cp = await connect();
    const answer = await rawCall(cp, 'inf1', 'StartTransaction', '{"connectorId":1,"idTag":"BILL-TAG","meterStart":1e400,"timestamp":"2026-06-01T10:00:00Z"}');
    expect(answer[0]).toBe(4);
    expect(answer[3]).toContain('"meterStart"');
    expect(await listed(cp.id)).toEqual([]);
    cp.close();
  });

  async function connect201(): Promise<RawCharger> {
    const cp = await RawCharger.connect(uniqueChargerId('BILL201'), 'ocpp2.0.1');
    expect((await cp.boot())[0]).toBe(3);
    return cp;
  }

  it('refuse a 2.0.1 MeterValues with 1e400 as its value with PropertyConstraintViolation, storing nothing', async () => {
    const cp = await connect201();
    const answer = await rawCall(
      cp,
      'inf2',
      'MeterValues',
      '{"evseId":1,"meterValue":[{"timestamp":"2026-06-01T10:30:00Z","sampledValue":[{"value":5},{"value":1e400}]}]}',
    );
    expect(answer.slice(0, 3)).toEqual([4, 'inf2', 'PropertyConstraintViolation']);
    expect(answer[3]).toContain('"meterValue[0].sampledValue[1].value"');
    expect(await meterValueCount(cp.id)).toBe(0);
    cp.close();
  });

  it('refuse a 2.0.1 value that is no finite number once scaled by its multiplier', async () => {
    const cp = await connect201();
    const answer = await cp.call('MeterValues', {
      evseId: 1,
      meterValue: [{ timestamp: '2026-06-01T10:30:00Z', sampledValue: [{ value: 1e300, unitOfMeasure: { unit: 'kWh', multiplier: 9 } }] }],
    });
    expect(answer.slice(0, 3)).toEqual([4, answer[1], 'PropertyConstraintViolation']);
    expect(answer[3]).toContain('"meterValue[0].sampledValue[0].value"');
    expect(await meterValueCount(cp.id)).toBe(0);
    cp.close();
  });

  it('refuse a 2.0.1 TransactionEvent stamped 30 February with PropertyConstraintViolation, storing nothing', async () => {
    const cp = await connect201();
    const answer = await cp.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: '2026-02-30T10:00:00Z',
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-FEB30' },
      evse: { id: 1, connectorId: 1 },
    });
    expect(answer.slice(0, 3)).toEqual([4, answer[1], 'PropertyConstraintViolation']);
    expect(answer[3]).toContain('"timestamp"');
    expect(await listed(cp.id)).toEqual([]);
    cp.close();
  });
});
