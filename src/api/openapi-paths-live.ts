// The OpenAPI paths of the live console feed (src/live): its tickets and its WebSocket (README "Live console feed").

import { DEFAULTS } from '../config';
import { TICKET_SECONDS } from '../live/tickets';
import { errorResponse, type Json, jsonResponse, objectOf, operation } from './openapi-operations';

export function livePaths(): Record<string, Json> {
  return {
    '/live/tickets': {
      post: operation({
        tags: ['Live'],
        operationId: 'createLiveTicket',
        summary: 'A ticket to open the live console feed',
        description:
          'Browsers cannot set an `Authorization` header on a WebSocket: trade the token for a ticket, then open `GET /live?ticket=…`. ' +
          `Needs the \`read\` scope. The ticket carries the token's holder and scopes, is signed by the CSMS (HMAC-SHA256 under a key derived from API_TOKEN), ` +
          `is good for ${TICKET_SECONDS} s and opens one socket.`,
        responses: {
          '201': jsonResponse(
            'The ticket',
            objectOf({
              ticket: { type: 'string', description: 'Pass as `ticket` to `GET /live`; a secret until it expires' },
              expiresAt: { type: 'string', format: 'date-time' },
              expiresInSeconds: { type: 'integer', const: TICKET_SECONDS },
              url: { type: 'string', description: 'The path to open as a WebSocket, ticket included' },
            }),
          ),
        },
      }),
    },
    '/live': {
      get: operation({
        tags: ['Live'],
        operationId: 'openLiveFeed',
        summary: 'The live console feed (WebSocket)',
        description:
          'Open as a WebSocket (`Upgrade: websocket`) with a ticket from `POST /live/tickets` (no `Authorization` header: the ticket is the credential). ' +
          'Messages are JSON objects with a `type`; README "Live console feed" lists them. Every console gets the fleet feed (connections, boots, connector statuses, transactions); ' +
          'a console that sends `{"type":"watch","chargerId":"…"}` (again every 30 s) also gets that charger\u2019s journal frames (redacted), meter values, command outcomes and firmware / log job statuses (`job.status`). ' +
          `Keepalive: send \`{"type":"ping"}\`, answered \`{"type":"pong"}\`. The CSMS closes a socket after \`LIVE_SOCKET_SECONDS\` (default ${DEFAULTS.liveSocketSeconds}) with code 4001: reconnect with a new ticket.`,
        public: true,
        'x-websocket': true,
        parameters: [{ name: 'ticket', in: 'query', required: true, schema: { type: 'string' }, description: 'A ticket from `POST /live/tickets`' }],
        responses: {
          '101': { description: 'Switching to the WebSocket feed' },
          '401': errorResponse({
            InvalidTicket: 'no ticket, or not one the CSMS issued for the live feed',
            TicketExpired: 'the ticket is past its expiry',
            TicketUsed: 'the ticket already opened a socket',
          }),
          '426': errorResponse({ UpgradeRequired: 'a good ticket, but not a WebSocket upgrade' }),
          '503': errorResponse({
            TooManyConsoles: `\`LIVE_MAX_CONSOLES\` (default ${DEFAULTS.liveMaxConsoles}) sockets are open already (with Retry-After)`,
            ApiTokenNotConfigured: 'the deployment has no `API_TOKEN` secret',
            LiveFeedNotConfigured: 'the CONSOLE_HUB binding is missing',
          }),
        },
      }),
    },
  };
}
