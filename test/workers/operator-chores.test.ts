// The operator's chores through the API (issue 15): DELETE /chargers/{id}, PATCH /id-tags/{idTag},
// and the CSV bulk imports of id tags and chargers with their per-row reports.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/index';
import { api, API_TOKEN, RawCharger, uniqueChargerId, worker } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

function csv(path: string, text: string, token = API_TOKEN, contentType = 'text/csv; charset=utf-8'): Promise<Response> {
  return worker(`/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: text });
}

async function newToken(scopes: string[]): Promise<string> {
  const res = await api('POST', '/tokens', { name: `chores ${scopes.join('+')}`, scopes });
  expect(res.status).toBe(201);
  return (await json(res)).token;
}

const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())!.n;

/** The upgrade as the Worker answers it under UNKNOWN_CHARGER_POLICY=reject. */
async function upgradeUnderReject(id: string): Promise<Response> {
  return await app.fetch(
    new Request(`http://csms.test/ocpp/${encodeURIComponent(id)}`, { headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6' } }),
    { ...env, UNKNOWN_CHARGER_POLICY: 'reject' } as typeof env,
  );
}

/** A 1.6 charger that boots, runs one session to its end and, if asked, starts another left running. */
async function chargerWithHistory(leaveRunning: boolean): Promise<{ cp: RawCharger; completed: number; running?: number }> {
  const tag = uniqueChargerId('TG').slice(0, 20);
  await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
  const cp = await RawCharger.connect(uniqueChargerId('DEL'), 'ocpp1.6');
  await cp.boot();
  const t0 = Date.now();
  const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 1_000, timestamp: new Date(t0).toISOString() }))[2] as { transactionId: number };
  const sample = { timestamp: new Date(t0 + 1_000).toISOString(), sampledValue: [{ value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] };
  expect((await cp.call('MeterValues', { connectorId: 1, transactionId: started.transactionId, meterValue: [sample] }))[0]).toBe(3);
  expect((await cp.call('StopTransaction', { transactionId: started.transactionId, meterStop: 2_500, timestamp: new Date(t0 + 2_000).toISOString(), reason: 'Local' }))[0]).toBe(3);
  if (!leaveRunning) return { cp, completed: started.transactionId };
  const second = (await cp.call('StartTransaction', { connectorId: 2, idTag: tag, meterStart: 5_000, timestamp: new Date(t0 + 3_000).toISOString() }))[2] as { transactionId: number };
  return { cp, completed: started.transactionId, running: second.transactionId };
}

