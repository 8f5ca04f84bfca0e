// ChargerSession: the Durable Object that terminates one charger's WebSocket and speaks OCPP with it.
//
// There is one object per charger id. It uses the WebSocket Hibernation API, so an idle
// charger costs nothing between heartbeats: the runtime may evict the object and wake a
// fresh instance for the next frame. Anything that must outlive an instance therefore lives
// in the socket's attachment (per-connection facts) or in the object's storage (the
// registration decision); in-memory fields are caches or belong to a request in progress.
//
// This class holds the runtime's hooks and the RPC entry points the HTTP API calls; the work is
// in its parts: connections.ts (accepting, ending and checking the connection), identity.ts (the
// charger id, version and registration), charger-calls.ts (answering the charger's CALLs),
// operator-commands.ts (the CSMS's own calls), handover.ts (the outbox's way to D1) and
// due-work.ts (the one alarm).

import { DurableObject } from 'cloudflare:workers';
import { readConfig, type Config } from '../config';
import type { Env } from '../env';
import { Outbox } from '../fleet/outbox';
import { logDropped, logError, logWarning } from '../log';
import { OcppError } from '../ocpp/errors';
import { CALL, CALLRESULT, CALLRESULTERROR, parseFrame, SEND, serializeError, UNREADABLE_MESSAGE_ID, type CallResultError } from '../ocpp/frames';
import { OutboundCalls } from '../ocpp/outbound-calls';
import { PROFILES } from '../ocpp/protocol';
import { callResultError } from '../ocpp/reply-checks';
import type { LocalListEntry, LocalListUpdate, SkippedEntry } from '../ocpp/local-list';
import { redactSecrets, type WriteOnlyLookup } from '../ocpp/secrets';
import { countingD1 } from '../store/counting-d1';
import { isolateStats, markIsolateStarted } from '../isolate-stats';
import { countStorage } from '../counting-storage';
import { CallReports } from './call-reports';
import { ChargerCalls } from './charger-calls';
import { CommandQueue, type QueuedCommand } from './command-queue';
import { ConnectionHistory } from './connection-history';
import { ChargerConnections } from './connections';
import type { CredentialPolicy } from './credential-policy';
import { DriverPrices } from './driver-price';
import { LiveFeed } from './live-feed';
import { SiteFeed } from './site-feed';
import { DueWork, type Task } from './due-work';
import { MessageJournal, type JournalEntry } from './journal';
import { checkFrameSize } from './frame-limits';
import { OutboxHandover } from './handover';
import { ActiveTokens } from './active-tokens';
import { IdTagCache } from './id-tag-cache';
import { ChargerIdentity } from './identity';
import { LIVENESS_CHECK_MS } from './liveness';
import { OperatorCommands } from './operator-commands';
import { RemoteStarts } from './remote-starts';
import { chargerRuleState } from './rule-state';
import { migrateChargerSchema } from './schema';
import { forgetChargerStatements, runningTransactions, type DeletionOutcome } from './deletion';
import { SolicitedMessages } from './solicited-messages';
import { TransactionIds } from './transaction-ids';
import { EvseTransactions } from './evse-transactions';
import { TransactionPrices, type RunningPrice } from './transaction-prices';
import { TransactionEnds } from './transaction-ends';
import { TxProfileMarker } from './tx-profiles';
import type { ProfileSupport } from './reported-limits';
import { TransactionLocations } from './transaction-locations';
import { closeQuietly, readAttachment, sendQuietly, updateAttachment, type OcppAttachment, type SocketAttachment } from './socket';
import {
  CLOSE_CODES,
  type CommandOutcome,
  type LiveStatus,
  type RegistrationDecision,
  type RegistrationEffect,
  type SessionStats,
} from './types';

