// Who may charge (issue 11, Authorization): unknown tags used offline never become accepted,
// 2.0.1 tokens are (idToken, type) pairs, remote-start tokens are let through, ConcurrentTx.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** A 1.6-sized tag no other test uses. */
function uniqueTag(prefix: string): string {
  return uniqueChargerId(prefix).slice(0, 20);
}

/** Changes the configuration the charger's current object instance decides with (until it is evicted). */
async function configure(cp: RawCharger, change: Partial<Config>): Promise<void> {
  await runInDurableObject(env.CHARGERS.getByName(cp.id), (instance) => {
    const object = instance as unknown as { config: Config };
    object.config = { ...object.config, ...change };
  });
}

async function connect(version: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId(), version);
  await cp.boot();
  return cp;
}

async function authorize16(cp: RawCharger, idTag: string): Promise<any> {
  return ((await cp.call('Authorize', { idTag }))[2] as { idTagInfo: unknown }).idTagInfo;
}

async function authorize201(cp: RawCharger, idToken: string, type: string): Promise<any> {
  return ((await cp.call('Authorize', { idToken: { idToken, type } }))[2] as { idTokenInfo: unknown }).idTokenInfo;
}

function event201(transactionId: string, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', extra: Record<string, unknown> = {}) {
  return {
    eventType,
    timestamp: new Date().toISOString(),
    triggerReason: eventType === 'Ended' ? 'StopAuthorized' : 'Authorized',
    seqNo,
    transactionInfo: { transactionId },
    ...extra,
  };
}

