// D1 access for chargers' DER controls and DER alarms (OCPP 2.1 R04, R05); all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import type { DerChange, DerControl } from '../ocpp/v21/der-control';

export interface StoredDerControl extends Omit<DerControl, 'setting'> {
  setting: Record<string, unknown>;
  /** 'set': the charger accepted it from the CSMS; 'reported': a ReportDERControl listed it. */
  source: 'set' | 'reported';
  /** The requestId of the report that listed it last; null for 'set'. */
  requestId: number | null;
  /** As NotifyDERStartStop last said, at the charger's time; null before any. */
  state: 'started' | 'stopped' | null;
  stateAt: string | null;
  updatedAt: string;
}

export interface StoredDerAlarm {
  id: number;
  controlType: string;
  gridEventFault: string | null;
  /** null when the CSMS saw only the alarm's end. */
  startedAt: string | null;
  endedAt: string | null;
  /** Started and not ended yet. */
  open: boolean;
  extraInfo: string | null;
  /** What the alarmEnded notification said, if anything. */
  endExtraInfo: string | null;
  receivedAt: string;
}

type ControlRow = {
  control_id: string;
  control_type: DerControl['controlType'];
  is_default: number;
  is_superseded: number;
  priority: number;
  start_time: string | null;
  duration: number | null;
  setting: string;
  source: StoredDerControl['source'];
  report_request_id: number | null;
  state: StoredDerControl['state'];
  state_at: string | null;
  updated_at: string;
};

type AlarmRow = {
  id: number;
  control_type: string;
  grid_event_fault: string | null;
  started_at: string | null;
  ended_at: string | null;
  extra_info: string | null;
  end_extra_info: string | null;
  received_at: string;
};

/**
 * The most DER controls a charger's reports may make the CSMS keep: a charger lists a few per type
 * (22 types); one that reports ever new ids in parts that never end would otherwise grow its rows
 * without bound. Past it, a report updates the controls already known and adds none (a part adds at
 * most its own 192 before the count is read again). What the operator sets is always kept.
 */
export const MAX_REPORTED_DER_CONTROLS = 1000;

/**
 * Upserts the controls of a JSON array (DerControl objects) in one statement. A change applies only
 * over rows no newer than it, so a fact flushed again changes nothing. A control set again starts
 * over (no start/stop state); one reported keeps the state its notifications gave it.
 */
const UPSERT_CONTROLS = `INSERT INTO der_controls (charger_id, control_id, control_type, is_default, is_superseded, priority, start_time,
     duration, setting, source, report_request_id, reported_at, updated_at)
   SELECT ?1, json_extract(j.value, '$.controlId'), json_extract(j.value, '$.controlType'), json_extract(j.value, '$.isDefault'),
     json_extract(j.value, '$.isSuperseded'), json_extract(j.value, '$.priority'), json_extract(j.value, '$.startTime'),
     json_extract(j.value, '$.duration'), json_extract(j.value, '$.setting'), ?2, ?3, CASE WHEN ?2 = 'reported' THEN ?4 END, ?4
   FROM json_each(?5) AS j
   WHERE ?2 = 'set' OR (SELECT COUNT(*) FROM der_controls WHERE charger_id = ?1) < ${MAX_REPORTED_DER_CONTROLS}
     OR EXISTS (SELECT 1 FROM der_controls AS k WHERE k.charger_id = ?1 AND k.control_id = json_extract(j.value, '$.controlId'))
   ON CONFLICT (charger_id, control_id) DO UPDATE SET control_type = excluded.control_type, is_default = excluded.is_default,
     is_superseded = excluded.is_superseded, priority = excluded.priority, start_time = excluded.start_time, duration = excluded.duration,
     setting = excluded.setting, source = excluded.source, report_request_id = excluded.report_request_id, reported_at = excluded.reported_at,
     state = CASE WHEN excluded.source = 'set' THEN NULL ELSE der_controls.state END,
     state_at = CASE WHEN excluded.source = 'set' THEN NULL ELSE der_controls.state_at END,
     updated_at = excluded.updated_at
   WHERE der_controls.updated_at <= excluded.updated_at`;

const SUPERSEDE = `UPDATE der_controls SET is_superseded = 1
   WHERE charger_id = ?1 AND control_id IN (SELECT value FROM json_each(?2)) AND updated_at <= ?3`;

/**
 * The end of a report (its part without tbc): the controls it covers that none of its parts
 * listed are gone. What it covers is what the GetDERControl with its requestId asked for; a
 * report no accepted GetDERControl announced covers the types (and default or not) it listed. A
 * part listed a control when it carries this requestId and came after that GetDERControl; a
 * control the CSMS set after that GetDERControl was accepted may postdate what the charger
 * reported, so it stays. Rows newer than the report's end are never touched.
 */
