// The Durable Object's ChargerRecords: which facts go to D1 at once, and which to the outbox.
//
// Only what the answer depends on is read from or written to D1 before answering: the boot
// decision, and id tag records the object has not read within ID_TAG_CACHE_SECONDS (see
// id-tag-cache.ts). A 1.6 transaction's id comes from the object itself (transaction-ids.ts).
// Meter reports, connector states and 1.6 stops go to D1 before the answer when the object writes
// D1 itself: meter reports when nothing waits in the outbox, states and stops taking a few waiting
// entries along (writeToD1). Everything else, starts included, and those when they cannot, is
// appended to the charger's outbox, which commits in the object's own storage before the answer
// leaves and reaches D1 with the next flush. Transactions are priced as they are recorded
// (record-pricing.ts): a start's tariff is the one D1 read pricing adds.

import type { Config } from '../config';
import { decideToken, groupTokenType } from '../ocpp/authorization';
import type {
  BootFacts,
  ChargerRecords,
  ChargerReport,
  ConnectorState,
  MeterReport,
  PresentedToken,
  RegistrationStatus,
  SeenOfflineToken,
  SmartChargingState,
  TokenDecision,
  TransactionEvent201,
  TransactionEventOutcome,
  TransactionStart16,
  TransactionStop16,
} from '../ocpp/records';
import type { ProfileChange } from '../ocpp/profile-changes';
import type { ReservationChange } from '../ocpp/reservation-changes';
import type { Setting } from '../ocpp/settings';
import type { EventStreamChange, EventStreamValues } from '../ocpp/v21/event-streams';
import type { DerChange } from '../ocpp/v21/der-control';
import { redactSecrets, type WriteOnlyLookup } from '../ocpp/secrets';
import { isCriticalSecurityEvent } from '../ocpp/security-events';
import type { OcppVersion } from '../ocpp/versions';
import { chargerCostOf, type TariffFact } from '../ocpp/v21/tariff-facts';
import { logWarning } from '../log';
import { ChargerStore } from '../store/chargers';
import { ChargingProfileStore } from '../store/charging-profiles';
import { fromExternalLimit, fromMirror } from '../ocpp/charging/profiles';
import { IdTagStore, type IdTagRecord } from '../store/id-tags';
import { SeenOfflineTagStore } from '../store/seen-offline-tags';
import { GridStore } from '../store/grid';
import type { BatterySwapFact, DynamicScheduleLookup } from '../ocpp/v21/grid-facts';
import { startKey16, TransactionStore } from '../store/transactions';
import { flushStatements } from '../fleet/flush';
import { Outbox, type OutboxBatch, type OutboxEntry, type OutboxFacts, type OutboxKind } from '../fleet/outbox';
import type { ActiveTokens } from './active-tokens';
import type { IdTagCache } from './id-tag-cache';
import type { RemoteStartPermission, RemoteStarts } from './remote-starts';
import type { EvseTransactions } from './evse-transactions';
import type { FirmwareJobs } from './firmware-jobs';
import type { TransactionIds } from './transaction-ids';
import type { TransactionPrices } from './transaction-prices';
import { RecordPricing } from './record-pricing';
import type { TariffBody } from '../tariffs/model';
import { chargingOf16, costSamplesOf } from '../tariffs/samples';
import type { TransactionLocation, TransactionLocations } from './transaction-locations';
import type { TxProfileMarker } from './tx-profiles';
import { TransactionV2xStore } from '../store/transaction-v2x';
import type { V2xChange } from '../ocpp/v2x-changes';

