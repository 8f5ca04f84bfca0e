// One charger cannot crowd out the others: its writes a minute are bounded (refused with a
// CALLERROR past the budget, nothing of a refused frame stored), and the FleetWriter takes
// turns across chargers, so another charger's transaction reaches D1 in the first batch.

import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config';
import type { FleetWriter } from '../../src/fleet/fleet-writer';
import type { StoredEntry } from '../../src/fleet/outbox';
import { RawCharger, METER_VALUES, uniqueChargerId } from './helpers';

const MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage'];
const PHASES = ['L1', 'L2', 'L3'];

/** A packed 1.6 MeterValues payload of about 58 KB: `readings` timestamps × 12 sampled values, none repeated across frames. */
function packedMeterValues(frame: number, readings = 50) {
  const meterValue = Array.from({ length: readings }, (_, r) => ({
    timestamp: new Date(Date.UTC(2026, 0, 1) + (frame * readings + r) * 1000).toISOString(),
    sampledValue: MEASURANDS.flatMap((measurand) =>
      PHASES.map((phase) => ({ value: String(frame * 1000 + r), measurand, phase, context: 'Sample.Periodic', unit: measurand.startsWith('Energy') ? 'Wh' : undefined })),
    ),
  }));
  return { connectorId: 1, meterValue };
}

