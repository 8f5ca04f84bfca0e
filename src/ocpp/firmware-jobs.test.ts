import { describe, expect, it } from 'vitest';
import { acceptedUpdate, applyBoot, applyStatus, jobFromRequest, matchJob, MAX_HISTORY, startJob, type FirmwareJob } from './firmware-jobs';

const AT = '2026-01-01T00:00:00.000Z';

function job201(requestId: number, jobId = 1): FirmwareJob {
  return jobFromRequest('ocpp2.0.1', 'UpdateFirmware', { requestId, retries: 2, firmware: { location: 'https://fw/x', retrieveDateTime: AT } }, jobId, AT)!;
}

function run(job: FirmwareJob, ...statuses: string[]): FirmwareJob {
  return statuses.reduce((j, s) => applyStatus(j, s, AT), job);
}

describe('firmware job state machine', () => {
  it('L01.FR.01: Installed ends a job succeeded; each failure ends it failed', () => {
    expect(run(job201(1), 'Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'Installed')).toMatchObject({ status: 'Installed', outcome: 'succeeded' });
    for (const failure of ['DownloadFailed', 'InstallationFailed', 'InstallVerificationFailed', 'InvalidSignature']) {
      expect(run(job201(1), 'Downloading', failure)).toMatchObject({ status: failure, outcome: 'failed' });
    }
  });

  it('moves only forward: an earlier phase is late, the same status a replay, a finished job moves no more', () => {
    const job = run(job201(1), 'Downloading', 'Downloaded', 'Downloading', 'Downloaded');
    expect(job.status).toBe('Downloaded');
    expect(job.history.map((h) => h.ignored ?? null)).toEqual([null, null, 'late', 'replay']);
    const done = run(job201(1), 'Installed', 'Installing');
    expect(done).toMatchObject({ status: 'Installed', outcome: 'succeeded' });
    expect(done.history.at(-1)!.ignored).toBe('finished');
    // Paused and resumed downloads take turns (same phase).
    expect(run(job201(1), 'Downloading', 'DownloadPaused', 'Downloading').history.every((h) => !h.ignored)).toBe(true);
  });

  it('L01.FR.20: Idle moves no job; a status is matched by requestId, or else to the newest job', () => {
    expect(run(job201(1), 'Downloading', 'Idle')).toMatchObject({ status: 'Downloading' });
    const jobs = [job201(2, 2), job201(1, 1)];
    expect(matchJob(jobs, 1)!.jobId).toBe(1);
    expect(matchJob(jobs, 3)).toBeUndefined();
    expect(matchJob(jobs, undefined)!.jobId).toBe(2);
  });

  it('L01.FR.24: a new job supersedes the running ones, not the finished', () => {
    const finished = run(job201(1, 1), 'Installed');
    const running = run(job201(2, 2), 'Downloading');
    const { jobs, changed } = startJob([running, finished], job201(3, 3));
    expect(jobs.map((j) => [j.jobId, j.outcome])).toEqual([[3, 'running'], [2, 'superseded'], [1, 'succeeded']]);
    expect(changed.map((j) => j.jobId)).toEqual([3, 2]);
  });

  it('the first boot after the install began keeps its version and confirms a succeeded job; later boots change nothing', () => {
    const rebooting = run(job201(1), 'Downloaded', 'InstallRebooting');
    const booted = applyBoot([rebooting], '2.0', '2026-01-02T00:00:00.000Z').jobs[0]!;
    expect(booted).toMatchObject({ bootedVersion: '2.0', confirmedAt: null });
    const installed = applyStatus(booted, 'Installed', '2026-01-02T00:01:00.000Z');
    expect(installed).toMatchObject({ outcome: 'succeeded', confirmedAt: '2026-01-02T00:01:00.000Z' });
    expect(applyBoot([installed], '3.0', AT).changed).toEqual([]);
    // A job still downloading is not about the boot.
    expect(applyBoot([run(job201(1), 'Downloading')], '2.0', AT).changed).toEqual([]);
  });

  it('1.6 §5.19: UpdateFirmware is accepted by any answer and names its fields at the top', () => {
    expect(acceptedUpdate('ocpp1.6', 'UpdateFirmware', {})).toBe(true);
    expect(acceptedUpdate('ocpp1.6', 'SignedUpdateFirmware', { status: 'InvalidCertificate' })).toBe(false);
    expect(acceptedUpdate('ocpp2.0.1', 'UpdateFirmware', { status: 'AcceptedCanceled' })).toBe(true);
    const job = jobFromRequest('ocpp1.6', 'UpdateFirmware', { location: 'ftp://fw', retrieveDate: AT, retries: 1, retryInterval: 9 }, 4, AT)!;
    expect(job).toMatchObject({ jobId: 4, requestId: null, location: 'ftp://fw', retrieveAt: AT, retries: 1, retryInterval: 9, installAt: null });
    expect(jobFromRequest('ocpp1.6', 'Reset', {}, 1, AT)).toBeUndefined();
  });

  it('keeps at most MAX_HISTORY notifications, and the revision grows with each', () => {
    const job = run(job201(1), ...Array.from({ length: MAX_HISTORY + 5 }, () => 'Downloading'));
    expect(job.history).toHaveLength(MAX_HISTORY);
    expect(job.revision).toBe(MAX_HISTORY + 6);
  });
});
