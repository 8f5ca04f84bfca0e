// /api/v1/chargers/{chargerId}/… — what one charger recorded: transactions, meter values, reports, history, state.

import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { ENERGY_REGISTER, energyFromSamples } from '../ocpp/meter-values';
import { assembleReport } from '../ocpp/report-assembly';
import { ChargerCertificateStore } from '../store/charger-certificates';
import { ChargerStore } from '../store/chargers';
import { ChargingProfileStore } from '../store/charging-profiles';
import { FirmwareJobStore } from '../store/firmware-jobs';
import { GridStore } from '../store/grid';
import {
  ArchiveUnreadable,
  chargerKey,
  compareKeyArrays,
  decodeCursor,
  encodeCursor,
  MeterArchiveStore,
  mergeReadings,
  pageReadings,
} from '../store/meter-archive';
import { MeterValueStore, type StoredMeterValue } from '../store/meter-values';
import { ReportStore, type StoredReport } from '../store/reports';
import { ReservationStore } from '../store/reservations';
import { SettingStore } from '../store/settings';
import { TransactionAnomalyStore } from '../store/transaction-anomalies';
import { ChargerTariffStore } from '../store/charger-tariffs';
import { TransactionStore } from '../store/transactions';
import { apiError } from './errors';
import { readLimit, readTimeRange } from './query';
import { TransactionV2xStore } from '../store/transaction-v2x';

type App = Hono<{ Bindings: Env }>;

/** Mounted at /api/v1/chargers. */
export const chargerViewRoutes: App = new Hono();

/**
 * For each route below: the charger must exist, and its waiting facts are copied to D1 first,
 * so the read sees them. (Per route, not `use('/:chargerId/*')`: that would also run for the
 * command routes mounted at the same base.)
 */
export const freshCharger: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const chargerId = c.req.param('chargerId') ?? '';
  if (!isValidChargerId(chargerId)) {
    return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  }
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  // Facts may still wait in the charger's outbox; copy them so this read sees them.
  await c.env.CHARGERS.getByName(chargerId).flushNow();
  await next();
};

/** A transaction's meter values come a page at a time; most transactions fit in the first. */
export const TRANSACTION_METER_VALUES_PAGE = 500;

