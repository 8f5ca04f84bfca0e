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
//
// The protocol itself lives in password-change.ts: a 2.1 SetNetworkProfile carrying
// basicAuthPassword (security-commands.ts) follows it too, so both share the one pending slot.

import { Hono } from 'hono';
import * as v from 'valibot';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { hexEncode } from './charger-auth';
import { apiError } from './errors';
import { readJsonBody } from './body';
import { PASSWORD_PATTERN, sendNewPassword } from './password-change';

export const chargerPasswordRoutes = new Hono<{ Bindings: Env }>();

const PasswordBody = v.strictObject({
  password: v.pipe(v.string(), v.regex(PASSWORD_PATTERN, 'must be 16-40 printable ASCII characters')),
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
  const [action, payload] =
    charger.protocol === 'ocpp1.6'
      ? ['ChangeConfiguration', { key: 'AuthorizationKey', value: hexEncode(password) }]
      : [
          'SetVariables',
          { setVariableData: [{ attributeValue: password, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] },
        ];
  const answered = await sendNewPassword(c, chargerId, password, action, payload, (result) => isAccepted(answerStatus(charger.protocol, result)));
  if (answered instanceof Response) return answered;
  const status = answerStatus(charger.protocol, answered.result);
  if (!answered.taken) {
    return apiError(c, 409, 'PasswordRefused', `The charger answered ${status}; the password is unchanged`, {
      result: answered.result,
      ...(answered.passwordPending ? { passwordPending: true } : {}),
    });
  }
  return c.json({ result: answered.result, switched: true, rebootRequired: status === 'RebootRequired' });
});

/** The status of the answer to the call that carried the password (ChangeConfiguration, or the one SetVariables result). */
function answerStatus(protocol: string | null, result: Record<string, unknown>): string | undefined {
  return protocol === 'ocpp1.6'
    ? (result as { status?: string }).status
    : (result as { setVariableResult?: Array<{ attributeStatus: string }> }).setVariableResult?.[0]?.attributeStatus;
}

function isAccepted(status: string | undefined): boolean {
  return status === 'Accepted' || status === 'RebootRequired';
}
