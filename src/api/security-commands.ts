// POST /api/v1/chargers/{chargerId}/security-commands — the admin route for calls that change a charger's credentials or whom it trusts.
//
// The generic command route (command scope) refuses these (secrets.ts `credentialChange` says
// which): a wrong value locks the charger out, points it at another server, or makes it trust
// another CSMS or firmware signer. Here an admin sends them, synchronously, with the same
// redaction everywhere as any command. The Basic-auth password is not among them: only POST
// /password keeps the CSMS's hash in step with the charger, crash-safely. The exception is a 2.1
// SetNetworkProfile, whose connectionData may carry the profile's own `basicAuthPassword`: it is
// sent under POST /password's protocol (password-change.ts), so a charger that later switches to
// that profile is let in; and its `identity` (the Basic-auth user name) must be the charger's id.
//
// Where the CSMS can keep its own view in step it does: a 1.6 ChangeConfiguration SecurityProfile
// the charger Accepted becomes the profile the CSMS expects, and connections that no longer
// qualify are closed (the charger reconnects with the new profile, as the 1.6 security whitepaper
// says it does). Anything else that changes how the charger connects (RebootRequired, 2.0.1
// network profiles, certificates) is the operator's to follow with PUT /chargers/{chargerId}.

import { Hono } from 'hono';
import * as v from 'valibot';
import type { CredentialPolicy } from '../charger/credential-policy';
import type { CommandOutcome } from '../charger/types';
import { readConfig } from '../config';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { credentialChange, PASSWORD_ROUTE, passwordChange } from '../ocpp/secrets';
import { summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { passwordId } from './charger-auth';
import { readJsonBody } from './body';
import { apiError } from './errors';
import { PASSWORD_PATTERN, sendNewPassword } from './password-change';

export const securityCommandRoutes = new Hono<{ Bindings: Env }>();

const SecurityCommandBody = v.strictObject({
  action: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  payload: v.record(v.string(), v.unknown()),
});

securityCommandRoutes.post('/:chargerId/security-commands', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(SecurityCommandBody, read.body);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'Send {"action": "<OCPP action>", "payload": {…}}', { issues: summarizeIssues(parsed.issues) });
  }
  const { action, payload } = parsed.output;
  const password = passwordChange(action, payload);
  if (password) {
    return apiError(c, 403, 'CredentialChangeRefused', `${password} sets the Basic-auth password: use ${PASSWORD_ROUTE}, which keeps the CSMS in step with the charger`);
  }
  const change = credentialChange(action, payload);
  if (!change) {
    return apiError(
      c,
      400,
      'NotSecurityCommand',
      `${action} changes neither the charger's credentials nor whom it trusts: send it with POST /api/v1/chargers/{chargerId}/commands/${action}`,
    );
  }
  const store = new ChargerStore(c.env.DB);
  const charger = await store.get(chargerId);
  if (!charger) return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);

  if (action === 'SetNetworkProfile') {
    const profile = networkProfileCredentials(chargerId, charger.protocol, payload);
    if ('refusal' in profile) return apiError(c, 400, profile.refusal.code, profile.refusal.message, { issues: [profile.refusal.issue] });
    if (profile.password !== undefined) {
      const answered = await sendNewPassword(c, chargerId, profile.password, action, payload, (result) => result.status === 'Accepted');
      if (answered instanceof Response) return answered;
      return c.json({ result: answered.result, securityProfileChanged: false, passwordPending: answered.passwordPending });
    }
  }

  // 1.6 SecurityProfile: checked here, as the CSMS will expect the new profile once it is accepted.
  const newProfile = charger.protocol === 'ocpp1.6' ? securityProfileIn(action, payload) : undefined;
  if (newProfile === null) {
    return apiError(c, 400, 'InvalidPayload', 'A SecurityProfile is 0, 1, 2 or 3', { issues: [{ path: 'payload.value', message: 'must be 0, 1, 2 or 3' }] });
  }
  if ((newProfile === 1 || newProfile === 2) && !charger.hasPassword) {
    return apiError(c, 409, 'PasswordRequired', `Security Profile ${newProfile} needs a password the CSMS knows: set one first (${PASSWORD_ROUTE})`);
  }

  const stub = c.env.CHARGERS.getByName(chargerId);
  let outcome: CommandOutcome;
  try {
    outcome = (await stub.sendCommand(action, payload, readConfig(c.env).commandTimeoutSeconds)) as unknown as CommandOutcome;
  } catch {
    return apiError(
      c,
      503,
      'ChargerSessionRestarted',
      `The charger's session restarted while ${action} was pending: it may or may not have reached the charger. Check the charger's state, or send it again.`,
    );
  }
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status as 400);
  if (newProfile === undefined || outcome.result.status !== 'Accepted') {
    return c.json({ result: outcome.result, securityProfileChanged: false });
  }
  // Accepted: the charger reconnects with the new profile, so that is what the CSMS expects now,
  // and a connection admitted otherwise is closed, as a PUT changing the profile does.
  await store.register(chargerId, new Date().toISOString(), { securityProfile: newProfile });
  const after = await store.credentials(chargerId);
  let closedConnections = 0;
  if (after) {
    const policy: CredentialPolicy = {
      securityProfile: after.securityProfile,
      passwordIds: await Promise.all([after.passwordHash, after.pendingPasswordHash].filter((h): h is string => Boolean(h)).map(passwordId)),
    };
    ({ closed: closedConnections } = await stub.enforceCredentials(policy));
  }
  return c.json({ result: outcome.result, securityProfileChanged: true, securityProfile: newProfile, closedConnections });
});

