// The fleet list in D1: each charger's derived state, and the filters, sorts, keyset pages and
// summary counts of GET /api/v1/chargers and /chargers/summary; all of their SQL lives here.
//
// A charger's state is one of five, derived in SQL from D1 alone (so a filter and the state a
// listed charger carries can never disagree), in this order of precedence:
//   offline      D1's connected flag is off (charger/liveness.ts connectedPerD1: the flag is what
//                the list believes). Whatever its last connector statuses and running
//                transactions say, they are stale.
//   faulted      connected, and any connector reports Faulted: 1.6 StatusNotification status
//                Faulted (connector 0, the charge point itself, included), 2.0.1 connectorStatus
//                Faulted. A fault wins over a session on another connector: it needs attention.
//   charging     connected, no fault, and a transaction of the charger is running in D1 (1.6
//                StartTransaction without its StopTransaction, 2.0.1 TransactionEvent Started
//                without Ended): a session in progress, energy flowing or suspended. The same
//                rule for both versions (a 2.0.1 connector says Occupied, not Charging).
//   unavailable  connected, no fault, no session, and no connector can be used: the 1.6 charge
//                point (connector 0) reports Unavailable, or every connector it reported
//                (connectorId above 0; 2.0.1: every EVSE's connector) reports Unavailable.
//   online       connected and none of the above (a charger with one of two connectors
//                Unavailable is online; one that reported no connector yet is online).
//
// Cost (rows read, D1 result meta, at 10,000 chargers: test/workers/fleet-query.test.ts): a
// filter by a rare state starts from its partial index (migration 0039) and reads its
// chargers, not the fleet; `q` is a PREFIX match that seeks one index range per searched
// column and reads its matches (a substring match would read every row of the fleet each
// time); a sort by vendor, model or firmware walks its index in order and stops after the page;
// lastSeen has no index (migration 0039 says why: an entry would be rewritten at every outbox
// hand-over) and a page sorted by it reads the fleet once. Filters that are no index (protocol,
// registration) narrow what a walk returns but do not shorten it. Measured: 562 rows for
// state=faulted, 119 for a q search (20,505 and 50,171 without migration 0039), 20,263 for 50
// by lastSeen; the summary reads the fleet, 21,016 rows.

import type { ChargerRecord, ChargerRow, ConnectorRow } from './chargers';
import { toRecord } from './chargers';
import { OCPP_VERSIONS } from '../ocpp/versions';

export const CHARGER_STATES = ['online', 'offline', 'charging', 'faulted', 'unavailable'] as const;
export type ChargerState = (typeof CHARGER_STATES)[number];

export const FLEET_SORTS = ['id', 'lastSeen', 'vendor', 'model', 'firmware'] as const;
export type FleetSort = (typeof FLEET_SORTS)[number];

/** `none`: a charger registered ahead of its first boot has no protocol and no registration status yet. */
export const PROTOCOL_FILTERS = [...OCPP_VERSIONS, 'none'] as const;
export const REGISTRATION_FILTERS = ['Accepted', 'Pending', 'Rejected', 'none'] as const;

export interface FleetCursor {
  /** The sort key of the last charger of the page (its id when sorting by id). */
  key: string;
  id: string;
}

export interface FleetQuery {
  /** Case-insensitive prefix of the id, vendor, model, serial number or firmware version. */
  q?: string;
  states?: readonly ChargerState[];
  protocols?: readonly (typeof PROTOCOL_FILTERS)[number][];
  registrations?: readonly (typeof REGISTRATION_FILTERS)[number][];
  /** Exact firmware version, ignoring ASCII case. */
  firmware?: string;
  sort: FleetSort;
  order: 'asc' | 'desc';
  limit: number;
  after?: FleetCursor;
}

export type FleetCharger = ChargerRecord & { state: ChargerState };

export interface FleetPage {
  chargers: FleetCharger[];
  next: FleetCursor | null;
}

export interface FleetSummary {
  total: number;
  byState: Record<ChargerState, number>;
  byProtocol: Record<(typeof PROTOCOL_FILTERS)[number], number>;
  byRegistration: Record<(typeof REGISTRATION_FILTERS)[number], number>;
}

/**
 * Each sort's key, word for word the expression of its index in migration 0039 (SQLite uses an
 * index on an expression only for the same expression). NULL sorts as '' (first ascending).
 */
const SORT_KEYS: Record<FleetSort, string> = {
  id: 'c.id',
  lastSeen: "ifnull(c.last_seen, '')",
  vendor: "ifnull(c.vendor, '') COLLATE NOCASE",
  model: "ifnull(c.model, '') COLLATE NOCASE",
  firmware: "ifnull(c.firmware_version, '') COLLATE NOCASE",
};

