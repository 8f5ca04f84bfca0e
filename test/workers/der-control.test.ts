// OCPP 2.1 DER control (R04, R05) through a real 2.1 socket and D1: the inventory of controls and the alarm history, read through the API.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChargerFact } from '../../src/fleet/outbox';
import { DerControlStore, MAX_REPORTED_DER_CONTROLS } from '../../src/store/der-controls';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function connect(): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('DER'), 'ocpp2.1');
  expect(cp.protocol).toBe('ocpp2.1');
  expect((await cp.boot())[2]).toMatchObject({ status: 'Accepted' });
  return cp;
}

async function controls(chargerId: string, query = ''): Promise<any> {
  const res = await api('GET', `/chargers/${chargerId}/der-controls${query}`);
  expect(res.status).toBe(200);
  return json(res);
}

async function alarms(chargerId: string, query = ''): Promise<any> {
  const res = await api('GET', `/chargers/${chargerId}/der-alarms${query}`);
  expect(res.status).toBe(200);
  return json(res);
}

const voltVar = (priority: number, extra: Record<string, unknown> = {}) => ({
  priority,
  yUnit: 'PctMaxVar',
  curveData: [
    { x: 92, y: 30 },
    { x: 108, y: -30 },
  ],
  startTime: '2026-12-01T10:00:00Z',
  duration: 3600,
  ...extra,
});

/** Answers a charger's CALL of its own, checking the CSMS's CALLRESULT is `{}`. */
async function notify(cp: RawCharger, action: string, payload: unknown, messageId?: string): Promise<void> {
  if (messageId === undefined) {
    expect(await cp.call(action, payload)).toEqual([3, expect.any(String), {}]);
    return;
  }
  cp.sendRaw(JSON.stringify([2, messageId, action, payload]));
  expect(await cp.next()).toEqual([3, messageId, {}]);
}

