// Meter values packed one row per reading (migrations/0016, src/store/meter-values.ts): what they
// cost in D1 against the old one-row-per-value table, that the migration carries old rows forward
// with the API answering exactly as before, paging inside a reading, and conflicting values kept
// and flagged.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChargerFact } from '../../src/fleet/outbox';
import type { MeterSample } from '../../src/ocpp/meter-values';
import { MeterValueStore } from '../../src/store/meter-values';
import { api, METER_VALUES, RawCharger, uniqueChargerId } from './helpers';
import { LegacyMeterValueStore } from './legacy-meter-values';

/** The meter_values table and its indexes as migrations/0002 made them. */
const OLD_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meter_values (
     charger_id TEXT NOT NULL, scope TEXT NOT NULL, transaction_id TEXT NOT NULL DEFAULT '',
     evse_id INTEGER NOT NULL DEFAULT 0, connector_id INTEGER NOT NULL DEFAULT 0, timestamp TEXT NOT NULL,
     measurand TEXT NOT NULL, phase TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '', context TEXT NOT NULL DEFAULT '',
     unit TEXT NOT NULL, value REAL, signed_data TEXT,
     PRIMARY KEY (charger_id, scope, timestamp, measurand, phase, location, context)
   ) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS meter_values_by_time ON meter_values (charger_id, timestamp)',
  'CREATE INDEX IF NOT EXISTS meter_values_by_transaction ON meter_values (charger_id, transaction_id, measurand)',
];

async function createOldTable(): Promise<void> {
  for (const sql of OLD_SCHEMA) await env.DB.prepare(sql).run();
}

async function dropOldTable(): Promise<void> {
  await env.DB.prepare('DROP TABLE IF EXISTS meter_values').run();
}

function sample(timestamp: string, measurand: string, value: number | null, extra: Partial<MeterSample> = {}): MeterSample {
  return { timestamp, measurand, phase: null, location: null, context: 'Sample.Periodic', unit: 'Wh', value, signedData: null, ...extra };
}

/** The issue's typical MeterValues message: one reading of 6 sampled values, every minute. */
function typicalMessage(chargerId: string, transactionId: string, i: number): ChargerFact<'meter'> {
  const timestamp = new Date(Date.UTC(2026, 5, 1, 8, 0, 0) + i * 60_000).toISOString();
  return {
    chargerId,
    fact: {
      evseId: 1,
      connectorId: 1,
      transactionId,
      samples: [
        sample(timestamp, 'Energy.Active.Import.Register', 10_000 + i * 183.5),
        sample(timestamp, 'Power.Active.Import', 11_012.4, { unit: 'W' }),
        ...['L1', 'L2', 'L3'].map((phase) => sample(timestamp, 'Current.Import', 15.92, { phase, unit: 'A' })),
        sample(timestamp, 'Voltage', 230.1, { phase: 'L1-N', unit: 'V' }),
      ],
    },
  };
}

/** The size of the database file, as D1 reports it after a statement (dbstat is not available in D1). */
async function databaseBytes(): Promise<number> {
  return (await env.DB.prepare('SELECT 1').run()).meta.size_after;
}

/**
 * D1 rows written by the statements, one message's at a time, and the bytes the database grew by
 * (nothing is deleted meanwhile, so no free page is reused: the growth is these rows' pages).
 */
async function measure(
  messages: ChargerFact<'meter'>[],
  statementsOf: (m: ChargerFact<'meter'>) => D1PreparedStatement[],
): Promise<{ rowsPerMessage: number; bytesPerSample: number; bytesPerMessage: number }> {
  const before = await databaseBytes();
  let rows = 0;
  for (const m of messages) for (const result of await env.DB.batch(statementsOf(m))) rows += result.meta.rows_written;
  const bytes = (await databaseBytes()) - before;
  const samples = messages.reduce((n, m) => n + m.fact.samples.length, 0);
  return { rowsPerMessage: rows / messages.length, bytesPerSample: Math.round(bytes / samples), bytesPerMessage: Math.round(bytes / messages.length) };
}

