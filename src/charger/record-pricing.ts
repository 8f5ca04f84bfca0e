// A charger's transactions priced as their messages are recorded: the tariff resolved at a start, the
// cost fold advanced with each message, and the cost facts of an end (used by records.ts).
//
// The order matters and is the caller's: whatever reads D1 (tariffForStart, retryPending,
// preparePrice201) runs before a message's synchronous block; what changes the fold (advance16,
// price201, costEntry of an end) runs inside it, so the fold state and the facts it goes with commit
// together. The fold and its storage are transaction-prices.ts; the arithmetic is tariffs/cost.ts.

import type { PresentedToken, TokenDecision, TransactionEvent201 } from '../ocpp/records';
import type { MeterSample } from '../ocpp/meter-values';
import type { OutboxEntry } from '../fleet/outbox';
import { personalMessage, priceInEffect, updatedPersonalMessage } from '../ocpp/driver-price';
import { logWarning } from '../log';
import { isOcpp2 } from '../ocpp/versions';
import { resolveStartTariff } from '../store/tariffs';
import type { IdTagRecord } from '../store/id-tags';
import type { CostSample } from '../tariffs/cost';
import type { Tariff } from '../tariffs/model';
import { chargingOf201, costSamplesOf } from '../tariffs/samples';
import type { RecordsDeps } from './records';
import type { FinishedPrice, PendingStart } from './transaction-prices';
import type { TariffBody } from '../tariffs/model';

export interface RecordPricingDeps extends Pick<RecordsDeps, 'db' | 'chargerId' | 'protocol' | 'now' | 'prices' | 'tags' | 'remoteStarts' | 'showsTariff'> {
  /** The id tag records this frame read from D1 for its authorization: a start's tariff resolution reuses them. */
  tagRead: () => { idTag: string; records: IdTagRecord[] } | undefined;
}

/** 2.0.1 MessageContentType, as sent in idTokenInfo.personalMessage and updatedPersonalMessage. */
type MessageContent = { format: 'UTF8'; language?: string; content: string };

/** What a 2.0.1 event's pricing needs from D1, read before its synchronous block (see preparePrice201). */
export interface Price201 {
  /** The charger shows tariffs (I01): what the driver is told of the price is kept, and changes told (I06). */
  showsTariff?: boolean;
  /** The tariff of a transaction starting with this event; null: none applies; 'pending': D1 did not answer. */
  start?: Tariff | null | 'pending';
  idTag?: string | null;
  tokenType?: string;
  /** A pending transaction's tariff, resolved now. */
  resolved?: Tariff | null;
  /**
   * The token of a transaction begun without one, known now (presented by this event, or noted by an
   * earlier one whose resolution failed), with its tariff as of the transaction's start (undefined: the
   * transaction still waits for its own tariff, and resolves for this token).
   */
  token?: { idTag: string; tokenType?: string; tariff?: Tariff | null | 'pending' };
}

export class RecordPricing {
  /** The tariff this frame resolved for a start (tariffForStart), by id tag and token type. */
  private startTariff: { key: string; tariff: Tariff | null | 'pending' } | undefined;
  /** The tariff this frame resolved for a token known after its transaction's start (tariffAsOfStart). */
  private rebindTariff: { key: string; tariff: Tariff | null | 'pending' } | undefined;

  constructor(private readonly deps: RecordPricingDeps) {}

  /**
   * I01: the text of the tariff the token's session would get, for a charger that shows tariffs (the same
   * resolution the start uses, read once per frame: tariffForStart), in the token's language (else the
   * tariff's first text). A token presented in a transaction already priced is shown the tariff that
   * transaction is priced under (it keeps the one it began with, I06): no D1 read. A tariff that cannot be
   * resolved now, or has no text, shows nothing: the authorization is answered as it is. Returns the tariff
   * shown too (1.6: SetUserPrice after the answer).
   */
  async withTariffText(decision: TokenDecision, token: PresentedToken): Promise<{ decision: TokenDecision; tariff?: TariffBody }> {
    const bound = token.transactionId === undefined ? null : this.deps.prices.tariffOf(token.transactionId);
    // A transaction begun without a token is rebound to this token's tariff in this frame (price201): that is the one shown.
    const awaiting = token.transactionId === undefined ? null : this.deps.prices.awaitingToken(token.transactionId);
    const rebound = awaiting && !awaiting.pending && !awaiting.overflow ? await this.tariffAsOfStart(token.idTag, token.type, awaiting.start.startedAt) : null;
    const tariff = (rebound !== null && rebound !== 'pending' ? rebound : null) ?? bound ?? (await this.tariffForStart(token.idTag, token.type));
    if (tariff === null || tariff === 'pending') return { decision };
    const message = isOcpp2(this.deps.protocol) ? personalMessage(tariff, decision.language) : undefined;
    return { decision: message ? { ...decision, personalMessage: message } : decision, tariff };
  }

