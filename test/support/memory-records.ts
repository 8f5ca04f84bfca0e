// An in-memory ChargerRecords for tests of the protocol layer: keeps what handlers record, and can
// play a storage outage (`failing`). The tag "GOOD" is Accepted, any other Invalid; transactions
// "7" and "tx-9" are on EVSE 3, connector 2.

import type { ProfileChange } from '../../src/ocpp/profile-changes';
import type { ReservationChange } from '../../src/ocpp/reservation-changes';
import type { Setting } from '../../src/ocpp/settings';
import type { TariffFact } from '../../src/ocpp/v21/tariff-facts';
import type { EventStreamChange, EventStreamValues } from '../../src/ocpp/v21/event-streams';
import type { DerChange } from '../../src/ocpp/v21/der-control';
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
  TransactionStart16,
  TransactionStop16,
} from '../../src/ocpp/records';
import type { BatterySwapFact, DynamicScheduleLookup } from '../../src/ocpp/v21/grid-facts';
import type { V2xChange } from '../../src/ocpp/v2x-changes';

export class MemoryRecords implements ChargerRecords {
  /** What smartCharging answers: no profile and no transaction unless a test sets them. */
  smart: SmartChargingState = { profiles: [], payloads: new Map() };
  async smartCharging(_evseId: number): Promise<SmartChargingState> {
    return this.smart;
  }
  boots: BootFacts[] = [];
  statuses: ConnectorState[] = [];
  failing = false;
  constructor(private readonly decision: RegistrationStatus = 'Accepted') {}
  async recordBoot(facts: BootFacts) {
    if (this.failing) throw new Error('storage down');
    this.boots.push(facts);
    return this.decision;
  }
  async recordConnectorStatus(state: ConnectorState) {
    if (this.failing) throw new Error('storage down');
    this.statuses.push(state);
  }
  tokens: PresentedToken[] = [];
  starts: TransactionStart16[] = [];
  stops: TransactionStop16[] = [];
  meters: MeterReport[] = [];
  events: TransactionEvent201[] = [];
  seenOffline: SeenOfflineToken[] = [];
  async authorize(token: PresentedToken): Promise<TokenDecision> {
    this.tokens.push(token);
    return token.idTag === 'GOOD' ? { status: 'Accepted', parentIdTag: 'FLEET' } : { status: 'Invalid', unknown: true };
  }
  async recordSeenOffline(token: SeenOfflineToken) {
    if (this.failing) throw new Error('storage down');
    this.seenOffline.push(token);
  }
  async startTransaction(start: TransactionStart16) {
    if (this.failing) throw new Error('storage down');
    this.starts.push(start);
    return 4242;
  }
  async stopTransaction(stop: TransactionStop16) {
    this.stops.push(stop);
  }
  async recordMeterValues(report: MeterReport) {
    this.meters.push(report);
  }
  async recordTransactionEvent(event: TransactionEvent201, meter: MeterReport | undefined) {
    this.events.push(event);
    if (meter) this.meters.push(meter);
  }
  reports: ChargerReport[] = [];
  queued: Array<{ action: string; payload: Record<string, unknown> }> = [];
  async queueCommand(action: string, payload: Record<string, unknown>) {
    this.queued.push({ action, payload });
  }
  settings: Setting[] = [];
  profileChanges: ProfileChange[] = [];
  reservationChanges: ReservationChange[] = [];
  async recordReservationChanges(changes: ReservationChange[]) {
    this.reservationChanges.push(...changes);
  }
  async recordProfileChanges(changes: ProfileChange[]) {
    this.profileChanges.push(...changes);
  }
  async recordSettings(settings: Setting[]) {
    this.settings.push(...settings);
  }
  async recordReport(report: ChargerReport) {
    this.reports.push(report);
  }
  tariffFacts: TariffFact[] = [];
  async recordTariffFacts(facts: TariffFact[]) {
    this.tariffFacts.push(...facts);
  }
  derChanges: DerChange[] = [];
  async recordDerChanges(changes: DerChange[]) {
    if (this.failing) throw new Error('storage down');
    this.derChanges.push(...changes);
  }
  v2x: V2xChange[] = [];
  async recordV2x(change: V2xChange) {
    if (this.failing) throw new Error('storage down');
    this.v2x.push(change);
  }
  async transactionLocation(transactionId: string) {
    return transactionId === '7' || transactionId === 'tx-9' ? { evseId: 3, connectorId: 2 } : undefined;
  }
  streamChanges: EventStreamChange[] = [];
  streamValues: EventStreamValues[] = [];
  async recordEventStreamChanges(changes: EventStreamChange[]) {
    if (this.failing) throw new Error('storage down');
    this.streamChanges.push(...changes);
  }
  async recordEventStreamValues(values: EventStreamValues) {
    if (this.failing) throw new Error('storage down');
    this.streamValues.push(values);
  }
  /** What dynamicSchedule answers, by profile id: nothing known unless a test sets it. */
  dynamic = new Map<number, DynamicScheduleLookup>();
  async dynamicSchedule(profileId: number): Promise<DynamicScheduleLookup> {
    if (this.failing) throw new Error('storage down');
    return this.dynamic.get(profileId) ?? {};
  }
  priorityCharging: Array<{ transactionId: string; activated: boolean; messageId: string }> = [];
  async recordPriorityCharging(change: { transactionId: string; activated: boolean }, messageId: string) {
    if (this.failing) throw new Error('storage down');
    this.priorityCharging.push({ ...change, messageId });
  }
  batterySwaps: Array<Omit<BatterySwapFact, 'receivedAt'> & { messageId: string }> = [];
  async recordBatterySwap(swap: Omit<BatterySwapFact, 'receivedAt'>, messageId: string) {
    if (this.failing) throw new Error('storage down');
    this.batterySwaps.push({ ...swap, messageId });
  }
}