/** The profile a 1.6 ChangeConfiguration SecurityProfile sets; undefined for another call, null for a value that is no profile. */
function securityProfileIn(action: string, payload: Record<string, unknown>): 0 | 1 | 2 | 3 | null | undefined {
  if (action !== 'ChangeConfiguration' || typeof payload.key !== 'string' || payload.key.toLowerCase() !== 'securityprofile') return undefined;
  const value = typeof payload.value === 'string' ? payload.value.trim() : '';
  return /^[0-3]$/.test(value) ? (Number(value) as 0 | 1 | 2 | 3) : null;
}

/**
 * What a SetNetworkProfile's connectionData says about the charger's Basic auth (2.1 `identity`
 * and `basicAuthPassword`): the password to send under the pending-slot protocol, or why the
 * call is refused before anything is stored or sent. A connectionData that is no object is left
 * to the schema check.
 */
function networkProfileCredentials(
  chargerId: string,
  protocol: string | null,
  payload: Record<string, unknown>,
): { password?: string } | { refusal: { code: string; message: string; issue: { path: string; message: string } } } {
  const data = payload.connectionData;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return {};
  const { identity, basicAuthPassword } = data as Record<string, unknown>;
  for (const [name, value] of [['identity', identity], ['basicAuthPassword', basicAuthPassword]] as const) {
    if (value !== undefined && protocol !== 'ocpp2.1') {
      return {
        refusal: {
          code: 'InvalidPayload',
          message: `connectionData.${name} is an OCPP 2.1 field; this charger speaks ${protocol ?? 'no version yet'}`,
          issue: { path: `payload.connectionData.${name}`, message: 'only for a 2.1 charger' },
        },
      };
    }
  }
  // The upgrade admits a Basic-auth user name only when it is exactly the id in the charger's URL
  // (api/charger-auth.ts), so a profile naming another identity would lock the charger out.
  if (identity !== undefined && identity !== chargerId) {
    return {
      refusal: {
        code: 'IdentityMismatch',
        message: `connectionData.identity must be the charger's id "${chargerId}" (exactly, case included): the CSMS knows the charger by it and admits no other Basic-auth user name. Leave it out to keep the charger's identity`,
        issue: { path: 'payload.connectionData.identity', message: `must be "${chargerId}"` },
      },
    };
  }
  if (basicAuthPassword === undefined) return {};
  if (typeof basicAuthPassword !== 'string' || !PASSWORD_PATTERN.test(basicAuthPassword)) {
    return {
      refusal: {
        code: 'InvalidPayload',
        message: 'connectionData.basicAuthPassword must be 16-40 printable ASCII characters, as any charger password the CSMS keeps',
        issue: { path: 'payload.connectionData.basicAuthPassword', message: 'must be 16-40 printable ASCII characters' },
      },
    };
  }
  return { password: basicAuthPassword };
}
