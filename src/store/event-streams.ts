// D1 access for OCPP 2.1 periodic event streams and their packed values; all of their SQL lives here (the monitors they name: variable-monitors.ts).
//
// A stream's values are packed per UTC hour (migrations/0049 event_stream_values), as meter
// values are (meter-values.ts): a flush groups the points it carries by charger, stream and hour,
// and writes each group into its hour's row in one statement for all of them. A stream sending
// every few seconds then costs D1 one row written per flush, not one per message.

import type { ChargerFact } from '../fleet/outbox';
import type { EventStreamChange, StreamDefinition, StreamParams } from '../ocpp/v21/event-streams';
import { chunkByBytes } from './json-rows';
import { VariableMonitorStore } from './variable-monitors';

/**
 * An hour's row takes points until its data is this long; later points of the hour start a new
 * part (a value may be 2,500 characters, and D1 caps a row at 2 MB). Soft: one flush's points of
 * an hour may take a part past it.
 */
export const STREAM_PART_BYTES = 262_144;

export type StreamState = 'open' | 'closed' | 'unannounced';

export interface StoredEventStream {
  streamId: number;
  state: StreamState;
  /** False while the CSMS never saw the stream opened: values came for an id it did not know. */
  announced: boolean;
  variableMonitoringId: number | null;
  params: StreamParams;
  openedAt: string | null;
  closedAt: string | null;
  closedBy: 'charger' | 'reconcile' | null;
  adjustedAt: string | null;
  firstUnannouncedAt: string | null;
}

export interface StoredStreamPoint {
  atMs: number;
  value: string;
  /** Stored while the CSMS knew no such stream of the charger. */
  unannounced: boolean;
}

/** Hours of rows one read of a stream's values takes at most; a page needing more reads again. */
const HOURS_PER_READ = 24;

const HOUR_MS = 3_600_000;

/** The UTC hour of an instant, as the rows key it: YYYY-MM-DDTHH. */
export function hourOf(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 13);
}

/**
 * The rows a flush writes: one per charger, stream and hour, its points keyed by milliseconds
 * after the hour. Of points of one instant the first wins, as it does against what is stored.
 */
export function packStreamValues(facts: readonly ChargerFact<'streamValues'>[]): Array<[chargerId: string, streamId: number, hour: string, firstKey: string, data: string]> {
  const groups = new Map<string, { chargerId: string; streamId: number; hour: string; points: Map<string, string> }>();
  for (const { chargerId, fact } of facts) {
    for (const [atMs, value] of fact.points) {
      const hour = hourOf(atMs);
      const id = JSON.stringify([chargerId, fact.streamId, hour]);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { chargerId, streamId: fact.streamId, hour, points: new Map() }));
      const key = String(atMs - Date.parse(`${hour}:00:00Z`));
      if (!group.points.has(key)) group.points.set(key, value);
    }
  }
  return [...groups.values()].flatMap((g) => pieces([...g.points]).map((piece) => [g.chargerId, g.streamId, g.hour, piece[0]![0], JSON.stringify(Object.fromEntries(piece))] as [string, number, string, string, string]));
}

/**
 * A group's points in pieces of at most ROW_PIECE_CHARS of JSON, each a row of the statement's
 * parameter: a flush holding more of one stream's hour than one statement takes still stores all
 * of it (rows of one hour merge into its stored row, in one statement or several).
 */
function pieces(points: Array<[string, string]>): Array<Array<[string, string]>> {
  const out: Array<Array<[string, string]>> = [[]];
  let chars = 0;
  for (const point of points) {
    const size = point[0].length + JSON.stringify(point[1]).length + 4;
    if (chars + size > ROW_PIECE_CHARS && out.at(-1)!.length > 0) {
      out.push([]);
      chars = 0;
    }
    out.at(-1)!.push(point);
    chars += size;
  }
  return out;
}

/** Characters of points one row of a statement's parameter carries at most: under D1's 100 KB statement limit even at 3 bytes a character. */
const ROW_PIECE_CHARS = 25_000;

const r = (i: number) => `json_extract(r.value, '$[${i}]')`;
/** The incoming group's points the stored row lacks (json_each alias n over excluded.data). */
const NEW_POINTS = `FROM json_each(excluded.data) AS n WHERE json_type(event_stream_values.data, '$."' || n.key || '"') IS NULL`;
/**
 * The part an incoming group goes to: the one holding its first point already (a replayed flush
 * lands where it landed), else the hour's last part, or the next one when that is full.
 */
const PART = `COALESCE(
    (SELECT h.part FROM event_stream_values h
     WHERE h.charger_id = ${r(0)} AND h.stream_id = ${r(1)} AND h.hour = ${r(2)} AND json_type(h.data, '$."' || ${r(3)} || '"') IS NOT NULL LIMIT 1),
    (SELECT h.part + (length(h.data) >= ${STREAM_PART_BYTES}) FROM event_stream_values h
     WHERE h.charger_id = ${r(0)} AND h.stream_id = ${r(1)} AND h.hour = ${r(2)} ORDER BY h.part DESC LIMIT 1),
    0)`;
