// The charger's firmware jobs, kept in its object (the latest few) and handed to D1 through the outbox as they change.
//
// The object is the one writer of its jobs, so the state machine (ocpp/firmware-jobs.ts) runs
// here, on the job as the object knows it; each changed job goes to the outbox whole, with a
// revision D1 keeps the highest of. The storage write and the outbox append are made with no
// await between them, so they commit together, before the command's result or the notification's
// answer leaves (the output gate holds it until then).

import type { Outbox } from '../fleet/outbox';
import { acceptedUpdate, applyBoot, applyStatus, jobFromRequest, matchJob, startJob, type FirmwareJob } from '../ocpp/firmware-jobs';
import type { OcppVersion } from '../ocpp/versions';

const JOBS_KEY = 'firmwareJobs';
/** Jobs the object keeps to match notifications to: older ones are only in D1 (a charger reports on its latest update). */
const KEPT_JOBS = 10;

interface StoredJobs {
  /** The last job number given. */
  last: number;
  /** Newest first. */
  jobs: FirmwareJob[];
}

export class FirmwareJobs {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly outbox: Outbox,
  ) {}

  /** Starts a job when the answer accepted a firmware update; whether one started. */
  async commandAnswered(chargerId: string, protocol: OcppVersion, action: string, request: unknown, result: unknown, at: string): Promise<boolean> {
    if (action !== 'UpdateFirmware' && action !== 'SignedUpdateFirmware') return false;
    if (!acceptedUpdate(protocol, action, result)) return false;
    const stored = await this.read();
    const job = jobFromRequest(protocol, action, request, stored.last + 1, at)!;
    const { jobs, changed } = startJob(stored.jobs, job);
    await this.write(chargerId, { last: job.jobId, jobs }, changed);
    return true;
  }

  /** Moves the job a status notification is about; whether one was found. */
  async statusNotified(chargerId: string, status: string, requestId: number | undefined, at: string): Promise<boolean> {
    const stored = await this.read();
    const job = matchJob(stored.jobs, requestId);
    if (!job) return false;
    const moved = applyStatus(job, status, at);
    await this.write(chargerId, { ...stored, jobs: stored.jobs.map((j) => (j.jobId === job.jobId ? moved : j)) }, [moved]);
    return true;
  }

  /** Keeps what a BootNotification tells of the jobs installing; whether any changed. */
  async booted(chargerId: string, firmwareVersion: string | undefined, at: string): Promise<boolean> {
    const stored = await this.read();
    const { jobs, changed } = applyBoot(stored.jobs, firmwareVersion, at);
    if (changed.length === 0) return false;
    await this.write(chargerId, { ...stored, jobs }, changed);
    return true;
  }

  private async read(): Promise<StoredJobs> {
    return (await this.storage.get<StoredJobs>(JOBS_KEY)) ?? { last: 0, jobs: [] };
  }

  private async write(chargerId: string, stored: StoredJobs, changed: readonly FirmwareJob[]): Promise<void> {
    // No await between the two: they commit together (see the module comment).
    const written = this.storage.put(JOBS_KEY, { last: stored.last, jobs: stored.jobs.slice(0, KEPT_JOBS) });
    this.outbox.appendAll(changed.map((fact) => ({ chargerId, kind: 'firmwareJob' as const, fact })));
    await written;
  }
}