  /** The language of the token this frame authorized (2.0.1 language1): I06's message is in it. */
  private tokenLanguage: string | undefined;

  /** Notes the language of the token the frame's event presents (records.ts authorize). */
  noteTokenLanguage(language: string | undefined): void {
    this.tokenLanguage = language;
  }

  /**
   * The tariff a transaction starting now is priced with (one D1 read); 'pending' when D1 could not answer: pricing is not what the charger's
   * message asks to be kept, so its answer does not fail for it, and the transaction's next message tries again.
   */
  async tariffForStart(idTag: string | null, tokenType?: string): Promise<Tariff | null | 'pending'> {
    // An authorization that showed the tariff's text (withTariffText) and the start in the same frame resolve it once.
    const key = `${idTag?.toLowerCase() ?? ''}\u0000${tokenType ?? ''}`;
    if (this.startTariff?.key === key) return this.startTariff.tariff;
    const tariff = await this.resolveStartTariff(idTag, tokenType);
    this.startTariff = { key, tariff };
    return tariff;
  }

  /**
   * The tariff of a token known after its transaction's start: the same resolution as at a start, with the
   * validity windows as at the start (`startedAt`, the charger's time). Once per frame (I01 text and price201).
   */
  async tariffAsOfStart(idTag: string, tokenType: string | undefined, startedAt: string): Promise<Tariff | null | 'pending'> {
    const key = `${idTag.toLowerCase()}\u0000${tokenType ?? ''}\u0000${startedAt}`;
    if (this.rebindTariff?.key === key) return this.rebindTariff.tariff;
    const startMs = Date.parse(startedAt);
    const tariff = await this.resolveStartTariff(idTag, tokenType, Number.isFinite(startMs) ? new Date(startMs) : this.deps.now);
    this.rebindTariff = { key, tariff };
    return tariff;
  }

  private async resolveStartTariff(idTag: string | null, tokenType?: string, at?: Date): Promise<Tariff | null | 'pending'> {
    const { db, chargerId } = this.deps;
    const now = at ?? this.deps.now;
    const cached = idTag === null ? undefined : this.deps.tags.get(idTag, this.deps.now.getTime());
    const tagRead = this.deps.tagRead();
    const read = idTag !== null && tagRead?.idTag.toLowerCase() === idTag.toLowerCase() ? tagRead.records : undefined;
    try {
      const { resolution } = await resolveStartTariff(db, chargerId, { idTag, tokenType, records: cached ?? read }, now);
      return resolution.tariff;
    } catch (error) {
      logWarning('pricing', chargerId, `the tariff could not be resolved (${String(error)}): tried again at the transaction's next message`);
      return 'pending';
    }
  }

  /** For a transaction waiting for its tariff: the tariff resolved now (or null: none applies), undefined when nothing to do. */
  async retryPending(transactionId: string, token?: { idTag: string; tokenType?: string }): Promise<Tariff | null | undefined> {
    if (!this.deps.prices.anyOpen) return undefined;
    const row = this.deps.prices.get(transactionId);
    if (row?.kind !== 'pending' || row.ended) return undefined;
    // A start without a token whose token is known now resolves for it (price201 notes it on the row first).
    const tariff = token ? await this.tariffForStart(token.idTag, token.tokenType) : await this.tariffForStart(row.start.idTag, row.start.tokenType);
    return tariff === 'pending' ? undefined : tariff;
  }

