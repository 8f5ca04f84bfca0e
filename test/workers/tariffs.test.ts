// Tariffs (issue 14; the OCPI 2.2.1 Tariff object, OCPI §11.3.1): stored as immutable versions,
// assigned by default / charger / id tag group, resolved with a precedence the API explains.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { TariffStore } from '../../src/store/tariffs';
import { allPages, api, uniqueChargerId } from './helpers';

let counter = 0;
/** A tariff id no other test uses (tariff ids are case-insensitive, so the suffix is too). */
function uniqueTariffId(prefix = 'T'): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A peak/off-peak energy tariff, with a flat session fee. */
function peakOffPeak(peak = 0.4, offPeak = 0.25): Record<string, unknown> {
  return {
    currency: 'EUR',
    time_zone: 'Europe/Amsterdam',
    elements: [
      { price_components: [{ type: 'ENERGY', price: peak, vat: 21, step_size: 1 }], restrictions: { start_time: '07:00', end_time: '23:00' } },
      { price_components: [{ type: 'ENERGY', price: offPeak, vat: 21, step_size: 1 }] },
      { price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 1 }] },
    ],
  };
}

async function putTariff(id: string, body: unknown = peakOffPeak()): Promise<any> {
  const res = await api('PUT', `/tariffs/${id}`, body);
  expect([200, 201]).toContain(res.status);
  return res.json();
}

async function newCharger(): Promise<string> {
  const chargerId = uniqueChargerId('TAR');
  expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
  return chargerId;
}

async function newToken(scopes: string[]): Promise<string> {
  const res = await api('POST', '/tokens', { name: `tariffs ${scopes.join('+')}`, scopes });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).token;
}

async function applies(chargerId: string, query = ''): Promise<any> {
  const res = await api('GET', `/chargers/${chargerId}/tariff${query}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('tariffs: PUT, GET, versions (OCPI 2.2.1 §11.3.1 Tariff object)', () => {
  it('creates version 1, keeps an equal body as a no-op, and stores a changed body as version 2 with version 1 kept', async () => {
    const id = uniqueTariffId();
    const created = await api('PUT', `/tariffs/${id}`, peakOffPeak());
    expect(created.status).toBe(201);
    const first = (await created.json()) as any;
    expect(first.outcome).toBe('created');
    expect(first.tariff).toMatchObject({ id, version: 1, currency: 'EUR', time_zone: 'Europe/Amsterdam', last_updated: expect.any(String) });
    expect(first.tariff.elements).toHaveLength(3);

    // The same tariff with its keys in another order is the same tariff: nothing changes.
    const reordered = { elements: (peakOffPeak() as any).elements, time_zone: 'Europe/Amsterdam', currency: 'EUR' };
    const same = await api('PUT', `/tariffs/${id}`, reordered);
    expect(same.status).toBe(200);
    const unchanged = (await same.json()) as any;
    expect(unchanged.outcome).toBe('unchanged');
    expect(unchanged.tariff.version).toBe(1);
    expect(unchanged.tariff.last_updated).toBe(first.tariff.last_updated);

    const changed = await api('PUT', `/tariffs/${id}`, peakOffPeak(0.45));
    expect(changed.status).toBe(200);
    const second = (await changed.json()) as any;
    expect(second.outcome).toBe('updated');
    expect(second.tariff.version).toBe(2);

    const current = (await (await api('GET', `/tariffs/${id}`)).json()) as any;
    expect(current.deletedAt).toBeNull();
    expect(current.tariff.version).toBe(2);
    expect(current.tariff.elements[0].price_components[0].price).toBe(0.45);

    // Version 1 stays exactly as it was, for the sessions that began under it.
    const v1 = await api('GET', `/tariffs/${id}/versions/1`);
    expect(v1.status).toBe(200);
    const old = (await v1.json()) as any;
    expect(old.current).toBe(false);
    expect(old.tariff).toEqual(first.tariff);
    const stored = await new TariffStore(env.DB).getTariffVersion(id, 1);
    expect(stored).toEqual(first.tariff);
    expect(((await (await api('GET', `/tariffs/${id}/versions/2`)).json()) as any).current).toBe(true);
    expect((await api('GET', `/tariffs/${id}/versions/3`)).status).toBe(404);
    expect((await api('GET', `/tariffs/${id}/versions/0`)).status).toBe(400);

    // Ids are OCPI CiStrings: another spelling is the same tariff.
    const upper = (await (await api('GET', `/tariffs/${id.toUpperCase()}`)).json()) as any;
    expect(upper.tariff.id).toBe(id);
    expect((await api('GET', `/tariffs/${uniqueTariffId()}`)).status).toBe(404);
  });

  it('answers a bad tariff with 400 naming the field path, and stores nothing', async () => {
    const id = uniqueTariffId();
    const bad = peakOffPeak() as any;
    bad.elements[1].price_components[0].price = -1;
    const res = await api('PUT', `/tariffs/${id}`, bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe('InvalidPayload');
    expect(body.error.issues).toContainEqual({ path: 'elements.1.price_components.0.price', message: 'price must not be negative' });
    expect(body.error.message).toContain('elements.1.price_components.0.price');
    expect((await api('GET', `/tariffs/${id}`)).status).toBe(404);

    const noCurrency = await api('PUT', `/tariffs/${id}`, { elements: (peakOffPeak() as any).elements });
    expect(noCurrency.status).toBe(400);
    expect(((await noCurrency.json()) as any).error.issues.map((i: any) => i.path)).toContain('currency');
    expect((await api('PUT', '/tariffs/has%20space', peakOffPeak())).status).toBe(400);
    expect((await api('PUT', `/tariffs/${id}`, 'not json')).status).toBe(400);
  });

  it('needs admin to PUT or DELETE: a read token gets 403 and changes nothing, but may read', async () => {
    const id = uniqueTariffId();
    await putTariff(id);
    const reader = await newToken(['read']);
    const put = await api('PUT', `/tariffs/${id}`, peakOffPeak(0.9), reader);
    expect(put.status).toBe(403);
    expect(((await put.json()) as any).error.code).toBe('InsufficientScope');
    expect((await api('DELETE', `/tariffs/${id}`, undefined, reader)).status).toBe(403);
    expect((await api('PUT', '/tariff-assignments/default', { tariffId: id }, reader)).status).toBe(403);
    const read = await api('GET', `/tariffs/${id}`, undefined, reader);
    expect(read.status).toBe(200);
    expect(((await read.json()) as any).tariff.version).toBe(1);
  });

  it('lists tariffs a page at a time by id, deleted ones only with deleted=true', async () => {
    const prefix = `LIST${crypto.randomUUID().slice(0, 6)}`;
    const ids = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`, `${prefix}-d`, `${prefix}-e`];
    for (const id of ids) await putTariff(id);
    expect((await api('DELETE', `/tariffs/${ids[2]}`)).status).toBe(204);

    const pages = await allPages('/tariffs', 2);
    const listed = pages.flatMap((p) => p.tariffs.map((t: any) => t.tariff.id)).filter((id: string) => id.startsWith(prefix));
    expect(listed).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect(pages.every((p) => p.tariffs.length <= 2)).toBe(true);

    const withDeleted = await allPages('/tariffs', 3, { deleted: 'true' });
    const all = withDeleted.flatMap((p) => p.tariffs).filter((t: any) => t.tariff.id.startsWith(prefix));
    expect(all.map((t: any) => t.tariff.id)).toEqual(ids);
    expect(all.find((t: any) => t.tariff.id === ids[2]).deletedAt).toEqual(expect.any(String));
    expect((await api('GET', '/tariffs?limit=0')).status).toBe(400);
  });
});