describe('an unknown tag used offline', () => {
  it('1.6: is answered Invalid, stays unusable everywhere, and is listed as seen offline with its transaction', async () => {
    const tag = uniqueTag('OFF16');
    const cp = await connect('ocpp1.6');
    // Stamped before this connection opened: the charger ran it offline.
    const start = { connectorId: 1, idTag: tag, meterStart: 0, timestamp: '2026-01-01T00:00:00Z' };
    const started = await cp.call('StartTransaction', start);
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    const stopped = await cp.call('StopTransaction', { transactionId, idTag: tag, meterStop: 500, timestamp: '2026-01-01T01:00:00Z' });
    expect(stopped[2]).toEqual({ idTagInfo: { status: 'Invalid' } });

    // Not in id_tags, so no other charger (nor this one) lets it charge.
    expect((await api('GET', `/id-tags/${tag}`)).status).toBe(404);
    const other = await connect('ocpp1.6');
    expect(await authorize16(other, tag)).toEqual({ status: 'Invalid' });
    expect(await authorize16(cp, tag)).toEqual({ status: 'Invalid' });

    // The transaction was recorded (it happened), with the status the CSMS answered.
    await env.CHARGERS.getByName(cp.id).flushNow();
    const { transaction } = await json(await api('GET', `/chargers/${cp.id}/transactions/${transactionId}`));
    expect(transaction).toMatchObject({ idTag: tag, idTagStatus: 'Invalid' });

    // Listed for the operator (and billing), with the transaction it was used in; once.
    const seen = await json(await api('GET', `/seen-offline-tags/${tag}`));
    expect(seen).toEqual({
      idTag: tag,
      uses: [{ type: null, chargerId: cp.id, transactionId: String(transactionId), seenAt: '2026-01-01T00:00:00.000Z', recordedAt: expect.any(String) }],
    });
    const list = await json(await api('GET', `/seen-offline-tags?unregistered=true&cursor=${encodeURIComponent(tag.slice(0, -1))}`));
    expect(list.tags.find((t: { idTag: string }) => t.idTag === tag)).toMatchObject({ idTag: tag, types: [], uses: 1, registered: false });

    // The operator approves it by registering it: from then on it authorizes, marked as first seen offline.
    const put = await json(await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' }));
    expect(put.idTag).toMatchObject({ status: 'Accepted', firstSeenOffline: true });
    const third = await connect('ocpp1.6');
    expect(await authorize16(third, tag)).toEqual({ status: 'Accepted' });
    const after = await json(await api('GET', `/seen-offline-tags?unregistered=true&cursor=${encodeURIComponent(tag.slice(0, -1))}`));
    expect(after.tags.map((t: { idTag: string }) => t.idTag)).not.toContain(tag);

    // Dismissing forgets the uses.
    expect((await api('DELETE', `/seen-offline-tags/${tag}`)).status).toBe(204);
    expect((await api('GET', `/seen-offline-tags/${tag}`)).status).toBe(404);
    for (const c of [cp, other, third]) c.close();
  });

  it('2.0.1: an event with offline true is answered Invalid, listed with its type, and the token stays unknown', async () => {
    const token = uniqueChargerId('OFF201');
    const cp = await connect('ocpp2.0.1');
    const answer = await cp.call(
      'TransactionEvent',
      event201('OFF-TX-1', 0, 'Started', { offline: true, idToken: { idToken: token, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } }),
    );
    expect(answer[2]).toEqual({ idTokenInfo: { status: 'Invalid' } });
    const other = await connect('ocpp2.0.1');
    expect(await authorize201(other, token, 'ISO14443')).toEqual({ status: 'Invalid' });
    expect((await json(await api('GET', `/seen-offline-tags/${token}`))).uses).toEqual([
      { type: 'ISO14443', chargerId: cp.id, transactionId: 'OFF-TX-1', seenAt: expect.any(String), recordedAt: expect.any(String) },
    ]);
    expect((await api('GET', `/id-tags/${token}?type=ISO14443`)).status).toBe(404);
    cp.close();
    other.close();
  });

  it('is not listed under UNKNOWN_OFFLINE_TAG_POLICY=ignore, and still answered Invalid', async () => {
    const tag = uniqueTag('IGN');
    const cp = await connect('ocpp1.6');
    await configure(cp, { unknownOfflineTagPolicy: 'ignore' });
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: '2026-01-01T00:00:00Z' });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    expect((await api('GET', `/seen-offline-tags/${tag}`)).status).toBe(404);
    cp.close();
  });

  it('reads UNKNOWN_OFFLINE_TAG_POLICY: list by default; the old accept and reject still read (as list and ignore)', async () => {
    const { readConfig } = await import('../../src/config');
    expect(readConfig({}).unknownOfflineTagPolicy).toBe('list');
    expect(readConfig({ UNKNOWN_OFFLINE_TAG_POLICY: 'accept' }).unknownOfflineTagPolicy).toBe('list');
    expect(readConfig({ UNKNOWN_OFFLINE_TAG_POLICY: 'reject' }).unknownOfflineTagPolicy).toBe('ignore');
    expect(() => readConfig({ UNKNOWN_OFFLINE_TAG_POLICY: 'maybe' })).toThrow(/UNKNOWN_OFFLINE_TAG_POLICY/);
    expect(readConfig({}).concurrentTx).toBe('allow');
    expect(() => readConfig({ CONCURRENT_TX: 'sometimes' })).toThrow(/CONCURRENT_TX/);
  });
});

describe('the migration of tags the CSMS enrolled itself', () => {
  it('moves never-edited first_seen_offline Accepted rows to seen_offline_tags; keeps what an operator wrote', async () => {
    // The real migration, run on renamed copies of its tables so that the shared D1 is untouched.
    const suffix = crypto.randomUUID().replace(/-/g, '').slice(0, 8);
    const rename = (sql: string) =>
      sql.replace(/\b(id_tags_by_type|id_tags|seen_offline_tags_by_charger|seen_offline_tags)\b/g, (name) => `m${suffix}_${name}`);
    const oldSchema = env.TEST_MIGRATIONS.flatMap((m) => m.queries).find((q) => /CREATE TABLE id_tags\b/.test(q));
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes('_authorization_tokens'));
    expect(oldSchema).toBeDefined();
    expect(migration).toBeDefined();
    await env.DB.prepare(rename(oldSchema!)).run();
    const insert = env.DB.prepare(
      `INSERT INTO m${suffix}_id_tags (id_tag, token_type, status, parent_id_tag, first_seen_offline, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?)`,
    );
    const t0 = '2026-01-01T00:00:00.000Z';
    const t1 = '2026-01-02T00:00:00.000Z';
    await env.DB.batch([
      insert.bind('ENROLLED', null, 'Accepted', 1, t0, t0), // the CSMS's own doing: must stop authorizing
      insert.bind('APPROVED', null, 'Accepted', 1, t0, t1), // an operator wrote it since: stays
      insert.bind('REGULAR', 'ISO14443', 'Accepted', 0, t0, t0),
      insert.bind('BLOCKED', null, 'Blocked', 1, t0, t0),
    ]);
    for (const query of migration!.queries) await env.DB.prepare(rename(query)).run();

    const { results: tags } = await env.DB.prepare(`SELECT id_tag, token_type, status FROM m${suffix}_id_tags ORDER BY id_tag`).all();
    expect(tags).toEqual([
      { id_tag: 'APPROVED', token_type: '', status: 'Accepted' },
      { id_tag: 'BLOCKED', token_type: '', status: 'Blocked' },
      { id_tag: 'REGULAR', token_type: 'ISO14443', status: 'Accepted' },
    ]);
    const { results: seen } = await env.DB.prepare(`SELECT id_tag, token_type, charger_id, transaction_id, seen_at FROM m${suffix}_seen_offline_tags`).all();
    expect(seen).toEqual([{ id_tag: 'ENROLLED', token_type: '', charger_id: '', transaction_id: '', seen_at: t0 }]);
    for (const table of ['id_tags', 'seen_offline_tags']) await env.DB.prepare(`DROP TABLE m${suffix}_${table}`).run();
  });
});

