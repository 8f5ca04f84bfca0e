// Which tariff prices a session: the assignments that could apply, in their precedence, each
// tariff checked against its own validity window. Pure: the store gathers the candidates
// (src/store/tariffs.ts, resolveTariff), this decides and says why.
//
// Precedence, most specific first: the id tag's group (a fleet contract price) > the charger >
// (the charger's site, once sites exist: issue 17) > the default tariff. A tariff outside its
// OCPI start_date_time/end_date_time is passed over for the next rule, and the reason says so.

import { entryFor16, type IdTagRecord } from '../ocpp/authorization';
import type { Tariff } from './model';

/** Where a tariff can be assigned; `site` is reserved for sites (issue 17) and not assignable yet. */
export const ASSIGNMENT_SCOPES = ['default', 'charger', 'id_tag_group', 'site'] as const;
export type AssignmentScope = (typeof ASSIGNMENT_SCOPES)[number];

/** The scopes resolution consults, highest precedence first (`site` goes between charger and default). */
export const PRECEDENCE: readonly AssignmentScope[] = ['id_tag_group', 'charger', 'site', 'default'];

/** A tariff assigned somewhere, with its current version. */
export interface TariffCandidate {
  scope: AssignmentScope;
  /** The charger id, the group, or '' for the default. */
  key: string;
  tariff: Tariff;
}

/** An assignment that matched but whose tariff is not valid at the time asked about. */
export interface SkippedTariff {
  scope: AssignmentScope;
  key: string;
  tariffId: string;
  version: number;
  why: 'not yet valid' | 'no longer valid';
}

export interface TariffResolution {
  /** The current version of the tariff that applies; null when none does. */
  tariff: Tariff | null;
  /** The rule that matched (the assignment's scope), null when none did. */
  rule: AssignmentScope | null;
  /** The matched assignment's key: the charger id, the group, '' for the default. */
  key: string | null;
  /** The id tag's group (1.6 parentIdTag / 2.0.1 groupIdToken), null when it has none or no id tag was given. */
  group: string | null;
  /** A sentence or two an operator can read: what matched, and what was passed over and why. */
  reason: string;
  skipped: SkippedTariff[];
}

/** Whether a tariff is in force at `at` by its own OCPI start_date_time (inclusive) and end_date_time (exclusive). */
export function tariffValidityAt(tariff: Pick<Tariff, 'start_date_time' | 'end_date_time'>, at: Date): 'valid' | 'not yet valid' | 'no longer valid' {
  const now = at.getTime();
  if (tariff.start_date_time !== undefined && now < Date.parse(tariff.start_date_time)) return 'not yet valid';
  if (tariff.end_date_time !== undefined && now >= Date.parse(tariff.end_date_time)) return 'no longer valid';
  return 'valid';
}

/**
 * The group an id tag carries, read as authorization reads the tag (src/ocpp/authorization.ts):
 * for a 2.0.1 token presented as `presentedType`, the entry of that type, else the entry for any
 * type; for a 1.6 idTag (no type), the entry a 1.6 charger's list holds (entryFor16).
 */
export function groupOf(records: readonly IdTagRecord[], presentedType?: string): string | null {
  const anyType = records.find((r) => r.tokenType === null);
  const entry = presentedType !== undefined ? (records.find((r) => r.tokenType === presentedType) ?? anyType) : entryFor16(records);
  return entry?.parentIdTag ?? null;
}

function describe(scope: AssignmentScope, key: string, chargerId: string): string {
  switch (scope) {
    case 'id_tag_group':
      return `group "${key}"`;
    case 'charger':
      return `charger "${chargerId}"`;
    case 'site':
      return `site "${key}"`;
    case 'default':
      return 'the default';
  }
}

/**
 * Applies the precedence to the candidates (any order; only those matching this charger and
 * group are passed in by the store) and says why. `idTag` only words the reason.
 */
export function chooseTariff(
  candidates: readonly TariffCandidate[],
  context: { chargerId: string; idTag: string | null; group: string | null },
  at: Date,
): TariffResolution {
  const notes: string[] = [];
  const skipped: SkippedTariff[] = [];
  if (context.idTag !== null) {
    notes.push(context.group === null ? `id tag "${context.idTag}" has no group (or is not registered)` : `id tag "${context.idTag}" is in group "${context.group}"`);
  }
  for (const scope of PRECEDENCE) {
    const candidate = candidates.find((c) => c.scope === scope);
    if (!candidate) {
      if (scope === 'id_tag_group' && context.group !== null) notes.push(`no tariff is assigned to group "${context.group}"`);
      if (scope === 'charger') notes.push(`no tariff is assigned to charger "${context.chargerId}"`);
      continue;
    }
    const where = describe(scope, candidate.key, context.chargerId);
    const { tariff } = candidate;
    const validity = tariffValidityAt(tariff, at);
    if (validity !== 'valid') {
      skipped.push({ scope, key: candidate.key, tariffId: tariff.id, version: tariff.version, why: validity });
      const bound = validity === 'not yet valid' ? `its start_date_time ${tariff.start_date_time}` : `its end_date_time ${tariff.end_date_time}`;
      notes.push(`tariff "${tariff.id}" assigned to ${where} is skipped: ${validity} at ${at.toISOString()} (${bound})`);
      continue;
    }
    notes.push(`tariff "${tariff.id}" (version ${tariff.version}) applies: it is assigned to ${where}`);
    return { tariff, rule: scope, key: candidate.key, group: context.group, reason: sentence(notes), skipped };
  }
  notes.push(candidates.some((c) => c.scope === 'default') ? 'nothing else applies' : 'no default tariff is assigned');
  return { tariff: null, rule: null, key: null, group: context.group, reason: `No tariff applies: ${notes.join('; ')}.`, skipped };
}

function sentence(notes: string[]): string {
  const text = notes.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
