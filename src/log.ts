// Structured JSON logs, one object per line, fit for Workers Logs.
//
// What a log line quotes (an error's text, why a frame was dropped) may quote a message: it is
// scrubbed of secrets first (see ocpp/secrets.ts), as logs are kept and shown elsewhere.

import { redactUnparsedText } from './ocpp/secrets';

export function logError(what: string, chargerId: string | undefined, error: unknown): void {
  console.error(JSON.stringify({ level: 'error', what, chargerId, error: redactUnparsedText(String(error)) }));
}

export function logDropped(chargerId: string, why: string): void {
  console.warn(JSON.stringify({ level: 'warn', what: 'frame dropped', chargerId, why: redactUnparsedText(why) }));
}

/** What is normal but may help to follow a charger: e.g. an answer not sent because its connection had closed. */
export function logDebug(what: string, chargerId: string | undefined, why: string): void {
  console.debug(JSON.stringify({ level: 'debug', what, chargerId, why }));
}

export function logWarning(what: string, chargerId: string | undefined, why: string): void {
  console.warn(JSON.stringify({ level: 'warn', what, chargerId, why: redactUnparsedText(why) }));
}

/** One line per charger CALL answered: who, which message, how long, and how it ended. */
export interface MessageLog {
  chargerId: string;
  messageId: string;
  action: string;
  protocol: string;
  durationMs: number;
  /** 'result', or the CALLERROR code the charger got. */
  outcome: string;
}

export function logMessage(entry: MessageLog): void {
  console.log(JSON.stringify({ level: 'info', what: 'ocpp call', ...entry }));
}
