// The Access team's signing keys (its /cdn-cgi/access/certs key set), fetched and kept per isolate.
//
// Access rotates its key every 6 weeks and keeps the previous one valid for 7 days, and a token
// signed with a new key may arrive before our copy of the set knows it. So the set is kept at most
// KEYS_MAX_AGE_MS (a key the team withdrew stops working within that), and a token with an unknown
// `kid` makes us fetch it again — at most once per REFETCH_MIN_MS, so tokens with made-up key ids
// cannot turn into a flood of requests to Cloudflare. Concurrent requests share one fetch.

import { importAccessKeys } from './access-jwt';

export const KEYS_MAX_AGE_MS = 60 * 60 * 1000;
export const REFETCH_MIN_MS = 5_000;
const FETCH_TIMEOUT_MS = 5_000;

/** The key set could not be had: the request cannot be checked (503), which is not the caller's fault. */
export class AccessKeysUnavailable extends Error {}

interface KeySet {
  keys: Map<string, CryptoKey>;
  fetchedAt: number;
}

export type KeySetFetcher = (url: string) => Promise<Response>;

/** One cache per certs URL: a Worker has one team, tests may have several. */
export class AccessKeyCache {
  private current: KeySet | undefined;
  private inflight: Promise<KeySet> | undefined;
  private lastAttempt = -Infinity;

  constructor(
    private readonly certsUrl: string,
    private readonly fetcher: KeySetFetcher = (url) => fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }),
    private readonly clock: () => number = Date.now,
  ) {}

  /** The key with this id; undefined when the team has none by it. Throws AccessKeysUnavailable. */
  async key(kid: string): Promise<CryptoKey | undefined> {
    let set = this.current;
    if (!set || this.clock() - set.fetchedAt > KEYS_MAX_AGE_MS) set = await this.refresh();
    const known = set.keys.get(kid);
    if (known) return known;
    if (this.clock() - this.lastAttempt < REFETCH_MIN_MS) return undefined;
    return (await this.refresh()).keys.get(kid);
  }

  private refresh(): Promise<KeySet> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<KeySet> {
    this.lastAttempt = this.clock();
    let document: unknown;
    try {
      const res = await this.fetcher(this.certsUrl);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      document = await res.json();
      const set = { keys: await importAccessKeys(document), fetchedAt: this.clock() };
      this.current = set;
      return set;
    } catch (error) {
      throw new AccessKeysUnavailable(`Cloudflare Access keys could not be fetched from ${this.certsUrl}: ${String(error)}`);
    }
  }
}

const caches = new Map<string, AccessKeyCache>();

/** This isolate's cache for the team's certs URL. */
export function accessKeyCache(certsUrl: string): AccessKeyCache {
  let cache = caches.get(certsUrl);
  if (!cache) {
    cache = new AccessKeyCache(certsUrl);
    caches.set(certsUrl, cache);
  }
  return cache;
}
