// /api/v1/chargers — list, read and register chargers, and send them OCPP commands.

import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { MAX_COMMAND_TIMEOUT_SECONDS, readConfig } from '../config';
import type { Env } from '../env';
import { isValidChargerId, MAX_CHARGER_ID_LENGTH } from '../ocpp/charger-id';
import { isPlainObject } from '../ocpp/frames';
import type { QueuedCommand } from '../charger/command-queue';
import type { CommandOutcome, RegistrationEffect } from '../charger/types';
import type { DeletionOutcome } from '../charger/deletion';
import { newCommandId } from '../charger/command-ids';
import { connectedPerD1 } from '../charger/liveness';
import { refuseCredentialChange } from '../charger/commands';
import { summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { SiteStore } from '../store/sites';
import { pushSite } from './site-sync';
import type { CredentialPolicy } from '../charger/credential-policy';
import { hashPassword, passwordId } from './charger-auth';
import { ReportStore } from '../store/reports';
import { LogRequestStore } from '../store/log-requests';
import { prepareCsmsUpload, type PreparedUpload } from './log-uploads';
import { apiError } from './errors';
import { readJsonBody } from './body';
import { readLimit } from './query';
import { readFleetQuery } from './charger-list';
import { ChargerFleet, formatFleetCursor } from '../store/charger-fleet';

type AppContext = Context<{ Bindings: Env }>;

export const chargerRoutes = new Hono<{ Bindings: Env }>();

/** The fleet, searched, filtered by state and more, sorted and paged (store/charger-fleet.ts says how each state is derived). */
chargerRoutes.get('/', async (c) => {
  const query = readFleetQuery(c);
  if (typeof query === 'string') return apiError(c, 400, 'InvalidParameter', query);
  const page = await new ChargerFleet(c.env.DB).page(query);
  // D1's connection flag, which each charger's object corrects within an hour of a silence or a
  // lost socket (charger/liveness.ts); GET /chargers/{id} asks the object itself. The state was
  // derived from the same flag, in SQL, so the list and its filters agree.
  const chargers = page.chargers.map((charger) => ({ ...charger, connected: connectedPerD1(charger) }));
  return c.json({ chargers, nextCursor: page.next === null ? null : formatFleetCursor(page.next, query.sort, query.order) });
});

/**
 * Counts of the fleet by state, protocol and registration, for the top of the console's fleet
 * screen. Before /:chargerId, which would otherwise take "summary" for a charger id.
 */
chargerRoutes.get('/summary', async (c) => c.json({ summary: await new ChargerFleet(c.env.DB).summary() }));

chargerRoutes.get('/:chargerId', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  const store = new ChargerStore(c.env.DB);
  if (!(await store.exists(chargerId))) return unknownCharger(c, chargerId);
  // D1 holds what the fleet shares; the charger's own object knows the live connection and
  // may hold facts not yet copied to D1, so it flushes them first.
  const stub = c.env.CHARGERS.getByName(chargerId);
  await stub.flushNow();
  const live = await stub.liveStatus();
  const record = await store.get(chargerId);
  if (!record) return unknownCharger(c, chargerId);
  const progress = await new ReportStore(c.env.DB).progress(chargerId);
  return c.json({
    charger: {
      ...record,
      connected: live.connected,
      lastSeen: live.lastSeen ?? record.lastSeen,
      pendingCommands: live.pendingCommands,
      // The latest firmware / diagnostics / log upload status the charger reported.
      progress,
    },
  });
});

/**
 * Registers a charger ahead of its first boot, so it is Accepted whatever the unknown-charger
 * policy; optionally sets how it must authenticate: `{"securityProfile": 0-3, "password": "…"}`.
 */
