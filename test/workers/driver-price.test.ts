// The driver sees the price (issue 14, "Cost", I01–I03; 1.6 California Pricing): CostUpdated to a 2.0.1 charger
// that shows cost, the RunningCost / FinalCost DataTransfers to a 1.6 charger that declares California Pricing,
// none to chargers that do not.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import { CostUpdatedRequest } from '../../src/ocpp/v201/schemas.generated';
import { DataTransferRequest } from '../../src/ocpp/v16/schemas.generated';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

let counter = 0;
function uniqueTariffId(): string {
  counter += 1;
  return `SHOW-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** 0.40/kWh and a 0.50 session fee, 20 % VAT; a text for the driver in English and Dutch. */
const TARIFF = {
  currency: 'EUR',
  tariff_alt_text: [
    { language: 'en', text: '0.48 EUR/kWh + 0.60 EUR per session, incl. VAT' },
    { language: 'nl', text: '0,48 EUR/kWh + 0,60 EUR per sessie, incl. btw' },
  ],
  elements: [
    { price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }] },
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 20, step_size: 1 }] },
  ],
};

/** A charger known to the CSMS, with a fresh copy of TARIFF assigned to it; not yet connected. */
async function pricedChargerId(): Promise<string> {
  const tariffId = uniqueTariffId();
  expect([200, 201]).toContain((await api('PUT', `/tariffs/${tariffId}`, TARIFF)).status);
  const chargerId = uniqueChargerId('SHOW');
  expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
  expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
  return chargerId;
}

async function connect(chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RawCharger> {
  const cp = await RawCharger.connect(chargerId, protocol);
  expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
  return cp;
}

/** Changes the configuration the charger's current object instance works with. */
async function configure(cp: RawCharger, change: Partial<Config>): Promise<void> {
  await runInDurableObject(env.CHARGERS.getByName(cp.id), (instance) => {
    const object = instance as unknown as { config: Config };
    object.config = { ...object.config, ...change };
  });
}

/** Whether the charger's object has its running-cost task due. */
async function costUpdateScheduled(cp: RawCharger): Promise<boolean> {
  return runInDurableObject(env.CHARGERS.getByName(cp.id), (instance) =>
    (instance as unknown as { dueWork: { isScheduled(task: string): boolean } }).dueWork.isScheduled('cost-update'),
  );
}

/**
 * The charger's side of the conversation: answers the CSMS's CALLs (CostUpdated {}, DataTransfer Accepted) as
 * they come, keeping them in `received`, while it sends its own CALLs and reads their answers.
 */
class Station {
  readonly received: unknown[][] = [];
  private n = 0;
  constructor(readonly cp: RawCharger) {}

  private answer(frame: unknown[]): void {
    this.received.push(frame);
    this.cp.sendRaw(JSON.stringify([3, frame[1], frame[2] === 'DataTransfer' ? { status: 'Accepted' } : {}]));
  }

  /** Sends a CALL; returns its answer, answering any CSMS CALL that comes first. */
  async call(action: string, payload: unknown): Promise<unknown[]> {
    const id = `s${++this.n}`;
    this.cp.sendRaw(JSON.stringify([2, id, action, payload]));
    for (;;) {
      const frame = await this.cp.next();
      if (frame[0] === 2) this.answer(frame);
      else if (frame[1] === id) return frame;
      else throw new Error(`unexpected frame ${JSON.stringify(frame)}`);
    }
  }

  /** The next CSMS CALL that `matches` (others are answered on the way), within a bounded wait. */
  async nextCall(matches: (frame: unknown[]) => boolean, ms = 5_000): Promise<unknown[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const frame = await this.cp.next(Math.max(1, deadline - Date.now()));
      if (frame[0] !== 2) throw new Error(`unexpected frame ${JSON.stringify(frame)}`);
      this.answer(frame);
      if (matches(frame)) return frame;
    }
  }
}

const dataOf = (frame: unknown[]) => JSON.parse((frame[3] as { data: string }).data) as Record<string, unknown>;
const isCostMessage = (messageId: string) => (frame: unknown[]) =>
  frame[2] === 'DataTransfer' && (frame[3] as { vendorId?: string; messageId?: string }).vendorId === 'org.openchargealliance.costmsg' && (frame[3] as { messageId?: string }).messageId === messageId;

function event201(tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', wh: number): Record<string, unknown> {
  const timestamp = new Date().toISOString();
  return {
    eventType,
    timestamp,
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: tx, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : { chargingState: 'Charging' }) },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'SHOW-TAG', type: 'ISO14443' } } : {}),
    meterValue: [{ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
  };
}

/** The charger reports TariffCostCtrlr.Enabled[instance] through a GetVariables the operator sends. */
async function reportTariffCostCtrlr(cp: RawCharger, instance: 'Cost' | 'Tariff', value: 'true' | 'false'): Promise<void> {
  const target = { component: { name: 'TariffCostCtrlr' }, variable: { name: 'Enabled', instance } };
  const { res } = await commandAnswered(cp, 'GetVariables', { getVariableData: [target] }, {
    getVariableResult: [{ attributeStatus: 'Accepted', attributeType: 'Actual', attributeValue: value, ...target }],
  });
  expect(res.status).toBe(200);
}

describe('2.0.1: running cost through CostUpdated (I02)', () => {
  it('I02.FR.01: a charger with TariffCostCtrlr.Enabled[Cost] receives CostUpdated with the running cost of its priced transaction, and none once it ended', async () => {
    const cp = await connect(await pricedChargerId(), 'ocpp2.0.1');
    await reportTariffCostCtrlr(cp, 'Cost', 'true');
    await configure(cp, { costUpdateIntervalSeconds: 1 });
    const station = new Station(cp);
    expect((await station.call('TransactionEvent', event201('TX-RUN', 0, 'Started', 0)))[0]).toBe(3);
    expect((await station.call('TransactionEvent', event201('TX-RUN', 1, 'Updated', 5_000)))[0]).toBe(3);
    const update = await station.nextCall((f) => f[2] === 'CostUpdated');
    expect(v.safeParse(CostUpdatedRequest, update[3]).success).toBe(true);
    // 5 kWh × 0.40 = 2.00 + 0.50 fee = 2.50 excl. VAT; incl. 20 % VAT: 3.00.
    expect(update[3]).toEqual({ totalCost: 3, transactionId: 'TX-RUN' });

    const ended = await station.call('TransactionEvent', event201('TX-RUN', 2, 'Ended', 9_000));
    // I03.FR.02 still: 9 kWh × 0.48 + 0.60 = 4.92.
    expect(ended[2]).toMatchObject({ totalCost: 4.92 });
    // The task runs once more at most, finds nothing running, and is not scheduled again.
    const deadline = Date.now() + 5_000;
    while ((await costUpdateScheduled(cp)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await costUpdateScheduled(cp)).toBe(false);
    const sentBefore = station.received.length;
    expect((await station.call('Heartbeat', {}))[0]).toBe(3);
    expect(station.received.length).toBe(sentBefore);
    expect(station.received.every((f) => f[2] !== 'CostUpdated' || (f[3] as { transactionId: string }).transactionId === 'TX-RUN')).toBe(true);
    cp.close();
  });

  it('I02.FR.01: a charger that never reported TariffCostCtrlr.Enabled[Cost] true, or reported it false, receives no CostUpdated', async () => {
    for (const reported of [undefined, 'false'] as const) {
      const cp = await connect(await pricedChargerId(), 'ocpp2.0.1');
      if (reported) await reportTariffCostCtrlr(cp, 'Cost', reported);
      await configure(cp, { costUpdateIntervalSeconds: 1 });
      const station = new Station(cp);
      await station.call('TransactionEvent', event201('TX-QUIET', 0, 'Started', 0));
      await station.call('TransactionEvent', event201('TX-QUIET', 1, 'Updated', 5_000));
      // No task is due, so the alarm sends nothing.
      expect(await costUpdateScheduled(cp)).toBe(false);
      await station.call('Heartbeat', {});
      expect(station.received).toEqual([]);
      cp.close();
    }
  });
});

/** The 1.6 charger answers an operator's GetConfiguration with CustomDisplayCostAndPrice. */
async function reportCaliforniaPricing(cp: RawCharger, value: 'true' | 'false'): Promise<void> {
  const { res } = await commandAnswered(cp, 'GetConfiguration', { key: ['CustomDisplayCostAndPrice'] }, {
    configurationKey: [{ key: 'CustomDisplayCostAndPrice', readonly: true, value }],
  });
  expect(res.status).toBe(200);
}

/** A 1.6 session on connector 1: StartTransaction at 0 Wh, MeterValues at 5000 Wh, then `beforeStop`, StopTransaction at 9000 Wh. */
async function session16(station: Station, beforeStop: (transactionId: number) => Promise<void>): Promise<{ transactionId: number; stop: unknown[] }> {
  const started = await station.call('StartTransaction', { connectorId: 1, idTag: 'SHOW-TAG', meterStart: 0, timestamp: new Date().toISOString() });
  const transactionId = (started[2] as { transactionId: number }).transactionId;
  const timestamp = new Date().toISOString();
  const meter = await station.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [{ timestamp, sampledValue: [{ value: '5000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
  });
  expect(meter[0]).toBe(3);
  await beforeStop(transactionId);
  const stop = await station.call('StopTransaction', { transactionId, idTag: 'SHOW-TAG', meterStop: 9_000, timestamp: new Date().toISOString() });
  expect(stop[0]).toBe(3);
  return { transactionId, stop };
}

describe('1.6: California Pricing DataTransfers (OCA whitepaper, vendorId org.openchargealliance.costmsg)', () => {
  it('1.6 §5.6 DataTransfer: a charger declaring CustomDisplayCostAndPrice gets RunningCost while its priced transaction runs and FinalCost after the StopTransaction answer', async () => {
    const cp = await connect(await pricedChargerId(), 'ocpp1.6');
    await reportCaliforniaPricing(cp, 'true');
    await configure(cp, { costUpdateIntervalSeconds: 1 });
    const station = new Station(cp);
    const { transactionId } = await session16(station, async (transactionId) => {
      const running = await station.nextCall(isCostMessage('RunningCost'));
      expect(v.safeParse(DataTransferRequest, running[3]).success).toBe(true);
      // 5 kWh × 0.48 (0.40 + 20 % VAT) + 0.60 fee = 3.00, at the 5000 Wh register, charging.
      expect(dataOf(running)).toMatchObject({
        transactionId,
        meterValue: 5_000,
        cost: 3,
        state: 'Charging',
        chargingPrice: { kWhPrice: 0.48, flatFee: 0.6 },
      });
      expect(typeof dataOf(running).timestamp).toBe('string');
    });
    // Right after the StopTransaction answer: 9 kWh × 0.48 + 0.60 = 4.92.
    const final = await station.nextCall(isCostMessage('FinalCost'));
    expect(v.safeParse(DataTransferRequest, final[3]).success).toBe(true);
    expect(dataOf(final)).toMatchObject({ transactionId, cost: 4.92 });
    expect(typeof dataOf(final).priceText).toBe('string');
    cp.close();
  });

  it('1.6 §5.6 DataTransfer: a charger that does not declare CustomDisplayCostAndPrice (never, or false) gets no cost DataTransfer', async () => {
    for (const reported of [undefined, 'false'] as const) {
      const cp = await connect(await pricedChargerId(), 'ocpp1.6');
      if (reported) await reportCaliforniaPricing(cp, reported);
      await configure(cp, { costUpdateIntervalSeconds: 1 });
      const station = new Station(cp);
      await session16(station, async () => {
        expect(await costUpdateScheduled(cp)).toBe(false);
      });
      await station.call('Heartbeat', {});
      expect(station.received).toEqual([]);
      cp.close();
    }
  });
});

describe('tariff text on authorization (I01)', () => {
  it('I01: a 2.0.1 charger with TariffCostCtrlr.Enabled[Tariff] gets the tariff text in idTokenInfo.personalMessage of Authorize and of the Started event; one without it gets none', async () => {
    const token = uniqueChargerId('TXT').slice(0, 20);
    expect((await api('PUT', `/id-tags/${token}`, { status: 'Accepted', type: 'ISO14443' })).status).toBeLessThan(300);
    const shows = await connect(await pricedChargerId(), 'ocpp2.0.1');
    await reportTariffCostCtrlr(shows, 'Tariff', 'true');
    const authorized = await shows.call('Authorize', { idToken: { idToken: token, type: 'ISO14443' } });
    expect(authorized[2]).toEqual({
      idTokenInfo: { status: 'Accepted', personalMessage: { format: 'UTF8', language: 'en', content: TARIFF.tariff_alt_text[0]!.text } },
    });
    const started = await shows.call('TransactionEvent', { ...event201('TX-TEXT', 0, 'Started', 0), idToken: { idToken: token, type: 'ISO14443' } });
    expect((started[2] as { idTokenInfo: unknown }).idTokenInfo).toMatchObject({ status: 'Accepted', personalMessage: { content: TARIFF.tariff_alt_text[0]!.text } });
    shows.close();

    const silent = await connect(await pricedChargerId(), 'ocpp2.0.1');
    await reportTariffCostCtrlr(silent, 'Cost', 'true');
    expect((await silent.call('Authorize', { idToken: { idToken: token, type: 'ISO14443' } }))[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
    silent.close();
  });

  it('1.6 §5.6 DataTransfer: a charger declaring CustomDisplayCostAndPrice gets SetUserPrice with the tariff text after an accepted Authorize; one not declaring gets none', async () => {
    const tag = uniqueChargerId('UP').slice(0, 20);
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' })).status).toBeLessThan(300);
    const cp = await connect(await pricedChargerId(), 'ocpp1.6');
    await reportCaliforniaPricing(cp, 'true');
    const station = new Station(cp);
    expect((await station.call('Authorize', { idTag: tag }))[2]).toEqual({ idTagInfo: { status: 'Accepted' } });
    const userPrice = await station.nextCall(isCostMessage('SetUserPrice'));
    expect(v.safeParse(DataTransferRequest, userPrice[3]).success).toBe(true);
    expect(dataOf(userPrice)).toEqual({
      idToken: tag,
      priceText: TARIFF.tariff_alt_text[0]!.text,
      priceTextExtra: [{ format: 'UTF8', language: 'nl', content: TARIFF.tariff_alt_text[1]!.text }],
    });
    cp.close();

    const quiet = await connect(await pricedChargerId(), 'ocpp1.6');
    const other = new Station(quiet);
    await other.call('Authorize', { idTag: tag });
    await other.call('Heartbeat', {});
    expect(other.received).toEqual([]);
    quiet.close();
  });
});
