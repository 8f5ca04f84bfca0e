// D1 reads of readable views over what 2.0.1 chargers report (events, display messages, customer information); all of their SQL lives here (monitors: variable-monitors.ts).
//
// Each view is computed from charger_reports, where the notifications are kept as sent (secrets
// redacted), so nothing new is written for it. Every query is bounded by the charger (the
// (charger_id, action, id) index) and by a window of its latest reports or a page: json_each
// rows are billed as rows read, so no query explodes every report a charger ever sent.

import { assembleReport } from '../ocpp/report-assembly';
import { displayMessagesView, type DisplayMessageRow, type DisplayMessageView } from '../ocpp/display-messages';
import { redactSecrets, type WriteOnlyLookup } from '../ocpp/secrets';
import { ReportStore, writeOnlyLookup, type WriteOnlyRow } from './reports';

/** How many NotifyEvent messages one page of the events view reads at most: a filtered page may be short, with a cursor. */
export const EVENT_REPORT_WINDOW = 500;
/** Parts of one display-message report, and changes after it, read at most. */
export const DISPLAY_MESSAGE_WINDOW = 1000;
/** NotifyCustomerInformation parts one page of that view reads at most. */
export const CUSTOMER_INFORMATION_PARTS = 5000;

export interface EventView {
  eventId: number;
  timestamp: string;
  trigger: string;
  cause: number | null;
  actualValue: string;
  cleared: boolean;
  techCode: string | null;
  techInfo: string | null;
  transactionId: string | null;
  variableMonitoringId: number | null;
  eventNotificationType: string;
  component: Record<string, unknown>;
  variable: Record<string, unknown>;
  receivedAt: string;
  messageId: string;
}

export interface CustomerInformationView {
  requestId: number;
  /** Every part's data, in seqNo order. */
  data: string;
  complete: boolean;
  missingSeqNos: number[];
  parts: number;
  generatedAt: string | null;
  receivedAt: string;
}

type Page<K extends string, T> = { [key in K]: T[] } & { nextCursor: string | null };

export class ReportViewStore {
  constructor(private readonly db: D1Database) {}

  /**
   * The charger's NotifyEvent entries (N07, N08), one per eventData entry, newest message first
   * and in the message's order within it; null when `cursor` is not one of ours. A page reads at
   * most EVENT_REPORT_WINDOW messages: with filters it may hold fewer than `limit` and still have
   * a `nextCursor`.
   */
  async events(
    chargerId: string,
    query: { component?: string; variable?: string; trigger?: string; from?: string; to?: string; limit: number; cursor?: string },
    writeOnly: WriteOnlyLookup,
  ): Promise<Page<'events', EventView> | null> {
    let after: [number, number] | null = null;
    if (query.cursor !== undefined) {
      const match = /^(\d{1,15}):(\d{1,10})$/.exec(query.cursor);
      if (!match) return null;
      after = [Number(match[1]), Number(match[2])];
    }
    const window = `SELECT id, message_id, received_at, payload FROM charger_reports
           WHERE charger_id = ?1 AND action = 'NotifyEvent' AND (?2 IS NULL OR id <= ?2) ORDER BY id DESC LIMIT ?3`;
    const [rows, scanned] = await this.db.batch([
      this.db
        .prepare(
          `WITH parts AS (${window})
           SELECT p.id, p.message_id, p.received_at, CAST(e.key AS INTEGER) AS position, e.value AS event
           FROM parts AS p, json_each(p.payload, '$.eventData') AS e
           WHERE (?2 IS NULL OR p.id < ?2 OR CAST(e.key AS INTEGER) > ?4)
             AND (?5 IS NULL OR json_extract(e.value, '$.component.name') = ?5)
             AND (?6 IS NULL OR json_extract(e.value, '$.variable.name') = ?6)
             AND (?7 IS NULL OR json_extract(e.value, '$.trigger') = ?7)
             AND (?8 IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(e.value, '$.timestamp')) >= ?8)
             AND (?9 IS NULL OR strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(e.value, '$.timestamp')) < ?9)
           ORDER BY p.id DESC, position LIMIT ?10`,
        )
        .bind(
          chargerId,
          after?.[0] ?? null,
          EVENT_REPORT_WINDOW,
          after?.[1] ?? null,
          query.component ?? null,
          query.variable ?? null,
          query.trigger ?? null,
          query.from ?? null,
          query.to ?? null,
          query.limit + 1,
        ),
      this.db.prepare(`SELECT count(*) AS n, min(id) AS lowest FROM (${window})`).bind(chargerId, after?.[0] ?? null, EVENT_REPORT_WINDOW),
    ]);
    const results = rows!.results as Array<{ id: number; message_id: string; received_at: string; position: number; event: string }>;
    const scannedWindow = scanned!.results[0] as { n: number; lowest: number | null };
    const page = results.slice(0, query.limit);
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (results.length > query.limit && last) nextCursor = `${last.id}:${last.position}`;
    // The window ended before the page filled: the next page goes on below its lowest message.
    else if (scannedWindow.n >= EVENT_REPORT_WINDOW && scannedWindow.lowest !== null) nextCursor = `${scannedWindow.lowest}:${PAST_EVERY_ENTRY}`;
    return {
      events: page.map((row) => toEvent(row, writeOnly)),
      nextCursor,
    };
  }