export interface RecordsDeps {
  db: D1Database;
  outbox: Outbox;
  locations: TransactionLocations;
  /** Id tag records read from D1 lately. */
  tags: IdTagCache;
  /** The remote starts sent to this charger: their tokens let through for a while, and 2.0.1 transactions' tokens by remoteStartId. */
  remoteStarts: RemoteStarts;
  /** The tag each running transaction of this charger was started with (ConcurrentTx). */
  activeTokens: ActiveTokens;
  /** The 1.6 transaction ids this charger was given. */
  transactionIds: TransactionIds;
  /** Which 2.0.1 transaction runs on each EVSE. */
  evseTransactions: EvseTransactions;
  /** Each running transaction's price (tariff and cost fold). */
  prices: TransactionPrices;
  chargerId: string;
  protocol: OcppVersion;
  config: Config;
  /** Variables the charger reported WriteOnly: their values in its reports are secret too. */
  writeOnly?: WriteOnlyLookup;
  now: Date;
  /** Keeps the boot decision in the object's own storage, so it survives eviction. */
  rememberRegistration: (status: RegistrationStatus) => Promise<void>;
  /**
   * Called after facts were appended to the outbox, to make sure a flush is coming: `soon`
   * for facts operators wait for (a 1.6 start, a stop, an Ended event).
   */
  appended: (urgency: 'soon' | 'batched') => Promise<void>;
  /**
   * When the charger's last frame arrived, if D1 has not been told (OutboxHandover.lastSeenToWrite):
   * a stop written to D1 at its answer carries it, as its flush would have.
   */
  lastSeenToWrite?: () => { at: number; stored: () => void } | undefined;
  /** Whether the charger is on a site, whose allocator then owns its transactions' TxProfiles. */
  onSite?: () => Promise<boolean>;
  /** Keeps the message limits among the settings the charger reported (see reported-limits.ts). */
  learnLimits?: (settings: readonly Setting[]) => Promise<void>;
  /** Whether this charger may have TxProfiles in the mirror: only then do its starts and ends bind and end them. */
  txProfiles: TxProfileMarker;
  /** Copies what the outbox holds to D1 now (OutboxHandover.flushToD1): before reading the mirror back. */
  flushToD1: () => Promise<void>;
  /** The charger's firmware jobs (see firmware-jobs.ts). */
  firmwareJobs?: FirmwareJobs;
  /** Queues a command for the charger (see OperatorCommands.queueGenerated). */
  queueCommand: (action: string, payload: Record<string, unknown>) => Promise<void>;
  /** Whether the charger shows the driver tariff text (charger/driver-price.ts): only then is it resolved at authorization. */
  showsTariff?: () => Promise<boolean>;
  /**
   * Told the tariff an accepted token's session would get, when the charger shows tariffs (1.6: SetUserPrice
   * after the answer): at an Authorize, and at a StartTransaction that starts a transaction (not its replay).
   */
  tariffShown?: (shown: { idTag: string; tariff: TariffBody; language?: string; purpose: 'authorize' | 'start' }) => void;
  /** Told a 1.6 transaction's price ended with this StopTransaction (not a replay): FinalCost after the answer. */
  priceEnded?: (ended: { transactionId: number; totalCost: number; currency: string }) => void;
  /** `cdr.created` for the transactions a batch written to D1 at `now` completed (OutboxHandover.announceCdrs). */
  announceCdrs?: (batch: OutboxBatch, now: string) => Promise<void>;
}

export class DurableChargerRecords implements ChargerRecords {
  /**
   * The remote start that let this frame's 1.6 StartTransaction through: used up by the
   * transaction once it has its id (one instance serves one frame).
   */
  private remoteStartClaimed: number | undefined;
  /** The id tag records this frame read from D1 (for its authorization): a start's tariff resolution uses them. */
  private tagRead: { idTag: string; records: IdTagRecord[] } | undefined;
  /** This frame's pricing: the tariff it resolved, the fold of its transactions (record-pricing.ts). */
  private readonly pricing: RecordPricing;
  /** The tariff a 1.6 StartTransaction's token was shown: told (tariffShown) only once the start is known not to be a replay. */
  private startShown: { idTag: string; tariff: TariffBody; language?: string } | undefined;

  constructor(private readonly deps: RecordsDeps) {
    this.pricing = new RecordPricing({ ...deps, tagRead: () => this.tagRead });
  }

  private get nowIso(): string {
    return this.deps.now.toISOString();
  }

  async recordBoot(facts: BootFacts): Promise<RegistrationStatus> {
    const { db, chargerId, protocol, config } = this.deps;
    // A charger that boots has ended the transactions it was running (ConcurrentTx's view).
    this.deps.activeTokens.endAll();
    // Many 1.6 chargers send BootNotification on every reconnection, not only after a reboot, and
    // charge on: a boot proves no transaction ended. Those running are flagged open-at-boot and
    // stay active (their StopTransaction, or a newer start on their connector, ends them); see
    // store/transactions.ts abandon16Statements. Flagged first: a failure below answers
    // InternalError, and the retried boot flags them again, which adds nothing.
    // 2.0.1 transactions are left as they are: they end by their own Ended event, or when a new
    // transaction starts on their EVSE (evse-transactions.ts).
    if (protocol === 'ocpp1.6') {
      await this.seedTransactionIds();
      const open = this.deps.transactionIds.running();
      await this.appendEach(
        'abandon16',
        open.map(({ transactionId, connectorId }) => ({ transactionId, connectorId, at: this.nowIso, cause: 'BootNotification' as const })),
        'soon',
      );
    }
    // Accepted when D1 has the charger registered, else the policy's answer: decided and recorded in one statement.
    const status = await new ChargerStore(db).recordBoot(chargerId, protocol, facts, decideForUnknown(config.unknownChargerPolicy), this.nowIso);
    await this.deps.rememberRegistration(status);
    // The boot that follows an install tells which firmware the charger now runs (ocpp/firmware-jobs.ts applyBoot).
    if (await this.deps.firmwareJobs?.booted(chargerId, facts.firmwareVersion, this.nowIso)) await this.deps.appended('batched');
    return status;
  }

  async recordFirmwareStatus(status: string, requestId: number | undefined): Promise<void> {
    const jobs = this.deps.firmwareJobs;
    if (jobs && (await jobs.statusNotified(this.deps.chargerId, status, requestId, this.nowIso))) await this.deps.appended('batched');
  }

