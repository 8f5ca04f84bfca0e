// Readable views of what a 2.0.1 charger reports: monitors, events, display messages, customer information.
import { describe, expect, it } from 'vitest';
import { allPages, api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

async function charger201(): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
  await cp.boot();
  return cp;
}

/** Sends a CALL as the charger and expects the empty CALLRESULT notifications are answered with. */
async function notify(cp: RawCharger, action: string, payload: unknown): Promise<void> {
  expect(await cp.call(action, payload)).toEqual([3, expect.any(String), {}]);
}

/** Sends a command through the API and answers it as the charger, with `result`. */
async function command(cp: RawCharger, action: string, payload: unknown, result: unknown): Promise<void> {
  const pending = api('POST', `/chargers/${cp.id}/commands/${action}`, payload);
  let call = await cp.next();
  while (call[0] !== 2 || call[2] !== action) call = await cp.next();
  cp.sendRaw(JSON.stringify([3, call[1], result]));
  const res = await pending;
  expect(res.status).toBe(200);
}

const GENERATED_AT = '2026-07-01T10:00:00Z';

function monitorReport(requestId: number, seqNo: number, tbc: boolean, monitor: unknown[]) {
  return { requestId, seqNo, tbc, generatedAt: GENERATED_AT, monitor };
}

describe('GET /chargers/{id}/monitors (N02 Get Monitoring report, N04 Set Variable Monitoring)', () => {
  it('N02: assembles the parts of a monitoring report, the latest report winning per component, variable and monitor id; filters and pages', async () => {
    const cp = await charger201();
    // GetMonitoringReport requestId 1, in two parts.
    await notify(
      cp,
      'NotifyMonitoringReport',
      monitorReport(1, 0, true, [
        {
          component: { name: 'EVSE', evse: { id: 1 } },
          variable: { name: 'Power' },
          variableMonitoring: [
            { id: 1, transaction: false, value: 22000, type: 'UpperThreshold', severity: 5 },
            { id: 2, transaction: true, value: 100, type: 'Delta', severity: 7 },
          ],
        },
      ]),
    );
    await notify(
      cp,
      'NotifyMonitoringReport',
      monitorReport(1, 1, false, [
        { component: { name: 'ChargingStation' }, variable: { name: 'Temperature' }, variableMonitoring: [{ id: 3, transaction: false, value: 80, type: 'UpperThreshold', severity: 2 }] },
        { component: { name: 'ChargingStation' }, variable: { name: 'Problem' }, variableMonitoring: [{ id: 4, transaction: false, value: 0, type: 'Periodic', severity: 9 }] },
      ]),
    );
    // A later report (after a SetVariableMonitoring) shows monitor 1 with a new value: it wins.
    await notify(
      cp,
      'NotifyMonitoringReport',
      monitorReport(2, 0, false, [
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableMonitoring: [{ id: 1, transaction: false, value: 11000, type: 'UpperThreshold', severity: 4 }] },
      ]),
    );

    const { monitors, nextCursor } = await json(await api('GET', `/chargers/${cp.id}/monitors`));
    expect(nextCursor).toBeNull();
    expect(monitors).toEqual([
      { id: 4, component: { name: 'ChargingStation', instance: null, evse: null }, variable: { name: 'Problem', instance: null }, type: 'Periodic', value: 0, severity: 9, transaction: false, source: 'NotifyMonitoringReport', requestId: 1, reportedAt: expect.any(String) },
      expect.objectContaining({ id: 3, variable: { name: 'Temperature', instance: null }, value: 80 }),
      expect.objectContaining({ id: 1, component: { name: 'EVSE', instance: null, evse: { id: 1 } }, value: 11000, severity: 4, requestId: 2 }),
      expect.objectContaining({ id: 2, type: 'Delta', transaction: true, requestId: 1 }),
    ]);

    // Paged one at a time: the same monitors, each once, in the same order.
    const pages = await allPages(`/chargers/${cp.id}/monitors`, 1);
    expect(pages.flatMap((p) => p.monitors.map((m: { id: number }) => m.id))).toEqual([4, 3, 1, 2]);
    expect(pages).toHaveLength(4);

    const byComponent = await json(await api('GET', `/chargers/${cp.id}/monitors?component=EVSE`));
    expect(byComponent.monitors.map((m: { id: number }) => m.id)).toEqual([1, 2]);
    const byVariable = await json(await api('GET', `/chargers/${cp.id}/monitors?variable=Temperature`));
    expect(byVariable.monitors.map((m: { id: number }) => m.id)).toEqual([3]);
    const byType = await json(await api('GET', `/chargers/${cp.id}/monitors?type=UpperThreshold`));
    expect(byType.monitors.map((m: { id: number }) => m.id)).toEqual([3, 1]);
    cp.close();
  });

  for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
    it(`N02/N04 (${version}): one inventory of what the charger has — reported monitors learnt, set ones added, cleared ones gone, the latest news of an id winning`, async () => {
      const cp = await RawCharger.connect(uniqueChargerId('MON'), version);
      expect(cp.protocol).toBe(version);
      await cp.boot();
      const evse = { name: 'EVSE', evse: { id: 1 } };
      // 2.1 says what kind of monitor each one is.
      const mon = (m: Record<string, unknown>) => (version === 'ocpp2.1' ? { ...m, eventNotificationType: 'CustomMonitor' } : m);
      await notify(
        cp,
        'NotifyMonitoringReport',
        monitorReport(7, 0, false, [
          { component: evse, variable: { name: 'Power' }, variableMonitoring: [mon({ id: 10, transaction: false, value: 22000, type: 'UpperThreshold', severity: 5 })] },
          { component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Temperature' }, variableMonitoring: [mon({ id: 11, transaction: true, value: 70, type: 'UpperThreshold', severity: 2 })] },
        ]),
      );
      // Accepted by the charger: a new monitor 12, and monitor 10 set anew (a newer value than reported).
      await command(
        cp,
        'SetVariableMonitoring',
        {
          setMonitoringData: [
            { value: 50, type: 'Delta', severity: 6, transaction: true, component: evse, variable: { name: 'Current' } },
            { id: 10, value: 11000, type: 'UpperThreshold', severity: 4, component: evse, variable: { name: 'Power' } },
          ],
        },
        {
          setMonitoringResult: [
            { id: 12, status: 'Accepted', type: 'Delta', severity: 6, component: evse, variable: { name: 'Current' } },
            { id: 10, status: 'Accepted', type: 'UpperThreshold', severity: 4, component: evse, variable: { name: 'Power' } },
          ],
        },
      );
      const byId = async () => Object.fromEntries(((await json(await api('GET', `/chargers/${cp.id}/monitors`))).monitors as any[]).map((m) => [m.id, m]));
      const after = await byId();
      // In the view's order: component (Connector before EVSE), then variable (Current before Power).
      expect(((await json(await api('GET', `/chargers/${cp.id}/monitors`))).monitors as any[]).map((m) => m.id)).toEqual([11, 12, 10]);
      expect(after[10]).toMatchObject({ value: 11000, severity: 4, transaction: false, source: 'SetVariableMonitoring', requestId: null });
      expect(after[12]).toEqual({
        id: 12,
        component: { name: 'EVSE', instance: null, evse: { id: 1 } },
        variable: { name: 'Current', instance: null },
        type: 'Delta',
        value: 50,
        severity: 6,
        transaction: true,
        source: 'SetVariableMonitoring',
        requestId: null,
        reportedAt: expect.any(String),
      });
      expect(after[11]).toMatchObject({ component: { name: 'Connector', instance: null, evse: { id: 1, connectorId: 1 } }, value: 70, transaction: true, source: 'NotifyMonitoringReport', requestId: 7 });

      // Cleared on the charger (11 Accepted, 99 NotFound): gone from the inventory, whatever reported it before.
      await command(cp, 'ClearVariableMonitoring', { id: [11, 99] }, { clearMonitoringResult: [{ id: 11, status: 'Accepted' }, { id: 99, status: 'NotFound' }] });
      expect(Object.keys(await byId()).sort()).toEqual(['10', '12']);

      // A later report of an id wins over what was set before it.
      await notify(
        cp,
        'NotifyMonitoringReport',
        monitorReport(8, 0, false, [{ component: evse, variable: { name: 'Current' }, variableMonitoring: [mon({ id: 12, transaction: false, value: 40, type: 'Delta', severity: 3 })] }]),
      );
      expect((await byId())[12]).toMatchObject({ value: 40, severity: 3, transaction: false, source: 'NotifyMonitoringReport', requestId: 8 });
      cp.close();
    });
  }

  it('refuses bad parameters with 400 and an unknown charger with 404', async () => {
    const cp = await charger201();
    for (const query of ['type=Sometimes', 'limit=0', 'cursor=nonsense', `component=${'x'.repeat(51)}`]) {
      const res = await api('GET', `/chargers/${cp.id}/monitors?${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).error.code).toBe('InvalidParameter');
    }
    for (const path of ['monitors', 'events', 'display-messages', 'customer-information']) {
      const res = await api('GET', `/chargers/${uniqueChargerId('nobody')}/${path}`);
      expect(res.status, path).toBe(404);
      expect((await json(res)).error.code).toBe('UnknownCharger');
    }
    expect((await api('GET', `/chargers/${cp.id}/events?trigger=Sometimes`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/events?from=yesterday`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/events?cursor=12`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/display-messages?state=Sleeping`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/display-messages?cursor=x`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/customer-information?requestId=one`)).status).toBe(400);
    expect((await api('GET', `/chargers/${cp.id}/customer-information?cursor=-`)).status).toBe(400);
    cp.close();
  });
});