chargerViewRoutes.get('/:chargerId/transactions/:transactionId', freshCharger, async (c) => {
  const limit = readLimit(c, TRANSACTION_METER_VALUES_PAGE);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const chargerId = c.req.param('chargerId');
  const transactionId = c.req.param('transactionId');
  const transaction = await new TransactionStore(c.env.DB).get(chargerId, transactionId);
  if (!transaction) {
    return apiError(c, 404, 'UnknownTransaction', `Charger "${chargerId}" has no transaction "${transactionId}"`);
  }
  // A running transaction's cost so far is the charger object's to compute (it keeps the cost fold): one call, this view only.
  const running = transaction.status === 'active' ? await c.env.CHARGERS.getByName(chargerId).runningCost(transaction.transactionId) : null;
  const meterValueStore = new MeterValueStore(c.env.DB);
  const archiveStore = new MeterArchiveStore(c.env.DB, c.env.ARCHIVE);
  const archived = await archiveStore.state(chargerId, transaction.transactionId);
  let page: Awaited<ReturnType<MeterValueStore['pageForTransaction']>>;
  let archivedReadings: StoredMeterValue[] | null = null;
  if (archived) {
    // Its readings are in R2; any that arrived after they moved are still in D1: served as one list.
    let fromArchive: StoredMeterValue[];
    try {
      fromArchive = await archiveStore.read(archived);
    } catch (error) {
      if (error instanceof ArchiveUnreadable) return archiveUnreadable(c, error);
      throw error;
    }
    const late = await meterValueStore.readingsForTransaction(chargerId, transaction.transactionId);
    archivedReadings = mergeReadings([fromArchive, late]);
    page = pageReadings(archivedReadings, { limit, cursor: c.req.query('cursor') });
  } else {
    page = await meterValueStore.pageForTransaction(chargerId, transaction.transactionId, { limit, cursor: c.req.query('cursor') });
  }
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  // A 1.6 transaction still running has no meterStop yet: show the energy so far, computed from
  // the energy readings that decide it, whatever page of values is shown. A completed one shows
  // its stored, billable energy only: null there means not billable as it stands (see `flags`),
  // and must not be re-derived from readings here. A 2.0.1 transaction's energy is derived from
  // its events as they arrive, and shown as derived.
  let energyWh = transaction.energyWh;
  if (energyWh === null && transaction.protocol === 'ocpp1.6' && transaction.status === 'active') {
    // (Only a completed transaction is ever archived; were one running again, its readings are all here.)
    const readings = archivedReadings
      ? archivedReadings.filter((v) => v.measurand === ENERGY_REGISTER && v.value !== null)
      : await meterValueStore.energyReadingsForTransaction(chargerId, transaction.transactionId);
    energyWh = transaction.meterStartWh !== null ? latestRegister(readings, transaction.meterStartWh) : energyFromSamples(readings);
  }
  // The anomalies and, for an OCPP 2.1 transaction, what only 2.1 has (the charger's own cost and the
  // payment's settlement, priority charging, V2X needs): independent reads, made at once.
  const is21 = transaction.protocol === 'ocpp2.1';
  const [anomalies, payment, priority, v2xRecord] = await Promise.all([
    new TransactionAnomalyStore(c.env.DB).forTransaction(chargerId, transaction.transactionId),
    is21 ? ocpp21Payment(c.env.DB, chargerId, transaction.transactionId) : {},
    is21 ? new GridStore(c.env.DB).priorityCharging(chargerId, transaction.transactionId) : null,
    is21 ? new TransactionV2xStore(c.env.DB).get(chargerId, transaction.transactionId) : undefined,
  ]);
  const priorityCharging = priority ? { priorityCharging: { active: priority.at(-1)?.activated ?? false, changes: priority } } : {};
  // V2X: null when neither needs nor an allowance came; absent for other versions.
  const v2x = is21 ? { v2x: v2xRecord } : {};
  return c.json({
    transaction: { ...transaction, energyWh, anomalies, ...v2x, meterValues: page.meterValues, ...(running ? { runningCost: running } : {}), ...payment, ...priorityCharging },
    nextCursor: page.nextCursor,
  });
});

chargerViewRoutes.get('/:chargerId/meter-values', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const chargerId = c.req.param('chargerId');
  const cursor = c.req.query('cursor');
  const page = await new MeterValueStore(c.env.DB).forCharger(chargerId, { ...range, limit, cursor });
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  try {
    return c.json(await withArchived(new MeterArchiveStore(c.env.DB, c.env.ARCHIVE), chargerId, { ...range, limit, cursor }, page));
  } catch (error) {
    if (error instanceof ArchiveUnreadable) return archiveUnreadable(c, error);
    throw error;
  }
});

chargerViewRoutes.get('/:chargerId/status-history', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const statuses = await new ChargerStore(c.env.DB).statusHistory(c.req.param('chargerId'), { ...range, limit });
  return c.json({ statuses });
});

chargerViewRoutes.get('/:chargerId/reports', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const range = readTimeRange(c);
  if (typeof range === 'string') return apiError(c, 400, 'InvalidParameter', range);
  const requestIdText = c.req.query('requestId');
  const requestId = requestIdText === undefined ? undefined : Number(requestIdText);
  if (requestId !== undefined && !Number.isInteger(requestId)) {
    return apiError(c, 400, 'InvalidParameter', 'requestId must be an integer');
  }
  const page = await new ReportStore(c.env.DB).list(c.req.param('chargerId'), {
    action: c.req.query('action'),
    requestId,
    ...range,
    limit,
    cursor: c.req.query('cursor'),
  });
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json(page);
});