  /**
   * Connector states are handed over at once: the fleet list and the dashboard should show them
   * soon. Written to D1 at the answer when it can be, with the few facts waiting before them (see
   * writeToD1): the Finishing and Available after a stop then cost the object nothing, where the
   * outbox cost a row, a merge, its removal and two setAlarms, and the Charging after a start
   * takes the start along instead of merging into its row.
   */
  async recordConnectorStatus(state: ConnectorState): Promise<void> {
    // A 1.6 connector's status says whether its transaction charges (2.0.1 says so in its TransactionEvents).
    const charging = this.deps.protocol === 'ocpp1.6' ? chargingOf16(state.status) : undefined;
    if (charging !== undefined && this.deps.prices.anyOpen) {
      const running = this.deps.transactionIds.running().find((t) => t.connectorId === state.connectorId);
      if (running) {
        const transactionId = String(running.transactionId);
        const resolved = await this.pricing.retryPending(transactionId);
        this.pricing.advance16(transactionId, () => [{ at: state.reportedAt ?? this.nowIso, charging }], resolved);
      }
    }
    if (await this.writeToD1([{ chargerId: this.deps.chargerId, kind: 'status', fact: state }], { takeAlong: true })) return;
    await this.append('status', state, 'soon');
  }

  async authorize(token: PresentedToken): Promise<TokenDecision> {
    const nowMs = this.deps.now.getTime();
    let records = this.deps.tags.get(token.idTag, nowMs);
    // A token used offline and cached as unknown is looked up afresh: the operator may have
    // registered it since, and only a token still unknown is listed as seen offline.
    if (records === undefined || (token.offline && records.length === 0)) records = await this.readTag(token.idTag, worthKeeping(token));
    // The decision is made now, from the records: an expiryDate passes on time even when cached.
    let decision: TokenDecision | null = decideToken(records, this.deps.now, token.type);
    const own = this.ownTransaction(token);
    let permission: RemoteStartPermission | undefined;
    if (!decision) {
      // Unknown, but the operator sent it to this charger in a remote start: let it through
      // until that permission ends, and say when, so the charger's own cache drops it then too.
      permission = this.deps.remoteStarts.permission(
        {
          idTag: token.idTag,
          type: token.type,
          transactionId: own,
          evseId: token.evseId,
          connectorId: token.connectorId ?? token.start16?.connectorId,
          remoteStartId: token.remoteStartId,
        },
        nowMs,
        token.purpose !== 'start',
      );
      // An unknown token gets the real answer, Invalid, also when used offline: the charger
      // decides what to do with its transaction (StopTransactionOnInvalidId / StopTxOnInvalidId).
      decision =
        permission === undefined
          ? { status: 'Invalid', unknown: true }
          : { status: 'Accepted', expiryDate: new Date(permission.expiresAt).toISOString() };
    }
    // Ending a transaction is never refused as concurrent: it is the tag's own.
    if (decision.status === 'Accepted' && token.purpose !== 'end' && (await this.concurrent(token, own))) {
      decision = { ...decision, status: 'ConcurrentTx' };
    }
    // The start a remote start let through uses it up; a 1.6 start once it has its id.
    if (permission && !permission.own && token.purpose === 'start' && decision.status === 'Accepted') {
      if (own !== undefined) this.deps.remoteStarts.use(permission.requestId, own);
      else this.remoteStartClaimed = permission.requestId;
    }
    if (decision.parentIdTag && token.type !== undefined) {
      // 2.0.1 sends the group as an IdToken, whose type is the group tag's own (see groupTokenType).
      decision = { ...decision, parentType: groupTokenType(await this.recordsOf(decision.parentIdTag)) };
    }
    this.pricing.noteTokenLanguage(decision.language);
    if (decision.status === 'Accepted' && token.purpose !== 'end' && (await this.deps.showsTariff?.())) {
      const shown = await this.pricing.withTariffText(decision, token);
      decision = shown.decision;
      if (shown.tariff) {
        const told = { idTag: token.idTag, tariff: shown.tariff, ...(decision.language ? { language: decision.language } : {}) };
        if (token.start16) this.startShown = told;
        else if (token.purpose !== 'start' || token.transactionId === undefined) this.deps.tariffShown?.({ ...told, purpose: 'authorize' });
      }
    }
    return decision;
  }

  /** The transaction the token is presented in, as the charger names it: a replayed 1.6 StartTransaction is the one its first sending started. */
  private ownTransaction(token: PresentedToken): string | undefined {
    if (token.transactionId !== undefined || !token.start16) return token.transactionId;
    const id = this.deps.transactionIds.find(startKey16(token.start16));
    return id === undefined ? undefined : String(id);
  }