chargerRoutes.put('/:chargerId', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(RegistrationBody, read.body);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'Send {"securityProfile": 0-3, "password": "16-40 printable ASCII characters"}', {
      issues: summarizeIssues(parsed.issues),
    });
  }
  const store = new ChargerStore(c.env.DB);
  const before = await store.credentials(chargerId);
  const { securityProfile, password } = parsed.output;
  const profile = securityProfile ?? before?.securityProfile ?? 0;
  if ((profile === 1 || profile === 2) && !password && !before?.passwordHash) {
    return apiError(c, 400, 'InvalidPayload', `Security Profile ${profile} needs a password`, {
      issues: [{ path: 'password', message: 'is required for Security Profiles 1 and 2' }],
    });
  }
  await store.register(chargerId, new Date().toISOString(), {
    securityProfile,
    passwordHash: password ? await hashPassword(password) : undefined,
  });
  // New credentials end the connections that did not use them (a raised profile, a new password).
  let closedConnections = 0;
  const after = await store.credentials(chargerId);
  if (before && after && (password || after.securityProfile !== before.securityProfile)) {
    const policy: CredentialPolicy = {
      securityProfile: after.securityProfile,
      passwordIds: await Promise.all([after.passwordHash, after.pendingPasswordHash].filter((h): h is string => Boolean(h)).map(passwordId)),
    };
    ({ closed: closedConnections } = await c.env.CHARGERS.getByName(chargerId).enforceCredentials(policy));
  }
  return c.json({ charger: await store.get(chargerId), closedConnections }, before ? 200 : 201);
});

/**
 * The operator's decision on how the charger's boots are answered: `{"status": "Pending"}` holds
 * it Pending (registered or not: holding registers it), to be provisioned through commands;
 * `{"status": "Rejected"}` has its boots answered Rejected (2.0.1 B03, 1.6 §4.2; one Pending now is
 * rejected at once); `{"status": "Accepted"}` registers it and ends a hold or a rejection. A connected charger held Pending that is
 * accepted is asked to boot again at once (TriggerMessage BootNotification, waiting up to
 * ?timeoutSeconds for its answer); `registration.effect` says what happened. Needs `admin`.
 */
chargerRoutes.put('/:chargerId/registration', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  const timeoutSeconds = readTimeout(c);
  if (typeof timeoutSeconds === 'string') return apiError(c, 400, 'InvalidParameter', timeoutSeconds);
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(RegistrationDecisionBody, read.body);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'Send {"status": "Pending"}, {"status": "Accepted"} or {"status": "Rejected"}', {
      issues: summarizeIssues(parsed.issues),
    });
  }
  const decision = parsed.output.status;
  const store = new ChargerStore(c.env.DB);
  const existed = await store.exists(chargerId);
  await store.decideRegistration(chargerId, decision, new Date().toISOString());
  // A charger with no row never connected: it has no object to tell (and none is created for it).
  let registration: RegistrationEffect = {
    effect: 'AtNextBoot',
    message: `The charger has never connected: its first boot is answered ${decision}`,
    registrationStatus: null,
  };
  if (existed) {
    try {
      registration = (await c.env.CHARGERS.getByName(chargerId).registrationDecided(decision, timeoutSeconds)) as unknown as RegistrationEffect;
    } catch (error) {
      // The decision is in D1 whatever happened to the object: the charger's next boot applies it.
      console.error(JSON.stringify({ level: 'error', what: 'registration', chargerId, error: String(error) }));
      registration = {
        effect: 'AtNextBoot',
        message: `The charger's session restarted while it was told: its next boot is answered ${decision}`,
        registrationStatus: null,
      };
    }
  }
  return c.json({ charger: await store.get(chargerId), registration: { decision, ...registration } }, existed ? 200 : 201);
});

const RegistrationDecisionBody = v.strictObject({ status: v.picklist(['Pending', 'Accepted', 'Rejected']) });

/** Closes the charger's live connection (it may connect again, as its credentials allow). Needs `admin`. */
chargerRoutes.post('/:chargerId/disconnect', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) return unknownCharger(c, chargerId);
  const { disconnected } = await c.env.CHARGERS.getByName(chargerId).disconnect();
  return c.json({ disconnected });
});

