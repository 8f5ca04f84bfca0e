// Operator commands: what the HTTP API asks a charger to do, sent now or queued until it can take them.
//
// The ChargerSession Durable Object keeps the RPC entry points (the API calls them through its
// stub) and delegates here; this module owns the sending (split to the charger's limits, checked
// against the spec's stateful rules) and the queue's delivery; the local list
// (local-list-sender.ts) and registration decisions (registration-decisions.ts) build on it. It is built anew with each instance: what must outlive one is in the deps' storage.

import type { Config } from '../config';
import type { Outbox } from '../fleet/outbox';
import { logError } from '../log';
import { mergeResults, planCommand, profileCountLimit, profileCountRefusal, type ChargerLimits, type PartOutcome } from '../ocpp/charger-limits';
import type { CallOutcome, OutboundCalls } from '../ocpp/outbound-calls';
import { stateNeeded, type ChargerState, type StateNeeded } from '../ocpp/outbound-rules';
import type { RegistrationStatus } from '../ocpp/records';
import type { Setting } from '../ocpp/settings';
import type { WriteOnlyLookup } from '../ocpp/secrets';
import { pncCommandAction } from '../ocpp/pnc16';
import { NOT_WHILE_PENDING, solicitationOf, tookOn } from '../ocpp/solicited';
import type { OcppVersion } from '../ocpp/versions';
import { newCommandId } from './command-ids';
import { itemCount, limitRefusal, partFailure } from './command-parts';
import { generatedSlot, type CommandQueue, type QueuedCommand } from './command-queue';
import {
  commandEffects,
  commandFailure,
  commandOutcome,
  onTheWire,
  prepareCommand,
  prepareQueuedCommand,
  refuseByState,
  refuseCredentialChange,
  type PreparedCommand,
} from './commands';
import { FirmwareJobs } from './firmware-jobs';
import type { OutboxHandover } from './handover';
import { LocalListSender } from './local-list-sender';
import { registrationDecided } from './registration-decisions';
import { remoteStartRequest, type RemoteStarts } from './remote-starts';
import { ReportedLimits, type ProfileSupport } from './reported-limits';
import { PriceDisplayStore } from './price-display';
import type { SolicitedMessages } from './solicited-messages';
import type { TxProfileMarker } from './tx-profiles';
import type { CommandOutcome, RegistrationDecision, RegistrationEffect } from './types';

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
  /** Marked when a command's answer installs a TxProfile (see tx-profiles.ts). */
  txProfiles: TxProfileMarker;
  outbox: Outbox;
  handover: OutboxHandover;
  /** Read at each use: the object's configuration may be replaced while it lives (tests do). */
  config: () => Config;
  writeOnly: WriteOnlyLookup;
  /** The open connection that still takes commands, if there is one. */
  currentSocket: () => WebSocket | undefined;
  getRegistration: () => Promise<RegistrationStatus | null>;
  /** Keeps how the charger's boot stands (an operator's rejection of a Pending charger takes effect at once). */
  setRegistration: (status: RegistrationStatus) => Promise<void>;
  /** What a charger not yet Accepted may send because of what it is sent. */
  solicited: SolicitedMessages;
  /** What the spec's stateful rules need to know of the charger (rule-state.ts). */
  chargerState: (protocol: OcppVersion, needed: StateNeeded) => Promise<ChargerState>;
}

/** Registration states in which the charger takes commands: Pending is there for provisioning (2.0.1 B02, 1.6 §4.2.1). */
export function takesCommands(registration: RegistrationStatus | null): boolean {
  return registration === 'Accepted' || registration === 'Pending';
}