describe('DELETE /chargers/{chargerId}', () => {
  it('404 for an unknown id and the second time; 400 for a bad force; admin only', async () => {
    const id = uniqueChargerId('DEL');
    expect((await api('DELETE', `/chargers/${id}`)).status).toBe(404);
    expect((await api('PUT', `/chargers/${id}`, {})).status).toBe(201);
    const bad = await api('DELETE', `/chargers/${id}?force=yes`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('InvalidParameter');
    const commander = await newToken(['command']);
    expect((await api('DELETE', `/chargers/${id}`, undefined, commander)).status).toBe(403);
    expect((await api('GET', `/chargers/${id}`)).status).toBe(200);

    const first = await api('DELETE', `/chargers/${id}`);
    expect(first.status).toBe(200);
    expect((await json(first)).deleted).toEqual({ chargerId: id, disconnected: false, queuedCommandsDropped: 0, runningTransactions: [] });
    const second = await api('DELETE', `/chargers/${id}`);
    expect(second.status).toBe(404);
    expect((await json(second)).error.code).toBe('UnknownCharger');
    expect((await api('GET', `/chargers/${id}`)).status).toBe(404);
  });

  it('B01/1.6 §4.2: closes the live connection (4004), drops registration and credentials, keeps billing history; under reject it can no longer connect', async () => {
    const { cp, completed } = await chargerWithHistory(false);
    expect((await api('PUT', `/chargers/${cp.id}`, { securityProfile: 0 })).status).toBe(200);
    const transactionsBefore = await count('SELECT COUNT(*) AS n FROM transactions WHERE charger_id = ?', cp.id);
    expect(transactionsBefore).toBe(1);

    const res = await api('DELETE', `/chargers/${cp.id}`);
    expect(res.status).toBe(200);
    expect((await json(res)).deleted).toMatchObject({ chargerId: cp.id, disconnected: true, runningTransactions: [] });
    expect((await cp.waitForClose()).code).toBe(4004);

    // Registration and credentials: gone. Under the reject policy it is refused like any stranger.
    expect(await count('SELECT COUNT(*) AS n FROM chargers WHERE id = ?', cp.id)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM connector_status WHERE charger_id = ?', cp.id)).toBe(0);
    const stranger = await upgradeUnderReject(uniqueChargerId('NEVER'));
    const refused = await upgradeUnderReject(cp.id);
    expect(stranger.status).not.toBe(101);
    expect(refused.status).toBe(stranger.status);

    // Billing history: kept, energy unchanged.
    const kept = await env.DB.prepare('SELECT status, meter_start_wh, meter_stop_wh FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?')
      .bind(cp.id, String(completed))
      .first<{ status: string; meter_start_wh: number; meter_stop_wh: number }>();
    expect(kept).toEqual({ status: 'completed', meter_start_wh: 1_000, meter_stop_wh: 2_500 });
    expect(await count('SELECT COUNT(*) AS n FROM connection_history WHERE charger_id = ?', cp.id)).toBeGreaterThan(0);
  });

  it('drops the object storage (queued commands) and a re-registration starts clean, continuing the 1.6 transaction numbering (1.6 §4.8: StartTransaction ids unique per charger)', async () => {
    const { cp, completed } = await chargerWithHistory(false);
    cp.close();
    await cp.waitForClose();
    // Offline: a command waits in the object's queue.
    const queued = await api('POST', `/chargers/${cp.id}/commands/Reset?queue=true`, { type: 'Soft' });
    expect(queued.status).toBe(202);
    expect((await json(await api('GET', `/chargers/${cp.id}/commands`))).commands).toHaveLength(1);

    const res = await api('DELETE', `/chargers/${cp.id}`);
    expect(res.status).toBe(200);
    expect((await json(res)).deleted).toMatchObject({ disconnected: false, queuedCommandsDropped: 1 });

    expect((await api('PUT', `/chargers/${cp.id}`, {})).status).toBe(201);
    const fresh = await json(await api('GET', `/chargers/${cp.id}`));
    expect(fresh.charger).toMatchObject({ registered: true, securityProfile: 0, hasPassword: false, connectors: [] });
    expect(fresh.charger.boot).toEqual({});
    expect((await json(await api('GET', `/chargers/${cp.id}/commands`))).commands).toEqual([]);

    // It connects again to a fresh object: the queued Reset is not sent, and its next transaction gets a new id.
    const again = await RawCharger.connect(cp.id, 'ocpp1.6');
    expect((await again.boot())[2]).toMatchObject({ status: 'Accepted' });
    const tag = uniqueChargerId('TG').slice(0, 20);
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const started = (await again.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 9_000, timestamp: new Date().toISOString() }))[2] as { transactionId: number };
    expect(started.transactionId).toBeGreaterThan(completed);
    again.close();
  });

  it('409 TransactionsRunning while a transaction runs (nothing changes); ?force=true deletes and keeps the transaction running as it was', async () => {
    const { cp, running } = await chargerWithHistory(true);
    const refused = await api('DELETE', `/chargers/${cp.id}`);
    expect(refused.status).toBe(409);
    const error = (await json(refused)).error;
    expect(error.code).toBe('TransactionsRunning');
    expect(error.transactions).toEqual([{ transactionId: String(running), evseId: 2 }]);
    // Nothing changed: registered, connected, still answered.
    expect(await count('SELECT COUNT(*) AS n FROM chargers WHERE id = ?', cp.id)).toBe(1);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);

    const forced = await api('DELETE', `/chargers/${cp.id}?force=true`);
    expect(forced.status).toBe(200);
    expect((await json(forced)).deleted).toMatchObject({ disconnected: true, runningTransactions: [{ transactionId: String(running), evseId: 2 }] });
    expect((await cp.waitForClose()).code).toBe(4004);
    const row = await env.DB.prepare('SELECT status, meter_start_wh FROM transactions WHERE charger_id = ? AND ocpp_transaction_id = ?')
      .bind(cp.id, String(running))
      .first();
    expect(row).toEqual({ status: 'active', meter_start_wh: 5_000 });
  });
});

