// D1 access for firmware jobs and the fleet's firmware view; all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import type { FirmwareJob, FirmwareJobStatus, FirmwareOutcome } from '../ocpp/firmware-jobs';

export type StoredFirmwareJob = Omit<FirmwareJob, 'revision'> & { chargerId: string };

/** A charger in the fleet's firmware view: the version its last boot reported, and its latest job. */
export interface ChargerFirmware {
  chargerId: string;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  lastBootAt: string | null;
  latestJob: StoredFirmwareJob | null;
}

type JobRow = {
  charger_id: string;
  job_id: number;
  protocol: FirmwareJob['protocol'];
  action: FirmwareJob['action'];
  request_id: number | null;
  location: string;
  retrieve_at: string;
  install_at: string | null;
  retries: number | null;
  retry_interval: number | null;
  status: string;
  outcome: FirmwareOutcome;
  history: string;
  booted_at: string | null;
  booted_version: string | null;
  confirmed_at: string | null;
  created_at: string;
  updated_at: string;
};

const JOB_COLUMNS = `charger_id, job_id, protocol, action, request_id, location, retrieve_at, install_at, retries,
  retry_interval, status, outcome, history, booted_at, booted_version, confirmed_at, revision, created_at, updated_at`;

export class FirmwareJobStore {
  constructor(private readonly db: D1Database) {}

  /** Forgets the charger's firmware jobs (DELETE /chargers/{id}). */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM firmware_jobs WHERE charger_id = ?').bind(chargerId)];
  }

  /** Each job as its object last sent it: a row is replaced only by a higher revision, so a flush replayed or out of order changes nothing. */
  upsertStatements(jobs: readonly ChargerFact<'firmwareJob'>[]): D1PreparedStatement[] {
    return jobs.map(({ chargerId, fact: j }) =>
      this.db
        .prepare(
          `INSERT INTO firmware_jobs (${JOB_COLUMNS})
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
           ON CONFLICT (charger_id, job_id) DO UPDATE SET status = ?11, outcome = ?12, history = ?13, booted_at = ?14,
             booted_version = ?15, confirmed_at = ?16, revision = ?17, updated_at = ?19
           WHERE firmware_jobs.revision < ?17`,
        )
        .bind(
          chargerId,
          j.jobId,
          j.protocol,
          j.action,
          j.requestId,
          j.location,
          j.retrieveAt,
          j.installAt,
          j.retries,
          j.retryInterval,
          j.status,
          j.outcome,
          JSON.stringify(j.history),
          j.bootedAt,
          j.bootedVersion,
          j.confirmedAt,
          j.revision,
          j.createdAt,
          j.updatedAt,
        ),
    );
  }

  /** A charger's jobs, newest first; the cursor is the last job id of the page before. Null when the cursor is not one of ours. */
  async list(chargerId: string, query: { limit: number; cursor?: string; outcome?: string }): Promise<{ jobs: StoredFirmwareJob[]; nextCursor: string | null } | null> {
    const before = query.cursor === undefined ? null : Number(query.cursor);
    if (before !== null && !Number.isInteger(before)) return null;
    const { results } = await this.db
      .prepare(
        `SELECT * FROM firmware_jobs WHERE charger_id = ?1 AND (?2 IS NULL OR job_id < ?2) AND (?3 IS NULL OR outcome = ?3)
         ORDER BY job_id DESC LIMIT ?4`,
      )
      .bind(chargerId, before, query.outcome ?? null, query.limit + 1)
      .all<JobRow>();
    const page = results.slice(0, query.limit);
    return { jobs: page.map(toJob), nextCursor: results.length > query.limit ? String(page.at(-1)!.job_id) : null };
  }

  /**
   * The fleet's firmware: each charger (by id, `limit` at a time after `cursor`) with the
   * version its last boot reported and its latest job; `version` keeps only chargers reporting it.
   */
  async fleet(query: { limit: number; cursor?: string; version?: string }): Promise<{ chargers: ChargerFirmware[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(
        `SELECT c.id AS fleet_charger_id, c.vendor AS fleet_vendor, c.model AS fleet_model,
           c.firmware_version AS fleet_firmware_version, c.last_boot_at AS fleet_last_boot_at, j.*
         FROM chargers AS c
         LEFT JOIN firmware_jobs AS j ON j.charger_id = c.id
           AND j.job_id = (SELECT MAX(job_id) FROM firmware_jobs WHERE charger_id = c.id)
         WHERE c.id > ?1 AND (?2 IS NULL OR c.firmware_version = ?2)
         ORDER BY c.id LIMIT ?3`,
      )
      .bind(query.cursor ?? '', query.version ?? null, query.limit + 1)
      .all<
        Partial<JobRow> & {
          fleet_charger_id: string;
          fleet_vendor: string | null;
          fleet_model: string | null;
          fleet_firmware_version: string | null;
          fleet_last_boot_at: string | null;
        }
      >();
    const page = results.slice(0, query.limit);
    return {
      chargers: page.map((row) => ({
        chargerId: row.fleet_charger_id,
        vendor: row.fleet_vendor,
        model: row.fleet_model,
        firmwareVersion: row.fleet_firmware_version,
        lastBootAt: row.fleet_last_boot_at,
        latestJob: row.job_id === null || row.job_id === undefined ? null : toJob(row as JobRow),
      })),
      nextCursor: results.length > query.limit ? page.at(-1)!.fleet_charger_id : null,
    };
  }
}

function toJob(row: JobRow): StoredFirmwareJob {
  return {
    chargerId: row.charger_id,
    jobId: row.job_id,
    protocol: row.protocol,
    action: row.action,
    requestId: row.request_id,
    location: row.location,
    retrieveAt: row.retrieve_at,
    installAt: row.install_at,
    retries: row.retries,
    retryInterval: row.retry_interval,
    status: row.status,
    outcome: row.outcome,
    history: JSON.parse(row.history) as FirmwareJobStatus[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    bootedAt: row.booted_at,
    bootedVersion: row.booted_version,
    confirmedAt: row.confirmed_at,
  };
}
