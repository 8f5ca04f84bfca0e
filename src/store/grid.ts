// D1 access for OCPP 2.1 grid facts: dynamic schedule values, priority charging, battery swaps; all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import type { BatterySwapFact, DynamicScheduleLookup, GridFact, ScheduleUpdate } from '../ocpp/v21/grid-facts';

/** A dynamic profile's current values as the API shows them. */
export interface DynamicScheduleView {
  chargingProfileId: number;
  scheduleUpdate: ScheduleUpdate;
  setAt: string;
  /**
   * The outcome of the UpdateDynamicSchedule that carried them: the charger's status (and statusInfo),
   * or, with status null, why no usable answer came (offline, timeout…); null when none was sent.
   */
  chargerAnswer: { status: string | null; statusInfo?: Record<string, unknown>; error?: { code: string; message: string }; answeredAt: string } | null;
}

/** A battery swap event (or a RequestBatterySwap's answer) as the API shows it. */
export interface BatterySwapView {
  id: number;
  requestId: number;
  eventType: BatterySwapFact['eventType'];
  idToken: { idToken: string; type: string };
  /** A charger's event: the token's authorization status. */
  authorization?: string | null;
  /** Requested: the charger's answer to the RequestBatterySwap. */
  answer?: string | null;
  batteryData: Record<string, unknown>[];
  receivedAt: string;
}

export interface PriorityChargingChange {
  activated: boolean;
  at: string;
}

type DynamicRow = {
  profile_id: number;
  schedule_update: string;
  set_at: string;
  charger_status: string | null;
  charger_status_info: string | null;
  answered_at: string | null;
};

type SwapRow = {
  id: number;
  request_id: number;
  event_type: BatterySwapFact['eventType'];
  id_token: string;
  id_token_type: string;
  status: string | null;
  battery_data: string;
  received_at: string;
};

export class GridStore {
  constructor(private readonly db: D1Database) {}

  /** Statements storing the facts a flush carries; each idempotent (a replay stores nothing twice, an older value never replaces a newer one). */
  factStatements(facts: readonly ChargerFact<'grid'>[]): D1PreparedStatement[] {
    return facts.map(({ chargerId, fact }) => this.factStatement(chargerId, fact));
  }

  private factStatement(chargerId: string, fact: GridFact): D1PreparedStatement {
    switch (fact.op) {
      case 'dynamicSchedule':
        // The charger took these values at `at`: current unless the CSMS set newer ones since (a PUT
        // stored after the answer, before this flush). The same values keep the time they were first
        // set, and the answer the PUT that sent them recorded (this fact is that answer, seen by the object).
        return this.db
          .prepare(
            `INSERT INTO dynamic_schedules (charger_id, profile_id, schedule_update, set_at, charger_status, charger_status_info, answered_at)
             VALUES (?1, ?2, ?3, ?4, 'Accepted', NULL, ?4)
             ON CONFLICT (charger_id, profile_id) DO UPDATE SET
               set_at = CASE WHEN dynamic_schedules.schedule_update = excluded.schedule_update THEN dynamic_schedules.set_at ELSE excluded.set_at END,
               answered_at = CASE WHEN dynamic_schedules.schedule_update = excluded.schedule_update AND dynamic_schedules.charger_status = 'Accepted'
                                  THEN dynamic_schedules.answered_at ELSE excluded.answered_at END,
               schedule_update = excluded.schedule_update, charger_status = 'Accepted', charger_status_info = NULL
             WHERE dynamic_schedules.set_at <= excluded.set_at`,
          )
          .bind(chargerId, fact.profileId, JSON.stringify(fact.scheduleUpdate), fact.at);
      case 'priorityCharging':
        return this.db
          .prepare(
            `INSERT OR IGNORE INTO transaction_priority_charging (charger_id, transaction_id, activated, at, message_id, digest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
          )
          .bind(chargerId, fact.transactionId, fact.activated ? 1 : 0, fact.at, fact.messageId, fact.digest);
      case 'batterySwap': {
        const s = fact.swap;
        return this.db
          .prepare(
            `INSERT OR IGNORE INTO battery_swaps (charger_id, message_id, digest, request_id, event_type, id_token, id_token_type, status, battery_data, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
          )
          .bind(chargerId, fact.messageId, fact.digest, s.requestId, s.eventType, s.idToken, s.idTokenType, s.status, JSON.stringify(s.batteryData), s.receivedAt);
      }
    }
  }

