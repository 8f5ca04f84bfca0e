// The Durable Object's ChargerRecords: which facts go to D1 at once, and which to the outbox.
//
// Only what the answer depends on is read from or written to D1 before answering: the boot
// decision, and id tag records the object has not read within ID_TAG_CACHE_SECONDS (see
// id-tag-cache.ts). A 1.6 transaction's id comes from the object itself (transaction-ids.ts).
// Everything else, starts included, is appended to the charger's outbox, which commits in the
// object's own storage before the answer leaves and reaches D1 with the next flush.

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
  TokenDecision,
  TransactionEvent201,
  TransactionStart16,
  TransactionStop16,
} from '../ocpp/records';
import type { ProfileChange } from '../ocpp/profile-changes';
import type { ReservationChange } from '../ocpp/reservation-changes';
import type { Setting } from '../ocpp/settings';
import { redactSecrets, type WriteOnlyLookup } from '../ocpp/secrets';
import type { OcppVersion } from '../ocpp/versions';
import { ChargerStore } from '../store/chargers';
import { IdTagStore, type IdTagRecord } from '../store/id-tags';
import { SeenOfflineTagStore } from '../store/seen-offline-tags';
import { startKey16, TransactionStore } from '../store/transactions';
import type { Outbox, OutboxFacts, OutboxKind } from '../fleet/outbox';
import type { ActiveTokens } from './active-tokens';
import type { IdTagCache } from './id-tag-cache';
import type { RemoteStarts } from './remote-starts';
import type { TransactionIds } from './transaction-ids';
import type { TransactionLocation, TransactionLocations } from './transaction-locations';
import type { RemoteStartLinks } from './remote-start-links';

export interface RecordsDeps {
  db: D1Database;
  outbox: Outbox;
  locations: TransactionLocations;
  /** The idTokens sent in RequestStartTransaction, by remoteStartId. */
  remoteStartLinks: RemoteStartLinks;
  /** Id tag records read from D1 lately. */
  tags: IdTagCache;
  /** Tokens the operator sent in remote starts to this charger, let through for a while. */
  remoteStarts: RemoteStarts;
  /** The tag each running transaction of this charger was started with (ConcurrentTx). */
  activeTokens: ActiveTokens;
  /** The 1.6 transaction ids this charger was given. */
  transactionIds: TransactionIds;
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
  /** Queues a command for the charger (see ChargerSession.queueCommand). */
  queueCommand: (action: string, payload: Record<string, unknown>) => Promise<void>;
}

export class DurableChargerRecords implements ChargerRecords {
  constructor(private readonly deps: RecordsDeps) {}

  private get nowIso(): string {
    return this.deps.now.toISOString();
  }

  async recordBoot(facts: BootFacts): Promise<RegistrationStatus> {
    const { db, chargerId, protocol, config } = this.deps;
    // A charger that boots has ended the transactions it was running (ConcurrentTx's view).
    this.deps.activeTokens.endAll();
    // A charger that boots ended whatever 1.6 transaction it had running; one it still reports
    // later (its StopTransaction after the reboot) keeps its own stop. Closed first: a failure
    // below answers InternalError, and the retried boot finds nothing left to close.
    // 2.0.1 transactions end by their own Ended event, or are derived as late (store/transactions.ts).
    if (protocol === 'ocpp1.6') {
      await this.seedTransactionIds();
      const open = this.deps.transactionIds.abandonAll();
      await this.appendEach(
        'abandon16',
        open.map(({ transactionId, connectorId }) => ({ transactionId, connectorId, at: this.nowIso, cause: 'BootNotification' as const })),
        'soon',
      );
    }
    const store = new ChargerStore(db);
    const registered = await store.isRegistered(chargerId);
    const status = registered ? 'Accepted' : decideForUnknown(config.unknownChargerPolicy);
    await store.recordBoot(chargerId, protocol, facts, status, status === 'Accepted', this.nowIso);
    await this.deps.rememberRegistration(status);
    return status;
  }

  /** Connector states are handed over at once: the fleet list and the dashboard should show them soon. */
  async recordConnectorStatus(state: ConnectorState): Promise<void> {
    await this.append('status', state, 'soon');
  }