/** All parts of one multi-part report (NotifyReport by default), put together, with whether it is complete. */
chargerViewRoutes.get('/:chargerId/reports/requests/:requestId', freshCharger, async (c) => {
  const requestId = Number(c.req.param('requestId'));
  if (!Number.isInteger(requestId)) return apiError(c, 400, 'InvalidParameter', 'requestId must be an integer');
  const action = c.req.query('action') ?? 'NotifyReport';
  const parts: StoredReport[] = [];
  let cursor: string | undefined;
  do {
    const page = await new ReportStore(c.env.DB).list(c.req.param('chargerId'), { action, requestId, limit: 500, cursor });
    parts.push(...(page?.reports ?? []));
    cursor = page?.nextCursor ?? undefined;
  } while (cursor && parts.length < 10_000);
  if (parts.length === 0) {
    return apiError(c, 404, 'UnknownReport', `No ${action} with requestId ${requestId} has arrived from this charger`);
  }
  return c.json({ report: assembleReport(action, requestId, parts) });
});

/** The charger's message journal: its last frames in both directions, newest first, from its own object. */
chargerViewRoutes.get('/:chargerId/messages', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  return c.json({ messages: await c.env.CHARGERS.getByName(chargerId).messages(limit) });
});

/** 1.6 configuration keys and the 2.0.1 device model, as last learnt. */
chargerViewRoutes.get('/:chargerId/configuration', freshCharger, async (c) => {
  const settings = await new SettingStore(c.env.DB).list(c.req.param('chargerId'), {
    component: c.req.query('component'),
    variable: c.req.query('variable'),
  });
  return c.json({ settings });
});

/** The charging profiles the charger has installed, as its answers and reports tell it. */
chargerViewRoutes.get('/:chargerId/charging-profiles', freshCharger, async (c) => {
  const evseText = c.req.query('evseId');
  const evseId = evseText === undefined ? undefined : Number(evseText);
  if (evseId !== undefined && !Number.isInteger(evseId)) return apiError(c, 400, 'InvalidParameter', 'evseId must be an integer');
  return c.json({ chargingProfiles: await new ChargingProfileStore(c.env.DB).list(c.req.param('chargerId'), evseId) });
});

/** The states a reservation can be listed in, for `?status=` (a misspelt one would list nothing, silently). */
const RESERVATION_STATES = new Set(['active', 'used', 'cancelled', 'expired', 'removed']);

chargerViewRoutes.get('/:chargerId/reservations', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const status = c.req.query('status');
  if (status !== undefined && !RESERVATION_STATES.has(status)) {
    return apiError(c, 400, 'InvalidParameter', 'status must be active, used, cancelled, expired or removed');
  }
  const reservations = await new ReservationStore(c.env.DB).list({
    chargerId: c.req.param('chargerId'),
    status: c.req.query('status'),
    limit,
    now: new Date().toISOString(),
  });
  return c.json({ reservations });
});

/**
 * The certificates the charger has installed, as its answers to InstallCertificate,
 * GetInstalledCertificateIds and DeleteCertificate tell them (M03–M05), in key order, paged.
 */
chargerViewRoutes.get('/:chargerId/certificates', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const certificateType = c.req.query('certificateType');
  if (certificateType !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(certificateType)) {
    return apiError(c, 400, 'InvalidParameter', 'certificateType must be a certificate type name, e.g. CSMSRootCertificate');
  }
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && (cursor.length === 0 || cursor.length > 400)) {
    return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  }
  return c.json(await new ChargerCertificateStore(c.env.DB).list(c.req.param('chargerId'), { certificateType, limit, cursor }));
});

/** The outcomes a firmware job can have, for `?outcome=`. */
const FIRMWARE_OUTCOMES = new Set(['running', 'succeeded', 'failed', 'superseded']);

chargerViewRoutes.get('/:chargerId/firmware-jobs', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const outcome = c.req.query('outcome');
  if (outcome !== undefined && !FIRMWARE_OUTCOMES.has(outcome)) {
    return apiError(c, 400, 'InvalidParameter', 'outcome must be running, succeeded, failed or superseded');
  }
  const page = await new FirmwareJobStore(c.env.DB).list(c.req.param('chargerId'), { limit, cursor: c.req.query('cursor'), outcome });
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json({ firmwareJobs: page.jobs, nextCursor: page.nextCursor });
});

