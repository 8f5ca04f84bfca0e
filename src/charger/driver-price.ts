// Shows the driver the price of a running and a finished session, on chargers that say they can show it.
//
// Running cost (2.0.1 I02.FR.01; 1.6 California Pricing RunningCost): the object's one alarm has a
// `cost-update` task (due-work.ts), due COST_UPDATE_INTERVAL_SECONDS after the last run while a priced
// transaction runs. Each run sends, for each running priced transaction, CostUpdated {totalCost,
// transactionId} (2.0.1) or a RunningCost DataTransfer (1.6) with the cost so far from the object's own
// fold (transaction-prices.ts; no D1 read). I02 lets the CSMS send either CostUpdated or the running cost in
// the TransactionEventResponse; 2.0.1's answer has no running-cost field (totalCost is for Ended only), so
// CostUpdated it is, and updatedPersonalMessage is left to operators' display messages.
// Only while the charger is connected and Accepted: a run that finds it otherwise does not schedule the next;
// the charger's next answered message does (`afterAnswer`). Calls go through the object's outbound queue
// (one CALL in flight per direction) and are not awaited: their answers come in as frames, which wait
// behind the frame or alarm being handled.
//
// Final cost, 1.6 (FinalCost): sent after the StopTransaction answer (2.0.1's is totalCost in the Ended
// answer itself, records.ts). A replayed StopTransaction sends it again: a display, not a fact.
//
// Tariff text: 2.0.1's goes in idTokenInfo.personalMessage (records.ts withTariffText, I01); 1.6's is
// SetUserPrice, sent after the answer to an accepted Authorize or StartTransaction whose tariff records.ts
// resolved because the charger declares California Pricing.

import type { Config } from '../config';
import { logWarning } from '../log';
import { costMessage, finalCostData, runningCostData, setUserPriceData, type PriceDisplay } from '../ocpp/driver-price';
import type { Tariff } from '../tariffs/model';
import type { Call } from '../ocpp/frames';
import type { OutboundCalls } from '../ocpp/outbound-calls';
import type { RegistrationStatus } from '../ocpp/records';
import type { OcppVersion } from '../ocpp/versions';
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
}

/** Whether a charger of `protocol` that reported `display` is shown running and final costs. */
export function showsCost(protocol: OcppVersion | undefined, display: PriceDisplay): boolean {
  return protocol === 'ocpp2.0.1' ? display.cost === true : protocol === 'ocpp1.6' && display.californiaPricing === true;
}

/** Whether a charger of `protocol` that reported `display` is shown tariff text: 2.0.1 personalMessage (I01), 1.6 SetUserPrice. */
export function showsTariff(protocol: OcppVersion | undefined, display: PriceDisplay): boolean {
  return protocol === 'ocpp2.0.1' ? display.tariff === true : protocol === 'ocpp1.6' && display.californiaPricing === true;
}

export class DriverPrices {
  constructor(private readonly deps: DriverPricesDeps) {}

  /**
   * After a CALL from the charger was answered: on 1.6, SetUserPrice after an accepted token's answer and FinalCost
   * after a StopTransaction answer; schedules the running-cost task when a priced transaction runs and none is
   * due. Never throws.
   */
  async afterAnswer(protocol: OcppVersion, frame: Call, answered: boolean, userPrice?: { idTag: string; tariff: Tariff }): Promise<void> {
    try {
      // 1.6 SetUserPrice: the price text of the tariff an accepted token's session would get (records.ts resolved it only for a charger that declares California Pricing).
      const priceText = protocol === 'ocpp1.6' && answered && userPrice ? setUserPriceData(userPrice.idTag, userPrice.tariff) : undefined;
      if (priceText) this.call('DataTransfer', costMessage('SetUserPrice', priceText));
      const { prices, dueWork } = this.deps;
      const intervalMs = this.deps.config().costUpdateIntervalSeconds * 1000;
      const scheduling = intervalMs > 0 && prices.anyOpen && !dueWork.isScheduled('cost-update');
      const finalCost = protocol === 'ocpp1.6' && frame.action === 'StopTransaction' && answered;
      if (!scheduling && !finalCost) return;
      if (!showsCost(protocol, await this.deps.display.read())) return;
      if (scheduling && prices.runningPriced().length > 0) await dueWork.schedule('cost-update', Date.now() + intervalMs);
      if (finalCost) this.sendFinalCost(frame.payload);
    } catch (error) {
      logWarning('driver price', await this.deps.chargerId(), `not shown: ${String(error)}`);
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
      if (protocol === 'ocpp2.0.1') {
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

  /** FinalCost for the 1.6 transaction the StopTransaction ended, when it was priced. */
  private sendFinalCost(payload: unknown): void {
    const transactionId = (payload as { transactionId?: unknown }).transactionId;
    if (typeof transactionId !== 'number') return;
    const row = this.deps.prices.get(String(transactionId));
    if (row?.kind !== 'priced' || !row.ended || row.totalCost === null) return;
    this.call('DataTransfer', costMessage('FinalCost', finalCostData(transactionId, row.totalCost, undefined)));
  }

  /** Sends a CALL through the outbound queue without waiting for its answer; an answer other than a result is logged. */
  private call(action: string, payload: Record<string, unknown>): void {
    const timeoutMs = this.deps.config().commandTimeoutSeconds * 1000;
    void this.deps.outbound.call(action, payload, timeoutMs).then(async (outcome) => {
      if (outcome.kind !== 'result') logWarning('driver price', await this.deps.chargerId(), `${action} was not answered (${outcome.kind})`);
    });
  }
}
