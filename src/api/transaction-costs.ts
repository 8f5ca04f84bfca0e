// /api/v1/transactions/{id}/cost — an operator recomputes a completed transaction's cost, explicitly and
// logged (issue 14, "Cost": a session's cost is recomputed only by an explicit operator action that is
// logged), and lists those recomputations. {id} is the CSMS's own transaction id (TransactionRecord.id).
//
// The cost the charger's object wrote when the transaction ended (store/transaction-costs.ts) is never
// changed by anything a charger sends; this route is the only other writer, and each write is a
// revision row (transaction_cost_revisions, migrations/0036) in the same D1 batch as the new figures.

import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { CsmsEvent } from '../charger/events';
import type { Env } from '../env';
import { logWarning } from '../log';
import { ChargerStore } from '../store/chargers';
import { ArchiveUnreadable, mergeReadings, MeterArchiveStore } from '../store/meter-archive';
import { MeterValueStore, type StoredMeterValue } from '../store/meter-values';
import { TariffStore } from '../store/tariffs';
import { CostRevisionStore, type CostRevision } from '../store/transaction-costs';
import { TransactionStore, type TransactionRecord } from '../store/transactions';
import { computeCost, type CostBreakdown } from '../tariffs/cost';
import { TARIFF_ID } from '../tariffs/model';
import { chargingChanges16, chargingChanges201, rebuildTrace, type ChargingChange } from '../tariffs/recompute';
import { readJsonBody } from './body';
import { apiError } from './errors';

type AppEnv = { Bindings: Env; Variables: { tokenId: string } };
type AppContext = Context<AppEnv>;

/** Mounted at /api/v1/transactions, beside the list. */
export const transactionCostRoutes = new Hono<AppEnv>();

/** Longest reason an operator may give (it is kept in every revision row). */
export const MAX_REASON_LENGTH = 500;

const RecomputeBody = v.strictObject({
  reason: v.pipe(
    v.string('reason is required: say why the cost is recomputed'),
    v.minLength(1, 'reason is required: say why the cost is recomputed'),
    v.maxLength(MAX_REASON_LENGTH, `reason must be at most ${MAX_REASON_LENGTH} characters`),
    v.check((text) => text.trim() !== '', 'reason must not be blank'),
  ),
  tariffId: v.optional(v.pipe(v.string('tariffId must be a string'), v.regex(TARIFF_ID, 'tariffId must be 1-36 of A-Z a-z 0-9 . _ -'))),
  tariffVersion: v.optional(
    v.pipe(v.number('tariffVersion must be a number'), v.integer('tariffVersion must be an integer'), v.minValue(1, 'tariffVersion must be 1 or more')),
  ),
});

transactionCostRoutes.post('/:id/cost', async (c) => {
  const id = rowIdOf(c);
  if (typeof id !== 'number') return id;
  const dryRunText = c.req.query('dryRun');
  if (dryRunText !== undefined && dryRunText !== 'true' && dryRunText !== 'false') {
    return apiError(c, 400, 'InvalidParameter', 'dryRun must be true or false');
  }
  const dryRun = dryRunText === 'true';
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(RecomputeBody, read.body);
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => ({ path: (issue.path ?? []).map((p) => String(p.key)).join('.'), message: issue.message }));
    const first = issues[0];
    return apiError(c, 400, 'InvalidPayload', first ? `"${first.path || 'body'}": ${first.message}` : 'The body is invalid', { issues });
  }
  const body = parsed.output;

  const transactions = new TransactionStore(c.env.DB);
  let transaction = await transactions.getById(id);
  if (!transaction) return unknownTransaction(c, id);
  // What the charger's object still holds of it (a just-ended session's stop and cost) is copied to D1 first.
  await c.env.CHARGERS.getByName(transaction.chargerId).flushNow();
  transaction = (await transactions.getById(id)) ?? transaction;
  if (transaction.status !== 'completed' || transaction.startedAt === null || transaction.stoppedAt === null) {
    return apiError(c, 409, 'TransactionNotCompleted', `Transaction ${id} is not completed: only a completed transaction's cost can be recomputed`, {
      status: transaction.status,
    });
  }

  // The tariff version: the one named, else the one it was priced with.
  const tariffId = body.tariffId ?? transaction.tariff?.id;
  if (tariffId === undefined) {
    return apiError(c, 409, 'TransactionNotPriced', `Transaction ${id} was not priced: name the tariff to price it with (tariffId)`);
  }
  const tariffs = new TariffStore(c.env.DB);
  let version = body.tariffVersion;
  if (version === undefined) {
    // A tariff named without a version: its current version. The one it was priced with: that version.
    version = body.tariffId === undefined ? transaction.tariff!.version : (await tariffs.get(tariffId))?.tariff.version;
  }
  const tariff = version === undefined ? null : await tariffs.getTariffVersion(tariffId, version);
  if (!tariff) {
    return apiError(c, 404, 'UnknownTariffVersion', `No tariff "${tariffId}"${version === undefined ? '' : ` version ${version}`} exists`, {
      tariffId,
      ...(version === undefined ? {} : { tariffVersion: version }),
    });
  }

  let session: Awaited<ReturnType<typeof storedSession>>;
  try {
    session = await storedSession(c.env, transaction);
  } catch (error) {
    if (!(error instanceof ArchiveUnreadable)) throw error;
    console.error(JSON.stringify({ level: 'error', what: 'meter-archive-read', path: c.req.path, error: String(error) }));
    return apiError(c, 503, 'ArchiveUnavailable', `This transaction's readings are archived in R2 and cannot be read now: ${error.message}`);
  }
  const { trace, source } = rebuildTrace(session);
  const { id: _id, version: _version, last_updated: _updated, ...tariffBody } = tariff;
  const cost: CostBreakdown = computeCost(tariffBody, trace);
  const previous = transaction.tariff && transaction.cost ? { tariff: transaction.tariff, cost: transaction.cost } : null;
  const newTariff = { id: tariff.id, version: tariff.version };
  const note = source === 'registers' ? 'No register readings were kept for this transaction: priced from its start and stop registers alone' : undefined;
  const base = { transactionId: id, chargerId: transaction.chargerId, ocppTransactionId: transaction.transactionId };
  if (dryRun) {
    return c.json({ ...base, dryRun: true, revision: null, tariff: newTariff, cost, previous, source, ...(note ? { note } : {}) });
  }

  const at = new Date().toISOString();
  const revision = await new CostRevisionStore(c.env.DB).revise(id, {
    tariffId: tariff.id,
    tariffVersion: tariff.version,
    breakdown: cost,
    source,
    reason: body.reason,
    tokenId: c.get('tokenId'),
    at,
  });
  if (!revision) {
    return apiError(c, 409, 'TransactionNotCompleted', `Transaction ${id} is not completed: only a completed transaction's cost can be recomputed`);
  }
  await announce(c, transaction, revision);
  return c.json({
    ...base,
    dryRun: false,
    revision: revision.revision,
    tariff: revision.tariff,
    cost: revision.cost,
    previous: revision.previous,
    source,
    reason: revision.reason,
    tokenId: revision.tokenId,
    at: revision.at,
    ...(note ? { note } : {}),
  });
});

