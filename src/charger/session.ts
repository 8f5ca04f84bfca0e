// ChargerSession: the Durable Object that terminates one charger's WebSocket and speaks OCPP with it.
//
// There is one object per charger id. It uses the WebSocket Hibernation API, so an idle
// charger costs nothing between heartbeats: the runtime may evict the object and wake a
// fresh instance for the next frame. Anything that must outlive an instance therefore lives
// in the socket's attachment (per-connection facts) or in the object's storage (the
// registration decision); in-memory fields are caches or belong to a request in progress.

import { DurableObject } from 'cloudflare:workers';
import { readConfig, type Config } from '../config';
import type { Env } from '../env';
import { Outbox } from '../fleet/outbox';
import { logDropped, logError, logMessage, logWarning } from '../log';
import { answerCall } from '../ocpp/dispatch';
import { OcppError } from '../ocpp/errors';
import { CALL, parseFrame, serializeError, UNREADABLE_MESSAGE_ID, type Call } from '../ocpp/frames';
import { OutboundCalls } from '../ocpp/outbound-calls';
import { PROFILES } from '../ocpp/protocol';
import { localListPayload, type LocalListEntry, type LocalListUpdate, type SkippedEntry } from '../ocpp/local-list';
import type { RegistrationStatus } from '../ocpp/records';
import type { WriteOnlyLookup } from '../ocpp/secrets';
import type { OcppVersion } from '../ocpp/versions';
import { ChargerStore, type ConnectionEvent } from '../store/chargers';
import { countingD1 } from '../store/counting-d1';
import { isolateStats, markIsolateStarted } from '../isolate-stats';
import { newCommandId } from './command-ids';
import { CommandQueue, generatedSlot, type QueuedCommand } from './command-queue';
import {
  commandEffects,
  commandFailure,
  commandOutcome,
  prepareCommand,
  prepareQueuedCommand,
  refuseCredentialChange,
} from './commands';
import { ADMISSION_HEADER, readAdmissionHeader, stillQualifies, type CredentialPolicy } from './credential-policy';
import { DueWork, type Task } from './due-work';
import { endedTransactionId, eventsFor } from './events';
import { MessageJournal, type JournalEntry } from './journal';
import { chargeBadFrame, checkFrameSize, frameBytes, type LimitClose } from './frame-limits';
import { billingCritical, chargeWrites, worthKeeping, writeCostOf, type WriteTally } from './write-budget';
import { OutboxHandover } from './handover';
import { ActiveTokens } from './active-tokens';
import { IdTagCache } from './id-tag-cache';
import { LAST_SEEN_FLUSH_MS, offlineAfterMs } from './liveness';
import { DurableChargerRecords } from './records';
import { remoteStartRequest, RemoteStarts } from './remote-starts';
import { TransactionIds } from './transaction-ids';
import { EvseTransactions } from './evse-transactions';
import { TransactionEnds } from './transaction-ends';
import { TransactionLocations } from './transaction-locations';
import {
  closeQuietly,
  markEnded,
  readAttachment,
  sendQuietly,
  updateAttachment,
  type OcppAttachment,
  type SocketAttachment,
} from './socket';
import { CLOSE_CODES, type CommandOutcome, type LiveStatus, type SessionStats } from './types';

const STORAGE_KEYS = {
  chargerId: 'chargerId',
  protocol: 'protocol',
  registration: 'registrationStatus',
  localListVersion: 'localListVersion',
  localListSyncedAt: 'localListSyncedAt',
  writeTally: 'writeTally',
} as const;

/** The close reason of a connection a newer one replaced, and its entry in the connection history. */
const REPLACED_REASON = 'Replaced by a new connection from the same charger';
/**
 * Commands the CSMS queues on its own (CertificateSigned after a signed CSR) wait a day for the
 * charger. They do not count against MAX_QUEUED_COMMANDS: a newer one replaces one of the same
 * kind still waiting (see CommandQueue.enqueueGenerated).
 */
const GENERATED_COMMAND_TTL_MS = 24 * 3600_000;