const END_REPORT = `WITH req AS (SELECT * FROM der_control_requests WHERE charger_id = ?1 AND request_id = ?2 AND requested_at <= ?3)
   DELETE FROM der_controls AS d
   WHERE d.charger_id = ?1 AND d.updated_at <= ?3
     AND NOT (d.report_request_id IS ?2 AND d.reported_at >= COALESCE((SELECT requested_at FROM req), ''))
     AND NOT (d.source = 'set' AND d.updated_at > COALESCE((SELECT requested_at FROM req), '9999'))
     AND (
       EXISTS (SELECT 1 FROM req AS r WHERE (r.is_default IS NULL OR r.is_default = d.is_default)
         AND (r.control_type IS NULL OR r.control_type = d.control_type) AND (r.control_id IS NULL OR r.control_id = d.control_id))
       OR (NOT EXISTS (SELECT 1 FROM req) AND EXISTS (SELECT 1 FROM der_controls AS s WHERE s.charger_id = ?1 AND s.report_request_id = ?2
         AND s.control_type = d.control_type AND s.is_default = d.is_default))
     )`;

export class DerControlStore {
  constructor(private readonly db: D1Database) {}

  /** Forgets the charger's DER controls, report requests and alarms (DELETE /chargers/{id}). */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return ['der_controls', 'der_control_requests', 'der_alarms'].map((table) => this.db.prepare(`DELETE FROM ${table} WHERE charger_id = ?`).bind(chargerId));
  }

  /** The statements for `changes`, in order; each idempotent (see the SQL above). */
  changeStatements(changes: readonly ChargerFact<'der'>[]): D1PreparedStatement[] {
    return changes.flatMap(({ chargerId, fact }) => this.statementsFor(chargerId, fact));
  }

  private statementsFor(chargerId: string, c: DerChange): D1PreparedStatement[] {
    const db = this.db;
    switch (c.op) {
      case 'set': {
        const self = c.supersededIds.includes(c.control.controlId);
        const others = c.supersededIds.filter((id) => id !== c.control.controlId);
        return [
          db.prepare(UPSERT_CONTROLS).bind(chargerId, 'set', null, c.at, JSON.stringify([{ ...c.control, isSuperseded: self }])),
          ...(others.length > 0 ? [db.prepare(SUPERSEDE).bind(chargerId, JSON.stringify(others), c.at)] : []),
        ];
      }
      case 'clear':
        return [
          db
            .prepare(
              `DELETE FROM der_controls WHERE charger_id = ?1 AND updated_at <= ?2 AND (?3 IS NULL OR is_default = ?3)
                 AND (?4 IS NULL OR control_type = ?4) AND (?5 IS NULL OR control_id = ?5)`,
            )
            .bind(chargerId, c.at, c.isDefault === undefined ? null : c.isDefault ? 1 : 0, c.controlType ?? null, c.controlId ?? null),
        ];
      case 'requested':
        return [
          db
            .prepare(
              `INSERT INTO der_control_requests (charger_id, request_id, is_default, control_type, control_id, requested_at)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6)
               ON CONFLICT (charger_id, request_id) DO UPDATE SET is_default = ?3, control_type = ?4, control_id = ?5, requested_at = ?6
               WHERE der_control_requests.requested_at <= ?6`,
            )
            .bind(chargerId, c.requestId, c.isDefault === undefined ? null : c.isDefault ? 1 : 0, c.controlType ?? null, c.controlId ?? null, c.at),
        ];
      case 'reported':
        return [
          ...(c.controls.length > 0 ? [db.prepare(UPSERT_CONTROLS).bind(chargerId, 'reported', c.requestId, c.at, JSON.stringify(c.controls))] : []),
          ...(c.final ? [db.prepare(END_REPORT).bind(chargerId, c.requestId, c.at)] : []),
        ];
      case 'startStop':
        return [
          db
            .prepare(
              `UPDATE der_controls SET state = ?3, state_at = ?4
               WHERE charger_id = ?1 AND control_id = ?2 AND (state_at IS NULL OR state_at <= ?4)`,
            )
            .bind(chargerId, c.controlId, c.started ? 'started' : 'stopped', c.timestamp),
          ...(c.supersededIds.length > 0 ? [db.prepare(SUPERSEDE).bind(chargerId, JSON.stringify(c.supersededIds), c.at)] : []),
        ];
      case 'alarm':
        return this.alarmStatements(chargerId, c);
    }
  }

  /**
   * An alarm's start is a row (the same start again is the same row); its end closes the open
   * alarms of its type (of its grid event fault, when both name one) that began by then, or, when
   * none is open and no alarm of its type ended at that time yet, is kept as an alarm seen ending only.
   */
  private alarmStatements(chargerId: string, c: Extract<DerChange, { op: 'alarm' }>): D1PreparedStatement[] {
    if (!c.alarmEnded) {
      return [
        this.db
          .prepare(
            `INSERT INTO der_alarms (charger_id, control_type, grid_event_fault, started_at, extra_info, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING`,
          )
          .bind(chargerId, c.controlType, c.gridEventFault, c.timestamp, c.extraInfo, c.at),
      ];
    }
    return [
      this.db
        .prepare(
          `UPDATE der_alarms SET ended_at = ?4, end_extra_info = ?5
           WHERE charger_id = ?1 AND control_type = ?2 AND ended_at IS NULL AND started_at <= ?4
             AND (?3 IS NULL OR grid_event_fault IS NULL OR grid_event_fault = ?3)`,
        )
        .bind(chargerId, c.controlType, c.gridEventFault, c.timestamp, c.extraInfo),
      this.db
        .prepare(
          `INSERT INTO der_alarms (charger_id, control_type, grid_event_fault, ended_at, end_extra_info, received_at)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6
           WHERE NOT EXISTS (SELECT 1 FROM der_alarms WHERE charger_id = ?1 AND control_type = ?2 AND ended_at = ?4)`,
        )
        .bind(chargerId, c.controlType, c.gridEventFault, c.timestamp, c.extraInfo, c.at),
    ];
  }

  /** A charger's DER controls in controlId order, `limit` at a time, optionally of one type and default or not. */
  async listControls(
    chargerId: string,
    query: { controlType?: string; isDefault?: boolean; limit: number; cursor?: string },
  ): Promise<{ controls: StoredDerControl[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(
        `SELECT control_id, control_type, is_default, is_superseded, priority, start_time, duration, setting, source, report_request_id,
           state, state_at, updated_at
         FROM der_controls
         WHERE charger_id = ?1 AND (?2 IS NULL OR control_type = ?2) AND (?3 IS NULL OR is_default = ?3) AND (?4 IS NULL OR control_id > ?4)
         ORDER BY control_id LIMIT ?5`,
      )
      .bind(chargerId, query.controlType ?? null, query.isDefault === undefined ? null : query.isDefault ? 1 : 0, query.cursor ?? null, query.limit + 1)
      .all<ControlRow>();
    const page = results.slice(0, query.limit);
    return {
      controls: page.map((r) => ({
        controlId: r.control_id,
        controlType: r.control_type,
        isDefault: r.is_default === 1,
        isSuperseded: r.is_superseded === 1,
        priority: r.priority,
        startTime: r.start_time,
        duration: r.duration,
        setting: JSON.parse(r.setting) as Record<string, unknown>,
        source: r.source,
        requestId: r.report_request_id,
        state: r.state,
        stateAt: r.state_at,
        updatedAt: r.updated_at,
      })),
      nextCursor: results.length > query.limit ? page[page.length - 1]!.control_id : null,
    };
  }

  /** A charger's DER alarms, newest first, `limit` at a time; optionally of one type, only open or only ended ones. */
  async listAlarms(
    chargerId: string,
    query: { controlType?: string; open?: boolean; limit: number; cursor?: number },
  ): Promise<{ alarms: StoredDerAlarm[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(
        `SELECT id, control_type, grid_event_fault, started_at, ended_at, extra_info, end_extra_info, received_at
         FROM der_alarms
         WHERE charger_id = ?1 AND (?2 IS NULL OR control_type = ?2) AND (?3 IS NULL OR id < ?3)
           AND (?4 IS NULL OR (?4 = 1) = (ended_at IS NULL))
         ORDER BY id DESC LIMIT ?5`,
      )
      .bind(chargerId, query.controlType ?? null, query.cursor ?? null, query.open === undefined ? null : query.open ? 1 : 0, query.limit + 1)
      .all<AlarmRow>();
    const page = results.slice(0, query.limit);
    return {
      alarms: page.map((r) => ({
        id: r.id,
        controlType: r.control_type,
        gridEventFault: r.grid_event_fault,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        open: r.ended_at === null,
        extraInfo: r.extra_info,
        endExtraInfo: r.end_extra_info,
        receivedAt: r.received_at,
      })),
      nextCursor: results.length > query.limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}
