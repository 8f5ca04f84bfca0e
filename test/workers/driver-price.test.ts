// The driver sees the price (issue 14, "Cost", I01–I06; 1.6 California Pricing): CostUpdated to a 2.0.1 charger
// that shows cost, the RunningCost / FinalCost DataTransfers to a 1.6 charger that declares California Pricing,
// none to chargers that do not.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import { CostUpdatedRequest, TransactionEventResponse } from '../../src/ocpp/v201/schemas.generated';
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
    this.cp.sendRaw(JSON.stringify([3, frame[1], answerTo(frame)]));
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

/** A charger's answer to a CSMS CALL: everything accepted. */
function answerTo(frame: unknown[]): unknown {
  const payload = frame[3] as { setVariableData?: { component: unknown; variable: unknown; attributeType?: string }[] };
  if (frame[2] === 'DataTransfer' || frame[2] === 'ChangeConfiguration') return { status: 'Accepted' };
  if (frame[2] === 'SetVariables') {
    return {
      setVariableResult: (payload.setVariableData ?? []).map((d) => ({
        attributeType: d.attributeType ?? 'Actual',
        attributeStatus: 'Accepted',
        component: d.component,
        variable: d.variable,
      })),
    };
  }
  return {};
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

/** An id tag with a language (and optionally a group), registered for any type. */
async function tagWithLanguage(prefix: string, language: string, parentIdTag?: string): Promise<string> {
  const tag = uniqueChargerId(prefix).slice(0, 20);
  const res = await api('PUT', `/id-tags/${tag}`, { status: 'Accepted', language, ...(parentIdTag ? { parentIdTag } : {}) });
  expect(res.status).toBe(201);
  expect(((await res.json()) as { idTag: { language: string } }).idTag.language).toBe(language);
  return tag;
}

describe('1.6 California Pricing: SetUserPrice and FinalCost once, FinalCost in the tariff currency', () => {
  it('1.6 §5.6 DataTransfer: FinalCost says the tariff currency to its minor units, and a replayed StopTransaction sends no second FinalCost', async () => {
    const cp = await connect(await pricedChargerId(), 'ocpp1.6');
    await reportCaliforniaPricing(cp, 'true');
    const station = new Station(cp);
    const { stop } = await session16(station, async () => {});
    const final = await station.nextCall(isCostMessage('FinalCost'));
    expect(dataOf(final)).toMatchObject({ cost: 4.92, priceText: 'Total EUR 4.92' });
    // The charger did not get the answer and sends the stop again: the same answer, no second FinalCost.
    const transactionId = dataOf(final).transactionId as number;
    const again = await station.call('StopTransaction', { transactionId, idTag: 'SHOW-TAG', meterStop: 9_000, timestamp: new Date().toISOString() });
    expect(again[2]).toEqual(stop[2]);
    await station.call('Heartbeat', {});
    await station.call('Heartbeat', {});
    expect(station.received.filter(isCostMessage('FinalCost'))).toHaveLength(1);
    cp.close();
  });

  it('1.6 §5.6 DataTransfer: an Authorize and the StartTransaction of the same token send one SetUserPrice, in the token language first', async () => {
    const tag = await tagWithLanguage('UP1', 'nl');
    const cp = await connect(await pricedChargerId(), 'ocpp1.6');
    await reportCaliforniaPricing(cp, 'true');
    const station = new Station(cp);
    await station.call('Authorize', { idTag: tag });
    const start = { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() };
    const started = await station.call('StartTransaction', start);
    // A replayed start: the same transaction, and no SetUserPrice either.
    expect((await station.call('StartTransaction', start))[2]).toEqual(started[2]);
    await station.call('Heartbeat', {});
    const userPrices = station.received.filter(isCostMessage('SetUserPrice'));
    expect(userPrices).toHaveLength(1);
    expect(dataOf(userPrices[0]!)).toEqual({
      idToken: tag,
      priceText: TARIFF.tariff_alt_text[1]!.text,
      priceTextExtra: [{ format: 'UTF8', language: 'en', content: TARIFF.tariff_alt_text[0]!.text }],
    });
    cp.close();
  });
});

describe('per-token language (id tag `language`, 2.0.1 language1)', () => {
  it('I01: the id-tag API keeps a valid RFC 5646 language and refuses a bad one; a 2.0.1 Authorize gets language1 and the tariff text in that language', async () => {
    const bad = await api('PUT', `/id-tags/${uniqueChargerId('LANGBAD').slice(0, 20)}`, { status: 'Accepted', language: 'english-uk' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'InvalidPayload', issues: expect.arrayContaining([expect.objectContaining({ path: 'language' })]) } });
    const tag = await tagWithLanguage('LANG', 'nl-BE');
    const cp = await connect(await pricedChargerId(), 'ocpp2.0.1');
    await reportTariffCostCtrlr(cp, 'Tariff', 'true');
    const authorized = await cp.call('Authorize', { idToken: { idToken: tag, type: 'ISO14443' } });
    expect(authorized[2]).toEqual({
      idTokenInfo: { status: 'Accepted', language1: 'nl-BE', personalMessage: { format: 'UTF8', language: 'nl', content: TARIFF.tariff_alt_text[1]!.text } },
    });
    cp.close();
  });
});

