// D1 access for the charging profiles chargers have installed; all of their SQL lives here.

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

  /** Statements applying the changes in order: profile changes are rare, so one or two each. */
  changeStatements(changes: readonly ChargerFact<'profile'>[]): D1PreparedStatement[] {
    return changes.flatMap(({ chargerId, fact }) => (fact.op === 'install' ? this.install(chargerId, fact) : [this.clear(chargerId, fact)]));
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
   * OCPP's SetChargingProfile: a new profile replaces one with the same id, or with the same
   * stack level and purpose on the same connector / EVSE.
   */
  private install(chargerId: string, p: Extract<ProfileChange, { op: 'install' }>): D1PreparedStatement[] {
    return [
      this.db
        .prepare(
          `DELETE FROM charging_profiles WHERE charger_id = ?1
             AND (profile_id = ?2 OR (evse_id = ?3 AND purpose = ?4 AND stack_level = ?5))`,
        )
        .bind(chargerId, p.profileId, p.evseId, p.purpose, p.stackLevel),
      this.db
        .prepare(
          `INSERT INTO charging_profiles (charger_id, profile_id, protocol, evse_id, stack_level, purpose, transaction_id, profile, installed_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
        )
        .bind(chargerId, p.profileId, p.protocol, p.evseId, p.stackLevel, p.purpose, p.transactionId, JSON.stringify(p.profile), p.at),
    ];
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
