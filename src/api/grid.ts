// /api/v1/chargers/{chargerId}/… for OCPP 2.1 grid features: a dynamic profile's current values (set and sent), battery swaps.

import { Hono } from 'hono';
import * as v from 'valibot';
import type { CommandOutcome } from '../charger/types';
import { MAX_COMMAND_TIMEOUT_SECONDS, readConfig } from '../config';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { PROFILES, schemaFor } from '../ocpp/protocol';
import { summarizeIssues } from '../ocpp/validation';
import type { ScheduleUpdate } from '../ocpp/v21/grid-facts';
import { ChargerStore } from '../store/chargers';
import { GridStore } from '../store/grid';
import { readJsonBody } from './body';
import { freshCharger } from './charger-views';
import { apiError } from './errors';
import { readLimit } from './query';

type App = Hono<{ Bindings: Env }>;

/** Mounted at /api/v1/chargers. */
export const gridRoutes: App = new Hono();

/** The values a ChargingScheduleUpdateType carries: an update naming none of them changes nothing. */
const UPDATE_VALUES = [
  'limit', 'limit_L2', 'limit_L3',
  'dischargeLimit', 'dischargeLimit_L2', 'dischargeLimit_L3',
  'setpoint', 'setpoint_L2', 'setpoint_L3',
  'setpointReactive', 'setpointReactive_L2', 'setpointReactive_L3',
];

function readProfileId(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * The current values of a dynamic profile (K28): kept, and answered to the charger's pulls; sent
 * at once in an UpdateDynamicSchedule when the charger is connected. The profile must be one the
 * charger installed with chargingProfileKind Dynamic (as the CSMS knows it, its answers copied to
 * D1 first). Stored before anything is sent: a charger that pulls while the command is on its way
 * gets the new values too.
 */
gridRoutes.put('/:chargerId/charging-profiles/:profileId/dynamic', async (c) => {
  const chargerId = c.req.param('chargerId');
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  const profileId = readProfileId(c.req.param('profileId'));
  if (profileId === undefined) return apiError(c, 400, 'InvalidParameter', 'profileId must be a charging profile id (an integer)');
  const timeoutSeconds = readTimeout(c.req.query('timeoutSeconds'), readConfig(c.env).commandTimeoutSeconds);
  if (typeof timeoutSeconds === 'string') return apiError(c, 400, 'InvalidParameter', timeoutSeconds);
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const body = read.body;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'scheduleUpdate') {
    return apiError(c, 400, 'InvalidPayload', 'The body is {"scheduleUpdate": {…}}: the 2.1 ChargingScheduleUpdateType', {
      issues: [{ path: '', message: 'expected an object with scheduleUpdate only' }],
    });
  }
  const request = { chargingProfileId: profileId, scheduleUpdate: body.scheduleUpdate };
  const parsed = v.safeParse(schemaFor(PROFILES['ocpp2.1'].requestSchemas, 'UpdateDynamicSchedule')!, request);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'scheduleUpdate does not match the ocpp2.1 ChargingScheduleUpdateType', {
      issues: summarizeIssues(parsed.issues),
    });
  }
  const scheduleUpdate = (parsed.output as { scheduleUpdate: ScheduleUpdate }).scheduleUpdate;
  if (!UPDATE_VALUES.some((key) => scheduleUpdate[key] !== undefined)) {
    return apiError(c, 400, 'InvalidPayload', `scheduleUpdate names none of ${UPDATE_VALUES.join(', ')}`, {
      issues: [{ path: 'scheduleUpdate', message: 'expected at least one value' }],
    });
  }

  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  const stub = c.env.CHARGERS.getByName(chargerId);
  // The profile is known from the charger's answers: copy any still waiting first.
  await stub.flushNow();
  const store = new GridStore(c.env.DB);
  const known = await store.lookup(chargerId, profileId);
  if (!known.profile) {
    return apiError(c, 404, 'UnknownChargingProfile', `Charger "${chargerId}" has no charging profile ${profileId} installed, as the CSMS knows it`);
  }
  if (known.profile.kind !== 'Dynamic') {
    return apiError(c, 409, 'NotDynamicProfile', `Charging profile ${profileId} is ${known.profile.kind ?? 'of no'} kind: only a Dynamic profile takes dynamic values`);
  }

  const setAt = new Date().toISOString();
  await store.setDynamic(chargerId, profileId, scheduleUpdate, setAt);
  // RPC typing cannot see through `unknown` payloads; the object returns a CommandOutcome.
  let outcome: CommandOutcome;
  try {
    outcome = (await stub.sendCommand('UpdateDynamicSchedule', parsed.output, timeoutSeconds)) as unknown as CommandOutcome;
  } catch {
    outcome = { ok: false, status: 503, error: { code: 'ChargerSessionRestarted', message: "The charger's session restarted while UpdateDynamicSchedule was pending" } };
  }
  const answeredAt = new Date().toISOString();
  const offline = !outcome.ok && outcome.error.code === 'ChargerOffline';
  if (outcome.ok) {
    const result = outcome.result as { status: string; statusInfo?: unknown };
    await store.recordDynamicAnswer(chargerId, profileId, setAt, result.status, result.statusInfo, answeredAt);
  } else if (!offline) {
    await store.recordDynamicAnswer(chargerId, profileId, setAt, null, { code: outcome.error.code, message: outcome.error.message }, answeredAt);
  }
  const dynamicSchedule = await store.dynamic(chargerId, profileId);
  // Offline: kept for the charger's next pull; not sent.
  return c.json({
    dynamicSchedule,
    sent: !offline,
    ...(outcome.ok ? { result: outcome.result } : { error: outcome.error }),
  });
});

gridRoutes.get('/:chargerId/charging-profiles/:profileId/dynamic', freshCharger, async (c) => {
  const chargerId = c.req.param('chargerId');
  const profileId = readProfileId(c.req.param('profileId'));
  if (profileId === undefined) return apiError(c, 400, 'InvalidParameter', 'profileId must be a charging profile id (an integer)');
  const dynamicSchedule = await new GridStore(c.env.DB).dynamic(chargerId, profileId);
  if (!dynamicSchedule) return apiError(c, 404, 'NoDynamicValues', `The CSMS holds no dynamic values for charging profile ${profileId} of "${chargerId}"`);
  return c.json({ dynamicSchedule });
});

/** A charger's battery swaps, newest first: its BatterySwap events and the answers to RequestBatterySwap, `?requestId=` for one swap. */
gridRoutes.get('/:chargerId/battery-swaps', freshCharger, async (c) => {
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  const requestText = c.req.query('requestId');
  const requestId = requestText === undefined ? undefined : readProfileId(requestText);
  if (requestText !== undefined && requestId === undefined) return apiError(c, 400, 'InvalidParameter', 'requestId must be an integer');
  const page = await new GridStore(c.env.DB).batterySwaps(c.req.param('chargerId'), { limit, cursor: c.req.query('cursor'), requestId });
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json(page);
});

function readTimeout(raw: string | undefined, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_COMMAND_TIMEOUT_SECONDS) {
    return `timeoutSeconds must be a number above 0 and at most ${MAX_COMMAND_TIMEOUT_SECONDS}`;
  }
  return value;
}
