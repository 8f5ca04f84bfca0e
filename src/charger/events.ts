// What a charger's answered messages mean to the rest of the business: events for an optional Cloudflare Queue.
//
// Billing, webhooks or analytics can consume them from the queue bound as EVENTS; without that
// binding nothing is sent. Events leave after the charger's answer, at least once.

import { redactSecrets } from '../ocpp/secrets';

export type CsmsEventType =
  | 'transaction.started'
  | 'transaction.ended'
  | 'connector.status'
  | 'security.event';

export interface CsmsEvent {
  type: CsmsEventType;
  chargerId: string;
  protocol: string;
  /** When the CSMS received the message (ISO 8601). */
  at: string;
  /** The facts, in the charger's words (see the README for each type). */
  data: Record<string, unknown>;
}

/** The events one answered CALL makes; `answer` is the CALLRESULT payload we sent. */
export function eventsFor(
  chargerId: string,
  protocol: string,
  action: string,
  request: Record<string, unknown>,
  answer: Record<string, unknown>,
  at: string,
): CsmsEvent[] {
  // Events leave the CSMS: whatever they quote of a message goes out with its secrets redacted.
  const event = (type: CsmsEventType, data: Record<string, unknown>): CsmsEvent[] => [
    { type, chargerId, protocol, at, data: redactSecrets(data) },
  ];
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
        });
      }
      return [];
    }
    case 'StatusNotification':
      return event('connector.status', { ...request });
    case 'SecurityEventNotification':
      return event('security.event', { ...request });
    default:
      return [];
  }
}
