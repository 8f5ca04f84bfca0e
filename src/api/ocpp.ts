// GET /ocpp/:chargerId — checks the charger id and subprotocol, then hands the WebSocket to its object.

import { Hono } from 'hono';
import { readConfig } from '../config';
import type { Env } from '../env';
import { chargerIdFromPathSegment, MAX_CHARGER_ID_LENGTH } from '../ocpp/charger-id';
import { chooseSubprotocol } from '../ocpp/versions';
import { logWarning } from '../log';
import { ChargerStore } from '../store/chargers';
import { admitUpgrade } from './charger-auth';
import { apiError } from './errors';

export const ocppRoutes = new Hono<{ Bindings: Env }>();

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
  const { protocols, unknownChargerPolicy } = readConfig(c.env);
  const store = new ChargerStore(c.env.DB);
  const credentials = await store.credentials(chargerId);
  const admission = await admitUpgrade(c.req.raw, chargerId, credentials, unknownChargerPolicy);
  if (!admission.ok) {
    logWarning('charger refused', chargerId, admission.why);
    c.header('WWW-Authenticate', 'Basic realm="ocpp", charset="UTF-8"');
    return apiError(c, 401, 'Unauthorized', 'The charger could not be authenticated');
  }
  // The charger uses its new password: the change is complete, the old one stops working.
  if (admission.how === 'password' && credentials?.previousPasswordHash) await store.forgetPreviousPassword(chargerId);
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
  return c.env.CHARGERS.getByName(chargerId).fetch(new Request(c.req.url, { headers }));
});
