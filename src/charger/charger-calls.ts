// Answers one CALL from the charger: charges its write budget, handles it durably, sends the
// answer, and then does what follows the answer (metrics and events, queued commands, D1's copy).
// A SEND (2.1) goes the same way to its handler, and nothing is sent back.
//
// The ChargerSession Durable Object reads the frame and settles replies to its own calls; each
// CALL comes here, one at a time in arrival order (the session chains them).

import type { Config } from '../config';
import { contractCertificateProvider } from './contract-cert-provider';
import { configuredCertificateAuthority } from './certificate-authority';
import { ocspChecker } from './ocsp-client';
import { trustedCertificates } from '../ocpp/trust-chain';
import { TrustRootStore } from '../store/trust-roots';
import { logDropped, logError, logMessage, logWarning } from '../log';
import { answerCall, takeSend } from '../ocpp/dispatch';
import { OcppError } from '../ocpp/errors';
import { serializeError, type Call, type Request, type Send } from '../ocpp/frames';
import type { HandlerContext } from '../ocpp/handlers';
import { PROFILES } from '../ocpp/protocol';
import type { RegistrationStatus } from '../ocpp/records';
import type { WriteOnlyLookup } from '../ocpp/secrets';
import type { CallReports } from './call-reports';
import type { DueWork } from './due-work';
import { frameBytes } from './frame-limits';
import type { OutboxHandover } from './handover';
import { takesCommands, type OperatorCommands } from './operator-commands';
import { showsTariff, type DriverPrices, type ShownAfterAnswer } from './driver-price';
import { DurableChargerRecords, type RecordsDeps } from './records';
import type { LiveFeed } from './live-feed';
import type { SiteFeed } from './site-feed';
import type { SolicitedMessages } from './solicited-messages';
import type { OcppAttachment } from './socket';
import { billingCritical, chargeWrites, worthKeeping, writeCostOf, type WriteTally } from './write-budget';

/** Where the charger's write budget is kept in the object's storage. */
const WRITE_TALLY_KEY = 'writeTally';

/** The per-charger stores each CALL's records work with (see records.ts), as the session built them. */
type CallStores = Pick<
  RecordsDeps,
  'outbox' | 'locations' | 'tags' | 'remoteStarts' | 'activeTokens' | 'transactionIds' | 'evseTransactions' | 'txProfiles' | 'prices'
>;

export interface ChargerCallsDeps extends CallStores {
  /** Read at each CALL: the object's configuration may be replaced while it lives (tests do). */
  config: () => Config;
  /** Read at each CALL, like `config` (tests replace it to simulate a D1 outage). */
  db: () => D1Database;
  /** The object's storage: the write budget's tally is kept there. */
  storage: DurableObjectStorage;
  writeOnly: WriteOnlyLookup;
  handover: OutboxHandover;
  dueWork: DueWork;
  operatorCommands: OperatorCommands;
  reports: CallReports;
  getRegistration: () => Promise<RegistrationStatus | null>;
  setRegistration: (status: RegistrationStatus | null) => Promise<void>;
  /** What a charger not yet Accepted may send because the CSMS asked (read only while it is not Accepted). */
  solicited: SolicitedMessages;
  /** Sends a frame on the connection, and keeps it in the journal once sent. */
  send: (ws: WebSocket, text: string) => void;
  /** Shows the driver running and final costs (see driver-price.ts). */
  driverPrices?: DriverPrices;
  /** Open live consoles hear of what the answered CALL changed (live-feed.ts). */
  live?: LiveFeed;
  /** The charger's site allocator hears of sessions and readings (site-feed.ts). */
  site?: SiteFeed;
}

export class ChargerCalls {
  /** The charger's write budget as this instance spent it; read from storage once per instance. */
  private writeTally: WriteTally | undefined;

  constructor(private readonly deps: ChargerCallsDeps) {}

