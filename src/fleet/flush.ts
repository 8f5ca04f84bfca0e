// Copies a batch of outbox facts, from any number of chargers, to D1: a few statements in one D1 batch.

import { ChargerCertificateStore } from '../store/charger-certificates';
import { ChargerTariffStore } from '../store/charger-tariffs';
import { ChargerStore } from '../store/chargers';
import { ChargingProfileStore } from '../store/charging-profiles';
import { EventStreamStore } from '../store/event-streams';
import { DerControlStore } from '../store/der-controls';
import { FirmwareJobStore } from '../store/firmware-jobs';
import { GridStore } from '../store/grid';
import { MeterValueStore } from '../store/meter-values';
import { ReportStore } from '../store/reports';
import { ReservationStore } from '../store/reservations';
import { SettingStore } from '../store/settings';
import { TransactionCostStore } from '../store/transaction-costs';
import { TransactionStore } from '../store/transactions';
import { TransactionV2xStore } from '../store/transaction-v2x';
import type { OutboxBatch } from './outbox';

/**
 * The statements that store `batch`. Every statement is idempotent (inserts skip rows already
 * there, updates only move state forward), so a batch that fails, or that D1 stored but whose
 * removal from the outbox was lost, can simply be flushed again.
 */
export function flushStatements(db: D1Database, batch: OutboxBatch, now: string): D1PreparedStatement[] {
  const chargers = new ChargerStore(db);
  const transactions = new TransactionStore(db);
  return [
    // 1.6 starts first: a stop in the same batch closes the transaction its start opens, and a
    // stop whose start is not stored by then is kept as unmatched.
    ...transactions.start16Statements(batch.start16, now),
    // 2.0.1 events before meter values: an event's values are stored only if it was applied (a
    // plain Updated event, which is not stored as a row, is packed with them: store/packed-events.ts).
    ...transactions.event201Statements(batch.event201, now),
    ...new MeterValueStore(db).insertStatements(batch.meter, batch.event201, now),
    ...chargers.connectorStatusStatements(batch.status, now),
    // Abandonments after the meter values (the last register reading closes them) and before the
    // stops: a transaction's own stop, coming later, still applies to it.
    ...transactions.abandon16Statements(batch.abandon16, now),
    ...transactions.stop16Statements(batch.stop16, now),
    // After the connector states: a 2.0.1 transaction naming only its EVSE takes the EVSE's only connector.
    ...transactions.derive201Statements(batch.event201, now),
    // After the derivation: a 2.0.1 transaction's events of this batch count before a newer
    // Started on its EVSE closes it.
    ...transactions.abandon201Statements(batch.abandon201, now),
    // After every statement that creates or ends a transaction row: a cost is keyed by that row.
    ...new TransactionCostStore(db).costStatements(batch.cost, now),
    ...chargers.connectionHistoryStatements(batch.connection),
    ...chargers.lastSeenStatements(batch.seen),
    ...new ReportStore(db).insertStatements(batch.report),
    ...new SettingStore(db).upsertStatements(batch.setting),
    ...new ChargingProfileStore(db).changeStatements(batch.profile),
    ...new ReservationStore(db).changeStatements(batch.reservation),
    ...new ChargerCertificateStore(db).changeStatements(batch.certificate),
    ...new FirmwareJobStore(db).upsertStatements(batch.firmwareJob),
    // After the costs and transaction rows: a charger's own final cost is compared with the CSMS's.
    ...new ChargerTariffStore(db).statements(batch.tariff21, now),
    // 2.1 periodic event streams: opened, closed, adjusted before the values that follow them (a
    // value of a stream not known by then is kept, flagged).
    ...new EventStreamStore(db).changeStatements(batch.eventStream),
    ...new EventStreamStore(db).valueStatements(batch.streamValues),
    ...new DerControlStore(db).changeStatements(batch.der),
    ...new GridStore(db).factStatements(batch.grid),
    ...new TransactionV2xStore(db).upsertStatements(batch.v2x),
  ];
}