describe('2.0.1 tokens as (idToken, type) pairs', () => {
  it('decides by the entry of the presented type, else the entry for any type', async () => {
    const token = uniqueChargerId('PAIR');
    await api('PUT', `/id-tags/${token}`, { status: 'Accepted', type: 'ISO14443' });
    await api('PUT', `/id-tags/${token}`, { status: 'Blocked', type: 'KeyCode' });
    const cp = await connect('ocpp2.0.1');
    expect(await authorize201(cp, token, 'ISO14443')).toEqual({ status: 'Accepted' });
    expect(await authorize201(cp, token, 'KeyCode')).toEqual({ status: 'Blocked' });
    expect(await authorize201(cp, token, 'eMAID')).toEqual({ status: 'Invalid' });
    // An entry for any type covers the types without their own entry.
    await api('PUT', `/id-tags/${token}`, { status: 'Accepted' });
    const fresh = await connect('ocpp2.0.1');
    expect(await authorize201(fresh, token, 'eMAID')).toEqual({ status: 'Accepted' });
    expect(await authorize201(fresh, token, 'KeyCode')).toEqual({ status: 'Blocked' });
    cp.close();
    fresh.close();
  });

  it('1.6 (no type): the entry for any type, else the strongest refusal among the typed entries', async () => {
    const [card, mixed] = [uniqueTag('CARD'), uniqueTag('MIX')];
    await api('PUT', `/id-tags/${card}`, { status: 'Accepted', type: 'ISO14443' });
    await api('PUT', `/id-tags/${mixed}`, { status: 'Accepted', type: 'ISO14443' });
    await api('PUT', `/id-tags/${mixed}`, { status: 'Blocked', type: 'KeyCode' });
    const cp = await connect('ocpp1.6');
    expect(await authorize16(cp, card)).toEqual({ status: 'Accepted' });
    expect(await authorize16(cp, mixed)).toEqual({ status: 'Blocked' });
    cp.close();
  });

  it("sends the group's own type with groupIdToken; Central when the group has no single type", async () => {
    const [group, member, loose, member2] = [uniqueChargerId('GRP'), uniqueChargerId('MEM'), uniqueChargerId('LOOSE'), uniqueChargerId('MEM2')];
    await api('PUT', `/id-tags/${group}`, { status: 'Accepted', type: 'eMAID' });
    await api('PUT', `/id-tags/${member}`, { status: 'Accepted', type: 'ISO14443', parentIdTag: group });
    await api('PUT', `/id-tags/${member2}`, { status: 'Accepted', type: 'ISO14443', parentIdTag: loose });
    const cp = await connect('ocpp2.0.1');
    expect(await authorize201(cp, member, 'ISO14443')).toEqual({ status: 'Accepted', groupIdToken: { idToken: group, type: 'eMAID' } });
    expect(await authorize201(cp, member2, 'ISO14443')).toEqual({ status: 'Accepted', groupIdToken: { idToken: loose, type: 'Central' } });

    // The local list sends the same type.
    const sync = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [member] });
    const call = await cp.next();
    expect(call[3]).toMatchObject({
      localAuthorizationList: [
        { idToken: { idToken: member, type: 'ISO14443' }, idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: group, type: 'eMAID' } } },
      ],
    });
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await sync).status).toBe(200);
    cp.close();
  });

  it('local list: an entry for any type is not sent to a 2.0.1 charger as an invented type; it is skipped with its reason', async () => {
    const [anyType, typed, gone] = [uniqueChargerId('ANY'), uniqueChargerId('TYPED'), uniqueChargerId('GONE')];
    await api('PUT', `/id-tags/${anyType}`, { status: 'Accepted' });
    await api('PUT', `/id-tags/${typed}`, { status: 'Accepted', type: 'KeyCode' });
    const cp = await connect('ocpp2.0.1');
    const sync = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [anyType, typed, gone] });
    const call = await cp.next();
    expect(call[3]).toEqual({
      versionNumber: 1,
      updateType: 'Differential',
      localAuthorizationList: [{ idToken: { idToken: typed, type: 'KeyCode' }, idTokenInfo: { status: 'Accepted' } }],
    });
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    const body = await json(await sync);
    expect(body.skipped).toEqual([
      { idTag: anyType, type: null, reason: expect.stringContaining('any type') },
      { idTag: gone, type: null, reason: expect.stringContaining('Full list') },
    ]);
    cp.close();
  });
});

