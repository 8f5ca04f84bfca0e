// Configuration read from the Worker's environment (wrangler.toml [vars] and secrets), with defaults.

import type { JournalMode } from './charger/journal';
import { readCaMaterial } from './ocpp/csr-signer';
import { parseVersionPreference, type OcppVersion } from './ocpp/versions';

export type UnknownChargerPolicy = 'accept' | 'pending' | 'reject';

export interface Config {
  /** Subprotocols we accept, most preferred first. */
  protocols: OcppVersion[];
  /** How BootNotification is answered for a charger that was never registered. */
  unknownChargerPolicy: UnknownChargerPolicy;
  /** Heartbeat interval (seconds) sent to chargers in BootNotification. */
  heartbeatIntervalSeconds: number;
  /** A charger is marked offline after this many heartbeat intervals of silence. */
  offlineAfterIntervals: number;
  /** Default time (seconds) an operator's command waits for the charger's answer. */
  commandTimeoutSeconds: number;
  /**
   * A token the CSMS does not know, used while the charger was offline, is answered Invalid and
   * its transaction recorded either way; `list` also lists it among the tags seen offline for
   * the operator to approve, `ignore` does not.
   */
  unknownOfflineTagPolicy: UnknownOfflineTagPolicy;
  /** `reject` answers ConcurrentTx to a tag that already runs a transaction on the same charger; `allow` does not. */
  concurrentTx: ConcurrentTxPolicy;
  /** How long (seconds) a charger's object lets through a token it was sent in a remote start. */
  remoteStartTokenSeconds: number;
  /**
   * How long (seconds) a charger's object reuses an id tag's record read from D1 for its token
   * decisions; 0 reads D1 for every decision. A tag changed through the API reaches a charger
   * that saw it recently within this time.
   */
  idTagCacheSeconds: number;
  /**
   * How often (seconds) a connected charger that shows cost is sent each priced running transaction's cost
   * so far: CostUpdated (2.0.1, I02), the California Pricing RunningCost DataTransfer (1.6); 0 sends none.
   */
  costUpdateIntervalSeconds: number;
  /**
   * The text a charger that shows cost displays when it cannot get a session's cost from the CSMS (2.0.1
   * TariffCostCtrlr.TotalCostFallbackMessage, I05; 1.6 California Pricing DefaultPrice.priceTextOffline);
   * '' sets none. A config var, not a field on the tariff: it says where the driver finds the cost (a
   * receipt, an app), which does not depend on the price, and it keeps the OCPI tariff free of one more
   * field a roaming partner does not know. At most 512 characters (MessageContentType).
   */
  totalCostFallbackMessage: string;
  /** How long (seconds) facts wait in a charger's outbox before they are handed to its FleetWriter. */
  flushDelaySeconds: number;
  /** How long (seconds) a FleetWriter gathers facts from chargers before copying them to D1 in one batch. */
  fleetFlushSeconds: number;
  /** How many FleetWriter objects share the fleet's writes to D1; 0: each charger's object writes its own facts to D1 directly. */
  fleetWriterShards: number;
  /** Largest frame (UTF-8 bytes) a charger may send; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Bad frames a connection may send per minute (in a burst, refilled at this rate); past it, close with 1008. */
  badFrameBudget: number;
  /**
   * Rows one charger may have stored per minute (in a burst, refilled at this rate): one per
   * CALL plus one per sampled value and report entry; past it a CALL is refused with a CALLERROR
   * (see charger/write-budget.ts).
   */
  writeBudgetRows: number;
  /** Bytes of CALLs one charger may send per minute, as `writeBudgetRows`. */
  writeBudgetBytes: number;
  /** Commands an operator may have queued for one charger and not yet sent; past it, 429. */
  maxQueuedCommands: number;
  /** Frames kept in each charger's message journal (both directions); 0 keeps none. */
  journalSize: number;
  /**
   * Where the journal keeps frames (JOURNAL_MODE): `memory` keeps the last ones in the object's
   * memory (lost when it hibernates or is evicted) and only CALLERRORs and refused frames in its
   * storage; `durable` writes every frame to storage (2 rows written per frame). See charger/journal.ts.
   */
  journalMode: JournalMode;
  /** Log one JSON line per charger CALL answered (LOG_MESSAGES, default false); warnings and errors are always logged. */
  logMessages: boolean;
  /** Failed WebSocket upgrades one charger id may have per window; past it the upgrade is answered 429. */
  authFailureBudget: number;
  /** The window (seconds) failed upgrades are counted in, from the first failure. */
  authFailureWindowSeconds: number;
  /**
   * Days after a transaction's stop (as recorded) its meter values move from D1 to R2 (the
   * ARCHIVE binding); 0 never moves them. Nothing moves while no bucket is bound.
   */
  meterRetentionDays: number;
  /** Transactions one archive run moves at most; a longer backlog is moved over the following runs. */
  meterArchiveBatch: number;
  /**
   * The operator's contract-certificate provider (CONTRACT_CERT_PROVIDER_URL, http or https):
   * 2.0.1 Get15118EVCertificate requests are POSTed there (charger/contract-cert-provider.ts).
   * Unset: they are answered Failed, NoCertProvider.
   */
  contractCertProviderUrl?: string;
  /** Sent to the provider as `Authorization: Bearer …` (CONTRACT_CERT_PROVIDER_TOKEN, a secret); none when unset. */
  contractCertProviderToken?: string;
  /** How long (seconds) the provider may take before the charger is answered Failed. */
  contractCertProviderTimeoutSeconds: number;
  /**
   * How long (seconds) an upload URL the CSMS offers for a log or diagnostics file (GetLog,
   * GetDiagnostics with `?upload=csms`) stays valid; chargers may start late and retry.
   */
  logUploadTtlSeconds: number;
  /** Largest log or diagnostics file (bytes) a charger may upload to the CSMS; a larger one is refused with 413. */
  logUploadMaxBytes: number;
  /** Live console sockets (GET /api/v1/live) open at once at most; past it a new one is refused 503 (live/hub.ts). */
  liveMaxConsoles: number;
  /**
   * How long (seconds) one live console socket lives before the CSMS closes it (4401): the console
   * reconnects with a new ticket, so a revoked token's feed ends within this long.
   */
  liveSocketSeconds: number;
  /**
   * The CSMS's certificate authority for SignCertificate (ocpp/csr-signer.ts): the CA's private
   * key (CSMS_CA_KEY, a secret: PKCS#8 PEM, ECDSA P-256) and its certificate (CSMS_CA_CERT, PEM,
   * optionally followed by the certificates it was issued under). Both or neither; checked to
   * match at start. Unset: SignCertificate is answered Rejected (NoSigner).
   */
  caKeyPem?: string;
  caCertPem?: string;
  /** Days a certificate the CSMS signs is valid (CSMS_CA_VALIDITY_DAYS), never past the CA's own end. */
  caValidityDays: number;
  /**
   * Cloudflare Access in front of the console and API (ACCESS_TEAM_DOMAIN, ACCESS_AUD, ACCESS_SCOPES):
   * requests carrying a `Cf-Access-Jwt-Assertion` are authenticated by it (api/access-identity.ts).
   * Unset: the header is ignored and only API tokens authenticate.
   */
  access?: AccessConfig;
}