  /**
   * The display messages the charger holds as the CSMS knows them (O01–O06): the latest
   * GetDisplayMessages report, assembled over its parts, with the SetDisplayMessage and
   * ClearDisplayMessage the charger accepted after it applied.
   */
  async displayMessages(chargerId: string): Promise<{ messages: DisplayMessageView[]; requestId: number | null; complete: boolean; reportedAt: string | null }> {
    const latest = await this.db
      .prepare(
        `SELECT id, request_id FROM charger_reports
         WHERE charger_id = ?1 AND action IN ('NotifyDisplayMessages', 'GetDisplayMessages') ORDER BY id DESC LIMIT 1`,
      )
      .bind(chargerId)
      .first<{ id: number; request_id: number | null }>();
    const [baseRows, changeRows] = await this.db.batch([
      this.db
        .prepare(
          `SELECT id, action, received_at, request_id, payload FROM charger_reports
           WHERE charger_id = ?1 AND action IN ('NotifyDisplayMessages', 'GetDisplayMessages') AND request_id IS ?2 AND ?3 = 1
           ORDER BY id LIMIT ?4`,
        )
        .bind(chargerId, latest?.request_id ?? null, latest ? 1 : 0, DISPLAY_MESSAGE_WINDOW),
      this.db
        .prepare(
          `SELECT * FROM (SELECT id, action, received_at, request_id, payload FROM charger_reports
             WHERE charger_id = ?1 AND action IN ('SetDisplayMessage', 'ClearDisplayMessage') AND id > ?2
             ORDER BY id DESC LIMIT ?3) ORDER BY id`,
        )
        .bind(chargerId, latest?.id ?? 0, DISPLAY_MESSAGE_WINDOW),
    ]);
    const base = (baseRows!.results as ReportRow[]).map(toRow);
    // Changes count from the report's last part on: the report already shows what came before.
    const changes = (changeRows!.results as ReportRow[]).map(toRow);
    const assembled = base.length > 0 && latest?.request_id != null ? assembleReport('NotifyDisplayMessages', latest.request_id, base) : null;
    const answeredUnknown = base.some((row) => row.action === 'GetDisplayMessages');
    return {
      messages: displayMessagesView(base, changes),
      requestId: latest?.request_id ?? null,
      complete: answeredUnknown || (assembled?.complete ?? false),
      reportedAt: base.at(-1)?.receivedAt ?? null,
    };
  }

