// What the protocol layer asks the CSMS to keep about a charger; the store decides how.

import type { AuthorizationDecision } from './authorization';
import type { InstalledProfile } from './charging/profiles';
import type { MeterSample } from './meter-values';
import type { ProfileChange } from './profile-changes';
import type { ReservationChange } from './reservation-changes';
import type { Setting } from './settings';
import type { TariffFact } from './v21/tariff-facts';
import type { EventStreamChange, EventStreamValues } from './v21/event-streams';
import type { DerChange } from './v21/der-control';
import type { BatterySwapFact, DynamicScheduleLookup } from './v21/grid-facts';
import type { V2xChange } from './v2x-changes';

export interface BootFacts {
  vendor: string;
  model: string;
  serialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export interface ConnectorState {
  evseId: number;
  connectorId: number;
  status: string;
  errorCode?: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  reportedAt?: string;
}

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/** A token presented at a charger: a 1.6 idTag, or a 2.0.1 idToken with its type. */
export interface PresentedToken {
  idTag: string;
  type?: string;
  /** True when the charger used the token while offline (it may have started charging already). */
  offline: boolean;
  /**
   * What it is presented for: to be allowed to charge (Authorize), to start or run a transaction,
   * or to end one. ConcurrentTx (CONCURRENT_TX=reject) is never the answer for `end`.
   * Default `authorize`.
   */
  purpose?: 'authorize' | 'start' | 'end';
  /** The transaction it starts or ends, as the charger names it: that one is not concurrent with itself. */
  transactionId?: string;
  /** A 1.6 StartTransaction's replay key fields: a replay's transaction is found by them. */
  start16?: Pick<TransactionStart16, 'connectorId' | 'idTag' | 'meterStartWh' | 'startedAt'>;
  /** 2.0.1: where the transaction runs, when known (a remote start's permission is for the EVSE it named). */
  evseId?: number;
  connectorId?: number;
  /** 2.0.1: the remoteStartId the transaction names. */
  remoteStartId?: number;
}

/** A decision, and whether no entry of id_tags spoke for the token (it is unknown: Invalid). */
export interface TokenDecision extends AuthorizationDecision {
  unknown?: boolean;
}

/** An unknown token a charger let charge while offline, in one of its transactions. */
export interface SeenOfflineToken {
  idTag: string;
  /** The 2.0.1 IdTokenEnumType; left out for 1.6. */
  type?: string;
  transactionId: string;
  /** The charger's timestamp of the message. */
  seenAt: string;
}

/** A 1.6 StartTransaction. The same start sent again gets the same transaction id, until that transaction's stop was seen. */
export interface TransactionStart16 {
  connectorId: number;
  idTag: string;
  idTagStatus: string;
  meterStartWh: number;
  startedAt: string;
  reservationId?: number;
}

export interface TransactionStop16 {
  transactionId: number;
  idTag?: string;
  meterStopWh: number;
  stoppedAt: string;
  reason: string;
}

/** Sampled values reported together, for one connector and (maybe) one transaction. */
export interface MeterReport {
  evseId: number;
  connectorId: number;
  /** The charger's name for the transaction, '' when none. */
  transactionId: string;
  samples: MeterSample[];
}

/** One 2.0.1 TransactionEvent, flattened. */
export interface TransactionEvent201 {
  transactionId: string;
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  offline: boolean;
  chargingState?: string;
  stoppedReason?: string;
  remoteStartId?: number;
  reservationId?: number;
  idToken?: string;
  idTokenType?: string;
  /** What the CSMS answered in idTokenInfo for `idToken`: the CSMS's side, not part of what the charger sent. */
  idTokenStatus?: string;
  evseId?: number;
  connectorId?: number;
}

/** What keeping a TransactionEvent gives its answer. */
export interface TransactionEventOutcome {
  /**
   * An Ended event's final cost, incl. VAT, in the tariff's currency (I03): present only for a priced
   * transaction; a replay of the Ended gets the same.
   */
  totalCost?: number;
  /** I06: what the driver of a transaction showing tariffs is told of a change of its price, once per change. */
  updatedPersonalMessage?: { format: 'UTF8'; language?: string; content: string };
}

/** A charger-initiated message kept as sent: notifications, reports, requests. */
export interface ChargerReport {
  action: string;
  messageId: string;
  receivedAt: string;
  /** The payload's requestId, where it has one. */
  requestId?: number;
  payload: Record<string, unknown>;
}

/**
 * The durable side effects a charger's messages cause. The Durable Object implements it
 * over its own storage and D1; unit tests implement it in memory. Each method resolves only
 * once what it recorded is durable, and throws when storage fails.
 */
export interface ChargerRecords {
  /** Stores the boot facts and returns the registration status to answer with. */
  recordBoot(facts: BootFacts): Promise<RegistrationStatus>;
  recordConnectorStatus(state: ConnectorState): Promise<void>;
  /** Decides whether a token may charge. */
  authorize(token: PresentedToken): Promise<TokenDecision>;
  /**
   * Keeps that an unknown token was used offline (for the operator to approve, and billing):
   * it stays unknown, so it never authorizes because of it.
   */
  recordSeenOffline(token: SeenOfflineToken): Promise<void>;
  /** Records a 1.6 transaction start and returns its transaction id (unique for this charger). */
  startTransaction(start: TransactionStart16): Promise<number>;
  stopTransaction(stop: TransactionStop16): Promise<void>;
  recordMeterValues(report: MeterReport): Promise<void>;
  /**
   * Keeps a TransactionEvent with its meter values. `sent` is the request as the charger sent it
   * (validated): what tells an identical replay from a seqNo reused with other content.
   */
  recordTransactionEvent(event: TransactionEvent201, meter: MeterReport | undefined, sent: unknown): Promise<TransactionEventOutcome | void>;
  /** Keeps what the charger told about its configuration (1.6 keys, 2.0.1 device model). */
  recordSettings(settings: Setting[]): Promise<void>;
  /** Keeps which charging profiles the charger has installed. */
  recordProfileChanges(changes: ProfileChange[]): Promise<void>;
  /** Keeps what became of reservations (used by a transaction, expired, removed). */
  recordReservationChanges(changes: ReservationChange[]): Promise<void>;
  /** Queues a CSMS-initiated call to the charger, sent after the current answer (at least once). */
  queueCommand(action: string, payload: Record<string, unknown>): Promise<void>;
  /**
   * Moves the firmware job a FirmwareStatusNotification / SignedFirmwareStatusNotification is
   * about (by requestId, else the newest; see firmware-jobs.ts). Optional: in-memory records keep none.
   */
  recordFirmwareStatus?(status: string, requestId: number | undefined): Promise<void>;
  /** Keeps OCPP 2.1 tariff, cost and payment facts (a settlement); durable when it resolves. */
  recordTariffFacts(facts: TariffFact[]): Promise<void>;
  /** Keeps a notification or report as sent; a replay of the same message is kept once. */
  recordReport(report: ChargerReport): Promise<void>;
  /**
   * What limits `evseId` now: the profiles the charger installed there and on 0, with its external
   * limits as profiles (K12), everything it sent so far included; and the transaction running there.
   */
  smartCharging(evseId: number): Promise<SmartChargingState>;
  /** Where a transaction runs, if this charger said so before (a 1.6 start, a 2.0.1 event with `evse`). */
  transactionLocation(transactionId: string): Promise<{ evseId: number; connectorId: number } | undefined>;
  /** 2.1: keeps what became of the charger's periodic event streams (opened, closed, adjusted, reconciled) and the monitors they name. */
  recordEventStreamChanges(changes: EventStreamChange[]): Promise<void>;
  /**
   * 2.1: keeps a NotifyPeriodicEventStream's points. They came with SEND, which nothing answers:
   * batched with the charger's other facts and stored packed, never written one message at a time.
   */
  recordEventStreamValues(values: EventStreamValues): Promise<void>;
  /** 2.1: keeps what the charger told of its DER controls and alarms (ocpp/v21/der-control.ts). */
  recordDerChanges(changes: DerChange[]): Promise<void>;
  /** 2.1: the profile `profileId` as the CSMS knows it, and the dynamic values it holds for it (K28), everything sent so far included. */
  dynamicSchedule(profileId: number): Promise<DynamicScheduleLookup>;
  /** 2.1 NotifyPriorityCharging: priority charging went on or off on a transaction; a replay (same message id and content) is kept once. */
  recordPriorityCharging(change: { transactionId: string; activated: boolean }, messageId: string): Promise<void>;
  /** 2.1 BatterySwap: the event with the token's authorization; a replay is kept once. */
  recordBatterySwap(swap: Omit<BatterySwapFact, 'receivedAt'>, messageId: string): Promise<void>;
  /** Keeps what a 2.1 message said about a transaction's bidirectional energy transfer (v2x-changes.ts). */
  recordV2x(change: V2xChange): Promise<void>;
}

/** What the composite schedule of one EVSE is computed from (see ChargerRecords.smartCharging). */
export interface SmartChargingState {
  profiles: InstalledProfile[];
  /** The charger's profiles (not the external limits) as they were sent, by id. */
  payloads: Map<number, Record<string, unknown>>;
  transaction?: { id: string; startedAt: string };
  /** OCPP 2.1: the energy transfer modes the CSMS allowed for that transaction (NotifyAllowedEnergyTransfer), when it did. */
  allowedEnergyTransfer?: string[];
  /**
   * The charger is on a site (README "Sites and load management"): the site's allocator owns the
   * transaction's TxProfile, and sends it again when the EV's needs change.
   */
  siteManaged?: boolean;
}