/** How Cloudflare Access assertions are checked and what their users may do. */
export interface AccessConfig {
  /** The team domain as a URL origin, e.g. https://myteam.cloudflareaccess.com: the JWT's `iss`. */
  teamDomain: string;
  /** Where the team's signing keys are: `<teamDomain>/cdn-cgi/access/certs`. */
  certsUrl: string;
  /** The Access application AUD tags accepted; the JWT's `aud` must contain one of them. */
  audiences: string[];
  /** Who gets which scope: emails, whole email domains (`@example.com`) and groups (`group:NAME`). */
  scopes: AccessScopeRule[];
}

/** One scope and the users it goes to (config.ts reads them from ACCESS_SCOPES). */
export interface AccessScopeRule {
  scope: 'read' | 'command' | 'admin';
  /** Lower-cased emails. */
  emails: string[];
  /** Lower-cased email domains, without the @. */
  domains: string[];
  /** Group names as the identity provider sends them (compared exactly). */
  groups: string[];
}

export type UnknownOfflineTagPolicy = 'list' | 'ignore';
export type ConcurrentTxPolicy = 'allow' | 'reject';

/** The string settings the Worker reads; all optional, all from wrangler.toml [vars]. */
export interface ConfigVars {
  OCPP_PROTOCOLS?: string;
  UNKNOWN_CHARGER_POLICY?: string;
  HEARTBEAT_INTERVAL_SECONDS?: string;
  OFFLINE_AFTER_INTERVALS?: string;
  COMMAND_TIMEOUT_SECONDS?: string;
  UNKNOWN_OFFLINE_TAG_POLICY?: string;
  CONCURRENT_TX?: string;
  REMOTE_START_TOKEN_SECONDS?: string;
  ID_TAG_CACHE_SECONDS?: string;
  COST_UPDATE_INTERVAL_SECONDS?: string;
  TOTAL_COST_FALLBACK_MESSAGE?: string;
  FLUSH_DELAY_SECONDS?: string;
  FLEET_FLUSH_SECONDS?: string;
  FLEET_WRITER_SHARDS?: string;
  MAX_FRAME_BYTES?: string;
  BAD_FRAME_BUDGET?: string;
  WRITE_BUDGET_ROWS?: string;
  WRITE_BUDGET_BYTES?: string;
  MAX_QUEUED_COMMANDS?: string;
  JOURNAL_SIZE?: string;
  JOURNAL_MODE?: string;
  LOG_MESSAGES?: string;
  AUTH_FAILURE_BUDGET?: string;
  AUTH_FAILURE_WINDOW_SECONDS?: string;
  METER_RETENTION_DAYS?: string;
  METER_ARCHIVE_BATCH?: string;
  CONTRACT_CERT_PROVIDER_URL?: string;
  /** A secret (`wrangler secret put CONTRACT_CERT_PROVIDER_TOKEN`), never a [vars] entry. */
  CONTRACT_CERT_PROVIDER_TOKEN?: string;
  CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS?: string;
  LOG_UPLOAD_TTL_SECONDS?: string;
  LOG_UPLOAD_MAX_BYTES?: string;
  LIVE_MAX_CONSOLES?: string;
  LIVE_SOCKET_SECONDS?: string;
  /** A secret (`wrangler secret put CSMS_CA_KEY`), never a [vars] entry. */
  CSMS_CA_KEY?: string;
  CSMS_CA_CERT?: string;
  CSMS_CA_VALIDITY_DAYS?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ACCESS_SCOPES?: string;
}