describe('PATCH /id-tags/{idTag} (JSON merge patch)', () => {
  it('C01: blocking a tag keeps its expiry and group; null clears a field; only the given fields change', async () => {
    const tag = uniqueChargerId('PT').slice(0, 20);
    const expiry = '2031-05-01T00:00:00.000Z';
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Accepted', expiryDate: expiry, parentIdTag: 'FLEET-A' })).status).toBe(201);

    const blocked = await api('PATCH', `/id-tags/${tag}`, { status: 'Blocked' });
    expect(blocked.status).toBe(200);
    expect((await json(blocked)).idTag).toMatchObject({ idTag: tag, status: 'Blocked', expiryDate: expiry, parentIdTag: 'FLEET-A' });

    const cleared = await json(await api('PATCH', `/id-tags/${tag}`, { expiryDate: null }));
    expect(cleared.idTag).toMatchObject({ status: 'Blocked', expiryDate: null, parentIdTag: 'FLEET-A' });

    const stored = await json(await api('GET', `/id-tags/${tag}`));
    expect(stored.idTag).toMatchObject({ status: 'Blocked', expiryDate: null, parentIdTag: 'FLEET-A' });
  });

  it('validates like PUT and changes nothing on a bad body; 404 for an unknown tag or type; the type cannot be patched', async () => {
    const tag = uniqueChargerId('PT').slice(0, 20);
    await api('PUT', `/id-tags/${tag}?type=ISO14443`, { status: 'Accepted', parentIdTag: 'G1' });
    for (const body of [{ status: 'Bogus' }, { status: null }, { expiryDate: 'tomorrow' }, { parentIdTag: 'has space' }, { colour: 'red' }]) {
      const res = await api('PATCH', `/id-tags/${tag}?type=ISO14443`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.code).toBe('InvalidPayload');
    }
    const typeChange = await api('PATCH', `/id-tags/${tag}?type=ISO14443`, { type: 'KeyCode' });
    expect(typeChange.status).toBe(400);
    expect((await json(typeChange)).error.message).toMatch(/identity/);
    expect((await json(await api('GET', `/id-tags/${tag}?type=ISO14443`))).idTag).toMatchObject({ status: 'Accepted', parentIdTag: 'G1', type: 'ISO14443' });

    // The entry for any type does not exist: 404, and nothing is created.
    const unknownType = await api('PATCH', `/id-tags/${tag}`, { status: 'Blocked' });
    expect(unknownType.status).toBe(404);
    expect((await json(unknownType)).error.code).toBe('UnknownIdTag');
    expect((await api('PATCH', `/id-tags/${uniqueChargerId('NO').slice(0, 20)}`, { status: 'Blocked' })).status).toBe(404);
    expect((await api('GET', `/id-tags/${tag}`)).status).toBe(404);
    expect((await api('PATCH', `/id-tags/${tag}?type=ISO14443`, { status: 'Blocked' })).status).toBe(200);
  });

  it('C01 / 1.6 §4.1: a blocked tag is refused at the next Authorize (cache off)', async () => {
    const tag = uniqueChargerId('PT').slice(0, 20);
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted', expiryDate: '2031-01-01T00:00:00Z' });
    expect((await api('PATCH', `/id-tags/${tag}`, { status: 'Blocked' })).status).toBe(200);
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect((await cp.call('Authorize', { idTag: tag }))[2]).toMatchObject({ idTagInfo: { status: 'Blocked' } });
    cp.close();
  });
});

