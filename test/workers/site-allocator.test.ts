// Runtime tests of a site's allocator object (src/sites/site-object.ts) with real charger objects
// and chargers on sockets: fallbacks on connection, shares as TxProfiles, decreases before
// increases, cars drawing less, and chargers that refuse profiles or disconnect counted at their
// full rating; ISO 15118 charging needs (2.0.1 NotifyEVChargingNeeds) in the shares and the
// admission order; a 1.6 charger that takes only W given watts within its stack level. The site is
// configured on its object directly, as the sites API does after D1.
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteCharger, SiteConfig } from '../../src/sites/model';
import type { SiteAllocator } from '../../src/sites/site-object';
import { SITE_FALLBACK_PROFILE_ID, SITE_TX_PROFILE_BASE } from '../../src/sites/profiles';
import { uniqueChargerId } from './helpers';
import { SiteTestCharger, until, type ReceivedCall } from './site-charger';

const open: SiteTestCharger[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function siteConfig(siteId: string, amps: number, chargers: SiteCharger[]): SiteConfig {
  return {
    siteId, name: siteId, voltage: 230, limit: { amps, kw: null }, dailySchedule: [], timeZone: 'UTC', externalLimit: null,
    minAmps: 6, groupPriorities: {}, circuits: [], chargers, updatedAt: new Date().toISOString(),
  };
}

function onSite(chargerId: string, extra: Partial<SiteCharger> = {}): SiteCharger {
  return { chargerId, evseId: null, circuitId: null, phaseRotation: null, maxAmps: 32, phases: 3, fallbackAmps: 0, priority: 0, ...extra };
}

const accept = (action: string) => (action === 'SetChargingProfile' || action === 'ClearChargingProfile' ? { status: 'Accepted' } : {});
const refuseProfiles = (action: string) => (action === 'SetChargingProfile' ? { status: 'Rejected' } : accept(action));

/** The limit of a SetChargingProfile, whichever version. */
function limitOf(call: ReceivedCall): number {
  const p = call.payload;
  const periods = p.csChargingProfiles ? p.csChargingProfiles.chargingSchedule.chargingSchedulePeriod : p.chargingProfile.chargingSchedule[0].chargingSchedulePeriod;
  return periods[0].limit;
}
function purposeOf(call: ReceivedCall): string {
  return (call.payload.csChargingProfiles ?? call.payload.chargingProfile).chargingProfilePurpose;
}
function txProfiles(c: SiteTestCharger): ReceivedCall[] {
  return c.profiles().filter((p) => purposeOf(p) === 'TxProfile');
}
function lastShare(c: SiteTestCharger): number | undefined {
  const list = txProfiles(c);
  return list.length ? limitOf(list.at(-1)!) : undefined;
}

async function connect(version: 'ocpp1.6' | 'ocpp2.0.1', answer: (action: string, payload: any) => unknown = accept): Promise<SiteTestCharger> {
  const charger = await SiteTestCharger.connect(uniqueChargerId('SITE'), version, answer);
  open.push(charger);
  return charger;
}

async function start16(c: SiteTestCharger, connectorId = 1): Promise<number> {
  const answer = await c.call('StartTransaction', { connectorId, idTag: 'SITE-TAG', meterStart: 0, timestamp: new Date().toISOString() });
  return (answer[2] as { transactionId: number }).transactionId;
}

function meter16(c: SiteTestCharger, transactionId: number, amps: number, connectorId = 1): Promise<unknown[]> {
  const timestamp = new Date().toISOString();
  const sampledValue = ['L1', 'L2', 'L3'].map((phase) => ({ measurand: 'Current.Import', phase, unit: 'A', value: String(amps) }));
  return c.call('MeterValues', { connectorId, transactionId, meterValue: [{ timestamp, sampledValue }] });
}

async function setUp(siteId: string, amps: number, chargers: SiteTestCharger[], extra: Partial<SiteCharger>[] = []): Promise<void> {
  await env.SITES.getByName(siteId).configure(siteConfig(siteId, amps, chargers.map((c, i) => onSite(c.id, extra[i]))));
  for (const c of chargers) await env.CHARGERS.getByName(c.id).assignSite(siteId);
  // Each takes the site's fallback (0 A: a session waits for its share) before anything else.
  for (const c of chargers) await until(() => c.profiles().some((p) => purposeOf(p) === 'TxDefaultProfile'), 5_000, `${c.id}'s fallback`);
}

describe('a site keeps its sessions under its limit', () => {
  it('a charger joining a site gets the fallback; a session gets the whole limit, then shares it with the next, lowered before the other is raised', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp1.6');
    const b = await connect('ocpp1.6');
    await setUp(siteId, 32, [a, b]);
    const fallback = a.profiles()[0]!;
    expect(fallback.payload).toMatchObject({ connectorId: 0, csChargingProfiles: { chargingProfileId: SITE_FALLBACK_PROFILE_ID, chargingProfilePurpose: 'TxDefaultProfile' } });
    expect(limitOf(fallback)).toBe(0);

    const txA = await start16(a);
    await until(() => lastShare(a) === 32, 5_000, 'A at 32 A');
    // A now answers its profiles slowly: B's share must wait for A's answer.
    a.answer = async (action) => {
      await new Promise((r) => setTimeout(r, 300));
      return accept(action);
    };
    expect(txProfiles(a)[0]!.payload).toMatchObject({ connectorId: 1, csChargingProfiles: { chargingProfileId: SITE_TX_PROFILE_BASE + 1, transactionId: txA } });

    await start16(b);
    await until(() => lastShare(a) === 16 && lastShare(b) === 16, 5_000, 'both at 16 A');
    // A came down before B went up: at no moment could both draw more than 32 A.
    const aDown = txProfiles(a).find((p) => limitOf(p) === 16)!;
    const bUp = txProfiles(b)[0]!;
    expect(aDown.answeredSeq).toBeLessThan(bUp.seq);
    expect(txProfiles(b).every((p) => limitOf(p) <= 16)).toBe(true);

    const snapshot = await env.SITES.getByName(siteId).snapshot();
    expect(snapshot.sessions.map((s) => s.acceptedAmps).sort()).toEqual([16, 16]);
    const log = await env.SITES.getByName(siteId).logPage(100, null);
    expect(log.filter((e) => e.kind === 'accepted').length).toBeGreaterThanOrEqual(3);
  });

  it('what a car does not draw goes to the other session, and a session that ends frees its share', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp1.6');
    const b = await connect('ocpp1.6');
    await setUp(siteId, 32, [a, b]);
    const txA = await start16(a);
    const txB = await start16(b);
    await until(() => lastShare(a) === 16 && lastShare(b) === 16, 5_000, 'both at 16 A');

    await meter16(a, txA, 4);
    await until(() => (lastShare(b) ?? 0) > 16, 5_000, 'B raised');
    expect(lastShare(a)!).toBeLessThan(16);
    expect(lastShare(a)! + lastShare(b)!).toBeLessThanOrEqual(32);

    await b.call('StopTransaction', { transactionId: txB, meterStop: 100, timestamp: new Date().toISOString() });
    // A's cap stays (it still draws 4 A) until it draws more; the freed share is there when it does.
    await meter16(a, txA, lastShare(a)!);
    await until(() => lastShare(a) === 32, 5_000, 'A given the whole limit back');
  });

  it('a charger refusing profiles counts at its full rating; so does one that disconnects', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp1.6');
    const b = await connect('ocpp2.0.1', refuseProfiles);
    await env.SITES.getByName(siteId).configure(siteConfig(siteId, 64, [onSite(a.id), onSite(b.id)]));
    await env.CHARGERS.getByName(a.id).assignSite(siteId);
    await env.CHARGERS.getByName(b.id).assignSite(siteId);
    await until(() => b.profiles().length > 0, 5_000, "B's refused fallback");
    const txA = await start16(a);
    // B refused: it may draw its 32 A whatever the site says, so A gets the other 32.
    await until(() => lastShare(a) === 32, 5_000, 'A at 32 A');
    const snapshot = await env.SITES.getByName(siteId).snapshot();
    expect(snapshot.chargers.find((c) => c.chargerId === b.id)).toMatchObject({ countedAmps: 32, countedBecause: 'refused' });

    // A leaves and comes back: while it was gone nothing was vouched for; on return it takes the fallback first.
    a.close();
    await until(async () => (await env.SITES.getByName(siteId).snapshot()).chargers.find((c) => c.chargerId === a.id)?.countedBecause === 'unreachable', 5_000, 'A unreachable');
    void txA;
  });

  it('a charger taken off the site has the site’s profiles cleared', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp1.6');
    await setUp(siteId, 32, [a]);
    await env.SITES.getByName(siteId).configure(siteConfig(siteId, 32, []));
    await env.CHARGERS.getByName(a.id).assignSite(null);
    await until(() => a.received.some((c) => c.action === 'ClearChargingProfile' && c.payload.id === SITE_FALLBACK_PROFILE_ID), 5_000, 'the fallback cleared');
  });

  it('an allocation that does not fit a session’s minimum makes it wait at 0 rather than overload', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp1.6');
    const b = await connect('ocpp1.6');
    await setUp(siteId, 10, [a, b]);
    await start16(a);
    await until(() => lastShare(a) === 10, 5_000, 'A at 10 A');
    await start16(b);
    await until(async () => (await env.SITES.getByName(siteId).snapshot()).sessions.length === 2, 5_000, 'two sessions');
    // Two sessions of at least 6 A do not fit 10 A: one waits (its charger's fallback, 0 A, holds it).
    const snapshot = await env.SITES.getByName(siteId).snapshot();
    const shares = snapshot.sessions.map((s) => s.shareAmps).sort((x, y) => x - y);
    expect(shares[0]).toBe(0);
    expect(shares[1]).toBe(10);
    expect(lastShare(b) ?? 0).toBe(0);
  });

  it('a session whose end the site never heard of is dropped once its charger says it is not running', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp1.6');
    await setUp(siteId, 32, [a]);
    const tx = await start16(a);
    await until(() => lastShare(a) === 32, 5_000, 'A at 32 A');
    const stub = env.SITES.getByName(siteId);
    // A phantom: a start the charger never made (as if its end's signal was lost), quiet for an hour.
    await stub.signal(a.id, 'ocpp1.6', [{ type: 'started', evseId: 2, transactionId: '999999', group: null, at: new Date().toISOString() }]);
    await runInDurableObject(stub, async (instance: SiteAllocator, state) => {
      void instance;
      const old = Date.now() - 3_600_000;
      for (const row of state.storage.sql.exec<{ key: string; json: string }>('SELECT key, json FROM sessions').toArray()) {
        state.storage.sql.exec('UPDATE sessions SET json = ? WHERE key = ?', JSON.stringify({ ...JSON.parse(row.json), startedAt: old, measuredAt: null }), row.key);
      }
    });
    expect((await stub.snapshot()).sessions.map((s) => s.transactionId).sort()).toEqual([String(tx), '999999']);
    await runDurableObjectAlarm(stub);
    expect((await stub.snapshot()).sessions.map((s) => s.transactionId)).toEqual([String(tx)]);
    const log = await stub.logPage(10, null);
    expect(log.some((e) => e.kind === 'ended' && e.transactionId === '999999' && e.detail === 'not running on the charger')).toBe(true);
  });
});

