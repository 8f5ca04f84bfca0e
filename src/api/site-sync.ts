// After a site change is committed to D1: the site's object (src/sites/site-object.ts) gets the
// whole site as D1 now has it, and the chargers put on or taken off it are told (ChargerSession
// assignSite), so they feed the right site. D1 is the record; the objects follow it.
//
// Why the whole site from D1 and not the change: a push that failed is repaired by any later push
// (the next change to the site, or PUT /sites/{id} sent again), whatever was missed. Each call is
// tried twice; if one still fails the API answers 503 SitePushFailed, saying the change is stored.

import type { Env } from '../env';
import { logError } from '../log';
import type { SiteConfig } from '../sites/model';
import { siteObject } from '../sites/site-object';
import { loadSiteConfig } from '../store/sites';

/** Charger objects told at once, at most; a site's other chargers wait for these. */
const PARALLEL_CHARGERS = 16;

export interface PushOutcome {
  /** The site as pushed; null when it is deleted. */
  config: SiteConfig | null;
  /** What could not be told, or null when everything was. */
  failed: { siteObject: boolean; chargers: string[] } | null;
}

/**
 * Pushes the site to its object, then puts `assign` on it (those the site does have) and takes
 * `unassign` off (those it does not have: a concurrent change may have put one back).
 */
export async function pushSite(env: Env, siteId: string, chargers: { assign?: readonly string[]; unassign?: readonly string[] } = {}): Promise<PushOutcome> {
  const config = await loadSiteConfig(env.DB, siteId);
  const onSite = new Set(config?.chargers.map((c) => c.chargerId) ?? []);
  const siteOk = await twice(`site ${siteId}`, () => siteObject(env, siteId).configure(config));
  const calls: Array<[string, string | null]> = [
    ...[...new Set(chargers.assign ?? [])].filter((id) => onSite.has(id)).map((id): [string, string] => [id, siteId]),
    ...[...new Set(chargers.unassign ?? [])].filter((id) => !onSite.has(id)).map((id): [string, null] => [id, null]),
  ];
  const failedChargers: string[] = [];
  // Only when the site knows its chargers: a charger fed to a site that does not list it is ignored there, but is wasted work.
  if (siteOk) {
    for (let i = 0; i < calls.length; i += PARALLEL_CHARGERS) {
      const chunk = calls.slice(i, i + PARALLEL_CHARGERS);
      const done = await Promise.all(chunk.map(([id, site]) => twice(`charger ${id}`, () => env.CHARGERS.getByName(id).assignSite(site))));
      chunk.forEach(([id], j) => {
        if (!done[j]) failedChargers.push(id);
      });
    }
  }
  const failed = !siteOk || failedChargers.length > 0 ? { siteObject: !siteOk, chargers: siteOk ? failedChargers : calls.map(([id]) => id) } : null;
  return { config, failed };
}

/** Whether `call` succeeded, on the first try or the second. */
async function twice(what: string, call: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await call();
      return true;
    } catch (error) {
      logError('site push', what, error);
    }
  }
  return false;
}
