// GET /ocpp/:chargerId — checks the charger id, its credentials and subprotocol, then hands the WebSocket to its object.
//
// Failed upgrades are counted per charger id and client address in D1 (one row per pair that
// failed lately, read in the same statement as the credentials), known id or not: past
// AUTH_FAILURE_BUDGET in the window, that address's upgrades for that id are answered 429 before
// any password is checked, so the budget caps the PBKDF2 work one address can cause per id and
// says nothing about which ids exist. Keyed by address, not by id alone: otherwise anyone who
// knows an id could keep that charger offline with a few wrong passwords a minute. There is no
// per-id ceiling on top, for the same reason (a botnet could then lock a charger out); password
// guessing is what the 16+ character passwords are for. No charger object is woken for a refusal.

import { Hono } from 'hono';
import { readConfig } from '../config';
import type { Env } from '../env';
import { chargerIdFromPathSegment, MAX_CHARGER_ID_LENGTH } from '../ocpp/charger-id';
import { chooseSubprotocol } from '../ocpp/versions';
import { logError, logWarning } from '../log';
import { ChargerStore } from '../store/chargers';
import { ADMISSION_HEADER } from '../charger/credential-policy';
import { admitUpgrade, socketAdmission } from './charger-auth';
import { apiError } from './errors';

export const ocppRoutes = new Hono<{ Bindings: Env }>();

/**
 * The address failures are counted against: Cloudflare sets CF-Connecting-IP on every request
 * (a client cannot set its own); without it (local development, tests) all share one.
 */
const UNKNOWN_CLIENT = 'unknown';

/**
 * Upgrades with credentials being checked right now in this isolate, per charger id and client. They count
 * against the budget as if they had failed, so a burst of concurrent attempts (which all read
 * the count before any failure is written) cannot run more PBKDF2s than the budget allows here.
 */
const checking = new Map<string, number>();

ocppRoutes.get('/:chargerId', async (c) => {
  // Read the raw segment: the id must be decoded exactly once, and strictly.
  const segment = new URL(c.req.url).pathname.split('/')[2] ?? '';
  const chargerId = chargerIdFromPathSegment(segment);
  if (!chargerId) {
    return apiError(
      c,
      400,
      'InvalidChargerId',
      `A charger id is 1-${MAX_CHARGER_ID_LENGTH} printable ASCII characters without ":" or spaces`,
    );
  }
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    return apiError(c, 426, 'UpgradeRequired', 'Connect with a WebSocket client to ws(s)://<host>/ocpp/<chargerId>');
  }
  const { protocols, unknownChargerPolicy, authFailureBudget, authFailureWindowSeconds } = readConfig(c.env);
  const store = new ChargerStore(c.env.DB);
  const client = c.req.header('cf-connecting-ip')?.trim().slice(0, 64) || UNKNOWN_CLIENT;
  const budgetKey = `${chargerId}\u0000${client}`;
  const { credentials, failures } = await store.admissionFacts(chargerId, client);
  const now = Date.now();
  const windowMs = authFailureWindowSeconds * 1000;
  const failed = failures && failures.windowStartedAt > now - windowMs ? failures.failures : 0;
  const inFlight = checking.get(budgetKey) ?? 0;
  if (failed + inFlight >= authFailureBudget) {
    logWarning('charger refused', chargerId, 'too many failed attempts');
    const until = failed > 0 && failures ? failures.windowStartedAt + windowMs : now + 1000;
    c.header('Retry-After', String(Math.max(1, Math.ceil((until - now) / 1000))));
    return apiError(c, 429, 'TooManyAttempts', 'Too many failed attempts for this charger id from this address; retry later');
  }
  checking.set(budgetKey, inFlight + 1);
  let admission: Awaited<ReturnType<typeof admitUpgrade>>;
  try {
    admission = await admitUpgrade(c.req.raw, chargerId, credentials, unknownChargerPolicy);
    if (!admission.ok) {
      logWarning('charger refused', chargerId, admission.why);
      try {
        await store.recordAuthFailure(chargerId, client, now, windowMs);
      } catch (error) {
        // The refusal stands; only the count is lost.
        logError('count failed upgrade', chargerId, error);
      }
    }
  } finally {
    // Counted in flight until its failure, if any, is in D1.
    const left = (checking.get(budgetKey) ?? 1) - 1;
    if (left > 0) checking.set(budgetKey, left);
    else checking.delete(budgetKey);
  }
  if (!admission.ok) {
    c.header('WWW-Authenticate', 'Basic realm="ocpp", charset="UTF-8"');
    return apiError(c, 401, 'Unauthorized', 'The charger could not be authenticated');
  }
  // The charger uses the new password of a change under way: the change is complete, the old one stops working.
  if (admission.how === 'pending password' && admission.passwordHash) await store.promotePendingPassword(chargerId, admission.passwordHash);
  const protocol = chooseSubprotocol(c.req.header('sec-websocket-protocol'), protocols);
  if (!protocol) {
    return apiError(
      c,
      400,
      'UnsupportedSubprotocol',
      `Offer one of these WebSocket subprotocols: ${protocols.join(', ')}`,
      { offered: c.req.header('sec-websocket-protocol') ?? null, supported: protocols },
    );
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-charger-id', chargerId);
  headers.set('x-ocpp-protocol', protocol);
  // Always set here, so a client cannot claim an admission of its own.
  headers.set(ADMISSION_HEADER, JSON.stringify(await socketAdmission(admission)));
  return c.env.CHARGERS.getByName(chargerId).fetch(new Request(c.req.url, { headers }));
});