  /**
   * Answers one CALL. It is `refused` when it was answered with a CALLERROR other than
   * InternalError: such frames count against the connection's bad-frame budget.
   */
  async answer(ws: WebSocket, attachment: OcppAttachment, frame: Call, message: string): Promise<'handled' | 'refused'> {
    const { protocol, chargerId } = attachment;

    const overBudget = await this.spendWriteBudget(chargerId, frame, message);
    if (overBudget) {
      // Valid input, only too much of it: answered, stored nowhere, and not a bad frame.
      this.deps.send(ws, serializeError(protocol, frame.id, overBudget));
      if (overBudget.kind !== 'InternalError') logWarning('write budget', chargerId, overBudget.message);
      return 'handled';
    }

    const now = new Date(attachment.lastSeen);
    const started = Date.now();
    let deliverAfterAnswer = false;
    /** What the driver is shown after the answer (1.6: SetUserPrice, FinalCost), as this CALL's records told it. */
    const shown: ShownAfterAnswer = {};
    const records = this.recordsFor(attachment, now, shown, () => {
      deliverAfterAnswer = true;
    });
    let refused = false;
    const accepted = (await this.deps.getRegistration()) === 'Accepted';
    // Only a charger not Accepted reads what it was asked for: an accepted one's frames cost nothing more.
    const solicited = accepted ? undefined : await this.deps.solicited.matcher(Date.now());
    let wasSolicited = false;
    const answer = await answerCall(
      PROFILES[protocol],
      frame,
      this.contextFor(attachment, frame.id, now, records),
      {
        accepted,
        solicited: solicited && ((action, payload) => (wasSolicited = solicited(action, payload))),
        onInternalError: (action, error) => logError(action, chargerId, error),
        onRefused: () => {
          refused = true;
        },
      },
    );
    this.deps.send(ws, answer);
    await this.deps.driverPrices?.afterAnswer(protocol, frame, !answer.startsWith('[4,'), shown);
    // A report's last part, answered, closes what it answered; any other solicited message gives the charger more time.
    if (wasSolicited && !answer.startsWith('[4,')) {
      await this.deps.solicited.received(frame.action, frame.payload, Date.now()).catch((error) => logError('solicited messages', chargerId, error));
    }
    // In Workers, Date.now() advances only with I/O: the duration counts the storage waits, which are what varies.
    const durationMs = Date.now() - started;
    const outcome = answer.startsWith('[4,') ? (JSON.parse(answer) as [number, string, string])[2] : 'result';
    if (this.deps.config().logMessages) logMessage({ chargerId, messageId: frame.id, action: frame.action, protocol, durationMs, outcome });
    await this.deps.reports.report(chargerId, protocol, frame, answer, outcome, durationMs);
    // After the answer left: only what the charger was told is kept reaches a console.
    this.deps.live?.answered(chargerId, protocol, frame, answer);
    this.deps.site?.answered(chargerId, protocol, frame, answer);
    // A charger just accepted (or held Pending, to be provisioned) may take what was queued for it; so may one we just queued for.
    // I04/I05: a charger just Accepted is given the fallback texts it lacks (queued, delivered just below).
    const bootAccepted = frame.action === 'BootNotification' && (await this.deps.getRegistration()) === 'Accepted';
    if (bootAccepted && (await this.deps.driverPrices?.queueFallbackTexts(protocol, this.deps.db(), chargerId))) deliverAfterAnswer = true;
    if (deliverAfterAnswer || (frame.action === 'BootNotification' && takesCommands(await this.deps.getRegistration()))) {
      this.deps.operatorCommands.startDelivery();
    }
    // Nothing is scheduled for lastSeen: it lives on the socket, and reaches D1 with other facts
    // or the connection's end (see liveness.ts). A Heartbeat writes nothing.
    return refused ? 'refused' : 'handled';
  }

  /**
   * Takes one SEND (2.1): charged to the write budget like a CALL and checked like one, its
   * handler run, and nothing sent back whatever happens (OCPP 2.1 Part 4: a SEND gets no response,
   * not even an error). It is `refused` when what the charger sent is wrong: such frames count
   * against the connection's bad-frame budget. Over the write budget it is dropped, not stored:
   * valid input, only too much of it, and the charger will not send it again.
   */
  async take(attachment: OcppAttachment, frame: Send, message: string): Promise<'handled' | 'refused'> {
    const { protocol, chargerId } = attachment;
    const overBudget = await this.spendWriteBudget(chargerId, frame, message);
    if (overBudget) {
      // The charger is told nothing either way, and will not send it again: what it carried is lost.
      logWarning('send dropped', chargerId, `${frame.action} ${frame.id} not stored: ${overBudget.message}`);
      return 'handled';
    }
    const now = new Date(attachment.lastSeen);
    const started = Date.now();
    const records = this.recordsFor(attachment, now, {}, () => this.deps.operatorCommands.startDelivery());
    const accepted = (await this.deps.getRegistration()) === 'Accepted';
    const solicited = accepted ? undefined : await this.deps.solicited.matcher(Date.now());
    const outcome = await takeSend(PROFILES[protocol], frame, this.contextFor(attachment, frame.id, now, records), {
      accepted,
      solicited,
      onInternalError: (action, error) => logError(action, chargerId, error),
    });
    if (this.deps.config().logMessages) {
      logMessage({ chargerId, messageId: frame.id, action: frame.action, protocol, durationMs: Date.now() - started, outcome: `send ${outcome.kind}` });
    }
    switch (outcome.kind) {
      case 'refused':
        logDropped(chargerId, `SEND ${frame.id} ${frame.action} refused, not answered: ${outcome.error.kind} ${outcome.error.message}`);
        return 'refused';
      case 'unhandled':
        // The action may be sent with SEND, but nothing here takes it yet: kept only in the journal.
        logWarning('send unhandled', chargerId, `${frame.action} ${frame.id} has no handler; not answered, nothing stored`);
        return 'handled';
      case 'failed':
      case 'handled':
        return 'handled';
    }
  }