  async authorize(token: PresentedToken): Promise<TokenDecision> {
    const nowMs = this.deps.now.getTime();
    let records = this.deps.tags.get(token.idTag, nowMs);
    // A token used offline and cached as unknown is looked up afresh: the operator may have
    // registered it since, and only a token still unknown is listed as seen offline.
    if (records === undefined || (token.offline && records.length === 0)) records = await this.readTag(token.idTag);
    // The decision is made now, from the records: an expiryDate passes on time even when cached.
    let decision: TokenDecision | null = decideToken(records, this.deps.now, token.type);
    if (!decision) {
      // Unknown, but the operator sent it to this charger in a remote start: let it through
      // until that permission ends, and say when, so the charger's own cache drops it then too.
      const until = this.deps.remoteStarts.expiry(token.idTag, token.type, nowMs);
      // An unknown token gets the real answer, Invalid, also when used offline: the charger
      // decides what to do with its transaction (StopTransactionOnInvalidId / StopTxOnInvalidId).
      decision = until === undefined ? { status: 'Invalid', unknown: true } : { status: 'Accepted', expiryDate: new Date(until).toISOString() };
    }
    // Ending a transaction is never refused as concurrent: it is the tag's own.
    if (decision.status === 'Accepted' && token.purpose !== 'end' && this.concurrent(token)) {
      decision = { ...decision, status: 'ConcurrentTx' };
    }
    if (decision.parentIdTag && token.type !== undefined) {
      // 2.0.1 sends the group as an IdToken, whose type is the group tag's own (see groupTokenType).
      decision = { ...decision, parentType: groupTokenType(await this.recordsOf(decision.parentIdTag)) };
    }
    return decision;
  }

  /** True when CONCURRENT_TX=reject and the tag runs another transaction on this charger. */
  private concurrent(token: PresentedToken): boolean {
    if (this.deps.config.concurrentTx !== 'reject') return false;
    let own = token.transactionId;
    if (own === undefined && token.start16) {
      // A replayed StartTransaction is the transaction its first sending started.
      const id = this.deps.transactionIds.find(startKey16(token.start16));
      if (id !== undefined) own = String(id);
    }
    return this.deps.activeTokens.runningWith(token.idTag, own) !== undefined;
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

  /** Reads a tag's entries from D1, and keeps them (or that there are none) for the next decisions. */
  private async readTag(idTag: string): Promise<IdTagRecord[]> {
    const records = await new IdTagStore(this.deps.db).find(idTag);
    this.deps.tags.put(idTag, records, this.deps.now.getTime());
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
        this.deps.locations.remember(String(seededId), { evseId: 0, connectorId: start.connectorId });
        this.noteRunning(String(seededId), start);
        return seededId;
      }
    }
    // No await from here to the append: the id, its key and the facts commit together.
    const { transactionId: id, abandoned } = ids.assign(key, start.connectorId);
    this.deps.locations.remember(String(id), { evseId: 0, connectorId: start.connectorId });
    this.noteRunning(String(id), start);
    // A transaction still running on this connector was left open by the charger: the new one ends it.
    this.deps.outbox.appendAll([
      ...abandoned.map((transactionId) => ({
        chargerId,
        kind: 'abandon16' as const,
        fact: { transactionId, connectorId: start.connectorId, at: start.startedAt, cause: 'StartTransaction' as const, byTransactionId: id },
      })),
      { chargerId, kind: 'start16' as const, fact: { ...start, transactionId: id } },
    ]);
    // 'soon': operators should see a transaction running within seconds, not FLUSH_DELAY_SECONDS.
    await this.deps.appended('soon');
    return id;
  }

  /** Whatever it was answered, the transaction runs until its stop: the charger may go on charging. */
  private noteRunning(transactionId: string, start: TransactionStart16): void {
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
  }

  async recordProfileChanges(changes: ProfileChange[]): Promise<void> {
    await this.appendEach('profile', changes);
  }

  async recordReservationChanges(changes: ReservationChange[]): Promise<void> {
    await this.appendEach('reservation', changes);
  }

  async queueCommand(action: string, payload: Record<string, unknown>): Promise<void> {
    await this.deps.queueCommand(action, payload);
  }

  async recordReport(report: ChargerReport): Promise<void> {
    // The handler redacted what the spec names; the variables this charger marked WriteOnly are known only here.
    const payload = this.deps.writeOnly ? redactSecrets(report.payload, this.deps.writeOnly) : report.payload;
    const digest = await sha256Hex(JSON.stringify(payload));
    await this.append('report', { ...report, payload, digest });
  }

  async transactionLocation(transactionId: string): Promise<TransactionLocation | undefined> {
    return this.deps.locations.get(transactionId);
  }

  async stopTransaction(stop: TransactionStop16): Promise<void> {
    this.deps.activeTokens.ended(String(stop.transactionId), this.deps.now.getTime());
    // Synchronous with the append: an identical start from now on is a new session.
    this.deps.transactionIds.stopped(stop.transactionId);
    await this.append('stop16', stop, 'soon');
  }

  async recordMeterValues(report: MeterReport): Promise<void> {
    if (report.samples.length > 0) await this.append('meter', report);
  }

  async recordTransactionEvent(event: TransactionEvent201, meter: MeterReport | undefined, sent: unknown): Promise<void> {
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
    const remoteStartIdToken = event.remoteStartId === undefined ? undefined : this.deps.remoteStartLinks.token(event.remoteStartId);
    await this.append('event201', { ...event, samples, digest, remoteStartIdToken }, event.eventType === 'Ended' ? 'soon' : 'batched');
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

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function decideForUnknown(policy: Config['unknownChargerPolicy']): RegistrationStatus {
  if (policy === 'accept') return 'Accepted';
  return policy === 'pending' ? 'Pending' : 'Rejected';
}
