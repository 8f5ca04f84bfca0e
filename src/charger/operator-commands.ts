// Operator commands: what the HTTP API asks a charger to do, sent now or queued until it can take them.
//
// The ChargerSession Durable Object keeps the RPC entry points (the API calls them through its
// stub) and delegates here; this module owns the sending, the queue's delivery and the local list's
// version. It is built anew with each instance: what must outlive one is in the deps' storage.

import type { Config } from '../config';
import type { Outbox } from '../fleet/outbox';
import { logError } from '../log';
import { localListPayload, type LocalListEntry, type LocalListUpdate, type SkippedEntry } from '../ocpp/local-list';
import type { OutboundCalls } from '../ocpp/outbound-calls';
import { stateNeeded, type ChargerState, type StateNeeded } from '../ocpp/outbound-rules';
import type { RegistrationStatus } from '../ocpp/records';
import type { WriteOnlyLookup } from '../ocpp/secrets';
import type { OcppVersion } from '../ocpp/versions';
import { newCommandId } from './command-ids';
import { generatedSlot, type CommandQueue, type QueuedCommand } from './command-queue';
import {
  commandEffects,
  commandFailure,
  commandOutcome,
  prepareCommand,
  prepareQueuedCommand,
  refuseByState,
  refuseCredentialChange,
  type PreparedCommand,
} from './commands';
import type { OutboxHandover } from './handover';
import { remoteStartRequest, type RemoteStarts } from './remote-starts';
import type { CommandOutcome } from './types';

/** Where the local list the charger last accepted is kept in the object's storage. */
const LOCAL_LIST_KEYS = {
  version: 'localListVersion',
  syncedAt: 'localListSyncedAt',
} as const;

/**
 * Commands the CSMS queues on its own (CertificateSigned after a signed CSR) wait a day for the
 * charger. They do not count against MAX_QUEUED_COMMANDS: a newer one replaces one of the same
 * kind still waiting (see CommandQueue.enqueueGenerated).
 */
const GENERATED_COMMAND_TTL_MS = 24 * 3600_000;

export interface OperatorCommandsDeps {
  outbound: OutboundCalls;
  commands: CommandQueue;
  /** The object's storage: the local list's version is kept there. */
  storage: DurableObjectStorage;
  chargerId: () => Promise<string | undefined>;
  protocol: () => Promise<OcppVersion | undefined>;
  remoteStarts: RemoteStarts;
  outbox: Outbox;
  handover: OutboxHandover;
  /** Read at each use: the object's configuration may be replaced while it lives (tests do). */
  config: () => Config;
  writeOnly: WriteOnlyLookup;
  /** The open connection that still takes commands, if there is one. */
  currentSocket: () => WebSocket | undefined;
  getRegistration: () => Promise<RegistrationStatus | null>;
  /** What the spec's stateful rules need to know of the charger (rule-state.ts). */
  chargerState: (protocol: OcppVersion, needed: StateNeeded) => Promise<ChargerState>;
}

export class OperatorCommands {
  /** True while queued commands are being delivered, so only one delivery runs at a time. */
  private delivering = false;
  /** Deliveries this instance has started (not those that found one running): see `deliveriesStarted`. */
  private started = 0;

  constructor(private readonly deps: OperatorCommandsDeps) {}