const FAULTED = "EXISTS (SELECT 1 FROM connector_status f WHERE f.charger_id = c.id AND f.status = 'Faulted')";
// `status = 'active'` as 0025's partial index says it: the charger's running transactions by key.
const CHARGING = "EXISTS (SELECT 1 FROM transactions t WHERE t.charger_id = c.id AND t.status = 'active')";
const UNAVAILABLE = `(EXISTS (SELECT 1 FROM connector_status u WHERE u.charger_id = c.id AND u.status = 'Unavailable' AND u.connector_id = 0)
  OR (EXISTS (SELECT 1 FROM connector_status u WHERE u.charger_id = c.id AND u.status = 'Unavailable' AND u.connector_id > 0)
    AND NOT EXISTS (SELECT 1 FROM connector_status a WHERE a.charger_id = c.id AND a.connector_id > 0 AND a.status <> 'Unavailable')))`;

/** The state of charger `c`, as the header of this module defines it. */
const STATE = `CASE WHEN c.connected = 0 THEN 'offline' WHEN ${FAULTED} THEN 'faulted' WHEN ${CHARGING} THEN 'charging'
  WHEN ${UNAVAILABLE} THEN 'unavailable' ELSE 'online' END`;

/**
 * Each state as a WHERE that SQLite can answer from an index: the rare states start from the
 * chargers their partial index lists (an IN on the key: SQLite loops over the list and sorts
 * what it finds), online walks the sort's index. Each is exactly `STATE = '<state>'`.
 */
const STATE_WHERE: Record<ChargerState, string> = {
  offline: 'c.id IN (SELECT o.id FROM chargers o WHERE o.connected = 0)',
  faulted: "c.connected <> 0 AND c.id IN (SELECT f.charger_id FROM connector_status f WHERE f.status = 'Faulted')",
  charging: `c.connected <> 0 AND c.id IN (SELECT t.charger_id FROM transactions t WHERE t.status = 'active') AND NOT ${FAULTED}`,
  unavailable: `c.connected <> 0 AND c.id IN (SELECT u.charger_id FROM connector_status u WHERE u.status = 'Unavailable')
    AND NOT ${FAULTED} AND NOT ${CHARGING} AND ${UNAVAILABLE}`,
  online: `c.connected <> 0 AND NOT ${FAULTED} AND NOT ${CHARGING} AND NOT ${UNAVAILABLE}`,
};

/**
 * The prefix search: one index range per column (id, vendor, model, firmware through their
 * 0039 indexes, serial number through its own), the union of their rows. A bound of the
 * prefix followed by the highest code point ends each range.
 */
const Q_WHERE = (lo: string, hi: string) =>
  `c.rowid IN (${[
    'c.id COLLATE NOCASE',
    SORT_KEYS.vendor,
    SORT_KEYS.model,
    SORT_KEYS.firmware,
    'c.serial_number COLLATE NOCASE',
  ]
    .map((key) => `SELECT c.rowid FROM chargers c WHERE ${key} >= ${lo} AND ${key} < ${hi}`)
    .join(' UNION ')})`;

/** Collects bound values and names their `?N` placeholders. */
class Binds {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `?${this.values.length}`;
  }
}

export class ChargerFleet {
  constructor(private readonly db: D1Database) {}

  /** One page of the fleet, filtered and sorted, after `query.after`. Two statements: the chargers, then their connectors. */
  async page(query: FleetQuery): Promise<FleetPage> {
    const { sql, values } = fleetPageStatement(query);
    const { results } = await this.db
      .prepare(sql)
      .bind(...values)
      .all<ChargerRow & { state: ChargerState; sort_key: string }>();
    const rows = results.slice(0, query.limit);
    const connectors = await this.connectorsOf(rows.map((r) => r.id));
    const last = rows[rows.length - 1];
    return {
      chargers: rows.map((r) => ({ ...toRecord(r, connectors.filter((c) => c.charger_id === r.id)), state: r.state })),
      next: results.length > query.limit && last ? { key: last.sort_key, id: last.id } : null,
    };
  }

  /** Counts of the whole fleet by state, protocol and registration: one statement, reading every charger. */
  async summary(): Promise<FleetSummary> {
    const { results } = await this.db
      .prepare(
        `SELECT ${STATE} AS state, c.protocol AS protocol, c.registration_status AS registration, count(*) AS n
         FROM chargers c GROUP BY 1, 2, 3`,
      )
      .all<{ state: ChargerState; protocol: string | null; registration: string | null; n: number }>();
    const summary: FleetSummary = {
      total: 0,
      byState: Object.fromEntries(CHARGER_STATES.map((s) => [s, 0])) as FleetSummary['byState'],
      byProtocol: Object.fromEntries(PROTOCOL_FILTERS.map((p) => [p, 0])) as FleetSummary['byProtocol'],
      byRegistration: Object.fromEntries(REGISTRATION_FILTERS.map((r) => [r, 0])) as FleetSummary['byRegistration'],
    };
    for (const row of results) {
      summary.total += row.n;
      summary.byState[row.state] += row.n;
      const protocol = (row.protocol ?? 'none') as keyof FleetSummary['byProtocol'];
      summary.byProtocol[protocol] = (summary.byProtocol[protocol] ?? 0) + row.n;
      const registration = (row.registration ?? 'none') as keyof FleetSummary['byRegistration'];
      summary.byRegistration[registration] = (summary.byRegistration[registration] ?? 0) + row.n;
    }
    return summary;
  }

