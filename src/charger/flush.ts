// Copies a batch of outbox facts to D1: one D1 batch, a few statements whatever the batch's size.

import type { ConnectionEvent } from '../store/chargers';
import { ChargerStore } from '../store/chargers';
import { MeterValueStore } from '../store/meter-values';
import { TransactionStore } from '../store/transactions';
import type { OutboxBatch } from './outbox';

/**
 * The statements that store `batch` for `chargerId`. Every statement is idempotent (inserts
 * skip rows already there, updates only move state forward), so a batch that fails, or that
 * D1 stored but whose removal from the outbox was lost, can simply be flushed again.
 */
export function flushStatements(
  db: D1Database,
  chargerId: string,
  batch: OutboxBatch,
  now: string,
  lastSeen: string | undefined,
): D1PreparedStatement[] {
  const chargers = new ChargerStore(db);
  const transactions = new TransactionStore(db);
  return [
    // Meter values before transactions: a 2.0.1 transaction's energy is derived from them.
    ...new MeterValueStore(db).insertStatements(chargerId, batch.meter),
    ...chargers.connectorStatusStatements(chargerId, batch.status, now),
    ...transactions.stop16Statements(chargerId, batch.stop16, now),
    ...transactions.event201Statements(chargerId, batch.event201, now),
    ...chargers.connectionHistoryStatements(chargerId, batch.connection as ConnectionEvent[]),
    ...(lastSeen ? [chargers.lastSeenStatement(chargerId, lastSeen)] : []),
  ];
}
