// What a site is (issue 17, README "Sites and load management"): a grid connection with a limit,
// circuits nested inside it with their own, and the chargers (or separately wired EVSEs) on them.
// Pure: no Cloudflare types. The API validates and stores it (src/store/sites.ts); the site's
// Durable Object (src/sites/site-object.ts) gets the whole of it with each change and allocates.

/** A limit: amps per phase and/or kW in total (at the site's nominal voltage); null: none of that kind. */
export interface Limit {
  amps: number | null;
  kw: number | null;
}

/** One of the site's phases, after the charger's phase rotation: 1 = L1, 2 = L2, 3 = L3. */
export type SitePhase = 1 | 2 | 3;

/** A lower limit for part of the day, from `start` ('HH:MM', the site's time zone) to the next period's start. */
export interface LimitPeriod {
  start: string;
  limit: Limit;
}

export interface CircuitConfig {
  circuitId: string;
  /** The circuit it hangs from; null: directly on the site's grid connection. */
  parentId: string | null;
  name: string;
  limit: Limit;
}

/** A charger on a site: the whole charger (evseId null), or one EVSE wired to a circuit of its own. */
export interface SiteCharger {
  chargerId: string;
  evseId: number | null;
  /** The circuit it is wired to; null: directly on the site's grid connection. */
  circuitId: string | null;
  /**
   * How its phases are wired to the site's (1.6 ConnectorPhaseRotation values: RST, RTS, SRT, STR,
   * TRS, TSR); null when unknown, and then a single-phase session counts on every phase.
   */
  phaseRotation: string | null;
  /** Its rating, amps per phase. */
  maxAmps: number;
  /** How many phases it can use (1 or 3). */
  phases: 1 | 3;
  /**
   * Amps per phase a session may draw before the site has given it a share, and whenever the CSMS
   * cannot be reached (the charger's TxDefaultProfile). 0 (the default): a new session waits for
   * its share, which comes within seconds. More is reserved for the charger while it is idle.
   */
  fallbackAmps: number;
  /** Higher is served first; 0 by default. */
  priority: number;
}

export interface SiteConfig {
  siteId: string;
  name: string;
  /** Nominal phase-to-neutral voltage, to turn kW into amps (default 230). */
  voltage: number;
  /** The grid connection's limit. */
  limit: Limit;
  /** Lower limits by time of day; [] for none. */
  dailySchedule: LimitPeriod[];
  /** IANA time zone of the daily schedule (default 'UTC'). */
  timeZone: string;
  /** A limit pushed from outside (a building meter through the API), until `until` (ISO 8601) or until replaced. */
  externalLimit: { limit: Limit; until: string | null } | null;
  /** Below this many amps per phase a car does not charge: a share is 0 or at least this (default 6, IEC 61851-1). */
  minAmps: number;
  /** Priority by id-tag group (1.6 parentIdTag, 2.x groupIdToken): a session's priority is the higher of its charger's and its group's. */
  groupPriorities: Record<string, number>;
  circuits: CircuitConfig[];
  chargers: SiteCharger[];
  /** When the operator last changed any of it (ISO 8601). */
  updatedAt: string;
}
