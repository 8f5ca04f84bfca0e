// The archive job's part for OCPP 2.1 periodic event streams: moves each stream's values of UTC days past the retention window from D1 to R2, as meter-archiver.ts moves a charger's days of values outside transactions.

import { EventStreamArchiveStore, encodeStreamDay, mergePoints, streamDayKey } from '../store/event-stream-archive';
import { EventStreamStore } from '../store/event-streams';

export interface StreamDaysReport {
  /** Moved by this run, per charger, stream and UTC day (days before the cutoff's). */
  movedStreamDays: Array<{ chargerId: string; streamId: number; day: string; values: number; key: string }>;
  /** Due but not moved this run (their values stay in D1; the next run tries again). */
  failedStreamDays: Array<{ chargerId: string; streamId: number; day: string; error: string }>;
  /** Streams that had such a day due when this run began (each run moves at most one day per stream). */
  streamsWithDaysDue: number;
}

/**
 * One run's stream-days: at most `limit` of them, each stream's earliest due day, earliest first,
 * `concurrency` at a time. A day is due once all of it is before `beforeDay` (the cutoff's UTC day).
 */
export async function archiveStreamDays(
  db: D1Database,
  bucket: R2Bucket,
  options: { beforeDay: string; limit: number; now: string; inGroups: <T>(items: readonly T[], run: (item: T) => Promise<void>) => Promise<void> },
): Promise<StreamDaysReport> {
  const streams = new EventStreamStore(db);
  const archive = new EventStreamArchiveStore(db, bucket);
  const report: StreamDaysReport = { movedStreamDays: [], failedStreamDays: [], streamsWithDaysDue: 0 };
  const days = await streams.dueDays(options.beforeDay, options.limit);
  report.streamsWithDaysDue = days.streams;
  await options.inGroups(days.due, async ({ chargerId, streamId, day }) => {
    try {
      const moved = await archiveStreamDay(db, streams, archive, chargerId, streamId, day, options.now);
      report.movedStreamDays.push({ chargerId, streamId, day, ...moved });
    } catch (error) {
      report.failedStreamDays.push({ chargerId, streamId, day, error: String(error) });
      console.error(JSON.stringify({ level: 'error', what: 'event-stream-archive', chargerId, streamId, day, error: String(error) }));
    }
  });
  return report;
}

/**
 * Moves one stream-day: its D1 points (with an earlier object's, should the day have moved before
 * and got values since) written to R2 as one object under a name of their SHA-256, read back and
 * checked, then one D1 batch records it and deletes the day's rows, only if neither the day's row
 * nor the D1 points changed since they were read. Stopped anywhere before that batch, the values
 * are still in D1 (and the earlier object still named), served from there; the next run writes
 * the same object again.
 */
async function archiveStreamDay(
  db: D1Database,
  streams: EventStreamStore,
  archive: EventStreamArchiveStore,
  chargerId: string,
  streamId: number,
  day: string,
  now: string,
): Promise<{ values: number; key: string }> {
  const fromD1 = await streams.dayPoints(chargerId, streamId, day);
  if (fromD1.points.length === 0) throw new Error('no values left to move for this day');
  const earlier = await archive.dayState(chargerId, streamId, day);
  // An archived point wins over a D1 one of the same instant: it was stored first.
  const points = earlier ? mergePoints([await archive.read(earlier), fromD1.points]) : fromD1.points;
  const encoded = await encodeStreamDay(chargerId, streamId, day, points);
  const key = streamDayKey(chargerId, streamId, day, encoded.sha256);
  await archive.put(key, encoded);
  await archive.read({ key, count: encoded.count, sha256: encoded.sha256 });
  await db.batch([
    archive.dayUnchangedStatement(chargerId, streamId, day, earlier?.sha256 ?? null),
    streams.dayUnchangedStatement(chargerId, streamId, day, fromD1.stored),
    archive.dayMarkStatement(chargerId, streamId, day, key, encoded, now),
    streams.deleteDayStatement(chargerId, streamId, day),
  ]);
  if (earlier && earlier.key !== key) {
    // Nothing points to it now; left behind if this fails, it is only storage.
    await archive.remove(earlier.key).catch(() => undefined);
  }
  return { values: fromD1.points.length, key };
}