  /** Sends one CSMS-initiated call and waits for the charger's answer. */
  async sendCommand(action: string, payload: unknown, timeoutSeconds: number): Promise<CommandOutcome> {
    const protocol = await this.deps.protocol();
    const command = prepareCommand(protocol ?? null, action, payload);
    if (!command.ok) return command.refusal;
    if (!this.deps.currentSocket()) {
      return commandFailure(409, 'ChargerOffline', 'The charger is not connected');
    }
    if ((await this.deps.getRegistration()) === 'Rejected') {
      // OCPP: a rejected charger SHALL NOT answer CSMS-initiated calls, so don't wait for one.
      return commandFailure(409, 'ChargerRejected', 'The charger was rejected at boot and will not answer until it is accepted');
    }
    let refusal: Extract<CommandOutcome, { ok: false }> | undefined;
    try {
      refusal = await this.refusedByState(command);
    } catch (error) {
      // Unchecked, it is not sent: the operator may try again.
      logError('read charger state for outbound rules', await this.deps.chargerId(), error);
      return commandFailure(503, 'StateUnavailable', `What ${action} must be checked against (transactions, charging profiles) could not be read; nothing was sent`);
    }
    if (refusal) return refusal;
    const remoteStart = this.rememberRemoteStart(action, command.request);
    const outcome = await this.deps.outbound.call(action, command.request, timeoutSeconds * 1000);
    const result = commandOutcome(command, outcome, timeoutSeconds, this.deps.writeOnly);
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
    const protocol = await this.deps.protocol();
    if (!protocol) return commandFailure(409, 'ChargerOffline', 'The charger has never connected');
    const version = ((await this.deps.storage.get<number>(LOCAL_LIST_KEYS.version)) ?? 0) + 1;
    const { payload, skipped } = localListPayload(protocol, version, updateType, entries);
    const outcome = await this.sendCommand('SendLocalList', payload, timeoutSeconds);
    if (outcome.ok && outcome.result.status === 'Accepted') {
      await this.deps.storage.put({
        [LOCAL_LIST_KEYS.version]: version,
        [LOCAL_LIST_KEYS.syncedAt]: new Date().toISOString(),
      });
    }
    return { ...outcome, listVersion: version, skipped };
  }

  /** The local list version the charger last accepted from us, and when. */
  async localListState(): Promise<{ listVersion: number; syncedAt: string | null }> {
    return {
      listVersion: (await this.deps.storage.get<number>(LOCAL_LIST_KEYS.version)) ?? 0,
      syncedAt: (await this.deps.storage.get<string>(LOCAL_LIST_KEYS.syncedAt)) ?? null,
    };
  }

  /**
   * The refusal of a command that breaks a spec rule needing the charger's state, checked right
   * before it is sent (the state may have changed since it was queued). Throws when the state
   * cannot be read.
   */
  private async refusedByState(command: PreparedCommand): Promise<Extract<CommandOutcome, { ok: false }> | undefined> {
    const needed = stateNeeded(command.protocol, command.action, command.request);
    if (!needed.running && !needed.profiles) return undefined;
    const refused = refuseByState(command, await this.deps.chargerState(command.protocol, needed));
    return refused?.refusal as Extract<CommandOutcome, { ok: false }> | undefined;
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
    return this.deps.remoteStarts.remember(remoteStart, now, now + this.deps.config().remoteStartTokenSeconds * 1000);
  }

  /**
   * A remote start the charger refused (Rejected, or a CALLERROR) lets nothing through; one
   * unanswered may still start. Only this request: another one for the same token keeps its own.
   */
  private settleRemoteStart(requestId: number | undefined, result: CommandOutcome): void {
    if (requestId === undefined) return;
    const refused = result.ok ? result.result.status !== 'Accepted' : (result.error as { code?: string }).code === 'CallError';
    if (refused) this.deps.remoteStarts.refused(requestId);
  }

  /** What a command's answer tells about the charger, kept like its own messages. */
  private async keepCommandEffects(action: string, request: unknown, result: unknown): Promise<void> {
    const chargerId = await this.deps.chargerId();
    const protocol = await this.deps.protocol();
    if (!chargerId || !protocol) return;
    const facts = commandEffects(protocol, action, request, result, new Date().toISOString(), this.deps.writeOnly);
    for (const { kind, fact } of facts) this.deps.outbox.append(chargerId, kind, fact);
    if (facts.length > 0) await this.deps.handover.schedule('batched');
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
    const protocol = (await this.deps.protocol()) ?? null;
    const prepared = prepareQueuedCommand(protocol, action, payload);
    if (!prepared.ok) return prepared.refusal as Extract<CommandOutcome, { ok: false }>;
    // Every queued command is kept in this object and sent one by one: an unbounded queue would
    // let one operator's script fill the object's storage and delay a charger's commands by days.
    const limit = this.deps.config().maxQueuedCommands;
    if (this.deps.commands.pendingCount(Date.now()) >= limit) {
      return commandFailure(429, 'CommandQueueFull', `This charger already has ${limit} queued commands waiting (MAX_QUEUED_COMMANDS); wait for them to be sent or to expire`, {
        limit,
      }) as Extract<CommandOutcome, { ok: false }>;
    }
    const command = this.deps.commands.enqueue(commandId, action, payload, Date.now(), ttlSeconds * 1000);
    this.startDelivery();
    return { ok: true, command };
  }

