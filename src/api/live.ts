// The live console feed's HTTP side: tickets (POST /api/v1/live/tickets, behind the token) and the
// WebSocket upgrade (GET /api/v1/live?ticket=…, whose ticket is its credential), handed to the hub.

import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { HUB_NAME } from '../live/hub';
import { checkTicket, issueTicket, ticketKey, TICKET_SECONDS } from '../live/tickets';
import { ApiTokenStore } from '../store/api-tokens';
import { apiError } from './errors';
import type { Scope } from './scopes';

export const liveRoutes = new Hono<{ Bindings: Env; Variables: { tokenId: string } }>();

/** A ticket for the holder of the request's token, with that token's scopes. */
liveRoutes.post('/tickets', async (c) => {
  const key = await ticketKey(c.env);
  if (!key) return apiError(c, 503, 'ApiTokenNotConfigured', 'Set the API_TOKEN secret: wrangler secret put API_TOKEN');
  const holder = c.get('tokenId');
  const scopes = await holderScopes(c.env.DB, holder);
  const now = Math.floor(Date.now() / 1000);
  const { ticket, claims } = await issueTicket(key, holder, scopes, now);
  c.header('cache-control', 'no-store');
  return c.json({ ticket, expiresAt: new Date(claims.expires * 1000).toISOString(), expiresInSeconds: TICKET_SECONDS, url: '/api/v1/live?ticket=' + encodeURIComponent(ticket) }, 201);
});

/**
 * GET /api/v1/live?ticket=…: the ticket is checked before anything else (401 without a good one,
 * no upgrade), then the socket goes to the hub, which may still refuse it (a ticket used before,
 * too many consoles open).
 */
export async function openLiveSocket(c: Context<{ Bindings: Env }>): Promise<Response> {
  const key = await ticketKey(c.env);
  if (!key) return apiError(c, 503, 'ApiTokenNotConfigured', 'Set the API_TOKEN secret: wrangler secret put API_TOKEN');
  const checked = await checkTicket(key, c.req.query('ticket'), Math.floor(Date.now() / 1000));
  if (!checked.ok) return apiError(c, 401, checked.code, checked.message);
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    return apiError(c, 426, 'UpgradeRequired', 'Open this URL as a WebSocket (Upgrade: websocket)');
  }
  if (!c.env.CONSOLE_HUB) return apiError(c, 503, 'LiveFeedNotConfigured', 'The CONSOLE_HUB Durable Object binding is missing from wrangler.toml');
  const { holder, scopes, nonce, expires } = checked.claims;
  // The hub sees who holds the socket, never the ticket itself.
  return c.env.CONSOLE_HUB.getByName(HUB_NAME).fetch(
    new Request('https://console-hub/live', {
      headers: {
        upgrade: 'websocket',
        'x-live-holder': holder,
        'x-live-scopes': scopes.join(','),
        'x-live-nonce': nonce,
        'x-live-ticket-expires': String(expires),
      },
    }),
  );
}

/** The scopes of the token that asked: the root token has every one. */
async function holderScopes(db: D1Database, holder: string): Promise<Scope[]> {
  if (holder === 'root') return ['admin'];
  const token = await new ApiTokenStore(db).forCheck(holder);
  return token?.scopes ?? ['read'];
}