/** The site's own TxProfiles on EVSE 1 (an EV negotiation's TxProfile has another id). */
function siteShares(c: SiteTestCharger): ReceivedCall[] {
  return txProfiles(c).filter((p) => (p.payload.csChargingProfiles ?? p.payload.chargingProfile)[p.payload.csChargingProfiles ? 'chargingProfileId' : 'id'] === SITE_TX_PROFILE_BASE + 1);
}
function lastSiteShare(c: SiteTestCharger): number | undefined {
  return siteShares(c).at(-1) && limitOf(siteShares(c).at(-1)!);
}
function started201(transactionId: string): Record<string, unknown> {
  return {
    eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId },
    idToken: { idToken: 'SITE-TAG', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 },
  };
}
function needs201(departureTime: string, evMaxCurrent = 32): Record<string, unknown> {
  return { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'AC_three_phase', departureTime, acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent, evMaxVoltage: 400 } } };
}

describe('ISO 15118 charging needs and W-only chargers', () => {
  it('2.0.1: a car’s needs lower its share to its own maximum, and its departure decides who gives way when the limit falls', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const a = await connect('ocpp2.0.1');
    const b = await connect('ocpp2.0.1');
    await setUp(siteId, 32, [a, b]);
    expect((await a.call('TransactionEvent', started201('tx-a')))[0]).toBe(3);
    await until(() => lastSiteShare(a) === 32, 5_000, 'A at 32 A');

    const [, , answer] = (await a.call('NotifyEVChargingNeeds', needs201(new Date(Date.now() + 3_600_000).toISOString(), 16))) as [number, string, { status: string }];
    expect(answer.status).toBe('Accepted');
    await until(() => lastSiteShare(a) === 16, 5_000, 'A lowered to its car’s 16 A');
    const stub = env.SITES.getByName(siteId);
    const seen = (await stub.snapshot()).sessions[0]!;
    expect(seen).toMatchObject({ shareAmps: 16, reason: 'charger-max', needs: { evMaxAmps: 16, evMinAmps: 6, energyWh: 20_000 } });
    expect(Date.parse(seen.needs!.departureAt!)).toBeGreaterThan(Date.now() + 3_000_000);
    expect((await stub.logPage(50, null)).find((e) => e.kind === 'needs')).toMatchObject({ chargerId: a.id, evseId: 1, detail: expect.stringContaining('max 16 A') });

    // B starts after A: by 'since' alone B, which has charged least, would keep its share when the limit falls.
    expect((await b.call('TransactionEvent', started201('tx-b')))[0]).toBe(3);
    await until(() => lastSiteShare(b) === 16, 5_000, 'B at 16 A');
    const bSends = siteShares(b).length;
    await b.call('NotifyEVChargingNeeds', needs201(new Date(Date.now() + 5 * 3_600_000).toISOString()));
    // Needs that leave B's share as it was: it is sent again all the same, for the charger to renegotiate with the car (K15.FR.07).
    await until(() => siteShares(b).length === bSends + 1, 5_000, 'B sent its share again');
    expect(lastSiteShare(b)).toBe(16);
    // On a site the TxProfiles are the site's: the CSMS's own schedule for the needs (ev-negotiation.ts) is not sent.
    for (const c of [a, b]) expect(txProfiles(c).filter((p) => !siteShares(c).includes(p))).toEqual([]);
    await stub.configure(siteConfig(siteId, 6, [onSite(a.id), onSite(b.id)]));
    // A leaves in an hour, B in five: B gives way.
    await until(() => lastSiteShare(b) === 0 && lastSiteShare(a) === 6, 5_000, 'B waiting, A at 6 A');
    const shares = Object.fromEntries((await stub.snapshot()).sessions.map((s) => [s.chargerId, s.shareAmps]));
    expect(shares).toEqual({ [a.id]: 6, [b.id]: 0 });
  });

  it('1.6: a charger whose configuration says Power gets watts, at the stack level it declared', async () => {
    const siteId = `site-${crypto.randomUUID()}`;
    const configurationKey = [
      { key: 'ChargingScheduleAllowedChargingRateUnit', readonly: true, value: 'Power' },
      { key: 'ChargeProfileMaxStackLevel', readonly: true, value: '0' },
    ];
    const a = await connect('ocpp1.6', (action) => (action === 'GetConfiguration' ? { configurationKey } : accept(action)));
    const got = await env.CHARGERS.getByName(a.id).sendCommand('GetConfiguration', {}, 10);
    expect((got as unknown as { ok: boolean }).ok).toBe(true);
    await setUp(siteId, 32, [a]);
    const fallback = a.profiles().find((p) => purposeOf(p) === 'TxDefaultProfile')!;
    expect(fallback.payload.csChargingProfiles).toMatchObject({ stackLevel: 0, chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }] } });

    const tx = await start16(a);
    // 32 A for one phase until the readings show how many the car uses: 32 × 230.
    await until(() => lastShare(a) === 7360, 5_000, 'A at 7 360 W');
    expect(txProfiles(a).at(-1)!.payload.csChargingProfiles).toMatchObject({ stackLevel: 0, chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ numberPhases: 3 }] } });
    // The car draws on three phases: the same 32 A per phase, now as three phases' watts.
    await meter16(a, tx, 10.6);
    await until(() => lastShare(a) === 22_080, 5_000, 'A at 22 080 W');
    const snapshot = await env.SITES.getByName(siteId).snapshot();
    expect(snapshot.sessions[0]).toMatchObject({ acceptedAmps: 32, drawCap: null });
  });
});