describe('POST /id-tags/import (CSV)', () => {
  it('reports each row (created, updated, unchanged, failed with its line); a bad row never stops or half-writes the others; dryRun writes nothing', async () => {
    const p = uniqueChargerId('IM').slice(0, 12);
    await api('PUT', `/id-tags/${p}-SAME`, { status: 'Accepted', parentIdTag: 'G' });
    await api('PUT', `/id-tags/${p}-CHG`, { status: 'Accepted', expiryDate: '2030-01-01T00:00:00Z' });
    const text =
      '\uFEFFidTag,status,expiryDate,parentIdTag,type\r\n' +
      `${p}-NEW,Accepted,2032-02-02T00:00:00Z,"G",\r\n` + // 2 created
      `${p}-same,Accepted,,G,\r\n` + // 3 unchanged (tags compare without regard to case)
      `${p}-CHG,Blocked,,,\r\n` + // 4 updated (PUT semantics: the expiry is cleared)
      `${p}-BAD,Maybe,,,\r\n` + // 5 failed: status
      `${p}-DATE,Accepted,next week,,\r\n` + // 6 failed: date
      `${p}-NEW,Blocked,,,\r\n` + // 7 failed: duplicate of line 2
      `${p}-FEW,Accepted\r\n` + // 8 failed: field count
      `"${p}-TYPED",Accepted,,,ISO14443\r\n` + // 9 created
      `${p}-BADTYPE,Accepted,,,Card\r\n` + // 10 failed: type
      `,Accepted,,,\r\n`; // 11 failed: no idTag

    const dry = await csv('/id-tags/import?dryRun=true', text);
    expect(dry.status).toBe(200);
    const dryReport = await json(dry);
    expect(await count("SELECT COUNT(*) AS n FROM id_tags WHERE id_tag IN (?, ?)", `${p}-NEW`, `${p}-TYPED`)).toBe(0);
    expect((await json(await api('GET', `/id-tags/${p}-CHG`))).idTag.status).toBe('Accepted');

    const res = await csv('/id-tags/import', text);
    expect(res.status).toBe(200);
    const report = await json(res);
    expect({ ...dryReport, dryRun: false }).toEqual(report);
    expect(report).toMatchObject({ dryRun: false, created: 2, updated: 1, unchanged: 1, failed: 6 });
    expect(report.rows.map((r: any) => [r.line, r.id, r.outcome])).toEqual([
      [2, `${p}-NEW`, 'created'],
      [3, `${p}-same`, 'unchanged'],
      [4, `${p}-CHG`, 'updated'],
      [5, `${p}-BAD`, 'failed'],
      [6, `${p}-DATE`, 'failed'],
      [7, `${p}-NEW`, 'failed'],
      [8, `${p}-FEW`, 'failed'],
      [9, `${p}-TYPED`, 'created'],
      [10, `${p}-BADTYPE`, 'failed'],
      [11, null, 'failed'],
    ]);
    expect(report.rows[3].error).toMatchObject({ code: 'InvalidRow', issues: [expect.objectContaining({ path: 'status' })] });
    expect(report.rows[5].error).toMatchObject({ code: 'DuplicateRow', message: expect.stringMatching(/line 2/) });
    expect(report.rows[6].error.message).toMatch(/2 fields; the header has 5/);

    expect((await json(await api('GET', `/id-tags/${p}-NEW`))).idTag).toMatchObject({ status: 'Accepted', expiryDate: '2032-02-02T00:00:00.000Z', parentIdTag: 'G' });
    expect((await json(await api('GET', `/id-tags/${p}-CHG`))).idTag).toMatchObject({ status: 'Blocked', expiryDate: null });
    expect((await json(await api('GET', `/id-tags/${p}-TYPED?type=ISO14443`))).idTag.status).toBe('Accepted');
    for (const bad of ['BAD', 'DATE', 'FEW', 'BADTYPE']) expect((await api('GET', `/id-tags/${p}-${bad}`)).status).toBe(404);

    // The same file again: nothing to write.
    const again = await json(await csv('/id-tags/import', text));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 4, failed: 6 });
  });

  it('takes a language column (an empty cell clears it); a file without that column keeps each tag\'s language', async () => {
    const p = uniqueChargerId('LANG').slice(0, 14);
    expect((await api('PUT', `/id-tags/${p}-KEEP`, { status: 'Accepted', language: 'de' })).status).toBe(201);
    expect((await api('PUT', `/id-tags/${p}-CLR`, { status: 'Accepted', language: 'fr' })).status).toBe(201);
    const withColumn = await json(
      await csv('/id-tags/import', `idTag,status,language\n${p}-NEW,Accepted,nl-BE\n${p}-CLR,Accepted,\n${p}-BAD,Accepted,not a language\n`),
    );
    expect(withColumn.rows.map((r: any) => [r.id, r.outcome])).toEqual([[`${p}-NEW`, 'created'], [`${p}-CLR`, 'updated'], [`${p}-BAD`, 'failed']]);
    expect(withColumn.rows[2].error.issues).toContainEqual(expect.objectContaining({ path: 'language' }));
    expect((await json(await api('GET', `/id-tags/${p}-NEW`))).idTag.language).toBe('nl-BE');
    expect((await json(await api('GET', `/id-tags/${p}-CLR`))).idTag.language).toBeNull();
    // Without the column: the same status is unchanged, a new status is written, and the language stays.
    const without = await json(await csv('/id-tags/import', `idTag,status\n${p}-KEEP,Blocked\n${p}-NEW,Accepted\n`));
    expect(without.rows.map((r: any) => r.outcome)).toEqual(['updated', 'unchanged']);
    expect((await json(await api('GET', `/id-tags/${p}-KEEP`))).idTag).toMatchObject({ status: 'Blocked', language: 'de' });
    expect((await json(await api('GET', `/id-tags/${p}-NEW`))).idTag.language).toBe('nl-BE');
  });

  it('1,000 rows in a handful of D1 statements (batched, not one per row)', async () => {
    const p = uniqueChargerId('BULK').slice(0, 14);
    const rows = Array.from({ length: 1_000 }, (_, i) => `${p}-${i},Accepted,2030-01-01T00:00:00Z,GROUP`);
    const stats = async () => (await json(await api('GET', '/isolate-stats'))).d1Statements as number;
    const before = await stats();
    const res = await csv('/id-tags/import', `idTag,status,expiryDate,parentIdTag\n${rows.join('\n')}\n`);
    const statements = (await stats()) - before;
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ created: 1_000, failed: 0 });
    console.log(JSON.stringify({ what: 'id-tag import of 1,000 rows', d1Statements: statements }));
    // The read of existing entries and the upserts, 500 rows a statement (the API token check aside).
    expect(statements).toBeLessThanOrEqual(8);
    expect(await count('SELECT COUNT(*) AS n FROM id_tags WHERE id_tag LIKE ?', `${p}-%`)).toBe(1_000);
  });

  it('refuses whole files it cannot take: wrong media type 415, bad CSV 400 with its line, unknown or missing column 400, over 5,000 rows 413', async () => {
    expect((await csv('/id-tags/import', 'idTag,status\nA,Accepted\n', API_TOKEN, 'application/json')).status).toBe(415);
    const broken = await csv('/id-tags/import', 'idTag,status\nA,Accepted\nB,"Accepted\n');
    expect(broken.status).toBe(400);
    expect((await json(broken)).error).toMatchObject({ code: 'InvalidCsv', line: 3 });
    const unknown = await csv('/id-tags/import', 'idTag,status,colour\n');
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatchObject({ code: 'InvalidCsv', column: 'colour' });
    expect((await csv('/id-tags/import', 'status\nAccepted\n')).status).toBe(400);
    expect((await csv('/id-tags/import', '')).status).toBe(400);
    expect((await csv('/id-tags/import?dryRun=maybe', 'idTag,status\n')).status).toBe(400);
    expect((await csv('/id-tags/import?dry=true', 'idTag,status\n')).status).toBe(400);
    const p = uniqueChargerId('BIG').slice(0, 12);
    const tooMany = await csv('/id-tags/import', `idTag,status\n${Array.from({ length: 5_001 }, (_, i) => `${p}-${i},Accepted`).join('\n')}\n`);
    expect(tooMany.status).toBe(413);
    expect((await json(tooMany)).error).toMatchObject({ code: 'TooManyRows', limit: 5_000 });
    expect(await count('SELECT COUNT(*) AS n FROM id_tags WHERE id_tag LIKE ?', `${p}-%`)).toBe(0);
    const commander = await newToken(['command']);
    expect((await csv('/id-tags/import', 'idTag,status\n', commander)).status).toBe(403);
  });
});