  /**
   * The charger's NotifyCustomerInformation reports (N09, N10), assembled per requestId, newest
   * (last part received) first; null when `cursor` is not one of ours.
   */
  async customerInformation(
    chargerId: string,
    query: { requestId?: number; limit: number; cursor?: string },
  ): Promise<Page<'customerInformation', CustomerInformationView> | null> {
    const before = query.cursor === undefined ? null : Number(query.cursor);
    if (before !== null && (!/^\d{1,15}$/.test(query.cursor!) || !Number.isInteger(before))) return null;
    const { results: groups } = await this.db
      .prepare(
        `SELECT request_id, MAX(id) AS latest FROM charger_reports
         WHERE charger_id = ?1 AND action = 'NotifyCustomerInformation' AND (?2 IS NULL OR request_id = ?2)
         GROUP BY request_id HAVING (?3 IS NULL OR latest < ?3) ORDER BY latest DESC LIMIT ?4`,
      )
      .bind(chargerId, query.requestId ?? null, before, query.limit + 1)
      .all<{ request_id: number | null; latest: number }>();
    const page = groups.slice(0, query.limit);
    const ids = page.flatMap((g) => (g.request_id === null ? [] : [g.request_id]));
    const { results: parts } =
      ids.length === 0
        ? { results: [] as ReportRow[] }
        : await this.db
            .prepare(
              `SELECT id, action, received_at, request_id, payload FROM charger_reports
               WHERE charger_id = ?1 AND action = 'NotifyCustomerInformation' AND request_id IN (SELECT value FROM json_each(?2))
               ORDER BY id LIMIT ?3`,
            )
            .bind(chargerId, JSON.stringify(ids), CUSTOMER_INFORMATION_PARTS)
            .all<ReportRow>();
    const byRequest = new Map<number, DisplayMessageRow[]>();
    for (const row of parts.map(toRow)) {
      const list = byRequest.get(row.requestId!) ?? [];
      list.push(row);
      byRequest.set(row.requestId!, list);
    }
    const customerInformation = page.flatMap((group): CustomerInformationView[] => {
      const rows = group.request_id === null ? [] : (byRequest.get(group.request_id) ?? []);
      if (rows.length === 0) return [];
      const report = assembleReport('NotifyCustomerInformation', group.request_id!, rows);
      const generatedAt = report.parts[0]?.payload.generatedAt;
      return [
        {
          requestId: report.requestId,
          data: report.parts.map((p) => (typeof p.payload.data === 'string' ? p.payload.data : '')).join(''),
          complete: report.complete,
          missingSeqNos: report.missingSeqNos,
          parts: report.parts.length,
          generatedAt: typeof generatedAt === 'string' ? generatedAt : null,
          receivedAt: rows.reduce((latest, r) => (r.receivedAt > latest ? r.receivedAt : latest), ''),
        },
      ];
    });
    return { customerInformation, nextCursor: groups.length > query.limit ? String(page[page.length - 1]!.latest) : null };
  }

  /** The variables the charger reported WriteOnly: their values in events are secret too (the query is ReportStore's). */
  async writeOnly(chargerId: string): Promise<WriteOnlyLookup> {
    const { results } = await new ReportStore(this.db).writeOnlyStatement(chargerId).all<WriteOnlyRow>();
    return writeOnlyLookup(results);
  }
}

/** A position past every entry of a message: a cursor there goes on with the message below. */
const PAST_EVERY_ENTRY = 9_999_999_999;

type ReportRow = { id: number; action: string; received_at: string; request_id: number | null; payload: string };

function toRow(row: ReportRow): DisplayMessageRow {
  return { id: row.id, action: row.action, receivedAt: row.received_at, requestId: row.request_id, payload: JSON.parse(row.payload) as Record<string, unknown> };
}

function toEvent(row: { message_id: string; received_at: string; event: string }, writeOnly: WriteOnlyLookup): EventView {
  // Stored redacted; redacted again with what is known now (a variable reported WriteOnly since).
  const e = redactSecrets(JSON.parse(row.event) as Record<string, unknown>, writeOnly);
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const int = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    eventId: int(e.eventId) ?? 0,
    timestamp: text(e.timestamp) ?? '',
    trigger: text(e.trigger) ?? '',
    cause: int(e.cause),
    actualValue: text(e.actualValue) ?? '',
    cleared: e.cleared === true,
    techCode: text(e.techCode),
    techInfo: text(e.techInfo),
    transactionId: text(e.transactionId),
    variableMonitoringId: int(e.variableMonitoringId),
    eventNotificationType: text(e.eventNotificationType) ?? '',
    component: (e.component ?? {}) as Record<string, unknown>,
    variable: (e.variable ?? {}) as Record<string, unknown>,
    receivedAt: row.received_at,
    messageId: row.message_id,
  };
}