export const DEFAULTS = {
  heartbeatIntervalSeconds: 300,
  offlineAfterIntervals: 3,
  commandTimeoutSeconds: 30,
  unknownChargerPolicy: 'reject',
  unknownOfflineTagPolicy: 'list',
  // Fleet and family cards are shared between vehicles, and a charger's own answer is the only
  // place this is checked (per charger, see charger/active-tokens.ts): rejecting is opt-in.
  concurrentTx: 'allow',
  // Long enough for a driver to plug in after an app start (chargers wait ConnectionTimeOut,
  // typically 30-120 s); short enough that the token is not an open door at that charger.
  remoteStartTokenSeconds: 600,
  idTagCacheSeconds: 300,
  costUpdateIntervalSeconds: 300,
  totalCostFallbackMessage: '',
  flushDelaySeconds: 300,
  fleetFlushSeconds: 30,
  fleetWriterShards: 0,
  // Far above any real OCPP message, well below the 1 MiB at which the platform itself closes with 1009.
  maxFrameBytes: 65_536,
  badFrameBudget: 50,
  // A busy charger stores a few hundred rows a minute (say 40 sampled values every 10 s) and far
  // less than 100 KB; these leave 25-40 times that, and a minute's burst of catching up.
  writeBudgetRows: 10_000,
  writeBudgetBytes: 4 * 1024 * 1024,
  maxQueuedCommands: 100,
  journalSize: 200,
  journalMode: 'memory',
  // A log line per message costs CPU on every frame (+50 % msg/s without them under wrangler dev).
  logMessages: false,
  authFailureBudget: 10,
  authFailureWindowSeconds: 60,
  // A month: long enough for disputes over a recent bill to be answered from D1, and for late
  // meter values from chargers that were offline to arrive before their transaction moves.
  meterRetentionDays: 30,
  // Each transaction is a D1 read, an R2 write and read-back, and a D1 batch: 200 keep a run well
  // inside a scheduled invocation's limits, and at one run every 10 minutes move 28,800 a day.
  meterArchiveBatch: 200,
  // ISO 15118-2 gives the EV's certificate installation and update 5 s (V2G_SECC_Msg_Performance_Time)
  // for the whole round trip through the charger: the provider gets less than that.
  contractCertProviderTimeoutSeconds: 4,
  // A day: GetLog may name a start time and retries; the URL is useless to anyone once it expires.
  logUploadTtlSeconds: 86_400,
  // Diagnostics archives are a few MiB; 25 MiB keeps one upload well inside a Worker request's limits.
  logUploadMaxBytes: 25 * 1024 * 1024,
  // Each console socket gets every fleet change: a hundred operators' tabs, far from the hub's limits.
  liveMaxConsoles: 100,
  // A quarter of an hour: a revoked token's feed outlives it at most this long; a reconnect costs one ticket.
  liveSocketSeconds: 900,
  // A year: chargers renew ahead of expiry themselves (A03), and a lost charger's certificate ends.
  caValidityDays: 365,
} as const;

