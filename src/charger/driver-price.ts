// Shows the driver the price of a running and a finished session, on chargers that say they can show it.
//
// Running cost (2.0.1 I02.FR.01; 1.6 California Pricing RunningCost): the object's one alarm has a
// `cost-update` task (due-work.ts), due COST_UPDATE_INTERVAL_SECONDS after the last run while a priced
// transaction runs. Each run sends, for each running priced transaction, CostUpdated {totalCost,
// transactionId} (2.0.1) or a RunningCost DataTransfer (1.6) with the cost so far from the object's own
// fold (transaction-prices.ts; no D1 read). I02 lets the CSMS send either CostUpdated or the running cost in
// the TransactionEventResponse; 2.0.1's answer has no running-cost field (totalCost is for Ended only), so
// CostUpdated it is; updatedPersonalMessage tells a change of the price in effect (I06, record-pricing.ts).
// Only while the charger is connected and Accepted: a run that finds it otherwise does not schedule the next;
// the charger's next answered message does (`afterAnswer`). Calls go through the object's outbound queue
// (one CALL in flight per direction) and are not awaited: their answers come in as frames, which wait
// behind the frame or alarm being handled.
//
// Final cost, 1.6 (FinalCost): sent after the answer to the StopTransaction that ended the transaction's
// price (records.ts priceEnded), in the tariff's currency: once per transaction, a replayed stop sends none.
// (2.0.1's is totalCost in the Ended answer itself, records.ts.)
//
// Tariff text: 2.0.1's goes in idTokenInfo.personalMessage (record-pricing.ts withTariffText, I01), and a
// change of it during the session in updatedPersonalMessage (I06); 1.6's is SetUserPrice, sent after the
// answer to an accepted Authorize or StartTransaction whose tariff records.ts resolved because the charger
// declares California Pricing: once per token per session (an Authorize and the start it leads to send one).
//
// Fallback texts (I04, I05; 1.6 DefaultPrice): after a BootNotification answered Accepted, a charger that
// shows tariffs or cost is queued the SetVariables (2.0.1) or ChangeConfiguration (1.6) that puts right what
// it reported, or was last set, when that differs from what it should hold (queueFallbackTexts). The queue
// of generated commands delivers it under the outbound rules, and its accepted answer is learnt like any
// other (price-display.ts): an unchanged charger is sent nothing at its next boot.

import type { Config } from '../config';
import { logWarning } from '../log';
import { costMessage, defaultPriceValue, fallbackTexts, finalCostData, runningCostData, setUserPriceData, type PriceDisplay } from '../ocpp/driver-price';
import { resolveStartTariff } from '../store/tariffs';
import type { TariffBody } from '../tariffs/model';
import type { Call } from '../ocpp/frames';
import type { OutboundCalls } from '../ocpp/outbound-calls';
import type { RegistrationStatus } from '../ocpp/records';
import { isOcpp2, type OcppVersion } from '../ocpp/versions';
import type { DueWork } from './due-work';
import type { PriceDisplayStore } from './price-display';
import type { TransactionPrices } from './transaction-prices';

export interface DriverPricesDeps {
  config: () => Config;
  prices: TransactionPrices;
  display: PriceDisplayStore;
  dueWork: DueWork;
  outbound: OutboundCalls;
  connected: () => boolean;
  protocol: () => Promise<OcppVersion | undefined>;
  registration: () => Promise<RegistrationStatus | null>;
  chargerId: () => Promise<string | undefined>;
  /** The object's storage: which tokens were shown their price lately (SetUserPrice once per session). */
  storage: DurableObjectStorage;
  /** Queues a command the CSMS generated (OperatorCommands.queueGenerated); delivered after the answer. */
  queueCommand: (chargerId: string, action: string, payload: Record<string, unknown>) => void;
}

/** What a CALL's records told of the driver's price, shown after its answer (1.6). */
export interface ShownAfterAnswer {
  userPrice?: { idTag: string; tariff: TariffBody; language?: string; purpose: 'authorize' | 'start' };
  finalCost?: { transactionId: number; totalCost: number; currency: string };
}