describe('tariffs: DELETE', () => {
  it('is refused with 409 while the tariff is assigned (saying where), then marks it deleted with its versions still readable', async () => {
    const id = uniqueTariffId();
    const chargerId = await newCharger();
    await putTariff(id);
    await putTariff(id, peakOffPeak(0.5));
    const group = `G-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId: id })).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/id-tag-groups/${group}`, { tariffId: id })).status).toBe(201);

    const refused = await api('DELETE', `/tariffs/${id}`);
    expect(refused.status).toBe(409);
    const error = ((await refused.json()) as any).error;
    expect(error.code).toBe('TariffAssigned');
    expect(error.message).toContain(chargerId);
    expect(error.message).toContain(group);
    expect(error.assignments.map((a: any) => [a.scope, a.key])).toEqual([
      ['charger', chargerId],
      ['id_tag_group', group],
    ]);
    expect(((await (await api('GET', `/tariffs/${id}`)).json()) as any).deletedAt).toBeNull();

    expect((await api('DELETE', `/tariff-assignments/chargers/${chargerId}`)).status).toBe(204);
    expect((await api('DELETE', `/tariff-assignments/id-tag-groups/${group.toLowerCase()}`)).status).toBe(204);
    expect((await api('DELETE', `/tariff-assignments/id-tag-groups/${group}`)).status).toBe(404);
    expect((await api('DELETE', `/tariffs/${id}`)).status).toBe(204);

    const gone = (await (await api('GET', `/tariffs/${id}`)).json()) as any;
    expect(gone.deletedAt).toEqual(expect.any(String));
    expect((await api('GET', `/tariffs/${id}/versions/1`)).status).toBe(200);
    expect(((await (await api('GET', `/tariffs/${id}/versions/2`)).json()) as any).tariff.elements[0].price_components[0].price).toBe(0.5);
    expect((await api('DELETE', `/tariffs/${id}`)).status).toBe(404);
    expect((await api('DELETE', `/tariffs/${uniqueTariffId()}`)).status).toBe(404);

    // A deleted tariff cannot be assigned; an unknown one neither.
    const deleted = await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId: id });
    expect(deleted.status).toBe(409);
    expect(((await deleted.json()) as any).error.code).toBe('TariffDeleted');
    const unknown = await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId: uniqueTariffId() });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('UnknownTariff');
    expect(((await (await api('GET', `/tariff-assignments?tariffId=${id}`)).json()) as any).assignments).toEqual([]);

    // PUT brings it back: a changed body as the next version, the old versions unchanged.
    const back = await api('PUT', `/tariffs/${id}`, peakOffPeak(0.6));
    expect(back.status).toBe(200);
    expect(((await back.json()) as any)).toMatchObject({ outcome: 'restored', tariff: { version: 3 } });
    expect(((await (await api('GET', `/tariffs/${id}`)).json()) as any).deletedAt).toBeNull();
  });
});