describe('packed meter values in D1', () => {
  it('write 1 row (migration 0019) and at most 60 bytes a value for a 6-value MeterValues message of a transaction; the old table wrote 18 rows and over 300 bytes', async () => {
    const N = 600;
    const figures: Record<string, unknown> = {};
    await createOldTable();
    try {
      for (const [label, transactionId] of [
        ['1.6 (transaction 4217)', '4217'],
        ['2.0.1 (a UUID transaction id)', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'],
      ] as const) {
        const oldCharger = uniqueChargerId('COST-OLD');
        const newCharger = uniqueChargerId('COST-NEW');
        const legacy = new LegacyMeterValueStore(env.DB);
        const store = new MeterValueStore(env.DB);
        const old = await measure(
          Array.from({ length: N }, (_, i) => typicalMessage(oldCharger, transactionId, i)),
          (m) => legacy.insertStatements([m]),
        );
        const packed = await measure(
          Array.from({ length: N }, (_, i) => typicalMessage(newCharger, transactionId, i)),
          (m) => store.insertStatements([m]),
        );
        figures[label] = { old, packed };
        // A row and two index entries per value (the issue counted 19 with the message's other writes).
        expect(old.rowsPerMessage).toBe(18);
        // The reading's row alone: the time index holds values outside transactions only (0019).
        expect(packed.rowsPerMessage).toBe(1);
        expect(packed.bytesPerSample).toBeLessThanOrEqual(60);
        expect(packed.bytesPerSample * 4).toBeLessThan(old.bytesPerSample);

        // A replay of every message writes nothing.
        let replayed = 0;
        for (let i = 0; i < N; i += 50) {
          for (const result of await env.DB.batch(store.insertStatements([typicalMessage(newCharger, transactionId, i)]))) replayed += result.meta.rows_written;
        }
        expect(replayed).toBe(0);
      }
    } finally {
      await dropOldTable();
    }
    console.log(`D1 per 6-value MeterValues message, ${N} messages each, old table vs packed: ${JSON.stringify(figures)}`);
  }, 120_000);
});

describe('the 0016 migration, on a database of meter_values rows', () => {
  it('carries every value forward: the API lists and pages them exactly as before, and energy from readings is the same', async () => {
    await createOldTable();
    const legacy = new LegacyMeterValueStore(env.DB);
    const cp = await RawCharger.connect(uniqueChargerId('MIG16'), 'ocpp1.6');
    await cp.boot();
    cp.close();
    const chargerId = cp.id;
    const other = uniqueChargerId('MIG16-OTHER');
    const t = (minute: number, second = 0) => new Date(Date.UTC(2026, 0, 1, 9, minute, second)).toISOString();
    const meter = (transactionId: string, evseId: number, connectorId: number, samples: MeterSample[], id = chargerId): ChargerFact<'meter'> => ({
      chargerId: id,
      fact: { transactionId, evseId, connectorId, samples },
    });
    // As the old code stored them: a running 1.6 transaction with phases, locations, contexts;
    // values outside a transaction; signed data without a number; odd units and measurands; a
    // transaction id that begins with '@'; values of one reading stored with another connector
    // by a later message; numbers that JSON must carry exactly.
    const facts: ChargerFact<'meter'>[] = [];
    for (let minute = 0; minute < 40; minute++) {
      facts.push(
        meter('77', 1, 1, [
          sample(t(minute), 'Energy.Active.Import.Register', 1_000 + minute * 100.1, { context: minute === 0 ? 'Transaction.Begin' : 'Sample.Periodic' }),
          sample(t(minute), 'Energy.Active.Import.Register', 900 + minute * 99, { location: 'Inlet' }),
          sample(t(minute), 'Power.Active.Import', 7_000 + minute, { unit: 'W' }),
          ...['L1', 'L2', 'L3'].map((phase, p) => sample(t(minute), 'Current.Import', 16 + p / 3, { phase, unit: 'A' })),
          sample(t(minute), 'SoC', minute, { unit: 'Percent', context: 'Sample.Clock', location: 'EV' }),
        ]),
      );
    }
    facts.push(
      meter('77', 1, 1, [sample(t(39), 'Energy.Active.Import.Register', 0.1 + 0.2 + 5_000, { context: 'Transaction.End' })]),
      meter('77', 2, 5, [sample(t(10), 'Frequency', 1 / 3 + 50, { unit: 'Hz' }), sample(t(10), 'Power.Factor', 0.97, { unit: '' })]),
      meter('', 1, 1, [
        sample(t(5), 'Energy.Active.Import.Register', 123_456.789, { context: null }),
        sample(t(5), 'Temperature', -4.5, { unit: 'Celsius', location: 'Body', context: 'Trigger' }),
        sample(t(5), 'Energy.Active.Import.Register', null, { signedData: 'OCMF|{"RD":[{"RV":1.2}]}|{"SD":"30450221"}', context: 'Sample.Clock' }),
      ]),
      meter('', 2, 1, [sample(t(5), 'Voltage', 231, { unit: 'V', phase: 'L2-N', context: 'Other' })]),
      meter('@1/1', 1, 1, [sample(t(6), 'Energy.Reactive.Import.Register', 42, { unit: 'varh' }), sample(t(6), 'Energy.Apparent.Net', 7, { unit: 'VAh' })]),
      meter('78', 1, 1, [sample(t(20), 'RPM', 3_000, { unit: 'RPM', phase: 'N' }), sample(t(20), 'Current.Offered', 32, { unit: 'mA' })]),
      meter('77', 1, 1, [sample(t(3), 'Energy.Active.Import.Register', 1_000, { context: 'Interruption.Begin' })], other),
    );
    await env.DB.batch(legacy.insertStatements(facts));
    await env.DB.batch(
      ['77', '78', '@1/1'].map((id) =>
        env.DB.prepare(
          `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
           VALUES (?1, 'ocpp1.6', ?2, 1, 1, 'OLD', 'active', ?3, ?4, ?3)`,
        ).bind(chargerId, id, t(0), id === '77' ? null : 0),
      ),
    );
    const oldCount = await env.DB.prepare('SELECT COUNT(*) AS n FROM meter_values').first<{ n: number }>();
    expect(oldCount!.n).toBe(40 * 7 + 1 + 2 + 3 + 1 + 2 + 2 + 1);

    // What the API answered before: the old store's pages, for several page sizes.
    const oldTransactionPages = async (id: string, limit: number) => {
      const pages: unknown[][] = [];
      let cursor: string | undefined;
      do {
        const page = (await legacy.pageForTransaction(chargerId, id, { limit, cursor }))!;
        pages.push(page.meterValues);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return pages;
    };
    const oldChargerPages = async (limit: number, from?: string, to?: string) => {
      const pages: unknown[][] = [];
      let cursor: string | undefined;
      do {
        const page = (await legacy.forCharger(chargerId, { limit, cursor, from, to }))!;
        pages.push(page.meterValues);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return pages;
    };
    const expected = {
      transactions: Object.fromEntries(
        await Promise.all(
          ['77', '78', '@1/1'].flatMap((id) => [1, 7, 500].map(async (limit) => [`${id}/${limit}`, await oldTransactionPages(id, limit)] as const)),
        ),
      ),
      charger: Object.fromEntries(await Promise.all([1, 9, 500].map(async (limit) => [String(limit), await oldChargerPages(limit)] as const))),
      range: await oldChargerPages(4, t(5), t(10, 1)),
      energy: await legacy.energyReadingsForTransaction(chargerId, '77'),
    };
    expect(expected.transactions['77/500']!.flat()).toHaveLength(40 * 7 + 1 + 2);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0016_'));
    expect(migration?.name).toBe('0016_meter_compact.sql');
    for (const query of migration!.queries) await env.DB.prepare(query).run();
    // One row per reading: 40 of transaction 77, 1 at 09:05 per EVSE scope, one each for '@1/1', 78 and the other charger.
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM meter_readings WHERE charger_id IN (?, ?)').bind(chargerId, other).first<{ n: number }>();
    expect(rows!.n).toBe(40 + 2 + 1 + 1 + 1);
    // …and what came after it for this table, as a database that migrates runs them: 0016 made
    // the time index 0019 replaces, and 0022 packs the readings per hour.
    for (const prefix of ['0019_', '0022_']) {
      for (const query of env.TEST_MIGRATIONS.find((m) => m.name.startsWith(prefix))!.queries) await env.DB.prepare(query).run();
    }
    const oldTables = await env.DB.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name LIKE 'meter_values%' OR name LIKE 'meter_readings%'").first<{ n: number }>();
    expect(oldTables!.n).toBe(0);
    // One row per hour (all these readings are of 09:00-10:00): for 77, each EVSE scope, '@1/1', 78 and the other charger.
    const hours = await env.DB.prepare('SELECT COUNT(*) AS n FROM meter_hours WHERE charger_id IN (?, ?)').bind(chargerId, other).first<{ n: number }>();
    expect(hours!.n).toBe(1 + 2 + 1 + 1 + 1);

    // The API now, page by page.
    const apiPages = async (path: string, field: 'transaction' | 'charger', limit: number, query = '') => {
      const pages: unknown[][] = [];
      let cursor: string | null = null;
      do {
        const res = await api('GET', `${path}?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as any;
        pages.push(field === 'transaction' ? body.transaction.meterValues : body.meterValues);
        cursor = body.nextCursor;
      } while (cursor);
      return pages;
    };
    for (const id of ['77', '78', '@1/1']) {
      for (const limit of [1, 7, 500]) {
        const pages = await apiPages(`/chargers/${chargerId}/transactions/${encodeURIComponent(id)}`, 'transaction', limit);
        expect(JSON.stringify(pages), `transaction ${id}, limit ${limit}`).toBe(JSON.stringify(expected.transactions[`${id}/${limit}`]));
      }
    }
    for (const limit of [1, 9, 500]) {
      const pages = await apiPages(`/chargers/${chargerId}/meter-values`, 'charger', limit);
      expect(JSON.stringify(pages), `charger, limit ${limit}`).toBe(JSON.stringify(expected.charger[String(limit)]));
    }
    const range = await apiPages(`/chargers/${chargerId}/meter-values`, 'charger', 4, `&from=${t(5)}&to=${t(10, 1)}`);
    expect(JSON.stringify(range)).toBe(JSON.stringify(expected.range));

    // Energy from readings: the same readings decide it, and the running transaction shows the same energy.
    const store = new MeterValueStore(env.DB);
    expect(JSON.stringify(await store.energyReadingsForTransaction(chargerId, '77'))).toBe(JSON.stringify(expected.energy));
    const { transaction } = (await (await api('GET', `/chargers/${chargerId}/transactions/77`)).json()) as any;
    expect(transaction.energyWh).toBe(Math.round((0.1 + 0.2 + 5_000 - 1_000) * 1e6) / 1e6);
    // The per-value view tests use agrees, and every old value is there once.
    const values = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${METER_VALUES} WHERE charger_id IN (?, ?)`).bind(chargerId, other).first<{ n: number }>();
    expect(values!.n).toBe(oldCount!.n);
    // New values of a migrated reading join it; the same values again add nothing.
    const again = facts.slice(0, 3);
    for (const result of await env.DB.batch(store.insertStatements(again))) expect(result.meta.rows_written).toBe(0);
  }, 120_000);
});

describe('a transaction meter value that arrives again with other content', () => {
  it('1.6: the first is kept and listed, the other kept as a conflicting-meter-value anomaly and flagged; a replay adds nothing', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('MVCONF'), 'ocpp1.6');
    await cp.boot();
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'CONFLICT', meterStart: 1_000, timestamp: '2026-07-01T10:00:00Z' }))[2] as {
      transactionId: number;
    };
    const at = '2026-07-01T10:01:00.000Z';
    const reading = (wh: string, more: object[] = []) => ({
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: at, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, ...more] }],
    });
    expect((await cp.call('MeterValues', reading('1500')))[0]).toBe(3);
    // The same instant again: the register says otherwise, and a power reading is new.
    const conflicting = reading('1700', [{ value: '7000', measurand: 'Power.Active.Import', unit: 'W' }]);
    expect((await cp.call('MeterValues', conflicting))[0]).toBe(3);
    await env.CHARGERS.getByName(cp.id).flushNow();
    // Replayed: nothing new.
    expect((await cp.call('MeterValues', conflicting))[0]).toBe(3);
    // Twice in one message, with other content: the first of the two is the reading.
    expect(
      (
        await cp.call('MeterValues', {
          connectorId: 1,
          transactionId,
          meterValue: [
            {
              timestamp: '2026-07-01T10:02:00Z',
              sampledValue: [
                { value: '1.9', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
                { value: '1950', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
              ],
            },
          ],
        })
      )[0],
    ).toBe(3);

    const res = await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`);
    const { transaction } = (await res.json()) as any;
    expect(transaction.meterValues.map((v: any) => [v.timestamp, v.measurand, v.value])).toEqual([
      [at, 'Energy.Active.Import.Register', 1_500],
      [at, 'Power.Active.Import', 7_000],
      ['2026-07-01T10:02:00.000Z', 'Energy.Active.Import.Register', 1_900],
    ]);
    expect(transaction.energyWh).toBe(900);
    expect(transaction.flags).toEqual(['conflicting-meter-value']);
    expect(transaction.anomalies.map((a: any) => ({ kind: a.kind, detail: a.detail }))).toEqual([
      {
        kind: 'conflicting-meter-value',
        detail: {
          timestamp: at, evseId: 0, connectorId: 1, measurand: 'Energy.Active.Import.Register', phase: null, location: null, context: null,
          unit: 'Wh', value: 1_700, signedData: null, kept: { evseId: 0, connectorId: 1, unit: 'Wh', value: 1_500, signedData: null },
        },
      },
      {
        kind: 'conflicting-meter-value',
        detail: {
          timestamp: '2026-07-01T10:02:00.000Z', evseId: 0, connectorId: 1, measurand: 'Energy.Active.Import.Register', phase: null, location: null,
          context: null, unit: 'Wh', value: 1_950, signedData: null, kept: { evseId: 0, connectorId: 1, unit: 'Wh', value: 1_900, signedData: null },
        },
      },
    ]);
    const list = (await (await api('GET', `/transactions?chargerId=${cp.id}`)).json()) as any;
    expect(list.transactions[0].flags).toEqual(['conflicting-meter-value']);
    cp.close();
  });

  it('2.0.1: an applied event whose reading contradicts an earlier one is flagged; a conflicting event adds no meter conflict of its own', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('MVCONF'), 'ocpp2.0.1');
    await cp.boot();
    const base = { triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId: 'MV-C1' }, evse: { id: 1, connectorId: 1 } };
    const reading = (wh: number) => [{ timestamp: '2026-07-02T10:01:00Z', sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }];
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', seqNo: 0, timestamp: '2026-07-02T10:00:00Z', meterValue: reading(100) });
    // seqNo 0 again with other content: a conflicting event, its reading not the transaction's.
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', seqNo: 0, timestamp: '2026-07-02T10:00:00Z', meterValue: reading(111) });
    // An applied event with a reading of the same instant that says otherwise.
    await cp.call('TransactionEvent', { ...base, eventType: 'Updated', seqNo: 1, timestamp: '2026-07-02T10:01:00Z', meterValue: reading(120) });
    const { transaction } = (await (await api('GET', `/chargers/${cp.id}/transactions/MV-C1`)).json()) as any;
    expect(transaction.meterValues.map((v: any) => v.value)).toEqual([100]);
    expect(transaction.anomalies.map((a: any) => a.kind).sort()).toEqual(['conflicting-event', 'conflicting-meter-value']);
    expect(transaction.anomalies.find((a: any) => a.kind === 'conflicting-meter-value').detail).toMatchObject({ value: 120, kept: { value: 100 } });
    cp.close();
  });
});

describe("a charger's meter values, paged inside readings", () => {
  it('list every value once, in order, whatever the page size, across transactions and EVSEs at the same instant', async () => {
    const chargerId = uniqueChargerId('MVPAGE');
    const cp = await RawCharger.connect(chargerId, 'ocpp1.6');
    await cp.boot();
    cp.close();
    const store = new MeterValueStore(env.DB);
    const facts = [0, 1, 2].flatMap((i) => [
      typicalMessage(chargerId, '5', i),
      { chargerId, fact: { ...typicalMessage(chargerId, '', i).fact, evseId: 1, connectorId: 2 } },
    ]);
    await env.DB.batch(store.insertStatements(facts));
    const all: any[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const body = (await (await api('GET', `/chargers/${chargerId}/meter-values?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as any;
      all.push(...body.meterValues);
      pageSizes.push(body.meterValues.length);
      cursor = body.nextCursor;
    } while (cursor);
    expect(pageSizes).toEqual([5, 5, 5, 5, 5, 5, 5, 1]);
    const whole = (await (await api('GET', `/chargers/${chargerId}/meter-values?limit=100`)).json()) as any;
    expect(all).toEqual(whole.meterValues);
    expect(all.map((v) => `${v.timestamp}|${v.transactionId}|${v.measurand}|${v.phase}`)).toEqual(
      [0, 1, 2].flatMap((i) => {
        const at = new Date(Date.UTC(2026, 5, 1, 8, i)).toISOString();
        // By scope ('5' before the EVSE's '@1/2'), then within a reading by measurand, phase.
        const reading = ['Current.Import|L1', 'Current.Import|L2', 'Current.Import|L3', 'Energy.Active.Import.Register|null', 'Power.Active.Import|null', 'Voltage|L1-N'];
        return [...reading.map((r) => `${at}|5|${r}`), ...reading.map((r) => `${at}|null|${r}`)];
      }),
    );
    // The transaction's own values, and the methods the archive uses.
    const readings = await store.readingsForTransaction(chargerId, '5');
    expect(readings).toHaveLength(18);
    expect(readings).toEqual(all.filter((v) => v.transactionId === '5'));
    await env.DB.batch(store.deleteStatementsForTransaction(chargerId, '5'));
    expect(await store.readingsForTransaction(chargerId, '5')).toEqual([]);
    expect((await store.forCharger(chargerId, { limit: 100 }))!.meterValues).toHaveLength(18);
  });
});