export class OperatorCommands {
  /** True while queued commands are being delivered, so only one delivery runs at a time. */
  private delivering = false;
  /** Deliveries this instance has started (not those that found one running): see `deliveriesStarted`. */
  private started = 0;
  /** What the charger reported of its message limits (see charger-limits.ts). */
  private readonly limits: ReportedLimits;
  /** Whether the charger shows tariffs and cost, as it reported (see price-display.ts). */
  readonly priceDisplay: PriceDisplayStore;
  /** The firmware updates the charger accepted, moved on by its notifications (see firmware-jobs.ts). */
  readonly firmwareJobs: FirmwareJobs;
  /** The local authorization list and its version (see local-list-sender.ts). */
  readonly localList: LocalListSender;

  constructor(private readonly deps: OperatorCommandsDeps) {
    this.limits = new ReportedLimits(deps.storage);
    this.priceDisplay = new PriceDisplayStore(deps.storage);
    this.firmwareJobs = new FirmwareJobs(deps.storage, deps.outbox);
    this.localList = new LocalListSender({
      storage: deps.storage,
      protocol: deps.protocol,
      limits: this.limits,
      sendCommand: (action, payload, timeoutSeconds) => this.sendCommand(action, payload, timeoutSeconds),
    });
  }

  /** Keeps the message limits among settings the charger reported. */
  async learnLimits(settings: readonly Setting[]): Promise<void> {
    await this.limits.learn(settings);
    await this.priceDisplay.learn(settings);
  }

  /** What the charger declared of the charging profiles it takes (its site fits its profiles to it). */
  async profileSupport(): Promise<ProfileSupport> {
    return this.limits.profileSupport((await this.deps.protocol()) ?? '');
  }

  /** Sends one CSMS-initiated call and waits for the charger's answer. */
  async sendCommand(action: string, payload: unknown, timeoutSeconds: number): Promise<CommandOutcome> {
    const protocol = await this.deps.protocol();
    const command = prepareCommand(protocol ?? null, action, payload);
    if (!command.ok) return command.refusal;
    // prepareCommand refuses every command while the version is unknown.
    const limits = await this.limits.read();
    const plan = planCommand(protocol!, action, command.request, limits);
    if (plan.kind === 'refused') return limitRefusal(plan.refusal);
    if (!this.deps.currentSocket()) {
      return commandFailure(409, 'ChargerOffline', 'The charger is not connected');
    }
    const registration = await this.deps.getRegistration();
    if (registration === 'Rejected') {
      // OCPP: a rejected charger SHALL NOT answer CSMS-initiated calls, so don't wait for one.
      return commandFailure(409, 'ChargerRejected', 'The charger was rejected at boot and will not answer until it is accepted');
    }
    if (registration === 'Pending' && NOT_WHILE_PENDING.has(action)) {
      return commandFailure(409, 'ChargerPending', `The charger's boot was answered Pending: ${action} is not sent until it is Accepted (queue it with ?queue=true to send it then)`);
    }
    let refusal: Extract<CommandOutcome, { ok: false }> | undefined;
    try {
      refusal = await this.refusedByState(command, limits);
    } catch (error) {
      // Unchecked, it is not sent: the operator may try again.
      logError('read charger state for outbound rules', await this.deps.chargerId(), error);
      return commandFailure(503, 'StateUnavailable', `What ${action} must be checked against (transactions, charging profiles) could not be read; nothing was sent`);
    }
    if (refusal) return refusal;
    if (plan.kind === 'parts') return this.sendParts(command, plan.requests, timeoutSeconds);
    const remoteStart = this.rememberRemoteStart(action, command.request);
    const outcome = await this.callCharger(protocol!, registration, action, command.request, timeoutSeconds * 1000);
    const result = commandOutcome(command, outcome, timeoutSeconds, this.deps.writeOnly);
    this.settleRemoteStart(remoteStart, result);
    if (result.ok) await this.keepCommandEffects(action, command.request, result.result);
    return result;
  }

