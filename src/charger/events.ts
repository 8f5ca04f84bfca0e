// What a charger's answered messages mean to the rest of the business: events for an optional Cloudflare Queue.
//
// Billing, webhooks or analytics can consume them from the queue bound as EVENTS; without that
// binding nothing is sent. Events leave after the charger's answer. They are notifications, not
// the bill: D1's transaction (the API) is authoritative. A transaction's end is announced as a
// plain `transaction.ended` once, for the first stop or Ended the charger's object saw for it;
// any later one (a replay, a conflicting second stop, a late Ended) carries `duplicate: true`
// and must not replace the first (transaction-ends.ts).

import { redactSecrets } from '../ocpp/secrets';
import { isCriticalSecurityEvent } from '../ocpp/security-events';

export type CsmsEventType =
  | 'transaction.started'
  | 'transaction.ended'
  | 'connector.status'
  | 'security.event'
  | 'security.alert'
  /** An operator recomputed a completed transaction's cost (src/api/transaction-costs.ts); sent by the API. */
  | 'transaction.cost_recomputed'
  /** A completed transaction's charge detail record (src/tariffs/cdr.ts), once its end and cost are in D1. */
  | 'cdr.created';

export interface CsmsEvent {
  type: CsmsEventType;
  chargerId: string;
  protocol: string;
  /** When the CSMS received the message (ISO 8601). */
  at: string;
  /** The facts, in the charger's words (see the README for each type). */
  data: Record<string, unknown>;
}

/** The transaction a CALL ends (a 1.6 StopTransaction, a 2.0.1 Ended event), if it ends one. */
export function endedTransactionId(action: string, request: Record<string, unknown>): string | undefined {
  if (action === 'StopTransaction') return String(request.transactionId);
  if (action === 'TransactionEvent' && request.eventType === 'Ended') {
    return (request.transactionInfo as { transactionId?: string } | undefined)?.transactionId;
  }
  return undefined;
}

/**
 * The events one answered CALL makes; `answer` is the CALLRESULT payload we sent. `repeatedEnd`:
 * the CALL ends a transaction whose end was seen before (see TransactionEnds).
 */
export function eventsFor(
  chargerId: string,
  protocol: string,
  action: string,
  request: Record<string, unknown>,
  answer: Record<string, unknown>,
  at: string,
  repeatedEnd = false,
): CsmsEvent[] {
  // Events leave the CSMS: whatever they quote of a message goes out with its secrets redacted.
  const event = (type: CsmsEventType, data: Record<string, unknown>): CsmsEvent[] => [
    { type, chargerId, protocol, at, data: redactSecrets(data) },
  ];
  // Only the first end announced is the transaction's end; a later one is marked, never silent.
  const duplicate = repeatedEnd ? { duplicate: true } : {};
  switch (action) {
    case 'StartTransaction':
      return event('transaction.started', {
        transactionId: String(answer.transactionId),
        connectorId: request.connectorId,
        idTag: request.idTag,
        meterStartWh: request.meterStart,
        timestamp: request.timestamp,
        idTagStatus: (answer.idTagInfo as { status?: string } | undefined)?.status,
      });
    case 'StopTransaction':
      return event('transaction.ended', {
        transactionId: String(request.transactionId),
        meterStopWh: request.meterStop,
        timestamp: request.timestamp,
        reason: request.reason ?? 'Local',
        ...duplicate,
      });
    case 'TransactionEvent': {
      const info = request.transactionInfo as { transactionId: string; stoppedReason?: string; remoteStartId?: number };
      if (request.eventType === 'Started') {
        return event('transaction.started', {
          transactionId: info.transactionId,
          evse: request.evse,
          idToken: request.idToken,
          remoteStartId: info.remoteStartId,
          timestamp: request.timestamp,
          seqNo: request.seqNo,
        });
      }
      if (request.eventType === 'Ended') {
        return event('transaction.ended', {
          transactionId: info.transactionId,
          reason: info.stoppedReason ?? 'Local',
          timestamp: request.timestamp,
          seqNo: request.seqNo,
          ...duplicate,
        });
      }
      return [];
    }
    case 'StatusNotification':
      return event('connector.status', { ...request });
    case 'SecurityEventNotification': {
      // Every security event is announced; a critical one (A04, the spec's list) is also an alert,
      // so a consumer that pages someone needs to know no event types.
      const critical = isCriticalSecurityEvent(request.type);
      return [
        ...event('security.event', { ...request, critical }),
        ...(critical
          ? event('security.alert', {
              type: request.type,
              timestamp: request.timestamp,
              ...(request.techInfo !== undefined ? { techInfo: request.techInfo } : {}),
            })
          : []),
      ];
    }
    default:
      return [];
  }
}
