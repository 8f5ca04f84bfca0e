// What this isolate has done since it started: D1 statements run and charger objects constructed.
//
// Counted per isolate, not per fleet. `wrangler dev` runs the Worker and all its Durable Objects
// in one isolate, so locally these are whole-system figures: the benchmark reads them to count
// D1 statements per 1,000 messages and to see whether idle charger objects sleep (an object that
// wakes from hibernation is constructed again). Deployed, each isolate has its own counts.

export const isolateStats = {
  /** When this isolate first served something (clocks are frozen while a module loads). */
  startedAt: null as string | null,
  /** Statements run through countingD1 anywhere in this isolate. */
  d1Statements: 0,
  /** ChargerSession constructions: first use, and every wake-up from hibernation or eviction. */
  chargerObjectsConstructed: 0,
  /** PBKDF2 derivations (password hashing and checking): the upgrade's CPU cost, and proof refusals cost the same. */
  pbkdf2Runs: 0,
  /** Schema version checks by Durable Objects (one per construction: see durable-schema.ts). */
  schemaChecks: 0,
  /** Schema migrations Durable Objects ran (DDL and data moves): none once an object's schema is current. */
  schemaMigrations: 0,
  /** Statements those migrations ran. */
  schemaStatements: 0,
};

/** Notes the isolate's start on its first request or object construction. */
export function markIsolateStarted(): void {
  isolateStats.startedAt ??= new Date().toISOString();
}
