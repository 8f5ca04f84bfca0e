import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  expect((await commandAnswered(cp, action, payload, result)).res.status).toBe(200);
}

const later = new Date(Date.now() + 3600_000).toISOString();

describe('reservations', () => {
  it('1.6: made by ReserveNow, used by the transaction that names it, or cancelled', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    await command(cp, 'ReserveNow', { connectorId: 1, expiryDate: later, idTag: 'RES-TAG', reservationId: 501 }, { status: 'Accepted' });
    await command(cp, 'ReserveNow', { connectorId: 2, expiryDate: later, idTag: 'RES-TAG', reservationId: 502 }, { status: 'Accepted' });
    await command(cp, 'ReserveNow', { connectorId: 2, expiryDate: later, idTag: 'RES-TAG', reservationId: 503 }, { status: 'Occupied' });
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'RES-TAG', meterStart: 0, timestamp: new Date().toISOString(), reservationId: 501 });
    const { transactionId } = started[2] as { transactionId: number };
    await command(cp, 'CancelReservation', { reservationId: 502 }, { status: 'Accepted' });

    const { reservations } = await json(await api('GET', `/chargers/${cp.id}/reservations`));
    const byId = Object.fromEntries(reservations.map((r: { reservationId: number }) => [r.reservationId, r]));
    expect(Object.keys(byId).sort()).toEqual(['501', '502']);
    expect(byId[501]).toMatchObject({ status: 'used', transactionId: String(transactionId), connectorId: 1, idTag: 'RES-TAG' });
    expect(byId[502]).toMatchObject({ status: 'cancelled' });
    cp.close();
  });

  it('2.0.1: ended by ReservationStatusUpdate, and shown expired past their time', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const token = { idToken: 'RES-201', type: 'ISO14443' };
    await command(cp, 'ReserveNow', { id: 601, expiryDateTime: later, idToken: token, evseId: 1 }, { status: 'Accepted' });
    await command(cp, 'ReserveNow', { id: 602, expiryDateTime: '2020-01-01T00:00:00Z', idToken: token }, { status: 'Accepted' });
    expect((await cp.call('ReservationStatusUpdate', { reservationId: 601, reservationUpdateStatus: 'Removed' }))[0]).toBe(3);
    const { reservations } = await json(await api('GET', `/chargers/${cp.id}/reservations`));
    const byId = Object.fromEntries(reservations.map((r: { reservationId: number }) => [r.reservationId, r]));
    expect(byId[601]).toMatchObject({ status: 'removed', evseId: 1, idTag: 'RES-201' });
    expect(byId[602]).toMatchObject({ status: 'expired' });
    const expired = await json(await api('GET', `/chargers/${cp.id}/reservations?status=expired`));
    expect(expired.reservations.map((r: { reservationId: number }) => r.reservationId)).toEqual([602]);
    cp.close();
  });
});