async function meterRows(chargerId: string): Promise<number> {
  await env.CHARGERS.getByName(chargerId).flushNow();
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${METER_VALUES} WHERE charger_id = ?`).bind(chargerId).first<{ n: number }>();
  return row!.n;
}

describe("a charger's write budget", () => {
  it('refuses packed MeterValues past the rows a minute with GenericError, stores nothing of them, and keeps counting across hibernation and reconnection', async () => {
    const flood = await RawCharger.connect(uniqueChargerId('FLOOD'), 'ocpp1.6');
    await flood.boot();
    const samplesPerFrame = 50 * MEASURANDS.length * PHASES.length;
    expect(JSON.stringify(packedMeterValues(0)).length).toBeGreaterThan(50_000);

    // A frame of 4,000 sampled values needs 24 s of draining to fit: checks with it cannot race the clock.
    const dense = { connectorId: 1, meterValue: [{ timestamp: '2026-02-01T00:00:00Z', sampledValue: Array.from({ length: 4_000 }, () => ({ value: '1' })) }] };

    let accepted = 0;
    let refusal: unknown[] | undefined;
    for (let frame = 0; frame < 30 && !refusal; frame++) {
      const answer = await flood.call('MeterValues', packedMeterValues(frame));
      if (answer[0] === 3) accepted += 1;
      else refusal = answer;
    }
    // The boot and each frame's own message count one row each; the bucket drains a little while the test runs.
    const fit = Math.floor((DEFAULTS.writeBudgetRows - 1) / (samplesPerFrame + 1));
    expect(accepted).toBeGreaterThanOrEqual(fit);
    expect(accepted).toBeLessThanOrEqual(fit + 2);
    expect(refusal?.[2]).toBe('GenericError');
    expect(refusal?.[3]).toMatch(/^Write budget spent: this charger may store 10000 rows .* a minute\. Nothing of this MeterValues was stored; send it again in \d+ s$/);
    expect(refusal?.[4]).toMatchObject({ limit: 'rows', perMinute: DEFAULTS.writeBudgetRows });
    // Valid frames, only too many: more refusals than the bad-frame budget, and the connection stays open.
    for (let i = 0; i <= DEFAULTS.badFrameBudget + 5; i++) expect((await flood.call('MeterValues', dense))[2]).toBe('GenericError');
    expect(flood.closed).toBeUndefined();
    // Exactly what was acknowledged is stored: nothing acknowledged and dropped, nothing refused and kept.
    expect(await meterRows(flood.id)).toBe(accepted * samplesPerFrame);

    // Hibernation (a fresh instance) and a new connection do not refill the budget.
    await evictDurableObject(env.CHARGERS.getByName(flood.id));
    expect((await flood.call('MeterValues', dense))[2]).toBe('GenericError');
    flood.close();
    const again = await RawCharger.connect(flood.id, 'ocpp1.6');
    expect((await again.call('MeterValues', dense))[2]).toBe('GenericError');
    // Another charger has a budget of its own.
    const other = await RawCharger.connect(uniqueChargerId('CALM'), 'ocpp1.6');
    await other.boot();
    expect((await other.call('MeterValues', packedMeterValues(0)))[0]).toBe(3);
    expect(await meterRows(flood.id)).toBe(accepted * samplesPerFrame);
    again.close();
    other.close();
  }, 60_000);

  it("never refuses the messages a bill is made of: past the budget, 1.6 starts and stops and 2.0.1 Started and Ended are taken, into debt", async () => {
    // A frame of 4,000 sampled values needs 24 s of draining to fit: checks with it cannot race the clock.
    const dense16 = { connectorId: 1, meterValue: [{ timestamp: '2026-02-01T00:00:00Z', sampledValue: Array.from({ length: 4_000 }, () => ({ value: '1' })) }] };
    const cp16 = await RawCharger.connect(uniqueChargerId('DEBT16'), 'ocpp1.6');
    await cp16.boot();
    let refused16: unknown[] | undefined;
    for (let i = 0; i < 5 && !refused16; i++) {
      const answer = await cp16.call('MeterValues', dense16);
      if (answer[0] === 4) refused16 = answer;
    }
    expect(refused16?.[2]).toBe('GenericError');
    const started = await cp16.call('StartTransaction', { connectorId: 1, idTag: 'DEBT', meterStart: 0, timestamp: '2026-02-01T00:00:00Z' });
    expect(started[0], JSON.stringify(started)).toBe(3);
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    // A stop carrying its own 4,000 readings too: taken, and charged.
    const stopped = await cp16.call('StopTransaction', {
      transactionId,
      meterStop: 5_000,
      timestamp: '2026-02-01T01:00:00Z',
      transactionData: dense16.meterValue,
    });
    expect(stopped[0], JSON.stringify(stopped)).toBe(3);
    // The debt holds the charger's other messages back.
    expect((await cp16.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: '2026-02-01T02:00:00Z', sampledValue: [{ value: '1' }] }] }))[2]).toBe('GenericError');
    await env.CHARGERS.getByName(cp16.id).flushNow();
    const row = await env.DB.prepare('SELECT status, energy_wh FROM transactions WHERE charger_id = ?').bind(cp16.id).first();
    expect(row).toEqual({ status: 'completed', energy_wh: 5_000 });
    cp16.close();

    const cp201 = await RawCharger.connect(uniqueChargerId('DEBT201'), 'ocpp2.0.1');
    await cp201.boot();
    const dense201 = { evseId: 1, meterValue: [{ timestamp: '2026-02-01T00:00:00Z', sampledValue: Array.from({ length: 4_000 }, () => ({ value: 1 })) }] };
    let refused201: unknown[] | undefined;
    for (let i = 0; i < 5 && !refused201; i++) {
      const answer = await cp201.call('MeterValues', dense201);
      if (answer[0] === 4) refused201 = answer;
    }
    expect(refused201?.[2]).toBe('GenericError');
    const event = (eventType: string, seqNo: number) => ({
      eventType,
      timestamp: '2026-02-01T00:00:00Z',
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId: 'DEBT-TX' },
      evse: { id: 1, connectorId: 1 },
    });
    // A Started carrying 4,000 readings of its own: taken, and charged into debt.
    expect((await cp201.call('TransactionEvent', { ...event('Started', 0), meterValue: dense201.meterValue }))[0]).toBe(3);
    // An Updated is not what the bill is made of: refused like any other message.
    expect((await cp201.call('TransactionEvent', event('Updated', 1)))[2]).toBe('GenericError');
    expect((await cp201.call('TransactionEvent', event('Ended', 2)))[0]).toBe(3);
    await env.CHARGERS.getByName(cp201.id).flushNow();
    expect(await env.DB.prepare('SELECT status FROM transactions WHERE charger_id = ?').bind(cp201.id).first()).toEqual({ status: 'completed' });
    cp201.close();
  }, 60_000);

  it('counts bytes too: a flood of big DataTransfer frames is refused past WRITE_BUDGET_BYTES', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('BYTES'), 'ocpp2.0.1');
    await cp.boot();
    const data = 'x'.repeat(60_000);
    let accepted = 0;
    let refusal: unknown[] | undefined;
    for (let i = 0; i < 80 && !refusal; i++) {
      const answer = await cp.call('DataTransfer', { vendorId: 'acme', data });
      if (answer[0] === 3) accepted += 1;
      else refusal = answer;
    }
    expect(refusal?.[2]).toBe('GenericError');
    expect(refusal?.[4]).toMatchObject({ limit: 'bytes', perMinute: DEFAULTS.writeBudgetBytes });
    const frameBytes = JSON.stringify([2, 'c1', 'DataTransfer', { vendorId: 'acme', data }]).length;
    expect(accepted).toBeGreaterThanOrEqual(Math.floor(DEFAULTS.writeBudgetBytes / frameBytes) - 1);
    expect(accepted).toBeLessThanOrEqual(Math.floor(DEFAULTS.writeBudgetBytes / frameBytes) + 5);
    expect(cp.closed).toBeUndefined();
    cp.close();
  }, 60_000);
});

describe('the FleetWriter', () => {
  it("takes turns across chargers: one charger's backlog does not keep another's transaction out of the first batch", async () => {
    const flooder = uniqueChargerId('BACKLOG');
    const starter = uniqueChargerId('START');
    // More meter facts than one batch holds (5,000 entries), then another charger's start.
    const sample = (i: number, m: number) => ({
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      measurand: `Measurand.${m}`,
      phase: null,
      location: null,
      context: 'Sample.Periodic',
      unit: 'Wh',
      value: i * 1000 + m,
      signedData: null,
    });
    const backlog: StoredEntry[] = Array.from({ length: 5_100 }, (_, i) => [
      flooder,
      'meter',
      JSON.stringify({ evseId: 0, connectorId: 1, transactionId: '1', samples: [sample(i, 0), sample(i, 1)] }),
    ]);
    const start: StoredEntry = [
      starter,
      'start16',
      JSON.stringify({ connectorId: 1, idTag: 'TAG', idTagStatus: 'Accepted', meterStartWh: 100, startedAt: '2026-01-01T00:00:00.000Z', transactionId: 1 }),
    ];
    const writer = env.FLEET_WRITERS.getByName(`fair-${uniqueChargerId()}`);
    const startInD1AfterBatch: boolean[] = [];
    await runInDurableObject(writer, async (instance: FleetWriter) => {
      await instance.appendStored(backlog);
      await instance.appendStored([start]);
      // Count the D1 batches the writer runs, and look after each whether the start is in D1.
      const target = instance as unknown as { db: D1Database };
      const db = target.db;
      target.db = {
        prepare: (sql: string) => db.prepare(sql),
        batch: async (statements: D1PreparedStatement[]) => {
          const result = await db.batch(statements);
          const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?').bind(starter).first<{ n: number }>();
          startInD1AfterBatch.push(row!.n === 1);
          return result;
        },
      } as unknown as D1Database;
      expect((await instance.flushNow()).pending).toBe(0);
    });
    expect(startInD1AfterBatch.length).toBeGreaterThan(1);
    expect(startInD1AfterBatch[0]).toBe(true);
    // Nothing of the backlog was lost or doubled on the way.
    const stored = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${METER_VALUES} WHERE charger_id = ?`).bind(flooder).first<{ n: number }>();
    expect(stored!.n).toBe(5_100 * 2);
  }, 60_000);
});
