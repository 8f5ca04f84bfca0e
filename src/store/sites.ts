// D1 access for sites (issue 17): all SQL of the sites, site_circuits and site_chargers tables
// (migrations/0050_sites.sql). The API checks a change against the rules on the whole site first
// (src/sites/rules.ts); the statements here still guard what a concurrent change could break —
// a charger on two sites, a charger on a circuit being deleted, a circuit deleted under another —
// so that a refused change writes nothing. Every change moves the site's updated_at.

import type { CircuitConfig, Limit, SiteCharger, SiteConfig } from '../sites/model';

/** A site's own values: what POST /sites and PUT /sites/{id} set (circuits, chargers and the external limit have routes of their own). */
export type SiteFields = Pick<SiteConfig, 'name' | 'voltage' | 'limit' | 'dailySchedule' | 'timeZone' | 'minAmps' | 'groupPriorities'>;

/** A site in the list: its own values and how many circuits and charger rows it has. */
export type SiteSummary = Omit<SiteConfig, 'circuits' | 'chargers'> & { circuitCount: number; chargerCount: number; createdAt: string };

export type ChargerPutOutcome =
  | { ok: true; created: boolean }
  | { ok: false; reason: 'unknownSite' | 'unknownCharger' | 'unknownCircuit' }
  | { ok: false; reason: 'otherSite'; siteId: string };

export type CircuitDeleteOutcome =
  | { ok: true }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'inUse'; chargers: string[]; circuits: string[] };

type SiteRow = {
  site_id: string;
  name: string;
  voltage: number;
  limit_amps: number | null;
  limit_kw: number | null;
  daily_schedule: string;
  time_zone: string;
  external_limit_amps: number | null;
  external_limit_kw: number | null;
  external_limit_until: string | null;
  min_amps: number;
  group_priorities: string;
  created_at: string;
  updated_at: string;
};
type CircuitRow = { site_id: string; circuit_id: string; parent_id: string | null; name: string; limit_amps: number | null; limit_kw: number | null };
type ChargerRow = {
  charger_id: string;
  evse_id: number;
  site_id: string;
  circuit_id: string | null;
  phase_rotation: string | null;
  max_amps: number;
  phases: number;
  fallback_amps: number;
  priority: number;
};

/** Moves updated_at when the statement before it in the batch changed a row (changes() is that statement's count). */
const TOUCH_IF_CHANGED = 'UPDATE sites SET updated_at = ?2 WHERE site_id = ?1 AND changes() > 0';

export class SiteStore {
  constructor(private readonly db: D1Database) {}

  /** The whole site as its object gets it; null when there is no such site. */
  async load(siteId: string): Promise<SiteConfig | null> {
    const [site, circuits, chargers] = await this.db.batch([
      this.db.prepare('SELECT * FROM sites WHERE site_id = ?1').bind(siteId),
      this.db.prepare('SELECT * FROM site_circuits WHERE site_id = ?1 ORDER BY circuit_id').bind(siteId),
      this.db.prepare('SELECT * FROM site_chargers WHERE site_id = ?1 ORDER BY charger_id, evse_id').bind(siteId),
    ]);
    const row = (site?.results as SiteRow[] | undefined)?.[0];
    if (!row) return null;
    return {
      ...toFields(row),
      circuits: ((circuits?.results ?? []) as CircuitRow[]).map(toCircuit),
      chargers: ((chargers?.results ?? []) as ChargerRow[]).map(toCharger),
    };
  }

