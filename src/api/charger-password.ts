// POST /api/v1/chargers/{chargerId}/password — change a charger's Basic-auth password, on the charger first.
//
// The new password is sent to the charger (1.6 ChangeConfiguration AuthorizationKey, hex-encoded
// as the 1.6 security whitepaper says; 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword).
//
// Crash-safe: its hash is stored as PENDING before the CALL leaves, and from then on both the old
// and the pending password open the door, whatever becomes of this request. The first connection
// with the pending one makes it the only one (api/ocpp.ts); an answer that says the charger did
// not take it (Rejected, a CALLERROR) drops it. A charger that took it and lost its answer (a
// crash, a reboot before answering) can therefore always connect again.
//
// One change at a time, per charger: there is one pending slot, and a second change replacing it
// could drop the password the charger now holds (A taken, B refused: A would no longer open the
// door). So while a change is pending — in flight, or taken and not yet used — another new
// password is refused with 409 PasswordChangePending; the pending slot is claimed with a
// conditional write, so concurrent requests are serialised by D1 whatever isolate runs them. The
// same password may be sent again (a retry after a timeout); it does not replace the slot and a
// refusal of the retry does not drop it. The slot empties when the charger connects with the new
// password, when the charger refuses it, or when an admin sets a password with PUT.

import { Hono } from 'hono';
import * as v from 'valibot';
import type { CommandOutcome } from '../charger/types';
import { readConfig } from '../config';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { hashPassword, hexEncode, verifyPassword } from './charger-auth';
import { apiError } from './errors';
import { readJsonBody } from './body';

export const chargerPasswordRoutes = new Hono<{ Bindings: Env }>();

const PasswordBody = v.strictObject({
  password: v.pipe(v.string(), v.regex(/^[\x21-\x7e]{16,40}$/, 'must be 16-40 printable ASCII characters')),
});

chargerPasswordRoutes.post('/:chargerId/password', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(PasswordBody, read.body);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'Send {"password": "16-40 printable ASCII characters"}', {
      issues: summarizeIssues(parsed.issues),
    });
  }
  const store = new ChargerStore(c.env.DB);
  const charger = await store.get(chargerId);
  if (!charger) return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  const { password } = parsed.output;
  if (charger.protocol === 'ocpp1.6' && password.length > 20) {
    return apiError(c, 400, 'InvalidPayload', 'A 1.6 AuthorizationKey holds 16 to 20 bytes', {
      issues: [{ path: 'password', message: 'must be 16-20 characters for a 1.6 charger' }],
    });
  }
  const stub = c.env.CHARGERS.getByName(chargerId);
  // Nothing is stored for a charger that cannot be sent the password now.
  if (!(await stub.liveStatus()).connected) return apiError(c, 409, 'ChargerOffline', 'The charger is not connected');
  const [action, payload] =
    charger.protocol === 'ocpp1.6'
      ? ['ChangeConfiguration', { key: 'AuthorizationKey', value: hexEncode(password) }]
      : [
          'SetVariables',
          { setVariableData: [{ attributeValue: password, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] },
        ];
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
  const status =
    charger.protocol === 'ocpp1.6'
      ? (outcome.result as { status: string }).status
      : (outcome.result as { setVariableResult: Array<{ attributeStatus: string }> }).setVariableResult[0]?.attributeStatus;
  if (status !== 'Accepted' && status !== 'RebootRequired') {
    // A retry's refusal proves nothing about the earlier send the charger may have taken.
    if (ownsSlot) await store.dropPendingPassword(chargerId, pendingHash);
    return apiError(c, 409, 'PasswordRefused', `The charger answered ${status}; the password is unchanged`, {
      result: outcome.result,
      ...(ownsSlot ? {} : { passwordPending: true }),
    });
  }
  return c.json({ result: outcome.result, switched: true, rebootRequired: status === 'RebootRequired' });
});
