// The archive job: moves the meter values of transactions past the retention window from D1 to R2,
// with a completed 2.0.1 transaction's events, and the days of 2.1 event-stream values past it
// (event-stream-archiver.ts), a bounded number per run (the Cron Trigger's and POST /api/v1/archive/run's).

import { readConfig } from '../config';
import type { Env } from '../env';
import { archiveKey, chargerKey, dayArchiveKey, encodeArchive, MeterArchiveStore, mergeReadings } from '../store/meter-archive';
import { MeterValueStore } from '../store/meter-values';
import { archiveStreamDays, type StreamDaysReport } from './event-stream-archiver';

/** Transactions moved at the same time: R2 and D1 round trips overlap, the isolate's CPU stays one at a time. */
const CONCURRENCY = 4;

export interface ArchiveRunReport extends StreamDaysReport {
  /** False when archiving is off: no ARCHIVE bucket bound, or METER_RETENTION_DAYS = 0. */
  enabled: boolean;
  /** Why it is off. */
  reason?: string;
  retentionDays: number;
  /** Transactions whose stop was recorded before this are due. */
  cutoff?: string;
  /**
   * Moved by this run: the readings left D1 (meterValues 0 and events null or 0: there were none,
   * no object written), and for a 2.0.1 transaction completed by its own Ended its events but
   * those D1 keeps (events null: none moved, see MeterArchiveStore.eventsToMove).
   */
  moved: Array<{ chargerId: string; transactionId: string; meterValues: number; events: number | null; key: string | null }>;
  /** Due but not moved this run (their readings stay in D1; the next run tries again). */
  failed: Array<{ chargerId: string; transactionId: string; error: string }>;
  /** Due transactions still in D1 after this run. */
  left: number;
  /** Values outside any transaction moved by this run, per charger and UTC day (days before the cutoff's). */
  movedDays: Array<{ chargerId: string; day: string; meterValues: number; key: string }>;
  failedDays: Array<{ chargerId: string; day: string; error: string }>;
  /** Chargers that had such a day due when this run began (each run moves at most one day per charger). */
  chargersWithDaysDue: number;
}

/** One run: at most `limit` due transactions (METER_ARCHIVE_BATCH by default), oldest stop first. */
export async function runMeterArchive(env: Env, options: { now?: Date; limit?: number } = {}): Promise<ArchiveRunReport> {
  const config = readConfig(env);
  const report: ArchiveRunReport = {
    enabled: false,
    retentionDays: config.meterRetentionDays,
    moved: [],
    failed: [],
    left: 0,
    movedDays: [],
    failedDays: [],
    chargersWithDaysDue: 0,
    movedStreamDays: [],
    failedStreamDays: [],
    streamsWithDaysDue: 0,
  };
  if (!env.ARCHIVE) return { ...report, reason: 'no R2 bucket is bound as ARCHIVE' };
  if (config.meterRetentionDays === 0) return { ...report, reason: 'METER_RETENTION_DAYS is 0' };
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - config.meterRetentionDays * 86_400_000).toISOString();
  const archive = new MeterArchiveStore(env.DB, env.ARCHIVE);
  const meterValues = new MeterValueStore(env.DB);
  const limit = options.limit ?? config.meterArchiveBatch;
  await inGroups(await archive.candidates(cutoff, limit), async ({ chargerId, transactionId }) => {
    try {
      const moved = await archiveTransaction(env.DB, archive, meterValues, chargerId, transactionId, now.toISOString());
      report.moved.push({ chargerId, transactionId, ...moved });
    } catch (error) {
      report.failed.push({ chargerId, transactionId, error: String(error) });
      console.error(JSON.stringify({ level: 'error', what: 'meter-archive', chargerId, transactionId, error: String(error) }));
    }
  });
  // Days wholly before the cutoff's (UTC): a day's values move together, once the whole day is due.
  const days = await meterValues.dueChargerDays(cutoff.slice(0, 10), limit);
  report.chargersWithDaysDue = days.chargers;
  await inGroups(days.due, async ({ chargerId, day }) => {
    try {
      const moved = await archiveChargerDay(env.DB, archive, meterValues, chargerId, day, now.toISOString());
      report.movedDays.push({ chargerId, day, ...moved });
    } catch (error) {
      report.failedDays.push({ chargerId, day, error: String(error) });
      console.error(JSON.stringify({ level: 'error', what: 'meter-archive', chargerId, day, error: String(error) }));
    }
  });
  // 2.1 event streams' values: by day as well, with the same cutoff and as many days a run.
  const streams = await archiveStreamDays(env.DB, env.ARCHIVE, { beforeDay: cutoff.slice(0, 10), limit, now: now.toISOString(), inGroups });
  return { ...report, ...streams, enabled: true, cutoff, left: await archive.backlog(cutoff) };
}

