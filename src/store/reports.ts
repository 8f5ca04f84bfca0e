// D1 access for what chargers report beyond sessions (charger_reports); all of its SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import { redactSecrets, type WriteOnlyLookup } from '../ocpp/secrets';
import { CRITICAL_SECURITY_EVENTS, isCriticalSecurityEvent } from '../ocpp/security-events';
import { chunk, columnsOf } from './json-rows';

export interface StoredReport {
  action: string;
  messageId: string;
  receivedAt: string;
  requestId: number | null;
  payload: Record<string, unknown>;
}

type Row = {
  id: number;
  action: string;
  message_id: string;
  digest: string;
  received_at: string;
  request_id: number | null;
  payload: string;
};

const COLUMNS = ['charger_id', 'action', 'message_id', 'digest', 'received_at', 'request_id', 'payload'] as const;

/** Actions whose latest report says where a long-running job stands. */
export const PROGRESS_ACTIONS = {
  firmware: ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification'],
  diagnostics: ['DiagnosticsStatusNotification'],
  log: ['LogStatusNotification'],
  publishFirmware: ['PublishFirmwareStatusNotification'],
} as const;

export type ProgressKind = keyof typeof PROGRESS_ACTIONS;

export interface ReportQuery {
  action?: string;
  requestId?: number;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface SecurityEventQuery {
  chargerId?: string;
  /** Only the critical ones (security-events.ts). */
  critical: boolean;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** A SecurityEventNotification as the fleet's security view shows it. */
export interface SecurityEventView {
  chargerId: string;
  type: string;
  critical: boolean;
  /** When the charger says it happened. */
  timestamp: string | null;
  techInfo: string | null;
  receivedAt: string;
  messageId: string;
}

export class ReportStore {
  constructor(private readonly db: D1Database) {}

  insertStatements(reports: readonly ChargerFact<'report'>[]): D1PreparedStatement[] {
    return chunk(reports).map((part) =>
      this.db
        .prepare(
          `INSERT OR IGNORE INTO charger_reports (${COLUMNS.join(', ')})
           SELECT ${COLUMNS.join(', ')} FROM (SELECT ${columnsOf(COLUMNS)} FROM json_each(?1) AS j)`,
        )
        .bind(
          JSON.stringify(
            part.map(({ chargerId, fact }) => [
              chargerId,
              fact.action,
              fact.messageId,
              fact.digest,
              fact.receivedAt,
              fact.requestId ?? null,
              JSON.stringify(fact.payload),
            ]),
          ),
        ),
    );
  }

  /** A charger's reports, newest first, `limit` at a time; null when `cursor` is not one of ours. */
  async list(chargerId: string, query: ReportQuery): Promise<{ reports: StoredReport[]; nextCursor: string | null } | null> {
    const after = query.cursor === undefined ? null : Number(query.cursor);
    if (after !== null && !Number.isInteger(after)) return null;
    const [rows, writeOnly] = await this.db.batch([
      this.db
        .prepare(
          `SELECT * FROM charger_reports
           WHERE charger_id = ?1 AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR request_id = ?3)
             AND received_at >= ?4 AND received_at < ?5 AND (?6 IS NULL OR id < ?6)
           ORDER BY id DESC LIMIT ?7`,
        )
        .bind(chargerId, query.action ?? null, query.requestId ?? null, query.from ?? '', query.to ?? '9999', after, query.limit + 1),
      this.writeOnlyStatement(chargerId),
    ]);
    const results = rows!.results as Row[];
    const secret = writeOnlyLookup(writeOnly!.results as WriteOnlyRow[]);
    const page = results.slice(0, query.limit);
    return {
      reports: page.map((row) => toReport(row, secret)),
      nextCursor: results.length > query.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** The fleet's (or one charger's) security events, newest first, `limit` at a time; null when `cursor` is not one of ours. */
  async securityEvents(query: SecurityEventQuery): Promise<{ securityEvents: SecurityEventView[]; nextCursor: string | null } | null> {
    const after = query.cursor === undefined ? null : Number(query.cursor);
    if (after !== null && !Number.isInteger(after)) return null;
    const critical = [...CRITICAL_SECURITY_EVENTS];
    const { results } = await this.db
      .prepare(
        `SELECT id, charger_id, message_id, received_at, payload FROM charger_reports
           WHERE action = 'SecurityEventNotification' AND (?1 IS NULL OR charger_id = ?1)
             AND received_at >= ?2 AND received_at < ?3 AND (?4 IS NULL OR id < ?4)
             AND (?5 = 0 OR json_extract(payload, '$.type') IN (${critical.map((_, i) => `?${i + 7}`).join(', ')}))
           ORDER BY id DESC LIMIT ?6`,
      )
      .bind(query.chargerId ?? null, query.from ?? '', query.to ?? '9999', after, query.critical ? 1 : 0, query.limit + 1, ...critical)
      .all<{ id: number; charger_id: string; message_id: string; received_at: string; payload: string }>();
    const page = results.slice(0, query.limit);
    return {
      securityEvents: page.map((row) => {
        const payload = redactSecrets(JSON.parse(row.payload) as { type?: unknown; timestamp?: unknown; techInfo?: unknown });
        return {
          chargerId: row.charger_id,
          type: String(payload.type),
          critical: isCriticalSecurityEvent(payload.type),
          timestamp: typeof payload.timestamp === 'string' ? payload.timestamp : null,
          techInfo: typeof payload.techInfo === 'string' ? payload.techInfo : null,
          receivedAt: row.received_at,
          messageId: row.message_id,
        };
      }),
      nextCursor: results.length > query.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** The latest firmware, diagnostics, log and publish-firmware status a charger reported. */
  async progress(chargerId: string): Promise<Partial<Record<ProgressKind, StoredReport>>> {
    const actions = Object.values(PROGRESS_ACTIONS).flat();
    const [rows, writeOnly] = await this.db.batch([
      this.db
        .prepare(
          `SELECT * FROM charger_reports
           WHERE id IN (SELECT MAX(id) FROM charger_reports
                        WHERE charger_id = ?1 AND action IN (${actions.map((_, i) => `?${i + 2}`).join(', ')})
                        GROUP BY action)
           ORDER BY id DESC`,
        )
        .bind(chargerId, ...actions),
      this.writeOnlyStatement(chargerId),
    ]);
    const results = rows!.results as Row[];
    const secret = writeOnlyLookup(writeOnly!.results as WriteOnlyRow[]);
    const latest: Partial<Record<ProgressKind, StoredReport>> = {};
    for (const [kind, kindActions] of Object.entries(PROGRESS_ACTIONS) as [ProgressKind, readonly string[]][]) {
      const row = results.find((r) => kindActions.includes(r.action));
      if (row) latest[kind] = toReport(row, secret);
    }
    return latest;
  }

  /** The variables the charger reported WriteOnly, as its stored configuration knows them: their values in reports are secret too. */
  writeOnlyStatement(chargerId: string): D1PreparedStatement {
    return this.db
      .prepare(`SELECT DISTINCT lower(component) AS component, lower(variable) AS variable FROM charger_settings WHERE charger_id = ?1 AND lower(mutability) = 'writeonly'`)
      .bind(chargerId);
  }
}

export type WriteOnlyRow = { component: string; variable: string };

export function writeOnlyLookup(rows: WriteOnlyRow[]): WriteOnlyLookup {
  const known = new Set(rows.map((r) => `${r.component}\u0000${r.variable}`));
  return (component, variable) => known.has(`${component.toLowerCase()}\u0000${variable.toLowerCase()}`);
}

/**
 * A report as shown. Payloads are redacted before they are stored; redacting again on the way out
 * also covers rows kept under older rules (migration 0013 scrubs what SQL can reach of those).
 */
function toReport(row: Row, writeOnly: WriteOnlyLookup): StoredReport {
  return {
    action: row.action,
    messageId: row.message_id,
    receivedAt: row.received_at,
    requestId: row.request_id,
    payload: redactSecrets(JSON.parse(row.payload) as Record<string, unknown>, writeOnly),
  };
}