export class ChargerSession extends DurableObject<Env> {
  private readonly config: Config;
  /** Calls from the charger are answered strictly in arrival order, even across awaits. */
  private inbound: Promise<void> = Promise.resolve();
  private readonly outbound: OutboundCalls;
  private readonly outbox: Outbox;
  private readonly locations: TransactionLocations;
  private readonly tags: IdTagCache;
  private readonly remoteStarts: RemoteStarts;
  private readonly activeTokens: ActiveTokens;
  private readonly transactionIds: TransactionIds;
  private readonly evseTransactions: EvseTransactions;
  /** Transactions whose end was announced on the events queue. */
  private readonly transactionEnds: TransactionEnds;
  private readonly commands: CommandQueue;
  private readonly journal: MessageJournal;
  /** True while queued commands are being delivered, so only one delivery runs at a time. */
  private delivering = false;
  private readonly dueWork: DueWork;
  /** D1 statements this instance ran itself (reset when it is evicted); see `stats`. */
  private readonly d1Counter = { statements: 0 };
  private readonly db: D1Database;
  private registration: RegistrationStatus | null | undefined;
  private readonly handover: OutboxHandover;
  /** When this instance last received a frame (the socket's attachment has it to the second). */
  private lastFrameAt: number | undefined;
  /** The charger's write budget as this instance spent it; read from storage once per instance. */
  private writeTally: WriteTally | undefined;