describe('DER controls (R04)', () => {
  it('an accepted SetDERControl enters the inventory, a rejected one does not; supersededIds are marked', async () => {
    const cp = await connect();
    const id = cp.id;
    expect((await controls(id)).controls).toEqual([]);

    const set = await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'vv-1', controlType: 'VoltVar', curve: voltVar(5) }, { status: 'Accepted' });
    expect(set.res.status).toBe(200);
    const rejected = await commandAnswered(
      cp,
      'SetDERControl',
      { isDefault: true, controlId: 'fv-rejected', controlType: 'FixedVar', fixedVar: { priority: 1, setpoint: 10, unit: 'PctMaxVar' } },
      { status: 'Rejected' },
    );
    expect((await json(rejected.res)).result.status).toBe('Rejected');
    const notSupported = await commandAnswered(
      cp,
      'SetDERControl',
      { isDefault: true, controlId: 'ns', controlType: 'Gradients', gradient: { priority: 1, gradient: 1, softGradient: 2 } },
      { status: 'NotSupported' },
    );
    expect(notSupported.res.status).toBe(200);

    let list = await controls(id);
    expect(list).toEqual({
      controls: [
        {
          controlId: 'vv-1',
          controlType: 'VoltVar',
          isDefault: false,
          isSuperseded: false,
          priority: 5,
          startTime: '2026-12-01T10:00:00.000Z',
          duration: 3600,
          setting: { curve: voltVar(5) },
          source: 'set',
          requestId: null,
          state: null,
          stateAt: null,
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });

    // A higher-priority VoltVar supersedes vv-1 (the charger says so in its answer).
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'vv-2', controlType: 'VoltVar', curve: voltVar(1) }, { status: 'Accepted', supersededIds: ['vv-1'] });
    // A lower-priority one is superseded itself at once.
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'vv-3', controlType: 'VoltVar', curve: voltVar(9) }, { status: 'Accepted', supersededIds: ['vv-3'] });
    list = await controls(id);
    expect(list.controls.map((c: any) => [c.controlId, c.isSuperseded])).toEqual([
      ['vv-1', true],
      ['vv-2', false],
      ['vv-3', true],
    ]);

    // Filters and pages.
    await commandAnswered(cp, 'SetDERControl', { isDefault: true, controlId: 'fv-1', controlType: 'FixedVar', fixedVar: { priority: 1, setpoint: 10, unit: 'PctMaxVar' } }, { status: 'Accepted' });
    expect((await controls(id, '?isDefault=true')).controls.map((c: any) => c.controlId)).toEqual(['fv-1']);
    expect((await controls(id, '?controlType=VoltVar&isDefault=false')).controls.map((c: any) => c.controlId)).toEqual(['vv-1', 'vv-2', 'vv-3']);
    const first = await controls(id, '?limit=2');
    expect(first.controls.map((c: any) => c.controlId)).toEqual(['fv-1', 'vv-1']);
    const second = await controls(id, `?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(second.controls.map((c: any) => c.controlId)).toEqual(['vv-2', 'vv-3']);
    expect(second.nextCursor).toBeNull();
    expect((await api('GET', `/chargers/${id}/der-controls?controlType=Nope`)).status).toBe(400);
    expect((await api('GET', `/chargers/${id}/der-controls?isDefault=yes`)).status).toBe(400);
    cp.close();
  });

  it('refuses a SetDERControl that breaks R04 before it leaves, naming the requirement', async () => {
    const cp = await connect();
    const refused = async (payload: unknown) => {
      const res = await api('POST', `/chargers/${cp.id}/commands/SetDERControl`, payload);
      expect(res.status).toBe(400);
      return (await json(res)).error;
    };
    // The setting in a field other than the one its type names.
    expect(await refused({ isDefault: true, controlId: 'x', controlType: 'FixedVar', curve: voltVar(1) })).toMatchObject({ code: 'SpecViolation', requirement: 'R04.FR.16' });
    // Two settings.
    expect(
      await refused({ isDefault: true, controlId: 'x', controlType: 'FixedVar', fixedVar: { priority: 1, setpoint: 1, unit: 'PctMaxVar' }, gradient: { priority: 1, gradient: 1, softGradient: 1 } }),
    ).toMatchObject({ requirement: 'R04.FR.17' });
    // A VoltVar curve in watts.
    expect(await refused({ isDefault: false, controlId: 'x', controlType: 'VoltVar', curve: voltVar(1, { yUnit: 'PctMaxW' }) })).toMatchObject({ requirement: 'R04.FR.52' });
    // A default control with a schedule.
    expect(await refused({ isDefault: true, controlId: 'x', controlType: 'VoltVar', curve: voltVar(1) })).toMatchObject({ requirement: 'R04.FR.13' });
    // Nothing of those reached the charger: the next CALL it sees is this valid one.
    const ok = await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'ok', controlType: 'VoltVar', curve: voltVar(1) }, { status: 'Accepted' });
    expect((ok.call[3] as { controlId: string }).controlId).toBe('ok');
    cp.close();
  });

  it('a GetDERControl report in two parts replaces what it asked about; ClearDERControl removes; NotFound clears', async () => {
    const cp = await connect();
    const id = cp.id;
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'vv-old', controlType: 'VoltVar', curve: voltVar(5) }, { status: 'Accepted' });
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'ww-gone', controlType: 'WattVar', curve: voltVar(5) }, { status: 'Accepted' });
    await commandAnswered(cp, 'SetDERControl', { isDefault: true, controlId: 'fv-def', controlType: 'FixedVar', fixedVar: { priority: 2, setpoint: 5, unit: 'PctMaxVar' } }, { status: 'Accepted' });

    // Get the scheduled controls: the charger has vv-old (now superseded) and one the CSMS never set.
    const get = await commandAnswered(cp, 'GetDERControl', { requestId: 7, isDefault: false }, { status: 'Accepted' });
    expect(get.res.status).toBe(200);
    await notify(cp, 'ReportDERControl', {
      requestId: 7,
      tbc: true,
      curve: [{ id: 'vv-old', curveType: 'VoltVar', isDefault: false, isSuperseded: true, curve: voltVar(5) }],
    });
    // Between the parts, nothing is removed yet.
    expect((await controls(id)).controls.map((c: any) => c.controlId)).toEqual(['fv-def', 'vv-old', 'ww-gone']);
    await notify(cp, 'ReportDERControl', {
      requestId: 7,
      limitMaxDischarge: [{ id: 'lmd-1', isDefault: false, isSuperseded: false, limitMaxDischarge: { priority: 3, pctMaxDischargePower: 50, startTime: '2026-12-02T00:00:00+01:00', duration: 60 } }],
    });
    let list = (await controls(id)).controls;
    // ww-gone was scheduled and in no part: gone. fv-def is a default control, which the Get did not ask about: kept.
    expect(list.map((c: any) => [c.controlId, c.controlType, c.source, c.requestId, c.isSuperseded])).toEqual([
      ['fv-def', 'FixedVar', 'set', null, false],
      ['lmd-1', 'LimitMaxDischarge', 'reported', 7, false],
      ['vv-old', 'VoltVar', 'reported', 7, true],
    ]);
    expect(list[1]).toMatchObject({ startTime: '2026-12-01T23:00:00.000Z', duration: 60, setting: { limitMaxDischarge: { priority: 3, pctMaxDischargePower: 50 } } });
    // The parts are kept as sent too.
    const reports = await json(await api('GET', `/chargers/${id}/reports?action=ReportDERControl`));
    expect(reports.reports).toHaveLength(2);

    // Clear by type (default FixedVar), then by id; a NotFound answer changes nothing.
    await commandAnswered(cp, 'ClearDERControl', { isDefault: true, controlType: 'FixedVar' }, { status: 'Accepted' });
    await commandAnswered(cp, 'ClearDERControl', { isDefault: false, controlId: 'lmd-1' }, { status: 'Accepted' });
    await commandAnswered(cp, 'ClearDERControl', { isDefault: false, controlId: 'vv-old' }, { status: 'NotFound' });
    expect((await controls(id)).controls.map((c: any) => c.controlId)).toEqual(['vv-old']);

    // GetDERControl NotFound: the charger has none of what was asked.
    await commandAnswered(cp, 'GetDERControl', { requestId: 8, controlType: 'VoltVar' }, { status: 'NotFound' });
    expect((await controls(id)).controls).toEqual([]);
    cp.close();
  });

  it('NotifyDERStartStop sets a control started or stopped and marks what it superseded; a replay changes nothing', async () => {
    const cp = await connect();
    const id = cp.id;
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'a', controlType: 'VoltVar', curve: voltVar(5) }, { status: 'Accepted' });
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'b', controlType: 'VoltVar', curve: voltVar(1) }, { status: 'Accepted' });
    await notify(cp, 'NotifyDERStartStop', { controlId: 'b', started: true, timestamp: '2026-12-01T10:00:00Z', supersededIds: ['a'] }, 'ss-1');
    // The same frame again (the charger did not see the answer).
    await notify(cp, 'NotifyDERStartStop', { controlId: 'b', started: true, timestamp: '2026-12-01T10:00:00Z', supersededIds: ['a'] }, 'ss-1');
    let list = (await controls(id)).controls;
    expect(list.map((c: any) => [c.controlId, c.isSuperseded, c.state, c.stateAt])).toEqual([
      ['a', true, null, null],
      ['b', false, 'started', '2026-12-01T10:00:00.000Z'],
    ]);
    await notify(cp, 'NotifyDERStartStop', { controlId: 'b', started: false, timestamp: '2026-12-01T11:00:00Z' });
    // A late copy of the start does not undo the stop.
    await notify(cp, 'NotifyDERStartStop', { controlId: 'b', started: true, timestamp: '2026-12-01T10:00:00Z' }, 'ss-late');
    list = (await controls(id)).controls;
    expect(list[1]).toMatchObject({ controlId: 'b', state: 'stopped', stateAt: '2026-12-01T11:00:00.000Z' });
    cp.close();
  });
});

describe('DER alarms (R05)', () => {
  it('an alarm opens, a replay is the same alarm, alarmEnded closes it; newest first, paged, open ones flagged', async () => {
    const cp = await connect();
    const id = cp.id;
    await notify(cp, 'NotifyDERAlarm', { controlType: 'HVMustTrip', gridEventFault: 'OverVoltage', timestamp: '2026-12-01T10:00:00Z', extraInfo: 'phase 2' }, 'al-1');
    await notify(cp, 'NotifyDERAlarm', { controlType: 'HVMustTrip', gridEventFault: 'OverVoltage', timestamp: '2026-12-01T10:00:00Z', extraInfo: 'phase 2' }, 'al-1');
    await notify(cp, 'NotifyDERAlarm', { controlType: 'LFMustTrip', gridEventFault: 'UnderFrequency', timestamp: '2026-12-01T10:05:00Z' });
    let page = await alarms(id);
    expect(page.alarms.map((a: any) => [a.controlType, a.open])).toEqual([
      ['LFMustTrip', true],
      ['HVMustTrip', true],
    ]);

    await notify(cp, 'NotifyDERAlarm', { controlType: 'HVMustTrip', alarmEnded: true, timestamp: '2026-12-01T10:10:00+00:00', extraInfo: 'back to normal' });
    // Its replay closes nothing more and adds nothing.
    await notify(cp, 'NotifyDERAlarm', { controlType: 'HVMustTrip', alarmEnded: true, timestamp: '2026-12-01T10:10:00+00:00', extraInfo: 'back to normal' });
    // An end whose start the CSMS never saw.
    await notify(cp, 'NotifyDERAlarm', { controlType: 'VoltWatt', alarmEnded: true, timestamp: '2026-12-01T10:20:00Z' });
    page = await alarms(id);
    expect(page).toEqual({
      alarms: [
        {
          id: expect.any(Number),
          controlType: 'VoltWatt',
          gridEventFault: null,
          startedAt: null,
          endedAt: '2026-12-01T10:20:00.000Z',
          open: false,
          extraInfo: null,
          endExtraInfo: null,
          receivedAt: expect.any(String),
        },
        expect.objectContaining({ controlType: 'LFMustTrip', gridEventFault: 'UnderFrequency', open: true, endedAt: null }),
        {
          id: expect.any(Number),
          controlType: 'HVMustTrip',
          gridEventFault: 'OverVoltage',
          startedAt: '2026-12-01T10:00:00.000Z',
          endedAt: '2026-12-01T10:10:00.000Z',
          open: false,
          extraInfo: 'phase 2',
          endExtraInfo: 'back to normal',
          receivedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect((await alarms(id, '?open=true')).alarms.map((a: any) => a.controlType)).toEqual(['LFMustTrip']);
    expect((await alarms(id, '?open=false&controlType=HVMustTrip')).alarms).toHaveLength(1);
    const first = await alarms(id, '?limit=2');
    expect(first.alarms).toHaveLength(2);
    const rest = await alarms(id, `?limit=2&cursor=${first.nextCursor}`);
    expect(rest.alarms.map((a: any) => a.controlType)).toEqual(['HVMustTrip']);
    expect(rest.nextCursor).toBeNull();
    expect((await api('GET', `/chargers/${id}/der-alarms?cursor=abc`)).status).toBe(400);

    // Every message is kept as sent, replays once.
    expect((await json(await api('GET', `/chargers/${id}/reports?action=NotifyDERAlarm`))).reports.length).toBeGreaterThanOrEqual(4);
    cp.close();
  });
});

describe('DELETE /chargers/{id}', () => {
  it("forgets the charger's DER controls, report requests and alarms", async () => {
    const cp = await connect();
    await commandAnswered(cp, 'SetDERControl', { isDefault: false, controlId: 'gone', controlType: 'VoltVar', curve: voltVar(1) }, { status: 'Accepted' });
    await commandAnswered(cp, 'GetDERControl', { requestId: 1 }, { status: 'Accepted' });
    await notify(cp, 'NotifyDERAlarm', { controlType: 'VoltVar', timestamp: '2026-12-01T10:00:00Z' });
    expect((await controls(cp.id)).controls).toHaveLength(1);
    const rows = async () =>
      Promise.all(
        ['der_controls', 'der_control_requests', 'der_alarms'].map(
          async (table) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE charger_id = ?`).bind(cp.id).first<{ n: number }>())!.n,
        ),
      );
    expect(await rows()).toEqual([1, 1, 1]);
    cp.close();
    await cp.waitForClose();
    expect((await api('DELETE', `/chargers/${cp.id}`)).status).toBe(200);
    expect(await rows()).toEqual([0, 0, 0]);
  });
});