describe('tariff assignments and which tariff applies (issue 14: group > charger > default)', () => {
  it('prefers the id tag group over the charger over the default, and GET /chargers/{id}/tariff says which rule matched and why', async () => {
    const defaultId = uniqueTariffId('DEF');
    const chargerTariff = uniqueTariffId('CHG');
    const groupTariff = uniqueTariffId('GRP');
    for (const id of [defaultId, chargerTariff, groupTariff]) await putTariff(id);
    const chargerId = await newCharger();
    const otherCharger = await newCharger();
    const group = `FLEET-${crypto.randomUUID().slice(0, 8)}`;
    const member = `M${crypto.randomUUID().slice(0, 8)}`;
    const loner = `L${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/id-tags/${member}`, { status: 'Accepted', parentIdTag: group })).status).toBe(201);
    expect((await api('PUT', `/id-tags/${loner}`, { status: 'Accepted' })).status).toBe(201);

    const previousDefault = (await (await api('GET', '/tariff-assignments?scope=default')).json()) as any;
    try {
      expect((await api('PUT', '/tariff-assignments/default', { tariffId: defaultId })).status).toBeLessThan(300);
      expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId: chargerTariff })).status).toBe(201);
      // The group assigned in another spelling: groups compare case-insensitively, like id tags.
      expect((await api('PUT', `/tariff-assignments/id-tag-groups/${group.toLowerCase()}`, { tariffId: groupTariff })).status).toBe(201);

      const byGroup = await applies(chargerId, `?idTag=${member}`);
      expect(byGroup).toMatchObject({ rule: 'id_tag_group', group, tariff: { id: groupTariff, version: 1 }, skipped: [] });
      expect(byGroup.reason).toContain(`group "${group}"`);

      const byCharger = await applies(chargerId, `?idTag=${loner}`);
      expect(byCharger).toMatchObject({ rule: 'charger', key: chargerId, group: null, tariff: { id: chargerTariff } });
      expect(byCharger.reason).toContain('has no group');
      expect((await applies(chargerId)).rule).toBe('charger');

      const byDefault = await applies(otherCharger, `?idTag=${loner}`);
      expect(byDefault).toMatchObject({ rule: 'default', key: '', tariff: { id: defaultId } });
      expect(byDefault.reason).toContain(`no tariff is assigned to charger "${otherCharger}"`);
      // The group beats the default on a charger with no tariff of its own too.
      expect((await applies(otherCharger, `?idTag=${member}`)).rule).toBe('id_tag_group');

      // Re-spelling the group replaces its one assignment.
      expect((await api('PUT', `/tariff-assignments/id-tag-groups/${group}`, { tariffId: chargerTariff })).status).toBe(200);
      const groups = (await (await api('GET', `/tariff-assignments?scope=id_tag_group&tariffId=${chargerTariff}`)).json()) as any;
      expect(groups.assignments.filter((a: any) => a.key.toLowerCase() === group.toLowerCase())).toEqual([
        expect.objectContaining({ scope: 'id_tag_group', key: group, tariffId: chargerTariff }),
      ]);

      // Without the default, a charger with nothing assigned gets no tariff, and is told so.
      expect((await api('DELETE', '/tariff-assignments/default')).status).toBe(204);
      const none = await applies(otherCharger, `?idTag=${loner}`);
      expect(none).toMatchObject({ tariff: null, rule: null });
      expect(none.reason).toMatch(/^No tariff applies: .*no default tariff is assigned\.$/);
    } finally {
      await restoreDefault(previousDefault.assignments[0]?.tariffId);
    }
  });

  it('skips a tariff outside its start_date_time/end_date_time for the next rule, and says so', async () => {
    const expired = uniqueTariffId('OLD');
    const future = uniqueTariffId('NEW');
    await putTariff(expired, { ...peakOffPeak(), start_date_time: '2020-01-01T00:00:00Z', end_date_time: '2021-01-01T00:00:00Z' });
    await putTariff(future, { ...peakOffPeak(), start_date_time: '2999-01-01T00:00:00+01:00' });
    const chargerId = await newCharger();
    const group = `EXP-${crypto.randomUUID().slice(0, 8)}`;
    const member = `X${crypto.randomUUID().slice(0, 8)}`;
    expect((await api('PUT', `/id-tags/${member}`, { status: 'Accepted', parentIdTag: group })).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/id-tag-groups/${group}`, { tariffId: expired })).status).toBe(201);
    expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId: future })).status).toBe(201);

    const previousDefault = (await (await api('GET', '/tariff-assignments?scope=default')).json()) as any;
    const fallback = uniqueTariffId('FALL');
    await putTariff(fallback);
    try {
      expect((await api('PUT', '/tariff-assignments/default', { tariffId: fallback })).status).toBeLessThan(300);
      const now = await applies(chargerId, `?idTag=${member}`);
      expect(now).toMatchObject({ rule: 'default', tariff: { id: fallback } });
      expect(now.skipped).toEqual([
        { scope: 'id_tag_group', key: group, tariffId: expired, version: 1, why: 'no longer valid' },
        { scope: 'charger', key: chargerId, tariffId: future, version: 1, why: 'not yet valid' },
      ]);
      expect(now.reason).toContain(`tariff "${expired}" assigned to group "${group}" is skipped: no longer valid`);
      expect(now.reason).toContain(`tariff "${future}" assigned to charger "${chargerId}" is skipped: not yet valid`);

      // Asked about a time inside its window, the group's tariff applies.
      const then = await applies(chargerId, `?idTag=${member}&at=2020-06-01T12:00:00Z`);
      expect(then).toMatchObject({ rule: 'id_tag_group', tariff: { id: expired }, at: '2020-06-01T12:00:00.000Z' });
      expect((await api('GET', `/chargers/${chargerId}/tariff?at=yesterday`)).status).toBe(400);
    } finally {
      await restoreDefault(previousDefault.assignments[0]?.tariffId);
    }
  });

  it('answers 404 for an unknown charger, 400 for a bad body, and lists assignments a page at a time', async () => {
    const id = uniqueTariffId();
    await putTariff(id);
    const unknownCharger = uniqueChargerId('NONE');
    expect((await api('GET', `/chargers/${unknownCharger}/tariff`)).status).toBe(404);
    const assign = await api('PUT', `/tariff-assignments/chargers/${unknownCharger}`, { tariffId: id });
    expect(assign.status).toBe(404);
    expect(((await assign.json()) as any).error.code).toBe('UnknownCharger');
    const bad = await api('PUT', '/tariff-assignments/default', { tariff: id });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['tariffId']));

    const chargers = [await newCharger(), await newCharger(), await newCharger()];
    for (const chargerId of chargers) {
      expect((await api('PUT', `/tariff-assignments/chargers/${chargerId}`, { tariffId: id })).status).toBe(201);
    }
    const pages = await allPages('/tariff-assignments', 2, { tariffId: id });
    expect(pages.length).toBe(2);
    expect(pages.flatMap((p) => p.assignments.map((a: any) => a.key))).toEqual([...chargers].sort());
    expect((await api('GET', '/tariff-assignments?scope=site')).status).toBe(400);
  });
});

/** Puts back the default assignment a test found (none: removes it), so tests do not leak it. */
async function restoreDefault(tariffId: string | undefined): Promise<void> {
  if (tariffId) expect((await api('PUT', '/tariff-assignments/default', { tariffId })).status).toBeLessThan(300);
  else await api('DELETE', '/tariff-assignments/default');
}

describe('migration 0032: the tariff tables', () => {
  it('allows only known scopes, and the default only with an empty key', async () => {
    const id = uniqueTariffId();
    await putTariff(id);
    const now = new Date().toISOString();
    const insert = (scope: string, key: string) =>
      env.DB.prepare('INSERT INTO tariff_assignments (scope, scope_key, tariff_id, assigned_at) VALUES (?, ?, ?, ?)').bind(scope, key, id, now).run();
    await expect(insert('region', 'x')).rejects.toThrow(/CHECK/);
    await expect(insert('default', 'x')).rejects.toThrow(/CHECK/);
    await expect(insert('charger', '')).rejects.toThrow(/CHECK/);
    // Versions are kept per (tariff, version): a second row for a version is refused.
    await expect(
      env.DB.prepare('INSERT INTO tariff_versions (tariff_id, version, body, created_at) VALUES (?, 1, ?, ?)').bind(id, '{}', now).run(),
    ).rejects.toThrow(/UNIQUE|PRIMARY/);
  });
});
