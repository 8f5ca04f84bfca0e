// Runtime tests of /api/v1/id-tags: the Worker and a real D1 (shared by all test files, so every tag name is unique).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { isolateStats } from '../../src/isolate-stats';
import { countingD1 } from '../../src/store/counting-d1';
import { IdTagStore } from '../../src/store/id-tags';
import { api, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** A tag name no other test uses. */
function uniqueTag(prefix = 'TAG'): string {
  return uniqueChargerId(prefix);
}

const path = (idTag: string) => `/id-tags/${encodeURIComponent(idTag)}`;

describe('the id tag API', () => {
  it('needs the bearer token', async () => {
    const tag = uniqueTag();
    for (const [method, body] of [['GET', undefined], ['PUT', { status: 'Accepted' }], ['DELETE', undefined]] as const) {
      const res = await api(method, path(tag), body, 'wrong');
      expect(res.status).toBe(401);
      expect(await json(res)).toMatchObject({ error: { code: 'Unauthorized' } });
    }
    expect((await api('GET', '/id-tags', undefined, 'wrong')).status).toBe(401);
    // Nothing was written.
    expect((await api('GET', path(tag))).status).toBe(404);
  });

  it('creates a tag with 201, then updates it with 200, keeping createdAt', async () => {
    const tag = uniqueTag();
    const created = await api('PUT', path(tag), {
      status: 'Accepted',
      expiryDate: '2030-01-01T01:00:00+01:00',
      parentIdTag: 'FLEET-1',
      type: 'ISO14443',
    });
    expect(created.status).toBe(201);
    const first = (await json(created)).idTag;
    expect(first).toEqual({
      idTag: tag,
      type: 'ISO14443',
      status: 'Accepted',
      expiryDate: '2030-01-01T00:00:00.000Z',
      parentIdTag: 'FLEET-1',
      firstSeenOffline: false,
      language: null,
      createdAt: expect.any(String),
      updatedAt: first.createdAt,
    });

    await new Promise((resolve) => setTimeout(resolve, 5));
    // The type is part of the token: the same type (in the body or the query) is the same entry.
    const updated = await api('PUT', `${path(tag)}?type=ISO14443`, { status: 'Blocked' });
    expect(updated.status).toBe(200);
    const second = (await json(updated)).idTag;
    // PUT replaces: the fields left out are cleared.
    expect(second).toMatchObject({ idTag: tag, status: 'Blocked', type: 'ISO14443', expiryDate: null, parentIdTag: null });
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt > first.updatedAt).toBe(true);

    const read = await api('GET', `${path(tag)}?type=ISO14443`);
    expect(read.status).toBe(200);
    expect(await json(read)).toEqual({ idTag: second });
    // No entry for any type was made.
    expect(await json(await api('GET', path(tag)))).toMatchObject({ error: { code: 'UnknownIdTag' } });
  });

  it('deletes a tag with 204, then answers 404 UnknownIdTag', async () => {
    const tag = uniqueTag();
    expect((await api('PUT', path(tag), { status: 'Accepted' })).status).toBe(201);
    const deleted = await api('DELETE', path(tag));
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');

    for (const method of ['GET', 'DELETE']) {
      const res = await api(method, path(tag));
      expect(res.status).toBe(404);
      expect(await json(res)).toMatchObject({ error: { code: 'UnknownIdTag', message: expect.stringContaining(tag) } });
    }
  });

  it('takes tags of up to 36 printable characters, including ones that need URL encoding', async () => {
    const long = `${uniqueTag('L')}-`.padEnd(36, 'x');
    expect((await api('PUT', path(long), { status: 'Accepted', type: 'eMAID' })).status).toBe(201);
    expect((await json(await api('GET', `${path(long)}?type=eMAID`))).idTag.idTag).toBe(long);

    const odd = `${uniqueTag('A/B')}?#%`;
    expect((await api('PUT', path(odd), { status: 'Accepted' })).status).toBe(201);
    expect((await json(await api('GET', path(odd)))).idTag.idTag).toBe(odd);
  });

  it('refuses a bad id tag in the path with 400 InvalidIdTag', async () => {
    for (const bad of ['x'.repeat(37), 'has space', 'caf\u00e9']) {
      const res = await api('PUT', path(bad), { status: 'Accepted' });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ error: { code: 'InvalidIdTag' } });
    }
    expect((await api('GET', path('x'.repeat(37)))).status).toBe(400);
  });

  it('refuses a body that breaks the schema with 400 InvalidPayload and its issues', async () => {
    const tag = uniqueTag();
    const cases: Array<[unknown, string]> = [
      [{}, 'status'],
      [{ status: 'Maybe' }, 'status'],
      [{ status: 'Accepted', expiryDate: 'tomorrow' }, 'expiryDate'],
      [{ status: 'Accepted', expiryDate: '2030-02-30T00:00:00Z' }, 'expiryDate'],
      [{ status: 'Accepted', parentIdTag: 'p'.repeat(37) }, 'parentIdTag'],
      [{ status: 'Accepted', parentIdTag: 42 }, 'parentIdTag'],
      [{ status: 'Accepted', type: 'RFID' }, 'type'],
      [{ status: 'Accepted', colour: 'blue' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await api('PUT', path(tag), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = (await json(res)).error;
      expect(error.code).toBe('InvalidPayload');
      expect(error.issues).toContainEqual({ path: field, message: expect.any(String) });
    }
    const array = await api('PUT', path(tag), []);
    expect(await json(array)).toMatchObject({ error: { code: 'InvalidPayload' } });
    const notJson = await api('PUT', path(tag), '{"status":');
    expect(notJson.status).toBe(400);
    expect(await json(notJson)).toMatchObject({ error: { code: 'InvalidJson' } });
    // None of these wrote anything.
    expect((await api('GET', path(tag))).status).toBe(404);
  });

  it('lists tags in pages, filtered by status', async () => {
    const prefix = uniqueTag('PAGE');
    const tags = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`, `${prefix}-d`];
    for (const [i, tag] of tags.entries()) {
      expect((await api('PUT', path(tag), { status: i === 1 ? 'Blocked' : 'Accepted' })).status).toBe(201);
    }
    // Start just before our tags; other files' tags sort elsewhere or interleave, so keep only ours.
    const seen: string[] = [];
    let cursor: string | null = prefix;
    let pages = 0;
    while (cursor !== null && pages < 10) {
      const res = await api('GET', `/id-tags?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(200);
      const page = await json(res);
      expect(page.idTags.length).toBeLessThanOrEqual(2);
      const ours = page.idTags.map((t: { idTag: string }) => t.idTag).filter((t: string) => t.startsWith(prefix));
      seen.push(...ours);
      pages += 1;
      cursor = ours.length === page.idTags.length ? page.nextCursor : null;
    }
    expect(seen).toEqual(tags);
    expect(pages).toBeGreaterThanOrEqual(2);

    const blocked = await json(await api('GET', `/id-tags?status=Blocked&limit=500&cursor=${encodeURIComponent(prefix)}`));
    const ourBlocked = blocked.idTags.filter((t: { idTag: string }) => t.idTag.startsWith(prefix));
    expect(ourBlocked.map((t: { idTag: string }) => t.idTag)).toEqual([`${prefix}-b`]);
    expect(blocked.idTags.every((t: { status: string }) => t.status === 'Blocked')).toBe(true);
  });

  it('answers the last page with nextCursor null', async () => {
    const tag = `${'~'.repeat(30)}${uniqueTag('Z').slice(0, 6)}`;
    expect((await api('PUT', path(tag), { status: 'Accepted' })).status).toBe(201);
    const page = await json(await api('GET', `/id-tags?cursor=${encodeURIComponent(tag.slice(0, -1))}`));
    expect(page.idTags.map((t: { idTag: string }) => t.idTag)).toContain(tag);
    expect(page.nextCursor).toBeNull();
  });

  it('keeps one entry per 2.0.1 type, and one for any type; each read, listed and deleted on its own', async () => {
    const tag = uniqueTag('PAIR');
    expect((await api('PUT', path(tag), { status: 'Accepted', type: 'ISO14443' })).status).toBe(201);
    expect((await api('PUT', `${path(tag)}?type=KeyCode`, { status: 'Blocked' })).status).toBe(201);
    expect((await api('PUT', path(tag), { status: 'Invalid' })).status).toBe(201);
    const page = await json(await api('GET', `/id-tags?limit=10&cursor=${encodeURIComponent(tag.slice(0, -1))}`));
    const ours = page.idTags.filter((t: { idTag: string }) => t.idTag === tag);
    expect(ours.map((t: { type: string | null; status: string }) => [t.type, t.status])).toEqual([
      [null, 'Invalid'],
      ['ISO14443', 'Accepted'],
      ['KeyCode', 'Blocked'],
    ]);
    // A page may end between two entries of one tag; its cursor continues after that entry.
    const first = await json(await api('GET', `/id-tags?limit=2&cursor=${encodeURIComponent(tag.slice(0, -1))}`));
    const rest = await json(await api('GET', `/id-tags?limit=10&cursor=${encodeURIComponent(first.nextCursor)}`));
    const both = [...first.idTags, ...rest.idTags].filter((t: { idTag: string }) => t.idTag === tag);
    expect(both.map((t: { type: string | null }) => t.type)).toEqual([null, 'ISO14443', 'KeyCode']);

    expect((await api('DELETE', `${path(tag)}?type=KeyCode`)).status).toBe(204);
    expect((await api('GET', `${path(tag)}?type=KeyCode`)).status).toBe(404);
    expect((await json(await api('GET', `${path(tag)}?type=ISO14443`))).idTag.status).toBe('Accepted');
    expect((await json(await api('GET', path(tag)))).idTag.status).toBe('Invalid');

    const bad = await api('GET', `${path(tag)}?type=RFID`);
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: 'InvalidParameter' } });
    const clash = await api('PUT', `${path(tag)}?type=KeyCode`, { status: 'Accepted', type: 'eMAID' });
    expect(clash.status).toBe(400);
    expect((await api('GET', `${path(tag)}?type=eMAID`)).status).toBe(404);
  });

  it('searches by the start of the tag (q), without regard to case, in pages, with the other filters', async () => {
    const prefix = uniqueTag('SRCH');
    const tags = [`${prefix}-a`, `${prefix}-B`, `${prefix}-c`];
    for (const [i, tag] of tags.entries()) {
      expect((await api('PUT', path(tag), { status: i === 2 ? 'Blocked' : 'Accepted' })).status).toBe(201);
    }
    // A tag that sorts right after the prefix's range, which a bad range would let in.
    expect((await api('PUT', path(`${prefix.slice(0, -1)}~`), { status: 'Accepted' })).status).toBe(201);
    const first = await json(await api('GET', `/id-tags?q=${encodeURIComponent(prefix.toLowerCase())}&limit=2`));
    expect(first.idTags.map((t: { idTag: string }) => t.idTag)).toEqual(tags.slice(0, 2));
    expect(first.nextCursor).not.toBeNull();
    const rest = await json(await api('GET', `/id-tags?q=${encodeURIComponent(prefix)}&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`));
    expect(rest.idTags.map((t: { idTag: string }) => t.idTag)).toEqual(tags.slice(2));
    expect(rest.nextCursor).toBeNull();
    const blocked = await json(await api('GET', `/id-tags?q=${encodeURIComponent(prefix)}&status=Blocked`));
    expect(blocked.idTags.map((t: { idTag: string }) => t.idTag)).toEqual([`${prefix}-c`]);
    const none = await json(await api('GET', `/id-tags?q=${encodeURIComponent(`${prefix}-z`)}`));
    expect(none).toEqual({ idTags: [], nextCursor: null });
    // A bounded range of the key: the rows read do not grow with the tags before or after the prefix.
    const after = Array.from({ length: 300 }, (_, i) => `${prefix}Z${i}`);
    await env.DB.batch(after.map((tag) => env.DB.prepare("INSERT INTO id_tags (id_tag, status, created_at, updated_at) VALUES (?, 'Accepted', '2026-01-01', '2026-01-01')").bind(tag)));
    const store = new IdTagStore(countingD1(env.DB, { statements: 0 }));
    const before = isolateStats.d1RowsRead;
    const found = await store.list({ limit: 50, prefix: `${prefix}-` });
    const rowsRead = isolateStats.d1RowsRead - before;
    expect(found.idTags.map((t) => t.idTag)).toEqual(tags);
    expect(rowsRead).toBeLessThan(20); // the whole table (every test file's tags, and these 300) before the fix
    const bad = await api('GET', `/id-tags?q=${encodeURIComponent('has space')}`);
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: 'InvalidParameter' } });
  });

  it('refuses a bad limit or status with 400 InvalidParameter', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=1.5', 'limit=x', 'status=accepted', 'status=']) {
      const res = await api('GET', `/id-tags?${query}`);
      expect(res.status, query).toBe(400);
      expect(await json(res)).toMatchObject({ error: { code: 'InvalidParameter' } });
    }
  });
});