/**
 * Deletes a charger: its registration and credentials, its object's storage and what describes its
 * installation go; its billing and audit history stays (see charger/deletion.ts). Its connection is
 * closed (4004). Refused (409 TransactionsRunning) while a transaction runs, unless ?force=true.
 * Needs `admin`.
 */
chargerRoutes.delete('/:chargerId', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  const forceText = c.req.query('force');
  if (forceText !== undefined && forceText !== 'true' && forceText !== 'false') {
    return apiError(c, 400, 'InvalidParameter', 'force must be true or false');
  }
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) return unknownCharger(c, chargerId);
  const site = await new SiteStore(c.env.DB).siteOfCharger(chargerId);
  const stub = c.env.CHARGERS.getByName(chargerId);
  let outcome: DeletionOutcome;
  try {
    outcome = (await stub.deleteCharger(chargerId, forceText === 'true')) as unknown as DeletionOutcome;
  } catch (error) {
    // The object was reset mid-way (a D1 failure after its storage was wiped, a deploy): D1 keeps
    // the charger's rows until a DELETE completes, so sending it again is safe.
    console.error(JSON.stringify({ level: 'error', what: 'delete charger', chargerId, error: String(error) }));
    return apiError(c, 503, 'DeletionInterrupted', 'The deletion was interrupted before it completed: send DELETE again');
  }
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status);
  // A fresh instance for whatever comes next (its memory held the wiped storage's state); the abort fails the call.
  try {
    await stub.resetInstance();
  } catch {
    // Expected: the abort ends the call.
  }
  // Its site rows went with it: the site's object hears it is gone (a failure is logged by the push; the next change to the site repairs it).
  if (site) await pushSite(c.env, site.siteId);
  return c.json({
    deleted: {
      chargerId,
      disconnected: outcome.disconnected,
      queuedCommandsDropped: outcome.queuedCommandsDropped,
      runningTransactions: outcome.runningTransactions,
    },
  });
});

/** OCPP 2.0.1 BasicAuthPassword is 16 to 40 characters; we hold 1.6 AuthorizationKeys to the same. */
const RegistrationBody = v.strictObject({
  securityProfile: v.optional(v.picklist([0, 1, 2, 3])),
  password: v.optional(v.pipe(v.string(), v.regex(/^[\x21-\x7e]{16,40}$/, 'must be 16-40 printable ASCII characters'))),
});