/** The charger never told the CSMS of this stream (no OpenPeriodicEventStream, not in a GetPeriodicEventStream answer). */
const UNANNOUNCED = `NOT EXISTS (SELECT 1 FROM event_streams s WHERE s.charger_id = ${r(0)} AND s.stream_id = ${r(1)} AND s.announced = 1)`;

/**
 * Stores each group in its hour's row: a new row for the hour's first points, else the points the
 * row lacks added to it (an identical replay writes nothing: the update's WHERE finds nothing
 * new). A group of a stream the CSMS does not know is stored too, its row flagged, and the
 * stream listed as unannounced (the trigger of migrations/0049).
 */
const UPSERT_VALUES_SQL = `INSERT INTO event_stream_values (charger_id, stream_id, hour, part, data, unannounced)
  SELECT ${r(0)}, ${r(1)}, ${r(2)}, ${PART}, json(${r(4)}), ${UNANNOUNCED}
  FROM json_each(?1) AS r WHERE 1
  ON CONFLICT (charger_id, stream_id, hour, part) DO UPDATE SET
    data = json_patch(data, (SELECT json_group_object(n.key, n.value) ${NEW_POINTS})),
    unannounced = max(unannounced, excluded.unannounced)
  WHERE EXISTS (SELECT 1 ${NEW_POINTS})`;

type StreamRow = {
  stream_id: number;
  state: StreamState;
  announced: number;
  variable_monitoring_id: number | null;
  params: string;
  opened_at: string | null;
  closed_at: string | null;
  closed_by: 'charger' | 'reconcile' | null;
  adjusted_at: string | null;
  first_unannounced_at: string | null;
};

export class EventStreamStore {
  private readonly monitors: VariableMonitorStore;

  constructor(private readonly db: D1Database) {
    this.monitors = new VariableMonitorStore(db);
  }

  /**
   * The statements that apply stream and monitor changes, in order. Each is idempotent, and a
   * stream change applies only if it is no older than the last one applied to the stream.
   */
  changeStatements(facts: readonly ChargerFact<'eventStream'>[]): D1PreparedStatement[] {
    return facts.flatMap(({ chargerId, fact }) => this.change(chargerId, fact));
  }

  /** One statement per (at most 90 KB of) packed rows: a flush's values, whatever messages brought them. */
  valueStatements(facts: readonly ChargerFact<'streamValues'>[]): D1PreparedStatement[] {
    if (facts.length === 0) return [];
    return chunkByBytes(packStreamValues(facts)).map((rows) => this.db.prepare(UPSERT_VALUES_SQL).bind(JSON.stringify(rows)));
  }

  private change(chargerId: string, c: EventStreamChange): D1PreparedStatement[] {
    switch (c.op) {
      case 'open':
        return [this.open(chargerId, [c], c.at, false)];
      case 'close':
        return [
          this.db
            .prepare(
              `INSERT INTO event_streams (charger_id, stream_id, state, announced, closed_at, closed_by, updated_at)
               VALUES (?1, ?2, 'closed', 1, ?3, 'charger', ?3)
               ON CONFLICT (charger_id, stream_id) DO UPDATE SET
                 state = 'closed', announced = 1, closed_at = excluded.closed_at, closed_by = 'charger', updated_at = excluded.updated_at
               WHERE event_streams.updated_at <= excluded.updated_at AND event_streams.state <> 'closed'`,
            )
            .bind(chargerId, c.streamId, c.at),
        ];
      case 'adjust':
        return [
          this.db
            .prepare(
              `UPDATE event_streams SET params = ?3, adjusted_at = ?4, updated_at = ?4
               WHERE charger_id = ?1 AND stream_id = ?2 AND updated_at <= ?4`,
            )
            .bind(chargerId, c.streamId, JSON.stringify(c.params), c.at),
        ];
      case 'reconcile':
        return [
          // Those the charger did not list are not open, whatever the CSMS thought.
          this.db
            .prepare(
              `UPDATE event_streams SET state = 'closed', closed_at = ?2, closed_by = 'reconcile', updated_at = ?2
               WHERE charger_id = ?1 AND state <> 'closed' AND updated_at <= ?2
                 AND stream_id NOT IN (SELECT json_extract(value, '$.streamId') FROM json_each(?3))`,
            )
            .bind(chargerId, c.at, JSON.stringify(c.open)),
          ...(c.open.length === 0 ? [] : [this.open(chargerId, c.open, c.at, true)]),
        ];
      case 'monitors':
      case 'clearMonitors':
        return this.monitors.changeStatements(chargerId, c);
    }
  }