/** Longest a single command may wait, whatever the request asks for. */
export const MAX_COMMAND_TIMEOUT_SECONDS = 300;

export function readConfig(vars: ConfigVars): Config {
  return {
    protocols: parseVersionPreference(vars.OCPP_PROTOCOLS),
    unknownChargerPolicy: readPolicy(vars.UNKNOWN_CHARGER_POLICY),
    heartbeatIntervalSeconds: readPositiveInt(
      'HEARTBEAT_INTERVAL_SECONDS',
      vars.HEARTBEAT_INTERVAL_SECONDS,
      DEFAULTS.heartbeatIntervalSeconds,
    ),
    offlineAfterIntervals: readPositiveInt(
      'OFFLINE_AFTER_INTERVALS',
      vars.OFFLINE_AFTER_INTERVALS,
      DEFAULTS.offlineAfterIntervals,
    ),
    commandTimeoutSeconds: readPositiveInt(
      'COMMAND_TIMEOUT_SECONDS',
      vars.COMMAND_TIMEOUT_SECONDS,
      DEFAULTS.commandTimeoutSeconds,
    ),
    unknownOfflineTagPolicy: readOfflineTagPolicy(vars.UNKNOWN_OFFLINE_TAG_POLICY),
    concurrentTx: readConcurrentTx(vars.CONCURRENT_TX),
    remoteStartTokenSeconds: readPositiveInt(
      'REMOTE_START_TOKEN_SECONDS',
      vars.REMOTE_START_TOKEN_SECONDS,
      DEFAULTS.remoteStartTokenSeconds,
    ),
    idTagCacheSeconds: readNonNegativeInt('ID_TAG_CACHE_SECONDS', vars.ID_TAG_CACHE_SECONDS, DEFAULTS.idTagCacheSeconds),
    costUpdateIntervalSeconds: readNonNegativeInt('COST_UPDATE_INTERVAL_SECONDS', vars.COST_UPDATE_INTERVAL_SECONDS, DEFAULTS.costUpdateIntervalSeconds),
    totalCostFallbackMessage: readMessageText('TOTAL_COST_FALLBACK_MESSAGE', vars.TOTAL_COST_FALLBACK_MESSAGE),
    flushDelaySeconds: readPositiveNumber('FLUSH_DELAY_SECONDS', vars.FLUSH_DELAY_SECONDS, DEFAULTS.flushDelaySeconds),
    fleetFlushSeconds: readPositiveNumber('FLEET_FLUSH_SECONDS', vars.FLEET_FLUSH_SECONDS, DEFAULTS.fleetFlushSeconds),
    fleetWriterShards: readNonNegativeInt('FLEET_WRITER_SHARDS', vars.FLEET_WRITER_SHARDS, DEFAULTS.fleetWriterShards),
    maxFrameBytes: readPositiveInt('MAX_FRAME_BYTES', vars.MAX_FRAME_BYTES, DEFAULTS.maxFrameBytes),
    badFrameBudget: readPositiveInt('BAD_FRAME_BUDGET', vars.BAD_FRAME_BUDGET, DEFAULTS.badFrameBudget),
    writeBudgetRows: readPositiveInt('WRITE_BUDGET_ROWS', vars.WRITE_BUDGET_ROWS, DEFAULTS.writeBudgetRows),
    writeBudgetBytes: readPositiveInt('WRITE_BUDGET_BYTES', vars.WRITE_BUDGET_BYTES, DEFAULTS.writeBudgetBytes),
    maxQueuedCommands: readPositiveInt('MAX_QUEUED_COMMANDS', vars.MAX_QUEUED_COMMANDS, DEFAULTS.maxQueuedCommands),
    journalSize: vars.JOURNAL_SIZE === '0' ? 0 : readPositiveInt('JOURNAL_SIZE', vars.JOURNAL_SIZE, DEFAULTS.journalSize),
    journalMode: readJournalMode(vars.JOURNAL_MODE),
    logMessages: readBoolean('LOG_MESSAGES', vars.LOG_MESSAGES, DEFAULTS.logMessages),
    authFailureBudget: readPositiveInt('AUTH_FAILURE_BUDGET', vars.AUTH_FAILURE_BUDGET, DEFAULTS.authFailureBudget),
    authFailureWindowSeconds: readPositiveInt(
      'AUTH_FAILURE_WINDOW_SECONDS',
      vars.AUTH_FAILURE_WINDOW_SECONDS,
      DEFAULTS.authFailureWindowSeconds,
    ),
    meterRetentionDays: readNonNegativeNumber('METER_RETENTION_DAYS', vars.METER_RETENTION_DAYS, DEFAULTS.meterRetentionDays),
    meterArchiveBatch: readPositiveInt('METER_ARCHIVE_BATCH', vars.METER_ARCHIVE_BATCH, DEFAULTS.meterArchiveBatch),
    logUploadTtlSeconds: readPositiveInt('LOG_UPLOAD_TTL_SECONDS', vars.LOG_UPLOAD_TTL_SECONDS, DEFAULTS.logUploadTtlSeconds),
    logUploadMaxBytes: readPositiveInt('LOG_UPLOAD_MAX_BYTES', vars.LOG_UPLOAD_MAX_BYTES, DEFAULTS.logUploadMaxBytes),
    liveMaxConsoles: readPositiveInt('LIVE_MAX_CONSOLES', vars.LIVE_MAX_CONSOLES, DEFAULTS.liveMaxConsoles),
    liveSocketSeconds: readPositiveInt('LIVE_SOCKET_SECONDS', vars.LIVE_SOCKET_SECONDS, DEFAULTS.liveSocketSeconds),
    ...readContractCertProvider(vars),
    ...readCertificateAuthority(vars),
    ...withAccess(readAccessConfig(vars)),
  };
}