chargerRoutes.post('/:chargerId/commands/:action', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  const action = c.req.param('action');

  const timeoutSeconds = readTimeout(c);
  if (typeof timeoutSeconds === 'string') return apiError(c, 400, 'InvalidParameter', timeoutSeconds);

  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const body = read.body;
  if (!isPlainObject(body)) {
    return apiError(c, 400, 'InvalidPayload', 'The request body must be a JSON object: the OCPP request payload', {
      issues: [{ path: '', message: 'expected an object' }],
    });
  }

  // Credentials change only through the admin routes, queued or not: nothing is sent or kept.
  const credentialRefusal = refuseCredentialChange(action, body);
  if (credentialRefusal && !credentialRefusal.refusal.ok) {
    return c.json({ error: credentialRefusal.refusal.error }, credentialRefusal.refusal.status as 403);
  }

  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) return unknownCharger(c, chargerId);
  const stub = c.env.CHARGERS.getByName(chargerId);

  // `?upload=csms`: the CSMS offers its own signed upload location for the log (log-uploads.ts).
  let payload = body;
  let upload: PreparedUpload | undefined;
  const uploadMode = c.req.query('upload');
  if (uploadMode !== undefined) {
    if (uploadMode !== 'csms') return apiError(c, 400, 'InvalidParameter', 'upload must be "csms"');
    const prepared = await prepareCsmsUpload(c, chargerId, action, body);
    if (prepared instanceof Response) return prepared;
    upload = prepared;
    payload = prepared.payload;
  }
  const uploadView = upload ? { upload: { requestId: upload.requestId, expiresAt: upload.expiresAt } } : {};

  if (c.req.query('queue') === 'true') {
    const ttlSeconds = readTtl(c);
    if (typeof ttlSeconds === 'string') return apiError(c, 400, 'InvalidParameter', ttlSeconds);
    const queued = (await stub.queueCommand(newCommandId(chargerId), action, payload, ttlSeconds)) as unknown as
      | { ok: true; command: QueuedCommand }
      | Extract<CommandOutcome, { ok: false }>;
    if (!queued.ok) {
      if (upload) await new LogRequestStore(c.env.DB).remove(chargerId, upload.requestId);
      return c.json({ error: queued.error }, queued.status as 400);
    }
    return c.json({ command: { ...queued.command, chargerId }, ...uploadView }, 202);
  }

  // RPC typing cannot see through `unknown` payloads; the object returns a CommandOutcome.
  let outcome: CommandOutcome;
  try {
    outcome = (await stub.sendCommand(action, payload, timeoutSeconds)) as unknown as CommandOutcome;
  } catch (error) {
    // The charger's object was reset (a deploy, a crash) while the call was pending; its socket
    // went with it, so no answer will come. Say so at once rather than as an opaque 500.
    console.error(JSON.stringify({ level: 'error', what: 'command', chargerId, action, error: String(error) }));
    return apiError(
      c,
      503,
      'ChargerSessionRestarted',
      `The charger's session restarted while ${action} was pending: it may or may not have reached the charger. Check the charger's state, or send it again.`,
    );
  }
  if (upload) {
    const logs = new LogRequestStore(c.env.DB);
    // Refused before it left (4xx): no request to link a file to. Otherwise the charger may have it.
    if (outcome.ok) await logs.recordAnswer(chargerId, upload.requestId, outcome.result);
    else if (outcome.status < 500) await logs.remove(chargerId, upload.requestId);
  }
  if (outcome.ok) return c.json({ result: outcome.result, ...(outcome.parts ? { parts: outcome.parts } : {}), ...uploadView });
  return c.json({ error: outcome.error }, outcome.status as 400);
});

chargerRoutes.get('/:chargerId/commands', async (c) => {
  const chargerId = validId(c);
  if (chargerId instanceof Response) return chargerId;
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) return unknownCharger(c, chargerId);
  const commands = (await c.env.CHARGERS.getByName(chargerId).queuedCommands(limit)) as unknown as QueuedCommand[];
  return c.json({ commands: commands.map((command) => ({ ...command, chargerId })) });
});

/** Queued commands live 1 hour unless `?ttlSeconds=` says otherwise, at most a week. */
const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 7 * 24 * 3600;

function readTtl(c: AppContext): number | string {
  const raw = c.req.query('ttlSeconds');
  if (raw === undefined) return DEFAULT_TTL_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > MAX_TTL_SECONDS) {
    return `ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}`;
  }
  return value;
}

function validId(c: AppContext): string | Response {
  const chargerId = c.req.param('chargerId') ?? '';
  if (!isValidChargerId(chargerId)) {
    return apiError(
      c,
      400,
      'InvalidChargerId',
      `A charger id is 1-${MAX_CHARGER_ID_LENGTH} printable ASCII characters without ":" or spaces`,
    );
  }
  return chargerId;
}

function unknownCharger(c: AppContext, chargerId: string): Response {
  return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
}

/** The command's timeout in seconds, or a message saying what is wrong with ?timeoutSeconds. */
function readTimeout(c: AppContext): number | string {
  const raw = c.req.query('timeoutSeconds');
  if (raw === undefined) return readConfig(c.env).commandTimeoutSeconds;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_COMMAND_TIMEOUT_SECONDS) {
    return `timeoutSeconds must be a number above 0 and at most ${MAX_COMMAND_TIMEOUT_SECONDS}`;
  }
  return value;
}
