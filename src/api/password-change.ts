// Sending a charger a new Basic-auth password, crash-safely: shared by POST /chargers/{id}/password and a 2.1 SetNetworkProfile carrying basicAuthPassword (security-commands).
//
// The protocol (charger-password.ts's header says why each step): the new password's hash takes
// the one pending slot BEFORE the CALL leaves, so from then on both the old and the new password
// open the door; another change while one is pending is refused with 409 PasswordChangePending
// (the same password again is a retry: it neither replaces the slot nor, refused, drops it); an
// answer that says the charger did not take it (a refusal, a CALLERROR, a send refused before it
// left) drops the slot; no usable answer keeps it. The first connection with the new password
// makes it the only one (api/ocpp.ts).

import type { Context } from 'hono';
import type { CommandOutcome } from '../charger/types';
import { readConfig } from '../config';
import type { Env } from '../env';
import { ChargerStore } from '../store/chargers';
import { hashPassword, verifyPassword } from './charger-auth';
import { apiError } from './errors';

/** The password the CSMS sends a charger: what the upgrade's Basic auth can carry and a guess cannot reach. */
export const PASSWORD_PATTERN = /^[\x21-\x7e]{16,40}$/;

/** How the charger answered a call that carried the new password, once it answered with a CALLRESULT. */
export type PasswordAnswer = {
  /** The charger's answer. */
  result: Record<string, unknown>;
  /** Whether the answer says the charger took the password (it stays pending) or refused it. */
  taken: boolean;
  /** Whether the new password is pending after this answer: taken, or a retry whose earlier send may have been. */
  passwordPending: boolean;
};

/**
 * Sends `action` with `payload` (which carries `password`) to the connected charger under the
 * pending-slot protocol. A Response when it ended in an error (the API's shape, with
 * `passwordPending: true` whenever the new password may still be pending); otherwise the
 * charger's answer, `taken` as `accepted` judges it.
 */
export async function sendNewPassword(
  c: Context<{ Bindings: Env }>,
  chargerId: string,
  password: string,
  action: string,
  payload: Record<string, unknown>,
  accepted: (result: Record<string, unknown>) => boolean,
): Promise<Response | PasswordAnswer> {
  const store = new ChargerStore(c.env.DB);
  const stub = c.env.CHARGERS.getByName(chargerId);
  // Nothing is stored for a charger that cannot be sent the password now.
  if (!(await stub.liveStatus()).connected) return apiError(c, 409, 'ChargerOffline', 'The charger is not connected');
  const pendingHash = await hashPassword(password);
  /** False when this request re-sends the password already pending: it does not own the slot. */
  let ownsSlot = await store.setPendingPassword(chargerId, pendingHash, new Date().toISOString());
  if (!ownsSlot) {
    const pending = (await store.credentials(chargerId))?.pendingPasswordHash;
    if (!pending) {
      // Promoted or dropped between the two reads: claim the slot again, once.
      ownsSlot = await store.setPendingPassword(chargerId, pendingHash, new Date().toISOString());
    }
    if (!ownsSlot && !(pending && (await verifyPassword(password, pending)))) {
      return apiError(
        c,
        409,
        'PasswordChangePending',
        'Another password change for this charger is pending (in flight, or taken by the charger and not yet used to connect): ' +
          'it ends when the charger connects with that password or refuses it. Send that same password again to retry it, or set a password with PUT /api/v1/chargers/{chargerId} (admin) to abandon it',
        { passwordPending: true },
      );
    }
  }
  const stillPending = 'The new password stays pending: both it and the old one work until the charger first connects with the new one';
  let outcome: CommandOutcome;
  try {
    outcome = (await stub.sendCommand(action, payload, readConfig(c.env).commandTimeoutSeconds)) as unknown as CommandOutcome;
  } catch {
    return apiError(c, 503, 'ChargerSessionRestarted', `The charger's session restarted while ${action} was pending. ${stillPending}.`, {
      passwordPending: true,
    });
  }
  if (!outcome.ok) {
    // Refused before it was sent (400/404/409 but a disconnection) or answered with a CALLERROR:
    // the charger does not have it. Otherwise (no answer, an unreadable one) it may.
    const notTaken = outcome.error.code === 'CallError' || (outcome.status < 500 && outcome.error.code !== 'ChargerOffline');
    if (notTaken) {
      if (ownsSlot) await store.dropPendingPassword(chargerId, pendingHash);
      return c.json({ error: { ...outcome.error, ...(ownsSlot ? {} : { passwordPending: true }) } }, outcome.status as 400);
    }
    return c.json({ error: { ...outcome.error, message: `${outcome.error.message}. ${stillPending}.`, passwordPending: true } }, outcome.status as 400);
  }
  const taken = accepted(outcome.result);
  // A retry's refusal proves nothing about the earlier send the charger may have taken.
  if (!taken && ownsSlot) await store.dropPendingPassword(chargerId, pendingHash);
  return { result: outcome.result, taken, passwordPending: taken || !ownsSlot };
}