  /**
   * What DELETE /chargers/{id} forgets: the dynamic values (state of the charger's profiles, which go
   * too). Battery swaps and priority charging are history, kept like transactions and reports.
   */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM dynamic_schedules WHERE charger_id = ?').bind(chargerId)];
  }

  // ---- dynamic schedules ----

  /** An operator's new values for a profile: current from `setAt`, not answered yet. */
  async setDynamic(chargerId: string, profileId: number, scheduleUpdate: ScheduleUpdate, setAt: string): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO dynamic_schedules (charger_id, profile_id, schedule_update, set_at, charger_status, charger_status_info, answered_at)
         VALUES (?1, ?2, ?3, ?4, NULL, NULL, NULL)
         ON CONFLICT (charger_id, profile_id) DO UPDATE SET schedule_update = excluded.schedule_update, set_at = excluded.set_at,
           charger_status = NULL, charger_status_info = NULL, answered_at = NULL`,
      )
      .bind(chargerId, profileId, JSON.stringify(scheduleUpdate), setAt)
      .run();
  }

  /** The charger's answer to the values set at `setAt` (not to newer ones set since); status null with the error when none came. */
  async recordDynamicAnswer(chargerId: string, profileId: number, setAt: string, status: string | null, statusInfo: unknown, answeredAt: string): Promise<void> {
    await this.db
      .prepare(
        `UPDATE dynamic_schedules SET charger_status = ?4, charger_status_info = ?5, answered_at = ?6
         WHERE charger_id = ?1 AND profile_id = ?2 AND set_at = ?3`,
      )
      .bind(chargerId, profileId, setAt, status, statusInfo === undefined ? null : JSON.stringify(statusInfo), answeredAt)
      .run();
  }

  async dynamic(chargerId: string, profileId: number): Promise<DynamicScheduleView | null> {
    const row = await this.db
      .prepare('SELECT * FROM dynamic_schedules WHERE charger_id = ?1 AND profile_id = ?2')
      .bind(chargerId, profileId)
      .first<DynamicRow>();
    return row ? dynamicView(row) : null;
  }

  /** The profile as the mirror knows it (its kind, when installed) and the values kept for it: what a pull is answered from. */
  async lookup(chargerId: string, profileId: number): Promise<DynamicScheduleLookup> {
    const [profile, values] = await this.db.batch<Record<string, unknown>>([
      this.db
        .prepare(
          `SELECT json_extract(profile, '$.chargingProfileKind') AS kind, installed_at FROM charging_profiles
           WHERE charger_id = ?1 AND profile_id = ?2`,
        )
        .bind(chargerId, profileId),
      this.db.prepare('SELECT schedule_update, set_at FROM dynamic_schedules WHERE charger_id = ?1 AND profile_id = ?2').bind(chargerId, profileId),
    ]);
    const p = profile!.results[0] as { kind: string | null; installed_at: string } | undefined;
    const d = values!.results[0] as { schedule_update: string; set_at: string } | undefined;
    return {
      ...(p ? { profile: { kind: p.kind ?? undefined, installedAt: p.installed_at } } : {}),
      ...(d ? { update: { scheduleUpdate: JSON.parse(d.schedule_update) as ScheduleUpdate, setAt: d.set_at } } : {}),
    };
  }

  // ---- battery swaps ----

  /** A charger's battery swaps, newest first, `limit` at a time; null when `cursor` is not one of ours. */
  async batterySwaps(
    chargerId: string,
    query: { limit: number; cursor?: string; requestId?: number },
  ): Promise<{ batterySwaps: BatterySwapView[]; nextCursor: string | null } | null> {
    const after = query.cursor === undefined ? null : Number(query.cursor);
    if (after !== null && !Number.isInteger(after)) return null;
    const { results } = await this.db
      .prepare(
        `SELECT id, request_id, event_type, id_token, id_token_type, status, battery_data, received_at FROM battery_swaps
         WHERE charger_id = ?1 AND (?2 IS NULL OR request_id = ?2) AND (?3 IS NULL OR id < ?3)
         ORDER BY id DESC LIMIT ?4`,
      )
      .bind(chargerId, query.requestId ?? null, after, query.limit + 1)
      .all<SwapRow>();
    const page = results.slice(0, query.limit);
    return {
      batterySwaps: page.map(swapView),
      nextCursor: results.length > query.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  // ---- priority charging ----

  /** What the charger said of priority charging on a transaction, oldest first. */
  async priorityCharging(chargerId: string, transactionId: string): Promise<PriorityChargingChange[]> {
    const { results } = await this.db
      .prepare(
        `SELECT activated, at FROM transaction_priority_charging WHERE charger_id = ?1 AND transaction_id = ?2
         ORDER BY at, rowid LIMIT 1000`,
      )
      .bind(chargerId, transactionId)
      .all<{ activated: number; at: string }>();
    return results.map((r) => ({ activated: r.activated === 1, at: r.at }));
  }
}

function dynamicView(row: DynamicRow): DynamicScheduleView {
  return {
    chargingProfileId: row.profile_id,
    scheduleUpdate: JSON.parse(row.schedule_update) as ScheduleUpdate,
    setAt: row.set_at,
    chargerAnswer: row.answered_at === null ? null : answerView(row.charger_status, row.charger_status_info, row.answered_at),
  };
}

function answerView(status: string | null, info: string | null, answeredAt: string): NonNullable<DynamicScheduleView['chargerAnswer']> {
  const detail = info === null ? undefined : (JSON.parse(info) as Record<string, unknown>);
  // No status: the call got no usable answer, and `detail` says why.
  if (status === null) return { status: null, ...(detail ? { error: detail as { code: string; message: string } } : {}), answeredAt };
  return { status, ...(detail ? { statusInfo: detail } : {}), answeredAt };
}

function swapView(row: SwapRow): BatterySwapView {
  const requested = row.event_type === 'Requested';
  return {
    id: row.id,
    requestId: row.request_id,
    eventType: row.event_type,
    idToken: { idToken: row.id_token, type: row.id_token_type },
    ...(requested ? { answer: row.status } : { authorization: row.status }),
    batteryData: JSON.parse(row.battery_data) as Record<string, unknown>[],
    receivedAt: row.received_at,
  };
}
