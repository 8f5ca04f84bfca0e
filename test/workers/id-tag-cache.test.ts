// The id tag cache in each charger's object: D1 is read once per tag per ID_TAG_CACHE_SECONDS,
// decisions are still made at the current time, and what an operator changes arrives after the TTL.
import { env } from 'cloudflare:workers';
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { IdTagCache } from '../../src/charger/id-tag-cache';
import { DEFAULTS, readConfig } from '../../src/config';
import type { IdTagRecord } from '../../src/ocpp/authorization';
import { api, breakD1, RawCharger, uniqueChargerId } from './helpers';

/** A 1.6-sized tag no other test uses. */
function uniqueTag(prefix: string): string {
  return uniqueChargerId(prefix).slice(0, 20);
}

/** D1 statements the charger's object ran since it was constructed. */
async function statements(cp: RawCharger): Promise<number> {
  return (await env.CHARGERS.getByName(cp.id).stats()).d1Statements;
}

/** Makes every cached record of this charger as old as the TTL: the next decision must read D1. */
async function ageCache(cp: RawCharger): Promise<void> {
  await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => {
    state.storage.sql.exec('UPDATE id_tag_cache SET fetched_at = fetched_at - ?', DEFAULTS.idTagCacheSeconds * 1000);
  });
}

async function authorize(cp: RawCharger, idTag: string): Promise<unknown> {
  return ((await cp.call('Authorize', { idTag }))[2] as { idTagInfo: unknown }).idTagInfo;
}

