// Types for wrangler-dev.mjs, so TypeScript tests can import it.

export declare const HOST: string;

export declare function freePort(): Promise<number>;

export interface WranglerDev {
  /** Where the Worker listens, e.g. http://127.0.0.1:40123. */
  baseUrl: string;
  /** The DevTools inspector of the Worker (a CPU profile can be taken through it). */
  inspectorUrl: string;
  /** The wrangler process; workerd runs as its descendant. */
  pid: number;
  logFile: string;
  /** The last lines wrangler and the Worker printed. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export declare function startWranglerDev(options?: {
  /** A wrangler.toml path; the project's own by default. */
  config?: string;
  /** Values passed with --var. */
  vars?: Record<string, string>;
  /** Polled until it answers 200; /api/v1/health by default. */
  readyPath?: string;
  /** Apply the D1 migrations to the fresh state first (default true). */
  migrate?: boolean;
}): Promise<WranglerDev>;
