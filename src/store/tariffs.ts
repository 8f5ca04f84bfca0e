// D1 access for tariffs, their immutable versions and their assignments; all SQL for the
// tariffs, tariff_versions and tariff_assignments tables (migrations/0032_tariffs.sql) lives here.
//
// Versioning: a PUT whose body equals the current version changes nothing; any other body is
// stored as the next version, and no version is ever changed or removed, so a session priced with
// (tariff id, version) keeps its price. Deletion only marks the tariff: it is refused while the
// tariff is assigned anywhere (the operator reassigns first: removing assignments as a side effect
// would silently change which price chargers charge), and its versions stay readable.

import type { Tariff, TariffBody } from '../tariffs/model';
import { IdTagStore, type IdTagRecord } from './id-tags';
import { chooseTariff, groupOf, type AssignmentScope, type TariffCandidate, type TariffResolution } from '../tariffs/resolution';

export type { AssignmentScope, TariffResolution };

/** A tariff as the store keeps it: its current version, and when it was deleted (null: it is live). */
export interface StoredTariff {
  tariff: Tariff;
  deletedAt: string | null;
}

/** What a PUT did: a new tariff, a new version, nothing (same body), or a deleted tariff brought back. */
export type TariffPutOutcome = 'created' | 'updated' | 'unchanged' | 'restored';

export type TariffDeleteOutcome =
  | { deleted: true }
  | { deleted: false; reason: 'unknown' | 'alreadyDeleted' }
  | { deleted: false; reason: 'assigned'; assignments: TariffAssignment[] };

export interface TariffAssignment {
  scope: AssignmentScope;
  /** The charger id, the id tag group, or '' for the default. */
  key: string;
  tariffId: string;
  assignedAt: string;
}

export type AssignOutcome =
  | { assigned: true; assignment: TariffAssignment; created: boolean }
  | { assigned: false; reason: 'unknownTariff' | 'deletedTariff' | 'unknownCharger' };

type TariffRow = { id: string; current_version: number; deleted_at: string | null; body: string; version_created_at: string };
type AssignmentRow = { scope: AssignmentScope; scope_key: string; tariff_id: string; assigned_at: string };

/** The current version's body and date come with every tariff row. */
const TARIFF_SELECT = `SELECT t.id, t.current_version, t.deleted_at, v.body, v.created_at AS version_created_at
  FROM tariffs t JOIN tariff_versions v ON v.tariff_id = t.id AND v.version = t.current_version`;

/**
 * How a scope's key is matched: id tag groups case-insensitively, as id tags are (the table's
 * unique index on lower(scope_key) keeps one row per group however spelt); charger ids exactly.
 */
function keyMatches(scope: AssignmentScope): string {
  return scope === 'id_tag_group' ? 'lower(scope_key) = lower(?2)' : 'scope_key = ?2';
}

/** A cursor of the assignments list: `scope:key` (scopes have no `:`; the key may). */
function readAssignmentCursor(cursor: string | undefined): { scope: string; key: string } {
  if (!cursor) return { scope: '', key: '' };
  const colon = cursor.indexOf(':');
  return colon < 0 ? { scope: cursor, key: '' } : { scope: cursor.slice(0, colon), key: cursor.slice(colon + 1) };
}