describe('the DER store', () => {
  it('applies a flushed batch again without changing anything (a flush whose outbox removal was lost)', async () => {
    const chargerId = uniqueChargerId('DERS');
    const at = (m: number) => `2026-12-01T10:${String(m).padStart(2, '0')}:00.000Z`;
    const control = (controlId: string, isDefault = false) => ({
      controlId,
      controlType: 'VoltVar' as const,
      isDefault,
      isSuperseded: false,
      priority: 1,
      startTime: null,
      duration: null,
      setting: { curve: { priority: 1 } },
    });
    const facts: ChargerFact<'der'>[] = [
      { chargerId, fact: { op: 'set', control: control('s1'), supersededIds: [], at: at(1) } },
      { chargerId, fact: { op: 'set', control: control('s2'), supersededIds: ['s1'], at: at(2) } },
      { chargerId, fact: { op: 'requested', requestId: 3, isDefault: false, at: at(3) } },
      { chargerId, fact: { op: 'reported', requestId: 3, controls: [control('r1')], final: true, at: at(4) } },
      { chargerId, fact: { op: 'set', control: control('s3'), supersededIds: [], at: at(5) } },
      { chargerId, fact: { op: 'clear', controlId: 'r1', at: at(6) } },
      { chargerId, fact: { op: 'alarm', controlType: 'VoltVar', gridEventFault: null, alarmEnded: false, timestamp: at(7), extraInfo: null, at: at(7) } },
      { chargerId, fact: { op: 'alarm', controlType: 'VoltVar', gridEventFault: null, alarmEnded: true, timestamp: at(8), extraInfo: null, at: at(8) } },
      { chargerId, fact: { op: 'alarm', controlType: 'VoltVar', gridEventFault: null, alarmEnded: false, timestamp: at(9), extraInfo: null, at: at(9) } },
    ];
    const store = new DerControlStore(env.DB);
    const read = async () => ({
      controls: (await store.listControls(chargerId, { limit: 50 })).controls,
      alarms: (await store.listAlarms(chargerId, { limit: 50 })).alarms,
    });
    await env.DB.batch(store.changeStatements(facts));
    const once = await read();
    // The report removed s1 and s2 (scheduled, not reported), then r1 was cleared; s3 came after.
    expect(once.controls.map((c) => c.controlId)).toEqual(['s3']);
    expect(once.alarms.map((a) => [a.startedAt, a.endedAt])).toEqual([
      [at(9), null],
      [at(7), at(8)],
    ]);
    await env.DB.batch(store.changeStatements(facts));
    expect(await read()).toEqual(once);
  });

  it('keeps at most MAX_REPORTED_DER_CONTROLS a charger reported; past it a report updates what is known and adds nothing, a set still adds', async () => {
    const chargerId = uniqueChargerId('DERC');
    const control = (controlId: string, priority = 1) => ({
      controlId,
      controlType: 'VoltVar' as const,
      isDefault: false,
      isSuperseded: false,
      priority,
      startTime: null,
      duration: null,
      setting: {},
    });
    const store = new DerControlStore(env.DB);
    const ids = Array.from({ length: MAX_REPORTED_DER_CONTROLS }, (_, i) => `c${String(i).padStart(5, '0')}`);
    const parts: ChargerFact<'der'>[] = [];
    for (let i = 0; i < ids.length; i += 192) {
      parts.push({ chargerId, fact: { op: 'reported', requestId: 1, controls: ids.slice(i, i + 192).map((id) => control(id)), final: false, at: '2026-12-01T10:00:00.000Z' } });
    }
    await env.DB.batch(store.changeStatements(parts));
    await env.DB.batch(
      store.changeStatements([
        { chargerId, fact: { op: 'reported', requestId: 1, controls: [control('c00000', 7), control('new-one')], final: false, at: '2026-12-01T10:01:00.000Z' } },
        { chargerId, fact: { op: 'set', control: control('operator-set'), supersededIds: [], at: '2026-12-01T10:02:00.000Z' } },
      ]),
    );
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM der_controls WHERE charger_id = ?').bind(chargerId).first<{ n: number }>();
    expect(count!.n).toBe(MAX_REPORTED_DER_CONTROLS + 1);
    const first = (await store.listControls(chargerId, { limit: 1 })).controls[0]!;
    expect([first.controlId, first.priority]).toEqual(['c00000', 7]);
    const known = await env.DB.prepare("SELECT control_id FROM der_controls WHERE charger_id = ? AND control_id IN ('new-one', 'operator-set')").bind(chargerId).all();
    expect(known.results).toEqual([{ control_id: 'operator-set' }]);
  });

  it('a report no GetDERControl announced replaces the types it lists, and no others', async () => {
    const chargerId = uniqueChargerId('DERU');
    const control = (controlId: string, controlType: 'VoltVar' | 'FixedVar', isDefault = false) => ({
      controlId,
      controlType,
      isDefault,
      isSuperseded: false,
      priority: 1,
      startTime: null,
      duration: null,
      setting: {},
    });
    const store = new DerControlStore(env.DB);
    await env.DB.batch(
      store.changeStatements([
        { chargerId, fact: { op: 'set', control: control('vv', 'VoltVar'), supersededIds: [], at: '2026-12-01T10:00:00.000Z' } },
        { chargerId, fact: { op: 'set', control: control('vv-default', 'VoltVar', true), supersededIds: [], at: '2026-12-01T10:00:00.000Z' } },
        { chargerId, fact: { op: 'set', control: control('fv', 'FixedVar'), supersededIds: [], at: '2026-12-01T10:00:00.000Z' } },
        { chargerId, fact: { op: 'reported', requestId: 99, controls: [control('vv-new', 'VoltVar')], final: true, at: '2026-12-01T10:01:00.000Z' } },
      ]),
    );
    expect((await store.listControls(chargerId, { limit: 50 })).controls.map((c) => [c.controlId, c.source])).toEqual([
      ['fv', 'set'],
      ['vv-default', 'set'],
      ['vv-new', 'reported'],
    ]);
  });
});