const record = (idTag: string, fields: Partial<IdTagRecord> = {}): IdTagRecord => ({
  idTag,
  tokenType: null,
  status: 'Accepted',
  expiryDate: null,
  parentIdTag: null,
  firstSeenOffline: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('the id tag cache', () => {
  it('reads D1 once for Authorize then StartTransaction with the same tag, also after an eviction', async () => {
    const tag = uniqueTag('HIT');
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const before = await statements(cp);
    expect(await authorize(cp, tag)).toEqual({ status: 'Accepted' });
    expect(await statements(cp)).toBe(before + 1);
    // Same tag, any case (tags compare without regard to case): no D1.
    expect(await authorize(cp, tag.toLowerCase())).toEqual({ status: 'Accepted' });
    expect(await statements(cp)).toBe(before + 1);

    // Kept in the object's storage: a fresh instance (its counter starts at 0) finds it too.
    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    const start = { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() };
    const started = await cp.call('StartTransaction', start);
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    // No statement for the tag: the object read D1's transaction numbering once, at the boot. The one
    // statement is the start's tariff resolution (issue 14; charger/record-pricing.ts): one at every start.
    expect(await statements(cp)).toBe(1);
    cp.close();
  });

  it("keeps no record read for a 1.6 StartTransaction or StopTransaction: the tag's next decision here is a session away (no object row written for it)", async () => {
    const tag = uniqueTag('NOKEEP');
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const kept = () =>
      runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => state.storage.sql.exec('SELECT id_tag FROM id_tag_cache').toArray());
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(await kept()).toEqual([]);
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    const stopped = await cp.call('StopTransaction', { transactionId, idTag: tag, meterStop: 10, timestamp: new Date().toISOString() });
    expect(stopped[2]).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await kept()).toEqual([]);
    // An Authorize is followed by its start: kept, and the start uses it.
    expect(await authorize(cp, tag)).toEqual({ status: 'Accepted' });
    expect(await kept()).toEqual([{ id_tag: tag }]);
    const before = await statements(cp);
    await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 10, timestamp: new Date().toISOString() });
    // No statement for the tag; the one is the start's tariff resolution (issue 14: asked at every start).
    expect(await statements(cp)).toBe(before + 1);
    cp.close();
  });

  it('caches unknown tags too; one used offline is answered Invalid, listed apart, and never cached as known', async () => {
    const tag = uniqueTag('NEG');
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const before = await statements(cp);
    expect(await authorize(cp, tag)).toEqual({ status: 'Invalid' });
    expect(await authorize(cp, tag)).toEqual({ status: 'Invalid' });
    expect(await statements(cp)).toBe(before + 1);

    // Used while the charger was offline (stamped before this connection): looked up afresh
    // although the cache says "unknown", answered with its real status, and listed as seen offline.
    const offline = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: '2026-01-01T00:00:00Z' });
    expect(offline[2]).toMatchObject({ idTagInfo: { status: 'Invalid' } });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM id_tags WHERE id_tag = ?').bind(tag).first()).toEqual({ n: 0 });
    expect(await env.DB.prepare('SELECT charger_id FROM seen_offline_tags WHERE id_tag = ?').bind(tag).all()).toMatchObject({
      results: [{ charger_id: cp.id }],
    });
    // The cache holds what D1's id_tags says, nothing from the offline use: still unknown, still cached.
    const after = await statements(cp);
    expect(await authorize(cp, tag)).toEqual({ status: 'Invalid' });
    expect(await statements(cp)).toBe(after);
    await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => {
      expect(state.storage.sql.exec('SELECT record FROM id_tag_cache WHERE id_tag = ?', tag).toArray()).toEqual([{ record: '[]' }]);
    });
    cp.close();
  });

  it('does not use a cache row written before tokens had several types: D1 is read again', async () => {
    const tag = uniqueTag('OLD');
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    // What the old code cached for a tag it enrolled itself from an offline use: one record, Accepted.
    await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => {
      state.storage.sql.exec(
        'INSERT OR REPLACE INTO id_tag_cache (id_tag, record, fetched_at) VALUES (?, ?, ?)',
        tag,
        JSON.stringify(record(tag, { firstSeenOffline: true })),
        Date.now(),
      );
    });
    expect(await authorize(cp, tag)).toEqual({ status: 'Invalid' });
    cp.close();
  });

  it('looks a tag used offline up afresh: one created since it was cached as unknown is answered from D1', async () => {
    const tag = uniqueTag('NEW');
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect(await authorize(cp, tag)).toEqual({ status: 'Invalid' });
    // The operator creates it, blocked; the charger, offline meanwhile, let it charge.
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Blocked' })).status).toBe(201);
    const offline = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: '2026-01-01T00:00:00Z' });
    expect(offline[2]).toMatchObject({ idTagInfo: { status: 'Blocked' } });
    expect(await env.DB.prepare('SELECT status, first_seen_offline FROM id_tags WHERE id_tag = ?').bind(tag).first()).toEqual({
      status: 'Blocked',
      first_seen_offline: 0,
    });
    cp.close();
  });

  it('lets a blocked tag through for at most the TTL, then refuses it', async () => {
    const tag = uniqueTag('BLK');
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect(await authorize(cp, tag)).toEqual({ status: 'Accepted' });
    expect((await api('PUT', `/id-tags/${tag}`, { status: 'Blocked' })).status).toBe(200);
    // The documented trade-off: within the TTL the charger's object still has the old record.
    expect(await authorize(cp, tag)).toEqual({ status: 'Accepted' });

    await ageCache(cp);
    const before = await statements(cp);
    expect(await authorize(cp, tag)).toEqual({ status: 'Blocked' });
    expect(await statements(cp)).toBe(before + 1);
    // A transaction started with it now is told Blocked too.
    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 0, timestamp: new Date().toISOString() });
    expect(started[2]).toMatchObject({ idTagInfo: { status: 'Blocked' } });
    cp.close();
  });

  it('decides at the current time from a cached record: an expiryDate passed is Expired', async () => {
    const tag = uniqueTag('EXP');
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    // A record cached just now whose expiryDate has passed since D1 was read.
    await runInDurableObject(env.CHARGERS.getByName(cp.id), (_instance, state) => {
      new IdTagCache(state.storage.sql, DEFAULTS.idTagCacheSeconds).put(tag, [record(tag, { expiryDate: '2026-01-01T00:00:00.000Z' })], Date.now());
    });
    const before = await statements(cp);
    expect(await authorize(cp, tag)).toEqual({ status: 'Expired', expiryDate: '2026-01-01T00:00:00.000Z' });
    expect(await statements(cp)).toBe(before);
    cp.close();
  });

  it('answers InternalError when a record must be read and D1 is down; a cached one still answers', async () => {
    const [known, other] = [uniqueTag('UP'), uniqueTag('DOWN')];
    await api('PUT', `/id-tags/${known}`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    expect(await authorize(cp, known)).toEqual({ status: 'Accepted' });
    await breakD1(cp.id);
    const failed = await cp.call('Authorize', { idTag: other });
    expect(failed.slice(0, 3)).toEqual([4, failed[1], 'InternalError']);
    expect(await authorize(cp, known)).toEqual({ status: 'Accepted' });
    // Nothing was cached for the tag that failed: with D1 back, it is read.
    await evictDurableObject(env.CHARGERS.getByName(cp.id));
    expect(await authorize(cp, other)).toEqual({ status: 'Invalid' });
    expect(await statements(cp)).toBe(1);
    cp.close();
  });

  it('keeps a record for exactly the TTL; a TTL of 0 keeps none', async () => {
    await runInDurableObject(env.CHARGERS.getByName(uniqueChargerId('CACHE')), (_instance, state) => {
      const cache = new IdTagCache(state.storage.sql, 300);
      const t0 = 1_000_000;
      cache.put('ABC', [record('ABC')], t0);
      cache.put('NOBODY', [], t0);
      expect(cache.get('abc', t0 + 299_999)).toMatchObject([{ idTag: 'ABC', status: 'Accepted' }]);
      expect(cache.get('NOBODY', t0 + 299_999)).toEqual([]);
      expect(cache.get('ABC', t0 + 300_000)).toBeUndefined();
      // A later put drops what has expired.
      cache.put('XYZ', [], t0 + 300_000);
      expect(state.storage.sql.exec('SELECT id_tag FROM id_tag_cache').toArray()).toEqual([{ id_tag: 'XYZ' }]);
      cache.forget('xyz');
      expect(cache.get('XYZ', t0 + 300_000)).toBeUndefined();

      const off = new IdTagCache(state.storage.sql, 0);
      off.put('DEF', [record('DEF')], t0);
      expect(off.get('DEF', t0)).toBeUndefined();
    });
  });

  it('reads ID_TAG_CACHE_SECONDS: 300 by default, 0 turns it off', () => {
    expect(readConfig({}).idTagCacheSeconds).toBe(300);
    expect(readConfig({ ID_TAG_CACHE_SECONDS: '0' }).idTagCacheSeconds).toBe(0);
    expect(readConfig({ ID_TAG_CACHE_SECONDS: '60' }).idTagCacheSeconds).toBe(60);
    expect(() => readConfig({ ID_TAG_CACHE_SECONDS: '-1' })).toThrow(/ID_TAG_CACHE_SECONDS/);
    expect(() => readConfig({ ID_TAG_CACHE_SECONDS: '1.5' })).toThrow(/ID_TAG_CACHE_SECONDS/);
  });
});
