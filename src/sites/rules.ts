// The rules a site must keep (issue 17): checked on the whole SiteConfig as it would be after a
// change, before anything is written, so every way of changing a site is held to the same rules.
// Pure: no Cloudflare types. Each issue names the field it is about (a path such as
// `circuits.main.limit.amps`) and says what is allowed.

import { isValidIdTag, MAX_ID_TOKEN_LENGTH } from '../ocpp/authorization';
import type { CircuitConfig, Limit, SiteCharger, SiteConfig } from './model';

/** A site, circuit id: 1-64 of A-Z a-z 0-9 . _ - (site ids name the site's Durable Object too). */
export const SITE_PART_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const SITE_PART_ID_RULE = '1-64 of A-Z a-z 0-9 . _ -';

export const PHASE_ROTATIONS = ['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR'] as const;

export const DEFAULT_VOLTAGE = 230;
export const VOLTAGE_RANGE = [100, 480] as const;
export const DEFAULT_MIN_AMPS = 6;
export const MAX_MIN_AMPS = 32;
export const MAX_CHARGER_AMPS = 1000;
export const PRIORITY_RANGE = [-100, 100] as const;
/** Bounds that keep one site's config (pushed whole to its object with every change) small. */
export const MAX_SCHEDULE_PERIODS = 48;
export const MAX_GROUP_PRIORITIES = 200;
export const MAX_CIRCUITS = 500;
export const MAX_NAME_LENGTH = 200;

export interface Issue {
  path: string;
  message: string;
}

/** Every rule the site breaks; [] when it keeps them all. */
export function siteIssues(site: SiteConfig): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  if (!SITE_PART_ID.test(site.siteId)) add('siteId', `siteId must be ${SITE_PART_ID_RULE}`);
  checkName(site.name, 'name', add);
  if (!isFiniteNumber(site.voltage) || site.voltage < VOLTAGE_RANGE[0] || site.voltage > VOLTAGE_RANGE[1]) {
    add('voltage', `voltage must be ${VOLTAGE_RANGE[0]}-${VOLTAGE_RANGE[1]} (V, phase to neutral)`);
  }
  checkLimit(site.limit, 'limit', add);
  if (!isFiniteNumber(site.minAmps) || site.minAmps < 0 || site.minAmps > MAX_MIN_AMPS) add('minAmps', `minAmps must be 0-${MAX_MIN_AMPS} (A per phase)`);
  if (!isValidTimeZone(site.timeZone)) add('timeZone', `timeZone "${site.timeZone}" is not an IANA time zone (such as Europe/Berlin or UTC)`);
  checkSchedule(site, add);
  if (site.externalLimit) {
    checkLimit(site.externalLimit.limit, 'externalLimit', add);
    if (site.externalLimit.until !== null && Number.isNaN(Date.parse(site.externalLimit.until))) add('externalLimit.until', 'until must be an RFC 3339 date-time');
  }
  const groups = Object.entries(site.groupPriorities);
  if (groups.length > MAX_GROUP_PRIORITIES) add('groupPriorities', `groupPriorities may name at most ${MAX_GROUP_PRIORITIES} groups`);
  for (const [group, priority] of groups) {
    if (!isValidIdTag(group)) add(`groupPriorities.${group}`, `a group (an id tag's parentIdTag / groupIdToken) is 1-${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces`);
    checkPriority(priority, `groupPriorities.${group}`, add);
  }
  checkCircuits(site.circuits, add);
  checkChargers(site, add);
  return issues;
}

function checkName(name: string, path: string, add: (path: string, message: string) => void): void {
  if (name.trim() === '' || name.length > MAX_NAME_LENGTH) add(path, `${path} must be 1-${MAX_NAME_LENGTH} characters, not blank`);
}

/** A limit needs amps and/or kW, each positive and finite. */
export function checkLimit(limit: Limit, path: string, add: (path: string, message: string) => void): void {
  if (limit.amps === null && limit.kw === null) {
    add(path, `${path} needs amps (per phase) and/or kw (in total)`);
    return;
  }
  for (const kind of ['amps', 'kw'] as const) {
    const value = limit[kind];
    if (value !== null && (!isFiniteNumber(value) || value <= 0)) add(`${path}.${kind}`, `${path}.${kind} must be a positive number`);
  }
}

function checkSchedule(site: SiteConfig, add: (path: string, message: string) => void): void {
  const periods = site.dailySchedule;
  if (periods.length > MAX_SCHEDULE_PERIODS) add('dailySchedule', `dailySchedule may have at most ${MAX_SCHEDULE_PERIODS} periods`);
  let previous: string | null = null;
  periods.forEach((period, i) => {
    const path = `dailySchedule.${i}`;
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(period.start)) {
      add(`${path}.start`, `${path}.start must be HH:MM (00:00-23:59), not "${period.start}"`);
    } else {
      if (previous !== null && period.start <= previous) add(`${path}.start`, `${path}.start must come after the period before (${previous}): periods are strictly ascending`);
      previous = period.start;
    }
    checkLimit(period.limit, `${path}.limit`, add);
  });
}