export class ChargerSession extends DurableObject<Env> {
  private readonly config: Config;
  /** Calls from the charger are answered strictly in arrival order, even across awaits. */
  private inbound: Promise<void> = Promise.resolve();
  private readonly outbound: OutboundCalls;
  private readonly outbox: Outbox;
  private readonly prices: TransactionPrices;
  private readonly remoteStarts: RemoteStarts;
  private readonly journal: MessageJournal;
  private readonly dueWork: DueWork;
  /** D1 statements this instance ran itself (reset when it is evicted); see `stats`. */
  private readonly d1Counter = { statements: 0 };
  private readonly db: D1Database;
  private readonly handover: OutboxHandover;
  /** The charger id, its version and its registration decision, kept in storage. */
  private readonly identity: ChargerIdentity;
  /** Accepting, ending and checking the charger's connection. */
  private readonly connections: ChargerConnections;
  /** When this instance last received a frame (the socket's attachment has it to the second). */
  private lastFrameAt: number | undefined;
  /** What operators ask of the charger: sent now, or queued until it can take them. */
  private readonly operatorCommands: OperatorCommands;
  /** Answers each CALL from the charger. */
  private readonly calls: ChargerCalls;
  /** Shows the driver running and final costs (see driver-price.ts). */
  private readonly driverPrices: DriverPrices;
  /** Records each connection's start and end. */
  private readonly history: ConnectionHistory;
  /** What the charger may send, while not Accepted, because the CSMS asked for it. */
  private readonly solicited: SolicitedMessages;
  /** Set once the charger was deleted (see `deleteCharger`): this instance takes no connection until it is reset. */
  private deleted = false;
  /** What open live consoles are told of this charger (see live-feed.ts). */
  private readonly live: LiveFeed;
  /** What the charger's site allocator is told, when the charger is on a site (see site-feed.ts). */
  private readonly site: SiteFeed;

