// D1 access for the charging profiles chargers have installed, and the external limits they report; all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import type { ProfileChange } from '../ocpp/profile-changes';

export interface StoredProfile {
  profileId: number;
  protocol: string;
  evseId: number;
  stackLevel: number;
  purpose: string;
  transactionId: string | null;
  profile: Record<string, unknown>;
  installedAt: string;
}

/** An external limit a 2.0.1 charger reported (NotifyChargingLimit), as kept. */
export interface StoredLimit {
  evseId: number;
  source: string;
  isGridCritical: boolean | null;
  /** ChargingScheduleType list as sent; empty when the charger gave no schedule (nothing to enforce). */
  schedules: Record<string, unknown>[];
  reportedAt: string;
}

type LimitRow = { evse_id: number; source: string; is_grid_critical: number | null; schedules: string; reported_at: string };

type Row = {
  profile_id: number;
  protocol: string;
  evse_id: number;
  stack_level: number;
  purpose: string;
  transaction_id: string | null;
  profile: string;
  installed_at: string;
};

export class ChargingProfileStore {
  constructor(private readonly db: D1Database) {}

  /** Forgets the profiles the CSMS set on the charger and the limits it reported (DELETE /chargers/{id}). */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [
      this.db.prepare('DELETE FROM charging_profiles WHERE charger_id = ?').bind(chargerId),
      this.db.prepare('DELETE FROM charging_limits WHERE charger_id = ?').bind(chargerId),
    ];
  }

  /** Statements applying the changes in order: profile changes are rare, so one or two each. */
  changeStatements(changes: readonly ChargerFact<'profile'>[]): D1PreparedStatement[] {
    return changes.flatMap(({ chargerId, fact }) => {
      switch (fact.op) {
        case 'install':
          return this.install(chargerId, fact);
        case 'clear':
          return [this.clear(chargerId, fact)];
        case 'bind':
          return [this.bind(chargerId, fact)];
        case 'endTransaction':
          return [this.endTransaction(chargerId, fact)];
        case 'limit':
          return [this.limit(chargerId, fact)];
        case 'clearLimit':
          return [this.clearLimit(chargerId, fact)];
      }
    });
  }

  /** The external limits reported on `evseId` and on the whole station (0), or all of them. */
  async limits(chargerId: string, evseId?: number): Promise<StoredLimit[]> {
    const { results } = await this.db
      .prepare(
        `SELECT evse_id, source, is_grid_critical, schedules, reported_at FROM charging_limits
         WHERE charger_id = ?1 AND (?2 IS NULL OR evse_id = ?2 OR evse_id = 0) ORDER BY evse_id, source`,
      )
      .bind(chargerId, evseId ?? null)
      .all<LimitRow>();
    return results.map((r) => ({
      evseId: r.evse_id,
      source: r.source,
      isGridCritical: r.is_grid_critical === null ? null : r.is_grid_critical === 1,
      schedules: JSON.parse(r.schedules) as Record<string, unknown>[],
      reportedAt: r.reported_at,
    }));
  }

  async list(chargerId: string, evseId?: number): Promise<StoredProfile[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM charging_profiles WHERE charger_id = ?1 AND (?2 IS NULL OR evse_id = ?2 OR evse_id = 0)
         ORDER BY evse_id, purpose, stack_level DESC`,
      )
      .bind(chargerId, evseId ?? null)
      .all<Row>();
    return results.map((r) => ({
      profileId: r.profile_id,
      protocol: r.protocol,
      evseId: r.evse_id,
      stackLevel: r.stack_level,
      purpose: r.purpose,
      transactionId: r.transaction_id,
      profile: JSON.parse(r.profile) as Record<string, unknown>,
      installedAt: r.installed_at,
    }));
  }

  /**
   * What a profile the charger accepted replaces:
   * - 1.6 §5.16 (SetChargingProfile): one with the same id, or with the same stack level and purpose
   *   on the same connector.
   * - 2.0.1: one with the same id (K01.FR.05). Stack level and purpose on the same EVSE are unique only
   *   among profiles whose validity periods overlap (K01.FR.06: the station rejects such a new one, so
   *   one it accepted anyway took the old one's place); a TxProfile is unique by stack level within its
   *   transaction (K01.FR.39). Profiles with the same stack level valid at other times stay.
   * Validity bounds are compared as instants (julianday reads offsets); an absent bound is open.
   */
  private install(chargerId: string, p: Extract<ProfileChange, { op: 'install' }>): D1PreparedStatement[] {
    const replaced =
      p.protocol === 'ocpp1.6'
        ? this.db
            .prepare(
              `DELETE FROM charging_profiles WHERE charger_id = ?1
                 AND (profile_id = ?2 OR (evse_id = ?3 AND purpose = ?4 AND stack_level = ?5))`,
            )
            .bind(chargerId, p.profileId, p.evseId, p.purpose, p.stackLevel)
        : this.db
            .prepare(
              `DELETE FROM charging_profiles WHERE charger_id = ?1
                 AND (profile_id = ?2 OR (purpose = ?4 AND stack_level = ?5 AND (
                   CASE WHEN ?4 = 'TxProfile' AND ?6 IS NOT NULL THEN transaction_id = ?6
                        ELSE evse_id = ?3
                          AND (?8 IS NULL OR json_extract(profile, '$.validFrom') IS NULL
                               OR julianday(json_extract(profile, '$.validFrom')) < julianday(?8))
                          AND (?7 IS NULL OR json_extract(profile, '$.validTo') IS NULL
                               OR julianday(?7) < julianday(json_extract(profile, '$.validTo')))
                   END)))`,
            )
            .bind(chargerId, p.profileId, p.evseId, p.purpose, p.stackLevel, p.transactionId, validity(p.profile.validFrom), validity(p.profile.validTo));
    return [
      replaced,
      this.db
        .prepare(
          `INSERT INTO charging_profiles (charger_id, profile_id, protocol, evse_id, stack_level, purpose, transaction_id, profile, installed_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
        )
        .bind(chargerId, p.profileId, p.protocol, p.evseId, p.stackLevel, p.purpose, p.transactionId, JSON.stringify(p.profile), p.at),
    ];
  }

  /** The remote start's TxProfiles still waiting for their transaction, on its connector / EVSE or on none (0), are its. */
  private bind(chargerId: string, b: Extract<ProfileChange, { op: 'bind' }>): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE charging_profiles SET transaction_id = ?2, evse_id = ?3
         WHERE charger_id = ?1 AND purpose = 'TxProfile' AND transaction_id IS NULL AND (evse_id = ?3 OR evse_id = 0)`,
      )
      .bind(chargerId, b.transactionId, b.evseId);
  }

  /** The transaction's TxProfiles, and those on its EVSE naming no transaction, end with it. */
  private endTransaction(chargerId: string, e: Extract<ProfileChange, { op: 'endTransaction' }>): D1PreparedStatement {
    return this.db
      .prepare(
        `DELETE FROM charging_profiles WHERE charger_id = ?1 AND purpose = 'TxProfile'
           AND (transaction_id = ?2 OR (transaction_id IS NULL AND ?3 IS NOT NULL AND evse_id = ?3))`,
      )
      .bind(chargerId, e.transactionId, e.evseId);
  }

  /** A source's new report replaces its last one on that EVSE. */
  private limit(chargerId: string, l: Extract<ProfileChange, { op: 'limit' }>): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO charging_limits (charger_id, evse_id, source, is_grid_critical, schedules, reported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (charger_id, evse_id, source) DO UPDATE SET
           is_grid_critical = excluded.is_grid_critical, schedules = excluded.schedules, reported_at = excluded.reported_at`,
      )
      .bind(chargerId, l.evseId, l.source, l.isGridCritical === null ? null : l.isGridCritical ? 1 : 0, JSON.stringify(l.schedules), l.at);
  }

  private clearLimit(chargerId: string, c: Extract<ProfileChange, { op: 'clearLimit' }>): D1PreparedStatement {
    return this.db
      .prepare('DELETE FROM charging_limits WHERE charger_id = ?1 AND source = ?2 AND (?3 IS NULL OR evse_id = ?3)')
      .bind(chargerId, c.source, c.evseId ?? null);
  }

  private clear(chargerId: string, c: Extract<ProfileChange, { op: 'clear' }>): D1PreparedStatement {
    return this.db
      .prepare(
        `DELETE FROM charging_profiles WHERE charger_id = ?1 AND (?2 IS NULL OR profile_id = ?2)
           AND (?3 IS NULL OR evse_id = ?3) AND (?4 IS NULL OR purpose = ?4) AND (?5 IS NULL OR stack_level = ?5)`,
      )
      .bind(chargerId, c.profileId ?? null, c.evseId ?? null, c.purpose ?? null, c.stackLevel ?? null);
  }
}

/** A validity bound as sent, or null when absent or not text. */
function validity(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
