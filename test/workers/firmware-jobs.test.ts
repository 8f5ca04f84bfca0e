import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { FirmwareJobStore } from '../../src/store/firmware-jobs';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** Sends a command through the API and answers it as the charger. */
async function command(cp: RawCharger, action: string, payload: unknown, result: unknown) {
  expect((await commandAnswered(cp, action, payload, result)).res.status).toBe(200);
}

async function notify(cp: RawCharger, action: string, payload: unknown) {
  const answer = await cp.call(action, payload);
  expect(answer[0]).toBe(3);
  expect(answer[2]).toEqual({});
}

async function jobs(chargerId: string, query = ''): Promise<any[]> {
  const res = await api('GET', `/chargers/${chargerId}/firmware-jobs${query}`);
  expect(res.status).toBe(200);
  return (await json(res)).firmwareJobs;
}

const firmware201 = (url: string) => ({ location: url, retrieveDateTime: '2026-01-01T00:00:00Z' });

async function boot201(cp: RawCharger, firmwareVersion: string) {
  const answer = await cp.call('BootNotification', {
    reason: 'FirmwareUpdate',
    chargingStation: { vendorName: 'Acme', model: 'Volt', firmwareVersion },
  });
  expect((answer[2] as { status: string }).status).toBe('Accepted');
}

describe('firmware jobs, 2.0.1 (L01, L02)', () => {
  it('L02.FR.01 / L01.FR.01: an accepted UpdateFirmware is a job that follows Downloading, Downloaded, Installing, Installed, confirmed by the next boot', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('FW'), 'ocpp2.0.1');
    await boot201(cp, '1.0.0');
    await command(cp, 'UpdateFirmware', { requestId: 41, retries: 3, retryInterval: 60, firmware: firmware201('https://fw.example/2.0.0.bin') }, { status: 'Accepted' });
    const [created] = await jobs(cp.id);
    expect(created).toMatchObject({ jobId: 1, requestId: 41, status: 'Accepted', outcome: 'running', retries: 3, retryInterval: 60, location: 'https://fw.example/2.0.0.bin' });

    for (const status of ['Downloading', 'Downloaded', 'Installing']) await notify(cp, 'FirmwareStatusNotification', { status, requestId: 41 });
    expect((await jobs(cp.id))[0]).toMatchObject({ status: 'Installing', outcome: 'running', confirmedAt: null });
    await notify(cp, 'FirmwareStatusNotification', { status: 'InstallRebooting', requestId: 41 });
    await boot201(cp, '2.0.0');
    await notify(cp, 'FirmwareStatusNotification', { status: 'Installed', requestId: 41 });
    const [done] = await jobs(cp.id);
    expect(done).toMatchObject({ status: 'Installed', outcome: 'succeeded', bootedVersion: '2.0.0' });
    expect(done.confirmedAt).toEqual(expect.any(String));
    expect(done.history.map((h: { status: string }) => h.status)).toEqual(['Downloading', 'Downloaded', 'Installing', 'InstallRebooting', 'Installed']);
    cp.close();
  });

  it('L01.FR.01: a failed download ends the job failed; a Rejected update makes no job', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('FW'), 'ocpp2.0.1');
    await boot201(cp, '1.0.0');
    await command(cp, 'UpdateFirmware', { requestId: 7, firmware: firmware201('https://fw.example/bad.bin') }, { status: 'Rejected' });
    expect(await jobs(cp.id)).toEqual([]);
    await command(cp, 'UpdateFirmware', { requestId: 8, firmware: firmware201('https://fw.example/bad.bin') }, { status: 'Accepted' });
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloading', requestId: 8 });
    await notify(cp, 'FirmwareStatusNotification', { status: 'DownloadFailed', requestId: 8 });
    // Nothing moves a finished job.
    await notify(cp, 'FirmwareStatusNotification', { status: 'Installing', requestId: 8 });
    const [failed] = await jobs(cp.id);
    expect(failed).toMatchObject({ requestId: 8, status: 'DownloadFailed', outcome: 'failed' });
    expect(failed.history.at(-1)).toMatchObject({ status: 'Installing', ignored: 'finished' });
    expect((await jobs(cp.id, '?outcome=failed')).map((j) => j.requestId)).toEqual([8]);
    expect((await jobs(cp.id, '?outcome=running'))).toEqual([]);
    cp.close();
  });

  it('L01.FR.20 / L01.FR.24: statuses are matched by requestId; AcceptedCanceled supersedes the running job; a replayed or late status moves nothing', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('FW'), 'ocpp2.0.1');
    await boot201(cp, '1.0.0');
    await command(cp, 'UpdateFirmware', { requestId: 1, firmware: firmware201('https://fw.example/a.bin') }, { status: 'Accepted' });
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloading', requestId: 1 });
    await command(cp, 'UpdateFirmware', { requestId: 2, firmware: firmware201('https://fw.example/b.bin') }, { status: 'AcceptedCanceled' });
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloaded', requestId: 2 });
    // Late: a Downloading after Downloaded; replayed: Downloaded again; unknown requestId: no job.
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloading', requestId: 2 });
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloaded', requestId: 2 });
    await notify(cp, 'FirmwareStatusNotification', { status: 'Installing', requestId: 999 });
    // A status for the superseded job is kept with it, and moves it no more.
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloaded', requestId: 1 });
    // Idle (sent when triggered, L01.FR.20: without requestId) moves no job.
    await notify(cp, 'FirmwareStatusNotification', { status: 'Idle' });
    const [second, first] = await jobs(cp.id);
    expect(first).toMatchObject({ jobId: 1, requestId: 1, status: 'Downloading', outcome: 'superseded' });
    expect(first.history.at(-1)).toMatchObject({ status: 'Downloaded', ignored: 'finished' });
    expect(second).toMatchObject({ jobId: 2, requestId: 2, status: 'Downloaded', outcome: 'running' });
    expect(second.history.map((h: { status: string; ignored?: string }) => [h.status, h.ignored ?? null])).toEqual([
      ['Downloaded', null],
      ['Downloading', 'late'],
      ['Downloaded', 'replay'],
      ['Idle', 'idle'],
    ]);
    // Paged, newest first.
    const page = await json(await api('GET', `/chargers/${cp.id}/firmware-jobs?limit=1`));
    expect(page.firmwareJobs.map((j: { jobId: number }) => j.jobId)).toEqual([2]);
    const rest = await json(await api('GET', `/chargers/${cp.id}/firmware-jobs?limit=1&cursor=${page.nextCursor}`));
    expect(rest.firmwareJobs.map((j: { jobId: number }) => j.jobId)).toEqual([1]);
    expect(rest.nextCursor).toBeNull();
    cp.close();
  });
});