function withAccess(access: AccessConfig | undefined): Pick<Config, 'access'> {
  return access ? { access } : {};
}

const ACCESS_SCOPE_NAMES = ['read', 'command', 'admin'] as const;
const ACCESS_SCOPES_EXAMPLE = '{"admin": ["alice@example.com"], "command": ["group:Operators"], "read": ["@example.com"]}';

/**
 * ACCESS_TEAM_DOMAIN + ACCESS_AUD (+ ACCESS_SCOPES), all or none; undefined when Access is not
 * configured. The team domain is `myteam`, `myteam.cloudflareaccess.com` or an https URL of it; plain
 * http only for a loopback host (a test's key server), never for a real team.
 */
export function readAccessConfig(vars: ConfigVars): AccessConfig | undefined {
  const team = vars.ACCESS_TEAM_DOMAIN?.trim() ?? '';
  const aud = vars.ACCESS_AUD?.trim() ?? '';
  const scopesText = vars.ACCESS_SCOPES?.trim() ?? '';
  if (!team && !aud) {
    if (scopesText) throw new Error('ACCESS_SCOPES is set but ACCESS_TEAM_DOMAIN and ACCESS_AUD are not: set all three, or none');
    return undefined;
  }
  if (!team) throw new Error('ACCESS_AUD is set but ACCESS_TEAM_DOMAIN is not: set both (the team domain, e.g. myteam.cloudflareaccess.com)');
  if (!aud) throw new Error('ACCESS_TEAM_DOMAIN is set but ACCESS_AUD is not: set both (the Access application\'s AUD tag)');
  const teamDomain = readTeamDomain(team);
  const audiences = aud.split(',').map((a) => a.trim()).filter(Boolean);
  return { teamDomain, certsUrl: `${teamDomain}/cdn-cgi/access/certs`, audiences, scopes: readAccessScopes(scopesText) };
}