  /**
   * Sends the parts of a command split to fit the charger's limits, one CALL after another, and
   * merges their answers in order. The first part that fails stops the rest: the answer then says
   * what each part sent was answered and how many were not sent. Each part's answer is kept like a
   * whole command's (the settings it reports).
   */
  private async sendParts(command: PreparedCommand, requests: Record<string, unknown>[], timeoutSeconds: number): Promise<CommandOutcome> {
    const parts: PartOutcome[] = [];
    const results: Record<string, unknown>[] = [];
    for (const [index, request] of requests.entries()) {
      const part: PreparedCommand = { ...command, request };
      const wire = onTheWire(command.action, request);
      const outcome = await this.deps.outbound.call(wire.action, wire.payload, timeoutSeconds * 1000);
      const result = commandOutcome(part, outcome, timeoutSeconds, this.deps.writeOnly);
      const items = itemCount(request);
      if (!result.ok) {
        parts.push({ part: index + 1, items, error: result.error });
        return partFailure(result, parts, requests.length);
      }
      parts.push({ part: index + 1, items, result: result.result });
      results.push(result.result);
      await this.keepCommandEffects(command.action, request, result.result);
    }
    return { ok: true, result: mergeResults(command.action, results), parts: parts.map(({ part, items }) => ({ part, items })) };
  }

  /**
   * Sends one CALL and waits for its outcome. To a charger not yet Accepted, what the call
   * solicits (a triggered message, a report) is noted first, so the charger's messages in answer
   * are let through (see solicited-messages.ts), even one that comes before its answer.
   */
  private async callCharger(
    protocol: OcppVersion,
    registration: RegistrationStatus | null,
    action: string,
    request: unknown,
    timeoutMs: number,
  ): Promise<CallOutcome> {
    const solicitation = registration === 'Accepted' ? undefined : solicitationOf(protocol, action, request);
    const noted = solicitation && (await this.deps.solicited.expect(solicitation, Date.now()));
    // A Plug & Charge command to a 1.6 charger goes as DataTransfer (ocpp/pnc16.ts).
    const wire = onTheWire(action, request);
    const outcome = await this.deps.outbound.call(wire.action, wire.payload, timeoutMs);
    if (noted) {
      // A CALLERROR takes nothing on; a timeout or a lost connection may have.
      const took = outcome.kind === 'result' ? tookOn(outcome.payload) : outcome.kind !== 'error';
      await this.deps.solicited.answered(noted, took, Date.now());
    }
    return outcome;
  }

  /** The operator changed the charger's registration decision: see registration-decisions.ts. */
  async registrationDecided(decision: RegistrationDecision, timeoutSeconds: number): Promise<RegistrationEffect> {
    return registrationDecided(
      {
        getRegistration: this.deps.getRegistration,
        setRegistration: this.deps.setRegistration,
        connected: () => this.deps.currentSocket() !== undefined,
        sendCommand: (action, payload, timeout) => this.sendCommand(action, payload, timeout),
      },
      decision,
      timeoutSeconds,
    );
  }

  /** What the spec's stateful rules know of the charger: its running transactions and installed profiles, as `needed`. */
  ruleState(protocol: OcppVersion, needed: StateNeeded): Promise<ChargerState> {
    return this.deps.chargerState(protocol, needed);
  }

  /**
   * The refusal of a command that breaks a spec rule needing the charger's state, or that would
   * take the charger past the number of charging profiles it reported it holds, checked right
   * before it is sent (the state may have changed since it was queued). The installed profiles are
   * read from the mirror once for both. Throws when the state cannot be read.
   */
  private async refusedByState(command: PreparedCommand, limits: ChargerLimits): Promise<Extract<CommandOutcome, { ok: false }> | undefined> {
    const needed = stateNeeded(command.protocol, command.action, command.request);
    const counted = profileCountLimit(command.protocol, command.action, command.request, limits) !== undefined;
    if (!needed.running && !needed.profiles && !counted) return undefined;
    const state = await this.deps.chargerState(command.protocol, { ...needed, profiles: needed.profiles || counted });
    const refused = refuseByState(command, state);
    if (refused) return refused.refusal as Extract<CommandOutcome, { ok: false }>;
    const over = profileCountRefusal(command.protocol, command.action, command.request, limits, state.profiles);
    return over ? limitRefusal(over) : undefined;
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
    const now = new Date().toISOString();
    const facts = commandEffects(protocol, action, request, result, now, this.deps.writeOnly);
    await this.deps.txProfiles.note(facts.flatMap((f) => (f.kind === 'profile' ? [f.fact] : [])));
    for (const { kind, fact } of facts) this.deps.outbox.append(chargerId, kind, fact);
    const settings = facts.flatMap((f) => (f.kind === 'setting' ? [f.fact] : []));
    await this.limits.learn(settings);
    await this.priceDisplay.learn(settings);
    const jobStarted = await this.firmwareJobs.commandAnswered(chargerId, protocol, action, request, result, now);
    if (facts.length > 0 || jobStarted) await this.deps.handover.schedule('batched');
  }

