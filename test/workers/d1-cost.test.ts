// Measures D1 statements per 1,000 charger messages for a typical charging session of each version.
//
// The session runs at wall-clock speed, but the flush policy is replayed on the session's own
// clock: an hour of traffic (meter values every minute, heartbeats every five) takes a second
// here. A flush happens where the object's alarm would fire: FLUSH_DELAY_SECONDS after the first
// fact waiting, right after a fact that closes something, and every 15 minutes for lastSeen alone.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { RawCharger, uniqueChargerId } from './helpers';

const FLUSH_DELAY_S = 300;
const LAST_SEEN_FLUSH_S = 15 * 60;

interface Step {
  at: number;
  action: string;
  payload: unknown;
  /** Whether the message leaves a fact in the outbox, and whether that fact is flushed at once. */
  fact?: 'batched' | 'soon';
}

function iso(base: number, seconds: number): string {
  return new Date(base + seconds * 1000).toISOString();
}

function sampled16(wh: number) {
  return [
    { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
    { value: '16', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
    { value: '230', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
  ];
}

function session16(base: number): Step[] {
  const steps: Step[] = [
    { at: 0, action: 'BootNotification', payload: { chargePointVendor: 'Acme', chargePointModel: 'Volt' } },
    { at: 1, action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Available' }, fact: 'batched' },
    { at: 60, action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Preparing' }, fact: 'batched' },
    { at: 65, action: 'Authorize', payload: { idTag: 'COST-TAG' } },
    { at: 70, action: 'StartTransaction', payload: { connectorId: 1, idTag: 'COST-TAG', meterStart: 0, timestamp: iso(base, 70) } },
    { at: 71, action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Charging' }, fact: 'batched' },
  ];
  for (let minute = 1; minute <= 60; minute++) {
    const at = 70 + minute * 60;
    steps.push({
      at,
      action: 'MeterValues',
      payload: { connectorId: 1, transactionId: -1, meterValue: [{ timestamp: iso(base, at), sampledValue: sampled16(minute * 183) }] },
      fact: 'batched',
    });
  }
  for (let at = 300; at <= 3600; at += 300) steps.push({ at: at + 2, action: 'Heartbeat', payload: {} });
  steps.push(
    { at: 3700, action: 'StopTransaction', payload: { transactionId: -1, meterStop: 11_000, timestamp: iso(base, 3700), idTag: 'COST-TAG', reason: 'EVDisconnected' }, fact: 'soon' },
    { at: 3701, action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Finishing' }, fact: 'batched' },
    { at: 3760, action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Available' }, fact: 'batched' },
  );
  return steps.sort((a, b) => a.at - b.at);
}

function session201(base: number): Step[] {
  const tx = (seqNo: number, at: number, eventType: string, extra: object, wh: number, context = 'Sample.Periodic') => ({
    eventType,
    timestamp: iso(base, at),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: 'COST-TX', ...extra },
    meterValue: [
      {
        timestamp: iso(base, at),
        sampledValue: [
          { value: wh, context, measurand: 'Energy.Active.Import.Register' },
          { value: 11000, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
          { value: 16, context, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
          { value: 230, context, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
        ],
      },
    ],
  });
  const status = (at: number, connectorStatus: string): Step => ({
    at,
    action: 'StatusNotification',
    payload: { timestamp: iso(base, at), connectorStatus, evseId: 1, connectorId: 1 },
    fact: 'batched',
  });
  const steps: Step[] = [
    { at: 0, action: 'BootNotification', payload: { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt' } } },
    status(1, 'Available'),
    { at: 65, action: 'Authorize', payload: { idToken: { idToken: 'COST-TAG', type: 'ISO14443' } } },
    {
      at: 70,
      action: 'TransactionEvent',
      payload: { ...tx(0, 70, 'Started', { chargingState: 'Charging' }, 0, 'Transaction.Begin'), evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'COST-TAG', type: 'ISO14443' } },
      fact: 'batched',
    },
    status(71, 'Occupied'),
  ];
  for (let minute = 1; minute <= 60; minute++) {
    const at = 70 + minute * 60;
    steps.push({ at, action: 'TransactionEvent', payload: tx(minute, at, 'Updated', {}, minute * 183), fact: 'batched' });
  }
  for (let at = 300; at <= 3600; at += 300) steps.push({ at: at + 2, action: 'Heartbeat', payload: {} });
  steps.push(
    { at: 3700, action: 'TransactionEvent', payload: tx(61, 3700, 'Ended', { stoppedReason: 'EVDisconnected' }, 11_000, 'Transaction.End'), fact: 'soon' },
    status(3760, 'Available'),
  );
  return steps.sort((a, b) => a.at - b.at);
}

async function measure(protocol: 'ocpp1.6' | 'ocpp2.0.1', steps: Step[]) {
  const cp = await RawCharger.connect(uniqueChargerId('COST'), protocol);
  const stub = env.CHARGERS.getByName(cp.id);
  // The connection itself leaves an 'online' fact.
  let pendingSince: number | null = 0;
  let lastFlush = 0;
  let transactionId = -1;
  const flush = async (at: number) => {
    expect((await stub.flushNow()).outboxEntries).toBe(0);
    pendingSince = null;
    lastFlush = at;
  };
  for (const step of steps) {
    if (pendingSince !== null && step.at >= pendingSince + FLUSH_DELAY_S) await flush(pendingSince + FLUSH_DELAY_S);
    else if (pendingSince === null && step.at >= lastFlush + LAST_SEEN_FLUSH_S) await flush(lastFlush + LAST_SEEN_FLUSH_S);
    const payload = JSON.parse(JSON.stringify(step.payload).replaceAll('"transactionId":-1', `"transactionId":${transactionId}`));
    const answer = await cp.call(step.action, payload);
    expect(answer[0], `${step.action} at ${step.at}`).toBe(3);
    if (step.action === 'StartTransaction') transactionId = (answer[2] as { transactionId: number }).transactionId;
    if (step.fact === 'soon') await flush(step.at + 1);
    else if (step.fact && pendingSince === null) pendingSince = step.at;
  }
  await flush(steps.at(-1)!.at + FLUSH_DELAY_S);
  const { d1Statements } = await stub.stats();
  cp.close();
  return { messages: steps.length, d1Statements, perThousand: Math.round((d1Statements / steps.length) * 1000) };
}

describe('D1 cost of charger traffic', () => {
  it('stays far below one statement per message for a typical session of each version', async () => {
    const base = Date.parse('2026-05-01T08:00:00Z');
    const results = {
      'ocpp1.6': await measure('ocpp1.6', session16(base)),
      'ocpp2.0.1': await measure('ocpp2.0.1', session201(base)),
    };
    console.log(`D1 statements per 1,000 charger messages: ${JSON.stringify(results)}`);
    for (const result of Object.values(results)) expect(result.perThousand).toBeLessThan(1000);
  });
});
