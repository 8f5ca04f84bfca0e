// Shared by the Workers tests of pricing (transaction-costs, cost-revisions): a peak/off-peak tariff, a
// charger it is assigned to, and 2.0.1 TransactionEvents with an energy register, answered and checked.
import * as v from 'valibot';
import { expect } from 'vitest';
import { TransactionEventResponse } from '../../src/ocpp/v201/schemas.generated';
import { api, RawCharger, uniqueChargerId } from './helpers';

let counter = 0;
/** A tariff id no other test uses; `prefix` tells which file made it. */
export function uniqueTariffId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Peak 07:00–23:00 UTC at 0.40/kWh, off-peak 0.25/kWh, a 0.50 session fee; 20 % VAT everywhere.
 * `scale` multiplies the energy prices (a changed tariff).
 */
export function peakOffPeak(scale = 1): Record<string, unknown> {
  return {
    currency: 'EUR',
    time_zone: 'UTC',
    elements: [
      { price_components: [{ type: 'ENERGY', price: 0.4 * scale, vat: 20, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00' } },
      { price_components: [{ type: 'ENERGY', price: 0.25 * scale, vat: 20, step_size: 1 }] },
      { price_components: [{ type: 'FLAT', price: 0.5, vat: 20, step_size: 1 }] },
    ],
  };
}

/** PUTs a tariff; its version. */
export async function putTariff(id: string, body: unknown): Promise<number> {
  const res = await api('PUT', `/tariffs/${id}`, body);
  expect([200, 201]).toContain(res.status);
  return ((await res.json()) as any).tariff.version;
}

/** A charger known to the CSMS with `tariffId` assigned to it, connected and booted. */
export async function pricedCharger(protocol: 'ocpp1.6' | 'ocpp2.0.1', tariffId: string, prefix: string): Promise<RawCharger> {
  const chargerId = uniqueChargerId(prefix);
  expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
  expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
  const cp = await RawCharger.connect(chargerId, protocol);
  expect((await cp.boot())[0]).toBe(3);
  return cp;
}

export const at = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** How `transactionEvent` may differ from a session authorized at its start with one reading per event. */
export type TransactionEventOptions = {
  /** Energy register readings sent instead of the one of `wh` at `timestamp`. */
  readings?: Array<{ timestamp: string; wh: number }>;
  /**
   * The token comes later than the start (a session begun without one, EVConnected start point): the event
   * that carries `idToken`, of whatever type, is triggerReason Authorized; a Started without one is CablePluggedIn.
   */
  lateToken?: boolean;
};

/** A TransactionEvent with one energy register reading; the Started presents `idToken` unless it is null (see `options`). */
export function transactionEvent(
  tx: string,
  seqNo: number,
  eventType: 'Started' | 'Updated' | 'Ended',
  timestamp: string,
  wh: number,
  idToken: string | null,
  options: TransactionEventOptions = {},
) {
  const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  const late = options.lateToken === true;
  const withToken = idToken !== null && (late || eventType === 'Started');
  const startTrigger = late && !withToken ? 'CablePluggedIn' : 'Authorized';
  const readings = options.readings ?? [{ timestamp, wh }];
  return {
    eventType,
    timestamp,
    triggerReason: late && withToken ? 'Authorized' : eventType === 'Started' ? startTrigger : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: {
      transactionId: tx,
      ...(eventType === 'Started' ? { chargingState: 'Charging' } : {}),
      ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}),
    },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
    ...(withToken ? { idToken: { idToken, type: 'ISO14443' } } : {}),
    meterValue: readings.map((r) => ({ timestamp: r.timestamp, sampledValue: [{ value: r.wh, context, measurand: 'Energy.Active.Import.Register' }] })),
  };
}

/** Sends a TransactionEvent; returns its answer's payload, checked against the 2.0.1 schema. */
export async function sendTransactionEvent(cp: RawCharger, payload: unknown): Promise<Record<string, unknown>> {
  const answer = await cp.call('TransactionEvent', payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
  expect(v.safeParse(TransactionEventResponse, answer[2]).success).toBe(true);
  return answer[2] as Record<string, unknown>;
}

/** A transaction of `cp` as the single-transaction view shows it. */
export async function transactionView(cp: RawCharger, tx: string): Promise<any> {
  const res = await api('GET', `/chargers/${cp.id}/transactions/${tx}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as any).transaction;
}

/** The helpers above as one test file uses them: its prefix for ids, and the id token its Started events present. */
export function pricingKit(prefix: string, idToken: string) {
  return {
    uniqueTariffId: () => uniqueTariffId(prefix),
    pricedCharger: (protocol: 'ocpp1.6' | 'ocpp2.0.1', tariffId: string) => pricedCharger(protocol, tariffId, prefix),
    /** A TransactionEvent; the Started presents the file's id token unless `token` is false (then no tag is read at all). */
    event: (tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', timestamp: string, wh: number, token = true) =>
      transactionEvent(tx, seqNo, eventType, timestamp, wh, token ? idToken : null),
  };
}

/** 22:30–23:30 UTC: 5 kWh before 23:00 at the peak price of `peakOffPeak`, 4 kWh after at the off-peak price. */
export const PEAK_SESSION_START = '2026-01-15T22:30:00.000Z';

/**
 * Runs the peak/off-peak session `tx` on `cp`: Started 0 Wh at 22:30 (presenting `idToken`, unless
 * null), Updated 5000 Wh at 23:00, `beforeEnd`, Ended 9000 Wh at 23:30. Returns the Ended's answer.
 */
export async function peakSession(cp: RawCharger, tx: string, idToken: string | null, beforeEnd?: () => Promise<void>): Promise<Record<string, unknown>> {
  await sendTransactionEvent(cp, transactionEvent(tx, 0, 'Started', PEAK_SESSION_START, 0, idToken));
  await sendTransactionEvent(cp, transactionEvent(tx, 1, 'Updated', at(PEAK_SESSION_START, 30), 5_000, idToken));
  await beforeEnd?.();
  return sendTransactionEvent(cp, transactionEvent(tx, 2, 'Ended', at(PEAK_SESSION_START, 60), 9_000, idToken));
}

/** 0.30/kWh and 2.00 per hour connected without charging, 20 % VAT: what the 1.6 parking session is priced under. */
export const ENERGY_AND_PARKING = {
  currency: 'EUR',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 20, step_size: 0 }, { type: 'PARKING_TIME', price: 2, vat: 20, step_size: 0 }] }],
};

/** When the 1.6 parking session starts. */
export const PARKING_SESSION_START = '2026-02-01T10:00:00.000Z';

/**
 * A 1.6 session on connector 1 of `cp` presenting `idTag`, each message answered with a CALLRESULT:
 * StartTransaction 1000 Wh at 10:00, Charging, MeterValues 6000 Wh at 10:30 and 11000 Wh at 11:00,
 * SuspendedEV at 11:00 (the EV stops drawing and stays connected), `beforeStop` (given the MeterValues
 * sender), StopTransaction 11000 Wh at 11:30. Under ENERGY_AND_PARKING: 10 kWh × 0.30 = 3.00, parking
 * 0.5 h × 2.00 = 1.00; 4.00 excl. VAT, 4.80 incl. Returns the transactionId.
 */
export async function parkingSession16(
  cp: RawCharger,
  idTag: string,
  beforeStop?: (meter: (wh: number, minutes: number) => Promise<unknown[]>) => Promise<void>,
): Promise<number> {
  const t0 = PARKING_SESSION_START;
  const started = await cp.call('StartTransaction', { connectorId: 1, idTag, meterStart: 1_000, timestamp: t0 });
  const transactionId = (started[2] as { transactionId: number }).transactionId;
  const status = (s: string, minutes: number) => cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: s, timestamp: at(t0, minutes) });
  const meter = (wh: number, minutes: number) =>
    cp.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: at(t0, minutes), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
  expect((await status('Charging', 0))[0]).toBe(3);
  expect((await meter(6_000, 30))[0]).toBe(3);
  expect((await meter(11_000, 60))[0]).toBe(3);
  expect((await status('SuspendedEV', 60))[0]).toBe(3);
  await beforeStop?.(meter);
  expect((await cp.call('StopTransaction', { transactionId, meterStop: 11_000, timestamp: at(t0, 90), reason: 'EVDisconnected' }))[0]).toBe(3);
  return transactionId;
}
