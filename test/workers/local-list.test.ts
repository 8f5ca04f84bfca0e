import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

describe('the local authorization list', () => {
  it('sends the id tags as a Full list, then Differential updates, numbering versions', async () => {
    const tag = uniqueChargerId('LL').slice(0, 20);
    await api('PUT', `/id-tags/${tag}`, { status: 'Accepted', expiryDate: '2030-01-01T00:00:00Z' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();

    const full = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Full' });
    const call = await cp.next();
    expect(call[2]).toBe('SendLocalList');
    const payload = call[3] as { listVersion: number; updateType: string; localAuthorizationList: Array<{ idTag: string; idTagInfo?: unknown }> };
    expect(payload).toMatchObject({ listVersion: 1, updateType: 'Full' });
    expect(payload.localAuthorizationList).toContainEqual({ idTag: tag, idTagInfo: { status: 'Accepted', expiryDate: '2030-01-01T00:00:00.000Z' } });
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect(await json(await full)).toMatchObject({ result: { status: 'Accepted' }, listVersion: 1 });

    // Remove the tag and send the difference: an entry without idTagInfo removes it.
    await api('DELETE', `/id-tags/${tag}`);
    const diff = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [tag] });
    const call2 = await cp.next();
    expect(call2[3]).toEqual({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: tag }] });
    cp.sendRaw(JSON.stringify([3, call2[1], { status: 'Accepted' }]));
    expect(await json(await diff)).toMatchObject({ listVersion: 2 });
    expect(await json(await api('GET', `/chargers/${cp.id}/local-list`))).toMatchObject({ listVersion: 2 });

    // A list the charger refuses does not move the version on.
    const refused = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [tag] });
    const call3 = await cp.next();
    cp.sendRaw(JSON.stringify([3, call3[1], { status: 'VersionMismatch' }]));
    expect(await json(await refused)).toMatchObject({ result: { status: 'VersionMismatch' } });
    expect(await json(await api('GET', `/chargers/${cp.id}/local-list`))).toMatchObject({ listVersion: 2 });

    expect((await api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential' })).status).toBe(400);
    expect((await api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Sometimes' })).status).toBe(400);
    cp.close();
  });

  it('2.0.1 Differential: a tag named with its type sends that entry, or removes that (idToken, type) once it is deleted', async () => {
    const tag = uniqueChargerId('LLT');
    await api('PUT', `/id-tags/${tag}?type=ISO14443`, { status: 'Accepted' });
    await api('PUT', `/id-tags/${tag}?type=KeyCode`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const sync = async (idTags: unknown[], answer = { status: 'Accepted' }) => {
      const pending = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags });
      const call = await cp.next();
      cp.sendRaw(JSON.stringify([3, call[1], answer]));
      const res = await pending;
      expect(res.status).toBe(200);
      return { sent: (call[3] as { localAuthorizationList?: unknown[] }).localAuthorizationList, body: await json(res) };
    };
    const first = await sync([tag]);
    expect(first.sent).toEqual([
      { idToken: { idToken: tag, type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } },
      { idToken: { idToken: tag, type: 'KeyCode' }, idTokenInfo: { status: 'Accepted' } },
    ]);

    // The KeyCode entry is deleted; the ISO14443 one stays.
    expect((await api('DELETE', `/id-tags/${tag}?type=KeyCode`)).status).toBe(204);
    const removal = await sync([{ idTag: tag, type: 'KeyCode' }]);
    expect(removal.sent).toEqual([{ idToken: { idToken: tag, type: 'KeyCode' } }]);
    expect(removal.body).toMatchObject({ entries: 1, skipped: [] });
    // Named with a type it has: only that entry; named twice: sent once.
    const update = await sync([{ idTag: tag, type: 'ISO14443' }, { idTag: tag.toLowerCase(), type: 'ISO14443' }]);
    expect(update.sent).toEqual([{ idToken: { idToken: tag, type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }]);

    // Without a type, a tag with no entry left cannot be removed: skipped, saying how.
    await api('DELETE', `/id-tags/${tag}?type=ISO14443`);
    const pending = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [tag] });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await json(await pending)).skipped).toEqual([{ idTag: tag, type: null, reason: expect.stringContaining('name the type') }]);
    // A type must be a 2.0.1 IdTokenEnumType.
    const bad = await api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [{ idTag: tag, type: 'Badge' }] });
    expect(bad.status).toBe(400);
    cp.close();
  });

  it('speaks 2.0.1: idToken with its type, versionNumber', async () => {
    const tag = uniqueChargerId('LL2');
    await api('PUT', `/id-tags/${tag}`, { status: 'Blocked', type: 'ISO14443' });
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const diff = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [tag] });
    const call = await cp.next();
    expect(call[3]).toEqual({
      versionNumber: 1,
      updateType: 'Differential',
      localAuthorizationList: [{ idToken: { idToken: tag, type: 'ISO14443' }, idTokenInfo: { status: 'Blocked' } }],
    });
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await diff).status).toBe(200);
    cp.close();
  });
});