describe('POST /chargers/import (CSV)', () => {
  it('registers chargers row by row with a report; a password column is refused whole; profiles 1-2 need a password set elsewhere', async () => {
    const p = uniqueChargerId('CI').slice(0, 14);
    await api('PUT', `/chargers/${p}-PW`, { securityProfile: 1, password: 'a-good-password-123' });
    await api('PUT', `/chargers/${p}-SAME`, { securityProfile: 0 });

    const refused = await csv('/chargers/import', `id,securityProfile,password\n${p}-X,1,a-good-password-123\n`);
    expect(refused.status).toBe(400);
    expect((await json(refused)).error).toMatchObject({ code: 'ColumnRefused', column: 'password' });
    expect(await count('SELECT COUNT(*) AS n FROM chargers WHERE id = ?', `${p}-X`)).toBe(0);

    const text =
      'id,securityProfile\n' +
      `${p}-NEW,\n` + // 2 created, profile 0
      `${p}-SAME,0\n` + // 3 unchanged
      `${p}-PW,2\n` + // 4 updated: it has a password
      `${p}-NOPW,1\n` + // 5 failed: no password
      `${p}-BAD,7\n` + // 6 failed: profile
      `bad id,0\n` + // 7 failed: id
      `${p}-CERT,3\n` + // 8 created
      `${p}-NEW,3\n`; // 9 failed: duplicate
    const dry = await json(await csv('/chargers/import?dryRun=true', text));
    expect(await count('SELECT COUNT(*) AS n FROM chargers WHERE id IN (?, ?)', `${p}-NEW`, `${p}-CERT`)).toBe(0);
    const res = await csv('/chargers/import', text);
    expect(res.status).toBe(200);
    const report = await json(res);
    expect({ ...dry, dryRun: false }).toEqual(report);
    expect(report).toMatchObject({ created: 2, updated: 1, unchanged: 1, failed: 4, closedConnections: 0 });
    expect(report.rows.map((r: any) => [r.line, r.outcome])).toEqual([
      [2, 'created'],
      [3, 'unchanged'],
      [4, 'updated'],
      [5, 'failed'],
      [6, 'failed'],
      [7, 'failed'],
      [8, 'created'],
      [9, 'failed'],
    ]);
    expect(report.rows[3].error.message).toMatch(/needs a password/);
    expect((await json(await api('GET', `/chargers/${p}-NEW`))).charger).toMatchObject({ registered: true, securityProfile: 0 });
    expect((await json(await api('GET', `/chargers/${p}-CERT`))).charger).toMatchObject({ registered: true, securityProfile: 3 });
    expect((await json(await api('GET', `/chargers/${p}-PW`))).charger).toMatchObject({ securityProfile: 2, hasPassword: true });
    expect((await api('GET', `/chargers/${p}-NOPW`)).status).toBe(404);
  });

  it('a raised profile closes the connections that no longer qualify, as PUT does', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('CI'), 'ocpp1.6');
    await cp.boot();
    const report = await json(await csv('/chargers/import', `id,securityProfile\n${cp.id},3\n`));
    expect(report).toMatchObject({ updated: 1, closedConnections: 1 });
    expect((await cp.waitForClose()).code).toBe(4003);
  });
});
