// D1 access for each 2.x charger's variable monitors as the CSMS knows them (variable_monitors, migrations 0049 and 0051); all of that table's SQL lives here.
//
// The inventory is what the charger accepted (SetVariableMonitoring), less what it cleared
// (ClearVariableMonitoring), and what it reported (NotifyMonitoringReport, learnt monitor by
// monitor): each monitor id as the latest of those gave it. GET /monitors lists it, and a 2.1
// periodic event stream names one of them.

import type { EventStreamChange } from '../ocpp/v21/event-streams';

/** What a monitor watches, as the CSMS knows it. */
export interface KnownMonitor {
  monitorId: number;
  component: Record<string, unknown>;
  variable: Record<string, unknown>;
  type: string | null;
  value: number | null;
  source: 'SetVariableMonitoring' | 'NotifyMonitoringReport';
  at: string;
}

/** A monitor as GET /monitors shows it. */
export interface MonitorView {
  id: number;
  component: { name: string; instance: string | null; evse: { id: number; connectorId?: number } | null };
  variable: { name: string; instance: string | null };
  type: string;
  value: number;
  /** Null for a monitor set before severities were kept (and not reported since). */
  severity: number | null;
  transaction: boolean;
  /** Where the CSMS learnt it last: the charger accepting it, or reporting it. */
  source: 'SetVariableMonitoring' | 'NotifyMonitoringReport';
  /** The GetMonitoringReport it was last reported in; null when set. */
  requestId: number | null;
  /** When the CSMS learnt it (the answer or the report's arrival). */
  reportedAt: string;
}

type Row = {
  monitor_id: number;
  component: string;
  variable: string;
  type: string;
  value: number;
  severity: number | null;
  in_transaction: number | null;
  source: MonitorView['source'];
  request_id: number | null;
  set_at: string;
};

/** The order GET /monitors lists in, and its cursor's key: component, its instance and EVSE, variable, its instance, id. */
const KEY = [
  `json_extract(component, '$.name')`,
  `coalesce(json_extract(component, '$.instance'), '')`,
  `coalesce(json_extract(component, '$.evse.id'), -1)`,
  `coalesce(json_extract(component, '$.evse.connectorId'), -1)`,
  `json_extract(variable, '$.name')`,
  `coalesce(json_extract(variable, '$.instance'), '')`,
  'monitor_id',
] as const;
/** The key's parts: text or integer, as SQL compares them. */
const KEY_TYPES = ['string', 'string', 'number', 'number', 'string', 'string', 'number'] as const;

export class VariableMonitorStore {
  constructor(private readonly db: D1Database) {}

  /** The statements applying a 'monitors' or 'clearMonitors' change (idempotent; an older change replayed later changes nothing). */
  changeStatements(chargerId: string, c: Extract<EventStreamChange, { op: 'monitors' | 'clearMonitors' }>): D1PreparedStatement[] {
    if (c.op === 'clearMonitors') {
      return [
        this.db
          .prepare('DELETE FROM variable_monitors WHERE charger_id = ?1 AND set_at <= ?2 AND monitor_id IN (SELECT value FROM json_each(?3))')
          .bind(chargerId, c.at, JSON.stringify(c.monitorIds)),
      ];
    }
    return [
      this.db
        .prepare(
          `INSERT INTO variable_monitors (charger_id, monitor_id, component, variable, type, value, set_at, severity, in_transaction, source, request_id)
           SELECT ?1, json_extract(m.value, '$.monitorId'), json_extract(m.value, '$.component'), json_extract(m.value, '$.variable'),
             json_extract(m.value, '$.type'), json_extract(m.value, '$.value'), ?2, json_extract(m.value, '$.severity'),
             json_extract(m.value, '$.transaction'), ?4, ?5
           FROM json_each(?3) AS m WHERE 1
           ON CONFLICT (charger_id, monitor_id) DO UPDATE SET
             component = excluded.component, variable = excluded.variable, type = excluded.type, value = excluded.value, set_at = excluded.set_at,
             severity = excluded.severity, in_transaction = excluded.in_transaction, source = excluded.source, request_id = excluded.request_id
           WHERE variable_monitors.set_at <= excluded.set_at`,
        )
        .bind(chargerId, c.at, JSON.stringify(c.set), c.source ?? 'SetVariableMonitoring', c.requestId ?? null),
    ];
  }

