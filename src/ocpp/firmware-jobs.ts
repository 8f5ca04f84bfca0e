// A firmware update as a job: made from an accepted UpdateFirmware / SignedUpdateFirmware, moved on by the charger's status notifications.
//
// The rule for statuses that come late, twice or out of order: each status belongs to a phase
// (scheduled < downloading < downloaded < verified < install scheduled < installing < rebooting),
// and a job only moves forward. A status of an earlier phase than the job's is kept in its history
// as ignored (a replay, or a message overtaken by a later one); one of the same phase applies
// (Downloading and DownloadPaused take turns). A terminal status (Installed: succeeded; a failure:
// failed) ends the job, and nothing moves it afterwards. Idle says the charger is doing nothing: sent
// only when asked (TriggerMessage), it moves no job. A new accepted update supersedes the jobs still
// running (2.0.1 AcceptedCanceled says the charger cancelled one, L01.FR.24; 1.6 has one update at a time).
//
// Retries are the charger's: the request's retries / retryInterval are kept and shown, and the CSMS
// never sends an update again on its own (a resend would restart a download the charger may be
// retrying itself, and a failed install is for the operator to look at).

import type { OcppVersion } from './versions';

export type FirmwareOutcome = 'running' | 'succeeded' | 'failed' | 'superseded';

export interface FirmwareJobStatus {
  status: string;
  at: string;
  /** Set when the status moved nothing: why. */
  ignored?: 'late' | 'replay' | 'finished' | 'idle';
}

export interface FirmwareJob {
  /** The CSMS's number for the job, 1, 2, … per charger. */
  jobId: number;
  protocol: OcppVersion;
  action: 'UpdateFirmware' | 'SignedUpdateFirmware';
  /** 2.0.1 and 1.6 SignedUpdateFirmware: the request's requestId, which its notifications carry; 1.6 UpdateFirmware has none. */
  requestId: number | null;
  location: string;
  retrieveAt: string;
  installAt: string | null;
  /** The charger's own retries, as requested (the CSMS never resends). */
  retries: number | null;
  retryInterval: number | null;
  /** The status of the latest notification that moved the job; 'Accepted' until one comes. */
  status: string;
  outcome: FirmwareOutcome;
  /** Every notification matched to the job, in arrival order (the latest MAX_HISTORY). */
  history: FirmwareJobStatus[];
  createdAt: string;
  updatedAt: string;
  /** When the charger first booted once the install began, and the firmware version that boot reported. */
  bootedAt: string | null;
  bootedVersion: string | null;
  /** When that boot confirmed a succeeded job. */
  confirmedAt: string | null;
  /** Increases with every change: D1 keeps the highest (see store/firmware-jobs.ts). */
  revision: number;
}

/** How many notifications a job's history keeps: a charger stuck repeating one status must not grow it without end. */
export const MAX_HISTORY = 50;

const SUCCEEDED = new Set(['Installed']);
const FAILED = new Set(['DownloadFailed', 'InstallationFailed', 'InstallVerificationFailed', 'InvalidSignature']);
/** The phase of each non-terminal status: a job never moves to an earlier one. */
const PHASE: Record<string, number> = {
  DownloadScheduled: 1,
  Downloading: 2,
  DownloadPaused: 2,
  Downloaded: 3,
  SignatureVerified: 4,
  InstallScheduled: 5,
  Installing: 6,
  InstallRebooting: 7,
};
/** States after which the next boot runs the new firmware (or should). */
const INSTALLING = new Set(['Installing', 'InstallRebooting', 'Installed']);

/** Whether an answer accepted the update: 1.6 UpdateFirmware.conf is empty, anything answered is acceptance. */
export function acceptedUpdate(protocol: OcppVersion, action: string, result: unknown): boolean {
  if (protocol === 'ocpp1.6' && action === 'UpdateFirmware') return true;
  const status = (result as { status?: unknown } | null)?.status;
  return status === 'Accepted' || status === 'AcceptedCanceled';
}

