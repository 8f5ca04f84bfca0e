// OCPP 2.1 V2X through a real 2.1 socket and D1: charging needs with V2X parameters kept with the
// transaction and answered with a TxProfile that discharges only where allowed; NotifyAllowedEnergyTransfer
// recorded per transaction when the charger accepts it; the composite schedule with discharge limits.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import * as v21 from '../../src/ocpp/v21/schemas.generated';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

const NOW = () => new Date().toISOString();
const json = async (res: Response): Promise<any> => res.json();

async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  const { res, call } = await commandAnswered(cp, action, payload, result);
  // Every frame the CSMS sends a 2.1 charger is a valid 2.1 request.
  const schema = (v21 as unknown as Record<string, v.GenericSchema>)[`${action}Request`]!;
  expect(v.safeParse(schema, call[3]).success, JSON.stringify(call[3])).toBe(true);
  expect(res.status).toBe(200);
  return json(res);
}

/** A V2X EV's needs: AC bidirectional, 7.4 kW charging and 3 kW discharging at most. */
const needs = {
  evseId: 1,
  chargingNeeds: {
    requestedEnergyTransfer: 'AC_BPT',
    availableEnergyTransfer: ['AC_BPT', 'AC_three_phase'],
    controlMode: 'ScheduledControl',
    mobilityNeedsMode: 'EVCC_SECC',
    departureTime: new Date(Date.now() + 4 * 3_600_000).toISOString(),
    v2xChargingParameters: { maxChargePower: 7400, minChargePower: 1400, maxDischargePower: 3000, evTargetEnergyRequest: 20000, targetSoC: 80 },
  },
};

/** The operator's consent to discharge on EVSE 1: a TxDefaultProfile in mode LocalLoadBalancing, 11 kW / -5 kW. */
const txDefault = {
  evseId: 1,
  chargingProfile: {
    id: 31,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [
      {
        id: 1,
        chargingRateUnit: 'W',
        startSchedule: '2026-01-01T00:00:00Z',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000, dischargeLimit: -5000, operationMode: 'LocalLoadBalancing' }],
      },
    ],
  },
};

async function started(prefix: string): Promise<{ cp: RawCharger; tx: string }> {
  const cp = await RawCharger.connect(uniqueChargerId(prefix), 'ocpp2.1');
  expect(cp.protocol).toBe('ocpp2.1');
  await cp.boot();
  const tx = `V2X-${crypto.randomUUID().slice(0, 8)}`;
  const [kind] = await cp.call('TransactionEvent', {
    eventType: 'Started',
    timestamp: NOW(),
    triggerReason: 'CablePluggedIn',
    seqNo: 0,
    transactionInfo: { transactionId: tx },
    evse: { id: 1, connectorId: 1 },
  });
  expect(kind).toBe(3);
  return { cp, tx };
}

/** Sends the needs, expects Accepted and the TxProfile that follows; answers it Accepted and returns its schedule's periods. */
async function negotiate(cp: RawCharger, payload: unknown): Promise<any[]> {
  expect(v.safeParse(v21.NotifyEVChargingNeedsRequest, payload).success).toBe(true);
  const [, , answer] = (await cp.call('NotifyEVChargingNeeds', payload)) as [number, string, any];
  expect(answer).toEqual({ status: 'Accepted' });
  const set = (await cp.next()) as [number, string, string, any];
  expect(set[2]).toBe('SetChargingProfile');
  expect(v.safeParse(v21.SetChargingProfileRequest, set[3]).success, JSON.stringify(set[3])).toBe(true);
  cp.sendRaw(JSON.stringify([3, set[1], { status: 'Accepted' }]));
  return set[3].chargingProfile.chargingSchedule[0].chargingSchedulePeriod;
}

const v2xOf = async (cp: RawCharger, tx: string) => (await json(await api('GET', `/chargers/${cp.id}/transactions/${tx}`))).transaction.v2x;

describe('OCPP 2.1 V2X charging needs and allowed energy transfer', () => {
  it('keeps the needs with the transaction, offers discharging within the EVSE and EV bounds, and stops offering it once the CSMS allows no BPT mode', async () => {
    const { cp, tx } = await started('V2XN');
    // Without the operator's consent (no profile allowing discharge), a bidirectional EV gets charging limits only.
    const plain = await negotiate(cp, needs);
    expect(plain).toEqual([{ startPeriod: 0, limit: 7400 }]);
    const kept = await v2xOf(cp, tx);
    expect(kept).toMatchObject({ chargingNeeds: needs.chargingNeeds, needsReceivedAt: expect.any(String), allowedEnergyTransfer: null });

    await command(cp, 'SetChargingProfile', txDefault, { status: 'Accepted' });
    // The composite schedule: the EV's TxProfile (charging only) leads the TxDefaultProfile, so no discharging yet.
    const preview = async () =>
      (await json(await api('GET', `/chargers/${cp.id}/composite-schedule?evseId=1&duration=600&unit=W&start=${NOW()}`))).compositeSchedule.periods;
    expect(await preview()).toEqual([{ startPeriod: 0, limit: 7400 }]);

    // Now the EV may discharge: the tighter of the EVSE's -5000 W and its own 3000 W.
    const bidi = await negotiate(cp, needs);
    expect(bidi).toEqual([{ startPeriod: 0, limit: 7400, dischargeLimit: -3000, operationMode: 'LocalLoadBalancing' }]);
    // Once accepted, the composite schedule shows the discharge bound.
    await expect.poll(preview).toEqual([{ startPeriod: 0, limit: 7400, dischargeLimit: -3000, operationMode: 'LocalLoadBalancing' }]);

    // The CSMS allows AC three-phase only; a Rejected allowance before it changes nothing.
    const allowed = { transactionId: tx, allowedEnergyTransfer: ['AC_three_phase'] };
    await command(cp, 'NotifyAllowedEnergyTransfer', { transactionId: tx, allowedEnergyTransfer: ['DC'] }, { status: 'Rejected' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect((await v2xOf(cp, tx)).allowedEnergyTransfer).toBeNull();
    await command(cp, 'NotifyAllowedEnergyTransfer', allowed, { status: 'Accepted' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect(await v2xOf(cp, tx)).toMatchObject({ chargingNeeds: needs.chargingNeeds, allowedEnergyTransfer: ['AC_three_phase'], allowedAt: expect.any(String) });

    // The renegotiation that follows gives charging limits only.
    expect(await negotiate(cp, needs)).toEqual([{ startPeriod: 0, limit: 7400 }]);
    cp.close();
  });

  it('keeps the latest needs; a 2.0.1 transaction shows no v2x', async () => {
    const { cp, tx } = await started('V2XL');
    await negotiate(cp, needs);
    const later = { evseId: 1, chargingNeeds: { ...needs.chargingNeeds, controlMode: 'DynamicControl', mobilityNeedsMode: 'EVCC' } };
    await negotiate(cp, later);
    await env.CHARGERS.getByName(cp.id).flushNow();
    expect((await v2xOf(cp, tx)).chargingNeeds).toEqual(later.chargingNeeds);
    cp.close();

    const old = await RawCharger.connect(uniqueChargerId('V2X201'), 'ocpp2.0.1');
    await old.boot();
    await old.call('TransactionEvent', { eventType: 'Started', timestamp: NOW(), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId: 'T201' }, evse: { id: 1, connectorId: 1 } });
    await env.CHARGERS.getByName(old.id).flushNow();
    const view = await json(await api('GET', `/chargers/${old.id}/transactions/T201`));
    expect(view.transaction).not.toHaveProperty('v2x');
    old.close();
  });
});