/** Where the tokens lately shown SetUserPrice are kept: lower-cased id tag → when (ms). */
const USER_PRICES_KEY = 'userPricesShown';
/**
 * How long an Authorize's SetUserPrice stands for the session it leads to: the start that follows (1.6
 * ConnectionTimeOut is a minute or two) and a driver presenting the card again meanwhile send no second one.
 */
const USER_PRICE_SESSION_MS = 10 * 60_000;
/** Tokens remembered at most (a charger authorizes a handful at a time): the oldest go first. */
const USER_PRICES_KEPT = 50;

/** Whether a charger of `protocol` that reported `display` is shown running and final costs. */
export function showsCost(protocol: OcppVersion | undefined, display: PriceDisplay): boolean {
  return isOcpp2(protocol) ? display.cost === true : protocol === 'ocpp1.6' && display.californiaPricing === true;
}

/** Whether a charger of `protocol` that reported `display` is shown tariff text: 2.0.1 personalMessage (I01), 1.6 SetUserPrice. */
export function showsTariff(protocol: OcppVersion | undefined, display: PriceDisplay): boolean {
  return isOcpp2(protocol) ? display.tariff === true : protocol === 'ocpp1.6' && display.californiaPricing === true;
}

export class DriverPrices {
  constructor(private readonly deps: DriverPricesDeps) {}

  /**
   * After a CALL from the charger was answered: on 1.6, SetUserPrice after an accepted token's answer (once per
   * token per session) and FinalCost after the StopTransaction that ended a priced transaction; schedules the
   * running-cost task when a priced transaction runs and none is due. Never throws.
   */
  async afterAnswer(protocol: OcppVersion, frame: Call, answered: boolean, shown: ShownAfterAnswer = {}): Promise<void> {
    try {
      if (protocol === 'ocpp1.6' && answered && shown.userPrice) await this.sendUserPrice(shown.userPrice);
      const { prices, dueWork } = this.deps;
      const intervalMs = this.deps.config().costUpdateIntervalSeconds * 1000;
      const scheduling = intervalMs > 0 && prices.anyOpen && !dueWork.isScheduled('cost-update');
      const finalCost = protocol === 'ocpp1.6' && frame.action === 'StopTransaction' && answered ? shown.finalCost : undefined;
      if (!scheduling && !finalCost) return;
      if (!showsCost(protocol, await this.deps.display.read())) return;
      if (scheduling && prices.runningPriced().length > 0) await dueWork.schedule('cost-update', Date.now() + intervalMs);
      if (finalCost) {
        this.call('DataTransfer', costMessage('FinalCost', finalCostData(finalCost.transactionId, finalCost.totalCost, finalCost.currency)));
      }
    } catch (error) {
      logWarning('driver price', await this.deps.chargerId(), `not shown: ${String(error)}`);
    }
  }

  /**
   * 1.6 SetUserPrice (the price text of the tariff the token's session would get, its language first), once per
   * token per session: an Authorize sends it unless one was sent for that token within USER_PRICE_SESSION_MS;
   * the start that follows sends none and ends that session's mark (the token's next Authorize is a new session).
   */
  private async sendUserPrice(shown: NonNullable<ShownAfterAnswer['userPrice']>): Promise<void> {
    const key = shown.idTag.toLowerCase();
    const now = Date.now();
    const kept = (await this.deps.storage.get<Record<string, number>>(USER_PRICES_KEY)) ?? {};
    const recent = Object.fromEntries(
      Object.entries(kept)
        .filter(([, at]) => now - at < USER_PRICE_SESSION_MS)
        .sort(([, a], [, b]) => b - a)
        .slice(0, USER_PRICES_KEPT - 1),
    );
    const alreadyShown = recent[key] !== undefined;
    if (shown.purpose === 'start') delete recent[key];
    else if (!alreadyShown) recent[key] = now;
    if (Object.keys(recent).length !== Object.keys(kept).length || Object.entries(recent).some(([k, at]) => kept[k] !== at)) {
      await this.deps.storage.put(USER_PRICES_KEY, recent);
    }
    if (alreadyShown) return;
    const data = setUserPriceData(shown.idTag, shown.tariff, shown.language);
    if (data) this.call('DataTransfer', costMessage('SetUserPrice', data));
  }