describe('firmware jobs, durable', () => {
  it('L01.FR.01: a job outlives the object (eviction), and a status flushed again to D1 does not take it back', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('FW'), 'ocpp2.0.1');
    await boot201(cp, '1.0.0');
    await command(cp, 'UpdateFirmware', { requestId: 3, firmware: firmware201('https://fw.example/e.bin') }, { status: 'Accepted' });
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloading', requestId: 3 });
    const stub = env.CHARGERS.getByName(cp.id);
    await stub.flushNow();
    const downloading = await env.DB.prepare('SELECT revision FROM firmware_jobs WHERE charger_id = ?').bind(cp.id).first<{ revision: number }>();
    await evictDurableObject(stub);
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloaded', requestId: 3 });
    expect((await jobs(cp.id))[0]).toMatchObject({ jobId: 1, status: 'Downloaded', history: [{ status: 'Downloading' }, { status: 'Downloaded' }] });
    // The Downloading revision flushed again (a flush replayed after its removal was lost) changes nothing.
    const [current] = await jobs(cp.id);
    const older = { ...current, status: 'Downloading', history: current.history.slice(0, 1), revision: downloading!.revision };
    await env.DB.batch(new FirmwareJobStore(env.DB).upsertStatements([{ chargerId: cp.id, fact: older }]));
    expect((await jobs(cp.id))[0]).toMatchObject({ status: 'Downloaded' });
    cp.close();
  });
});

