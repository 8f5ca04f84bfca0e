// The Durable Object's ChargerRecords: which facts go to D1 at once, and which to the outbox.
//
// Only what the answer depends on is read from or written to D1 before answering: the boot
// decision, token decisions, and a 1.6 transaction's id (D1 assigns it, unique fleet-wide).
// Everything else is appended to the charger's outbox, which commits in the object's own
// storage before the answer leaves and reaches D1 with the next flush.

import type { Config } from '../config';
import { decideAuthorization, type AuthorizationDecision } from '../ocpp/authorization';
import type {
  BootFacts,
  ChargerRecords,
  ChargerReport,
  ConnectorState,
  MeterReport,
  PresentedToken,
  RegistrationStatus,
  TransactionEvent201,
  TransactionStart16,
  TransactionStop16,
} from '../ocpp/records';
import type { ProfileChange } from '../ocpp/profile-changes';
import type { ReservationChange } from '../ocpp/reservation-changes';
import type { Setting } from '../ocpp/settings';
import type { OcppVersion } from '../ocpp/versions';
import { ChargerStore } from '../store/chargers';
import { IdTagStore } from '../store/id-tags';
import { TransactionStore } from '../store/transactions';
import type { Outbox, OutboxFacts, OutboxKind } from '../fleet/outbox';
import type { TransactionLocation, TransactionLocations } from './transaction-locations';

export interface RecordsDeps {
  db: D1Database;
  outbox: Outbox;
  locations: TransactionLocations;
  chargerId: string;
  protocol: OcppVersion;
  config: Config;
  now: Date;
  /** Keeps the boot decision in the object's own storage, so it survives eviction. */
  rememberRegistration: (status: RegistrationStatus) => Promise<void>;
  /**
   * Called after facts were appended to the outbox, to make sure a flush is coming: `soon`
   * for facts that close something (a stop, an Ended event), which operators wait for.
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

  async authorize(token: PresentedToken): Promise<AuthorizationDecision> {
    const store = new IdTagStore(this.deps.db);
    const record = await store.get(token.idTag);
    if (!record && token.offline && this.deps.config.unknownOfflineTagPolicy === 'accept') {
      // The charger let someone charge while it could not ask us; keep the tag so operators see it.
      await store.recordFirstSeenOffline(token.idTag, token.type ?? null, this.nowIso);
      return { status: 'Accepted' };
    }
    return decideAuthorization(record, this.deps.now, token.type);
  }

  async startTransaction(start: TransactionStart16): Promise<number> {
    const id = await new TransactionStore(this.deps.db).start16(this.deps.chargerId, start, this.nowIso);
    this.deps.locations.remember(String(id), { evseId: 0, connectorId: start.connectorId });
    return id;
  }

  async recordSettings(settings: Setting[]): Promise<void> {
    for (const setting of settings) this.deps.outbox.append(this.deps.chargerId, 'setting', setting);
    if (settings.length > 0) await this.deps.appended('batched');
  }

  async recordProfileChanges(changes: ProfileChange[]): Promise<void> {
    for (const change of changes) this.deps.outbox.append(this.deps.chargerId, 'profile', change);
    if (changes.length > 0) await this.deps.appended('batched');
  }

  async recordReservationChanges(changes: ReservationChange[]): Promise<void> {
    for (const change of changes) this.deps.outbox.append(this.deps.chargerId, 'reservation', change);
    if (changes.length > 0) await this.deps.appended('batched');
  }

  async queueCommand(action: string, payload: Record<string, unknown>): Promise<void> {
    await this.deps.queueCommand(action, payload);
  }

  async recordReport(report: ChargerReport): Promise<void> {
    const digest = await sha256Hex(JSON.stringify(report.payload));
    await this.append('report', { ...report, digest });
  }

  async transactionLocation(transactionId: string): Promise<TransactionLocation | undefined> {
    return this.deps.locations.get(transactionId);
  }

  async stopTransaction(stop: TransactionStop16): Promise<void> {
    await this.append('stop16', stop, 'soon');
  }

  async recordMeterValues(report: MeterReport): Promise<void> {
    if (report.samples.length > 0) await this.append('meter', report);
  }

  async recordTransactionEvent(event: TransactionEvent201, meter: MeterReport | undefined): Promise<void> {
    if (event.evseId !== undefined) {
      this.deps.locations.remember(event.transactionId, { evseId: event.evseId, connectorId: event.connectorId ?? 0 });
    }
    // Meter values first: the flush derives the transaction's energy from them.
    if (meter && meter.samples.length > 0) this.deps.outbox.append(this.deps.chargerId, 'meter', meter);
    await this.append('event201', event, event.eventType === 'Ended' ? 'soon' : 'batched');
  }

  private async append<K extends OutboxKind>(
    kind: K,
    fact: OutboxFacts[K],
    urgency: 'soon' | 'batched' = 'batched',
  ): Promise<void> {
    this.deps.outbox.append(this.deps.chargerId, kind, fact);
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