function readTeamDomain(raw: string): string {
  const bad = () => new Error(`ACCESS_TEAM_DOMAIN must be your Access team domain (myteam.cloudflareaccess.com or https://myteam.cloudflareaccess.com), not "${raw}"`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw.includes('.') ? raw : `${raw}.cloudflareaccess.com`}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw bad();
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) throw bad();
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw bad();
  return url.origin;
}

/** ACCESS_SCOPES: a JSON object from scope to the emails, `@domains` and `group:NAME`s that get it. */
function readAccessScopes(text: string): AccessScopeRule[] {
  if (!text) return [];
  const bad = (why: string) => new Error(`ACCESS_SCOPES ${why}; write it as ${ACCESS_SCOPES_EXAMPLE}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('must be a JSON object');
  return Object.entries(parsed).map(([scope, entries]) => {
    if (!(ACCESS_SCOPE_NAMES as readonly string[]).includes(scope)) throw bad(`names "${scope}", which is not a scope (read, command, admin)`);
    if (!Array.isArray(entries)) throw bad(`gives "${scope}" something other than a list`);
    const rule: AccessScopeRule = { scope: scope as AccessScopeRule['scope'], emails: [], domains: [], groups: [] };
    for (const entry of entries) {
      if (typeof entry !== 'string' || entry.trim() === '') throw bad(`lists an empty or non-text entry under "${scope}"`);
      const value = entry.trim();
      if (value.startsWith('group:') && value.length > 'group:'.length) rule.groups.push(value.slice('group:'.length));
      else if (/^@[^@\s]+\.[^@\s]+$/.test(value)) rule.domains.push(value.slice(1).toLowerCase());
      else if (/^[^@\s]+@[^@\s]+$/.test(value)) rule.emails.push(value.toLowerCase());
      else throw bad(`lists "${value}" under "${scope}", which is not an email, an @domain or group:NAME`);
    }
    return rule;
  });
}

/** CSMS_CA_KEY and CSMS_CA_CERT, both or neither, checked to belong together; errors never show the key. */
function readCertificateAuthority(vars: ConfigVars): Pick<Config, 'caKeyPem' | 'caCertPem' | 'caValidityDays'> {
  const caValidityDays = readPositiveInt('CSMS_CA_VALIDITY_DAYS', vars.CSMS_CA_VALIDITY_DAYS, DEFAULTS.caValidityDays);
  // A PEM pasted into a dashboard field may arrive with its line breaks as literal \n.
  const key = vars.CSMS_CA_KEY?.replace(/\\n/g, '\n').trim() || undefined;
  const cert = vars.CSMS_CA_CERT?.replace(/\\n/g, '\n').trim() || undefined;
  if (!key && !cert) return { caValidityDays };
  if (!key) throw new Error('CSMS_CA_CERT is set but CSMS_CA_KEY is not: set both (the key as a secret) or neither');
  if (!cert) throw new Error('CSMS_CA_KEY is set but CSMS_CA_CERT is not: set both or neither');
  readCaMaterial(key, cert);
  return { caKeyPem: key, caCertPem: cert, caValidityDays };
}

function readContractCertProvider(vars: ConfigVars): Pick<Config, 'contractCertProviderUrl' | 'contractCertProviderToken' | 'contractCertProviderTimeoutSeconds'> {
  const timeout = readPositiveNumber(
    'CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS',
    vars.CONTRACT_CERT_PROVIDER_TIMEOUT_SECONDS,
    DEFAULTS.contractCertProviderTimeoutSeconds,
  );
  const raw = vars.CONTRACT_CERT_PROVIDER_URL;
  if (raw === undefined || raw === '') return { contractCertProviderTimeoutSeconds: timeout };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`CONTRACT_CERT_PROVIDER_URL must be an http or https URL, not "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`CONTRACT_CERT_PROVIDER_URL must be an http or https URL, not "${raw}"`);
  }
  const token = vars.CONTRACT_CERT_PROVIDER_TOKEN;
  return {
    contractCertProviderUrl: url.href,
    ...(token ? { contractCertProviderToken: token } : {}),
    contractCertProviderTimeoutSeconds: timeout,
  };
}