describe('a token sent in a remote start', () => {
  it('2.0.1: is Accepted at that charger for its Authorize and TransactionEvent, though id_tags does not know it', async () => {
    const token = uniqueChargerId('REMOTE');
    const cp = await connect('ocpp2.0.1');
    const command = api('POST', `/chargers/${cp.id}/commands/RequestStartTransaction`, {
      remoteStartId: 7,
      idToken: { idToken: token, type: 'Central' },
    });
    const call = await cp.next();
    expect(call[2]).toBe('RequestStartTransaction');
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await command).status).toBe(200);

    const info = await authorize201(cp, token, 'Central');
    expect(info).toMatchObject({ status: 'Accepted', cacheExpiryDateTime: expect.any(String) });
    // The permission ends: the charger's own cache must not keep it longer.
    expect(Date.parse(info.cacheExpiryDateTime) - Date.now()).toBeLessThanOrEqual(600_000);
    const started = await cp.call(
      'TransactionEvent',
      event201('RS-TX-1', 0, 'Started', {
        triggerReason: 'RemoteStart',
        idToken: { idToken: token, type: 'Central' },
        evse: { id: 1, connectorId: 1 },
        transactionInfo: { transactionId: 'RS-TX-1', remoteStartId: 7 },
      }),
    );
    expect(started[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
    // Only that token (type included), only at that charger, and never written to id_tags.
    expect(await authorize201(cp, token, 'ISO14443')).toEqual({ status: 'Invalid' });
    const other = await connect('ocpp2.0.1');
    expect(await authorize201(other, token, 'Central')).toEqual({ status: 'Invalid' });
    expect((await api('GET', `/id-tags/${token}?type=Central`)).status).toBe(404);
    cp.close();
    other.close();
  });

  it('1.6: RemoteStartTransaction idTag is Accepted at Authorize and StartTransaction; a refused remote start lets nothing through', async () => {
    const [tag, refused] = [uniqueTag('RS16'), uniqueTag('RSNO')];
    const cp = await connect('ocpp1.6');
    const command = api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, { idTag: tag, connectorId: 1 });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await command).status).toBe(200);
    expect(await authorize16(cp, tag)).toMatchObject({ status: 'Accepted', expiryDate: expect.any(String) });
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });

    const no = api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, { idTag: refused });
    const call2 = await cp.next();
    cp.sendRaw(JSON.stringify([3, call2[1], { status: 'Rejected' }]));
    await no;
    expect(await authorize16(cp, refused)).toEqual({ status: 'Invalid' });
    cp.close();
  });

  it('1.6: lets one start through, at the connector it named; another connector or a second start is Invalid, a replay keeps its answer', async () => {
    const tag = uniqueTag('RSONE');
    const cp = await connect('ocpp1.6');
    const command = api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, { idTag: tag, connectorId: 1 });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await command).status).toBe(200);
    const startAt = (connectorId: number, minute: number) => ({
      connectorId,
      idTag: tag,
      meterStart: minute,
      timestamp: new Date(Date.now() + minute * 1_000).toISOString(),
    });
    // Not at a connector the request did not name.
    const elsewhere = await cp.call('StartTransaction', startAt(2, 1));
    expect(elsewhere[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    const first = startAt(1, 2);
    const started = await cp.call('StartTransaction', first);
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted', expiryDate: expect.any(String) } });
    const tx = (started[2] as { transactionId: number }).transactionId;
    // Its own replay and its stop are still that transaction's.
    expect((await cp.call('StartTransaction', first))[2]).toEqual(started[2]);
    expect((await cp.call('StopTransaction', { transactionId: tx, idTag: tag, meterStop: 10, timestamp: new Date().toISOString() }))[2])
      .toMatchObject({ idTagInfo: { status: 'Accepted' } });
    // Used up: the next start with the same token, and Authorize, are Invalid again.
    expect((await cp.call('StartTransaction', startAt(1, 3)))[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    expect(await authorize16(cp, tag)).toEqual({ status: 'Invalid' });
    cp.close();
  });

  it('a refused remote start forgets only itself: another request for the same token keeps its permission', async () => {
    const tag = uniqueTag('RSTWO');
    const cp = await connect('ocpp1.6');
    // Both in flight at once; the charger takes the one for connector 1 and refuses the one for connector 2.
    const commands = [1, 2].map((connectorId) =>
      api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, { idTag: tag, connectorId }),
    );
    for (let i = 0; i < 2; i++) {
      const call = await cp.next();
      const { connectorId } = call[3] as { connectorId: number };
      cp.sendRaw(JSON.stringify([3, call[1], { status: connectorId === 1 ? 'Accepted' : 'Rejected' }]));
    }
    await Promise.all(commands);
    expect(await authorize16(cp, tag)).toMatchObject({ status: 'Accepted' });
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    cp.close();
  });

  it('2.0.1: is for the EVSE the request named and for one transaction, whose later events stay Accepted', async () => {
    const token = uniqueChargerId('RSEVSE');
    const idToken = { idToken: token, type: 'Central' };
    const cp = await connect('ocpp2.0.1');
    const send = async (remoteStartId: number, evseId?: number) => {
      const command = api('POST', `/chargers/${cp.id}/commands/RequestStartTransaction`, {
        remoteStartId,
        idToken,
        ...(evseId === undefined ? {} : { evseId }),
      });
      const call = await cp.next();
      cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
      expect((await command).status).toBe(200);
    };
    const status = async (tx: string, seqNo: number, type: 'Started' | 'Updated' | 'Ended', extra: Record<string, unknown>) =>
      ((await cp.call('TransactionEvent', event201(tx, seqNo, type, extra)))[2] as { idTokenInfo?: { status: string } }).idTokenInfo?.status;

    await send(11, 1);
    expect(await status('RS-E2', 0, 'Started', { idToken, evse: { id: 2, connectorId: 1 } })).toBe('Invalid');
    const started = { idToken, evse: { id: 1, connectorId: 1 }, transactionInfo: { transactionId: 'RS-E1', remoteStartId: 11 } };
    expect(await status('RS-E1', 0, 'Started', started)).toBe('Accepted');
    expect(await status('RS-E1', 1, 'Updated', { idToken })).toBe('Accepted');
    expect(await status('RS-E1', 2, 'Ended', { idToken })).toBe('Accepted');
    expect(await status('RS-E1B', 0, 'Started', { idToken, evse: { id: 1, connectorId: 1 } })).toBe('Invalid');

    // A transaction that names the request's remoteStartId uses it up, though its events leave the token out.
    await send(12);
    await cp.call('TransactionEvent', event201('RS-L', 0, 'Started', { evse: { id: 1, connectorId: 1 }, transactionInfo: { transactionId: 'RS-L', remoteStartId: 12 } }));
    expect(await status('RS-M', 0, 'Started', { idToken, evse: { id: 2, connectorId: 1 } })).toBe('Invalid');
    expect(await status('RS-L', 1, 'Updated', { idToken })).toBe('Accepted');
    cp.close();
  });

  it('an object that kept the old remote_start_tokens / remote_start_links tables carries them over once', async () => {
    const token = uniqueChargerId('RSOLD');
    const cp = await connect('ocpp2.0.1');
    const stub = env.CHARGERS.getByName(cp.id);
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec(`CREATE TABLE remote_start_tokens (id_tag TEXT NOT NULL COLLATE NOCASE, token_type TEXT NOT NULL,
        expires_at INTEGER NOT NULL, PRIMARY KEY (id_tag, token_type))`);
      sql.exec(`CREATE TABLE remote_start_links (remote_start_id INTEGER PRIMARY KEY, id_token TEXT NOT NULL, sent_at INTEGER NOT NULL)`);
      sql.exec('INSERT INTO remote_start_tokens VALUES (?, ?, ?)', token, 'Central', Date.now() + 600_000);
      sql.exec('INSERT INTO remote_start_links VALUES (?, ?, ?)', 77, 'OLD-LINKED-TOKEN', Date.now());
      // Such an object is from before schema versions (charger/schema.ts): none is recorded.
      sql.exec('DROP TABLE schema_version');
    });
    await evictDurableObject(stub);
    expect(await authorize201(cp, token, 'Central')).toMatchObject({ status: 'Accepted' });
    await cp.call(
      'TransactionEvent',
      event201('RS-OLD', 0, 'Started', { triggerReason: 'RemoteStart', evse: { id: 1, connectorId: 1 }, transactionInfo: { transactionId: 'RS-OLD', remoteStartId: 77 } }),
    );
    expect((await json(await api('GET', `/chargers/${cp.id}/transactions/RS-OLD`))).transaction).toMatchObject({ idTag: 'OLD-LINKED-TOKEN' });
    const tables = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'remote_start%' ORDER BY name`)
        .toArray()
        .map((r) => r.name),
    );
    expect(tables).toEqual(['remote_starts']);
    cp.close();
  });

  it('does not lift a status the operator set: a Blocked tag stays Blocked', async () => {
    const tag = uniqueTag('RSBLK');
    await api('PUT', `/id-tags/${tag}`, { status: 'Blocked' });
    const cp = await connect('ocpp1.6');
    const command = api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, { idTag: tag });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    await command;
    expect(await authorize16(cp, tag)).toEqual({ status: 'Blocked' });
    cp.close();
  });
});

describe('ConcurrentTx', () => {
  it('1.6, CONCURRENT_TX=reject: a tag running on one connector is ConcurrentTx for Authorize and a start on another', async () => {
    const tag = uniqueTag('CTX16');
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await connect('ocpp1.6');
    await configure(cp, { concurrentTx: 'reject' });
    const first = { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() };
    const started = await cp.call('StartTransaction', first);
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    const tx1 = (started[2] as { transactionId: number }).transactionId;
    expect(await authorize16(cp, tag)).toEqual({ status: 'ConcurrentTx' });
    const second = await cp.call('StartTransaction', { connectorId: 2, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
    expect(second[2]).toMatchObject({ idTagInfo: { status: 'ConcurrentTx' } });
    const tx2 = (second[2] as { transactionId: number }).transactionId;
    // A replay of the first start is that same transaction, not a concurrent one.
    const replay = await cp.call('StartTransaction', first);
    expect(replay[2]).toEqual({ transactionId: tx1, idTagInfo: { status: 'Accepted' } });
    // Ending is never refused as concurrent.
    const stop1 = await cp.call('StopTransaction', { transactionId: tx1, idTag: tag, meterStop: 10, timestamp: new Date().toISOString() });
    expect(stop1[2]).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await authorize16(cp, tag)).toEqual({ status: 'ConcurrentTx' });
    await cp.call('StopTransaction', { transactionId: tx2, meterStop: 10, timestamp: new Date().toISOString() });
    expect(await authorize16(cp, tag)).toEqual({ status: 'Accepted' });
    cp.close();
  });

  it('2.0.1, CONCURRENT_TX=reject: a Started event on a second EVSE is ConcurrentTx, until the first ends', async () => {
    const token = uniqueChargerId('CTX201');
    await api('PUT', `/id-tags/${token}`, { status: 'Accepted' });
    const cp = await connect('ocpp2.0.1');
    await configure(cp, { concurrentTx: 'reject' });
    const idToken = { idToken: token, type: 'ISO14443' };
    const a = await cp.call('TransactionEvent', event201('CTX-A', 0, 'Started', { idToken, evse: { id: 1, connectorId: 1 } }));
    expect(a[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
    // The same transaction's next event with the token is not concurrent with itself.
    const a1 = await cp.call('TransactionEvent', event201('CTX-A', 1, 'Updated', { idToken }));
    expect(a1[2]).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const b = await cp.call('TransactionEvent', event201('CTX-B', 0, 'Started', { idToken, evse: { id: 2, connectorId: 1 } }));
    expect(b[2]).toEqual({ idTokenInfo: { status: 'ConcurrentTx' } });
    expect(await authorize201(cp, token, 'ISO14443')).toEqual({ status: 'ConcurrentTx' });
    await cp.call('TransactionEvent', event201('CTX-A', 2, 'Ended', { idToken }));
    await cp.call('TransactionEvent', event201('CTX-B', 1, 'Ended'));
    expect(await authorize201(cp, token, 'ISO14443')).toEqual({ status: 'Accepted' });
    cp.close();
  });

  it('counts transactions D1 shows running from before the object noted them, read once; a boot ends them', async () => {
    const tag = uniqueTag('CTXOLD');
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await connect('ocpp1.6');
    const stub = env.CHARGERS.getByName(cp.id);
    // As an object from before ConcurrentTx was kept: it has not seen the transaction D1 shows running.
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      if (sql.exec(`SELECT 1 FROM sqlite_master WHERE name = 'active_tokens_seeded'`).toArray().length > 0) sql.exec('DELETE FROM active_tokens_seeded');
    });
    await env.DB.prepare(
      `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
       VALUES (?1, 'ocpp1.6', '9000', 'before-deploy', 0, 1, ?2, 'active', '2026-05-01T08:00:00Z', 0, '2026-05-01T08:00:00Z')`,
    )
      .bind(cp.id, tag)
      .run();
    await configure(cp, { concurrentTx: 'reject' });
    const before = (await stub.stats()).d1Statements;
    expect(await authorize16(cp, tag)).toEqual({ status: 'ConcurrentTx' });
    expect(await authorize16(cp, tag)).toEqual({ status: 'ConcurrentTx' });
    // D1 read twice at most: the tag's record (then cached) and the running transactions, once.
    expect((await stub.stats()).d1Statements - before).toBeLessThanOrEqual(2);
    // Its stop ends it like any other.
    await cp.call('StopTransaction', { transactionId: 9000, meterStop: 10, timestamp: new Date().toISOString() });
    expect(await authorize16(cp, tag)).toEqual({ status: 'Accepted' });
    cp.close();

    // A boot ends whatever ran before it: nothing is read in after one.
    const other = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await env.DB.prepare(
      `INSERT INTO transactions (charger_id, protocol, ocpp_transaction_id, start_key, evse_id, connector_id, id_tag, status, started_at, meter_start_wh, updated_at)
       VALUES (?1, 'ocpp1.6', '9001', 'before-boot', 0, 1, ?2, 'active', '2026-05-01T08:00:00Z', 0, '2026-05-01T08:00:00Z')`,
    )
      .bind(other.id, tag)
      .run();
    await other.boot();
    await configure(other, { concurrentTx: 'reject' });
    expect(await authorize16(other, tag)).toEqual({ status: 'Accepted' });
    other.close();
  });

  it('CONCURRENT_TX=allow (the default): the same tag starts on two connectors', async () => {
    const tag = uniqueTag('CTXOK');
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await connect('ocpp1.6');
    for (const connectorId of [1, 2]) {
      const started = await cp.call('StartTransaction', { connectorId, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
      expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    }
    expect(await authorize16(cp, tag)).toEqual({ status: 'Accepted' });
    cp.close();
  });
});