transactionCostRoutes.get('/:id/cost/revisions', async (c) => {
  const id = rowIdOf(c);
  if (typeof id !== 'number') return id;
  const transaction = await new TransactionStore(c.env.DB).getById(id);
  if (!transaction) return unknownTransaction(c, id);
  const revisions = await new CostRevisionStore(c.env.DB).list(id);
  return c.json({ transactionId: id, chargerId: transaction.chargerId, ocppTransactionId: transaction.transactionId, revisions });
});

function rowIdOf(c: AppContext): number | Response {
  const text = c.req.param('id') ?? '';
  const id = Number(text);
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(id)) {
    return apiError(c, 400, 'InvalidTransactionId', 'A transaction id here is the CSMS\'s own number for it (the "id" of a listed transaction)');
  }
  return id;
}

function unknownTransaction(c: AppContext, id: number): Response {
  return apiError(c, 404, 'UnknownTransaction', `No transaction ${id}`);
}

/** What D1 (or the R2 archive) holds of the transaction that prices it. */
async function storedSession(env: Env, transaction: TransactionRecord) {
  const { chargerId, transactionId } = transaction;
  const startedAt = transaction.startedAt!;
  const stoppedAt = transaction.stoppedAt!;
  const archiveStore = new MeterArchiveStore(env.DB, env.ARCHIVE);
  const meterValues = new MeterValueStore(env.DB);
  const archived = await archiveStore.state(chargerId, transactionId);
  const inD1 = await meterValues.readingsForTransaction(chargerId, transactionId);
  // Archived readings are in R2; any that arrived after they moved are still in D1.
  const readings: StoredMeterValue[] = archived ? mergeReadings([await archiveStore.read(archived), inD1]) : inD1;
  let changes: ChargingChange[];
  if (transaction.protocol === 'ocpp1.6') {
    const startMs = Date.parse(startedAt);
    const stopMs = Date.parse(stoppedAt);
    // Read by whole days (a charger may spell times differently than the CSMS does), then cut exactly.
    const statuses = transaction.connectorId === null
      ? []
      : await new ChargerStore(env.DB).connectorStatusesBetween(
          chargerId,
          { evseId: transaction.evseId ?? 0, connectorId: transaction.connectorId },
          startedAt.slice(0, 10),
          `${stoppedAt.slice(0, 10)}\u{10FFFF}`,
        );
    changes = chargingChanges16(statuses.filter((s) => Date.parse(s.reportedAt) >= startMs && Date.parse(s.reportedAt) <= stopMs));
  } else {
    changes = chargingChanges201(await archiveStore.transactionEvents(chargerId, transactionId));
  }
  return { startedAt, stoppedAt, meterStartWh: transaction.meterStartWh, meterStopWh: transaction.meterStopWh, readings, changes };
}

/**
 * A billing system hears of the change: `transaction.cost_recomputed` on the EVENTS queue when it is
 * bound, and always a log line (an audit trail beside the revision row).
 */
async function announce(c: AppContext, transaction: TransactionRecord, revision: CostRevision): Promise<void> {
  logWarning('transaction cost recomputed', transaction.chargerId, `transaction ${transaction.id} (${transaction.transactionId}) revision ${revision.revision} by token ${revision.tokenId}: ${revision.reason}`);
  if (!c.env.EVENTS) return;
  const event: CsmsEvent = {
    type: 'transaction.cost_recomputed',
    chargerId: transaction.chargerId,
    protocol: transaction.protocol,
    at: revision.at,
    data: {
      id: transaction.id,
      transactionId: transaction.transactionId,
      revision: revision.revision,
      reason: revision.reason,
      tokenId: revision.tokenId,
      tariff: revision.tariff,
      totalCost: revision.cost.total_cost,
      currency: revision.cost.currency,
      previous: revision.previous ? { tariff: revision.previous.tariff, totalCost: revision.previous.cost.total_cost } : null,
    },
  };
  try {
    await c.env.EVENTS.send(event);
  } catch (error) {
    // The revision is committed and logged: the queue is a notification, D1 is authoritative.
    console.error(JSON.stringify({ level: 'error', what: 'send events', chargerId: transaction.chargerId, error: String(error) }));
  }
}
