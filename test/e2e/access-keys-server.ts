// A stand-in Cloudflare Access team for the e2e run: a real HTTP server on 127.0.0.1 serving the team's key set at /cdn-cgi/access/certs, as https://<team>.cloudflareaccess.com does.
//
// The Worker under test is configured with this server as its team domain (ACCESS_TEAM_DOMAIN), so
// its `iss` is this server's origin. Tests hold the private keys (generated in the test) and put the
// public key set here with PUT /keys; GET /fetches says how often the Worker fetched the set.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Access application AUD tag the Worker is configured with. */
export const ACCESS_AUD = 'e2e-access-application-aud';
/** Who gets which scope (ACCESS_SCOPES). */
export const ACCESS_SCOPES = {
  admin: ['admin@e2e.test'],
  command: ['group:e2e-operators'],
  read: ['@readers.e2e.test'],
};

export async function startAccessKeysServer(): Promise<{ teamDomain: string; stop: () => Promise<void> }> {
  let keySet: unknown = { keys: [] };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET' && req.url === '/cdn-cgi/access/certs') {
      fetches += 1;
      json(200, keySet);
    } else if (req.method === 'GET' && req.url === '/fetches') {
      json(200, { fetches });
    } else if (req.method === 'PUT' && req.url === '/keys') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        keySet = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        json(200, { ok: true });
      });
    } else {
      json(404, { error: 'not here' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    teamDomain: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
