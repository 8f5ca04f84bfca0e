// One charger can never reach another's state: not through tricks in the id in its URL, and not
// through a payload that names another charger's transaction or reservation.

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, METER_VALUES, uniqueChargerId, worker } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

function upgrade(path: string): Promise<Response> {
  return worker(path, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6' } });
}

async function chargerCount(): Promise<number> {
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM chargers').first<{ n: number }>())!.n;
}

async function known(id: string): Promise<boolean> {
  return (await env.DB.prepare('SELECT 1 FROM chargers WHERE id = ?').bind(id).first()) !== null;
}

async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  const pending = api('POST', `/chargers/${encodeURIComponent(cp.id)}/commands/${action}`, payload);
  const call = await cp.next();
  cp.sendRaw(JSON.stringify([3, call[1], result]));
  expect((await pending).status).toBe(200);
}

describe('charger ids in the path', () => {
  it('refuses control characters, non-ASCII, bad escapes and very long ids before any state exists', async () => {
    const before = await chargerCount();
    const segments = ['%00', 'CP%00-1', '%0A', 'CP%0D%0AX-Injected:1', '%7F', '%C3%A9', '%F0%9F%98%80', 'CP%E2%80%8B', '%2', '%ZZ', 'x'.repeat(5_000), 'a%3Ab', 'a%20b'];
    for (const segment of segments) {
      const res = await upgrade(`/ocpp/${segment}`);
      expect(res.status, segment.slice(0, 40)).toBe(400);
      expect(await json(res)).toMatchObject({ error: { code: 'InvalidChargerId' } });
    }
    expect(await chargerCount()).toBe(before);
  });

  it('decodes the id exactly once, so an encoded "/" or "%" names a charger of its own', async () => {
    const base = uniqueChargerId('PATH');
    const slashed = `${base}/x`;
    const percent = `%2F${base}`;
    for (const [segment, id] of [
      [encodeURIComponent(slashed), slashed],
      [encodeURIComponent(percent), percent],
    ] as const) {
      const res = await upgrade(`/ocpp/${segment}`);
      expect(res.status, segment).toBe(101);
      res.webSocket!.accept();
      res.webSocket!.close(1000, 'done');
      expect(await json(await api('GET', `/chargers/${segment}`))).toMatchObject({ charger: { id } });
    }
    expect(await known(base)).toBe(false);
    expect(await known(`/${base}`)).toBe(false);
    expect(await known('x')).toBe(false);
  });

  it('leaves dot segments to the URL: "/ocpp/.." is no charger, "/ocpp/a/../b" is b, "/ocpp/a/b" is nothing', async () => {
    const before = await chargerCount();
    for (const path of ['/ocpp/.', '/ocpp/a/b']) {
      expect((await upgrade(path)).status, path).toBe(404);
    }
    // Climbing to the site's root lands on the console (GET / leads there), not on a charger.
    for (const path of ['/ocpp/..', '/ocpp/%2E%2E']) {
      const res = await worker(path, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6' }, redirect: 'manual' });
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe('/dashboard');
      expect(res.webSocket, path).toBeNull();
    }
    // Climbing out of /ocpp lands on the API, which wants its token like any other request.
    expect((await upgrade('/ocpp/../api/v1/chargers')).status).toBe(401);
    expect(await chargerCount()).toBe(before);
    const [a, b] = [uniqueChargerId('A'), uniqueChargerId('B')];
    const res = await upgrade(`/ocpp/${a}/../${b}`);
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    res.webSocket!.close(1000, 'done');
    expect(await known(b)).toBe(true);
    expect(await known(a)).toBe(false);
  });
});

describe("a payload naming another charger's data", () => {
  it("1.6: meter values and a stop for B's transaction, sent by A, leave B's transaction as it was", async () => {
    const b = await RawCharger.connect(uniqueChargerId('B'), 'ocpp1.6');
    await b.boot();
    const started = await b.call('StartTransaction', { connectorId: 1, idTag: 'OWNER', meterStart: 1_000, timestamp: '2026-04-01T10:00:00Z' });
    const { transactionId } = started[2] as { transactionId: number };
    const sample = (timestamp: string, wh: number) => ({ timestamp, sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });
    await b.call('MeterValues', { connectorId: 1, transactionId, meterValue: [sample('2026-04-01T10:10:00Z', 2_000)] });

    const a = await RawCharger.connect(uniqueChargerId('A'), 'ocpp1.6');
    await a.boot();
    expect((await a.call('MeterValues', { connectorId: 1, transactionId, meterValue: [sample('2026-04-01T10:20:00Z', 999_999)] }))[0]).toBe(3);
    expect((await a.call('StopTransaction', { transactionId, meterStop: 999_999, timestamp: '2026-04-01T10:30:00Z', reason: 'Other' }))[0]).toBe(3);
    await env.CHARGERS.getByName(a.id).flushNow();
    await env.CHARGERS.getByName(b.id).flushNow();

    const { transaction } = await json(await api('GET', `/chargers/${b.id}/transactions/${transactionId}`));
    // Still running: its energy so far is B's own latest register (2,000 Wh), never A's 999,999.
    expect(transaction).toMatchObject({ chargerId: b.id, status: 'active', meterStopWh: 2_000, energyWh: 1_000 });
    expect(transaction.meterValues.map((m: { value: number }) => m.value)).toEqual([2_000]);
    // A's messages are kept as A's: its stop as unmatched, its meter value under A.
    expect(await env.DB.prepare('SELECT transaction_id FROM unmatched_stops WHERE charger_id = ?').bind(a.id).first()).toEqual({ transaction_id: transactionId });
    expect(await env.DB.prepare(`SELECT value FROM ${METER_VALUES} WHERE charger_id = ?`).bind(a.id).first()).toEqual({ value: 999_999 });
    a.close();
    b.close();
  });

  it("2.0.1: A's TransactionEvent with B's transactionId makes A's own transaction, B's stays active", async () => {
    const shared = 'TX-SHARED';
    const event = (eventType: 'Started' | 'Ended', seqNo: number, minute: number, wh: number) => ({
      eventType,
      timestamp: `2026-04-02T10:${String(minute).padStart(2, '0')}:00Z`,
      triggerReason: eventType === 'Started' ? 'Authorized' : 'StopAuthorized',
      seqNo,
      transactionInfo: { transactionId: shared, ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
      ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
      meterValue: [{ timestamp: `2026-04-02T10:${String(minute).padStart(2, '0')}:00Z`, sampledValue: [{ value: wh }] }],
    });
    const b = await RawCharger.connect(uniqueChargerId('B'), 'ocpp2.0.1');
    await b.boot();
    expect((await b.call('TransactionEvent', event('Started', 0, 0, 100)))[0]).toBe(3);
    const a = await RawCharger.connect(uniqueChargerId('A'), 'ocpp2.0.1');
    await a.boot();
    expect((await a.call('TransactionEvent', event('Ended', 1, 30, 900_000)))[0]).toBe(3);
    await env.CHARGERS.getByName(a.id).flushNow();
    await env.CHARGERS.getByName(b.id).flushNow();

    expect((await json(await api('GET', `/chargers/${b.id}/transactions/${shared}`))).transaction).toMatchObject({
      chargerId: b.id,
      status: 'active',
      stoppedAt: null,
    });
    expect((await json(await api('GET', `/chargers/${a.id}/transactions/${shared}`))).transaction).toMatchObject({ chargerId: a.id });
    a.close();
    b.close();
  });

  it("reservations: A using or ending B's reservation id leaves B's reservation active", async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const b16 = await RawCharger.connect(uniqueChargerId('B'), 'ocpp1.6');
    await b16.boot();
    await command(b16, 'ReserveNow', { connectorId: 1, expiryDate: later, idTag: 'RES', reservationId: 901 }, { status: 'Accepted' });
    const b201 = await RawCharger.connect(uniqueChargerId('B'), 'ocpp2.0.1');
    await b201.boot();
    await command(b201, 'ReserveNow', { id: 902, expiryDateTime: later, idToken: { idToken: 'RES', type: 'ISO14443' } }, { status: 'Accepted' });

    const a16 = await RawCharger.connect(uniqueChargerId('A'), 'ocpp1.6');
    await a16.boot();
    expect((await a16.call('StartTransaction', { connectorId: 1, idTag: 'RES', meterStart: 0, timestamp: new Date().toISOString(), reservationId: 901 }))[0]).toBe(3);
    const a201 = await RawCharger.connect(uniqueChargerId('A'), 'ocpp2.0.1');
    await a201.boot();
    expect((await a201.call('ReservationStatusUpdate', { reservationId: 902, reservationUpdateStatus: 'Removed' }))[0]).toBe(3);
    for (const cp of [a16, a201]) await env.CHARGERS.getByName(cp.id).flushNow();

    for (const [cp, id] of [[b16, 901], [b201, 902]] as const) {
      const { reservations } = await json(await api('GET', `/chargers/${cp.id}/reservations`));
      expect(reservations, cp.id).toEqual([expect.objectContaining({ reservationId: id, status: 'active' })]);
    }
    for (const cp of [a16, a201, b16, b201]) cp.close();
  });
});