describe('GET /chargers/{id}/events (N07 Alert Event, N08 Periodic Event)', () => {
  it('N07/N08: one row per eventData entry, newest message first; secret actual values redacted; filters and pages', async () => {
    const cp = await charger201();
    // A vendor variable the charger reports WriteOnly: its value in an event is secret too.
    await notify(cp, 'NotifyReport', {
      requestId: 5,
      generatedAt: GENERATED_AT,
      seqNo: 0,
      reportData: [{ component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' }, variableAttribute: [{ mutability: 'WriteOnly' }] }],
    });
    await notify(cp, 'NotifyEvent', {
      generatedAt: '2026-07-01T10:00:01Z',
      seqNo: 0,
      tbc: false,
      eventData: [
        { eventId: 1, timestamp: '2026-07-01T10:00:00Z', trigger: 'Alerting', actualValue: '85', component: { name: 'ChargingStation' }, variable: { name: 'Temperature' }, eventNotificationType: 'CustomMonitor', variableMonitoringId: 3, techCode: 'T1', techInfo: 'hot' },
        { eventId: 2, timestamp: '2026-07-01T10:00:00Z', trigger: 'Delta', actualValue: 'hunter2', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, eventNotificationType: 'HardWiredNotification' },
      ],
    });
    await notify(cp, 'NotifyEvent', {
      generatedAt: '2026-07-01T11:00:01Z',
      seqNo: 0,
      eventData: [
        { eventId: 3, timestamp: '2026-07-01T11:00:00+01:00', trigger: 'Alerting', cause: 1, cleared: true, actualValue: '70', component: { name: 'ChargingStation' }, variable: { name: 'Temperature' }, eventNotificationType: 'CustomMonitor', transactionId: 'tx-1' },
        { eventId: 4, timestamp: '2026-07-01T11:00:00Z', trigger: 'Periodic', actualValue: 'sk-live-123', component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' }, eventNotificationType: 'PreconfiguredMonitor' },
      ],
    });

    const { events, nextCursor } = await json(await api('GET', `/chargers/${cp.id}/events`));
    expect(nextCursor).toBeNull();
    expect(events.map((e: { eventId: number }) => e.eventId)).toEqual([3, 4, 1, 2]);
    expect(events[0]).toEqual({
      eventId: 3,
      timestamp: '2026-07-01T11:00:00+01:00',
      trigger: 'Alerting',
      cause: 1,
      actualValue: '70',
      cleared: true,
      techCode: null,
      techInfo: null,
      transactionId: 'tx-1',
      variableMonitoringId: null,
      eventNotificationType: 'CustomMonitor',
      component: { name: 'ChargingStation' },
      variable: { name: 'Temperature' },
      receivedAt: expect.any(String),
      messageId: expect.any(String),
    });
    expect(events[2]).toMatchObject({ eventId: 1, techCode: 'T1', techInfo: 'hot', variableMonitoringId: 3, cleared: false, cause: null });
    // Secrets: a credential by name, and a variable the charger reported WriteOnly.
    expect(events[3]).toMatchObject({ eventId: 2, actualValue: '<redacted>' });
    expect(events[1]).toMatchObject({ eventId: 4, actualValue: '<redacted>' });
    const all = JSON.stringify(await json(await api('GET', `/chargers/${cp.id}/events`)));
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('sk-live-123');

    const pages = await allPages(`/chargers/${cp.id}/events`, 1);
    expect(pages.flatMap((p) => p.events.map((e: { eventId: number }) => e.eventId))).toEqual([3, 4, 1, 2]);

    const ids = async (query: string) => (await json(await api('GET', `/chargers/${cp.id}/events?${query}`))).events.map((e: { eventId: number }) => e.eventId);
    expect(await ids('component=ChargingStation')).toEqual([3, 1]);
    expect(await ids('variable=ApiKey')).toEqual([4]);
    expect(await ids('trigger=Alerting')).toEqual([3, 1]);
    // The event's own time, in UTC: 11:00+01:00 is 10:00Z.
    expect(await ids('from=2026-07-01T10:30:00Z')).toEqual([4]);
    expect(await ids('to=2026-07-01T10:30:00Z')).toEqual([3, 1, 2]);
    cp.close();
  });
});

describe('GET /chargers/{id}/display-messages (O01 Set, O03 Get All, O05 Clear, O06 Replace DisplayMessage)', () => {
  const message = (id: number, priority: string, state: string | undefined, content: string) => ({
    id,
    priority,
    ...(state ? { state } : {}),
    message: { format: 'UTF8', content },
  });

  it('O03: the latest report, assembled over its parts; O01/O06: accepted SetDisplayMessage added or replacing; O05: accepted ClearDisplayMessage removed; refusals change nothing', async () => {
    const cp = await charger201();
    // An older report, superseded by the next one.
    await notify(cp, 'NotifyDisplayMessages', { requestId: 7, messageInfo: [message(9, 'NormalCycle', undefined, 'old')] });
    await notify(cp, 'NotifyDisplayMessages', { requestId: 8, tbc: true, messageInfo: [message(1, 'NormalCycle', 'Idle', 'Welcome'), message(2, 'InFront', 'Charging', 'Charging…')] });
    let view = await json(await api('GET', `/chargers/${cp.id}/display-messages`));
    expect(view.report).toEqual({ requestId: 8, complete: false, reportedAt: expect.any(String) });
    await notify(cp, 'NotifyDisplayMessages', { requestId: 8, tbc: false, messageInfo: [message(3, 'AlwaysFront', 'Faulted', 'Out of order')] });

    view = await json(await api('GET', `/chargers/${cp.id}/display-messages`));
    expect(view.report).toEqual({ requestId: 8, complete: true, reportedAt: expect.any(String) });
    expect(view.displayMessages.map((m: { id: number }) => m.id)).toEqual([1, 2, 3]);
    expect(view.displayMessages[0]).toEqual({
      id: 1,
      priority: 'NormalCycle',
      state: 'Idle',
      startDateTime: null,
      endDateTime: null,
      transactionId: null,
      message: { format: 'UTF8', content: 'Welcome' },
      display: null,
      source: 'NotifyDisplayMessages',
      since: expect.any(String),
    });

    await command(cp, 'SetDisplayMessage', { message: message(4, 'InFront', 'Idle', 'Free parking') }, { status: 'Accepted' });
    await command(cp, 'SetDisplayMessage', { message: message(1, 'AlwaysFront', 'Idle', 'Welcome back') }, { status: 'Accepted' });
    await command(cp, 'SetDisplayMessage', { message: message(5, 'InFront', 'Idle', 'Refused') }, { status: 'NotSupportedState' });
    await command(cp, 'ClearDisplayMessage', { id: 2 }, { status: 'Accepted' });
    await command(cp, 'ClearDisplayMessage', { id: 3 }, { status: 'Unknown' });

    view = await json(await api('GET', `/chargers/${cp.id}/display-messages`));
    expect(view.displayMessages.map((m: { id: number }) => m.id)).toEqual([1, 3, 4]);
    expect(view.displayMessages[0]).toMatchObject({ id: 1, priority: 'AlwaysFront', message: { content: 'Welcome back' }, source: 'SetDisplayMessage' });
    expect(view.displayMessages[2]).toMatchObject({ id: 4, source: 'SetDisplayMessage' });

    const ids = async (query: string) => (await json(await api('GET', `/chargers/${cp.id}/display-messages?${query}`))).displayMessages.map((m: { id: number }) => m.id);
    expect(await ids('priority=AlwaysFront')).toEqual([1, 3]);
    expect(await ids('priority=InFront')).toEqual([4]);
    expect(await ids('state=Idle')).toEqual([1, 4]);
    const pages = await allPages(`/chargers/${cp.id}/display-messages`, 2);
    expect(pages.map((p) => p.displayMessages.map((m: { id: number }) => m.id))).toEqual([[1, 3], [4]]);

    // O03: GetDisplayMessages for all, answered Unknown: the charger holds none now.
    await command(cp, 'GetDisplayMessages', { requestId: 9 }, { status: 'Unknown' });
    view = await json(await api('GET', `/chargers/${cp.id}/display-messages`));
    expect(view).toEqual({ displayMessages: [], report: { requestId: 9, complete: true, reportedAt: expect.any(String) }, nextCursor: null });
    cp.close();
  });
});

describe('GET /chargers/{id}/customer-information (N09 Get Customer Information, N10 Clear Customer Information)', () => {
  it('N09/N10: parts assembled per requestId in seqNo order, newest first, with what is missing; filtered and paged', async () => {
    const cp = await charger201();
    const part = (requestId: number, seqNo: number, tbc: boolean, data: string) => ({ requestId, seqNo, tbc, data, generatedAt: GENERATED_AT });
    // Request 11 arrives out of order and with a part twice.
    await notify(cp, 'NotifyCustomerInformation', part(11, 1, true, 'tag ABC; '));
    await notify(cp, 'NotifyCustomerInformation', part(11, 0, true, 'customer 42: '));
    await notify(cp, 'NotifyCustomerInformation', part(11, 2, false, 'cleared'));
    await notify(cp, 'NotifyCustomerInformation', part(11, 0, true, 'customer 42: '));
    // Request 12 misses its middle part.
    await notify(cp, 'NotifyCustomerInformation', part(12, 0, true, 'first '));
    await notify(cp, 'NotifyCustomerInformation', part(12, 2, false, 'last'));

    const { customerInformation, nextCursor } = await json(await api('GET', `/chargers/${cp.id}/customer-information`));
    expect(nextCursor).toBeNull();
    expect(customerInformation).toEqual([
      { requestId: 12, data: 'first last', complete: false, missingSeqNos: [1], parts: 2, generatedAt: GENERATED_AT, receivedAt: expect.any(String) },
      { requestId: 11, data: 'customer 42: tag ABC; cleared', complete: true, missingSeqNos: [], parts: 3, generatedAt: GENERATED_AT, receivedAt: expect.any(String) },
    ]);

    const pages = await allPages(`/chargers/${cp.id}/customer-information`, 1);
    expect(pages.map((p) => p.customerInformation.map((r: { requestId: number }) => r.requestId))).toEqual([[12], [11]]);
    const only = await json(await api('GET', `/chargers/${cp.id}/customer-information?requestId=11`));
    expect(only.customerInformation.map((r: { requestId: number }) => r.requestId)).toEqual([11]);
    cp.close();
  });
});

describe('GET /chargers/{id}/events, bounded reads', () => {
  it('N07: a filtered page reads a bounded window of messages, and its cursor goes on below it', async () => {
    const cp = await charger201();
    const event = (eventId: number, component: string) => ({
      generatedAt: GENERATED_AT,
      seqNo: 0,
      eventData: [{ eventId, timestamp: GENERATED_AT, trigger: 'Alerting', actualValue: '1', component: { name: component }, variable: { name: 'Problem' }, eventNotificationType: 'HardWiredNotification' }],
    });
    // The one match is the oldest message; EVENT_REPORT_WINDOW (500) newer ones follow it.
    const frames = [event(0, 'Connector'), ...Array.from({ length: 505 }, (_, i) => event(i + 1, 'EVSE'))];
    frames.forEach((payload, i) => cp.sendRaw(JSON.stringify([2, `e${i}`, 'NotifyEvent', payload])));
    for (let i = 0; i < frames.length; i++) expect(await cp.next()).toEqual([3, `e${i}`, {}]);

    const first = await json(await api('GET', `/chargers/${cp.id}/events?component=Connector`));
    expect(first.events).toEqual([]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await json(await api('GET', `/chargers/${cp.id}/events?component=Connector&cursor=${first.nextCursor}`));
    expect(second.events.map((e: { eventId: number }) => e.eventId)).toEqual([0]);
    expect(second.nextCursor).toBeNull();
    // Unfiltered, every event once, newest first.
    const pages = await allPages(`/chargers/${cp.id}/events`, 200);
    const ids = pages.flatMap((p) => p.events.map((e: { eventId: number }) => e.eventId));
    expect(ids).toHaveLength(506);
    expect(ids[0]).toBe(505);
    expect(ids.at(-1)).toBe(0);
    cp.close();
  }, 30_000);
});