  /** The `cost` outbox entry of a transaction's end, when it had a price row. */
  costEntry(transactionId: string, finished: FinishedPrice | undefined): OutboxEntry<'cost'>[] {
    if (finished === undefined) return [];
    const { protocol } = this.deps;
    const priced = finished && { tariffId: finished.tariffId, tariffVersion: finished.tariffVersion, breakdown: finished.breakdown };
    const notRebound = finished?.notRebound;
    return [{ chargerId: this.deps.chargerId, kind: 'cost', fact: { transactionId, protocol, at: this.deps.now.toISOString(), priced, ...(notRebound ? { notRebound } : {}) } }];
  }

  /** A 1.6 transaction's meter values, or the charging state its connector's status says, into its fold. Synchronous. */
  advance16(transactionId: string, samples: (charging: boolean) => readonly CostSample[], resolved: Tariff | null | undefined): void {
    const prices = this.deps.prices;
    if (resolved !== undefined) prices.resolved(transactionId, resolved);
    if (prices.anyOpen) prices.update(transactionId, samples);
  }

  /**
   * Before a 2.0.1 event's synchronous block: the tariff of a transaction that starts with it (a Started
   * event of a transaction this object does not price yet), or of one whose resolution waits (pending).
   */
  async preparePrice201(event: TransactionEvent201): Promise<Price201> {
    const prices = this.deps.prices;
    // Read only while something is priced (or starts): a fleet without tariffs reads nothing more.
    const showsTariff = async () => (event.eventType !== 'Ended' && (await this.deps.showsTariff?.())) || false;
    if (event.eventType === 'Started') {
      const row = prices.get(event.transactionId);
      if (row === undefined) {
        const byToken = event.idToken !== undefined && event.idTokenType !== 'NoAuthorization';
        const remoteStartIdToken = event.remoteStartId === undefined ? undefined : this.deps.remoteStarts.tokenOf(event.remoteStartId);
        const idTag = byToken ? event.idToken! : (remoteStartIdToken ?? null);
        const tokenType = byToken ? event.idTokenType : undefined;
        const start = await this.tariffForStart(idTag, tokenType);
        return { start, idTag, tokenType, ...(start !== null && start !== 'pending' ? { showsTariff: await showsTariff() } : {}) };
      }
    }
    const token = await this.knownToken(event);
    const resolved = await this.retryPending(event.transactionId, token?.tariff === undefined ? token : undefined);
    return { resolved, ...(token ? { token } : {}), ...(prices.anyOpen ? { showsTariff: await showsTariff() } : {}) };
  }

  /**
   * The token of a transaction begun without one, when this event makes it known (it presents one) or an
   * earlier event did and its tariff is still to be resolved; with that tariff as of the start. A
   * transaction still pending gets no tariff here: its own resolution (retryPending) is for the token.
   */
  private async knownToken(event: TransactionEvent201): Promise<Price201['token']> {
    const awaiting = this.deps.prices.awaitingToken(event.transactionId);
    if (awaiting === null) return undefined;
    const presented = event.idToken !== undefined && event.idTokenType !== 'NoAuthorization';
    const token = presented ? { idTag: event.idToken!, ...(event.idTokenType === undefined ? {} : { tokenType: event.idTokenType }) } : awaiting.token;
    if (token === undefined) return undefined;
    if (awaiting.pending) return token;
    return { ...token, tariff: await this.tariffAsOfStart(token.idTag, token.tokenType, awaiting.start.startedAt) };
  }