chargerViewRoutes.get('/:chargerId/connections', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  return c.json({ connections: await new ChargerStore(c.env.DB).connectionHistory(c.req.param('chargerId'), limit) });
});

/** A running 1.6 transaction's energy so far: its latest phase-total register reading minus meterStart (else from its samples). */
function latestRegister(values: Parameters<typeof energyFromSamples>[0], meterStartWh: number): number | null {
  const energy = energyFromSamples(values);
  const latest = values
    .filter((v) => v.measurand === 'Energy.Active.Import.Register' && v.value !== null && !v.phase)
    .at(-1)?.value;
  if (latest === undefined || latest === null) return energy;
  const soFar = Math.round((latest - meterStartWh) * 1000) / 1000;
  // A register below the start (a meter swap, a rollover) gives no energy to show, never a negative one.
  return soFar < 0 ? null : soFar;
}

/** Archived readings that cannot be read now: the answer says so rather than serving a partial list. */
function archiveUnreadable(c: Context<{ Bindings: Env }>, error: Error): Response {
  console.error(JSON.stringify({ level: 'error', what: 'meter-archive-read', path: c.req.path, error: String(error) }));
  return apiError(c, 503, 'ArchiveUnavailable', `This transaction's meter values are archived in R2 and cannot be read now: ${error.message}`);
}

type ValuePage = { meterValues: StoredMeterValue[]; nextCursor: string | null };

/**
 * A page of the charger's values in D1 with the archived transactions' values it should hold put
 * in, in the same order and with the same cursors as D1's own pages. Only archived transactions
 * whose readings span the part of the range this page can reach are read: up to the last D1 value
 * of a full D1 page, and, past `limit` values, none whose first reading comes after the page's last.
 */
async function withArchived(
  archive: MeterArchiveStore,
  chargerId: string,
  range: { from?: string; to?: string; limit: number; cursor?: string },
  fromD1: ValuePage,
): Promise<ValuePage> {
  const after = range.cursor ? decodeCursor(range.cursor, 6) : null;
  const from = range.from ?? '';
  const to = range.to ?? '9999';
  const low = after && after[0]! > from ? after[0]! : from;
  const high = fromD1.nextCursor ? fromD1.meterValues[fromD1.meterValues.length - 1]!.timestamp : to;
  const spans = await archive.spans(chargerId, low, high);
  if (spans.length === 0) return fromD1;
  const archived: StoredMeterValue[] = [];
  let more = fromD1.nextCursor !== null;
  for (const span of spans) {
    const sorted = mergeReadings([archived, fromD1.meterValues], chargerKey);
    if (sorted.length > range.limit && span.firstAt > sorted[range.limit - 1]!.timestamp) {
      more = true;
      break;
    }
    for (const v of await archive.read(span)) {
      if (v.timestamp < from || v.timestamp >= to) continue;
      if (after && compareKeyArrays(chargerKey(v), after) <= 0) continue;
      archived.push(v);
    }
  }
  // An archived value wins over a D1 one under the same key: it was stored first.
  const merged = mergeReadings([archived, fromD1.meterValues], chargerKey);
  const meterValues = merged.slice(0, range.limit);
  const last = meterValues[meterValues.length - 1];
  return { meterValues, nextCursor: (more || merged.length > range.limit) && last ? encodeCursor(chargerKey(last)) : null };
}

/** A 2.1 transaction's `chargerCost` (costDetails as last sent), `settlement` (the latest attempt) and `settlements`. */
async function ocpp21Payment(db: D1Database, chargerId: string, transactionId: string) {
  const store = new ChargerTariffStore(db);
  const [chargerCost, settlements] = await Promise.all([store.chargerCost(chargerId, 'ocpp2.1', transactionId), store.settlements(chargerId, transactionId)]);
  return { chargerCost, settlement: settlements.at(-1) ?? null, settlements };
}