  /** What the given monitors watch, as the inventory has them. */
  async targets(chargerId: string, monitorIds: readonly number[]): Promise<Map<number, KnownMonitor>> {
    const found = new Map<number, KnownMonitor>();
    if (monitorIds.length === 0) return found;
    const { results } = await this.db
      .prepare(
        `SELECT monitor_id, component, variable, type, value, source, set_at FROM variable_monitors
         WHERE charger_id = ?1 AND monitor_id IN (SELECT value FROM json_each(?2))`,
      )
      .bind(chargerId, JSON.stringify([...new Set(monitorIds)]))
      .all<Pick<Row, 'monitor_id' | 'component' | 'variable' | 'type' | 'value' | 'source' | 'set_at'>>();
    for (const row of results) {
      found.set(row.monitor_id, {
        monitorId: row.monitor_id,
        component: JSON.parse(row.component) as Record<string, unknown>,
        variable: JSON.parse(row.variable) as Record<string, unknown>,
        type: row.type,
        value: row.value,
        source: row.source,
        at: row.set_at,
      });
    }
    return found;
  }

  /**
   * The charger's monitors in KEY order, `limit` after `cursor`, filtered by component name,
   * variable name and type; null when `cursor` is not one of ours.
   */
  async list(
    chargerId: string,
    query: { component?: string; variable?: string; type?: string; limit: number; cursor?: string },
  ): Promise<{ monitors: MonitorView[]; nextCursor: string | null } | null> {
    const after = query.cursor === undefined ? null : decodeKey(query.cursor);
    if (after === undefined) return null;
    const { results } = await this.db
      .prepare(
        `SELECT monitor_id, component, variable, type, value, severity, in_transaction, source, request_id, set_at
         FROM variable_monitors
         WHERE charger_id = ?1 AND (?2 IS NULL OR ${KEY[0]} = ?2) AND (?3 IS NULL OR ${KEY[4]} = ?3) AND (?4 IS NULL OR type = ?4)
           AND (?5 IS NULL OR (${KEY.join(', ')}) > (?5, ?6, ?7, ?8, ?9, ?10, ?11))
         ORDER BY ${KEY.join(', ')} LIMIT ?12`,
      )
      .bind(chargerId, query.component ?? null, query.variable ?? null, query.type ?? null, ...(after ?? [null, null, null, null, null, null, null]), query.limit + 1)
      .all<Row>();
    const page = results.slice(0, query.limit).map(toView);
    const last = page.at(-1);
    return { monitors: page, nextCursor: results.length > query.limit && last ? encodeKey(keyOf(last)) : null };
  }
}

function toView(row: Row): MonitorView {
  const component = JSON.parse(row.component) as { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
  const variable = JSON.parse(row.variable) as { name: string; instance?: string };
  return {
    id: row.monitor_id,
    component: {
      name: component.name,
      instance: component.instance ?? null,
      evse: component.evse ? { id: component.evse.id, ...(component.evse.connectorId === undefined ? {} : { connectorId: component.evse.connectorId }) } : null,
    },
    variable: { name: variable.name, instance: variable.instance ?? null },
    type: row.type,
    value: row.value,
    severity: row.severity,
    transaction: row.in_transaction === 1,
    source: row.source,
    requestId: row.request_id,
    reportedAt: row.set_at,
  };
}

function keyOf(m: MonitorView): Array<string | number> {
  return [m.component.name, m.component.instance ?? '', m.component.evse?.id ?? -1, m.component.evse?.connectorId ?? -1, m.variable.name, m.variable.instance ?? '', m.id];
}

/** A key as an opaque, URL-safe cursor (base64url of its JSON), as GET /monitors has always given them. */
function encodeKey(key: readonly (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The key a cursor holds; undefined when it is not one of ours. */
function decodeKey(cursor: string): (string | number)[] | undefined {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
    const key = JSON.parse(json) as unknown;
    if (!Array.isArray(key) || key.length !== KEY_TYPES.length) return undefined;
    return key.every((k, i) => typeof k === KEY_TYPES[i] && (typeof k !== 'number' || Number.isInteger(k))) ? key : undefined;
  } catch {
    return undefined;
  }
}
