// What a charger reconnecting to its existing, evicted object costs (after a deploy or an outage,
// every charger does at once), against the same three messages on a connected object: D1
// statements and rows written, and the object's own billed rows (issue 12, cold start).
import { env } from 'cloudflare:workers';
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import type { OcppVersion } from '../../src/ocpp/versions';
import { breakD1, RawCharger, uniqueChargerId } from './helpers';
import { billedRows, meterObject } from './object-meter';

interface Costs {
  d1Statements: number;
  d1RowsWritten: number;
  objectRows: number;
}

/** The isolate's counters, read through an object of its own (so the measured one is not woken by it). */
const probe = () => env.CHARGERS.getByName('RECONNECT-COST-PROBE');
const d1Counters = () => runInDurableObject(probe(), () => ({ statements: isolateStats.d1Statements, rowsWritten: isolateStats.d1RowsWritten }));

async function measure(run: () => Promise<void>): Promise<Costs> {
  const objectRows = await meterObject(probe());
  const before = await d1Counters();
  await run();
  const after = await d1Counters();
  return { d1Statements: after.statements - before.statements, d1RowsWritten: after.rowsWritten - before.rowsWritten, objectRows: billedRows(await objectRows()) };
}

function status(protocol: OcppVersion) {
  return protocol === 'ocpp2.0.1'
    ? { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }
    : { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: new Date().toISOString() };
}

/** BootNotification, StatusNotification and Heartbeat, as a charger sends them on connecting. */
async function three(cp: RawCharger): Promise<void> {
  expect((await cp.boot())[0]).toBe(3);
  expect((await cp.call('StatusNotification', status(cp.protocol as OcppVersion)))[0]).toBe(3);
  expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
}

/** Runs the alarm if a flush is due before the liveness check (facts wait): the deferred work counts too. */
async function runPendingFlush(chargerId: string): Promise<void> {
  const stub = env.CHARGERS.getByName(chargerId);
  const { alarm, check } = await runInDurableObject(stub, async (_instance, state) => ({
    alarm: await state.storage.getAlarm(),
    check: state.storage.sql.exec<{ due_at: number }>("SELECT due_at FROM due_work WHERE task = 'offline-check'").toArray()[0]?.due_at,
  }));
  if (alarm !== null && (check === undefined || alarm < check)) expect(await runDurableObjectAlarm(stub)).toBe(true);
}

async function reconnectCosts(protocol: OcppVersion): Promise<{ steady: Costs; reconnect: Costs }> {
  await probe().stats();
  const id = uniqueChargerId(`RECONNECT-${protocol === 'ocpp1.6' ? '16' : '201'}`);
  const stub = env.CHARGERS.getByName(id);
  // First connection: the object and its schema created, the charger registered; its facts flushed.
  let cp = await RawCharger.connect(id, protocol);
  await three(cp);
  await runPendingFlush(id);
  const steady = await measure(() => three(cp));
  // Every socket closed, the disconnection recorded, and the object evicted.
  cp.close();
  await cp.waitForClose();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await runPendingFlush(id);
  expect((await stub.stats()).outboxEntries).toBe(0);
  await evictDurableObject(stub);
  const constructed = await runInDurableObject(probe(), () => isolateStats.chargerObjectsConstructed);
  const reconnect = await measure(async () => {
    cp = await RawCharger.connect(id, protocol);
    await three(cp);
    await runPendingFlush(id);
  });
  expect(await runInDurableObject(probe(), () => isolateStats.chargerObjectsConstructed)).toBe(constructed + 1);
  // The connection is recorded in D1 all the same.
  expect(await env.DB.prepare('SELECT connected FROM chargers WHERE id = ?').bind(id).first()).toEqual({ connected: 1 });
  const history = await env.DB.prepare('SELECT event FROM connection_history WHERE charger_id = ? ORDER BY at, event DESC').bind(id).all();
  expect(history.results.map((r) => r.event)).toEqual(['online', 'offline', 'online']);
  console.log(`${protocol}: steady ${JSON.stringify(steady)}, reconnect ${JSON.stringify(reconnect)}`);
  cp.close();
  return { steady, reconnect };
}

describe('a charger reconnecting to its evicted object', () => {
  for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    it(`${protocol}: costs what its three messages cost on a connected object, plus the connection's record`, async () => {
      const { steady, reconnect } = await reconnectCosts(protocol);
      // A boot that repeats the stored decision rewrites nothing in the object. Vendor, model,
      // serial number and firmware have fleet-list indexes (migration 0039), rewritten whenever
      // an UPDATE sets them: the boot sets them in a second statement only when one changed, so
      // an unchanged boot writes no index entry (7 and 9 rows written when every boot set them).
      expect(steady).toEqual({ d1Statements: 4, d1RowsWritten: 3, objectRows: 0 });
      expect(reconnect).toEqual({ d1Statements: 7, d1RowsWritten: 5, objectRows: 2 });
    });
  }
});

