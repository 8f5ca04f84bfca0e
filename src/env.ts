// The Worker's bindings, as declared in wrangler.toml.

import type { ConfigVars } from './config';
import type { ChargerSession } from './charger/session';
import type { FleetWriter } from './fleet/fleet-writer';
import type { ConsoleHub } from './live/hub';
import type { SiteAllocator } from './sites/site-object';

export interface Env extends ConfigVars {
  DB: D1Database;
  CHARGERS: DurableObjectNamespace<ChargerSession>;
  FLEET_WRITERS: DurableObjectNamespace<FleetWriter>;
  /** The live console hub (src/live/hub.ts); unbound, charger objects publish nothing and GET /api/v1/live answers 503. */
  CONSOLE_HUB?: DurableObjectNamespace<ConsoleHub>;
  /** One object per site (src/sites/site-object.ts): its allocation, kept under its limit. */
  SITES: DurableObjectNamespace<SiteAllocator>;
  /** Bearer token for /api/v1 (a Worker secret in production): the root token, with every scope. */
  API_TOKEN?: string;
  /** Comma-separated browser origins allowed to call the API (CORS); none when unset. */
  CORS_ORIGINS?: string;
  /** Optional Workers Analytics Engine dataset: one data point per charger CALL answered. */
  METRICS?: AnalyticsEngineDataset;
  /** Optional Cloudflare Queue: transaction, status and security events for billing or webhooks. */
  EVENTS?: Queue<import('./charger/events').CsmsEvent>;
  /** Optional R2 bucket: meter values of transactions past METER_RETENTION_DAYS move here; unbound, they stay in D1. */
  ARCHIVE?: R2Bucket;
  /**
   * Secret key for the upload URLs the CSMS offers chargers for log and diagnostics files (HMAC-SHA256).
   * Unset, a key derived from API_TOKEN is used (rotating API_TOKEN then voids the URLs handed out).
   */
  LOG_UPLOAD_SECRET?: string;
}

type CsmsEnv = Env;

// `env` from "cloudflare:workers" (and the test helpers) are typed by Cloudflare.Env.
declare global {
  namespace Cloudflare {
    interface Env extends CsmsEnv {}
    // Types `exports` from "cloudflare:workers" (what `wrangler types` would generate).
    interface GlobalProps {
      mainModule: typeof import('./index');
      durableNamespaces: 'ChargerSession' | 'FleetWriter' | 'ConsoleHub';
    }
  }
}