  /** True when CONCURRENT_TX=reject and the tag runs another transaction on this charger. */
  private async concurrent(token: PresentedToken, own: string | undefined): Promise<boolean> {
    if (this.deps.config.concurrentTx !== 'reject') return false;
    const active = this.deps.activeTokens;
    if (!active.seeded) {
      // Transactions that were running before this object noted them (see active-tokens.ts); read
      // once (a failure throws: the charger is answered InternalError and retries).
      active.seed(await new TransactionStore(this.deps.db).runningTokens(this.deps.chargerId));
    }
    return active.runningWith(token.idTag, own) !== undefined;
  }

  async recordSeenOffline(token: SeenOfflineToken): Promise<void> {
    if (this.deps.config.unknownOfflineTagPolicy !== 'list') return;
    // Written to D1 before the answer leaves, so a listed use is never lost; a retry writes it once.
    await new SeenOfflineTagStore(this.deps.db).record({
      idTag: token.idTag,
      tokenType: token.type ?? null,
      chargerId: this.deps.chargerId,
      transactionId: token.transactionId,
      seenAt: token.seenAt,
      recordedAt: this.nowIso,
    });
  }

  /** A tag's entries, from the cache or else D1. */
  private async recordsOf(idTag: string): Promise<IdTagRecord[]> {
    return this.deps.tags.get(idTag, this.deps.now.getTime()) ?? (await this.readTag(idTag));
  }

  /** Reads a tag's entries from D1, and keeps them (or that there are none) for the next decisions unless `keep` is false. */
  private async readTag(idTag: string, keep = true): Promise<IdTagRecord[]> {
    const records = await new IdTagStore(this.deps.db).find(idTag);
    this.tagRead = { idTag, records };
    if (keep) this.deps.tags.put(idTag, records, this.deps.now.getTime());
    return records;
  }

  /**
   * Gives the start its id from the object's own numbering and appends it to the outbox; both
   * commit in the object's storage before the answer leaves. A replay finds the id its first
   * sending got and appends nothing. D1 is read once in the object's life, to continue the ids
   * D1 assigned before (a failure there answers InternalError, and the charger retries).
   */
  async startTransaction(start: TransactionStart16): Promise<number> {
    const { transactionIds: ids, chargerId } = this.deps;
    const key = startKey16(start);
    const known = ids.find(key);
    if (known !== undefined) return known;
    if (!ids.seeded) {
      await this.seedTransactionIds();
      // The start may be one D1 already has (sent before this object numbered starts).
      const seededId = ids.find(key);
      if (seededId !== undefined) {
        this.noteRunning(String(seededId), start);
        return seededId;
      }
    }
    const txProfiles = await this.deps.txProfiles.mayHave();
    const tariff = await this.pricing.tariffForStart(start.idTag);
    // No await from here to the append: the id, its key and the facts commit together.
    // Its connector is kept with its id and key (transactionLocation): no location row of its own.
    const { transactionId: id, abandoned } = ids.assign(key, start.connectorId);
    this.noteRunning(String(id), start);
    if (this.startShown) this.deps.tariffShown?.({ ...this.startShown, purpose: 'start' });
    // Transactions it abandons are priced up to their last reading; it is priced from its start.
    const costs = abandoned.flatMap((t) => this.pricing.costEntry(String(t), this.deps.prices.update(String(t), () => [], 'last reading')));
    if (tariff !== null) {
      this.deps.prices.start(String(id), tariff, { startedAt: start.startedAt, startRegisterWh: start.meterStartWh, idTag: start.idTag });
    }
    // A transaction still running on this connector was left open by the charger: the new one ends it.
    this.deps.outbox.appendAll([
      ...abandoned.map((transactionId) => ({
        chargerId,
        kind: 'abandon16' as const,
        fact: { transactionId, connectorId: start.connectorId, at: start.startedAt, cause: 'StartTransaction' as const, byTransactionId: id },
      })),
      { chargerId, kind: 'start16' as const, fact: { ...start, transactionId: id } },
      ...costs,
      ...(txProfiles
        ? [
            ...abandoned.map((transactionId) =>
              profileFact(chargerId, { op: 'endTransaction', transactionId: String(transactionId), evseId: start.connectorId, at: this.nowIso }),
            ),
            profileFact(chargerId, { op: 'bind', transactionId: String(id), evseId: start.connectorId, at: this.nowIso }),
          ]
        : []),
    ]);
    // 'soon': operators should see a transaction running within seconds, not FLUSH_DELAY_SECONDS.
    await this.deps.appended('soon');
    return id;
  }

  /** Whatever it was answered, the transaction runs until its stop: the charger may go on charging. */
  private noteRunning(transactionId: string, start: TransactionStart16): void {
    if (this.remoteStartClaimed !== undefined) this.deps.remoteStarts.use(this.remoteStartClaimed, transactionId);
    this.deps.activeTokens.started(transactionId, start.idTag, { evseId: 0, connectorId: start.connectorId }, this.deps.now.getTime());
  }

