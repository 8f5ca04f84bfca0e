// The display messages a 2.0.1 charger shows (O01–O06): what it reported, and what the CSMS set and cleared since.
//
// GetDisplayMessages is answered by NotifyDisplayMessages parts sharing its requestId (O03); an
// accepted SetDisplayMessage (O01/O02/O06) and an accepted ClearDisplayMessage (O05) change the
// list after that. The answers are kept as report rows beside the charger's own (charger_reports),
// so the view is computed from one table, in the order things happened there.

import type { ChargerReport } from './records';
import { isOcpp2, type OcppVersion } from './versions';

/** Actions of the CSMS whose accepted answers are kept as the charger's display-message changes. */
export const DISPLAY_MESSAGE_CHANGES = ['SetDisplayMessage', 'ClearDisplayMessage', 'GetDisplayMessages'] as const;

/** A message as the view shows it. */
export interface DisplayMessageView {
  id: number;
  priority: string | null;
  state: string | null;
  startDateTime: string | null;
  endDateTime: string | null;
  transactionId: string | null;
  message: { format?: string; language?: string; content?: string } | null;
  display: Record<string, unknown> | null;
  /** Where the CSMS learnt it: the charger's report, or a SetDisplayMessage it accepted. */
  source: 'NotifyDisplayMessages' | 'SetDisplayMessage';
  /** When that report part or that answer arrived. */
  since: string;
}

/** A row of charger_reports as the display-message view reads it, oldest first. */
export interface DisplayMessageRow {
  id: number;
  action: string;
  receivedAt: string;
  requestId: number | null;
  payload: Record<string, unknown>;
}

/**
 * The report rows an answered SetDisplayMessage, ClearDisplayMessage or GetDisplayMessages leaves,
 * as facts of the charger (commandEffects): an accepted set or clear, and a GetDisplayMessages
 * without filters answered Unknown, which says the charger has no message at all (O03.FR.03),
 * so no NotifyDisplayMessages will follow. Nothing for a refusal: the list did not change.
 */
export function displayMessageReportsFromCommand(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  result: unknown,
  now: string,
): Array<ChargerReport & { digest: string }> {
  if (!isOcpp2(protocol)) return [];
  const status = (result as { status?: unknown } | null)?.status;
  const req = (request ?? {}) as Record<string, unknown>;
  let payload: Record<string, unknown>;
  let requestId: number | undefined;
  if (action === 'SetDisplayMessage' && status === 'Accepted') {
    payload = { message: req.message, status };
  } else if (action === 'ClearDisplayMessage' && status === 'Accepted') {
    payload = { id: req.id, status };
  } else if (action === 'GetDisplayMessages' && status === 'Unknown' && req.id === undefined && req.priority === undefined && req.state === undefined) {
    requestId = typeof req.requestId === 'number' ? req.requestId : undefined;
    payload = { requestId, status };
  } else {
    return [];
  }
  // Not a charger's message: the id says so. Made once, with the fact: a replayed flush of the
  // fact inserts nothing more (charger_reports is unique by charger, action, message id, digest).
  return [{ action, messageId: `csms:${crypto.randomUUID()}`, receivedAt: now, requestId, payload, digest: 'csms' }];
}

/**
 * The charger's messages: those of the latest report (its parts, `base`), then each change kept
 * after it (`changes`, oldest first) applied: a set replaces the message with its id, a clear removes it.
 */
export function displayMessagesView(base: readonly DisplayMessageRow[], changes: readonly DisplayMessageRow[]): DisplayMessageView[] {
  const messages = new Map<number, DisplayMessageView>();
  for (const row of base) {
    if (row.action !== 'NotifyDisplayMessages') continue;
    const infos = Array.isArray(row.payload.messageInfo) ? row.payload.messageInfo : [];
    for (const info of infos) {
      const view = toView(info, 'NotifyDisplayMessages', row.receivedAt);
      if (view) messages.set(view.id, view);
    }
  }
  for (const row of changes) {
    if (row.action === 'SetDisplayMessage') {
      const view = toView(row.payload.message, 'SetDisplayMessage', row.receivedAt);
      if (view) messages.set(view.id, view);
    } else if (row.action === 'ClearDisplayMessage' && typeof row.payload.id === 'number') {
      messages.delete(row.payload.id);
    }
  }
  return [...messages.values()].sort((a, b) => a.id - b.id);
}

function toView(info: unknown, source: DisplayMessageView['source'], since: string): DisplayMessageView | undefined {
  if (info === null || typeof info !== 'object') return undefined;
  const m = info as Record<string, unknown>;
  if (typeof m.id !== 'number') return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    id: m.id,
    priority: text(m.priority),
    state: text(m.state),
    startDateTime: text(m.startDateTime),
    endDateTime: text(m.endDateTime),
    transactionId: text(m.transactionId),
    message: m.message !== null && typeof m.message === 'object' ? (m.message as DisplayMessageView['message']) : null,
    display: m.display !== null && typeof m.display === 'object' ? (m.display as Record<string, unknown>) : null,
    source,
    since,
  };
}
