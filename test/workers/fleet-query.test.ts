// The fleet list (GET /api/v1/chargers): each charger's derived state for 1.6 and 2.0.1, its
// filters, sorts and keyset pages, the summary, and what a query costs in D1 rows read at
// 10,000 chargers (migration 0039's indexes).
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import { ChargerFleet, type FleetQuery } from '../../src/store/charger-fleet';
import { countingD1 } from '../../src/store/counting-d1';
import { api, RawCharger, uniqueChargerId } from './helpers';

const iso = () => new Date().toISOString();

type Listed = { id: string; state: string; connected: boolean; protocol: string | null; registrationStatus: string | null; boot: Record<string, string>; lastSeen: string | null };
type Summary = { total: number; byState: Record<string, number>; byProtocol: Record<string, number>; byRegistration: Record<string, number> };

/** Every page of GET /chargers with `params`, the chargers in order. */
async function listAll(params: Record<string, string>, limit = 500): Promise<Listed[]> {
  const chargers: Listed[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const query = new URLSearchParams({ ...params, limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    const res = await api('GET', `/chargers?${query}`);
    const body = (await res.json()) as { chargers: Listed[]; nextCursor: string | null };
    expect(res.status, JSON.stringify(body)).toBe(200);
    chargers.push(...body.chargers);
    cursor = body.nextCursor;
    if (!cursor) return chargers;
  }
  throw new Error('more than 100 pages');
}

async function summary(): Promise<Summary> {
  const res = await api('GET', '/chargers/summary');
  expect(res.status).toBe(200);
  return ((await res.json()) as { summary: Summary }).summary;
}

describe('fleet list state, from real 1.6 and 2.0.1 chargers', () => {
  it('offline, faulted, charging, unavailable, online as StatusNotification, transactions and the connection say (1.6 §4.9 §4.8 §6.47, 2.0.1 G01 E01 E06 B01)', async () => {
    const prefix = `STATE${crypto.randomUUID().slice(0, 6)}`;
    const tag = `${prefix}-TAG`;
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBeLessThan(300);
    const before = await summary();
    const connect = async (name: string, protocol: 'ocpp1.6' | 'ocpp2.0.1') => {
      const cp = await RawCharger.connect(`${prefix}-${name}`, protocol);
      expect((await cp.boot())[0]).toBe(3);
      return cp;
    };
    const status16 = async (cp: RawCharger, connectorId: number, status: string) =>
      expect((await cp.call('StatusNotification', { connectorId, errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError', status }))[0]).toBe(3);
    const status201 = async (cp: RawCharger, connectorId: number, connectorStatus: string) =>
      expect((await cp.call('StatusNotification', { timestamp: iso(), connectorStatus, evseId: 1, connectorId }))[0]).toBe(3);

    // 1.6: a faulted connector; the charge point (connector 0) Unavailable; a session; all well.
    const faulted16 = await connect('F16', 'ocpp1.6');
    await status16(faulted16, 1, 'Available');
    await status16(faulted16, 2, 'Faulted');
    const whole16 = await connect('U16', 'ocpp1.6');
    await status16(whole16, 0, 'Unavailable');
    await status16(whole16, 1, 'Available');
    const charging16 = await connect('C16', 'ocpp1.6');
    await status16(charging16, 1, 'Preparing');
    expect((await charging16.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: iso() }))[0]).toBe(3);
    await status16(charging16, 1, 'Charging');
    const online16 = await connect('O16', 'ocpp1.6');
    await status16(online16, 1, 'Available');
    await status16(online16, 2, 'Unavailable');
    // 2.0.1: every connector Unavailable; a session; a faulted connector.
    const unavailable201 = await connect('U201', 'ocpp2.0.1');
    await status201(unavailable201, 1, 'Unavailable');
    await status201(unavailable201, 2, 'Unavailable');
    const charging201 = await connect('C201', 'ocpp2.0.1');
    await status201(charging201, 1, 'Occupied');
    const started = await charging201.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: iso(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: `${prefix}-TX`, chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: tag, type: 'ISO14443' },
    });
    expect(started[0]).toBe(3);
    const faulted201 = await connect('F201', 'ocpp2.0.1');
    await status201(faulted201, 1, 'Faulted');
    // Registered, never connected.
    expect((await api('PUT', `/chargers/${prefix}-NEVER`)).status).toBe(201);
    const all = [faulted16, whole16, charging16, online16, unavailable201, charging201, faulted201];
    // Each charger's waiting facts go to D1 when it is read on its own.
    for (const cp of all) expect((await api('GET', `/chargers/${cp.id}`)).status).toBe(200);

    const expected: Record<string, string> = {
      [`${prefix}-C16`]: 'charging',
      [`${prefix}-C201`]: 'charging',
      [`${prefix}-F16`]: 'faulted',
      [`${prefix}-F201`]: 'faulted',
      [`${prefix}-NEVER`]: 'offline',
      [`${prefix}-O16`]: 'online',
      [`${prefix}-U16`]: 'unavailable',
      [`${prefix}-U201`]: 'unavailable',
    };
    const listed = await listAll({ q: prefix.toLowerCase() });
    expect(Object.fromEntries(listed.map((c) => [c.id, c.state]))).toEqual(expected);
    expect(listed.find((c) => c.id === `${prefix}-NEVER`)).toMatchObject({ connected: false, protocol: null, registrationStatus: null });
    // Each state filter finds exactly its chargers; several states are their union.
    for (const state of ['online', 'offline', 'charging', 'faulted', 'unavailable']) {
      const found = await listAll({ q: prefix, state });
      expect(found.map((c) => c.id), state).toEqual(Object.keys(expected).filter((id) => expected[id] === state).sort());
    }
    expect((await listAll({ q: prefix, state: 'faulted,offline' })).map((c) => c.id)).toEqual([`${prefix}-F16`, `${prefix}-F201`, `${prefix}-NEVER`]);
    expect((await listAll({ q: prefix, protocol: 'ocpp2.0.1' })).map((c) => c.id)).toEqual([`${prefix}-C201`, `${prefix}-F201`, `${prefix}-U201`]);
    expect((await listAll({ q: prefix, protocol: 'none' })).map((c) => c.id)).toEqual([`${prefix}-NEVER`]);
    expect((await listAll({ q: prefix, registration: 'none' })).map((c) => c.id)).toEqual([`${prefix}-NEVER`]);
    expect((await listAll({ q: prefix, registration: 'Accepted' })).length).toBe(7);

    // The summary counted them (this test's chargers only changed it).
    const after = await summary();
    expect(after.total - before.total).toBe(8);
    const delta = (key: 'byState' | 'byProtocol' | 'byRegistration') =>
      Object.fromEntries(Object.keys(after[key]).map((k) => [k, after[key][k]! - (before[key][k] ?? 0)]));
    expect(delta('byState')).toEqual({ online: 1, offline: 1, charging: 2, faulted: 2, unavailable: 2 });
    expect(delta('byProtocol')).toEqual({ 'ocpp1.6': 4, 'ocpp2.0.1': 3, 'ocpp2.1': 0, none: 1 });
    expect(delta('byRegistration')).toEqual({ Accepted: 7, Pending: 0, Rejected: 0, none: 1 });
    for (const key of ['byState', 'byProtocol', 'byRegistration'] as const) {
      expect(Object.values(after[key]).reduce((a, b) => a + b, 0)).toBe(after.total);
    }

    // The fault clears: the charger is online again.
    await status16(faulted16, 2, 'Available');
    expect((await api('GET', `/chargers/${faulted16.id}`)).status).toBe(200);
    expect((await listAll({ q: faulted16.id })).map((c) => c.state)).toEqual(['online']);
    for (const cp of all) cp.close();
  });
});

describe('fleet list at 10,000 chargers', () => {
  const P = `FQ${crypto.randomUUID().slice(0, 6)}-`;
  const N = 10_000;
  const stateOf = (i: number) =>
    i % 10 === 0 ? 'offline' : i % 100 === 1 ? 'faulted' : i % 50 === 3 ? 'charging' : i % 100 === 2 ? 'unavailable' : 'online';
  const vendors = ['ABB', 'alfen', 'Kempower', 'wallbox', 'Zaptec'];
  const id = (i: number) => `${P}${String(i).padStart(5, '0')}`;

  beforeAll(async () => {
    const numbers = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1})`;
    const idOf = `?1 || printf('%05d', i)`;
    await env.DB.batch([
      // Half 1.6, half 2.0.1; one in ten offline; one in a hundred never seen (no last_seen);
      // lastSeen scattered over the ids.
      env.DB.prepare(
        `${numbers} INSERT INTO chargers (id, registered, protocol, registration_status, vendor, model, serial_number, firmware_version,
           connected, last_seen, created_at, updated_at)
         SELECT ${idOf}, 1, CASE i % 2 WHEN 0 THEN 'ocpp2.0.1' ELSE 'ocpp1.6' END, CASE WHEN i % 25 = 4 THEN 'Pending' ELSE 'Accepted' END,
           CASE i % 5 WHEN 0 THEN 'ABB' WHEN 1 THEN 'alfen' WHEN 2 THEN 'Kempower' WHEN 3 THEN 'wallbox' ELSE 'Zaptec' END,
           'M-' || (i % 20), ?1 || 'SN' || i, 'FW-' || (i % 7) || '.0', CASE WHEN i % 10 = 0 THEN 0 ELSE 1 END,
           CASE WHEN i % 100 = 99 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T00:00:00Z', '+' || ((i * 7919) % ${N}) || ' minutes') END,
           '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'
         FROM n`,
      ).bind(P),
      // Two connectors each (1.6 on evse 0, 2.0.1 on evse 1): one Faulted in a hundred chargers, both Unavailable in another.
      env.DB.prepare(
        `${numbers} INSERT INTO connector_status (charger_id, evse_id, connector_id, status, reported_at, updated_at)
         SELECT ${idOf}, CASE i % 2 WHEN 0 THEN 1 ELSE 0 END, k.c,
           CASE WHEN i % 100 = 1 AND k.c = 2 THEN 'Faulted' WHEN i % 100 = 2 THEN 'Unavailable' ELSE 'Available' END,
           '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'
         FROM n, (SELECT 1 AS c UNION ALL SELECT 2) AS k`,
      ).bind(P),
      // A running transaction on one charger in fifty; a completed one on another in fifty (not charging).
      env.DB.prepare(
        `${numbers} INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, connector_id, id_tag, status, started_at,
           stopped_at, meter_start_wh, meter_stop_wh, energy_wh, updated_at)
         SELECT ${idOf}, 'ocpp1.6', 'T' || i, 'k' || i, 1, 'TAG', CASE WHEN i % 50 = 3 THEN 'active' ELSE 'completed' END,
           '2026-11-01T00:00:00Z', CASE WHEN i % 50 = 3 THEN NULL ELSE '2026-11-01T01:00:00Z' END, 0,
           CASE WHEN i % 50 = 3 THEN NULL ELSE 1000 END, CASE WHEN i % 50 = 3 THEN NULL ELSE 1000 END, '2026-11-01T00:00:00Z'
         FROM n WHERE i % 50 IN (3, 4)`,
      ).bind(P),
    ]);
  });

  afterAll(async () => {
    await env.DB.batch([
      env.DB.prepare('DELETE FROM transactions WHERE charger_id >= ?1 AND charger_id < ?2').bind(P, `${P}~`),
      env.DB.prepare('DELETE FROM connector_status WHERE charger_id >= ?1 AND charger_id < ?2').bind(P, `${P}~`),
      env.DB.prepare('DELETE FROM chargers WHERE id >= ?1 AND id < ?2').bind(P, `${P}~`),
    ]);
  });

  /** Rows D1 read for one page of `query`, both statements. */
  async function rowsRead(query: Partial<FleetQuery>): Promise<{ rows: number; ids: string[] }> {
    const fleet = new ChargerFleet(countingD1(env.DB, { statements: 0 }));
    const before = isolateStats.d1RowsRead;
    const page = await fleet.page({ sort: 'id', order: 'asc', limit: 50, ...query });
    return { rows: isolateStats.d1RowsRead - before, ids: page.chargers.map((c) => c.id) };
  }

  it('reads a bounded number of rows for state=faulted and a q search (migration 0039); a page sorted by lastSeen reads the fleet, once', async () => {
    const faulted = await rowsRead({ states: ['faulted'] });
    const search = await rowsRead({ q: `${P}0012` });
    const serial = await rowsRead({ q: `${P.toLowerCase()}sn777` });
    const byLastSeen = await rowsRead({ sort: 'lastSeen', order: 'desc' });
    const online = await rowsRead({ states: ['online'], sort: 'vendor' });
    const several = await rowsRead({ states: ['faulted', 'unavailable', 'charging'], sort: 'lastSeen' });
    const beforeSummary = isolateStats.d1RowsRead;
    await new ChargerFleet(countingD1(env.DB, { statements: 0 })).summary();
    const summaryRows = isolateStats.d1RowsRead - beforeSummary;
    console.log(
      `rows read at ${N} chargers: state=faulted ${faulted.rows}, q (id prefix) ${search.rows}, q (serial prefix) ${serial.rows}, ` +
        `50 by lastSeen ${byLastSeen.rows}, 50 online by vendor ${online.rows}, faulted+unavailable+charging by lastSeen ${several.rows}; the summary ${summaryRows}`,
    );
    // The answers first: this run's chargers are the fleet's faulted ones, the search finds its ten.
    // (Other tests' faulted chargers may sort first: this run's are the ones after them, in order.)
    const ours = faulted.ids.filter((x) => x.startsWith(P));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours).toEqual(Array.from({ length: ours.length }, (_, n) => id(n * 100 + 1)));
    expect(search.ids).toEqual(Array.from({ length: 10 }, (_, n) => id(120 + n)));
    expect(serial.ids).toEqual([777, 7770, 7771, 7772, 7773, 7774, 7775, 7776, 7777, 7778, 7779].map(id));
    expect(byLastSeen.ids.length).toBe(50);
    // Measured (rows read, both statements): state=faulted 562, q by id 119, q by serial 130, 50 by
    // lastSeen 298, 50 online by vendor 404, faulted+unavailable+charging by lastSeen 3,182;
    // the summary 21,016 (it reads the fleet by design).
    // Without migration 0039 the same queries read 20,505, 50,171, 50,189, 20,659, 98,757 and
    // 44,119: the whole fleet (10,000 chargers, 20,000 connectors), some of it several times.
    // Now a rare state reads its own chargers (100 faulted; 400 faulted, unavailable or charging,
    // with their state probes), a search its matches, a sort a page's walk, each with the page's
    // connectors (2 a charger) and states.
    expect(faulted.rows).toBeLessThan(1_000);
    expect(search.rows).toBeLessThan(300);
    expect(serial.rows).toBeLessThan(300);
    // lastSeen has no index (migration 0039 says why: it would cost a D1 row written at each outbox
    // hand-over): a page sorted by it reads each charger once, with the page's connectors and states.
    expect(byLastSeen.rows).toBeGreaterThanOrEqual(N);
    expect(byLastSeen.rows).toBeLessThan(3 * N);
    expect(online.rows).toBeLessThan(800);
    expect(several.rows).toBeLessThan(3 * N);
  });

  it('filters by each state exactly as derived, and counts them in the summary', async () => {
    const expectedIds = (state: string) => Array.from({ length: N }, (_, i) => i).filter((i) => stateOf(i) === state).map(id);
    for (const state of ['faulted', 'unavailable', 'charging', 'offline']) {
      const found = await listAll({ q: P, state });
      expect(found.map((c) => c.id), state).toEqual(expectedIds(state));
      expect(new Set(found.map((c) => c.state))).toEqual(new Set([state]));
    }
    // The first hundred, every state among them, each charger carrying its own.
    const first = await listAll({ q: `${P}000` });
    expect(first.map((c) => [c.id, c.state])).toEqual(Array.from({ length: 100 }, (_, i) => [id(i), stateOf(i)]));
    expect((await listAll({ q: `${P}000`, state: 'online' })).map((c) => c.id)).toEqual(expectedIds('online').slice(0, 86));
    const all = await summary();
    expect(all.total).toBeGreaterThanOrEqual(N);
    for (const state of ['online', 'offline', 'charging', 'faulted', 'unavailable']) {
      expect(all.byState[state]).toBeGreaterThanOrEqual(expectedIds(state).length);
    }
  });

  it('sorts by vendor, model, firmware and lastSeen, either way, in keyset pages that match one sorted read', async () => {
    const lower = (s: string | null) => (s ?? '').toLowerCase();
    const rows = await listAll({ q: `${P}010` }, 500);
    expect(rows.map((c) => c.id)).toEqual(Array.from({ length: 100 }, (_, n) => id(1_000 + n)));
    const key: Record<string, (c: Listed) => string> = {
      vendor: (c) => lower(c.boot.vendor ?? null),
      model: (c) => lower(c.boot.model ?? null),
      firmware: (c) => lower(c.boot.firmwareVersion ?? null),
      lastSeen: (c) => c.lastSeen ?? '',
    };
    for (const sort of ['vendor', 'model', 'firmware', 'lastSeen']) {
      for (const order of ['asc', 'desc'] as const) {
        const sign = order === 'asc' ? 1 : -1;
        const expected = [...rows]
          .sort((a, b) => sign * (key[sort]!(a) < key[sort]!(b) ? -1 : key[sort]!(a) > key[sort]!(b) ? 1 : a.id < b.id ? -1 : 1))
          .map((c) => c.id);
        const paged = await listAll({ q: `${P}010`, sort, order }, 7);
        expect(paged.map((c) => c.id), `${sort} ${order}`).toEqual(expected);
      }
    }
    // The firmware filter ignores case; ids descending.
    const fw = await listAll({ q: `${P}010`, firmware: 'fw-3.0', order: 'desc' }, 4);
    expect(fw.map((c) => c.id)).toEqual(rows.filter((c) => c.boot.firmwareVersion === 'FW-3.0').map((c) => c.id).reverse());
  });

  it('a cursor goes with its sort and order: another sort is a 400', async () => {
    const res = await api('GET', `/chargers?q=${P}&sort=vendor&limit=2`);
    const { nextCursor } = (await res.json()) as { nextCursor: string };
    expect(nextCursor).toEqual(expect.any(String));
    for (const other of ['sort=model', 'sort=vendor&order=desc', 'sort=id']) {
      const refused = await api('GET', `/chargers?q=${P}&${other}&cursor=${encodeURIComponent(nextCursor)}`);
      if (other === 'sort=id') {
        // Sorted by id a cursor is the last id, as it always was: any text is a place in the ids.
        expect(refused.status).toBe(200);
        continue;
      }
      expect(refused.status, other).toBe(400);
      expect(await refused.json()).toEqual({ error: { code: 'InvalidParameter', message: expect.stringContaining('cursor') } });
    }
  });
});

describe('fleet list parameters', () => {
  it('refuses bad values with 400 InvalidParameter, and changes nothing', async () => {
    for (const query of ['state=broken', 'state=online,', 'protocol=ocpp2.2', 'registration=accepted', 'sort=name', 'order=up', 'q=', `q=${'x'.repeat(51)}`, 'firmware=', 'limit=0', 'cursor=%25%25%25&sort=vendor']) {
      const res = await api('GET', `/chargers?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, query).toBe('InvalidParameter');
    }
  });

  it('takes state repeated or comma-separated', async () => {
    const id = uniqueChargerId('REPEAT');
    expect((await api('PUT', `/chargers/${id}`)).status).toBe(201);
    for (const query of ['state=offline&state=faulted', 'state=faulted,offline']) {
      const res = await api('GET', `/chargers?q=${id}&${query}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { chargers: Listed[] }).chargers.map((c) => [c.id, c.state])).toEqual([[id, 'offline']]);
    }
  });
});