/** The day before today (UTC), as YYYY-MM-DD: events stamped at fixed hours of it lie in the past. */
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** 0.25/kWh (20 % VAT) before 07:00 UTC, 0.40/kWh from 07:00 to 23:00; texts in English and Dutch. */
const PEAK_TARIFF = {
  currency: 'EUR',
  tariff_alt_text: [
    { language: 'en', text: 'Peak 0.48 EUR/kWh 07-23, else 0.30 EUR/kWh' },
    { language: 'nl', text: 'Piek 0,48 EUR/kWh 07-23, anders 0,30 EUR/kWh' },
  ],
  elements: [
    { price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00' } },
    { price_components: [{ type: 'ENERGY', price: 0.25, vat: 20, step_size: 1 }] },
  ],
};

function event201At(tx: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', at: string, wh: number, extra: Record<string, unknown> = {}) {
  return {
    eventType,
    timestamp: at,
    triggerReason: eventType === 'Started' ? 'CablePluggedIn' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: tx, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : { chargingState: 'Charging' }) },
    ...(eventType === 'Started' ? { evse: { id: 1, connectorId: 1 } } : {}),
    meterValue: [{ timestamp: at, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
    ...extra,
  };
}

describe('tariff information updated during a transaction (I06)', () => {
  it('I06: the price in effect switches (off-peak to peak): updatedPersonalMessage once, a replay of that event gets the same, later events none', async () => {
    const tariffId = uniqueTariffId();
    expect((await api('PUT', `/tariffs/${tariffId}`, PEAK_TARIFF)).status).toBe(201);
    const chargerId = uniqueChargerId('I06');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
    const cp = await connect(chargerId, 'ocpp2.0.1');
    await reportTariffCostCtrlr(cp, 'Tariff', 'true');
    const day = yesterday();
    const answers: unknown[] = [];
    for (const [seqNo, type, time, wh] of [
      [0, 'Started', '06:50:00', 0],
      [1, 'Updated', '06:58:00', 1_000],
    ] as const) {
      answers.push((await cp.call('TransactionEvent', event201At('TX-I06', seqNo, type, `${day}T${time}Z`, wh)))[2]);
    }
    // The first events only note what is in effect: the driver was shown the tariff on authorization (I01).
    expect(answers).toEqual([{}, {}]);
    const peak = event201At('TX-I06', 2, 'Updated', `${day}T07:10:00Z`, 3_000);
    const switched = await cp.call('TransactionEvent', peak);
    expect(v.safeParse(TransactionEventResponse, switched[2]).success).toBe(true);
    expect(switched[2]).toEqual({
      updatedPersonalMessage: { format: 'UTF8', language: 'en', content: `${PEAK_TARIFF.tariff_alt_text[0]!.text}\nNow: EUR 0.48/kWh` },
    });
    expect((await cp.call('TransactionEvent', peak))[2]).toEqual(switched[2]);
    expect((await cp.call('TransactionEvent', event201At('TX-I06', 3, 'Updated', `${day}T07:20:00Z`, 4_000)))[2]).toEqual({});
    cp.close();
  });

  it('I06: the token becomes known in a session begun without one: updatedPersonalMessage in its language, of the token group tariff the session is rebound to', async () => {
    const groupTariff = uniqueTariffId();
    expect((await api('PUT', `/tariffs/${groupTariff}`, { ...TARIFF, tariff_alt_text: [{ language: 'nl', text: 'Vlootprijs' }] })).status).toBe(201);
    const group = uniqueChargerId('GRP').slice(0, 20);
    expect((await api('PUT', `/tariff-assignments/id-tag-groups/${group}`, { tariffId: groupTariff })).status).toBe(201);
    const tag = await tagWithLanguage('LATE', 'nl', group);
    const cp = await connect(await pricedChargerId(), 'ocpp2.0.1');
    await reportTariffCostCtrlr(cp, 'Tariff', 'true');
    const now = Date.now();
    const at = (s: number) => new Date(now - 600_000 + s * 1000).toISOString();
    expect((await cp.call('TransactionEvent', event201At('TX-LATE', 0, 'Started', at(0), 0)))[2]).toEqual({});
    const authorized = event201At('TX-LATE', 1, 'Updated', at(60), 1_000, { triggerReason: 'Authorized', idToken: { idToken: tag, type: 'ISO14443' } });
    const told = await cp.call('TransactionEvent', authorized);
    expect(v.safeParse(TransactionEventResponse, told[2]).success).toBe(true);
    expect(told[2]).toEqual({
      // The group's tariff, which the session is priced under from now on (rebound to it from its start), not the charger's.
      idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: group, type: 'Central' }, language1: 'nl', personalMessage: { format: 'UTF8', language: 'nl', content: 'Vlootprijs' } },
      updatedPersonalMessage: { format: 'UTF8', language: 'nl', content: 'Vlootprijs\nNow: EUR 0.48/kWh' },
    });
    expect((await cp.call('TransactionEvent', authorized))[2]).toEqual(told[2]);
    expect((await cp.call('TransactionEvent', event201At('TX-LATE', 2, 'Updated', at(120), 2_000)))[2]).toEqual({});
    // 2 kWh x 0.48 + 0.60: the group's tariff (the same prices as the charger's) from the start.
    expect((await cp.call('TransactionEvent', event201At('TX-LATE', 3, 'Ended', at(180), 2_000)))[2]).toEqual({ totalCost: 1.56 });
    cp.close();
  });

  it('I06: a charger that does not show tariffs gets no updatedPersonalMessage', async () => {
    const tariffId = uniqueTariffId();
    expect((await api('PUT', `/tariffs/${tariffId}`, PEAK_TARIFF)).status).toBe(201);
    const chargerId = uniqueChargerId('I06Q');
    expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId })).status).toBe(201);
    const cp = await connect(chargerId, 'ocpp2.0.1');
    await reportTariffCostCtrlr(cp, 'Cost', 'true');
    const day = yesterday();
    await cp.call('TransactionEvent', event201At('TX-Q', 0, 'Started', `${day}T06:50:00Z`, 0));
    await cp.call('TransactionEvent', event201At('TX-Q', 1, 'Updated', `${day}T06:58:00Z`, 1_000));
    expect((await cp.call('TransactionEvent', event201At('TX-Q', 2, 'Updated', `${day}T07:10:00Z`, 3_000)))[2]).toEqual({});
    cp.close();
  });
});

