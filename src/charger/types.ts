// What the ChargerSession object hands back to the Worker over RPC.

/** The answer to an operator's command, with the HTTP status the API should use. */
export type CommandOutcome =
  | {
      ok: true;
      result: Record<string, unknown>;
      /** Set when the command went in several CALLs to fit the charger's limits: each part, in order. */
      parts?: Array<Record<string, unknown>>;
    }
  | { ok: false; status: number; error: { code: string; message: string; [key: string]: unknown } };

/** The operator's decision on how the charger's boot is answered (PUT /chargers/{id}/registration). */
export type RegistrationDecision = 'Pending' | 'Accepted' | 'Rejected';

/** What the CSMS did at once about a changed registration decision; the decision itself answers the next boot. */
export interface RegistrationEffect {
  /**
   * BootTriggered: the charger was Pending and accepted a TriggerMessage BootNotification, so it
   * boots again now; TriggerRefused: it was asked and did not (its next boot applies the
   * decision); AtNextBoot: nothing was sent, the next boot applies it; Unchanged: its boot was
   * already answered so; RejectedNow: a charger whose boot was answered Pending is rejected at once
   * (sent nothing more, its requests refused), and its next boot is answered Rejected.
   */
  effect: 'BootTriggered' | 'TriggerRefused' | 'AtNextBoot' | 'Unchanged' | 'RejectedNow';
  message: string;
  /** How the charger's last boot was answered, as its object knows it. */
  registrationStatus: string | null;
  /** The charger's answer to the TriggerMessage, or why it failed, when one was sent. */
  trigger?: CommandOutcome;
}

export interface LiveStatus {
  connected: boolean;
  protocol: string | null;
  lastSeen: string | null;
  registrationStatus: string | null;
  pendingCommands: number;
}

/** WebSocket close codes we use (RFC 6455 section 7.4.1; 4000–4999 are for applications). */
export const CLOSE_CODES = {
  replaced: 4000,
  silent: 4001,
  /** The operator asked (POST /chargers/{id}/disconnect). */
  operator: 4002,
  /** The charger's credentials changed and this connection did not use the new ones. */
  credentialsChanged: 4003,
  /** The operator deleted the charger (DELETE /chargers/{id}): it is no longer registered. */
  deleted: 4004,
  internal: 1011,
  /** Too many bad frames (Policy Violation). */
  badFrames: 1008,
  /** A frame over MAX_FRAME_BYTES (Message Too Big). */
  tooBig: 1009,
} as const;

export interface SessionStats {
  /** D1 statements this object instance has run (it starts again from 0 after an eviction). */
  d1Statements: number;
  /** Facts waiting in the outbox for the next flush to D1. */
  outboxEntries: number;
}
