// A contract-certificate provider for the e2e run: a real HTTP server on 127.0.0.1 that the Worker under test POSTs Get15118EVCertificate requests to.
//
// Its answer depends on the EXI request, so tests choose the case by what the charger sends:
// `SLOW…` answers after the Worker's timeout, `HTTP500…` with 500, `JUNK…` with a body that is
// no answer, `FAIL…` Failed with a reason; anything else is Accepted with the request's bytes
// reversed as the EXI response. GET /received lists what it was sent (with the authorization header).

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CONTRACT_CERT_PROVIDER_TOKEN = 'e2e-provider-secret';
/** The Worker's timeout for the provider, in seconds (CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS); SLOW answers after it. */
export const CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS = 1;

export interface ReceivedRequest {
  path: string;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startContractCertProvider(): Promise<{ url: string; stop: () => Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    const text = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    received.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null, contentType: req.headers['content-type'] ?? null, body });
    const exi = typeof body?.exiRequest === 'string' ? body.exiRequest : '';
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (exi.startsWith('SLOW')) {
      setTimeout(() => json(200, { status: 'Accepted', exiResponse: 'TOOLATE' }), CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS * 1000 + 1500);
    } else if (exi.startsWith('HTTP500')) {
      json(500, { error: 'pool down' });
    } else if (exi.startsWith('JUNK')) {
      json(200, { status: 'Maybe', exiResponse: 42 });
    } else if (exi.startsWith('FAIL')) {
      json(200, { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoContract', additionalInfo: 'no contract for this EMAID' } });
    } else {
      json(200, { status: 'Accepted', exiResponse: [...exi].reverse().join('') });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ev-certificate`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
