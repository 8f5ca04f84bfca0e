// /api/v1/chargers/{chargerId}/tariffs… and …/transactions/{tx}/tariff — OCPP 2.1 tariffs sent to chargers
// that price locally, built from the stored tariffs (src/tariffs/ocpp21.ts), and what the chargers hold.
// What a charger accepted is recorded by the command's effects (ocpp/v21/tariff-facts.ts); the generic
// command route still takes hand-written payloads.

import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { readConfig } from '../config';
import type { CommandOutcome } from '../charger/types';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { ChargerStore } from '../store/chargers';
import { ChargerTariffStore } from '../store/charger-tariffs';
import { TariffStore } from '../store/tariffs';
import { TransactionStore } from '../store/transactions';
import { TARIFF_ID, type Tariff } from '../tariffs/model';
import { refusalMessage, toOcpp21Tariff } from '../tariffs/ocpp21';
import { readJsonBody } from './body';
import { apiError } from './errors';

type AppContext = Context<{ Bindings: Env }>;

/** Mounted at /api/v1/chargers. */
export const ocpp21TariffRoutes = new Hono<{ Bindings: Env }>();

const tariffIdField = v.pipe(v.string('tariffId must be a string'), v.regex(TARIFF_ID, 'tariffId must be 1-36 of A-Z a-z 0-9 . _ -'));
const evseIdField = v.pipe(v.number('evseId must be a number'), v.integer('evseId must be a whole number'), v.minValue(0, 'evseId must not be negative'));

/** POST …/tariffs/default. Exported for the OpenAPI document. */
export const DefaultTariffBody = v.strictObject({
  tariffId: tariffIdField,
  /** The EVSE (0, the default: all of them). */
  evseId: v.optional(evseIdField),
  /**
   * Also assign the tariff to the charger (PUT /tariff-assignments/chargers/{id}) once the charger accepted it,
   * so the CSMS prices its sessions with the same tariff. Default true for evseId 0; an EVSE's own tariff has
   * no server-side assignment (assignments are per charger), so it must be false there.
   */
  assign: v.optional(v.boolean('assign must be true or false')),
});

/** POST …/transactions/{tx}/tariff. Exported for the OpenAPI document. */
export const TransactionTariffBody = v.strictObject({ tariffId: tariffIdField });

ocpp21TariffRoutes.post('/:chargerId/tariffs/default', async (c) => {
  const chargerId = await knownCharger(c);
  if (chargerId instanceof Response) return chargerId;
  const body = await parsedBody(c, DefaultTariffBody);
  if (body instanceof Response) return body;
  const evseId = body.evseId ?? 0;
  const assign = body.assign ?? evseId === 0;
  if (assign && evseId !== 0) {
    return apiError(c, 400, 'InvalidPayload', 'assign must be false for an EVSE other than 0: the CSMS assigns tariffs per charger, not per EVSE', {
      issues: [{ path: 'assign', message: 'must be false when evseId is not 0' }],
    });
  }
  const tariff = await currentTariff(c, body.tariffId);
  if (tariff instanceof Response) return tariff;
  const converted = convert(c, tariff);
  if (converted instanceof Response) return converted;
  const outcome = await send(c, chargerId, 'SetDefaultTariff', { evseId, tariff: converted.tariff });
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status as 400);
  let assignment: unknown = null;
  if (assign && outcome.result.status === 'Accepted') {
    const assigned = await new TariffStore(c.env.DB).assign('charger', chargerId, tariff.id, new Date().toISOString());
    assignment = assigned.assigned ? assigned.assignment : { failed: assigned.reason };
  }
  return c.json({ result: outcome.result, sent: sentView(tariff, converted), assignment });
});

ocpp21TariffRoutes.post('/:chargerId/transactions/:transactionId/tariff', async (c) => {
  const chargerId = await knownCharger(c);
  if (chargerId instanceof Response) return chargerId;
  const transactionId = c.req.param('transactionId');
  const body = await parsedBody(c, TransactionTariffBody);
  if (body instanceof Response) return body;
  // The transaction's start may still wait in the charger's outbox.
  await c.env.CHARGERS.getByName(chargerId).flushNow();
  const transaction = await new TransactionStore(c.env.DB).get(chargerId, transactionId);
  if (!transaction) return apiError(c, 404, 'UnknownTransaction', `Charger "${chargerId}" has no transaction "${transactionId}"`);
  if (transaction.status !== 'active') return apiError(c, 409, 'TransactionNotActive', `Transaction "${transactionId}" has ended: its tariff can no longer change`);
  const tariff = await currentTariff(c, body.tariffId);
  if (tariff instanceof Response) return tariff;
  const converted = convert(c, tariff);
  if (converted instanceof Response) return converted;
  const outcome = await send(c, chargerId, 'ChangeTransactionTariff', { transactionId, tariff: converted.tariff });
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status as 400);
  return c.json({ result: outcome.result, sent: sentView(tariff, converted) });
});