  // The constructor also runs when a hibernated object wakes for a frame, so it only
  // builds in-memory helpers; durable facts are read on demand.
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    markIsolateStarted();
    isolateStats.chargerObjectsConstructed += 1;
    this.config = readConfig(env);
    this.outbound = new OutboundCalls({
      send: (text) => {
        const socket = this.currentSocket();
        if (!socket) return false;
        this.journal.record('out', text);
        socket.send(text);
        return true;
      },
      newMessageId: () => crypto.randomUUID(),
    });
    this.outbox = new Outbox(ctx.storage.sql);
    this.locations = new TransactionLocations(ctx.storage.sql);
    this.tags = new IdTagCache(ctx.storage.sql, this.config.idTagCacheSeconds);
    this.remoteStarts = new RemoteStarts(ctx.storage.sql);
    this.activeTokens = new ActiveTokens(ctx.storage.sql);
    this.transactionIds = new TransactionIds(ctx.storage.sql);
    this.evseTransactions = new EvseTransactions(ctx.storage.sql);
    this.transactionEnds = new TransactionEnds(ctx.storage.sql);
    this.journal = new MessageJournal(ctx.storage.sql, this.config.journalSize);
    // Variables the charger reported WriteOnly are secret in queued commands too.
    this.commands = new CommandQueue(ctx.storage.sql, this.writeOnly);
    // A command sent by an earlier instance can no longer be matched to its answer.
    this.commands.requeueAllSent();
    this.dueWork = new DueWork(ctx.storage.sql, ctx.storage);
    this.db = countingD1(env.DB, this.d1Counter);
    this.handover = new OutboxHandover({
      outbox: this.outbox,
      dueWork: this.dueWork,
      config: this.config,
      env,
      chargerId: () => this.ctx.storage.get<string>(STORAGE_KEYS.chargerId),
      lastSeen: () => {
        const socket = this.currentSocket();
        if (!socket) return undefined;
        // The attachment keeps lastSeen to the second; this instance knows the last frame exactly.
        return Math.max(readAttachment(socket)?.lastSeen ?? 0, this.lastFrameAt ?? 0) || undefined;
      },
    });
  }

  /** Whether the charger reported a variable WriteOnly (learnt by the journal): its values are secret everywhere. */
  private readonly writeOnly: WriteOnlyLookup = (component, variable) => this.journal.isWriteOnly(component, variable);

  private get store(): ChargerStore {
    return new ChargerStore(this.db);
  }

  /** Accepts a charger's WebSocket. The Worker has already checked the id and chosen the subprotocol. */
  override async fetch(request: Request): Promise<Response> {
    const chargerId = request.headers.get('x-charger-id');
    const protocol = request.headers.get('x-ocpp-protocol') as OcppVersion | null;
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !chargerId || !protocol) {
      return new Response('Expected a WebSocket upgrade from the Worker', { status: 400 });
    }

    // A new connection replaces the old one: no half-open sessions.
    let replaced = false;
    for (const old of this.ctx.getWebSockets()) {
      // Its end is recorded here, once: its close event comes while the new connection is open, which then says nothing.
      const ending = readAttachment(old);
      if (ending && !ending.ended) {
        markEnded(old, ending);
        replaced = true;
      }
      closeQuietly(old, CLOSE_CODES.replaced, REPLACED_REASON);
    }
    this.outbound.failAll('The charger reconnected before answering');

    const now = Date.now();
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    const admission = readAdmissionHeader(request.headers.get(ADMISSION_HEADER));
    const attachment: SocketAttachment = { ocpp: { chargerId, protocol, connectedAt: now, lastSeen: now, admission } };
    server.serializeAttachment(attachment);

    const previousProtocol = await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol);
    if (previousProtocol !== undefined && previousProtocol !== protocol) {
      // A charger that changed version must boot again under the new one.
      await this.setRegistration(null);
    }
    await this.ctx.storage.put({ [STORAGE_KEYS.chargerId]: chargerId, [STORAGE_KEYS.protocol]: protocol });
    await this.dueWork.schedule('offline-check', now + this.offlineAfterMs());
    if (replaced) await this.appendConnectionEvent({ at: new Date(now).toISOString(), event: 'offline', reason: REPLACED_REASON });
    await this.appendConnectionEvent({ at: new Date(now).toISOString(), event: 'online' });
    await this.tryStore('record connection', (store) =>
      store.recordConnection(chargerId, protocol, true, new Date(now).toISOString()),
    );

    // A charger accepted before needs no new boot to take queued commands; give it a moment
    // to send what it sends on connecting first.
    if ((await this.getRegistration()) === 'Accepted') setTimeout(() => this.startDelivery(), 1_000);
    return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': protocol } });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
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

    const tooBig = checkFrameSize(message, this.config.maxFrameBytes);
    if (tooBig) return this.closeForLimit(ws, tooBig);
    // Written with the answer (one storage call for both), or after the frame is handled.
    this.journal.hold('in', message);

    const next = this.inbound.then(async () => {
      try {
        if (readAttachment(ws)?.refused) return;
        if ((await this.handleFrame(ws, attachment, message)) === 'refused') await this.countBadFrame(ws);
      } finally {
        this.journal.flush();
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

  /** Counts a frame we had to refuse against the connection's budget, and closes the connection once it is spent. */
  private async countBadFrame(ws: WebSocket): Promise<void> {
    const current = readAttachment(ws);
    if (!current || current.refused) return;
    const { tally, close } = chargeBadFrame(current.badFrames, Date.now(), this.config.badFrameBudget);
    updateAttachment(ws, { badFrames: tally });
    if (close) await this.closeForLimit(ws, close);
  }

  private async closeForLimit(ws: WebSocket, close: LimitClose): Promise<void> {
    const attachment = updateAttachment(ws, { refused: true });
    logWarning('connection closed', attachment?.chargerId, close.reason);
    closeQuietly(ws, close.code, close.reason);
    await this.connectionEnded(ws, `The CSMS closed the connection: ${close.reason}`);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, 1000, 'Closing');
    await this.connectionEnded(ws, `The charger disconnected (${code}${reason ? `: ${reason}` : ''})`);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    logError('websocket', readAttachment(ws)?.chargerId, error);
    await this.connectionEnded(ws, 'The connection failed');
  }

  /**
   * The charger's credentials changed: closes each connection that would not be admitted under
   * `policy` (see credential-policy.ts), so nothing more is answered or sent on it. Called by the API.
   */
  async enforceCredentials(policy: CredentialPolicy): Promise<{ closed: number }> {
    let closed = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = readAttachment(ws);
      if (!attachment || attachment.refused || stillQualifies(attachment.admission, policy)) continue;
      await this.endConnection(ws, CLOSE_CODES.credentialsChanged, 'The charger credentials changed: connect again with the new ones');
      closed += 1;
    }
    return { closed };
  }

  /** Closes the charger's live connection, on an operator's request. Called by the API. */
  async disconnect(): Promise<{ disconnected: boolean }> {
    const socket = this.currentSocket();
    if (!socket) return { disconnected: false };
    await this.endConnection(socket, CLOSE_CODES.operator, 'Disconnected by the operator');
    return { disconnected: true };
  }

  /** Closes a connection from our side: what it still sends is not read, and its end is recorded now. */
  private async endConnection(ws: WebSocket, code: number, reason: string): Promise<void> {
    const attachment = updateAttachment(ws, { refused: true });
    logWarning('connection closed', attachment?.chargerId, reason);
    closeQuietly(ws, code, reason);
    await this.connectionEnded(ws, `The CSMS closed the connection: ${reason}`);
  }

  /** The one alarm runs whatever is due: the offline check, the outbox flush. */
  override async alarm(): Promise<void> {
    for (const task of this.dueWork.takeDue(Date.now())) {
      await this.run(task);
    }
    await this.dueWork.arm();
  }

  private async run(task: Task): Promise<void> {
    if (task === 'flush') {
      await this.handover.flush();
      return;
    }
    // The offline check: a charger silent for `offlineAfterIntervals` heartbeats is disconnected.
    const socket = this.currentSocket();
    const attachment = socket && readAttachment(socket);
    if (!socket || !attachment) {
      // The check is cancelled when a connection's end is recorded, so this one's end was not:
      // the socket went with the object (a deploy, a crash) and no close event came. Record it
      // now, once (the check is not scheduled again until a new connection).
      await this.connectionLost();
      return;
    }
    const deadline = attachment.lastSeen + this.offlineAfterMs();
    if (Date.now() < deadline) {
      await this.dueWork.schedule('offline-check', deadline);
      return;
    }
    closeQuietly(socket, CLOSE_CODES.silent, 'No message within the heartbeat timeout');
    await this.connectionEnded(socket, 'The charger stopped responding');
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

  /** What this instance has cost in D1 statements, and what still waits in its outbox. */
  async stats(): Promise<SessionStats> {
    return { d1Statements: this.d1Counter.statements, outboxEntries: this.outbox.size };
  }

  /** Sends one CSMS-initiated call and waits for the charger's answer. Called by the HTTP API. */
  async sendCommand(action: string, payload: unknown, timeoutSeconds: number): Promise<CommandOutcome> {
    const protocol = await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol);
    const command = prepareCommand(protocol ?? null, action, payload);
    if (!command.ok) return command.refusal;
    if (!this.currentSocket()) {
      return commandFailure(409, 'ChargerOffline', 'The charger is not connected');
    }
    if ((await this.getRegistration()) === 'Rejected') {
      // OCPP: a rejected charger SHALL NOT answer CSMS-initiated calls, so don't wait for one.
      return commandFailure(409, 'ChargerRejected', 'The charger was rejected at boot and will not answer until it is accepted');
    }
    const remoteStart = this.rememberRemoteStart(action, command.request);
    const outcome = await this.outbound.call(action, command.request, timeoutSeconds * 1000);
    const result = commandOutcome(command, outcome, timeoutSeconds, this.writeOnly);
    this.settleRemoteStart(remoteStart, result);
    if (result.ok) await this.keepCommandEffects(action, command.request, result.result);
    return result;
  }

  /**
   * Sends the charger a local authorization list built from `entries`, numbered one past the
   * last version it accepted; the new version is kept once it accepts this one.
   */
  async sendLocalList(
    updateType: LocalListUpdate,
    entries: LocalListEntry[],
    timeoutSeconds: number,
  ): Promise<CommandOutcome & { listVersion?: number; skipped?: SkippedEntry[] }> {
    const protocol = await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol);
    if (!protocol) return commandFailure(409, 'ChargerOffline', 'The charger has never connected');
    const version = ((await this.ctx.storage.get<number>(STORAGE_KEYS.localListVersion)) ?? 0) + 1;
    const { payload, skipped } = localListPayload(protocol, version, updateType, entries);
    const outcome = await this.sendCommand('SendLocalList', payload, timeoutSeconds);
    if (outcome.ok && outcome.result.status === 'Accepted') {
      await this.ctx.storage.put({
        [STORAGE_KEYS.localListVersion]: version,
        [STORAGE_KEYS.localListSyncedAt]: new Date().toISOString(),
      });
    }
    return { ...outcome, listVersion: version, skipped };
  }

  /** The local list version the charger last accepted from us, and when. */
  async localListState(): Promise<{ listVersion: number; syncedAt: string | null }> {
    return {
      listVersion: (await this.ctx.storage.get<number>(STORAGE_KEYS.localListVersion)) ?? 0,
      syncedAt: (await this.ctx.storage.get<string>(STORAGE_KEYS.localListSyncedAt)) ?? null,
    };
  }

  /**
   * A remote start is remembered before the CALL leaves: the charger may ask about its token
   * (Authorize) or start right after answering, before this instance has read the answer.
   * Returns the request's id, if it is one.
   */
  private rememberRemoteStart(action: string, request: unknown): number | undefined {
    const remoteStart = remoteStartRequest(action, request);
    if (!remoteStart) return undefined;
    const now = Date.now();
    return this.remoteStarts.remember(remoteStart, now, now + this.config.remoteStartTokenSeconds * 1000);
  }

  /**
   * A remote start the charger refused (Rejected, or a CALLERROR) lets nothing through; one
   * unanswered may still start. Only this request: another one for the same token keeps its own.
   */
  private settleRemoteStart(requestId: number | undefined, result: CommandOutcome): void {
    if (requestId === undefined) return;
    const refused = result.ok ? result.result.status !== 'Accepted' : (result.error as { code?: string }).code === 'CallError';
    if (refused) this.remoteStarts.refused(requestId);
  }

  /** What a command's answer tells about the charger, kept like its own messages. */
  private async keepCommandEffects(action: string, request: unknown, result: unknown): Promise<void> {
    const chargerId = await this.ctx.storage.get<string>(STORAGE_KEYS.chargerId);
    const protocol = await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol);
    if (!chargerId || !protocol) return;
    const facts = commandEffects(protocol, action, request, result, new Date().toISOString(), this.writeOnly);
    for (const { kind, fact } of facts) this.outbox.append(chargerId, kind, fact);
    if (facts.length > 0) await this.handover.schedule('batched');
  }

  /**
   * Queues a command to be sent once the charger is connected and its boot accepted, in the
   * order queued; returns at once. See `deliverQueued`.
   */
  async queueCommand(
    commandId: string,
    action: string,
    payload: unknown,
    ttlSeconds: number,
  ): Promise<{ ok: true; command: QueuedCommand } | Extract<CommandOutcome, { ok: false }>> {
    const protocol = (await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol)) ?? null;
    const prepared = prepareQueuedCommand(protocol, action, payload);
    if (!prepared.ok) return prepared.refusal as Extract<CommandOutcome, { ok: false }>;
    // Every queued command is kept in this object and sent one by one: an unbounded queue would
    // let one operator's script fill the object's storage and delay a charger's commands by days.
    const limit = this.config.maxQueuedCommands;
    if (this.commands.pendingCount(Date.now()) >= limit) {
      return commandFailure(429, 'CommandQueueFull', `This charger already has ${limit} queued commands waiting (MAX_QUEUED_COMMANDS); wait for them to be sent or to expire`, {
        limit,
      }) as Extract<CommandOutcome, { ok: false }>;
    }
    const command = this.commands.enqueue(commandId, action, payload, Date.now(), ttlSeconds * 1000);
    this.startDelivery();
    return { ok: true, command };
  }

  async queuedCommand(commandId: string): Promise<QueuedCommand | null> {
    return this.commands.get(commandId, Date.now()) ?? null;
  }

  async queuedCommands(limit: number): Promise<QueuedCommand[]> {
    return this.commands.list(Date.now(), limit);
  }

  private startDelivery(): void {
    this.deliverQueued().catch((error) => logError('deliver queued commands', undefined, error));
  }

  /**
   * Sends queued commands one by one while the charger is connected and accepted. A command
   * whose charger disconnects before answering goes back to the queue and is sent again on
   * the next connection: delivery is at least once.
   */
  private async deliverQueued(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (;;) {
        if (!this.currentSocket() || (await this.getRegistration()) !== 'Accepted') return;
        const protocol = (await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol)) ?? null;
        const command = this.commands.next(Date.now());
        if (!command) return;
        // Queued before credential changes were refused on the command route: still not sent.
        // CertificateSigned is the exception: the CSMS queues it itself once it signed the
        // charger's CSR (the command route refuses it from operators at the door).
        const refusal = command.action === 'CertificateSigned' ? undefined : refuseCredentialChange(command.action, command.payload);
        const prepared = refusal ?? prepareCommand(protocol, command.action, command.payload);
        if (!prepared.ok) {
          if (prepared.refusal.ok === false) this.commands.fail(command.id, prepared.refusal.error, Date.now());
          continue;
        }
        this.commands.markSent(command.id, Date.now());
        const timeoutSeconds = this.config.commandTimeoutSeconds;
        const remoteStart = this.rememberRemoteStart(command.action, prepared.request);
        const outcome = await this.outbound.call(command.action, prepared.request, timeoutSeconds * 1000);
        if (outcome.kind === 'disconnected') {
          this.commands.requeue(command.id);
          return;
        }
        const result = commandOutcome(prepared, outcome, timeoutSeconds, this.writeOnly);
        this.settleRemoteStart(remoteStart, result);
        if (result.ok) {
          this.commands.succeed(command.id, result.result, Date.now());
          await this.keepCommandEffects(command.action, prepared.request, result.result);
        } else {
          this.commands.fail(command.id, result.error, Date.now());
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  /** What only the live object knows: is a socket open, and when did the last frame arrive. */
  async liveStatus(): Promise<LiveStatus> {
    const socket = this.currentSocket();
    const attachment = socket && readAttachment(socket);
    return {
      connected: Boolean(attachment),
      protocol: attachment?.protocol ?? (await this.ctx.storage.get<OcppVersion>(STORAGE_KEYS.protocol)) ?? null,
      lastSeen: attachment ? new Date(attachment.lastSeen).toISOString() : null,
      registrationStatus: await this.getRegistration(),
      pendingCommands: this.outbound.pendingCount,
    };
  }

  /**
   * Handles one frame. It is `refused` when it was malformed, a reply to nothing (a late answer
   * to a call that timed out is not that), or a CALL
   * answered with a CALLERROR other than InternalError: such frames count against the
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
    const parsed = parseFrame(message);
    if (!parsed.ok) {
      if (parsed.answer) this.send(ws, serializeError(protocol, parsed.replyId, parsed.error));
      else logDropped(chargerId, parsed.error.message);
      return 'refused';
    }
    const frame = parsed.frame;
    if (frame.type !== CALL) {
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

    const overBudget = await this.spendWriteBudget(chargerId, frame, message);
    if (overBudget) {
      // Valid input, only too much of it: answered, stored nowhere, and not a bad frame.
      this.send(ws, serializeError(protocol, frame.id, overBudget));
      if (overBudget.kind !== 'InternalError') logWarning('write budget', chargerId, overBudget.message);
      return 'handled';
    }

    const now = new Date(attachment.lastSeen);
    const started = Date.now();
    let deliverAfterAnswer = false;
    const records = new DurableChargerRecords({
      db: this.db,
      outbox: this.outbox,
      locations: this.locations,
      tags: this.tags,
      remoteStarts: this.remoteStarts,
      activeTokens: this.activeTokens,
      transactionIds: this.transactionIds,
      evseTransactions: this.evseTransactions,
      chargerId,
      protocol,
      config: this.config,
      writeOnly: this.writeOnly,
      now,
      rememberRegistration: (status) => this.setRegistration(status),
      appended: (urgency) => this.handover.schedule(urgency),
      queueCommand: async (action, payload) => {
        // Bounded per kind (one waiting CertificateSigned per certificate type), not by MAX_QUEUED_COMMANDS.
        this.commands.enqueueGenerated(newCommandId(chargerId), action, payload, Date.now(), GENERATED_COMMAND_TTL_MS, generatedSlot(action, payload));
        deliverAfterAnswer = true;
      },
    });
    let refused = false;
    const answer = await answerCall(
      PROFILES[protocol],
      frame,
      {
        chargerId,
        messageId: frame.id,
        now,
        connectedAt: new Date(attachment.connectedAt),
        heartbeatIntervalSeconds: this.config.heartbeatIntervalSeconds,
        records,
      },
      {
        accepted: (await this.getRegistration()) === 'Accepted',
        onInternalError: (action, error) => logError(action, chargerId, error),
        onRefused: () => {
          refused = true;
        },
      },
    );
    this.send(ws, answer);
    // In Workers, Date.now() advances only with I/O: the duration counts the storage waits, which are what varies.
    const durationMs = Date.now() - started;
    const outcome = answer.startsWith('[4,') ? (JSON.parse(answer) as [number, string, string])[2] : 'result';
    if (this.config.logMessages) logMessage({ chargerId, messageId: frame.id, action: frame.action, protocol, durationMs, outcome });
    await this.report(chargerId, protocol, frame, answer, outcome, durationMs);
    // A charger just accepted may take what was queued for it; so may one we just queued for.
    if (deliverAfterAnswer || (frame.action === 'BootNotification' && (await this.getRegistration()) === 'Accepted')) {
      this.startDelivery();
    }
    if (!this.dueWork.isScheduled('flush')) {
      // Nothing to copy but lastSeen: bring D1's copy up to date now and then.
      await this.dueWork.schedule('flush', Date.now() + LAST_SEEN_FLUSH_MS, 'earliest');
    }
    return refused ? 'refused' : 'handled';
  }

  /**
   * Charges a CALL to the charger's write budget (see write-budget.ts); the CALLERROR to answer
   * when it is spent. The tally is kept in the object's storage, so neither hibernation nor a
   * reconnection resets it; it is only written once a tenth of the budget is spent, so a charger
   * well within it costs no storage write.
   */
  private async spendWriteBudget(chargerId: string, frame: Call, text: string): Promise<OcppError | undefined> {
    const budget = { rows: this.config.writeBudgetRows, bytes: this.config.writeBudgetBytes };
    const cost = writeCostOf(frame.payload, frameBytes(text));
    let charged: ReturnType<typeof chargeWrites>;
    try {
      this.writeTally ??= await this.ctx.storage.get<WriteTally>(STORAGE_KEYS.writeTally);
      // A bill's own messages are never refused (a charger drops them after a few retries): charged into debt.
      charged = chargeWrites(this.writeTally, cost, Date.now(), budget, billingCritical(frame.action, frame.payload));
      if (charged.refused || worthKeeping(charged.tally, budget)) await this.ctx.storage.put(STORAGE_KEYS.writeTally, charged.tally);
    } catch (error) {
      // Every CALL gets its answer: storage failing here is ours to report, and the charger retries.
      logError('write budget', chargerId, error);
      return new OcppError('InternalError', `Could not process ${frame.action}; please retry`);
    }
    this.writeTally = charged.tally;
    if (!charged.refused) return undefined;
    const { measure, limit, retryAfterSeconds } = charged.refused;
    const unit = measure === 'rows' ? 'rows (messages, sampled values, report entries)' : 'bytes';
    return new OcppError(
      'GenericError',
      `Write budget spent: this charger may store ${limit} ${unit} a minute. Nothing of this ${frame.action} was stored; send it again in ${retryAfterSeconds} s`,
      { limit: measure, perMinute: limit, retryAfterSeconds },
    );
  }

  /**
   * Optional outputs, each only when its binding exists: a metrics data point per CALL answered
   * (Analytics Engine), and business events (a Queue). A failure is logged; the charger already
   * has its answer and the facts are stored either way.
   */
  private async report(chargerId: string, protocol: string, frame: Call, answer: string, outcome: string, durationMs: number): Promise<void> {
    this.env.METRICS?.writeDataPoint({
      blobs: [chargerId, protocol, frame.action, outcome],
      doubles: [durationMs, outcome === 'result' ? 0 : 1],
      indexes: [chargerId],
    });
    if (!this.env.EVENTS || outcome !== 'result') return;
    const result = (JSON.parse(answer) as [number, string, Record<string, unknown>])[2];
    // Noted only for a CALL answered with a result: an end refused or failed was not an end, and its retry is the first.
    const ended = endedTransactionId(frame.action, frame.payload);
    const repeatedEnd = ended !== undefined && !this.transactionEnds.first(ended);
    const events = eventsFor(chargerId, protocol, frame.action, frame.payload, result, new Date().toISOString(), repeatedEnd);
    if (events.length === 0) return;
    try {
      await this.env.EVENTS.sendBatch(events.map((body) => ({ body })));
    } catch (error) {
      logError('send events', chargerId, error);
    }
  }

  private async connectionEnded(ws: WebSocket, reason: string): Promise<void> {
    // A socket closed because a newer one replaced it says nothing about the charger.
    const others = this.ctx.getWebSockets().filter((s) => s !== ws && s.readyState === WebSocket.OPEN);
    if (others.length > 0) return;
    this.outbound.failAll(reason);
    const attachment = readAttachment(ws);
    // Both our own close (silent charger) and the close event that follows it end up here; count it once.
    if (!attachment || attachment.ended) return;
    markEnded(ws, attachment);
    await this.dueWork.cancel('offline-check');
    await this.appendConnectionEvent({ at: new Date().toISOString(), event: 'offline', reason });
    await this.tryStore('record disconnection', (store) =>
      store.recordConnection(attachment.chargerId, attachment.protocol, false, new Date(attachment.lastSeen).toISOString()),
    );
  }

  /** Records the end of a connection whose socket is gone without a close event. */
  private async connectionLost(): Promise<void> {
    const chargerId = await this.ctx.storage.get<string>(STORAGE_KEYS.chargerId);
    if (!chargerId) return;
    const at = new Date().toISOString();
    await this.appendConnectionEvent({ at, event: 'offline', reason: 'The connection was lost without a close (the session restarted)' });
    // D1's last_seen stays as it was: the exact time went with the socket.
    await this.tryStore('record lost connection', (store) => store.recordConnectionLost(chargerId, at));
  }

  private async appendConnectionEvent(event: ConnectionEvent): Promise<void> {
    const chargerId = await this.ctx.storage.get<string>(STORAGE_KEYS.chargerId);
    if (!chargerId) return;
    this.outbox.append(chargerId, 'connection', event);
    await this.handover.schedule(event.event === 'offline' ? 'soon' : 'batched');
  }

  private currentSocket(): WebSocket | undefined {
    // A connection the CSMS refused (a frame limit, changed credentials) takes no more commands.
    return this.ctx.getWebSockets().find((s) => s.readyState === WebSocket.OPEN && !readAttachment(s)?.refused);
  }

  private offlineAfterMs(): number {
    return offlineAfterMs(this.config);
  }

  private async getRegistration(): Promise<RegistrationStatus | null> {
    if (this.registration === undefined) {
      this.registration = (await this.ctx.storage.get<RegistrationStatus>(STORAGE_KEYS.registration)) ?? null;
    }
    return this.registration;
  }

  private async setRegistration(status: RegistrationStatus | null): Promise<void> {
    if (status === null) await this.ctx.storage.delete(STORAGE_KEYS.registration);
    else await this.ctx.storage.put(STORAGE_KEYS.registration, status);
    this.registration = status;
  }

  /** For bookkeeping that no charger waits on: a failure is logged, not thrown. */
  private async tryStore(what: string, write: (store: ChargerStore) => Promise<void>): Promise<void> {
    try {
      await write(this.store);
    } catch (error) {
      logError(what, undefined, error);
    }
  }
}