  /** The records one request leaves behind (records.ts), with what they tell the caller: a price shown, a command queued. */
  private recordsFor(attachment: OcppAttachment, now: Date, shown: ShownAfterAnswer, commandQueued: () => void): DurableChargerRecords {
    const { protocol, chargerId } = attachment;
    return new DurableChargerRecords({
      db: this.deps.db(),
      outbox: this.deps.outbox,
      locations: this.deps.locations,
      tags: this.deps.tags,
      remoteStarts: this.deps.remoteStarts,
      activeTokens: this.deps.activeTokens,
      transactionIds: this.deps.transactionIds,
      evseTransactions: this.deps.evseTransactions,
      prices: this.deps.prices,
      txProfiles: this.deps.txProfiles,
      flushToD1: () => this.deps.handover.flushToD1(),
      chargerId,
      protocol,
      config: this.deps.config(),
      writeOnly: this.deps.writeOnly,
      now,
      rememberRegistration: (status) => this.deps.setRegistration(status),
      onSite: async () => (await this.deps.site?.site()) != null,
      appended: (urgency) => this.deps.handover.schedule(urgency),
      lastSeenToWrite: () => this.deps.handover.lastSeenToWrite(),
      announceCdrs: (batch, now) => this.deps.handover.announceCdrs(batch, now),
      learnLimits: (settings) => this.deps.operatorCommands.learnLimits(settings),
      firmwareJobs: this.deps.operatorCommands.firmwareJobs,
      showsTariff: async () => showsTariff(protocol, await this.deps.operatorCommands.priceDisplay.read()),
      tariffShown: (userPrice) => {
        shown.userPrice = userPrice;
      },
      priceEnded: (finalCost) => {
        shown.finalCost = finalCost;
      },
      queueCommand: async (action, payload) => {
        this.deps.operatorCommands.queueGenerated(chargerId, action, payload);
        commandQueued();
      },
    });
  }

  /** What a handler may use while it takes request `messageId` (handlers.ts). */
  private contextFor(attachment: OcppAttachment, messageId: string, now: Date, records: DurableChargerRecords): HandlerContext {
    const { chargerId } = attachment;
    return {
      chargerId,
      version: attachment.protocol,
      messageId,
      now,
      connectedAt: new Date(attachment.connectedAt),
      heartbeatIntervalSeconds: this.deps.config().heartbeatIntervalSeconds,
      records,
      contractCertificates: contractCertificateProvider(this.deps.config()),
      ocsp: ocspChecker(chargerId),
      trustedCertificates: once(async () => trustedCertificates(await new TrustRootStore(this.deps.db()).pems(), Date.now())),
      certificateAuthority: configuredCertificateAuthority(this.deps.config()),
    };
  }

  /**
   * Charges a CALL (or a SEND) to the charger's write budget (see write-budget.ts); the CALLERROR to answer
   * when it is spent. The tally is kept in the object's storage, so neither hibernation nor a
   * reconnection resets it; it is only written once a tenth of the budget is spent, so a charger
   * well within it costs no storage write.
   */
  private async spendWriteBudget(chargerId: string, frame: Request, text: string): Promise<OcppError | undefined> {
    const budget = { rows: this.deps.config().writeBudgetRows, bytes: this.deps.config().writeBudgetBytes };
    const cost = writeCostOf(frame.payload, frameBytes(text));
    let charged: ReturnType<typeof chargeWrites>;
    try {
      this.writeTally ??= await this.deps.storage.get<WriteTally>(WRITE_TALLY_KEY);
      // A bill's own messages are never refused (a charger drops them after a few retries): charged into debt.
      charged = chargeWrites(this.writeTally, cost, Date.now(), budget, billingCritical(frame.action, frame.payload));
      if (charged.refused || worthKeeping(charged.tally, budget)) await this.deps.storage.put(WRITE_TALLY_KEY, charged.tally);
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
}

/** `load`, run at most once, and only when first asked for. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