  /**
   * I06: what the driver of a running priced transaction should be told now, in the event's synchronous
   * block (after its fold advanced). Told once per change: when the price in effect changes (the tariff
   * element pricing the session switches, e.g. peak → off-peak, or idle fees begin), and when the token
   * becomes known in a transaction that began without one. The first event of a transaction only notes what
   * is in effect (the Started's own idTokenInfo shows the tariff, I01). A replay of the event that told it is
   * answered the same message; any other event that changes nothing says nothing. A session whose token
   * comes later is told the tariff it is priced under then: the token's, when price201 rebound it to it.
   */
  private tell201(event: TransactionEvent201): MessageContent | undefined {
    const prices = this.deps.prices;
    const id = event.transactionId;
    const told = prices.told(id);
    if (told && told.seqNo === event.seqNo) return told.message;
    if (told && event.seqNo < told.seqNo) return undefined;
    const shown = prices.shown(id, event.timestamp);
    if (!shown) return undefined;
    const { key, line } = priceInEffect(shown.tariff, shown.running.cost);
    const presented = event.idToken !== undefined && event.idTokenType !== 'NoAuthorization';
    const token = (told?.token ?? false) || presented;
    const language = (presented ? this.tokenLanguage : undefined) ?? told?.language;
    const next = { seqNo: event.seqNo, key: key || (told?.key ?? ''), token, ...(language ? { language } : {}) };
    const tokenCame = told !== null && token && !told.token;
    const priceChanged = told !== null && told.key !== '' && key !== '' && key !== told.key;
    const message = tokenCame || priceChanged ? updatedPersonalMessage(shown.tariff, line, language) : undefined;
    if (!message && told && told.key === next.key && told.token === next.token && told.language === next.language) return undefined;
    prices.tell(id, message ? { ...next, message } : next);
    return message;
  }

  /**
   * In a 2.0.1 event's synchronous block: starts, advances or ends the transaction's price, and prices
   * the transactions its Started abandons up to their last reading. The cost facts go with the event's.
   */
  price201(
    event: TransactionEvent201,
    samples: readonly MeterSample[],
    abandoned: readonly string[],
    pricing: Price201,
  ): { costs: OutboxEntry<'cost'>[]; totalCost?: number; updatedPersonalMessage?: MessageContent } {
    const prices = this.deps.prices;
    const id = event.transactionId;
    const costs = abandoned.flatMap((t) => this.costEntry(t, prices.update(t, () => [], 'last reading')));
    if (pricing.start !== undefined && pricing.start !== null) {
      const charging = event.chargingState === undefined ? undefined : chargingOf201(event.chargingState);
      const start: PendingStart = { startedAt: event.timestamp, idTag: pricing.idTag ?? null, ...(charging === undefined ? {} : { charging }) };
      // The Started's own register (Transaction.Begin) is the start's: a start kept pending begins from it too.
      const startRegisterWh = costSamplesOf(samples, () => true).find((sample) => sample.registerWh !== undefined)?.registerWh;
      if (startRegisterWh !== undefined) start.startRegisterWh = startRegisterWh;
      if (pricing.tokenType !== undefined) start.tokenType = pricing.tokenType;
      prices.start(id, pricing.start, start);
    }
    // The token known now, before the pending resolution (which it decides) and before this event's samples (priced under the tariff it binds).
    if (pricing.token !== undefined) prices.tokenKnown(id, pricing.token, pricing.token.tariff);
    if (pricing.resolved !== undefined) prices.resolved(id, pricing.resolved);
    if (!prices.anyOpen && event.eventType !== 'Ended') return { costs };
    // The state the event reports holds from its timestamp: values sampled before it are of the state before.
    const changedAtMs = Date.parse(event.timestamp);
    const samplesFor = (before: boolean): CostSample[] => {
      const now = event.chargingState === undefined ? before : chargingOf201(event.chargingState);
      const costSamples = costSamplesOf(samples, (at) => (Date.parse(at) >= changedAtMs ? now : before));
      if (now !== before) costSamples.push({ at: event.timestamp, charging: now });
      return costSamples.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    };
    if (event.eventType !== 'Ended') {
      prices.update(id, samplesFor);
      const message = pricing.showsTariff ? this.tell201(event) : undefined;
      return { costs, ...(message ? { updatedPersonalMessage: message } : {}) };
    }
    const finished = prices.update(id, samplesFor, { endedAt: event.timestamp });
    if (finished !== undefined) return { costs: [...costs, ...this.costEntry(id, finished)], ...(finished ? { totalCost: finished.totalCost } : {}) };
    // A replayed Ended answers what the first was answered.
    const row = prices.get(id);
    return { costs, ...(row?.kind === 'priced' && row.ended && row.totalCost !== null ? { totalCost: row.totalCost } : {}) };
  }
}