export class TariffStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Forgets the tariff assigned to the charger itself (DELETE /chargers/{id}). Priced sessions keep
   * their cost: transaction_costs names the tariff version they were priced under.
   */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare("DELETE FROM tariff_assignments WHERE scope = 'charger' AND scope_key = ?").bind(chargerId)];
  }

  /** The tariff's current version, deleted or not; null when the id was never PUT. */
  async get(id: string): Promise<StoredTariff | null> {
    const row = await this.db.prepare(`${TARIFF_SELECT} WHERE t.id = ?1`).bind(id).first<TariffRow>();
    return row ? toStored(row) : null;
  }

  /**
   * One version of a tariff exactly as it was stored, also after the tariff changed or was
   * deleted: what a session that began under it is priced with. Null when there is no such version.
   */
  async getTariffVersion(id: string, version: number): Promise<Tariff | null> {
    const row = await this.db
      .prepare(
        `SELECT t.id, v.version, v.body, v.created_at FROM tariff_versions v JOIN tariffs t ON t.id = v.tariff_id
         WHERE v.tariff_id = ?1 AND v.version = ?2`,
      )
      .bind(id, version)
      .first<{ id: string; version: number; body: string; created_at: string }>();
    return row ? toTariff(row.id, row.version, row.body, row.created_at) : null;
  }

  /**
   * Stores `body` (as parsed by parseTariffBody, so equal tariffs serialize equally) as the
   * tariff's next version, or changes nothing when it equals the current one. A deleted tariff
   * is brought back: with its last version when the body equals it, else with the next.
   */
  async put(id: string, body: TariffBody, now: string): Promise<{ tariff: Tariff; outcome: TariffPutOutcome }> {
    const json = JSON.stringify(body);
    const currentBody = 'SELECT body FROM tariff_versions WHERE tariff_id = tariffs.id AND version = tariffs.current_version';
    // One batch is one transaction: the version chosen, the version row and what was there before agree.
    const [before, , , after] = await this.db.batch([
      this.db.prepare(`${TARIFF_SELECT} WHERE t.id = ?1`).bind(id),
      this.db
        .prepare(
          `INSERT INTO tariffs (id, current_version, created_at, updated_at) VALUES (?1, 1, ?3, ?3)
           ON CONFLICT (id) DO UPDATE SET
             current_version = CASE WHEN (${currentBody}) IS ?2 THEN current_version ELSE current_version + 1 END,
             updated_at = CASE WHEN deleted_at IS NULL AND (${currentBody}) IS ?2 THEN updated_at ELSE ?3 END,
             deleted_at = NULL`,
        )
        .bind(id, json, now),
      // Ignored when the version did not change (its row exists, with this very body).
      this.db
        .prepare(
          `INSERT OR IGNORE INTO tariff_versions (tariff_id, version, body, created_at)
           SELECT id, current_version, ?2, ?3 FROM tariffs WHERE id = ?1`,
        )
        .bind(id, json, now),
      this.db.prepare(`${TARIFF_SELECT} WHERE t.id = ?1`).bind(id),
    ]);
    const old = (before?.results as TariffRow[] | undefined)?.[0];
    const row = (after?.results as TariffRow[] | undefined)?.[0];
    if (!row) throw new Error(`tariff ${id} was not written`);
    const outcome: TariffPutOutcome = !old ? 'created' : old.deleted_at !== null ? 'restored' : old.body === json ? 'unchanged' : 'updated';
    return { tariff: toStored(row).tariff, outcome };
  }

  /** Marks the tariff deleted, unless it is assigned somewhere (the answer says where). */
  async delete(id: string, now: string): Promise<TariffDeleteOutcome> {
    const [assigned, update, existing] = await this.db.batch([
      this.db.prepare('SELECT * FROM tariff_assignments WHERE tariff_id = ?1 ORDER BY scope, scope_key').bind(id),
      this.db
        .prepare(
          `UPDATE tariffs SET deleted_at = ?2, updated_at = ?2
           WHERE id = ?1 AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM tariff_assignments WHERE tariff_id = ?1)`,
        )
        .bind(id, now),
      this.db.prepare('SELECT deleted_at FROM tariffs WHERE id = ?1').bind(id),
    ]);
    if ((update?.meta.changes ?? 0) > 0) return { deleted: true };
    const assignments = ((assigned?.results ?? []) as AssignmentRow[]).map(toAssignment);
    if (assignments.length > 0) return { deleted: false, reason: 'assigned', assignments };
    return { deleted: false, reason: (existing?.results.length ?? 0) === 0 ? 'unknown' : 'alreadyDeleted' };
  }

  /** Tariffs by id, `limit` at a time after `cursor` (an id); deleted ones only when asked for. */
  async list(opts: { limit: number; cursor?: string; includeDeleted?: boolean }): Promise<{ tariffs: StoredTariff[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(`${TARIFF_SELECT} WHERE t.id > ?1 AND (?2 OR t.deleted_at IS NULL) ORDER BY t.id LIMIT ?3`)
      .bind(opts.cursor ?? '', opts.includeDeleted ? 1 : 0, opts.limit + 1)
      .all<TariffRow>();
    const page = results.slice(0, opts.limit);
    return {
      tariffs: page.map(toStored),
      nextCursor: results.length > opts.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  /**
   * Assigns a live tariff to a scope (replacing what was assigned there). Refused, changing
   * nothing, for an unknown or deleted tariff, or a charger the CSMS does not know.
   */
  async assign(scope: AssignmentScope, key: string, tariffId: string, now: string): Promise<AssignOutcome> {
    const [existing, tariff, charger, written] = await this.db.batch([
      this.db.prepare(`SELECT * FROM tariff_assignments WHERE scope = ?1 AND ${keyMatches(scope)}`).bind(scope, key),
      this.db.prepare('SELECT deleted_at FROM tariffs WHERE id = ?1').bind(tariffId),
      this.db.prepare("SELECT 1 AS found FROM chargers WHERE id = ?1 AND ?2 = 'charger'").bind(key, scope),
      // No conflict target: a group spelt differently conflicts on the lower(scope_key) index, and takes the new spelling.
      this.db
        .prepare(
          `INSERT INTO tariff_assignments (scope, scope_key, tariff_id, assigned_at)
           SELECT ?1, ?2, t.id, ?4 FROM tariffs t
           WHERE t.id = ?3 AND t.deleted_at IS NULL AND (?1 <> 'charger' OR EXISTS (SELECT 1 FROM chargers WHERE id = ?2))
           ON CONFLICT DO UPDATE SET scope_key = excluded.scope_key, tariff_id = excluded.tariff_id, assigned_at = excluded.assigned_at
           RETURNING *`,
        )
        .bind(scope, key, tariffId, now),
    ]);
    const row = (written?.results as AssignmentRow[] | undefined)?.[0];
    if (row) return { assigned: true, assignment: toAssignment(row), created: (existing?.results.length ?? 0) === 0 };
    const found = (tariff?.results as { deleted_at: string | null }[] | undefined)?.[0];
    if (!found) return { assigned: false, reason: 'unknownTariff' };
    if (found.deleted_at !== null) return { assigned: false, reason: 'deletedTariff' };
    if (scope === 'charger' && (charger?.results.length ?? 0) === 0) return { assigned: false, reason: 'unknownCharger' };
    throw new Error(`tariff assignment ${scope} ${key} was not written`);
  }

  /** True when there was an assignment to remove. */
  async unassign(scope: AssignmentScope, key: string): Promise<boolean> {
    const result = await this.db.prepare(`DELETE FROM tariff_assignments WHERE scope = ?1 AND ${keyMatches(scope)}`).bind(scope, key).run();
    return result.meta.changes > 0;
  }

  /** Assignments by scope then key, `limit` at a time after `cursor` (`scope:key`), optionally of one scope or tariff. */
  async assignments(opts: {
    limit: number;
    cursor?: string;
    scope?: AssignmentScope;
    tariffId?: string;
  }): Promise<{ assignments: TariffAssignment[]; nextCursor: string | null }> {
    const after = readAssignmentCursor(opts.cursor);
    const { results } = await this.db
      .prepare(
        `SELECT * FROM tariff_assignments
         WHERE (scope > ?1 OR (scope = ?1 AND scope_key > ?2)) AND (?3 IS NULL OR scope = ?3) AND (?4 IS NULL OR tariff_id = ?4)
         ORDER BY scope, scope_key LIMIT ?5`,
      )
      .bind(after.scope, after.key, opts.scope ?? null, opts.tariffId ?? null, opts.limit + 1)
      .all<AssignmentRow>();
    const page = results.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      assignments: page.map(toAssignment),
      nextCursor: results.length > opts.limit && last ? `${last.scope}:${last.scope_key}` : null,
    };
  }

  /** The assignments that could price a session at this charger for this group, each with its tariff's current version. */
  async candidates(chargerId: string, group: string | null): Promise<TariffCandidate[]> {
    const { results } = await this.db
      .prepare(
        `SELECT a.scope, a.scope_key, t.id, t.current_version, t.deleted_at, v.body, v.created_at AS version_created_at
         FROM tariff_assignments a
         JOIN tariffs t ON t.id = a.tariff_id
         JOIN tariff_versions v ON v.tariff_id = t.id AND v.version = t.current_version
         WHERE t.deleted_at IS NULL AND (
           (a.scope = 'default' AND a.scope_key = '')
           OR (a.scope = 'charger' AND a.scope_key = ?1)
           OR (?2 IS NOT NULL AND a.scope = 'id_tag_group' AND lower(a.scope_key) = lower(?2)))`,
      )
      .bind(chargerId, group)
      .all<TariffRow & { scope: AssignmentScope; scope_key: string }>();
    return results.map((row) => ({ scope: row.scope, key: row.scope_key, tariff: toStored(row).tariff }));
  }

  /**
   * Which tariff prices a session of `idTag` (null: none presented) at `chargerId` at `at`
   * (default now), and why: the id tag's group (from id_tags, read as authorization reads it;
   * `tokenType` is the presented 2.0.1 type, left out for 1.6) > the charger > the default, a
   * tariff outside its validity window passed over. See src/tariffs/resolution.ts.
   */
  async resolveTariff(chargerId: string, idTag: string | null, opts: { tokenType?: string; at?: Date } = {}): Promise<TariffResolution> {
    let group: string | null = null;
    if (idTag !== null) {
      group = groupOf(await new IdTagStore(this.db).find(idTag), opts.tokenType);
    }
    const candidates = await this.candidates(chargerId, group);
    return chooseTariff(candidates, { chargerId, idTag, group }, opts.at ?? new Date());
  }
}

/**
 * The tariff of a session starting now, for a charger's object (charger/records.ts): like resolveTariff,
 * with the id tag's records passed in when the object has them (read for the start's authorization), so
 * the resolution is one D1 statement. Asked at every start: one statement is what a cache of "nothing is
 * assigned" saved, and such a cache made a tariff newly assigned wait for it to expire.
 */
export async function resolveStartTariff(
  db: D1Database,
  chargerId: string,
  token: { idTag: string | null; tokenType?: string; records?: readonly IdTagRecord[] },
  at: Date,
): Promise<{ resolution: TariffResolution }> {
  let group: string | null = null;
  if (token.idTag !== null) group = groupOf(token.records ?? (await new IdTagStore(db).find(token.idTag)), token.tokenType);
  const candidates = await new TariffStore(db).candidates(chargerId, group);
  return { resolution: chooseTariff(candidates, { chargerId, idTag: token.idTag, group }, at) };
}

function toTariff(id: string, version: number, body: string, lastUpdated: string): Tariff {
  return { id, ...(JSON.parse(body) as TariffBody), version, last_updated: lastUpdated };
}

function toStored(row: TariffRow): StoredTariff {
  return { tariff: toTariff(row.id, row.current_version, row.body, row.version_created_at), deletedAt: row.deleted_at };
}

function toAssignment(row: AssignmentRow): TariffAssignment {
  return { scope: row.scope, key: row.scope_key, tariffId: row.tariff_id, assignedAt: row.assigned_at };
}