  /**
   * Queues a command the CSMS generated itself while answering the charger (CertificateSigned).
   * Bounded per kind (one waiting CertificateSigned per certificate type), not by MAX_QUEUED_COMMANDS.
   * The caller starts delivery once its answer is sent.
   */
  queueGenerated(chargerId: string, action: string, payload: unknown): void {
    this.deps.commands.enqueueGenerated(newCommandId(chargerId), action, payload, Date.now(), GENERATED_COMMAND_TTL_MS, generatedSlot(action, payload));
  }

  async queuedCommand(commandId: string): Promise<QueuedCommand | null> {
    return this.deps.commands.get(commandId, Date.now()) ?? null;
  }

  async queuedCommands(limit: number): Promise<QueuedCommand[]> {
    return this.deps.commands.list(Date.now(), limit);
  }

  /** How many deliveries this instance started: one started since a moment has read the queue since then. */
  get deliveriesStarted(): number {
    return this.started;
  }

  /** Starts delivering queued commands in the background, unless a delivery is already running. */
  startDelivery(): void {
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
    this.started += 1;
    try {
      for (;;) {
        if (!this.deps.currentSocket() || (await this.deps.getRegistration()) !== 'Accepted') return;
        const command = this.deps.commands.next(Date.now());
        if (!command) return;
        // Read once a command waits: most deliveries (one per accepted boot) find none.
        const protocol = (await this.deps.protocol()) ?? null;
        // Queued before credential changes were refused on the command route: still not sent.
        // CertificateSigned is the exception: the CSMS queues it itself once it signed the
        // charger's CSR (the command route refuses it from operators at the door).
        const refusal = command.action === 'CertificateSigned' ? undefined : refuseCredentialChange(command.action, command.payload);
        const prepared = refusal ?? prepareCommand(protocol, command.action, command.payload);
        if (!prepared.ok) {
          if (prepared.refusal.ok === false) this.deps.commands.fail(command.id, prepared.refusal.error, Date.now());
          continue;
        }
        // The rules that need the charger's state, as it is now: a TxProfile queued for a
        // transaction that ended since fails with the requirement it breaks, and is not sent.
        let stateRefusal: Extract<CommandOutcome, { ok: false }> | undefined;
        try {
          stateRefusal = await this.refusedByState(prepared);
        } catch (error) {
          // Unchecked, it stays queued (not sent): the next delivery (the next boot, the next command queued) tries again.
          logError('read charger state for outbound rules', await this.deps.chargerId(), error);
          return;
        }
        if (stateRefusal) {
          this.deps.commands.fail(command.id, stateRefusal.error, Date.now());
          continue;
        }
        this.deps.commands.markSent(command.id, Date.now());
        const timeoutSeconds = this.deps.config().commandTimeoutSeconds;
        const remoteStart = this.rememberRemoteStart(command.action, prepared.request);
        const outcome = await this.deps.outbound.call(command.action, prepared.request, timeoutSeconds * 1000);
        if (outcome.kind === 'disconnected') {
          this.deps.commands.requeue(command.id);
          return;
        }
        const result = commandOutcome(prepared, outcome, timeoutSeconds, this.deps.writeOnly);
        this.settleRemoteStart(remoteStart, result);
        if (result.ok) {
          this.deps.commands.succeed(command.id, result.result, Date.now());
          await this.keepCommandEffects(command.action, prepared.request, result.result);
        } else {
          this.deps.commands.fail(command.id, result.error, Date.now());
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