describe("a reconnecting charger's command queue", () => {
  it('is read once when the charger boots at once: the boot starts the delivery the connection would have', async () => {
    const id = uniqueChargerId('RECONNECT-QUEUE');
    const stub = env.CHARGERS.getByName(id);
    let cp = await RawCharger.connect(id, 'ocpp1.6');
    await three(cp);
    cp.close();
    await cp.waitForClose();
    await evictDurableObject(stub);
    cp = await RawCharger.connect(id, 'ocpp1.6');
    let reads = 0;
    await runInDurableObject(stub, (instance) => {
      const queue = (instance as unknown as { operatorCommands: { deps: { commands: { next(now: number): unknown } } } }).operatorCommands.deps.commands;
      const next = queue.next.bind(queue);
      queue.next = (now) => {
        reads += 1;
        return next(now);
      };
    });
    await three(cp);
    // Past the moment the connection gives a charger that sends no boot.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(reads).toBe(1);
    cp.close();
  });

  it('costs one read when nothing waits in it', async () => {
    const id = uniqueChargerId('RECONNECT-QUEUE-READ');
    const stub = env.CHARGERS.getByName(id);
    let cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await three(cp);
    cp.close();
    await cp.waitForClose();
    await evictDurableObject(stub);
    cp = await RawCharger.connect(id, 'ocpp2.0.1');
    const statements: string[] = [];
    await runInDurableObject(stub, (instance) => {
      const queue = (instance as unknown as { operatorCommands: { deps: { commands: { storageSql: SqlStorage } } } }).operatorCommands.deps.commands;
      const sql = queue.storageSql;
      queue.storageSql = new Proxy(sql, {
        get(target, prop) {
          if (prop === 'exec') {
            return (query: string, ...bindings: unknown[]) => {
              statements.push(query);
              return target.exec(query, ...bindings);
            };
          }
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    });
    await three(cp);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(statements).toHaveLength(1);
    // A command queued now is still delivered.
    const queued = await stub.queueCommand(`${id}.00000000-0000-4000-8000-000000000001`, 'ClearCache', {}, 600);
    expect(queued).toMatchObject({ ok: true });
    const call = await cp.next();
    expect(call[2]).toBe('ClearCache');
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    cp.close();
  });
});

describe("a reconnection's storage reads", () => {
  it('read the charger id, protocol and registration in one call, and no protocol for an empty command queue', async () => {
    const id = uniqueChargerId('RECONNECT-READS');
    const stub = env.CHARGERS.getByName(id);
    let cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await three(cp);
    cp.close();
    await cp.waitForClose();
    await evictDurableObject(stub);
    // A new instance, its storage's key reads counted from its start; the connection comes to it.
    const gets: string[] = [];
    await runInDurableObject(stub, (_instance, state) => {
      const get = state.storage.get.bind(state.storage) as (...args: unknown[]) => Promise<unknown>;
      Object.defineProperty(state.storage, 'get', {
        configurable: true,
        writable: true,
        value: (...args: unknown[]) => {
          gets.push(JSON.stringify(args[0]));
          return get(...args);
        },
      });
    });
    cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await three(cp);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    // The connection's keys, the write budget's tally (kept per instance), and at the boot the
    // firmware jobs (a boot may confirm an install: charger/firmware-jobs.ts) and, once Accepted, whether
    // the charger shows prices (its fallback texts are put right then: charger/driver-price.ts, I04/I05).
    expect(gets).toEqual(['["chargerId","protocol","registrationStatus","siteId"]', '"writeTally"', '"firmwareJobs"', '"priceDisplay"']);
    cp.close();
  });
});

describe('a reconnection D1 does not take', () => {
  it("keeps the connection's events in the outbox, and its flush brings them to D1", async () => {
    const id = uniqueChargerId('RECONNECT-D1-DOWN');
    const stub = env.CHARGERS.getByName(id);
    let cp = await RawCharger.connect(id, 'ocpp1.6');
    await three(cp);
    cp.close();
    await cp.waitForClose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runPendingFlush(id);
    expect((await stub.stats()).outboxEntries).toBe(0);
    await breakD1(id);
    cp = await RawCharger.connect(id, 'ocpp1.6');
    expect((await stub.stats()).outboxEntries).toBe(1);
    const events = () => env.DB.prepare('SELECT event FROM connection_history WHERE charger_id = ? ORDER BY at, event DESC').bind(id).all();
    expect((await events()).results.map((r) => r.event)).toEqual(['online', 'offline']);
    // The alarm is set for their flush, before the liveness check.
    const { alarm, check } = await runInDurableObject(stub, async (_instance, state) => ({
      alarm: await state.storage.getAlarm(),
      check: state.storage.sql.exec<{ due_at: number }>("SELECT due_at FROM due_work WHERE task = 'offline-check'").toArray()[0]!.due_at,
    }));
    expect(alarm!).toBeLessThan(check);
    // The flush writes through the object's own D1 handle (breakD1 took only the one messages use).
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.stats()).outboxEntries).toBe(0);
    expect((await events()).results.map((r) => r.event)).toEqual(['online', 'offline', 'online']);
    cp.close();
  });
});

describe('a charger reconnecting under another OCPP version', () => {
  it('must boot again, and its object keeps the new version (a reconnection under the same one rewrites neither)', async () => {
    const id = uniqueChargerId('RECONNECT-VERSION');
    const stub = env.CHARGERS.getByName(id);
    let cp = await RawCharger.connect(id, 'ocpp1.6');
    await three(cp);
    expect(await stub.liveStatus()).toMatchObject({ protocol: 'ocpp1.6', registrationStatus: 'Accepted' });
    cp.close();
    await cp.waitForClose();
    await evictDurableObject(stub);
    cp = await RawCharger.connect(id, 'ocpp2.0.1');
    expect(await stub.liveStatus()).toMatchObject({ protocol: 'ocpp2.0.1', registrationStatus: null });
    cp.close();
    await cp.waitForClose();
    await evictDurableObject(stub);
    // Not connected: what the object stored answers.
    expect(await stub.liveStatus()).toMatchObject({ connected: false, protocol: 'ocpp2.0.1', registrationStatus: null });
  });
});