  /** Reads what D1 knows of the numbering, once in the object's life (a failure throws: the charger is answered InternalError). */
  private async seedTransactionIds(): Promise<void> {
    const ids = this.deps.transactionIds;
    if (ids.seeded) return;
    const { lastId, running } = await new TransactionStore(this.deps.db).numbering16(this.deps.chargerId);
    ids.seed(lastId, running);
  }

  async recordSettings(settings: Setting[]): Promise<void> {
    await this.appendEach('setting', settings);
    await this.deps.learnLimits?.(settings);
  }

  async recordProfileChanges(changes: ProfileChange[]): Promise<void> {
    await this.deps.txProfiles.note(changes);
    await this.appendEach('profile', changes);
  }

  async recordReservationChanges(changes: ReservationChange[]): Promise<void> {
    await this.appendEach('reservation', changes);
  }

  async recordDerChanges(changes: DerChange[]): Promise<void> {
    await this.appendEach('der', changes);
  }

  async recordV2x(change: V2xChange): Promise<void> {
    await this.appendEach('v2x', [change]);
  }

  /**
   * Read from D1 after copying the outbox there: the mirror is built from the charger's answers and
   * messages, the latest ones included (an ISO 15118 negotiation is rare: once or twice a session).
   */
  async smartCharging(evseId: number): Promise<SmartChargingState> {
    const { db, chargerId, protocol } = this.deps;
    await this.deps.flushToD1();
    const store = new ChargingProfileStore(db);
    const [stored, limits, active, siteManaged] = await Promise.all([
      store.list(chargerId, evseId),
      store.limits(chargerId, evseId),
      new TransactionStore(db).list({ chargerId, status: 'active', limit: 50 }),
      this.deps.onSite?.() ?? false,
    ]);
    // External limits are no profiles of the charger's: negative ids keep them apart in messages.
    const profiles = [
      ...stored.map(fromMirror),
      ...limits.flatMap((limit, i) => fromExternalLimit(limit, -(i + 1)) ?? []),
    ];
    // 1.6 transactions are kept on EVSE 0 with their connector; 2.0.1 ones on their EVSE.
    const running = active.transactions.find((t) => (protocol === 'ocpp1.6' ? t.connectorId === evseId : t.evseId === evseId));
    // 2.1: what the CSMS allowed for the running transaction bounds what an EV is offered (V2X).
    const v2x = running && protocol === 'ocpp2.1' ? await new TransactionV2xStore(db).get(chargerId, running.transactionId) : null;
    return {
      profiles,
      payloads: new Map(stored.map((p) => [p.profileId, p.profile])),
      ...(running?.startedAt ? { transaction: { id: running.transactionId, startedAt: running.startedAt } } : {}),
      ...(v2x?.allowedEnergyTransfer ? { allowedEnergyTransfer: v2x.allowedEnergyTransfer } : {}),
      ...(siteManaged ? { siteManaged } : {}),
    };
  }

  async queueCommand(action: string, payload: Record<string, unknown>): Promise<void> {
    await this.deps.queueCommand(action, payload);
  }

  async recordTariffFacts(facts: TariffFact[]): Promise<void> {
    // 'soon': a settlement is money an operator reconciles; a tariff's inventory is read right after a command.
    await this.appendEach('tariff21', facts, 'soon');
  }

  async recordReport(report: ChargerReport): Promise<void> {
    // The handler redacted what the spec names; the variables this charger marked WriteOnly are known only here.
    const payload = this.deps.writeOnly ? redactSecrets(report.payload, this.deps.writeOnly) : report.payload;
    const digest = await sha256Hex(JSON.stringify(payload));
    // 'soon': a critical security event is an alert, and the fleet's alert list (GET
    // /security-events, the dashboard) reads D1: it must not wait FLUSH_DELAY_SECONDS there.
    const alert = report.action === 'SecurityEventNotification' && isCriticalSecurityEvent(payload.type);
    await this.append('report', { ...report, payload, digest }, alert ? 'soon' : 'batched');
  }

  /**
   * Where a transaction runs: as its first message said (2.0.1, and 1.6 transactions started
   * before their connector was kept with their id), else, for a 1.6 transaction not stopped yet,
   * the connector its start named. Once its StopTransaction was taken, a replay of that stop
   * finds none: its meter values name connector 0, and add nothing to the values the first
   * sending stored (a transaction's values are the same values whatever connector they name).
   */
  async transactionLocation(transactionId: string): Promise<TransactionLocation | undefined> {
    const known = this.deps.locations.get(transactionId);
    if (known !== undefined || this.deps.protocol !== 'ocpp1.6' || !/^\d{1,15}$/.test(transactionId)) return known;
    const connectorId = this.deps.transactionIds.connectorOf(Number(transactionId));
    return connectorId === undefined ? undefined : { evseId: 0, connectorId };
  }

  /** Read from D1 after copying the outbox there, like smartCharging: a profile installed a moment ago counts. */
  async dynamicSchedule(profileId: number): Promise<DynamicScheduleLookup> {
    await this.deps.flushToD1();
    return new GridStore(this.deps.db).lookup(this.deps.chargerId, profileId);
  }