async function inGroups<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(run));
}

/**
 * Moves one transaction's readings, and the events of a 2.0.1 transaction completed by its own
 * Ended (but that Ended and the events not applied): R2 first, as one object, read back and
 * checked, then one D1 batch that marks the transaction archived (with the events' count and
 * SHA-256) and deletes what moved, only if none of it changed since it was read. Stopped anywhere
 * before the batch commits, all of it is still in D1 and served from there; the next run writes
 * the same object again.
 */
async function archiveTransaction(
  db: D1Database,
  archive: MeterArchiveStore,
  meterValues: MeterValueStore,
  chargerId: string,
  transactionId: string,
  now: string,
): Promise<{ meterValues: number; events: number | null; key: string | null }> {
  const readings = await meterValues.readingsForTransaction(chargerId, transactionId);
  const events = await archive.eventsToMove(chargerId, transactionId);
  const encoded = await encodeArchive(chargerId, transactionId, readings, events ?? undefined);
  // A transaction with nothing to move needs no object: D1 records that it has none to serve.
  const key = readings.length === 0 && !events?.length ? null : archiveKey(chargerId, transactionId);
  if (key !== null) {
    await archive.put(key, encoded);
    await archive.readContent(key, {
      count: encoded.count,
      sha256: encoded.sha256,
      events: encoded.eventCount === null ? null : { count: encoded.eventCount, sha256: encoded.eventsSha256! },
    });
  }
  await db.batch([
    archive.transactionUnchangedStatement(chargerId, transactionId),
    meterValues.unchangedStatementForTransaction(chargerId, transactionId, readings.length),
    ...(events ? [archive.eventsUnchangedStatement(chargerId, transactionId, events.length)] : []),
    archive.markStatement(chargerId, transactionId, key, encoded, now),
    ...meterValues.deleteStatementsForTransaction(chargerId, transactionId),
    ...(events?.length ? [archive.deleteMovedEventsStatement(chargerId, transactionId)] : []),
  ]);
  return { meterValues: readings.length, events: events?.length ?? null, key };
}

/**
 * Moves one charger-day's values outside any transaction, as `archiveTransaction` does. A day
 * moved before (values arrived for it later) is written anew with its earlier object's values,
 * under a new name; the row moves to it in the batch, and the earlier object is removed after.
 */
async function archiveChargerDay(
  db: D1Database,
  archive: MeterArchiveStore,
  meterValues: MeterValueStore,
  chargerId: string,
  day: string,
  now: string,
): Promise<{ meterValues: number; key: string }> {
  const fromD1 = await meterValues.readingsForChargerDay(chargerId, day);
  if (fromD1.length === 0) throw new Error('no values left to move for this day');
  const earlier = await archive.dayState(chargerId, day);
  // An archived value wins over a D1 one under the same key: it was stored first.
  const values = earlier ? mergeReadings([await archive.read(earlier), fromD1], chargerKey) : fromD1;
  const encoded = await encodeArchive(chargerId, { day }, values);
  const key = dayArchiveKey(chargerId, day, encoded.sha256);
  await archive.put(key, encoded);
  await archive.read({ key, count: encoded.count, sha256: encoded.sha256 });
  await db.batch([
    archive.dayUnchangedStatement(chargerId, day, earlier?.sha256 ?? null),
    meterValues.unchangedStatementForChargerDay(chargerId, day, fromD1.length),
    archive.dayMarkStatement(chargerId, day, key, encoded, now),
    ...meterValues.deleteStatementsForChargerDay(chargerId, day),
  ]);
  if (earlier && earlier.key !== key) {
    // Nothing points to it now; left behind if this fails, it is only storage.
    await archive.remove(earlier.key).catch(() => undefined);
  }
  return { meterValues: fromD1.length, key };
}
