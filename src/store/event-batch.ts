// How a flush batch's 2.0.1 TransactionEvents are judged against each other, before SQL judges them
// against what D1 holds: statements only see what earlier statements stored, so what depends on
// order within the batch is worked out here, once, for every store that writes events.

import type { ChargerFact } from '../fleet/outbox';

type EventFact = ChargerFact<'event201'>;

/** One of a batch's events, with what the batch itself says of it. */
export interface BatchEvent {
  event: EventFact;
  /** The event's digest (see legacyDigest for facts appended before they carried one). */
  digest: string;
  /** It reuses the seqNo of an earlier event of the batch with other content. */
  conflictInBatch: boolean;
  /** The seqNo of an Ended of the same transaction earlier in the batch (the event is late), else null. */
  batchEndedSeq: number | null;
}

/**
 * The batch's events in order, an identical replay within the batch left out. Events after the
 * batch's first Ended are judged against it (should D1 show that Ended itself reuses a seqNo, they
 * are flagged late although no Ended was applied: kept either way).
 */
export function judgeBatch(events: readonly EventFact[]): BatchEvent[] {
  const judged: BatchEvent[] = [];
  const seen = new Set<string>();
  const firstDigest = new Map<string, string>();
  const endedSeq = new Map<string, number>();
  for (const event of events) {
    const { chargerId, fact } = event;
    const digest = fact.digest ?? legacyDigest(fact);
    const txKey = JSON.stringify([chargerId, fact.transactionId]);
    const seqKey = JSON.stringify([chargerId, fact.transactionId, fact.seqNo]);
    if (seen.has(seqKey + digest)) continue;
    seen.add(seqKey + digest);
    const first = firstDigest.get(seqKey);
    if (first === undefined) firstDigest.set(seqKey, digest);
    const conflictInBatch = first !== undefined && first !== digest;
    const ended = endedSeq.get(txKey);
    judged.push({ event, digest, conflictInBatch, batchEndedSeq: ended ?? null });
    if (fact.eventType === 'Ended' && !conflictInBatch && ended === undefined) endedSeq.set(txKey, fact.seqNo);
  }
  return judged;
}

/**
 * The digest of a fact appended before facts carried one (and their meter values came apart):
 * its content, which is what a digest stands for.
 */
export function legacyDigest(fact: EventFact['fact']): string {
  const { idTokenStatus: _answer, ...sent } = fact;
  return `legacy:${JSON.stringify(sent)}`;
}

/**
 * Whether the batch alone allows packing the event with its readings (store/packed-events.ts): an
 * Updated with readings and a digest, carrying no fact of its transaction but its EVSE, connector
 * and charging state (which SQL compares with the stored ones, as it compares the trigger reason), first
 * of its seqNo in the batch and not after the batch's Ended. SQL decides the rest against D1.
 */
export function mayPack({ event: { fact: e }, conflictInBatch, batchEndedSeq }: BatchEvent): boolean {
  return (
    e.eventType === 'Updated' &&
    e.digest != null &&
    (e.samples?.length ?? 0) > 0 &&
    !e.offline &&
    !conflictInBatch &&
    batchEndedSeq === null &&
    e.idToken == null &&
    e.remoteStartIdToken == null &&
    e.stoppedReason == null &&
    e.remoteStartId == null &&
    e.reservationId == null
  );
}