  async recordPriorityCharging(change: { transactionId: string; activated: boolean }, messageId: string): Promise<void> {
    const digest = await sha256Hex(JSON.stringify(change));
    await this.append('grid', { op: 'priorityCharging', ...change, at: this.nowIso, messageId, digest });
  }

  async recordBatterySwap(swap: Omit<BatterySwapFact, 'receivedAt'>, messageId: string): Promise<void> {
    // Of what the charger sent (the CSMS's decision aside): a replay is the same message with the same content.
    const { status: _decided, ...sent } = swap;
    const digest = await sha256Hex(JSON.stringify(sent));
    await this.append('grid', { op: 'batterySwap', swap: { ...swap, receivedAt: this.nowIso }, messageId, digest });
  }

  async stopTransaction(stop: TransactionStop16): Promise<void> {
    const resolved = await this.pricing.retryPending(String(stop.transactionId));
    if (resolved !== undefined) this.deps.prices.resolved(String(stop.transactionId), resolved);
    this.deps.activeTokens.stopped16(String(stop.transactionId), this.deps.now.getTime());
    // Read before `stopped` forgets it; a replayed stop finds none, and ends only the transaction's own TxProfiles.
    const connectorId = this.deps.transactionIds.connectorOf(stop.transactionId) ?? null;
    const ended = profileFact(this.deps.chargerId, { op: 'endTransaction', transactionId: String(stop.transactionId), evseId: connectorId, at: this.nowIso });
    // Synchronous with the append: an identical start from now on is a new session.
    this.deps.transactionIds.stopped(stop.transactionId);
    // To D1 at the answer when it can be (see writeToD1), with the last frame's time as a flush
    // would carry it. Safe to retry either way: a stop applies once, its replay adds nothing, and
    // the id and token bookkeeping above holds whether or not it reached D1 first. (A start
    // cannot go this way: its key, once kept here, makes a retry a replay that appends nothing,
    // so its fact must commit with the key.)
    const entries: OutboxEntry[] = [{ chargerId: this.deps.chargerId, kind: 'stop16', fact: stop }];
    if (await this.deps.txProfiles.mayHave()) entries.push(ended);
    // Its price ends with it, with no await before the facts are written or appended.
    const finished = this.deps.prices.update(String(stop.transactionId), () => [], { endedAt: stop.stoppedAt, endRegisterWh: stop.meterStopWh });
    entries.push(...this.pricing.costEntry(String(stop.transactionId), finished));
    // Only the stop that ended it: a replayed stop finds it ended, and its driver is not shown the cost again.
    if (finished) this.deps.priceEnded?.({ transactionId: stop.transactionId, totalCost: finished.totalCost, currency: finished.breakdown.currency });
    if (await this.writeToD1(entries, { lastSeen: true, takeAlong: true })) return;
    this.deps.outbox.appendAll(entries);
    await this.deps.appended('soon');
  }

  async recordMeterValues(report: MeterReport): Promise<void> {
    if (report.samples.length === 0) return;
    // A 1.6 transaction's values price it (a 2.0.1 transaction's come in its TransactionEvents).
    if (this.deps.protocol === 'ocpp1.6' && report.transactionId !== '') {
      const resolved = await this.pricing.retryPending(report.transactionId);
      this.pricing.advance16(report.transactionId, (charging) => costSamplesOf(report.samples, () => charging), resolved);
    }
    if (await this.writeToD1([{ chargerId: this.deps.chargerId, kind: 'meter', fact: report }])) return;
    this.deps.outbox.appendMeter(this.deps.chargerId, report);
    await this.deps.appended('batched');
  }

