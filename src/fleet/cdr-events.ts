// `cdr.created` on the EVENTS queue (issue 14, "Charge detail records": optional push): after a flush batch
// committed to D1, one event per transaction that batch completed, with its CDR as D1 now holds it (end and
// cost row written together: the charger's object appends a transaction's cost with its end).
//
// Which transactions the batch completed: of those its end facts name (1.6 stops, 2.0.1 Ended events,
// abandonments) and its cost facts, the ones whose CDR this very batch wrote — their cost row was priced at
// the batch's time, or, unpriced, their row was updated at it. A replayed end changes neither (the
// statements are idempotent), so it announces nothing again; a transaction closed as abandoned whose own end
// comes later is announced again, with the CDR its own end gives. A batch D1 stored but whose removal from the
// outbox was lost is written again with a later time and announces nothing: the event can be missed in that
// crash window, never doubled. Like every event, a notification: GET /api/v1/cdrs is authoritative.

import type { CsmsEvent } from '../charger/events';
import { logError } from '../log';
import { CdrStore } from '../store/cdrs';
import { cdrEvent, toCdr, type CdrSource } from '../tariffs/cdr';
import type { OutboxBatch } from './outbox';

/** Messages per sendBatch: a Queue batch takes at most 100 messages and 256 KB; a CDR with its tariff is a few KB. */
const EVENTS_PER_SEND = 25;

/** The transactions a batch's facts may have completed, each once. */
export function endedIn(batch: OutboxBatch): Array<{ chargerId: string; transactionId: string }> {
  const seen = new Map<string, { chargerId: string; transactionId: string }>();
  const add = (chargerId: string, transactionId: string | number) => {
    const id = String(transactionId);
    seen.set(JSON.stringify([chargerId, id]), { chargerId, transactionId: id });
  };
  for (const { chargerId, fact } of batch.stop16) add(chargerId, fact.transactionId);
  for (const { chargerId, fact } of batch.event201) if (fact.eventType === 'Ended') add(chargerId, fact.transactionId);
  for (const { chargerId, fact } of batch.abandon16) if (fact.cause === 'StartTransaction') add(chargerId, fact.transactionId);
  for (const { chargerId, fact } of batch.abandon201) add(chargerId, fact.transactionId);
  for (const { chargerId, fact } of batch.cost) add(chargerId, fact.transactionId);
  return [...seen.values()];
}

/** Whether the batch written at `now` wrote this CDR (see the module comment). */
function writtenAt(source: CdrSource, now: string): boolean {
  return source.cost ? source.cost.pricedAt === now : source.updatedAt === now;
}

/**
 * Sends `cdr.created` for each transaction the batch, committed at `now`, completed. Call only after the
 * batch committed. Never throws: a failure is logged (the CDR is in D1 either way).
 */
export async function announceCdrs(db: D1Database, queue: Queue<CsmsEvent> | undefined, batch: OutboxBatch, now: string): Promise<void> {
  if (!queue) return;
  const ended = endedIn(batch);
  if (ended.length === 0) return;
  try {
    const sources = await new CdrStore(db).forTransactions(ended);
    const events: CsmsEvent[] = sources.flatMap((source) => (source && writtenAt(source, now) ? [cdrEvent(toCdr(source), now)] : []));
    for (let i = 0; i < events.length; i += EVENTS_PER_SEND) {
      await queue.sendBatch(events.slice(i, i + EVENTS_PER_SEND).map((body) => ({ body })));
    }
  } catch (error) {
    logError('send cdr events', ended[0]?.chargerId, error);
  }
}