/** ClearTariffs: `tariffId` (repeatable, the charger's ids, e.g. standard@3) and `evseId` narrow it; none clears all. */
ocpp21TariffRoutes.delete('/:chargerId/tariffs', async (c) => {
  const chargerId = await knownCharger(c);
  if (chargerId instanceof Response) return chargerId;
  const ids = c.req.queries('tariffId') ?? [];
  if (ids.some((id) => id.length === 0 || id.length > 60)) return apiError(c, 400, 'InvalidParameter', 'tariffId must be 1-60 characters (the id the charger holds)');
  const evseId = readEvseId(c);
  if (typeof evseId === 'string') return apiError(c, 400, 'InvalidParameter', evseId);
  const payload = { ...(ids.length > 0 ? { tariffIds: ids } : {}), ...(evseId !== undefined ? { evseId } : {}) };
  const outcome = await send(c, chargerId, 'ClearTariffs', payload);
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status as 400);
  return c.json({ result: outcome.result });
});

/** Lists which tariffs the charger is recorded holding, without asking it (read scope: nothing is sent). */
ocpp21TariffRoutes.get('/:chargerId/tariffs/installed', async (c) => installedTariffs(c, false));

/**
 * Asks the charger which tariffs it holds (GetTariffs, `evseId` default 0: all), records the answer, and
 * lists what is recorded: a command, so `command` scope (scopes.ts). A charger that cannot be asked
 * (offline, an error) still gets the record, with why it is not fresh in `asked`.
 */
ocpp21TariffRoutes.post('/:chargerId/tariffs/installed', async (c) => installedTariffs(c, true));

async function installedTariffs(c: AppContext, ask: boolean): Promise<Response> {
  const chargerId = await knownCharger(c);
  if (chargerId instanceof Response) return chargerId;
  const evseId = readEvseId(c);
  if (typeof evseId === 'string') return apiError(c, 400, 'InvalidParameter', evseId);
  let asked: unknown = null;
  if (ask) {
    const outcome = await send(c, chargerId, 'GetTariffs', { evseId: evseId ?? 0 });
    asked = outcome.ok ? { ok: true, result: outcome.result } : { ok: false, status: outcome.status, error: outcome.error };
  }
  // The answer's facts may still wait in the charger's outbox.
  await c.env.CHARGERS.getByName(chargerId).flushNow();
  const tariffs = await new ChargerTariffStore(c.env.DB).held(chargerId);
  return c.json({ chargerId, tariffs, asked });
}

async function knownCharger(c: AppContext): Promise<string | Response> {
  const chargerId = c.req.param('chargerId') ?? '';
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  return chargerId;
}

async function parsedBody<S extends v.GenericSchema>(c: AppContext, schema: S): Promise<v.InferOutput<S> | Response> {
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(schema, read.body);
  if (parsed.success) return parsed.output;
  const issues = parsed.issues.map((issue) => ({ path: (issue.path ?? []).map((p) => String(p.key)).join('.'), message: issue.message }));
  const first = issues[0];
  return apiError(c, 400, 'InvalidPayload', first ? `"${first.path || 'body'}": ${first.message}` : 'The body is invalid', { issues });
}

/** The tariff's current version; a deleted tariff is not sent (it prices nothing any more). */
async function currentTariff(c: AppContext, id: string): Promise<Tariff | Response> {
  const stored = await new TariffStore(c.env.DB).get(id);
  if (!stored) return apiError(c, 404, 'UnknownTariff', `No tariff "${id}" exists: PUT /api/v1/tariffs/${id} first`);
  if (stored.deletedAt !== null) return apiError(c, 409, 'TariffDeleted', `Tariff "${id}" is deleted; PUT it again to bring it back`);
  return stored.tariff;
}

function convert(c: AppContext, tariff: Tariff) {
  const converted = toOcpp21Tariff(tariff);
  if (converted.ok) return converted;
  return apiError(c, 422, 'TariffNotExpressible', refusalMessage(converted.refusals), { issues: converted.refusals });
}

function sentView(tariff: Tariff, converted: Extract<ReturnType<typeof toOcpp21Tariff>, { ok: true }>) {
  return { tariff: { id: tariff.id, version: tariff.version }, ocppTariffId: converted.tariff.tariffId, omitted: converted.omitted };
}

function readEvseId(c: AppContext): number | undefined | string {
  const raw = c.req.query('evseId');
  if (raw === undefined) return undefined;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : 'evseId must be a whole number from 0';
}

/** Sends through the charger's object, as the command route does (validation, rules, effects, journal). */
async function send(c: AppContext, chargerId: string, action: string, payload: Record<string, unknown>): Promise<CommandOutcome> {
  try {
    // RPC typing cannot see through `unknown` payloads; the object returns a CommandOutcome.
    return (await c.env.CHARGERS.getByName(chargerId).sendCommand(action, payload, readConfig(c.env).commandTimeoutSeconds)) as unknown as CommandOutcome;
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', what: 'command', chargerId, action, error: String(error) }));
    return {
      ok: false,
      status: 503,
      error: { code: 'ChargerSessionRestarted', message: `The charger's session restarted while ${action} was pending: it may or may not have reached the charger` },
    };
  }
}