/** Circuits: unique ids, parents in the same site, no cycles. A child's limit may exceed its parent's: the parent still binds. */
function checkCircuits(circuits: readonly CircuitConfig[], add: (path: string, message: string) => void): void {
  if (circuits.length > MAX_CIRCUITS) add('circuits', `a site may have at most ${MAX_CIRCUITS} circuits`);
  const byId = new Map<string, CircuitConfig>();
  for (const circuit of circuits) {
    const path = `circuits.${circuit.circuitId}`;
    if (!SITE_PART_ID.test(circuit.circuitId)) add(path, `a circuit id must be ${SITE_PART_ID_RULE}`);
    if (byId.has(circuit.circuitId)) add(path, `circuit "${circuit.circuitId}" is there twice`);
    byId.set(circuit.circuitId, circuit);
    checkName(circuit.name, `${path}.name`, add);
    checkLimit(circuit.limit, `${path}.limit`, add);
  }
  for (const circuit of byId.values()) {
    const path = `circuits.${circuit.circuitId}.parentId`;
    if (circuit.parentId === null) continue;
    if (circuit.parentId === circuit.circuitId) {
      add(path, `circuit "${circuit.circuitId}" cannot be its own parent`);
      continue;
    }
    if (!byId.has(circuit.parentId)) {
      add(path, `parent circuit "${circuit.parentId}" does not exist on this site`);
      continue;
    }
    // Walk up: a chain longer than the number of circuits has met itself again.
    let at: CircuitConfig | undefined = circuit;
    for (let steps = 0; at?.parentId != null; steps++) {
      if (steps > byId.size) {
        add(path, `parentId "${circuit.parentId}" would make a cycle: a circuit cannot hang (directly or not) from itself`);
        break;
      }
      at = byId.get(at.parentId);
    }
  }
}

function checkChargers(site: SiteConfig, add: (path: string, message: string) => void): void {
  const circuits = new Set(site.circuits.map((c) => c.circuitId));
  const seen = new Set<string>();
  for (const charger of site.chargers) {
    const path = `chargers.${charger.chargerId}${charger.evseId === null ? '' : `/${charger.evseId}`}`;
    checkCharger(charger, path, add);
    const key = `${charger.chargerId}/${charger.evseId ?? 0}`;
    if (seen.has(key)) add(path, `${path} is on the site twice`);
    seen.add(key);
    if (charger.circuitId !== null && !circuits.has(charger.circuitId)) add(`${path}.circuitId`, `circuit "${charger.circuitId}" does not exist on this site`);
  }
}

/** One charger's (or EVSE's) own values. */
export function checkCharger(charger: SiteCharger, path: string, add: (path: string, message: string) => void): void {
  if (charger.evseId !== null && (!Number.isSafeInteger(charger.evseId) || charger.evseId < 1)) add(`${path}.evseId`, 'evseId must be a whole number from 1 (null or left out: the whole charger)');
  if (charger.phaseRotation !== null && !(PHASE_ROTATIONS as readonly string[]).includes(charger.phaseRotation)) {
    add(`${path}.phaseRotation`, `phaseRotation must be one of ${PHASE_ROTATIONS.join(', ')}, or null when unknown`);
  }
  if (charger.phases !== 1 && charger.phases !== 3) add(`${path}.phases`, 'phases must be 1 or 3');
  const maxOk = isFiniteNumber(charger.maxAmps) && charger.maxAmps > 0 && charger.maxAmps <= MAX_CHARGER_AMPS;
  if (!maxOk) add(`${path}.maxAmps`, `maxAmps must be more than 0 and at most ${MAX_CHARGER_AMPS} (A per phase)`);
  if (!isFiniteNumber(charger.fallbackAmps) || charger.fallbackAmps < 0 || (maxOk && charger.fallbackAmps > charger.maxAmps)) {
    add(`${path}.fallbackAmps`, 'fallbackAmps must be from 0 to maxAmps (A per phase)');
  }
  checkPriority(charger.priority, `${path}.priority`, add);
}

function checkPriority(priority: number, path: string, add: (path: string, message: string) => void): void {
  if (!Number.isInteger(priority) || priority < PRIORITY_RANGE[0] || priority > PRIORITY_RANGE[1]) {
    add(path, `priority must be a whole number from ${PRIORITY_RANGE[0]} to ${PRIORITY_RANGE[1]}`);
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whether Intl knows the zone (the runtime's IANA database). */
export function isValidTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