describe('fallback texts kept right by the CSMS (I04, I05; 1.6 DefaultPrice)', () => {
  it('I04.FR.01 I05.FR.01: an Accepted 2.0.1 charger showing tariffs and cost is set TariffFallbackMessage (its language) and TotalCostFallbackMessage once; an unchanged charger is sent nothing at its next boot', async () => {
    const cp = await connect(await pricedChargerId(), 'ocpp2.0.1');
    const targets = [
      { component: { name: 'TariffCostCtrlr' }, variable: { name: 'Enabled', instance: 'Tariff' }, value: 'true' },
      { component: { name: 'TariffCostCtrlr' }, variable: { name: 'Enabled', instance: 'Cost' }, value: 'true' },
      { component: { name: 'DisplayMessageCtrlr' }, variable: { name: 'Language' }, value: 'nl' },
    ];
    const { res } = await commandAnswered(cp, 'GetVariables', { getVariableData: targets.map(({ component, variable }) => ({ component, variable })) }, {
      getVariableResult: targets.map(({ component, variable, value }) => ({ attributeStatus: 'Accepted', attributeType: 'Actual', attributeValue: value, component, variable })),
    });
    expect(res.status).toBe(200);
    await configure(cp, { totalCostFallbackMessage: 'See your receipt at example.com' });
    const station = new Station(cp);
    expect((await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt' } }))[2]).toMatchObject({ status: 'Accepted' });
    const set = await station.nextCall((f) => f[2] === 'SetVariables');
    expect(set[3]).toEqual({
      setVariableData: [
        { component: { name: 'TariffCostCtrlr' }, variable: { name: 'TariffFallbackMessage' }, attributeType: 'Actual', attributeValue: TARIFF.tariff_alt_text[1]!.text },
        { component: { name: 'TariffCostCtrlr' }, variable: { name: 'TotalCostFallbackMessage' }, attributeType: 'Actual', attributeValue: 'See your receipt at example.com' },
      ],
    });
    await station.call('Heartbeat', {});
    const before = station.received.length;
    expect((await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt' } }))[2]).toMatchObject({ status: 'Accepted' });
    await station.call('Heartbeat', {});
    await station.call('Heartbeat', {});
    expect(station.received.slice(before)).toEqual([]);
    cp.close();
  });

  it('1.6 California Pricing DefaultPrice: a charger declaring CustomDisplayCostAndPrice is set DefaultPrice {priceText, priceTextOffline} at an Accepted boot; one not declaring it gets nothing', async () => {
    const cp = await connect(await pricedChargerId(), 'ocpp1.6');
    await reportCaliforniaPricing(cp, 'true');
    await configure(cp, { totalCostFallbackMessage: 'Offline: 0.48 EUR/kWh' });
    const station = new Station(cp);
    await station.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt' });
    const change = await station.nextCall((f) => f[2] === 'ChangeConfiguration');
    expect((change[3] as { key: string }).key).toBe('DefaultPrice');
    expect(JSON.parse((change[3] as { value: string }).value)).toEqual({ priceText: TARIFF.tariff_alt_text[0]!.text, priceTextOffline: 'Offline: 0.48 EUR/kWh' });
    await station.call('Heartbeat', {});
    const before = station.received.length;
    await station.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt' });
    await station.call('Heartbeat', {});
    expect(station.received.slice(before)).toEqual([]);
    cp.close();

    const quiet = await connect(await pricedChargerId(), 'ocpp1.6');
    const other = new Station(quiet);
    await other.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt' });
    await other.call('Heartbeat', {});
    expect(other.received).toEqual([]);
    quiet.close();
  });
});