  private async connectorsOf(ids: string[]): Promise<ConnectorRow[]> {
    if (ids.length === 0) return [];
    const { results } = await this.db
      // One JSON parameter, not one per id: D1 allows 100 bound parameters per statement.
      .prepare(
        `SELECT * FROM connector_status WHERE charger_id IN (SELECT j.value FROM json_each(?1) AS j)
         ORDER BY charger_id, evse_id, connector_id`,
      )
      .bind(JSON.stringify(ids))
      .all<ConnectorRow>();
    return results;
  }
}

/**
 * The statement of one page: the page's chargers (one more, to tell whether another page
 * follows) with their sort keys, found from the indexes, then each one's state. The state is
 * derived for the page alone, not for every candidate a filter or a sort considered.
 */
export function fleetPageStatement(query: FleetQuery): { sql: string; values: unknown[] } {
  const binds = new Binds();
  const key = SORT_KEYS[query.sort];
  const dir = query.order === 'desc' ? 'DESC' : 'ASC';
  const limit = binds.add(query.limit + 1);
  const common: string[] = [];
  if (query.after) {
    const id = binds.add(query.after.id);
    const [cmp, eq] = query.order === 'desc' ? ['<', '<='] : ['>', '>='];
    if (query.sort === 'id') common.push(`c.id ${cmp} ${id}`);
    // The bound on the key alone is what seeks the index; the OR then skips the ties already shown.
    else {
      const k = binds.add(query.after.key);
      common.push(`${key} ${eq} ${k} AND (${key} ${cmp} ${k} OR c.id ${cmp} ${id})`);
    }
  }
  if (query.q !== undefined) common.push(Q_WHERE(binds.add(query.q), binds.add(`${query.q}\u{10FFFF}`)));
  if (query.protocols?.length) common.push(oneOf('c.protocol', query.protocols, binds));
  if (query.registrations?.length) common.push(oneOf('c.registration_status', query.registrations, binds));
  if (query.firmware !== undefined) common.push(`${SORT_KEYS.firmware} = ${binds.add(query.firmware)}`);

  const part = (state?: ChargerState) => {
    const where = [...common, ...(state ? [STATE_WHERE[state]] : [])];
    return `SELECT c.*, ${key} AS sort_key FROM chargers c
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${key} ${dir}, c.id ${dir} LIMIT ${limit}`;
  };
  const states = [...new Set(query.states ?? [])];
  // Several states: each is read on its own (from its own index, at most a page) and the pages
  // merged, which bounds the rows read where one OR of them would walk the fleet.
  const collate = query.sort === 'id' || query.sort === 'lastSeen' ? '' : ' COLLATE NOCASE';
  const order = `ORDER BY c.sort_key${collate} ${dir}, c.id ${dir}`;
  const found = states.length <= 1 ? part(states[0]) : states.map((s) => `SELECT * FROM (${part(s)})`).join(' UNION ALL ');
  return { sql: `SELECT c.*, ${STATE} AS state FROM (${found}) AS c ${order} LIMIT ${limit}`, values: binds.values };
}

/** `column IN (values)`, with `none` meaning NULL. */
function oneOf(column: string, values: readonly string[], binds: Binds): string {
  const named = values.filter((v) => v !== 'none');
  const terms = named.length ? [`${column} IN (${named.map((v) => binds.add(v)).join(', ')})`] : [];
  if (values.includes('none')) terms.push(`${column} IS NULL`);
  return `(${terms.join(' OR ')})`;
}

/**
 * The page's `nextCursor`. Sorted by id it is the last id, as it always was; other sorts carry
 * their sort and order with the key, so a cursor is refused by a request that sorts otherwise.
 */
export function formatFleetCursor(cursor: FleetCursor, sort: FleetSort, order: 'asc' | 'desc'): string {
  if (sort === 'id') return cursor.id;
  const bytes = new TextEncoder().encode(JSON.stringify([sort, order, cursor.key, cursor.id]));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** The cursor `formatFleetCursor` made for this sort and order, or null. */
export function parseFleetCursor(text: string, sort: FleetSort, order: 'asc' | 'desc'): FleetCursor | null {
  if (text.length === 0 || text.length > 1_000) return null;
  if (sort === 'id') return { key: text, id: text };
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
    if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== sort || parsed[1] !== order) return null;
    const [, , key, id] = parsed as unknown[];
    return typeof key === 'string' && typeof id === 'string' ? { key, id } : null;
  } catch {
    return null;
  }
}