  /**
   * Meter reports (1.6 MeterValues, 2.0.1 TransactionEvent Updated) are most of what a charger
   * sends. Written to D1 as they arrive, one costs its D1 rows and the object nothing; through
   * the outbox it costs the same D1 rows plus the outbox row, its share of the flush's removal
   * and of the flush's setAlarm. So when the object writes D1 itself (FLEET_WRITER_SHARDS = 0)
   * and nothing older waits in its outbox (so facts still reach D1 in the order they came), the
   * facts are written before the answer, with the statements a flush of just them would run
   * (idempotent: a replay stores nothing twice). D1 failing is no reason to refuse them: they go
   * to the outbox instead, durable in the object, and are flushed once D1 is back. With
   * `takeAlong` (connector states, 1.6 stops: facts operators wait for, flushed about a second
   * later anyway), up to TAKEN_ALONG_MAX entries waiting in the outbox go with them, first. With
   * `lastSeen`, or entries taken along, the charger's last frame time too, as a flush carries it.
   * Returns whether D1 stored them.
   */
  private async writeToD1(entries: OutboxEntry[], options: { lastSeen?: boolean; takeAlong?: boolean } = {}): Promise<boolean> {
    const { config, outbox, db, chargerId } = this.deps;
    if (config.fleetWriterShards !== 0) return false;
    const waiting = outbox.size;
    if (waiting > 0 && (!options.takeAlong || waiting > TAKEN_ALONG_MAX)) return false;
    // The facts waiting go first, in the same D1 batch (and its statements' order), and are
    // removed once D1 has them, as their flush would: a status or a stop that comes while a
    // start waits for its flush then costs the outbox no merge, and the flush no removal of it.
    const older = waiting > 0 ? outbox.peekOldest(TAKEN_ALONG_MAX) : undefined;
    try {
      // Not all of them (too large for one batch): the new facts wait behind them.
      if (older && older.size < waiting) return false;
      const batch = Outbox.batchOf([...(older?.entries ?? []), ...entries]);
      // The last frame's time travels with facts taken along, as it does with any flush.
      const seen = options.lastSeen || older ? this.deps.lastSeenToWrite?.() : undefined;
      if (seen) batch.seen.push({ chargerId, fact: { at: new Date(seen.at).toISOString() } });
      await db.batch(flushStatements(db, batch, this.nowIso));
      if (older) outbox.remove(older.lastSeq);
      seen?.stored();
      // After the commit, and not in the way of the charger's answer (it never throws).
      void this.deps.announceCdrs?.(batch, this.nowIso);
      return true;
    } catch (error) {
      logWarning('store', chargerId, `D1 did not take ${entries.map((e) => e.kind).join(', ')} (${String(error)}): kept in the outbox until it does`);
      return false;
    } finally {
      if (older) outbox.released();
    }
  }

  async recordTransactionEvent(event: TransactionEvent201, meter: MeterReport | undefined, sent: unknown): Promise<TransactionEventOutcome> {
    const txProfiles = event.eventType !== 'Updated' && (await this.deps.txProfiles.mayHave());
    if (event.evseId !== undefined) {
      this.deps.locations.remember(event.transactionId, { evseId: event.evseId, connectorId: event.connectorId ?? 0 });
    }
    this.noteTokenOf(event);
    // The event travels with its meter values: the flush stores them only if the event is applied
    // (not a seqNo reused with other content, not late), so a replay cannot add readings.
    const samples = meter?.samples ?? [];
    // Of what the charger sent (validated, so its keys come in schema order), not of the event
    // fact: that also holds what the CSMS added (the answer, an EVSE it remembered).
    const digest = await sha256Hex(JSON.stringify(sent));
    // The token the CSMS sent with the remoteStartId the transaction names; that request is used up.
    // Before anything is noted or used up: the tariff's D1 read is the last await before the append.
    const pricing = await this.pricing.preparePrice201(event);
    const remoteStartIdToken =
      event.remoteStartId === undefined ? undefined : this.deps.remoteStarts.startedBy(event.remoteStartId, event.transactionId);
    const { chargerId } = this.deps;
    // No await from here to the append: what the object notes of the EVSE and the facts commit together.
    const evseId = event.evseId ?? this.deps.locations.get(event.transactionId)?.evseId;
    const abandoned = this.deps.evseTransactions.noted(event.transactionId, event.eventType, evseId);
    const { costs, totalCost, updatedPersonalMessage } = this.pricing.price201(event, samples, abandoned, pricing);
    const outcome: TransactionEventOutcome = {
      ...(totalCost === undefined ? {} : { totalCost }),
      ...(updatedPersonalMessage === undefined ? {} : { updatedPersonalMessage }),
    };
    // A transaction still running on this EVSE was left open by the charger: the new one's Started ends it.
    const fact = { ...event, samples, digest, remoteStartIdToken, ...(this.deps.protocol === 'ocpp2.1' ? { protocol: 'ocpp2.1' as const } : {}) };
    // TxProfiles: a remote start's wait for this transaction (Started), and end with it (Ended, or abandoned).
    const profileFacts = !txProfiles ? [] : [
      ...abandoned.map((transactionId) => profileFact(chargerId, { op: 'endTransaction', transactionId, evseId: evseId ?? null, at: this.nowIso })),
      ...(event.eventType === 'Started' && evseId !== undefined
        ? [profileFact(chargerId, { op: 'bind', transactionId: event.transactionId, evseId, at: this.nowIso })]
        : []),
      ...(event.eventType === 'Ended'
        ? [profileFact(chargerId, { op: 'endTransaction', transactionId: event.transactionId, evseId: evseId ?? null, at: this.nowIso })]
        : []),
    ];
    // An Updated event goes to D1 at once when it can (see writeToD1): what the object noted of
    // it above is the same again on a replay (an Updated ends and abandons nothing, and uses no
    // remote start), so it may commit apart from the fact. A Started or Ended event keeps them together.
    const plainUpdate = event.eventType === 'Updated' && abandoned.length === 0 && event.remoteStartId === undefined;
    // 2.1: the charger's own cost (costDetails) goes with the event; the flush compares a final one with the CSMS's.
    const chargerCost = chargerCostOf(this.deps.protocol, sent, this.nowIso);
    const chargerCostFacts = chargerCost ? [{ chargerId, kind: 'tariff21' as const, fact: { op: 'chargerCost' as const, cost: chargerCost } }] : [];
    if (plainUpdate && (await this.writeToD1([{ chargerId, kind: 'event201', fact }, ...chargerCostFacts]))) return outcome;
    if (abandoned.length === 0 && profileFacts.length === 0 && costs.length === 0 && chargerCostFacts.length === 0) {
      this.deps.outbox.appendEvent201(chargerId, fact);
    } else {
      this.deps.outbox.appendAll([
        ...abandoned.map((transactionId) => ({
          chargerId,
          kind: 'abandon201' as const,
          fact: { transactionId, evseId: evseId!, at: event.timestamp, cause: 'TransactionEvent' as const, byTransactionId: event.transactionId },
        })),
        { chargerId, kind: 'event201' as const, fact },
        ...profileFacts,
        ...costs,
        ...chargerCostFacts,
      ]);
    }
    // 'soon' for a Started as for a 1.6 StartTransaction: the fleet list's "charging" (and its counts)
    // come from D1, so an operator should see a session begin within seconds, not FLUSH_DELAY_SECONDS.
    await this.deps.appended(event.eventType !== 'Updated' || abandoned.length > 0 ? 'soon' : 'batched');
    return outcome;
  }

