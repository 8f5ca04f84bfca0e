// POST /api/v1/chargers/{chargerId}/password — change a charger's Basic-auth password, on the charger first.
//
// The new password is sent to the charger (1.6 ChangeConfiguration AuthorizationKey, hex-encoded
// as the 1.6 security whitepaper says; 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword).
// Only once the charger accepts it does the CSMS switch: the new password works at once, the
// old one until the charger first connects with the new (it may need a reboot to use it).

import { Hono } from 'hono';
import * as v from 'valibot';
import type { CommandOutcome } from '../charger/types';
import { readConfig } from '../config';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { hashPassword, hexEncode } from './charger-auth';
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
  const [action, payload] =
    charger.protocol === 'ocpp1.6'
      ? ['ChangeConfiguration', { key: 'AuthorizationKey', value: hexEncode(password) }]
      : [
          'SetVariables',
          { setVariableData: [{ attributeValue: password, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] },
        ];
  const outcome = (await c.env.CHARGERS.getByName(chargerId).sendCommand(
    action,
    payload,
    readConfig(c.env).commandTimeoutSeconds,
  )) as unknown as CommandOutcome;
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status as 400);
  const status =
    charger.protocol === 'ocpp1.6'
      ? (outcome.result as { status: string }).status
      : (outcome.result as { setVariableResult: Array<{ attributeStatus: string }> }).setVariableResult[0]?.attributeStatus;
  if (status !== 'Accepted' && status !== 'RebootRequired') {
    return apiError(c, 409, 'PasswordRefused', `The charger answered ${status}; the password is unchanged`, { result: outcome.result });
  }
  await store.rotatePassword(chargerId, await hashPassword(password), new Date().toISOString());
  return c.json({ result: outcome.result, switched: true, rebootRequired: status === 'RebootRequired' });
});