/**
 * `accept` and `reject` are the values from before an unknown tag used offline stopped being
 * accepted: read as `list` and `ignore`, so a deployment that set them keeps starting. Neither
 * ever makes such a tag authorize now.
 */
function readOfflineTagPolicy(value: string | undefined): UnknownOfflineTagPolicy {
  if (value === undefined || value === '') return DEFAULTS.unknownOfflineTagPolicy;
  if (value === 'list' || value === 'accept') return 'list';
  if (value === 'ignore' || value === 'reject') return 'ignore';
  throw new Error(`UNKNOWN_OFFLINE_TAG_POLICY must be list or ignore, not "${value}"`);
}

function readJournalMode(value: string | undefined): JournalMode {
  if (value === undefined || value === '') return DEFAULTS.journalMode;
  if (value === 'memory' || value === 'durable') return value;
  throw new Error(`JOURNAL_MODE must be memory or durable, not "${value}"`);
}

/** A text shown to drivers: trimmed, at most 512 characters (2.0.1 MessageContentType.content). */
function readMessageText(name: string, value: string | undefined): string {
  const text = value?.trim() ?? '';
  if (text.length > 512) throw new Error(`${name} must be at most 512 characters (it is ${text.length})`);
  return text;
}

function readBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`${name} must be true or false, not "${value}"`);
}

function readConcurrentTx(value: string | undefined): ConcurrentTxPolicy {
  if (value === undefined || value === '') return DEFAULTS.concurrentTx;
  if (value === 'allow' || value === 'reject') return value;
  throw new Error(`CONCURRENT_TX must be allow or reject, not "${value}"`);
}

function readPositiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${value}"`);
  return n;
}

function readPolicy(value: string | undefined): UnknownChargerPolicy {
  if (value === undefined || value === '') return DEFAULTS.unknownChargerPolicy;
  if (value === 'accept' || value === 'pending' || value === 'reject') return value;
  throw new Error(`UNKNOWN_CHARGER_POLICY must be accept, pending or reject, not "${value}"`);
}

function readNonNegativeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of 0 or more, not "${value}"`);
  return n;
}

function readNonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of 0 or more, not "${value}"`);
  return n;
}

function readPositiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not "${value}"`);
  return n;
}