  /** Through the outbox, so a stream's values flushed after it find it (store/event-streams.ts flags those that do not). */
  async recordEventStreamChanges(changes: EventStreamChange[]): Promise<void> {
    await this.appendEach('eventStream', changes, 'batched');
  }

  /**
   * A NotifyPeriodicEventStream's points wait in the outbox, merged with the stream's earlier
   * points (Outbox.appendStreamValues), and reach D1 packed with the next flush: never written to
   * D1 at the message, however often a stream sends (unlike meter reports, see writeToD1).
   */
  async recordEventStreamValues(values: EventStreamValues): Promise<void> {
    if (values.points.length === 0) return;
    this.deps.outbox.appendStreamValues(this.deps.chargerId, values);
    await this.deps.appended('batched');
  }

  /** ConcurrentTx's view: a transaction runs with the token it names until its Ended event. */
  private noteTokenOf(event: TransactionEvent201): void {
    const nowMs = this.deps.now.getTime();
    if (event.eventType === 'Ended') {
      this.deps.activeTokens.ended(event.transactionId, nowMs);
    } else if (event.idToken !== undefined && event.idTokenType !== 'NoAuthorization') {
      const where = event.evseId === undefined ? undefined : { evseId: event.evseId, connectorId: event.connectorId ?? 0 };
      this.deps.activeTokens.started(event.transactionId, event.idToken, where, nowMs);
    }
  }

  private async append<K extends OutboxKind>(
    kind: K,
    fact: OutboxFacts[K],
    urgency: 'soon' | 'batched' = 'batched',
  ): Promise<void> {
    await this.appendEach(kind, [fact], urgency);
  }

  /** Appends facts of one kind in one storage call, and makes sure a flush is coming. */
  private async appendEach<K extends OutboxKind>(
    kind: K,
    facts: readonly OutboxFacts[K][],
    urgency: 'soon' | 'batched' = 'batched',
  ): Promise<void> {
    if (facts.length === 0) return;
    const { chargerId } = this.deps;
    this.deps.outbox.appendAll(facts.map((fact) => ({ chargerId, kind, fact })));
    await this.deps.appended(urgency);
  }
}

/** A charging profile change as an outbox entry. */
function profileFact(chargerId: string, fact: ProfileChange): OutboxEntry<'profile'> {
  return { chargerId, kind: 'profile', fact };
}

/**
 * Outbox entries a connector status or a 1.6 stop takes along to D1 at its answer (see
 * writeToD1): a few, as a session's start leaves (its start, an abandonment, a status); more wait
 * for their flush.
 */
const TAKEN_ALONG_MAX = 8;

/** Each byte's two hex digits: a digest per TransactionEvent and report is spelled out with no per-byte formatting. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const byte of digest) hex += HEX[byte];
  return hex;
}

/**
 * Whether a tag's records read from D1 for this decision are worth keeping in the object's cache
 * (one object row written): only when another decision on the tag is likely within
 * ID_TAG_CACHE_SECONDS. An Authorize is followed by its start, and a 2.0.1 transaction's events
 * may name their token again; but after a 1.6 StartTransaction the tag's next decision here is
 * its StopTransaction, as long as the session lasts, and after an end the next session. Kept
 * then, the row was written at every start and at every stop (a session longer than the TTL)
 * for nothing.
 */
function worthKeeping(token: PresentedToken): boolean {
  if (token.purpose === 'end') return false;
  return !(token.purpose === 'start' && token.start16 !== undefined);
}

function decideForUnknown(policy: Config['unknownChargerPolicy']): RegistrationStatus {
  if (policy === 'accept') return 'Accepted';
  return policy === 'pending' ? 'Pending' : 'Rejected';
}