  /**
   * I04/I05 (1.6: California Pricing DefaultPrice): queues what puts the charger's fallback texts right, if
   * they are not: the text of the tariff that applies to it without a token (its charger, site or default
   * assignment; in the charger's language, else the tariff's first) and the operator's TOTAL_COST_FALLBACK_MESSAGE.
   * Compared with what the charger reported or was last set (price-display.ts): nothing is queued when they
   * agree. One D1 statement, only for a charger that shows tariffs or cost. Returns whether a command was
   * queued; never throws.
   */
  async queueFallbackTexts(protocol: OcppVersion, db: D1Database, chargerId: string): Promise<boolean> {
    try {
      const display = await this.deps.display.read();
      const wanted = isOcpp2(protocol) ? display.tariff === true || display.cost === true : display.californiaPricing === true;
      if (!wanted) return false;
      const { resolution } = await resolveStartTariff(db, chargerId, { idTag: null }, new Date());
      const texts = fallbackTexts(resolution.tariff, this.deps.config().totalCostFallbackMessage, display.language);
      if (isOcpp2(protocol)) {
        const target = (variable: string, value: string) => ({
          component: { name: 'TariffCostCtrlr' },
          variable: { name: variable },
          attributeType: 'Actual',
          attributeValue: value,
        });
        const setVariableData = [
          ...(display.tariff === true && texts.tariff !== undefined && texts.tariff !== display.tariffFallback
            ? [target('TariffFallbackMessage', texts.tariff)]
            : []),
          ...(display.cost === true && texts.totalCost !== undefined && texts.totalCost !== display.totalCostFallback
            ? [target('TotalCostFallbackMessage', texts.totalCost)]
            : []),
        ];
        if (setVariableData.length === 0) return false;
        this.deps.queueCommand(chargerId, 'SetVariables', { setVariableData });
        return true;
      }
      const value = defaultPriceValue(texts);
      if (value === undefined || value === display.defaultPrice) return false;
      this.deps.queueCommand(chargerId, 'ChangeConfiguration', { key: 'DefaultPrice', value });
      return true;
    } catch (error) {
      logWarning('driver price', chargerId, `fallback texts not checked: ${String(error)}`);
      return false;
    }
  }

  /** The alarm's `cost-update` task: each running priced transaction's cost so far to the charger, and the next run scheduled. */
  async sendRunningCosts(): Promise<void> {
    const intervalMs = this.deps.config().costUpdateIntervalSeconds * 1000;
    if (intervalMs <= 0 || !this.deps.connected() || (await this.deps.registration()) !== 'Accepted') return;
    const protocol = await this.deps.protocol();
    if (!showsCost(protocol, await this.deps.display.read())) return;
    const transactions = this.deps.prices.runningPriced();
    if (transactions.length === 0) return;
    const at = new Date().toISOString();
    for (const transactionId of transactions) {
      const shown = this.deps.prices.shown(transactionId, at);
      if (!shown) continue;
      const totalCost = shown.running.cost.total_cost.incl_vat ?? shown.running.cost.total_cost.excl_vat;
      if (isOcpp2(protocol)) {
        this.call('CostUpdated', { totalCost, transactionId });
      } else {
        const id = Number(transactionId);
        if (!Number.isSafeInteger(id)) continue;
        const data = runningCostData({ transactionId: id, at, cost: shown.running.cost, tariff: shown.tariff, registerWh: shown.registerWh, charging: shown.charging });
        this.call('DataTransfer', costMessage('RunningCost', data));
      }
    }
    await this.deps.dueWork.schedule('cost-update', Date.now() + intervalMs);
  }

  /** Sends a CALL through the outbound queue without waiting for its answer; an answer other than a result is logged. */
  private call(action: string, payload: Record<string, unknown>): void {
    const timeoutMs = this.deps.config().commandTimeoutSeconds * 1000;
    void this.deps.outbound.call(action, payload, timeoutMs).then(async (outcome) => {
      if (outcome.kind !== 'result') logWarning('driver price', await this.deps.chargerId(), `${action} was not answered (${outcome.kind})`);
    });
  }
}