  /** Sites by id, `limit` at a time after `cursor` (a site id). */
  async list(opts: { limit: number; cursor?: string }): Promise<{ sites: SiteSummary[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(
        `SELECT s.*,
           (SELECT count(*) FROM site_circuits c WHERE c.site_id = s.site_id) AS circuit_count,
           (SELECT count(*) FROM site_chargers h WHERE h.site_id = s.site_id) AS charger_count
         FROM sites s WHERE s.site_id > ?1 ORDER BY s.site_id LIMIT ?2`,
      )
      .bind(opts.cursor ?? '', opts.limit + 1)
      .all<SiteRow & { circuit_count: number; charger_count: number }>();
    const page = results.slice(0, opts.limit);
    return {
      sites: page.map((row) => ({ ...toFields(row), circuitCount: row.circuit_count, chargerCount: row.charger_count, createdAt: row.created_at })),
      nextCursor: results.length > opts.limit ? (page.at(-1)?.site_id ?? null) : null,
    };
  }

  /** Creates the site; false (nothing written) when one with this id exists. */
  async create(siteId: string, fields: SiteFields, now: string): Promise<boolean> {
    const row = await this.db
      .prepare(
        `INSERT INTO sites (site_id, name, voltage, limit_amps, limit_kw, daily_schedule, time_zone, min_amps, group_priorities, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
         ON CONFLICT (site_id) DO NOTHING RETURNING site_id`,
      )
      .bind(siteId, ...fieldValues(fields), now)
      .first();
    return row !== null;
  }

  /** Replaces the site's own values; false when there is no such site. */
  async update(siteId: string, fields: SiteFields, now: string): Promise<boolean> {
    const row = await this.db
      .prepare(
        `UPDATE sites SET name = ?2, voltage = ?3, limit_amps = ?4, limit_kw = ?5, daily_schedule = ?6, time_zone = ?7,
           min_amps = ?8, group_priorities = ?9, updated_at = ?10
         WHERE site_id = ?1 RETURNING site_id`,
      )
      .bind(siteId, ...fieldValues(fields), now)
      .first();
    return row !== null;
  }

  /** Deletes the site with its circuits and charger rows; the chargers it had (null: no such site). */
  async delete(siteId: string): Promise<string[] | null> {
    const [chargers, , , deleted] = await this.db.batch([
      this.db.prepare('SELECT DISTINCT charger_id FROM site_chargers WHERE site_id = ?1 ORDER BY charger_id').bind(siteId),
      this.db.prepare('DELETE FROM site_chargers WHERE site_id = ?1').bind(siteId),
      this.db.prepare('DELETE FROM site_circuits WHERE site_id = ?1').bind(siteId),
      this.db.prepare('DELETE FROM sites WHERE site_id = ?1 RETURNING site_id').bind(siteId),
    ]);
    if ((deleted?.results.length ?? 0) === 0) return null;
    return ((chargers?.results ?? []) as Array<{ charger_id: string }>).map((r) => r.charger_id);
  }

  /** Sets (or with null clears) the limit pushed from outside; false when there is no such site. */
  async setExternalLimit(siteId: string, external: { limit: Limit; until: string | null } | null, now: string): Promise<boolean> {
    const row = await this.db
      .prepare('UPDATE sites SET external_limit_amps = ?2, external_limit_kw = ?3, external_limit_until = ?4, updated_at = ?5 WHERE site_id = ?1 RETURNING site_id')
      .bind(siteId, external?.limit.amps ?? null, external?.limit.kw ?? null, external?.until ?? null, now)
      .first();
    return row !== null;
  }

  /**
   * Creates or replaces a circuit; null when the site or (checked again here, against a concurrent
   * delete) the parent circuit does not exist, else whether it was created.
   */
  async putCircuit(siteId: string, circuit: CircuitConfig, now: string): Promise<{ created: boolean } | null> {
    const [before, written] = await this.db.batch([
      this.db.prepare('SELECT 1 AS found FROM site_circuits WHERE site_id = ?1 AND circuit_id = ?2').bind(siteId, circuit.circuitId),
      this.db
        .prepare(
          `INSERT INTO site_circuits (site_id, circuit_id, parent_id, name, limit_amps, limit_kw)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM sites WHERE site_id = ?1)
             AND (?3 IS NULL OR EXISTS (SELECT 1 FROM site_circuits WHERE site_id = ?1 AND circuit_id = ?3))
           ON CONFLICT (site_id, circuit_id) DO UPDATE SET
             parent_id = excluded.parent_id, name = excluded.name, limit_amps = excluded.limit_amps, limit_kw = excluded.limit_kw`,
        )
        .bind(siteId, circuit.circuitId, circuit.parentId, circuit.name, circuit.limit.amps, circuit.limit.kw),
      this.db.prepare(TOUCH_IF_CHANGED).bind(siteId, now),
    ]);
    if ((written?.meta.changes ?? 0) === 0) return null;
    return { created: (before?.results.length ?? 0) === 0 };
  }

  /** Deletes a circuit no charger and no other circuit hangs from; refused (changing nothing) otherwise. */
  async deleteCircuit(siteId: string, circuitId: string, now: string): Promise<CircuitDeleteOutcome> {
    const [chargers, children, deleted] = await this.db.batch([
      this.db.prepare("SELECT charger_id || CASE evse_id WHEN 0 THEN '' ELSE '/' || evse_id END AS id FROM site_chargers WHERE site_id = ?1 AND circuit_id = ?2 ORDER BY charger_id, evse_id").bind(siteId, circuitId),
      this.db.prepare('SELECT circuit_id AS id FROM site_circuits WHERE site_id = ?1 AND parent_id = ?2 ORDER BY circuit_id').bind(siteId, circuitId),
      this.db
        .prepare(
          `DELETE FROM site_circuits WHERE site_id = ?1 AND circuit_id = ?2
             AND NOT EXISTS (SELECT 1 FROM site_chargers WHERE site_id = ?1 AND circuit_id = ?2)
             AND NOT EXISTS (SELECT 1 FROM site_circuits WHERE site_id = ?1 AND parent_id = ?2)`,
        )
        .bind(siteId, circuitId),
      this.db.prepare(TOUCH_IF_CHANGED).bind(siteId, now),
    ]);
    if ((deleted?.meta.changes ?? 0) > 0) return { ok: true };
    const ids = (r: D1Result | undefined) => ((r?.results ?? []) as Array<{ id: string }>).map((x) => x.id);
    if (ids(chargers).length > 0 || ids(children).length > 0) return { ok: false, reason: 'inUse', chargers: ids(chargers), circuits: ids(children) };
    return { ok: false, reason: 'unknown' };
  }

  /**
   * Puts a charger (evseId null) or one of its EVSEs on the site, or replaces its values there.
   * Refused, writing nothing, for an unknown site, charger or circuit, or a charger on another site.
   */
  async putCharger(siteId: string, charger: SiteCharger, now: string): Promise<ChargerPutOutcome> {
    const evseId = charger.evseId ?? 0;
    const [rows, known, circuit, written] = await this.db.batch([
      this.db.prepare('SELECT site_id, evse_id FROM site_chargers WHERE charger_id = ?1').bind(charger.chargerId),
      this.db.prepare('SELECT (SELECT 1 FROM sites WHERE site_id = ?1) AS site, (SELECT 1 FROM chargers WHERE id = ?2) AS charger').bind(siteId, charger.chargerId),
      this.db.prepare('SELECT 1 AS found FROM site_circuits WHERE site_id = ?1 AND circuit_id = ?2').bind(siteId, charger.circuitId),
      this.db
        .prepare(
          `INSERT INTO site_chargers (charger_id, evse_id, site_id, circuit_id, phase_rotation, max_amps, phases, fallback_amps, priority)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
           WHERE EXISTS (SELECT 1 FROM sites WHERE site_id = ?3) AND EXISTS (SELECT 1 FROM chargers WHERE id = ?1)
             AND NOT EXISTS (SELECT 1 FROM site_chargers WHERE charger_id = ?1 AND site_id <> ?3)
             AND (?4 IS NULL OR EXISTS (SELECT 1 FROM site_circuits WHERE site_id = ?3 AND circuit_id = ?4))
           ON CONFLICT (charger_id, evse_id) DO UPDATE SET
             circuit_id = excluded.circuit_id, phase_rotation = excluded.phase_rotation, max_amps = excluded.max_amps,
             phases = excluded.phases, fallback_amps = excluded.fallback_amps, priority = excluded.priority`,
        )
        .bind(charger.chargerId, evseId, siteId, charger.circuitId, charger.phaseRotation, charger.maxAmps, charger.phases, charger.fallbackAmps, charger.priority),
      this.db.prepare(TOUCH_IF_CHANGED).bind(siteId, now),
    ]);
    const before = (rows?.results ?? []) as Array<{ site_id: string; evse_id: number }>;
    if ((written?.meta.changes ?? 0) > 0) return { ok: true, created: !before.some((r) => r.site_id === siteId && r.evse_id === evseId) };
    const found = (known?.results as Array<{ site: number | null; charger: number | null }> | undefined)?.[0];
    if (!found?.site) return { ok: false, reason: 'unknownSite' };
    if (!found.charger) return { ok: false, reason: 'unknownCharger' };
    const other = before.find((r) => r.site_id !== siteId);
    if (other) return { ok: false, reason: 'otherSite', siteId: other.site_id };
    if (charger.circuitId !== null && (circuit?.results.length ?? 0) === 0) return { ok: false, reason: 'unknownCircuit' };
    throw new Error(`site charger ${siteId}/${charger.chargerId} was not written`);
  }

  /**
   * Takes a charger off the site: all its rows, or only one EVSE's (`evseId`; 0 is the whole
   * charger's row). Returns how many rows went and whether the charger is still on the site.
   */
  async removeCharger(siteId: string, chargerId: string, evseId: number | null, now: string): Promise<{ removed: number; stillOnSite: boolean }> {
    const [deleted, , left] = await this.db.batch([
      this.db.prepare('DELETE FROM site_chargers WHERE site_id = ?1 AND charger_id = ?2 AND (?3 IS NULL OR evse_id = ?3)').bind(siteId, chargerId, evseId),
      this.db.prepare(TOUCH_IF_CHANGED).bind(siteId, now),
      this.db.prepare('SELECT 1 AS found FROM site_chargers WHERE site_id = ?1 AND charger_id = ?2 LIMIT 1').bind(siteId, chargerId),
    ]);
    return { removed: deleted?.meta.changes ?? 0, stillOnSite: (left?.results.length ?? 0) > 0 };
  }

  /** The site a charger is on and its rows there; null when it is on none. */
  async siteOfCharger(chargerId: string): Promise<{ siteId: string; assignments: SiteCharger[] } | null> {
    const { results } = await this.db.prepare('SELECT * FROM site_chargers WHERE charger_id = ?1 ORDER BY evse_id').bind(chargerId).all<ChargerRow>();
    const first = results[0];
    return first ? { siteId: first.site_id, assignments: results.map(toCharger) } : null;
  }

  /** A deleted charger leaves its site (DELETE /chargers/{id}, charger/deletion.ts); the API then pushes the site again. */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM site_chargers WHERE charger_id = ?').bind(chargerId)];
  }
}