describe('firmware jobs, 1.6 (§5.19 UpdateFirmware, §4.4 FirmwareStatusNotification)', () => {
  it('1.6 §5.19 / §4.4: UpdateFirmware (empty answer) is a job the statuses move, the newest job taking them; a failed install ends it', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('FW'), 'ocpp1.6');
    await cp.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt', firmwareVersion: '1.0' });
    await command(cp, 'UpdateFirmware', { location: 'ftp://fw.example/1.1', retrieveDate: '2026-01-01T00:00:00Z', retries: 2, retryInterval: 30 }, {});
    for (const status of ['Downloading', 'Downloaded', 'Installing', 'Installed']) await notify(cp, 'FirmwareStatusNotification', { status });
    await cp.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt', firmwareVersion: '1.1' });
    await command(cp, 'UpdateFirmware', { location: 'ftp://fw.example/1.2', retrieveDate: '2026-01-01T00:00:00Z' }, {});
    await notify(cp, 'FirmwareStatusNotification', { status: 'Downloading' });
    await notify(cp, 'FirmwareStatusNotification', { status: 'InstallationFailed' });
    const [second, first] = await jobs(cp.id);
    expect(first).toMatchObject({ jobId: 1, requestId: null, retries: 2, retryInterval: 30, status: 'Installed', outcome: 'succeeded', bootedVersion: '1.1' });
    expect(first.confirmedAt).toEqual(expect.any(String));
    expect(second).toMatchObject({ jobId: 2, location: 'ftp://fw.example/1.2', status: 'InstallationFailed', outcome: 'failed', bootedVersion: null });
    cp.close();
  });

  it('1.6 security whitepaper: SignedUpdateFirmware is a job its SignedFirmwareStatusNotification (by requestId) moves; InvalidSignature fails it', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('FW'), 'ocpp1.6');
    await cp.boot();
    const firmware = { location: 'https://fw.example/s.bin', retrieveDateTime: '2026-01-01T00:00:00Z', signingCertificate: 'CERT', signature: 'SIG' };
    await command(cp, 'SignedUpdateFirmware', { requestId: 77, firmware }, { status: 'Accepted' });
    await notify(cp, 'SignedFirmwareStatusNotification', { status: 'Downloaded', requestId: 77 });
    await notify(cp, 'SignedFirmwareStatusNotification', { status: 'InvalidSignature', requestId: 77 });
    const [job] = await jobs(cp.id);
    expect(job).toMatchObject({ action: 'SignedUpdateFirmware', requestId: 77, status: 'InvalidSignature', outcome: 'failed' });
    cp.close();
  });
});

describe('fleet firmware view', () => {
  it('GET /firmware: each charger with the version its boot reported and its latest job; filtered by version, paged', async () => {
    const version = `v-${crypto.randomUUID().slice(0, 8)}`;
    const a = await RawCharger.connect(uniqueChargerId('FWA'), 'ocpp2.0.1');
    await boot201(a, version);
    await command(a, 'UpdateFirmware', { requestId: 5, firmware: firmware201('https://fw.example/x.bin') }, { status: 'Accepted' });
    await notify(a, 'FirmwareStatusNotification', { status: 'Downloading', requestId: 5 });
    const b = await RawCharger.connect(uniqueChargerId('FWB'), 'ocpp1.6');
    await b.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt', firmwareVersion: version });
    await jobs(a.id); // flushes a's facts to D1
    const res = await api('GET', `/firmware?version=${version}`);
    expect(res.status).toBe(200);
    const { chargers, nextCursor } = await json(res);
    expect(nextCursor).toBeNull();
    const byId = Object.fromEntries(chargers.map((c: { chargerId: string }) => [c.chargerId, c]));
    expect(Object.keys(byId).sort()).toEqual([a.id, b.id].sort());
    expect(byId[a.id]).toMatchObject({ firmwareVersion: version, latestJob: { requestId: 5, status: 'Downloading', outcome: 'running' } });
    expect(byId[b.id]).toMatchObject({ firmwareVersion: version, latestJob: null });
    const first = await json(await api('GET', `/firmware?version=${version}&limit=1`));
    expect(first.chargers).toHaveLength(1);
    const second = await json(await api('GET', `/firmware?version=${version}&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`));
    expect(second.chargers.map((c: { chargerId: string }) => c.chargerId)).not.toContain(first.chargers[0].chargerId);
    expect((await api('GET', '/firmware?limit=0')).status).toBe(400);
    a.close();
    b.close();
  });
});
