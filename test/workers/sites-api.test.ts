// Runtime tests of the sites API (src/api/sites.ts): sites, circuits and chargers created, read,
// changed and deleted; every refused change (400, 404, 409) leaves the site as it was; scopes; and
// the push after D1 — the site's object configured with the site as D1 has it, the chargers' objects
// told they are on it or off it.
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../src/sites/model';
import { siteObject, type SiteAllocator } from '../../src/sites/site-object';
import { allPages, api, uniqueChargerId } from './helpers';
import { SiteTestCharger, until } from './site-charger';

const open: SiteTestCharger[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

const newSiteId = () => `site-${crypto.randomUUID().slice(0, 12)}`;

async function createSite(siteId = newSiteId(), extra: Record<string, unknown> = {}): Promise<SiteConfig> {
  const res = await api('POST', '/sites', { siteId, limit: { amps: 100 }, ...extra });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { site: SiteConfig }).site;
}

async function getSite(siteId: string): Promise<SiteConfig> {
  const res = await api('GET', `/sites/${siteId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { site: SiteConfig }).site;
}

async function registeredCharger(): Promise<string> {
  const id = uniqueChargerId('SITEAPI');
  expect((await api('PUT', `/chargers/${id}`)).status).toBe(201);
  return id;
}

/** The config the site's object holds (what configure() last got). */
function objectConfig(siteId: string): Promise<SiteConfig | null> {
  return runInDurableObject(siteObject(env, siteId), (instance: SiteAllocator) => (instance as unknown as { store: { config(): SiteConfig | null } }).store.config());
}

/** The site a charger's object believes it is on (site-feed.ts keeps it under 'siteId'). */
function chargerObjectSite(chargerId: string): Promise<string | undefined> {
  return runInDurableObject(env.CHARGERS.getByName(chargerId), (_instance, state) => state.storage.get<string>('siteId'));
}

async function expectError(res: Response, status: number, code: string): Promise<any> {
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('sites: create, read, update, delete', () => {
  it('creates a site with defaults, reads it, lists it, replaces its values and deletes it', async () => {
    const siteId = newSiteId();
    const created = await createSite(siteId, { dailySchedule: [{ start: '17:00', limit: { kw: 40 } }], timeZone: 'Europe/Berlin', groupPriorities: { FLEET: 5 } });
    expect(created).toMatchObject({
      siteId, name: siteId, voltage: 230, limit: { amps: 100, kw: null }, timeZone: 'Europe/Berlin', minAmps: 6, externalLimit: null,
      dailySchedule: [{ start: '17:00', limit: { amps: null, kw: 40 } }], groupPriorities: { FLEET: 5 }, circuits: [], chargers: [],
    });
    expect(await getSite(siteId)).toEqual(created);
    expect(await objectConfig(siteId)).toEqual(created);
    await expectError(await api('POST', '/sites', { siteId, limit: { amps: 10 } }), 409, 'SiteExists');

    const second = await createSite();
    const listed = (await allPages('/sites', 1)).flatMap((p) => p.sites);
    expect(listed.map((s: SiteConfig) => s.siteId)).toEqual(expect.arrayContaining([siteId, second.siteId]));
    expect(listed.find((s: SiteConfig) => s.siteId === siteId)).toMatchObject({ circuitCount: 0, chargerCount: 0, limit: { amps: 100 } });

    const put = await api('PUT', `/sites/${siteId}`, { name: 'Depot', limit: { amps: 63, kw: 40 }, voltage: 120 });
    expect(put.status).toBe(200);
    const changed = ((await put.json()) as { site: SiteConfig }).site;
    // Replaced whole: what the PUT left out is back to its default.
    expect(changed).toMatchObject({ name: 'Depot', limit: { amps: 63, kw: 40 }, voltage: 120, timeZone: 'UTC', dailySchedule: [], groupPriorities: {} });
    expect(changed.updatedAt >= created.updatedAt).toBe(true);
    expect(await objectConfig(siteId)).toEqual(changed);

    expect((await api('DELETE', `/sites/${siteId}`)).status).toBe(204);
    await expectError(await api('GET', `/sites/${siteId}`), 404, 'UnknownSite');
    await expectError(await api('DELETE', `/sites/${siteId}`), 404, 'UnknownSite');
    expect(await objectConfig(siteId)).toBeNull();
  });

  it('circuits nest; one with a circuit or a charger on it cannot be deleted (409); an unknown one is 404', async () => {
    const { siteId } = await createSite();
    expect((await api('PUT', `/sites/${siteId}/circuits/main`, { limit: { amps: 80 } })).status).toBe(201);
    // A child may have a higher limit than its parent.
    expect((await api('PUT', `/sites/${siteId}/circuits/row-a`, { parentId: 'main', name: 'Row A', limit: { amps: 100 } })).status).toBe(201);
    const replaced = await api('PUT', `/sites/${siteId}/circuits/row-a`, { parentId: 'main', name: 'Row A', limit: { amps: 32 } });
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as { site: SiteConfig }).site.circuits).toEqual([
      { circuitId: 'main', parentId: null, name: 'main', limit: { amps: 80, kw: null } },
      { circuitId: 'row-a', parentId: 'main', name: 'Row A', limit: { amps: 32, kw: null } },
    ]);
    const chargerId = await registeredCharger();
    expect((await api('PUT', `/sites/${siteId}/chargers/${chargerId}`, { circuitId: 'row-a', maxAmps: 32, phases: 3 })).status).toBe(201);

    const parent = await expectError(await api('DELETE', `/sites/${siteId}/circuits/main`), 409, 'CircuitInUse');
    expect(parent).toMatchObject({ circuits: ['row-a'], chargers: [] });
    const child = await expectError(await api('DELETE', `/sites/${siteId}/circuits/row-a`), 409, 'CircuitInUse');
    expect(child).toMatchObject({ circuits: [], chargers: [chargerId] });
    await expectError(await api('DELETE', `/sites/${siteId}/circuits/nope`), 404, 'UnknownCircuit');

    expect((await api('DELETE', `/sites/${siteId}/chargers/${chargerId}`)).status).toBe(204);
    expect((await api('DELETE', `/sites/${siteId}/circuits/row-a`)).status).toBe(204);
    expect((await api('DELETE', `/sites/${siteId}/circuits/main`)).status).toBe(204);
    expect((await getSite(siteId)).circuits).toEqual([]);
    expect((await objectConfig(siteId))!.circuits).toEqual([]);
  });

  it('chargers: whole or per EVSE, on one site only; unknown charger 404; the charger knows its site', async () => {
    const a = await createSite();
    const b = await createSite();
    const chargerId = await registeredCharger();
    const put = await api('PUT', `/sites/${a.siteId}/chargers/${chargerId}`, { maxAmps: 32, phases: 3, phaseRotation: 'RST', fallbackAmps: 6, priority: 10 });
    expect(put.status).toBe(201);
    expect(((await put.json()) as { site: SiteConfig }).site.chargers).toEqual([
      { chargerId, evseId: null, circuitId: null, phaseRotation: 'RST', maxAmps: 32, phases: 3, fallbackAmps: 6, priority: 10 },
    ]);
    expect((await api('PUT', `/sites/${a.siteId}/chargers/${chargerId}`, { evseId: 2, maxAmps: 16, phases: 1 })).status).toBe(201);
    expect((await api('PUT', `/sites/${a.siteId}/chargers/${chargerId}`, { evseId: 2, maxAmps: 20, phases: 1 })).status).toBe(200);

    const site = await api('GET', `/chargers/${chargerId}/site`);
    expect(await site.json()).toMatchObject({ chargerId, siteId: a.siteId, assignments: [{ evseId: null, maxAmps: 32 }, { evseId: 2, maxAmps: 20, phases: 1 }] });
    expect(await chargerObjectSite(chargerId)).toBe(a.siteId);

    const other = await expectError(await api('PUT', `/sites/${b.siteId}/chargers/${chargerId}`, { maxAmps: 32, phases: 3 }), 409, 'ChargerOnAnotherSite');
    expect(other.siteId).toBe(a.siteId);
    await expectError(await api('PUT', `/sites/${b.siteId}/chargers/${chargerId}`, { evseId: 1, maxAmps: 32, phases: 3 }), 409, 'ChargerOnAnotherSite');
    await expectError(await api('PUT', `/sites/${a.siteId}/chargers/NO-SUCH-CHARGER`, { maxAmps: 32, phases: 3 }), 404, 'UnknownCharger');
    await expectError(await api('GET', '/chargers/NO-SUCH-CHARGER/site'), 404, 'UnknownCharger');
    expect((await getSite(b.siteId)).chargers).toEqual([]);

    // One EVSE's row goes; the charger stays on the site.
    expect((await api('DELETE', `/sites/${a.siteId}/chargers/${chargerId}?evseId=2`)).status).toBe(204);
    await expectError(await api('DELETE', `/sites/${a.siteId}/chargers/${chargerId}?evseId=2`), 404, 'NotOnSite');
    expect(await chargerObjectSite(chargerId)).toBe(a.siteId);
    expect((await objectConfig(a.siteId))!.chargers.map((c) => c.evseId)).toEqual([null]);
    // Off the site altogether: its object is told, and it may go on another.
    expect((await api('DELETE', `/sites/${a.siteId}/chargers/${chargerId}`)).status).toBe(204);
    expect(await chargerObjectSite(chargerId)).toBeUndefined();
    expect(await (await api('GET', `/chargers/${chargerId}/site`)).json()).toEqual({ chargerId, siteId: null, assignments: [] });
    expect((await api('PUT', `/sites/${b.siteId}/chargers/${chargerId}`, { maxAmps: 32, phases: 3 })).status).toBe(201);
    expect(await chargerObjectSite(chargerId)).toBe(b.siteId);
  });

  it('a deleted charger leaves its site, and the site object hears it', async () => {
    const { siteId } = await createSite();
    const chargerId = await registeredCharger();
    expect((await api('PUT', `/sites/${siteId}/chargers/${chargerId}`, { maxAmps: 32, phases: 3 })).status).toBe(201);
    expect((await api('DELETE', `/chargers/${chargerId}`)).status).toBe(200);
    expect((await getSite(siteId)).chargers).toEqual([]);
    expect((await objectConfig(siteId))!.chargers).toEqual([]);
  });

  it('the external limit: set (command scope enough), pushed, cleared', async () => {
    const { siteId } = await createSite();
    const commander = await token(['command']);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const set = await api('PUT', `/sites/${siteId}/external-limit`, { amps: 40, until }, commander);
    expect(set.status).toBe(200);
    expect(((await set.json()) as { site: SiteConfig }).site.externalLimit).toEqual({ limit: { amps: 40, kw: null }, until });
    expect((await objectConfig(siteId))!.externalLimit).toEqual({ limit: { amps: 40, kw: null }, until });
    expect((await api('DELETE', `/sites/${siteId}/external-limit`, undefined, commander)).status).toBe(204);
    expect((await getSite(siteId)).externalLimit).toBeNull();
    expect((await objectConfig(siteId))!.externalLimit).toBeNull();
    expect((await api('DELETE', `/sites/${siteId}/external-limit`, undefined, commander)).status).toBe(204);
  });
});

describe('refused changes change nothing', () => {
  it('answers each bad request with a clear 4xx naming the field, and the site stays as it was', async () => {
    const { siteId } = await createSite();
    expect((await api('PUT', `/sites/${siteId}/circuits/a`, { limit: { amps: 50 } })).status).toBe(201);
    expect((await api('PUT', `/sites/${siteId}/circuits/b`, { parentId: 'a', limit: { amps: 40 } })).status).toBe(201);
    const chargerId = await registeredCharger();
    expect((await api('PUT', `/sites/${siteId}/chargers/${chargerId}`, { circuitId: 'b', maxAmps: 32, phases: 3 })).status).toBe(201);
    const before = await getSite(siteId);
    const objectBefore = await objectConfig(siteId);

    const bad: Array<[string, string, unknown, number, string, string?]> = [
      ['PUT', '', { limit: {} }, 400, 'InvalidPayload', 'limit'],
      ['PUT', '', { limit: { amps: -5 } }, 400, 'InvalidPayload', 'limit.amps'],
      ['PUT', '', { limit: { amps: 'many' } }, 400, 'InvalidPayload', 'limit.amps'],
      ['PUT', '', { limit: { amps: 10 }, timeZone: 'Mars/Olympus' }, 400, 'InvalidPayload', 'timeZone'],
      ['PUT', '', { limit: { amps: 10 }, voltage: 50 }, 400, 'InvalidPayload', 'voltage'],
      ['PUT', '', { limit: { amps: 10 }, minAmps: 40 }, 400, 'InvalidPayload', 'minAmps'],
      ['PUT', '', { limit: { amps: 10 }, dailySchedule: [{ start: '18:00', limit: { amps: 5 } }, { start: '07:00', limit: { amps: 5 } }] }, 400, 'InvalidPayload', 'dailySchedule.1.start'],
      ['PUT', '', { limit: { amps: 10 }, colour: 'red' }, 400, 'InvalidPayload', 'colour'],
      ['PUT', '/circuits/a', { parentId: 'b', limit: { amps: 50 } }, 400, 'InvalidPayload', 'circuits.a.parentId'],
      ['PUT', '/circuits/c', { parentId: 'nowhere', limit: { amps: 50 } }, 400, 'InvalidPayload', 'circuits.c.parentId'],
      ['PUT', '/circuits/bad%20id', { limit: { amps: 50 } }, 400, 'InvalidCircuitId'],
      ['PUT', `/chargers/${chargerId}`, { maxAmps: 32, phases: 2 }, 400, 'InvalidPayload', `chargers.${chargerId}.phases`],
      ['PUT', `/chargers/${chargerId}`, { maxAmps: 32, phases: 3, fallbackAmps: 40 }, 400, 'InvalidPayload', `chargers.${chargerId}.fallbackAmps`],
      ['PUT', `/chargers/${chargerId}`, { maxAmps: 32, phases: 3, phaseRotation: 'XYZ' }, 400, 'InvalidPayload', `chargers.${chargerId}.phaseRotation`],
      ['PUT', `/chargers/${chargerId}`, { maxAmps: 32, phases: 3, circuitId: 'gone' }, 400, 'InvalidPayload', `chargers.${chargerId}.circuitId`],
      ['PUT', `/chargers/${chargerId}`, { phases: 3 }, 400, 'InvalidPayload', 'maxAmps'],
      ['PUT', '/external-limit', { until: new Date(Date.now() + 60_000).toISOString() }, 400, 'InvalidPayload', 'externalLimit'],
      ['PUT', '/external-limit', { amps: 10, until: '2000-01-01T00:00:00Z' }, 400, 'InvalidPayload', 'until'],
      ['PUT', '/external-limit', { amps: 10, until: 'tomorrow' }, 400, 'InvalidPayload', 'until'],
      ['PUT', '', '{not json', 400, 'InvalidJson'],
      ['DELETE', '/circuits/a', undefined, 409, 'CircuitInUse'],
      ['DELETE', '/circuits/b', undefined, 409, 'CircuitInUse'],
      ['DELETE', '/chargers/NOT-ON-IT', undefined, 404, 'NotOnSite'],
      ['DELETE', `/chargers/${chargerId}?evseId=0`, undefined, 400, 'InvalidParameter'],
    ];
    for (const [method, path, body, status, code, field] of bad) {
      const error = await expectError(await api(method, `/sites/${siteId}${path}`, body), status, code);
      if (field) expect(error.issues.map((i: { path: string }) => i.path), `${method} ${path}`).toContain(field);
    }
    await expectError(await api('POST', '/sites', { siteId: 'no spaces allowed', limit: { amps: 10 } }), 400, 'InvalidPayload');
    await expectError(await api('GET', '/sites/bad%20id'), 400, 'InvalidSiteId');
    await expectError(await api('PUT', '/sites/NO-SUCH-SITE', { limit: { amps: 10 } }), 404, 'UnknownSite');

    expect(await getSite(siteId)).toEqual(before);
    expect(await objectConfig(siteId)).toEqual(objectBefore);
  });
});

describe('scopes', () => {
  it('a read token reads sites but changes nothing; a command token sets only the external limit', async () => {
    const { siteId } = await createSite();
    const before = await getSite(siteId);
    const reader = await token(['read']);
    const commander = await token(['command']);
    expect((await api('GET', `/sites/${siteId}`, undefined, reader)).status).toBe(200);
    expect((await api('GET', '/sites', undefined, reader)).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/sites', { siteId: newSiteId(), limit: { amps: 10 } }],
      ['PUT', `/sites/${siteId}`, { limit: { amps: 10 } }],
      ['DELETE', `/sites/${siteId}`, undefined],
      ['PUT', `/sites/${siteId}/circuits/x`, { limit: { amps: 10 } }],
      ['PUT', `/sites/${siteId}/external-limit`, { amps: 10 }],
    ] as const) {
      const error = await expectError(await api(method, path, body, reader), 403, 'InsufficientScope');
      expect(error.granted).toEqual(['read']);
    }
    await expectError(await api('PUT', `/sites/${siteId}`, { limit: { amps: 10 } }, commander), 403, 'InsufficientScope');
    await expectError(await api('DELETE', `/sites/${siteId}`, undefined, commander), 403, 'InsufficientScope');
    expect(await getSite(siteId)).toEqual(before);
  });
});

describe('the push to the site object and the chargers', () => {
  it('a connected charger put on a site shows in the configured site object; deleting the site unconfigures it and takes the charger off', async () => {
    const accept = (action: string) => (action === 'SetChargingProfile' || action === 'ClearChargingProfile' ? { status: 'Accepted' } : {});
    const charger = await SiteTestCharger.connect(uniqueChargerId('SITEAPI'), 'ocpp1.6', accept);
    open.push(charger);
    const { siteId } = await createSite();
    expect((await api('PUT', `/sites/${siteId}/chargers/${charger.id}`, { maxAmps: 32, phases: 3 })).status).toBe(201);

    const snapshot = await until(async () => {
      const s = await siteObject(env, siteId).snapshot();
      return s.chargers.some((c) => c.chargerId === charger.id) ? s : undefined;
    }, 5_000, 'the charger in the site snapshot');
    expect(snapshot).toMatchObject({ siteId, configured: true, limit: { amps: 100 } });
    // Told it is on the site, the charger took the site's fallback.
    await until(() => charger.profiles().length > 0, 5_000, 'the fallback profile');
    expect(await chargerObjectSite(charger.id)).toBe(siteId);
    // The read routes show the same object.
    expect(await (await api('GET', `/sites/${siteId}/allocation`)).json()).toMatchObject({ allocation: { siteId, configured: true, chargers: [{ chargerId: charger.id }] } });
    const entries = ((await (await api('GET', `/sites/${siteId}/log?limit=50`)).json()) as { entries: Array<{ kind: string }> }).entries;
    expect(entries.map((e) => e.kind)).toContain('configured');
    expect((await api('GET', `/sites/${siteId}/load`)).status).toBe(200);

    expect((await api('DELETE', `/sites/${siteId}`)).status).toBe(204);
    const after = await siteObject(env, siteId).snapshot();
    expect(after.configured).toBe(false);
    expect(after.chargers).toEqual([]);
    expect(await chargerObjectSite(charger.id)).toBeUndefined();
    // Released: the site's profiles on the charger were cleared.
    await until(() => charger.received.some((c) => c.action === 'ClearChargingProfile'), 5_000, 'the ClearChargingProfile');
    const log = await siteObject(env, siteId).logPage(10, null);
    expect(log.map((e) => e.kind)).toEqual(expect.arrayContaining(['deleted', 'released']));
    expect(await (await api('GET', `/chargers/${charger.id}/site`)).json()).toMatchObject({ siteId: null });
  });
});

async function token(scopes: string[]): Promise<string> {
  const res = await api('POST', '/tokens', { name: `sites ${scopes.join('+')}`, scopes });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}