/** The whole site as its object gets it (SiteAllocator.configure); null when there is no such site. */
export function loadSiteConfig(db: D1Database, siteId: string): Promise<SiteConfig | null> {
  return new SiteStore(db).load(siteId);
}

function fieldValues(fields: SiteFields): unknown[] {
  return [
    fields.name,
    fields.voltage,
    fields.limit.amps,
    fields.limit.kw,
    JSON.stringify(fields.dailySchedule),
    fields.timeZone,
    fields.minAmps,
    JSON.stringify(fields.groupPriorities),
  ];
}

function toFields(row: SiteRow): Omit<SiteConfig, 'circuits' | 'chargers'> {
  const external = row.external_limit_amps === null && row.external_limit_kw === null
    ? null
    : { limit: { amps: row.external_limit_amps, kw: row.external_limit_kw }, until: row.external_limit_until };
  return {
    siteId: row.site_id,
    name: row.name,
    voltage: row.voltage,
    limit: { amps: row.limit_amps, kw: row.limit_kw },
    dailySchedule: JSON.parse(row.daily_schedule) as SiteConfig['dailySchedule'],
    timeZone: row.time_zone,
    externalLimit: external,
    minAmps: row.min_amps,
    groupPriorities: JSON.parse(row.group_priorities) as Record<string, number>,
    updatedAt: row.updated_at,
  };
}

function toCircuit(row: CircuitRow): CircuitConfig {
  return { circuitId: row.circuit_id, parentId: row.parent_id, name: row.name, limit: { amps: row.limit_amps, kw: row.limit_kw } };
}

function toCharger(row: ChargerRow): SiteCharger {
  return {
    chargerId: row.charger_id,
    evseId: row.evse_id === 0 ? null : row.evse_id,
    circuitId: row.circuit_id,
    phaseRotation: row.phase_rotation,
    maxAmps: row.max_amps,
    phases: row.phases === 1 ? 1 : 3,
    fallbackAmps: row.fallback_amps,
    priority: row.priority,
  };
}
