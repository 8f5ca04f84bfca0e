// Starts the real Worker with `wrangler dev` on a free loopback port (scripts/lib/wrangler-dev.mjs),
// and stops it after the run. Every run starts from an empty fleet.

import type { TestProject } from 'vitest/node';
import { startWranglerDev } from '../../scripts/lib/wrangler-dev.mjs';
import { CA_CERT, CA_KEY } from '../support/signer-pki.ts';
import { ACCESS_AUD, ACCESS_SCOPES, startAccessKeysServer } from './access-keys-server.ts';
import { CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS, CONTRACT_CERT_PROVIDER_TOKEN, startContractCertProvider } from './contract-cert-provider.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the Worker under test listens, e.g. http://127.0.0.1:40123. */
    baseUrl: string;
    /** The local contract-certificate provider the Worker is configured with (contract-cert-provider.ts). */
    contractCertProviderUrl: string;
    /** The stand-in Cloudflare Access team (access-keys-server.ts): the Worker's ACCESS_TEAM_DOMAIN and the JWTs' `iss`. */
    accessTeamDomain: string;
  }
}

/** The API token the Worker is started with; tests send it as a bearer token. */
export const E2E_API_TOKEN = 'e2e-token';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provider = await startContractCertProvider();
  const accessTeam = await startAccessKeysServer();
  const worker = await startWranglerDev({
    vars: {
      CONTRACT_CERT_PROVIDER_URL: provider.url,
      CONTRACT_CERT_PROVIDER_TOKEN,
      CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS: String(CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS),
      API_TOKEN: E2E_API_TOKEN,
      // The CSMS's own certificate authority (test-only keys), its PEM line breaks written as \n on the command line.
      CSMS_CA_KEY: CA_KEY.trim().replace(/\n/g, '\\n'),
      CSMS_CA_CERT: CA_CERT.trim().replace(/\n/g, '\\n'),
      // As `npm start` does: the deployed default rejects chargers not registered first.
      UNKNOWN_CHARGER_POLICY: 'accept',
      // Cloudflare Access in front (test/e2e/access.test.ts); requests without the header are unaffected.
      ACCESS_TEAM_DOMAIN: accessTeam.teamDomain,
      ACCESS_AUD,
      ACCESS_SCOPES: JSON.stringify(ACCESS_SCOPES),
    },
  }).catch(async (error: unknown) => {
    await provider.stop();
    await accessTeam.stop();
    throw error;
  });
  project.provide('baseUrl', worker.baseUrl);
  project.provide('contractCertProviderUrl', provider.url);
  project.provide('accessTeamDomain', accessTeam.teamDomain);
  return async () => {
    await worker.stop();
    await provider.stop();
    await accessTeam.stop();
  };
}