  /**
   * Queues a command to be sent once the charger is connected and its boot Accepted or Pending,
   * in the order queued; returns at once. See `deliverQueued`.
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
   * Sends queued commands one by one while the charger is connected and its boot Accepted or
   * Pending (provisioning is what Pending is for). A command a Pending charger may not be sent
   * (NOT_WHILE_PENDING) waits for it to be Accepted, and those queued after it with it: the queue
   * keeps its order. A command whose charger disconnects before answering goes back to the queue
   * and is sent again on the next connection: delivery is at least once.
   */
  private async deliverQueued(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    this.started += 1;
    try {
      for (;;) {
        const registration = await this.deps.getRegistration();
        if (!this.deps.currentSocket() || !takesCommands(registration)) return;
        const command = this.deps.commands.next(Date.now());
        if (!command) return;
        if (registration === 'Pending' && NOT_WHILE_PENDING.has(command.action)) return;
        // Read once a command waits: most deliveries (one per accepted boot) find none.
        const protocol = (await this.deps.protocol()) ?? null;
        // Queued before credential changes were refused on the command route: still not sent.
        // CertificateSigned is the exception: the CSMS queues it itself once it signed the
        // charger's CSR (the command route refuses it from operators at the door), for a 1.6
        // Plug & Charge CSR as PnC.CertificateSigned.
        const generated = command.action === 'CertificateSigned' || command.action === pncCommandAction('CertificateSigned');
        const refusal = generated ? undefined : refuseCredentialChange(command.action, command.payload);
        const prepared = refusal ?? prepareCommand(protocol, command.action, command.payload);
        if (!prepared.ok) {
          if (prepared.refusal.ok === false) this.deps.commands.fail(command.id, prepared.refusal.error, Date.now());
          continue;
        }
        // Fitted to the charger's limits as a command sent at once is.
        const limits = await this.limits.read();
        const plan = planCommand(protocol!, command.action, prepared.request, limits);
        if (plan.kind === 'refused') {
          const refusal = limitRefusal(plan.refusal);
          this.deps.commands.fail(command.id, refusal.error, Date.now());
          continue;
        }
        // The rules that need the charger's state, as it is now: a TxProfile queued for a
        // transaction that ended since fails with the requirement it breaks, and is not sent.
        let stateRefusal: Extract<CommandOutcome, { ok: false }> | undefined;
        try {
          stateRefusal = await this.refusedByState(prepared, limits);
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
        if (plan.kind === 'parts') {
          const result = await this.sendParts(prepared, plan.requests, timeoutSeconds);
          // Disconnected in the middle: all of it again on the next connection (these commands read or set values, again and again the same).
          if (!result.ok && result.error.code === 'ChargerOffline') {
            this.deps.commands.requeue(command.id);
            return;
          }
          if (result.ok) this.deps.commands.succeed(command.id, result.result, Date.now());
          else this.deps.commands.fail(command.id, result.error, Date.now());
          continue;
        }
        const remoteStart = this.rememberRemoteStart(command.action, prepared.request);
        const outcome = await this.callCharger(protocol!, registration, command.action, prepared.request, timeoutSeconds * 1000);
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