  /**
   * Streams open from `at`, as defined. One a reconciliation finds open already keeps its opening
   * time (it is the same stream); one opened by OpenPeriodicEventStream starts afresh.
   */
  private open(chargerId: string, streams: readonly StreamDefinition[], at: string, reconciling: boolean): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO event_streams (charger_id, stream_id, state, announced, variable_monitoring_id, params, opened_at, updated_at)
         SELECT ?1, json_extract(s.value, '$.streamId'), 'open', 1, json_extract(s.value, '$.variableMonitoringId'),
           json(json_extract(s.value, '$.params')), ?2, ?2
         FROM json_each(?3) AS s WHERE 1
         ON CONFLICT (charger_id, stream_id) DO UPDATE SET
           opened_at = CASE WHEN ?4 AND event_streams.state = 'open' THEN event_streams.opened_at ELSE excluded.opened_at END,
           adjusted_at = CASE WHEN ?4 AND event_streams.state = 'open' THEN event_streams.adjusted_at END,
           state = 'open', announced = 1, variable_monitoring_id = excluded.variable_monitoring_id, params = excluded.params,
           closed_at = NULL, closed_by = NULL, updated_at = excluded.updated_at
         WHERE event_streams.updated_at <= excluded.updated_at`,
      )
      .bind(chargerId, at, JSON.stringify(streams), reconciling ? 1 : 0);
  }

  /** A charger's streams by id, `limit` after `afterStreamId`. */
  async list(chargerId: string, query: { state?: StreamState; limit: number; afterStreamId?: number }): Promise<{ streams: StoredEventStream[]; more: boolean }> {
    const { results } = await this.db
      .prepare(
        `SELECT stream_id, state, announced, variable_monitoring_id, params, opened_at, closed_at, closed_by, adjusted_at, first_unannounced_at
         FROM event_streams WHERE charger_id = ?1 AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR stream_id > ?3)
         ORDER BY stream_id LIMIT ?4`,
      )
      .bind(chargerId, query.state ?? null, query.afterStreamId ?? null, query.limit + 1)
      .all<StreamRow>();
    return { streams: results.slice(0, query.limit).map(toStream), more: results.length > query.limit };
  }

  async get(chargerId: string, streamId: number): Promise<StoredEventStream | null> {
    const row = await this.db
      .prepare(
        `SELECT stream_id, state, announced, variable_monitoring_id, params, opened_at, closed_at, closed_by, adjusted_at, first_unannounced_at
         FROM event_streams WHERE charger_id = ?1 AND stream_id = ?2`,
      )
      .bind(chargerId, streamId)
      .first<StreamRow>();
    return row ? toStream(row) : null;
  }

  /**
   * A stream's points from `fromMs` (inclusive) to `toMs` (exclusive), oldest first, `limit` of
   * them after `afterMs` when given; `more` when the range holds more. Rows are read whole hours
   * at a time (an hour's parts together), so points come sorted across parts.
   */
  async points(
    chargerId: string,
    streamId: number,
    query: { fromMs: number; toMs: number; limit: number; afterMs?: number },
  ): Promise<{ points: StoredStreamPoint[]; more: boolean }> {
    const startMs = Math.max(query.fromMs, query.afterMs === undefined ? -Infinity : query.afterMs + 1);
    const points: StoredStreamPoint[] = [];
    let nextHour = hourOf(Math.max(startMs, -62_135_596_800_000));
    const lastHour = hourOf(Math.min(query.toMs - 1, 253_402_300_799_999));
    while (points.length <= query.limit && nextHour <= lastHour) {
      const { results } = await this.db
        .prepare(
          `SELECT hour, data, unannounced FROM event_stream_values
           WHERE charger_id = ?1 AND stream_id = ?2 AND hour >= ?3 AND hour <= ?4
             AND hour IN (SELECT DISTINCT hour FROM event_stream_values
                          WHERE charger_id = ?1 AND stream_id = ?2 AND hour >= ?3 AND hour <= ?4 ORDER BY hour LIMIT ?5)
           ORDER BY hour, part`,
        )
        .bind(chargerId, streamId, nextHour, lastHour, HOURS_PER_READ)
        .all<{ hour: string; data: string; unannounced: number }>();
      if (results.length === 0) break;
      const seen = new Set<number>();
      const read: StoredStreamPoint[] = [];
      for (const row of results) {
        const base = Date.parse(`${row.hour}:00:00Z`);
        for (const [key, value] of Object.entries(JSON.parse(row.data) as Record<string, string>)) {
          const atMs = base + Number(key);
          // A point lives in one part; should a replay have put it in two, the first part's is kept.
          if (atMs < startMs || atMs >= query.toMs || seen.has(atMs)) continue;
          seen.add(atMs);
          read.push({ atMs, value, unannounced: row.unannounced === 1 });
        }
      }
      points.push(...read.sort((a, b) => a.atMs - b.atMs));
      const hours = new Set(results.map((row) => row.hour));
      if (hours.size < HOURS_PER_READ) break;
      nextHour = hourOf(Date.parse(`${results.at(-1)!.hour}:00:00Z`) + HOUR_MS);
    }
    return { points: points.slice(0, query.limit), more: points.length > query.limit };
  }

  // ---- A day's values, for the archive (archive/event-stream-archiver.ts) ----

  /**
   * Streams with values of a UTC day before `beforeDay` (YYYY-MM-DD) in D1: the earliest such day
   * of each, earliest first, at most `limit`; `streams` counts every stream that has one.
   */
  async dueDays(beforeDay: string, limit: number): Promise<{ due: Array<{ chargerId: string; streamId: number; day: string }>; streams: number }> {
    // Every stream with values has its event_streams row (the trigger of migrations/0049 lists an unannounced one).
    const { results } = await this.db
      .prepare(
        `SELECT charger_id, stream_id, day, COUNT(*) OVER () AS streams FROM (
           SELECT s.charger_id, s.stream_id,
             substr((SELECT v.hour FROM event_stream_values v
                     WHERE v.charger_id = s.charger_id AND v.stream_id = s.stream_id AND v.hour < ?1
                     ORDER BY v.hour LIMIT 1), 1, 10) AS day
           FROM event_streams s)
         WHERE day IS NOT NULL ORDER BY day, charger_id, stream_id LIMIT ?2`,
      )
      .bind(beforeDay, limit)
      .all<{ charger_id: string; stream_id: number; day: string; streams: number }>();
    return { due: results.map((r) => ({ chargerId: r.charger_id, streamId: r.stream_id, day: r.day })), streams: results[0]?.streams ?? 0 };
  }

  /**
   * A stream's points of one UTC day in D1, oldest first, and how many the rows hold (`stored`,
   * which `dayUnchangedStatement` checks: a point in two parts counts twice there, once here).
   */
  async dayPoints(chargerId: string, streamId: number, day: string): Promise<{ points: StoredStreamPoint[]; stored: number }> {
    const { results } = await this.db
      .prepare(`SELECT hour, data, unannounced FROM event_stream_values WHERE charger_id = ?1 AND stream_id = ?2 AND hour >= ?3 AND hour <= ?4 ORDER BY hour, part`)
      .bind(chargerId, streamId, `${day}T00`, `${day}T23`)
      .all<{ hour: string; data: string; unannounced: number }>();
    const seen = new Set<number>();
    const points: StoredStreamPoint[] = [];
    let stored = 0;
    for (const row of results) {
      const base = Date.parse(`${row.hour}:00:00Z`);
      for (const [key, value] of Object.entries(JSON.parse(row.data) as Record<string, string>)) {
        stored++;
        const atMs = base + Number(key);
        if (seen.has(atMs)) continue;
        seen.add(atMs);
        points.push({ atMs, value, unannounced: row.unannounced === 1 });
      }
    }
    return { points: points.sort((a, b) => a.atMs - b.atMs), stored };
  }

  /**
   * A statement that fails, rolling back its batch, unless the stream's rows of the day still hold
   * exactly `stored` points (points are only ever added: a late one makes the count differ).
   */
  dayUnchangedStatement(chargerId: string, streamId: number, day: string, stored: number): D1PreparedStatement {
    return this.db
      .prepare(
        `SELECT json(CASE WHEN (SELECT COALESCE(SUM((SELECT COUNT(*) FROM json_each(v.data))), 0) FROM event_stream_values v
                                WHERE v.charger_id = ?1 AND v.stream_id = ?2 AND v.hour >= ?3 AND v.hour <= ?4) = ?5
                          THEN '0' ELSE 'event stream values changed while archiving' END) AS unchanged`,
      )
      .bind(chargerId, streamId, `${day}T00`, `${day}T23`, stored);
  }

  /** Deletes the stream's rows of one UTC day (put after the checks of the batch that records where they went). */
  deleteDayStatement(chargerId: string, streamId: number, day: string): D1PreparedStatement {
    return this.db
      .prepare('DELETE FROM event_stream_values WHERE charger_id = ?1 AND stream_id = ?2 AND hour >= ?3 AND hour <= ?4')
      .bind(chargerId, streamId, `${day}T00`, `${day}T23`);
  }
}

function toStream(row: StreamRow): StoredEventStream {
  return {
    streamId: row.stream_id,
    state: row.state,
    announced: row.announced === 1,
    variableMonitoringId: row.variable_monitoring_id,
    params: JSON.parse(row.params) as StreamParams,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    adjustedAt: row.adjusted_at,
    firstUnannouncedAt: row.first_unannounced_at,
  };
}