  // The constructor also runs when a hibernated object wakes for a frame, so it only
  // builds in-memory helpers; durable facts are read on demand.
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    countStorage(ctx, 'charger');
    markIsolateStarted();
    isolateStats.chargerObjectsConstructed += 1;
    this.config = readConfig(env);
    // One version read once the schema is current: no DDL on a wake from hibernation.
    migrateChargerSchema(ctx.storage.sql);
    this.outbound = new OutboundCalls({
      send: (text) => {
        const socket = this.connections.current();
        if (!socket) return false;
        this.journal.record('out', text);
        socket.send(text);
        return true;
      },
      newMessageId: () => crypto.randomUUID(),
    });
    this.outbox = new Outbox(ctx.storage.sql);
    const locations = new TransactionLocations(ctx.storage.sql);
    const tags = new IdTagCache(ctx.storage.sql, this.config.idTagCacheSeconds);
    this.remoteStarts = new RemoteStarts(ctx.storage.sql);
    const activeTokens = new ActiveTokens(ctx.storage.sql);
    const transactionIds = new TransactionIds(ctx.storage.sql);
    const evseTransactions = new EvseTransactions(ctx.storage.sql);
    const prices = new TransactionPrices(ctx.storage.sql);
    this.prices = prices;
    this.live = new LiveFeed({
      env: () => this.env,
      waitUntil: (promise) => ctx.waitUntil(promise),
      endedCost: (transactionId) => {
        const row = prices.get(transactionId);
        return row?.kind === 'priced' && row.ended ? row.totalCost : null;
      },
      unwatched: () => this.keepWatchMark(0),
    });
    this.site = new SiteFeed({ env: () => this.env, storage: ctx.storage, waitUntil: (promise) => ctx.waitUntil(promise) });
    const transactionEnds = new TransactionEnds(ctx.storage.sql);
    const txProfiles = new TxProfileMarker(ctx.storage);
    // A watching console sees each frame as the journal keeps it: redacted.
    this.journal = new MessageJournal(ctx.storage.sql, this.config.journalSize, this.config.journalMode, {
      active: () => this.live.watched,
      kept: (entry) => this.live.journaled(entry),
    });
    // Variables the charger reported WriteOnly are secret in queued commands too.
    // A command sent by an earlier instance can no longer be matched to its answer: the queue sends it again (at its first use).
    const commands = new CommandQueue(ctx.storage.sql, this.writeOnly);
    this.dueWork = new DueWork(ctx.storage.sql, ctx.storage, () => this.outbox.size > 0);
    this.db = countingD1(env.DB, this.d1Counter);
    this.handover = new OutboxHandover({
      outbox: this.outbox,
      dueWork: this.dueWork,
      config: this.config,
      env,
      events: () => this.env.EVENTS,
      db: this.db,
      chargerId: () => this.identity.chargerId(),
      lastSeen: () => {
        const socket = this.connections.current();
        if (!socket) return undefined;
        // The attachment keeps lastSeen to the second; this instance knows the last frame exactly.
        return Math.max(readAttachment(socket)?.lastSeen ?? 0, this.lastFrameAt ?? 0) || undefined;
      },
    });
    this.history = new ConnectionHistory({
      db: () => this.db,
      chargerId: () => this.identity.chargerId(),
      outbox: this.outbox,
      handover: this.handover,
      storage: ctx.storage,
    });
    this.solicited = new SolicitedMessages(ctx.storage);
    this.identity = new ChargerIdentity(ctx.storage, () => this.solicited.clear());
    this.operatorCommands = new OperatorCommands({
      outbound: this.outbound,
      commands,
      storage: ctx.storage,
      chargerId: () => this.identity.chargerId(),
      protocol: () => this.identity.protocol(),
      remoteStarts: this.remoteStarts,
      txProfiles,
      outbox: this.outbox,
      handover: this.handover,
      config: () => this.config,
      writeOnly: this.writeOnly,
      currentSocket: () => this.connections.current(),
      getRegistration: () => this.identity.getRegistration(),
      setRegistration: (status) => this.identity.setRegistration(status),
      solicited: this.solicited,
      chargerState: (protocol, needed) =>
        chargerRuleState(
          { db: () => this.db, chargerId: () => this.identity.chargerId(), transactionIds, evseTransactions, flushToD1: () => this.handover.flushToD1() },
          protocol,
          needed,
        ),
    });
    this.driverPrices = new DriverPrices({
      config: () => this.config,
      prices,
      display: this.operatorCommands.priceDisplay,
      dueWork: this.dueWork,
      outbound: this.outbound,
      connected: () => this.connections.current() !== undefined,
      protocol: () => this.identity.protocol(),
      registration: () => this.identity.getRegistration(),
      chargerId: () => this.identity.chargerId(),
      storage: ctx.storage,
      queueCommand: (chargerId, action, payload) => this.operatorCommands.queueGenerated(chargerId, action, payload),
    });
    this.calls = new ChargerCalls({
      config: () => this.config,
      db: () => this.db,
      storage: ctx.storage,
      outbox: this.outbox,
      locations,
      tags,
      remoteStarts: this.remoteStarts,
      activeTokens,
      transactionIds,
      evseTransactions,
      prices,
      txProfiles,
      writeOnly: this.writeOnly,
      handover: this.handover,
      dueWork: this.dueWork,
      operatorCommands: this.operatorCommands,
      reports: new CallReports({ env: () => this.env, transactionEnds }),
      getRegistration: () => this.identity.getRegistration(),
      setRegistration: (status) => this.identity.setRegistration(status),
      solicited: this.solicited,
      send: (ws, text) => this.send(ws, text),
      driverPrices: this.driverPrices,
      live: this.live,
      site: this.site,
    });
    this.connections = new ChargerConnections({
      ctx,
      config: this.config,
      identity: this.identity,
      outbound: this.outbound,
      dueWork: this.dueWork,
      history: this.history,
      operatorCommands: this.operatorCommands,
      live: this.live,
      site: this.site,
    });
  }

  /** Whether the charger reported a variable WriteOnly (learnt by the journal): its values are secret everywhere. */
  private readonly writeOnly: WriteOnlyLookup = (component, variable) => this.journal.isWriteOnly(component, variable);

  /** Accepts a charger's WebSocket (see connections.ts). */
  override async fetch(request: Request): Promise<Response> {
    if (this.deleted) return new Response('The charger was deleted', { status: 410 });
    return this.connections.accept(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    isolateStats.chargerWebSocketMessages += 1;
    // A deleted charger's last frames, arriving before the instance is reset, are not read.
    if (this.deleted) return;
    const attachment = readAttachment(ws);
    if (!attachment) {
      closeQuietly(ws, CLOSE_CODES.internal, 'Unknown connection');
      return;
    }
    // A connection closed for breaking a frame limit: what it sent after that is not read.
    if (attachment.refused) return;
    // The socket keeps lastSeen to the second (for the offline check and D1's copy): rewriting the
    // attachment on every frame costs more than it tells. This frame's handling sees the exact time.
    const now = Date.now();
    const stale = now - attachment.lastSeen >= 1_000;
    attachment.lastSeen = now;
    this.lastFrameAt = now;
    if (stale) ws.serializeAttachment({ ocpp: attachment } satisfies SocketAttachment);
    // Woken from hibernation, the object has lost a console's watch from memory: the socket kept it.
    if (attachment.watchedUntil) this.live.restoreWatch(attachment.chargerId, attachment.watchedUntil);

    const tooBig = checkFrameSize(message, this.config.maxFrameBytes);
    if (tooBig) return this.connections.close(ws, tooBig.code, tooBig.reason);
    // Kept with the answer (one storage call for both when they are written), or after the frame is handled.
    this.journal.hold('in', message);

    const next = this.inbound.then(async () => {
      let refused = false;
      try {
        if (readAttachment(ws)?.refused) return;
        refused = (await this.handleFrame(ws, attachment, message)) === 'refused';
        if (refused) await this.connections.countBadFrame(ws);
      } finally {
        // A refused frame not answered (a reply to no call, a malformed frame without an id) is kept durably.
        this.journal.flush(refused);
      }
    });
    this.inbound = next.catch((error) => logError('inbound frame', attachment.chargerId, error));
    return this.inbound;
  }

  /** Sends a frame to the charger, and keeps it in the journal once sent. */
  private send(ws: WebSocket, text: string): void {
    if (sendQuietly(ws, text)) this.journal.record('out', text);
  }

  /** The charger's last frames, both directions, newest first. Called by the HTTP API. */
  async messages(limit: number): Promise<JournalEntry[]> {
    return this.journal.list(limit);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, 1000, 'Closing');
    // Its end was recorded when it was deleted: nothing more is written to the wiped storage.
    if (this.deleted) return;
    await this.connections.ended(ws, `The charger disconnected (${code}${reason ? `: ${reason}` : ''})`);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    if (this.deleted) return;
    logError('websocket', readAttachment(ws)?.chargerId, error);
    await this.connections.ended(ws, 'The connection failed');
  }

  /**
   * The charger's credentials changed: closes each connection that would not be admitted under
   * `policy` (see credential-policy.ts), so nothing more is answered or sent on it. Called by the API.
   */
  async enforceCredentials(policy: CredentialPolicy): Promise<{ closed: number }> {
    return this.connections.enforceCredentials(policy);
  }

  /** Closes the charger's live connection, on an operator's request. Called by the API. */
  async disconnect(): Promise<{ disconnected: boolean }> {
    const socket = this.connections.current();
    if (!socket) return { disconnected: false };
    await this.connections.close(socket, CLOSE_CODES.operator, 'Disconnected by the operator');
    return { disconnected: true };
  }

  /**
   * DELETE /chargers/{id}: flushes this object's facts to D1, refuses while a transaction runs
   * (unless `force`), closes the connection (4004), wipes the object's storage, then forgets the
   * charger's D1 rows; see deletion.ts for what goes and what stays. No frame is handled meanwhile.
   * The API then calls `resetInstance`. Called by the HTTP API, with the id (the object may never have stored it).
   */
  async deleteCharger(chargerId: string, force: boolean): Promise<DeletionOutcome> {
    return this.ctx.blockConcurrencyWhile(async (): Promise<DeletionOutcome> => {
      const unflushed = (): DeletionOutcome => ({
        ok: false,
        status: 503,
        error: { code: 'FlushFailed', message: "The charger's facts could not all be copied to D1 yet: nothing was deleted; try again" },
      });
      await this.handover.flushToD1();
      if (this.outbox.size > 0) return unflushed();
      const running = await runningTransactions(this.db, chargerId);
      if (running.length > 0 && !force) {
        return {
          ok: false,
          status: 409,
          error: {
            code: 'TransactionsRunning',
            message: `The charger has ${running.length} transaction(s) running: stop them first, or delete with ?force=true (they are kept as they are, never ended by the CSMS)`,
            transactions: running,
          },
        };
      }
      let disconnected = false;
      for (const ws of this.ctx.getWebSockets()) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        await this.connections.close(ws, CLOSE_CODES.deleted, 'The charger was deleted by the operator');
        disconnected = true;
      }
      this.outbound.failAll('The charger was deleted');
      // The closed connection's end is a fact too: it reaches D1 before the storage holding it goes.
      await this.handover.flushToD1();
      if (this.outbox.size > 0) return unflushed();
      const queuedCommandsDropped = (await this.operatorCommands.queuedCommands(10_000)).filter(
        (command) => command.status === 'queued' || command.status === 'sent',
      ).length;
      this.deleted = true;
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      // An instance not reset yet still reads and writes its tables: they exist again, empty.
      migrateChargerSchema(this.ctx.storage.sql);
      await this.db.batch(forgetChargerStatements(this.db, chargerId));
      return { ok: true, disconnected, queuedCommandsDropped, runningTransactions: running };
    });
  }

  /**
   * Ends this instance (ctx.abort), after `deleteCharger`: its memory held what the storage no
   * longer does, so the next request gets a fresh instance over the empty storage. The call
   * itself fails (the abort ends it): the API ignores that.
   */
  async resetInstance(): Promise<void> {
    this.ctx.abort('The charger was deleted');
  }

  /**
   * The one alarm runs whatever is due: the liveness check, a retry of D1's copy of a
   * disconnection, and the outbox flush (whenever facts wait). A liveness check due within the
   * hour runs with another due task: the object is awake anyway, and the next wake-up is then an
   * hour away. It does not run with every flush: each run rewrites its row.
   */
  override async alarm(): Promise<void> {
    isolateStats.chargerAlarms += 1;
    if (this.deleted) return;
    for (const task of this.dueWork.takeDue(Date.now(), { tasks: ['offline-check'], withinMs: LIVENESS_CHECK_MS })) {
      await this.run(task);
    }
    await this.handover.flushOnAlarm();
    await this.dueWork.arm();
  }

  private async run(task: Task): Promise<void> {
    // A flush row from before the flush kept none: flushOnAlarm runs it.
    if (task === 'flush') return;
    if (task === 'record-offline') return this.connections.retryDisconnectionCopy();
    if (task === 'cost-update') return this.driverPrices.sendRunningCosts();
    return this.connections.checkLiveness();
  }

  /** Hands everything waiting to the FleetWriter now, without waiting for the alarm. */
  async handOver(): Promise<SessionStats> {
    await this.handover.handOver();
    return this.stats();
  }

  /** Copies everything this charger produced to D1 now, e.g. before an operator reads it. */
  async flushNow(): Promise<SessionStats> {
    await this.handover.flushToD1();
    return this.stats();
  }

  /**
   * A running transaction's cost so far, as if it ended now (TransactionPrices.running): for the
   * single-transaction view. Null when this object does not price it (none applies, or it ended).
   */
  async runningCost(transactionId: string): Promise<RunningPrice | null> {
    return this.prices.running(transactionId, new Date().toISOString());
  }

  /** What this instance has cost in D1 statements, and what still waits in its outbox. */
  async stats(): Promise<SessionStats> {
    return { d1Statements: this.d1Counter.statements, outboxEntries: this.outbox.size };
  }

  // Operator commands (see operator-commands.ts): the RPC entry points the HTTP API calls through the stub.

  /** Sends one CSMS-initiated call and waits for the charger's answer. Called by the HTTP API. */
  async sendCommand(action: string, payload: unknown, timeoutSeconds: number): Promise<CommandOutcome> {
    const outcome = await this.operatorCommands.sendCommand(action, payload, timeoutSeconds);
    this.live.commandAnswered(action, redactSecrets(outcome, this.writeOnly));
    return outcome;
  }

  /** The transactions running on the charger as its object knows them (its site checks its sessions against them). */
  async runningSessions(): Promise<Array<{ transactionId: string; evseId: number }>> {
    const protocol = await this.identity.protocol();
    if (!protocol) return [];
    const state = await this.operatorCommands.ruleState(protocol, { running: true, profiles: false });
    return state.running.map((t) => ({ transactionId: t.transactionId, evseId: t.evseId }));
  }

  /** What the charger declared of the charging profiles it takes: its site sends a W-only charger watts, within its stack levels. */
  async profileSupport(): Promise<ProfileSupport> {
    return this.operatorCommands.profileSupport();
  }

  /**
   * The API put this charger on a site (null: took it off). Kept in the object's storage; the site is
   * told at once when the charger is connected, and of every session and reading from then on.
   */
  async assignSite(siteId: string | null): Promise<{ siteId: string | null }> {
    const chargerId = await this.identity.chargerId();
    const connected = this.connections.current() !== undefined;
    await this.site.assign(chargerId ?? '', await this.identity.protocol(), connected && chargerId !== undefined, siteId);
    return { siteId };
  }

  /**
   * The live console hub's mark: a console watches this charger until `untilMs` (0: none does any
   * more). Until then its journal frames, meter values and command outcomes are published. Kept in
   * memory and on the charger's socket, so that it outlives the object's hibernation.
   */
  async watch(chargerId: string, untilMs: number): Promise<{ connected: boolean }> {
    this.live.watch(chargerId, untilMs);
    return { connected: this.keepWatchMark(untilMs) };
  }

  /** Puts the watch mark on the charger's socket (its attachment, free to keep); whether one is connected. */
  private keepWatchMark(untilMs: number): boolean {
    const ws = this.connections.current();
    if (ws) updateAttachment(ws, { watchedUntil: untilMs });
    return ws !== undefined;
  }

  /** Sends the charger a local authorization list; see LocalListSender.send. Called by the HTTP API. */
  async sendLocalList(
    updateType: LocalListUpdate,
    entries: LocalListEntry[],
    timeoutSeconds: number,
  ): Promise<CommandOutcome & { listVersion?: number; skipped?: SkippedEntry[] }> {
    return this.operatorCommands.localList.send(updateType, entries, timeoutSeconds);
  }

  /** The local list version the charger last accepted from us, and when. */
  async localListState(): Promise<{ listVersion: number; syncedAt: string | null }> {
    return this.operatorCommands.localList.state();
  }

  /** Queues a command to be sent once the charger is connected and accepted; returns at once. */
  async queueCommand(
    commandId: string,
    action: string,
    payload: unknown,
    ttlSeconds: number,
  ): Promise<{ ok: true; command: QueuedCommand } | Extract<CommandOutcome, { ok: false }>> {
    return this.operatorCommands.queueCommand(commandId, action, payload, ttlSeconds);
  }

  async queuedCommand(commandId: string): Promise<QueuedCommand | null> {
    return this.operatorCommands.queuedCommand(commandId);
  }

  async queuedCommands(limit: number): Promise<QueuedCommand[]> {
    return this.operatorCommands.queuedCommands(limit);
  }

  /** The operator changed the charger's registration decision; see registration-decisions.ts. Called by the HTTP API. */
  async registrationDecided(decision: RegistrationDecision, timeoutSeconds: number): Promise<RegistrationEffect> {
    return this.operatorCommands.registrationDecided(decision, timeoutSeconds);
  }

  /** What only the live object knows: is a socket open, and when did the last frame arrive. */
  async liveStatus(): Promise<LiveStatus> {
    const socket = this.connections.current();
    const attachment = socket && readAttachment(socket);
    return {
      connected: Boolean(attachment),
      protocol: attachment?.protocol ?? (await this.identity.protocol()) ?? null,
      lastSeen: attachment ? new Date(attachment.lastSeen).toISOString() : null,
      registrationStatus: await this.identity.getRegistration(),
      pendingCommands: this.outbound.pendingCount,
    };
  }

  /**
   * Handles one frame. It is `refused` when it was malformed, a reply to nothing (a late answer
   * to a call that timed out is not that), a CALL
   * answered with a CALLERROR other than InternalError, a SEND refused (2.1: never answered either
   * way), or a CALLRESULTERROR (2.1; see `callResultErrorReceived`): such frames count against the
   * connection's bad-frame budget.
   */
  private async handleFrame(
    ws: WebSocket,
    attachment: OcppAttachment,
    message: string | ArrayBuffer,
  ): Promise<'handled' | 'refused'> {
    const { protocol, chargerId } = attachment;
    if (typeof message !== 'string') {
      this.send(ws, serializeError(protocol, UNREADABLE_MESSAGE_ID, new OcppError('FormatViolation', 'OCPP-J frames are text, not binary')));
      return 'refused';
    }
    const parsed = parseFrame(message, protocol);
    if (!parsed.ok) {
      if (parsed.answer) this.send(ws, serializeError(protocol, parsed.replyId, parsed.error));
      else logDropped(chargerId, parsed.error.message);
      return 'refused';
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case CALL:
        return this.calls.answer(ws, attachment, frame, message);
      case SEND:
        return this.calls.take(attachment, frame, message);
      case CALLRESULTERROR:
        return this.callResultErrorReceived(chargerId, frame);
    }
    if (frame.type === CALLRESULT) {
      // 2.1: an answer to our call that fails its schema is told to the charger (reply-checks.ts).
      const action = this.outbound.awaiting(frame.id);
      const error = action === undefined ? undefined : callResultError(PROFILES[protocol], action, frame);
      if (error) this.send(ws, error);
    }
    if (this.outbound.settle(frame)) return 'handled';
    // An answer that came after its call timed out is slow, not hostile: logged, not charged.
    const late = this.outbound.timedOut(frame.id);
    if (late !== undefined) {
      logWarning('late reply', chargerId, `reply ${frame.id} to ${late} came after the call timed out`);
      return 'handled';
    }
    logDropped(chargerId, `reply ${frame.id} matches no pending call`);
    return 'refused';
  }

  /**
   * A 2.1 charger could not process one of our answers (a CALLRESULT we sent under `frame.id`).
   * It is never answered; the journal keeps it durably, as it keeps a CALLERROR, and the log says
   * what the charger objected to. Our answers are checked against their schemas before they leave,
   * so a charger has little reason to send one: each spends the bad-frame budget like a reply to
   * nothing, which bounds what a flood of them (each a durable journal row) can cost.
   */
  private callResultErrorReceived(chargerId: string, frame: CallResultError): 'refused' {
    // Its description is free text that could echo what we sent: it is read in the journal, which scrubs it.
    logWarning('callresulterror received', chargerId, `the charger could not process our answer ${frame.id}: ${frame.code}`);
    return 'refused';
  }
}