/** The job an accepted update starts, or undefined for an action that is not a firmware update. */
export function jobFromRequest(protocol: OcppVersion, action: string, request: unknown, jobId: number, at: string): FirmwareJob | undefined {
  if (action !== 'UpdateFirmware' && action !== 'SignedUpdateFirmware') return undefined;
  const req = request as Record<string, unknown>;
  // 1.6 UpdateFirmware names its fields at the top; 2.0.1 and SignedUpdateFirmware in `firmware`.
  const flat = protocol === 'ocpp1.6' && action === 'UpdateFirmware';
  const firmware = (flat ? req : (req.firmware as Record<string, unknown>)) ?? {};
  const num = (value: unknown) => (typeof value === 'number' ? value : null);
  const str = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    jobId,
    protocol,
    action,
    requestId: num(req.requestId),
    location: str(flat ? req.location : firmware.location) ?? '',
    retrieveAt: str(flat ? req.retrieveDate : firmware.retrieveDateTime) ?? at,
    installAt: flat ? null : str(firmware.installDateTime),
    retries: num(req.retries),
    retryInterval: num(req.retryInterval),
    status: 'Accepted',
    outcome: 'running',
    history: [],
    createdAt: at,
    updatedAt: at,
    bootedAt: null,
    bootedVersion: null,
    confirmedAt: null,
    revision: 1,
  };
}

/** Jobs, newest first, once `job` was accepted: it goes first, and the jobs still running are superseded by it. */
export function startJob(jobs: readonly FirmwareJob[], job: FirmwareJob): { jobs: FirmwareJob[]; changed: FirmwareJob[] } {
  const changed: FirmwareJob[] = [job];
  const rest = jobs.map((old) => {
    if (old.outcome !== 'running') return old;
    const superseded: FirmwareJob = { ...old, outcome: 'superseded', updatedAt: job.createdAt, revision: old.revision + 1 };
    changed.push(superseded);
    return superseded;
  });
  return { jobs: [job, ...rest], changed };
}

/**
 * The job a notification is about: by requestId when it carries one (2.0.1, L01.FR.20; 1.6
 * SignedFirmwareStatusNotification), else the newest job (1.6 FirmwareStatusNotification names none).
 */
export function matchJob(jobs: readonly FirmwareJob[], requestId: number | undefined): FirmwareJob | undefined {
  if (requestId === undefined) return jobs[0];
  return jobs.find((job) => job.requestId === requestId);
}

/** The job after a status notification: moved on, or with the status kept as ignored (see the rule above). */
export function applyStatus(job: FirmwareJob, status: string, at: string): FirmwareJob {
  const ignored = ignoredBecause(job, status);
  const history = [...job.history, { status, at, ...(ignored ? { ignored } : {}) }].slice(-MAX_HISTORY);
  const next: FirmwareJob = { ...job, history, updatedAt: at, revision: job.revision + 1 };
  if (ignored) return next;
  next.status = status;
  if (SUCCEEDED.has(status)) next.outcome = 'succeeded';
  else if (FAILED.has(status)) next.outcome = 'failed';
  // A boot that came while it installed, with no other version named, confirms it once it says Installed.
  if (next.outcome === 'succeeded' && next.bootedAt !== null && next.confirmedAt === null) next.confirmedAt = at;
  return next;
}

function ignoredBecause(job: FirmwareJob, status: string): FirmwareJobStatus['ignored'] {
  if (status === 'Idle') return 'idle';
  if (job.outcome !== 'running') return 'finished';
  if (status === job.status) return 'replay';
  if (SUCCEEDED.has(status) || FAILED.has(status)) return undefined;
  const phase = PHASE[status];
  const current = PHASE[job.status] ?? 0;
  return phase !== undefined && phase < current ? 'late' : undefined;
}

/**
 * The jobs a BootNotification changes: the first boot after a job began installing (Installing,
 * InstallRebooting, Installed) is kept with the version it reported, and confirms a succeeded job
 * (the charger came back after installing). Later boots change nothing: the job is about that restart.
 */
export function applyBoot(jobs: readonly FirmwareJob[], firmwareVersion: string | undefined, at: string): { jobs: FirmwareJob[]; changed: FirmwareJob[] } {
  const changed: FirmwareJob[] = [];
  const next = jobs.map((job) => {
    const open = job.outcome === 'running' || job.outcome === 'succeeded';
    if (!open || job.bootedAt !== null || !INSTALLING.has(job.status)) return job;
    const booted: FirmwareJob = {
      ...job,
      bootedAt: at,
      bootedVersion: firmwareVersion ?? null,
      confirmedAt: job.outcome === 'succeeded' ? at : null,
      updatedAt: at,
      revision: job.revision + 1,
    };
    changed.push(booted);
    return booted;
  });
  return { jobs: next, changed };
}
